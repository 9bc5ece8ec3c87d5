import Foundation
import WardenCore

/// `Policies/approvers.json`: who may decide held calls, with their public keys and groups.
///
/// ```json
/// {
///   "approvers": {
///     "alice": {"public_key": "<64 hex digits>", "groups": ["operators"], "callers": ["cli:uid=1000"]}
///   },
///   "self_approval_groups": []
/// }
/// ```
///
/// `callers` names the caller identities that are this person (a request made by one of them is their own); a
/// member of a group listed in `self_approval_groups` may approve their own request under a rule of that group,
/// nobody else may. A missing file lists nobody: nothing can be approved (fail closed).
public struct Approvers: Sendable {
    public struct Approver: Sendable, Hashable {
        public var name: String
        public var key: Ed25519PublicKey
        public var groups: Set<String>
        public var callers: Set<String>
    }

    public var byName: [String: Approver]
    public var selfApprovalGroups: Set<String>
    public static let display = "Policies/approvers.json"

    public init(byName: [String: Approver] = [:], selfApprovalGroups: Set<String> = []) {
        self.byName = byName
        self.selfApprovalGroups = selfApprovalGroups
    }

    /// The approver whose key has this keyid.
    public func approver(keyid: String) -> Approver? { byName.values.first { $0.key.keyid == keyid } }

    /// Loads the file; a missing file lists nobody.
    /// - Throws: ``ConfigIssues`` for a malformed file (unknown keys, wrong types, bad keys, a key listed twice).
    public static func load(policiesFolder: String) throws(ConfigIssues) -> Approvers {
        guard let (root, reader) = try StrictJSONFile.read(policiesFolder + "/approvers.json", display: display) else {
            return Approvers()
        }
        var r = reader
        r.checkKeys(root, at: "$", allowed: ["approvers", "self_approval_groups"])
        var byName: [String: Approver] = [:]
        var owners: [String: String] = [:]
        for (name, entry) in (r.object(root, "approvers", at: "$") ?? [:]).sorted(by: { $0.key < $1.key }) {
            let path = "$.approvers." + name
            guard PluginManifest.isValidName(name) else {
                r.fail(path, "\"\(name)\" is not an approver name (1-32 lowercase letters, digits or '-')")
                continue
            }
            guard case .object(let o) = entry else {
                r.fail(path, "the approver \(name) must be an object with public_key and groups")
                continue
            }
            r.checkKeys(o, at: path, allowed: ["public_key", "groups", "callers"])
            let keyText = r.string(o, "public_key", at: path, required: true)
            let groups = r.strings(o, "groups", at: path) ?? []
            if o["groups"] == nil { r.fail(path, "missing required key \"groups\"") }
            if o["groups"] != nil && groups.isEmpty { r.fail(path + ".groups", "an approver needs at least one group") }
            for group in groups where !PluginManifest.isValidName(group) {
                r.fail(path + ".groups", "\"\(group)\" is not a group name")
            }
            let callers = r.strings(o, "callers", at: path) ?? []
            guard let keyText else { continue }
            let key: Ed25519PublicKey
            do {
                key = try Ed25519PublicKey(hex: keyText)
            } catch {
                r.fail(path + ".public_key", "public_key must be an Ed25519 public key in 64 hex digits: \(error.reason)")
                continue
            }
            if let other = owners[key.keyid] {
                r.fail(path + ".public_key", "this key is already listed for \(other); one key belongs to one approver")
                continue
            }
            owners[key.keyid] = name
            byName[name] = Approver(name: name, key: key, groups: Set(groups), callers: Set(callers))
        }
        let selfGroups = r.strings(root, "self_approval_groups", at: "$") ?? []
        if !r.issues.isEmpty { throw ConfigIssues(r.issues) }
        return Approvers(byName: byName, selfApprovalGroups: Set(selfGroups))
    }
}
