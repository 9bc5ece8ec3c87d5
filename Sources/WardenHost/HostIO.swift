import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The kernel's few blocking descriptor and process calls, with `EINTR` retried in one place.
enum HostIO {
    /// Reads what is available into `buffer`; returns the count, 0 at end of file, -1 on error.
    static func read(_ fd: Int32, into buffer: inout [UInt8]) -> Int {
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            return n
        }
    }

    /// How a process ended.
    struct ExitStatus: CustomStringConvertible {
        var code: Int32?
        var signal: Int32?
        var description: String {
            if let signal { return "killed by signal \(signal)" }
            return "exited with status \(code ?? -1)"
        }
    }

    /// Waits for `pid` to exit and returns how it ended.
    static func waitExit(_ pid: pid_t) -> ExitStatus {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return ExitStatus(code: nil, signal: nil) }
        }
        if status & 0x7f == 0 { return ExitStatus(code: (status >> 8) & 0xff, signal: nil) }
        return ExitStatus(code: nil, signal: status & 0x7f)
    }
}
