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
        meta["warden"] = .object(warden)
        o["_meta"] = .object(meta)
        return .object(o)
    }
}
