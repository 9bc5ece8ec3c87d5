import Crypto
import Foundation

/// The four kinds of plugin.
public enum PluginKind: String, Sendable, Codable, CaseIterable {
    case tool, rule, detector, policy
}

/// Resource limits a manifest may set; the kernel applies them through the launcher.
public struct PluginLimits: Sendable, Codable, Hashable {
    public var memoryMB: Int64 = 1024
    public var cpuSeconds: Int64 = 300
    public var processes: Int64 = 64
    public var openFiles: Int64 = 256
    public var fileSizeMB: Int64 = 64
    /// How long one request may take before it is cancelled.
    public var timeoutMS: Int64 = 30_000
    /// The longest frame (line) accepted from the plugin.
    public var frameKB: Int64 = 4096
    public init() {}

    static let keys = ["memory_mb", "cpu_seconds", "processes", "open_files", "file_size_mb", "timeout_ms", "frame_kb"]
}

/// A tool's risk note in a manifest: what a reviewer should know before granting it.
public struct ToolNote: Sendable, Codable, Hashable {
    public var risk: String
    public var notes: String?
}

/// `Plugins/NAME/plugin.json`: what a plugin is, how to run it, and what it needs.
public struct PluginManifest: Sendable, Hashable {
    public var name: String
    public var version: String
    public var kind: PluginKind
    public var description: String?
    /// The argv to run, after ``interpreter`` when there is one. Relative paths are inside the plugin folder.
    public var command: [String]
    /// The program that runs ``command`` when it is not an executable inside the folder (for example a
    /// Python in the plugin's own virtual environment, or `/usr/bin/python3`).
    public var interpreter: String?
    public var capabilities: Capabilities
    public var limits: PluginLimits
    public var tools: [String: ToolNote]
    /// The absolute plugin folder.
    public var folder: String
    /// SHA-256 of the manifest file's bytes, hex.
    public var digest: String

    static let keys = ["name", "version", "kind", "description", "command", "interpreter", "capabilities", "limits", "tools"]
    static let riskLevels = ["low", "medium", "high", "critical"]

    /// The argv the launcher executes: interpreter and command, with relative paths made absolute in the folder and
    /// ``workspacePlaceholder`` replaced by the workspace folder.
    public func argv(workspace: String) -> [String] {
        let arguments = command.map { $0.replacingOccurrences(of: Self.workspacePlaceholder, with: workspace) }
        if let interpreter {
            return [absolute(interpreter)] + arguments
        }
        return [absolute(command[0])] + arguments.dropFirst()
    }

    /// Written in `command`, stands for the workspace folder (many MCP servers take the folder they serve as an
    /// argument). Only a plugin that asks for the workspace may use it.
    public static let workspacePlaceholder = "${workspace}"

    /// The `${name}` placeholders in `argument`.
    static func placeholders(in argument: String) -> [String] {
        var found: [String] = []
        var rest = argument[...]
        while let open = rest.range(of: "${") {
            rest = rest[open.upperBound...]
            guard let close = rest.firstIndex(of: "}") else { break }
            let name = rest[..<close].unicodeScalars
            func word(_ c: Unicode.Scalar) -> Bool { c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
            if let first = name.first, word(first), name.allSatisfy({ word($0) || ("0"..."9").contains($0) }) {
                found.append("${\(String(name))}")
            }
            rest = rest[rest.index(after: close)...]
        }
        return found
    }

    /// The file whose digest is recorded as the plugin's binary: the interpreter or the command's executable.
    public var executable: String { interpreter.map(absolute) ?? absolute(command[0]) }

    /// A path of the manifest made absolute: relative paths are inside the plugin folder.
    public func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : folder + "/" + p }

