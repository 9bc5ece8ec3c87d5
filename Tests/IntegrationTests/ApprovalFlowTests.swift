import Foundation
import Testing
import WardenCore

#if canImport(Glibc)
    import Glibc
#endif

/// Held calls with real processes: the built `warden`, the repository's plugins and policies (shell.run needs an
/// operator's approval), an approver key made by `warden approvers new`, and kill -9 at the worst moments.
@Suite(.serialized) struct ApprovalFlowTests {
    /// A test home with its own copy of the repository's policies and an approver `tester` in `operators`.
    struct Setup {
        var home: TestHome
        let keyFolder: URL
        var key: String { keyFolder.appendingPathComponent("tester.key").path }

        init() throws {
            home = try TestHome(repositoryPlugins: true)
            let policies = home.root.appendingPathComponent("Policies")
            try FileManager.default.copyItem(at: RepositoryPaths.root.appendingPathComponent("Policies"), to: policies)
            home.policies = policies
            keyFolder = FileManager.default.temporaryDirectory.appendingPathComponent("warden-approver-\(UUID().uuidString)")
            let made = try WardenRun.run(
                ["approvers", "new", "tester", "--groups", "operators", "--callers", "mcp:someone-else", "--key", key]
                    + home.options)
            #expect(made.status == 0, "\(made.stderr)")
            // The job leaves a line per start and per end, so a test can count runs.
            try home.write("workspace/job.sh", "echo start >> ran.txt\nsleep ${1:-0}\necho end >> ran.txt\n")
            chmod(home.workspace.path, 0o777)
        }

        func remove() {
            home.remove()
            try? FileManager.default.removeItem(at: keyFolder)
        }

        var ran: [String] {
            ((try? String(contentsOf: home.workspace.appendingPathComponent("ran.txt"), encoding: .utf8)) ?? "")
                .split(separator: "\n").map(String.init)
        }

        static func job(sleep seconds: Int) -> String { "{\"program\": \"sh\", \"args\": [\"job.sh\", \"\(seconds)\"]}" }

        /// The single pending request's id, waiting up to 30 s for it to appear.
        func pendingID(_ options: [String]? = nil) throws -> String {
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                let list = try WardenRun.run(["approvals", "--json"] + (options ?? home.options))
                if let id = try? list.json().arrayValue?.first?["id"]?.stringValue { return id }
                Thread.sleep(forTimeInterval: 0.05)
            }
            throw FixtureError("no pending request appeared")
        }

        /// Starts `warden call shell.run` on the job in the background (extra arguments after it); stderr goes to
        /// `stderr` when given, else nowhere.
        func startCall(sleep seconds: Int, _ extra: [String] = [], stderr: Pipe? = nil) throws -> Process {
            let call = Process()
            call.executableURL = URL(fileURLWithPath: WardenRun.binary)
            call.arguments = ["call", "shell.run", "--args", Setup.job(sleep: seconds)] + extra + home.options
            call.standardOutput = FileHandle.nullDevice
            call.standardError = stderr ?? FileHandle.nullDevice
            try call.run()
            return call
        }

