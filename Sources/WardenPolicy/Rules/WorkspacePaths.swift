import Foundation
import WardenCore

/// Resolves path arguments the way the kernel would open them, to check that they stay in the workspace.
///
/// Components are walked one by one from `/`: `.` is skipped, `..` goes to the parent of what has been
/// resolved so far (so `link/..` leaves the link's target, not the link), and every existing symbolic
/// link is replaced by its target (at most 40 of them, as the kernel allows). Components that do not
/// exist yet are kept as written. The result is compared with the workspace's own resolved path.
///
/// This is a check made before the call, not a lock: a plugin that races to swap a link after it is the
/// sandbox's to stop (Landlock confines every plugin to its granted folders).
enum WorkspacePaths {
    static let maximumLinks = 40

    enum Failure: Error, Equatable {
        case tooManyLinks
        case containsNUL
    }

    /// The resolved absolute form of `path`, relative paths taken from `base`.
    static func resolve(_ path: String, base: String) throws(Failure) -> String {
        guard !path.contains("\0") else { throw .containsNUL }
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        var pending = ArraySlice(joined.split(separator: "/", omittingEmptySubsequences: true).map(String.init))
        var resolved: [String] = []
        var links = 0
        let fm = FileManager.default
        while let component = pending.popFirst() {
            if component == "." { continue }
            if component == ".." {
                _ = resolved.popLast()
                continue
            }
            let candidate = "/" + (resolved + [component]).joined(separator: "/")
            if let attributes = try? fm.attributesOfItem(atPath: candidate),
                attributes[.type] as? FileAttributeType == .typeSymbolicLink,
                let target = try? fm.destinationOfSymbolicLink(atPath: candidate)
            {
                links += 1
                guard links <= maximumLinks else { throw .tooManyLinks }
                let parts = target.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
                if target.hasPrefix("/") { resolved = [] }
                pending = ArraySlice(parts + pending)
                continue
            }
            resolved.append(component)
        }
        return "/" + resolved.joined(separator: "/")
    }

    /// Whether `resolved` is the workspace or inside it.
    static func isInside(_ resolved: String, workspace: String) -> Bool {
        resolved == workspace || resolved.hasPrefix(workspace == "/" ? "/" : workspace + "/")
    }

    /// The path arguments of a call: for a tool with configured JSON paths, those; otherwise every member,
    /// at any depth, whose name is one of `names` (strings, or arrays of strings).
    static func pathArguments(in arguments: JSONValue, names: Set<String>, paths: [String]?) -> [(String, String)] {
        if let paths {
            return paths.compactMap { text -> [(String, String)]? in
                guard let path = try? JSONPath(text), case .found(let value) = path.resolve(in: arguments) else {
                    return nil
                }
                return strings(value, at: text)
            }.flatMap { $0 }
        }
        var out: [(String, String)] = []
        func walk(_ value: JSONValue, _ at: String) {
            switch value {
            case .object(let members):
                for key in members.keys.sorted() {
                    let child = JSONPath.child(at, key: key)
                    if names.contains(key) { out += strings(members[key]!, at: child) }
                    walk(members[key]!, child)
                }
            case .array(let items):
                for (i, item) in items.enumerated() { walk(item, "\(at)[\(i)]") }
            default: break
            }
        }
        walk(arguments, "$")
        return out
    }

    private static func strings(_ value: JSONValue, at path: String) -> [(String, String)] {
        switch value {
        case .string(let s): [(path, s)]
        case .array(let items): items.enumerated().compactMap { i, v in v.stringValue.map { ("\(path)[\(i)]", $0) } }
        default: []
        }
    }
}
