import Foundation
import WardenPluginKit

/// The folder a tool plugin works in, and the one check every path argument passes through.
///
/// The sandbox (Landlock, mount namespace) already confines the plugin; this check is the second wall and the
/// one that produces a clear message ("outside the workspace") instead of a bare EACCES.
public struct Workspace: Sendable {
    /// The workspace's real path (symlinks resolved).
    public let root: String

    /// The workspace named by `WARDEN_WORKSPACE`, which the kernel sets for plugins granted it.
    /// - Throws: ``PluginMethodError`` when the variable is missing or the folder does not exist.
    public static func fromEnvironment() throws -> Workspace {
        guard let path = ProcessInfo.processInfo.environment["WARDEN_WORKSPACE"], !path.isEmpty else {
            throw PluginMethodError(message: "no workspace: WARDEN_WORKSPACE is not set (grant \"workspace\")")
        }
        return try Workspace(root: path)
    }

    public init(root: String) throws {
        guard let real = realpath(root, nil) else {
            throw PluginMethodError(message: "the workspace \(root) does not exist")
        }
        self.root = String(cString: real)
        free(real)
    }

    /// Resolves a path argument (relative to the workspace, or absolute) to a real path inside the workspace,
    /// following `..` and every symlink of the part that exists.
    /// - Throws: ``PluginMethodError`` when the result would be outside the workspace.
    public func resolve(_ argument: String, mustExist: Bool) throws -> String {
        guard !argument.contains("\0") else { throw PluginMethodError(message: "a path must not contain NUL") }
        let joined = argument.hasPrefix("/") ? argument : root + "/" + argument
        var components = URL(fileURLWithPath: joined).standardizedFileURL.pathComponents
        var missing: [String] = []
        while components.count > 1 {
            let candidate = NSString.path(withComponents: components)
            if let real = realpath(candidate, nil) {
                defer { free(real) }
                let resolved = ([String(cString: real)] + missing.reversed()).joined(separator: "/")
                guard resolved == root || resolved.hasPrefix(root + "/") else {
                    throw PluginMethodError(message: "\(argument) is outside the workspace")
                }
                if mustExist && !missing.isEmpty { throw PluginMethodError(message: "\(argument) does not exist") }
                return resolved
            }
            missing.append(components.removeLast())
        }
        throw PluginMethodError(message: "\(argument) is outside the workspace")
    }

    /// The path relative to the workspace, for answers.
    public func relative(_ real: String) -> String {
        real == root ? "." : String(real.dropFirst(root.count + 1))
    }
}
