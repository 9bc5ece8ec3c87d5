import WardenCore

/// Checks a policies folder for schema errors and for rules whose meaning is probably not what was
/// intended: rules that can never match, allows that a deny always overrides, conditions on arguments
/// the tool does not have, tests that name unknown rules, rules no test exercises.
public enum PolicyLinter {
    /// Lints the folder. `toolSchemas` maps namespaced tool names to their `inputSchema`; without it the
    /// checks that need the tools are skipped.
    public static func lint(directory: String, toolSchemas: [String: JSONValue]? = nil) -> PolicyLintReport {
        let set: PolicySet
        do {
            set = try PolicySet.parse(directory: directory)
        } catch {
            return PolicyLintReport(diagnostics: error.diagnostics)
        }
        var out: [PolicyDiagnostic] = []
        for rule in set.rules {
            out += neverMatching(rule, toolSchemas: toolSchemas)
            if let toolSchemas { out += unknownArguments(rule, toolSchemas: toolSchemas) }
        }
        out += shadowed(set.rules)
        out += testCoverage(set)
        return PolicyLintReport(diagnostics: PolicyDiagnostic.sorted(out))
    }

    /// Reads a schemas file: either `{"tool": inputSchema, …}` or an MCP `tools/list` answer
    /// (`{"tools": [{"name", "inputSchema"}]}` or the bare array).
    /// - Throws: ``PolicyPluginError`` saying what shape was expected.
    public static func toolSchemas(from json: JSONValue) throws -> [String: JSONValue] {
        func fromList(_ list: [JSONValue]) throws -> [String: JSONValue] {
            var out: [String: JSONValue] = [:]
            for item in list {
                guard let name = item["name"]?.stringValue, let schema = item["inputSchema"], schema.objectValue != nil
                else { throw PolicyPluginError(message: "each tool needs a name and an inputSchema object") }
                out[name] = schema
            }
            return out
        }
        if let list = json.arrayValue { return try fromList(list) }
        if let list = json["tools"]?.arrayValue { return try fromList(list) }
        guard let object = json.objectValue, object.values.allSatisfy({ $0.objectValue != nil }) else {
            throw PolicyPluginError(
                message: "expected {\"TOOL\": inputSchema, …} or a tools/list answer "
                    + "{\"tools\": [{name, inputSchema}]}"
            )
        }
        return object
    }

    // MARK: - rules that can never match

    static func warning(_ code: PolicyDiagnostic.Code, _ at: SourceLocation, _ message: String) -> PolicyDiagnostic {
        PolicyDiagnostic(.warning, code, at: at, message)
    }

