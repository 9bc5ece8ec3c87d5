import Foundation
import Logging
import Testing
import WardenCore
import WardenPosix

@testable import WardenHost

/// Requests to real processes that never answer: one sweeper per connection must time each request out at its own
/// deadline, whatever the order they were sent in, and a plugin that closed its input fails a request at once.
///
/// No wall-clock bounds on the run itself (the test process shares two CPUs with the rest of the suite): the
/// other requests wait for an hour, so a request that ends early ended for the reason under test, and the time
/// limit catches one that waits for the wrong deadline.
@Suite(.timeLimit(.minutes(1))) struct PluginConnectionTests {
    /// A process that never answers: it swallows its input, or (`readsInput: false`) has none, so that writing to
    /// it fails at once.
    static func silentProcess(readsInput: Bool = true) throws -> ConfinedProcess {
        let input = try Syscall.pipe()
        let output = try Syscall.pipe()
        let errors = try Syscall.pipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if readsInput {
            posix_spawn_file_actions_adddup2(&actions, input.read, 0)
        } else {
            close(input.read)  // at once: a process spawned meanwhile elsewhere would hold a copy until it execs
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errors.write, 2)
        var pid: pid_t = 0
        let script = readsInput ? "exec cat >/dev/null" : "exec sleep 3600"
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(script), nil]
        defer { for p in argv { free(p) } }
        let result = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ)
        #expect(result == 0)
        // Our copies of the child's ends: the child has its own, and ours would keep the pipes open.
        for fd in [readsInput ? input.read : -1, output.write, errors.write] where fd >= 0 { close(fd) }
        let status = try JSONDecoder().decode(
            LaunchStatus.self,
            from: Data(
                #"{"ok": true, "landlock_abi": 0, "namespaces": [], "filter_digest": "", "bpf_precompiled": false, "no_new_privs": false, "capabilities": "", "securebits_locked": false, "uid": 0, "gid": 0}"#
                    .utf8))
        return ConfinedProcess(pid: pid, stdin: input.write, stdout: output.read, stderr: errors.read, status: status)
    }

    static func isTimeout(_ error: (any Error)?, method: String, milliseconds: Int64) -> Bool {
        guard case .timedOut(let m, let ms)? = error as? PluginCallError else { return false }
        return m == method && ms == milliseconds
    }

    @Test func aShortTimeoutSentAfterALongOne_firesAtItsOwnDeadline() async throws {
        let connection = PluginConnection(
            name: "silent", process: try Self.silentProcess(), frameCap: 1 << 20, logger: Logger(label: "test"))
        let long = Task { try await connection.request("slow", params: nil, timeout: .seconds(3600)) }
        try await Task.sleep(for: .milliseconds(50))
        let start = ContinuousClock.now
        let error = await #expect(throws: PluginCallError.self) {
            try await connection.request("quick", params: nil, timeout: .milliseconds(300))
        }
        #expect(Self.isTimeout(error, method: "quick", milliseconds: 300), "\(String(describing: error))")
        #expect(ContinuousClock.now - start >= .milliseconds(300))
        // The long request is still waiting; closing the connection ends it.
        await connection.shutdown(grace: .milliseconds(100))
        let outcome = await long.result
        #expect(throws: PluginCallError.self) { try outcome.get() }
    }

    @Test func manyRequests_eachTimeOutOnce_andTheReasonNamesTheMethod() async throws {
        let connection = PluginConnection(
            name: "silent", process: try Self.silentProcess(), frameCap: 1 << 20, logger: Logger(label: "test"))
        let outcomes = await withTaskGroup(of: (Int, (any Error)?).self) { group in
            for i in 0..<50 {
                group.addTask {
                    do {
                        _ = try await connection.request("m\(i)", params: nil, timeout: .milliseconds(100 + 10 * i))
                        return (i, nil)
                    } catch {
                        return (i, error)
                    }
                }
            }
            var all: [Int: (any Error)?] = [:]
            for await (i, error) in group { all[i] = error }
            return all
        }
        #expect(outcomes.count == 50)
        for (i, error) in outcomes {
            #expect(
                Self.isTimeout(error, method: "m\(i)", milliseconds: Int64(100 + 10 * i)),
                "\(i): \(String(describing: error))")
        }
        await connection.shutdown(grace: .milliseconds(100))
    }

    /// A plugin that reads no input: the write fails (EPIPE, not SIGPIPE, as in the kernel) and the request fails
    /// with the reason instead of waiting for its timeout. (Another test's process started at the wrong moment can
    /// hold a copy of the pipe's read end until it execs, taking a first line into the pipe: so up to five
    /// requests, each with a timeout of its own; one must fail because the input is closed.)
    @Test func aPluginWhoseInputIsClosed_failsTheRequestAtOnce() async throws {
        signal(SIGPIPE, SIG_IGN)
        let connection = PluginConnection(
            name: "deaf", process: try Self.silentProcess(readsInput: false), frameCap: 1 << 20,
            logger: Logger(label: "test"))
        var errors: [String] = []
        for attempt in 0..<5 {
            do {
                _ = try await connection.request("attempt\(attempt)", params: nil, timeout: .seconds(2))
                errors.append("answered")
            } catch {
                errors.append("\(error)")
            }
            if errors.last?.contains("its input is closed") == true { break }
        }
        #expect(errors.last?.contains("its input is closed") == true, "\(errors)")
        await connection.shutdown(grace: .milliseconds(100))
    }

    /// A plugin's stderr reaches the operator's terminal: escape sequences and other controls are shown, not obeyed.
    @Test func stderrLines_showControlCharacters_notObeyThem() {
        #expect(PluginConnection.printable("plain\ttext, ünïcode") == "plain\ttext, ünïcode")
        #expect(PluginConnection.printable("a\u{1B}[2Jb\rc\u{7F}\u{9B}") == "a\\u{1b}[2Jb\\u{d}c\\u{7f}\\u{9b}")
    }
}
