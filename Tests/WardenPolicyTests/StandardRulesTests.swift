import Foundation
import Testing
import WardenCore

@testable import WardenPolicy

/// The standard rules behind `rule/check`: schema, workspace, size, rate.
@Suite struct StandardRulesTests {
    static let schema: JSONValue = [
        "type": "object",
        "properties": [
            "path": ["type": "string", "minLength": 1, "maxLength": 20, "pattern": "^[^~]*$"],
            "mode": ["enum": ["r", "w"]],
            "count": ["type": "integer", "minimum": 1, "maximum": 10],
            "ratio": ["type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1],
            "tags": ["type": "array", "items": ["type": "string"], "maxItems": 2],
            "kind": ["const": "file"],
            "options": ["$ref": "#/$defs/options"],
            "either": ["anyOf": [["type": "string"], ["type": "null"]]],
        ],
        "required": ["path"],
        "additionalProperties": false,
        "$defs": [
            "options": ["type": "object", "properties": ["deep": ["type": "boolean"]], "additionalProperties": false]
        ],
    ]

    func violations(_ arguments: JSONValue, schema: JSONValue = schema) -> [RuleViolation] {
        JSONSchemaValidator().violations(of: arguments, against: schema)
    }

    @Test func validArguments_passTheSchema() {
        #expect(
            violations([
                "path": "a.txt", "mode": "r", "count": 3, "ratio": 0.5, "tags": ["x"], "kind": "file",
                "options": ["deep": true], "either": .null,
            ]).isEmpty)
        #expect(violations(["path": "a", "count": 3.0]).isEmpty)  // 3.0 is an integer in JSON Schema
    }

    @Test func eachKeyword_reportsItsViolationAtThePath() {
        let cases: [(JSONValue, String, String)] = [
            ([:], "$.path", "$.path is required"),
            (["path": 3], "$.path", "$.path must be string, not an integer"),
            (["path": ""], "$.path", "$.path must be at least 1 characters long"),
            (
                ["path": .string(String(repeating: "a", count: 21))], "$.path",
                "$.path must be at most 20 characters long (it has 21)"
            ),
            (["path": "~/x"], "$.path", "$.path must match the pattern ^[^~]*$"),
            (["path": "a", "mode": "x"], "$.mode", "$.mode must be one of [\"r\",\"w\"]"),
            (["path": "a", "count": 0], "$.count", "$.count must be at least 1"),
            (["path": "a", "count": 11], "$.count", "$.count must be at most 10"),
            (["path": "a", "count": 1.5], "$.count", "$.count must be integer, not a number"),
            (["path": "a", "ratio": 1], "$.ratio", "$.ratio must be less than 1"),
            (["path": "a", "ratio": 0], "$.ratio", "$.ratio must be greater than 0"),
            (["path": "a", "tags": ["x", 2]], "$.tags[1]", "$.tags[1] must be string, not an integer"),
            (["path": "a", "tags": ["x", "y", "z"]], "$.tags", "$.tags must have at most 2 items (it has 3)"),
            (["path": "a", "kind": "dir"], "$.kind", "$.kind must be \"file\""),
            (
                ["path": "a", "options": ["deep": "yes"]], "$.options.deep",
                "$.options.deep must be boolean, not a string"
            ),
            (
                ["path": "a", "options": ["wide": true]], "$.options.wide",
                "$.options.wide is not an argument this tool takes"
            ),
            (["path": "a", "either": 1], "$.either", "$.either matches none of the schemas in anyOf"),
            (["path": "a", "colour": "red"], "$.colour", "$.colour is not an argument this tool takes"),
        ]
        for (arguments, path, message) in cases {
            let v = violations(arguments)
            #expect(v == [RuleViolation(rule: "schema", message: message, path: path)], "\(arguments.serialized())")
        }
    }

    @Test func malformedSchemas_areViolations_notSkipped() {
        for schema: JSONValue in [
            ["type": "strnig"], ["type": 3], ["required": "path"], ["properties": ["a": 5]], ["pattern": "("],
            ["$ref": "#/$defs/missing"], ["minLength": -1], 7,
        ] {
            #expect(!violations(["a": "x"], schema: schema).isEmpty, "\(schema.serialized())")
        }
        #expect(violations(["a": 1], schema: false).count == 1)
        #expect(violations(["a": 1], schema: true).isEmpty)
        // A reference cycle ends at the depth limit rather than recursing forever.
        #expect(!violations(["a": 1], schema: ["$ref": "#"]).isEmpty)
    }

