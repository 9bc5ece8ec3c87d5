/// What a policy says about one call. Ordered by strength: `allow < require_approval < deny`, so the
/// combined effect of several answers is their maximum.
public enum PolicyEffect: String, Sendable, Codable, CaseIterable, Comparable {
    case allow
    case requireApproval = "require_approval"
    case deny

    private var strength: Int {
        switch self {
        case .allow: 0
        case .requireApproval: 1
        case .deny: 2
        }
    }

    public static func < (lhs: PolicyEffect, rhs: PolicyEffect) -> Bool { lhs.strength < rhs.strength }
}

/// Who may approve a held call and for how long the request stays open, taken from the rule that asked.
public struct ApprovalSettings: Sendable, Codable, Hashable {
    /// The approver group whose members may decide, for example `operators`.
    public var group: String
    /// Seconds after which an undecided request expires (and expiry is a deny).
    public var expiresInSeconds: Int
    /// The id of the rule these settings come from.
    public var rule: String

    public init(group: String, expiresInSeconds: Int, rule: String) {
        self.group = group
        self.expiresInSeconds = expiresInSeconds
        self.rule = rule
    }

    enum CodingKeys: String, CodingKey {
        case group, rule
        case expiresInSeconds = "expires_in_seconds"
    }
}

/// A rule that could not be evaluated. It counts as a deny; the message says why.
public struct DecisionError: Sendable, Codable, Hashable {
    /// The rule that failed, or `nil` when the failure is not a rule's (no policy set in force, a
    /// malformed request, a policy plugin that did not answer).
    public var rule: String?
    public var message: String

    public init(rule: String?, message: String) {
        self.rule = rule
        self.message = message
    }
}

/// The answer of a policy to one call: the effect, every rule that matched, why, what could not be
/// evaluated, and which policy set decided.
///
/// Lists are sorted by rule id so that the same request against the same set always gives equal values,
/// whatever order the rules were written in.
public struct Decision: Sendable, Codable, Hashable {
    public var effect: PolicyEffect
    /// Every rule whose match and conditions held, sorted.
    public var matchedRules: [String]
    /// Sentences for a person: why the effect is what it is (the deciding rules' descriptions, the errors).
    public var reasons: [String]
    /// Rules that could not be evaluated; each one made the effect `deny`.
    public var errors: [DecisionError]
    /// `sha256:` and the hex digest of the policy set in force, or `nil` when none was.
    public var policySetDigest: String?
    /// For `require_approval`: who may approve and for how long, from the deciding rule.
    public var approval: ApprovalSettings?

    public init(
        effect: PolicyEffect, matchedRules: [String] = [], reasons: [String] = [], errors: [DecisionError] = [],
        policySetDigest: String? = nil, approval: ApprovalSettings? = nil
    ) {
        self.effect = effect
        self.matchedRules = matchedRules
        self.reasons = reasons
        self.errors = errors
        self.policySetDigest = policySetDigest
        self.approval = approval
    }

    /// A deny that records why no real decision could be made (fail closed).
    public static func failClosed(_ message: String, policySetDigest: String? = nil) -> Decision {
        Decision(
            effect: .deny, reasons: [message], errors: [DecisionError(rule: nil, message: message)],
            policySetDigest: policySetDigest)
    }

    enum CodingKeys: String, CodingKey {
        case effect, reasons, errors, approval
        case matchedRules = "matched_rules"
        case policySetDigest = "policy_set_digest"
    }
}

extension Decision {
    /// Combines the answers of several policies: the strongest effect wins (deny > require_approval >
    /// allow), no answer at all is a deny, and rule ids, reasons and errors are merged. The result does
    /// not depend on the order of `decisions`.
    ///
    /// The digest is kept when every answer names the same one and is `nil` otherwise; record each
    /// answer's own digest where it matters. When several answers require approval, the settings with
    /// the shortest expiry win (ties: the smaller rule id).
    public static func combining(_ decisions: [Decision]) -> Decision {
        guard let first = decisions.first else {
            return .failClosed("no policy answered; nothing is allowed by default")
        }
        let effect = decisions.map(\.effect).max() ?? .deny
        let digests = Set(decisions.map(\.policySetDigest))
        let approvals = decisions.filter { $0.effect == .requireApproval }.compactMap(\.approval)
        let approval = effect == .requireApproval ? approvals.min(by: ApprovalSettings.stricter) : nil
        return Decision(
            effect: effect,
            matchedRules: Array(Set(decisions.flatMap(\.matchedRules))).sorted(),
            reasons: Array(Set(decisions.filter { $0.effect == effect }.flatMap(\.reasons))).sorted(),
            errors: Array(Set(decisions.flatMap(\.errors))).sorted {
                ($0.rule ?? "", $0.message) < ($1.rule ?? "", $1.message)
            },
            policySetDigest: digests.count == 1 ? first.policySetDigest : nil,
            approval: approval)
    }
}

