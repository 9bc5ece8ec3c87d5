/// One step in the path from a scanned value's root to a string leaf.
public enum PathComponent: Sendable, Hashable {
    case key(String)
    case index(Int)
}

/// Renders paths as `$.a.b[2]`, with `['…']` for keys that are not plain identifiers.
public enum JSONPath {
    public static func render<C: Collection>(_ components: C) -> String where C.Element == PathComponent {
        var result = "$"
        for component in components {
            switch component {
            case .index(let index):
                result += "[\(index)]"
            case .key(let key):
                if isIdentifier(key) {
                    result += ".\(key)"
                } else {
                    let escaped = key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
                    result += "['\(escaped)']"
                }
            }
        }
        return result
    }

    static func isIdentifier(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || first.properties.isAlphabetic && first.isASCII
        else { return false }
        return key.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-")
        }
    }
}

/// A JSON-path glob naming the leaves a rule looks at: `$.url`, `$..url` (at any depth), `$.headers.*`,
/// `$.items[*].body`, `$.args[0]`, `$['odd key']`, and `*` / `?` wildcards inside names (`$.*_url`).
public struct PathGlob: Sendable, Hashable, CustomStringConvertible {
    enum Segment: Sendable, Hashable {
        /// A key matching a wildcard pattern (`*`, `?`), or literally when it has none.
        case key(String)
        case index(Int)
        /// `.*` or `[*]`: any one key or index.
        case any
        /// `..`: zero or more steps.
        case descendants
    }

    let segments: [Segment]
    public let description: String

    /// Why a glob did not parse: the message and the character offset it points at.
    public struct ParseError: Error, Sendable, Equatable {
        public var message: String
        public var offset: Int
    }

    /// Parses a glob.
    /// - Throws: `ParseError` when the text is not a glob (no leading `$`, an unclosed bracket, …).
    public init(_ text: String) throws(ParseError) {
        let chars = Array(text)
        guard chars.first == "$" else { throw ParseError(message: "a target must start with \"$\"", offset: 0) }
        var segments: [Segment] = []
        var index = 1
        func readName() -> String {
            var name = ""
            while index < chars.count, chars[index] != ".", chars[index] != "[" {
                name.append(chars[index])
                index += 1
            }
            return name
        }
        while index < chars.count {
            let char = chars[index]
            if char == "." {
                if index + 1 < chars.count, chars[index + 1] == "." {
                    segments.append(.descendants)
                    index += 2
                    if index < chars.count, chars[index] == "[" { continue }
                } else {
                    index += 1
                }
                let start = index
                let name = readName()
                guard !name.isEmpty else { throw ParseError(message: "expected a key name after \".\"", offset: start) }
                segments.append(name == "*" ? .any : .key(name))
            } else if char == "[" {
                let start = index
                guard let close = chars[index...].firstIndex(of: "]") else {
                    throw ParseError(message: "unclosed \"[\"", offset: start)
                }
                let inside = String(chars[(index + 1)..<close])
                index = close + 1
                if inside == "*" {
                    segments.append(.any)
                } else if let number = Int(inside), number >= 0 {
                    segments.append(.index(number))
                } else if inside.count >= 2, let quote = inside.first, quote == "'" || quote == "\"",
                    inside.last == quote
                {
                    segments.append(.key(String(inside.dropFirst().dropLast())))
                } else {
                    throw ParseError(
                        message: "expected an index, \"*\" or a quoted key inside \"[…]\", found \"\(inside)\"",
                        offset: start + 1)
                }
            } else {
                throw ParseError(message: "unexpected \"\(char)\"; steps start with \".\" or \"[\"", offset: index)
            }
        }
        if segments.last == .descendants {
            throw ParseError(message: "\"..\" must be followed by a key, \"*\" or \"[…]\"", offset: chars.count)
        }
        self.segments = segments
        self.description = text
    }

    /// Whether the glob matches a leaf at `path`.
    public func matches(_ path: [PathComponent]) -> Bool {
        Self.match(segments[...], path[...])
    }

    private static func match(_ segments: ArraySlice<Segment>, _ path: ArraySlice<PathComponent>) -> Bool {
        guard let segment = segments.first else { return path.isEmpty }
        let rest = segments.dropFirst()
        switch segment {
        case .descendants:
            var remaining = path
            while true {
                if match(rest, remaining) { return true }
                guard !remaining.isEmpty else { return false }
                remaining = remaining.dropFirst()
            }
        case .any:
            return !path.isEmpty && match(rest, path.dropFirst())
        case .index(let wanted):
            guard case .index(let index)? = path.first, index == wanted else { return false }
            return match(rest, path.dropFirst())
        case .key(let pattern):
            guard case .key(let key)? = path.first, Wildcard.matches(pattern: pattern, key) else { return false }
            return match(rest, path.dropFirst())
        }
    }
}

/// `*` (any run) and `?` (any one character) matching.
enum Wildcard {
    static func matches(pattern: String, _ text: String) -> Bool {
        if !pattern.contains("*") && !pattern.contains("?") { return pattern == text }
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0, starP = -1, starT = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                starP = pi
                starT = ti
                pi += 1
            } else if starP >= 0 {
                pi = starP + 1
                starT += 1
                ti = starT
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
