import Foundation
import Testing
import WardenCore
import WardenPosix

@Suite("Kernel probe and requirements")
struct ProbeTests {
    @Test func probe_reportsThisKernel() throws {
        let f = try fixture()
        let probe = try Launcher.probe(launcher: f.launcher)
        #expect(probe.launcherVersion == 1)
        #expect(probe.architecture == "x86_64")
        #expect(probe.seccomp)
        #expect(probe.userNamespaces == probe.namespaces.contains("user"))
        // The base profile may name calls newer than libseccomp, never typos: each is a real syscall
        // added after libseccomp 2.5.
        let newer: Set = [
            "cachestat", "fchmodat2", "map_shadow_stack", "futex_wake", "futex_wait", "futex_requeue", "statmount",
            "listmount", "lsm_get_self_attr", "lsm_set_self_attr", "lsm_list_modules", "mseal", "setxattrat",
            "getxattrat", "listxattrat", "removexattrat", "open_tree_attr", "file_getattr", "file_setattr",
        ]
        #expect(Set(probe.profileSyscallsUnknownToLibseccomp).isSubset(of: newer))
    }

    static func probe(landlock: Int = 6, seccomp: Bool = true, namespaces: [String] = ["user", "mount", "pid", "net", "ipc", "uts"])
        -> SandboxProbe
    {
        SandboxProbe(
            launcherVersion: 1, kernel: "6.1.0", architecture: "x86_64", seccomp: seccomp, libseccomp: "2.5.4",
            seccompAPILevel: 6, landlockABI: landlock, userNamespaces: namespaces.contains("user"),
            namespaces: namespaces, namespaceErrors: namespaces.contains("user") ? [:] : ["user": "Operation not permitted"],
            profileSyscallsUnknownToLibseccomp: [])
    }

    @Test func requirements_areMet_byACapableKernel() {
        #expect(SandboxRequirements().unmet(by: Self.probe()).isEmpty)
    }

    @Test func requirements_nameEachMissingFeature() {
        let unmet = SandboxRequirements(minimumLandlockABI: 3).unmet(
            by: Self.probe(landlock: 0, seccomp: false, namespaces: []))
        #expect(unmet.count == 3)
        #expect(unmet[0].hasPrefix("seccomp filters are not available"))
        #expect(unmet[1].hasPrefix("Landlock ABI 3 or later is required but kernel 6.1.0 offers no Landlock"))
        #expect(unmet[2].contains("user, mount, pid, ipc, uts"))
        #expect(unmet[2].contains("user: Operation not permitted"))
    }

    @Test func loweredRequirements_acceptAWeakerKernel() {
        let lowered = SandboxRequirements(seccomp: true, minimumLandlockABI: 0, userNamespaces: false)
        #expect(lowered.unmet(by: Self.probe(landlock: 0, namespaces: [])).isEmpty)
    }
}

@Suite("LaunchSpec mirrors the launcher's JSON")
struct LaunchSpecTests {
    @Test func baseline_encodesTheDocumentedKeys() throws {
        let spec = LaunchSpec.baseline(pluginFolder: "/srv/plugins/echo")
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(spec)) as! [String: Any]
        #expect(
            Set(object.keys) == [
                "version", "namespaces", "filesystem", "network", "spawn", "env", "rlimits", "syscalls", "cwd",
                "keep_fds", "landlock_min_abi",
            ])
        #expect(object["network"] as? String == "none")
        #expect(object["spawn"] as? Bool == false)
        #expect((object["rlimits"] as? [String: Int])?["as"] == 4 << 30)
        #expect((object["filesystem"] as? [String: [String]])?["read"]?.contains("/srv/plugins/echo") == true)
        #expect((object["filesystem"] as? [String: [String]])?["write"] == [])
        #expect((object["env"] as? [String: String]).map { Set($0.keys) } == ["PATH", "HOME", "LANG"])
    }

    @Test func spec_roundTrips_andOptionalKeysDefault() throws {
        let spec = LaunchSpec.baseline(pluginFolder: "/p")
        #expect(try JSONDecoder().decode(LaunchSpec.self, from: JSONEncoder().encode(spec)) == spec)
        let minimal = """
            {"version":1,"namespaces":[],"filesystem":{"read":["/usr"]},"network":"none","spawn":false,
             "env":{},"rlimits":{}}
            """
        let decoded = try JSONDecoder().decode(LaunchSpec.self, from: Data(minimal.utf8))
        #expect(decoded.cwd == "/" && decoded.syscalls.isEmpty && decoded.keepFDs.isEmpty && decoded.landlockMinABI == 1)
        #expect(decoded.filesystem.write.isEmpty && decoded.rlimits == LaunchSpec.Limits())
    }
}
