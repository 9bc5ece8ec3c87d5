import WardenPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Writing to the terminal (or whatever stdout and stderr are).
///
/// The kernel ignores SIGPIPE so that a plugin dying under a write cannot take it down; Foundation's
/// `FileHandle.write` then traps on EPIPE, so `warden … | head` ended in "Illegal instruction". Here a reader that
/// went away ends the command the conventional way: by SIGPIPE. A running kernel passes `endOnBrokenPipe: false`:
/// it must not die for want of a reader of its messages.
enum StandardStreams {
    static func out(_ text: String) { write(text, to: 1) }
    static func err(_ text: String, endOnBrokenPipe: Bool = true) { write(text, to: 2, endOnBrokenPipe: endOnBrokenPipe) }

    static func write(_ text: String, to fd: Int32, endOnBrokenPipe: Bool = true) {
        do {
            try Syscall.writeAll(fd, Array(text.utf8))
        } catch where error.errno == EPIPE && endOnBrokenPipe {
            signal(SIGPIPE, SIG_DFL)
            raise(SIGPIPE)
        } catch {}  // nowhere left to say anything
    }
}
