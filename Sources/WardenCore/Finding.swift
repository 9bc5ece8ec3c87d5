/// How bad a hunter finding is. Ordered: `info < low < medium < high < critical`.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case info, low, medium, high, critical

    private var rank: Int {
        switch self {
        case .info: 0
        case .low: 1
        case .medium: 2
        case .high: 3
        case .critical: 4
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// Which side of a tool call a detector looked at.
public enum ScanPhase: String, Sendable, Codable {
    case input, output
}

/// What a hunter detector reports: it finds, it does not decide. Policies decide what a finding means.
public struct Finding: Sendable, Codable, Hashable {
    /// The detector rule that fired, for example `sqli-union-select`.
    public var ruleID: String
    /// The attack family, for example `sqli`, `xss`, `path-traversal`, `secrets`.
    public var category: String
    public var severity: Severity
    /// The JSON path of the string leaf that matched, for example `$.query` or `$.items[2].url`.
    public var path: String
    /// A bounded, redacted excerpt of the matched value; never the whole value.
    public var excerpt: String
    /// The transforms applied before the match, in order (for example `url-decode`, `lowercase`).
    public var transforms: [String]
    /// The plugin that reported it (filled in by the kernel, not trusted from the detector).
    public var detector: String?

    public init(
        ruleID: String, category: String, severity: Severity, path: String, excerpt: String,
        transforms: [String] = [], detector: String? = nil
    ) {
        self.ruleID = ruleID
        self.category = category
        self.severity = severity
        self.path = path
        self.excerpt = excerpt
        self.transforms = transforms
        self.detector = detector
    }

    enum CodingKeys: String, CodingKey {
        case ruleID = "rule_id", category, severity, path, excerpt, transforms, detector
    }
}
