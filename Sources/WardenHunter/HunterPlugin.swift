import Synchronization
import WardenCore

/// The hunter engine as a plugin: the methods `warden-plugin hunter` serves over JSON-RPC.
///
/// - `hunter/scan`: params `{phase: "input"|"output", tool: String, value: JSON, paranoia?: 1-4}` →
///   `{findings: [{rule_id, category, severity, path, excerpt, transforms}]}`.
/// - `hunter/rules`: params `{}` → `{rules: [{id, title, category, severity, paranoia, scope}]}`.
public enum HunterPlugin {
    /// A request the plugin refuses: bad params. The plugin kit answers it as a JSON-RPC error.
    public struct RequestError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Loads the rules of `rulesDirectory` once and returns the method table.
    /// - Throws: `RuleFileError` when a rule file is invalid (the plugin then refuses to start: fail closed).
    public static func methods(rulesDirectory: String) throws -> [String: @Sendable (JSONValue) throws -> JSONValue] {
        let rules = try RuleLoader.loadDirectory(rulesDirectory)
        let table = try Engines(rules: rules)
        return [
            "hunter/scan": { params in try scan(params, engines: table) },
            "hunter/rules": { _ in listRules(rules) },
        ]
    }

    /// One engine per paranoia level. The kernel asks at the default level, so that one is built at start (a rule
    /// that does not compile stops the plugin there); the others when first asked for — building all four made
    /// the plugin's start, which every `warden serve` waits for, four times longer.
    final class Engines: Sendable {
        let rules: [HunterRule]
        let built: Mutex<[Int: HunterEngine]>

        init(rules: [HunterRule]) throws {
            self.rules = rules
            let level = HunterEngine.defaultParanoiaLevel
            built = Mutex([level: try HunterEngine(rules: rules, paranoiaLevel: level)])
        }

        subscript(level: Int) -> HunterEngine {
            get throws {
                if let engine = built.withLock({ $0[level] }) { return engine }
                let engine = try HunterEngine(rules: rules, paranoiaLevel: level)
                return built.withLock { $0[level, default: engine] }
            }
        }
    }

    static func scan(_ params: JSONValue, engines: Engines) throws -> JSONValue {
        guard case .object(let object) = params else { throw RequestError(message: "params must be an object") }
        let known: Set<String> = ["phase", "tool", "value", "paranoia"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw RequestError(message: "unknown parameter \"\(unknown)\"")
        }
        guard let phaseText = object["phase"]?.stringValue, let phase = ScanPhase(rawValue: phaseText) else {
            throw RequestError(message: "\"phase\" must be \"input\" or \"output\"")
        }
        guard let tool = object["tool"]?.stringValue else { throw RequestError(message: "\"tool\" must be a string") }
        guard let value = object["value"] else { throw RequestError(message: "\"value\" is required") }
        var level = HunterEngine.defaultParanoiaLevel
        if let paranoia = object["paranoia"] {
            guard let number = paranoia.intValue, (1...4).contains(number) else {
                throw RequestError(message: "\"paranoia\" must be an integer from 1 to 4")
            }
            level = Int(number)
        }
        let findings = try engines[level].scan(ScanSubject(phase: phase, tool: tool, value: value))
        return ["findings": .array(findings.map(json))]
    }

    /// A finding as the wire carries it (the kernel fills in `detector` itself).
    public static func json(_ finding: Finding) -> JSONValue {
        [
            "rule_id": .string(finding.ruleID), "category": .string(finding.category),
            "severity": .string(finding.severity.rawValue), "path": .string(finding.path),
            "excerpt": .string(finding.excerpt), "transforms": .array(finding.transforms.map { .string($0) }),
        ]
    }

    static func listRules(_ rules: [HunterRule]) -> JSONValue {
        [
            "rules": .array(
                rules.map { rule in
                    [
                        "id": .string(rule.id), "title": .string(rule.title), "category": .string(rule.category),
                        "severity": .string(rule.severity.rawValue), "paranoia": .int(Int64(rule.paranoia)),
                        "scope": .string(rule.scope.rawValue),
                    ]
                })
        ]
    }
}
