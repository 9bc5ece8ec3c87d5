import WardenCore

/// One rule of a policy file, validated and compiled: what it matches, what must hold, what it decides.
///
/// A class, not a struct: the evaluation path touches every candidate rule, and copying a struct of this
/// size costs a retain and a release per field.
public final class PolicyRule: Sendable {
    /// Unique across the whole policy set.
    public let id: String
    public let effect: PolicyEffect
    /// The sentence shown as the reason when this rule decides.
    public let description: String
    /// Where the rule starts (its `- id:` line).
    public let location: SourceLocation
    let match: RuleMatch
    let conditions: [Condition]
    let approval: ApprovalSettings?
    /// The rule as written, without locations (for the linter's comparisons).
    let source: JSONValue

    /// `id: description`, the reason given when this rule decides.
    let reason: String

    init(
        id: String, effect: PolicyEffect, description: String, location: SourceLocation, match: RuleMatch,
        conditions: [Condition], approval: ApprovalSettings?, source: JSONValue
    ) {
        self.id = id
        self.effect = effect
        self.description = description
        self.location = location
        self.match = match
        self.conditions = conditions
        self.approval = approval
        self.source = source
        self.reason = "\(id): \(description)"
    }

    /// The tool names and globs the rule applies to.
    public var toolPatterns: [String] { match.tools.map(\.pattern) }

    /// Whether some condition is a rate limit (the rule then keeps state between calls).
    var isRateLimited: Bool { conditions.contains { $0.containsRateLimit } }
}

/// Which calls a rule looks at: tool names or globs, and optionally plugins and callers.
struct RuleMatch: Sendable {
    var tools: [Glob]
    /// Empty means any plugin.
    var plugins: [Glob]
    /// Empty means any caller.
    var callers: [Glob]

    func matches(tool: String) -> Bool { tools.contains { $0.matches(tool) } }

    func matches(plugin: String, caller: String) -> Bool {
        (plugins.isEmpty || plugins.contains { $0.matches(plugin) })
            && (callers.isEmpty || callers.contains { $0.matches(caller) })
    }
}
