/// Derives a prefilter requirement from a PCRE pattern: literals of which one must occur in every match.
///
/// A small recursive-descent reading of the pattern, conservative by construction: any construct it does not
/// understand counts as "matches anything", which can only weaken the requirement, never make it wrong.
struct RegexLiterals {
    /// What a piece of pattern tells about its matches.
    struct Info {
        /// The piece matches exactly one of these strings (small sets only).
        var exact: Set<String>?
        /// Every match of the piece contains one of these.
        var required: LiteralSet?
        /// Further requirements that hold at the same time (a sequence needs each of its parts).
        var all: [LiteralSet] = []

        static let anything = Info(exact: nil, required: nil)
        static let empty = Info(exact: [""], required: nil)

        /// The requirement this piece gives on its own.
        var asRequirement: LiteralSet? {
            if let exact { return LiteralSet(exact) }
            return required
        }
    }

    static let maximumExact = 16

    private let scalars: [Unicode.Scalar]
    private var index = 0
    /// Non-ASCII literals cannot be folded by the ASCII-only automaton when the pattern ignores case.
    private let caseless: Bool

    /// The requirement of `pattern`, or `nil` when none can be derived.
    static func requirement(of pattern: String, caseless: Bool) -> LiteralSet? {
        requirements(of: pattern, caseless: caseless).first
    }

    /// Requirements that must all hold for `pattern` to match, most selective first (at most `limit`).
    static func requirements(of pattern: String, caseless: Bool, limit: Int = 3) -> [LiteralSet] {
        guard let info = analyze(pattern, caseless: caseless) else { return [] }
        var sets = info.all
        if let best = info.asRequirement { sets.append(best) }
        var unique: [LiteralSet] = []
        for set in sets.sorted(by: { $0.score > $1.score }) where !unique.contains(set) { unique.append(set) }
        return Array(unique.prefix(limit))
    }

    private static func analyze(_ pattern: String, caseless: Bool) -> Info? {
        // Extended mode changes what whitespace means; do not guess.
        if pattern.contains("(?x") || pattern.contains("(?-x") || pattern.range(of: "(?[a-wyz-]*x", options: .regularExpression) != nil {
            return nil
        }
        var reader = RegexLiterals(pattern: pattern, caseless: caseless || pattern.contains("(?i"))
        let info = reader.parseAlternation()
        guard reader.index == reader.scalars.count else { return nil }
        return info
    }

    private init(pattern: String, caseless: Bool) {
        self.scalars = Array(pattern.unicodeScalars)
        self.caseless = caseless
    }

    private var atEnd: Bool { index >= scalars.count }
    private var current: Unicode.Scalar { scalars[index] }

    private mutating func parseAlternation() -> Info {
        var branches = [parseSequence()]
        while !atEnd, current == "|" {
            index += 1
            branches.append(parseSequence())
        }
        if branches.count == 1 { return branches[0] }
        if branches.allSatisfy({ $0.exact != nil }) {
            let union = branches.reduce(into: Set<String>()) { $0.formUnion($1.exact!) }
            if union.count <= Self.maximumExact { return Info(exact: union, required: nil) }
        }
        var required: LiteralSet? = branches[0].asRequirement
        for branch in branches.dropFirst() { required = LiteralSet.union(required, branch.asRequirement) }
        return Info(exact: nil, required: required)
    }

    private mutating func parseSequence() -> Info {
        var exact: Set<String>? = [""]
        var allExact = true
        var best: LiteralSet? = nil
        var all: [LiteralSet] = []
        while !atEnd, current != "|", current != ")" {
            let item = parseQuantified()
            all.append(contentsOf: item.all)
            if let current = exact, let next = item.exact, current.count * next.count <= Self.maximumExact {
                var product = Set<String>()
                for left in current { for right in next { product.insert(left + right) } }
                exact = product
            } else {
                allExact = false
                if let run = exact.flatMap({ LiteralSet($0) }) { all.append(run) }
                if let required = item.required { all.append(required) }
                best = LiteralSet.better(best, exact.flatMap { LiteralSet($0) })
                best = LiteralSet.better(best, item.required)
                exact = item.exact
            }
        }
        if allExact { return Info(exact: exact, required: nil, all: all) }
        if let run = exact.flatMap({ LiteralSet($0) }) { all.append(run) }
        return Info(exact: nil, required: LiteralSet.better(best, exact.flatMap { LiteralSet($0) }), all: all)
    }

