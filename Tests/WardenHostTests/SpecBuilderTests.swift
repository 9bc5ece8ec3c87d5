import Foundation
import Testing
import WardenCore
import WardenHost

@Suite struct SpecBuilderTests {
    func manifest(_ capabilities: String) throws -> PluginManifest {
        try PluginManifest.parse(
            bytes: Array(#"{"name": "p", "version": "1", "kind": "tool", "command": ["bin/p"], "capabilities": \#(capabilities)}"#.utf8),
            file: "plugin.json", folder: "/plugins/p")
    }

    let builder = SpecBuilder(workspace: "/ws", policies: "/pol", hostEnvironment: ["TZ": "UTC", "SECRET": "s3cr3t"])

    @Test func nothingAsked_givesTheBaseline() throws {
        let spec = try builder.spec(for: try manifest("{}"), grant: Capabilities())
        var baseline = LaunchSpec.baseline(pluginFolder: "/plugins/p")
        baseline.rlimits = spec.rlimits
        #expect(spec == baseline)
        #expect(spec.network == .none)
        #expect(!spec.spawn)
        #expect(spec.namespaces.contains(.net))
        #expect(spec.filesystem.write.isEmpty)
        #expect(spec.env == ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8"])
    }

    @Test func askedMoreThanGranted_isRefused_namingTheDifference() throws {
        let m = try manifest(#"{"write": ["workspace"], "network": "outbound"}"#)
        #expect {
            try builder.spec(for: m, grant: Capabilities(write: ["workspace"]))
        } throws: { error in
            "\(error)" == "p asks for more than Policies/grants.json grants it: network outbound (granted: none)"
        }
    }

    @Test func granted_capabilitiesReachTheSpec_andOnlyNamedVariablesPass() throws {
        let m = try manifest(#"{"read": ["policies"], "write": ["workspace"], "network": "outbound", "env": ["TZ"]}"#)
        let spec = try builder.spec(
            for: m, grant: Capabilities(read: ["policies"], write: ["workspace"], network: .outbound, env: ["TZ"]))
        #expect(spec.filesystem.write == ["/ws"])
        #expect(spec.filesystem.read.contains("/pol"))
        #expect(spec.env["TZ"] == "UTC")
        #expect(spec.env["SECRET"] == nil)
        #expect(spec.env["WARDEN_WORKSPACE"] == "/ws")
        #expect(spec.env["WARDEN_POLICIES"] == "/pol")
        #expect(!spec.namespaces.contains(.net))
        #expect(spec.network == .outbound)
    }
}

@Suite struct GrantsTests {
    func load(_ text: String) throws(ConfigIssues) -> Grants {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("grants-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try? Data(text.utf8).write(to: folder.appendingPathComponent("grants.json"))
        return try Grants.load(policiesFolder: folder.path)
    }

    @Test func missingPlugin_isGrantedNothing() throws {
        let grants = try load(#"{"grants": {"files": {"write": ["workspace"]}}}"#)
        #expect(grants.grant(for: "files").write == ["workspace"])
        #expect(grants.grant(for: "other") == Capabilities())
    }

    @Test func malformedGrant_isRefusedWithItsLine() {
        #expect {
            try load("{\"grants\": {\n\"files\": {\"wirte\": [\"workspace\"]}}}")
        } throws: { error in
            (error as? ConfigIssues)?.issues == [ConfigIssue(file: "Policies/grants.json", line: 2,
                message: "unknown key \"wirte\"; did you mean \"write\"?")]
        }
    }

    @Test func badPluginName_isRefused() {
        #expect(throws: ConfigIssues.self) { try load(#"{"grants": {"Bad Name": {}}}"#) }
    }
}
