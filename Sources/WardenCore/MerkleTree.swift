import Crypto

/// RFC 9162 Merkle tree hashing over SHA-256: leaf and node hashes, roots, and the proofs a log serves.
///
/// Hashes are 32-byte arrays. Leaf indices and tree sizes are `UInt64` as in the RFC; the functions that take
/// leaf hashes take the whole list, so their sizes are the list's count.
public enum MerkleTree {
    /// Bytes in a hash.
    public static let hashSize = 32

    /// `SHA-256(0x00 || data)`: the hash of a leaf.
    public static func leafHash<Bytes: Sequence>(_ data: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        leafHash(Array(data))
    }

    /// `SHA-256(0x00 || data)`: the hash of a leaf.
    public static func leafHash(_ data: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0)) { hasher.update(bufferPointer: $0) }
        data.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return hasher.finalize().withUnsafeBytes { Array($0) }
    }

    /// `SHA-256(0x01 || left || right)`: the hash of an interior node.
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(1)) { hasher.update(bufferPointer: $0) }
        left.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        right.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return hasher.finalize().withUnsafeBytes { Array($0) }
    }

    /// The root of the empty tree: `SHA-256("")`.
    public static let emptyRoot: [UInt8] = Array(SHA256.hash(data: [UInt8]()))

    /// The Merkle tree hash (MTH) of the leaves whose hashes are given, in order.
    public static func root(leafHashes: ArraySlice<[UInt8]>) -> [UInt8] {
        var accumulator = MerkleAccumulator()
        for leaf in leafHashes { accumulator.append(leafHash: leaf) }
        return accumulator.root
    }

    /// The Merkle tree hash of the leaves whose hashes are given, in order.
    public static func root(leafHashes: [[UInt8]]) -> [UInt8] { root(leafHashes: leafHashes[...]) }

    /// The largest power of two smaller than `n` (`n` > 1): where RFC 9162 splits a tree.
    static func split(_ n: Int) -> Int {
        precondition(n > 1, "split of a tree with fewer than two leaves")
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// The audit path (RFC 9162 §2.1.3.1) for the leaf at `index` in the tree of `leafHashes`.
    /// - Precondition: `index < leafHashes.count`.
    public static func inclusionProof(index: Int, leafHashes: [[UInt8]]) -> [[UInt8]] {
        precondition(
            index >= 0 && index < leafHashes.count, "leaf index \(index) outside a tree of \(leafHashes.count)")
        var proof: [[UInt8]] = []
        path(index, leafHashes[...], into: &proof)
        return proof
    }

    private static func path(_ m: Int, _ d: ArraySlice<[UInt8]>, into proof: inout [[UInt8]]) {
        let n = d.count
        guard n > 1 else { return }
        let k = split(n)
        let start = d.startIndex
        if m < k {
            path(m, d[start..<start + k], into: &proof)
            proof.append(root(leafHashes: d[(start + k)...]))
        } else {
            path(m - k, d[(start + k)...], into: &proof)
            proof.append(root(leafHashes: d[start..<start + k]))
        }
    }

    /// The consistency proof (RFC 9162 §2.1.4.1) from the tree of the first `oldSize` leaves to the tree of all
    /// of `leafHashes`.
    /// - Precondition: `0 < oldSize <= leafHashes.count`.
    public static func consistencyProof(oldSize: Int, leafHashes: [[UInt8]]) -> [[UInt8]] {
        precondition(oldSize > 0 && oldSize <= leafHashes.count, "consistency from \(oldSize) to \(leafHashes.count)")
        var proof: [[UInt8]] = []
        subproof(oldSize, leafHashes[...], complete: true, into: &proof)
        return proof
    }

    private static func subproof(_ m: Int, _ d: ArraySlice<[UInt8]>, complete: Bool, into proof: inout [[UInt8]]) {
        let n = d.count
        if m == n {
            if !complete { proof.append(root(leafHashes: d)) }
            return
        }
        let k = split(n)
        let start = d.startIndex
        if m <= k {
            subproof(m, d[start..<start + k], complete: complete, into: &proof)
            proof.append(root(leafHashes: d[(start + k)...]))
        } else {
            subproof(m - k, d[(start + k)...], complete: false, into: &proof)
            proof.append(root(leafHashes: d[start..<start + k]))
        }
    }
}
