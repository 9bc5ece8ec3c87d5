/// A Merkle tree built one leaf at a time, keeping only the roots of its perfect subtrees (a compact range
/// from the first leaf): the root at any size costs O(log n) and memory stays O(log n).
///
/// The log writer keeps one to sign checkpoints; the verifier streams every entry through one.
public struct MerkleAccumulator: Sendable, Hashable {
    /// Leaves appended so far.
    public private(set) var size: UInt64 = 0
    /// Roots of the perfect subtrees, left to right (largest first): one per set bit of `size`.
    public private(set) var frontier: [[UInt8]] = []

    /// An empty tree.
    public init() {}

    /// A tree resumed from a saved ``size`` and ``frontier``.
    /// - Throws: ``MerkleProofError/malformedProof(_:)`` when the frontier does not fit the size.
    public init(size: UInt64, frontier: [[UInt8]]) throws(MerkleProofError) {
        guard frontier.count == size.nonzeroBitCount else {
            throw .malformedProof(
                "a tree of \(size) leaves has \(size.nonzeroBitCount) subtree roots, not \(frontier.count)")
        }
        guard frontier.allSatisfy({ $0.count == MerkleTree.hashSize }) else {
            throw .malformedProof("a subtree root is not \(MerkleTree.hashSize) bytes")
        }
        self.size = size
        self.frontier = frontier
    }

    /// Adds the leaf whose hash is `leafHash` (see ``MerkleTree/leafHash(_:)``).
    public mutating func append(leafHash: [UInt8]) {
        var hash = leafHash
        var s = size
        while s & 1 == 1 {
            hash = MerkleTree.nodeHash(frontier.removeLast(), hash)
            s >>= 1
        }
        frontier.append(hash)
        size += 1
    }

    /// The RFC 9162 root of the leaves appended so far.
    public var root: [UInt8] {
        guard var hash = frontier.last else { return MerkleTree.emptyRoot }
        for left in frontier.dropLast().reversed() { hash = MerkleTree.nodeHash(left, hash) }
        return hash
    }

    /// The frontier as one byte string (32 bytes per subtree root), for storing beside a checkpoint.
    public var frontierBytes: [UInt8] { frontier.flatMap { $0 } }

    /// A tree resumed from ``size`` and ``frontierBytes``. - Throws: ``MerkleProofError``.
    public init(size: UInt64, frontierBytes: [UInt8]) throws(MerkleProofError) {
        guard frontierBytes.count % MerkleTree.hashSize == 0 else {
            throw .malformedProof("frontier of \(frontierBytes.count) bytes")
        }
        let roots = stride(from: 0, to: frontierBytes.count, by: MerkleTree.hashSize).map {
            Array(frontierBytes[$0..<$0 + MerkleTree.hashSize])
        }
        try self.init(size: size, frontier: roots)
    }
}