    static func neverMatching(_ rule: PolicyRule, toolSchemas: [String: JSONValue]?) -> [PolicyDiagnostic] {
        var out: [PolicyDiagnostic] = []
        let prefix = "rule \(rule.id) can never match"
        // A plugin filter that excludes every literal tool (tools are named PLUGIN.TOOL).
        if !rule.match.plugins.isEmpty {
            let literal = rule.match.tools.allSatisfy { $0.tokens.count == $0.literalPrefix.unicodeScalars.count }
            if literal,
                !rule.match.tools.contains(where: { tool in
                    rule.match.plugins.contains { $0.matches(PolicyRequest.plugin(of: tool.pattern)) }
                })
            {
                out.append(warning(.neverMatches, rule.location, "\(prefix): none of its tools belongs to its plugins"))
            }
        }
        if let toolSchemas {
            let known = toolSchemas.keys.filter { rule.match.matches(tool: $0) }
            if known.isEmpty {
                out.append(
                    warning(
                        .unknownTool, rule.location,
                        "rule \(rule.id) matches no known tool (\(rule.toolPatterns.joined(separator: ", ")))"
                            + Suggestion.hint(for: rule.toolPatterns.first ?? "", among: toolSchemas.keys)))
            }
        }
        // Contradictions among the plain (not negated) conditions on the same value.
        struct Facts {
            var equals: [(JSONValue, SourceLocation)] = []
            var inLists: [([JSONValue], SourceLocation)] = []
            var existsTrue: SourceLocation?
            var existsFalse: SourceLocation?
            var others: [SourceLocation] = []
            var lower: (Double, Bool)?
            var upper: (Double, Bool)?
        }
        var facts: [String: Facts] = [:]
        for condition in rule.conditions where !condition.negate {
            guard case .value(let v) = condition.kind else { continue }
            var key: String
            switch v.subject {
            case .argument(let path): key = path.steps.description
            case .capability(let name): key = "capability:" + name
            }
            key += "|" + (v.transform?.rawValue ?? "") + "|" + (v.ignoreCase ? "i" : "")
            var f = facts[key] ?? Facts()
            switch v.test {
            case .exists(true): f.existsTrue = condition.location
            case .exists(false): f.existsFalse = condition.location
            case .equals(let e):
                f.equals.append((e, condition.location))
                f.others.append(condition.location)
            case .oneOf(let values, let strings):
                let all = values + strings.keys.map(JSONValue.string)
                if all.isEmpty {
                    out.append(warning(.neverMatches, condition.location, "\(prefix): \"in\" lists no values"))
                }
                f.inLists.append((all, condition.location))
                f.others.append(condition.location)
            case .compare(let c, let bound):
                let b = bound.doubleValue ?? 0
                switch c {
                case .gt, .ge:
                    if f.lower == nil || b > f.lower!.0 || (b == f.lower!.0 && c == .gt) { f.lower = (b, c == .gt) }
                case .lt, .le:
                    if f.upper == nil || b < f.upper!.0 || (b == f.upper!.0 && c == .lt) { f.upper = (b, c == .lt) }
                }
                f.others.append(condition.location)
            default:
                f.others.append(condition.location)
            }
            facts[key] = f
        }
        for f in facts.values {
            if let t = f.existsTrue, f.existsFalse != nil {
                out.append(warning(.neverMatches, t, "\(prefix): it requires a value both to exist and not to exist"))
            }
            if let absent = f.existsFalse, let other = f.others.first {
                out.append(
                    warning(
                        .neverMatches, other,
                        "\(prefix): it requires the value to be absent (line \(absent.line)) and tests it here, "
                            + "which cannot be evaluated without it"))
            }
            if f.equals.count > 1 {
                let first = f.equals[0].0
                if let other = f.equals.dropFirst().first(where: { !ValueCondition.jsonEqual($0.0, first) }) {
                    out.append(
                        warning(.neverMatches, other.1, "\(prefix): the value cannot equal two different values"))
                }
            }
            for (value, location) in f.equals {
                for (list, listLocation) in f.inLists
                where !list.contains(where: { ValueCondition.jsonEqual($0, value) }) {
                    out.append(
                        warning(
                            .neverMatches, listLocation,
                            "\(prefix): the value must equal \(value.serialized()) (line \(location.line)), "
                                + "which this list does not contain"))
                }
            }
            if let (low, lowStrict) = f.lower, let (high, highStrict) = f.upper,
                low > high || (low == high && (lowStrict || highStrict)), let at = f.others.last
            {
                out.append(warning(.neverMatches, at, "\(prefix): its numeric bounds leave no value in between"))
            }
        }
        return out
    }

    // MARK: - shadowed rules

    /// Whether every tool `a` names is also named by `b`.
    static func covers(_ b: [Glob], _ a: [Glob]) -> Bool {
        a.allSatisfy { p in
            let literal = p.tokens.count == p.literalPrefix.unicodeScalars.count
            return b.contains { q in
                if literal { return q.matches(p.pattern) }
                if q.pattern == p.pattern { return true }
                // q = "lit*" covers any pattern starting with lit.
                if case .prefix(let bytes) = q.shape {
                    return p.literalPrefix.utf8.starts(with: bytes)
                }
                return false
            }
        }
    }

    static func sameOrWider(_ wider: [Glob], _ narrower: [Glob]) -> Bool {
        wider.isEmpty || (!narrower.isEmpty && covers(wider, narrower))
    }

    static func shadowed(_ rules: [PolicyRule]) -> [PolicyDiagnostic] {
        var out: [PolicyDiagnostic] = []
        for a in rules where a.effect != .deny {
            let stronger = rules.filter { d in
                d.effect > a.effect && !d.isRateLimited && d.id != a.id
                    && covers(d.match.tools, a.match.tools)
                    && sameOrWider(d.match.plugins, a.match.plugins)
                    && sameOrWider(d.match.callers, a.match.callers)
                    && d.conditions.allSatisfy { dc in a.conditions.contains { $0.source == dc.source } }
            }
            guard let d = stronger.first(where: { $0.effect == .deny }) ?? stronger.first else { continue }
            let what = a.effect == .allow ? "allow" : "require_approval"
            out.append(
                warning(
                    .shadowedRule, a.location,
                    "\(what) rule \(a.id) never takes effect: \(d.effect.rawValue) rule \(d.id) (\(d.location)) "
                        + "matches every call it matches"))
        }
        return out
    }

