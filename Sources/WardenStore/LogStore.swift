import WardenCore

/// Where an appended entry sits: a caller keeps it to check its own record later.
public struct LogReceipt: Sendable, Hashable, Codable {
    /// The entry's 0-based sequence number (its Merkle leaf index).
    public var seq: Int64
    /// The entry's hash, lowercase hex: `SHA-256(0x00 || envelope bytes)`.
    public var hash: String

    public init(seq: Int64, hash: String) {
        self.seq = seq
        self.hash = hash
    }
}

/// One stored entry, as read back: the envelope bytes exactly as stored, and the columns kept beside them for
/// queries (which ``LogVerifier`` checks against the envelope).
public struct StoredEntry: Sendable, Hashable {
    public var seq: Int64
    public var payloadType: String
    /// Append time, milliseconds since the Unix epoch.
    public var timeMilliseconds: Int64
    /// The tool, for invocation records.
    public var tool: String?
    /// The DSSE envelope as compact JSON.
    public var envelopeBytes: [UInt8]
    /// The stored entry hash (32 bytes).
    public var hash: [UInt8]

    public init(
        seq: Int64, payloadType: String, timeMilliseconds: Int64, tool: String?, envelopeBytes: [UInt8],
        hash: [UInt8]
    ) {
        self.seq = seq
        self.payloadType = payloadType
        self.timeMilliseconds = timeMilliseconds
        self.tool = tool
        self.envelopeBytes = envelopeBytes
        self.hash = hash
    }
}

/// One stored checkpoint.
public struct StoredCheckpoint: Sendable, Hashable {
    public var treeSize: Int64
    /// The root as stored beside the note (the note's own root is what is signed).
    public var rootHash: [UInt8]
    public var timeMilliseconds: Int64
    /// The signed note, in the C2SP signed-note form.
    public var note: String

    public init(treeSize: Int64, rootHash: [UInt8], timeMilliseconds: Int64, note: String) {
        self.treeSize = treeSize
        self.rootHash = rootHash
        self.timeMilliseconds = timeMilliseconds
        self.note = note
    }
}

/// Which entries to list.
public struct LogQuery: Sendable, Hashable {
    /// Where to start.
    public enum Since: Sendable, Hashable {
        /// Entries with this sequence number or later.
        case seq(Int64)
        /// Entries appended at or after this time (milliseconds since the Unix epoch).
        case time(Int64)
    }

    public var since: Since?
    /// Only invocations of this tool (`PLUGIN.TOOL`, or `PLUGIN.*` for every tool of a plugin).
    public var tool: String?
    /// Only entries of this payload type.
    public var payloadType: String?
    /// At most this many entries (the earliest first).
    public var limit: Int?

    public init(since: Since? = nil, tool: String? = nil, payloadType: String? = nil, limit: Int? = nil) {
        self.since = since
        self.tool = tool
        self.payloadType = payloadType
        self.limit = limit
    }
}

/// The log's append side. One writer per log; appends from many tasks are batched into one transaction
/// (group commit). Every append is signed (DSSE), chained to the previous entry, and durable when it returns.
public protocol LogWriting: Sendable {
    /// Signs and appends one record and returns where it sits.
    ///
    /// `payload` must be a JSON object without a top-level `log` member: the log adds that member (sequence
    /// number, previous hash, time) before signing, so the signature covers the entry's place in the chain.
    /// - Throws: ``LogError`` — `invalidPayload` for a bad payload or type, `closed` after ``close()``,
    ///   `storage`/`writerFailed` when the write could not be made durable (the record is then not in the log).
    func append(payloadType: String, payload: [UInt8]) async throws(LogError) -> LogReceipt

    /// Appends a typed record under its own payload type. The default encodes it and calls
    /// ``append(payloadType:payload:)``; a store may skip re-checking what the encoder wrote.
    /// - Throws: ``LogError``.
    func append<Record: LogRecord>(_ record: Record) async throws(LogError) -> LogReceipt

    /// Appends a JSON object under `payloadType`. The default serializes it and calls
    /// ``append(payloadType:payload:)``; a store may skip re-parsing what the serializer wrote.
    /// - Throws: ``LogError``: `invalidPayload` when `payload` is not an object or has a `log` member.
    func append(payloadType: String, payload: JSONValue) async throws(LogError) -> LogReceipt

    /// Replaces the signing key: appends a key-rotation record signed by the current key and by `newKey`;
    /// every later entry and checkpoint is signed by `newKey`.
    /// - Throws: ``LogError`` as for ``append(payloadType:payload:)``.
    func rotateKey(to newKey: Ed25519SigningKey, reason: String?) async throws(LogError) -> LogReceipt

    /// Writes a signed checkpoint now if entries were appended since the last one; returns the latest.
    /// - Throws: ``LogError``.
    @discardableResult
    func checkpoint() async throws(LogError) -> StoredCheckpoint?

    /// Finishes pending appends, writes a final checkpoint and refuses further appends.
    /// - Throws: ``LogError`` when the final write fails.
    func close() async throws(LogError)
}

extension LogWriting {
    public func append<Record: LogRecord>(_ record: Record) async throws(LogError) -> LogReceipt {
        try await append(payloadType: Record.payloadType, payload: record.payloadBytes())
    }

    public func append(payloadType: String, payload: JSONValue) async throws(LogError) -> LogReceipt {
        try await append(payloadType: payloadType, payload: payload.serializedBytes())
    }
}

/// The log's read side: what `warden audit` and ``LogVerifier`` need. Reads never block appends.
public protocol LogReading: Sendable {
    /// The log's origin line (the name its checkpoints carry). - Throws: ``LogError``.
    func origin() async throws(LogError) -> String
    /// The key the log was created with: the first signer, unless a rotation record hands over.
    /// - Throws: ``LogError``.
    func anchorKey() async throws(LogError) -> Ed25519PublicKey
    /// Number of stored entries (the highest sequence number plus one, if none is missing).
    /// - Throws: ``LogError``.
    func entryCount() async throws(LogError) -> Int64
    /// Entries in sequence order starting at `seq`, at most `limit`. - Throws: ``LogError``.
    func entries(from seq: Int64, limit: Int) async throws(LogError) -> [StoredEntry]
    /// The entry with sequence number `seq`, if stored. - Throws: ``LogError``.
    func entry(seq: Int64) async throws(LogError) -> StoredEntry?
    /// Entries matching `query`, in sequence order. - Throws: ``LogError``.
    func list(_ query: LogQuery) async throws(LogError) -> [StoredEntry]
    /// Every checkpoint, by tree size. - Throws: ``LogError``.
    func checkpoints() async throws(LogError) -> [StoredCheckpoint]
    /// The checkpoint with the largest tree size. - Throws: ``LogError``.
    func latestCheckpoint() async throws(LogError) -> StoredCheckpoint?
    /// The stored hashes of the first `count` entries, in order. - Throws: ``LogError`` (`notFound` when fewer
    /// are stored).
    func leafHashes(count: Int64) async throws(LogError) -> [[UInt8]]
}

/// A log store: one backend (SQLite here, PostgreSQL later) behind both sides.
public protocol LogStore: LogWriting, LogReading {}
