import WardenCore

/// Which side of a tool call a rule looks at.
public enum RuleScope: String, Sendable, Codable, CaseIterable {
    case input, output, both

    /// Whether a rule with this scope runs on a subject of `phase`.
    public func covers(_ phase: ScanPhase) -> Bool {
        switch self {
        case .both: true
        case .input: phase == .input
        case .output: phase == .output
        }
    }
}

/// One hunter rule, as read from a rule file: what it looks at, how it normalises values, what it looks for,
/// and the embedded tests that show it works. The schema is documented in `docs/hunter-rules.md`.
public struct HunterRule: Sendable {
    /// Stable identifier, lowercase with dashes, for example `sqli-union-select`.
    public var id: String
    public var title: String
    /// The attack family, for example `sqli`, `xss`, `ssrf`, `secrets`; policies match on it.
    public var category: String
    public var severity: Severity
    /// 1 (default, precise) to 4 (paranoid, noisy). An engine at level N runs the rules with level ≤ N.
    public var paranoia: Int
    public var scope: RuleScope
    /// The leaves the rule looks at; empty means every string leaf.
    public var targets: [PathGlob]
    /// Leaves the rule skips even when `targets` covers them (for example `$..command` for a rule about
    /// commands where no command is expected).
    public var excludedTargets: [PathGlob]
    /// Applied in order to each leaf before the detections look at it.
    public var transforms: [Transform]
    /// The named detections, in file order.
    public var detections: [Detection]
    public var condition: Condition
    /// Literals of which at least one must occur (ignoring ASCII case) in the transformed value before the
    /// rule's detections run. Declared in the file, or derived from the detections when absent.
    public var declaredPrefilter: [String]?
    public var tests: [RuleTestCase]
    /// Free text for people: why the rule exists, what it misses.
    public var description: String?
    /// Where the rule starts in its file.
    public var location: SourceLocation

    public init(
        id: String, title: String, category: String, severity: Severity, paranoia: Int = 1,
        scope: RuleScope = .input, targets: [PathGlob] = [], excludedTargets: [PathGlob] = [],
        transforms: [Transform] = [],
        detections: [Detection], condition: Condition, declaredPrefilter: [String]? = nil,
        tests: [RuleTestCase] = [], description: String? = nil,
        location: SourceLocation = SourceLocation(file: "<memory>", line: 1, column: 1)
    ) {
        self.id = id
        self.title = title
        self.category = category
        self.severity = severity
        self.paranoia = paranoia
        self.scope = scope
        self.targets = targets
        self.excludedTargets = excludedTargets
        self.transforms = transforms
        self.detections = detections
        self.condition = condition
        self.declaredPrefilter = declaredPrefilter
        self.tests = tests
        self.description = description
        self.location = location
    }
}

/// One named detection: a matcher, and optional bounds on what it matched.
///
/// With `regex`, the bounds (`entropy_at_least`, `length`) apply to each match, and the detection holds when
/// some match satisfies them. With any other matcher, or none, they apply to the whole transformed value.
public struct Detection: Sendable, Hashable {
    public enum Matcher: Sendable, Hashable {
        case regex(String)
        case containsAny([String])
        case startsWith([String])
        case equals([String])
        /// Only bounds: the detection looks at the whole value.
        case wholeValue
    }

    public var name: String
    public var matcher: Matcher
    /// Shannon entropy in bits per character that the matched text must reach.
    public var minimumEntropy: Double?
    /// Bounds on the matched text's length in characters (Unicode scalars).
    public var minimumLength: Int?
    public var maximumLength: Int?
    /// Literal and regex matching ignore ASCII case.
    public var caseless: Bool
    /// Literals of which one must occur for the detection to run (declared; derived from the matcher when nil).
    public var declaredPrefilter: [String]?

    public init(
        name: String, matcher: Matcher, minimumEntropy: Double? = nil, minimumLength: Int? = nil,
        maximumLength: Int? = nil, caseless: Bool = false, declaredPrefilter: [String]? = nil
    ) {
        self.declaredPrefilter = declaredPrefilter
        self.name = name
        self.matcher = matcher
        self.minimumEntropy = minimumEntropy
        self.minimumLength = minimumLength
        self.maximumLength = maximumLength
        self.caseless = caseless
    }
}

/// An example embedded in a rule file: a value the rule must (or must not) flag.
public struct RuleTestCase: Sendable {
    /// Optional label shown in reports.
    public var name: String?
    /// The phase to scan in; defaults to `input` unless the rule's scope is `output`.
    public var phase: ScanPhase?
    public var tool: String
    /// The scanned value: a string (`input:` in the file) or any JSON value (`value:`).
    public var value: JSONValue
    /// Whether the rule must fire (`match: true`) or must stay silent (`match: false`).
    public var shouldMatch: Bool
    /// A known gap: reported as "todo" instead of failing, and reported as "fixed" when it starts passing.
    public var todo: Bool
    /// No other rule may fire on this case.
    public var isolated: Bool
    public var location: SourceLocation

    public init(
        name: String? = nil, phase: ScanPhase? = nil, tool: String = "test", value: JSONValue, shouldMatch: Bool,
        todo: Bool = false, isolated: Bool = false,
        location: SourceLocation = SourceLocation(file: "<memory>", line: 1, column: 1)
    ) {
        self.name = name
        self.phase = phase
        self.tool = tool
        self.value = value
        self.shouldMatch = shouldMatch
        self.todo = todo
        self.isolated = isolated
        self.location = location
    }
}
