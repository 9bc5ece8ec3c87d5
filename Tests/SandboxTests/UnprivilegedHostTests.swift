import Foundation
import Testing
import WardenCore
import WardenPosix

#if canImport(Glibc)
    import Glibc
#endif

/// The launcher must work, and confine as much, when the host is an ordinary user. Run as root, the tests
/// start the launcher through `setpriv` as uid/gid 65534 with no groups.
@Suite("The launcher started by an ordinary user")
struct UnprivilegedHostTests {
    static let setpriv = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

    func wrapper() -> [String] { geteuid() == 0 ? Self.setpriv : [] }

    @Test func plugin_runsAsTheHostUser_withEveryNamespace() throws {
        let f = try fixture()
        let uid = geteuid() == 0 ? 65534 : Int(getuid())
        let gid = geteuid() == 0 ? 65534 : Int(getgid())
        let process = try Launcher.start(launcher: f.launcher, spec: f.baseline, program: [f.escape, "ids"], wrapper: wrapper())
        defer { process.closeStreams() }
        #expect(process.status.uid == uid && process.status.gid == gid)
        #expect(process.status.securebitsLocked, "the user namespace gives CAP_SETPCAP to lock them")
        #expect(Set(process.status.namespaces) == Set(LaunchSpec.Namespace.allCases.map(\.rawValue)))
        #expect(try process.wait() == .exited(0))
    }

    @Test(arguments: ["ptrace_parent", "mount", "bpf"])
    func neverLegitimateCalls_areKilled_forAnOrdinaryHost(_ attempt: String) throws {
        let f = try fixture()
        #expect(try f.attempt(attempt, wrapper: wrapper()) == .killed(SIGSYS))
    }

    @Test func escapes_areBlocked_forAnOrdinaryHost() throws {
        let f = try fixture()
        let w = wrapper()
        #expect(try f.attempt("read_file", [f.secretOutside], wrapper: w) == .refused(ENOENT))
        #expect(try f.attempt("socket_inet", wrapper: w) == .refused(EPERM))
        #expect(try f.attempt("write_file", ["\(f.folder)/readme.txt"], wrapper: w) == .refused(EROFS))
        #expect(try f.attempt("legit_write", [f.writable], wrapper: w) == .succeeded("wrote, read back, removed"))
        #expect(try f.attempt("fork", wrapper: w) == .refused(EPERM))
    }

    @Test func withoutNamespaces_landlockAndSeccompStillHold_forAnOrdinaryHost() throws {
        let f = try fixture()
        var spec = f.baseline
        spec.namespaces = []
        let w = wrapper()
        #expect(try f.attempt("read_file", [f.secretOutside], spec: spec, wrapper: w) == .refused(EACCES))
        #expect(try f.attempt("socket_inet", spec: spec, wrapper: w) == .refused(EPERM))
        #expect(try f.attempt("ptrace_parent", spec: spec, wrapper: w) == .killed(SIGSYS))
    }
}
