import Foundation

/// Where the engine gets the time: the system clock in production, a fixed or stepped one in tests.
public struct PolicyClock: Sendable {
    public let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    /// The system's wall clock.
    public static let system = PolicyClock { Date() }

    /// A clock that always reads `date`.
    public static func fixed(_ date: Date) -> PolicyClock { PolicyClock { date } }
}
