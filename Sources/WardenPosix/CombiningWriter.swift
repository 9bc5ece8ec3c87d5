import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Writes lines to one descriptor (a pipe) from many tasks at once: whoever finds no write under way writes, and
/// keeps writing what the others queue meanwhile, one system call per round. Concurrent senders neither wait on a
/// lock held across each `write` nor make one `write` each.
///
/// Each line carries a tag (the kernel's request id, say). When a write fails, or once the writer is closed, the
/// tags of the lines that did not go out are returned by ``send(_:tag:)`` to whichever task meets the failure, so
/// that their senders can be told; nothing is written after that. Written by hand: it is small and sits on every
/// message the kernel sends a plugin.
public final class CombiningWriter<Tag: Sendable>: Sendable {
    struct Queue {
        var lines: [(tag: Tag, bytes: [UInt8])] = []
        var writing = false
        var open = true
        /// Set by ``close()`` while a write is under way: the writer closes the descriptor when it is done.
        var closeWhenDone = false
    }

    let fd: Int32
    let queue = Mutex(Queue())

    /// Takes ownership of `fd` (``close()`` closes it).
    public init(fd: Int32) {
        self.fd = fd
    }

    /// Queues `bytes` and, if no other task is writing, writes everything queued until the queue is empty.
    /// - Returns: the tags of lines that will never be written (this one's or others'), for their senders to be
    ///   told; empty when nothing failed here.
    public func send(_ bytes: [UInt8], tag: Tag) -> [Tag] {
        let role = queue.withLock { q -> (write: Bool, closed: Bool) in
            guard q.open else { return (false, true) }
            q.lines.append((tag, bytes))
            if q.writing { return (false, false) }
            q.writing = true
            return (true, false)
        }
        if role.closed { return [tag] }
        guard role.write else { return [] }
        var undelivered: [Tag] = []
        var batch: [(tag: Tag, bytes: [UInt8])] = []
        var out: [UInt8] = []
        while true {
            // Takes what is queued; once closed (by close() or a failed write) what is left is not written.
            let done = queue.withLock { q -> (closeFD: Bool, dropped: [Tag])? in
                guard q.lines.isEmpty || !q.open else {
                    swap(&batch, &q.lines)
                    return nil
                }
                q.writing = false
                defer { q.lines.removeAll() }
                return (q.closeWhenDone, q.lines.map(\.tag))
            }
            if let done {
                if done.closeFD { _ = Glibc.close(fd) }
                return undelivered + done.dropped
            }
            out.removeAll(keepingCapacity: true)
            for line in batch { out += line.bytes }
            do {
                try Syscall.writeAll(fd, out)
            } catch {
                queue.withLock { q in
                    if q.open { q.closeWhenDone = true }
                    q.open = false
                }
                undelivered += batch.map(\.tag)
            }
            batch.removeAll(keepingCapacity: true)
        }
    }

    /// Closes the descriptor (after the write under way, if any); later lines are undelivered.
    public func close() {
        let closeNow = queue.withLock { q -> Bool in
            guard q.open else { return false }
            q.open = false
            q.closeWhenDone = q.writing
            return !q.writing
        }
        if closeNow { _ = Glibc.close(fd) }
    }

    /// Whether lines are still accepted.
    public var isOpen: Bool { queue.withLock { $0.open } }

    /// Whether every line sent so far has been written (or handed back): nothing queued, no write under way.
    public var isIdle: Bool { queue.withLock { !$0.writing && $0.lines.isEmpty } }
}
