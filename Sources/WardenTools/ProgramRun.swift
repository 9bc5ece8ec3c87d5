import Foundation
import Synchronization
import WardenPosix

/// One program run to completion with its output captured: what the `shell` tool runs.
///
/// Written on `posix_spawn` and `poll` rather than Foundation's `Process` because the tool must not block
/// Swift's cooperative threads (two of them on a two-core machine: two blocking pipe reads starved the plugin, so
/// neither the timeout nor a cancellation could act) and must not wait for end-of-file from a pipe that a
/// background child keeps open. The program runs in its own process group; when it exits, times out or is
/// cancelled, whatever is left of that group is killed, so a call leaves no process behind.
struct ProgramRun: Sendable {
    var executable: String
    var arguments: [String]
    var directory: String
    var environment: [String: String]
    var stdin: [UInt8] = []
    /// Seconds before the group is terminated.
    var timeout: Double
    /// Bytes kept of each of stdout and stderr; the rest is read and dropped.
    var outputCap: Int
    /// How long to keep reading after the program exited, for output still in flight from its children.
    var drainGrace: Double = 0.1
    /// How long a terminated group has between SIGTERM and SIGKILL.
    var killGrace: Double = 0.2

    struct Outcome: Sendable {
        var stdout: [UInt8]
        var stderr: [UInt8]
        var truncated: Bool
        /// The exit status, or `nil` when a signal ended the program.
        var exitCode: Int32?
        /// The signal that ended the program.
        var signal: Int32?
        var timedOut: Bool
        var cancelled: Bool
    }

    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs the program on a thread of its own; cancelling the calling task terminates the program's group.
    func run() async throws -> Outcome {
        let cancelled = Atomic<Bool>(false)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (done: CheckedContinuation<Outcome, any Error>) in
                let thread = Thread {
                    // Writing to a program that closed its stdin gives EPIPE on this thread instead of SIGPIPE,
                    // whose default action would end the plugin.
                    var pipeSignal = sigset_t()
                    sigemptyset(&pipeSignal)
                    sigaddset(&pipeSignal, SIGPIPE)
                    pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
                    done.resume(
                        with: Result { try self.runBlocking(cancelled: { cancelled.load(ordering: .relaxed) }) })
                }
                thread.name = "warden-program-run"
                thread.start()
            }
        } onCancel: {
            cancelled.store(true, ordering: .relaxed)
        }
    }

    /// The whole run on the calling thread.
    func runBlocking(cancelled: () -> Bool) throws -> Outcome {
        let stdoutPipe = try Pipe2()
        defer { stdoutPipe.closeBoth() }
        let stderrPipe = try Pipe2()
        defer { stderrPipe.closeBoth() }
        let stdinPipe = try Pipe2()
        defer { stdinPipe.closeBoth() }

        let pid = try spawn(stdin: stdinPipe.read, stdout: stdoutPipe.write, stderr: stderrPipe.write)
        // The child has its copies; ours of the child's ends would keep the pipes open.
        stdoutPipe.closeWrite()
        stderrPipe.closeWrite()
        stdinPipe.closeRead()
        if stdin.isEmpty { stdinPipe.closeWrite() }
        for fd in [stdoutPipe.read, stderrPipe.read, stdinPipe.write] where fd >= 0 {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }

        var out = Capture(cap: outputCap)
        var err = Capture(cap: outputCap)
        var written = 0
        var status: Int32?
        var timedOut = false
        var wasCancelled = false
        var terminatedAt: Double?
        var killed = false
        let start = Syscall.now()
        var exitedAt: Double?

        while true {
            if status == nil {
                // Noticed without reaping, so the group id cannot be reused before whatever the program left
                // running in its group is killed with it.
                var info = siginfo_t()
                if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0,
                    info._sifields._sigchld.si_pid == pid
                {
                    kill(-pid, SIGKILL)
                    var raw: Int32 = 0
                    while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
                    status = raw
                    exitedAt = Syscall.now()
                }
            }
            let now = Syscall.now()
            if status == nil {
                let isCancelled = cancelled()
                if terminatedAt == nil && (now - start > timeout || isCancelled) {
                    wasCancelled = isCancelled
                    timedOut = !isCancelled
                    kill(-pid, SIGTERM)
                    terminatedAt = now
                } else if let at = terminatedAt, now - at > killGrace, !killed {
                    kill(-pid, SIGKILL)
                    killed = true
                }
            }
            let outputOpen = stdoutPipe.read >= 0 || stderrPipe.read >= 0
            if status != nil && (!outputOpen || now - exitedAt! > drainGrace) { break }

            var fds: [pollfd] = []
            if stdoutPipe.read >= 0 { fds.append(pollfd(fd: stdoutPipe.read, events: Int16(POLLIN), revents: 0)) }
            if stderrPipe.read >= 0 { fds.append(pollfd(fd: stderrPipe.read, events: Int16(POLLIN), revents: 0)) }
            if stdinPipe.write >= 0 { fds.append(pollfd(fd: stdinPipe.write, events: Int16(POLLOUT), revents: 0)) }
            // A short wait: the exit, the deadline and cancellation are noticed within 10 ms.
            _ = poll(&fds, nfds_t(fds.count), fds.isEmpty || status == nil ? 10 : 5)

            if stdoutPipe.read >= 0, !out.read(from: stdoutPipe.read) { stdoutPipe.closeRead() }
            if stderrPipe.read >= 0, !err.read(from: stderrPipe.read) { stderrPipe.closeRead() }
            if stdinPipe.write >= 0 {
                let n = stdin.withUnsafeBytes { bytes in
                    Glibc.write(stdinPipe.write, bytes.baseAddress! + written, bytes.count - written)
                }
                if n > 0 { written += n }
                // Done, or the program closed its end (EPIPE): either way nothing more goes in.
                if written == stdin.count || (n < 0 && errno != EAGAIN && errno != EINTR) { stdinPipe.closeWrite() }
            }
        }
        let raw = status!
        let signaled = (raw & 0x7f) != 0
        return Outcome(
            stdout: out.bytes, stderr: err.bytes, truncated: out.truncated || err.truncated,
            exitCode: signaled ? nil : (raw >> 8) & 0xff, signal: signaled ? raw & 0x7f : nil, timedOut: timedOut,
            cancelled: wasCancelled)
    }

    /// Starts the program in a new process group with the three descriptors as its 0, 1 and 2 and no others.
    private func spawn(stdin: Int32, stdout: Int32, stderr: Int32) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        // Fail closed: without these the program would inherit the plugin's other descriptors or run elsewhere.
        guard Syscall.GNU.addCloseFrom(&actions, 3), Syscall.GNU.addChdir(&actions, directory) else {
            throw SpawnError(description: "this C library cannot close descriptors or change folder for a spawn")
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Default dispositions and an empty mask, whatever this process and thread have set.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = [executable] + arguments
        let env = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let result = withCStrings(argv) { argvPointers in
            withCStrings(env) { envPointers in
                posix_spawn(&pid, executable, &actions, &attributes, argvPointers, envPointers)
            }
        }
        guard result == 0 else {
            throw SpawnError(description: "could not start \(executable): \(String(cString: strerror(result)))")
        }
        return pid
    }
}

