import Foundation
import WardenCore

/// What a policy decides about: one tool call as the kernel sees it after the capability check, the
/// rules and the hunter.
public struct PolicyRequest: Sendable, Hashable {
    /// The namespaced tool name, `PLUGIN.TOOL` (for example `files.read`).
    public var tool: String
    /// The plugin that serves the tool.
    public var plugin: String
    /// Who asks: the MCP client, the CLI user or another program, as the kernel names it.
    public var caller: String
    /// The call's arguments (usually an object).
    public var arguments: JSONValue
    /// The capabilities granted to the plugin, by name (for example `network: "outbound"`).
    public var capabilities: [String: JSONValue]
    /// What the hunter found in the arguments.
    public var findings: [Finding]
    /// When the call was made; `nil` means "now" by the engine's clock.
    public var time: Date?

    public init(
        tool: String, plugin: String? = nil, caller: String = "unknown", arguments: JSONValue = .object([:]),
        capabilities: [String: JSONValue] = [:], findings: [Finding] = [], time: Date? = nil
    ) {
        self.tool = tool
        self.plugin = plugin ?? Self.plugin(of: tool)
        self.caller = caller
        self.arguments = arguments
        self.capabilities = capabilities
        self.findings = findings
        self.time = time
    }

    /// Reads an RFC 3339 time (`2026-01-05T09:30:00Z`, `…+02:00`, optional fraction), as `time` is sent.
    public static func time(rfc3339 text: String) -> Date? { RFC3339.parse(text) }

    /// The plugin part of a namespaced tool name (before the first `.`).
    public static func plugin(of tool: String) -> String {
        tool.firstIndex(of: ".").map { String(tool[..<$0]) } ?? tool
    }
}

/// Why a JSON value is not a well-formed ``PolicyRequest``.
public struct PolicyRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where, as a JSON path such as `$.findings[0].severity`.
    public var path: String
    public var reason: String

    public var description: String { "malformed policy request at \(path): \(reason)" }
}

extension PolicyRequest {
    static let keys: Set<String> = ["tool", "plugin", "caller", "arguments", "capabilities", "findings", "time"]
    static let findingKeys: Set<String> = [
        "rule_id", "category", "severity", "path", "excerpt", "transforms", "detector",
    ]

    /// Reads a request strictly (unknown keys and wrong types are errors). `tool` is required; `plugin`
    /// defaults to the tool's prefix, `caller` to `unknown`, the rest to empty; `time` is RFC 3339.
    /// - Throws: ``PolicyRequestError`` naming the first offending member.
    public init(json: JSONValue) throws(PolicyRequestError) {
        func fail(_ path: String, _ reason: String) -> PolicyRequestError {
            PolicyRequestError(path: path, reason: reason)
        }
        guard let o = json.objectValue else { throw fail("$", "expected an object") }
        if let unknown = o.keys.sorted().first(where: { !Self.keys.contains($0) }) {
            throw fail("$.\(unknown)", "unknown key; expected \(Self.keys.sorted().joined(separator: ", "))")
        }
        guard let tool = o["tool"]?.stringValue, !tool.isEmpty else { throw fail("$.tool", "expected a tool name") }
        func optionalString(_ key: String) throws(PolicyRequestError) -> String? {
            guard let v = o[key], v != .null else { return nil }
            guard let s = v.stringValue else { throw fail("$.\(key)", "expected a string") }
            return s
        }
        let plugin = try optionalString("plugin")
        let caller = try optionalString("caller") ?? "unknown"
        var capabilities: [String: JSONValue] = [:]
        if let c = o["capabilities"], c != .null {
            guard let object = c.objectValue else { throw fail("$.capabilities", "expected an object") }
            capabilities = object
        }
        var findings: [Finding] = []
        if let f = o["findings"], f != .null {
            guard let list = f.arrayValue else { throw fail("$.findings", "expected an array") }
            for (i, element) in list.enumerated() {
                findings.append(try Self.finding(element, path: "$.findings[\(i)]"))
            }
        }
        var time: Date?
        if let t = try optionalString("time") {
            guard let date = RFC3339.parse(t) else {
                throw fail("$.time", "expected an RFC 3339 time such as 2026-01-05T09:30:00Z")
            }
            time = date
        }
        self.init(
            tool: tool, plugin: plugin, caller: caller, arguments: o["arguments"] ?? .object([:]),
            capabilities: capabilities, findings: findings, time: time)
    }

    static func finding(_ value: JSONValue, path: String) throws(PolicyRequestError) -> Finding {
        func fail(_ p: String, _ reason: String) -> PolicyRequestError {
            PolicyRequestError(path: path + p, reason: reason)
        }
        guard let o = value.objectValue else { throw fail("", "expected a finding object") }
        if let unknown = o.keys.sorted().first(where: { !findingKeys.contains($0) }) {
            throw fail(".\(unknown)", "unknown key in a finding")
        }
        guard let category = o["category"]?.stringValue else { throw fail(".category", "expected a string") }
        guard let s = o["severity"]?.stringValue, let severity = Severity(rawValue: s) else {
            throw fail(".severity", "expected one of info, low, medium, high, critical")
        }
        func text(_ key: String, _ fallback: String) throws(PolicyRequestError) -> String {
            guard let v = o[key], v != .null else { return fallback }
            guard let s = v.stringValue else { throw fail(".\(key)", "expected a string") }
            return s
        }
        var transforms: [String] = []
        if let t = o["transforms"], t != .null {
            guard let list = t.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw fail(".transforms", "expected an array of strings")
            }
            transforms = list.compactMap(\.stringValue)
        }
        let detector = try text("detector", "")
        return Finding(
            ruleID: try text("rule_id", ""), category: category, severity: severity, path: try text("path", "$"),
            excerpt: try text("excerpt", ""), transforms: transforms, detector: detector.isEmpty ? nil : detector)
    }

    /// The request as JSON (the form `policy/evaluate` takes under `request`).
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "tool": .string(tool), "plugin": .string(plugin), "caller": .string(caller), "arguments": arguments,
            "capabilities": .object(capabilities),
            "findings": .array(
                findings.map { f in
                    var m: [String: JSONValue] = [
                        "rule_id": .string(f.ruleID), "category": .string(f.category),
                        "severity": .string(f.severity.rawValue), "path": .string(f.path),
                        "excerpt": .string(f.excerpt),
                        "transforms": .array(f.transforms.map(JSONValue.string)),
                    ]
                    if let d = f.detector { m["detector"] = .string(d) }
                    return .object(m)
                }),
        ]
        if let time { o["time"] = .string(RFC3339.format(time)) }
        return .object(o)
    }
}
