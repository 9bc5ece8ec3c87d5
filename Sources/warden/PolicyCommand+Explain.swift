import ArgumentParser
import Foundation
import WardenCore
import WardenPolicy

extension PolicyCommand {
    /// `warden policy explain`: how the set decides one request, rule by rule.
    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show each rule that applies to a call, each of its conditions with the value it saw, and the "
                + "final decision.")

        @OptionGroup var home: HomeOptions

        @Option(name: .long, help: "The namespaced tool name, for example files.read.")
        var tool: String

        @Option(name: .long, help: "The arguments as JSON, or @FILE.")
        var args: String = "{}"

        @Option(name: .long, help: "The caller.")
        var caller: String = "cli"

        @Option(name: .long, help: "The plugin (default: the tool's prefix).")
        var plugin: String?

        @Option(name: .long, parsing: .singleValue, help: "A hunter finding CATEGORY:SEVERITY[:RULE] (repeatable).")
        var finding: [String] = []

        @Option(
            name: .long, parsing: .singleValue,
            help: "A granted capability NAME=VALUE, VALUE as JSON or text (repeatable).")
        var capability: [String] = []

        @Option(name: .long, help: "The time of the call, RFC 3339 (default: now).")
        var time: String?

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func request() throws -> PolicyRequest {
            var text = args
            if text.hasPrefix("@") {
                guard let data = FileManager.default.contents(atPath: String(text.dropFirst())) else {
                    throw ValidationError("cannot read \(text.dropFirst())")
                }
                text = String(decoding: data, as: UTF8.self)
            }
            let arguments: JSONValue
            do { arguments = try JSONValue.parse(text) } catch {
                throw ValidationError("--args is not JSON: \(error)")
            }
            var findings: [Finding] = []
            for f in finding {
                let parts = f.split(separator: ":", maxSplits: 2).map(String.init)
                guard parts.count >= 2, let severity = Severity(rawValue: parts[1]) else {
                    throw ValidationError(
                        "--finding \(f): expected CATEGORY:SEVERITY[:RULE] with SEVERITY one of info, low, medium, "
                            + "high, critical"
                    )
                }
                findings.append(
                    Finding(
                        ruleID: parts.count > 2 ? parts[2] : "cli", category: parts[0], severity: severity, path: "$",
                        excerpt: ""))
            }
            var capabilities: [String: JSONValue] = [:]
            for c in capability {
                guard let eq = c.firstIndex(of: "="), eq != c.startIndex else {
                    throw ValidationError("--capability \(c): expected NAME=VALUE")
                }
                let value = String(c[c.index(after: eq)...])
                capabilities[String(c[..<eq])] = (try? JSONValue.parse(value)) ?? .string(value)
            }
            var date: Date?
            if let time {
                guard let parsed = PolicyRequest.time(rfc3339: time) else {
                    throw ValidationError("--time \(time): expected RFC 3339, for example 2026-01-05T09:30:00Z")
                }
                date = parsed
            }
            return PolicyRequest(
                tool: tool, plugin: plugin, caller: caller, arguments: arguments, capabilities: capabilities,
                findings: findings, time: date)
        }

        func run() throws {
            let request = try request()
            let set: PolicySet
            do {
                set = try PolicySet.parse(directory: home.policies)
            } catch {
                try PolicyOutput.fail(error, json: json)
            }
            let explanation = set.explain(request)
            if json {
                PolicyOutput.json(explanation.json)
                return
            }
            PolicyOutput.print("call: \(request.tool) (plugin \(request.plugin), caller \(request.caller))")
            if explanation.rules.isEmpty { PolicyOutput.print("no rule applies to \(request.tool)") }
            for rule in explanation.rules {
                PolicyOutput.print("")
                PolicyOutput.print("rule \(rule.id) [\(rule.effect.rawValue)] \(rule.location)")
                PolicyOutput.print("  \(rule.description)")
                switch rule.outcome {
                case .matched: PolicyOutput.print("  → matched: \(rule.effect.rawValue)")
                case .notMatched: PolicyOutput.print("  → not matched")
                case .outOfScope: PolicyOutput.print("  → not matched: the plugin or caller is not the rule's")
                case .error: PolicyOutput.print("  → could not be evaluated, which denies: \(rule.error ?? "")")
                }
                for c in rule.conditions {
                    let mark = c.holds.map { $0 ? "✓" : "✗" } ?? "!"
                    var line = "    \(mark) \(c.summary)"
                    if let observed = c.observed { line += "  (saw \(observed))" }
                    if let error = c.error { line += "  — \(error)" }
                    PolicyOutput.print(line)
                }
            }
            let d = explanation.decision
            PolicyOutput.print("")
            PolicyOutput.print("decision: \(d.effect.rawValue)")
            if !d.matchedRules.isEmpty { PolicyOutput.print("  matched: \(d.matchedRules.joined(separator: ", "))") }
            for reason in d.reasons { PolicyOutput.print("  reason: \(reason)") }
            if let a = d.approval {
                PolicyOutput.print(
                    "  approval: group \(a.group), expires after \(a.expiresInSeconds)s (rule \(a.rule))")
            }
            PolicyOutput.print("  policy set: \(d.policySetDigest ?? "none")")
        }
    }
}
