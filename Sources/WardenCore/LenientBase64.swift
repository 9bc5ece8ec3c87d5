import Foundation

/// Base64 as DSSE uses it: written in the standard alphabet with padding; read in the standard or the
/// URL-safe alphabet, with or without padding (the DSSE specification asks verifiers to accept both).
public enum LenientBase64 {
    /// Standard base64 with padding (RFC 4648 §4).
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        append(Array(bytes), to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Appends the standard base64 (with padding) of `bytes` to `out`: the envelope serializer writes the payload and
    /// signatures through here without making strings.
    static func append(_ bytes: [UInt8], to out: inout [UInt8]) {
        let length = (bytes.count + 2) / 3 * 4
        let encoded = [UInt8](unsafeUninitializedCapacity: length) { o, written in
            alphabet.withUnsafeBufferPointer { a in
                bytes.withUnsafeBufferPointer { b in
                    var i = 0
                    var k = 0
                    while i + 3 <= b.count {
                        let v = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2])
                        o[k] = a[Int(v >> 18)]
                        o[k + 1] = a[Int(v >> 12 & 0x3F)]
                        o[k + 2] = a[Int(v >> 6 & 0x3F)]
                        o[k + 3] = a[Int(v & 0x3F)]
                        i += 3
                        k += 4
                    }
                    let rest = b.count - i
                    if rest > 0 {
                        let v = UInt32(b[i]) << 16 | (rest == 2 ? UInt32(b[i + 1]) << 8 : 0)
                        o[k] = a[Int(v >> 18)]
                        o[k + 1] = a[Int(v >> 12 & 0x3F)]
                        o[k + 2] = rest == 2 ? a[Int(v >> 6 & 0x3F)] : UInt8(ascii: "=")
                        o[k + 3] = UInt8(ascii: "=")
                    }
                }
            }
            written = length
        }
        out.append(contentsOf: encoded)
    }

    /// The bytes `text` encodes in either alphabet, padded or not; `nil` for any other character (spaces and
    /// line breaks included), for a mix of both alphabets, for misplaced padding, or for a length no encoding
    /// produces. Written by hand: the verifier decodes every payload and signature of the log.
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(bytes: $0) }
    }

    private static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8.enumerated() {
            t[Int(c)] = UInt8(i)
        }
        t[Int(UInt8(ascii: "+"))] = 62
        t[Int(UInt8(ascii: "/"))] = 63
        t[Int(UInt8(ascii: "-"))] = 0xFE  // URL-safe 62
        t[Int(UInt8(ascii: "_"))] = 0xFD  // URL-safe 63
        return t
    }()

    static func decode(bytes input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        if let fast = decodeStandardPadded(input) { return fast }
        return decodeAnyForm(input)
    }

    /// The common case, four characters at a time: standard alphabet, padded. `nil` means "use the general path"
    /// (which also gives the answer for anything malformed).
    private static func decodeStandardPadded(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let n = input.count
        guard n % 4 == 0 else { return nil }
        if n == 0 { return [] }
        let padding = input[n - 1] == UInt8(ascii: "=") ? (input[n - 2] == UInt8(ascii: "=") ? 2 : 1) : 0
        let full = (n - (padding > 0 ? 4 : 0)) / 4
        var failed = false
        let out = [UInt8](unsafeUninitializedCapacity: n / 4 * 3) { o, written in
            table.withUnsafeBufferPointer { t in
                var k = 0
                for g in 0..<full {
                    let i = g * 4
                    let a = t[Int(input[i])]
                    let b = t[Int(input[i + 1])]
                    let c = t[Int(input[i + 2])]
                    let d = t[Int(input[i + 3])]
                    // Every valid standard character maps below 64; the marks for others are 0xFD and up.
                    guard (a | b | c | d) & 0xC0 == 0 else {
                        failed = true
                        written = 0
                        return
                    }
                    let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    o[k] = UInt8(truncatingIfNeeded: v >> 16)
                    o[k + 1] = UInt8(truncatingIfNeeded: v >> 8)
                    o[k + 2] = UInt8(truncatingIfNeeded: v)
                    k += 3
                }
                written = k
            }
        }
        guard !failed else { return nil }
        // A padded last group goes through the general path on its own (it checks padding and leftover bits).
        guard padding > 0 else { return out }
        guard let tail = decodeAnyForm(UnsafeBufferPointer(rebasing: input[(n - 4)...])) else { return nil }
        return out + tail
    }

    private static func decodeAnyForm(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var end = input.count
        var padding = 0
        while end > 0, input[end - 1] == UInt8(ascii: "="), padding < 2 {
            end -= 1
            padding += 1
        }
        if padding > 0, input.count % 4 != 0 { return nil }
        let remainder = end % 4
        if remainder == 1 { return nil }
        if padding > 0, (4 - remainder) % 4 != padding { return nil }
        var standard = false
        var urlSafe = false
        var accumulator: UInt32 = 0
        var bits = 0
        let count = end
        let out = [UInt8](unsafeUninitializedCapacity: end * 3 / 4 + 1) { buffer, written in
            written = 0
            table.withUnsafeBufferPointer { t in
                for i in 0..<count {
                    var v = t[Int(input[i])]
                    if v >= 62 {
                        switch v {
                        case 0xFF:
                            standard = true
                            urlSafe = true  // marks the failure below
                            return
                        case 0xFE:
                            urlSafe = true
                            v = 62
                        case 0xFD:
                            urlSafe = true
                            v = 63
                        default: standard = true
                        }
                    }
                    accumulator = accumulator << 6 | UInt32(v)
                    bits += 6
                    if bits >= 8 {
                        bits -= 8
                        buffer[written] = UInt8(truncatingIfNeeded: accumulator >> UInt32(bits))
                        written += 1
                    }
                }
            }
        }
        if standard && urlSafe { return nil }
        // The leftover bits of a final partial group must be zero (canonical encoding).
        if bits > 0, accumulator & ((1 << UInt32(bits)) - 1) != 0 { return nil }
        return out
    }
}
