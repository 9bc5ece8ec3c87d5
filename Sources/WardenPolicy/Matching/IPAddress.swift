import Foundation

/// An IPv4 or IPv6 address as 16 bytes (IPv4 as `::ffff:a.b.c.d`), for address-block conditions.
struct IPAddress: Sendable, Hashable {
    var bytes: [UInt8]

    /// Reads a host as an address. IPv4 is read the way `inet_aton` (and so most HTTP clients) reads it:
    /// one to four parts, each decimal, octal (leading 0) or hexadecimal (0x), so `2130706433`,
    /// `0177.0.0.1` and `0x7f.1` are all loopback. IPv6 may be bracketed and carry a zone (`%eth0`).
    /// Returns `nil` for anything that is not an address (a host name).
    init?(host: String) {
        var text = Substring(host)
        if text.first == "[", text.last == "]" { text = text.dropFirst().dropLast() }
        if let zone = text.firstIndex(of: "%") { text = text[..<zone] }
        // Most hosts are names: anything with a letter other than a-f, x or a hex digit cannot be an address.
        guard
            text.utf8.allSatisfy({ b in
                (b >= 0x30 && b <= 0x3A) || b == 0x2E || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x66)
                    || (b | 0x20) == 0x78
            })
        else { return nil }
        if text.utf8.contains(UInt8(ascii: ":")) {
            guard let v6 = Self.parseIPv6(text) else { return nil }
            bytes = v6
        } else {
            let v4 =
                text.utf8.withContiguousStorageIfAvailable(Self.parseIPv4Lenient)
                ?? Array(text.utf8).withUnsafeBufferPointer(Self.parseIPv4Lenient)
            guard let v4 else { return nil }
            bytes = Self.mapped(v4)
        }
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    static func mapped(_ v4: UInt32) -> [UInt8] {
        [
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF,
            UInt8(v4 >> 24), UInt8((v4 >> 16) & 0xFF), UInt8((v4 >> 8) & 0xFF), UInt8(v4 & 0xFF),
        ]
    }

    /// `inet_aton`'s reading of IPv4, on bytes and without allocating (it runs on every address check).
    static func parseIPv4Lenient(_ b: UnsafeBufferPointer<UInt8>) -> UInt32? {
        var parts: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var count = 0
        var i = 0
        while true {
            guard count < 4, i < b.count else { return nil }
            var radix: UInt64 = 10
            if b[i] == UInt8(ascii: "0"), i + 1 < b.count, b[i + 1] | 0x20 == UInt8(ascii: "x") {
                radix = 16
                i += 2
            } else if b[i] == UInt8(ascii: "0"), i + 1 < b.count, b[i + 1] != UInt8(ascii: ".") {
                radix = 8
                i += 1
            }
            var value: UInt64 = 0
            var digits = 0
            while i < b.count, b[i] != UInt8(ascii: ".") {
                let c = b[i] | 0x20
                let d: UInt64
                if b[i] >= UInt8(ascii: "0") && b[i] <= UInt8(ascii: "9") {
                    d = UInt64(b[i] - UInt8(ascii: "0"))
                } else if c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f") {
                    d = UInt64(c - UInt8(ascii: "a") + 10)
                } else {
                    return nil
                }
                guard d < radix else { return nil }
                value = value * radix + d
                guard value <= UInt64(UInt32.max) else { return nil }
                digits += 1
                i += 1
            }
            guard digits > 0 || radix == 16 else { return nil }
            switch count {
            case 0: parts.0 = value
            case 1: parts.1 = value
            case 2: parts.2 = value
            default: parts.3 = value
            }
            count += 1
            if i == b.count { break }
            i += 1  // the dot
        }
        let values = [parts.0, parts.1, parts.2, parts.3].prefix(count)
        var result: UInt64 = 0
        for (n, value) in values.enumerated() {
            if n == count - 1 {
                guard value < (UInt64(1) << (8 * UInt64(4 - n))) else { return nil }
                result |= value
            } else {
                guard value <= 0xFF else { return nil }
                result |= value << UInt64(8 * (3 - n))
            }
        }
        return UInt32(result)
    }

    /// Strict dotted-quad IPv4, as written in policy files.
    static func parseIPv4Strict(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCII), let v = UInt32(part), v <= 255,
                part == "0" || !part.hasPrefix("0")
            else { return nil }
            result = result << 8 | v
        }
        return result
    }

    static func parseIPv6(_ text: Substring) -> [UInt8]? {
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        var halves: [String] = []
        if let gap = text.range(of: "::") {
            halves = [String(text[..<gap.lowerBound]), String(text[gap.upperBound...])]
            if halves[1].contains("::") { return nil }
        } else {
            halves = [String(text)]
        }
        func groups(_ s: String, allowIPv4: Bool) -> [UInt16]? {
            if s.isEmpty { return [] }
            var out: [UInt16] = []
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            for (n, part) in parts.enumerated() {
                if n == parts.count - 1, allowIPv4, part.contains(".") {
                    guard let v4 = parseIPv4Strict(part) else { return nil }
                    out.append(UInt16(v4 >> 16))
                    out.append(UInt16(v4 & 0xFFFF))
                    continue
                }
                guard (1...4).contains(part.count), let v = UInt16(part, radix: 16) else { return nil }
                out.append(v)
            }
            return out
        }
        if halves.count == 2 {
            sawGap = true
            guard let h = groups(halves[0], allowIPv4: false), let t = groups(halves[1], allowIPv4: true) else {
                return nil
            }
            head = h
            tail = t
        } else {
            guard let h = groups(halves[0], allowIPv4: true) else { return nil }
            head = h
        }
        let total = head.count + tail.count
        guard sawGap ? total <= 7 : total == 8 else { return nil }
        let all = head + [UInt16](repeating: 0, count: 8 - total) + tail
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }
}

