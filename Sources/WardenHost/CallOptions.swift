import WardenCore

/// How a caller wants one call handled beyond its arguments.
public struct CallOptions: Sendable {
    /// The caller's idempotency key: a held call made again with the same key finds the same request, and once it
    /// ran, returns its recorded result instead of running again. Without one, the call's bound digest (tool,
    /// arguments, tool definition, plugin, caller) is the key.
    public var idempotencyKey: String?
    /// How long a call held for approval waits for the decision before it answers "pending approval".
    public var approvalWait: Duration
    /// Told while a held call waits: seconds waited and a sentence naming the request and how to approve it.
    public var progress: (@Sendable (_ elapsed: Double, _ message: String) -> Void)?
    /// The MCP progress token of the caller's request. The tool gets a token of the kernel's instead, and its
    /// progress comes back to ``toolProgress`` under this one.
    public var progressToken: JSONValue?
    /// Where the tool's progress notifications go (their `params`, already under ``progressToken``).
    public var toolProgress: (@Sendable (JSONValue) -> Void)?

    public init(
        idempotencyKey: String? = nil, approvalWait: Duration = .zero,
        progress: (@Sendable (Double, String) -> Void)? = nil, progressToken: JSONValue? = nil
    ) {
        self.idempotencyKey = idempotencyKey
        self.approvalWait = approvalWait
        self.progress = progress
        self.progressToken = progressToken
    }

    /// The longest an idempotency key may be.
    public static let maximumKeyLength = 200
}
