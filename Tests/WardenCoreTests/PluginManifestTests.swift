import Testing
import WardenCore

@Suite struct PluginManifestTests {
    func parse(_ text: String, folder: String = "/p/demo") throws(ConfigIssues) -> PluginManifest {
        try PluginManifest.parse(bytes: Array(text.utf8), file: "Plugins/demo/plugin.json", folder: folder)
    }

    func issues(_ text: String) -> [ConfigIssue] {
        do {
            _ = try parse(text)
            return []
        } catch {
            return error.issues
        }
    }

    @Test func parse_readsAFullManifest() throws {
        let m = try parse("""
            {"name": "demo", "version": "1.0", "kind": "tool", "command": ["bin/demo", "--x"],
             "capabilities": {"read": ["workspace"], "network": "loopback", "env": ["TZ"]},
             "limits": {"memory_mb": 256, "timeout_ms": 1000}, "tools": {"t": {"risk": "high"}}}
            """)
        #expect(m.argv(workspace: "/w") == ["/p/demo/bin/demo", "--x"])
        #expect(m.capabilities.network == .loopback)
        #expect(m.limits.memoryMB == 256)
        #expect(m.tools["t"]?.risk == "high")
        #expect(m.digest.count == 64)
    }

    @Test func unknownKey_isReportedWithItsLineAndASuggestion() {
        let found = issues("{\n\"name\": \"demo\", \"version\": \"1\", \"kind\": \"tool\", \"command\": [\"x\"],\n\"capabilities\": {\n  \"netwrok\": \"none\"}}")
        #expect(found == [ConfigIssue(file: "Plugins/demo/plugin.json", line: 4,
            message: "unknown key \"netwrok\"; did you mean \"network\"?")])
    }

    @Test func everyProblem_isReported_notOnlyTheFirst() {
        let found = issues(#"{"name": 5, "kind": "daemon", "limits": {"memory_mb": "lots"}, "extra": 1}"#)
        let messages = found.map(\.message)
        #expect(messages.contains("\"name\" must be a string, not integer"))
        #expect(messages.contains("missing required key \"version\""))
        #expect(messages.contains("\"kind\" must be tool, rule, detector or policy, not \"daemon\""))
        #expect(messages.contains(where: { $0.hasPrefix("missing required key \"command\"") }))
        #expect(messages.contains("\"memory_mb\" must be an integer, not string"))
        #expect(messages.contains(where: { $0.hasPrefix("unknown key \"extra\"") }))
    }

    @Test(arguments: ["/usr/bin/python3", "../other/bin", "bin/../../x"])
    func commandOutsideTheFolder_withoutInterpreter_isRefused(_ command: String) {
        let found = issues(#"{"name": "demo", "version": "1", "kind": "tool", "command": ["\#(command)"]}"#)
        #expect(found.count == 1)
        #expect(found.first?.message.contains("outside the plugin folder") == true)
    }

    @Test func commandWithExplicitInterpreter_isAccepted() throws {
        let m = try parse(#"{"name": "demo", "version": "1", "kind": "tool", "interpreter": "/usr/bin/python3", "command": ["-m", "x"]}"#)
        #expect(m.argv(workspace: "/w") == ["/usr/bin/python3", "-m", "x"])
    }

    /// Many MCP servers take the folder they serve as an argument: `${workspace}` in `command` is the workspace.
    @Test func workspacePlaceholder_becomesTheWorkspaceFolder() throws {
        let m = try parse("""
            {"name": "demo", "version": "1", "kind": "tool", "interpreter": ".venv/bin/python",
             "command": ["-m", "server", "--repository", "${workspace}", "--root=${workspace}/sub", "$HOME", "${"],
             "capabilities": {"read": ["workspace"]}}
            """)
        #expect(
            m.argv(workspace: "/srv/ws")
                == ["/p/demo/.venv/bin/python", "-m", "server", "--repository", "/srv/ws", "--root=/srv/ws/sub", "$HOME", "${"])
    }

    @Test(arguments: [
        (#""command": ["x", "${workspace}"]"#, 2, "\"${workspace}\" is used but the plugin does not ask for the workspace"),
        (#""command": ["x", "${workdir}"], "capabilities": {"read": ["workspace"]}"#, 2,
         "unknown placeholder \"${workdir}\"; the only one is \"${workspace}\""),
        (#""command": ["${workspace}"], "capabilities": {"write": ["workspace"]}"#, 2,
         "the program to run cannot be \"${workspace}\""),
    ])
    func misusedPlaceholder_isRefusedWithItsLine(_ fragment: String, _ line: Int, _ message: String) {
        let found = issues("{\"name\": \"demo\", \"version\": \"1\", \"kind\": \"tool\",\n\(fragment)}")
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.line == line)
        #expect(found.first?.message.hasPrefix(message) == true, "\(found)")
    }

    @Test(arguments: [
        (#""command": []"#, "\"command\" must not be empty"),
        (#""command": "bin/x""#, "\"command\" must be an array of strings, not string"),
        (#""command": ["x"], "capabilities": {"read": ["relative"]}"#, "\"relative\" must be an absolute path, \"workspace\" or \"policies\""),
        (#""command": ["x"], "capabilities": {"network": "internet"}"#, "\"network\" must be none, loopback or outbound, not \"internet\""),
        (#""command": ["x"], "capabilities": {"spawn": "yes"}"#, "\"spawn\" must be true or false, not string"),
        (#""command": ["x"], "capabilities": {"env": ["A-B"]}"#, "\"A-B\" is not an environment variable name"),
        (#""command": ["x"], "limits": {"memory_mb": 1}"#, "\"memory_mb\" must be between 16 and 65536, not 1"),
        (#""command": ["x"], "tools": {"t": {"risk": "extreme"}}"#, "\"risk\" must be low, medium, high or critical, not \"extreme\""),
    ])
    func badField_isRefusedWithAClearMessage(_ fragment: String, _ message: String) {
        let found = issues(#"{"name": "demo", "version": "1", "kind": "tool", \#(fragment)}"#)
        #expect(found.map(\.message) == [message])
    }

    @Test func nameMustMatchTheFolder() {
        let found = issues(#"{"name": "other", "version": "1", "kind": "tool", "command": ["x"]}"#)
        #expect(found.map(\.message) == ["\"name\" is \"other\" but the folder is \"demo\"; they must match"])
    }

    @Test func notJSON_isReportedWithItsLine() {
        let found = issues("{\n\"name\": \"demo\",\n}")
        #expect(found.first?.line == 3)
        #expect(found.first?.message.hasPrefix("not valid JSON") == true)
    }
}

@Suite struct CapabilitiesTests {
    @Test func withinGrant_hasNoExcess() {
        let asked = Capabilities(read: ["/data/a"], write: ["workspace"], network: .loopback)
        let grant = Capabilities(read: ["/data"], write: ["workspace"], network: .outbound)
        #expect(asked.exceeding(grant).isEmpty)
    }

    @Test func excess_namesEveryDifference() {
        let asked = Capabilities(read: ["/etc"], write: ["workspace"], network: .outbound, spawn: true, env: ["TOKEN"])
        #expect(asked.exceeding(Capabilities()) == [
            "read /etc", "write workspace", "network outbound (granted: none)", "spawn processes",
            "environment variable TOKEN",
        ])
    }

    @Test func aSiblingWithACommonPrefix_isNotCovered() {
        #expect(Capabilities(read: ["/data-secret"]).exceeding(Capabilities(read: ["/data"])) == ["read /data-secret"])
    }
}