    @Test func oneOfAllOfNotAndPrefixItems() {
        let schema: JSONValue = [
            "oneOf": [["type": "integer"], ["minimum": 5]], "not": ["const": 7],
            "allOf": [["type": "number"]],
        ]
        #expect(violations(3, schema: schema).isEmpty)
        #expect(violations(6.5, schema: schema).isEmpty)
        #expect(violations(9, schema: schema).count == 1)  // both branches of oneOf
        #expect(violations(7, schema: schema).count == 2)  // oneOf twice, and not
        let tuple: JSONValue = ["prefixItems": [["type": "string"], ["type": "integer"]], "items": false]
        #expect(violations(["a", 1], schema: tuple).isEmpty)
        #expect(violations(["a", 1, 2], schema: tuple).map(\.path) == ["$[2]"])
    }

    /// A workspace with a file, a link inside it, a link out of it, and a folder beside it.
    final class Workspace {
        let base: String
        let root: String
        init() throws {
            base = FileManager.default.temporaryDirectory.appendingPathComponent("warden-ws-\(UUID().uuidString)").path
            root = base + "/ws"
            let fm = FileManager.default
            try fm.createDirectory(atPath: root + "/src", withIntermediateDirectories: true)
            try fm.createDirectory(atPath: base + "/outside", withIntermediateDirectories: true)
            try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/src/a.txt"))
            try fm.createSymbolicLink(atPath: root + "/escape", withDestinationPath: "../outside")
            try fm.createSymbolicLink(atPath: root + "/abs-escape", withDestinationPath: "/etc")
            try fm.createSymbolicLink(atPath: root + "/inner", withDestinationPath: "src")
            try fm.createSymbolicLink(atPath: root + "/loop", withDestinationPath: "loop")
        }
        deinit { try? FileManager.default.removeItem(atPath: base) }
    }

    func check(
        _ arguments: JSONValue, _ ws: Workspace, tool: String = "files.read", rules: StandardRules = StandardRules()
    )
        throws -> [RuleViolation]
    {
        try rules.check([
            "phase": "pre", "tool": .string(tool), "input_schema": ["type": "object"], "arguments": arguments,
            "workspace": .string(ws.root),
        ]).filter { $0.rule == "workspace" }
    }

    @Test func pathsInsideTheWorkspace_pass() throws {
        let ws = try Workspace()
        for path in [
            "src/a.txt", "./src/../src/a.txt", "new/file.txt", "inner/a.txt", ws.root + "/src", ".", "inner/../src",
        ] {
            #expect(try check(["path": .string(path)], ws).isEmpty, "\(path)")
        }
    }

    @Test func pathsLeavingTheWorkspace_areViolations() throws {
        let ws = try Workspace()
        for path in [
            "../outside/x", "/etc/passwd", "escape/secret", "abs-escape/shadow", "src/../../outside", "inner/../../x",
            "escape", "new/../../x",
        ] {
            let v = try check(["path": .string(path)], ws)
            #expect(v.count == 1, "\(path)")
            #expect(v.first?.path == "$.path")
        }
        #expect(try check(["path": "loop/x"], ws).first?.message.contains("too many symbolic links") == true)
        #expect(try check(["path": "a\u{0}b"], ws).first?.message.contains("NUL") == true)
    }

