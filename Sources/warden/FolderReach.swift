import Foundation

/// Whether the id plugins run as can reach the folders they are given.
///
/// Under a root host the launcher maps each plugin to the unprivileged id 65534, which must be able to enter every
/// folder above its workspace, its own folder and the policies. A workspace under a private folder (a 0700
/// temporary folder, root's home) otherwise fails every plugin that needs it at its confinement step, far from the
/// cause; this names the folder and the fix before any plugin starts.
enum FolderReach {
    /// The id plugins run as when the host runs as root.
    static let pluginID: uid_t = 65534

    /// The first folder on the way to `path` (inclusive) that `pluginID` may not enter, as a sentence with the
    /// fix; `nil` when every existing folder can be entered, or when the host is not root (plugins then run as the
    /// host's own id).
    static func problem(reaching path: String, role: String, hostUID: uid_t = getuid()) -> String? {
        guard hostUID == 0 else { return nil }
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            var info = stat()
            guard stat(prefix, &info) == 0 else { return nil }  // what does not exist yet is made later
            guard info.st_mode & S_IFMT == S_IFDIR else { return nil }
            let mode = info.st_mode & 0o7777
            let enterable = info.st_uid == pluginID ? mode & 0o100 != 0 : mode & 0o001 != 0
            if !enterable {
                return "the \(role) \(path) cannot be reached by plugins: they run as id \(pluginID), which may not "
                    + "enter \(prefix) (mode \(String(mode, radix: 8)), owner \(info.st_uid)); "
                    + "`chmod o+x \(prefix)` or choose a folder elsewhere"
            }
        }
        return nil
    }
}
