import Foundation
import Testing
import WardenCore
import WardenPosix

/// The filter set `warden-launch --export-bpf` writes (Sandbox/src/seccomp.c): "WBPF0001", a 64-character
/// key, a program count, then each program as an instruction count and 8-byte classic BPF instructions.
@Suite("Precompiled seccomp filters")
struct FilterBlobTests {
    /// One classic BPF instruction.
    struct Instruction: Equatable {
        let code: UInt16
        let jt: UInt8
        let jf: UInt8
        let k: UInt32
    }

    struct BlobError: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs the launcher with `arguments` and the spec on a file; returns its standard output.
    static func launcherOutput(_ f: SandboxFixture, spec: LaunchSpec, arguments: [String]) throws -> Data {
        let specFile = FileManager.default.temporaryDirectory.appendingPathComponent("warden-bpf-\(UUID()).json")
        try JSONEncoder().encode(spec).write(to: specFile)
        defer { try? FileManager.default.removeItem(at: specFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: f.launcher)
        process.arguments = arguments + ["--spec-file", specFile.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BlobError(description: "warden-launch \(arguments) exited with \(process.terminationStatus)")
        }
        return data
    }

    static func programs(in blob: [UInt8]) throws -> [[Instruction]] {
        func word(_ at: Int) throws -> UInt32 {
            guard at + 4 <= blob.count else { throw BlobError(description: "truncated at \(at)") }
            return blob[at..<at + 4].enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * $1.offset) }
        }
        guard blob.count >= 76, Array(blob[0..<8]) == Array("WBPF0001".utf8) else {
            throw BlobError(description: "no WBPF0001 header")
        }
        var at = 72
        let count = try word(at)
        at += 4
        var programs: [[Instruction]] = []
        for _ in 0..<count {
            let n = Int(try word(at))
            at += 4
            var program: [Instruction] = []
            for i in 0..<n {
                let base = at + 8 * i
                let low = try word(base)
                program.append(
                    Instruction(
                        code: UInt16(low & 0xffff), jt: UInt8((low >> 16) & 0xff), jf: UInt8(low >> 24),
                        k: try word(base + 4)))
            }
            at += 8 * n
            programs.append(program)
        }
        guard at == blob.count else { throw BlobError(description: "\(blob.count - at) trailing bytes") }
        return programs
    }

    @Test func exportedAllowlist_isASearchOverRanges_aQuarterOfLibseccompsLength() throws {
        let f = try fixture()
        let blob = [UInt8](try Self.launcherOutput(f, spec: f.baseline, arguments: ["--export-bpf"]))
        let programs = try Self.programs(in: blob)
        #expect(programs.count == 2)
        // libseccomp emits one comparison per listed syscall, about 470 instructions for the base profile;
        // the launcher rewrites it (and checks it point by point) as a search over about 100 ranges.
        #expect(programs[0].count > 20 && programs[0].count < 200)
        // Loads only the architecture and the syscall number, and compares them with constants: the
        // kernel's per-syscall action cache can evaluate it.
        let modelled: Set<UInt16> = [0x20, 0x15, 0x25, 0x35, 0x05, 0x06]
        #expect(programs[0].allSatisfy { modelled.contains($0.code) })
        #expect(programs[0].filter { $0.code == 0x20 }.allSatisfy { $0.k == 0 || $0.k == 4 })
        // First instructions: load the architecture, anything but x86_64 kills the process.
        #expect(programs[0][0] == Instruction(code: 0x20, jt: 0, jf: 0, k: 4))
        #expect(programs[0][1].code == 0x15 && programs[0][1].k == 0xc000_003e)
        let badArch = programs[0][2 + Int(programs[0][1].jf)]
        #expect(badArch == Instruction(code: 0x06, jt: 0, jf: 0, k: 0x8000_0000))
    }

    @Test func exportedFilters_areTheOnesLoadedAtLaunch() throws {
        let f = try fixture()
        let blob = [UInt8](try Self.launcherOutput(f, spec: f.baseline, arguments: ["--export-bpf"]))
        let process = try Launcher.start(launcher: f.launcher, spec: f.baseline, program: [f.escape, "ids"])
        defer { process.closeStreams() }
        #expect(process.status.filterDigest == ContentDigest.sha256(blob))
        #expect(try process.wait() == .exited(0))
    }

    @Test func exportedFilters_differ_byNetworkAndSpawn() throws {
        let f = try fixture()
        var outbound = f.baseline
        outbound.network = .outbound
        outbound.namespaces.removeAll { $0 == .net }
        var spawning = f.baseline
        spawning.spawn = true
        let blobs = try [f.baseline, outbound, spawning].map {
            try Self.launcherOutput(f, spec: $0, arguments: ["--export-bpf"])
        }
        #expect(Set(blobs).count == 3)
    }
}
