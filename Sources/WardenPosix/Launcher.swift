#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import WardenCore

/// Starts programs under the C launcher `warden-launch` (see docs/launch-spec.md).
///
/// The child gets exactly five descriptors: its standard streams (pipes), the spec on 3 and the
/// status on 4. Everything the host holds is close-on-exec, and the spawn closes every descriptor
/// from 5 up as well, so nothing else can leak into the sandbox; the launcher closes them again.
public enum Launcher {
    /// The most the status descriptor may carry before the launcher execs or fails.
    static let statusLimit = 64 * 1024
    /// How long a launcher may take to confine itself and report.
    static let statusTimeoutMilliseconds: Int32 = 10_000

    /// The launcher to use: `$WARDEN_LAUNCHER`, else `warden-launch` beside the running executable.
    /// - Throws: ``LaunchError`` (step `locate`) when it is missing or not executable, with the fix.
    public static func locate() throws(LaunchError) -> String {
        let candidate: String
        if let fromEnv = ProcessInfo.processInfo.environment["WARDEN_LAUNCHER"], !fromEnv.isEmpty {
            candidate = fromEnv
        } else {
            let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            candidate = URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("warden-launch").path
        }
        guard access(candidate, X_OK) == 0 else {
            let err = errno
            throw LaunchError(
                step: "locate", errno: err, exit: nil,
                message: "the confinement launcher \(candidate) is missing or not executable "
                    + "(\(String(cString: strerror(err)))); run `make` to build it, or set WARDEN_LAUNCHER")
        }
        return candidate
    }

