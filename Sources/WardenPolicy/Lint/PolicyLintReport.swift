import WardenCore

/// What `warden policy lint` found: errors (the set would not load) and warnings (it loads, but some
/// rule does not do what its author probably meant).
public struct PolicyLintReport: Sendable {
    /// Sorted by location.
    public let diagnostics: [PolicyDiagnostic]

    public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
    public var warningCount: Int { diagnostics.filter { $0.severity == .warning }.count }

    /// `{errors, warnings, diagnostics: [{severity, code, file, line, column, message}]}`.
    public var json: JSONValue {
        .object([
            "errors": .int(Int64(errorCount)),
            "warnings": .int(Int64(warningCount)),
            "diagnostics": .array(diagnostics.map(\.json)),
        ])
    }
}
