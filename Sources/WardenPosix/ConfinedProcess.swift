#if canImport(Glibc)
    import Glibc
#endif
import WardenCore

/// A plugin running under the launcher. The descriptors are the parent's ends of the plugin's standard
/// streams, close-on-exec, owned by whoever holds this value (close them when done).
public struct ConfinedProcess: Sendable {
    /// The pid the host sees: the launcher, which with a pid namespace stays as the plugin's supervisor
    /// and forwards SIGTERM, SIGINT and SIGHUP; otherwise the plugin itself.
    public var pid: pid_t
    /// Write end of the plugin's standard input.
    public var stdin: Int32
    /// Read end of the plugin's standard output.
    public var stdout: Int32
    /// Read end of the plugin's standard error.
    public var stderr: Int32
    /// What the launcher reported as enforced.
    public var status: LaunchStatus

    /// A process as started by ``Launcher/start(launcher:spec:program:wrapper:)``.
    public init(pid: pid_t, stdin: Int32, stdout: Int32, stderr: Int32, status: LaunchStatus) {
        self.pid = pid
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.status = status
    }

    /// Blocks until the process ends. With a pid namespace the supervisor reports a plugin killed by a
    /// signal as exit code 128 + the signal.
    /// - Throws: ``PosixError`` when waitpid fails (for example when someone else reaped it).
    public func wait() throws(PosixError) -> ExitStatus {
        try Syscall.wait(pid)
    }

    /// Sends a signal to the process.
    /// - Throws: ``PosixError`` (ESRCH when it is gone).
    public func signal(_ sig: Int32) throws(PosixError) {
        try Syscall.signal(pid, sig)
    }

    /// Closes the three stream descriptors.
    public func closeStreams() {
        Syscall.close(stdin)
        Syscall.close(stdout)
        Syscall.close(stderr)
    }
}
