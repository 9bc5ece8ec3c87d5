import Testing
import WardenCore

@Suite struct MerkleTreeTests {
    static func leaves(_ n: Int) -> [[UInt8]] { (0..<n).map { MerkleTree.leafHash(Array("leaf \($0)".utf8)) } }

    /// RFC 9162 §2.1.1, written as the recursion it is, to check the accumulator against.
    static func referenceRoot(_ d: ArraySlice<[UInt8]>) -> [UInt8] {
        if d.isEmpty { return MerkleTree.emptyRoot }
        if d.count == 1 { return d.first! }
        var k = 1
        while k << 1 < d.count { k <<= 1 }
        return MerkleTree.nodeHash(
            referenceRoot(d.prefix(k)), referenceRoot(d.dropFirst(k)))
    }

    @Test func emptyRoot_isSHA256OfNothing() {
        #expect(
            HexEncoding.encode(MerkleTree.emptyRoot)
                == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func accumulatorRoot_matchesTheRecursiveDefinition_forEverySizeUpTo70() {
        let all = Self.leaves(70)
        var accumulator = MerkleAccumulator()
        for n in 0...70 {
            #expect(accumulator.root == Self.referenceRoot(all.prefix(n)), "size \(n)")
            if n < 70 { accumulator.append(leafHash: all[n]) }
        }
    }

    @Test func accumulator_resumesFromItsFrontier() throws {
        let all = Self.leaves(37)
        var a = MerkleAccumulator()
        for leaf in all.prefix(21) { a.append(leafHash: leaf) }
        var b = try MerkleAccumulator(size: a.size, frontierBytes: a.frontierBytes)
        for leaf in all.dropFirst(21) {
            a.append(leafHash: leaf)
            b.append(leafHash: leaf)
        }
        #expect(a == b)
        #expect(b.root == Self.referenceRoot(all[...]))
    }

    @Test func accumulator_refusesAFrontierThatDoesNotFitTheSize() {
        #expect(throws: MerkleProofError.self) { try MerkleAccumulator(size: 3, frontier: [MerkleTree.emptyRoot]) }
        #expect(throws: MerkleProofError.self) { try MerkleAccumulator(size: 1, frontierBytes: [1, 2, 3]) }
    }

    @Test func generatedInclusionProofs_verify_andFailForAnyOtherLeafOrRoot() throws {
        for n in 1...40 {
            let all = Self.leaves(n)
            let root = MerkleTree.root(leafHashes: all)
            for i in 0..<n {
                let proof = MerkleTree.inclusionProof(index: i, leafHashes: all)
                try MerkleTree.verifyInclusion(
                    index: UInt64(i), treeSize: UInt64(n), leafHash: all[i], proof: proof, root: root)
                let other = all[(i + 1) % n]
                if n > 1 {
                    #expect(throws: MerkleProofError.rootMismatch) {
                        try MerkleTree.verifyInclusion(
                            index: UInt64(i), treeSize: UInt64(n), leafHash: other, proof: proof, root: root)
                    }
                }
            }
        }
    }

    @Test func generatedConsistencyProofs_verify_forEveryPairOfSizes() throws {
        let all = Self.leaves(33)
        for n in 1...33 {
            let newRoot = MerkleTree.root(leafHashes: Array(all.prefix(n)))
            for m in 1...n {
                let oldRoot = MerkleTree.root(leafHashes: Array(all.prefix(m)))
                let proof = MerkleTree.consistencyProof(oldSize: m, leafHashes: Array(all.prefix(n)))
                try MerkleTree.verifyConsistency(
                    oldSize: UInt64(m), newSize: UInt64(n), oldRoot: oldRoot, newRoot: newRoot, proof: proof)
                if m < n {
                    #expect(throws: MerkleProofError.self) {
                        try MerkleTree.verifyConsistency(
                            oldSize: UInt64(m), newSize: UInt64(n), oldRoot: newRoot, newRoot: newRoot, proof: proof)
                    }
                }
            }
        }
    }

    @Test func verifyInclusion_refusesAnIndexOutsideTheTree() {
        #expect(throws: MerkleProofError.indexOutOfRange(index: 5, treeSize: 5)) {
            try MerkleTree.verifyInclusion(
                index: 5, treeSize: 5, leafHash: MerkleTree.emptyRoot, proof: [], root: MerkleTree.emptyRoot)
        }
    }

    @Test func verifyConsistency_refusesAProofFromTheEmptyTree() {
        #expect(throws: MerkleProofError.emptyOldTree) {
            try MerkleTree.verifyConsistency(
                oldSize: 0, newSize: 0, oldRoot: MerkleTree.emptyRoot, newRoot: MerkleTree.emptyRoot, proof: [])
        }
    }
}
