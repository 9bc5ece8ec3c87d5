import Foundation
import Testing
import WardenCore

@testable import WardenPolicy

/// `warden policy lint`: meaning warnings on sets that load.
@Suite struct PolicyLinterTests {
    func lint(_ files: [String: String], schemas: [String: JSONValue]? = nil) throws -> [PolicyDiagnostic] {
        let folder = try TemporaryPolicies(files)
        return PolicyLinter.lint(directory: folder.path, toolSchemas: schemas).diagnostics
            .filter { $0.code != .untestedRule }
    }

    @Test func schemaErrors_areReportedAsErrors() throws {
        let d = try lint(["policies/p.yaml": oneRule("efect: deny")])
        #expect(d.map(\.code) == [.unknownKey])
        #expect(d.first?.severity == .error)
    }

    @Test func rulesThatCanNeverMatch() throws {
        let never = [
            "conditions:\n  - argument: $.a\n    exists: true\n  - argument: $.a\n    exists: false",
            "conditions:\n  - argument: $.a\n    equals: x\n  - argument: $.a\n    equals: z",
            "conditions:\n  - argument: $.n\n    gt: 10\n  - argument: $.n\n    lt: 5",
            "conditions:\n  - argument: $.n\n    ge: 5\n  - argument: $.n\n    lt: 5",
            "conditions:\n  - argument: $.a\n    in: []",
            "conditions:\n  - argument: $.a\n    equals: x\n  - argument: $.a\n    in: [p, q]",
            "conditions:\n  - argument: $.a\n    exists: false\n  - argument: $.a\n    prefix: x",
        ]
        for body in never {
            let d = try lint(["policies/p.yaml": oneRule(body)])
            #expect(d.map(\.code) == [.neverMatches], "\(body)")
            #expect(d.first?.severity == .warning)
        }
        let fine = "conditions:\n  - argument: $.n\n    ge: 5\n  - argument: $.n\n    le: 5"
        #expect(try lint(["policies/p.yaml": oneRule(fine)]).isEmpty)
        let wrongPlugin = oneRule("", tools: "[files.read]\n      plugin: shell")
        #expect(try lint(["policies/p.yaml": wrongPlugin]).map(\.code) == [.neverMatches])
    }

    @Test func allowShadowedByADeny() throws {
        let file = """
            version: 1
            rules:
              - id: allow-reads
                description: reads
                effect: allow
                match: {tools: [files.read]}
                conditions:
                  - argument: $.path
                    prefix: src/
              - id: deny-files
                description: no reading at all
                effect: deny
                match: {tools: ["files.r*"]}
              - id: deny-big
                description: not shadowing, it has its own condition
                effect: deny
                match: {tools: [files.write]}
                conditions:
                  - argument: $.size
                    gt: 10
              - id: allow-writes
                description: writes
                effect: allow
                match: {tools: [files.write]}
            """
        let d = try lint(["policies/p.yaml": file])
        #expect(d.map(\.code) == [.shadowedRule])
        #expect(d.first?.location?.line == 3)
        #expect(d.first?.message.contains("deny-files") == true)
    }

    @Test func argumentsTheToolDoesNotHave() throws {
        let schemas: [String: JSONValue] = [
            "files.read": [
                "type": "object", "properties": ["path": ["type": "string"]], "additionalProperties": false,
            ],
            "files.list": ["type": "object", "properties": ["dir": ["type": "string"]]],
            "http.get": [
                "type": "object",
                "properties": ["headers": ["type": "object", "additionalProperties": ["type": "string"]]],
            ],
        ]
        let file = oneRule(
            "conditions:\n  - argument: $.path\n    prefix: x\n  - argument: $.contents\n    exists: true",
            tools: "[\"files.*\"]")
        let d = try lint(["policies/p.yaml": file], schemas: schemas)
        #expect(d.map(\.code) == [.unknownArgument, .unknownArgument])
        #expect(d[0].location?.line == 9 && d[0].message.contains("files.list"))
        #expect(d[1].location?.line == 11 && d[1].message.contains("files.list, files.read"))
        let headers = oneRule("conditions:\n  - argument: $.headers.Accept\n    exists: true", tools: "[http.get]")
        #expect(try lint(["policies/p.yaml": headers], schemas: schemas).isEmpty)
        let unknownTool = oneRule("", tools: "[files.raed]")
        let u = try lint(["policies/p.yaml": unknownTool], schemas: schemas)
        #expect(u.map(\.code) == [.unknownTool])
        #expect(u.first?.message.contains("did you mean \"files.read\"") == true)
    }

    @Test func testsThatNameUnknownRules_andUntestedRules() throws {
        let folder = try TemporaryPolicies([
            "policies/p.yaml": oneRule("", id: "allow-read") + "\n" + """
                  - id: never-tested
                    description: x
                    effect: deny
                    match: {tools: [x.y]}
                """,
            "tests/t.yaml": """
            version: 1
            tests:
              - name: read
                request: {tool: files.read}
                expect: {effect: allow, rules: [allow-read, alow-read]}
            """,
        ])
        let d = PolicyLinter.lint(directory: folder.path).diagnostics
        #expect(d.map(\.code) == [.untestedRule, .unknownRuleInTest])
        #expect(d[1].message.contains("did you mean \"allow-read\"") == true)
    }

    @Test func schemaFiles_inBothShapes() throws {
        let map: JSONValue = ["a.b": ["type": "object"]]
        #expect(try PolicyLinter.toolSchemas(from: map).keys.sorted() == ["a.b"])
        let list: JSONValue = ["tools": [["name": "a.b", "inputSchema": ["type": "object"]]]]
        #expect(try PolicyLinter.toolSchemas(from: list).keys.sorted() == ["a.b"])
        #expect(throws: PolicyPluginError.self) { try PolicyLinter.toolSchemas(from: ["a.b": 3]) }
        #expect(throws: PolicyPluginError.self) { try PolicyLinter.toolSchemas(from: ["tools": [["name": "x"]]]) }
    }
}
