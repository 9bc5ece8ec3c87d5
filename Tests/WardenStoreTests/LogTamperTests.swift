import Foundation
import GRDB
import Testing
import WardenCore

@testable import WardenStore

/// Each way of damaging a real log file is caught, and the report names the first bad entry.
@Suite struct LogTamperTests {
    static let count = 30  // checkpoints at 10, 20 and 30

    /// A copy of `original` with the append-only triggers dropped and `edit` applied in one transaction.
    static func tampered(
        _ original: String, in folder: TemporaryFolder, _ name: String, _ edit: (Database) throws -> Void
    ) throws -> String {
        let copy = folder.file("\(name).db")
        try FileManager.default.copyItem(atPath: original, toPath: copy)
        let queue = try DatabaseQueue(path: copy)
        try queue.write { db in
            for trigger in [
                "log_entries_append_only_update", "log_entries_append_only_delete",
                "log_checkpoints_append_only_update", "log_checkpoints_append_only_delete",
            ] {
                try db.execute(sql: "DROP TRIGGER \(trigger)")
            }
            try edit(db)
        }
        try queue.close()
        return copy
    }

    static func envelope(_ db: Database, _ seq: Int) throws -> DSSEEnvelope {
        try DSSEEnvelope.parse(
            Array(try Data.fetchOne(db, sql: "SELECT envelope FROM log_entries WHERE seq = ?", arguments: [seq])!))
    }

    /// Stores `envelope` as entry `seq`; with `coverUp`, also the matching hash (as a careful forger would).
    static func store(_ db: Database, _ seq: Int, _ envelope: DSSEEnvelope, coverUp: Bool) throws {
        let bytes = envelope.serializedBytes()
        try db.execute(sql: "UPDATE log_entries SET envelope = ? WHERE seq = ?", arguments: [Data(bytes), seq])
        if coverUp {
            try db.execute(
                sql: "UPDATE log_entries SET hash = ? WHERE seq = ?",
                arguments: [Data(LogPosition.entryHash(envelopeBytes: bytes)), seq])
        }
    }

    func expectFailure(
        _ path: String, anchor: Ed25519PublicKey?, seq: Int64?, checkpointSize: Int64? = nil,
        kinds: Set<LogVerificationFailure.Kind>, _ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let report = try await LogFixture.verify(path, anchor: anchor)
        let failure = try #require(report.failure, comment, sourceLocation: sourceLocation)
        #expect(failure.seq == seq, comment, sourceLocation: sourceLocation)
        #expect(failure.checkpointSize == checkpointSize, comment, sourceLocation: sourceLocation)
        #expect(kinds.contains(failure.kind), "\(comment): \(failure)", sourceLocation: sourceLocation)
    }

    @Test func untouchedLog_verifies() async throws {
        let folder = try TemporaryFolder()
        let (path, key) = try await LogFixture.makeLog(in: folder, count: Self.count)
        let report = try await LogFixture.verify(path, anchor: key.publicKey)
        #expect(report.ok, "\(String(describing: report.failure))")
        #expect(report.entriesChecked == Int64(Self.count))
        #expect(report.checkpointsChecked == 3)
        #expect(report.keyIDs == [key.keyid])
    }

    @Test func oneChangedPayloadByte_isCaughtAtThatEntry() async throws {
        let folder = try TemporaryFolder()
        let (path, key) = try await LogFixture.makeLog(in: folder, count: Self.count)
        for coverUp in [false, true] {
            let copy = try Self.tampered(path, in: folder, "payload-\(coverUp)") { db in
                var e = try Self.envelope(db, 12)
                let at = try #require(e.payload.lastIndex(of: UInt8(ascii: "2")))
                e.payload[at] = UInt8(ascii: "3")
                try Self.store(db, 12, e, coverUp: coverUp)
            }
            try await expectFailure(
                copy, anchor: key.publicKey, seq: 12, kinds: [.hashMismatch, .badSignature],
                "payload, cover-up \(coverUp)")
        }
    }

    @Test func oneChangedByteOfTheStoredEnvelope_isCaughtAtThatEntry() async throws {
        let folder = try TemporaryFolder()
        let (path, key) = try await LogFixture.makeLog(in: folder, count: Self.count)
        let copy = try Self.tampered(path, in: folder, "raw") { db in
            var bytes = Array(try Data.fetchOne(db, sql: "SELECT envelope FROM log_entries WHERE seq = 12")!)
            bytes[bytes.count / 2] ^= 0x01
            try db.execute(sql: "UPDATE log_entries SET envelope = ? WHERE seq = 12", arguments: [Data(bytes)])
        }
        try await expectFailure(
            copy, anchor: key.publicKey, seq: 12,
            kinds: [.hashMismatch, .malformedEnvelope, .malformedPayload, .badSignature],
            "raw byte")
    }