    @Test func pathArguments_byNameAtAnyDepth_orConfiguredPerTool() throws {
        let ws = try Workspace()
        #expect(try check(["options": ["cwd": "/tmp"]], ws).map(\.path) == ["$.options.cwd"])
        #expect(try check(["files": [["file": "../x"], ["file": "ok"]]], ws).map(\.path) == ["$.files[0].file"])
        #expect(try check(["dir": ["ok", "/etc"]], ws).map(\.path) == ["$.dir[1]"])
        #expect(try check(["target": "/etc"], ws).isEmpty)
        var configuration = RuleConfiguration()
        configuration.pathArguments["shell.run"] = ["$.target"]
        let rules = StandardRules(configuration: configuration)
        #expect(
            try check(["target": "/etc", "path": "/etc"], ws, tool: "shell.run", rules: rules).map(\.path) == [
                "$.target"
            ])
    }

    @Test func missingWorkspace_withPathArguments_isAViolation() throws {
        let v = try StandardRules().check([
            "phase": "pre", "tool": "a.b", "input_schema": [:], "arguments": ["path": "x"],
        ])
        #expect(v.map(\.rule) == ["workspace"])
    }

    @Test func sizeCaps_beforeAndAfter() throws {
        var configuration = RuleConfiguration()
        configuration.maximumArgumentBytes = 32
        configuration.maximumOutputBytes = 16
        let rules = StandardRules(configuration: configuration)
        let big: JSONValue = ["text": .string(String(repeating: "x", count: 40))]
        #expect(
            try rules.check(["phase": "pre", "tool": "a.b", "input_schema": [:], "arguments": big]).map(\.rule) == [
                "size"
            ])
        #expect(try rules.check(["phase": "post", "tool": "a.b", "output": big]).map(\.rule) == ["size"])
        #expect(try rules.check(["phase": "post", "tool": "a.b", "output": ["ok": true]]).isEmpty)
    }

    @Test func rateLimits_perToolAndCaller() throws {
        var configuration = RuleConfiguration()
        configuration.rateLimits = [.init(tools: ["shell.*"], count: 2, windowSeconds: 60)]
        let clock = ManualClock()
        configuration.clock = clock.clock
        let rules = StandardRules(configuration: configuration)
        func call(_ tool: String, _ caller: String) throws -> [String] {
            try rules.check(["phase": "pre", "tool": .string(tool), "input_schema": [:], "caller": .string(caller)])
                .map(\.rule)
        }
        #expect(try call("shell.run", "a").isEmpty)
        #expect(try call("shell.run", "a").isEmpty)
        #expect(try call("shell.run", "a") == ["rate"])
        #expect(try call("shell.run", "b").isEmpty)
        #expect(try call("files.read", "a").isEmpty)
        clock.advance(61)
        #expect(try call("shell.run", "a").isEmpty)
    }

    @Test func malformedParams_throw() {
        let rules = StandardRules()
        for params: JSONValue in [
            "x", [:], ["phase": "during", "tool": "a.b"], ["phase": "pre", "tool": ""],
            ["phase": "pre", "tool": "a.b"],
            ["phase": "post", "tool": "a.b"], ["phase": "pre", "tool": "a.b", "input_schema": [:], "colour": 1],
        ] {
            #expect(throws: PolicyPluginError.self, "\(params.serialized())") { try rules.check(params) }
        }
    }

    @Test func pluginMethod_answersViolations() throws {
        let check = try #require(RulesPlugin.methods()["rule/check"])
        let answer = try check([
            "phase": "pre", "tool": "a.b", "input_schema": ["type": "object", "required": ["q"]], "arguments": [:],
        ])
        #expect(answer == ["violations": [["rule": "schema", "message": "$.q is required", "path": "$.q"]]])
    }

    @Test func configurationFile_isStrict() throws {
        let folder = try TemporaryPolicies([
            "rules.yaml": """
            version: 1
            max_argument_bytes: 2048
            path_arguments:
              names: [path, target]
              tools: {shell.run: [$.cwd]}
            rate_limits:
              - {tools: ["shell.*"], count: 5, window: 1m, per: [tool]}
            """,
            "bad.yaml": "version: 1\nmax_argument_byte: 3\nrate_limits:\n  - {tools: [x], count: 0, window: 1m}\n",
        ])
        let configuration = try RuleConfiguration.load(file: folder.path + "/rules.yaml")
        #expect(configuration.maximumArgumentBytes == 2048)
        #expect(configuration.pathArgumentNames == ["path", "target"])
        #expect(configuration.pathArguments["shell.run"] == ["$.cwd"])
        #expect(configuration.rateLimits.first?.windowSeconds == 60)
        #expect(configuration.rateLimits.first?.perCaller == false)
        do {
            _ = try RuleConfiguration.load(file: folder.path + "/bad.yaml")
            Issue.record("a bad configuration loaded")
        } catch {
            #expect(error.diagnostics.map(\.code) == [.unknownKey, .invalidValue])
            #expect(error.diagnostics.map { $0.location?.line } == [2, 4])
        }
    }
}
