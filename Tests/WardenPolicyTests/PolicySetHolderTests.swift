import Foundation
import Synchronization
import Testing
import WardenCore

@testable import WardenPolicy

/// A clock tests move by hand.
final class ManualClock: Sendable {
    private let time = Mutex(Date(timeIntervalSince1970: 1_767_614_400))
    var clock: PolicyClock { PolicyClock { [self] in time.withLock { $0 } } }
    func advance(_ seconds: TimeInterval) { time.withLock { $0 += seconds } }
}

/// Safe reload: a broken edit never replaces the set in force, and with nothing valid everything is denied.
@Suite struct PolicySetHolderTests {
    static let allowRead = oneRule("", id: "allow-read")
    static let allowReadAndWrite = oneRule("", id: "allow-rw", tools: "[files.read, files.write]")
    static let request = PolicyRequest(tool: "files.read", time: PolicyTestCase.defaultTime)
    static let write = PolicyRequest(tool: "files.write", time: PolicyTestCase.defaultTime)

    @Test func brokenEdit_keepsTheLastGoodSet_andReportsFileAndLine() throws {
        let folder = try TemporaryPolicies(["policies/p.yaml": Self.allowRead])
        let holder = PolicySetHolder(directory: folder.path)
        let good = try #require(holder.current)
        #expect(holder.evaluate(Self.request).effect == .allow)

        try folder.write("policies/p.yaml", Self.allowRead + "\n    efect: deny\n")
        guard case .failed(let error) = holder.reload() else {
            Issue.record("a broken file was accepted")
            return
        }
        #expect(error.first?.code == .unknownKey)
        #expect(error.first?.location?.file == folder.file("policies/p.yaml"))
        #expect(error.first?.location?.line == 9)
        #expect(holder.current?.digest == good.digest)
        #expect(holder.evaluate(Self.request).effect == .allow)
        #expect(holder.evaluate(Self.request).policySetDigest == good.digest)
        let status = holder.status
        #expect(status.current?.digest == good.digest)
        #expect(status.lastError?.first?.location?.line == 9)
        #expect(status.json["error"]?.stringValue?.contains("p.yaml:9:5") == true)

        try folder.write("policies/p.yaml", Self.allowReadAndWrite)
        guard case .loaded(let fixed) = holder.reload() else {
            Issue.record("the fixed file was refused")
            return
        }
        #expect(fixed.digest != good.digest)
        #expect(holder.status.lastError == nil)
        #expect(holder.evaluate(Self.write).effect == .allow)
    }

    @Test func fileThatBreaksItsOwnTests_isRefused() throws {
        let folder = try TemporaryPolicies([
            "policies/p.yaml": Self.allowRead,
            "tests/t.yaml": """
            version: 1
            tests:
              - name: reads are allowed
                request: {tool: files.read}
                expect: {effect: allow, rules: [allow-read]}
            """,
        ])
        let holder = PolicySetHolder(directory: folder.path)
        let good = try #require(holder.current)
        // The edit turns the rule into a deny: valid on its own, but its test now fails.
        try folder.write("policies/p.yaml", oneRule("", id: "allow-read", effect: "deny"))
        guard case .failed(let error) = holder.reload() else {
            Issue.record("a set failing its tests was accepted")
            return
        }
        #expect(error.diagnostics.map(\.code) == [.testFailed])
        #expect(error.first?.location?.file == folder.file("tests/t.yaml"))
        #expect(error.first?.location?.line == 3)
        #expect(holder.current?.digest == good.digest)
        #expect(holder.evaluate(Self.request).effect == .allow)
    }

    @Test func nothingValidAtStart_deniesEverything() throws {
        let folder = try TemporaryPolicies(["policies/p.yaml": "version: 1\nrules: [\n"])
        let holder = PolicySetHolder(directory: folder.path)
        #expect(holder.current == nil)
        let d = holder.evaluate(Self.request)
        #expect(d.effect == .deny)
        #expect(d.policySetDigest == nil)
        #expect(d.errors.count == 1)
        #expect(d.reasons.first?.contains("no valid policy set is in force") == true)
        #expect(d.reasons.first?.contains("p.yaml:3:1") == true)
        #expect(holder.status.json["in_force"] == .bool(false))
    }

    @Test func missingFolder_deniesEverything() {
        let holder = PolicySetHolder(directory: "/nonexistent/warden-policies")
        #expect(holder.evaluate(Self.request).effect == .deny)
        #expect(holder.status.lastError?.first?.code == .unreadableFile)
    }

    @Test func evaluate_reloadsChangedFiles_afterTheCheckInterval() throws {
        let folder = try TemporaryPolicies(["policies/p.yaml": Self.allowRead])
        let clock = ManualClock()
        let holder = PolicySetHolder(directory: folder.path, clock: clock.clock, checkInterval: 5)
        #expect(holder.evaluate(Self.write).effect == .deny)
        try folder.write("policies/p.yaml", Self.allowReadAndWrite)
        clock.advance(1)
        #expect(holder.evaluate(Self.write).effect == .deny)  // not checked yet
        clock.advance(5)
        #expect(holder.evaluate(Self.write).effect == .allow)
    }

