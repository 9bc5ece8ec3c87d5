import Foundation
import Testing
import WardenCore

/// The official Python MCP SDK as the client of `warden serve --stdio`, with the repository's plugins and
/// default policies: list tools, call them, see a refusal.
@Suite(.serialized) struct MCPGatewayTests {
    static var python: String {
        ProcessInfo.processInfo.environment["WARDEN_PYTHON"]
            ?? RepositoryPaths.root.appendingPathComponent(".venv/bin/python").path
    }

    func client(_ home: TestHome, era: String, calls: JSONValue) throws -> JSONValue {
        #expect(FileManager.default.isExecutableFile(atPath: Self.python), "no Python with the MCP SDK: run `make test`")
        let script = RepositoryPaths.root.appendingPathComponent("Tests/python/mcp_client.py").path
        let run = try WardenRun.runProgram(
            Self.python,
            [script, "--era", era, WardenRun.binary] + home.options + ["--workspace", home.workspace.path],
            input: calls.serialized())
        #expect(run.status == 0, "mcp client failed: \(run.stderr.suffix(3000))")
        return try JSONValue.parse(run.stdout)
    }

    @Test(arguments: ["legacy", "modern"])
    func sdkClient_listsAndCallsTools_andSeesARefusal(era: String) throws {
        let home = try TestHome(repositoryPlugins: true)
        defer { home.remove() }
        try home.write("workspace/notes.txt", "hello from the workspace\n")
        let report = try client(home, era: era, calls: [
            ["files.read", ["path": "notes.txt"]],
            ["time.get_current_time", ["timezone": "UTC"]],
            ["shell.run", ["program": "rm", "args": ["-rf", "/"]]],
            ["files.read", ["path": "missing.txt"]],
        ])
        #expect(report["server"] == "warden")
        let tools = report["tools"]?.arrayValue?.compactMap(\.stringValue) ?? []
        for expected in ["files.read", "files.write", "shell.run", "http.get", "time.get_current_time"] {
            #expect(tools.contains(expected), "\(expected) missing from \(tools)")
        }
        let calls = report["calls"]?.arrayValue ?? []
        #expect(calls.count == 4)
        #expect(calls[0]["is_error"] == false)
        #expect(calls[0]["text"]?.stringValue?.contains("hello from the workspace") == true)
        #expect(calls[0]["envelope_seq"]?.intValue != nil)
        #expect(calls[1]["is_error"] == false, "\(calls[1])")
        #expect(calls[1]["structured"]?["timezone"] == "UTC")
        #expect(calls[2]["is_error"] == true)
        #expect(calls[2]["status"] == "refused")
        #expect(calls[2]["text"]?.stringValue?.hasPrefix("refused:") == true)
        #expect((calls[2]["rules"]?.arrayValue ?? []).isEmpty == false)
        // A bad argument is a tool error the model can read and correct (MCP 2025-11-25), not a JSON-RPC error.
        #expect(calls[3]["is_error"] == true, "\(calls[3])")
        #expect(calls[3]["status"] == "tool_error", "\(calls[3])")
        #expect(calls[3]["text"] == "missing.txt does not exist", "\(calls[3])")
    }

    /// The gateway says it announces tool-list changes, and does: when a tool plugin announces a new list, when a
    /// plugin folder is dropped into the plugins folder, and when it is removed.
    @Test func toolListChanges_areAnnouncedToTheClient() throws {
        let home = try TestHome(repositoryPlugins: false)
        defer { home.remove() }
        try home.addBundled("policy")
        try home.addMisbehaving("grows", timeoutMS: 5000)
        try home.write("Policies/grants.json", """
            {"grants": {"policy": {"read": ["policies"]}, "grows": {}, "late": {}}}
            """)
        try home.allowEveryTool()
        let client = RepositoryPaths.root.appendingPathComponent("Tests/python/list_changed_client.py").path
        let run = try WardenRun.runProgram(
            Self.python,
            [client, home.plugins.path, WardenRun.binary] + home.options
                + ["--workspace", home.workspace.path, "--watch-interval", "200"],
            timeout: .seconds(240))
        #expect(run.status == 0, "\(run.stderr.suffix(3000))")
        let report = try JSONValue.parse(run.stdout)
        #expect(report["list_changed"] == true)
        #expect(report["before"] == ["grows.poke"], "\(run.stdout)")
        #expect(report["poke"] == "ran poke")
        #expect(report["announced_after_poke"] == true, "\(run.stdout)")
        #expect(report["after_poke"] == ["grows.poke", "grows.poke2"], "\(run.stdout)")
        #expect(report["announced_after_add"] == true, "\(run.stdout)")
        #expect(report["after_add"] == ["grows.poke", "grows.poke2", "late.poke"], "\(run.stdout)")
        #expect(report["announced_after_remove"] == true, "\(run.stdout)")
        #expect(report["after_remove"] == ["grows.poke", "grows.poke2"], "\(run.stdout)")
    }

