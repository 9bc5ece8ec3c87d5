import WardenCore

/// What can be learnt from one stored entry on its own (done in parallel).
///
/// The payload is not parsed whole: its position is read from the `log` member the writer puts first, and an
/// invocation's tool by skipping over the other top-level members. The signature covers every payload byte and
/// the writer refused anything but one JSON object, so a payload that verifies is what the writer checked.
struct ParsedEntry: Sendable {
    var envelope: DSSEEnvelope?
    var position: LogPosition?
    var tool: String?
    var hash: [UInt8]
    var problem: (LogVerificationFailure.Kind, String)?
    /// The signature check against the key anticipated to be in force.
    var signatureFailure: LogVerificationFailure?

    init(_ row: StoredEntry, anticipatedKey: Ed25519PublicKey) {
        hash = LogPosition.entryHash(envelopeBytes: row.envelopeBytes)
        do {
            envelope = try DSSEEnvelope.parse(row.envelopeBytes)
        } catch {
            problem = (.malformedEnvelope, error.description)
            return
        }
        do {
            position = try LogPosition(boundPayload: envelope!.payload)
        } catch {
            problem = (.malformedPayload, error.description)
            return
        }
        if envelope!.payloadType == LogPayloadType.invocation {
            tool = LogPosition.topLevelString(named: "tool", in: envelope!.payload)
        }
        signatureFailure = Self.checkSignature(envelope!, key: anticipatedKey, seq: row.seq)
    }

    /// The signature check of an ordinary entry, or of the outgoing key's signature on a rotation.
    static func checkSignature(_ envelope: DSSEEnvelope, key: Ed25519PublicKey, seq: Int64) -> LogVerificationFailure? {
        let pae = envelope.pae
        let byKey = envelope.signatures.filter { $0.keyid == key.keyid }
        guard byKey.count == 1, key.isValidSignature(byKey[0].sig, for: pae) else {
            let named = envelope.signatures.map { $0.keyid.map { String($0.prefix(16)) + "…" } ?? "(no keyid)" }
            return LogVerificationFailure(
                kind: .badSignature, seq: seq,
                message: byKey.isEmpty
                    ? "not signed by the key in force (\(key.keyid.prefix(16))…); "
                        + "signed by \(named.joined(separator: ", "))"
                    : "the signature by \(key.keyid.prefix(16))… does not verify")
        }
        return nil
    }
}

/// The in-order part of verification: positions, chain, columns, keys, checkpoints.
struct ChainWalk {
    struct PendingCheckpoint {
        var treeSize: Int64
        /// The root column beside a stored note; `nil` for a witnessed one.
        var storedRoot: [UInt8]?
        var note: SignedNote?
        var checkpoint: Checkpoint?
        var problem: String?
    }

    let origin: String
    var activeKey: Ed25519PublicKey
    var keyIDs: [String]
    var nextSeq: Int64 = 0
    var previousHash = LogPosition.genesisHash
    var tree = MerkleAccumulator()
    var checkpoints: [PendingCheckpoint] = []
    var checkpointIndex = 0
    var checkpointsChecked = 0
    var failure: LogVerificationFailure?
    var checked: Int64 = 0

    init(origin: String, anchor: Ed25519PublicKey) {
        self.origin = origin
        activeKey = anchor
        keyIDs = [anchor.keyid]
    }

    var report: LogVerificationReport {
        LogVerificationReport(
            origin: origin, entriesChecked: failure == nil ? nextSeq : checked,
            checkpointsChecked: checkpointsChecked, keyIDs: keyIDs, latestCheckpointSize: checkpoints.last?.treeSize,
            failure: failure)
    }

    mutating func fail(_ failure: LogVerificationFailure) {
        if self.failure == nil {
            self.failure = failure
            checked = failure.seq ?? nextSeq
        }
    }

    mutating func loadCheckpoints(_ stored: [StoredCheckpoint], witnessed: [String]) {
        var all = stored.map { s in
            do throws(SignedNoteError) {
                let note = try SignedNote.parse(s.note)
                return PendingCheckpoint(
                    treeSize: s.treeSize, storedRoot: s.rootHash, note: note, checkpoint: try note.checkpoint(),
                    problem: nil)
            } catch {
                return PendingCheckpoint(
                    treeSize: s.treeSize, storedRoot: s.rootHash, note: nil, checkpoint: nil, problem: error.description
                )
            }
        }
        for (i, text) in witnessed.enumerated() {
            do throws(SignedNoteError) {
                let note = try SignedNote.parse(text)
                let checkpoint = try note.checkpoint()
                guard checkpoint.treeSize <= UInt64(Int64.max) else { throw SignedNoteError("tree size out of range") }
                all.append(
                    PendingCheckpoint(
                        treeSize: Int64(checkpoint.treeSize), storedRoot: nil, note: note, checkpoint: checkpoint,
                        problem: nil))
            } catch {
                fail(
                    LogVerificationFailure(
                        kind: .malformedCheckpoint, seq: nil,
                        message: "witnessed checkpoint \(i + 1) cannot be read: \(error.description)"))
            }
        }
        checkpoints = all.sorted { $0.treeSize < $1.treeSize }
    }

