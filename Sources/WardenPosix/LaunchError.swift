/// A confined start that did not happen: the launcher was missing or could not be started, or it refused
/// or failed at one of its steps (in which case nothing was exec'd).
public struct LaunchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The launcher's step (`spec`, `namespaces`, `landlock`, … see docs/launch-spec.md), or `locate`,
    /// `start` and `status` for failures before or around the launcher itself.
    public var step: String
    /// The errno the step reported (0 when there was none).
    public var errno: Int32
    /// How the launcher ended, when it was started and reaped.
    public var exit: ExitStatus?
    /// The launcher's sentence, or ours.
    public var message: String

    /// An error as given.
    public init(step: String, errno: Int32, exit: ExitStatus?, message: String) {
        self.step = step
        self.errno = errno
        self.exit = exit
        self.message = message
    }

    /// The launcher's exit code, when it exited.
    public var exitCode: Int32? {
        if case .exited(let code) = exit { return code }
        return nil
    }

    public var description: String { "confinement failed at step \(step): \(message)" }
}
