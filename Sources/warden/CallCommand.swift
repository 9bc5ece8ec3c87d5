import ArgumentParser
import Foundation
import WardenCore
import WardenHost

/// `warden call TOOL --args JSON|@file`: one tool call through the kernel's pipeline.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call a tool (PLUGIN.TOOL) through the running kernel, or an in-process one when none runs.",
        discussion: """
            Exit status: 0 ok, 1 the tool reported an error, 2 bad input, 3 refused, 4 unavailable or failed, \
            5 pending approval (call again with the same arguments once approved, or use --wait).
            """)

    @OptionGroup var home: HomeOptions

    @Argument(help: "The tool, as PLUGIN.TOOL (see `warden plugins list`).")
    var tool: String

    @Option(name: .customLong("args"), help: "The arguments: a JSON object, or @FILE to read it from a file.")
    var arguments: String = "{}"

    @Option(help: "The workspace folder, for an in-process kernel.")
    var workspace: String = "workspace"

    @Flag(help: "Print the whole outcome as JSON.")
    var json = false

    @Flag(help: "If the call is held for approval, wait for the decision (up to --wait-timeout) and then run it.")
    var wait = false

    @Option(help: ArgumentHelp("How long --wait waits, in seconds.", valueName: "seconds"))
    var waitTimeout: Int = 600

    @Option(help: ArgumentHelp(
        "An idempotency key: a held call made again with it finds the same request; once it ran, its recorded result comes back.",
        valueName: "key"))
    var idempotencyKey: String?

    func validate() throws {
        guard (1...ControlServer.maximumApprovalWait).contains(waitTimeout) else {
            throw ValidationError("--wait-timeout must be between 1 and \(ControlServer.maximumApprovalWait) seconds")
        }
        if let idempotencyKey, idempotencyKey.isEmpty || idempotencyKey.count > CallOptions.maximumKeyLength {
            throw ValidationError("--idempotency-key must have 1 to \(CallOptions.maximumKeyLength) characters")
        }
    }

    func run() async throws {
        let args = try parseArguments()
        let paths = home.resolved
        let outcome: JSONValue
        let waitSeconds = wait ? waitTimeout : 0
        let told: @Sendable (String) -> Void = { message in
            var stderr = StandardError()
            print("warden: \(message)", to: &stderr)
        }
        if let connection = KernelConnection.open(home: paths.home) {
            var params: [String: JSONValue] = [
                "tool": .string(tool), "arguments": args, "wait_seconds": .int(Int64(waitSeconds)),
            ]
            if let idempotencyKey { params["idempotency_key"] = .string(idempotencyKey) }
            switch try connection.exchange("call", .object(params), notified: told) {
            case .success(let value): outcome = value
            case .failure(let error): throw CLIError("the kernel answered: \(error.message)")
            }
        } else {
            let setup = try KernelSetup(home: home, workspace: workspace, logToStderr: false)
            await setup.recover()
            await setup.kernel.reload()
            // While it waits, this process is the kernel: serve the control socket so that `warden approve` (in
            // another terminal) reaches the queue this process holds.
            var control: ControlServer?
            if wait {
                do {
                    control = try ControlServer(kernel: setup.kernel, path: paths.home + "/control.sock", logger: setup.logger)
                } catch {
                    told("cannot serve the control socket while waiting (\(error)); `warden approve` will not reach this call")
                }
            }
            control?.start()
            defer { control?.close() }
            let options = CallOptions(
                idempotencyKey: idempotencyKey, approvalWait: .seconds(waitSeconds),
                progress: { _, message in told(message) })
            outcome = await setup.kernel.call(tool: tool, arguments: args, caller: "cli:uid=\(getuid())", options: options).json
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
        case "pending": throw ExitCode.pending
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
    mutating func write(_ string: String) { StandardStreams.err(string) }
}
