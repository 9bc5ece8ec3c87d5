import Foundation
import Logging
import Testing
import WardenCore
import WardenPosix

@testable import WardenHost

/// Requests to real processes that never answer: one sweeper per connection must time each request out at its own
/// deadline, whatever the order they were sent in, and a plugin that closed its input fails a request at once.
@Suite struct PluginConnectionTests {
    /// A process that swallows its input, as a plugin that never answers.
    static func silentProcess(script: String = "exec cat >/dev/null") throws -> ConfinedProcess {
        let input = try Syscall.pipe()
        let output = try Syscall.pipe()
        let errors = try Syscall.pipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input.read, 0)
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errors.write, 2)
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [
            strdup("/bin/sh"), strdup("-c"), strdup(script), nil,
        ]
        defer { for p in argv { free(p) } }
        let result = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ)
        #expect(result == 0)
        for fd in [input.read, output.write, errors.write] { close(fd) }
        let status = try JSONDecoder().decode(
            LaunchStatus.self,
            from: Data(
                #"{"ok": true, "landlock_abi": 0, "namespaces": [], "filter_digest": "", "bpf_precompiled": false, "no_new_privs": false, "capabilities": "", "securebits_locked": false, "uid": 0, "gid": 0}"#
                    .utf8))
        return ConfinedProcess(pid: pid, stdin: input.write, stdout: output.read, stderr: errors.read, status: status)
    }

    func elapsed(since start: ContinuousClock.Instant) -> Duration { ContinuousClock.now - start }

    @Test func aShortTimeoutSentAfterALongOne_firesAtItsOwnDeadline() async throws {
        let connection = PluginConnection(
            name: "silent", process: try Self.silentProcess(), frameCap: 1 << 20, logger: Logger(label: "test"))
        let start = ContinuousClock.now
        let long = Task { try await connection.request("slow", params: nil, timeout: .seconds(20)) }
        try await Task.sleep(for: .milliseconds(50))
        await #expect(throws: PluginCallError.self) {
            try await connection.request("quick", params: nil, timeout: .milliseconds(300))
        }
        let quick = elapsed(since: start)
        #expect(quick >= .milliseconds(300) && quick < .seconds(5), "the 300 ms request ended after \(quick)")
        // The long request is still waiting; closing the connection ends it at once.
        await connection.shutdown(grace: .milliseconds(100))
        let outcome = await long.result
        #expect(throws: PluginCallError.self) { try outcome.get() }
        #expect(elapsed(since: start) < .seconds(10))
    }

    @Test func manyRequests_eachTimeOutOnce_andTheReasonNamesTheMethod() async throws {
        let connection = PluginConnection(
            name: "silent", process: try Self.silentProcess(), frameCap: 1 << 20, logger: Logger(label: "test"))
        let start = ContinuousClock.now
        let reasons = await withTaskGroup(of: String.self) { group in
            for i in 0..<50 {
                group.addTask {
                    do {
                        _ = try await connection.request("m\(i)", params: nil, timeout: .milliseconds(100 + 10 * i))
                        return "answered"
                    } catch {
                        return "\(error)"
                    }
                }
            }
            var all: [String] = []
            for await reason in group { all.append(reason) }
            return all
        }
        #expect(reasons.count == 50)
        for i in 0..<50 {
            #expect(reasons.contains { $0.contains("m\(i)") && $0.contains("\(100 + 10 * i) ms") }, "\(reasons)")
        }
        #expect(elapsed(since: start) < .seconds(10))
        await connection.shutdown(grace: .milliseconds(100))
    }

    /// A plugin that closed its stdin but lives on: the write fails (EPIPE, not SIGPIPE, as in the kernel), and the
    /// request fails at once with the reason instead of waiting for its timeout.
    @Test func aPluginWhoseInputIsClosed_failsTheRequestAtOnce() async throws {
        signal(SIGPIPE, SIG_IGN)
        let connection = PluginConnection(
            name: "deaf", process: try Self.silentProcess(script: "exec 0<&-; sleep 10"), frameCap: 1 << 20,
            logger: Logger(label: "test"))
        try await Task.sleep(for: .milliseconds(200))  // let the shell close its stdin
        let start = ContinuousClock.now
        let error = await #expect(throws: PluginCallError.self) {
            try await connection.request("anything", params: nil, timeout: .seconds(20))
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("its input is closed"))
        #expect(elapsed(since: start) < .seconds(5))
        await connection.shutdown(grace: .milliseconds(100))
    }
}
