import ArgumentParser
import Foundation
import WardenCore
import WardenStore

/// `warden init`: the state folder, the host key and an empty log.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the state folder, the host key (keys/host.key, mode 0600) and the log; print the keyid.",
        discussion: """
            Running it again changes nothing and prints the same keyid. Keep keys/host.pub (or its keyid) somewhere \
            else: `warden audit verify --key` checks the log against it.
            """)

    @OptionGroup var home: HomeOptions

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() async throws {
        let folder = home.resolved.home
        let database = SQLiteLogStore.databasePath(home: folder)
        let created: Bool
        let key: Ed25519PublicKey
        do {
            let loaded = try HostKey.loadOrCreate(home: folder)
            created = loaded.created
            key = loaded.key.publicKey
            if !FileManager.default.fileExists(atPath: database) {
                let (store, _) = try SQLiteLogStore.open(home: folder)
                try await store.close()
            }
        } catch let error as HostKeyError {
            throw AuditCommand.fail(error.description, error.code == .io ? .unavailable : .badInput)
        } catch {
            throw AuditCommand.fail("\(error)", .unavailable)
        }
        if json {
            let output: JSONValue = [
                "home": .string(folder), "created": .bool(created), "keyid": .string(key.keyid),
                "public_key": key.securesystemslibJSON, "database": .string(database),
            ]
            print(output.prettyPrinted())
        } else {
            print(created ? "initialised \(folder)" : "\(folder) was already initialised")
            print("host key \(key.keyid)")
        }
    }
}
