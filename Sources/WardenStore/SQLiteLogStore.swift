import Foundation
import GRDB
import WardenCore

/// The log in SQLite (WAL mode, one writer): ``LogStore`` for the embedded default.
///
/// Open it with ``open(home:options:clock:)`` for the kernel (loads the host key, creates the log on first use),
/// ``open(path:signingKey:options:clock:)`` for a log file and key of your own, or
/// ``openReadOnly(path:)`` for `warden audit`.
public final class SQLiteLogStore: LogStore {
    /// The database file.
    public let path: String
    let pool: DatabasePool
    let writer: LogWriter?
    let lock: WriterLock?

    init(path: String, pool: DatabasePool, writer: LogWriter?, lock: WriterLock?) {
        self.path = path
        self.pool = pool
        self.writer = writer
        self.lock = lock
    }

    /// `<home>/warden.db`.
    public static func databasePath(home: String) -> String { home + "/warden.db" }

    /// Opens (or creates) the log of a state folder with its host key, creating the folder and key when absent.
    ///
    /// Finishes an interrupted key rotation first (see ``HostKey/reconcile(home:activeKeyID:)``).
    /// - Throws: ``HostKeyError`` for the key, ``LogError`` for the database.
    public static func open(
        home: String, options: LogOptions = LogOptions(), clock: any LogClock = SystemLogClock()
    ) throws -> (store: SQLiteLogStore, key: HostKey) {
        var (key, _) = try HostKey.loadOrCreate(home: home)
        let path = databasePath(home: home)
        if FileManager.default.fileExists(atPath: path) {
            // The file may hold other stores' tables and no log yet.
            do {
                let reader = try openReadOnly(path: path)
                if let active = try reader.activeKeyIDIfAny() {
                    key = try HostKey.reconcile(home: home, activeKeyID: active)
                }
            } catch let error as LogError where error.code == .notFound {}
        }
        let store = try open(path: path, signingKey: key.signingKey, options: options, clock: clock)
        return (store, key)
    }

