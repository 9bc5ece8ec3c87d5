import Foundation
import WardenCore
import Yams

/// Reads rule files: one rule (a mapping) or several (a list of mappings) per file, strict schema, every
/// problem reported as `file:line:col: message`. See `docs/hunter-rules.md`.
public enum RuleLoader {
    static let ruleKeys: Set<String> = [
        "id", "title", "category", "severity", "paranoia", "scope", "targets", "exclude_targets", "transforms",
        "detections",
        "condition", "prefilter", "tests", "description",
    ]
    static let detectionKeys: Set<String> = [
        "regex", "contains_any", "startswith", "equals", "entropy_at_least", "length", "nocase", "prefilter",
    ]
    static let testKeys: Set<String> = ["name", "input", "value", "phase", "tool", "match", "todo", "isolated"]

    /// Loads every `.yaml` / `.yml` file in `directory` (in name order), refusing duplicate ids across files.
    /// - Throws: `RuleFileError` for the first problem found; `.unreadable` when the folder cannot be listed.
    public static func loadDirectory(_ directory: String) throws(RuleFileError) -> [HunterRule] {
        try loadFiles(ruleFiles(in: directory))
    }

    /// The rule files in a folder, sorted.
    /// - Throws: `RuleFileError.unreadable` when the folder cannot be listed.
    public static func ruleFiles(in directory: String) throws(RuleFileError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw RuleFileError(
                .unreadable, at: SourceLocation(file: directory, line: 1, column: 1),
                "cannot list the rules folder: \(error.localizedDescription)")
        }
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            .map { (directory as NSString).appendingPathComponent($0) }
    }

    /// Loads several files, refusing duplicate ids across them.
    /// - Throws: `RuleFileError` for the first problem found.
    public static func loadFiles(_ paths: [String]) throws(RuleFileError) -> [HunterRule] {
        var rules: [HunterRule] = []
        var seen: [String: SourceLocation] = [:]
        for path in paths {
            for rule in try loadFile(path) {
                if let first = seen[rule.id] {
                    throw RuleFileError(.duplicateID, at: rule.location, "rule id \"\(rule.id)\" is already used at \(first)")
                }
                seen[rule.id] = rule.location
                rules.append(rule)
            }
        }
        return rules
    }

    /// Loads one file.
    /// - Throws: `RuleFileError` for the first problem found; `.unreadable` when it cannot be read as UTF-8.
    public static func loadFile(_ path: String) throws(RuleFileError) -> [HunterRule] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuleFileError(.unreadable, at: SourceLocation(file: path, line: 1, column: 1), "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RuleFileError(.unreadable, at: SourceLocation(file: path, line: 1, column: 1), "the file is not UTF-8 text")
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses rule-file text; `file` names it in errors.
    /// - Throws: `RuleFileError` for the first problem found.
    public static func parse(yaml: String, file: String) throws(RuleFileError) -> [HunterRule] {
        let reader = YAMLNodeReader(file: file)
        guard let root = try reader.compose(yaml) else {
            throw RuleFileError(.missingKey, at: SourceLocation(file: file, line: 1, column: 1), "the file holds no rule")
        }
        var rules: [HunterRule] = []
        var seen: [String: SourceLocation] = [:]
        let nodes: [Node] = if case .sequence = root { try reader.list(root, what: "a rule file") } else { [root] }
        if nodes.isEmpty { throw reader.error(.missingKey, root, "the file holds no rule") }
        for node in nodes {
            let rule = try parseRule(node, reader: reader)
            if let first = seen[rule.id] {
                throw RuleFileError(.duplicateID, at: rule.location, "rule id \"\(rule.id)\" is already used at \(first)")
            }
            seen[rule.id] = rule.location
            rules.append(rule)
        }
        return rules
    }

    static func parseRule(_ node: Node, reader: YAMLNodeReader) throws(RuleFileError) -> HunterRule {
        let pairs = try reader.mapping(node, what: "a rule", allowed: ruleKeys)
        var values: [String: (key: Node, value: Node)] = [:]
        for (key, keyNode, value) in pairs { values[key] = (keyNode, value) }
        func required(_ key: String) throws(RuleFileError) -> Node {
            guard let entry = values[key] else { throw reader.error(.missingKey, node, "a rule needs \"\(key)\"") }
            return entry.value
        }

        let idNode = try required("id")
        let id = try reader.string(idNode, what: "\"id\"")
        guard id.range(of: #"^[a-z0-9][a-z0-9._-]{0,63}$"#, options: .regularExpression) != nil else {
            throw reader.error(.invalidValue, idNode, "rule id \"\(id)\" must be lowercase letters, digits, \".\", \"_\" or \"-\" (at most 64)")
        }
        let context = "rule \"\(id)\""
        let title = try reader.string(try required("title"), what: "\"title\" of \(context)")
        let categoryNode = try required("category")
        let category = try reader.string(categoryNode, what: "\"category\" of \(context)")
        guard category.range(of: #"^[a-z][a-z0-9-]{0,31}$"#, options: .regularExpression) != nil else {
            throw reader.error(.invalidValue, categoryNode, "category \"\(category)\" must be lowercase letters, digits and \"-\"")
        }
        let severityNode = try required("severity")
        let severityText = try reader.string(severityNode, what: "\"severity\" of \(context)")
        guard let severity = Severity(rawValue: severityText) else {
            let names = Severity.allCases.map(\.rawValue)
            throw reader.error(.invalidValue, severityNode, "unknown severity \"\(severityText)\"; use one of \(names.joined(separator: ", "))")
        }
        var paranoia = 1
        if let entry = values["paranoia"] {
            paranoia = try reader.int(entry.value, what: "\"paranoia\" of \(context)")
            guard (1...4).contains(paranoia) else {
                throw reader.error(.invalidValue, entry.value, "paranoia level \(paranoia) is out of range; use 1 to 4")
            }
        }
        var scope = RuleScope.input
        if let entry = values["scope"] {
            let text = try reader.string(entry.value, what: "\"scope\" of \(context)")
            guard let parsed = RuleScope(rawValue: text) else {
                throw reader.error(.invalidValue, entry.value, "unknown scope \"\(text)\"; use input, output or both")
            }
            scope = parsed
        }
        func globs(_ key: String) throws(RuleFileError) -> [PathGlob] {
            guard let entry = values[key] else { return [] }
            var result: [PathGlob] = []
            for item in try reader.list(entry.value, what: "\"\(key)\" of \(context)") {
                let text = try reader.string(item, what: "each target")
                do {
                    result.append(try PathGlob(text))
                } catch {
                    throw RuleFileError(.invalidValue, at: reader.location(in: item, offset: error.offset), "invalid target \"\(text)\": \(error.message)")
                }
            }
            if result.isEmpty { throw reader.error(.invalidValue, entry.value, "\"\(key)\" must not be empty; leave it out instead") }
            return result
        }
        let targets = try globs("targets")
        let excludedTargets = try globs("exclude_targets")
        var transforms: [Transform] = []
        if let entry = values["transforms"] {
            for item in try reader.list(entry.value, what: "\"transforms\" of \(context)") {
                let text = try reader.string(item, what: "each transform")
                guard let transform = Transform(rawValue: text) else {
                    let names = Transform.allCases.map(\.rawValue)
                    let hint = Suggestion.closest(to: text, in: names).map { "; did you mean \"\($0)\"?" }
                        ?? "; use one of \(names.joined(separator: ", "))"
                    throw reader.error(.invalidValue, item, "unknown transform \"\(text)\"\(hint)")
                }
                transforms.append(transform)
            }
        }
        var prefilter: [String]? = nil
        if let entry = values["prefilter"] {
            prefilter = try reader.strings(entry.value, what: "\"prefilter\" of \(context)")
        }
        let detectionsNode = try required("detections")
        let detections = try parseDetections(detectionsNode, context: context, reader: reader)
        let condition: Condition
        if let entry = values["condition"] {
            condition = try parseCondition(entry.value, detections: detections, context: context, reader: reader)
        } else if detections.count == 1 {
            condition = .detection(detections[0].name)
        } else {
            throw reader.error(.missingKey, node, "\(context) has several detections and needs a \"condition\" combining them")
        }
        var description: String? = nil
        if let entry = values["description"] {
            description = try reader.string(entry.value, what: "\"description\" of \(context)")
        }
        let testsNode = try required("tests")
        let tests = try parseTests(testsNode, scope: scope, context: context, reader: reader)
        return HunterRule(
            id: id, title: title, category: category, severity: severity, paranoia: paranoia, scope: scope,
            targets: targets, excludedTargets: excludedTargets, transforms: transforms, detections: detections, condition: condition,
            declaredPrefilter: prefilter, tests: tests, description: description, location: reader.location(node))
    }

    static func parseCondition(
        _ node: Node, detections: [Detection], context: String, reader: YAMLNodeReader
    ) throws(RuleFileError) -> Condition {
        let text = try reader.string(node, what: "\"condition\" of \(context)")
        let condition: Condition
        do {
            condition = try Condition.parse(text, known: Set(detections.map(\.name)))
        } catch {
            throw RuleFileError(.badCondition, at: reader.location(in: node, offset: error.offset), "invalid condition: \(error.message)")
        }
        let used = condition.names
        if let unused = detections.first(where: { !used.contains($0.name) }) {
            throw reader.error(.badCondition, node, "detection \"\(unused.name)\" is never used by the condition")
        }
        return condition
    }
}