    @Test func reloadIfChanged_readsNothingWhenNothingChanged() throws {
        let folder = try TemporaryPolicies(["policies/p.yaml": Self.allowRead])
        let outcomes = Mutex<[String]>([])
        let holder = PolicySetHolder(directory: folder.path) { outcome in
            outcomes.withLock {
                switch outcome {
                case .loaded: $0.append("loaded")
                case .failed: $0.append("failed")
                case .unchanged: $0.append("unchanged")
                }
            }
        }
        guard case .unchanged = holder.reloadIfChanged() else {
            Issue.record("an unchanged folder was reloaded")
            return
        }
        try folder.write("tests/t.yaml", "version: 1\ntests: []\n")
        guard case .loaded = holder.reloadIfChanged() else {
            Issue.record("a new test file was not noticed")
            return
        }
        try folder.write("policies/q.yaml", "nonsense: [")
        guard case .failed = holder.reloadIfChanged() else {
            Issue.record("a broken new file was not noticed")
            return
        }
        #expect(outcomes.withLock { $0 } == ["loaded", "loaded", "failed"])
    }

    @Test func rateLimitCounters_surviveAReload() throws {
        let folder = try TemporaryPolicies([
            "policies/p.yaml": oneRule(
                "conditions:\n  - rate_limit: {count: 1, window: 1h}", id: "limit", effect: "deny")
        ])
        let clock = ManualClock()
        let holder = PolicySetHolder(directory: folder.path, clock: clock.clock, checkInterval: .infinity)
        let request = PolicyRequest(tool: "files.read")
        #expect(holder.evaluate(request).matchedRules.isEmpty)
        try folder.write("policies/other.yaml", oneRule("", id: "other", tools: "[x.y]"))
        guard case .loaded = holder.reload() else {
            Issue.record("reload failed")
            return
        }
        #expect(holder.evaluate(request).matchedRules == ["limit"])
    }
}

/// The plugin's methods, called as the plugin server calls them.
@Suite struct PolicyPluginTests {
    @Test func evaluate_answersADecision() throws {
        let folder = try TemporaryPolicies(["policies/p.yaml": oneRule("", id: "allow-read")])
        let methods = try PolicyPlugin.methods(policiesDirectory: folder.path)
        let evaluate = try #require(methods["policy/evaluate"])
        let params: JSONValue = [
            "request": [
                "tool": "files.read", "caller": "agent", "arguments": ["path": "a"], "time": "2026-01-05T12:00:00Z",
            ]
        ]
        let answer = try evaluate(params)
        let decision = try Decision(json: answer)
        #expect(decision.effect == .allow)
        #expect(decision.matchedRules == ["allow-read"])
        #expect(decision.policySetDigest?.hasPrefix("sha256:") == true)
        #expect(answer["matched_rules"] == ["allow-read"])
    }

    @Test func evaluate_refusesMalformedRequests() throws {
        let folder = try TemporaryPolicies(["policies/p.yaml": oneRule("")])
        let methods = try PolicyPlugin.methods(policiesDirectory: folder.path)
        let evaluate = try #require(methods["policy/evaluate"])
        let malformed: [JSONValue] = [
            [:], ["request": "files.read"], ["request": ["caller": "x"]], ["request": ["tool": "a.b", "colour": 1]],
            ["request": ["tool": "a.b"], "extra": 1], ["request": ["tool": "a.b", "time": "yesterday"]],
            ["request": ["tool": "a.b", "findings": [["category": "x", "severity": "extreme"]]]],
            ["request": ["tool": "a.b", "capabilities": [1, 2]]],
        ]
        for params in malformed {
            #expect(throws: PolicyPluginError.self, "\(params.serialized())") { try evaluate(params) }
        }
    }

    @Test func status_andReload() throws {
        let folder = try TemporaryPolicies(["policies/p.yaml": oneRule("")])
        let methods = try PolicyPlugin.methods(policiesDirectory: folder.path)
        let statusMethod = try #require(methods["policy/status"])
        let reloadMethod = try #require(methods["policy/reload"])
        let status = try statusMethod(.null)
        #expect(status["in_force"] == .bool(true))
        #expect(status["rule_count"] == .int(1))
        #expect(status["files"]?.arrayValue?.first?["path"] == "policies/p.yaml")
        #expect(status["files"]?.arrayValue?.first?["digest"]?.stringValue?.hasPrefix("sha256:") == true)
        try folder.write("policies/p.yaml", "version: 1\nrules: 3\n")
        let after = try reloadMethod(.null)
        #expect(after["in_force"] == .bool(true))
        #expect(after["digest"] == status["digest"])
        #expect(after["errors"]?.arrayValue?.first?["line"] == .int(2))
        #expect(after["errors"]?.arrayValue?.first?["code"] == "wrong_type")
    }

    @Test func missingFolder_throws() {
        #expect(throws: PolicyPluginError.self) { try PolicyPlugin.methods(policiesDirectory: "/nonexistent/policies") }
    }

    @Test func decisionJSON_roundTrips_andMalformedAnswersAreRefused() throws {
        let d = Decision(
            effect: .requireApproval, matchedRules: ["a", "b"], reasons: ["why"],
            errors: [DecisionError(rule: nil, message: "m")], policySetDigest: "sha256:00",
            approval: ApprovalSettings(group: "ops", expiresInSeconds: 60, rule: "b"))
        #expect(try Decision(json: d.json) == d)
        let encoded = try JSONEncoder().encode(d)
        #expect(try JSONDecoder().decode(Decision.self, from: encoded) == d)
        #expect(String(decoding: encoded, as: UTF8.self).contains("\"matched_rules\""))
        let bad: [JSONValue] = [
            "allow", [:], ["effect": "maybe"], ["effect": "allow", "surprise": 1], ["effect": "allow", "reasons": [1]],
            ["effect": "require_approval", "approval": ["group": "ops", "expires_in_seconds": 0, "rule": "r"]],
            ["effect": "deny", "errors": [["message": 3]]],
        ]
        for value in bad {
            #expect(throws: DecisionFormatError.self, "\(value.serialized())") { try Decision(json: value) }
        }
    }
}
