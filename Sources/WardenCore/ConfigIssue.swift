/// One problem in a file a person wrote (a manifest, a grant file), located by line.
public struct ConfigIssue: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: message`, the form editors and terminals link.
    public var description: String { "\(file):\(line): \(message)" }
}

/// Every problem found in one file; thrown when there is at least one.
public struct ConfigIssues: Error, Sendable, CustomStringConvertible {
    public var issues: [ConfigIssue]
    public init(_ issues: [ConfigIssue]) { self.issues = issues }
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

/// Reads a strict JSON object schema and collects located issues instead of stopping at the first.
///
/// Small and hand-written because Codable reports neither lines nor unknown keys, and both are what a person
/// fixing a manifest needs.
public struct StrictReader {
    public let file: String
    public let locations: SourceLocations
    public private(set) var issues: [ConfigIssue] = []

    public init(file: String, locations: SourceLocations) {
        self.file = file
        self.locations = locations
    }

    public mutating func fail(_ path: String, _ message: String) {
        issues.append(ConfigIssue(file: file, line: locations.line(of: path), message: message))
    }

    /// Reports every key of `object` at `path` that is not in `allowed`, with a suggestion when one is close.
    public mutating func checkKeys(_ object: [String: JSONValue], at path: String, allowed: [String]) {
        for key in object.keys.sorted() where !allowed.contains(key) {
            var message = "unknown key \"\(key)\""
            if let near = allowed.min(by: { editDistance($0, key) < editDistance($1, key) }),
                editDistance(near, key) <= max(2, key.count / 3)
            {
                message += "; did you mean \"\(near)\"?"
            } else {
                message += "; expected one of: \(allowed.joined(separator: ", "))"
            }
            fail(path + "." + key, message)
        }
    }

    public mutating func string(_ o: [String: JSONValue], _ key: String, at path: String, required: Bool) -> String? {
        switch o[key] {
        case nil:
            if required { fail(path, "missing required key \"\(key)\"") }
            return nil
        case .string(let s)?:
            return s
        case let other?:
            fail(path + "." + key, "\"\(key)\" must be a string, not \(other.typeName)")
            return nil
        }
    }

    public mutating func bool(_ o: [String: JSONValue], _ key: String, at path: String) -> Bool? {
        switch o[key] {
        case nil: return nil
        case .bool(let b)?: return b
        case let other?:
            fail(path + "." + key, "\"\(key)\" must be true or false, not \(other.typeName)")
            return nil
        }
    }

    public mutating func integer(
        _ o: [String: JSONValue], _ key: String, at path: String, range: ClosedRange<Int64>
    ) -> Int64? {
        guard let value = o[key] else { return nil }
        guard case .int(let i) = value else {
            fail(path + "." + key, "\"\(key)\" must be an integer, not \(value.typeName)")
            return nil
        }
        guard range.contains(i) else {
            fail(path + "." + key, "\"\(key)\" must be between \(range.lowerBound) and \(range.upperBound), not \(i)")
            return nil
        }
        return i
    }

    public mutating func strings(_ o: [String: JSONValue], _ key: String, at path: String) -> [String]? {
        guard let value = o[key] else { return nil }
        guard case .array(let items) = value else {
            fail(path + "." + key, "\"\(key)\" must be an array of strings, not \(value.typeName)")
            return nil
        }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else {
                fail("\(path).\(key)[\(i)]", "\"\(key)\" must hold only strings, not \(item.typeName)")
                continue
            }
            out.append(s)
        }
        return out
    }

    public mutating func object(_ o: [String: JSONValue], _ key: String, at path: String) -> [String: JSONValue]? {
        guard let value = o[key] else { return nil }
        guard case .object(let inner) = value else {
            fail(path + "." + key, "\"\(key)\" must be an object, not \(value.typeName)")
            return nil
        }
        return inner
    }
}

/// Levenshtein distance, for "did you mean" hints.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = previous
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
