import Synchronization

/// Who is told that the list of tools `tools()` returns has changed: the MCP gateways, which pass it on to their
/// clients as `notifications/tools/list_changed`.
///
/// The list changes when a reload adds, changes or removes a tool plugin (a folder dropped in, edited or
/// deleted, or a grant changed), when a tool plugin announces a new list that differs from the one it had, and
/// when a tool plugin that a listing went without (it was not ready) starts: a listing lists only ready plugins
/// and waits for slow ones only so long.
struct ToolListObservers {
    var next: UInt64 = 0
    var observers: [UInt64: @Sendable () -> Void] = [:]
}

extension Kernel {
    /// Calls `observer` (on any thread) each time the tool list changes, until ``stopObservingToolList(_:)`` with
    /// the id returned.
    public func observeToolList(_ observer: @escaping @Sendable () -> Void) -> UInt64 {
        toolListObservers.withLock { o in
            defer { o.next += 1 }
            o.observers[o.next] = observer
            return o.next
        }
    }

    public func stopObservingToolList(_ id: UInt64) {
        _ = toolListObservers.withLock { $0.observers.removeValue(forKey: id) }
    }

    func toolListChanged() {
        let observers = toolListObservers.withLock { Array($0.observers.values) }
        for observer in observers { observer() }
    }
}
