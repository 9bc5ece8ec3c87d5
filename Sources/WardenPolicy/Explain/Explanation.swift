import Foundation
import WardenCore

/// Why a policy set decides a request the way it does: each rule that applies to the tool, each of its
/// conditions with the value it saw, and the final decision.
public struct Explanation: Sendable {
    /// What one condition made of the request.
    public struct ConditionResult: Sendable {
        public let summary: String
        public let location: SourceLocation
        /// `true` / `false`, or `nil` when it could not be evaluated.
        public let holds: Bool?
        public let error: String?
        /// The value the condition looked at (compact JSON, shortened), when there is one.
        public let observed: String?
    }

    /// What one rule made of the request.
    public struct RuleResult: Sendable {
        public enum Outcome: String, Sendable {
            /// The match and every condition held: the rule's effect applies.
            case matched
            /// Some condition did not hold.
            case notMatched = "not_matched"
            /// The tool matched but the plugin or caller did not.
            case outOfScope = "out_of_scope"
            /// A condition could not be evaluated: the rule denies.
            case error
        }

        public let id: String
        public let effect: PolicyEffect
        public let description: String
        public let location: SourceLocation
        public let outcome: Outcome
        public let error: String?
        public let conditions: [ConditionResult]
    }

    public let request: PolicyRequest
    public let decision: Decision
    /// Every rule whose tool patterns match the request's tool, in id order.
    public let rules: [RuleResult]

    /// The explanation as JSON (`warden policy explain --json`).
    public var json: JSONValue {
        func location(_ l: SourceLocation) -> JSONValue {
            .object(["file": .string(l.file), "line": .int(Int64(l.line)), "column": .int(Int64(l.column))])
        }
        return .object([
            "request": request.json,
            "decision": decision.json,
            "rules": .array(
                rules.map { r in
                    .object([
                        "id": .string(r.id), "effect": .string(r.effect.rawValue),
                        "description": .string(r.description),
                        "location": location(r.location), "outcome": .string(r.outcome.rawValue),
                        "error": r.error.map(JSONValue.string) ?? .null,
                        "conditions": .array(
                            r.conditions.map { c in
                                .object([
                                    "summary": .string(c.summary), "location": location(c.location),
                                    "holds": c.holds.map(JSONValue.bool) ?? .null,
                                    "error": c.error.map(JSONValue.string) ?? .null,
                                    "observed": c.observed.map(JSONValue.string) ?? .null,
                                ])
                            }),
                    ])
                }),
        ])
    }
}

extension PolicySet {
    /// Explains how the set decides `request`. Rate limits start from no earlier calls (an explanation
    /// does not count towards, or see, the live counters).
    public func explain(_ request: PolicyRequest, clock: PolicyClock = .system) -> Explanation {
        let now = request.time ?? clock.now()
        let decision = engine.evaluate(request, now: now, limiter: RateLimiter())
        let traceLimiter = RateLimiter()
        let memo = EvaluationMemo()
        var results: [Explanation.RuleResult] = []
        for n in engine.index.candidates(for: request.tool) {
            let rule = engine.rules[n]
            let ruleOutcome = engine.outcome(of: rule, request, now: now, limiter: traceLimiter, memo: memo)
            let conditions = rule.conditions.map { c -> Explanation.ConditionResult in
                var truth = c.evaluate(request, now: now, memo: memo)
                if case .rateLimit = c.kind {
                    // Over the limit only if the rule matched with it (its other conditions held first).
                    if case .matched = ruleOutcome { truth = .yes } else { truth = .no }
                }
                var observed: String?
                if case .value(let v) = c.kind, case .success(let value) = v.observe(request, memo: memo) {
                    let text = value.serialized()
                    observed = text.count > 200 ? String(text.prefix(200)) + "…" : text
                }
                var summary = c.summary
                if case .rateLimit = c.kind { summary += " (an explanation counts from zero)" }
                switch truth {
                case .yes:
                    return .init(summary: summary, location: c.location, holds: true, error: nil, observed: observed)
                case .no:
                    return .init(summary: summary, location: c.location, holds: false, error: nil, observed: observed)
                case .error(let m):
                    return .init(summary: summary, location: c.location, holds: nil, error: m, observed: observed)
                }
            }
            let outcome: Explanation.RuleResult.Outcome
            var error: String?
            switch ruleOutcome {
            case .matched: outcome = .matched
            case .notMatched: outcome = .notMatched
            case .outOfScope: outcome = .outOfScope
            case .failed(let m):
                outcome = .error
                error = m
            }
            results.append(
                Explanation.RuleResult(
                    id: rule.id, effect: rule.effect, description: rule.description, location: rule.location,
                    outcome: outcome, error: error, conditions: conditions))
        }
        return Explanation(request: request, decision: decision, rules: results)
    }
}
