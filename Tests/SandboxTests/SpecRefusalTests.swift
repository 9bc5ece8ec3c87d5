import Foundation
import Testing
import WardenCore
import WardenPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Malformed specs are refused before anything is confined or run: status line with the step, the errno
/// and a sentence; the step's documented exit code.
@Suite("Bad specs are refused")
struct SpecRefusalTests {
    struct Bad: Sendable, CustomTestStringConvertible {
        let name: String
        let edit: @Sendable (inout [String: Any]) -> Void
        let step: String
        let errno: Int32
        var testDescription: String { name }
    }

    static let cases: [Bad] = [
        Bad(name: "unknown key", edit: { $0["netwrok"] = "none" }, step: "spec", errno: EINVAL),
        Bad(name: "missing required key", edit: { $0["network"] = nil }, step: "spec", errno: EINVAL),
        Bad(name: "wrong type for spawn", edit: { $0["spawn"] = "yes" }, step: "spec", errno: EINVAL),
        Bad(name: "unknown network value", edit: { $0["network"] = "internet" }, step: "spec", errno: EINVAL),
        Bad(name: "wrong version", edit: { $0["version"] = 2 }, step: "spec", errno: EINVAL),
        Bad(name: "unknown namespace", edit: { $0["namespaces"] = ["user", "time"] }, step: "spec", errno: EINVAL),
        Bad(name: "namespace without user", edit: { $0["namespaces"] = ["mount"] }, step: "spec", errno: EINVAL),
        Bad(
            name: "loopback without net namespace",
            edit: {
                $0["network"] = "loopback"
                $0["namespaces"] = ["user", "mount"]
            }, step: "spec", errno: EINVAL),
        Bad(name: "outbound with net namespace", edit: { $0["network"] = "outbound" }, step: "spec", errno: EINVAL),
        Bad(
            name: "relative read path", edit: { $0["filesystem"] = ["read": ["usr/lib"]] }, step: "spec", errno: EINVAL),
        Bad(
            name: "dot-dot in a write path", edit: { $0["filesystem"] = ["write": ["/tmp/../etc"]] }, step: "spec",
            errno: EINVAL),
        Bad(name: "path under /proc", edit: { $0["filesystem"] = ["read": ["/proc/1"]] }, step: "spec", errno: EINVAL),
        Bad(name: "unknown filesystem key", edit: { $0["filesystem"] = ["reed": ["/usr"]] }, step: "spec", errno: EINVAL),
        Bad(name: "non-string env value", edit: { $0["env"] = ["PATH": 1] }, step: "spec", errno: EINVAL),
        Bad(name: "env name with =", edit: { $0["env"] = ["A=B": "c"] }, step: "spec", errno: EINVAL),
        Bad(name: "negative rlimit", edit: { $0["rlimits"] = ["as": -1] }, step: "spec", errno: EINVAL),
        Bad(name: "core rlimit", edit: { $0["rlimits"] = ["core": 1 << 20] }, step: "spec", errno: EINVAL),
        Bad(name: "unknown rlimit", edit: { $0["rlimits"] = ["cpus": 1] }, step: "spec", errno: EINVAL),
        Bad(name: "unknown syscall group", edit: { $0["syscalls"] = ["io_uring"] }, step: "spec", errno: EINVAL),
        Bad(name: "relative cwd", edit: { $0["cwd"] = "plugin" }, step: "spec", errno: EINVAL),
        Bad(name: "keep_fds below 3", edit: { $0["keep_fds"] = [1] }, step: "spec", errno: EINVAL),
        Bad(
            name: "missing read path",
            edit: { $0["filesystem"] = ["read": ["/usr", "/nonexistent/warden"]] }, step: "filesystem",
            errno: ENOENT),
        Bad(name: "kernel without the demanded Landlock ABI", edit: { $0["landlock_min_abi"] = 64 }, step: "landlock", errno: 0),
        Bad(name: "keep_fds not open", edit: { $0["keep_fds"] = [900] }, step: "session", errno: EBADF),
    ]

    static func json(_ spec: LaunchSpec, _ edit: (inout [String: Any]) -> Void) throws -> [UInt8] {
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(spec)) as! [String: Any]
        edit(&object)
        return Array(try JSONSerialization.data(withJSONObject: object))
    }

    @Test(arguments: cases)
    func badSpec_isRefused_withStepErrnoAndExitCode(_ bad: Bad) throws {
        let f = try fixture()
        let bytes = try Self.json(f.baseline, bad.edit)
        do {
            let process = try Launcher.start(launcher: f.launcher, specJSON: bytes, program: [f.escape, "ids"])
            process.closeStreams()
            _ = try? process.wait()
            Issue.record("the launcher accepted a spec with \(bad.name)")
        } catch {
            #expect(error.step == bad.step)
            #expect(error.errno == bad.errno)
            #expect(error.exit == .exited(LaunchStatus.stepExitCodes[bad.step]!))
        }
    }

    @Test func malformedJSON_isRefused_withLineAndColumn() throws {
        let f = try fixture()
        do {
            _ = try Launcher.start(launcher: f.launcher, specJSON: Array("{\"version\": 1,\n \"spawn\": tru}".utf8),
                program: [f.escape, "ids"])
            Issue.record("malformed JSON was accepted")
        } catch {
            #expect(error.step == "spec")
            #expect(error.exit == .exited(241))
            #expect(error.message.hasPrefix("line 2, column"))
        }
    }

    /// The one test that pins the sentences people read.
    @Test func refusalMessages_nameTheProblem() throws {
        let f = try fixture()
        func message(_ edit: (inout [String: Any]) -> Void) throws -> String {
            let bytes = try Self.json(f.baseline, edit)
            do {
                let p = try Launcher.start(launcher: f.launcher, specJSON: bytes, program: [f.escape, "ids"])
                p.closeStreams()
                return "accepted"
            } catch {
                return error.message
            }
        }
        #expect(try message { $0["netwrok"] = "none" } == "spec: unknown key \"netwrok\"; did you mean \"network\"?")
        #expect(
            try message { $0["network"] = "internet" }
                == "network: \"internet\" is not one of \"none\", \"loopback\", \"outbound\"")
        #expect(try message { $0["spawn"] = "yes" } == "spawn: expected a boolean, found a string")
        #expect(try message { $0["rlimits"] = ["core": 0] } == "rlimits: \"core\" cannot be set; core dumps are always off")
    }

    @Test func relativeProgram_isRefused_beforeSpawning() throws {
        let f = try fixture()
        #expect(throws: LaunchError.self) {
            _ = try Launcher.start(launcher: f.launcher, spec: f.baseline, program: ["warden-escape", "ids"])
        }
    }

    @Test func missingLauncher_failsWithAHintToRunMake() throws {
        setenv("WARDEN_LAUNCHER", "/nonexistent/warden-launch", 1)
        defer { unsetenv("WARDEN_LAUNCHER") }
        do {
            _ = try Launcher.locate()
            Issue.record("a missing launcher was located")
        } catch {
            #expect(error.step == "locate")
            #expect(error.errno == ENOENT)
            #expect(error.message.contains("run `make`"))
        }
    }
}
