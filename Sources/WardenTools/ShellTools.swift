import Foundation
import WardenCore
import WardenPluginKit

/// The `shell` plugin: run one program with arguments in the workspace. No shell parses the command line:
/// what runs is exactly `program` with `args`. It exists to be governed (its calls need approval by default).
public enum ShellTools {
    static let outputCap = 1 << 20

    public static func tools(workspace: @escaping @Sendable () throws -> Workspace) -> [Tool] {
        [
            Tool(
                name: "run", description: "Run a program with arguments in the workspace and return its output.",
                inputSchema: [
                    "type": "object",
                    "properties": [
                        "program": ["type": "string", "minLength": 1, "description": "A program on PATH, or a path."],
                        "args": ["type": "array", "items": ["type": "string"]],
                        "cwd": ["type": "string", "description": "Folder, relative to the workspace."],
                        "stdin": ["type": "string"],
                        "timeout_ms": ["type": "integer", "minimum": 1, "maximum": 600_000],
                    ],
                    "required": ["program"], "additionalProperties": false,
                ]
            ) { args, context in
                let ws = try workspace()
                guard let program = args["program"]?.stringValue, !program.isEmpty else {
                    throw PluginMethodError(message: "program is required")
                }
                let argv = try (args["args"]?.arrayValue ?? []).map { value -> String in
                    guard let s = value.stringValue else { throw PluginMethodError(message: "args must be strings") }
                    return s
                }
                let cwd = try ws.resolve(args["cwd"]?.stringValue ?? ".", mustExist: true)
                let timeout = Double(args["timeout_ms"]?.intValue ?? 30_000) / 1000
                guard let executable = locate(program) else {
                    return .text("program not found: \(program)", isError: true)
                }
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = argv
                process.currentDirectoryURL = URL(fileURLWithPath: cwd)
                process.environment = ProcessInfo.processInfo.environment.filter { $0.key != "WARDEN_WORKSPACE" }
                let out = Pipe()
                let err = Pipe()
                let input = Pipe()
                process.standardOutput = out
                process.standardError = err
                process.standardInput = input
                let started = Date()
                try process.run()
                if let stdin = args["stdin"]?.stringValue { try? input.fileHandleForWriting.write(contentsOf: Data(stdin.utf8)) }
                try? input.fileHandleForWriting.close()
                async let stdout = collect(out.fileHandleForReading)
                async let stderr = collect(err.fileHandleForReading)
                var timedOut = false
                while process.isRunning {
                    if context.isCancelled || Date().timeIntervalSince(started) > timeout {
                        timedOut = !context.isCancelled
                        process.terminate()
                        try? await Task.sleep(for: .milliseconds(200))
                        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                        break
                    }
                    try? await Task.sleep(for: .milliseconds(2))
                }
                process.waitUntilExit()
                let (o, e) = await (stdout, stderr)
                let code = Int64(process.terminationStatus)
                let signaled = process.terminationReason == .uncaughtSignal
                var text = o.text
                if !e.text.isEmpty { text += (text.isEmpty ? "" : "\n") + "[stderr]\n" + e.text }
                if timedOut { text += "\n[timed out after \(Int(timeout * 1000)) ms]" }
                let structured: JSONValue = [
                    "exit_code": signaled ? .null : .int(code), "signal": signaled ? .int(code) : .null,
                    "stdout": .string(o.text), "stderr": .string(e.text), "timed_out": .bool(timedOut),
                    "truncated": .bool(o.truncated || e.truncated),
                ]
                return .text(text, structured: structured, isError: timedOut || signaled || code != 0)
            }
        ]
    }

    static func locate(_ program: String) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func collect(_ handle: FileHandle) async -> (text: String, truncated: Bool) {
        var data = Data()
        var truncated = false
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            if data.count < outputCap { data.append(chunk.prefix(outputCap - data.count)) }
            if data.count >= outputCap && !chunk.isEmpty { truncated = truncated || data.count + chunk.count > outputCap }
        }
        return (String(decoding: data, as: UTF8.self), truncated)
    }
}
