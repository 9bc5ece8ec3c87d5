import Foundation

/// A held call waiting for a person, as the approval queue keeps it.
///
/// The request is bound to ``boundDigest``: the digest of the tool, the arguments, the tool's definition, the
/// plugin and the caller (see ``ApprovalBinding``). A decision authorises only a call with that digest, so
/// approving one request cannot run a different call.
public struct ApprovalRequest: Sendable, Hashable {
    /// Where a request is. `pending → approved | denied | expired`; an approved request is claimed
    /// (`executing`) by the one call that runs it and ends `executed`, or `interrupted` when the kernel stopped
    /// while it ran (never re-run by itself).
    public enum State: String, Sendable, Codable, CaseIterable {
        case pending, approved, denied, expired, executing, executed, interrupted
    }

    /// A short random id a person types: `ap-` and 12 hex digits.
    public var id: String
    /// What a repeated call is matched by: the caller's idempotency key, or the bound digest when none is given.
    public var key: String
    /// Whether ``key`` was given by the caller (then it stays bound to this request for good).
    public var keyIsExplicit: Bool
    public var boundDigest: String
    /// `PLUGIN.TOOL`.
    public var tool: String
    public var plugin: String
    public var caller: String
    /// The arguments as recorded: secret-named members replaced by salted digests.
    public var arguments: JSONValue
    /// The rule that asked for approval, and the group whose members may decide.
    public var rule: String
    public var group: String
    /// The policy's reasons, for the person deciding.
    public var reasons: [String]
    /// The hunter findings on the arguments, as JSON objects.
    public var findings: [JSONValue]
    /// Milliseconds since the Unix epoch.
    public var createdAt: Int64
    public var expiresAt: Int64
    public var state: State
    public var decidedAt: Int64?
    /// The approver's name, for an approval or denial.
    public var decidedBy: String?
    /// The approver's note or reason.
    public var note: String?
    /// The approver's signed statement (a DSSE envelope, compact JSON). The kernel verifies it again before it
    /// runs anything: the state column alone authorises nothing.
    public var statement: [UInt8]?
    /// Where the decision's log entry sits.
    public var decisionSeq: Int64?
    /// The recorded outcome of the one execution (the call's JSON outcome), once it ran.
    public var outcome: JSONValue?

    public init(
        id: String, key: String, keyIsExplicit: Bool, boundDigest: String, tool: String, plugin: String,
        caller: String, arguments: JSONValue, rule: String, group: String, reasons: [String], findings: [JSONValue],
        createdAt: Int64, expiresAt: Int64, state: State = .pending
    ) {
        self.id = id
        self.key = key
        self.keyIsExplicit = keyIsExplicit
        self.boundDigest = boundDigest
        self.tool = tool
        self.plugin = plugin
        self.caller = caller
        self.arguments = arguments
        self.rule = rule
        self.group = group
        self.reasons = reasons
        self.findings = findings
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.state = state
    }

    /// A new random request id.
    public static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<6).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "ap-" + HexEncoding.encode(bytes)
    }

    /// Whether `text` has the shape of a request id (so a typo is told apart from an unknown id).
    public static func isValidID(_ text: String) -> Bool {
        text.count == 15 && text.hasPrefix("ap-")
            && text.dropFirst(3).allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }

    /// The request as JSON, for `warden approvals --json` and the control socket. The statement is included
    /// decoded, so a reader can check it with any DSSE verifier.
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "id": .string(id), "key": .string(key), "key_is_explicit": .bool(keyIsExplicit),
            "bound_digest": .string(boundDigest), "tool": .string(tool), "plugin": .string(plugin),
            "caller": .string(caller), "arguments": arguments, "rule": .string(rule), "group": .string(group),
            "reasons": .array(reasons.map(JSONValue.string)), "findings": .array(findings),
            "created_at": .string(RFC3339Time.format(milliseconds: createdAt)),
            "expires_at": .string(RFC3339Time.format(milliseconds: expiresAt)), "state": .string(state.rawValue),
        ]
        if let decidedAt { o["decided_at"] = .string(RFC3339Time.format(milliseconds: decidedAt)) }
        if let decidedBy { o["decided_by"] = .string(decidedBy) }
        if let note { o["note"] = .string(note) }
        if let statement, let value = try? JSONValue.parse(statement) { o["statement"] = value }
        if let decisionSeq { o["decision_seq"] = .int(decisionSeq) }
        if let outcome { o["outcome"] = outcome }
        return .object(o)
    }
}

/// The digest a held call is bound to.
public enum ApprovalBinding {
    /// `sha256:` of the canonical JSON of the tool, the arguments (in clear: the digest is computed before any
    /// redaction, so a changed secret is a different call), the tool definition's digest, the plugin's name and
    /// manifest digest, and the caller.
    public static func digest(
        tool: String, arguments: JSONValue, toolDefinitionDigest: String, plugin: String, manifestDigest: String,
        caller: String
    ) -> String {
        ContentDigest.sha256(
            CanonicalJSONWriter.bytes([
                "tool": .string(tool), "arguments": arguments, "tool_definition_digest": .string(toolDefinitionDigest),
                "plugin": ["name": .string(plugin), "manifest_digest": .string(manifestDigest)],
                "caller": .string(caller),
            ]))
    }
}
