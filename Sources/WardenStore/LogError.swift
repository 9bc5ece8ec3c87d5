/// Why the log could not do what was asked.
public struct LogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure, for callers that branch on them.
    public enum Code: String, Sendable, Equatable {
        /// SQLite (or the disk under it) failed; the message carries its text.
        case storage
        /// The log was closed; nothing more can be appended.
        case closed
        /// An earlier write failed, so this writer refuses everything after it: reopen the log to recover.
        case writerFailed
        /// The payload or payload type cannot be logged.
        case invalidPayload
        /// The signing key is not the key the log expects.
        case keyMismatch
        /// No such entry, checkpoint or log.
        case notFound
        /// The stored log is not in a shape this version can read (schema, metadata).
        case corrupt
        /// A proof was asked for sizes or entries the log cannot prove.
        case invalidRequest
    }

    public var code: Code
    /// A sentence for a person: what failed and, where there is one, what to do.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