    @Test func oneChangedSignatureByte_isCaughtAtThatEntry() async throws {
        let folder = try TemporaryFolder()
        let (path, key) = try await LogFixture.makeLog(in: folder, count: Self.count)
        for coverUp in [false, true] {
            let copy = try Self.tampered(path, in: folder, "sig-\(coverUp)") { db in
                var e = try Self.envelope(db, 12)
                e.signatures[0].sig[5] ^= 0x40
                try Self.store(db, 12, e, coverUp: coverUp)
            }
            try await expectFailure(
                copy, anchor: key.publicKey, seq: 12,
                kinds: coverUp ? [.badSignature] : [.hashMismatch, .badSignature],
                "signature, cover-up \(coverUp)")
        }
    }

    @Test func aDeletedEntry_isNamed() async throws {
        let folder = try TemporaryFolder()
        let (path, key) = try await LogFixture.makeLog(in: folder, count: Self.count)
        let copy = try Self.tampered(path, in: folder, "delete") { db in
            try db.execute(sql: "DELETE FROM log_entries WHERE seq = 12")
        }
        try await expectFailure(copy, anchor: key.publicKey, seq: 12, kinds: [.missingEntry], "deleted entry")
    }

    @Test func twoSwappedEntries_areCaughtAtTheFirst() async throws {
        let folder = try TemporaryFolder()
        let (path, key) = try await LogFixture.makeLog(in: folder, count: Self.count)
        let copy = try Self.tampered(path, in: folder, "swap") { db in
            try db.execute(sql: "UPDATE log_entries SET seq = 1000000 WHERE seq = 12")
            try db.execute(sql: "UPDATE log_entries SET seq = 12 WHERE seq = 13")
            try db.execute(sql: "UPDATE log_entries SET seq = 13 WHERE seq = 1000000")
        }
        try await expectFailure(copy, anchor: key.publicKey, seq: 12, kinds: [.wrongPosition], "swapped entries")
    }

    @Test func aTruncatedTail_isCaughtByTheCheckpointThatCoveredIt() async throws {
        let folder = try TemporaryFolder()
        let (path, key) = try await LogFixture.makeLog(in: folder, count: Self.count)
        let copy = try Self.tampered(path, in: folder, "truncate") { db in
            try db.execute(sql: "DELETE FROM log_entries WHERE seq >= 25")
        }
        try await expectFailure(
            copy, anchor: key.publicKey, seq: 25, checkpointSize: 30, kinds: [.missingEntry], "truncated tail")
    }

    /// Cutting the tail together with the checkpoints that covered it leaves a consistent shorter log: only a
    /// checkpoint kept elsewhere (an export, a witness) reveals it.
    @Test func aTruncatedTailWithItsCheckpoints_isCaughtByAWitnessedCheckpoint() async throws {
        let folder = try TemporaryFolder()
        let (path, key) = try await LogFixture.makeLog(in: folder, count: Self.count)
        let witnessed = try #require(try await SQLiteLogStore.openReadOnly(path: path).latestCheckpoint()).note
        let copy = try Self.tampered(path, in: folder, "truncate-all") { db in
            try db.execute(sql: "DELETE FROM log_entries WHERE seq >= 25")
            try db.execute(sql: "DELETE FROM log_checkpoints WHERE tree_size > 20")
        }
        #expect(try await LogFixture.verify(copy, anchor: key.publicKey).ok)
        let reader = try SQLiteLogStore.openReadOnly(path: copy)
        let report = try await LogVerifier(trustedAnchor: key.publicKey, witnessedCheckpoints: [witnessed]).verify(
            reader)
        #expect(report.failure?.kind == .missingEntry)
        #expect(report.failure?.seq == 25)
    }

    @Test func anEntryResignedWithAnotherKey_isCaught() async throws {
        let folder = try TemporaryFolder()
        let (path, key) = try await LogFixture.makeLog(in: folder, count: Self.count)
        let forger = Ed25519SigningKey.generate()
        let copy = try Self.tampered(path, in: folder, "resign") { db in
            let e = try Self.envelope(db, 12)
            try Self.store(
                db, 12, DSSEEnvelope.sign(payloadType: e.payloadType, payload: e.payload, keys: [forger]), coverUp: true
            )
        }
        try await expectFailure(copy, anchor: key.publicKey, seq: 12, kinds: [.badSignature], "re-signed entry")
    }

