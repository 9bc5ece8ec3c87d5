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
                let run = ProgramRun(
                    executable: executable, arguments: argv, directory: cwd,
                    environment: ProcessInfo.processInfo.environment.filter { $0.key != "WARDEN_WORKSPACE" },
                    stdin: Array((args["stdin"]?.stringValue ?? "").utf8), timeout: timeout, outputCap: outputCap)
                let outcome: ProgramRun.Outcome
                do {
                    outcome = try await run.run()
                } catch {
                    return .text("\(error)", isError: true)
                }
                let stdout = String(decoding: outcome.stdout, as: UTF8.self)
                let stderr = String(decoding: outcome.stderr, as: UTF8.self)
                var text = stdout
                if !stderr.isEmpty { text += (text.isEmpty ? "" : "\n") + "[stderr]\n" + stderr }
                if outcome.timedOut { text += "\n[timed out after \(Int(timeout * 1000)) ms]" }
                let structured: JSONValue = [
                    "exit_code": outcome.exitCode.map { .int(Int64($0)) } ?? .null,
                    "signal": outcome.signal.map { .int(Int64($0)) } ?? .null,
                    "stdout": .string(stdout), "stderr": .string(stderr), "timed_out": .bool(outcome.timedOut),
                    "truncated": .bool(outcome.truncated),
                ]
                let failed = outcome.timedOut || outcome.signal != nil || outcome.exitCode != 0
                return .text(text, structured: structured, isError: failed)
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
}
