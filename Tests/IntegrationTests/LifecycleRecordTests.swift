import Foundation
import Testing
import WardenCore

/// An in-process kernel (`warden call` with no kernel running) stops its plugins before it closes the log: every
/// plugin it started has its "stopped" lifecycle envelope, and the log verifies.
@Suite struct LifecycleRecordTests {
    @Test func inProcessCall_logsEveryStartedPluginAsStopped() throws {
        let home = try TestHome(repositoryPlugins: true)
        defer { home.remove() }
        let call = try WardenRun.run(
            ["call", "echo.echo", "--args", "{\"text\": \"hi\"}", "--workspace", home.workspace.path] + home.options)
        #expect(call.status == 0, "\(call.stderr)")
        #expect(!call.stderr.contains("cannot record"), "\(call.stderr)")
        let list = try WardenRun.run(["audit", "list", "--json"] + home.options)
        let payloads = try list.json().arrayValue?.compactMap { $0["payload"] } ?? []
        let lifecycle = payloads.filter { $0["plugin"] != nil && $0["event"] != nil }
        let started = Set(lifecycle.filter { $0["event"] == "started" }.compactMap { $0["plugin"]?.stringValue })
        let stopped = Set(lifecycle.filter { $0["event"] == "stopped" }.compactMap { $0["plugin"]?.stringValue })
        #expect(started.contains("echo"), "\(lifecycle)")
        #expect(started == stopped, "started \(started.sorted()), stopped \(stopped.sorted())")
        let verified = try WardenRun.run(["audit", "verify"] + home.options)
        #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")
    }
}
