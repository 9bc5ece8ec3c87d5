import Foundation
import Testing
import WardenCore
import WardenPosix

/// The host's cache of compiled filter sets (`FilterCache`): launches use the exported set instead of compiling
/// one, enforce exactly the same filters, and a set made for another spec is refused by the launcher.
@Suite("Filter sets cached by the host")
struct FilterCacheTests {
    @Test func cachedSets_enforceTheSameFilters() throws {
        let f = try SandboxFixture.shared.get()
        let cache = FilterCache()
        let cases: [(String, Outcome)] = [
            ("ptrace_parent", .killed(SIGSYS)), ("mount", .killed(SIGSYS)), ("keyctl", .killed(SIGSYS)),
            ("tiocsti", .refused(EPERM)), ("tiocsti_highbits", .refused(EPERM)),
        ]
        // Twice: the first launch exports the set, the second takes it from the cache.
        for _ in 0..<2 {
            for (name, expected) in cases {
                #expect(try f.attempt(name, filters: cache) == expected, "\(name)")
            }
        }
    }

    @Test func cachedSets_arePrecompiled_withTheDigestOfACompiledOne() throws {
        let f = try SandboxFixture.shared.get()
        let cache = FilterCache()
        func status(_ filters: FilterCache?, spec: LaunchSpec) throws -> LaunchStatus {
            let process = try Launcher.start(launcher: f.launcher, spec: spec, program: [f.escape, "ids"], filters: filters)
            Syscall.close(process.stdin)
            _ = try Syscall.readAll(process.stdout, limit: 1 << 16, timeoutMilliseconds: 60_000)
            _ = try process.wait()
            Syscall.close(process.stdout)
            Syscall.close(process.stderr)
            return process.status
        }
        var spawning = f.baseline
        spawning.spawn = true
        for spec in [f.baseline, spawning] {
            let compiled = try status(nil, spec: spec)
            let first = try status(cache, spec: spec)
            let second = try status(cache, spec: spec)
            #expect(!compiled.bpfPrecompiled)
            #expect(first.bpfPrecompiled && second.bpfPrecompiled)
            #expect(first.filterDigest == compiled.filterDigest && second.filterDigest == compiled.filterDigest)
        }
    }

    @Test func aSetMadeForAnotherSpec_isRefused() throws {
        let f = try SandboxFixture.shared.get()
        var spawning = f.baseline
        spawning.spawn = true
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let foreign = try FilterBlobTests.launcherOutput(f, spec: spawning, arguments: ["--export-bpf"])
        let specJSON = Array(try encoder.encode(f.baseline))
        do {
            _ = try Launcher.start(launcher: f.launcher, specJSON: specJSON, program: [f.escape, "ids"], bpf: Array(foreign))
            Issue.record("a filter set for another spec was accepted")
        } catch {
            #expect(error.step == "spec", "\(error)")
        }
    }
}
