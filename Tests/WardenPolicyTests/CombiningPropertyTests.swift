import Foundation
import Testing
import WardenCore

@testable import WardenPolicy

/// A small deterministic random generator (SplitMix64) so that failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Combining does not depend on the order rules are written in, and equals the rule
/// "any deny or error → deny; else any require_approval; else any allow; else deny" applied to the rules
/// one at a time.
@Suite struct CombiningPropertyTests {
    static let tools = ["a.x", "a.y", "a.*", "b.x", "*"]
    static let conditions = [
        "- argument: $.n\n  lt: 5",
        "- argument: $.s\n  equals: v1",
        "- argument: $.s\n  prefix: v",
        "- argument: $.s\n  lt: 3",
        "- argument: $.gone\n  exists: false",
        "- argument: $.n\n  gt: 2\n  negate: true",
        "- finding: {severity_at_least: high}",
        "- any_of:\n    - argument: $.n\n      equals: 1\n    - argument: $.s\n      equals: v2",
    ]

    static func rule(_ id: String, using rng: inout SeededGenerator) -> String {
        let effect = ["allow", "deny", "require_approval"].randomElement(using: &rng)!
        var lines = [
            "- id: \(id)", "  description: Rule \(id).", "  effect: \(effect)",
            "  match: {tools: [\"\(tools.randomElement(using: &rng)!)\"]}",
        ]
        let count = Int.random(in: 0...2, using: &rng)
        if count > 0 {
            lines.append("  conditions:")
            for _ in 0..<count {
                let c = conditions.randomElement(using: &rng)!
                lines += c.split(separator: "\n").map { "    " + $0 }
            }
        }
        if effect == "require_approval" {
            let minutes = Int.random(in: 1...120, using: &rng)
            lines.append("  approval: {group: g\(minutes % 3), expires: \(minutes)m}")
        }
        return lines.joined(separator: "\n")
    }

    static func file(_ rules: [String]) -> String {
        if rules.isEmpty { return "version: 1\nrules: []\n" }
        return "version: 1\nrules:\n"
            + rules.map { $0.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") }
            .joined(separator: "\n") + "\n"
    }

    /// Writes the rules into 1 to 3 files, in the given order.
    static func folder(_ rules: [String], files: Int) throws -> TemporaryPolicies {
        var contents: [String: String] = [:]
        let perFile = (rules.count + files - 1) / files
        for f in 0..<files {
            let slice = Array(rules.dropFirst(f * perFile).prefix(perFile))
            contents["policies/f\(f).yaml"] = file(slice)
        }
        return try TemporaryPolicies(contents)
    }

    static let requests: [PolicyRequest] = {
        var out: [PolicyRequest] = []
        let argumentSets: [JSONValue] = [
            [:], ["n": 1], ["n": 4, "s": "v1"], ["n": 9, "s": "v2"], ["s": "w"], ["n": "x"], ["gone": 1, "n": 3],
        ]
        for tool in ["a.x", "a.y", "b.x", "c.z"] {
            for arguments in argumentSets {
                out.append(PolicyRequest(tool: tool, arguments: arguments, time: PolicyTestCase.defaultTime))
                out.append(
                    PolicyRequest(
                        tool: tool, arguments: arguments,
                        findings: [Finding(ruleID: "f", category: "c", severity: .high, path: "$", excerpt: "")],
                        time: PolicyTestCase.defaultTime))
            }
        }
        return out
    }()

    static func withoutDigest(_ d: Decision) -> Decision {
        var d = d
        d.policySetDigest = nil
        return d
    }

    @Test(arguments: 1...12)
    func decisions_doNotDependOnRuleOrder_andFollowTheCombiningRule(seed: UInt64) throws {
        var rng = SeededGenerator(state: seed)
        let ruleCount = Int.random(in: 3...14, using: &rng)
        let rules = (0..<ruleCount).map { Self.rule(String(format: "r%02d", $0), using: &rng) }
        let originalFolder = try Self.folder(rules, files: 1)
        let original = try PolicySet.load(directory: originalFolder.path)
        let shuffledFolder = try Self.folder(rules.shuffled(using: &rng), files: Int.random(in: 2...3, using: &rng))
        let shuffled = try PolicySet.load(directory: shuffledFolder.path)
        // Each rule alone, to know whether it matches or fails for a request.
        let singles = try rules.map { rule in
            let folder = try Self.folder([rule], files: 1)
            return try PolicySet.load(directory: folder.path)
        }

        for request in Self.requests {
            let a = original.evaluate(request, limiter: RateLimiter())
            let b = shuffled.evaluate(request, limiter: RateLimiter())
            #expect(
                Self.withoutDigest(a) == Self.withoutDigest(b), "seed \(seed), \(request.tool) \(request.arguments)")

            var matched: [PolicyRule] = []
            var failed = false
            for single in singles {
                let d = single.evaluate(request, limiter: RateLimiter())
                if !d.errors.isEmpty { failed = true }
                if !d.matchedRules.isEmpty { matched.append(single.rules[0]) }
            }
            let expected: PolicyEffect =
                failed || matched.contains { $0.effect == .deny }
                ? .deny
                : matched.contains { $0.effect == .requireApproval }
                    ? .requireApproval : matched.contains { $0.effect == .allow } ? .allow : .deny
            #expect(a.effect == expected, "seed \(seed), \(request.tool) \(request.arguments)")
            #expect(a.matchedRules == matched.map(\.id).sorted())
            if expected == .requireApproval {
                let strictest = matched.filter { $0.effect == .requireApproval }.compactMap(\.approval)
                    .min(by: ApprovalSettings.stricter)
                #expect(a.approval == strictest)
            }
        }
    }

    @Test(arguments: 1...20)
    func combiningDecisions_isOrderIndependent(seed: UInt64) {
        var rng = SeededGenerator(state: seed)
        let decisions = (0..<Int.random(in: 1...6, using: &rng)).map { n -> Decision in
            let effect = PolicyEffect.allCases.randomElement(using: &rng)!
            return Decision(
                effect: effect, matchedRules: ["p\(n)"], reasons: ["because \(n)"],
                errors: Bool.random(using: &rng) ? [] : [DecisionError(rule: "p\(n)", message: "m\(n)")],
                policySetDigest: "sha256:\(n % 2)",
                approval: effect == .requireApproval
                    ? ApprovalSettings(group: "g", expiresInSeconds: Int.random(in: 1...9, using: &rng), rule: "p\(n)")
                    : nil)
        }
        let combined = Decision.combining(decisions)
        for _ in 0..<5 { #expect(Decision.combining(decisions.shuffled(using: &rng)) == combined) }
        #expect(combined.effect == decisions.map(\.effect).max())
    }

    @Test func combiningNothing_isADeny() {
        #expect(Decision.combining([]).effect == .deny)
    }
}
