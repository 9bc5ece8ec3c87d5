import ArgumentParser
import Foundation
import WardenCore
import WardenStore

extension AuditCommand {
    /// `warden audit export FILE [--force]`.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the envelopes as JSON lines, with the public keys and the latest checkpoint beside them.",
            discussion: """
                FILE gets one DSSE envelope per line, in sequence order, byte for byte as stored (so \
                SHA-256(0x00 || line) is the entry's hash). FILE.keys.json gets the signing keys as securesystemslib \
                keys (a JSON array, the log's first key first). FILE.checkpoint gets the latest signed checkpoint. \
                See docs/envelopes.md for checking them without Warden.
                """)

        @OptionGroup var home: HomeOptions

        @Argument(help: "The file to write.")
        var file: String

        @Flag(help: "Overwrite FILE and its companions if they exist.")
        var force = false

        @Flag(help: "Print what was written as JSON.")
        var json = false

        func run() async throws {
            let path = HomeOptions.absolute(file)
            let keysPath = path + ".keys.json"
            let checkpointPath = path + ".checkpoint"
            let fm = FileManager.default
            if !force, let existing = [path, keysPath, checkpointPath].first(where: fm.fileExists(atPath:)) {
                throw AuditCommand.fail("\(existing) exists; pass --force to overwrite it", .badInput)
            }
            let log = try AuditCommand.openLog(home)
            let checkpoint = try await AuditCommand.reading { () async throws(LogError) in
                try await log.latestCheckpoint()
            }
            let keys = try await AuditCommand.reading { () async throws(LogError) in try await log.keyChain() }
            guard fm.createFile(atPath: path, contents: nil) else {
                throw AuditCommand.fail("cannot create \(path)", .badInput)
            }
            let out = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? out.close() }
            var count: Int64 = 0
            while true {
                let next = count
                let chunk = try await AuditCommand.reading { () async throws(LogError) in
                    try await log.entries(from: next, limit: 4096)
                }
                if chunk.isEmpty { break }
                var buffer: [UInt8] = []
                for entry in chunk {
                    guard entry.seq == count else {
                        throw AuditCommand.fail(
                            "entry \(count) is missing from the log; run `warden audit verify`", .toolError)
                    }
                    buffer.append(contentsOf: entry.envelopeBytes)
                    buffer.append(0x0A)
                    count += 1
                }
                try out.write(contentsOf: buffer)
            }
            let keysJSON = JSONValue.array(keys.map(\.securesystemslibJSON)).prettyPrinted() + "\n"
            try Data(keysJSON.utf8).write(to: URL(fileURLWithPath: keysPath))
            if let checkpoint {
                try Data(checkpoint.note.utf8).write(to: URL(fileURLWithPath: checkpointPath))
            } else if fm.fileExists(atPath: checkpointPath) {
                try fm.removeItem(atPath: checkpointPath)
            }
            if json {
                let summary: JSONValue = [
                    "envelopes": .string(path), "entries": .int(count), "keys": .string(keysPath),
                    "checkpoint": checkpoint == nil ? .null : .string(checkpointPath),
                    "checkpoint_size": checkpoint.map { .int($0.treeSize) } ?? .null,
                ]
                print(summary.prettyPrinted())
            } else {
                print("wrote \(count) envelopes to \(path)")
                print("wrote \(keys.count) public key\(keys.count == 1 ? "" : "s") to \(keysPath)")
                if let checkpoint { print("wrote the checkpoint of size \(checkpoint.treeSize) to \(checkpointPath)") }
            }
        }
    }
}
