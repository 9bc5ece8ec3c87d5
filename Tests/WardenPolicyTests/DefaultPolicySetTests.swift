import Foundation
import Testing
import WardenCore

@testable import WardenPolicy

/// The policy set shipped in `Policies/` loads, passes its own tests, and lints clean.
@Suite struct DefaultPolicySetTests {
    static let directory = RepositoryPaths.root.appendingPathComponent("Policies").path

    @Test func defaultSet_loadsAndPassesItsTests() throws {
        let set: PolicySet
        do {
            set = try PolicySet.load(directory: Self.directory)
        } catch {
            Issue.record("the default set does not load:\n\(error)")
            return
        }
        #expect(set.rules.count >= 20)
        #expect(set.tests.count >= 40)
        #expect(set.digest.hasPrefix("sha256:") && set.digest.count == 71)
        let report = set.runTests()
        for failure in report.results where !failure.passed { Issue.record("\(failure.diagnostic)") }
    }

    @Test func defaultSet_lintsWithoutErrorsOrWarnings() {
        let report = PolicyLinter.lint(directory: Self.directory, toolSchemas: BundledToolSchemas.all)
        for d in report.diagnostics { Issue.record("\(d)") }
    }

    @Test func defaultSet_everyRuleHasADescriptionAndATest() throws {
        let set = try PolicySet.load(directory: Self.directory)
        let exercised = Set(set.runTests().results.flatMap { $0.decision.matchedRules })
        for rule in set.rules {
            #expect(!rule.description.isEmpty)
            #expect(exercised.contains(rule.id), "no test exercises \(rule.id)")
        }
    }

    @Test func digest_ignoresCommentsAndLayout_butNotContent() throws {
        let compact = "version: 1\nrules: [{id: a, description: d, effect: allow, match: {tools: [x.y]}}]\n"
        let spread = """
            # A comment.
            version: 1
            rules:
              - id: a
                effect: allow      # order and layout do not matter
                description: d
                match:
                  tools:
                    - x.y
            """
        let a = try TemporaryPolicies(["policies/p.yaml": compact])
        let b = try TemporaryPolicies(["policies/p.yaml": spread])
        let c = try TemporaryPolicies(["policies/p.yaml": compact.replacingOccurrences(of: "allow", with: "deny")])
        let d = try TemporaryPolicies(["policies/q.yaml": compact])
        let digests = try [a, b, c, d].map { try PolicySet.load(directory: $0.path).digest }
        #expect(digests[0] == digests[1])
        #expect(digests[0] != digests[2])
        #expect(digests[0] != digests[3])
    }

    @Test func defaultSet_coversEachBundledPlugin() throws {
        let set = try PolicySet.load(directory: Self.directory)
        let limiter = RateLimiter()
        func effect(_ tool: String, _ arguments: JSONValue) -> PolicyEffect {
            set.evaluate(
                PolicyRequest(tool: tool, arguments: arguments, time: PolicyTestCase.defaultTime), limiter: limiter
            )
            .effect
        }
        #expect(effect("files.read", ["path": "README.md"]) == .allow)
        #expect(effect("files.write", ["path": "a.txt", "content": "x"]) == .requireApproval)
        #expect(effect("shell.run", ["program": "ls"]) == .requireApproval)
        #expect(effect("shell.run", ["program": "rm", "args": ["-rf", "/"]]) == .deny)
        #expect(effect("http.get", ["url": "https://example.com/"]) == .allow)
        #expect(effect("http.get", ["url": "https://example.net/"]) == .requireApproval)
        #expect(effect("http.get", ["url": "http://10.0.0.1/"]) == .deny)
        #expect(effect("time.get_current_time", ["timezone": "UTC"]) == .allow)
        #expect(effect("unknown.tool", [:]) == .deny)
    }
}

/// The inputSchemas of the bundled tools, as their plugins declare them (kept in step by hand; the lint
/// test fails if a policy tests an argument a tool does not have).
enum BundledToolSchemas {
    static let all: [String: JSONValue] = [
        "files.list": [
            "type": "object", "properties": ["path": ["type": "string"]], "additionalProperties": false,
        ],
        "files.read": [
            "type": "object", "properties": ["path": ["type": "string"], "max_bytes": ["type": "integer"]],
            "required": ["path"], "additionalProperties": false,
        ],
        "files.search": [
            "type": "object",
            "properties": ["text": ["type": "string"], "path": ["type": "string"], "max_results": ["type": "integer"]],
            "required": ["text"], "additionalProperties": false,
        ],
        "files.write": [
            "type": "object",
            "properties": [
                "path": ["type": "string"], "content": ["type": "string"], "append": ["type": "boolean"],
                "create_folders": ["type": "boolean"],
            ],
            "required": ["path", "content"], "additionalProperties": false,
        ],
        "shell.run": [
            "type": "object",
            "properties": [
                "program": ["type": "string"], "args": ["type": "array", "items": ["type": "string"]],
                "cwd": ["type": "string"], "stdin": ["type": "string"], "timeout_ms": ["type": "integer"],
            ],
            "required": ["program"], "additionalProperties": false,
        ],
        "http.get": [
            "type": "object",
            "properties": [
                "url": ["type": "string"], "headers": ["type": "object"], "max_bytes": ["type": "integer"],
                "timeout_ms": ["type": "integer"],
            ],
            "required": ["url"], "additionalProperties": false,
        ],
        "echo.echo": ["type": "object", "properties": ["text": ["type": "string"]]],
        "time.get_current_time": [
            "type": "object", "properties": ["timezone": ["type": "string"]], "required": ["timezone"],
        ],
        "time.convert_time": [
            "type": "object",
            "properties": [
                "source_timezone": ["type": "string"], "time": ["type": "string"],
                "target_timezone": ["type": "string"],
            ],
            "required": ["source_timezone", "time", "target_timezone"],
        ],
    ]
}
