/// Reads a JSON document (RFC 8259, strict) into a ``SourceNode`` tree with line and column for every
/// value and key. Duplicate keys, trailing commas, comments and trailing content are errors.
struct JSONSourceReader {
    private let bytes: [UInt8]
    private let file: String
    private var index = 0
    private var line = 1
    private var column = 1

    private static let maximumDepth = 64

    /// - Throws: ``PolicyDiagnostic`` (`syntax`, `duplicate_key`, `invalid_value`) at the offending place.
    static func read(_ bytes: [UInt8], file: String) throws(PolicyDiagnostic) -> SourceNode {
        var reader = JSONSourceReader(bytes: bytes, file: file)
        reader.skipSpace()
        guard reader.index < bytes.count else {
            throw PolicyDiagnostic(.emptyFile, at: reader.here, "the file is empty")
        }
        let node = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.index == bytes.count else { throw reader.failure("unexpected text after the JSON document") }
        return node
    }

    private init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    private var here: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    private func failure(_ message: String, _ code: PolicyDiagnostic.Code = .syntax) -> PolicyDiagnostic {
        PolicyDiagnostic(code, at: here, "JSON: \(message)")
    }

    private mutating func advance() {
        let b = bytes[index]
        index += 1
        if b == 0x0A {
            line += 1
            column = 1
        } else if b & 0xC0 != 0x80 {
            column += 1
        }
    }

    private mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { advance() }
    }

    private mutating func value(depth: Int) throws(PolicyDiagnostic) -> SourceNode {
        guard depth < Self.maximumDepth else { throw failure("nesting deeper than \(Self.maximumDepth) levels") }
        guard index < bytes.count else { throw failure("unexpected end of the file") }
        let start = here
        switch bytes[index] {
        case UInt8(ascii: "{"): return SourceNode(kind: .object(try object(depth: depth)), location: start)
        case UInt8(ascii: "["): return SourceNode(kind: .array(try array(depth: depth)), location: start)
        case UInt8(ascii: "\""): return SourceNode(kind: .string(try string()), location: start)
        case UInt8(ascii: "t"):
            try word("true")
            return SourceNode(kind: .bool(true), location: start)
        case UInt8(ascii: "f"):
            try word("false")
            return SourceNode(kind: .bool(false), location: start)
        case UInt8(ascii: "n"):
            try word("null")
            return SourceNode(kind: .null, location: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return SourceNode(kind: try number(), location: start)
        default:
            throw failure("unexpected character; expected a value")
        }
    }

    private mutating func word(_ text: String) throws(PolicyDiagnostic) {
        for expected in text.utf8 {
            guard index < bytes.count, bytes[index] == expected else { throw failure("invalid literal") }
            advance()
        }
    }

    private mutating func object(depth: Int) throws(PolicyDiagnostic) -> [SourceNode.Member] {
        advance()
        var members: [SourceNode.Member] = []
        var seen: [String: SourceLocation] = [:]
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            advance()
            return members
        }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a key") }
            let keyLocation = here
            let key = try string()
            if let first = seen[key] {
                throw PolicyDiagnostic(
                    .duplicateKey, at: keyLocation,
                    "duplicate key \"\(key)\" in one object (first at line \(first.line)); each key may appear once")
            }
            seen[key] = keyLocation
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':'") }
            advance()
            skipSpace()
            members.append(SourceNode.Member(key: key, keyLocation: keyLocation, value: try value(depth: depth + 1)))
            skipSpace()
            guard index < bytes.count else { throw failure("unexpected end of the file") }
            if bytes[index] == UInt8(ascii: ",") {
                advance()
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { throw failure("expected ',' or '}'") }
            advance()
            return members
        }
    }

    private mutating func array(depth: Int) throws(PolicyDiagnostic) -> [SourceNode] {
        advance()
        var elements: [SourceNode] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            advance()
            return elements
        }
        while true {
            skipSpace()
            elements.append(try value(depth: depth + 1))
            skipSpace()
            guard index < bytes.count else { throw failure("unexpected end of the file") }
            if bytes[index] == UInt8(ascii: ",") {
                advance()
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { throw failure("expected ',' or ']'") }
            advance()
            return elements
        }
    }

    private mutating func string() throws(PolicyDiagnostic) -> String {
        advance()
        var out: [UInt8] = []
        while index < bytes.count {
            let b = bytes[index]
            switch b {
            case UInt8(ascii: "\""):
                advance()
                guard let s = String(validating: out, as: UTF8.self) else { throw failure("invalid UTF-8 in a string") }
                return s
            case UInt8(ascii: "\\"):
                advance()
                guard index < bytes.count else { throw failure("unexpected end of the file") }
                let e = bytes[index]
                advance()
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { throw failure("lone high surrogate in \\u escape") }
                        advance()
                        advance()
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw failure("invalid low surrogate") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw failure("lone low surrogate in \\u escape")
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw failure("invalid code point") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw failure("invalid escape in a string")
                }
            default:
                guard b >= 0x20 else { throw failure("control character in a string; escape it") }
                out.append(b)
                advance()
            }
        }
        throw failure("unterminated string")
    }

    private mutating func hex4() throws(PolicyDiagnostic) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count else { throw failure("unexpected end of the file") }
            let c = bytes[index]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw failure("invalid \\u escape")
            }
            v = v << 4 | d
            advance()
        }
        return v
    }

    private mutating func number() throws(PolicyDiagnostic) -> SourceNode.Kind {
        let start = index
        var isInteger = true
        func digit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        if bytes[index] == UInt8(ascii: "-") { advance() }
        guard index < bytes.count, digit(bytes[index]) else { throw failure("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            advance()
            if index < bytes.count, digit(bytes[index]) { throw failure("numbers may not have leading zeros") }
        } else {
            while index < bytes.count, digit(bytes[index]) { advance() }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            advance()
            guard index < bytes.count, digit(bytes[index]) else { throw failure("invalid number") }
            while index < bytes.count, digit(bytes[index]) { advance() }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            advance()
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                advance()
            }
            guard index < bytes.count, digit(bytes[index]) else { throw failure("invalid number") }
            while index < bytes.count, digit(bytes[index]) { advance() }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger {
            guard let i = Int64(text) else { throw failure("\(text) does not fit in a 64-bit integer", .invalidValue) }
            return .int(i)
        }
        guard let d = Double(text), d.isFinite else { throw failure("\(text) is out of range", .invalidValue) }
        return .double(d)
    }
}