    /// Checks every checkpoint whose size is the number of entries walked so far.
    mutating func checkDueCheckpoints() {
        while failure == nil, checkpointIndex < checkpoints.count, checkpoints[checkpointIndex].treeSize <= nextSeq {
            check(checkpoints[checkpointIndex])
            checkpointIndex += 1
        }
    }

    private mutating func check(_ c: PendingCheckpoint) {
        let size = c.treeSize
        func failed(_ kind: LogVerificationFailure.Kind, _ message: String) {
            fail(LogVerificationFailure(kind: kind, seq: nil, checkpointSize: size, message: message))
        }
        guard size == nextSeq else {
            return failed(.malformedCheckpoint, "its size does not fit the entries (\(nextSeq) walked)")
        }
        guard let note = c.note, let checkpoint = c.checkpoint else {
            return failed(.malformedCheckpoint, c.problem ?? "unreadable")
        }
        guard checkpoint.origin == origin else {
            return failed(.malformedCheckpoint, "it names the log \"\(checkpoint.origin)\", not \"\(origin)\"")
        }
        guard checkpoint.treeSize == UInt64(size) else {
            return failed(.malformedCheckpoint, "the signed size \(checkpoint.treeSize) differs from the stored size")
        }
        do {
            try note.verify(name: origin, key: activeKey)
        } catch {
            return failed(.checkpointSignature, error.description)
        }
        guard checkpoint.rootHash == tree.root else {
            return failed(.checkpointMismatch, "its signed root is not the root of the stored entries 0..<\(size)")
        }
        guard c.storedRoot == nil || c.storedRoot == checkpoint.rootHash else {
            return failed(.checkpointMismatch, "the stored root column differs from the signed root")
        }
        checkpointsChecked += 1
    }

    /// Checkpoints beyond the last stored entry mean entries were cut from the end.
    mutating func checkTruncation() {
        if checkpointIndex < checkpoints.count {
            let size = checkpoints[checkpointIndex].treeSize
            fail(
                LogVerificationFailure(
                    kind: .missingEntry, seq: nextSeq, checkpointSize: size,
                    message: "missing: a checkpoint covers \(size) entries but the log ends before entry \(nextSeq)"))
        }
    }

    mutating func step(_ row: StoredEntry, _ parsed: ParsedEntry) {
        let seq = nextSeq
        func failed(_ kind: LogVerificationFailure.Kind, _ message: String) {
            fail(LogVerificationFailure(kind: kind, seq: seq, message: message))
        }
        guard row.seq == seq else {
            let through = row.seq - 1 > seq ? "entries \(seq) to \(row.seq - 1) are" : "entry \(seq) is"
            return failed(.missingEntry, "missing: \(through) absent (the next stored entry is \(row.seq))")
        }
        if let (kind, message) = parsed.problem { return failed(kind, message) }
        guard let envelope = parsed.envelope, let position = parsed.position else {
            return failed(.malformedEnvelope, "unreadable")
        }
        guard position.seq == seq else {
            return failed(.wrongPosition, "its signed payload says it is entry \(position.seq)")
        }
        guard position.previousHash == previousHash else {
            return failed(.brokenChain, "its signed previous hash is not the hash of entry \(seq - 1)")
        }
        guard parsed.hash == row.hash else {
            return failed(.hashMismatch, "the stored hash is not its envelope's hash")
        }
        guard row.payloadType == envelope.payloadType else {
            return failed(.columnMismatch, "stored payload type \"\(row.payloadType)\" differs from the signed one")
        }
        guard row.timeMilliseconds == position.timeMilliseconds else {
            return failed(.columnMismatch, "the stored time differs from the signed time")
        }
        guard row.tool == parsed.tool else {
            return failed(.columnMismatch, "the stored tool differs from the signed tool")
        }
        if envelope.payloadType == LogPayloadType.keyRotation {
            guard rotate(envelope, seq: seq) else { return }
        } else {
            guard envelope.signatures.count == 1 else {
                return failed(.badSignature, "\(envelope.signatures.count) signatures where the log makes one")
            }
        }
        previousHash = parsed.hash
        tree.append(leafHash: parsed.hash)
        nextSeq += 1
        checkDueCheckpoints()
    }

    /// Hands over to the new key of a rotation record signed by the key in force and the new key.
    private mutating func rotate(_ envelope: DSSEEnvelope, seq: Int64) -> Bool {
        func failed(_ message: String) -> Bool {
            fail(LogVerificationFailure(kind: .badKeyRotation, seq: seq, message: message))
            return false
        }
        let record: KeyRotationRecord
        let newKey: Ed25519PublicKey
        do {
            record = try KeyRotationRecord.decode(payload: envelope.payload)
            newKey = try record.newKey.publicKey()
        } catch {
            return failed("unreadable key-rotation record: \(error)")
        }
        guard record.oldKey.keyid == activeKey.keyid, record.oldKey.public == activeKey.hex else {
            return failed("it hands over from key \(record.oldKey.keyid.prefix(16))…, not from the key in force")
        }
        guard envelope.signatures.count == 2, newKey != activeKey else {
            return failed("a rotation carries exactly two signatures, by the outgoing and the incoming key")
        }
        if let failure = ParsedEntry.checkSignature(envelope, key: newKey, seq: seq) {
            return failed("the incoming key's signature: \(failure.message)")
        }
        activeKey = newKey
        keyIDs.append(newKey.keyid)
        return true
    }
}
