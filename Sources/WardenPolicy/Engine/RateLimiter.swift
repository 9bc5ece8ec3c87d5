import Foundation
import Synchronization

/// Sliding-window counters for rate-limit conditions, kept in the engine's process.
///
/// One window per (rule, caller, tool) key holds, in a ring, the times of the last `count + 1` counted
/// calls, so recording is O(1). The number of keys is capped; when the cap is reached and sweeping
/// expired windows frees nothing, a new key counts as over its limit (fail closed) rather than growing
/// memory without bound.
public final class RateLimiter: Sendable {
    struct Key: Hashable {
        var rule: String
        var caller: String
        var tool: String
    }

    /// The times of the most recent calls, oldest at `head`.
    struct Window {
        var times: [Double]
        var head = 0
        var count = 0
        var windowSeconds: Double

        init(capacity: Int, windowSeconds: Double) {
            times = [Double](repeating: 0, count: capacity)
            self.windowSeconds = windowSeconds
        }

        var newest: Double? { count == 0 ? nil : times[(head + count - 1) % times.count] }

        mutating func record(_ t: Double) -> Int {
            // Forget calls that left the window (and any from a clock that has since gone backwards).
            while count > 0 {
                let oldest = times[head]
                guard oldest <= t - windowSeconds || oldest > t else { break }
                head = (head + 1) % times.count
                count -= 1
            }
            if count == times.count {
                head = (head + 1) % times.count
                count -= 1
            }
            times[(head + count) % times.count] = t
            count += 1
            return count
        }
    }

    struct State {
        var windows: [Key: Window] = [:]
    }

    private let state = Mutex(State())
    private let maximumKeys: Int

    /// - Parameter maximumKeys: how many distinct (rule, caller, tool) windows to keep at most.
    public init(maximumKeys: Int = 100_000) {
        self.maximumKeys = maximumKeys
    }

    /// Counts one call at `now` and says whether the key is now over `limit` calls within the window.
    func record(rule: String, caller: String, tool: String, limit: Int, windowSeconds: Int, now: Date) -> Bool {
        let key = Key(rule: rule, caller: caller, tool: tool)
        let t = now.timeIntervalSince1970
        let span = Double(windowSeconds)
        return state.withLock { state in
            if state.windows[key] == nil, state.windows.count >= maximumKeys {
                state.windows = state.windows.filter { _, w in (w.newest ?? -.infinity) > t - w.windowSeconds }
                if state.windows.count >= maximumKeys { return true }
            }
            var counted = 0
            if state.windows[key]?.times.count == limit + 1, state.windows[key]?.windowSeconds == span {
                counted = state.windows[key]!.record(t)
            } else {
                // New key, or the rule's limit changed with a reload: start a window of the new shape.
                var window = Window(capacity: limit + 1, windowSeconds: span)
                counted = window.record(t)
                state.windows[key] = window
            }
            return counted > limit
        }
    }

    /// How many windows are held (for status and tests).
    public var keyCount: Int { state.withLock { $0.windows.count } }
}
