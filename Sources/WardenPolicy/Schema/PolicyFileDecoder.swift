import WardenCore

/// Turns the ``SourceNode`` tree of one policy file into compiled ``PolicyRule``s, reporting every
/// schema problem with its location.
enum PolicyFileDecoder {
    static let fileKeys = ["version", "description", "rules"]
    static let ruleKeys = ["id", "description", "effect", "match", "conditions", "approval"]
    static let matchKeys = ["tools", "plugin", "caller"]
    static let approvalKeys = ["group", "expires"]
    static let maximumApprovalSeconds = 30 * 86400
    static let defaultApprovalSeconds = 3600

    /// The rules of one file; problems go to `reader`. Rules with problems are left out.
    static func decode(_ root: SourceNode, reader: inout SchemaReader) -> [PolicyRule] {
        guard let file = reader.fields(root, "a policy file", allowed: fileKeys, required: ["version", "rules"]) else {
            return []
        }
        checkVersion(file["version"], reader: &reader)
        _ = reader.string(file["description"], "the file's description")
        guard let ruleNodes = reader.list(file["rules"], "rules") else { return [] }
        return ruleNodes.compactMap { decodeRule($0, reader: &reader) }
    }

    static func checkVersion(_ node: SourceNode?, reader: inout SchemaReader) {
        guard let node else { return }
        guard case .int(let v) = node.kind else {
            reader.report(.wrongType, at: node.location, "version must be the integer 1, not \(node.typeName)")
            return
        }
        if v != 1 {
            reader.report(
                .unsupportedVersion, at: node.location, "version \(v) is not supported; this Warden reads version 1")
        }
    }

    static func isValidName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, s.unicodeScalars.count <= 128,
            ("a"..."z").contains(first) || ("A"..."Z").contains(first) || ("0"..."9").contains(first)
        else { return false }
        return s.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || "._-".unicodeScalars.contains($0)
        }
    }

    static func decodeRule(_ node: SourceNode, reader: inout SchemaReader) -> PolicyRule? {
        let before = reader.diagnostics.count
        guard
            let fields = reader.fields(
                node, "a rule", allowed: ruleKeys, required: ["id", "description", "effect", "match"])
        else { return nil }
        let id = reader.string(fields["id"], "id")
        if let id, !isValidName(id), let at = fields["id"]?.location {
            reader.report(
                .invalidValue, at: at,
                "the rule id \"\(id)\" may use only letters, digits, '.', '_' and '-', start with a letter or digit, "
                    + "and be at most 128 characters")
        }
        let description = reader.string(fields["description"], "description")
        let effect = reader.word(fields["effect"], "effect", as: PolicyEffect.self)
        let match = fields["match"].flatMap { decodeMatch($0, reader: &reader) }
        var conditions: [Condition] = []
        if let list = reader.list(fields["conditions"], "conditions") {
            for element in list {
                if let c = ConditionDecoder.decode(element, reader: &reader, nested: false) { conditions.append(c) }
            }
            let rateLimits = conditions.filter(\.containsRateLimit)
            if rateLimits.count > 1 {
                reader.report(
                    .invalidValue, at: rateLimits[1].location, "a rule may have at most one rate_limit condition")
            }
            if let first = rateLimits.first, let effect, effect == .allow {
                reader.report(
                    .invalidValue, at: first.location,
                    "a rate_limit holds when the limit is exceeded, so it belongs in a deny or require_approval rule, "
                        + "not an allow rule")
            }
        }
        var approval: ApprovalSettings?
        if let approvalNode = fields["approval"] {
            if let effect, effect != .requireApproval {
                reader.report(
                    .invalidValue, at: fields.keyLocation("approval"),
                    "approval settings belong only to require_approval rules; this rule's effect is \(effect.rawValue)")
            } else if let a = reader.fields(approvalNode, "approval", allowed: approvalKeys, required: ["group"]) {
                let group = reader.string(a["group"], "approval group")
                if let group, !isValidName(group), let at = a["group"]?.location {
                    reader.report(.invalidValue, at: at, "the approval group \"\(group)\" is not a valid name")
                }
                let seconds =
                    a["expires"] == nil
                    ? defaultApprovalSeconds
                    : reader.duration(a["expires"], "approval expires", maximum: maximumApprovalSeconds)
                if let group, let seconds, let id {
                    approval = ApprovalSettings(group: group, expiresInSeconds: seconds, rule: id)
                }
            }
        } else if let effect, effect == .requireApproval {
            reader.report(
                .missingKey, at: node.location,
                "a require_approval rule needs approval settings (approval: {group: operators, expires: 1h})")
        }
        guard reader.diagnostics.count == before, let id, let description, let effect, let match else { return nil }
        return PolicyRule(
            id: id, effect: effect, description: description, location: node.location, match: match,
            conditions: conditions, approval: approval, source: node.json)
    }

    static func decodeMatch(_ node: SourceNode, reader: inout SchemaReader) -> RuleMatch? {
        guard let fields = reader.fields(node, "match", allowed: matchKeys, required: ["tools"]) else { return nil }
        func globs(_ key: String, _ what: String) -> [Glob]? {
            guard let node = fields[key] else { return [] }
            guard let list = reader.strings(node, what) else { return nil }
            var out: [Glob] = []
            for (text, location) in list {
                do {
                    out.append(try Glob(text))
                } catch {
                    reader.report(.invalidGlob, at: location, error.message)
                    return nil
                }
            }
            return out
        }
        guard let tools = globs("tools", "match.tools"), let plugins = globs("plugin", "match.plugin"),
            let callers = globs("caller", "match.caller")
        else { return nil }
        return RuleMatch(tools: tools, plugins: plugins, callers: callers)
    }
}
