/// The first thing found wrong with a log.
public struct LogVerificationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of damage.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// An entry is absent: deleted, or the tail cut below a checkpoint.
        case missingEntry = "missing_entry"
        /// The stored envelope is not a DSSE envelope.
        case malformedEnvelope = "malformed_envelope"
        /// The payload is not JSON or does not state its position.
        case malformedPayload = "malformed_payload"
        /// The payload states another sequence number than where it is stored (moved or swapped).
        case wrongPosition = "wrong_position"
        /// The payload's `prev` is not the previous entry's hash.
        case brokenChain = "broken_chain"
        /// The stored hash is not the hash of the stored envelope.
        case hashMismatch = "hash_mismatch"
        /// A stored column (payload type, time, tool) disagrees with the signed envelope.
        case columnMismatch = "column_mismatch"
        /// No valid signature by the key that should have signed, or unexpected signatures.
        case badSignature = "bad_signature"
        /// A key-rotation record is not signed by both keys or does not start from the key in force.
        case badKeyRotation = "bad_key_rotation"
        /// A checkpoint's note cannot be read or names another log.
        case malformedCheckpoint = "malformed_checkpoint"
        /// A checkpoint's signature does not verify with the key in force at its size.
        case checkpointSignature = "checkpoint_signature"
        /// A checkpoint's root is not the root recomputed from the entries.
        case checkpointMismatch = "checkpoint_mismatch"
        /// The log was created with another key than the one trusted.
        case untrustedAnchor = "untrusted_anchor"
        /// The log is signed by another key than the state folder's host key.
        case hostKeyMismatch = "host_key_mismatch"
    }

    public var kind: Kind
    /// The first bad entry, when the damage is in (or before) an entry.
    public var seq: Int64?
    /// The checkpoint involved, by tree size.
    public var checkpointSize: Int64?
    /// A sentence for a person.
    public var message: String

    public init(kind: Kind, seq: Int64?, checkpointSize: Int64? = nil, message: String) {
        self.kind = kind
        self.seq = seq
        self.checkpointSize = checkpointSize
        self.message = message
    }

    public var description: String {
        if let seq { return "entry \(seq): \(message)" }
        if let checkpointSize { return "checkpoint at size \(checkpointSize): \(message)" }
        return message
    }
}

/// What ``LogVerifier`` found.
public struct LogVerificationReport: Sendable, Hashable {
    public var origin: String
    /// Entries read and checked (up to the failure, if any).
    public var entriesChecked: Int64
    /// Checkpoints checked against the recomputed tree.
    public var checkpointsChecked: Int
    /// The keyids that signed the log, anchor first, in the order rotations handed over.
    public var keyIDs: [String]
    /// The size of the latest checkpoint, if any.
    public var latestCheckpointSize: Int64?
    /// The first problem, or `nil` when the log is whole and unaltered.
    public var failure: LogVerificationFailure?

    /// Whether the log verified.
    public var ok: Bool { failure == nil }

    /// Entries after the latest checkpoint: their removal from the end cannot be detected until the next one.
    public var uncheckpointedEntries: Int64 { entriesChecked - (latestCheckpointSize ?? 0) }
}