    // MARK: - arguments the tools do not have

    static func argumentPaths(_ conditions: [Condition]) -> [(JSONPath, SourceLocation)] {
        conditions.flatMap { c -> [(JSONPath, SourceLocation)] in
            switch c.kind {
            case .value(let v):
                if case .argument(let path) = v.subject { return [(path, c.location)] }
                return []
            case .anyOf(let children), .allOf(let children): return argumentPaths(children)
            default: return []
            }
        }
    }

    static func unknownArguments(_ rule: PolicyRule, toolSchemas: [String: JSONValue]) -> [PolicyDiagnostic] {
        var out: [PolicyDiagnostic] = []
        let tools = toolSchemas.keys.sorted().filter { tool in
            rule.match.matches(tool: tool)
                && (rule.match.plugins.isEmpty
                    || rule.match.plugins.contains { $0.matches(PolicyRequest.plugin(of: tool)) })
        }
        for (path, location) in argumentPaths(rule.conditions) where !path.steps.isEmpty {
            let missing = tools.filter { schemaHas(path.steps[...], toolSchemas[$0]!) == false }
            guard !missing.isEmpty else { continue }
            out.append(
                warning(
                    .unknownArgument, location,
                    "rule \(rule.id) tests \(path), which the inputSchema of \(missing.joined(separator: ", ")) "
                        + "does not have; such calls cannot satisfy it"))
        }
        return out
    }

    /// Whether `schema` describes a value at `steps`: `true`, `false`, or `nil` when the schema is too
    /// dynamic to tell (references, combinators, pattern properties).
    static func schemaHas(_ steps: ArraySlice<JSONPath.Step>, _ schema: JSONValue) -> Bool? {
        guard let step = steps.first else { return true }
        guard let s = schema.objectValue else { return schema == .bool(false) ? false : nil }
        if s["$ref"] != nil || s["anyOf"] != nil || s["oneOf"] != nil || s["allOf"] != nil { return nil }
        let type = s["type"]?.stringValue
        switch step {
        case .key(let key):
            if let properties = s["properties"]?.objectValue, let child = properties[key] {
                return schemaHas(steps.dropFirst(), child)
            }
            if s["patternProperties"] != nil { return nil }
            if let additional = s["additionalProperties"] {
                if additional == .bool(false) { return false }
                if additional.objectValue != nil { return schemaHas(steps.dropFirst(), additional) }
                return nil
            }
            if s["properties"] != nil { return false }
            if let type, type != "object" { return false }
            return nil
        case .index(let i):
            if let prefix = s["prefixItems"]?.arrayValue, i < prefix.count {
                return schemaHas(steps.dropFirst(), prefix[i])
            }
            if let items = s["items"], items.objectValue != nil { return schemaHas(steps.dropFirst(), items) }
            if let type, type != "array" { return false }
            return nil
        }
    }

    // MARK: - tests

    static func testCoverage(_ set: PolicySet) -> [PolicyDiagnostic] {
        var out: [PolicyDiagnostic] = []
        let ids = Set(set.rules.map(\.id))
        for test in set.tests {
            for id in test.expectedRules ?? [] where !ids.contains(id) {
                out.append(
                    warning(
                        .unknownRuleInTest, test.location,
                        "test \"\(test.name)\" expects rule \(id), which no policy file defines"
                            + Suggestion.hint(for: id, among: ids)))
            }
        }
        let report = set.runTests()
        var exercised = Set<String>()
        for result in report.results {
            exercised.formUnion(result.decision.matchedRules)
            exercised.formUnion(result.decision.errors.compactMap(\.rule))
        }
        for rule in set.rules where !exercised.contains(rule.id) {
            out.append(warning(.untestedRule, rule.location, "no test makes rule \(rule.id) match; add one to tests/"))
        }
        return out
    }
}
