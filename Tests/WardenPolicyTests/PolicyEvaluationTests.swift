import Foundation
import Testing
import WardenCore

@testable import WardenPolicy

/// Loads a set from one policy file.
func policySet(_ yaml: String) throws -> PolicySet {
    let folder = try TemporaryPolicies(["policies/p.yaml": yaml])
    return try PolicySet.load(directory: folder.path)
}

func decide(
    _ set: PolicySet, _ tool: String, _ arguments: JSONValue = [:], caller: String = "agent",
    findings: [Finding] = [], capabilities: [String: JSONValue] = [:], time: Date = PolicyTestCase.defaultTime
) -> Decision {
    set.evaluate(
        PolicyRequest(
            tool: tool, caller: caller, arguments: arguments, capabilities: capabilities, findings: findings, time: time
        ),
        limiter: RateLimiter())
}

/// Decisions: fail closed, combining, conditions of every kind.
@Suite struct PolicyEvaluationTests {
    static let pathRule = oneRule(
        "conditions:\n  - argument: $.path\n    prefix: src/", id: "read-src", effect: "allow")

    @Test func missingArgument_deniesWithTheErrorRecorded() throws {
        let set = try policySet(Self.pathRule)
        let d = decide(set, "files.read", [:])
        #expect(d.effect == .deny)
        #expect(d.matchedRules.isEmpty)
        #expect(d.errors == [DecisionError(rule: "read-src", message: "the argument $.path is missing")])
        #expect(d.reasons.contains { $0.contains("read-src could not be evaluated") })
    }

