import Foundation

/// The record of one tool call through the kernel — allowed, refused or failed: who asked, what was in force,
/// what was decided and what happened. Payload type `application/vnd.warden.invocation+json`.
public struct InvocationRecord: LogRecord, Hashable {
    public static let payloadType = LogPayloadType.invocation

    /// How the call ended.
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        /// The tool ran and returned a result.
        case ok
        /// The tool ran and reported an error (`isError: true`).
        case toolError = "tool_error"
        /// The kernel refused the call (unknown tool, capability, rule, policy, approval, findings).
        case refused
        /// The call could not be completed (plugin unavailable, crashed, timed out, protocol violation).
        case failed
        /// The call is held for approval and has not run (yet); `approval.request_id` names the request.
        case pending
        /// The call was cut short (the caller went away, the kernel shut down).
        case interrupted
    }

    /// The plugin that serves the tool, with the digests of what ran.
    public struct Plugin: Sendable, Codable, Hashable {
        public var name: String
        public var version: String
        /// `sha256:` digest of `plugin.json`'s bytes.
        public var manifestDigest: String
        /// `sha256:` digest of the executable (or interpreter) that ran, when it was started.
        public var binaryDigest: String?

        public init(name: String, version: String, manifestDigest: String, binaryDigest: String?) {
            self.name = name
            self.version = version
            self.manifestDigest = manifestDigest
            self.binaryDigest = binaryDigest
        }

        enum CodingKeys: String, CodingKey {
            case name, version
            case manifestDigest = "manifest_digest"
            case binaryDigest = "binary_digest"
        }
    }

    /// The confinement the plugin ran under.
    public struct Sandbox: Sendable, Codable, Hashable {
        /// `sha256:` digest of the launcher's confinement spec (canonical JSON).
        public var specDigest: String
        /// The Landlock ABI the launcher enforced (0 when Landlock was unavailable).
        public var landlockABI: Int

        public init(specDigest: String, landlockABI: Int) {
            self.specDigest = specDigest
            self.landlockABI = landlockABI
        }

        enum CodingKeys: String, CodingKey {
            case specDigest = "spec_digest"
            case landlockABI = "landlock_abi"
        }
    }

    /// What the policies decided.
    public struct RecordedDecision: Sendable, Codable, Hashable {
        public var effect: PolicyEffect
        /// Every rule that matched (and the rules that could not be evaluated), sorted.
        public var ruleIDs: [String]
        /// Why, in sentences.
        public var reasons: [String]

        public init(effect: PolicyEffect, ruleIDs: [String], reasons: [String]) {
            self.effect = effect
            self.ruleIDs = ruleIDs
            self.reasons = reasons
        }

        /// The parts of a policy ``Decision`` a record keeps; evaluation errors become reasons.
        public init(_ decision: Decision) {
            let failed = decision.errors.compactMap(\.rule)
            self.init(
                effect: decision.effect, ruleIDs: Array(Set(decision.matchedRules + failed)).sorted(),
                reasons: decision.reasons
                    + decision.errors.map { e in e.rule.map { "\($0): \(e.message)" } ?? e.message })
        }

        enum CodingKeys: String, CodingKey {
            case effect, reasons
            case ruleIDs = "rule_ids"
        }
    }

    /// The approval a held call waited for.
    public struct ApprovalReference: Sendable, Codable, Hashable {
        public var requestID: String
        /// Where the approval decision's own envelope sits in the log, when it is there.
        public var decisionSeq: Int64?
        public var decisionHash: String?

        public init(requestID: String, decisionSeq: Int64? = nil, decisionHash: String? = nil) {
            self.requestID = requestID
            self.decisionSeq = decisionSeq
            self.decisionHash = decisionHash
        }

        enum CodingKeys: String, CodingKey {
            case requestID = "request_id"
            case decisionSeq = "decision_seq"
            case decisionHash = "decision_hash"
        }
    }

    /// When the call started and how long each stage took.
    public struct Timings: Sendable, Codable, Hashable {
        public var started: Date
        /// Milliseconds from the start to the record.
        public var totalMS: Double
        /// Milliseconds per stage, by stage name: `rules_pre`, `hunter_pre`, `policy`, `approval_wait`,
        /// `execute`, `hunter_post`, `rules_post` (only the stages that ran).
        public var stagesMS: [String: Double]

        /// - Precondition: every duration is finite.
        public init(started: Date, totalMS: Double, stagesMS: [String: Double] = [:]) {
            precondition(totalMS.isFinite && stagesMS.values.allSatisfy(\.isFinite), "durations must be finite")
            self.started = started
            self.totalMS = totalMS
            self.stagesMS = stagesMS
        }

        enum CodingKeys: String, CodingKey {
            case started
            case totalMS = "total_ms"
            case stagesMS = "stages_ms"
        }
    }

    /// Record format version; 1 for this one.
    public var recordVersion: Int = 1
    /// The kernel's id for the call (also the idempotency anchor of an approval).
    public var invocationID: String
    /// Who asked, for example `cli:1000` or `mcp:claude-desktop`.
    public var caller: String
    /// `PLUGIN.TOOL` as the caller named it.
    public var tool: String
    /// The arguments, with redacted values replaced by salted digests.
    public var arguments: RecordedArguments
    /// The plugin that serves the tool; `nil` when the tool did not resolve to one.
    public var plugin: Plugin?
    /// `sha256:` digest of the tool's definition (name, description, inputSchema …) as the plugin listed it.
    public var toolDefinitionDigest: String?
    public var sandbox: Sandbox?
    /// `sha256:` digest of the policy set in force.
    public var policySetDigest: String?
    /// What the policies decided; `nil` when the call was refused before they were asked.
    public var decision: RecordedDecision?
    /// What the detectors reported, on the arguments and on the output.
    public var findings: [Finding]
    public var approval: ApprovalReference?
    /// The result's digest and a bounded copy; `nil` when the tool did not return one.
    public var result: RecordedResult?
    public var timings: Timings
    public var outcome: Outcome
    /// Why the call was refused or failed, in a sentence.
    public var error: String?

    public init(
        invocationID: String, caller: String, tool: String, arguments: RecordedArguments, plugin: Plugin? = nil,
        toolDefinitionDigest: String? = nil, sandbox: Sandbox? = nil, policySetDigest: String? = nil,
        decision: RecordedDecision? = nil, findings: [Finding] = [], approval: ApprovalReference? = nil,
        result: RecordedResult? = nil, timings: Timings, outcome: Outcome, error: String? = nil
    ) {
        self.invocationID = invocationID
        self.caller = caller
        self.tool = tool
        self.arguments = arguments
        self.plugin = plugin
        self.toolDefinitionDigest = toolDefinitionDigest
        self.sandbox = sandbox
        self.policySetDigest = policySetDigest
        self.decision = decision
        self.findings = findings
        self.approval = approval
        self.result = result
        self.timings = timings
        self.outcome = outcome
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case caller, tool, arguments, plugin, sandbox, decision, findings, approval, result, timings, outcome, error
        case recordVersion = "record_version"
        case invocationID = "invocation_id"
        case toolDefinitionDigest = "tool_definition_digest"
        case policySetDigest = "policy_set_digest"
    }
}
