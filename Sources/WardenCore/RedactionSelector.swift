/// A redaction path selector that does not parse.
public struct RedactionSelectorError: Error, Sendable, Equatable, CustomStringConvertible {
    public var selector: String
    public var reason: String
    public var description: String { "redaction selector \"\(selector)\": \(reason)" }
}

/// Path selectors for ``RecordedArguments/redacting(_:selectors:salt:)``: `$`, then `.name`, `["name"]`,
/// `[index]`, `[*]` or `.*`.
enum RedactionSelector {
    enum Step: Sendable, Hashable {
        case member(String)
        case index(Int)
        case any
    }

    static func parse(_ text: String) throws(RedactionSelectorError) -> [Step] {
        func fail(_ reason: String) -> RedactionSelectorError { RedactionSelectorError(selector: text, reason: reason) }
        let chars = Array(text)
        guard chars.first == "$" else { throw fail("a path starts with $") }
        var steps: [Step] = []
        var i = 1
        while i < chars.count {
            if chars[i] == "." {
                i += 1
                let start = i
                while i < chars.count, chars[i] != ".", chars[i] != "[" { i += 1 }
                let name = String(chars[start..<i])
                guard !name.isEmpty else { throw fail("empty member name at character \(start)") }
                steps.append(name == "*" ? .any : .member(name))
            } else if chars[i] == "[" {
                guard let close = chars[i...].firstIndex(of: "]") else { throw fail("unclosed [") }
                let inner = String(chars[(i + 1)..<close])
                if inner == "*" {
                    steps.append(.any)
                } else if let index = Int(inner), index >= 0 {
                    steps.append(.index(index))
                } else if inner.count >= 2, inner.first == "\"", inner.last == "\"" {
                    let name = String(inner.dropFirst().dropLast())
                    guard !name.contains("\"") else { throw fail("quotes inside a quoted name") }
                    steps.append(.member(name))
                } else {
                    throw fail("expected [index], [*] or [\"name\"], not [\(inner)]")
                }
                i = close + 1
            } else {
                throw fail("unexpected \"\(chars[i])\" at character \(i)")
            }
        }
        guard !steps.isEmpty else { throw fail("the root itself cannot be redacted; name a member") }
        return steps
    }

    static func matches(_ selector: [Step], _ steps: [Step]) -> Bool {
        guard selector.count == steps.count else { return false }
        for (s, actual) in zip(selector, steps) {
            switch (s, actual) {
            case (.any, _): continue
            case (.member(let a), .member(let b)) where a == b: continue
            case (.index(let a), .index(let b)) where a == b: continue
            default: return false
            }
        }
        return true
    }

    /// The path component for a member: `.name` for identifier-like names, `["name"]` otherwise.
    static func pathComponent(_ key: String) -> String {
        let simple =
            !key.isEmpty
            && key.unicodeScalars.allSatisfy {
                ($0.value >= 0x30 && $0.value <= 0x39) || ($0.value >= 0x41 && $0.value <= 0x5A)
                    || ($0.value >= 0x61 && $0.value <= 0x7A) || $0 == "_" || $0 == "-"
            }
        return simple ? "." + key : "[" + JSONValue.string(key).serialized() + "]"
    }
}
