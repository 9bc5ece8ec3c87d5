import ArgumentParser
import Foundation
import WardenCore
import WardenStore

extension AuditCommand {
    /// `warden audit prove SEQ [--json]`.
    struct Prove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove that an entry is in the log: an inclusion proof against the latest checkpoint, checked.",
            discussion: """
                Checks the checkpoint's signature (with the key in force at its size), the entry's own signature, and \
                the RFC 9162 audit path from the entry's hash to the checkpoint's root. Exits 1 if any check fails, 2 \
                when the entry is not yet covered by a checkpoint.
                """)

        @OptionGroup var home: HomeOptions

        @Argument(help: "The entry's sequence number.")
        var seq: Int64

        @Flag(help: "Print the proof as JSON.")
        var json = false

        func run() async throws {
            let log = try AuditCommand.openLog(home)
            guard
                let stored = try await AuditCommand.reading({ () async throws(LogError) in
                    try await log.latestCheckpoint()
                })
            else {
                throw AuditCommand.fail(
                    "the log has no checkpoint yet; one is written on shutdown and periodically", .badInput)
            }
            guard seq >= 0, seq < stored.treeSize else {
                throw AuditCommand.fail(
                    "entry \(seq) is not covered by the latest checkpoint "
                        + "(it covers entries 0 to \(stored.treeSize - 1))",
                    .badInput)
            }
            let origin = try await AuditCommand.reading { () async throws(LogError) in try await log.origin() }
            let size = stored.treeSize
            let keys = try await AuditCommand.reading { () async throws(LogError) in
                try await log.keyChain(throughSize: size)
            }
            let wanted = seq
            let proof = try await AuditCommand.reading { () async throws(LogError) in
                try await log.inclusionProof(seq: wanted, treeSize: size)
            }
            let entry = try await AuditCommand.reading { () async throws(LogError) in try await log.entry(seq: wanted) }
            var problems: [String] = []
            var checkpoint: Checkpoint?
            do {
                let note = try SignedNote.parse(stored.note)
                checkpoint = try note.checkpoint()
                try note.verify(name: origin, key: keys.last!)
            } catch {
                problems.append("checkpoint: \(error.description)")
            }
            if let checkpoint {
                do {
                    try MerkleTree.verifyInclusion(
                        index: UInt64(seq), treeSize: checkpoint.treeSize, leafHash: proof.leafHash,
                        proof: proof.hashes,
                        root: checkpoint.rootHash)
                } catch {
                    problems.append("inclusion: \(error.description)")
                }
            }
            if let entry {
                do {
                    try DSSEEnvelope.parse(entry.envelopeBytes).verify(trusting: keys)
                } catch {
                    problems.append("entry signature: \(error)")
                }
            }
            let output: JSONValue = [
                "seq": .int(seq), "tree_size": .int(size), "leaf_hash": .string(HexEncoding.encode(proof.leafHash)),
                "proof": .array(proof.hashes.map { .string(HexEncoding.encode($0)) }),
                "root_hash": .string(HexEncoding.encode(proof.rootHash)), "checkpoint": .string(stored.note),
                "verified": .bool(problems.isEmpty), "problems": .array(problems.map(JSONValue.string)),
            ]
            if json {
                print(output.prettyPrinted())
            } else {
                print("entry       \(seq)")
                print("leaf hash   \(HexEncoding.encode(proof.leafHash))")
                print("tree size   \(size)")
                print("root hash   \(HexEncoding.encode(proof.rootHash))")
                print("audit path")
                for hash in proof.hashes { print("  \(HexEncoding.encode(hash))") }
                print("checkpoint")
                print(stored.note.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
                if problems.isEmpty {
                    print(
                        "verified: entry \(seq) is in the tree of \(size) entries whose root is signed by key "
                            + "\(keys.last!.keyid.prefix(16))…")
                }
            }
            if !problems.isEmpty {
                throw AuditCommand.fail("the proof does not verify: " + problems.joined(separator: "; "), .toolError)
            }
        }
    }
}