/// An address block such as `10.0.0.0/8` or `fe80::/10`.
struct CIDRBlock: Sendable, Hashable, CustomStringConvertible {
    let network: [UInt8]
    let prefixLength: Int
    let description: String

    /// - Throws: ``PatternError`` when the block is not `address/length` (a bare address means one host).
    init(_ text: String) throws(PatternError) {
        description = text
        let pieces = text.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count <= 2 else { throw PatternError("\"\(text)\" is not an address block like 10.0.0.0/8") }
        var length: Int
        var bytes: [UInt8]
        if let v4 = IPAddress.parseIPv4Strict(pieces[0]) {
            bytes = IPAddress.mapped(v4)
            length = 32
            if pieces.count == 2 {
                guard let l = Int(pieces[1]), (0...32).contains(l) else {
                    throw PatternError("\"\(text)\": an IPv4 prefix length is 0 to 32")
                }
                length = l
            }
            length += 96
        } else if let v6 = IPAddress.parseIPv6(pieces[0]) {
            bytes = v6
            length = 128
            if pieces.count == 2 {
                guard let l = Int(pieces[1]), (0...128).contains(l) else {
                    throw PatternError("\"\(text)\": an IPv6 prefix length is 0 to 128")
                }
                length = l
            }
        } else {
            throw PatternError("\"\(text)\" is not an address block like 10.0.0.0/8 or fd00::/8")
        }
        for i in 0..<16 {
            let keep = max(0, min(8, length - i * 8))
            let mask: UInt8 = keep == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - keep))
            guard bytes[i] & ~mask == 0 else {
                throw PatternError("\"\(text)\" has bits set after its prefix length; write the network address")
            }
            bytes[i] &= mask
        }
        network = bytes
        prefixLength = length
    }

    func contains(_ address: IPAddress) -> Bool {
        var remaining = prefixLength
        var i = 0
        while remaining > 0 {
            let keep = min(8, remaining)
            let mask: UInt8 = UInt8(truncatingIfNeeded: 0xFF << (8 - keep))
            if address.bytes[i] & mask != network[i] { return false }
            remaining -= keep
            i += 1
        }
        return true
    }
}
