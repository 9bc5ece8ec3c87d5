/// Literal strings that every match of a regular expression must contain, found by reading the pattern,
/// so that the expression runs only on subjects that contain one of them.
///
/// The reading is conservative: any construct it does not fully understand (inline flags after the
/// start, `\Q…\E`, letter escapes other than the common classes, extended mode) gives no prefilter, and
/// the expression then runs on every subject. A prefilter never rejects a subject the expression would
/// match; when the expression is case-insensitive, subjects with non-ASCII characters bypass it, because
/// Unicode case folding can map them onto ASCII letters.
struct LiteralPrefilter: Sendable, Hashable {
    /// One literal per top-level alternative; a match contains at least one of them.
    let literals: [[UInt8]]
    /// Literals are ASCII-folded and compared without case.
    let foldCase: Bool
    /// Every alternative is exactly its literal (no anchors, classes or quantifiers): the regex matches if
    /// and only if the prefilter does, so it need not run at all.
    let isExact: Bool

    /// The prefilter for `pattern`, or `nil` when none can be derived safely.
    static func derive(from pattern: String, caseInsensitive: Bool) -> LiteralPrefilter? {
        var scalars = Array(pattern.unicodeScalars)[...]
        var fold = caseInsensitive
        // A leading flag group such as (?i) applies to the whole pattern.
        if scalars.starts(with: "(?".unicodeScalars) {
            var flags = ""
            var rest = scalars.dropFirst(2)
            while let c = rest.first, c.properties.isAlphabetic || c == "-" {
                flags.unicodeScalars.append(c)
                rest = rest.dropFirst()
            }
            if rest.first == ")" {
                if flags.contains("-") || flags.contains("x") || flags.contains("w") { return nil }
                if flags.contains("i") { fold = true }
                scalars = rest.dropFirst()
            }
        }
        var literals: [[UInt8]] = []
        var exact = true
        for branch in splitTopLevel(scalars) {
            guard let (run, isExact) = longestRequiredRun(branch) else { return nil }
            let bytes = Array(String(String.UnicodeScalarView(run)).utf8)
            guard bytes.count >= 2 else { return nil }
            if fold && bytes.contains(where: { $0 >= 0x80 }) { return nil }
            literals.append(fold ? bytes.map(ByteString.lowerASCII) : bytes)
            exact = exact && isExact
        }
        guard !literals.isEmpty else { return nil }
        return LiteralPrefilter(literals: literals, foldCase: fold, isExact: exact)
    }

    /// Whether the subject could match: it contains one of the literals (or it must be checked anyway).
    func admits(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if foldCase && ByteString.hasNonASCII(bytes) { return true }
        for literal in literals where ByteString.contains(bytes, literal, foldCase: foldCase) { return true }
        return false
    }

    /// Splits at `|` outside groups and classes (an empty alternative gives an empty slice).
    private static func splitTopLevel(_ s: ArraySlice<Unicode.Scalar>) -> [ArraySlice<Unicode.Scalar>] {
        var branches: [ArraySlice<Unicode.Scalar>] = []
        var depth = 0
        var inClass = false
        var start = s.startIndex
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c == "\\" {
                i += 2
                continue
            }
            if inClass {
                if c == "]" { inClass = false }
            } else if c == "[" {
                inClass = true
                if i + 1 < s.endIndex, s[i + 1] == "]" { i += 1 }
            } else if c == "(" {
                depth += 1
            } else if c == ")" {
                depth -= 1
            } else if c == "|", depth == 0 {
                branches.append(s[start..<i])
                start = i + 1
            }
            i += 1
        }
        branches.append(s[start..<s.endIndex])
        return branches
    }

    /// The longest run of literal characters that every match of `branch` contains, and whether the
    /// branch is nothing but that literal. `nil` when the branch uses something not understood here.
    private static func longestRequiredRun(_ branch: ArraySlice<Unicode.Scalar>) -> ([Unicode.Scalar], Bool)? {
        var best: [Unicode.Scalar] = []
        var run: [Unicode.Scalar] = []
        var pureLiteral = true
        var i = branch.startIndex
        func endRun() {
            if run.count > best.count { best = run }
            run = []
        }
        while i < branch.endIndex {
            let c = branch[i]
            switch c {
            case "\\":
                guard i + 1 < branch.endIndex else { return nil }
                let e = branch[i + 1]
                i += 2
                if e.properties.isAlphabetic || ("0"..."9").contains(e) {
                    // Class escapes and anchors are not literals; anything else (\x, \u, \p, \Q, \N, \c,
                    // back references) is outside what this reader handles.
                    guard "dDwWsSbBAzZGnrtfvhHR".unicodeScalars.contains(e) else { return nil }
                    pureLiteral = false
                    endRun()
                } else {
                    run.append(e)
                }
            case "(":
                // Skip the group: whatever it matches, it is not a run of literals here.
                var depth = 0
                var inClass = false
                while i < branch.endIndex {
                    let g = branch[i]
                    if g == "\\" {
                        i += 2
                        continue
                    }
                    if inClass {
                        if g == "]" { inClass = false }
                    } else if g == "[" {
                        inClass = true
                        if i + 1 < branch.endIndex, branch[i + 1] == "]" { i += 1 }
                    } else if g == "(" {
                        depth += 1
                        // An inline flag group after the start changes how later literals match.
                        if i + 2 < branch.endIndex, branch[i + 1] == "?",
                            branch[i + 2].properties.isAlphabetic || branch[i + 2] == "-"
                        {
                            return nil
                        }
                    } else if g == ")" {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    i += 1
                }
                guard depth == 0 else { return nil }
                i += 1
                pureLiteral = false
                endRun()
            case "[":
                i += 1
                if i < branch.endIndex, branch[i] == "^" { i += 1 }
                if i < branch.endIndex, branch[i] == "]" { i += 1 }
                while i < branch.endIndex, branch[i] != "]" {
                    if branch[i] == "\\" {
                        i += 2
                        continue
                    }
                    if branch[i] == "[" { return nil }  // nested sets and POSIX classes: not handled
                    i += 1
                }
                guard i < branch.endIndex else { return nil }
                i += 1
                pureLiteral = false
                endRun()
            case "*", "?", "{":
                // The previous atom is optional or repeated: drop it from the run.
                if !run.isEmpty { run.removeLast() }
                pureLiteral = false
                endRun()
                if c == "{" {
                    while i < branch.endIndex, branch[i] != "}" { i += 1 }
                }
                i += 1
                if i < branch.endIndex, branch[i] == "?" || branch[i] == "+" { i += 1 }
            case "+":
                // At least once: the atom stays, but what follows is not adjacent to it.
                pureLiteral = false
                endRun()
                i += 1
                if i < branch.endIndex, branch[i] == "?" || branch[i] == "+" { i += 1 }
            case ".", "^", "$":
                pureLiteral = false
                endRun()
                i += 1
            case "|", ")", "#":
                return nil
            default:
                if c.properties.isWhitespace && c != " " { return nil }
                run.append(c)
                i += 1
            }
        }
        endRun()
        return (best, pureLiteral)
    }
}
