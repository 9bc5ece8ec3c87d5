/// Checks that bytes are exactly one JSON object, as strictly as ``JSONValue/parse(_:)-(Bytes)`` reads one, without
/// building it; and keeps where each top-level member's value lies.
///
/// The log checks every payload given to it as bytes this way (on the caller's thread): building the whole value
/// only to throw it away cost more than signing it. It refuses what the parser refuses — bad syntax, invalid
/// UTF-8, control characters and lone surrogates in strings, numbers that do not fit, nesting past
/// ``JSONValue/maximumDepth``, duplicate keys at any depth — and a differential test holds it to that.
public struct JSONObjectCheck {
    /// The top-level members: decoded key, and the byte range of the value.
    public private(set) var members: [(key: String, value: Range<Int>)] = []
    private let bytes: [UInt8]

    /// Checks `bytes`. - Throws: ``JSONParseError`` with the byte offset of the first problem.
    public init(_ bytes: [UInt8]) throws(JSONParseError) {
        self.bytes = bytes
        members = try bytes.withUnsafeBufferPointer { (buffer) throws(JSONParseError) in
            var scanner = Scanner(bytes: buffer)
            defer { scanner.release() }
            scanner.space()
            guard scanner.index < buffer.count, buffer[scanner.index] == UInt8(ascii: "{") else {
                throw scanner.error("expected a JSON object")
            }
            let members = try scanner.object(depth: 0, keepMembers: true)
            scanner.space()
            guard scanner.index == buffer.count else { throw scanner.error("unexpected bytes after the document") }
            return members
        }
    }

    /// Whether the object has a top-level member named `key`.
    public func contains(_ key: String) -> Bool { members.contains { $0.key == key } }

    /// The string value of the top-level member `key`, or `nil` when absent or not a string.
    public func string(_ key: String) -> String? {
        guard let range = members.first(where: { $0.key == key })?.value else { return nil }
        return (try? JSONValue.parse(bytes[range]))?.stringValue
    }
}

/// A key's bytes (raw when it has no escape, decoded otherwise), compared by content. Valid while the scanned
/// buffer and the scanner's decoded keys are.
private struct KeyBytes: Hashable {
    let bytes: UnsafeBufferPointer<UInt8>

    static func == (a: KeyBytes, b: KeyBytes) -> Bool { a.bytes.elementsEqual(b.bytes) }
    func hash(into hasher: inout Hasher) { hasher.combine(bytes: UnsafeRawBufferPointer(bytes)) }
    var string: String { String(decoding: bytes, as: UTF8.self) }
}

