import Foundation
import WardenCore

/// `Policies/grants.json`: which capabilities each plugin is granted. Nothing is granted by default: a plugin
/// missing here gets no extra reads, no writes, no network, no processes and no variables.
public struct Grants: Sendable {
    public var byPlugin: [String: Capabilities]
    public var file: String

    public init(byPlugin: [String: Capabilities] = [:], file: String = "Policies/grants.json") {
        self.byPlugin = byPlugin
        self.file = file
    }

    /// The grant for `plugin` (empty when none is listed).
    public func grant(for plugin: String) -> Capabilities { byPlugin[plugin] ?? Capabilities() }

    /// Loads the grants file; a missing file grants nothing.
    /// - Throws: ``ConfigIssues`` for a malformed file (unknown keys, wrong types, bad values, with lines).
    public static func load(policiesFolder: String) throws(ConfigIssues) -> Grants {
        let display = "Policies/grants.json"
        guard let (root, reader) = try StrictJSONFile.read(policiesFolder + "/grants.json", display: display) else {
            return Grants(file: display)
        }
        var r = reader
        r.checkKeys(root, at: "$", allowed: ["grants"])
        var grants: [String: Capabilities] = [:]
        for (plugin, entry) in (r.object(root, "grants", at: "$") ?? [:]).sorted(by: { $0.key < $1.key }) {
            let path = "$.grants." + plugin
            guard PluginManifest.isValidName(plugin) else {
                r.fail(path, "\"\(plugin)\" is not a plugin name")
                continue
            }
            guard case .object(let o) = entry else {
                r.fail(path, "the grant for \(plugin) must be an object of capabilities")
                continue
            }
            grants[plugin] = Capabilities.read(o, at: path, reader: &r)
        }
        if !r.issues.isEmpty { throw ConfigIssues(r.issues) }
        return Grants(byPlugin: grants, file: display)
    }
}
