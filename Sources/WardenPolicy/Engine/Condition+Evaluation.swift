import Foundation
import WardenCore

extension Condition {
    /// Evaluates the condition (a rate limit counts as holding here; the rule applies it last).
    func evaluate(_ request: PolicyRequest, now: Date, memo: EvaluationMemo) -> Truth {
        let truth: Truth
        switch kind {
        case .value(let v): truth = v.evaluate(request, memo: memo)
        case .finding(let f): truth = f.evaluate(request.findings)
        case .time(let t): truth = t.evaluate(now)
        case .rateLimit: truth = .yes
        case .anyOf(let children):
            // Strong Kleene "or": one true child decides; otherwise an error wins over false.
            var error: Truth?
            var result = Truth.no
            for child in children {
                let t = child.evaluate(request, now: now, memo: memo)
                if t == .yes {
                    result = .yes
                    break
                }
                if case .error = t, error == nil { error = t }
            }
            truth = result == .yes ? .yes : (error ?? .no)
        case .allOf(let children):
            truth = Condition.all(children, request, now: now, memo: memo)
        }
        return negate ? truth.negated : truth
    }

    /// Strong Kleene "and": one false child decides; otherwise an error wins over true.
    static func all(_ conditions: [Condition], _ request: PolicyRequest, now: Date, memo: EvaluationMemo) -> Truth {
        var error: Truth?
        for condition in conditions {
            let t = condition.evaluate(request, now: now, memo: memo)
            if t == .no { return .no }
            if case .error = t, error == nil { error = t }
        }
        return error ?? .yes
    }
}

extension ValueCondition {
    /// The value the condition looks at (after its transform), or why there is none.
    func observe(_ request: PolicyRequest, memo: EvaluationMemo? = nil) -> Result<JSONValue, ObservationFailure> {
        if let memoSlot, let memo {
            if let known = memo[memoSlot] { return known }
            let result = observeUncached(request)
            memo[memoSlot] = result
            return result
        }
        return observeUncached(request)
    }

    private func observeUncached(_ request: PolicyRequest) -> Result<JSONValue, ObservationFailure> {
        let raw: JSONValue
        switch subject {
        case .argument(let path):
            switch path.resolve(in: request.arguments) {
            case .found(let v): raw = v
            case .missing(let why): return .failure(.missingArgument(path, why))
            }
        case .capability(let name):
            guard let v = request.capabilities[name] else {
                return .failure(.missingCapability(name))
            }
            raw = v
        }
        guard let transform else { return .success(raw) }
        return Self.apply(transform, to: raw, subject: subject).mapError { .invalid($0.message) }
    }

    enum ObservationFailure: Error {
        case missingArgument(JSONPath, JSONPath.Missing)
        case missingCapability(String)
        case invalid(String)

        var isMissing: Bool {
            if case .invalid = self { return false }
            return true
        }

        var message: String {
            switch self {
            case .missingArgument(let path, let why): "the argument \(why.message(path))"
            case .missingCapability(let name): "the capability \(name) is not granted"
            case .invalid(let m): m
            }
        }
    }

    func evaluate(_ request: PolicyRequest, memo: EvaluationMemo) -> Truth {
        let value: JSONValue
        switch observe(request, memo: memo) {
        case .success(let v):
            if case .exists(let wanted) = test { return wanted ? .yes : .no }
            value = v
        case .failure(let failure):
            if case .exists(let wanted) = test, failure.isMissing { return wanted ? .no : .yes }
            return .error(failure.message)
        }
        return check(value)
    }

    private var subjectName: String {
        switch subject {
        case .argument(let path): "the argument \(path)"
        case .capability(let name): "the capability \(name)"
        }
    }

    private func typeError(_ value: JSONValue, _ expected: String) -> Truth {
        .error("\(subjectName) is \(Self.article(value.typeName)), but the condition compares it with \(expected)")
    }

