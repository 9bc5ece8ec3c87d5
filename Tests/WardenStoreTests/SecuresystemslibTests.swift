import Foundation
import Testing
import WardenCore

@testable import WardenStore

/// An independent DSSE implementation (securesystemslib, from PyPI) verifies what `warden audit export` writes:
/// every envelope, the chain, a key rotation and the checkpoint. Needs `WARDEN_PYTHON`: a Python with
/// securesystemslib installed (the Makefile sets it).
@Suite struct SecuresystemslibTests {
    static func python() throws -> String {
        let python = try #require(
            ProcessInfo.processInfo.environment["WARDEN_PYTHON"],
            "set WARDEN_PYTHON to a Python that has securesystemslib (`make test` does)")
        return python
    }

    static let script = RepositoryPaths.root.appendingPathComponent("Tests/python/verify_dsse.py").path

    @Test func securesystemslib_verifiesAnExport_andRejectsATamperedOne() async throws {
        let python = try Self.python()
        let folder = try TemporaryFolder()
        let home = folder.file("home")
        var (store, key) = try SQLiteLogStore.open(home: home, options: LogFixture.options(checkpointEvery: 4))
        for i in 0..<6 { _ = try await store.append(LogFixture.invocation(i)) }
        _ = try await store.append(
            PluginLifecycleRecord(event: .started, plugin: "files", time: Date(timeIntervalSince1970: 1_750_000_000)))
        (key, _) = try await key.rotate(log: store, reason: "test")
        for i in 7..<10 { _ = try await store.append(LogFixture.invocation(i)) }
        try await store.close()

        let export = folder.file("export.jsonl")
        let exported = try ProgramRun.warden(["audit", "export", export, "--home", home])
        #expect(exported.status == 0, "\(exported.stderr)")
        let run = try ProgramRun.run(python, [Self.script, export])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let summary = try JSONValue.parse(run.stdout)
        #expect(summary["ok"] == true)
        #expect(summary["entries"] == 11)
        #expect(summary["keys"]?.arrayValue?.count == 2)
        #expect(summary["checkpoint"]?["size"] == 11)

        // One changed payload byte in line 3: securesystemslib must refuse it.
        var lines = try String(contentsOfFile: export, encoding: .utf8).split(separator: "\n").map(String.init)
        var envelope = try DSSEEnvelope.parse(Array(lines[3].utf8))
        envelope.payload[envelope.payload.count - 3] ^= 0x01
        lines[3] = envelope.json.serialized()
        let tampered = folder.file("tampered.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(toFile: tampered, atomically: true, encoding: .utf8)
        let rejected = try ProgramRun.run(
            python, [Self.script, tampered, "--keys", export + ".keys.json", "--checkpoint", export + ".checkpoint"])
        #expect(rejected.status == 1, "\(rejected.stdout)\(rejected.stderr)")
        #expect(try JSONValue.parse(rejected.stdout)["failure"]?["seq"] == 3)
    }
}
