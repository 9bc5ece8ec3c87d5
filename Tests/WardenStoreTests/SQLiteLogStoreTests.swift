import Foundation
import GRDB
import Synchronization
import Testing
import WardenCore

@testable import WardenStore

@Suite struct SQLiteLogStoreTests {
    @Test func append_givesSequentialReceipts_whoseHashesAreTheEnvelopeHashes() async throws {
        let folder = try TemporaryFolder()
        let key = Ed25519SigningKey.generate()
        let store = try SQLiteLogStore.open(
            path: folder.file("log.db"), signingKey: key, options: LogFixture.options(), clock: ManualClock())
        var receipts: [LogReceipt] = []
        for i in 0..<3 { receipts.append(try await store.append(LogFixture.invocation(i))) }
        #expect(receipts.map(\.seq) == [0, 1, 2])
        for receipt in receipts {
            let entry = try #require(try await store.entry(seq: receipt.seq))
            #expect(HexEncoding.encode(LogPosition.entryHash(envelopeBytes: entry.envelopeBytes)) == receipt.hash)
            let envelope = try DSSEEnvelope.parse(entry.envelopeBytes)
            #expect(try envelope.verify(trusting: [key.publicKey]) == [key.keyid])
            #expect(envelope.payloadType == InvocationRecord.payloadType)
            let payload = try JSONValue.parse(envelope.payload)
            #expect(try LogPosition(payload: payload).seq == receipt.seq)
            #expect(try InvocationRecord.decode(payload: envelope.payload) == LogFixture.invocation(Int(receipt.seq)))
            #expect(entry.tool == "files.read")
        }
        let second = try #require(try await store.entry(seq: 1))
        let prev = try LogPosition(payload: JSONValue.parse(DSSEEnvelope.parse(second.envelopeBytes).payload))
            .previousHash
        #expect(HexEncoding.encode(prev) == receipts[0].hash)
        try await store.close()
    }

    @Test func concurrentAppends_areAllRecordedOnce_andTheLogVerifies() async throws {
        let folder = try TemporaryFolder()
        let key = Ed25519SigningKey.generate()
        let path = folder.file("log.db")
        let store = try SQLiteLogStore.open(
            path: path, signingKey: key, options: LogFixture.options(checkpointEvery: 97))
        let receipts = try await withThrowingTaskGroup(of: LogReceipt.self) { group in
            for i in 0..<1000 { group.addTask { try await store.append(LogFixture.invocation(i)) } }
            var all: [LogReceipt] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(Set(receipts.map(\.seq)) == Set(0..<1000))
        #expect(Set(receipts.map(\.hash)).count == 1000)
        try await store.close()
        let report = try await LogFixture.verify(path, anchor: key.publicKey)
        #expect(report.ok, "\(String(describing: report.failure))")
        #expect(report.entriesChecked == 1000)
        #expect(report.latestCheckpointSize == 1000)
        #expect(report.checkpointsChecked == 11)
    }

    @Test func checkpoints_areWrittenEveryNEntries_andOnClose() async throws {
        let folder = try TemporaryFolder()
        let (path, key) = try await LogFixture.makeLog(in: folder, count: 25)
        let reader = try SQLiteLogStore.openReadOnly(path: path)
        let checkpoints = try await reader.checkpoints()
        #expect(checkpoints.map(\.treeSize) == [10, 20, 25])
        let hashes = try await reader.leafHashes(count: 25)
        for stored in checkpoints {
            let note = try SignedNote.parse(stored.note)
            try note.verify(name: "warden.log/test", key: key.publicKey)
            let checkpoint = try note.checkpoint()
            #expect(checkpoint.origin == "warden.log/test")
            #expect(checkpoint.rootHash == MerkleTree.root(leafHashes: Array(hashes.prefix(Int(stored.treeSize)))))
            #expect(checkpoint.time != nil)
        }
    }

    @Test func checkpoints_areWrittenAfterTheIntervalWhenIdle() async throws {
        let folder = try TemporaryFolder()
        let store = try SQLiteLogStore.open(
            path: folder.file("log.db"), signingKey: .generate(),
            options: LogFixture.options(checkpointEvery: 1000, interval: 0.05))
        _ = try await store.append(LogFixture.invocation(0))
        var latest: StoredCheckpoint?
        for _ in 0..<200 where latest == nil {
            try await Task.sleep(for: .milliseconds(10))
            latest = try await store.latestCheckpoint()
        }
        #expect(latest?.treeSize == 1)
        try await store.close()
    }

    @Test func reopening_resumesTheChainAndTheTree() async throws {
        let folder = try TemporaryFolder()
        let (path, key) = try await LogFixture.makeLog(in: folder, count: 13)
        let store = try SQLiteLogStore.open(path: path, signingKey: key, options: LogFixture.options())
        let receipt = try await store.append(LogFixture.invocation(13))
        #expect(receipt.seq == 13)
        try await store.close()
        let report = try await LogFixture.verify(path, anchor: key.publicKey)
        #expect(report.ok, "\(String(describing: report.failure))")
        #expect(report.entriesChecked == 14)
        #expect(report.latestCheckpointSize == 14)
    }

    @Test func reopening_withAnotherKey_isRefused() async throws {
        let folder = try TemporaryFolder()
        let (path, _) = try await LogFixture.makeLog(in: folder, count: 2)
        let error = #expect(throws: LogError.self) {
            try SQLiteLogStore.open(path: path, signingKey: .generate(), options: LogFixture.options())
        }
        #expect(error?.code == .keyMismatch)
    }

