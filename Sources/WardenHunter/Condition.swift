/// How a rule combines its named detections: `and`, `or`, `not`, parentheses and detection names.
/// `not` binds tightest, then `and`, then `or`.
public indirect enum Condition: Sendable, Hashable, CustomStringConvertible {
    case detection(String)
    case not(Condition)
    case and(Condition, Condition)
    case or(Condition, Condition)

    /// The detection names the expression mentions.
    public var names: Set<String> {
        switch self {
        case .detection(let name): [name]
        case .not(let inner): inner.names
        case .and(let left, let right), .or(let left, let right): left.names.union(right.names)
        }
    }

    public var description: String {
        switch self {
        case .detection(let name): name
        case .not(let inner): "not \(inner.parenthesized)"
        case .and(let left, let right): "\(left.parenthesized) and \(right.parenthesized)"
        case .or(let left, let right): "\(left.parenthesized) or \(right.parenthesized)"
        }
    }

    private var parenthesized: String {
        switch self {
        case .detection, .not: description
        case .and, .or: "(\(description))"
        }
    }

    /// Evaluates the expression, asking `value` for each detection at most once and only when needed.
    func evaluate(_ value: (String) -> Bool) -> Bool {
        switch self {
        case .detection(let name): value(name)
        case .not(let inner): !inner.evaluate(value)
        case .and(let left, let right): left.evaluate(value) && right.evaluate(value)
        case .or(let left, let right): left.evaluate(value) || right.evaluate(value)
        }
    }
}

/// Why a condition expression did not parse: the message and the character offset it points at.
public struct ConditionError: Error, Sendable, Equatable {
    public var message: String
    /// The offset in characters (Unicode scalars) from the start of the expression.
    public var offset: Int
}

extension Condition {
    /// Parses an expression whose names must all be in `known`.
    /// - Throws: `ConditionError` for a syntax error or an unknown detection name.
    public static func parse(_ text: String, known: Set<String>) throws(ConditionError) -> Condition {
        var parser = ConditionParser(text: text, known: known)
        return try parser.parseAll()
    }
}

/// A recursive-descent parser over the tokens of one expression.
struct ConditionParser {
    enum Token: Equatable {
        case name(String)
        case and, or, not, open, close, end
    }

    private var tokens: [(token: Token, offset: Int)] = []
    private var position = 0
    private let known: Set<String>
    private let text: String

    init(text: String, known: Set<String>) {
        self.text = text
        self.known = known
    }

    mutating func parseAll() throws(ConditionError) -> Condition {
        tokens = try Self.tokenize(text)
        guard tokens.count > 1 else { throw ConditionError(message: "the condition is empty", offset: 0) }
        let result = try parseOr()
        let (token, offset) = tokens[position]
        guard token == .end else {
            throw ConditionError(message: "unexpected \(Self.describe(token)) after a complete expression", offset: offset)
        }
        return result
    }

    private mutating func parseOr() throws(ConditionError) -> Condition {
        var left = try parseAnd()
        while tokens[position].token == .or {
            position += 1
            left = .or(left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws(ConditionError) -> Condition {
        var left = try parseUnary()
        while tokens[position].token == .and {
            position += 1
            left = .and(left, try parseUnary())
        }
        return left
    }

    private mutating func parseUnary() throws(ConditionError) -> Condition {
        let (token, offset) = tokens[position]
        switch token {
        case .not:
            position += 1
            return .not(try parseUnary())
        case .open:
            position += 1
            let inner = try parseOr()
            guard tokens[position].token == .close else {
                throw ConditionError(
                    message: "expected \")\" to close the \"(\" at offset \(offset), found \(Self.describe(tokens[position].token))",
                    offset: tokens[position].offset)
            }
            position += 1
            return inner
        case .name(let name):
            guard known.contains(name) else {
                let hint = Suggestion.closest(to: name, in: known).map { "; did you mean \"\($0)\"?" } ?? ""
                throw ConditionError(message: "unknown detection \"\(name)\"\(hint)", offset: offset)
            }
            position += 1
            return .detection(name)
        case .and, .or, .close, .end:
            throw ConditionError(message: "expected a detection name, \"not\" or \"(\", found \(Self.describe(token))", offset: offset)
        }
    }

    static func describe(_ token: Token) -> String {
        switch token {
        case .name(let name): "\"\(name)\""
        case .and: "\"and\""
        case .or: "\"or\""
        case .not: "\"not\""
        case .open: "\"(\""
        case .close: "\")\""
        case .end: "the end of the condition"
        }
    }

    static func tokenize(_ text: String) throws(ConditionError) -> [(token: Token, offset: Int)] {
        var result: [(token: Token, offset: Int)] = []
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                index += 1
                continue
            }
            if scalar == "(" || scalar == ")" {
                result.append((scalar == "(" ? .open : .close, index))
                index += 1
                continue
            }
            guard Self.isNameStart(scalar) else {
                throw ConditionError(message: "unexpected character \"\(scalar)\"", offset: index)
            }
            let start = index
            while index < scalars.count, Self.isNamePart(scalars[index]) { index += 1 }
            let word = String(String.UnicodeScalarView(scalars[start..<index]))
            switch word {
            case "and": result.append((.and, start))
            case "or": result.append((.or, start))
            case "not": result.append((.not, start))
            default: result.append((.name(word), start))
            }
        }
        result.append((.end, scalars.count))
        return result
    }

    static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || scalar == "_"
    }

    static func isNamePart(_ scalar: Unicode.Scalar) -> Bool {
        isNameStart(scalar) || (scalar >= "0" && scalar <= "9") || scalar == "-"
    }
}
