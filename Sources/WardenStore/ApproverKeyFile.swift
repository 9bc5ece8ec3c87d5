import Foundation
import WardenCore

/// An approver's own Ed25519 key: the private half stays with the person (by default under
/// `~/.config/warden/approvers/`, mode 0600 in a 0700 folder), the public half is listed in
/// `Policies/approvers.json`. Same file format as the host key (securesystemslib's).
public enum ApproverKeyFile {
    /// The default folder: `$XDG_CONFIG_HOME/warden/approvers`, or `~/.config/warden/approvers`.
    public static func defaultFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return xdg + "/warden/approvers" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.config/warden/approvers"
    }

    /// Creates a new key at `path` (its folder made private); refuses to overwrite one.
    /// - Throws: ``HostKeyError``.
    public static func create(at path: String) throws(HostKeyError) -> Ed25519SigningKey {
        let folder = (path as NSString).deletingLastPathComponent
        try KeyFiles.makeDirectory(folder, mode: 0o700, mustBePrivate: true)
        let key = Ed25519SigningKey.generate()
        guard try KeyFiles.writePrivateKey(key, to: path, replace: false) else {
            throw HostKeyError(.io, path: path, "a key already exists here; it is not replaced (choose another --key)")
        }
        return key
    }

    /// Reads an approver key, refusing a file or folder other users can read.
    /// - Throws: ``HostKeyError``.
    public static func load(_ path: String) throws(HostKeyError) -> Ed25519SigningKey {
        do {
            return try KeyFiles.readPrivateKey(path)
        } catch let error where error.code == .missing {
            throw HostKeyError(.missing, path: path, "no approver key here; create one with `warden approvers new NAME`")
        }
    }
}
