import Foundation
import WardenCore

/// A path to one value inside a JSON document: `$`, then `.name`, `['name']` / `["name"]` and `[N]`
/// steps, for example `$.path`, `$.items[0].url`, `$['content-type']`. No wildcards or filters: a
/// condition names exactly one value.
struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    enum Step: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    let steps: [Step]
    let description: String

    /// The result of following a path: the value, or where and why it is not there.
    enum Resolution {
        case found(JSONValue)
        case missing(Missing)
    }

    /// Why a path leads nowhere. The sentence is built only when someone reads it: `exists` conditions
    /// ask the question on every call and never need the words.
    struct Missing: Sendable, Equatable {
        enum Reason: Sendable, Equatable {
            case absent
            case notAnObject(String)
            case notAnArray(String)
            case outOfRange(Int)
        }

        /// How many steps of the path lead to the place that failed.
        var depth: Int
        var reason: Reason

        func message(_ path: JSONPath) -> String {
            let at = JSONPath.render(path.steps.prefix(depth))
            switch reason {
            case .absent: return "\(at) is missing"
            case .notAnObject(let type): return "\(at) is \(ValueCondition.article(type)), not an object"
            case .notAnArray(let type): return "\(at) is \(ValueCondition.article(type)), not an array"
            case .outOfRange(let count): return "\(at) is missing (the array has \(count) elements)"
            }
        }
    }

    /// - Throws: ``PatternError`` naming the offending character.
    init(_ text: String) throws(PatternError) {
        description = text
        var scalars = Array(text.unicodeScalars)[...]
        guard scalars.popFirst() == "$" else {
            throw PatternError("the JSON path \"\(text)\" must start with $ (for example $.path)")
        }
        var steps: [Step] = []
        while let c = scalars.popFirst() {
            switch c {
            case ".":
                var name = String.UnicodeScalarView()
                while let n = scalars.first, n != ".", n != "[" {
                    name.append(n)
                    scalars.removeFirst()
                }
                guard !name.isEmpty else { throw PatternError("the JSON path \"\(text)\" has an empty name after .") }
                guard !String(name).contains(where: { $0 == "*" || $0 == "]" || $0 == " " }) else {
                    throw PatternError("the JSON path \"\(text)\" has a name with * ] or a space; use ['name']")
                }
                steps.append(.key(String(name)))
            case "[":
                guard let open = scalars.first else { throw PatternError("the JSON path \"\(text)\" ends after [") }
                if open == "'" || open == "\"" {
                    scalars.removeFirst()
                    var name = String.UnicodeScalarView()
                    var closed = false
                    while let n = scalars.popFirst() {
                        if n == "\\" {
                            guard let e = scalars.popFirst() else { break }
                            name.append(e)
                        } else if n == open {
                            closed = true
                            break
                        } else {
                            name.append(n)
                        }
                    }
                    guard closed, scalars.popFirst() == "]" else {
                        throw PatternError("the JSON path \"\(text)\" has an unterminated ['name'] step")
                    }
                    steps.append(.key(String(name)))
                } else {
                    var digits = ""
                    while let n = scalars.first, ("0"..."9").contains(n) {
                        digits.unicodeScalars.append(n)
                        scalars.removeFirst()
                    }
                    guard !digits.isEmpty, scalars.popFirst() == "]", let index = Int(digits),
                        digits == "0" || !digits.hasPrefix("0")
                    else {
                        throw PatternError(
                            "the JSON path \"\(text)\" has an invalid [ ] step; use [N] with N ≥ 0 or ['name']")
                    }
                    steps.append(.index(index))
                }
            default:
                throw PatternError("the JSON path \"\(text)\" has an unexpected \"\(c)\"; use .name, ['name'] or [N]")
            }
        }
        self.steps = steps
    }

    /// Follows the path in `root`.
    func resolve(in root: JSONValue) -> Resolution {
        var current = root
        for (n, step) in steps.enumerated() {
            switch step {
            case .key(let key):
                guard case .object(let members) = current else {
                    return .missing(Missing(depth: n, reason: .notAnObject(current.typeName)))
                }
                guard let next = members[key] else { return .missing(Missing(depth: n + 1, reason: .absent)) }
                current = next
            case .index(let index):
                guard case .array(let elements) = current else {
                    return .missing(Missing(depth: n, reason: .notAnArray(current.typeName)))
                }
                guard index < elements.count else {
                    return .missing(Missing(depth: n + 1, reason: .outOfRange(elements.count)))
                }
                current = elements[index]
            }
        }
        return .found(current)
    }

    /// The path of member `key` under `path` (itself a rendered path), written as ``render(_:)`` writes it.
    static func child(_ path: String, key: String) -> String {
        path + render([.key(key)]).dropFirst()
    }

    /// The path of the first `count` steps, written canonically.
    static func render(_ steps: some Sequence<Step>) -> String {
        var out = "$"
        for step in steps {
            switch step {
            case .key(let k):
                if !k.isEmpty,
                    k.unicodeScalars.allSatisfy({
                        $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
                    })
                {
                    out += "." + k
                } else {
                    out +=
                        "['" + k.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
                        + "']"
                }
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }
}
