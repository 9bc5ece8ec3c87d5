/// A prefilter requirement: at least one of these literals occurs in any value a detection can match,
/// compared ignoring ASCII case and treating each run of whitespace as one space.
struct LiteralSet: Sendable, Hashable {
    /// Normalised literals: ASCII lowercase, whitespace runs folded to one space, never empty.
    private(set) var literals: Set<String>

    /// The largest number of alternatives a useful requirement may have.
    static let maximumAlternatives = 64

    /// A requirement, or `nil` when it would not filter anything (an empty literal, or too many alternatives).
    init?<S: Sequence>(_ literals: S) where S.Element == String {
        var normalized = Set<String>()
        for literal in literals {
            let folded = Self.normalize(literal)
            guard !folded.isEmpty else { return nil }
            normalized.insert(folded)
        }
        guard !normalized.isEmpty, normalized.count <= Self.maximumAlternatives else { return nil }
        self.literals = normalized
    }

    /// ASCII lowercase, whitespace runs → one space, NUL bytes dropped (the automaton ignores them).
    static func normalize(_ literal: String) -> String {
        var bytes: [UInt8] = []
        var previousSpace = false
        for byte in literal.utf8 where byte != 0 {
            if TextDecoding.isWhitespace(byte) {
                if !previousSpace { bytes.append(0x20) }
                previousSpace = true
            } else {
                bytes.append(byte &- 65 < 26 ? byte | 0x20 : byte)
                previousSpace = false
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// How selective the requirement is: longer shortest literal first, then fewer alternatives.
    var score: (Int, Int) {
        (literals.map(\.utf8.count).min() ?? 0, -literals.count)
    }

    /// The more selective of two requirements (either is enough for a conjunction).
    static func better(_ a: LiteralSet?, _ b: LiteralSet?) -> LiteralSet? {
        guard let a else { return b }
        guard let b else { return a }
        return a.score >= b.score ? a : b
    }

    /// The requirement of a disjunction: one of either side's literals.
    static func union(_ a: LiteralSet?, _ b: LiteralSet?) -> LiteralSet? {
        guard let a, let b else { return nil }
        return LiteralSet(a.literals.union(b.literals))
    }
}
