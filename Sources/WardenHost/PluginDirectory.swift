import Crypto
import Foundation
import WardenCore

/// A plugin folder as found on disk: its manifest, or every problem that stops it from being one.
public struct DiscoveredPlugin: Sendable {
    public var name: String
    public var folder: String
    public var manifest: PluginManifest?
    public var issues: [ConfigIssue]
}

/// Finds plugins: every `Plugins/*/plugin.json`, checked strictly.
public enum PluginDirectory {
    /// Every folder under `root` with its manifest or its problems, sorted by name. Folders without a
    /// `plugin.json` and hidden folders are skipped.
    public static func scan(_ root: String) -> [DiscoveredPlugin] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.sorted().compactMap { name -> DiscoveredPlugin? in
            guard !name.hasPrefix(".") else { return nil }
            let folder = root + "/" + name
            let file = folder + "/plugin.json"
            guard FileManager.default.fileExists(atPath: file) else { return nil }
            return load(folder: folder)
        }
    }

    /// Loads one plugin folder's manifest and checks that its program exists and is executable.
    public static func load(folder: String) -> DiscoveredPlugin {
        let name = URL(fileURLWithPath: folder).lastPathComponent
        let file = folder + "/plugin.json"
        let display = "Plugins/\(name)/plugin.json"
        guard let data = FileManager.default.contents(atPath: file) else {
            return DiscoveredPlugin(
                name: name, folder: folder, manifest: nil,
                issues: [ConfigIssue(file: display, line: 1, message: "cannot read plugin.json")])
        }
        do {
            let manifest = try PluginManifest.parse(bytes: Array(data), file: display, folder: folder)
            let issues = checkFiles(manifest, file: display)
            return DiscoveredPlugin(name: name, folder: folder, manifest: issues.isEmpty ? manifest : nil, issues: issues)
        } catch {
            return DiscoveredPlugin(name: name, folder: folder, manifest: nil, issues: error.issues)
        }
    }

    /// Checks the files a manifest names: the executable exists and is executable; without an interpreter, its
    /// real path (symlinks resolved) is inside the plugin folder.
    static func checkFiles(_ manifest: PluginManifest, file: String) -> [ConfigIssue] {
        let executable = manifest.executable
        let key = manifest.interpreter == nil ? "command" : "interpreter"
        guard FileManager.default.fileExists(atPath: executable) else {
            var hint = ""
            if executable.hasSuffix("/bin/warden-plugin") { hint = " (run `make` to build the bundled plugins)" }
            return [ConfigIssue(file: file, line: 1, message: "\(key) \(executable) does not exist\(hint)")]
        }
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            return [ConfigIssue(file: file, line: 1, message: "\(key) \(executable) is not executable")]
        }
        if manifest.interpreter == nil {
            let real = URL(fileURLWithPath: executable).resolvingSymlinksInPath().path
            let folder = URL(fileURLWithPath: manifest.folder).resolvingSymlinksInPath().path
            guard real.hasPrefix(folder + "/") else {
                return [ConfigIssue(file: file, line: 1,
                    message: "command \(executable) resolves to \(real), outside the plugin folder; name an \"interpreter\" explicitly")]
            }
        }
        return []
    }

    /// SHA-256 (hex) of a file's bytes, read in chunks.
    public static func fileDigest(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: URL(fileURLWithPath: path).resolvingSymlinksInPath().path)
        else { return nil }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return HexEncoding.encode(hasher.finalize())
    }
}
