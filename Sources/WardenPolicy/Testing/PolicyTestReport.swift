import WardenCore

/// The outcome of one test case.
public struct PolicyTestResult: Sendable {
    public let test: PolicyTestCase
    /// The last decision the set gave.
    public let decision: Decision
    /// What differed from the expectation; empty when the test passed.
    public let failures: [String]

    public var passed: Bool { failures.isEmpty }

    /// The failure as a diagnostic at the test's location (for load errors and lint).
    var diagnostic: PolicyDiagnostic {
        PolicyDiagnostic(
            .error, .testFailed, at: test.location,
            "test \"\(test.name)\" failed: " + failures.joined(separator: "; "))
    }
}

/// The outcome of a policy set's tests.
public struct PolicyTestReport: Sendable {
    public let results: [PolicyTestResult]

    public var passedCount: Int { results.filter(\.passed).count }
    public var failedCount: Int { results.count - passedCount }
    public var allPassed: Bool { failedCount == 0 }

    /// `{passed, failed, results: [{name, file, line, column, passed, expected, effect, matched_rules, failures}]}`.
    public var json: JSONValue {
        .object([
            "passed": .int(Int64(passedCount)),
            "failed": .int(Int64(failedCount)),
            "results": .array(
                results.map { r in
                    .object([
                        "name": .string(r.test.name),
                        "file": .string(r.test.location.file),
                        "line": .int(Int64(r.test.location.line)),
                        "column": .int(Int64(r.test.location.column)),
                        "passed": .bool(r.passed),
                        "expected": .string(r.test.expectedEffect.rawValue),
                        "effect": .string(r.decision.effect.rawValue),
                        "matched_rules": .array(r.decision.matchedRules.map(JSONValue.string)),
                        "failures": .array(r.failures.map(JSONValue.string)),
                    ])
                }),
        ])
    }
}
