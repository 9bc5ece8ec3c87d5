import ArgumentParser
import Foundation
import WardenCore
import WardenStore

extension AuditCommand {
    /// `warden audit list [--since DATE|SEQ] [--tool T] [--kind K] [--limit N] [--json]`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List log entries, oldest first.",
            discussion: "Text columns: sequence number, time (UTC), kind, short hash, summary.")

        @OptionGroup var home: HomeOptions

        @Option(help: "Start at this sequence number, or at this time (RFC 3339, or a date YYYY-MM-DD in UTC).")
        var since: String?

        @Option(help: "Only invocations of this tool (PLUGIN.TOOL, or PLUGIN.* for all of a plugin's tools).")
        var tool: String?

        @Option(
            help:
                ArgumentHelp(
                    "Only entries of this kind: invocation, plugin-lifecycle, policy-change, key-rotation, "
                        + "approval-decision.")
        )
        var kind: String?

        @Option(help: "At most this many entries.")
        var limit: Int?

        @Flag(help: "Print a JSON array of entries with decoded payloads.")
        var json = false

        func run() async throws {
            var query = LogQuery(tool: tool, limit: limit)
            if let since {
                if let seq = Int64(since), seq >= 0 {
                    query.since = .seq(seq)
                } else if let ms = RFC3339Time.parseMilliseconds(since) {
                    query.since = .time(ms)
                } else {
                    throw AuditCommand.fail(
                        "--since \(since): expected a sequence number, a date (2025-01-31) or an RFC 3339 time "
                            + "(2025-01-31T12:00:00Z)", .badInput)
                }
            }
            if let kind {
                let type = "application/vnd.warden.\(kind)+json"
                guard LogPayloadType.all.contains(type) else {
                    throw AuditCommand.fail(
                        "--kind \(kind): expected one of "
                            + LogPayloadType.all.map(AuditCommand.kind).sorted().joined(separator: ", "), .badInput)
                }
                query.payloadType = type
            }
            if let limit, limit < 0 { throw AuditCommand.fail("--limit must not be negative", .badInput) }
            let log = try AuditCommand.openLog(home)
            let entries = try await AuditCommand.reading { () async throws(LogError) in try await log.list(query) }
            if json {
                print(JSONValue.array(entries.map(AuditCommand.json)).prettyPrinted())
                return
            }
            for entry in entries {
                let object = AuditCommand.json(entry)
                let kind = AuditCommand.kind(entry.payloadType)
                let line = [
                    String(entry.seq), RFC3339Time.format(milliseconds: entry.timeMilliseconds), kind,
                    String(HexEncoding.encode(entry.hash).prefix(12)),
                    AuditCommand.summary(kind: kind, object["payload"]),
                ]
                print(line.joined(separator: "  "))
            }
        }
    }
}
