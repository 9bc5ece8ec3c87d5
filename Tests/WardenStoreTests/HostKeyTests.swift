import Foundation
import GRDB
import Testing
import WardenCore

@testable import WardenStore

@Suite struct HostKeyTests {
    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func loadOrCreate_makesAPrivateFolderAndKeyFile_once() throws {
        let folder = try TemporaryFolder()
        let home = folder.file("home")
        let (key, created) = try HostKey.loadOrCreate(home: home)
        #expect(created)
        #expect(try Self.mode(home + "/keys") == 0o700)
        #expect(try Self.mode(home + "/keys/host.key") == 0o600)
        let (again, createdAgain) = try HostKey.loadOrCreate(home: home)
        #expect(!createdAgain)
        #expect(again.publicKey == key.publicKey)
        #expect(try HostKey.load(home: home).publicKey == key.publicKey)
        #expect(try HostKey.loadPublic(home: home) == key.publicKey)
    }

    @Test func aKeyFileOthersCanRead_isRefused() throws {
        let folder = try TemporaryFolder()
        let home = folder.file("home")
        _ = try HostKey.loadOrCreate(home: home)
        chmod(home + "/keys/host.key", 0o640)
        let error = #expect(throws: HostKeyError.self) { try HostKey.load(home: home) }
        #expect(error?.code == .insecurePermissions)
        #expect(error?.path == home + "/keys/host.key")
    }

    @Test func aKeysFolderOthersCanEnter_isRefused() throws {
        let folder = try TemporaryFolder()
        let home = folder.file("home")
        _ = try HostKey.loadOrCreate(home: home)
        chmod(home + "/keys", 0o755)
        let error = #expect(throws: HostKeyError.self) { try HostKey.load(home: home) }
        #expect(error?.code == .insecurePermissions)
        #expect(throws: HostKeyError.self) { try HostKey.loadOrCreate(home: home) }
    }

    @Test func aSymlinkedKeyFile_isRefused() throws {
        let folder = try TemporaryFolder()
        let home = folder.file("home")
        _ = try HostKey.loadOrCreate(home: home)
        try FileManager.default.moveItem(atPath: home + "/keys/host.key", toPath: folder.file("elsewhere.key"))
        try FileManager.default.createSymbolicLink(
            atPath: home + "/keys/host.key", withDestinationPath: folder.file("elsewhere.key"))
        let error = #expect(throws: HostKeyError.self) { try HostKey.load(home: home) }
        #expect(error?.code == .insecurePermissions)
    }

