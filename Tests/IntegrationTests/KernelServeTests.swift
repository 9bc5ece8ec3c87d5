import Foundation
import Testing
import WardenCore

/// `warden serve` with its control socket: discovery while running, grants, calls through the socket, the log.
@Suite(.serialized) struct KernelServeTests {
    func fixture() throws -> TestHome {
        let home = try TestHome(repositoryPlugins: false)
        try home.addBundled("echo")
        try home.addBundled("policy")
        try home.write("Policies/grants.json", """
            {"grants": {"echo": {}, "echo2": {}, "greedy": {}, "policy": {"read": ["policies"]}}}
            """)
        try home.write("Policies/policies/allow.yaml", """
            version: 1
            description: The echo tools may be called.
            rules:
              - id: allow-echo
                description: Echo is harmless.
                effect: allow
                match:
                  tools: ["echo.*", "echo2.*"]
            """)
        return home
    }

    func plugin(_ list: JSONValue, _ name: String) -> JSONValue? {
        list.arrayValue?.first { $0["name"]?.stringValue == name }
    }

    @Test func controlSocket_isOwnerOnly_andServesCallsWithTheirEnvelope() throws {
        let home = try fixture()
        defer { home.remove() }
        let kernel = try KernelProcess(home)
        defer { kernel.stop() }
        let socket = home.home.appendingPathComponent("control.sock").path
        let mode = try FileManager.default.attributesOfItem(atPath: socket)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let call = try kernel.run(["call", "echo.echo", "--args", #"{"text": "through the socket"}"#, "--json"])
        #expect(call.status == 0, "\(call.stdout) \(call.stderr)")
        let outcome = try call.json()
        #expect(outcome["result"]?["structuredContent"]?["text"] == "through the socket")
        #expect(outcome["envelope"]?["seq"]?.intValue != nil)
        let refused = try kernel.run(["call", "echo.nosuch", "--json"])
        #expect(refused.status == 3)
        kernel.stop()
        let verify = try WardenRun.run(["audit", "verify", "--home", home.home.path])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
        let list = try WardenRun.run(["audit", "list", "--json", "--home", home.home.path])
        #expect(list.stdout.contains("echo.echo"))
        #expect(list.stdout.contains("echo.nosuch"))
    }

    @Test func pluginFolders_addedAndRemovedWhileRunning_arePickedUp() throws {
        let home = try fixture()
        defer { home.remove() }
        let kernel = try KernelProcess(home, extra: ["--watch-interval", "200"])
        defer { kernel.stop() }
        let manifest = try String(contentsOf: home.plugins.appendingPathComponent("echo/plugin.json"), encoding: .utf8)
        try FileManager.default.createDirectory(
            at: home.plugins.appendingPathComponent("echo2/bin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: home.plugins.appendingPathComponent("echo/bin/warden-plugin"),
            to: home.plugins.appendingPathComponent("echo2/bin/warden-plugin"))
        try home.write("Plugins/echo2/plugin.json", manifest.replacingOccurrences(of: "\"name\": \"echo\"", with: "\"name\": \"echo2\""))
        var found = false
        for _ in 0..<50 where !found {
            Thread.sleep(forTimeInterval: 0.2)
            found = plugin(try kernel.run(["plugins", "list", "--json"]).json(), "echo2")?["state"] == "ready"
        }
        #expect(found, "echo2 was not picked up")
        let call = try kernel.run(["call", "echo2.echo", "--args", #"{"text": "new"}"#])
        #expect(call.status == 0, "\(call.stdout) \(call.stderr)")
        try FileManager.default.removeItem(at: home.plugins.appendingPathComponent("echo2"))
        let reload = try kernel.run(["plugins", "reload", "--json"])
        #expect(reload.status == 0)
        #expect(plugin(try kernel.run(["plugins", "list", "--json"]).json(), "echo2") == nil)
    }

    @Test func manifestAskingMoreThanItsGrant_isNotStarted_andTheDifferenceIsNamed() throws {
        let home = try fixture()
        defer { home.remove() }
        try FileManager.default.createDirectory(
            at: home.plugins.appendingPathComponent("greedy/bin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: home.plugins.appendingPathComponent("echo/bin/warden-plugin"),
            to: home.plugins.appendingPathComponent("greedy/bin/warden-plugin"))
        try home.write("Plugins/greedy/plugin.json", """
            {"name": "greedy", "version": "1", "kind": "tool", "command": ["bin/warden-plugin", "echo"],
             "capabilities": {"network": "outbound", "write": ["/etc"]}}
            """)
        let check = try WardenRun.run(["plugins", "check", "greedy", "--json", "--workspace", home.workspace.path] + home.options)
        #expect(check.status == 1)
        let entry = try check.json().arrayValue?.first
        #expect(entry?["state"] == "failed")
        let problems = entry?["problems"]?.arrayValue?.compactMap(\.stringValue).joined() ?? ""
        #expect(problems.contains("write /etc"), "\(problems)")
        #expect(problems.contains("network outbound (granted: none)"), "\(problems)")
    }

    /// A plugin that exits at start says why on stderr; `plugins check` shows the operator those last lines.
    @Test func aPluginThatExitsAtStart_showsItsLastStderrLines() throws {
        let home = try fixture()
        defer { home.remove() }
        try home.write("Plugins/quits/quits.py", """
            import sys
            sys.stderr.write("starting\\n")
            sys.stderr.write("ERROR: the folder to serve does not exist\\n")
            sys.exit(1)
            """)
        try home.write("Plugins/quits/plugin.json", """
            {"name": "quits", "version": "1", "kind": "tool", "interpreter": "/usr/bin/python3", "command": ["quits.py"]}
            """)
        let check = try WardenRun.run(["plugins", "check", "quits", "--json", "--workspace", home.workspace.path] + home.options)
        #expect(check.status == 1)
        let problems = try check.json().arrayValue?.first?["problems"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(problems.contains("its stderr: ERROR: the folder to serve does not exist"), "\(problems)")
        #expect(problems.contains("its stderr: starting"), "\(problems)")
    }

    /// `${workspace}` in a manifest's command reaches the confined program as the workspace folder.
    @Test func workspacePlaceholder_reachesTheProgram() throws {
        let home = try fixture()
        defer { home.remove() }
        try home.write("Policies/grants.json", """
            {"grants": {"echo": {}, "policy": {"read": ["policies"]}, "argv": {"read": ["workspace"]}}}
            """)
        try home.write("Plugins/argv/argv.py", """
            import os, sys
            sys.stderr.write("argument: %s, readable: %s\\n" % (sys.argv[1], os.path.isdir(sys.argv[1])))
            sys.exit(1)
            """)
        try home.write("Plugins/argv/plugin.json", """
            {"name": "argv", "version": "1", "kind": "tool", "interpreter": "/usr/bin/python3",
             "command": ["argv.py", "${workspace}"], "capabilities": {"read": ["workspace"]}}
            """)
        let check = try WardenRun.run(["plugins", "check", "argv", "--json", "--workspace", home.workspace.path] + home.options)
        let problems = try check.json().arrayValue?.first?["problems"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let workspace = home.workspace.resolvingSymlinksInPath().path
        #expect(problems.contains("its stderr: argument: \(workspace), readable: True"), "\(problems)")
    }

    @Test func malformedManifest_isReportedWithFileAndLine_andOthersStillRun() throws {
        let home = try fixture()
        defer { home.remove() }
        try home.write("Plugins/broken/plugin.json", "{\n  \"name\": \"broken\",\n  \"version\": 1,\n  \"kind\": \"tool\"\n}\n")
        let list = try WardenRun.run(["plugins", "list", "--json", "--workspace", home.workspace.path] + home.options)
        let broken = plugin(try list.json(), "broken")
        #expect(broken?["state"] == "invalid")
        let problems = broken?["problems"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(problems.contains("Plugins/broken/plugin.json:3: \"version\" must be a string, not integer"))
        #expect(problems.contains(where: { $0.hasPrefix("Plugins/broken/plugin.json:1: missing required key \"command\"") }))
        #expect(plugin(try list.json(), "echo")?["state"] == "ready")
    }

    @Test func policyPluginCrashingMidDecision_deniesTheCall_evenBesideAnAllow() throws {
        let home = try fixture()
        defer { home.remove() }
        let script = try String(
            contentsOf: RepositoryPaths.root.appendingPathComponent("Tests/Fixtures/misbehaving.py"), encoding: .utf8)
        try home.write("Plugins/crashpolicy/misbehaving.py", script)
        try home.write("Plugins/crashpolicy/plugin.json", """
            {"name": "crashpolicy", "version": "1", "kind": "policy", "interpreter": "/usr/bin/python3",
             "command": ["misbehaving.py", "policycrash"]}
            """)
        let kernel = try KernelProcess(home)
        defer { kernel.stop() }
        let call = try kernel.run(["call", "echo.echo", "--args", #"{"text": "x"}"#, "--json"])
        #expect(call.status == 3, "\(call.stdout)")
        let outcome = try call.json()
        #expect(outcome["decision"]?["effect"] == "deny")
        #expect(outcome["reason"]?.stringValue?.contains("policy plugin crashpolicy failed") == true, "\(call.stdout)")
        // The standard engine still answers for itself through the kernel.
        let status = try kernel.run(["policy", "status", "--json"])
        #expect(status.stdout.contains("\"in_force\": true"), "\(status.stdout)")
        let reload = try kernel.run(["policy", "reload"])
        #expect(reload.status == 1, "crashpolicy cannot answer, so reload reports a failure: \(reload.stdout)")
        #expect(reload.stdout.contains("policy: in force sha256:"), "\(reload.stdout)")
    }
}