    @Test func argumentOfTheWrongType_deniesWithAnError() throws {
        let set = try policySet(Self.pathRule)
        let d = decide(set, "files.read", ["path": 3])
        #expect(d.effect == .deny)
        #expect(d.errors.map(\.rule) == ["read-src"])
        #expect(
            d.errors.first?.message == "the argument $.path is an integer, but the condition compares it with a prefix")
    }

    @Test func errorInARule_overridesAnAllowFromAnother() throws {
        let set = try policySet(
            """
            version: 1
            rules:
              - id: allow-all-reads
                description: Reads are fine.
                effect: allow
                match: {tools: [files.read]}
              - id: deny-secret
                description: No secrets.
                effect: deny
                match: {tools: [files.read]}
                conditions:
                  - argument: $.options.secret
                    equals: true
            """)
        let d = decide(set, "files.read", ["path": "a", "options": "not-an-object"])
        #expect(d.effect == .deny)
        #expect(d.matchedRules == ["allow-all-reads"])
        #expect(d.errors.first?.message == "the argument $.options is a string, not an object")
        #expect(decide(set, "files.read", ["options": ["secret": false]]).effect == .allow)
        #expect(decide(set, "files.read", ["options": ["secret": true]]).effect == .deny)
    }

    @Test func existsGuard_avoidsTheErrorWhenTheArgumentIsAbsent() throws {
        let set = try policySet(
            oneRule(
                "conditions:\n  - argument: $.path\n    exists: true\n  - argument: $.path\n    prefix: /etc",
                effect: "deny"))
        let d = decide(set, "files.read", [:])
        #expect(d.errors.isEmpty)
        #expect(d.effect == .deny)
        #expect(d.reasons.contains { $0.contains("default deny") })
        #expect(decide(set, "files.read", ["path": "/etc/passwd"]).matchedRules == ["r1"])
    }

    @Test func falseConditionDecides_evenWhenAnotherCannotBeEvaluated() throws {
        // Strong Kleene "and": one false condition makes the rule not match whatever the other would say.
        let set = try policySet(
            oneRule(
                "conditions:\n  - argument: $.mode\n    equals: fast\n  - argument: $.size\n    lt: 10", effect: "deny")
        )
        #expect(decide(set, "files.read", ["mode": "slow", "size": "big"]).errors.isEmpty)
        #expect(decide(set, "files.read", ["mode": "fast", "size": "big"]).errors.count == 1)
    }

    @Test func regexOnANumber_isAnError() throws {
        let set = try policySet(oneRule("conditions:\n  - argument: $.cmd\n    regex: 'rm'", effect: "deny"))
        #expect(decide(set, "files.read", ["cmd": 1]).errors.count == 1)
    }

    @Test func unreadableURL_isAnError() throws {
        let set = try policySet(
            oneRule(
                "conditions:\n  - argument: $.url\n    transform: url_host\n    in: [example.com]", tools: "[http.get]")
        )
        #expect(decide(set, "http.get", ["url": "https://example.com/x"]).effect == .allow)
        let d = decide(set, "http.get", ["url": "example.com"])
        #expect(d.effect == .deny)
        #expect(d.errors.first?.message.contains("cannot read the URL") == true)
    }

    @Test func combining_denyBeatsApprovalBeatsAllow() throws {
        let rules = """
            version: 1
            rules:
              - id: a-allow
                description: allow
                effect: allow
                match: {tools: ["x.*"]}
              - id: b-approval
                description: approval
                effect: require_approval
                match: {tools: [x.write, x.delete]}
                approval: {group: ops, expires: 2h}
              - id: c-deny
                description: deny
                effect: deny
                match: {tools: [x.delete]}
            """
        let set = try policySet(rules)
        #expect(decide(set, "x.read").effect == .allow)
        let write = decide(set, "x.write")
        #expect(write.effect == .requireApproval)
        #expect(write.matchedRules == ["a-allow", "b-approval"])
        #expect(write.reasons == ["b-approval: approval"])
        #expect(write.approval == ApprovalSettings(group: "ops", expiresInSeconds: 7200, rule: "b-approval"))
        let delete = decide(set, "x.delete")
        #expect(delete.effect == .deny)
        #expect(delete.matchedRules == ["a-allow", "b-approval", "c-deny"])
        #expect(delete.approval == nil)
        #expect(decide(set, "y.read").effect == .deny)
    }

    @Test func severalApprovalRules_theShortestExpiryDecides() throws {
        let set = try policySet(
            """
            version: 1
            rules:
              - id: long
                description: long
                effect: require_approval
                match: {tools: [x.y]}
                approval: {group: ops, expires: 1d}
              - id: short
                description: short
                effect: require_approval
                match: {tools: [x.y]}
                approval: {group: security, expires: 10m}
            """)
        #expect(
            decide(set, "x.y").approval == ApprovalSettings(group: "security", expiresInSeconds: 600, rule: "short"))
    }

    @Test func decisionCarriesTheDigest() throws {
        let set = try policySet(Self.pathRule)
        #expect(decide(set, "files.read", ["path": "src/a"]).policySetDigest == set.digest)
    }

    @Test func matchOnPluginAndCaller() throws {
        let set = try policySet(oneRule("", tools: "[\"*\"]\n      plugin: [files]\n      caller: [\"agent-*\"]"))
        #expect(decide(set, "files.read", caller: "agent-7").effect == .allow)
        #expect(decide(set, "files.read", caller: "human").effect == .deny)
        #expect(decide(set, "shell.run", caller: "agent-7").effect == .deny)
    }

    @Test func capabilityConditions() throws {
        let set = try policySet(oneRule("conditions:\n  - capability: network\n    in: [loopback, outbound]"))
        #expect(decide(set, "files.read", capabilities: ["network": "outbound"]).effect == .allow)
        #expect(decide(set, "files.read", capabilities: ["network": "none"]).effect == .deny)
        #expect(decide(set, "files.read").errors.first?.message == "the capability network is not granted")
    }

    @Test func findingConditions() throws {
        let set = try policySet(
            oneRule("conditions:\n  - finding: {category: [\"sql*\"], severity_at_least: medium}", effect: "deny"))
        func finding(_ category: String, _ severity: Severity) -> Finding {
            Finding(ruleID: "r", category: category, severity: severity, path: "$", excerpt: "")
        }
        #expect(decide(set, "files.read", findings: [finding("sqli", .high)]).matchedRules == ["r1"])
        #expect(decide(set, "files.read", findings: [finding("sqli", .low)]).matchedRules.isEmpty)
        #expect(decide(set, "files.read", findings: [finding("xss", .critical)]).matchedRules.isEmpty)
        #expect(
            decide(set, "files.read", findings: [finding("xss", .critical), finding("sql", .medium)]).matchedRules == [
                "r1"
            ])
    }

    @Test func timeOfDay_usesUTCAndCrossesMidnight() throws {
        let set = try policySet(
            oneRule("conditions:\n  - time: {between: [\"22:00\", \"06:00\"], weekdays: [mon, tue]}", effect: "deny"))
        func at(_ text: String) -> [String] {
            decide(set, "files.read", time: PolicyRequest.time(rfc3339: text)!).matchedRules
        }
        #expect(at("2026-01-05T23:30:00Z") == ["r1"])  // Monday night
        #expect(at("2026-01-06T05:59:59Z") == ["r1"])  // Tuesday early morning
        #expect(at("2026-01-06T06:00:00Z").isEmpty)
        #expect(at("2026-01-05T12:00:00Z").isEmpty)
        #expect(at("2026-01-07T23:00:00Z").isEmpty)  // Wednesday
        #expect(at("2026-01-06T01:00:00+02:00") == ["r1"])  // = Monday 23:00 UTC
    }

    @Test func rateLimit_countsPerCallerAndToolInASlidingWindow() throws {
        let set = try policySet(oneRule("conditions:\n  - rate_limit: {count: 2, window: 10s}", effect: "deny"))
        let limiter = RateLimiter()
        func call(_ caller: String, at seconds: Double) -> Bool {
            let request = PolicyRequest(tool: "files.read", caller: caller, time: Date(timeIntervalSince1970: seconds))
            return set.evaluate(request, limiter: limiter).matchedRules == ["r1"]
        }
        #expect(call("a", at: 0) == false)
        #expect(call("a", at: 1) == false)
        #expect(call("a", at: 2) == true)
        #expect(call("b", at: 2) == false)
        // Refused attempts count too: at 10.5 the window (0.5, 10.5] still holds the calls at 1 and 2.
        #expect(call("a", at: 10.5) == true)
        #expect(call("a", at: 21) == false)  // (11, 21]: only this call
        #expect(call("a", at: 21.5) == false)
        #expect(call("a", at: 22) == true)
    }

    @Test func rateLimiter_refusesNewKeysWhenFull() {
        let limiter = RateLimiter(maximumKeys: 2)
        let now = Date(timeIntervalSince1970: 100)
        #expect(!limiter.record(rule: "r", caller: "a", tool: "t", limit: 5, windowSeconds: 60, now: now))
        #expect(!limiter.record(rule: "r", caller: "b", tool: "t", limit: 5, windowSeconds: 60, now: now))
        #expect(limiter.record(rule: "r", caller: "c", tool: "t", limit: 5, windowSeconds: 60, now: now))
        // After the window has passed, old keys are swept and new ones fit again.
        #expect(!limiter.record(rule: "r", caller: "c", tool: "t", limit: 5, windowSeconds: 60, now: now + 61))
    }

    @Test func operatorsOnStringsNumbersAndArrays() throws {
        func holds(_ condition: String, _ arguments: JSONValue) throws -> Bool {
            let set = try policySet(oneRule("conditions:\n" + condition, effect: "deny"))
            let d = decide(set, "files.read", arguments)
            #expect(d.errors.isEmpty, "\(condition): \(d.errors)")
            return d.matchedRules == ["r1"]
        }
        #expect(try holds("  - argument: $.a\n    equals: 3", ["a": 3.0]))
        #expect(try holds("  - argument: $.a\n    equals: {k: [1, x]}", ["a": ["k": [1, "x"]]]))
        #expect(try !holds("  - argument: $.a\n    equals: abc", ["a": "ABC"]))
        #expect(try holds("  - argument: $.a\n    equals: abc\n    ignore_case: true", ["a": "ABC"]))
        #expect(try holds("  - argument: $.a\n    in: [x, z]", ["a": "z"]))
        #expect(try holds("  - argument: $.a\n    in: [x, Z]\n    ignore_case: true", ["a": "z"]))
        #expect(try holds("  - argument: $.a\n    glob: [\"*.tar.gz\"]", ["a": "backup.tar.gz"]))
        #expect(try holds("  - argument: $.a\n    regex: '^a+b$'", ["a": "aaab"]))
        #expect(try holds("  - argument: $.a\n    prefix: [x, /tmp/]", ["a": "/tmp/f"]))
        #expect(try holds("  - argument: $.a\n    suffix: .sh", ["a": "run.sh"]))
        #expect(try holds("  - argument: $.a\n    contains: secret", ["a": "my secret"]))
        #expect(try holds("  - argument: $.a\n    contains: [--force]", ["a": ["-x", "--force"]]))
        #expect(try holds("  - argument: $.a\n    gt: 10", ["a": 11]))
        #expect(try !holds("  - argument: $.a\n    ge: 10.5", ["a": 10]))
        #expect(try holds("  - argument: $.a\n    le: 10", ["a": 10]))
        #expect(try holds("  - argument: $.a\n    lt: 0", ["a": -1.5]))
        #expect(try holds("  - argument: $.items[1].url\n    exists: true", ["items": [[:], ["url": "u"]]]))
        #expect(try holds("  - argument: $.items[2]\n    exists: false", ["items": [1, 2]]))
        #expect(try holds("  - argument: $['content-type']\n    equals: text", ["content-type": "text"]))
        #expect(try holds("  - argument: $.h\n    cidr: [10.0.0.0/8]", ["h": "10.1.2.3"]))
        #expect(try !holds("  - argument: $.h\n    cidr: [10.0.0.0/8]", ["h": "example.com"]))
        #expect(try holds("  - argument: $.s\n    transform: length\n    gt: 3", ["s": "abcd"]))
        #expect(try holds("  - argument: $.p\n    transform: normalized_path\n    equals: b", ["p": "a/../b/."]))
        #expect(try holds("  - argument: $.v\n    transform: join\n    equals: a b", ["v": ["a", "b"]]))
        #expect(try holds("  - argument: $.a\n    equals: x\n    negate: true", ["a": "w"]))
        #expect(
            try holds(
                "  - any_of:\n      - argument: $.a\n        equals: 1\n      - argument: $.b\n        equals: 2",
                ["b": 2, "a": 0]))
        #expect(
            try holds(
                "  - all_of:\n      - argument: $.a\n        equals: 1\n      - argument: $.b\n        equals: 2\n"
                    + "    negate: true",
                ["a": 1, "b": 3]))
    }

    @Test func anyOf_trueBranchDecides_errorOtherwiseWins() throws {
        let set = try policySet(
            oneRule(
                "conditions:\n  - any_of:\n      - argument: $.a\n        equals: 1\n      - argument: $.b\n"
                    + "        prefix: x",
                effect: "deny"))
        #expect(decide(set, "files.read", ["a": 1]).errors.isEmpty)
        #expect(decide(set, "files.read", ["a": 2]).errors.count == 1)
        #expect(decide(set, "files.read", ["a": 2, "b": "y"]).errors.isEmpty)
    }

    @Test func defaultDeny_whenNoRuleMatches() throws {
        let set = try policySet(Self.pathRule)
        let d = decide(set, "files.write", ["path": "src/a"])
        #expect(d.effect == .deny)
        #expect(d.matchedRules.isEmpty && d.errors.isEmpty)
        #expect(d.reasons == ["no rule allows files.write for caller agent (default deny)"])
    }
}
