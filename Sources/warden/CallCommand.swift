import ArgumentParser
import Foundation
import WardenCore
import WardenHost

/// `warden call TOOL --args JSON|@file`: one tool call through the kernel's pipeline.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call a tool (PLUGIN.TOOL) through the running kernel, or an in-process one when none runs.",
        discussion: "Exit status: 0 ok, 1 the tool reported an error, 2 bad input, 3 refused, 4 unavailable or failed.")

    @OptionGroup var home: HomeOptions

    @Argument(help: "The tool, as PLUGIN.TOOL (see `warden plugins list`).")
    var tool: String

    @Option(name: .customLong("args"), help: "The arguments: a JSON object, or @FILE to read it from a file.")
    var arguments: String = "{}"

    @Option(help: "The workspace folder, for an in-process kernel.")
    var workspace: String = "workspace"

    @Flag(help: "Print the whole outcome as JSON.")
    var json = false

    func run() async throws {
        let args = try parseArguments()
        let paths = home.resolved
        let outcome: JSONValue
        if let connection = KernelConnection.open(home: paths.home) {
            outcome = try connection.request("call", ["tool": .string(tool), "arguments": args])
        } else {
            let setup = try KernelSetup(home: home, workspace: workspace, logToStderr: false)
            await setup.kernel.reload()
            outcome = await setup.kernel.call(tool: tool, arguments: args, caller: "cli:uid=\(getuid())").json
            await setup.kernel.shutdown()
            try await setup.close()
        }
        let status = outcome["status"]?.stringValue ?? "failed"
        if json {
            print(outcome.prettyPrinted())
        } else {
            render(outcome, status: status)
        }
        switch status {
        case "ok": return
        case "tool_error": throw ExitCode.toolError
        case "refused": throw ExitCode.refused
        default: throw ExitCode.unavailable
        }
    }

    /// The arguments as a JSON object; anything else is bad input (exit status 2), said on stderr.
    func parseArguments() throws -> JSONValue {
        do {
            return try readArguments()
        } catch let error as ValidationError {
            var stderr = StandardError()
            print("warden: \(error.message)", to: &stderr)
            throw ExitCode.badInput
        }
    }

    func readArguments() throws -> JSONValue {
        var text = arguments
        if text.hasPrefix("@") {
            let path = String(text.dropFirst())
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read the arguments file \(path)")
            }
            text = String(decoding: data, as: UTF8.self)
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw ValidationError("--args is not JSON: \(error)")
        }
        guard case .object = value else { throw ValidationError("--args must be a JSON object, not \(value.typeName)") }
        return value
    }

    func render(_ outcome: JSONValue, status: String) {
        var stderr = StandardError()
        if let content = outcome["result"]?["content"]?.arrayValue {
            for block in content {
                if let text = block["text"]?.stringValue { print(text) } else { print(block.serialized()) }
            }
        }
        if status != "ok", let reason = outcome["reason"]?.stringValue {
            print("warden: \(status): \(reason)", to: &stderr)
        }
        if let seq = outcome["envelope"]?["seq"]?.intValue, let hash = outcome["envelope"]?["hash"]?.stringValue {
            print("envelope #\(seq) \(hash)", to: &stderr)
        }
    }
}

/// Standard error as a `TextOutputStream`.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
}
