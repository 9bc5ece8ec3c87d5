import Foundation
import Testing

@testable import WardenPolicy

/// Every kind of malformed policy file is refused with its error code at the right file, line and column.
@Suite struct PolicyFileErrorTests {
    /// Loads a folder with one policy file and returns its only diagnostic.
    func single(_ content: String, name: String = "policies/p.yaml") throws -> (PolicyDiagnostic, TemporaryPolicies) {
        let folder = try TemporaryPolicies([name: content])
        let diagnostics = folder.diagnostics()
        try #require(diagnostics.count == 1, "expected one diagnostic, got \(diagnostics)")
        return (diagnostics[0], folder)
    }

    func expect(
        _ content: String, _ code: PolicyDiagnostic.Code, line: Int, column: Int, name: String = "policies/p.yaml",
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let (d, folder) = try single(content, name: name)
        #expect(d.code == code, sourceLocation: sourceLocation)
        #expect(d.severity == .error, sourceLocation: sourceLocation)
        #expect(d.location?.file == folder.file(name), sourceLocation: sourceLocation)
        #expect(d.location?.line == line, "\(d)", sourceLocation: sourceLocation)
        #expect(d.location?.column == column, "\(d)", sourceLocation: sourceLocation)
    }

    @Test func yamlSyntaxError_isReportedAtItsLine() throws {
        try expect("version: 1\nrules:\n  - id: a\n    effect: [allow\n", .syntax, line: 5, column: 1)
    }

    @Test func tabIndentation_isASyntaxError() throws {
        try expect("version: 1\nrules:\n\t- id: a\n", .syntax, line: 3, column: 1)
    }

    @Test func emptyFile_isRefused() throws {
        try expect("# only a comment\n", .emptyFile, line: 1, column: 1)
    }

    @Test func unknownTopLevelKey_isReportedAtTheKey() throws {
        try expect("version: 1\nrules: []\nrulez: []\n", .unknownKey, line: 3, column: 1)
    }

    @Test func unknownRuleKey_isReportedAtTheKey() throws {
        let file = oneRule("efect: deny")
        try expect(file, .unknownKey, line: 8, column: 5)
    }

    @Test func unknownConditionOperator_isReported() throws {
        let file = oneRule("conditions:\n  - argument: $.path\n    prefx: /etc")
        let (d, _) = try single(file)
        #expect(d.code == .unknownKey)
        #expect(d.location?.line == 10)
        #expect(d.location?.column == 9)
    }

    @Test func duplicateKeyInAMapping_isReportedAtTheSecondKey() throws {
        try expect(
            "version: 1\nrules:\n  - id: a\n    description: x\n    effect: allow\n    effect: deny\n"
                + "    match: {tools: [a.b]}\n",
            .duplicateKey, line: 6, column: 5)
    }

    @Test func duplicateRuleID_inOneFile_isReportedAtTheSecondRule() throws {
        let file = """
            version: 1
            rules:
              - id: same
                description: first
                effect: allow
                match: {tools: [a.b]}
              - id: same
                description: second
                effect: deny
                match: {tools: [a.b]}
            """
        try expect(file, .duplicateRuleID, line: 7, column: 5)
    }

    @Test func duplicateRuleID_acrossFiles_isReportedInTheLaterFile() throws {
        let folder = try TemporaryPolicies([
            "policies/a.yaml": oneRule("", id: "shared"),
            "policies/b.yaml": oneRule("", id: "shared", effect: "deny"),
        ])
        let diagnostics = folder.diagnostics()
        try #require(diagnostics.count == 1)
        #expect(diagnostics[0].code == .duplicateRuleID)
        #expect(diagnostics[0].location?.file == folder.file("policies/b.yaml"))
        #expect(diagnostics[0].location?.line == 3)
        #expect(diagnostics[0].message.contains(folder.file("policies/a.yaml") + ":3:5"))
    }

    @Test func wrongTypes_areReportedWhereTheValueIs() throws {
        try expect(oneRule("", effect: "3"), .wrongType, line: 5, column: 13)
        try expect(oneRule("", tools: "{a: b}"), .wrongType, line: 7, column: 14)
        try expect(oneRule("conditions: all"), .wrongType, line: 8, column: 17)
        try expect("version: \"1\"\nrules: []\n", .wrongType, line: 1, column: 10)
        try expect("version: 1\nrules: {}\n", .wrongType, line: 2, column: 8)
        try expect(oneRule("conditions:\n  - argument: $.size\n    lt: ten"), .wrongType, line: 10, column: 13)
    }

