import Foundation
import WardenCore

/// Derives a plugin's launcher spec from its manifest and its grant: what the manifest asks, where the grant
/// allows it; nothing else. A manifest asking for more than its grant is refused before any process starts.
public struct SpecBuilder: Sendable {
    public var workspace: String
    public var policies: String
    public var hostEnvironment: [String: String]
    /// Folders of the Swift runtime libraries the bundled plugins link (read-only, when present).
    public var runtimeLibraryFolders: [String]

    /// Read when they exist, for plugins with outbound network: name resolution and CA certificates.
    public static let networkFiles = [
        "/etc/resolv.conf", "/etc/hosts", "/etc/ssl", "/etc/ca-certificates", "/etc/gai.conf", "/etc/host.conf",
    ]

    public init(
        workspace: String, policies: String, hostEnvironment: [String: String] = ProcessInfo.processInfo.environment,
        runtimeLibraryFolders: [String] = []
    ) {
        self.workspace = workspace
        self.policies = policies
        self.runtimeLibraryFolders = runtimeLibraryFolders
        self.hostEnvironment = hostEnvironment
    }

    /// Replaces the words `workspace` and `policies` with their folders.
    func expand(_ paths: [String]) -> [String] {
        paths.map {
            switch $0 {
            case "workspace": workspace
            case "policies": policies
            default: $0
            }
        }
    }

    /// The launcher spec: the baseline (every namespace, system paths and the plugin folder read-only, no
    /// network, no processes, a minimal environment) widened by exactly what the manifest asks.
    /// - Throws: ``PluginRunner/LaunchRefusal`` naming every capability the grant does not cover.
    public func spec(for manifest: PluginManifest, grant: Capabilities) throws -> LaunchSpec {
        let excess = manifest.capabilities.exceeding(grant)
        guard excess.isEmpty else {
            throw PluginRunner.LaunchRefusal(
                "\(manifest.name) asks for more than Policies/grants.json grants it: \(excess.joined(separator: "; "))")
        }
        let caps = manifest.capabilities
        let folder = URL(fileURLWithPath: manifest.folder).resolvingSymlinksInPath().path
        var spec = LaunchSpec.baseline(pluginFolder: folder)
        if caps.network == .outbound { spec.namespaces.removeAll { $0 == .net } }
        spec.network = LaunchSpec.Network(rawValue: caps.network.rawValue) ?? .none
        spec.spawn = caps.spawn
        var read = spec.filesystem.read + expand(caps.read)
        if let interpreter = manifest.interpreter {
            // An interpreter outside the folder (or a venv link pointing out of it) must be readable too.
            let real = URL(fileURLWithPath: manifest.absolute(interpreter)).resolvingSymlinksInPath()
                .deletingLastPathComponent().path
            if !read.contains(where: { real == $0 || real.hasPrefix($0 + "/") }) { read.append(real) }
        }
        let write = Self.unique(expand(caps.write))
        // A writable path is readable too; the launcher refuses a path listed in both.
        spec.filesystem.read = Self.unique(read).filter { !write.contains($0) }
        spec.filesystem.write = write
        if caps.network == .outbound { spec.filesystem.readIfPresent += Self.networkFiles }
        spec.filesystem.readIfPresent += runtimeLibraryFolders.filter { folder in
            !spec.filesystem.read.contains { folder == $0 || folder.hasPrefix($0 + "/") }
        }
        for name in caps.env {
            if let value = hostEnvironment[name] { spec.env[name] = value }
        }
        if (caps.read + caps.write).contains("workspace") { spec.env["WARDEN_WORKSPACE"] = workspace }
        if (caps.read + caps.write).contains("policies") { spec.env["WARDEN_POLICIES"] = policies }
        let limits = manifest.limits
        spec.rlimits.addressSpace = Int(limits.memoryMB) << 20
        spec.rlimits.cpuSeconds = Int(limits.cpuSeconds)
        spec.rlimits.processes = Int(limits.processes)
        spec.rlimits.openFiles = Int(limits.openFiles)
        spec.rlimits.fileSize = Int(limits.fileSizeMB) << 20
        spec.syscalls = caps.syscalls
        return spec
    }

    /// The folders of the Swift runtime libraries this process has loaded (from /proc/self/maps): the bundled
    /// plugins are built by the same toolchain and link the same libraries. Empty for a static build.
    public static func loadedSwiftRuntimeFolders() -> [String] {
        // procfs files report size 0, so read to the end rather than by the reported size.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/maps") else { return [] }
        defer { try? handle.close() }
        let maps = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        var folders: [String] = []
        for line in maps.split(separator: "\n") {
            guard let slash = line.firstIndex(of: "/"), line.contains("libswiftCore.so") else { continue }
            let folder = (String(line[slash...]) as NSString).deletingLastPathComponent
            if !folders.contains(folder) { folders.append(folder) }
        }
        return folders
    }

    static func unique(_ paths: [String]) -> [String] {
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted }
    }

    /// SHA-256 of a spec's canonical JSON (sorted keys, compact), `sha256:` and hex.
    public static func digest(_ spec: LaunchSpec) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(spec)) ?? Data()
        return ContentDigest.sha256(data)
    }
}
