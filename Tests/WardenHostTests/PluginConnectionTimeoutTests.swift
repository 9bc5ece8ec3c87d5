import Foundation
import Logging
import Testing
import WardenCore
import WardenPosix

@testable import WardenHost

/// Request timeouts on a real process that reads every request and answers none (`cat > /dev/null`): one sweeper
/// per connection must time each request out at its own deadline, whatever the order they were sent in.
@Suite struct PluginConnectionTimeoutTests {
    /// A process that swallows its input, as a plugin that never answers.
    static func silentProcess() throws -> ConfinedProcess {
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
            strdup("/bin/sh"), strdup("-c"), strdup("exec cat >/dev/null"), nil,
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
}
