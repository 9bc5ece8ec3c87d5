import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The Unix-domain socket syscalls of the control channel: bind with mode 0600, accept, check the peer.
public enum ControlSocket {
    /// Why the control socket could not be used.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var operation: String
        public var errno: Int32
        public var path: String
        public var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
    }

    static func address(_ path: String) throws(Failure) -> sockaddr_un {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            throw Failure(operation: "socket path too long", errno: ENAMETOOLONG, path: path)
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return addr
    }

    /// Creates a listening socket at `path` readable and writable by the owner only. A stale socket file (no
    /// kernel answering) is replaced; a live one is an error.
    /// - Throws: ``Failure``.
    public static func listen(path: String) throws(Failure) -> Int32 {
        if FileManager.default.fileExists(atPath: path) {
            if let fd = try? connect(path: path) {
                close(fd)
                throw Failure(operation: "a kernel is already serving on", errno: EADDRINUSE, path: path)
            }
            unlink(path)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(operation: "socket", errno: errno, path: path) }
        var addr = try address(path)
        // The umask makes the socket 0600 from its creation, with no window in which others could connect.
        let old = umask(0o177)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(old)
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw Failure(operation: "bind", errno: e, path: path)
        }
        chmod(path, 0o600)
        guard Glibc.listen(fd, 64) == 0 else {
            let e = errno
            close(fd)
            throw Failure(operation: "listen", errno: e, path: path)
        }
        return fd
    }

    /// Connects to the kernel's socket. - Throws: ``Failure`` (ENOENT or ECONNREFUSED when no kernel runs).
    public static func connect(path: String) throws(Failure) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(operation: "socket", errno: errno, path: path) }
        var addr = try address(path)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw Failure(operation: "connect", errno: e, path: path)
        }
        return fd
    }

    /// Accepts one connection, retrying `EINTR`; -1 when the listener is closed.
    static func accept(_ listener: Int32) -> Int32 {
        while true {
            let fd = Glibc.accept(listener, nil, nil)
            if fd < 0 && errno == EINTR { continue }
            if fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            return fd
        }
    }

    /// The connecting process's user id (SO_PEERCRED), or nil when the kernel cannot tell.
    static func peerUID(_ fd: Int32) -> uid_t? {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; } (Glibc hides it behind _GNU_SOURCE).
        var cred: (pid: Int32, uid: UInt32, gid: UInt32) = (0, 0, 0)
        var len = socklen_t(MemoryLayout.size(ofValue: cred))
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0, len == 12 else { return nil }
        return cred.uid
    }
}