    private mutating func parseQuantified() -> Info {
        let atom = parseAtom()
        guard !atEnd else { return atom }
        var minimum: Int? = nil
        switch current {
        case "*", "?":
            minimum = 0
            index += 1
        case "+":
            minimum = 1
            index += 1
        case "{":
            if let (low, length) = braceQuantifier() {
                minimum = low
                index += length
            }
        default:
            break
        }
        guard let minimum else { return atom }
        if !atEnd, current == "?" || current == "+" { index += 1 }  // lazy / possessive
        // An optional piece may be absent: it breaks an exact run, and requires nothing.
        if minimum == 0 { return .anything }
        return Info(exact: nil, required: atom.asRequirement, all: atom.all)
    }

    /// `{n}`, `{n,}`, `{n,m}` at the cursor: the minimum and the length of the quantifier.
    private func braceQuantifier() -> (Int, Int)? {
        var cursor = index + 1
        var digits = ""
        while cursor < scalars.count, ("0"..."9").contains(scalars[cursor]) {
            digits.unicodeScalars.append(scalars[cursor])
            cursor += 1
        }
        guard let low = Int(digits), cursor < scalars.count else { return nil }
        if scalars[cursor] == "," {
            cursor += 1
            while cursor < scalars.count, ("0"..."9").contains(scalars[cursor]) { cursor += 1 }
        }
        guard cursor < scalars.count, scalars[cursor] == "}" else { return nil }
        return (low, cursor + 1 - index)
    }

    private func literal(_ scalar: Unicode.Scalar) -> Info {
        if caseless && !scalar.isASCII { return .anything }
        return Info(exact: [String(scalar)], required: nil)
    }

    private mutating func parseAtom() -> Info {
        let scalar = current
        index += 1
        switch scalar {
        case "(":
            return parseGroup()
        case "[":
            return parseClass()
        case "\\":
            return parseEscape()
        case ".":
            return .anything
        case "^", "$":
            return .empty
        default:
            return literal(scalar)
        }
    }

    private mutating func parseGroup() -> Info {
        if !atEnd, current == "*" {
            // (*VERB) or (*UTF): no characters.
            while !atEnd, current != ")" { index += 1 }
            if !atEnd { index += 1 }
            return .empty
        }
        var zeroWidth = false
        if !atEnd, current == "?" {
            index += 1
            guard !atEnd else { return .anything }
            switch current {
            case ":", ">", "|":
                index += 1
            case "=", "!":
                index += 1
                zeroWidth = true
            case "<":
                index += 1
                if !atEnd, current == "=" || current == "!" {
                    index += 1
                    zeroWidth = true
                } else {
                    skipName(until: ">")
                }
            case "P":
                index += 1
                if !atEnd, current == "<" { skipName(until: ">") } else { return skipGroup() }
            case "'":
                index += 1
                skipName(until: "'")
            case "#":
                while !atEnd, current != ")" { index += 1 }
                if !atEnd { index += 1 }
                return .empty
            case "(":
                return skipGroup()
            default:
                // Inline flags: (?i) (?s-m) or (?i: … ); anything else (recursion, callouts) is not modelled.
                let flags: Set<Unicode.Scalar> = ["i", "m", "n", "s", "x", "U", "J", "^", "-"]
                while !atEnd, current != ")", current != ":" {
                    guard flags.contains(current) else { return skipGroup() }
                    index += 1
                }
                guard !atEnd else { return .anything }
                if current == ")" {
                    index += 1
                    return .empty
                }
                index += 1
            }
        }
        let inner = parseAlternation()
        guard !atEnd, current == ")" else { return .anything }
        index += 1
        return zeroWidth ? .empty : inner
    }

    private mutating func skipName(until terminator: Unicode.Scalar) {
        while !atEnd, current != terminator { index += 1 }
        if !atEnd { index += 1 }
    }

    /// Skips a construct this reader does not model (conditionals, recursion), balancing parentheses.
    private mutating func skipGroup() -> Info {
        var depth = 1
        while !atEnd, depth > 0 {
            if current == "\\" {
                index += 2
                continue
            }
            if current == "(" { depth += 1 }
            if current == ")" { depth -= 1 }
            index += 1
        }
        return .anything
    }