    func check(_ value: JSONValue) -> Truth {
        switch test {
        case .exists(let wanted):
            return wanted ? .yes : .no
        case .equals(let expected):
            guard Self.family(value) == Self.family(expected) else { return typeError(value, expected.typeName) }
            if case .string(let s) = value, case .string(let e) = expected {
                let e = Array(e.utf8)
                return ByteString.withBytes(s) { ByteString.equal($0, e, foldCase: ignoreCase) } ? .yes : .no
            }
            return Self.jsonEqual(value, expected) ? .yes : .no
        case .oneOf(let values, let strings):
            if case .string(let s) = value {
                guard !strings.isEmpty else { return typeError(value, "a list without strings") }
                let key = ignoreCase ? String(decoding: ByteString.foldedASCII(s), as: UTF8.self) : s
                guard let candidates = strings[key] else { return .no }
                let found = ByteString.withBytes(s) { bytes in
                    candidates.contains { ByteString.equal(bytes, $0, foldCase: ignoreCase) }
                }
                return found ? .yes : .no
            }
            let family = Self.family(value)
            guard values.contains(where: { Self.family($0) == family }) else {
                return typeError(value, "a list without \(value.typeName) values")
            }
            return values.contains { Self.jsonEqual(value, $0) } ? .yes : .no
        case .glob(let globs):
            guard case .string(let s) = value else { return typeError(value, "a glob") }
            return globs.contains { $0.matches(s) } ? .yes : .no
        case .regex(let regex):
            guard case .string(let s) = value else { return typeError(value, "a regular expression") }
            return regex.matches(s) ? .yes : .no
        case .prefix(let prefixes):
            guard case .string(let s) = value else { return typeError(value, "a prefix") }
            let hit = ByteString.withBytes(s) { b in
                prefixes.contains { ByteString.hasPrefix(b, $0, foldCase: ignoreCase) }
            }
            return hit ? .yes : .no
        case .suffix(let suffixes):
            guard case .string(let s) = value else { return typeError(value, "a suffix") }
            let hit = ByteString.withBytes(s) { b in
                suffixes.contains { ByteString.hasSuffix(b, $0, foldCase: ignoreCase) }
            }
            return hit ? .yes : .no
        case .contains(let text, let elements):
            switch value {
            case .string(let s):
                guard !text.isEmpty else { return typeError(value, "non-text values") }
                let hit = ByteString.withBytes(s) { b in
                    text.contains { ByteString.contains(b, $0, foldCase: ignoreCase) }
                }
                return hit ? .yes : .no
            case .array(let items):
                return items.contains { item in elements.contains { Self.jsonEqual(item, $0) } } ? .yes : .no
            default:
                return typeError(value, "contains (which needs a string or an array)")
            }
        case .compare(let comparison, let bound):
            guard value.doubleValue != nil else { return typeError(value, "a number") }
            let order = Self.compareNumbers(value, bound)
            let holds: Bool
            switch comparison {
            case .lt: holds = order < 0
            case .le: holds = order <= 0
            case .gt: holds = order > 0
            case .ge: holds = order >= 0
            }
            return holds ? .yes : .no
        case .cidr(let blocks):
            guard case .string(let s) = value else { return typeError(value, "an address block") }
            guard let address = IPAddress(host: s) else { return .no }
            return blocks.contains { $0.contains(address) } ? .yes : .no
        }
    }

    // MARK: helpers

    /// `an integer`, `a string`.
    static func article(_ typeName: String) -> String {
        (["a", "e", "i", "o", "u"].contains(typeName.first.map(String.init) ?? "") ? "an " : "a ") + typeName
    }

    static func apply(_ transform: Transform, to value: JSONValue, subject: Subject) -> Result<JSONValue, PatternError>
    {
        switch transform {
        case .length:
            switch value {
            case .string(let s): return .success(.int(Int64(s.utf8.count)))
            case .array(let a): return .success(.int(Int64(a.count)))
            case .object(let o): return .success(.int(Int64(o.count)))
            default:
                return .failure(
                    PatternError("length needs a string, an array or an object, not \(Self.article(value.typeName))"))
            }
        case .urlHost, .urlScheme:
            guard case .string(let s) = value else {
                return .failure(
                    PatternError("\(transform.rawValue) needs a URL string, not \(Self.article(value.typeName))"))
            }
            do {
                if transform == .urlScheme { return .success(.string(try URLParts.scheme(of: s))) }
                return .success(.string(try URLParts(s).host))
            } catch {
                return .failure(PatternError("\(transform.rawValue) cannot read the URL: \(error.message)"))
            }
        case .join:
            guard case .array(let items) = value else {
                return .failure(PatternError("join needs an array of strings, not \(Self.article(value.typeName))"))
            }
            var parts: [String] = []
            parts.reserveCapacity(items.count)
            for item in items {
                guard case .string(let s) = item else {
                    return .failure(
                        PatternError("join needs an array of strings, but an element is \(Self.article(item.typeName))")
                    )
                }
                parts.append(s)
            }
            return .success(.string(parts.joined(separator: " ")))
        case .normalizedPath:
            guard case .string(let s) = value else {
                return .failure(
                    PatternError("normalized_path needs a path string, not \(Self.article(value.typeName))"))
            }
            return .success(.string(normalize(path: s)))
        }
    }

