import Foundation
import WardenCore

/// The compiled rules of a policy set and the decision procedure.
///
/// Every rule whose match applies is evaluated; none is skipped. The effects combine without regard to
/// order: any deny or any rule that cannot be evaluated → deny; else any require_approval →
/// require_approval; else any allow → allow; else deny (nothing allowed it).
struct PolicyEngine: Sendable {
    /// Sorted by id; a rule's position is its number in the index.
    let rules: [PolicyRule]
    let index: RuleIndex
    let digest: String?

    init(rules: [PolicyRule], digest: String?) {
        self.rules = rules.sorted { $0.id < $1.id }
        self.index = RuleIndex(self.rules.map(\.match))
        self.digest = digest
    }

    /// The outcome of one rule for one request.
    enum RuleOutcome {
        case outOfScope
        case matched
        case notMatched
        case failed(String)
    }

    func outcome(
        of rule: PolicyRule, _ request: PolicyRequest, now: Date, limiter: RateLimiter, memo: EvaluationMemo
    ) -> RuleOutcome {
        guard rule.match.matches(plugin: request.plugin, caller: request.caller) else { return .outOfScope }
        var rate: RateLimitCondition?
        var error: String?
        for condition in rule.conditions {
            if case .rateLimit(let r) = condition.kind {
                rate = r
                continue
            }
            switch condition.evaluate(request, now: now, memo: memo) {
            case .yes: continue
            case .no: return .notMatched
            case .error(let message): if error == nil { error = message }
            }
        }
        if let error { return .failed(error) }
        if let rate {
            let exceeded = limiter.record(
                rule: rule.id, caller: rate.perCaller ? request.caller : "", tool: rate.perTool ? request.tool : "",
                limit: rate.count, windowSeconds: rate.windowSeconds, now: now)
            return exceeded ? .matched : .notMatched
        }
        return .matched
    }

    /// Decides `request`. Rate-limit conditions count the call in `limiter`.
    func evaluate(_ request: PolicyRequest, now: Date, limiter: RateLimiter) -> Decision {
        var matched: [Int] = []
        var failures: [(Int, String)] = []
        let memo = EvaluationMemo()
        for n in index.candidates(for: request.tool) {
            switch outcome(of: rules[n], request, now: now, limiter: limiter, memo: memo) {
            case .matched: matched.append(n)
            case .failed(let message): failures.append((n, message))
            case .notMatched, .outOfScope: break
            }
        }
        return decide(request, matched: matched, failures: failures)
    }

    func decide(_ request: PolicyRequest, matched: [Int], failures: [(Int, String)]) -> Decision {
        var strongest: PolicyEffect?
        for n in matched where strongest == nil || rules[n].effect > strongest! { strongest = rules[n].effect }
        let effect: PolicyEffect = failures.isEmpty ? (strongest ?? .deny) : .deny
        var reasons: [String] = []
        var approval: ApprovalSettings?
        for n in matched where rules[n].effect == effect {
            let rule = rules[n]
            reasons.append(rule.reason)
            if effect == .requireApproval, let a = rule.approval {
                if approval == nil || ApprovalSettings.stricter(a, approval!) { approval = a }
            }
        }
        for (n, message) in failures {
            reasons.append("\(rules[n].id) could not be evaluated, which denies the call: \(message)")
        }
        if matched.isEmpty && failures.isEmpty {
            reasons.append("no rule allows \(request.tool) for caller \(request.caller) (default deny)")
        }
        return Decision(
            effect: effect,
            matchedRules: matched.map { rules[$0].id },
            reasons: reasons,
            errors: failures.map { DecisionError(rule: rules[$0.0].id, message: $0.1) },
            policySetDigest: digest,
            approval: approval)
    }
}
