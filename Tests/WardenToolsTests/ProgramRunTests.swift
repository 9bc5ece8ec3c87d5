import Foundation
import Testing

@testable import WardenTools

/// The `shell` tool's process handling, with real programs: output, stdin, limits, timeouts, cancellation, and
/// that nothing it starts outlives the call.
///
/// Bounds on time are loose on purpose: the test process shares two CPUs with the whole suite.
@Suite(.timeLimit(.minutes(5))) struct ProgramRunTests {
    func run(
        _ program: String, _ arguments: [String], stdin: String = "", timeout: Double = 20, cap: Int = 1 << 20,
        environment: [String: String] = ["PATH": "/usr/bin:/bin"]
    ) async throws -> ProgramRun.Outcome {
        try await ProgramRun(
            executable: program, arguments: arguments, directory: NSTemporaryDirectory(), environment: environment,
            stdin: Array(stdin.utf8), timeout: timeout, outputCap: cap
        ).run()
    }

    @Test func exitCodeOutputAndStandardError_areKeptApart() async throws {
        let outcome = try await run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"])
        #expect(outcome.exitCode == 3)
        #expect(outcome.signal == nil)
        #expect(String(decoding: outcome.stdout, as: UTF8.self) == "out\n")
        #expect(String(decoding: outcome.stderr, as: UTF8.self) == "err\n")
        #expect(!outcome.timedOut && !outcome.cancelled && !outcome.truncated)
    }

    @Test func stdinLargerThanAPipe_goesThroughWhileOutputIsRead() async throws {
        let input = String(repeating: "0123456789abcdef", count: 131_072)  // 2 MiB
        let outcome = try await run("/bin/cat", [], stdin: input, cap: 4 << 20)
        #expect(outcome.exitCode == 0)
        #expect(outcome.stdout.count == input.utf8.count)
    }

    @Test func aProgramThatIgnoresItsStdin_doesNotTakeThePluginWithIt() async throws {
        let input = String(repeating: "x", count: 1 << 20)
        let outcome = try await run("/bin/true", [], stdin: input)
        #expect(outcome.exitCode == 0)
    }

    @Test func outputBeyondTheCap_isDroppedAndMarked() async throws {
        let outcome = try await run("/bin/sh", ["-c", "head -c 3000000 /dev/zero"], cap: 100_000)
        #expect(outcome.exitCode == 0)
        #expect(outcome.stdout.count == 100_000)
        #expect(outcome.truncated)
    }

    @Test func theTimeout_terminatesTheProgram() async throws {
        let start = Date()
        let outcome = try await run("/bin/sleep", ["600"], timeout: 0.3)
        #expect(outcome.timedOut)
        #expect(outcome.signal == SIGTERM)
        #expect(Date().timeIntervalSince(start) < 120)  // not the 600 s the program would take
    }

    @Test func aProgramIgnoringSIGTERM_isKilled() async throws {
        let outcome = try await run("/bin/sh", ["-c", "trap '' TERM; sleep 600; sleep 600"], timeout: 0.3)
        #expect(outcome.timedOut)
        #expect(outcome.signal == SIGKILL)
    }

    /// The old tool read each pipe until end-of-file: a background child holding stdout kept the call open for as
    /// long as the child lived. Now the call ends with the program and the child is killed with its group.
    @Test func aBackgroundChildHoldingStdout_neitherHoldsTheCallNorOutlivesIt() async throws {
        let start = Date()
        let outcome = try await run("/bin/sh", ["-c", "sleep 600 & echo $!"], timeout: 300)
        #expect(Date().timeIntervalSince(start) < 120)  // not the 600 s the child lives, nor the 300 s timeout
        #expect(outcome.exitCode == 0)
        let child = try #require(
            pid_t(String(decoding: outcome.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await Self.isGone(child), "the background child \(child) outlived the call")
    }

    @Test func cancellation_endsTheProgram() async throws {
        let task = Task { try await run("/bin/sleep", ["600"], timeout: 300) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let outcome = try await task.value
        #expect(outcome.cancelled)
        #expect(!outcome.timedOut)
        #expect(outcome.signal == SIGTERM)
    }

    /// Programs that wait for a file the test writes only after they started: with the cooperative threads
    /// blocked by running programs (the old tool's pipe reads), the file would never be written.
    @Test func runningPrograms_leaveSwiftsThreadsFree() async throws {
        let flag = NSTemporaryDirectory() + "/warden-program-run-\(UUID().uuidString)"
        defer { unlink(flag) }
        let script = "i=0; while [ ! -e '\(flag)' ]; do sleep 0.02; i=$((i+1)); done; echo seen"
        async let a = run("/bin/sh", ["-c", script], timeout: 15)
        async let b = run("/bin/sh", ["-c", script], timeout: 15)
        async let c = run("/bin/sh", ["-c", script], timeout: 15)
        async let d = run("/bin/sh", ["-c", script], timeout: 15)
        try await Task.sleep(for: .milliseconds(100))
        #expect(FileManager.default.createFile(atPath: flag, contents: Data()))
        for outcome in try await [a, b, c, d] {
            #expect(!outcome.timedOut)
            #expect(String(decoding: outcome.stdout, as: UTF8.self) == "seen\n")
        }
    }

    @Test func theProgramGetsOnlyItsThreeDescriptorsAndTheGivenEnvironment() async throws {
        let descriptors = try await run("/bin/ls", ["/proc/self/fd"])
        let open = String(decoding: descriptors.stdout, as: UTF8.self).split(separator: "\n").compactMap { Int($0) }
        // 0–2 and the descriptor ls opened to list the folder.
        #expect(open.filter { $0 > 2 }.count <= 1, "inherited descriptors: \(open)")
        let environment = try await run("/usr/bin/env", [], environment: ["ONLY": "this"])
        #expect(String(decoding: environment.stdout, as: UTF8.self) == "ONLY=this\n")
    }

    @Test func aMissingProgram_isAnError_notACrash() async throws {
        await #expect(throws: ProgramRun.SpawnError.self) { try await run("/nonexistent/program", []) }
    }

    /// True once `pid` no longer exists or is a zombie waiting for its new parent to reap it.
    static func isGone(_ pid: pid_t) async -> Bool {
        for _ in 0..<100 {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
            if let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}
