import ArgumentParser
import Foundation
import WardenCore
import WardenStore

extension AuditCommand {
    /// `warden audit rotate-key [--reason TEXT]`.
    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key",
            abstract: "Replace the host key; the change is a log entry signed by the old and the new key.",
            discussion: "Needs the log's writer lock: stop a running `warden serve` first.")

        @OptionGroup var home: HomeOptions

        @Option(help: "Why, recorded in the log.")
        var reason: String?

        @Flag(help: "Print the result as JSON.")
        var json = false

        func run() async throws {
            let opened: (store: SQLiteLogStore, key: HostKey)
            do {
                opened = try SQLiteLogStore.open(home: home.resolved.home)
            } catch {
                throw AuditCommand.fail("\(error)", .unavailable)
            }
            let old = opened.key.publicKey
            let rotated: (key: HostKey, receipt: LogReceipt)
            do {
                rotated = try await opened.key.rotate(log: opened.store, reason: reason)
                try await opened.store.close()
            } catch {
                try? await opened.store.close()
                throw AuditCommand.fail("the key was not rotated: \(error)", .toolError)
            }
            if json {
                let output: JSONValue = [
                    "old_keyid": .string(old.keyid), "new_keyid": .string(rotated.key.publicKey.keyid),
                    "seq": .int(rotated.receipt.seq), "hash": .string(rotated.receipt.hash),
                ]
                print(output.prettyPrinted())
            } else {
                print("rotated the host key: \(old.keyid) -> \(rotated.key.publicKey.keyid)")
                print("recorded as entry \(rotated.receipt.seq) (\(rotated.receipt.hash))")
            }
        }
    }
}
