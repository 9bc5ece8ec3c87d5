import Testing
import WardenCore
@testable import WardenHunter

/// Every malformed rule file is refused with a code and the position of the problem.
@Suite struct RuleLoaderTests {
    static let valid = """
        id: demo-rule
        title: Demo
        category: demo
        severity: high
        transforms: [lowercase]
        detections:
          word:
            regex: 'evil\\s+thing'
        tests:
          - input: "an EVIL thing"
            match: true
          - input: "a good thing"
            match: false
        """

    func refusal(_ yaml: String) -> RuleFileError? {
        do {
            _ = try RuleLoader.parse(yaml: yaml, file: "rules/demo.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test func validRule_loadsWithDefaults() throws {
        let rules = try RuleLoader.parse(yaml: Self.valid, file: "rules/demo.yaml")
        #expect(rules.count == 1)
        let rule = try #require(rules.first)
        #expect(rule.id == "demo-rule")
        #expect(rule.paranoia == 1)
        #expect(rule.scope == .input)
        #expect(rule.transforms == [.lowercase])
        #expect(rule.condition == .detection("word"))
        #expect(rule.tests.count == 2)
        #expect(rule.location == SourceLocation(file: "rules/demo.yaml", line: 1, column: 1))
    }

    @Test func unknownKey_isRefusedAtItsLine() throws {
        let error = try #require(refusal(Self.valid.replacingOccurrences(of: "severity: high", with: "severity: high\nseverity_level: 3")))
        #expect(error.code == .unknownKey)
        #expect(error.location.line == 5)
        #expect(error.location.column == 1)
    }

    @Test func unknownDetectionKey_isRefused() throws {
        let error = try #require(refusal(Self.valid.replacingOccurrences(of: "    regex: 'evil", with: "    regexp: 'evil")))
        #expect(error.code == .unknownKey)
        #expect(error.location.line == 8)
    }

    @Test func wrongType_isRefused() throws {
        let error = try #require(refusal(Self.valid.replacingOccurrences(of: "transforms: [lowercase]", with: "transforms: lowercase")))
        #expect(error.code == .wrongType)
        #expect(error.location.line == 5)
    }

    @Test func paranoiaOutOfRange_isRefused() throws {
        let error = try #require(refusal(Self.valid.replacingOccurrences(of: "severity: high", with: "severity: high\nparanoia: 7")))
        #expect(error.code == .invalidValue)
        #expect(error.location.line == 5)
    }

    @Test func unknownTransform_isRefused() throws {
        let error = try #require(refusal(Self.valid.replacingOccurrences(of: "[lowercase]", with: "[lowercase, url_decod]")))
        #expect(error.code == .invalidValue)
        #expect(error.location.line == 5)
        #expect(error.location.column == 25)
    }

    @Test func badRegex_isRefusedWithItsColumn() throws {
        let error = try #require(refusal(Self.valid.replacingOccurrences(of: "'evil\\s+thing'", with: "'evil(thing'")))
        #expect(error.code == .badRegex)
        #expect(error.location.line == 8)
        #expect(error.location.column > 12)
    }

    @Test func badCondition_isRefused() throws {
        let text = Self.valid.replacingOccurrences(of: "tests:", with: "condition: word and (missing\ntests:")
        let error = try #require(refusal(text))
        #expect(error.code == .badCondition)
        #expect(error.location.line == 9)
    }

    @Test func unknownDetectionInCondition_isRefused() throws {
        let error = try #require(refusal(Self.valid.replacingOccurrences(of: "tests:", with: "condition: word or wrd\ntests:")))
        #expect(error.code == .badCondition)
        #expect(error.location.column == 20)
    }

    @Test func unusedDetection_isRefused() throws {
        let text = Self.valid.replacingOccurrences(
            of: "tests:", with: "  other:\n    contains_any: [x]\ncondition: word\ntests:")
        let error = try #require(refusal(text))
        #expect(error.code == .badCondition)
    }

    @Test func missingNegativeTest_isRefused() throws {
        let text = Self.valid.replacingOccurrences(of: "  - input: \"a good thing\"\n    match: false", with: "")
        let error = try #require(refusal(text))
        #expect(error.code == .missingTests)
    }

    @Test func todoDoesNotCountAsTheRequiredTest() throws {
        let text = Self.valid.replacingOccurrences(of: "    match: false", with: "    match: false\n    todo: true")
        let error = try #require(refusal(text))
        #expect(error.code == .missingTests)
    }

    @Test func missingRequiredKey_isRefused() throws {
        let error = try #require(refusal(Self.valid.replacingOccurrences(of: "category: demo\n", with: "")))
        #expect(error.code == .missingKey)
        #expect(error.location.line == 1)
    }

    @Test func duplicateIDs_areRefused() throws {
        let text = "- " + Self.valid.replacingOccurrences(of: "\n", with: "\n  ") + "\n- "
            + Self.valid.replacingOccurrences(of: "\n", with: "\n  ")
        let error = try #require(refusal(text))
        #expect(error.code == .duplicateID)
        #expect(error.location.line == 14)
    }

    @Test func aliases_areRefused() throws {
        let text = Self.valid.replacingOccurrences(of: "title: Demo", with: "title: &t Demo\ndescription: *t")
        let error = try #require(refusal(text))
        #expect(error.code == .alias)
    }

    @Test func aliasExpansionBomb_isRefusedQuickly() throws {
        var text = RuleLoaderTests.valid + "\n"
        text = text.replacingOccurrences(of: "  - input: \"a good thing\"", with: """
              - value: &a [x, x, x, x, x, x, x, x, x, x]
                match: false
              - value: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
                match: false
              - value: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
                match: false
              - input: "a good thing"
            """)
        let error = try #require(refusal(text))
        #expect(error.code == .alias)
    }

    @Test func invalidYAML_isRefusedWithPosition() throws {
        let error = try #require(refusal("id: [unclosed\ntitle: x\n"))
        #expect(error.code == .syntax)
        #expect(error.location.line >= 1)
    }

    @Test func testPhaseOutsideScope_isRefused() throws {
        let text = Self.valid.replacingOccurrences(of: "    match: true", with: "    match: true\n    phase: output")
        let error = try #require(refusal(text))
        #expect(error.code == .invalidValue)
    }

    @Test func badTarget_isRefused() throws {
        let error = try #require(refusal(Self.valid.replacingOccurrences(of: "severity: high", with: "severity: high\ntargets: [\"url\"]")))
        #expect(error.code == .invalidValue)
        #expect(error.location.line == 5)
    }

    @Test func lengthBoundsMustBeOrdered() throws {
        let text = Self.valid.replacingOccurrences(of: "    regex: 'evil\\s+thing'", with: "    regex: 'evil'\n    length: {min: 9, max: 3}")
        let error = try #require(refusal(text))
        #expect(error.code == .invalidValue)
    }

    @Test func detectionWithTwoMatchers_isRefused() throws {
        let text = Self.valid.replacingOccurrences(of: "    regex: 'evil\\s+thing'", with: "    regex: 'evil'\n    equals: evil")
        let error = try #require(refusal(text))
        #expect(error.code == .invalidValue)
    }
}
