import Testing
import WardenCore

@testable import WardenStore

@Suite struct ProofTests {
    @Test func inclusionProofs_verifyAgainstEverySignedCheckpoint() async throws {
        let folder = try TemporaryFolder()
        let (path, key) = try await LogFixture.makeLog(in: folder, count: 23)
        let reader = try SQLiteLogStore.openReadOnly(path: path)
        for stored in try await reader.checkpoints() {
            let checkpoint = try SignedNote.parse(stored.note).checkpoint()
            for seq in 0..<stored.treeSize {
                let proof = try await reader.inclusionProof(seq: seq, treeSize: stored.treeSize)
                try MerkleTree.verifyInclusion(
                    index: UInt64(seq), treeSize: checkpoint.treeSize, leafHash: proof.leafHash, proof: proof.hashes,
                    root: checkpoint.rootHash)
            }
        }
        _ = key
    }

    @Test func consistencyProofs_linkSuccessiveCheckpoints() async throws {
        let folder = try TemporaryFolder()
        let (path, _) = try await LogFixture.makeLog(in: folder, count: 23)
        let reader = try SQLiteLogStore.openReadOnly(path: path)
        let checkpoints = try await reader.checkpoints().map { try SignedNote.parse($0.note).checkpoint() }
        #expect(checkpoints.map(\.treeSize) == [10, 20, 23])
        for (old, new) in zip(checkpoints, checkpoints.dropFirst()) {
            let proof = try await reader.consistencyProof(from: Int64(old.treeSize), to: Int64(new.treeSize))
            try MerkleTree.verifyConsistency(
                oldSize: old.treeSize, newSize: new.treeSize, oldRoot: old.rootHash, newRoot: new.rootHash, proof: proof
            )
        }
    }

    @Test func proofsOutsideTheLog_areRefused() async throws {
        let folder = try TemporaryFolder()
        let (path, _) = try await LogFixture.makeLog(in: folder, count: 5)
        let reader = try SQLiteLogStore.openReadOnly(path: path)
        let outside = await #expect(throws: LogError.self) { try await reader.inclusionProof(seq: 5, treeSize: 5) }
        #expect(outside?.code == .invalidRequest)
        let tooBig = await #expect(throws: LogError.self) { try await reader.inclusionProof(seq: 1, treeSize: 9) }
        #expect(tooBig?.code == .notFound)
        let empty = await #expect(throws: LogError.self) { try await reader.consistencyProof(from: 0, to: 5) }
        #expect(empty?.code == .invalidRequest)
    }
}