/// Output read from one pipe, keeping at most `cap` bytes.
private struct Capture {
    let cap: Int
    var bytes: [UInt8] = []
    var truncated = false

    init(cap: Int) { self.cap = cap }

    /// Reads what is available; false at end of file (or an error other than "try again").
    mutating func read(from fd: Int32) -> Bool {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 65536) { buffer in
            while true {
                let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
                if n > 0 {
                    let keep = min(n, cap - bytes.count)
                    if keep > 0 { bytes += buffer[0..<keep] }
                    if keep < n { truncated = true }
                    continue
                }
                if n < 0 && errno == EINTR { continue }
                return n < 0 && errno == EAGAIN
            }
        }
    }
}

/// A pipe whose ends are closed on exec (the spawn's dup2 gives the child its own copies) and at most once here.
private final class Pipe2 {
    private(set) var read: Int32
    private(set) var write: Int32

    init() throws {
        do {
            (read, write) = try Syscall.pipe()
        } catch {
            throw ProgramRun.SpawnError(description: "\(error)")
        }
    }

    func closeRead() {
        if read >= 0 { close(read) }
        read = -1
    }

    func closeWrite() {
        if write >= 0 { close(write) }
        write = -1
    }

    func closeBoth() {
        closeRead()
        closeWrite()
    }
}

/// `strings` as a NULL-terminated array of C strings for the duration of `body`.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for p in pointers { free(p) } }
    return body(pointers)
}