    @Test func malformedAndMissingKeyFiles_areRefusedWithTheirCode() throws {
        let folder = try TemporaryFolder()
        let missing = #expect(throws: HostKeyError.self) { try HostKey.load(home: folder.file("none")) }
        #expect(missing?.code == .missing)
        let home = folder.file("home")
        _ = try HostKey.loadOrCreate(home: home)
        for text in [
            "not json", #"{"keytype":"rsa"}"#, #"{"keytype":"ed25519","scheme":"ed25519","keyval":{"private":"00"}}"#,
        ] {
            let path = home + "/keys/host.key"
            try FileManager.default.removeItem(atPath: path)
            FileManager.default.createFile(
                atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
            let error = #expect(throws: HostKeyError.self, "\(text)") { try HostKey.load(home: home) }
            #expect(error?.code == .malformed, "\(text)")
        }
    }

    @Test func openHome_createsTheLogSignedByTheHostKey() async throws {
        let folder = try TemporaryFolder()
        let home = folder.file("home")
        let (store, key) = try SQLiteLogStore.open(home: home, options: LogFixture.options())
        _ = try await store.append(LogFixture.invocation(0))
        try await store.close()
        #expect(FileManager.default.fileExists(atPath: home + "/warden.db"))
        let report = try await LogFixture.verify(home + "/warden.db", anchor: key.publicKey)
        #expect(report.ok)
    }

    @Test func rotation_isALoggedHandOver_andTheNewKeySignsWhatFollows() async throws {
        let folder = try TemporaryFolder()
        let home = folder.file("home")
        var (store, key) = try SQLiteLogStore.open(home: home, options: LogFixture.options())
        let old = key.publicKey
        _ = try await store.append(LogFixture.invocation(0))
        let (rotated, receipt) = try await key.rotate(log: store, reason: "scheduled")
        #expect(receipt.seq == 1)
        _ = try await store.append(LogFixture.invocation(2))
        try await store.close()
        #expect(try HostKey.load(home: home).publicKey == rotated.publicKey)
        #expect(try HostKey.loadPublic(home: home) == rotated.publicKey)
        #expect(!FileManager.default.fileExists(atPath: home + "/keys/host.key.next"))
        let report = try await LogFixture.verify(home + "/warden.db", anchor: old)
        #expect(report.ok, "\(String(describing: report.failure))")
        #expect(report.keyIDs == [old.keyid, rotated.publicKey.keyid])
        let reader = try SQLiteLogStore.openReadOnly(path: home + "/warden.db")
        let rotation = try DSSEEnvelope.parse(try #require(try await reader.entry(seq: 1)).envelopeBytes)
        #expect(rotation.signatures.compactMap(\.keyid) == [old.keyid, rotated.publicKey.keyid])
        let record = try KeyRotationRecord.decode(payload: rotation.payload)
        #expect(record.reason == "scheduled")
        #expect(try await reader.keyChain() == [old, rotated.publicKey])
        (store, key) = try SQLiteLogStore.open(home: home, options: LogFixture.options())
        #expect(key.publicKey == rotated.publicKey)
        try await store.close()
    }

    @Test func anInterruptedRotation_isFinishedWhenTheLogIsOpened() async throws {
        let folder = try TemporaryFolder()
        let home = folder.file("home")
        let (store, key) = try SQLiteLogStore.open(home: home, options: LogFixture.options())
        // The record is in the log but the process died before the new key replaced the old file.
        let next = Ed25519SigningKey.generate()
        _ = try KeyFiles.writePrivateKey(next, to: home + "/keys/host.key.next", replace: false)
        _ = try await store.rotateKey(to: next, reason: nil)
        try await store.close()
        #expect(try HostKey.load(home: home).publicKey == key.publicKey)
        let (reopened, current) = try SQLiteLogStore.open(home: home, options: LogFixture.options())
        #expect(current.publicKey == next.publicKey)
        #expect(try HostKey.load(home: home).publicKey == next.publicKey)
        _ = try await reopened.append(LogFixture.invocation(1))
        try await reopened.close()
        #expect(try await LogFixture.verify(home + "/warden.db", anchor: key.publicKey).ok)
    }

    @Test func aRotationThatNeverReachedTheLog_leavesTheOldKeyInForce() async throws {
        let folder = try TemporaryFolder()
        let home = folder.file("home")
        let (store, key) = try SQLiteLogStore.open(home: home, options: LogFixture.options())
        try await store.close()
        _ = try KeyFiles.writePrivateKey(.generate(), to: home + "/keys/host.key.next", replace: false)
        let (reopened, current) = try SQLiteLogStore.open(home: home, options: LogFixture.options())
        #expect(current.publicKey == key.publicKey)
        #expect(!FileManager.default.fileExists(atPath: home + "/keys/host.key.next"))
        try await reopened.close()
    }

    @Test func aReplacedKeyFile_isRefusedByTheLog() async throws {
        let folder = try TemporaryFolder()
        let home = folder.file("home")
        let (store, _) = try SQLiteLogStore.open(home: home, options: LogFixture.options())
        _ = try await store.append(LogFixture.invocation(0))
        try await store.close()
        _ = try KeyFiles.writePrivateKey(.generate(), to: home + "/keys/host.key", replace: true)
        #expect(throws: HostKeyError.self) { try SQLiteLogStore.open(home: home, options: LogFixture.options()) }
    }
}

@Suite struct SharedDatabaseTests {
    @Test func theLogIsCreatedInADatabaseThatOtherStoresAlreadyUse() async throws {
        let folder = try TemporaryFolder()
        let home = folder.file("home")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let other = try DatabaseQueue(path: home + "/warden.db")
        try await other.write { db in try db.execute(sql: "CREATE TABLE approvals (id TEXT PRIMARY KEY)") }
        try other.close()
        let (store, key) = try SQLiteLogStore.open(home: home, options: LogFixture.options())
        _ = try await store.append(LogFixture.invocation(0))
        try await store.close()
        #expect(try await LogFixture.verify(home + "/warden.db", anchor: key.publicKey).ok)
    }
}
