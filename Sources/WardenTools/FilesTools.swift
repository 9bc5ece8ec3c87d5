import Foundation
import WardenCore
import WardenPluginKit

/// The `files` plugin: list, read, search and write inside the workspace.
public enum FilesTools {
    static let readCap = 1 << 20

    public static func tools(workspace: @escaping @Sendable () throws -> Workspace) -> [Tool] {
        [
            Tool(
                name: "list", description: "List the entries of a folder in the workspace.",
                inputSchema: [
                    "type": "object",
                    "properties": [
                        "path": ["type": "string", "description": "Folder, relative to the workspace."],
                        "recursive": ["type": "boolean"],
                        "max_entries": ["type": "integer", "minimum": 1, "maximum": 10000],
                    ],
                    "additionalProperties": false,
                ]
            ) { args, _ in
                let ws = try workspace()
                let folder = try ws.resolve(args["path"]?.stringValue ?? ".", mustExist: true)
                let limit = Int(args["max_entries"]?.intValue ?? 1000)
                var entries: [JSONValue] = []
                let fm = FileManager.default
                let names: [String]
                if args["recursive"]?.boolValue == true {
                    names = (fm.enumerator(atPath: folder)?.allObjects as? [String] ?? []).sorted()
                } else {
                    names = try fm.contentsOfDirectory(atPath: folder).sorted()
                }
                for name in names.prefix(limit) {
                    let full = folder + "/" + name
                    var isDir: ObjCBool = false
                    fm.fileExists(atPath: full, isDirectory: &isDir)
                    let size = (try? fm.attributesOfItem(atPath: full)[.size] as? Int64) ?? 0
                    entries.append([
                        "name": .string(ws.relative(full)), "type": isDir.boolValue ? "dir" : "file",
                        "size": .int(size ?? 0),
                    ])
                }
                let text = entries.map { e in
                    "\(e["type"]!.stringValue!)\t\(e["size"]!.intValue!)\t\(e["name"]!.stringValue!)"
                }.joined(separator: "\n")
                return .text(
                    text, structured: ["entries": .array(entries), "truncated": .bool(names.count > limit)])
            },
            Tool(
                name: "read", description: "Read a text file in the workspace.",
                inputSchema: [
                    "type": "object",
                    "properties": [
                        "path": ["type": "string"],
                        "max_bytes": ["type": "integer", "minimum": 1, "maximum": 1_048_576],
                    ],
                    "required": ["path"], "additionalProperties": false,
                ]
            ) { args, _ in
                let ws = try workspace()
                guard let path = args["path"]?.stringValue else { throw PluginMethodError(message: "path is required") }
                let file = try ws.resolve(path, mustExist: true)
                let cap = Int(args["max_bytes"]?.intValue ?? Int64(readCap))
                guard let handle = FileHandle(forReadingAtPath: file) else {
                    return .text("cannot open \(path)", isError: true)
                }
                defer { try? handle.close() }
                let data = try handle.read(upToCount: cap + 1) ?? Data()
                guard let text = String(data: data.prefix(cap), encoding: .utf8) else {
                    return .text("\(path) is not UTF-8 text", isError: true)
                }
                return .text(text, structured: ["path": .string(path), "truncated": .bool(data.count > cap)])
            },
            Tool(
                name: "search", description: "Find lines containing a text in the workspace's files.",
                inputSchema: [
                    "type": "object",
                    "properties": [
                        "text": ["type": "string", "minLength": 1],
                        "path": ["type": "string"],
                        "max_results": ["type": "integer", "minimum": 1, "maximum": 10000],
                    ],
                    "required": ["text"], "additionalProperties": false,
                ]
            ) { args, context in
                let ws = try workspace()
                guard let needle = args["text"]?.stringValue, !needle.isEmpty else {
                    throw PluginMethodError(message: "text is required")
                }
                let folder = try ws.resolve(args["path"]?.stringValue ?? ".", mustExist: true)
                let limit = Int(args["max_results"]?.intValue ?? 200)
                var matches: [JSONValue] = []
                let files = (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).sorted()
                outer: for (n, name) in files.enumerated() {
                    if context.isCancelled { break }
                    if n % 100 == 0 { context.progress(Double(n), total: Double(files.count)) }
                    let full = folder + "/" + name
                    guard let data = FileManager.default.contents(atPath: full), data.count <= 8 << 20,
                        let text = String(data: data, encoding: .utf8)
                    else { continue }
                    for (lineNo, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                    where line.contains(needle) {
                        matches.append([
                            "path": .string(ws.relative(full)), "line": .int(Int64(lineNo + 1)),
                            "text": .string(String(line.prefix(400))),
                        ])
                        if matches.count >= limit { break outer }
                    }
                }
                let text = matches.map { "\($0["path"]!.stringValue!):\($0["line"]!.intValue!): \($0["text"]!.stringValue!)" }
                return .text(text.joined(separator: "\n"), structured: ["matches": .array(matches)])
            },
            Tool(
                name: "write", description: "Write a text file in the workspace (replaces it, or appends).",
                inputSchema: [
                    "type": "object",
                    "properties": [
                        "path": ["type": "string"], "content": ["type": "string", "maxLength": 8_388_608],
                        "append": ["type": "boolean"], "create_folders": ["type": "boolean"],
                    ],
                    "required": ["path", "content"], "additionalProperties": false,
                ]
            ) { args, _ in
                let ws = try workspace()
                guard let path = args["path"]?.stringValue, let content = args["content"]?.stringValue else {
                    throw PluginMethodError(message: "path and content are required")
                }
                let file = try ws.resolve(path, mustExist: false)
                guard file != ws.root else { return .text("cannot write the workspace folder itself", isError: true) }
                let parent = (file as NSString).deletingLastPathComponent
                if args["create_folders"]?.boolValue == true {
                    try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
                }
                let data = Data(content.utf8)
                if args["append"]?.boolValue == true, let handle = FileHandle(forWritingAtPath: file) {
                    defer { try? handle.close() }
                    try handle.seekToEnd()
                    try handle.write(contentsOf: data)
                } else {
                    do {
                        try data.write(to: URL(fileURLWithPath: file))
                    } catch {
                        return .text("cannot write \(path): \(error.localizedDescription)", isError: true)
                    }
                }
                return .text("wrote \(data.count) bytes to \(ws.relative(file))",
                    structured: ["path": .string(ws.relative(file)), "bytes": .int(Int64(data.count))])
            },
        ]
    }
}
