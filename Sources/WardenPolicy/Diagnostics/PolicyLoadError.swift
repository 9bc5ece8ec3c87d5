/// Why a policy set could not be put in force: every error found, in file order.
public struct PolicyLoadError: Error, Sendable, CustomStringConvertible {
    /// The errors (never empty), sorted by location.
    public var diagnostics: [PolicyDiagnostic]

    public init(diagnostics: [PolicyDiagnostic]) {
        self.diagnostics = diagnostics
    }

    /// The first error, the one a status line shows.
    public var first: PolicyDiagnostic? { diagnostics.first }

    /// One line per error, `file:line:column: error: message`.
    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
