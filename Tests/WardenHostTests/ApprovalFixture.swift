import Foundation
import Logging
import Synchronization
import WardenCore
import WardenHost
import WardenStore

/// A queue over a real SQLite log in a temporary folder, with a clock the test moves and approvers of its own.
final class ApprovalFixture: Sendable {
    let root: String
    let policies: String
    let log: SQLiteLogStore
    let store: SQLiteApprovalStore
    let queue: ApprovalQueue
    let clock = TestClock()
    let alice = Ed25519SigningKey.generate()  // operators; her own calls are "cli:uid=1000"
    let bob = Ed25519SigningKey.generate()  // security only
    let mallory = Ed25519SigningKey.generate()  // not listed

    init(selfApprovalGroups: [String] = []) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("warden-approvals-\(UUID().uuidString)").path
        policies = root + "/Policies"
        try FileManager.default.createDirectory(atPath: policies, withIntermediateDirectories: true)
        log = try SQLiteLogStore.open(path: root + "/warden.db", signingKey: Ed25519SigningKey.generate())
        store = try SQLiteApprovalStore(sharing: log)
        let clock = self.clock
        queue = ApprovalQueue(
            store: store, audit: log, policiesFolder: policies, logger: Logger(label: "test"),
            now: { clock.now })
        try writeApprovers(selfApprovalGroups: selfApprovalGroups)
    }

    func writeApprovers(selfApprovalGroups: [String] = []) throws {
        let file: JSONValue = [
            "approvers": [
                "alice": ["public_key": .string(alice.publicKey.hex), "groups": ["operators"], "callers": ["cli:uid=1000"]],
                "bob": ["public_key": .string(bob.publicKey.hex), "groups": ["security"]],
            ],
            "self_approval_groups": .array(selfApprovalGroups.map(JSONValue.string)),
        ]
        try Data(file.prettyPrinted().utf8).write(to: URL(fileURLWithPath: policies + "/approvers.json"))
    }

    func advance(seconds: Int64) { clock.advance(seconds: seconds) }

    /// A held `shell.run` call; `arguments` vary the digest.
    func hold(_ arguments: JSONValue = ["program": "ls"], caller: String = "mcp:agent", group: String = "operators",
        expires: Int = 600) -> ApprovalQueue.Hold
    {
        ApprovalQueue.Hold(
            boundDigest: ApprovalBinding.digest(
                tool: "shell.run", arguments: arguments, toolDefinitionDigest: "sha256:def", plugin: "shell",
                manifestDigest: "sha256:manifest", caller: caller),
            tool: "shell.run", plugin: "shell", caller: caller, recordedArguments: arguments,
            settings: ApprovalSettings(group: group, expiresInSeconds: expires, rule: "shell-run-approval"),
            reasons: ["Running a program needs an operator's approval."], findings: [])
    }

    /// Holds a call without waiting and returns its pending request.
    func pending(_ hold: ApprovalQueue.Hold, key: String? = nil) async throws -> ApprovalRequest {
        guard case .pending(let request) = await queue.gate(hold, key: key, wait: .zero, progress: nil) else {
            throw FixtureError("expected a pending request")
        }
        return request
    }

    /// A signed statement about `request` (or about what the test overrides).
    func statement(
        _ request: ApprovalRequest, by key: Ed25519SigningKey, name: String, verdict: ApproverStatement.Verdict = .approved,
        id: String? = nil, digest: String? = nil, note: String? = "ok"
    ) -> [UInt8] {
        ApproverStatement(
            requestID: id ?? request.id, boundDigest: digest ?? request.boundDigest, decision: verdict, approver: name,
            note: note, time: clock.now
        ).signed(with: key).serializedBytes()
    }

    /// The approval-decision records in the log, decoded.
    func decisionRecords() async throws -> [ApprovalDecisionRecord] {
        let entries = try await log.list(LogQuery(payloadType: LogPayloadType.approvalDecision))
        return try entries.map { entry in
            let envelope = try DSSEEnvelope.parse(entry.envelopeBytes)
            return try ApprovalDecisionRecord.decode(payload: envelope.payload)
        }
    }

    func close() async {
        try? await log.close()
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// Milliseconds since the epoch, moved by the test.
final class TestClock: Sendable {
    let ms = Mutex<Int64>(1_800_000_000_000)
    var now: Int64 { ms.withLock { $0 } }
    func advance(seconds: Int64) { ms.withLock { $0 += seconds * 1000 } }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
