import Foundation
import Testing
import WardenCore
import WardenPosix

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Legitimate needs still work under confinement")
struct LegitimateNeedsTests {
    @Test func readingOwnFolder_works() throws {
        let f = try fixture()
        #expect(try f.attempt("legit_read", ["\(f.folder)/readme.txt"]) == .succeeded("read 12 bytes"))
    }

    @Test func writingDeclaredFolder_works() throws {
        let f = try fixture()
        #expect(try f.attempt("legit_write", [f.writable]) == .succeeded("wrote, read back, removed"))
    }

    @Test func writingPrivateTmp_works() throws {
        let f = try fixture()
        #expect(try f.attempt("legit_write", ["/tmp"]) == .succeeded("wrote, read back, removed"))
    }

    @Test func threads_work() throws {
        let f = try fixture()
        #expect(try f.attempt("legit_threads") == .succeeded("8 threads joined"))
    }

    @Test func time_works() throws {
        let f = try fixture()
        guard case .succeeded = try f.attempt("legit_time") else {
            Issue.record("clock_gettime, nanosleep or gettimeofday failed")
            return
        }
    }

    @Test func randomness_works() throws {
        let f = try fixture()
        #expect(try f.attempt("legit_random") == .succeeded("64 random bytes"))
    }

    @Test func pipesSocketpairsAndEpoll_work() throws {
        let f = try fixture()
        #expect(try f.attempt("legit_pipes") == .succeeded("pipe, socketpair, eventfd, epoll, /dev/null"))
    }

    @Test func spawningAShell_works_whenSpawnIsAllowed() throws {
        let f = try fixture()
        var spec = f.baseline
        spec.spawn = true
        #expect(try f.attempt("legit_spawn", spec: spec) == .succeeded("sh ran and exited 7"))
    }

    @Test func spawning_isRefused_whenSpawnIsNotAllowed() throws {
        let f = try fixture()
        #expect(try f.attempt("legit_spawn") == .refused(EPERM))
    }

    @Test func inetSocket_isAllowed_withOutboundNetwork() throws {
        let f = try fixture()
        var spec = f.baseline
        spec.network = .outbound
        spec.namespaces.removeAll { $0 == .net }
        #expect(try f.attempt("socket_inet", spec: spec) == .succeeded("returned 3"))
        #expect(try f.attempt("socket_inet6", spec: spec) == .succeeded("returned 3"))
        #expect(try f.attempt("socket_netlink", spec: spec) == .refused(EPERM))
    }

    @Test func loopbackTCP_works_withLoopbackNetwork() throws {
        let f = try fixture()
        var spec = f.baseline
        spec.network = .loopback
        #expect(try f.attempt("legit_loopback", spec: spec) == .succeeded("loopback TCP works"))
    }

    @Test func statusLine_reportsWhatIsEnforced() throws {
        let f = try fixture()
        let process = try Launcher.start(launcher: f.launcher, spec: f.baseline, program: [f.escape, "ids"])
        defer { process.closeStreams() }
        let status = process.status
        #expect(status.ok)
        #expect(status.landlockABI >= 1)
        #expect(Set(status.namespaces) == Set(LaunchSpec.Namespace.allCases.map(\.rawValue)))
        #expect(status.filterDigest.hasPrefix("sha256:") && status.filterDigest.count == 71)
        #expect(status.noNewPrivs && status.capabilities == "cleared")
        #expect(try process.wait() == .exited(0))
    }

    @Test func sigterm_reachesThePlugin_throughThePidNamespaceSupervisor() throws {
        let f = try fixture()
        let process = try Launcher.start(launcher: f.launcher, spec: f.baseline, program: ["/bin/sleep", "30"])
        defer { process.closeStreams() }
        try process.signal(SIGTERM)
        #expect(try process.wait() == .exited(128 + SIGTERM))
    }

    @Test func python_runsAsyncioThreadsAndSubprocessFree_underBaseline() throws {
        let f = try fixture()
        let script = """
            import asyncio, threading, json, os, sys, time, tempfile, zoneinfo
            async def main():
                await asyncio.sleep(0.01)
                r, w = os.pipe(); os.write(w, b"x")
                t = threading.Thread(target=lambda: None); t.start(); t.join()
                with tempfile.NamedTemporaryFile() as tmp: tmp.write(b"x")
                return json.dumps({"ok": True, "tz": str(zoneinfo.ZoneInfo("Europe/Paris"))})
            print(asyncio.run(main()))
            """
        let process = try Launcher.start(
            launcher: f.launcher, spec: f.baseline, program: ["/usr/bin/python3", "-c", script])
        Syscall.close(process.stdin)
        defer {
            Syscall.close(process.stdout)
            Syscall.close(process.stderr)
        }
        let out = try Syscall.readAll(process.stdout, limit: 1 << 16, timeoutMilliseconds: 60_000)
        let err = try Syscall.readAll(process.stderr, limit: 1 << 16, timeoutMilliseconds: 60_000)
        #expect(try process.wait() == .exited(0), "stderr: \(String(decoding: err.bytes, as: UTF8.self))")
        #expect(String(decoding: out.bytes, as: UTF8.self) == "{\"ok\": true, \"tz\": \"Europe/Paris\"}\n")
    }
}
