import WardenCore
import WardenStore

/// How one tool call ended, as the CLI and the gateways need it.
public enum CallStatus: String, Sendable, Codable {
    /// The tool ran and returned a result.
    case ok
    /// The tool ran and reported an error (`isError: true`).
    case toolError = "tool_error"
    /// The kernel refused the call (unknown tool, capability, rule, policy, approval, findings).
    case refused
    /// The call could not be completed (plugin unavailable, crashed, timed out, protocol violation).
    case failed
    /// The call is held for a person's approval and has not run; `approval` names the request.
    case pending
}

/// The answer to one call through the kernel.
public struct CallOutcome: Sendable {
    public var status: CallStatus
    /// The tool's MCP result (`content`, `structuredContent`, `isError`), when it ran.
    public var result: JSONValue?
    /// Why it was refused or failed, in a sentence.
    public var reason: String?
    public var decision: Decision?
    public var findings: [Finding]
    public var receipt: LogReceipt?
    /// The approval request of a held call.
    public var approval: ApprovalRequest?

    public init(
        status: CallStatus, result: JSONValue?, reason: String?, decision: Decision? = nil, findings: [Finding],
        receipt: LogReceipt? = nil, approval: ApprovalRequest? = nil
    ) {
        self.status = status
        self.result = result
        self.reason = reason
        self.decision = decision
        self.findings = findings
        self.receipt = receipt
        self.approval = approval
    }

    /// The result as an MCP `tools/call` result: refusals and failures become tool errors whose text says why,
    /// and `_meta` carries the envelope's sequence number and hash.
    public var mcpResult: JSONValue {
        var o: [String: JSONValue]
        if let result, case .object(let r) = result {
            o = r
        } else {
            let text: String
            switch status {
            case .refused: text = "refused: \(reason ?? "denied")"
            case .pending: text = "pending approval \(approval?.id ?? "?"): \(reason ?? "waiting for a person")"
            default: text = "failed: \(reason ?? "error")"
            }
            o = ["content": [["type": "text", "text": .string(text)]], "isError": true]
        }
        var meta = o["_meta"]?.objectValue ?? [:]
        var warden: [String: JSONValue] = ["status": .string(status.rawValue)]
        if let receipt {
            warden["envelope_seq"] = .int(receipt.seq)
            warden["envelope_hash"] = .string(receipt.hash)
        }
        if let decision {
            warden["effect"] = .string(decision.effect.rawValue)
            warden["rules"] = .array(decision.matchedRules.map { .string($0) })
        }
        if let reason { warden["reason"] = .string(reason) }
        if let approval {
            warden["approval"] = [
                "id": .string(approval.id), "state": .string(approval.state.rawValue),
                "expires_at": .string(RFC3339Time.format(milliseconds: approval.expiresAt)),
                "approve": .string(ApprovalQueue.approveCommand(approval.id)),
            ]
            if approval.state == .executed { warden["replayed"] = true }
        }
        meta["warden"] = .object(warden)
        o["_meta"] = .object(meta)
        return .object(o)
    }
}

extension CallOutcome {
    /// The recorded outcome of an approved call's one run, given back to a later call with the same key; the
    /// tool does not run again. The request's state, `executed`, tells it apart from the run itself (`executing`).
    init(recorded: JSONValue, approval: ApprovalRequest, decision: Decision) {
        let status = recorded["status"]?.stringValue.flatMap(CallStatus.init(rawValue:)) ?? .failed
        let result = recorded["result"]
        let reason = recorded["reason"]?.stringValue
        self.init(
            status: status, result: result,
            reason: reason.map { "\($0) (recorded outcome of approved request \(approval.id))" }
                ?? (status == .ok || status == .toolError ? nil : "the approved request \(approval.id) has no recorded outcome"),
            decision: decision, findings: [], approval: approval)
    }
}