        func request(_ id: String) throws -> JSONValue {
            try WardenRun.run(["approvals", "show", id, "--json"] + home.options).json()
        }
    }

    @Test func cli_heldCall_isListed_approvedOnce_replayed_andAnotherIsDenied() throws {
        let s = try Setup()
        defer { s.remove() }
        let kernel = try KernelProcess(s.home)
        defer { kernel.stop() }
        let first = try kernel.run(["call", "shell.run", "--args", Setup.job(sleep: 0)])
        #expect(first.status == 5, "held calls exit 5: \(first.stderr)")
        #expect(first.stderr.contains("warden approve ap-"))
        let id = try s.pendingID()
        let shown = try kernel.run(["approvals", "show", id])
        #expect(shown.stdout.contains("shell.run") && shown.stdout.contains("shell-run-approval"))
        #expect(shown.stdout.contains("job.sh"))
        let watched = try kernel.run(["approvals", "watch", "--count", "2", "--interval", "50"])
        #expect(watched.status == 0 && watched.stdout.contains(id), "\(watched.stdout) \(watched.stderr)")
        let approvers = try kernel.run(["approvers", "list"])
        #expect(approvers.stdout.contains("tester  groups: operators"), "\(approvers.stdout)")
        #expect(s.ran.isEmpty, "nothing runs before the approval")

        let approved = try kernel.run(["approve", id, "--key", s.key, "--note", "looks fine"])
        #expect(approved.status == 0, "\(approved.stderr)")
        let again = try kernel.run(["approve", id, "--key", s.key])
        #expect(again.status == 3 && again.stderr.contains("already approved by tester"), "\(again.stderr)")

        let run = try kernel.run(["call", "shell.run", "--args", Setup.job(sleep: 0), "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try run.json()["approval"]?["state"] == "executing")
        let replay = try kernel.run(["call", "shell.run", "--args", Setup.job(sleep: 0), "--json"])
        #expect(replay.status == 0)
        #expect(try replay.json()["approval"]?["state"] == "executed")
        #expect(s.ran == ["start", "end"], "ran exactly once: \(s.ran)")

        // Another call (other arguments) is a new request; a denial refuses it.
        let other = try kernel.run(["call", "shell.run", "--args", Setup.job(sleep: 1)])
        #expect(other.status == 5)
        let otherID = try s.pendingID()
        #expect(otherID != id)
        let unreasoned = try kernel.run(["deny", otherID, "--key", s.key, "--reason", " "])
        #expect(unreasoned.status != 0)
        let denied = try kernel.run(["deny", otherID, "--key", s.key, "--reason", "not on a Friday"])
        #expect(denied.status == 0, "\(denied.stderr)")
        let refused = try kernel.run(["call", "shell.run", "--args", Setup.job(sleep: 1)])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("denied by tester: not on a Friday"), "\(refused.stderr)")
        #expect(s.ran == ["start", "end"])

        // Unknown and malformed ids; a key that is not an approver's.
        let unknown = try kernel.run(["approve", "ap-0123456789ab", "--key", s.key])
        #expect(unknown.status == 3 && unknown.stderr.contains("no request ap-0123456789ab"), "\(unknown.stderr)")
        let typo = try kernel.run(["approve", "12", "--key", s.key])
        #expect(typo.status == 3 && typo.stderr.contains("is not a request id"), "\(typo.stderr)")
        let strangerKey = s.keyFolder.appendingPathComponent("stranger/stranger.key").path
        let made = try WardenRun.run(
            ["approvers", "new", "stranger", "--groups", "operators", "--key", strangerKey, "--print-only"] + s.home.options)
        #expect(made.status == 0, "\(made.stderr)")
        let third = try kernel.run(["call", "shell.run", "--args", Setup.job(sleep: 2)])
        #expect(third.status == 5)
        let stranger = try kernel.run(["approve", try s.pendingID(), "--key", strangerKey])
        #expect(stranger.status == 3 && stranger.stderr.contains("is not an approver's key"), "\(stranger.stderr)")

        let listed = try kernel.run(["approvals", "--all", "--json"])
        let states = try listed.json().arrayValue?.compactMap { $0["state"]?.stringValue } ?? []
        #expect(states.sorted() == ["denied", "executed", "pending"])
        kernel.stop()
        let verified = try WardenRun.run(["audit", "verify"] + s.home.options)
        #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")
        let decisions = try WardenRun.run(["audit", "list", "--json"] + s.home.options)
        let kinds = try decisions.json().arrayValue?.compactMap { $0["payload"]?["decision"]?.stringValue } ?? []
        #expect(kinds.filter { $0 == "rejected" }.count >= 4, "every refused decision is recorded: \(kinds)")
    }

    /// Bad command-line input to the approval commands is refused before anything happens, saying what is wrong.
    @Test func cli_badArguments_areRefusedWithAMessage() throws {
        let s = try Setup()
        defer { s.remove() }
        let cases: [([String], String)] = [
            (["call", "echo.echo", "--idempotency-key", ""], "--idempotency-key must have 1 to"),
            (["call", "echo.echo", "--wait-timeout", "0"], "--wait-timeout must be between 1 and"),
            (["approvals", "watch", "--interval", "10"], "--interval must be at least 50"),
            (["approvers", "new", "Bad", "--groups", "operators"], "is not an approver name"),
            (["approvers", "new", "carol", "--groups", ""], "--groups needs at least one group"),
            (["approvers", "new", "carol", "--groups", "Ops!"], "is not a group name"),
            (["deny", "ap-000000000000", "--key", s.key], "Missing expected argument '--reason"),
            (["serve", "--approval-wait", "90000"], "--approval-wait must be between 0 and 86400"),
        ]
        for (arguments, expected) in cases {
            let run = try WardenRun.run(arguments + s.home.options)
            #expect(run.status != 0, "\(arguments) was accepted")
            #expect(run.stderr.contains(expected), "\(arguments): \(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: s.home.home.path), "a refused command touched the state folder")
    }

    @Test func cli_wait_resumesWhenApproved() throws {
        let s = try Setup()
        defer { s.remove() }
        let kernel = try KernelProcess(s.home)
        defer { kernel.stop() }
        let err = Pipe()
        let waiting = try s.startCall(sleep: 0, ["--wait", "--wait-timeout", "60"], stderr: err)
        let id = try s.pendingID()
        let approved = try kernel.run(["approve", id, "--key", s.key])
        #expect(approved.status == 0, "\(approved.stderr)")
        waiting.waitUntilExit()
        let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(waiting.terminationStatus == 0, "\(said)")
        #expect(said.contains("waiting for approval \(id)"), "\(said)")
        #expect(s.ran == ["start", "end"])
    }

    /// A `warden call --wait` that goes away stops waiting in the kernel too: its pending invocation is recorded
    /// at once, not when the wait would have timed out; nothing runs.
    @Test func cli_wait_abandoned_stopsWaitingInTheKernel() throws {
        let s = try Setup()
        defer { s.remove() }
        let kernel = try KernelProcess(s.home)
        defer { kernel.stop() }
        let waiting = try s.startCall(sleep: 0, ["--wait", "--wait-timeout", "600"])
        let id = try s.pendingID()
        kill(waiting.processIdentifier, SIGKILL)
        waiting.waitUntilExit()
        let deadline = Date().addingTimeInterval(20)
        var recorded = false
        while !recorded && Date() < deadline {
            let list = try kernel.run(["audit", "list", "--json"])
            recorded = (try? list.json().arrayValue?.contains {
                $0["payload"]?["outcome"] == "pending" && $0["payload"]?["approval"]?["request_id"]?.stringValue == id
            }) == true
            if !recorded { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(recorded, "the abandoned wait was not recorded as pending within 20 s")
        #expect(try s.request(id)["state"] == "pending")
        #expect(s.ran.isEmpty)
    }

    /// kill -9 after the approval, before anything ran: after a restart the call runs once when called again.
    @Test func crash_betweenApprovalAndExecution_runsAtMostOnce() throws {
        let s = try Setup()
        defer { s.remove() }
        var kernel = try KernelProcess(s.home)
        #expect(try kernel.run(["call", "shell.run", "--args", Setup.job(sleep: 0)]).status == 5)
        let id = try s.pendingID()
        #expect(try kernel.run(["approve", id, "--key", s.key]).status == 0)
        kernel.kill9()
        kernel = try KernelProcess(s.home)
        defer { kernel.stop() }
        #expect(try s.request(id)["state"] == "approved")
        #expect(s.ran.isEmpty)
        let run = try kernel.run(["call", "shell.run", "--args", Setup.job(sleep: 0)])
        #expect(run.status == 0, "\(run.stderr)")
        let replay = try kernel.run(["call", "shell.run", "--args", Setup.job(sleep: 0)])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(s.ran == ["start", "end"], "\(s.ran)")
    }

    /// kill -9 while the approved call runs: after a restart it is marked interrupted and never re-run by itself.
    @Test func crash_duringExecution_marksItInterrupted_andNeverReruns() throws {
        let s = try Setup()
        defer { s.remove() }
        var kernel = try KernelProcess(s.home)
        #expect(try kernel.run(["call", "shell.run", "--args", Setup.job(sleep: 30)]).status == 5)
        let id = try s.pendingID()
        #expect(try kernel.run(["approve", id, "--key", s.key]).status == 0)
        let running = try s.startCall(sleep: 30)
        let deadline = Date().addingTimeInterval(30)
        while s.ran.isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(s.ran == ["start"], "the job started")
        kernel.kill9()
        running.waitUntilExit()
        kernel = try KernelProcess(s.home)
        defer { kernel.stop() }
        #expect(try s.request(id)["state"] == "interrupted")
        let again = try kernel.run(["call", "shell.run", "--args", Setup.job(sleep: 30)])
        #expect(again.status == 3, "\(again.stderr)")
        #expect(again.stderr.contains("not re-run"), "\(again.stderr)")
        Thread.sleep(forTimeInterval: 0.5)
        #expect(s.ran == ["start"], "never re-run, and the cut-off run did not finish: \(s.ran)")
        kernel.stop()
        let verified = try WardenRun.run(["audit", "verify"] + s.home.options)
        #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")
    }

    /// The done-when path: an MCP client's shell call waits (with progress naming the request), is approved and runs
    /// once; a second is denied; the log verifies.
    @Test func mcp_heldCall_waitsWithProgress_thenRuns_andADeniedOneIsRefused() throws {
        let s = try Setup()
        defer { s.remove() }
        let client = Process()
        client.executableURL = URL(fileURLWithPath: MCPGatewayTests.python)
        client.arguments = [
            RepositoryPaths.root.appendingPathComponent("Tests/python/mcp_client.py").path, "--era", "modern",
            WardenRun.binary,
        ] + s.home.options + ["--workspace", s.home.workspace.path, "--approval-wait", "60"]
        let input = Pipe()
        let output = Pipe()
        client.standardInput = input
        client.standardOutput = output
        // The client's stderr carries the kernel's (`serve --stdio`) log: a file, attached if the test fails.
        let log = s.home.root.appendingPathComponent("mcp-kernel.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        client.standardError = try FileHandle(forWritingTo: log)
        try client.run()
        defer {
            if client.isRunning { client.terminate() }
        }
        func kernelLog() -> String { ((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(6000).description }
        let calls: JSONValue = [
            ["shell.run", ["program": "sh", "args": ["job.sh", "0"]]],
            ["shell.run", ["program": "sh", "args": ["job.sh", "1"]], ["warden/idempotency_key": "second"]],
        ]
        input.fileHandleForWriting.write(Data(calls.serialized().utf8))
        try input.fileHandleForWriting.close()
        let first: String
        do {
            first = try s.pendingID()
        } catch {
            Issue.record("kernel log:\n\(kernelLog())")
            throw error
        }
        #expect(try WardenRun.run(["approve", first, "--key", s.key] + s.home.options).status == 0)
        let deadline = Date().addingTimeInterval(30)
        var second = first
        while second == first && Date() < deadline { second = (try? s.pendingID()) ?? first }
        let denied = try WardenRun.run(["deny", second, "--key", s.key, "--reason", "enough for today"] + s.home.options)
        #expect(denied.status == 0, "\(denied.stderr)")
        let text = output.fileHandleForReading.readDataToEndOfFile()
        client.waitUntilExit()
        #expect(client.terminationStatus == 0)
        let report = try JSONValue.parse(Array(text))
        let results = report["calls"]?.arrayValue ?? []
        #expect(results.count == 2)
        #expect(results.first?["is_error"] == false, "\(results)")
        let progress = results.first?["progress"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
        #expect(progress.contains { $0.contains(first) && $0.contains("warden approve \(first)") }, "\(progress)")
        #expect(results.last?["is_error"] == true)
        #expect(results.last?["status"] == "refused")
        #expect(results.last?["text"]?.stringValue?.contains("enough for today") == true, "\(results)")
        #expect(s.ran == ["start", "end"])
        let verified = try WardenRun.run(["audit", "verify"] + s.home.options)
        #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