    /// Opens (or creates) the log in the file at `path`, signing with `signingKey`.
    ///
    /// A new log takes `signingKey` as its anchor. An existing log must be signed by `signingKey` now (its anchor,
    /// or the new key of its last rotation); otherwise the open is refused rather than mixing keys.
    /// - Throws: ``LogError``: `keyMismatch`, `corrupt` (missing entries, unknown schema), `storage`.
    public static func open(
        path: String, signingKey: Ed25519SigningKey, options: LogOptions = LogOptions(),
        clock: any LogClock = SystemLogClock()
    ) throws(LogError) -> SQLiteLogStore {
        let lock = try WriterLock(databasePath: path, wait: options.writerLockWait)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let synchronous = options.synchronous.rawValue
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw LogError(.storage, "cannot open the log at \(path): \(error)")
        }
        return try open(pool: pool, path: path, signingKey: signingKey, options: options, clock: clock, lock: lock)
    }

    /// Opens the log in a pool someone else made (to share one database file and one writer connection with
    /// other stores). The pool should use `PRAGMA synchronous = FULL` unless losing recent appends on power loss
    /// is acceptable. Takes the writer lock beside `path` unless `lock` is given.
    /// - Throws: ``LogError`` as ``open(path:signingKey:options:clock:)``.
    public static func open(
        pool: DatabasePool, path: String, signingKey: Ed25519SigningKey, options: LogOptions = LogOptions(),
        clock: any LogClock = SystemLogClock()
    ) throws(LogError) -> SQLiteLogStore {
        try open(
            pool: pool, path: path, signingKey: signingKey, options: options, clock: clock,
            lock: try WriterLock(databasePath: path, wait: options.writerLockWait))
    }

    static func open(
        pool: DatabasePool, path: String, signingKey: Ed25519SigningKey, options: LogOptions, clock: any LogClock,
        lock: WriterLock
    ) throws(LogError) -> SQLiteLogStore {
        let origin =
            options.origin ?? "warden.log/" + HexEncoding.encode((0..<8).map { _ in UInt8.random(in: 0...255) })
        guard SignedNote.isValidKeyName(origin) else {
            throw LogError(.invalidRequest, "origin \"\(origin)\" must be non-empty with no spaces or \"+\"")
        }
        let resume: LogWriter.SignerState
        let storedOrigin: String
        do {
            (storedOrigin, resume) = try pool.write { db in
                try LogSchema.create(db, origin: origin, anchor: signingKey.publicKey, now: clock.nowMilliseconds())
                return try resumeState(db, signingKey: signingKey)
            }
        } catch let error as LogError {
            throw error
        } catch {
            throw LogError(.storage, "cannot prepare the log at \(path): \(error)")
        }
        let writer = LogWriter(pool: pool, origin: storedOrigin, options: options, clock: clock, resume: resume)
        return SQLiteLogStore(path: path, pool: pool, writer: writer, lock: lock)
    }

    /// Opens an existing log for reading only (`warden audit`). Reads see every committed append, also while a
    /// kernel is writing.
    /// - Throws: ``LogError``: `notFound` when there is no log at `path`.
    public static func openReadOnly(path: String) throws(LogError) -> SQLiteLogStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw LogError(.notFound, "no log at \(path); run `warden init` (or check --home)")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            guard try pool.read({ try LogSchema.hasLog($0) }) else {
                throw LogError(.notFound, "\(path) holds no Warden log")
            }
        } catch let error as LogError {
            throw error
        } catch {
            throw LogError(.storage, "cannot open the log at \(path): \(error)")
        }
        return SQLiteLogStore(path: path, pool: pool, writer: nil, lock: nil)
    }

    /// Where the writer resumes: the next position, the tree, the last checkpoint; and the key check.
    private static func resumeState(_ db: Database, signingKey: Ed25519SigningKey) throws -> (
        String, LogWriter.SignerState
    ) {
        let origin = try LogSchema.meta(db, "origin")
        let activeKey = try activeKey(db)
        guard activeKey.keyid == signingKey.keyid else {
            throw LogError(
                .keyMismatch,
                "the log is signed by key \(activeKey.keyid.prefix(16))…, "
                    + "not by the given key \(signingKey.keyid.prefix(16))…"
            )
        }
        let row = try Row.fetchOne(db, sql: "SELECT COUNT(*), MAX(seq) FROM log_entries")!
        let count: Int64 = row[0]
        let maxSeq: Int64? = row[1]
        guard count == (maxSeq.map { $0 + 1 } ?? 0) else {
            throw LogError(
                .corrupt,
                "the log has \(count) entries but its last is number \(maxSeq ?? -1): entries are missing; "
                    + "run `warden audit verify`")
        }
        var tree = MerkleAccumulator()
        var lastCheckpointSize: Int64 = 0
        var lastCheckpointTime: Int64 = 0
        if let cp = try Row.fetchOne(
            db, sql: "SELECT tree_size, frontier, time_ms FROM log_checkpoints ORDER BY tree_size DESC LIMIT 1")
        {
            lastCheckpointSize = cp[0]
            lastCheckpointTime = cp[2]
            guard lastCheckpointSize <= count else {
                throw LogError(
                    .corrupt,
                    "a checkpoint covers \(lastCheckpointSize) entries but the log has \(count): "
                        + "entries were removed; run `warden audit verify`")
            }
            do {
                tree = try MerkleAccumulator(size: UInt64(lastCheckpointSize), frontierBytes: Array(cp[1] as Data))
            } catch {
                throw LogError(.corrupt, "the last checkpoint's saved tree is damaged: \(error)")
            }
        }
        var previousHash = LogPosition.genesisHash
        var lastTime: Int64 = 0
        let cursor = try Row.fetchCursor(
            db, sql: "SELECT hash, time_ms FROM log_entries WHERE seq >= ? ORDER BY seq",
            arguments: [lastCheckpointSize])
        while let row = try cursor.next() {
            tree.append(leafHash: Array(row[0] as Data))
        }
        if let last = try Row.fetchOne(db, sql: "SELECT hash, time_ms FROM log_entries ORDER BY seq DESC LIMIT 1") {
            previousHash = Array(last[0] as Data)
            lastTime = last[1]
        }
        return (
            origin,
            LogWriter.SignerState(
                key: signingKey, nextSeq: count, previousHash: previousHash, lastTime: lastTime, tree: tree,
                lastCheckpointSize: lastCheckpointSize, lastCheckpointTime: lastCheckpointTime)
        )
    }

    /// The key that signs the log now: the new key of the last rotation, or the anchor.
    static func activeKey(_ db: Database) throws -> Ed25519PublicKey {
        if let data = try Data.fetchOne(
            db, sql: "SELECT envelope FROM log_entries WHERE payload_type = ? ORDER BY seq DESC LIMIT 1",
            arguments: [KeyRotationRecord.payloadType])
        {
            do {
                let envelope = try DSSEEnvelope.parse(Array(data))
                return try KeyRotationRecord.decode(payload: envelope.payload).newKey.publicKey()
            } catch {
                throw LogError(.corrupt, "the last key-rotation entry cannot be read: \(error)")
            }
        }
        do {
            return try Ed25519PublicKey(hex: try LogSchema.meta(db, "anchor_public"))
        } catch let error as KeyFormatError {
            throw LogError(.corrupt, "the log's anchor key is damaged: \(error)")
        }
    }

    /// The keyid that signs the log now, or `nil` when the file holds no log yet.
    func activeKeyIDIfAny() throws(LogError) -> String? {
        do {
            return try pool.read { db in try LogSchema.hasLog(db) ? try Self.activeKey(db).keyid : nil }
        } catch let error as LogError {
            throw error
        } catch {
            throw LogError(.storage, "cannot read the log at \(path): \(error)")
        }
    }

    // MARK: - LogWriting

    private func requireWriter() throws(LogError) -> LogWriter {
        guard let writer else { throw LogError(.closed, "the log at \(path) was opened read-only") }
        return writer
    }

    public func append(payloadType: String, payload: [UInt8]) async throws(LogError) -> LogReceipt {
        try await requireWriter().append(payloadType: payloadType, payload: payload)
    }

    /// Appends a record without re-parsing the encoder's output (a record encodes as one JSON object with no
    /// `log` member by construction).
    public func append<Record: LogRecord>(_ record: Record) async throws(LogError) -> LogReceipt {
        let tool = (record as? InvocationRecord)?.tool
        return try await requireWriter().append(
            payloadType: Record.payloadType, encodedRecord: record.payloadBytes(), tool: tool)
    }

    /// Appends a JSON object without re-parsing its serialization (which is JSON by construction).
    public func append(payloadType: String, payload: JSONValue) async throws(LogError) -> LogReceipt {
        let writer = try requireWriter()
        guard let object = payload.objectValue else {
            throw LogError(.invalidPayload, "log payload: must be a JSON object")
        }
        guard object["log"] == nil else {
            throw LogError(.invalidPayload, "log payload: the top-level member \"log\" is reserved for the log")
        }
        try writer.checkPayloadType(payloadType)
        let tool = payloadType == LogPayloadType.invocation ? object["tool"]?.stringValue : nil
        return try await writer.append(payloadType: payloadType, encodedRecord: payload.serializedBytes(), tool: tool)
    }

    public func rotateKey(to newKey: Ed25519SigningKey, reason: String?) async throws(LogError) -> LogReceipt {
        try await requireWriter().rotate(to: newKey, reason: reason)
    }

    @discardableResult
    public func checkpoint() async throws(LogError) -> StoredCheckpoint? {
        try await requireWriter().checkpoint()
    }

    public func close() async throws(LogError) {
        defer { lock?.release() }
        try await requireWriter().close()
    }

    /// The public key that signs new entries, or `nil` for a read-only store.
    public var signingPublicKey: Ed25519PublicKey? { writer?.publicKey }
}
