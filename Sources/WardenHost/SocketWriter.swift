import Synchronization
import WardenPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Writes whole lines to a connection from several tasks, and closes it once the reader is done and every
/// answer in flight has been written.
final class SocketWriter: Sendable {
    let fd: Int32
    struct State {
        var inFlight = 0
        var readerDone = false
        var closed = false
    }
    let state = Mutex(State())

    init(fd: Int32) { self.fd = fd }

    func send(_ line: [UInt8]) {
        state.withLock { s in
            guard !s.closed else { return }
            // A client that went away is noticed by the reader; its answers are dropped.
            try? Syscall.writeAll(fd, line, socket: true)
        }
    }

    func begin() { state.withLock { $0.inFlight += 1 } }

    func end() {
        state.withLock { s in
            s.inFlight -= 1
            closeIfDone(&s)
        }
    }

    func finish() {
        state.withLock { s in
            s.readerDone = true
            closeIfDone(&s)
        }
    }

    private func closeIfDone(_ s: inout State) {
        if s.readerDone && s.inFlight == 0 && !s.closed {
            s.closed = true
            close(fd)
        }
    }
}
