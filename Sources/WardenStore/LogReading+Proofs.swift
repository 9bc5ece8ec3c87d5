import WardenCore

/// An RFC 9162 inclusion proof for one entry.
public struct InclusionProof: Sendable, Hashable {
    public var seq: Int64
    public var treeSize: Int64
    /// The entry's leaf hash, recomputed from its stored envelope.
    public var leafHash: [UInt8]
    /// The audit path, leaf to root.
    public var hashes: [[UInt8]]
    /// The root the path leads to.
    public var rootHash: [UInt8]

    /// Checks the path against ``rootHash``. - Throws: ``MerkleProofError``.
    public func verify() throws(MerkleProofError) {
        try MerkleTree.verifyInclusion(
            index: UInt64(seq), treeSize: UInt64(treeSize), leafHash: leafHash, proof: hashes, root: rootHash)
    }
}

extension LogReading {
    /// The inclusion proof of entry `seq` in the tree of the first `treeSize` entries. The leaf is recomputed
    /// from the stored envelope, not taken from the stored hash.
    /// - Throws: ``LogError``: `invalidRequest` when `seq` is not below `treeSize`, `notFound` when entries are
    ///   missing, `corrupt` when the entry's stored hash does not match its envelope.
    public func inclusionProof(seq: Int64, treeSize: Int64) async throws(LogError) -> InclusionProof {
        guard seq >= 0, seq < treeSize else {
            throw LogError(.invalidRequest, "entry \(seq) is not inside a tree of \(treeSize) entries")
        }
        guard let entry = try await entry(seq: seq) else { throw LogError(.notFound, "no entry \(seq)") }
        var leaves = try await leafHashes(count: treeSize)
        let leaf = LogPosition.entryHash(envelopeBytes: entry.envelopeBytes)
        guard leaf == leaves[Int(seq)] else {
            throw LogError(
                .corrupt, "entry \(seq)'s stored hash does not match its envelope; run `warden audit verify`")
        }
        leaves[Int(seq)] = leaf
        return InclusionProof(
            seq: seq, treeSize: treeSize, leafHash: leaf,
            hashes: MerkleTree.inclusionProof(index: Int(seq), leafHashes: leaves),
            rootHash: MerkleTree.root(leafHashes: leaves))
    }

    /// The consistency proof between the trees of the first `oldSize` and `newSize` entries.
    /// - Throws: ``LogError``: `invalidRequest` unless `0 < oldSize <= newSize`, `notFound` when entries are
    ///   missing.
    public func consistencyProof(from oldSize: Int64, to newSize: Int64) async throws(LogError) -> [[UInt8]] {
        guard oldSize > 0, oldSize <= newSize else {
            throw LogError(.invalidRequest, "no consistency proof from \(oldSize) to \(newSize) entries")
        }
        let leaves = try await leafHashes(count: newSize)
        return MerkleTree.consistencyProof(oldSize: Int(oldSize), leafHashes: leaves)
    }
}

extension LogReading {
    /// The signing keys in the order the log handed over: the anchor, then the new key of each key-rotation
    /// record among the first `size` entries (all entries when `nil`). The records are read, not verified: run
    /// ``LogVerifier`` for that.
    /// - Throws: ``LogError``: `corrupt` when a rotation record cannot be read.
    public func keyChain(throughSize size: Int64? = nil) async throws(LogError) -> [Ed25519PublicKey] {
        var keys = [try await anchorKey()]
        for entry in try await list(LogQuery(payloadType: KeyRotationRecord.payloadType)) {
            if let size, entry.seq >= size { break }
            do {
                let envelope = try DSSEEnvelope.parse(entry.envelopeBytes)
                keys.append(try KeyRotationRecord.decode(payload: envelope.payload).newKey.publicKey())
            } catch {
                throw LogError(.corrupt, "key-rotation entry \(entry.seq) cannot be read: \(error)")
            }
        }
        return keys
    }
}
