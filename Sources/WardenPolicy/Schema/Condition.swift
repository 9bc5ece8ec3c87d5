import WardenCore

/// Three-valued truth: a condition holds, does not hold, or cannot be evaluated (and the rule that
/// contains it then denies).
enum Truth: Sendable, Equatable {
    case yes
    case no
    case error(String)

    /// Strong Kleene negation: an error stays an error.
    var negated: Truth {
        switch self {
        case .yes: .no
        case .no: .yes
        case .error: self
        }
    }
}

/// One condition of a rule, compiled. (A class so that evaluation does not copy it.)
final class Condition: Sendable {
    enum Kind: Sendable {
        case value(ValueCondition)
        case finding(FindingCondition)
        case time(TimeCondition)
        case rateLimit(RateLimitCondition)
        case anyOf([Condition])
        case allOf([Condition])
    }

    let kind: Kind
    let negate: Bool
    let location: SourceLocation
    /// The condition as written, without locations.
    let source: JSONValue
    /// One line for people: `$.path prefix "/etc/"`.
    let summary: String

    init(kind: Kind, negate: Bool, location: SourceLocation, source: JSONValue, summary: String) {
        self.kind = kind
        self.negate = negate
        self.location = location
        self.source = source
        self.summary = summary
    }

    var containsRateLimit: Bool {
        switch kind {
        case .rateLimit: true
        case .anyOf(let c), .allOf(let c): c.contains { $0.containsRateLimit }
        default: false
        }
    }
}

/// A test on one value: an argument (by JSON path) or a granted capability (by name).
final class ValueCondition: Sendable {
    enum Subject: Sendable, Hashable {
        case argument(JSONPath)
        case capability(String)
    }

    /// A derived value tested instead of the raw one.
    enum Transform: String, Sendable, CaseIterable {
        /// The host of an absolute URL, lower-cased, without port, user or trailing dot.
        case urlHost = "url_host"
        /// The scheme of an absolute URL, lower-cased.
        case urlScheme = "url_scheme"
        /// The path with `.`, `..` and repeated `/` resolved textually (symbolic links are the rules' job).
        case normalizedPath = "normalized_path"
        /// The length of a string (UTF-8 bytes), an array or an object.
        case length
        /// An array of strings joined with single spaces (for example a program's arguments).
        case join
    }

    enum Comparison: String, Sendable, CaseIterable {
        case lt, le, gt, ge
    }

    enum Test: Sendable {
        case equals(JSONValue)
        case oneOf(values: [JSONValue], strings: [String: [[UInt8]]])
        case glob([Glob])
        case regex(CompiledRegex)
        case prefix([[UInt8]])
        case suffix([[UInt8]])
        case contains(text: [[UInt8]], elements: [JSONValue])
        case compare(Comparison, JSONValue)
        case exists(Bool)
        case cidr([CIDRBlock])
    }

    let subject: Subject
    let transform: Transform?
    let test: Test
    /// ASCII letters compare without case (operands are stored folded).
    let ignoreCase: Bool
    /// For a transformed value: its place in the per-evaluation memo, shared by every condition of the
    /// set that applies the same transform to the same subject (a URL is parsed once per decision).
    let memoSlot: Int?

    init(subject: Subject, transform: Transform?, test: Test, ignoreCase: Bool, memoSlot: Int?) {
        self.subject = subject
        self.transform = transform
        self.test = test
        self.ignoreCase = ignoreCase
        self.memoSlot = memoSlot
    }
}

/// Holds when some hunter finding matches every given field.
struct FindingCondition: Sendable {
    var categories: [Glob]
    var rules: [Glob]
    var minimumSeverity: Severity?
}

/// Holds when the request's time (UTC) falls in the range and on one of the days.
struct TimeCondition: Sendable {
    /// Minutes after midnight; start inclusive, end exclusive; a range may cross midnight.
    var between: (start: Int, end: Int)?
    /// 0 = Sunday … 6 = Saturday.
    var weekdays: Set<Int>?
}

/// Holds when more than `count` requests that satisfied the rule's other conditions arrived within the
/// window, counted per caller and/or per tool.
struct RateLimitCondition: Sendable {
    var count: Int
    var windowSeconds: Int
    var perCaller: Bool
    var perTool: Bool
}

/// Transformed values computed during one decision, so that several conditions on `url_host($.url)` parse
/// the URL once.
final class EvaluationMemo {
    private var values: [Result<JSONValue, ValueCondition.ObservationFailure>?] = []

    subscript(slot: Int) -> Result<JSONValue, ValueCondition.ObservationFailure>? {
        get { slot < values.count ? values[slot] : nil }
        set {
            if slot >= values.count { values.append(contentsOf: repeatElement(nil, count: slot + 1 - values.count)) }
            values[slot] = newValue
        }
    }
}
