import ArgumentParser

/// The CLI's documented exit codes (README, "Exit codes").
extension ExitCode {
    /// The tool ran and reported an error, or a check or test failed.
    static let toolError = ExitCode(1)
    /// Bad input: arguments, JSON, files.
    static let badInput = ExitCode(2)
    /// The kernel refused the call (policy, rule, capability, approval).
    static let refused = ExitCode(3)
    /// The kernel or the plugin was unavailable, or the call failed.
    static let unavailable = ExitCode(4)
    /// The call is held for a person's approval and has not run (yet).
    static let pending = ExitCode(5)
}
