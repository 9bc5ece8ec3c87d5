import Foundation

/// The byte-level implementations of the transforms. Each answers `nil` when it changes nothing.
enum TextDecoding {
    static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ byte: UInt8) -> Bool {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return false }
        return memchr(base, Int32(byte), bytes.count) != nil
    }

    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte &- UInt8(ascii: "A") &+ 10)
        default: nil
        }
    }

    static func appendUTF8(_ scalarValue: UInt32, to output: inout [UInt8]) {
        let scalar = Unicode.Scalar(scalarValue) ?? "\u{FFFD}"
        output.append(contentsOf: UTF8.encode(scalar)!)
    }

    // MARK: URL decoding

    static func urlDecode(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard contains(bytes, UInt8(ascii: "%")) else { return nil }
        var output = [UInt8]()
        output.reserveCapacity(bytes.count)
        var changed = false
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                if index + 2 < count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                {
                    output.append(UInt8(high << 4 | low))
                    index += 3
                    changed = true
                    continue
                }
                if index + 5 < count, bytes[index + 1] | 0x20 == UInt8(ascii: "u"),
                    let a = hexValue(bytes[index + 2]), let b = hexValue(bytes[index + 3]),
                    let c = hexValue(bytes[index + 4]), let d = hexValue(bytes[index + 5])
                {
                    appendUTF8(a << 12 | b << 8 | c << 4 | d, to: &output)
                    index += 6
                    changed = true
                    continue
                }
            }
            output.append(byte)
            index += 1
        }
        guard changed else { return nil }
        return foldOverlongUTF8(output)
    }

    /// Maps overlong two-byte UTF-8 forms of ASCII (`C0 AF` for `/`, `C0 AE` for `.`) to the ASCII byte,
    /// the classic way around path filters.
    static func foldOverlongUTF8(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(where: { $0 == 0xC0 || $0 == 0xC1 }) else { return bytes }
        var output = [UInt8]()
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if (byte == 0xC0 || byte == 0xC1), index + 1 < bytes.count, bytes[index + 1] & 0xC0 == 0x80 {
                output.append((byte & 0x1F) << 6 | (bytes[index + 1] & 0x3F))
                index += 2
                continue
            }
            output.append(byte)
            index += 1
        }
        return output
    }

    // MARK: HTML entities

    static func htmlEntityDecode(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard contains(bytes, UInt8(ascii: "&")) else { return nil }
        var output = [UInt8]()
        output.reserveCapacity(bytes.count)
        var changed = false
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "&"), index + 2 < count,
                let (scalar, length) = entity(in: bytes, at: index)
            {
                appendUTF8(scalar, to: &output)
                index += length
                changed = true
                continue
            }
            output.append(byte)
            index += 1
        }
        return changed ? output : nil
    }

    /// Decodes the entity starting at `start` (which holds `&`): its scalar and its length in bytes.
    static func entity(in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (UInt32, Int)? {
        var index = start + 1
        let count = bytes.count
        if bytes[index] == UInt8(ascii: "#") {
            index += 1
            var value: UInt32 = 0
            var digits = 0
            let hex = index < count && bytes[index] | 0x20 == UInt8(ascii: "x")
            if hex { index += 1 }
            while index < count {
                let digit: UInt32?
                if hex {
                    digit = hexValue(bytes[index])
                } else if bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                    digit = UInt32(bytes[index] - UInt8(ascii: "0"))
                } else {
                    digit = nil
                }
                guard let digit else { break }
                value = min(value &* (hex ? 16 : 10) &+ digit, 0x110000)
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            if index < count, bytes[index] == UInt8(ascii: ";") { index += 1 }
            if value == 0 || value > 0x10FFFF || (0xD800...0xDFFF).contains(value) { value = 0xFFFD }
            return (value, index - start)
        }
        // Named entity: letters and digits up to 32, then an optional `;` (required for most names).
        var nameEnd = index
        while nameEnd < count, nameEnd - index < 32,
            bytes[nameEnd].isASCIIAlphanumeric
        {
            nameEnd += 1
        }
        guard nameEnd > index else { return nil }
        let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<nameEnd]), as: UTF8.self)
        let terminated = nameEnd < count && bytes[nameEnd] == UInt8(ascii: ";")
        if let scalar = HTMLEntities.named[name] ?? HTMLEntities.named[name.lowercased()] {
            if terminated { return (scalar, nameEnd + 1 - start) }
            if HTMLEntities.legacyUnterminated.contains(name.lowercased()) { return (scalar, nameEnd - start) }
        }
        return nil
    }

    // MARK: Unicode

    static func nfkc(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard !isASCII(bytes) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        let normalized = text.precomposedStringWithCompatibilityMapping
        let result = Array(normalized.utf8)
        return result.elementsEqual(bytes) ? nil : result
    }

    static func lowercase(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        if isASCII(bytes) {
            guard bytes.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else { return nil }
            return [UInt8](unsafeUninitializedCapacity: bytes.count) { output, initialized in
                for index in 0..<bytes.count {
                    let byte = bytes[index]
                    output[index] = byte &- 65 < 26 ? byte | 0x20 : byte
                }
                initialized = bytes.count
            }
        }
        let lowered = Array(String(decoding: bytes, as: UTF8.self).lowercased().utf8)
        return lowered.elementsEqual(bytes) ? nil : lowered
    }

    /// Whether every byte is below 0x80 (eight bytes at a time).
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var index = 0
        let raw = UnsafeRawPointer(base)
        while index + 8 <= count {
            if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < count {
            if base[index] & 0x80 != 0 { return false }
            index += 1
        }
        return true
    }

    // MARK: Bytes

    static func removeNulls(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard contains(bytes, 0) else { return nil }
        return bytes.filter { $0 != 0 }
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    static func compressWhitespace(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        // First pass: is there a run of two, or a whitespace byte other than a space?
        var needed = false
        var previousWasSpace = false
        for byte in bytes {
            let space = isWhitespace(byte)
            if space && (previousWasSpace || byte != 0x20) {
                needed = true
                break
            }
            previousWasSpace = space
        }
        guard needed else { return nil }
        var output = [UInt8]()
        output.reserveCapacity(bytes.count)
        previousWasSpace = false
        for byte in bytes {
            if isWhitespace(byte) {
                if !previousWasSpace { output.append(0x20) }
                previousWasSpace = true
            } else {
                output.append(byte)
                previousWasSpace = false
            }
        }
        return output
    }

    // MARK: Command lines

    static func commandLine(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var output = [UInt8]()
        output.reserveCapacity(bytes.count)
        var index = 0
        let count = bytes.count
        while index < count {
            var byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "^"):
                continue
            case UInt8(ascii: "`") where index < count && bytes[index] == UInt8(ascii: "`"):
                index += 1
                continue
            case UInt8(ascii: "$") where index + 1 < count && bytes[index] == UInt8(ascii: "(") && bytes[index + 1] == UInt8(ascii: ")"):
                index += 2
                continue
            case UInt8(ascii: "/"), UInt8(ascii: "("):
                while let last = output.last, last == 0x20 { output.removeLast() }
            case UInt8(ascii: ","), UInt8(ascii: ";"):
                byte = 0x20
            default:
                if isWhitespace(byte) { byte = 0x20 }
                if byte >= 65 && byte <= 90 { byte |= 0x20 }
            }
            if byte == 0x20, output.last == 0x20 { continue }
            output.append(byte)
        }
        return output.elementsEqual(bytes) ? nil : output
    }

    // MARK: Base64

    static let minimumBase64Run = 16

    static func isBase64Byte(_ byte: UInt8) -> Bool {
        byte.isASCIIAlphanumeric || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    static func base64Decode(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var output: [UInt8]? = nil
        var copied = 0
        var index = 0
        let count = bytes.count
        while index < count {
            guard isBase64Byte(bytes[index]) else {
                index += 1
                continue
            }
            let start = index
            while index < count, isBase64Byte(bytes[index]) { index += 1 }
            var end = index
            while end < count, end - index < 2, bytes[end] == UInt8(ascii: "=") { end += 1 }
            guard index - start >= minimumBase64Run,
                let decoded = decodeBase64Text(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            else {
                index = end
                continue
            }
            if output == nil {
                output = []
                output!.reserveCapacity(count)
            }
            output!.append(contentsOf: bytes[copied..<start])
            output!.append(contentsOf: decoded)
            copied = end
            index = end
        }
        guard var result = output else { return nil }
        result.append(contentsOf: bytes[copied..<count])
        return result
    }

    /// Decodes one run of base64 (standard or URL-safe alphabet, padding optional) when the result is
    /// readable text: valid UTF-8 with at least 90% printable characters.
    static func decodeBase64Text(_ run: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var decoded = [UInt8]()
        decoded.reserveCapacity(run.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in run {
            let value: UInt32
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(byte - 65)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(byte - 97 + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(byte - 48 + 52)
            case UInt8(ascii: "+"), UInt8(ascii: "-"): value = 62
            default: value = 63
            }
            accumulator = accumulator << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                decoded.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        guard let text = String(validating: decoded, as: UTF8.self) else { return nil }
        var printable = 0
        var total = 0
        for scalar in text.unicodeScalars {
            total += 1
            if scalar.value >= 0x20 && scalar.value != 0x7F || scalar == "\n" || scalar == "\t" || scalar == "\r" {
                printable += 1
            }
        }
        guard total > 0, printable * 10 >= total * 9 else { return nil }
        return decoded
    }
}

extension UInt8 {
    var isASCIIAlphanumeric: Bool {
        (self >= 0x30 && self <= 0x39) || (self | 0x20 >= 0x61 && self | 0x20 <= 0x7A)
    }
}
