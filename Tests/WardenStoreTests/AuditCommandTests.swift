import Foundation
import GRDB
import Testing
import WardenCore

@testable import WardenStore

/// The `warden audit` and `warden init` commands, run as the built binary on real state folders.
@Suite struct AuditCommandTests {
    /// A state folder made by `warden init`, with `count` invocations appended and the log closed.
    static func home(in folder: TemporaryFolder, count: Int) async throws -> String {
        let home = folder.file("home")
        let initRun = try ProgramRun.warden(["init", "--home", home, "--json"])
        #expect(initRun.status == 0, "\(initRun.stderr)")
        let (store, _) = try SQLiteLogStore.open(home: home, options: LogFixture.options())
        for i in 0..<count {
            _ = try await store.append(LogFixture.invocation(i, tool: i % 2 == 0 ? "files.read" : "shell.run"))
        }
        try await store.close()
        return home
    }

    @Test func initCreatesTheKey_andIsIdempotent() throws {
        let folder = try TemporaryFolder()
        let home = folder.file("home")
        let first = try ProgramRun.warden(["init", "--home", home, "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let json = try JSONValue.parse(first.stdout)
        #expect(json["created"] == true)
        let keyid = try #require(json["keyid"]?.stringValue)
        #expect(try HostKey.loadPublic(home: home).keyid == keyid)
        let second = try ProgramRun.warden(["init", "--home", home])
        #expect(second.status == 0)
        #expect(second.stdout.contains(keyid))
        #expect(second.stdout.contains("already"))
    }

    @Test func verify_passesOnARealLog_andFailsNamingTheEntryOnATamperedCopy() async throws {
        let folder = try TemporaryFolder()
        let home = try await Self.home(in: folder, count: 25)
        let ok = try ProgramRun.warden(["audit", "verify", "--home", home, "--json"])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(try JSONValue.parse(ok.stdout)["entries"] == 25)
        let pinned = try ProgramRun.warden(["audit", "verify", "--home", home, "--key", home + "/keys/host.pub"])
        #expect(pinned.status == 0, "\(pinned.stdout)\(pinned.stderr)")

        let queue = try DatabaseQueue(path: home + "/warden.db")
        try await queue.write { db in
            try db.execute(sql: "DROP TRIGGER log_entries_append_only_delete")
            try db.execute(sql: "DELETE FROM log_entries WHERE seq = 7")
        }
        try queue.close()
        let bad = try ProgramRun.warden(["audit", "verify", "--home", home, "--json"])
        #expect(bad.status == 1)
        let failure = try JSONValue.parse(bad.stdout)["failure"]
        #expect(failure?["seq"] == 7)
        #expect(failure?["kind"] == "missing_entry")
        let text = try ProgramRun.warden(["audit", "verify", "--home", home])
        #expect(text.status == 1)
        #expect(text.stdout.contains("FAILED at entry 7"))
    }

    @Test func verify_withAnotherPinnedKey_fails() async throws {
        let folder = try TemporaryFolder()
        let home = try await Self.home(in: folder, count: 2)
        let other = folder.file("other.pub")
        try Data(Ed25519SigningKey.generate().publicKey.securesystemslibJSON.serialized().utf8).write(
            to: URL(fileURLWithPath: other))
        let run = try ProgramRun.warden(["audit", "verify", "--home", home, "--key", other, "--json"])
        #expect(run.status == 1)
        #expect(try JSONValue.parse(run.stdout)["failure"]?["kind"] == "untrusted_anchor")
    }

    @Test func list_filtersAndPrintsJSON() async throws {
        let folder = try TemporaryFolder()
        let home = try await Self.home(in: folder, count: 6)
        let run = try ProgramRun.warden(["audit", "list", "--home", home, "--tool", "shell.run", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let entries = try #require(try JSONValue.parse(run.stdout).arrayValue)
        #expect(entries.map { $0["seq"] } == [1, 3, 5])
        #expect(entries.first?["payload"]?["tool"] == "shell.run")
        let since = try ProgramRun.warden(["audit", "list", "--home", home, "--since", "4"])
        #expect(since.stdout.split(separator: "\n").map { $0.split(separator: " ").first } == ["4", "5"])
        let byDate = try ProgramRun.warden(["audit", "list", "--home", home, "--since", "2000-01-01", "--json"])
        #expect(try JSONValue.parse(byDate.stdout).arrayValue?.count == 6)
        let badDate = try ProgramRun.warden(["audit", "list", "--home", home, "--since", "last tuesday"])
        #expect(badDate.status == 2)
        #expect(badDate.stderr.contains("--since"))
    }

    @Test func show_decodesThePayload_andRefusesAnUnknownEntry() async throws {
        let folder = try TemporaryFolder()
        let home = try await Self.home(in: folder, count: 3)
        let run = try ProgramRun.warden(["audit", "show", "2", "--home", home, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try JSONValue.parse(run.stdout)
        #expect(json["payload"]?["invocation_id"] == "inv-2")
        #expect(json["payload"]?["log"]?["seq"] == 2)
        #expect(json["envelope"]?["payloadType"] == .string(InvocationRecord.payloadType))
        let missing = try ProgramRun.warden(["audit", "show", "9", "--home", home])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no entry 9"))
    }

    @Test func prove_checksAnInclusionProofAgainstTheLatestCheckpoint() async throws {
        let folder = try TemporaryFolder()
        let home = try await Self.home(in: folder, count: 13)
        let run = try ProgramRun.warden(["audit", "prove", "5", "--home", home, "--json"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let json = try JSONValue.parse(run.stdout)
        #expect(json["verified"] == true)
        #expect(json["tree_size"] == 13)
        let root = try #require(HexEncoding.decode(json["root_hash"]?.stringValue ?? ""))
        let proof = try #require(json["proof"]?.arrayValue).map { HexEncoding.decode($0.stringValue ?? "") ?? [] }
        let leaf = try #require(HexEncoding.decode(json["leaf_hash"]?.stringValue ?? ""))
        try MerkleTree.verifyInclusion(index: 5, treeSize: 13, leafHash: leaf, proof: proof, root: root)
        let outside = try ProgramRun.warden(["audit", "prove", "13", "--home", home])
        #expect(outside.status == 2)
    }

    @Test func noLog_isBadInput() throws {
        let folder = try TemporaryFolder()
        let run = try ProgramRun.warden(["audit", "verify", "--home", folder.file("absent")])
        #expect(run.status == 2)
        #expect(run.stderr.contains("warden init"))
    }

    @Test func rotateKey_recordsTheHandOver_andTheLogStillVerifies() async throws {
        let folder = try TemporaryFolder()
        let home = try await Self.home(in: folder, count: 2)
        let anchor = home + "/anchor.pub"
        try FileManager.default.copyItem(atPath: home + "/keys/host.pub", toPath: anchor)
        let run = try ProgramRun.warden(["audit", "rotate-key", "--home", home, "--reason", "drill", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try JSONValue.parse(run.stdout)["seq"] == 2)
        let verify = try ProgramRun.warden(["audit", "verify", "--home", home, "--key", anchor, "--json"])
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(try JSONValue.parse(verify.stdout)["keys"]?.arrayValue?.count == 2)
    }
}
