import ArgumentParser
import Foundation
import WardenCore
import WardenPolicy

/// `warden policy lint | test | explain | status`: the governance files in `Policies/`, checked and
/// explained in-process (no kernel needed).
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Lint, test and explain the policy files, and show the policy set in force.",
        discussion: """
            Exit status: 0 ok; 1 errors in the policy files or failing tests; 2 bad command-line input.
            """,
        subcommands: [Lint.self, Test.self, Explain.self, Status.self, Reload.self, Bench.self])
}

/// Output helpers shared by the `policy` subcommands.
enum PolicyOutput {
    static func print(_ text: String) {
        StandardStreams.out(text + "\n")
    }

    static func error(_ text: String) {
        StandardStreams.err(text + "\n")
    }

    static func json(_ value: JSONValue) {
        print(value.prettyPrinted())
    }

    /// Prints the diagnostics of a set that did not load (stderr, or stdout as JSON) and exits 1.
    static func fail(_ error: PolicyLoadError, json: Bool) throws -> Never {
        if json {
            PolicyOutput.json(
                .object([
                    "errors": .int(Int64(error.diagnostics.count)),
                    "diagnostics": .array(error.diagnostics.map(\.json)),
                ]))
        } else {
            for d in error.diagnostics { PolicyOutput.error(d.description + " [\(d.code.rawValue)]") }
        }
        throw ExitCode.toolError
    }

    /// Pads or cuts `text` to `width` characters.
    static func cell(_ text: String, _ width: Int) -> String {
        let cut = text.count > width ? String(text.prefix(max(1, width - 1))) + "…" : text
        return cut + String(repeating: " ", count: max(0, width - cut.count))
    }
}

extension PolicyCommand {
    /// `warden policy lint`: schema errors and meaning warnings.
    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the policy files: schema errors, and rules that never match, are shadowed, or test "
                + "arguments the tools do not have.")

        @OptionGroup var home: HomeOptions

        @Option(name: .long, help: "A JSON file mapping tool names to their inputSchema (or a tools/list answer).")
        var schemas: String?

        @Flag(name: .long, help: "Exit 1 on warnings too.")
        var strict = false

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() throws {
            var toolSchemas: [String: JSONValue]?
            if let schemas {
                do {
                    let data = try Data(contentsOf: URL(fileURLWithPath: schemas))
                    toolSchemas = try PolicyLinter.toolSchemas(from: try JSONValue.parse(data))
                } catch {
                    PolicyOutput.error("warden: \(schemas): \(error)")
                    throw ExitCode.badInput
                }
            }
            let report = PolicyLinter.lint(directory: home.policies, toolSchemas: toolSchemas)
            if json {
                PolicyOutput.json(report.json)
            } else {
                for d in report.diagnostics { PolicyOutput.print(d.description + " [\(d.code.rawValue)]") }
                PolicyOutput.print("\(report.errorCount) error(s), \(report.warningCount) warning(s)")
            }
            if report.errorCount > 0 || (strict && report.warningCount > 0) { throw ExitCode.toolError }
        }
    }

    /// `warden policy status`: load the set (with its tests) and report it, or why it does not load.
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load the policy set as the engine would (tests included) and show its digest and size, "
                + "or the error with file:line.")

        @OptionGroup var home: HomeOptions

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        @Flag(name: .long, help: "Load the files here instead of asking the running kernel's policy plugins.")
        var local = false

        func run() throws {
            if !local, let connection = KernelConnection.open(home: home.resolved.home) {
                // The set the running kernel has in force, which may differ from the files (last good set).
                let answer = try connection.request("policy/status", [:])
                try Reload.report(answer, json: json)
                return
            }
            let status = PolicySetHolder(directory: home.policies, checkInterval: .infinity).status
            if json {
                PolicyOutput.json(status.json)
            } else if let set = status.current {
                PolicyOutput.print("in force: \(set.digest)")
                PolicyOutput.print(
                    "\(set.rules.count) rules in \(set.policyFiles.count) files, \(set.tests.count) tests passing")
            } else {
                PolicyOutput.print("in force: nothing (every call is denied)")
                for d in status.lastError?.diagnostics ?? [] {
                    PolicyOutput.print(d.description + " [\(d.code.rawValue)]")
                }
            }
            if status.current == nil { throw ExitCode.toolError }
        }
    }

    struct Reload: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask the running kernel's policy plugins to load Policies/ now (the last good set stays on error).")

        @OptionGroup var home: HomeOptions

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() throws {
            guard let connection = KernelConnection.open(home: home.resolved.home) else {
                throw CLIError("no kernel is running on \(home.resolved.home) (start one with `warden serve`)")
            }
            try Self.report(try connection.request("policy/reload", [:]), json: json)
        }

        /// Prints each policy plugin's status; exits 1 when one has no set in force or could not answer.
        static func report(_ answer: JSONValue, json: Bool) throws {
            let plugins = answer["plugins"]?.arrayValue ?? []
            if json { PolicyOutput.json(answer) }
            var failed = plugins.isEmpty
            for plugin in plugins {
                let name = plugin["plugin"]?.stringValue ?? "?"
                if let error = plugin["error"]?.stringValue {
                    failed = true
                    if !json { PolicyOutput.print("\(name): \(error)") }
                    continue
                }
                let status = plugin["status"] ?? .null
                let inForce = status["in_force"]?.boolValue == true
                failed = failed || !inForce
                if json { continue }
                if inForce {
                    PolicyOutput.print("\(name): in force \(status["digest"]?.stringValue ?? "?"), \(status["rule_count"]?.intValue ?? 0) rules")
                } else {
                    PolicyOutput.print("\(name): nothing in force (every call is denied)")
                }
                if let error = status["error"]?.stringValue { PolicyOutput.print("  last error: \(error)") }
            }
            if plugins.isEmpty && !json { PolicyOutput.print("no policy plugin is installed: every call is denied") }
            if failed { throw ExitCode.toolError }
        }
    }
}