    /// A tool plugin that never answers its handshake (60 s timeout) does not hold the other plugins' listing
    /// hostage: listings wait for it at most `--tool-list-wait` from the first, and the other tools are callable.
    /// (Before, every listing waited for its whole handshake: about a minute each.)
    @Test func aToolPluginThatHangsAtStart_doesNotHoldTheListing() throws {
        let home = try TestHome(repositoryPlugins: false)
        defer { home.remove() }
        try home.addBundled("echo")
        try home.addBundled("policy")
        try home.addMisbehaving("silent", timeoutMS: 60000)
        try home.write("Policies/grants.json", """
            {"grants": {"echo": {}, "policy": {"read": ["policies"]}, "silent": {}}}
            """)
        try home.allowEveryTool()
        let client = RepositoryPaths.root.appendingPathComponent("Tests/python/slow_plugin_client.py").path
        let run = try WardenRun.runProgram(
            Self.python,
            [client, WardenRun.binary] + home.options + ["--workspace", home.workspace.path, "--tool-list-wait", "3"],
            timeout: .seconds(240))
        #expect(run.status == 0, "\(run.stderr.suffix(3000))")
        let report = try JSONValue.parse(run.stdout)
        let listings = report["listings"]?.arrayValue ?? []
        #expect(listings.count == 2)
        for listing in listings {
            #expect(listing["tools"] == ["echo.echo"], "\(run.stdout)")
            #expect((listing["seconds"]?.doubleValue ?? 99) < 40, "\(run.stdout)")
        }
        #expect(report["call"]?.stringValue?.contains("still here") == true, "\(run.stdout)")
    }

    /// A tool's progress reaches the client under the client's own token (the plugin saw a token of the kernel's).
    @Test func toolProgress_reachesTheClient() throws {
        let home = try TestHome(repositoryPlugins: true)
        defer { home.remove() }
        for i in 0..<250 { try home.write("workspace/notes/\(i).txt", "line \(i)\n") }
        let report = try client(home, era: "modern", calls: [["files.search", ["text": "line 7"]]])
        let call = try #require(report["calls"]?.arrayValue?.first)
        #expect(call["is_error"] == false, "\(call)")
        let values = call["progress"]?.arrayValue?.compactMap { $0["progress"]?.doubleValue } ?? []
        #expect(values == [0, 100, 200], "\(call)")
    }

    /// The gateway's own `_meta` keys must have the right type; otherwise the request is refused as invalid params.
    @Test func wardenMetaKeys_ofTheWrongType_areRefused() throws {
        let home = try TestHome(repositoryPlugins: true)
        defer { home.remove() }
        let report = try client(home, era: "modern", calls: [
            ["echo.echo", ["text": "a"], ["warden/idempotency_key": 7]],
            ["echo.echo", ["text": "b"], ["warden/approval_wait_seconds": "soon"]],
        ])
        let calls = report["calls"]?.arrayValue ?? []
        #expect(calls.count == 2)
        #expect(calls.first?["error"]?.stringValue?.contains("warden/idempotency_key") == true, "\(calls)")
        #expect(calls.last?["error"]?.stringValue?.contains("warden/approval_wait_seconds") == true, "\(calls)")
    }

    /// 5,000 pipelined calls in one write — more than the gateway runs (256) and queues (4,096) at once, so the
    /// reader has to wait for places — each answered once with its own result, and the default rate limit (1,200
    /// calls a minute per caller and tool) holds however many arrive at once; an id sent twice while the first is in
    /// flight is refused, not run twice; a call cancelled while queued is dropped unanswered; closing stdin answers
    /// everything in flight before the kernel exits.
    @Test func aFloodOfPipelinedCalls_isAnsweredInFull_withinBoundedWork() throws {
        let home = try TestHome(repositoryPlugins: true)
        defer { home.remove() }
        let script = RepositoryPaths.root.appendingPathComponent("Tests/python/flood_client.py").path
        let run = try WardenRun.runProgram(
            Self.python, [script, "5000", WardenRun.binary] + home.options + ["--workspace", home.workspace.path],
            timeout: .seconds(300))
        #expect(run.status == 0, "\(run.stderr.suffix(3000))")
        let report = try JSONValue.parse(run.stdout)
        let ok = try #require(report["ok"]?.intValue)
        #expect(ok + (report["rate_limited"]?.intValue ?? 0) == 4999, "\(run.stdout)")
        #expect(report["other"] == [], "\(run.stdout)")
        // Exactly the limit within a minute; a slower run gets one more minute's worth per minute.
        let minutes = Int64((report["seconds"]?.doubleValue ?? 0) / 60) + 1
        #expect(ok >= 1200 && ok <= 1200 * minutes, "\(run.stdout)")
        #expect(report["middle"] == ["error", "result"], "\(run.stdout)")
        #expect(report["errors"]?.arrayValue?.first?.stringValue?.contains("already in flight") == true)
        #expect(report["cancelled_answered"] == false)
    }
}

