import WardenCore

/// A value read from a YAML or JSON file that remembers where each part came from, so that every later
/// complaint about it can name a file, line and column.
struct SourceNode: Sendable {
    /// One member of a mapping, with the key's own location (unknown keys are reported there).
    struct Member: Sendable {
        var key: String
        var keyLocation: SourceLocation
        var value: SourceNode
    }

    enum Kind: Sendable {
        case null
        case bool(Bool)
        case int(Int64)
        case double(Double)
        case string(String)
        case array([SourceNode])
        case object([Member])
    }

    var kind: Kind
    var location: SourceLocation

    /// The value without locations, as the digest and the engine see it.
    var json: JSONValue {
        switch kind {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .double(let d): .double(d)
        case .string(let s): .string(s)
        case .array(let a): .array(a.map(\.json))
        case .object(let members):
            .object(Dictionary(members.map { ($0.key, $0.value.json) }, uniquingKeysWith: { first, _ in first }))
        }
    }

    /// The name of the value's type as a person reads it in an error message.
    var typeName: String {
        switch kind {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "a mapping"
        }
    }
}
