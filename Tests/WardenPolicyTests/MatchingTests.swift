import Foundation
import Testing
import WardenCore

@testable import WardenPolicy

/// Globs, JSON paths, addresses, URLs, regular-expression prefilters, paths and times.
@Suite struct MatchingTests {
    @Test func globs() throws {
        let cases: [(String, String, Bool)] = [
            ("files.*", "files.read", true), ("files.*", "filesXread", false), ("*", "", true),
            ("*.read", "files.read", true), ("f?les.r*d", "files.read", true), ("files.[rw]*", "files.write", true),
            ("files.[!rw]*", "files.write", false), ("a\\*b", "a*b", true), ("a\\*b", "axb", false),
            ("*a*b*", "xxaxxbxx", true), ("*a*b", "xxaxxbxc", false), ("[a-c]", "b", true), ("é*", "été", true),
            ("files.read", "files.read", true), ("files.read", "files.reads", false),
        ]
        for (pattern, text, expected) in cases {
            #expect(try Glob(pattern).matches(text) == expected, "\(pattern) ~ \(text)")
        }
        #expect(try Glob("*.PEM", foldCase: true).matches("key.pem"))
        #expect(try Glob("[A-C]x", foldCase: true).matches("bX"))
        #expect(throws: PatternError.self) { try Glob("a[bc") }
        #expect(throws: PatternError.self) { try Glob("ab\\") }
        #expect(throws: PatternError.self) { try Glob("[z-a]") }
    }

    @Test func jsonPaths() throws {
        let doc: JSONValue = ["a": ["b": [10, ["c": "x"]]], "d-e": 1, "q'uote": 2]
        func at(_ p: String) throws -> JSONValue? {
            if case .found(let v) = try JSONPath(p).resolve(in: doc) { return v }
            return nil
        }
        #expect(try at("$") == doc)
        #expect(try at("$.a.b[0]") == 10)
        #expect(try at("$.a.b[1].c") == "x")
        #expect(try at("$['d-e']") == 1)
        #expect(try at("$[\"q'uote\"]") == 2)
        #expect(try at("$['q\\'uote']") == 2)
        #expect(try at("$.a.b[2]") == nil)
        #expect(try at("$.a.b.c") == nil)
        let path = try JSONPath("$.a.b.c")
        if case .missing(let why) = path.resolve(in: doc) {
            #expect(why.message(path) == "$.a.b is an array, not an object")
        } else {
            Issue.record("$.a.b.c resolved")
        }
        for bad in ["a", "$.", "$..a", "$.a[", "$.a[-1]", "$.a[01]", "$.a[x]", "$['a'", "$.*", "$ .a"] {
            #expect(throws: PatternError.self, "\(bad)") { try JSONPath(bad) }
        }
        // Child paths as the rules report them, and each resolves back to its member.
        #expect(JSONPath.child("$", key: "a") == "$.a")
        #expect(JSONPath.child("$.a.b[1]", key: "c") == "$.a.b[1].c")
        #expect(JSONPath.child("$", key: "d-e") == "$.d-e")
        #expect(JSONPath.child("$", key: "q'uote") == #"$['q\'uote']"#)
        #expect(JSONPath.child("$.a", key: "$x") == "$.a['$x']")
        #expect(JSONPath.child("$", key: "") == "$['']")
        #expect(try at(JSONPath.child("$", key: "q'uote")) == 2)
        #expect(try at(JSONPath.child("$", key: "d-e")) == 1)
    }

    @Test func addresses() throws {
        func inBlock(_ host: String, _ block: String) throws -> Bool {
            guard let address = IPAddress(host: host) else { return false }
            return try CIDRBlock(block).contains(address)
        }
        #expect(try inBlock("10.1.2.3", "10.0.0.0/8"))
        #expect(try inBlock("167772161", "10.0.0.0/8"))  // 10.0.0.1 as one number
        #expect(try inBlock("0x0a.0x1.0.1", "10.0.0.0/8"))
        #expect(try inBlock("012.1", "10.0.0.0/8"))  // octal 10, then 24 bits
        #expect(try inBlock("127.1", "127.0.0.0/8"))
        #expect(try inBlock("::ffff:10.0.0.1", "10.0.0.0/8"))
        #expect(try inBlock("[::ffff:a00:1]", "10.0.0.0/8"))
        #expect(try inBlock("fe80::1%eth0", "fe80::/10"))
        #expect(try inBlock("fd00:ec2::254", "fc00::/7"))
        #expect(try inBlock("::1", "::1/128"))
        #expect(try !inBlock("11.0.0.1", "10.0.0.0/8"))
        #expect(try !inBlock("example.com", "0.0.0.0/0"))
        #expect(try !inBlock("1.2.3.4.5", "0.0.0.0/0"))
        #expect(try !inBlock("256.1.1.1", "0.0.0.0/0"))
        #expect(try inBlock("8.8.8.8", "0.0.0.0/0"))
        for bad in ["10.0.0.1/8", "10.0.0.0/33", "10.0.0/8", "010.0.0.0/8", "fe80::/129", "host/8", "::ffff::1/128"] {
            #expect(throws: PatternError.self, "\(bad)") { try CIDRBlock(bad) }
        }
    }

