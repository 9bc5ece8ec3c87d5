import Foundation
import WardenCore

/// Runs test cases against an engine, each with its own fresh rate-limit state and a fixed clock.
enum PolicyTestRunner {
    static func run(_ tests: [PolicyTestCase], engine: PolicyEngine) -> PolicyTestReport {
        PolicyTestReport(results: tests.map { run($0, engine: engine) })
    }

    static func run(_ test: PolicyTestCase, engine: PolicyEngine) -> PolicyTestResult {
        let limiter = RateLimiter()
        let now = test.request.time ?? PolicyTestCase.defaultTime
        var decision = engine.evaluate(test.request, now: now, limiter: limiter)
        for _ in 1..<max(1, test.repeatCount) { decision = engine.evaluate(test.request, now: now, limiter: limiter) }
        var failures: [String] = []
        if decision.effect != test.expectedEffect {
            failures.append(
                "expected \(test.expectedEffect.rawValue), got \(decision.effect.rawValue) (\(summary(decision)))")
        }
        if let expected = test.expectedRules, Set(expected) != Set(decision.matchedRules) {
            failures.append(
                "expected matched rules [\(expected.sorted().joined(separator: ", "))], "
                    + "got [\(decision.matchedRules.joined(separator: ", "))]")
        }
        for reason in test.expectedReasons ?? [] where !decision.reasons.contains(where: { $0.contains(reason) }) {
            failures.append("no reason mentions \"\(reason)\"")
        }
        if let errors = test.expectedErrors, errors != decision.errors.count {
            failures.append(
                "expected \(errors) error(s), got \(decision.errors.count)"
                    + (decision.errors.isEmpty ? "" : ": " + decision.errors.map(\.message).joined(separator: "; ")))
        }
        return PolicyTestResult(test: test, decision: decision, failures: failures)
    }

    private static func summary(_ d: Decision) -> String {
        if d.matchedRules.isEmpty && d.errors.isEmpty { return "no rule matched" }
        var parts: [String] = []
        if !d.matchedRules.isEmpty { parts.append("matched: " + d.matchedRules.joined(separator: ", ")) }
        if !d.errors.isEmpty { parts.append("errors: " + d.errors.compactMap(\.rule).joined(separator: ", ")) }
        return parts.joined(separator: "; ")
    }
}
