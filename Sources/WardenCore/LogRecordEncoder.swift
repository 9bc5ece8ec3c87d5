import Foundation

/// Encodes a record into a ``JSONValue``: the `Encoder` behind ``LogRecord/payloadBytes()``.
///
/// Foundation's `JSONEncoder` took three times as long as signing the record on every call through the kernel.
/// This one builds the value tree directly; dates become RFC 3339 strings (``RFC3339Time``), non-finite numbers
/// the strings `NaN`, `Infinity`, `-Infinity`, and `nil` optionals are left out (as `JSONEncoder` does). The coding
/// path is not tracked (records never fail to encode, so no error would name it).
public enum LogRecordEncoder {
    /// The record as a JSON value. - Throws: what the record's own `encode(to:)` throws.
    public static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let root = Node()
        try encode(value, into: root, codingPath: [])
        return root.finished
    }

    static func encode<T: Encodable>(_ value: T, into node: Node, codingPath: [any CodingKey]) throws {
        switch value {
        case let date as Date: node.value = .string(RFC3339Time.format(date))
        case let json as JSONValue: node.value = json
        default: try value.encode(to: ValueEncoder(node: node, codingPath: codingPath))
        }
    }

    static func number(_ d: Double) -> JSONValue {
        if d.isNaN { return .string("NaN") }
        if d.isInfinite { return .string(d > 0 ? "Infinity" : "-Infinity") }
        return .double(d)
    }

    /// A member or element: a finished value, or a container still being filled.
    enum Slot {
        case value(JSONValue)
        case node(Node)

        var finished: JSONValue {
            switch self {
            case .value(let v): v
            case .node(let n): n.finished
            }
        }
    }

    /// A value under construction; it never leaves one `encode` call.
    final class Node {
        var value: JSONValue = .null
        var members: [String: Slot]?
        var elements: [Slot]?

        /// The finished value: containers are built from their children.
        var finished: JSONValue {
            if let members { return .object(members.mapValues(\.finished)) }
            if let elements { return .array(elements.map(\.finished)) }
            return value
        }
    }

    /// The value of `value` on its own (a new tree, finished).
    static func value<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> JSONValue {
        switch value {
        case let date as Date: return .string(RFC3339Time.format(date))
        case let json as JSONValue: return json
        case let string as String: return .string(string)
        case let int as Int: return .int(Int64(int))
        case let bool as Bool: return .bool(bool)
        default:
            let node = Node()
            try value.encode(to: ValueEncoder(node: node, codingPath: codingPath))
            return node.finished
        }
    }
}

extension LogRecordEncoder.Node {
    func asObject() {
        if members == nil { members = [:] }
    }

    func asArray() {
        if elements == nil { elements = [] }
    }
}

private struct ValueEncoder: Encoder {
    let node: LogRecordEncoder.Node
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.asObject()
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.asArray()
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(node: node, codingPath: codingPath)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: LogRecordEncoder.Node
    let codingPath: [any CodingKey]

    func child(_ key: Key) -> LogRecordEncoder.Node {
        let child = LogRecordEncoder.Node()
        node.members![key.stringValue] = .node(child)
        return child
    }

    func set(_ key: Key, _ value: JSONValue) { node.members![key.stringValue] = .value(value) }

    mutating func encodeNil(forKey key: Key) throws { set(key, .null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(key, .bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(key, .string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(key, LogRecordEncoder.number(value)) }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        set(key, LogRecordEncoder.number(Double(value)))
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(key, .int(Int64(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(key, .int(value)) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(key, .int(Int64(value))) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(key, .int(Int64(value))) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(key, .int(Int64(value))) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(key, SingleContainer.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(key, .int(Int64(value))) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(key, .int(Int64(value))) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(key, .int(Int64(value))) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(key, SingleContainer.unsigned(value)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        set(key, try LogRecordEncoder.value(value, codingPath: codingPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        let c = child(key)
        c.asObject()
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: c, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let c = child(key)
        c.asArray()
        return UnkeyedContainer(node: c, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder { ValueEncoder(node: node, codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        ValueEncoder(node: child(key), codingPath: codingPath)
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: LogRecordEncoder.Node
    let codingPath: [any CodingKey]
    var count: Int { node.elements?.count ?? 0 }

    func next() -> LogRecordEncoder.Node {
        let child = LogRecordEncoder.Node()
        node.elements!.append(.node(child))
        return child
    }

    func add(_ value: JSONValue) { node.elements!.append(.value(value)) }

    mutating func encodeNil() throws { add(.null) }
    mutating func encode(_ value: Bool) throws { add(.bool(value)) }
    mutating func encode(_ value: String) throws { add(.string(value)) }
    mutating func encode(_ value: Double) throws { add(LogRecordEncoder.number(value)) }
    mutating func encode(_ value: Int) throws { add(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { add(.int(value)) }
    mutating func encode(_ value: Float) throws { add(LogRecordEncoder.number(Double(value))) }
    mutating func encode(_ value: Int8) throws { add(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { add(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { add(.int(Int64(value))) }
    mutating func encode(_ value: UInt) throws { add(SingleContainer.unsigned(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { add(.int(Int64(value))) }
    mutating func encode(_ value: UInt16) throws { add(.int(Int64(value))) }
    mutating func encode(_ value: UInt32) throws { add(.int(Int64(value))) }
    mutating func encode(_ value: UInt64) throws { add(SingleContainer.unsigned(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        add(try LogRecordEncoder.value(value, codingPath: codingPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let c = next()
        c.asObject()
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: c, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let c = next()
        c.asArray()
        return UnkeyedContainer(node: c, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder { ValueEncoder(node: next(), codingPath: codingPath) }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let node: LogRecordEncoder.Node
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.value = .null }
    mutating func encode(_ value: Bool) throws { node.value = .bool(value) }
    mutating func encode(_ value: String) throws { node.value = .string(value) }
    mutating func encode(_ value: Double) throws { node.value = LogRecordEncoder.number(value) }
    mutating func encode(_ value: Float) throws { node.value = LogRecordEncoder.number(Double(value)) }
    mutating func encode(_ value: Int) throws { node.value = .int(Int64(value)) }
    mutating func encode(_ value: Int8) throws { node.value = .int(Int64(value)) }
    mutating func encode(_ value: Int16) throws { node.value = .int(Int64(value)) }
    mutating func encode(_ value: Int32) throws { node.value = .int(Int64(value)) }
    mutating func encode(_ value: Int64) throws { node.value = .int(value) }
    mutating func encode(_ value: UInt) throws { node.value = Self.unsigned(UInt64(value)) }
    mutating func encode(_ value: UInt8) throws { node.value = .int(Int64(value)) }
    mutating func encode(_ value: UInt16) throws { node.value = .int(Int64(value)) }
    mutating func encode(_ value: UInt32) throws { node.value = .int(Int64(value)) }
    mutating func encode(_ value: UInt64) throws { node.value = Self.unsigned(value) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try LogRecordEncoder.encode(value, into: node, codingPath: codingPath)
    }

    static func unsigned(_ v: UInt64) -> JSONValue { v <= UInt64(Int64.max) ? .int(Int64(v)) : .double(Double(v)) }
}
