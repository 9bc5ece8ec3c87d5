import Foundation

/// What happened to a held call's request: a person's decision, its expiry, a submitted decision the kernel
/// refused, or an approved run cut off by a stopping kernel. Payload type
/// `application/vnd.warden.approval-decision+json`.
public struct ApprovalDecisionRecord: LogRecord, Hashable {
    public static let payloadType = LogPayloadType.approvalDecision

    /// What was decided.
    public enum Verdict: String, Sendable, Codable, CaseIterable {
        case approved, denied, expired
        /// A decision was submitted and refused (unknown or decided request, unlisted key, wrong group, a
        /// statement for another request or other arguments, self-approval); `note` says why. Nothing changed.
        case rejected
        /// The kernel stopped while the approved call ran; it is not re-run by itself.
        case interrupted
    }

    public var recordVersion: Int = 1
    public var requestID: String
    public var decision: Verdict
    /// The keyid of the approver key that signed the decision; `nil` for an expiry.
    public var approverKeyID: String?
    /// The approver's note (for an approval), reason (for a denial), or why a submission was rejected.
    public var note: String?
    /// The digest the request is bound to (tool, arguments, tool definition, plugin); a decision authorises
    /// only the call with this digest.
    public var boundDigest: String
    /// `PLUGIN.TOOL`, for reading the log.
    public var tool: String?
    /// The approver's own signed decision (a DSSE envelope as JSON), when there is one.
    public var approverEnvelope: JSONValue?
    public var time: Date

    public init(
        requestID: String, decision: Verdict, approverKeyID: String?, note: String?, boundDigest: String,
        tool: String? = nil, approverEnvelope: JSONValue? = nil, time: Date
    ) {
        self.requestID = requestID
        self.decision = decision
        self.approverKeyID = approverKeyID
        self.note = note
        self.boundDigest = boundDigest
        self.tool = tool
        self.approverEnvelope = approverEnvelope
        self.time = time
    }

    enum CodingKeys: String, CodingKey {
        case decision, note, tool, time
        case recordVersion = "record_version"
        case requestID = "request_id"
        case approverKeyID = "approver_keyid"
        case boundDigest = "bound_digest"
        case approverEnvelope = "approver_envelope"
    }
}