    @Test func urls() throws {
        let parts = try URLParts("HTTPS://User:pw@Example.COM.:8443/p?q#f")
        #expect(parts.scheme == "https" && parts.host == "example.com")
        #expect(try URLParts("http://[::1]:80/").host == "::1")
        #expect(try URLParts("http://a.example@b.example/").host == "b.example")
        #expect(try URLParts.scheme(of: "file:///etc/passwd") == "file")
        for bad in [
            "example.com", "http:/x", "http:// x/", "http://x\\@y/", "http://%31%32/", "http:///p", "http://[::1/",
            "1http://x/", "http://x:8o/",
        ] {
            #expect(throws: PatternError.self, "\(bad)") { try URLParts(bad) }
        }
    }

    @Test func regexPrefilters_neverRejectAMatch() throws {
        let patterns = [
            #"\brm\s+(-[a-z]*r[a-z]*\s+)+/"#, "curl[^|]*\\|\\s*sh|wget[^|]*\\|\\s*sh", "(?i)drop\\s+table", "abc",
            "a+bc", "x?yz|pq*rs", "foo.bar", "^start", "end$", "lit\\.eral", "(?i)KELVIN", "ab{2}c", "[xy]zz|qq",
        ]
        let alphabet = Array("abcrmflsuwgetpqyzxo DROPtable|/-.\\KELVINK\u{212A}ſ_^$") + ["\n"]
        var rng = SeededGenerator(state: 42)
        for pattern in patterns {
            let regex = try CompiledRegex(pattern, caseInsensitive: false)
            let direct = try NSRegularExpression(pattern: pattern)
            for _ in 0..<3000 {
                let length = Int.random(in: 0...14, using: &rng)
                var subject = String((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
                if Bool.random(using: &rng) { subject = "rm -rf / curl x|sh drop table abc " + subject }
                let expected =
                    direct.firstMatch(in: subject, range: NSRange(location: 0, length: subject.utf16.count)) != nil
                #expect(regex.matches(subject) == expected, "\(pattern) on \(subject.debugDescription)")
            }
        }
        #expect(
            LiteralPrefilter.derive(from: "curl[^|]*\\|\\s*sh|wget[^|]*\\|\\s*sh", caseInsensitive: false)?.literals
                .count == 2)
        #expect(LiteralPrefilter.derive(from: "abc", caseInsensitive: false)?.isExact == true)
        #expect(LiteralPrefilter.derive(from: "a(?i)bc", caseInsensitive: false) == nil)
        #expect(LiteralPrefilter.derive(from: "\\x41BC", caseInsensitive: false) == nil)
    }

    @Test func pathNormalization() {
        let cases = [
            ("a/./b/../c", "a/c"), ("/../etc", "/etc"), ("../x", "../x"), ("a/../../x", "../x"), ("", "."),
            (".", "."), ("//a//b/", "/a/b"), ("a/..", "."), ("/", "/"),
        ]
        for (input, expected) in cases { #expect(ValueCondition.normalize(path: input) == expected, "\(input)") }
    }

    @Test func rfc3339() throws {
        let t = try #require(RFC3339.parse("2026-01-05T12:30:15Z"))
        #expect(t.timeIntervalSince1970 == 1_767_616_215)
        #expect(RFC3339.format(t) == "2026-01-05T12:30:15Z")
        #expect(RFC3339.parse("2026-01-05T14:30:15+02:00") == t)
        #expect(RFC3339.parse("2026-01-05T14:30:15+0200") == t)
        #expect(RFC3339.parse("2026-01-05T12:30:15.250Z")?.timeIntervalSince1970 == 1_767_616_215.25)
        #expect(RFC3339.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
        for bad in ["2026-01-05", "2026-02-30T00:00:00Z", "2026-01-05T24:00:00Z", "2026-01-05T12:00:00", "x"] {
            #expect(RFC3339.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func plainScalars() {
        #expect(PlainScalar.read("1.5") == .value(.double(1.5)))
        #expect(PlainScalar.read("-3") == .value(.int(-3)))
        #expect(PlainScalar.read("~") == .value(.null))
        #expect(PlainScalar.read("True") == .value(.bool(true)))
        #expect(PlainScalar.read("10.0.0.0/8") == .value(.string("10.0.0.0/8")))
        #expect(PlainScalar.read("1.2.3") == .value(.string("1.2.3")))
        #expect(PlainScalar.read("30s") == .value(.string("30s")))
        if case .ambiguous = PlainScalar.read("0755") {} else { Issue.record("0755 was accepted") }
        if case .invalid = PlainScalar.read("99999999999999999999") {} else { Issue.record("overflow was accepted") }
    }
}
