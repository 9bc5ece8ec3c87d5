import Foundation
import Synchronization
import WardenCore
import WardenPosix

/// Starts plugins through the C launcher with the spec ``SpecBuilder`` derives, after re-verifying the
/// manifest on disk: a plugin whose manifest changed since it was loaded is not started from stale facts.
public final class ConfinedLauncher: Sendable {
    let launcherPath: String
    let builder: SpecBuilder
    /// Requirements the kernel does not meet (``SandboxPolicy``); while any remain, no plugin starts.
    let unmetRequirements: [String]
    /// Binary digests by file (device and inode), checked against size and mtime: hashing a large binary on every
    /// restart is wasted work when nothing changed, and the bundled plugins share one binary through hard links,
    /// so it is hashed once, not once per plugin. Any change of those facts hashes again.
    let digests = Mutex<[String: (key: String, digest: String)]>([:])
    /// Compiled seccomp filter sets by spec, so that a (re)start does not compile them again.
    let filters = FilterCache()

    public init(launcherPath: String, builder: SpecBuilder, unmetRequirements: [String] = []) {
        self.launcherPath = launcherPath
        self.builder = builder
        self.unmetRequirements = unmetRequirements
    }

    /// A launcher function for ``PluginRunner`` under the given grants.
    public func launcher(grants: Grants) -> PluginLauncher {
        { [self] manifest in try launch(manifest, grant: grants.grant(for: manifest.name)) }
    }

    func launch(_ manifest: PluginManifest, grant: Capabilities) throws -> LaunchedPlugin {
        guard unmetRequirements.isEmpty else {
            throw PluginRunner.LaunchRefusal(
                "this kernel cannot confine plugins as Policies/sandbox.json demands: "
                    + unmetRequirements.joined(separator: " "))
        }
        let current = PluginDirectory.load(folder: manifest.folder)
        guard let onDisk = current.manifest, onDisk.digest == manifest.digest else {
            let why = current.issues.map(\.description).joined(separator: "; ")
            throw PluginRunner.LaunchRefusal(
                "Plugins/\(manifest.name)/plugin.json changed since it was loaded\(why.isEmpty ? "" : ": \(why)"); it is re-verified on the next reload")
        }
        let spec = try builder.spec(for: manifest, grant: grant)
        guard let binary = digest(of: manifest.executable) else {
            throw PluginRunner.LaunchRefusal("cannot read \(manifest.executable) to record its digest")
        }
        let started = Result { () throws(LaunchError) -> ConfinedProcess in
            try Launcher.start(
                launcher: launcherPath, spec: spec, program: manifest.argv(workspace: builder.workspace),
                filters: filters)
        }
        let process: ConfinedProcess
        switch started {
        case .success(let p):
            process = p
        case .failure(let error):
            // A spec the launcher refuses will be refused again: no restart loop, say why.
            if error.step == "spec" || error.step == "usage" { throw PluginRunner.LaunchRefusal(error.description) }
            throw error
        }
        return LaunchedPlugin(
            process: process, specDigest: SpecBuilder.digest(spec), landlockABI: process.status.landlockABI,
            binaryDigest: binary)
    }

    func digest(of path: String) -> String? {
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: real) else { return nil }
        let file = "\(attributes[.systemNumber] ?? 0)/\(attributes[.systemFileNumber] ?? 0)"
        let key = "\(attributes[.size] ?? 0)/\(attributes[.modificationDate] ?? 0)"
        if let cached = digests.withLock({ $0[file] }), cached.key == key { return cached.digest }
        guard let digest = PluginDirectory.fileDigest(real) else { return nil }
        digests.withLock { $0[file] = (key, digest) }
        return digest
    }
}
