import Foundation
import WardenCore
import Yams

/// A suite file: cases that name which rules must fire, beyond the rules' own embedded tests.
///
/// ```yaml
/// suite: agent-tool-calls
/// cases:
///   - name: fetch of the metadata service
///     tool: http.fetch
///     value: {url: "http://169.254.169.254/latest/meta-data/"}
///     expect: [ssrf-cloud-metadata]
///     isolated: true        # and nothing else fires
/// ```
public struct RuleSuite: Sendable {
    public struct Case: Sendable {
        public var name: String?
        public var phase: ScanPhase
        public var tool: String
        public var value: JSONValue
        /// Rules that must fire.
        public var expect: [String]
        /// No rule outside `expect` may fire.
        public var isolated: Bool
        public var todo: Bool
        public var location: SourceLocation
    }

    public var name: String
    public var cases: [Case]
    public var location: SourceLocation

    static let suiteKeys: Set<String> = ["suite", "description", "cases"]
    static let caseKeys: Set<String> = ["name", "phase", "tool", "input", "value", "expect", "isolated", "todo"]

    /// Whether a YAML file is a suite (its top level is a mapping with a `suite` key) rather than rules.
    public static func isSuite(path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8),
            let node = try? Yams.compose(yaml: text), case .mapping(let mapping) = node
        else { return false }
        return mapping.contains { $0.key.string == "suite" }
    }

    /// Loads a suite file.
    /// - Throws: `RuleFileError` for unreadable files, YAML errors and schema violations.
    public static func load(path: String) throws(RuleFileError) -> RuleSuite {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw RuleFileError(.unreadable, at: SourceLocation(file: path, line: 1, column: 1), "cannot read the suite file as UTF-8 text")
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses suite text; `file` names it in errors.
    /// - Throws: `RuleFileError` for YAML errors and schema violations.
    public static func parse(yaml: String, file: String) throws(RuleFileError) -> RuleSuite {
        let reader = YAMLNodeReader(file: file)
        guard let root = try reader.compose(yaml) else {
            throw RuleFileError(.missingKey, at: SourceLocation(file: file, line: 1, column: 1), "the suite file is empty")
        }
        var name: String? = nil
        var cases: [Case] = []
        var sawCases = false
        for (key, _, value) in try reader.mapping(root, what: "a suite", allowed: suiteKeys) {
            switch key {
            case "suite": name = try reader.string(value, what: "\"suite\"")
            case "description": _ = try reader.string(value, what: "\"description\"")
            case "cases":
                sawCases = true
                for item in try reader.list(value, what: "\"cases\"") { cases.append(try parseCase(item, reader: reader)) }
            default: break
            }
        }
        guard let name else { throw reader.error(.missingKey, root, "a suite needs \"suite\" (its name)") }
        guard sawCases, !cases.isEmpty else { throw reader.error(.missingKey, root, "suite \"\(name)\" needs at least one case") }
        return RuleSuite(name: name, cases: cases, location: reader.location(root))
    }

    private static func parseCase(_ node: Node, reader: YAMLNodeReader) throws(RuleFileError) -> Case {
        var result = Case(
            name: nil, phase: .input, tool: "test", value: .null, expect: [], isolated: false, todo: false,
            location: reader.location(node))
        var sawValue = false
        var sawExpect = false
        for (key, keyNode, value) in try reader.mapping(node, what: "a suite case", allowed: caseKeys) {
            switch key {
            case "name": result.name = try reader.string(value, what: "\"name\"")
            case "phase":
                let text = try reader.string(value, what: "\"phase\"")
                guard let phase = ScanPhase(rawValue: text) else {
                    throw reader.error(.invalidValue, value, "unknown phase \"\(text)\"; use input or output")
                }
                result.phase = phase
            case "tool": result.tool = try reader.string(value, what: "\"tool\"")
            case "input", "value":
                if sawValue { throw reader.error(.invalidValue, keyNode, "a suite case has both \"input\" and \"value\"; keep one") }
                sawValue = true
                result.value = key == "input" ? .string(try reader.string(value, what: "\"input\"")) : try reader.json(value)
            case "expect":
                sawExpect = true
                for item in try reader.list(value, what: "\"expect\"") {
                    result.expect.append(try reader.string(item, what: "each rule id in \"expect\""))
                }
            case "isolated": result.isolated = try reader.bool(value, what: "\"isolated\"")
            case "todo": result.todo = try reader.bool(value, what: "\"todo\"")
            default: break
            }
        }
        if !sawValue { throw reader.error(.missingKey, node, "a suite case needs \"input\" (a string) or \"value\" (any JSON)") }
        if !sawExpect { throw reader.error(.missingKey, node, "a suite case needs \"expect\" (a list of rule ids, possibly empty)") }
        if result.expect.isEmpty && !result.isolated {
            throw reader.error(.invalidValue, node, "a case expecting no rule must say \"isolated: true\" (nothing may fire)")
        }
        return result
    }
}