    /// Reads and checks a manifest strictly, reporting every problem with its line.
    ///
    /// Checks the schema (unknown keys, types, required keys, values), that the name matches the folder, and
    /// that the command is inside the folder unless an interpreter is named explicitly. It does not touch
    /// the executable: ``checkFiles()`` does.
    /// - Throws: ``ConfigIssues`` with every problem found.
    public static func parse(bytes: [UInt8], file: String, folder: String) throws(ConfigIssues) -> PluginManifest {
        let value: JSONValue
        let locations: SourceLocations
        do {
            (value, locations) = try JSONValue.parseWithLocations(bytes)
        } catch {
            let line = SourceLocations(bytes: bytes, offsets: [:]).position(ofOffset: error.offset).line
            throw ConfigIssues([ConfigIssue(file: file, line: line, message: "not valid JSON: \(error.reason)")])
        }
        var r = StrictReader(file: file, locations: locations)
        guard case .object(let o) = value else {
            throw ConfigIssues([ConfigIssue(file: file, line: 1, message: "a manifest must be a JSON object")])
        }
        r.checkKeys(o, at: "$", allowed: keys)
        let folderName = URL(fileURLWithPath: folder).lastPathComponent
        let name = r.string(o, "name", at: "$", required: true) ?? ""
        if !name.isEmpty {
            if !isValidName(name) {
                r.fail("$.name", "\"name\" must be 1-32 lowercase letters, digits or '-', starting with a letter")
            } else if name != folderName {
                r.fail("$.name", "\"name\" is \"\(name)\" but the folder is \"\(folderName)\"; they must match")
            }
        }
        let version = r.string(o, "version", at: "$", required: true) ?? ""
        if !version.isEmpty, version.count > 64 || version.contains(where: { $0.isWhitespace }) {
            r.fail("$.version", "\"version\" must be a short word such as 1.2.0")
        }
        var kind = PluginKind.tool
        if let k = r.string(o, "kind", at: "$", required: true) {
            if let parsed = PluginKind(rawValue: k) { kind = parsed } else {
                r.fail("$.kind", "\"kind\" must be tool, rule, detector or policy, not \"\(k)\"")
            }
        }
        let description = r.string(o, "description", at: "$", required: false)
        let interpreter = r.string(o, "interpreter", at: "$", required: false)
        if let interpreter {
            if interpreter.isEmpty || interpreter.split(separator: "/").contains("..") {
                r.fail("$.interpreter", "\"interpreter\" must be an absolute path or a path inside the plugin folder")
            }
        }
        var command: [String] = []
        if o["command"] == nil {
            r.fail("$", "missing required key \"command\" (the argv to run, relative to the plugin folder)")
        } else if let argv = r.strings(o, "command", at: "$") {
            command = argv
            if argv.isEmpty {
                r.fail("$.command", "\"command\" must not be empty")
            } else if interpreter == nil {
                let first = argv[0]
                if first.hasPrefix("/") || first.split(separator: "/").contains("..") {
                    r.fail(
                        "$.command[0]",
                        "\"command\" runs \"\(first)\", which is outside the plugin folder; put the program in the folder or name an \"interpreter\" explicitly"
                    )
                }
            }
        }
        var capabilities = Capabilities()
        if let c = r.object(o, "capabilities", at: "$") {
            capabilities = Capabilities.read(c, at: "$.capabilities", reader: &r)
        }
        for (i, argument) in command.enumerated() {
            for placeholder in placeholders(in: argument) {
                if placeholder != workspacePlaceholder {
                    r.fail(
                        "$.command[\(i)]",
                        "unknown placeholder \"\(placeholder)\"; the only one is \"\(workspacePlaceholder)\"")
                } else if i == 0 && interpreter == nil {
                    r.fail("$.command[0]", "the program to run cannot be \"\(workspacePlaceholder)\"")
                } else if !(capabilities.read + capabilities.write).contains("workspace") {
                    r.fail(
                        "$.command[\(i)]",
                        "\"\(workspacePlaceholder)\" is used but the plugin does not ask for the workspace "
                            + "(add \"workspace\" to capabilities.read or capabilities.write)")
                }
            }
        }
        var limits = PluginLimits()
        if let l = r.object(o, "limits", at: "$") {
            r.checkKeys(l, at: "$.limits", allowed: PluginLimits.keys)
            let p = "$.limits"
            limits.memoryMB = r.integer(l, "memory_mb", at: p, range: 16...65536) ?? limits.memoryMB
            limits.cpuSeconds = r.integer(l, "cpu_seconds", at: p, range: 1...86400) ?? limits.cpuSeconds
            limits.processes = r.integer(l, "processes", at: p, range: 1...4096) ?? limits.processes
            limits.openFiles = r.integer(l, "open_files", at: p, range: 16...65536) ?? limits.openFiles
            limits.fileSizeMB = r.integer(l, "file_size_mb", at: p, range: 0...65536) ?? limits.fileSizeMB
            limits.timeoutMS = r.integer(l, "timeout_ms", at: p, range: 10...3_600_000) ?? limits.timeoutMS
            limits.frameKB = r.integer(l, "frame_kb", at: p, range: 1...262_144) ?? limits.frameKB
        }
        var tools: [String: ToolNote] = [:]
        if let t = r.object(o, "tools", at: "$") {
            for (toolName, note) in t.sorted(by: { $0.key < $1.key }) {
                let p = "$.tools." + toolName
                guard case .object(let n) = note else {
                    r.fail(p, "each entry of \"tools\" must be an object with \"risk\" and optional \"notes\"")
                    continue
                }
                r.checkKeys(n, at: p, allowed: ["risk", "notes"])
                let risk = r.string(n, "risk", at: p, required: true) ?? "low"
                if !riskLevels.contains(risk) {
                    r.fail(p + ".risk", "\"risk\" must be low, medium, high or critical, not \"\(risk)\"")
                }
                tools[toolName] = ToolNote(risk: risk, notes: r.string(n, "notes", at: p, required: false))
            }
        }
        if !r.issues.isEmpty { throw ConfigIssues(r.issues) }
        let digest = HexEncoding.encode(SHA256.hash(data: bytes))
        return PluginManifest(
            name: name, version: version, kind: kind, description: description, command: command,
            interpreter: interpreter, capabilities: capabilities, limits: limits, tools: tools, folder: folder,
            digest: digest)
    }

    /// Whether `name` is a valid plugin name: 1-32 of `a-z0-9-`, starting with a letter.
    public static func isValidName(_ name: String) -> Bool {
        guard (1...32).contains(name.count), let first = name.unicodeScalars.first, ("a"..."z").contains(first) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}
