import Foundation
import WardenCore

/// Why the host key could not be loaded or stored.
public struct HostKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// The key file or its folder is readable or writable by others, or owned by someone else.
        case insecurePermissions
        /// The key file is not a key.
        case malformed
        /// No key file where one must be.
        case missing
        /// The file system refused (the message carries errno's text).
        case io
    }

    public var code: Code
    public var path: String
    public var message: String

    public init(_ code: Code, path: String, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// The Ed25519 key that signs the log, kept under `<home>/keys/`.
///
/// Files: `keys/` (mode 0700), `keys/host.key` (the private key, mode 0600, securesystemslib-style JSON with
/// `keyval.private` holding the 32-byte seed in hex) and `keys/host.pub` (the public key as securesystemslib
/// reads it). A key file or folder that others can read or write, or that another user owns, is refused rather
/// than used. During a rotation the incoming key waits in `keys/host.key.next` until its record is in the log.
public struct HostKey: Sendable {
    public let signingKey: Ed25519SigningKey
    /// The `keys` folder it was loaded from.
    public let directory: String

    /// The public key (and its keyid).
    public var publicKey: Ed25519PublicKey { signingKey.publicKey }

    /// `<home>/keys`.
    public static func directory(home: String) -> String { home + "/keys" }

    static func privatePath(_ dir: String) -> String { dir + "/host.key" }
    static func publicPath(_ dir: String) -> String { dir + "/host.pub" }
    static func nextPath(_ dir: String) -> String { dir + "/host.key.next" }

    /// Loads the host key of `home`.
    /// - Throws: ``HostKeyError``: `missing` when there is none (run `warden init`), `insecurePermissions` when the
    ///   folder or file is open to others, `malformed` when the file is not a key.
    public static func load(home: String) throws(HostKeyError) -> HostKey {
        let dir = directory(home: home)
        try KeyFiles.checkDirectory(dir)
        let key = try KeyFiles.readPrivateKey(privatePath(dir))
        return HostKey(signingKey: key, directory: dir)
    }

    /// Loads the host key of `home`, creating the folders and a new key when there is none.
    /// - Returns: the key and whether it was created now.
    /// - Throws: ``HostKeyError`` as ``load(home:)`` does, or `io` when the files cannot be written.
    public static func loadOrCreate(home: String) throws(HostKeyError) -> (key: HostKey, created: Bool) {
        let dir = directory(home: home)
        try KeyFiles.makeDirectory(home, mode: 0o700, mustBePrivate: false)
        try KeyFiles.makeDirectory(dir, mode: 0o700, mustBePrivate: true)
        if KeyFiles.exists(privatePath(dir)) { return (try load(home: home), false) }
        let key = Ed25519SigningKey.generate()
        let created = try KeyFiles.writePrivateKey(key, to: privatePath(dir), replace: false)
        guard created else { return (try load(home: home), false) }  // another process made one first
        try KeyFiles.writePublicKey(key.publicKey, to: publicPath(dir))
        return (HostKey(signingKey: key, directory: dir), true)
    }

    /// Reads the public host key from `keys/host.pub` (no private key needed, so any user who can read the
    /// folder can check the log).
    /// - Throws: ``HostKeyError``.
    public static func loadPublic(home: String) throws(HostKeyError) -> Ed25519PublicKey {
        let path = publicPath(directory(home: home))
        let json = try KeyFiles.readJSON(path)
        do {
            return try Ed25519PublicKey(securesystemslib: json)
        } catch {
            throw HostKeyError(.malformed, path: path, error.description)
        }
    }

    /// Reads a securesystemslib-style public key file (as `warden audit export` writes one).
    /// - Throws: ``HostKeyError``.
    public static func readPublicKeyFile(_ path: String) throws(HostKeyError) -> Ed25519PublicKey {
        let json = try KeyFiles.readJSON(path)
        do {
            return try Ed25519PublicKey(securesystemslib: json)
        } catch {
            throw HostKeyError(.malformed, path: path, error.description)
        }
    }
}
