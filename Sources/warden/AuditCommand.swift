import ArgumentParser
import Foundation
import WardenCore
import WardenStore

/// `warden audit list | show | verify | export | prove | rotate-key`: reading and checking the signed log.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read, verify, export and prove entries of the signed log.",
        discussion: """
            The log is <home>/warden.db. Exit status: 0 ok, 1 verification or proof failed, 2 bad input \
            (no log, no such entry, bad date), 4 the log cannot be read.
            """,
        subcommands: [List.self, Show.self, Verify.self, Export.self, Prove.self, RotateKey.self])

    /// Prints `message` on stderr and gives the exit code to throw.
    static func fail(_ message: String, _ code: ExitCode) -> ExitCode {
        StandardStreams.err("warden: \(message)\n")
        return code
    }

    /// Opens `<home>/warden.db` read-only, or exits 2 when there is no log.
    static func openLog(_ home: HomeOptions) throws -> SQLiteLogStore {
        let path = SQLiteLogStore.databasePath(home: home.resolved.home)
        do {
            return try SQLiteLogStore.openReadOnly(path: path)
        } catch {
            throw fail(error.message, error.code == .notFound ? .badInput : .unavailable)
        }
    }

    /// Runs a log read, turning a ``LogError`` into a message and exit code 4.
    static func reading<T>(_ body: () async throws(LogError) -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw fail(error.message, error.code == .notFound ? .badInput : .unavailable)
        }
    }

    /// The short name of a payload type: `invocation`, `plugin-lifecycle`, … or the type itself.
    static func kind(_ payloadType: String) -> String {
        guard payloadType.hasPrefix("application/vnd.warden."), payloadType.hasSuffix("+json") else {
            return payloadType
        }
        return String(payloadType.dropFirst("application/vnd.warden.".count).dropLast("+json".count))
    }

    /// One entry as `--json` prints it: position, hash, type, signatures, decoded payload.
    static func json(_ entry: StoredEntry) -> JSONValue {
        var object: [String: JSONValue] = [
            "seq": .int(entry.seq), "hash": .string(HexEncoding.encode(entry.hash)),
            "time": .string(RFC3339Time.format(milliseconds: entry.timeMilliseconds)),
            "payload_type": .string(entry.payloadType), "kind": .string(kind(entry.payloadType)),
        ]
        if let tool = entry.tool { object["tool"] = .string(tool) }
        if let envelope = try? DSSEEnvelope.parse(entry.envelopeBytes) {
            object["signatures"] = .array(envelope.signatures.map { .string($0.keyid ?? "") })
            object["payload"] = (try? JSONValue.parse(envelope.payload)) ?? .string("(payload is not JSON)")
        } else {
            object["payload"] = .string("(envelope is not readable: run `warden audit verify`)")
        }
        return .object(object)
    }

    /// A one-line summary of a decoded payload.
    static func summary(kind: String, _ payload: JSONValue?) -> String {
        guard let p = payload else { return "(unreadable)" }
        func s(_ v: JSONValue?) -> String { v?.stringValue ?? "-" }
        switch kind {
        case "invocation":
            let effect = p["decision"]?["effect"]?.stringValue.map { " \($0)" } ?? ""
            let error = p["error"]?.stringValue.map { ": \($0)" } ?? ""
            return "\(s(p["tool"])) \(s(p["outcome"]))\(effect) by \(s(p["caller"]))\(error)"
        case "plugin-lifecycle":
            return "\(s(p["plugin"])) \(s(p["event"]))" + (p["reason"]?.stringValue.map { ": \($0)" } ?? "")
        case "policy-change":
            let accepted = p["accepted"]?.boolValue == true ? "accepted" : "refused"
            return "\(accepted) \(s(p["digest"])) (\(s(p["trigger"])))"
        case "key-rotation":
            return "\(s(p["old_key"]?["keyid"]).prefix(16))… -> \(s(p["new_key"]?["keyid"]).prefix(16))…"
        case "approval-decision":
            return "\(s(p["request_id"])) \(s(p["decision"]))" + (p["tool"]?.stringValue.map { " \($0)" } ?? "")
        default:
            return ""
        }
    }
}