    @Test(arguments: ["yes", "no", "on", "off", "y", "n", "Yes", "NO", "On"])
    func ambiguousBooleanWords_areRefused(word: String) throws {
        try expect(
            oneRule("conditions:\n  - argument: $.flag\n    equals: \(word)"), .ambiguousScalar, line: 10, column: 17)
    }

    @Test(arguments: ["0755", "00", "-012", "12:30", "1:20:30", "2024-01-31", "1_000", "0x1F", "0o17"])
    func ambiguousNumbersAndTimes_areRefused(scalar: String) throws {
        try expect(
            oneRule("conditions:\n  - argument: $.mode\n    equals: \(scalar)"), .ambiguousScalar, line: 10, column: 17)
    }

    @Test func quotedAmbiguousScalars_areStrings() throws {
        let folder = try TemporaryPolicies([
            "policies/p.yaml": oneRule("conditions:\n  - argument: $.mode\n    in: [\"0755\", 'yes', \"12:30\"]")
        ])
        #expect(folder.diagnostics().isEmpty)
    }

    @Test func infinityIsRefused() throws {
        try expect(oneRule("conditions:\n  - argument: $.n\n    lt: .inf"), .invalidValue, line: 10, column: 13)
    }

    @Test func unquotedTimeOfDay_isRefused() throws {
        try expect(
            oneRule("conditions:\n  - time:\n      between: [09:00, \"17:00\"]"), .ambiguousScalar, line: 10, column: 21
        )
    }

    @Test func missingRequiredKeys_areReportedAtTheMapping() throws {
        try expect(
            "version: 1\nrules:\n  - id: a\n    effect: allow\n    match: {tools: [a.b]}\n", .missingKey, line: 3,
            column: 5)
        try expect("rules: []\n", .missingKey, line: 1, column: 1)
    }

    @Test func unsupportedVersion_isRefused() throws {
        try expect("version: 2\nrules: []\n", .unsupportedVersion, line: 1, column: 10)
    }

    @Test func invalidRegex_isReportedAtThePattern() throws {
        try expect(oneRule("conditions:\n  - argument: $.cmd\n    regex: 'a(b'"), .invalidRegex, line: 10, column: 16)
    }

    @Test func invalidGlob_isReportedAtThePattern() throws {
        try expect(oneRule("", tools: "[\"files.[ab\"]"), .invalidGlob, line: 7, column: 15)
    }

    @Test func invalidJSONPath_isReportedAtThePath() throws {
        try expect(oneRule("conditions:\n  - argument: path\n    exists: true"), .invalidJSONPath, line: 9, column: 19)
        try expect(
            oneRule("conditions:\n  - argument: $.items[x]\n    exists: true"), .invalidJSONPath, line: 9, column: 19)
    }

    @Test func invalidAddressBlock_isReported() throws {
        try expect(
            oneRule("conditions:\n  - argument: $.host\n    cidr: [10.0.0.1/8]"), .invalidValue, line: 10, column: 16)
    }

    @Test func invalidRuleID_isReported() throws {
        try expect(oneRule("", id: "\"has space\""), .invalidValue, line: 3, column: 9)
    }

    @Test func anchorsAliasesTagsAndMergeKeys_areRefused() throws {
        try expect(
            oneRule("conditions:\n  - argument: $.a\n    in: &l [a]\n  - argument: $.b\n    in: *l"), .unsupportedYAML,
            line: 10, column: 13)
        try expect(
            oneRule("conditions:\n  - argument: $.a\n    equals: !!int 3"), .unsupportedYAML, line: 10, column: 17)
        try expect(oneRule("<<: {effect: deny}"), .unsupportedYAML, line: 8, column: 5)
    }

    @Test func approvalSettings_mustMatchTheEffect() throws {
        try expect(oneRule("approval: {group: ops}"), .invalidValue, line: 8, column: 5)
        try expect(oneRule("", effect: "require_approval"), .missingKey, line: 3, column: 5)
        try expect(
            oneRule("approval: {group: ops, expires: 90d}", effect: "require_approval"), .invalidValue, line: 8,
            column: 37)
    }

