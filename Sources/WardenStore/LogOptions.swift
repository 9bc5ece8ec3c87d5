import Foundation

/// How a log writer behaves.
public struct LogOptions: Sendable, Hashable {
    /// SQLite's `synchronous` setting for the log's connection (the log runs in WAL mode).
    public enum Synchronous: String, Sendable, Hashable {
        /// Every commit waits until the WAL is on disk: an append that returned survives a power loss. The default;
        /// group commit makes it one `fsync` per batch, not per entry.
        case full = "FULL"
        /// Commits do not wait for the disk; the WAL is synced at each SQLite checkpoint. The database stays
        /// consistent after a power loss but the last appends (those since the last WAL sync) may be gone even
        /// though their callers were told they were recorded. For benchmarks and throwaway logs.
        case normal = "NORMAL"
    }

    public var synchronous: Synchronous = .full
    /// A checkpoint is signed after this many entries since the last one.
    public var checkpointEvery: Int = 1000
    /// … and after this many seconds if entries were appended since the last one.
    public var checkpointInterval: TimeInterval = 10
    /// The most appends committed in one transaction.
    public var maxBatch: Int = 2048
    /// How long opening a log waits for another process's writer lock before refusing (seconds; 0 refuses at
    /// once). The kernel waits a little, so that a command holding the lock for a moment does not stop it from
    /// starting.
    public var writerLockWait: TimeInterval = 0
    /// The largest payload accepted (bytes).
    public var maxPayloadBytes: Int = 1 << 20
    /// The origin line of a new log's checkpoints; by default `warden.log/` and 16 random hex digits. Ignored
    /// when the log exists.
    public var origin: String?

    public init() {}
}

/// The wall clock the log reads, injectable for tests.
public protocol LogClock: Sendable {
    /// Milliseconds since the Unix epoch.
    func nowMilliseconds() -> Int64
}

/// The system clock.
public struct SystemLogClock: LogClock {
    public init() {}
    public func nowMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}
