/// Why a Merkle proof was refused.
public enum MerkleProofError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The leaf index is not inside the tree.
    case indexOutOfRange(index: UInt64, treeSize: UInt64)
    /// The second tree is smaller than the first.
    case sizesOutOfOrder(oldSize: UInt64, newSize: UInt64)
    /// A consistency proof from the empty tree proves nothing and is refused.
    case emptyOldTree
    /// The proof has the wrong number of hashes for the sizes, or a hash of the wrong length.
    case malformedProof(String)
    /// The proof does not lead to the expected root.
    case rootMismatch

    public var description: String {
        switch self {
        case .indexOutOfRange(let index, let size): "leaf index \(index) is outside a tree of size \(size)"
        case .sizesOutOfOrder(let old, let new): "tree size \(new) is smaller than the earlier size \(old)"
        case .emptyOldTree: "a consistency proof from the empty tree is meaningless"
        case .malformedProof(let why): "malformed proof: \(why)"
        case .rootMismatch: "the proof does not lead to the expected root hash"
        }
    }
}

extension MerkleTree {
    /// Checks that `leafHash` is the leaf at `index` of the tree of `treeSize` leaves whose root is `root`
    /// (RFC 9162 §2.1.3.2).
    /// - Throws: ``MerkleProofError``.
    public static func verifyInclusion(
        index: UInt64, treeSize: UInt64, leafHash: [UInt8], proof: [[UInt8]], root: [UInt8]
    ) throws(MerkleProofError) {
        guard index < treeSize else { throw .indexOutOfRange(index: index, treeSize: treeSize) }
        guard leafHash.count == hashSize else {
            throw .malformedProof("the leaf hash has \(leafHash.count) bytes, not \(hashSize)")
        }
        try checkHashes(proof)
        var fn = index
        var sn = treeSize - 1
        var r = leafHash
        for p in proof {
            guard sn != 0 else { throw .malformedProof("more hashes than the tree has levels") }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw .malformedProof("fewer hashes than the tree has levels") }
        guard r == root else { throw .rootMismatch }
    }

    /// Checks that the tree of `oldSize` leaves with root `oldRoot` is a prefix of the tree of `newSize`
    /// leaves with root `newRoot` (RFC 9162 §2.1.4.2).
    /// - Throws: ``MerkleProofError``; in particular `oldSize == 0` is refused.
    public static func verifyConsistency(
        oldSize: UInt64, newSize: UInt64, oldRoot: [UInt8], newRoot: [UInt8], proof: [[UInt8]]
    ) throws(MerkleProofError) {
        guard oldSize <= newSize else { throw .sizesOutOfOrder(oldSize: oldSize, newSize: newSize) }
        guard oldSize > 0 else { throw .emptyOldTree }
        if oldSize == newSize {
            guard proof.isEmpty else { throw .malformedProof("equal sizes need an empty proof") }
            guard oldRoot == newRoot else { throw .rootMismatch }
            return
        }
        guard !proof.isEmpty else { throw .malformedProof("empty proof for different sizes") }
        try checkHashes(proof)
        var path = proof[...]
        if oldSize & (oldSize - 1) == 0 { path = [oldRoot] + proof[...] }
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[path.startIndex]
        var sr = fr
        for c in path.dropFirst() {
            guard sn != 0 else { throw .malformedProof("more hashes than the tree has levels") }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw .malformedProof("fewer hashes than the tree has levels") }
        guard fr == oldRoot, sr == newRoot else { throw .rootMismatch }
    }

    private static func checkHashes(_ proof: [[UInt8]]) throws(MerkleProofError) {
        if let bad = proof.firstIndex(where: { $0.count != hashSize }) {
            throw .malformedProof("hash \(bad) has \(proof[bad].count) bytes, not \(hashSize)")
        }
    }
}