    /// Starts `program` confined by `spec`: spawns the launcher, hands it the spec, and waits until it has
    /// confined itself and exec'd the program (end-of-file on the status descriptor).
    /// - Parameters:
    ///   - launcher: the launcher's path (see ``locate()``).
    ///   - spec: the confinement.
    ///   - program: the program's absolute path and its arguments.
    ///   - wrapper: an argv prefix to run the launcher under (tests use `setpriv` to start it as an
    ///     ordinary user); empty for a direct start.
    /// - Returns: the running process and the parent's ends of its streams.
    /// - Throws: ``LaunchError``: step `start` when the launcher cannot be spawned, the launcher's step
    ///   when it refuses the spec or fails to confine (the launcher is reaped; nothing ran).
    ///   - filters: compiled filter sets to reuse (and to fill); nil compiles them in the launcher every time.
    public static func start(
        launcher: String, spec: LaunchSpec, program: [String], wrapper: [String] = [], filters: FilterCache? = nil
    ) throws(LaunchError) -> ConfinedProcess {
        let specBytes: [UInt8]
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            specBytes = Array(try encoder.encode(spec))
        } catch {
            throw LaunchError(step: "spec", errno: EINVAL, exit: nil, message: "cannot encode the spec: \(error)")
        }
        guard let filters, let cached = filters.blob(launcher: launcher, spec: spec, specJSON: specBytes) else {
            return try start(launcher: launcher, specJSON: specBytes, program: program, wrapper: wrapper)
        }
        do {
            return try start(launcher: launcher, specJSON: specBytes, program: program, wrapper: wrapper, bpf: cached.bytes)
        } catch where error.step == "spec" {
            // The launcher refused the cached set (its key did not match: another launcher build under the same
            // file facts). Forget it and let the launcher compile; a spec it refuses is refused again below.
            filters.forget(cached.key)
            return try start(launcher: launcher, specJSON: specBytes, program: program, wrapper: wrapper)
        }
    }

    /// Like ``start(launcher:spec:program:wrapper:)`` with the spec as raw JSON bytes, passed to the launcher
    /// unchanged: for tools and tests that must hand it a spec ``LaunchSpec`` cannot express (an unknown
    /// key, a wrong type), to see it refused.
    /// - Throws: ``LaunchError`` as ``start(launcher:spec:program:wrapper:)`` does.
    /// `bpf`: a compiled filter set from `--export-bpf`, passed on descriptor 5 with `--bpf-fd`.
    public static func start(
        launcher: String, specJSON specBytes: [UInt8], program: [String], wrapper: [String] = [], bpf: [UInt8]? = nil
    ) throws(LaunchError) -> ConfinedProcess {
        guard let first = program.first, first.hasPrefix("/") else {
            throw LaunchError(step: "start", errno: EINVAL, exit: nil, message: "the program must be an absolute path")
        }
        let argv = wrapper + [launcher, "--spec-fd", "3", "--status-fd", "4"] + (bpf == nil ? [] : ["--bpf-fd", "5"])
            + ["--"] + program
        var open: [Int32] = []
        func cleanup() { open.forEach(Syscall.close) }
        do {
            // Every end is moved above 5 so that no dup2 below can overwrite another source.
            let stdin = try Syscall.pipe()
            open += [stdin.read, stdin.write]
            let stdout = try Syscall.pipe()
            open += [stdout.read, stdout.write]
            let stderr = try Syscall.pipe()
            open += [stderr.read, stderr.write]
            let specChannel = try Syscall.socketPair()
            open += [specChannel.0, specChannel.1]
            let status = try Syscall.pipe()
            open += [status.read, status.write]
            if let bpf {
                // Written whole before the launcher starts (it fits the pipe's buffer, see FilterCache), then
                // closed, so the launcher reads it to end-of-file.
                let channel = try Syscall.pipe()
                open += [channel.read]
                defer { Syscall.close(channel.write) }
                try Syscall.writeAll(channel.write, bpf)
            }
            var moved: [Int32] = []
            for fd in open { moved.append(try Syscall.moveAbove(fd, minimum: 6)) }
            open = moved
            let childFDs: [Int32] = [moved[0], moved[3], moved[5], moved[7], moved[9]] + (bpf == nil ? [] : [moved[10]])
            let pid = try spawn(path: argv[0], argv: argv, childFDs: childFDs)
            for fd in childFDs { Syscall.close(fd) }
            let parentSpec = moved[6]
            let parentStatus = moved[8]
            open = [moved[1], moved[2], moved[4], parentSpec, parentStatus]

            // The launcher reads the whole spec before anything else, so this cannot deadlock.
            let written: PosixError?
            do {
                try Syscall.writeAll(parentSpec, specBytes, socket: true)
                written = nil
            } catch {
                written = error
            }
            Syscall.close(parentSpec)
            open.removeAll { $0 == parentSpec }
            let report = try? Syscall.readAll(
                parentStatus, limit: statusLimit, timeoutMilliseconds: statusTimeoutMilliseconds)
            Syscall.close(parentStatus)
            open.removeAll { $0 == parentStatus }

            let lines = String(decoding: report?.bytes ?? [], as: UTF8.self).split(separator: "\n")
            let last = lines.last.map { Data($0.utf8) }
            if let last, let ok = try? JSONDecoder().decode(LaunchStatus.self, from: last), ok.ok {
                return ConfinedProcess(pid: pid, stdin: moved[1], stdout: moved[2], stderr: moved[4], status: ok)
            }
            // No success line: the launcher failed (or hung); make sure it is gone, then reap it.
            if report == nil { _ = kill(pid, SIGKILL) }
            let exit = try? Syscall.wait(pid)
            cleanup()
            if let last, let failure = try? JSONDecoder().decode(LaunchFailureLine.self, from: last) {
                throw LaunchError(step: failure.step, errno: failure.errno, exit: exit, message: failure.error)
            }
            let why =
                report == nil
                ? "the launcher did not report within \(statusTimeoutMilliseconds) ms"
                : written.map { "the launcher did not take the spec (\($0))" }
                    ?? "the launcher ended without a status line"
            throw LaunchError(
                step: "status", errno: written?.errno ?? 0, exit: exit,
                message: "\(why); it \(exit.map { "\($0)" } ?? "could not be reaped")")
        } catch let error as PosixError {
            cleanup()
            throw LaunchError(step: "start", errno: error.errno, exit: nil, message: "cannot start the launcher: \(error)")
        } catch let error as LaunchError {
            throw error
        } catch {
            cleanup()
            throw LaunchError(step: "start", errno: 0, exit: nil, message: "\(error)")
        }
    }

    /// Asks the launcher what this kernel supports.
    /// - Throws: ``LaunchError`` (step `probe`) when the launcher cannot run or prints something unexpected.
    public static func probe(launcher: String) throws(LaunchError) -> SandboxProbe {
        do {
            let out = try Syscall.pipe()
            let stdout = try Syscall.moveAbove(out.write, minimum: 5)
            let reader = try Syscall.moveAbove(out.read, minimum: 5)
            defer { Syscall.close(reader) }
            let devNull = try Syscall.retrying("open") { Glibc.open("/dev/null", O_RDWR | O_CLOEXEC) }
            let input = try Syscall.moveAbove(devNull, minimum: 5)
            let pid = try spawn(path: launcher, argv: [launcher, "--probe"], childFDs: [input, stdout, input])
            Syscall.close(stdout)
            Syscall.close(input)
            let text = try Syscall.readAll(reader, limit: 1 << 20, timeoutMilliseconds: 30_000)
            let exit = try Syscall.wait(pid)
            guard exit == .exited(0) else {
                throw LaunchError(step: "probe", errno: 0, exit: exit, message: "warden-launch --probe \(exit)")
            }
            do {
                return try JSONDecoder().decode(SandboxProbe.self, from: Data(text.bytes))
            } catch {
                throw LaunchError(
                    step: "probe", errno: EINVAL, exit: exit, message: "warden-launch --probe printed an unexpected report: \(error)")
            }
        } catch let error as PosixError {
            throw LaunchError(step: "probe", errno: error.errno, exit: nil, message: "cannot run the probe: \(error)")
        } catch let error as LaunchError {
            throw error
        } catch {
            throw LaunchError(step: "probe", errno: 0, exit: nil, message: "\(error)")
        }
    }

    /// posix_spawn on the long-lived spawn thread, with `childFDs` as the child's descriptors 0, 1, 2, …,
    /// every other descriptor closed, default signal dispositions, nothing blocked and an empty environment.
    static func spawn(path: String, argv: [String], childFDs: [Int32]) throws(PosixError) -> pid_t {
        let result: Result<pid_t, PosixError> = SpawnThread.shared.run {
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            for (target, fd) in childFDs.enumerated() {
                posix_spawn_file_actions_adddup2(&actions, fd, Int32(target))
            }
            // Belt and braces: host descriptors are close-on-exec, and the launcher closes all but its own.
            _ = Syscall.GNU.addCloseFrom(&actions, Int32(childFDs.count))
            var attr = posix_spawnattr_t()
            posix_spawnattr_init(&attr)
            defer { posix_spawnattr_destroy(&attr) }
            var none = sigset_t()
            sigemptyset(&none)
            var all = sigset_t()
            sigfillset(&all)
            posix_spawnattr_setsigmask(&attr, &none)
            posix_spawnattr_setsigdefault(&attr, &all)
            posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
            let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
            defer { cArgs.forEach { free($0) } }
            let env: [UnsafeMutablePointer<CChar>?] = [nil]
            var pid: pid_t = 0
            let rc = posix_spawn(&pid, path, &actions, &attr, cArgs, env)
            return rc == 0 ? .success(pid) : .failure(PosixError("posix_spawn \(path)", errno: rc))
        }
        return try result.get()
    }
}
