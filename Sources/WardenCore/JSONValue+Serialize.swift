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
        CanonicalJSONWriter.write(self, to: &out)
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
            let members = o.sorted { $0.key < $1.key }
            for (n, member) in members.enumerated() {
                pad(level + 1, &out)
                Self.writeString(member.key, to: &out)
                out.append(contentsOf: ": ".utf8)
                member.value.writePretty(to: &out, level: level + 1, indent: indent)
                out.append(contentsOf: (n + 1 < members.count ? ",\n" : "\n").utf8)
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

    /// A JSON string literal (see ``CanonicalJSONWriter``).
    static func writeString(_ s: String, to out: inout [UInt8]) {
        CanonicalJSONWriter.string(s, to: &out)
    }
}
