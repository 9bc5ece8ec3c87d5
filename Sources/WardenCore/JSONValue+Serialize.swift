import Foundation

extension JSONValue {
    /// The value as compact JSON text (no spaces or newlines), members in sorted key order so equal
    /// values always give equal bytes: this is the form hashed into digests and sent on the wire.
    public func serialized() -> String {
        String(decoding: serializedBytes(), as: UTF8.self)
    }

    /// The value as compact UTF-8 JSON bytes in sorted key order; see ``serialized()``.
    public func serializedBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out)
        return out
    }

    /// The value as indented JSON for people to read.
    public func prettyPrinted(indent: Int = 2) -> String {
        var out: [UInt8] = []
        writePretty(to: &out, level: 0, indent: indent)
        return String(decoding: out, as: UTF8.self)
    }

    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): out.append(contentsOf: Self.formatDouble(d).utf8)
        case .string(let s): Self.writeString(s, to: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (n, element) in a.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                element.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            for (n, key) in o.keys.sorted().enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                o[key]!.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private func writePretty(to out: inout [UInt8], level: Int, indent: Int) {
        let pad = { (l: Int, out: inout [UInt8]) in out.append(contentsOf: repeatElement(0x20, count: l * indent)) }
        switch self {
        case .array(let a) where !a.isEmpty:
            out.append(contentsOf: "[\n".utf8)
            for (n, element) in a.enumerated() {
                pad(level + 1, &out)
                element.writePretty(to: &out, level: level + 1, indent: indent)
                out.append(contentsOf: (n + 1 < a.count ? ",\n" : "\n").utf8)
            }
            pad(level, &out)
            out.append(UInt8(ascii: "]"))
        case .object(let o) where !o.isEmpty:
            out.append(contentsOf: "{\n".utf8)
            let keys = o.keys.sorted()
            for (n, key) in keys.enumerated() {
                pad(level + 1, &out)
                Self.writeString(key, to: &out)
                out.append(contentsOf: ": ".utf8)
                o[key]!.writePretty(to: &out, level: level + 1, indent: indent)
                out.append(contentsOf: (n + 1 < keys.count ? ",\n" : "\n").utf8)
            }
            pad(level, &out)
            out.append(UInt8(ascii: "}"))
        default:
            write(to: &out)
        }
    }

    static func formatDouble(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d.rounded() == d, abs(d) < 1e15 { return String(Int64(d)) + ".0" }
        return "\(d)"
    }

    static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0..<0x20:
                let hex = String(b, radix: 16)
                out.append(contentsOf: "\\u00".utf8)
                if hex.count == 1 { out.append(UInt8(ascii: "0")) }
                out.append(contentsOf: hex.utf8)
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
