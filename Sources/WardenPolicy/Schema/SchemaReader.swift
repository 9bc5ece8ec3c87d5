import WardenCore

/// Reads typed values out of a ``SourceNode`` tree strictly, collecting every problem with its location
/// instead of stopping at the first one.
struct SchemaReader {
    private(set) var diagnostics: [PolicyDiagnostic] = []
    /// Memo slots of transformed values, by "subject|transform".
    private var memoSlots: [String: Int] = [:]

    /// The memo slot for a transformed subject; equal keys share a slot.
    mutating func memoSlot(_ key: String) -> Int {
        if let slot = memoSlots[key] { return slot }
        memoSlots[key] = memoSlots.count
        return memoSlots.count - 1
    }

    mutating func report(_ code: PolicyDiagnostic.Code, at location: SourceLocation?, _ message: String) {
        diagnostics.append(PolicyDiagnostic(.error, code, at: location, message))
    }

    mutating func report(_ diagnostic: PolicyDiagnostic) {
        diagnostics.append(diagnostic)
    }

    /// The members of a mapping, checked against the keys it may have and must have.
    struct Fields {
        let node: SourceNode
        let members: [String: SourceNode.Member]
        subscript(key: String) -> SourceNode? { members[key]?.value }
        func keyLocation(_ key: String) -> SourceLocation? { members[key]?.keyLocation }
        var keys: Set<String> { Set(members.keys) }
    }

    /// Reads `node` as a mapping named `what` (for example "a rule"). Unknown keys are reported with a
    /// suggestion; missing required keys at the mapping. Returns `nil` when `node` is not a mapping.
    mutating func fields(
        _ node: SourceNode, _ what: String, allowed: [String], required: [String] = []
    ) -> Fields? {
        guard case .object(let list) = node.kind else {
            report(.wrongType, at: node.location, "\(what) must be a mapping, not \(node.typeName)")
            return nil
        }
        var members: [String: SourceNode.Member] = [:]
        var suggested = Set<String>()
        for member in list {
            guard allowed.contains(member.key) else {
                if let s = Suggestion.closest(to: member.key, among: allowed) { suggested.insert(s) }
                report(
                    .unknownKey, at: member.keyLocation,
                    "unknown key \"\(member.key)\" in \(what)\(Suggestion.hint(for: member.key, among: allowed))"
                        + "; allowed keys: \(allowed.joined(separator: ", "))")
                continue
            }
            members[member.key] = member
        }
        // A misspelt required key is reported once, as the unknown key with its suggestion.
        for key in required where members[key] == nil && !suggested.contains(key) {
            report(.missingKey, at: node.location, "\(what) needs the key \"\(key)\"")
        }
        return Fields(node: node, members: members)
    }

    mutating func string(_ node: SourceNode?, _ what: String, nonEmpty: Bool = true) -> String? {
        guard let node else { return nil }
        guard case .string(let s) = node.kind else {
            report(.wrongType, at: node.location, "\(what) must be a string, not \(node.typeName)\(quoteHint(node))")
            return nil
        }
        if nonEmpty && s.isEmpty {
            report(.invalidValue, at: node.location, "\(what) must not be empty")
            return nil
        }
        return s
    }

    mutating func bool(_ node: SourceNode?, _ what: String) -> Bool? {
        guard let node else { return nil }
        guard case .bool(let b) = node.kind else {
            report(.wrongType, at: node.location, "\(what) must be true or false, not \(node.typeName)")
            return nil
        }
        return b
    }

    mutating func integer(_ node: SourceNode?, _ what: String, range: ClosedRange<Int64>) -> Int64? {
        guard let node else { return nil }
        guard case .int(let i) = node.kind else {
            report(.wrongType, at: node.location, "\(what) must be an integer, not \(node.typeName)")
            return nil
        }
        guard range.contains(i) else {
            report(
                .invalidValue, at: node.location, "\(what) must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return i
    }

    mutating func number(_ node: SourceNode?, _ what: String) -> JSONValue? {
        guard let node else { return nil }
        switch node.kind {
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        default:
            report(.wrongType, at: node.location, "\(what) must be a number, not \(node.typeName)\(quoteHint(node))")
            return nil
        }
    }

    /// A string or a list of strings (a single string stands for a list of one).
    mutating func strings(_ node: SourceNode?, _ what: String, nonEmpty: Bool = true) -> [(String, SourceLocation)]? {
        guard let node else { return nil }
        switch node.kind {
        case .string(let s):
            if nonEmpty && s.isEmpty {
                report(.invalidValue, at: node.location, "\(what) must not be empty")
                return nil
            }
            return [(s, node.location)]
        case .array(let elements):
            if nonEmpty && elements.isEmpty {
                report(.invalidValue, at: node.location, "\(what) must list at least one value")
                return nil
            }
            var out: [(String, SourceLocation)] = []
            for element in elements {
                guard let s = string(element, "each entry of \(what)") else { continue }
                out.append((s, element.location))
            }
            return out.count == elements.count ? out : nil
        default:
            report(.wrongType, at: node.location, "\(what) must be a string or a list of strings, not \(node.typeName)")
            return nil
        }
    }

    /// A list (a single value is not accepted where a list is meant).
    mutating func list(_ node: SourceNode?, _ what: String) -> [SourceNode]? {
        guard let node else { return nil }
        guard case .array(let elements) = node.kind else {
            report(.wrongType, at: node.location, "\(what) must be a list, not \(node.typeName)")
            return nil
        }
        return elements
    }

    /// A duration: an integer number of seconds, or a string like `30s`, `5m`, `2h`, `1d`.
    mutating func duration(_ node: SourceNode?, _ what: String, maximum: Int) -> Int? {
        guard let node else { return nil }
        var seconds: Int?
        switch node.kind {
        case .int(let i): seconds = i > 0 && i <= Int64(maximum) ? Int(i) : nil
        case .string(let s):
            let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
            if let unit = s.last, let factor = units[unit], let n = Int(s.dropLast()), n > 0, n <= maximum / factor {
                seconds = n * factor
            }
        default:
            report(.wrongType, at: node.location, "\(what) must be a duration such as 30s, 5m, 2h or 1d")
            return nil
        }
        guard let seconds, seconds <= maximum else {
            report(
                .invalidValue, at: node.location,
                "\(what) must be a positive duration such as 30s, 5m, 2h or 1d, at most \(maximum) seconds")
            return nil
        }
        return seconds
    }

    /// A value of one of the listed words.
    mutating func word<T: RawRepresentable<String> & CaseIterable>(
        _ node: SourceNode?, _ what: String, as: T.Type
    ) -> T? {
        guard let node, let s = string(node, what) else { return nil }
        guard let value = T(rawValue: s) else {
            let words = T.allCases.map(\.rawValue)
            report(
                .invalidValue, at: node.location,
                "\(what) must be one of \(words.joined(separator: ", ")), not \"\(s)\""
                    + Suggestion.hint(for: s, among: words)
            )
            return nil
        }
        return value
    }

    private func quoteHint(_ node: SourceNode) -> String {
        switch node.kind {
        case .int, .double, .bool, .null: " (quote it if you mean the text)"
        default: ""
        }
    }
}
