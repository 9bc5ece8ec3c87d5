/// A shell-style wildcard pattern, matched against a whole string.
///
/// `*` matches any run of characters (including none, and including `/` and `.`), `?` matches one
/// character, `[abc]`, `[a-z]` and `[!a-z]` match one character from (or not from) a set, and `\`
/// makes the next character literal. Matching is on Unicode scalars; with `foldCase`, ASCII letters
/// match either case.
struct Glob: Sendable, Hashable, CustomStringConvertible {
    enum Token: Sendable, Hashable {
        case literal(Unicode.Scalar)
        case any
        case star
        case set(ranges: [ClosedRange<UInt32>], negated: Bool)
    }

    let pattern: String
    let tokens: [Token]
    let foldCase: Bool
    /// Fast forms: the pattern is a literal, `literal*`, `*literal` or `*literal*`.
    let shape: Shape

    enum Shape: Sendable, Hashable {
        case exact([UInt8])
        case prefix([UInt8])
        case suffix([UInt8])
        case infix([UInt8])
        case general
    }

    var description: String { pattern }

    /// - Throws: a sentence saying what is wrong with the pattern.
    init(_ pattern: String, foldCase: Bool = false) throws(PatternError) {
        self.pattern = pattern
        self.foldCase = foldCase
        var tokens: [Token] = []
        var scalars = Array(pattern.unicodeScalars)[...]
        while let c = scalars.popFirst() {
            switch c {
            case "*":
                if tokens.last != .star { tokens.append(.star) }
            case "?": tokens.append(.any)
            case "\\":
                guard let next = scalars.popFirst() else {
                    throw PatternError("the glob \"\(pattern)\" ends with a lone backslash")
                }
                tokens.append(.literal(Self.fold(next, foldCase)))
            case "[":
                var negated = false
                if let f = scalars.first, f == "!" || f == "^" {
                    negated = true
                    scalars.removeFirst()
                }
                var ranges: [ClosedRange<UInt32>] = []
                var closed = false
                var first = true
                while let m = scalars.popFirst() {
                    if m == "]" && !first {
                        closed = true
                        break
                    }
                    first = false
                    var low = m
                    if low == "\\" {
                        guard let e = scalars.popFirst() else { break }
                        low = e
                    }
                    var high = low
                    if scalars.count >= 2, scalars.first == "-", scalars.dropFirst().first != "]" {
                        scalars.removeFirst()
                        high = scalars.removeFirst()
                        if high == "\\", let e = scalars.popFirst() { high = e }
                    }
                    guard low.value <= high.value else {
                        throw PatternError("the glob \"\(pattern)\" has a reversed range \(low)-\(high)")
                    }
                    ranges.append(low.value...high.value)
                    if foldCase {
                        for letter in low.value...min(high.value, 0x7F) {
                            if (0x41...0x5A).contains(letter) { ranges.append((letter | 0x20)...(letter | 0x20)) }
                            if (0x61...0x7A).contains(letter) { ranges.append((letter & ~0x20)...(letter & ~0x20)) }
                        }
                    }
                }
                guard closed else { throw PatternError("the glob \"\(pattern)\" has a [ without its ]") }
                tokens.append(.set(ranges: ranges, negated: negated))
            default:
                tokens.append(.literal(Self.fold(c, foldCase)))
            }
        }
        self.tokens = tokens
        self.shape = Self.shape(of: tokens)
    }

    private static func shape(of tokens: [Token]) -> Shape {
        var body = tokens[...]
        let leadingStar = body.first == .star
        let trailingStar = body.count > (leadingStar ? 1 : 0) && body.last == .star
        if leadingStar { body = body.dropFirst() }
        if trailingStar { body = body.dropLast() }
        var bytes: [UInt8] = []
        for token in body {
            guard case .literal(let s) = token else { return .general }
            bytes.append(contentsOf: String(Character(s)).utf8)
        }
        switch (leadingStar, trailingStar) {
        case (false, false): return .exact(bytes)
        case (false, true): return .prefix(bytes)
        case (true, false): return .suffix(bytes)
        case (true, true): return .infix(bytes)
        }
    }

    private static func fold(_ s: Unicode.Scalar, _ fold: Bool) -> Unicode.Scalar {
        fold && s.value >= 0x41 && s.value <= 0x5A ? Unicode.Scalar(s.value | 0x20)! : s
    }

    /// The literal text before the first wildcard (the whole pattern when it has none).
    var literalPrefix: String {
        var out = String.UnicodeScalarView()
        for token in tokens {
            guard case .literal(let s) = token else { break }
            out.append(s)
        }
        return String(out)
    }

    /// Whether the whole of `s` matches.
    func matches(_ s: String) -> Bool {
        switch shape {
        case .exact(let b): return ByteString.withBytes(s) { ByteString.equal($0, b, foldCase: foldCase) }
        case .prefix(let b): return ByteString.withBytes(s) { ByteString.hasPrefix($0, b, foldCase: foldCase) }
        case .suffix(let b): return ByteString.withBytes(s) { ByteString.hasSuffix($0, b, foldCase: foldCase) }
        case .infix(let b): return ByteString.withBytes(s) { ByteString.contains($0, b, foldCase: foldCase) }
        case .general: return matches(Array(s.unicodeScalars))
        }
    }

    private func matches(_ s: [Unicode.Scalar]) -> Bool {
        // Iterative matching with backtracking to the last star: O(n·m) at worst, no recursion.
        var p = 0
        var i = 0
        var starP = -1
        var starI = 0
        while i < s.count {
            if p < tokens.count {
                switch tokens[p] {
                case .star:
                    starP = p
                    starI = i
                    p += 1
                    continue
                case .any:
                    p += 1
                    i += 1
                    continue
                case .literal(let c):
                    if Self.fold(s[i], foldCase) == c {
                        p += 1
                        i += 1
                        continue
                    }
                case .set(let ranges, let negated):
                    let v = s[i].value
                    if ranges.contains(where: { $0.contains(v) }) != negated {
                        p += 1
                        i += 1
                        continue
                    }
                }
            }
            guard starP >= 0 else { return false }
            p = starP + 1
            starI += 1
            i = starI
        }
        while p < tokens.count, tokens[p] == .star { p += 1 }
        return p == tokens.count
    }
}

/// Why a pattern (glob, regular expression, JSON path, address block) cannot be compiled.
struct PatternError: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}
