import Foundation
import Testing
import WardenCore

/// Misbehaving plugins: each gets a clear error to the caller, the kernel keeps serving, and the other plugins
/// are not affected.
@Suite(.serialized) struct BadPluginTests {
    static let modes = ["garbage", "silent", "wrongid", "hugeline", "exitmid", "stderrflood", "forkexit", "hang"]

    func fixture() throws -> TestHome {
        let home = try TestHome(repositoryPlugins: false)
        try home.addBundled("echo")
        try home.addBundled("policy")
        var grants: [String: JSONValue] = ["echo": [:], "policy": ["read": ["policies"]]]
        for mode in Self.modes + ["callsback", "grows", "badnames", "flaps", "strict"] {
            let spawn = mode == "forkexit"
            try home.addMisbehaving(mode, timeoutMS: 1500, spawn: spawn, frameKB: 1024)
            grants[mode] = spawn ? ["spawn": true] : [:]
        }
        try home.write("Policies/grants.json", JSONValue.object(["grants": .object(grants)]).prettyPrinted())
        try home.allowEveryTool()
        return home
    }

    @Test func everyMisbehaviour_failsItsCall_andTheKernelKeepsServing() throws {
        let home = try fixture()
        defer { home.remove() }
        let kernel = try KernelProcess(home)
        defer { kernel.stop() }
        for mode in Self.modes {
            let started = Date()
            let run = try kernel.run(["call", "\(mode).poke", "--json"])
            let outcome = try run.json()
            let elapsed = Date().timeIntervalSince(started)
            if mode == "stderrflood" {
                #expect(outcome["status"] == "ok", "\(mode): \(run.stdout)")
                continue
            }
            #expect(run.status == 4, "\(mode): exit \(run.status) \(run.stdout) \(run.stderr)")
            #expect(outcome["status"] == "failed", "\(mode): \(run.stdout)")
            let reason = outcome["reason"]?.stringValue ?? ""
            #expect(!reason.isEmpty)
            #expect(elapsed < 20, "\(mode) took \(elapsed) s")
            // The kernel and its other plugins are unaffected.
            let echo = try kernel.run(["call", "echo.echo", "--args", #"{"text": "still here"}"#, "--json"])
            #expect(echo.status == 0, "after \(mode): \(echo.stdout) \(echo.stderr)")
        }
        #expect(kernel.process.isRunning)
    }

    @Test func reasons_sayWhatWentWrong() throws {
        let home = try fixture()
        defer { home.remove() }
        let kernel = try KernelProcess(home)
        defer { kernel.stop() }
        let expectations = [
            "garbage": "not JSON", "wrongid": "never sent", "hugeline": "frame cap", "exitmid": "exited",
            "hang": "within 1500 ms",
        ]
        for (mode, words) in expectations.sorted(by: { $0.key < $1.key }) {
            let outcome = try kernel.run(["call", "\(mode).poke", "--json"]).json()
            let reason = outcome["reason"]?.stringValue ?? ""
            #expect(reason.contains(words), "\(mode): \(reason)")
        }
    }

    @Test func unknownTool_andBadArguments_areRefusedClearly() throws {
        let home = try fixture()
        defer { home.remove() }
        let unknown = try WardenRun.run(["call", "nosuch.tool", "--json", "--workspace", home.workspace.path] + home.options)
        #expect(unknown.status == 3)
        #expect(try unknown.json()["reason"]?.stringValue?.contains("unknown tool nosuch.tool") == true)
        let notJSON = try WardenRun.run(["call", "echo.echo", "--args", "{not json", "--workspace", home.workspace.path] + home.options)
        #expect(notJSON.status == 2)
        #expect(notJSON.stderr.contains("--args is not JSON"))
        let notObject = try WardenRun.run(["call", "echo.echo", "--args", "[1]", "--workspace", home.workspace.path] + home.options)
        #expect(notObject.status == 2)
        #expect(notObject.stderr.contains("must be a JSON object"))
    }

    /// Tool names reach policies, approvers and agents: a malformed, look-alike, overlong or duplicated one is
    /// withheld (only `poke` is offered), each with a problem the operator sees; the plugin's other tools still run.
    @Test func badlyNamedTools_areWithheld_andNamed() throws {
        let home = try fixture()
        defer { home.remove() }
        let check = try WardenRun.run(["plugins", "check", "badnames", "--json", "--workspace", home.workspace.path] + home.options)
        #expect(check.status == 1, "\(check.stdout) \(check.stderr)")
        let entry = try #require(try check.json().arrayValue?.first)
        #expect(entry["state"] == "ready")
        #expect(entry["tools"] == ["badnames.poke"], "\(entry)")
        let problems = entry["problems"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(problems.count == 6, "\(problems)")
        #expect(problems.contains("tool \"po ke\" is withheld: a tool name is 1-128 of A-Z a-z 0-9 _ - . /"))
        #expect(problems.contains("tool \"r\u{435}ad\" is withheld: a tool name is 1-128 of A-Z a-z 0-9 _ - . /"))
        #expect(problems.contains("tool \"dup\" is withheld: the plugin offers 2 tools of that name"))
        #expect(problems.contains("tool \"bell\\u{7}\" is withheld: a tool name is 1-128 of A-Z a-z 0-9 _ - . /"))
        let call = try WardenRun.run(["call", "badnames.poke", "--json", "--workspace", home.workspace.path] + home.options)
        #expect(call.status == 0, "\(call.stdout) \(call.stderr)")
        let dup = try WardenRun.run(["call", "badnames.dup", "--json", "--workspace", home.workspace.path] + home.options)
        #expect(dup.status == 3, "\(dup.stdout) \(dup.stderr)")
    }

    /// A legacy server that exits when its first message is not `initialize` (the `server/discover` probe) is
    /// started again with `initialize` at once, as after a probe nobody answers: it works, and it is not a crash.
    @Test func aServerThatExitsOnTheProbe_isStartedWithInitialize() throws {
        let home = try fixture()
        defer { home.remove() }
        let run = try WardenRun.run(["call", "strict.poke", "--json", "--workspace", home.workspace.path] + home.options)
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        let list = try WardenRun.run(["audit", "list", "--json"] + home.options)
        let events = try list.json().arrayValue?.compactMap { $0["payload"] }.filter { $0["plugin"] == "strict" }
            .compactMap { $0["event"]?.stringValue } ?? []
        #expect(events.contains("started"), "\(events)")
        #expect(!events.contains("crashed") && !events.contains("restarting"), "\(events)")
    }

    /// MCP lets a server send its client requests. The kernel answers `ping` and refuses the rest (plugins may not
    /// call back into it: no sampling, no roots) without dropping the call in progress.
    @Test func requestsFromAPlugin_areAnswered_andTheCallGoesOn() throws {
        let home = try fixture()
        defer { home.remove() }
        let run = try WardenRun.run(["call", "callsback.poke", "--json", "--workspace", home.workspace.path] + home.options)
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        let text = try run.json()["result"]?["content"]?.arrayValue?.first?["text"]?.stringValue
        #expect(text == "back-ping:{} back-roots/list:-32601 back-sampling/createMessage:-32601", "\(run.stdout)")
    }

    /// A tool plugin that announces a new tool list gets it fetched: the new tool can be called through the running
    /// kernel, and the change is in the log as a `tools_changed` lifecycle record naming the tool.
    @Test func aToolListChange_isFetched_andRecorded() throws {
        let home = try fixture()
        defer { home.remove() }
        let kernel = try KernelProcess(home)
        defer { kernel.stop() }
        let before = try kernel.run(["call", "grows.poke2", "--json"])
        #expect(before.status == 3, "\(before.stdout) \(before.stderr)")
        let first = try kernel.run(["call", "grows.poke", "--json"])
        #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
        var second = try kernel.run(["call", "grows.poke2", "--json"])
        for _ in 0..<50 where second.status != 0 {
            Thread.sleep(forTimeInterval: 0.1)
            second = try kernel.run(["call", "grows.poke2", "--json"])
        }
        #expect(second.status == 0, "\(second.stdout) \(second.stderr)")
        #expect(second.stdout.contains("ran poke2"))
        let list = try kernel.run(["audit", "list", "--json"])
        let changes = try list.json().arrayValue?.compactMap { $0["payload"] }.filter {
            $0["event"] == "tools_changed" && $0["plugin"] == "grows"
        } ?? []
        #expect(changes.count == 1, "\(list.stdout.suffix(2000))")
        #expect(changes.first?["reason"]?.stringValue == "added poke2", "\(changes)")
    }

    /// A plugin that announces a new tool list without end is listed again at most once a second: 100
    /// announcements over half a second make a handful of fetches and `tools_changed` records, not 100.
    @Test func aFloodOfToolListAnnouncements_isRateLimited() throws {
        let home = try fixture()
        defer { home.remove() }
        let kernel = try KernelProcess(home)
        defer { kernel.stop() }
        let began = Date()
        let poke = try kernel.run(["call", "flaps.poke", "--json"])
        #expect(poke.status == 0, "\(poke.stdout) \(poke.stderr)")
        Thread.sleep(forTimeInterval: 1.5)
        let seconds = Date().timeIntervalSince(began)
        let list = try kernel.run(["audit", "list", "--json"])
        let changes = try list.json().arrayValue?.compactMap { $0["payload"] }.filter {
            $0["event"] == "tools_changed" && $0["plugin"] == "flaps"
        } ?? []
        #expect(changes.count >= 1, "\(list.stdout.suffix(2000))")
        #expect(Double(changes.count) <= seconds + 2, "\(changes.count) records in \(seconds) s")
    }
}
