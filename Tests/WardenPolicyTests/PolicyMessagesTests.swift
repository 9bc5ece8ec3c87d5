import Foundation
import Testing
import WardenCore

@testable import WardenPolicy

/// Pins the sentences people read. Other tests match codes and locations; this one matches the words.
@Suite struct PolicyMessagesTests {
    func message(_ content: String) throws -> String {
        let folder = try TemporaryPolicies(["policies/p.yaml": content])
        let d = folder.diagnostics()
        try #require(d.count == 1, "\(d)")
        return d[0].description.replacingOccurrences(of: folder.path + "/", with: "")
    }

    @Test func unknownKey_suggestsTheClosestKey() throws {
        #expect(
            try message(oneRule("efect: deny"))
                == "policies/p.yaml:8:5: error: unknown key \"efect\" in a rule; did you mean \"effect\"?; "
                + "allowed keys: id, description, effect, match, conditions, approval")
    }

    @Test func ambiguousScalar_saysHowToFixIt() throws {
        #expect(
            try message(oneRule("conditions:\n  - argument: $.recursive\n    equals: yes"))
                == "policies/p.yaml:10:17: error: unquoted yes is a boolean to some YAML readers and a string to "
                + "others; write true or false, or quote it (\"yes\")")
        #expect(
            try message(oneRule("conditions:\n  - argument: $.mode\n    equals: 0755"))
                == "policies/p.yaml:10:17: error: unquoted 0755 looks octal: YAML 1.1 reads it as base 8, YAML 1.2 as "
                + "base 10; drop the leading zero or quote it (\"0755\")")
    }

    @Test func wrongEffect_listsTheChoices() throws {
        #expect(
            try message(oneRule("", effect: "alow"))
                == "policies/p.yaml:5:13: error: effect must be one of allow, require_approval, deny, not \"alow\"; "
                + "did you mean \"allow\"?")
    }

    @Test func duplicateKey_namesTheFirstOccurrence() throws {
        #expect(
            try message("version: 1\nrules: []\nversion: 1\n")
                == "policies/p.yaml:3:1: error: duplicate key \"version\" in one mapping (first at line 1); "
                + "each key may appear once")
    }

    @Test func evaluationErrors_nameTheArgumentAndTheRule() throws {
        let set = try policySet(oneRule("conditions:\n  - argument: $.path\n    prefix: src/", id: "read-src"))
        let d = decide(set, "files.read", ["path": ["a"]])
        #expect(
            d.reasons == [
                "read-src could not be evaluated, which denies the call: the argument $.path is an array, but the "
                    + "condition compares it with a prefix"
            ])
    }

    @Test func failingTest_saysWhatWasExpectedAndWhatCame() throws {
        let folder = try TemporaryPolicies([
            "policies/p.yaml": oneRule("", id: "allow-read"),
            "tests/t.yaml": """
            version: 1
            tests:
              - name: writes are allowed
                request: {tool: files.write}
                expect: {effect: allow, rules: [allow-read]}
            """,
        ])
        let d = folder.diagnostics()
        #expect(
            d.map { $0.description.replacingOccurrences(of: folder.path + "/", with: "") } == [
                "tests/t.yaml:3:5: error: test \"writes are allowed\" failed: expected allow, got deny "
                    + "(no rule matched); "
                    + "expected matched rules [allow-read], got []"
            ])
    }
}