    /// Resolves `.`, `..` and repeated separators textually: `a/./b/../c` → `a/c`, `/../etc` → `/etc`,
    /// `../x` stays `../x`.
    static func normalize(path: String) -> String {
        ByteString.withBytes(path) { b in
            let absolute = b.first == UInt8(ascii: "/")
            var parts: [Range<Int>] = []
            var upward = 0  // leading ".." kept in relative paths
            var i = 0
            while i < b.count {
                while i < b.count, b[i] == UInt8(ascii: "/") { i += 1 }
                let start = i
                while i < b.count, b[i] != UInt8(ascii: "/") { i += 1 }
                let length = i - start
                if length == 0 || (length == 1 && b[start] == UInt8(ascii: ".")) { continue }
                if length == 2, b[start] == UInt8(ascii: "."), b[start + 1] == UInt8(ascii: ".") {
                    if !parts.isEmpty {
                        parts.removeLast()
                    } else if !absolute {
                        upward += 1
                    }
                    continue
                }
                parts.append(start..<i)
            }
            var out: [UInt8] = []
            out.reserveCapacity(b.count + 1)
            if absolute { out.append(UInt8(ascii: "/")) }
            for n in 0..<upward {
                if n > 0 { out.append(UInt8(ascii: "/")) }
                out.append(contentsOf: [UInt8(ascii: "."), UInt8(ascii: ".")])
            }
            for (n, range) in parts.enumerated() {
                if n > 0 || upward > 0 { out.append(UInt8(ascii: "/")) }
                out.append(contentsOf: b[range])
            }
            if out.isEmpty { return "." }
            return String(decoding: out, as: UTF8.self)
        }
    }

    enum Family { case null, bool, number, string, array, object }

    static func family(_ v: JSONValue) -> Family {
        switch v {
        case .null: .null
        case .bool: .bool
        case .int, .double: .number
        case .string: .string
        case .array: .array
        case .object: .object
        }
    }

    /// JSON equality where `3` equals `3.0` and strings compare byte for byte.
    static func jsonEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x == y
        case (.int, .double), (.double, .int), (.double, .double): return compareNumbers(a, b) == 0
        case (.string(let x), .string(let y)): return x.utf8.elementsEqual(y.utf8)
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { jsonEqual($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { jsonEqual(value, $0) } ?? false }
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    /// -1, 0 or 1; integers compare exactly, mixed pairs as doubles.
    static func compareNumbers(_ a: JSONValue, _ b: JSONValue) -> Int {
        if case .int(let x) = a, case .int(let y) = b { return x < y ? -1 : (x == y ? 0 : 1) }
        let x = a.doubleValue ?? .nan
        let y = b.doubleValue ?? .nan
        return x < y ? -1 : (x == y ? 0 : 1)
    }
}

extension FindingCondition {
    func evaluate(_ findings: [Finding]) -> Truth {
        for f in findings {
            if let minimumSeverity, f.severity < minimumSeverity { continue }
            if !categories.isEmpty, !categories.contains(where: { $0.matches(f.category) }) { continue }
            if !rules.isEmpty, !rules.contains(where: { $0.matches(f.ruleID) }) { continue }
            return .yes
        }
        return .no
    }
}

extension TimeCondition {
    func evaluate(_ now: Date) -> Truth {
        let seconds = Int(now.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let minute = (seconds - days * 86400) / 60
        if let weekdays {
            let weekday = ((days % 7) + 7 + 4) % 7  // 1970-01-01 was a Thursday (4)
            if !weekdays.contains(weekday) { return .no }
        }
        if let (start, end) = between {
            let inside = start < end ? (minute >= start && minute < end) : (minute >= start || minute < end)
            if !inside { return .no }
        }
        return .yes
    }
}