    @Test func aSecondWriter_isRefused_whileTheFirstIsOpen() async throws {
        let folder = try TemporaryFolder()
        let key = Ed25519SigningKey.generate()
        let path = folder.file("log.db")
        let first = try SQLiteLogStore.open(path: path, signingKey: key, options: LogFixture.options())
        let error = #expect(throws: LogError.self) {
            try SQLiteLogStore.open(path: path, signingKey: key, options: LogFixture.options())
        }
        #expect(error?.code == .storage)
        try await first.close()
        let again = try SQLiteLogStore.open(path: path, signingKey: key, options: LogFixture.options())
        try await again.close()
    }

    /// A writer that waits for the lock gets it once the holder lets go, and is refused when it does not in time.
    @Test func aWaitingWriter_getsTheLockWhenTheHolderCloses() async throws {
        let folder = try TemporaryFolder()
        let key = Ed25519SigningKey.generate()
        let path = folder.file("log.db")
        let first = try SQLiteLogStore.open(path: path, signingKey: key, options: LogFixture.options())
        var impatient = LogFixture.options()
        impatient.writerLockWait = 0.2
        let start = ContinuousClock.now
        let refused = #expect(throws: LogError.self) {
            try SQLiteLogStore.open(path: path, signingKey: key, options: impatient)
        }
        #expect(refused?.message.contains("another Warden process is writing the log") == true)
        #expect(ContinuousClock.now - start >= .milliseconds(200))

        var patient = LogFixture.options()
        patient.writerLockWait = 60
        // The waiting open blocks its thread: a thread of its own, not one of the few the whole suite's tasks share.
        let second = Mutex<Result<SQLiteLogStore, any Error>?>(nil)
        let thread = Thread { [patient] in
            let result = Result { try SQLiteLogStore.open(path: path, signingKey: key, options: patient) }
            second.withLock { $0 = result }
        }
        thread.start()
        try await Task.sleep(for: .milliseconds(300))
        _ = try await first.append(LogFixture.invocation(0))
        try await first.close()
        var opened: SQLiteLogStore?
        for _ in 0..<6000 where opened == nil {
            if let result = second.withLock({ $0 }) {
                opened = try result.get()
            } else {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        let reopened = try #require(opened)
        let receipt = try await reopened.append(LogFixture.invocation(1))
        #expect(receipt.seq == 1)
        try await reopened.close()
    }

    @Test func invalidPayloads_areRefused_andNothingIsAppended() async throws {
        let folder = try TemporaryFolder()
        var options = LogFixture.options()
        options.maxPayloadBytes = 64
        let store = try SQLiteLogStore.open(path: folder.file("log.db"), signingKey: .generate(), options: options)
        let cases: [(String, [UInt8])] = [
            ("application/x", Array("[]".utf8)),
            ("application/x", Array("not json".utf8)),
            ("application/x", Array(#"{"log":{}}"#.utf8)),
            ("", Array("{}".utf8)),
            ("application/x y", Array("{}".utf8)),
            ("application/x", Array(("{\"a\":\"" + String(repeating: "x", count: 100) + "\"}").utf8)),
        ]
        for (type, payload) in cases {
            let error = await #expect(throws: LogError.self) {
                try await store.append(payloadType: type, payload: payload)
            }
            #expect(error?.code == .invalidPayload)
        }
        let values: [(String, JSONValue)] = [
            ("application/x", [1, 2]), ("application/x", ["log": 1]), ("", [:]), ("application/\u{7}", [:]),
        ]
        for (type, value) in values {
            let error = await #expect(throws: LogError.self) {
                try await store.append(payloadType: type, payload: value)
            }
            #expect(error?.code == .invalidPayload)
        }
        #expect(try await store.entryCount() == 0)
        #expect(try await store.append(payloadType: "application/x", payload: Array("{}".utf8)).seq == 0)
        try await store.close()
    }

    @Test func everyAppendPath_givesEntriesThatVerify() async throws {
        let folder = try TemporaryFolder()
        let key = Ed25519SigningKey.generate()
        let path = folder.file("log.db")
        let store = try SQLiteLogStore.open(path: path, signingKey: key, options: LogFixture.options())
        let record = LogFixture.invocation(0, tool: "shell.run")
        _ = try await store.append(record)
        _ = try await store.append(payloadType: InvocationRecord.payloadType, payload: record.jsonValue)
        _ = try await store.append(payloadType: InvocationRecord.payloadType, payload: record.payloadBytes())
        _ = try await store.append(payloadType: "application/x", payload: ["n": .double(.nan), "s": "a\u{0}b"])
        try await store.close()
        let entries = try await SQLiteLogStore.openReadOnly(path: path).list(LogQuery())
        #expect(entries.map(\.tool) == ["shell.run", "shell.run", "shell.run", nil])
        let report = try await LogFixture.verify(path, anchor: key.publicKey)
        #expect(report.ok, "\(String(describing: report.failure))")
    }

    @Test func afterClose_appendsAreRefused() async throws {
        let folder = try TemporaryFolder()
        let store = try SQLiteLogStore.open(
            path: folder.file("log.db"), signingKey: .generate(), options: LogFixture.options())
        try await store.close()
        let error = await #expect(throws: LogError.self) { try await store.append(LogFixture.invocation(0)) }
        #expect(error?.code == .closed)
    }

    @Test func readOnlyStore_refusesToWrite_andAMissingLogIsNotFound() async throws {
        let folder = try TemporaryFolder()
        let (path, _) = try await LogFixture.makeLog(in: folder, count: 1)
        let reader = try SQLiteLogStore.openReadOnly(path: path)
        let error = await #expect(throws: LogError.self) { try await reader.append(LogFixture.invocation(1)) }
        #expect(error?.code == .closed)
        let missing = #expect(throws: LogError.self) { try SQLiteLogStore.openReadOnly(path: folder.file("none.db")) }
        #expect(missing?.code == .notFound)
    }

    @Test func appendIntoAnAppendOnlyTable_cannotBeUndoneThroughSQL() async throws {
        let folder = try TemporaryFolder()
        let (path, key) = try await LogFixture.makeLog(in: folder, count: 2)
        let store = try SQLiteLogStore.open(path: path, signingKey: key, options: LogFixture.options())
        #expect(throws: (any Error).self) {
            try store.pool.write { db in try db.execute(sql: "DELETE FROM log_entries WHERE seq = 0") }
        }
        #expect(throws: (any Error).self) {
            try store.pool.write { db in try db.execute(sql: "UPDATE log_checkpoints SET note = ''") }
        }
        try await store.close()
    }

    @Test func list_filtersBySeqTimeToolAndKind() async throws {
        let folder = try TemporaryFolder()
        let clock = ManualClock()
        let key = Ed25519SigningKey.generate()
        let store = try SQLiteLogStore.open(
            path: folder.file("log.db"), signingKey: key, options: LogFixture.options(), clock: clock)
        let start = clock.nowMilliseconds()
        for i in 0..<6 {
            _ = try await store.append(LogFixture.invocation(i, tool: i % 2 == 0 ? "files.read" : "shell.run"))
            clock.advance(by: 1000)
        }
        _ = try await store.append(
            PluginLifecycleRecord(event: .started, plugin: "files", time: Date(timeIntervalSince1970: 1)))
        #expect(try await store.list(LogQuery(since: .seq(4))).map(\.seq) == [4, 5, 6])
        #expect(try await store.list(LogQuery(since: .time(start + 2000))).map(\.seq) == [2, 3, 4, 5, 6])
        #expect(try await store.list(LogQuery(tool: "shell.run")).map(\.seq) == [1, 3, 5])
        #expect(try await store.list(LogQuery(tool: "files.*")).map(\.seq) == [0, 2, 4])
        #expect(try await store.list(LogQuery(payloadType: PluginLifecycleRecord.payloadType)).map(\.seq) == [6])
        #expect(try await store.list(LogQuery(limit: 2)).map(\.seq) == [0, 1])
        try await store.close()
    }

    @Test func entryTimes_neverGoBackwards_whenTheClockDoes() async throws {
        let folder = try TemporaryFolder()
        let clock = ManualClock()
        let store = try SQLiteLogStore.open(
            path: folder.file("log.db"), signingKey: .generate(), options: LogFixture.options(), clock: clock)
        _ = try await store.append(LogFixture.invocation(0))
        clock.advance(by: -60_000)
        _ = try await store.append(LogFixture.invocation(1))
        let times = try await store.list(LogQuery()).map(\.timeMilliseconds)
        #expect(times[1] >= times[0])
        try await store.close()
    }

    /// A commit that fails (a fault injected from another connection: every insert into the entries table aborts)
    /// refuses that append and every later one; reopening resumes from what is on disk, which verifies and holds
    /// none of the refused entries.
    @Test func aFailedCommit_refusesEveryLaterAppend_untilTheLogIsReopened() async throws {
        let folder = try TemporaryFolder()
        let key = Ed25519SigningKey.generate()
        let path = folder.file("log.db")
        let store = try SQLiteLogStore.open(path: path, signingKey: key, options: LogFixture.options())
        for i in 0..<3 { _ = try await store.append(LogFixture.invocation(i)) }
        let fault = try DatabaseQueue(path: path)
        try await fault.write { db in
            try db.execute(
                sql: "CREATE TRIGGER injected_fault BEFORE INSERT ON log_entries "
                    + "BEGIN SELECT RAISE(ABORT, 'injected fault'); END")
        }
        let failed = await #expect(throws: LogError.self) { try await store.append(LogFixture.invocation(3)) }
        #expect(failed?.code == .storage)
        #expect(failed?.message.contains("injected fault") == true)
        let refused = await #expect(throws: LogError.self) { try await store.append(LogFixture.invocation(4)) }
        #expect(refused?.code == .writerFailed)
        await #expect(throws: LogError.self) { try await store.close() }

        try await fault.write { db in try db.execute(sql: "DROP TRIGGER injected_fault") }
        try await fault.close()
        let reopened = try SQLiteLogStore.open(path: path, signingKey: key, options: LogFixture.options())
        let receipt = try await reopened.append(LogFixture.invocation(5))
        #expect(receipt.seq == 3)
        try await reopened.close()
        let report = try await LogFixture.verify(path, anchor: key.publicKey)
        #expect(report.ok, "\(String(describing: report.failure))")
        #expect(report.entriesChecked == 4)
    }
}
