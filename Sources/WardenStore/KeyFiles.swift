import Foundation
import WardenCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The file operations behind ``HostKey``: the only place the store calls libc, because key files must be created
/// with their final mode (no window in which they are readable), checked with `lstat`/`fstat` (no symlinks), and
/// installed atomically.
enum KeyFiles {
    static func errnoText() -> String { String(cString: strerror(errno)) }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// Creates `path` with `mode` if absent. With `mustBePrivate`, an existing folder must be a real folder owned by
    /// this user with no group or other permissions.
    static func makeDirectory(_ path: String, mode: mode_t, mustBePrivate: Bool) throws(HostKeyError) {
        var st = stat()
        if lstat(path, &st) != 0 {
            guard errno == ENOENT else { throw HostKeyError(.io, path: path, "cannot inspect: \(errnoText())") }
            do {
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            } catch {
                throw HostKeyError(.io, path: path, "cannot create the parent folder: \(error.localizedDescription)")
            }
            guard mkdir(path, mode) == 0 || errno == EEXIST else {
                throw HostKeyError(.io, path: path, "cannot create: \(errnoText())")
            }
            guard lstat(path, &st) == 0 else { throw HostKeyError(.io, path: path, "cannot inspect: \(errnoText())") }
        }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            throw HostKeyError(.insecurePermissions, path: path, "is not a folder (a symbolic link is refused)")
        }
        if mustBePrivate { try checkPrivate(st, path: path, kind: "folder", want: "0700") }
    }

    static func checkDirectory(_ path: String) throws(HostKeyError) {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            if errno == ENOENT {
                throw HostKeyError(.missing, path: path, "no keys folder; run `warden init` to create the host key")
            }
            throw HostKeyError(.io, path: path, "cannot inspect: \(errnoText())")
        }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            throw HostKeyError(.insecurePermissions, path: path, "is not a folder (a symbolic link is refused)")
        }
        try checkPrivate(st, path: path, kind: "folder", want: "0700")
    }

    static func checkPrivate(_ st: stat, path: String, kind: String, want: String) throws(HostKeyError) {
        guard st.st_uid == geteuid() else {
            throw HostKeyError(
                .insecurePermissions, path: path, "is owned by uid \(st.st_uid), not by this user (uid \(geteuid()))")
        }
        let mode = st.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw HostKeyError(
                .insecurePermissions, path: path,
                "\(kind) mode is \(String(mode, radix: 8)), open to other users; refusing to use it "
                    + "(run `chmod \(want.dropFirst()) \(path)` if it has not leaked, otherwise rotate the key)")
        }
    }

    /// Reads a private key file after checking it is a regular file, private to this user.
    static func readPrivateKey(_ path: String) throws(HostKeyError) -> Ed25519SigningKey {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT {
                throw HostKeyError(.missing, path: path, "no host key; run `warden init` to create one")
            }
            if errno == ELOOP { throw HostKeyError(.insecurePermissions, path: path, "is a symbolic link; refused") }
            throw HostKeyError(.io, path: path, "cannot open: \(errnoText())")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw HostKeyError(.io, path: path, "cannot inspect: \(errnoText())") }
        guard st.st_mode & S_IFMT == S_IFREG else {
            throw HostKeyError(.insecurePermissions, path: path, "is not a regular file")
        }
        try checkPrivate(st, path: path, kind: "file", want: "0600")
        let bytes = try readAll(fd, path: path, limit: 64 * 1024)
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes)
        } catch {
            throw HostKeyError(.malformed, path: path, "not JSON: \(error.description)")
        }
        guard let object = json.objectValue, object["keytype"]?.stringValue == "ed25519",
            object["scheme"]?.stringValue == "ed25519",
            let seedHex = object["keyval"]?["private"]?.stringValue, let seed = HexEncoding.decode(seedHex)
        else {
            throw HostKeyError(
                .malformed, path: path, "expected {keytype: ed25519, scheme: ed25519, keyval: {private}}")
        }
        let key: Ed25519SigningKey
        do {
            key = try Ed25519SigningKey(seed: seed)
        } catch {
            throw HostKeyError(.malformed, path: path, error.description)
        }
        if let publicHex = object["keyval"]?["public"]?.stringValue, publicHex != key.publicKey.hex {
            throw HostKeyError(.malformed, path: path, "keyval.public does not match the private key")
        }
        return key
    }

    static func readAll(_ fd: Int32, path: String, limit: Int) throws(HostKeyError) -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw HostKeyError(.io, path: path, "cannot read: \(errnoText())")
            }
            if n == 0 { return out }
            out.append(contentsOf: buffer[..<n])
            guard out.count <= limit else { throw HostKeyError(.malformed, path: path, "larger than \(limit) bytes") }
        }
    }

    static func readJSON(_ path: String) throws(HostKeyError) -> JSONValue {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw HostKeyError(.missing, path: path, "no such file") }
            throw HostKeyError(.io, path: path, "cannot open: \(errnoText())")
        }
        defer { close(fd) }
        let bytes = try readAll(fd, path: path, limit: 64 * 1024)
        do {
            return try JSONValue.parse(bytes)
        } catch {
            throw HostKeyError(.malformed, path: path, "not JSON: \(error.description)")
        }
    }

    /// Writes `bytes` to a new temporary file beside `path` with `mode`, synced, and returns its path.
    static func writeTemporary(_ bytes: [UInt8], beside path: String, mode: mode_t) throws(HostKeyError) -> String {
        let temp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw HostKeyError(.io, path: temp, "cannot create: \(errnoText())") }
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let text = errnoText()
                close(fd)
                unlink(temp)
                throw HostKeyError(.io, path: temp, "cannot write: \(text)")
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            let text = errnoText()
            close(fd)
            unlink(temp)
            throw HostKeyError(.io, path: temp, "cannot sync: \(text)")
        }
        close(fd)
        return temp
    }

    /// Writes a private key file with mode 0600. With `replace: false` an existing file is left alone and the
    /// result is `false`.
    static func writePrivateKey(_ key: Ed25519SigningKey, to path: String, replace: Bool) throws(HostKeyError) -> Bool {
        let json: JSONValue = [
            "keytype": "ed25519", "scheme": "ed25519", "keyid": .string(key.keyid),
            "keyval": ["public": .string(key.publicKey.hex), "private": .string(HexEncoding.encode(key.seed))],
        ]
        let temp = try writeTemporary(json.prettyPrinted().utf8 + [0x0A], beside: path, mode: 0o600)
        defer { unlink(temp) }
        if replace {
            guard rename(temp, path) == 0 else { throw HostKeyError(.io, path: path, "cannot install: \(errnoText())") }
        } else if link(temp, path) != 0 {
            if errno == EEXIST { return false }
            throw HostKeyError(.io, path: path, "cannot install: \(errnoText())")
        }
        syncDirectory(of: path)
        return true
    }

    static func writePublicKey(_ key: Ed25519PublicKey, to path: String) throws(HostKeyError) {
        let temp = try writeTemporary(key.securesystemslibJSON.prettyPrinted().utf8 + [0x0A], beside: path, mode: 0o644)
        guard rename(temp, path) == 0 else {
            unlink(temp)
            throw HostKeyError(.io, path: path, "cannot install: \(errnoText())")
        }
        syncDirectory(of: path)
    }

    /// Atomically replaces `destination` with `source`.
    static func install(_ source: String, as destination: String) throws(HostKeyError) {
        guard rename(source, destination) == 0 else {
            throw HostKeyError(.io, path: destination, "cannot install \(source): \(errnoText())")
        }
        syncDirectory(of: destination)
    }

    static func remove(_ path: String) throws(HostKeyError) {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw HostKeyError(.io, path: path, "cannot remove: \(errnoText())")
        }
    }

    static func syncDirectory(of path: String) {
        let fd = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
