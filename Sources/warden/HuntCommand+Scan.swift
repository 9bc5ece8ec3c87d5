import ArgumentParser
import Foundation
import WardenCore
import WardenHunter

extension HuntCommand {
    /// `warden hunt scan [FILE|-]`: what the rules find in a text or a JSON tool call.
    struct Scan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Scan a text or a JSON tool call with the hunter rules and list the findings.",
            discussion: """
                The input is JSON when it parses as JSON: an MCP "tools/call" request, or {"name", "arguments"}, \
                scans the arguments as that tool's input; any other JSON value is scanned as it is. Otherwise the \
                input is one text. Exit status: 0 nothing found, 1 findings, 2 bad input or invalid rules.
                """)

        @OptionGroup var options: HuntRuleOptions

        @Argument(help: "The file to scan; \"-\" or nothing for standard input.")
        var file: String = "-"

        @Option(name: .long, help: "The tool name to scan as (overrides the one in a tool call).")
        var tool: String?

        @Option(name: .long, help: "input (arguments) or output (what a tool returned).")
        var phase: String = "input"

        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let scanPhase = ScanPhase(rawValue: phase) else {
                HuntOutput.error("--phase must be input or output, not \"\(phase)\"")
                throw ExitCode.badInput
            }
            let data: Data
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let contents = FileManager.default.contents(atPath: HomeOptions.absolute(file)) else {
                    HuntOutput.error("\(file): cannot read the file")
                    throw ExitCode.badInput
                }
                data = contents
            }
            let subject = Self.subject(from: data, phase: scanPhase, tool: tool)
            let engine: HunterEngine
            do {
                engine = try HunterEngine(rules: try options.loadRules(), paranoiaLevel: options.paranoia)
            } catch let error as RuleFileError {
                HuntOutput.error(error.description)
                throw ExitCode.badInput
            }
            let findings = engine.scan(subject)
            if json {
                let result: JSONValue = [
                    "tool": .string(subject.tool), "phase": .string(subject.phase.rawValue),
                    "findings": .array(findings.map(HunterPlugin.json)),
                ]
                print(result.prettyPrinted())
            } else if findings.isEmpty {
                print("no findings (\(engine.rules.count) rules at paranoia \(engine.paranoiaLevel), \(subject.phase.rawValue) of \(subject.tool))")
            } else {
                for finding in findings {
                    let transforms = finding.transforms.isEmpty ? "" : "  after \(finding.transforms.joined(separator: ", "))"
                    print("\(HuntOutput.cell(finding.severity.rawValue, 9))\(finding.ruleID)  [\(finding.category)]  \(finding.path)\(transforms)")
                    print("         \(finding.excerpt)")
                }
            }
            if !findings.isEmpty { throw ExitCode.toolError }
        }

        /// The subject a file's bytes describe: a tool call, a JSON value, or text.
        static func subject(from data: Data, phase: ScanPhase, tool: String?) -> ScanSubject {
            guard let value = try? JSONValue.parse(data) else {
                return ScanSubject(phase: phase, tool: tool ?? "text", value: .string(String(decoding: data, as: UTF8.self)))
            }
            var call = value
            if value["method"]?.stringValue == "tools/call", let params = value["params"] { call = params }
            if let name = call["name"]?.stringValue, let arguments = call["arguments"] {
                return ScanSubject(phase: phase, tool: tool ?? name, value: arguments)
            }
            return ScanSubject(phase: phase, tool: tool ?? "json", value: value)
        }
    }
}
