import WardenCore

/// One broken invariant, as `rule/check` reports it. Any violation denies the call, even over an approval.
public struct RuleViolation: Sendable, Hashable {
    /// The standard rule that was broken: `schema`, `workspace`, `size` or `rate`.
    public var rule: String
    /// A sentence naming the value and what is wrong with it.
    public var message: String
    /// The JSON path of the offending value, when there is one.
    public var path: String?

    public init(rule: String, message: String, path: String? = nil) {
        self.rule = rule
        self.message = message
        self.path = path
    }

    /// `{rule, message, path?}`.
    public var json: JSONValue {
        var o: [String: JSONValue] = ["rule": .string(rule), "message": .string(message)]
        if let path { o["path"] = .string(path) }
        return .object(o)
    }
}