    @Test func rateLimit_belongsInDenyRules() throws {
        try expect(oneRule("conditions:\n  - rate_limit: {count: 3, window: 1m}"), .invalidValue, line: 9, column: 9)
    }

    @Test func conditionWithTwoOperators_isRefused() throws {
        try expect(
            oneRule("conditions:\n  - argument: $.a\n    equals: x\n    prefix: /y"), .missingKey, line: 9, column: 9)
    }

    @Test func jsonFile_syntaxError_isReportedAtItsPosition() throws {
        try expect("{\n  \"version\": 1,\n  \"rules\": [],\n}\n", .syntax, line: 4, column: 1, name: "policies/p.json")
    }

    @Test func jsonFile_duplicateKey_isReportedAtTheSecondKey() throws {
        try expect(
            "{\"version\": 1,\n \"rules\": [],\n \"version\": 1}\n", .duplicateKey, line: 3, column: 2,
            name: "policies/p.json")
    }

    @Test func jsonFile_leadingZero_isRefused() throws {
        try expect("{\"version\": 01, \"rules\": []}", .syntax, line: 1, column: 14, name: "policies/p.json")
    }

    @Test func jsonFile_unknownKey_isReportedAtTheKey() throws {
        try expect(
            "{\n  \"version\": 1,\n  \"rules\": [\n    {\"id\": \"a\", \"description\": \"d\", \"effect\": \"allow\", "
                + "\"match\": {\"tools\": [\"a.b\"]}, \"when\": 1}\n  ]\n}",
            .unknownKey, line: 4, column: 85, name: "policies/p.json")
    }

    @Test func notUTF8_isRefused() throws {
        let folder = try TemporaryPolicies()
        try folder.write("policies/p.yaml", Data([0x76, 0x3A, 0x20, 0xFF, 0xFE, 0x0A]))
        let diagnostics = folder.diagnostics()
        #expect(diagnostics.map(\.code) == [.notUTF8])
        #expect(diagnostics.first?.location?.line == 1)
    }

    @Test func oversizedFile_isRefused() throws {
        let folder = try TemporaryPolicies()
        try folder.write("policies/p.yaml", String(repeating: "# padding\n", count: 110_000))
        #expect(folder.diagnostics().map(\.code) == [.fileTooLarge])
    }

    @Test func missingPoliciesFolder_isRefused() throws {
        let folder = try TemporaryPolicies()
        try folder.remove("policies")
        let diagnostics = folder.diagnostics()
        #expect(diagnostics.map(\.code) == [.unreadableFile])
        #expect(diagnostics.first?.location == nil)
    }

    @Test func errorsInSeveralFiles_areAllReported() throws {
        let folder = try TemporaryPolicies([
            "policies/a.yaml": oneRule("efect: deny"),
            "policies/b.yaml": "version: 1\nrules:\n  - id: b\n    effect: maybe\n",
        ])
        let diagnostics = folder.diagnostics()
        #expect(diagnostics.map(\.code) == [.unknownKey, .missingKey, .missingKey, .invalidValue])
        #expect(
            diagnostics.map { $0.location?.file } == [
                folder.file("policies/a.yaml"), folder.file("policies/b.yaml"), folder.file("policies/b.yaml"),
                folder.file("policies/b.yaml"),
            ])
    }

    @Test func malformedTestFile_isRefused() throws {
        let folder = try TemporaryPolicies([
            "policies/a.yaml": oneRule(""),
            "tests/t.yaml":
                "version: 1\ntests:\n  - name: x\n    request: {tool: files.read, colour: red}\n"
                + "    expect: {effect: allow}\n",
        ])
        let diagnostics = folder.diagnostics()
        #expect(diagnostics.map(\.code) == [.invalidValue])
        #expect(diagnostics.first?.location?.line == 4)
    }

    @Test func hiddenAndOtherFiles_areIgnored() throws {
        let folder = try TemporaryPolicies([
            "policies/a.yaml": oneRule(""),
            "policies/.a.yaml.swp": "garbage: [",
            "policies/README.md": "# notes",
            "policies/old.yaml~": "garbage: [",
        ])
        #expect(folder.diagnostics().isEmpty)
    }
}
