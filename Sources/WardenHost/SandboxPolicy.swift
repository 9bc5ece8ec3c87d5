import Foundation
import WardenCore

/// `Policies/sandbox.json`: what the operator demands of the kernel before any plugin runs. Without the file
/// every demand holds (seccomp, Landlock ABI 1 or later, user namespaces); lowering one is an explicit edit:
///
/// ```json
/// {"require": {"seccomp": true, "minimum_landlock_abi": 0, "user_namespaces": true}}
/// ```
public enum SandboxPolicy {
    /// Loads the requirements. - Throws: ``ConfigIssues`` for a malformed file, with lines.
    public static func load(policiesFolder: String) throws(ConfigIssues) -> SandboxRequirements {
        guard let (root, reader) = try StrictJSONFile.read(
            policiesFolder + "/sandbox.json", display: "Policies/sandbox.json")
        else {
            return SandboxRequirements()
        }
        var r = reader
        r.checkKeys(root, at: "$", allowed: ["require"])
        var requirements = SandboxRequirements()
        if let require = r.object(root, "require", at: "$") {
            r.checkKeys(require, at: "$.require", allowed: ["seccomp", "minimum_landlock_abi", "user_namespaces"])
            requirements.seccomp = r.bool(require, "seccomp", at: "$.require") ?? true
            requirements.userNamespaces = r.bool(require, "user_namespaces", at: "$.require") ?? true
            requirements.minimumLandlockABI = Int(
                r.integer(require, "minimum_landlock_abi", at: "$.require", range: 0...64) ?? 1)
        }
        if !r.issues.isEmpty { throw ConfigIssues(r.issues) }
        return requirements
    }
}
