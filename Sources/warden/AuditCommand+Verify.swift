import ArgumentParser
import Foundation
import WardenCore
import WardenStore

extension AuditCommand {
    /// `warden audit verify [--key FILE] [--json]`.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every signature, the hash chain and every checkpoint; name the first bad entry.",
            discussion: """
                Exits 0 when the log is whole and unaltered, 1 naming the first bad entry otherwise. Without --key \
                the log is checked against the key it records as its first (which proves it consistent, not who wrote \
                it); pass a public key you kept (from `warden init` or `warden audit export`) to pin it. Entries after \
                the latest checkpoint can be cut from the end without trace until the next checkpoint.
                """)

        @OptionGroup var home: HomeOptions

        @Option(help: "A public key file (securesystemslib JSON) to trust as the log's first key.")
        var key: String?

        @Option(
            name: .customLong("checkpoint"),
            help:
                ArgumentHelp(
                    "A signed checkpoint kept elsewhere (FILE.checkpoint of an export); the log must contain it. "
                        + "Repeatable.")
        )
        var checkpoints: [String] = []

        @Flag(help: "Print the report as JSON.")
        var json = false

        func run() async throws {
            var anchor: Ed25519PublicKey?
            if let key {
                do {
                    anchor = try HostKey.readPublicKeyFile(key)
                } catch {
                    throw AuditCommand.fail(error.description, .badInput)
                }
            }
            var witnessed: [String] = []
            for file in checkpoints {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw AuditCommand.fail("cannot read the checkpoint file \(file)", .badInput)
                }
                witnessed.append(String(decoding: data, as: UTF8.self))
            }
            let log = try AuditCommand.openLog(home)
            let started = Date()
            let verifier = LogVerifier(trustedAnchor: anchor, witnessedCheckpoints: witnessed)
            var report = try await AuditCommand.reading { () async throws(LogError) in try await verifier.verify(log) }
            let seconds = Date().timeIntervalSince(started)
            if report.failure == nil, let hostKey = try? HostKey.loadPublic(home: home.resolved.home),
                let last = report.keyIDs.last, hostKey.keyid != last
            {
                report.failure = LogVerificationFailure(
                    kind: .hostKeyMismatch, seq: nil,
                    message: "the log is signed by key \(last.prefix(16))…, but this state folder's host key is "
                        + "\(hostKey.keyid.prefix(16))…")
            }
            if json {
                print(Self.json(report, seconds: seconds).prettyPrinted())
            } else {
                print(Self.text(report, seconds: seconds))
            }
            if !report.ok { throw ExitCode.toolError }
        }

        static func json(_ report: LogVerificationReport, seconds: Double) -> JSONValue {
            var failure: JSONValue = .null
            if let f = report.failure {
                failure = [
                    "kind": .string(f.kind.rawValue), "seq": f.seq.map(JSONValue.int) ?? .null,
                    "checkpoint_size": f.checkpointSize.map(JSONValue.int) ?? .null, "message": .string(f.message),
                ]
            }
            return [
                "ok": .bool(report.ok), "origin": .string(report.origin), "entries": .int(report.entriesChecked),
                "checkpoints": .int(Int64(report.checkpointsChecked)),
                "keys": .array(report.keyIDs.map(JSONValue.string)),
                "latest_checkpoint": report.latestCheckpointSize.map(JSONValue.int) ?? .null,
                "uncheckpointed_entries": .int(max(0, report.uncheckpointedEntries)),
                "seconds": .double((seconds * 1000).rounded() / 1000), "failure": failure,
            ]
        }

        static func text(_ report: LogVerificationReport, seconds: Double) -> String {
            let time = String(format: "%.2f s", seconds)
            guard let failure = report.failure else {
                var lines = [
                    "ok: \(report.entriesChecked) entries and \(report.checkpointsChecked) checkpoints of "
                        + "\(report.origin) verified in \(time)",
                    "signing keys: " + report.keyIDs.map { String($0.prefix(16)) + "…" }.joined(separator: " -> "),
                ]
                if report.uncheckpointedEntries > 0 {
                    lines.append(
                        "note: \(report.uncheckpointedEntries) entries after the latest checkpoint "
                            + "are not yet covered by one"
                    )
                }
                return lines.joined(separator: "\n")
            }
            var where_ = ""
            if let seq = failure.seq {
                where_ = "entry \(seq)"
            } else if let size = failure.checkpointSize {
                where_ = "the checkpoint of size \(size)"
            } else {
                where_ = "the log"
            }
            return "FAILED at \(where_) (\(failure.kind.rawValue)): \(failure.message)\n"
                + "\(report.entriesChecked) entries before it verified"
        }
    }
}
