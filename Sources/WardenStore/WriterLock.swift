import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive `flock` on `<database>.writer-lock`, held while a log writer is open: two writers (two kernels,
/// or a kernel and `warden audit rotate-key`) would hand out the same sequence numbers. The kernel releases the lock
/// when the writer goes away; a crashed process releases it with its descriptors.
final class WriterLock: Sendable {
    private let fd: Mutex<Int32>

    /// Takes the lock for `databasePath`, waiting up to `wait` seconds while another process holds it.
    /// - Throws: ``LogError`` `storage` when another process still holds it, or the lock file cannot be opened.
    init(databasePath: String, wait: Double = 0) throws(LogError) {
        let path = databasePath + ".writer-lock"
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw LogError(.storage, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        let deadline = ContinuousClock.now + .seconds(wait)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            let busy = errno == EWOULDBLOCK
            if busy && ContinuousClock.now < deadline {
                usleep(10_000)
                continue
            }
            let text = String(cString: strerror(errno))
            close(fd)
            throw LogError(
                .storage,
                busy
                    ? "another Warden process is writing the log at \(databasePath) "
                        + "(stop it, or use its control socket)"
                    : "cannot lock \(path): \(text)")
        }
        self.fd = Mutex(fd)
    }

    /// Releases the lock (also done when the lock goes away).
    func release() {
        fd.withLock { fd in
            if fd >= 0 { close(fd) }
            fd = -1
        }
    }

    deinit { release() }

}
