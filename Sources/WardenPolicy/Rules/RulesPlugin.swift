import Foundation
import WardenCore

/// The standard rules as a plugin (kind `rule`): invariants checked before and after every call, whose
/// violation denies the call even over an approval.
///
/// `rule/check` — params `{phase: "pre"|"post", tool, input_schema, arguments, output?, workspace, caller?}`;
/// result `{violations: [{rule, message, path?}]}`. The rules:
/// - `schema` (pre): the arguments are valid against the tool's `inputSchema`;
/// - `workspace` (pre): every path argument resolves (after `..` and symbolic links) inside `workspace`;
/// - `size` (pre and post): the arguments and the output fit their caps;
/// - `rate` (pre): configured rate limits per tool (and caller).
public enum RulesPlugin {
    /// The method table for the plugin server.
    public static func methods(
        configuration: RuleConfiguration = .standard
    ) -> [String: @Sendable (JSONValue) throws -> JSONValue] {
        let rules = StandardRules(configuration: configuration)
        return [
            "rule/check": { params in
                .object(["violations": .array(try rules.check(params).map(\.json))])
            }
        ]
    }
}

/// The checks behind `rule/check`, usable in-process.
public final class StandardRules: Sendable {
    public let configuration: RuleConfiguration
    private let validator = JSONSchemaValidator()
    private let limiter = RateLimiter()
    private let rateGlobs: [[Glob]]

    public init(configuration: RuleConfiguration = .standard) {
        self.configuration = configuration
        rateGlobs = configuration.rateLimits.map { limit in limit.tools.compactMap { try? Glob($0) } }
    }

    static let keys: Set<String> = ["phase", "tool", "input_schema", "arguments", "output", "workspace", "caller"]

    /// Checks one call.
    /// - Throws: ``PolicyPluginError`` when the params are malformed (the kernel then refuses the call).
    public func check(_ params: JSONValue) throws -> [RuleViolation] {
        guard let p = params.objectValue else { throw PolicyPluginError(message: "rule/check takes an object") }
        if let unknown = p.keys.sorted().first(where: { !Self.keys.contains($0) }) {
            throw PolicyPluginError(message: "rule/check: unknown parameter \"\(unknown)\"")
        }
        guard let phase = p["phase"]?.stringValue, phase == "pre" || phase == "post" else {
            throw PolicyPluginError(message: "rule/check: phase must be \"pre\" or \"post\"")
        }
        guard let tool = p["tool"]?.stringValue, !tool.isEmpty else {
            throw PolicyPluginError(message: "rule/check: tool must be a tool name")
        }
        let arguments = p["arguments"] ?? .object([:])
        var out: [RuleViolation] = []
        if phase == "pre" {
            let size = arguments.serializedBytes().count
            if size > configuration.maximumArgumentBytes {
                out.append(
                    RuleViolation(
                        rule: "size",
                        message: "the arguments are \(size) bytes; the limit is \(configuration.maximumArgumentBytes)",
                        path: "$"))
            }
            guard let schema = p["input_schema"], schema.objectValue != nil || schema.boolValue != nil else {
                throw PolicyPluginError(message: "rule/check: the pre phase needs the tool's input_schema (an object)")
            }
            out += validator.violations(of: arguments, against: schema)
            out += workspace(tool: tool, arguments: arguments, workspace: p["workspace"])
            out += rate(tool: tool, caller: p["caller"]?.stringValue)
        } else {
            guard let output = p["output"] else {
                throw PolicyPluginError(message: "rule/check: the post phase needs output")
            }
            let size = output.serializedBytes().count
            if size > configuration.maximumOutputBytes {
                out.append(
                    RuleViolation(
                        rule: "size",
                        message: "the output is \(size) bytes; the limit is \(configuration.maximumOutputBytes)"))
            }
        }
        return out
    }

    private func workspace(tool: String, arguments: JSONValue, workspace: JSONValue?) -> [RuleViolation] {
        let paths = WorkspacePaths.pathArguments(
            in: arguments, names: configuration.pathArgumentNames, paths: configuration.pathArguments[tool])
        guard !paths.isEmpty else { return [] }
        guard let given = workspace?.stringValue, given.hasPrefix("/") else {
            return [
                RuleViolation(
                    rule: "workspace",
                    message: "the call has path arguments but no absolute workspace to check them against")
            ]
        }
        let root: String
        do {
            root = try WorkspacePaths.resolve(given, base: "/")
        } catch {
            return [RuleViolation(rule: "workspace", message: "the workspace \(given) cannot be resolved")]
        }
        var out: [RuleViolation] = []
        for (path, value) in paths {
            do {
                let resolved = try WorkspacePaths.resolve(value, base: root)
                if !WorkspacePaths.isInside(resolved, workspace: root) {
                    out.append(
                        RuleViolation(
                            rule: "workspace",
                            message: "\(path) (\(value)) resolves to \(resolved), outside the workspace",
                            path: path))
                }
            } catch .containsNUL {
                out.append(RuleViolation(rule: "workspace", message: "\(path) contains a NUL character", path: path))
            } catch {
                out.append(
                    RuleViolation(
                        rule: "workspace", message: "\(path) (\(value)) goes through too many symbolic links",
                        path: path))
            }
        }
        return out
    }

    private func rate(tool: String, caller: String?) -> [RuleViolation] {
        var out: [RuleViolation] = []
        let now = configuration.clock.now()
        for (n, limit) in configuration.rateLimits.enumerated() where rateGlobs[n].contains(where: { $0.matches(tool) })
        {
            let exceeded = limiter.record(
                rule: "rate-\(n)", caller: limit.perCaller ? caller ?? "" : "", tool: tool, limit: limit.count,
                windowSeconds: limit.windowSeconds, now: now)
            if exceeded {
                out.append(
                    RuleViolation(
                        rule: "rate",
                        message: "more than \(limit.count) calls to \(tool) within \(limit.windowSeconds) seconds"
                            + (limit.perCaller && caller != nil ? " by \(caller!)" : "")))
            }
        }
        return out
    }
}
