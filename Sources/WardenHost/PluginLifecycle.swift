import Foundation

/// The supervision state of one plugin, as a pure state machine: events in, an action out for the owner.
///
/// starting → ready on a good handshake; a crash of a ready plugin → backoff (exponential, capped) then
/// starting again; too many crashes inside the window → circuitOpen, which only a reload or a changed
/// manifest clears; a start that fails for a reason a restart cannot fix (bad grant, missing program) → failed.
public struct PluginLifecycle: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case stopped
        case starting
        case ready
        case backoff(until: ContinuousClock.Instant, attempt: Int)
        case failed(String)
        case circuitOpen(String)
        case stopping
    }

    public enum Event: Sendable, Equatable {
        case start
        case started
        /// The process died or a start attempt failed in a way a retry may fix.
        case crashed(String, at: ContinuousClock.Instant)
        /// A start failed in a way only a change of files can fix.
        case refused(String)
        case stop
        case stoppedCleanly
        case reset
    }

    public enum Action: Sendable, Equatable {
        case none
        case launch
        case scheduleRestart(after: Duration)
        case terminate
    }

    public private(set) var state: State = .stopped
    public private(set) var recentCrashes: [ContinuousClock.Instant] = []
    public private(set) var lastError: String?

    public static let circuitThreshold = 5
    public static let circuitWindow: Duration = .seconds(60)
    public static let initialBackoff: Duration = .milliseconds(100)
    public static let maximumBackoff: Duration = .seconds(30)

    public init() {}

    /// Applies an event and says what the owner must do.
    public mutating func handle(_ event: Event) -> Action {
        switch (state, event) {
        case (.stopped, .start), (.backoff, .start), (.failed, .reset), (.circuitOpen, .reset), (.stopped, .reset):
            if case .reset = event { recentCrashes.removeAll() }
            state = .starting
            return .launch
        case (.starting, .started):
            state = .ready
            return .none
        case (.starting, .crashed(let why, let now)), (.ready, .crashed(let why, let now)):
            lastError = why
            recentCrashes = recentCrashes.filter { now - $0 < Self.circuitWindow } + [now]
            if recentCrashes.count >= Self.circuitThreshold {
                state = .circuitOpen("\(recentCrashes.count) crashes within \(Self.circuitWindow): \(why)")
                return .none
            }
            let delay = Self.backoff(attempt: recentCrashes.count)
            state = .backoff(until: now + delay, attempt: recentCrashes.count)
            return .scheduleRestart(after: delay)
        case (.starting, .refused(let why)), (.ready, .refused(let why)):
            lastError = why
            state = .failed(why)
            return .none
        case (.ready, .stop), (.starting, .stop):
            state = .stopping
            return .terminate
        case (.backoff, .stop), (.failed, .stop), (.circuitOpen, .stop):
            state = .stopped
            return .none
        case (.stopping, .stoppedCleanly), (.stopping, .crashed):
            state = .stopped
            return .none
        default:
            return .none
        }
    }

    /// 100 ms, 200 ms, 400 ms, … capped at 30 s.
    public static func backoff(attempt: Int) -> Duration {
        let factor = 1 << min(max(attempt - 1, 0), 20)
        return min(initialBackoff * factor, maximumBackoff)
    }

    /// A short word for lists: ready, starting, backoff, failed, circuit-open, stopped, stopping.
    public var word: String {
        switch state {
        case .stopped: "stopped"
        case .starting: "starting"
        case .ready: "ready"
        case .backoff: "backoff"
        case .failed: "failed"
        case .circuitOpen: "circuit-open"
        case .stopping: "stopping"
        }
    }
}
