import Foundation
import Testing
import WardenCore

/// Every vector of `../shared/vectors/merkle` (transparency-dev/merkle `testdata`).
@Suite struct MerkleVectorTests {
    struct InclusionVector: Decodable {
        var leafIdx: UInt64
        var treeSize: UInt64
        var root: String
        var leafHash: String
        var proof: [String]?
        var desc: String
        var wantErr: Bool
    }

    struct ConsistencyVector: Decodable {
        var size1: UInt64
        var size2: UInt64
        var root1: String
        var root2: String
        var proof: [String]?
        var desc: String
        var wantErr: Bool
    }

    static func bytes(_ base64: String) throws -> [UInt8] {
        guard let data = Data(base64Encoded: base64) else { throw CocoaError(.coderReadCorrupt) }
        return Array(data)
    }

    @Test func inclusionVectors_allMatchTheirExpectedOutcome() throws {
        let files = try SharedVectors.jsonFiles(under: "merkle/inclusion")
        #expect(files.count >= 60, "expected the full inclusion vector set, found \(files.count) files")
        var accepted = 0
        for file in files {
            let v = try JSONDecoder().decode(InclusionVector.self, from: Data(contentsOf: file))
            var failed = false
            do {
                try MerkleTree.verifyInclusion(
                    index: v.leafIdx, treeSize: v.treeSize, leafHash: try Self.bytes(v.leafHash),
                    proof: try (v.proof ?? []).map(Self.bytes), root: try Self.bytes(v.root))
            } catch {
                failed = true
            }
            if !failed { accepted += 1 }
            #expect(failed == v.wantErr, "\(file.path): \(v.desc)")
        }
        #expect(accepted > 0)
    }

    @Test func consistencyVectors_allMatchTheirExpectedOutcome() throws {
        let files = try SharedVectors.jsonFiles(under: "merkle/consistency")
        #expect(files.count >= 80, "expected the full consistency vector set, found \(files.count) files")
        var accepted = 0
        for file in files {
            let v = try JSONDecoder().decode(ConsistencyVector.self, from: Data(contentsOf: file))
            var failed = false
            do {
                try MerkleTree.verifyConsistency(
                    oldSize: v.size1, newSize: v.size2, oldRoot: try Self.bytes(v.root1),
                    newRoot: try Self.bytes(v.root2),
                    proof: try (v.proof ?? []).map(Self.bytes))
            } catch {
                failed = true
            }
            if !failed { accepted += 1 }
            #expect(failed == v.wantErr, "\(file.path): \(v.desc)")
        }
        #expect(accepted > 0)
    }

    /// The happy-path vectors build their roots from leaves `""`, `0x00`, `0x10`, `0x2021`, … (RFC 6962's test
    /// tree); our root computation must reproduce them.
    @Test func happyPathRoots_matchTheReferenceTree() throws {
        let leaves: [[UInt8]] = [
            [], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
            [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
            [0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f],
        ].map(MerkleTree.leafHash)
        let root8 = try Self.bytes("XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=")
        #expect(MerkleTree.root(leafHashes: leaves) == root8)
        #expect(
            MerkleTree.inclusionProof(index: 0, leafHashes: leaves).map { LenientBase64.encode($0) } == [
                "lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=", "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
                "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=",
            ])
    }
}
