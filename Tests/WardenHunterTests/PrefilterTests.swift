import Testing
@testable import WardenHunter

/// The prefilter must never hide a match: derived literals are necessary, and the automaton finds them
/// ignoring case, whitespace runs and NULs.
@Suite struct PrefilterTests {
    func literals(_ pattern: String) -> Set<String>? {
        RegexLiterals.requirement(of: pattern, caseless: false)?.literals
    }

    @Test func derivation_picksNecessaryLiterals() {
        #expect(literals("union\\s+select") == ["select"] || literals("union\\s+select") == ["union"])
        #expect(literals("(?:foo|bar)baz") == ["foobaz", "barbaz"])
        #expect(literals("a?b") == ["b"])
        #expect(literals("x(a|)y") == ["xay", "xy"])
        #expect(literals("[Ss]elect") == ["select"])
        #expect(literals("\\d+") == nil)
        #expect(literals("abc|\\w+") == nil)
        #expect(literals("(?x) a b c") == nil)
        #expect(literals("x(?1)y") == ["x", "y"] || literals("x(?1)y") == ["x"] || literals("x(?1)y") == ["y"])
    }

    @Test func derivation_isSafeOnSampleInputs() throws {
        // Each pattern with an input it matches: the derived literals must occur in that input.
        let cases: [(String, String)] = [
            ("a?bc", "abc"), ("x(a|)y", "xy"), ("(?:ab)+c", "ababc"), ("foo(?=bar)", "foobar"),
            ("(?<!x)end", "the end"), ("a{2,3}b", "aab"), ("[a-c]at", "bat"), ("\\Qa.b\\E", "a.b"),
            ("(?i)SeLeCt", "select"), ("é+x", "éx"), ("un(?:io)?n", "unn"),
        ]
        for (pattern, input) in cases {
            let regex = try PCRE2Regex(pattern)
            var copy = input
            let matched = copy.withUTF8 { regex.firstMatch(in: $0, from: 0, scratch: RegexScratch()) != .noMatch }
            #expect(matched, "\(pattern) should match \(input)")
            if let required = RegexLiterals.requirement(of: pattern, caseless: false) {
                #expect(required.literals.contains { input.lowercased().contains($0) }, "\(pattern): \(required.literals)")
            }
        }
    }

    @Test func automaton_ignoresCaseWhitespaceRunsAndNuls() {
        let automaton = LiteralAutomaton(literals: [("union select", 0), ("script", 1), ("xyz", 2)], ruleCount: 3)
        func hits(_ text: String) -> [Int] {
            var bits = RuleBits(count: 3)
            var copy = text
            copy.withUTF8 { automaton.scan($0, into: &bits) }
            return (0..<3).filter { bits.contains($0) }
        }
        #expect(hits("1 UNION \t\n SELECT 2") == [0])
        #expect(hits("<SCR\u{0}IPT>") == [1])
        #expect(hits("nothing here") == [])
        #expect(hits("xxyz and scripts") == [1, 2])
    }
}
