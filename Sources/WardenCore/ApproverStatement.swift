import Foundation

/// What an approver signs with their own key: "I approve (or deny) request ID, bound to DIGEST".
///
/// It travels as a DSSE envelope of payload type ``payloadType``, signed by the approver's Ed25519 key; the
/// kernel accepts it only when the key is listed in `Policies/approvers.json`, the approver's groups include the
/// group the holding rule names, and the request id and digest are the request's own. The payload is canonical
/// JSON (sorted keys, compact), so the same statement always has the same bytes.
public struct ApproverStatement: Sendable, Hashable {
    public static let payloadType = "application/vnd.warden.approver-statement+json"

    public enum Verdict: String, Sendable, CaseIterable {
        case approved, denied
    }

    public var requestID: String
    public var boundDigest: String
    public var decision: Verdict
    /// The approver's name as listed in `Policies/approvers.json`.
    public var approver: String
    public var note: String?
    /// When it was signed, milliseconds since the Unix epoch.
    public var time: Int64

    public init(requestID: String, boundDigest: String, decision: Verdict, approver: String, note: String?, time: Int64) {
        self.requestID = requestID
        self.boundDigest = boundDigest
        self.decision = decision
        self.approver = approver
        self.note = note
        self.time = time
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "request_id": .string(requestID), "bound_digest": .string(boundDigest),
            "decision": .string(decision.rawValue), "approver": .string(approver),
            "time": .string(RFC3339Time.format(milliseconds: time)),
        ]
        if let note { o["note"] = .string(note) }
        return .object(o)
    }

    /// The statement signed with `key`, as a DSSE envelope.
    public func signed(with key: Ed25519SigningKey) -> DSSEEnvelope {
        DSSEEnvelope.sign(payloadType: Self.payloadType, payload: CanonicalJSONWriter.bytes(json), keys: [key])
    }

    /// Why an envelope's payload is not a statement.
    public struct FormatError: Error, Sendable, Equatable, CustomStringConvertible {
        public var reason: String
        public var description: String { "not an approver statement: \(reason)" }
    }

    /// Reads the payload of an envelope strictly (the signature is checked separately).
    /// - Throws: ``FormatError``.
    public init(envelope: DSSEEnvelope) throws(FormatError) {
        guard envelope.payloadType == Self.payloadType else {
            throw FormatError(reason: "payload type is \(envelope.payloadType), expected \(Self.payloadType)")
        }
        guard let value = try? JSONValue.parse(envelope.payload), let o = value.objectValue else {
            throw FormatError(reason: "the payload is not a JSON object")
        }
        let known: Set<String> = ["request_id", "bound_digest", "decision", "approver", "time", "note"]
        if let unknown = o.keys.sorted().first(where: { !known.contains($0) }) {
            throw FormatError(reason: "unknown key \"\(unknown)\"")
        }
        guard let id = o["request_id"]?.stringValue, let digest = o["bound_digest"]?.stringValue,
            let decisionText = o["decision"]?.stringValue, let decision = Verdict(rawValue: decisionText),
            let approver = o["approver"]?.stringValue, let timeText = o["time"]?.stringValue,
            let time = RFC3339Time.parseMilliseconds(timeText)
        else { throw FormatError(reason: "request_id, bound_digest, decision, approver and time are required") }
        var note: String?
        if let n = o["note"], n != .null {
            guard let s = n.stringValue else { throw FormatError(reason: "note must be a string") }
            note = s
        }
        self.init(requestID: id, boundDigest: digest, decision: decision, approver: approver, note: note, time: time)
    }
}
