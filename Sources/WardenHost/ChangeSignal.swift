import Synchronization

/// Wakes every task waiting on it. Approval waits use it so that a held call resumes as soon as a decision is
/// recorded, not at the next poll.
final class ChangeSignal: Sendable {
    private struct State {
        var next: UInt64 = 0
        /// Counts signals, so that a waiter that looked before a signal and waits after it does not miss it.
        var generation: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        /// Waits whose timeout or cancellation came before they registered: they must not block.
        var fired: Set<UInt64> = []
        /// Waits in progress (so that a late timer of a finished wait leaves nothing behind).
        var active: Set<UInt64> = []
    }
    private let state = Mutex(State())

    /// Wakes every current waiter.
    func signal() {
        let woken = state.withLock { s in
            s.generation &+= 1
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for continuation in woken { continuation.resume() }
    }

    /// The current count of signals: read it before looking at what may change, then pass it to
    /// ``wait(since:timeout:)``.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Returns at once if a signal came after `generation` was read; otherwise at the next ``signal()``, after
    /// `timeout`, or when the task is cancelled, whichever is first.
    func wait(since generation: UInt64, timeout: Duration) async {
        let id = state.withLock { s in
            defer { s.next += 1 }
            s.active.insert(s.next)
            return s.next
        }
        let timer = Task {
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            self.resume(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let registered = state.withLock { s in
                    // Timed out or cancelled before we got here: do not wait at all.
                    if s.fired.remove(id) != nil || Task.isCancelled || s.generation != generation { return false }
                    s.waiters[id] = continuation
                    return true
                }
                if !registered { continuation.resume() }
            }
        } onCancel: {
            self.resume(id)
        }
        timer.cancel()
        state.withLock { s in
            s.active.remove(id)
            s.fired.remove(id)
        }
    }

    private func resume(_ id: UInt64) {
        let waiter = state.withLock { s in
            guard let w = s.waiters.removeValue(forKey: id) else {
                if s.active.contains(id) { s.fired.insert(id) }
                return nil as CheckedContinuation<Void, Never>?
            }
            return w
        }
        waiter?.resume()
    }
}
