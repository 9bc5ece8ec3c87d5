import Foundation
import GRDB
import Testing
import WardenCore

@testable import WardenStore

@Suite struct LogVerifierTests {
    /// 20 entries with a key rotation at entry 5; returns the path and both keys.
    static func rotatedLog(in folder: TemporaryFolder) async throws
        -> (path: String, old: Ed25519SigningKey, new: Ed25519SigningKey)
    {
        let old = Ed25519SigningKey.generate()
        let new = Ed25519SigningKey.generate()
        let path = folder.file("rotated.db")
        let store = try SQLiteLogStore.open(
            path: path, signingKey: old, options: LogFixture.options(checkpointEvery: 4))
        for i in 0..<5 { _ = try await store.append(LogFixture.invocation(i)) }
        #expect(try await store.rotateKey(to: new, reason: "test").seq == 5)
        for i in 6..<20 { _ = try await store.append(LogFixture.invocation(i)) }
        try await store.close()
        return (path, old, new)
    }

    @Test func rotatedLog_verifies_whateverTheChunkSize() async throws {
        let folder = try TemporaryFolder()
        let (path, old, new) = try await Self.rotatedLog(in: folder)
        let reader = try SQLiteLogStore.openReadOnly(path: path)
        for chunk in [1, 2, 3, 5, 6, 7, 64] {
            for parallelism in [1, 3] {
                let report = try await LogVerifier(
                    trustedAnchor: old.publicKey, parallelism: parallelism, chunkSize: chunk
                )
                .verify(reader)
                #expect(report.ok, "chunk \(chunk): \(String(describing: report.failure))")
                #expect(report.keyIDs == [old.keyid, new.keyid])
                #expect(report.entriesChecked == 20)
            }
        }
    }

    @Test func anEntrySignedByTheRetiredKeyAfterARotation_isCaught_whateverTheChunkSize() async throws {
        let folder = try TemporaryFolder()
        let (path, old, _) = try await Self.rotatedLog(in: folder)
        let copy = folder.file("old-key.db")
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let queue = try DatabaseQueue(path: copy)
        try await queue.write { db in
            try db.execute(sql: "DROP TRIGGER log_entries_append_only_update")
            let bytes = Array(try Data.fetchOne(db, sql: "SELECT envelope FROM log_entries WHERE seq = 9")!)
            let e = try DSSEEnvelope.parse(bytes)
            let forged = DSSEEnvelope.sign(payloadType: e.payloadType, payload: e.payload, keys: [old])
                .serializedBytes()
            try db.execute(
                sql: "UPDATE log_entries SET envelope = ?, hash = ? WHERE seq = 9",
                arguments: [Data(forged), Data(LogPosition.entryHash(envelopeBytes: forged))])
        }
        try queue.close()
        let reader = try SQLiteLogStore.openReadOnly(path: copy)
        for chunk in [1, 4, 5, 6, 9, 10, 64] {
            let report = try await LogVerifier(trustedAnchor: old.publicKey, chunkSize: chunk).verify(reader)
            #expect(report.failure?.seq == 9, "chunk \(chunk)")
            #expect(report.failure?.kind == .badSignature, "chunk \(chunk)")
            #expect(report.entriesChecked == 9, "chunk \(chunk)")
        }
    }

    @Test func aRotationNotSignedByTheIncomingKey_isRefused() async throws {
        let folder = try TemporaryFolder()
        let (path, old, _) = try await Self.rotatedLog(in: folder)
        let copy = folder.file("one-signature.db")
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let queue = try DatabaseQueue(path: copy)
        try await queue.write { db in
            try db.execute(sql: "DROP TRIGGER log_entries_append_only_update")
            var e = try DSSEEnvelope.parse(
                Array(try Data.fetchOne(db, sql: "SELECT envelope FROM log_entries WHERE seq = 5")!))
            e.signatures.removeLast()
            let bytes = e.serializedBytes()
            try db.execute(
                sql: "UPDATE log_entries SET envelope = ?, hash = ? WHERE seq = 5",
                arguments: [Data(bytes), Data(LogPosition.entryHash(envelopeBytes: bytes))])
        }
        try queue.close()
        let report = try await LogVerifier(trustedAnchor: old.publicKey).verify(
            try SQLiteLogStore.openReadOnly(path: copy))
        #expect(report.failure?.seq == 5)
        #expect(report.failure?.kind == .badKeyRotation)
    }

    @Test func aMalformedWitnessedCheckpoint_isReported() async throws {
        let folder = try TemporaryFolder()
        let (path, key) = try await LogFixture.makeLog(in: folder, count: 3)
        let report = try await LogVerifier(trustedAnchor: key.publicKey, witnessedCheckpoints: ["garbage"])
            .verify(try SQLiteLogStore.openReadOnly(path: path))
        #expect(report.failure?.kind == .malformedCheckpoint)
    }

    @Test func anEmptyLog_verifies() async throws {
        let folder = try TemporaryFolder()
        let key = Ed25519SigningKey.generate()
        let store = try SQLiteLogStore.open(
            path: folder.file("empty.db"), signingKey: key, options: LogFixture.options())
        try await store.close()
        let report = try await LogFixture.verify(folder.file("empty.db"), anchor: key.publicKey)
        #expect(report.ok)
        #expect(report.entriesChecked == 0)
    }
}