/// Works on the buffer directly: no bounds-checked array, no reference counting per byte.
private struct Scanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// Decoded copies of keys with escapes, freed by ``release()``.
    var decodedKeys: [UnsafeMutableBufferPointer<UInt8>] = []

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func release() { for key in decodedKeys { key.deallocate() } }

    func error(_ reason: String) -> JSONParseError { JSONParseError(offset: index, reason: reason) }

    mutating func space() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(JSONParseError) {
        guard depth < JSONValue.maximumDepth else { throw error("nesting deeper than \(JSONValue.maximumDepth)") }
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): _ = try object(depth: depth, keepMembers: false)
        case UInt8(ascii: "["): try array(depth: depth)
        case UInt8(ascii: "\""): _ = try string(decodeEscapes: false)
        case UInt8(ascii: "t"): try word("true")
        case UInt8(ascii: "f"): try word("false")
        case UInt8(ascii: "n"): try word("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        default: throw error("unexpected character")
        }
    }

    mutating func word(_ w: String) throws(JSONParseError) {
        for c in w.utf8 {
            guard index < bytes.count else { throw error("unexpected end of input") }
            guard bytes[index] == c else { throw error("invalid literal") }
            index += 1
        }
    }

    /// Reads an object; with `keepMembers`, returns its members (keys decoded). Keys are compared as decoded bytes.
    mutating func object(depth: Int, keepMembers: Bool) throws(JSONParseError) -> [(key: String, value: Range<Int>)] {
        index += 1
        var keys: [KeyBytes] = []
        var keySet: Set<KeyBytes> = []  // used once an object has many keys
        var members: [(key: String, value: Range<Int>)] = []
        space()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return members
        }
        while true {
            space()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a key") }
            let keyOffset = index
            let key = try string()
            if keys.count == 16 { keySet = Set(keys) }
            if keys.count < 16 ? keys.contains(key) : !keySet.insert(key).inserted {
                throw JSONParseError(
                    offset: keyOffset, reason: "duplicate key \"\(key.string)\"")
            }
            keys.append(key)
            space()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            space()
            let start = index
            try value(depth: depth + 1)
            if keepMembers { members.append((key.string, start..<index)) }
            space()
            guard index < bytes.count else { throw error("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { throw error("expected ',' or '}'") }
            index += 1
            return members
        }
    }

    mutating func array(depth: Int) throws(JSONParseError) {
        index += 1
        space()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            space()
            try value(depth: depth + 1)
            space()
            guard index < bytes.count else { throw error("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { throw error("expected ',' or ']'") }
            index += 1
            return
        }
    }

    /// Reads a string and returns its content: the raw bytes when it has no escape, the decoded bytes otherwise
    /// (or the raw bytes without `decodeEscapes`, for values nobody compares).
    mutating func string(decodeEscapes: Bool = true) throws(JSONParseError) -> KeyBytes {
        index += 1
        let start = index
        var escaped = false
        while index < bytes.count {
            let b = bytes[index]
            switch b {
            case UInt8(ascii: "\""):
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                return escaped && decodeEscapes ? try decode(raw, at: start) : KeyBytes(bytes: raw)
            case UInt8(ascii: "\\"):
                escaped = true
                index += 1
                guard index < bytes.count else { throw error("unexpected end of input") }
                switch bytes[index] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    index += 1
                    let scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { throw error("lone high surrogate") }
                        index += 2
                        guard (0xDC00...0xDFFF).contains(try hex4()) else { throw error("invalid low surrogate") }
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw error("lone low surrogate")
                    }
                default: throw error("invalid escape")
                }
            case 0..<0x20: throw error("control character in string")
            case 0..<0x80: index += 1
            default: try utf8Sequence()
            }
        }
        throw error("unterminated string")
    }

    /// The decoded bytes of a string with escapes (already checked), for comparing keys.
    mutating func decode(_ raw: UnsafeBufferPointer<UInt8>, at start: Int) throws(JSONParseError) -> KeyBytes {
        var quoted: [UInt8] = [UInt8(ascii: "\"")]
        quoted.append(contentsOf: raw)
        quoted.append(UInt8(ascii: "\""))
        let value: JSONValue
        do {
            value = try JSONValue.parse(quoted)
        } catch {
            throw JSONParseError(offset: start + max(0, error.offset - 1), reason: error.reason)
        }
        guard let text = value.stringValue else { throw JSONParseError(offset: start, reason: "invalid string") }
        let utf8 = Array(text.utf8)
        let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: utf8.count)
        _ = copy.initialize(from: utf8)
        decodedKeys.append(copy)
        return KeyBytes(bytes: UnsafeBufferPointer(copy))
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("unexpected end of input") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            v = v << 4 | d
            index += 1
        }
        return v
    }

    /// One multi-byte UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
    mutating func utf8Sequence() throws(JSONParseError) {
        let b0 = bytes[index]
        func continuation(_ k: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            index + k < bytes.count && range.contains(bytes[index + k])
        }
        let length: Int
        switch b0 {
        case 0xC2...0xDF: length = continuation(1) ? 2 : 0
        case 0xE0: length = continuation(1, 0xA0...0xBF) && continuation(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: length = continuation(1) && continuation(2) ? 3 : 0
        case 0xED: length = continuation(1, 0x80...0x9F) && continuation(2) ? 3 : 0
        case 0xF0: length = continuation(1, 0x90...0xBF) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF1...0xF3: length = continuation(1) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF4: length = continuation(1, 0x80...0x8F) && continuation(2) && continuation(3) ? 4 : 0
        default: length = 0
        }
        guard length > 0 else { throw error("invalid UTF-8") }
        index += length
    }

    mutating func number() throws(JSONParseError) {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        func digit() -> Bool {
            index < bytes.count && bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9")
        }
        guard index < bytes.count else { throw error("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digit() {
            while digit() { index += 1 }
        } else {
            throw error("invalid number")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            let digits = index
            while digit() { index += 1 }
            guard index > digits else { throw error("invalid number") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            let digits = index
            while digit() { index += 1 }
            guard index > digits else { throw error("invalid number") }
        }
        // Short integers always fit; anything else is checked as the parser does.
        if isInteger, index - start <= 18 { return }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, Int64(text) != nil { return }
        guard let d = Double(text), d.isFinite else {
            throw JSONParseError(offset: start, reason: "number out of range")
        }
    }
}