extension ApprovalSettings {
    /// The order used to pick one set of settings among several: shorter expiry first, then rule id.
    public static func stricter(_ a: ApprovalSettings, _ b: ApprovalSettings) -> Bool {
        (a.expiresInSeconds, a.rule, a.group) < (b.expiresInSeconds, b.rule, b.group)
    }
}

/// Why a JSON value is not a well-formed ``Decision``; the kernel treats it as a deny.
public struct DecisionFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where in the value, as a JSON path such as `$.approval.group`.
    public var path: String
    public var reason: String
    public var description: String { "malformed decision at \(path): \(reason)" }
}

extension Decision {
    /// The decision as JSON with snake_case keys, as `policy/evaluate` answers it.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "effect": .string(effect.rawValue),
            "matched_rules": .array(matchedRules.map(JSONValue.string)),
            "reasons": .array(reasons.map(JSONValue.string)),
            "errors": .array(
                errors.map {
                    .object(["rule": $0.rule.map(JSONValue.string) ?? .null, "message": .string($0.message)])
                }
            ),
            "policy_set_digest": policySetDigest.map(JSONValue.string) ?? .null,
        ]
        if let approval {
            object["approval"] = .object([
                "group": .string(approval.group), "rule": .string(approval.rule),
                "expires_in_seconds": .int(Int64(approval.expiresInSeconds)),
            ])
        }
        return .object(object)
    }

    /// Reads a decision strictly: unknown keys, missing `effect` and wrong types are errors, so that a
    /// policy plugin's malformed answer can be refused (and the call denied) rather than half-understood.
    /// - Throws: ``DecisionFormatError`` naming the first offending member.
    public init(json: JSONValue) throws(DecisionFormatError) {
        func fail(_ path: String, _ reason: String) -> DecisionFormatError {
            DecisionFormatError(path: path, reason: reason)
        }
        guard let object = json.objectValue else { throw fail("$", "expected an object") }
        let known: Set<String> = ["effect", "matched_rules", "reasons", "errors", "policy_set_digest", "approval"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw fail("$.\(unknown)", "unknown key")
        }
        guard let effectText = object["effect"]?.stringValue, let effect = PolicyEffect(rawValue: effectText) else {
            throw fail("$.effect", "expected one of allow, deny, require_approval")
        }
        func strings(_ key: String) throws(DecisionFormatError) -> [String] {
            guard let value = object[key], value != .null else { return [] }
            guard let array = value.arrayValue else { throw fail("$.\(key)", "expected an array of strings") }
            var out: [String] = []
            for (i, element) in array.enumerated() {
                guard let s = element.stringValue else { throw fail("$.\(key)[\(i)]", "expected a string") }
                out.append(s)
            }
            return out
        }
        var errors: [DecisionError] = []
        if let value = object["errors"], value != .null {
            guard let array = value.arrayValue else { throw fail("$.errors", "expected an array") }
            for (i, element) in array.enumerated() {
                guard let e = element.objectValue, let message = e["message"]?.stringValue,
                    Set(e.keys).isSubset(of: ["rule", "message"])
                else { throw fail("$.errors[\(i)]", "expected {rule, message}") }
                let rule = e["rule"]
                guard rule == nil || rule == .null || rule?.stringValue != nil else {
                    throw fail("$.errors[\(i)].rule", "expected a string or null")
                }
                errors.append(DecisionError(rule: rule?.stringValue, message: message))
            }
        }
        var digest: String?
        if let value = object["policy_set_digest"], value != .null {
            guard let s = value.stringValue else { throw fail("$.policy_set_digest", "expected a string") }
            digest = s
        }
        var approval: ApprovalSettings?
        if let value = object["approval"], value != .null {
            guard let a = value.objectValue, Set(a.keys).isSubset(of: ["group", "expires_in_seconds", "rule"]),
                let group = a["group"]?.stringValue, let rule = a["rule"]?.stringValue,
                let seconds = a["expires_in_seconds"]?.intValue, seconds > 0, seconds <= Int64(Int32.max)
            else { throw fail("$.approval", "expected {group, expires_in_seconds > 0, rule}") }
            approval = ApprovalSettings(group: group, expiresInSeconds: Int(seconds), rule: rule)
        }
        self.init(
            effect: effect, matchedRules: try strings("matched_rules"), reasons: try strings("reasons"),
            errors: errors, policySetDigest: digest, approval: approval)
    }
}
