#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A failed system call: the operation and the errno it returned, read immediately after the call.
public struct PosixError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The call that failed, for example `pipe2`.
    public var operation: String
    /// Its errno.
    public var errno: Int32

    /// A failure of `operation` with `errno`.
    public init(_ operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }

    public var description: String { "\(operation): \(String(cString: strerror(errno)))" }
}

/// The only place that talks to libc for descriptors and processes. Every call that can be interrupted
/// goes through ``retrying(_:_:)``, which retries EINTR and reads errno at once.
public enum Syscall {
    /// Runs `call` until it does not fail with EINTR; throws ``PosixError`` on any other failure.
    @discardableResult
    public static func retrying<T: BinaryInteger>(_ operation: String, _ call: () -> T) throws(PosixError) -> T {
        while true {
            let result = call()
            if result >= 0 { return result }
            let err = errno
            if err == EINTR { continue }
            throw PosixError(operation, errno: err)
        }
    }

    /// A pipe whose both ends are close-on-exec: `(read, write)`. Created close-on-exec atomically
    /// (pipe2), so a concurrent spawn elsewhere in the host cannot inherit it.
    public static func pipe() throws(PosixError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        try retrying("pipe2") { GNU.pipe2(&fds, O_CLOEXEC) }
        return (fds[0], fds[1])
    }

    /// A connected pair of close-on-exec Unix stream sockets.
    public static func socketPair() throws(PosixError) -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        try retrying("socketpair") { socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) }
        return (fds[0], fds[1])
    }

    /// Moves a descriptor to a number at or above `minimum` (close-on-exec) and closes the original, so
    /// that it can never collide with the numbers a child is given.
    public static func moveAbove(_ fd: Int32, minimum: Int32) throws(PosixError) -> Int32 {
        if fd >= minimum { return fd }
        let moved = try retrying("fcntl(F_DUPFD_CLOEXEC)") { fcntl(fd, F_DUPFD_CLOEXEC, minimum) }
        close(fd)
        return moved
    }

    /// Closes a descriptor. EINTR is not retried: on Linux the descriptor is gone either way.
    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Writes all of `bytes`; on a socket with MSG_NOSIGNAL so a closed peer is an error, not SIGPIPE.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], socket: Bool = false) throws(PosixError) {
        var offset = 0
        while offset < bytes.count {
            let n = try retrying(socket ? "send" : "write") {
                bytes.withUnsafeBytes { raw in
                    let base = raw.baseAddress! + offset
                    return socket ? send(fd, base, raw.count - offset, Int32(MSG_NOSIGNAL)) : write(fd, base, raw.count - offset)
                }
            }
            offset += n
        }
    }

    /// Reads until end-of-file or until `limit` bytes; `truncated` tells whether more was waiting.
    /// With a `timeoutMilliseconds`, waits at most that long in total and throws ETIMEDOUT.
    public static func readAll(_ fd: Int32, limit: Int, timeoutMilliseconds: Int32? = nil) throws(PosixError)
        -> (bytes: [UInt8], truncated: Bool)
    {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var deadline: Double? = timeoutMilliseconds.map { now() + Double($0) / 1000 }
        while true {
            if let end = deadline {
                let left = Int32(max(0, (end - now()) * 1000))
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = try retrying("poll") { poll(&p, 1, left) }
                if ready == 0 { throw PosixError("read (timed out)", errno: ETIMEDOUT) }
            }
            let n = try retrying("read") { buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
            if n == 0 { return (out, false) }
            if out.count + n > limit {
                out += buffer[0..<(limit - out.count)]
                return (out, true)
            }
            out += buffer[0..<n]
            deadline = deadline.map { $0 }
        }
    }

    /// Waits for a child and returns how it ended.
    public static func wait(_ pid: pid_t) throws(PosixError) -> ExitStatus {
        var status: Int32 = 0
        try retrying("waitpid") { waitpid(pid, &status, 0) }
        return ExitStatus(waitStatus: status)
    }

    /// Sends a signal to a process.
    public static func signal(_ pid: pid_t, _ sig: Int32) throws(PosixError) {
        try retrying("kill") { kill(pid, sig) }
    }

    /// Functions glibc declares only under _GNU_SOURCE, which Swift's Glibc module does not define:
    /// looked up once by name.
    public enum GNU {
        typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
        typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?)
            -> Int32

        nonisolated(unsafe) static let pipe2Symbol = dlsym(dlopen(nil, RTLD_NOW), "pipe2")
        nonisolated(unsafe) static let closeFromSymbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np")
        nonisolated(unsafe) static let chdirSymbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addchdir_np")

        static func pipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32 {
            guard let symbol = pipe2Symbol else { preconditionFailure("glibc has no pipe2") }
            return unsafeBitCast(symbol, to: Pipe2.self)(fds, flags)
        }

        /// posix_spawn_file_actions_addchdir_np (glibc 2.29+); false when this glibc lacks it.
        public static func addChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: String) -> Bool {
            guard let symbol = chdirSymbol else { return false }
            return unsafeBitCast(symbol, to: AddChdir.self)(actions, path) == 0
        }

        /// posix_spawn_file_actions_addclosefrom_np (glibc 2.34+); false when this glibc lacks it.
        public static func addCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Bool {
            guard let symbol = closeFromSymbol else { return false }
            return unsafeBitCast(symbol, to: AddCloseFrom.self)(actions, from) == 0
        }
    }

    /// Seconds on the monotonic clock.
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// How a process ended.
public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    /// It exited with this code.
    case exited(Int32)
    /// A signal killed it.
    case signaled(Int32)

    /// Decodes a `waitpid` status.
    public init(waitStatus status: Int32) {
        if status & 0x7f == 0 {
            self = .exited((status >> 8) & 0xff)
        } else {
            self = .signaled(status & 0x7f)
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): "exited with \(code)"
        case .signaled(let sig): "killed by signal \(sig)"
        }
    }
}