    private mutating func parseEscape() -> Info {
        guard !atEnd else { return .anything }
        let scalar = current
        index += 1
        switch scalar {
        case "b", "B", "A", "z", "Z", "G", "K":
            return .empty
        case "d", "D", "w", "W", "s", "S", "h", "H", "v", "V", "R", "N", "X", "C":
            return .anything
        case "p", "P":
            if !atEnd, current == "{" { skipName(until: "}") } else if !atEnd { index += 1 }
            return .anything
        case "n": return literal("\n")
        case "t": return literal("\t")
        case "r": return literal("\r")
        case "f": return literal("\u{0C}")
        case "e": return literal("\u{1B}")
        case "a": return literal("\u{07}")
        case "x":
            if let value = readHexEscape(), let decoded = Unicode.Scalar(value) { return literal(decoded) }
            return .anything
        case "Q":
            var text = ""
            while !atEnd {
                if current == "\\", index + 1 < scalars.count, scalars[index + 1] == "E" {
                    index += 2
                    break
                }
                if caseless && !current.isASCII { return .anything }
                text.unicodeScalars.append(current)
                index += 1
            }
            return Info(exact: [text], required: nil)
        case "0"..."9", "g", "k", "c", "o", "u", "E":
            return .anything
        default:
            if scalar.properties.isAlphabetic { return .anything }
            return literal(scalar)
        }
    }

    private mutating func readHexEscape() -> UInt32? {
        if !atEnd, current == "{" {
            index += 1
            var digits = ""
            while !atEnd, current != "}" {
                digits.unicodeScalars.append(current)
                index += 1
            }
            if !atEnd { index += 1 }
            return UInt32(digits, radix: 16)
        }
        var digits = ""
        while !atEnd, digits.count < 2, current.properties.isASCIIHexDigit {
            digits.unicodeScalars.append(current)
            index += 1
        }
        return UInt32(digits, radix: 16)
    }

    /// A bracket class: exact when it holds at most four characters (after folding ASCII case).
    private mutating func parseClass() -> Info {
        var negated = false
        if !atEnd, current == "^" {
            negated = true
            index += 1
        }
        var members = Set<String>()
        var precise = true
        var first = true
        var previous: Unicode.Scalar? = nil
        while !atEnd, current != "]" || first {
            first = false
            var scalar = current
            index += 1
            if scalar == "[", !atEnd, current == ":" {
                // POSIX class [:alpha:]
                while !atEnd, !(current == "]" && scalars[index - 1] == ":") { index += 1 }
                if !atEnd { index += 1 }
                precise = false
                previous = nil
                continue
            }
            if scalar == "\\" {
                guard !atEnd else { return .anything }
                let escaped = current
                index += 1
                switch escaped {
                case "n": scalar = "\n"
                case "t": scalar = "\t"
                case "r": scalar = "\r"
                case "x":
                    guard let value = readHexEscape(), let decoded = Unicode.Scalar(value) else { return .anything }
                    scalar = decoded
                default:
                    if escaped.properties.isAlphabetic || ("0"..."9").contains(escaped) {
                        if escaped == "p" || escaped == "P", !atEnd, current == "{" { skipName(until: "}") }
                        precise = false
                        previous = nil
                        continue
                    }
                    scalar = escaped
                }
            } else if scalar == "-", let low = previous, !atEnd, current != "]" {
                var high = current
                index += 1
                if high == "\\", !atEnd {
                    high = current
                    index += 1
                }
                if high.value >= low.value, high.value - low.value <= 8 {
                    for value in low.value...high.value { if let s = Unicode.Scalar(value) { members.insert(Self.fold(s)) } }
                } else {
                    precise = false
                }
                previous = nil
                continue
            }
            if caseless && !scalar.isASCII { precise = false }
            members.insert(Self.fold(scalar))
            previous = scalar
        }
        guard !atEnd else { return .anything }
        index += 1  // the closing "]"
        guard !negated, precise, !members.isEmpty, members.count <= 4 else { return .anything }
        return Info(exact: members, required: nil)
    }

    private static func fold(_ scalar: Unicode.Scalar) -> String {
        if scalar.value >= 65 && scalar.value <= 90, let lower = Unicode.Scalar(scalar.value + 32) { return String(lower) }
        return String(scalar)
    }
}
