import ArgumentParser
import Foundation
import WardenCore
import WardenStore

extension AuditCommand {
    /// `warden audit show SEQ [--json]`: one entry, decoded.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one log entry with its payload decoded (not verified: see `warden audit verify`).")

        @OptionGroup var home: HomeOptions

        @Argument(help: "The entry's sequence number.")
        var seq: Int64

        @Flag(help: "Print JSON: position, hash, signatures, decoded payload and the envelope as stored.")
        var json = false

        func run() async throws {
            let log = try AuditCommand.openLog(home)
            let wanted = seq
            guard
                let entry = try await AuditCommand.reading({ () async throws(LogError) in
                    try await log.entry(seq: wanted)
                })
            else {
                let count = try await AuditCommand.reading { () async throws(LogError) in try await log.entryCount() }
                throw AuditCommand.fail("no entry \(seq): the log has entries 0 to \(count - 1)", .badInput)
            }
            var object = AuditCommand.json(entry)
            if json {
                if case .object(var o) = object {
                    o["envelope"] = (try? JSONValue.parse(entry.envelopeBytes)) ?? .null
                    object = .object(o)
                }
                print(object.prettyPrinted())
                return
            }
            print("entry      \(entry.seq)")
            print("time       \(RFC3339Time.format(milliseconds: entry.timeMilliseconds))")
            print("type       \(entry.payloadType)")
            print("hash       \(HexEncoding.encode(entry.hash))")
            for keyid in object["signatures"]?.arrayValue ?? [] { print("signed by  \(keyid.stringValue ?? "")") }
            print("payload")
            print(object["payload"]?.prettyPrinted() ?? "null")
        }
    }
}