    @Test func aWholeLogRewrittenWithAnotherKey_failsAgainstThePinnedKey() async throws {
        let folder = try TemporaryFolder()
        let (path, key) = try await LogFixture.makeLog(in: folder, count: Self.count)
        let forger = Ed25519SigningKey.generate()
        let forged = folder.file("forged.db")
        let store = try SQLiteLogStore.open(path: forged, signingKey: forger, options: LogFixture.options())
        let reader = try SQLiteLogStore.openReadOnly(path: path)
        for entry in try await reader.entries(from: 0, limit: Self.count) {
            var payload = try JSONValue.parse(DSSEEnvelope.parse(entry.envelopeBytes).payload).objectValue!
            payload["log"] = nil
            _ = try await store.append(payloadType: entry.payloadType, payload: JSONValue.object(payload))
        }
        try await store.close()
        #expect(try await LogFixture.verify(forged).ok, "consistent by itself")
        try await expectFailure(forged, anchor: key.publicKey, seq: nil, kinds: [.untrustedAnchor], "forged log")
    }

    @Test func anEditedCheckpoint_isCaught() async throws {
        let folder = try TemporaryFolder()
        let (path, key) = try await LogFixture.makeLog(in: folder, count: Self.count)
        let note = try SignedNote.parse(
            try #require(try await SQLiteLogStore.openReadOnly(path: path).checkpoints().first { $0.treeSize == 20 })
                .note)
        let otherRoot = LenientBase64.encode(MerkleTree.emptyRoot)
        let edits: [(String, Set<LogVerificationFailure.Kind>, (Database) throws -> Void)] = [
            (
                "note-root", [.checkpointSignature],
                { db in
                    let lines = note.formatted.split(separator: "\n", omittingEmptySubsequences: false)
                    let edited = ([lines[0], lines[1], Substring(otherRoot)] + lines[3...]).joined(separator: "\n")
                    try db.execute(sql: "UPDATE log_checkpoints SET note = ? WHERE tree_size = 20", arguments: [edited])
                }
            ),
            (
                "note-signature", [.checkpointSignature],
                { db in
                    var n = note
                    n.signatures[0].signature[0] ^= 1
                    try db.execute(
                        sql: "UPDATE log_checkpoints SET note = ? WHERE tree_size = 20", arguments: [n.formatted])
                }
            ),
            (
                "root-column", [.checkpointMismatch],
                { db in
                    try db.execute(
                        sql: "UPDATE log_checkpoints SET root = ? WHERE tree_size = 20",
                        arguments: [Data(MerkleTree.emptyRoot)])
                }
            ),
            (
                "note-garbage", [.malformedCheckpoint],
                { db in
                    try db.execute(sql: "UPDATE log_checkpoints SET note = 'garbage' WHERE tree_size = 20")
                }
            ),
        ]
        for (name, kinds, edit) in edits {
            let copy = try Self.tampered(path, in: folder, name, edit)
            try await expectFailure(copy, anchor: key.publicKey, seq: nil, checkpointSize: 20, kinds: kinds, "\(name)")
        }
    }

    @Test func anEditedQueryColumn_isCaught() async throws {
        let folder = try TemporaryFolder()
        let (path, key) = try await LogFixture.makeLog(in: folder, count: Self.count)
        let edits = [
            "UPDATE log_entries SET tool = 'files.read' WHERE seq = 12",
            "UPDATE log_entries SET time_ms = time_ms + 1 WHERE seq = 12",
            "UPDATE log_entries SET payload_type = 'application/x' WHERE seq = 12",
        ]
        for (i, sql) in edits.enumerated() {
            let copy = try Self.tampered(path, in: folder, "column-\(i)") { db in try db.execute(sql: sql) }
            try await expectFailure(copy, anchor: key.publicKey, seq: 12, kinds: [.columnMismatch], "\(sql)")
        }
    }

    @Test func aForgedEntryAppendedAtTheEnd_isCaught() async throws {
        let folder = try TemporaryFolder()
        let (path, key) = try await LogFixture.makeLog(in: folder, count: Self.count)
        let copy = try Self.tampered(path, in: folder, "append") { db in
            let last = Array(
                try Data.fetchOne(db, sql: "SELECT hash FROM log_entries WHERE seq = ?", arguments: [Self.count - 1])!)
            let position = LogPosition(seq: Int64(Self.count), previousHash: last, timeMilliseconds: 0)
            let envelope = DSSEEnvelope.sign(
                payloadType: "application/x", payload: position.bind(Array("{}".utf8)), keys: [.generate()])
            let bytes = envelope.serializedBytes()
            try db.execute(
                sql:
                    "INSERT INTO log_entries (seq, payload_type, time_ms, tool, envelope, hash) VALUES (?, ?, 0, NULL, ?, ?)",
                arguments: [
                    Self.count, "application/x", Data(bytes), Data(LogPosition.entryHash(envelopeBytes: bytes)),
                ])
        }
        try await expectFailure(
            copy, anchor: key.publicKey, seq: Int64(Self.count), kinds: [.badSignature], "forged tail")
    }
}
