extension LogPosition {
    /// Reads the position from a payload as the log writes it — the `log` member first, in exactly the form
    /// ``bind(_:)`` produces — without parsing the rest. The verifier uses this on every entry; anything else
    /// (another member order, spaces, upper-case hex) is refused.
    /// - Throws: ``LogPayloadError``.
    public init(boundPayload payload: [UInt8]) throws(LogPayloadError) {
        var scanner = PrefixScanner(bytes: payload)
        guard scanner.expect(#"{"log":{"prev":""#) else {
            throw LogPayloadError("the payload does not start with the log member")
        }
        guard let prev = scanner.hex(32), scanner.expect(#"","seq":"#) else {
            throw LogPayloadError("log.prev is not 64 lowercase hex characters")
        }
        guard let seq = scanner.integer(), scanner.expect(#","time":""#) else {
            throw LogPayloadError("log.seq is not a non-negative integer")
        }
        guard let time = scanner.until(UInt8(ascii: "\"")), time.utf8.count == 24, time.hasSuffix("Z"),
            let ms = RFC3339Time.parseMilliseconds(time), scanner.expect("\"}")
        else { throw LogPayloadError("log.time is not an RFC 3339 time as the log writes it") }
        guard scanner.expect(",") || scanner.expect("}") else {
            throw LogPayloadError("unexpected bytes after the log member")
        }
        self.init(seq: seq, previousHash: prev, timeMilliseconds: ms)
    }

    /// The string value of the top-level member `name` of a JSON object, found by skipping over the other
    /// members without building them; `nil` when there is no such member or it is not a string.
    ///
    /// Meant for payloads whose signature has been (or will be) checked: it skips values structurally and does
    /// not validate everything a full parse would.
    public static func topLevelString(named name: String, in payload: [UInt8]) -> String? {
        payload.withUnsafeBufferPointer { bytes -> String? in
            var i = 0
            func space() { while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 } }
            /// Skips a string starting at `i` (on the opening quote); returns its raw range without quotes.
            func skipString() -> Range<Int>? {
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
                i += 1
                let start = i
                while i < bytes.count {
                    switch bytes[i] {
                    case UInt8(ascii: "\\"): i += 2
                    case UInt8(ascii: "\""):
                        i += 1
                        return start..<(i - 1)
                    default: i += 1
                    }
                }
                return nil
            }
            func skipValue() -> Bool {
                space()
                guard i < bytes.count else { return false }
                switch bytes[i] {
                case UInt8(ascii: "\""): return skipString() != nil
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    var depth = 0
                    while i < bytes.count {
                        switch bytes[i] {
                        case UInt8(ascii: "\""):
                            guard skipString() != nil else { return false }
                            continue
                        case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                        case UInt8(ascii: "}"), UInt8(ascii: "]"):
                            depth -= 1
                            if depth == 0 {
                                i += 1
                                return true
                            }
                        default: break
                        }
                        i += 1
                    }
                    return false
                default:
                    while i < bytes.count,
                        ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]")].contains(bytes[i])
                    {
                        i += 1
                    }
                    return true
                }
            }
            let wanted = Array(name.utf8)
            space()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { return nil }
            i += 1
            while true {
                space()
                guard let key = skipString() else { return nil }
                space()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                space()
                if bytes[key].elementsEqual(wanted) {
                    let start = i
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), skipString() != nil else { return nil }
                    return try? JSONValue.parse(UnsafeBufferPointer(rebasing: bytes[start..<i])).stringValue
                }
                guard skipValue() else { return nil }
                space()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ",") else { return nil }
                i += 1
            }
        }
    }
}

/// A cursor over bytes for ``LogPosition/init(boundPayload:)``.
private struct PrefixScanner {
    let bytes: [UInt8]
    var index = 0

    mutating func expect(_ literal: String) -> Bool {
        let utf8 = Array(literal.utf8)
        guard index + utf8.count <= bytes.count, bytes[index..<index + utf8.count].elementsEqual(utf8) else {
            return false
        }
        index += utf8.count
        return true
    }

    mutating func hex(_ count: Int) -> [UInt8]? {
        guard index + count * 2 <= bytes.count else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(count)
        for k in 0..<count {
            guard let high = nibble(bytes[index + 2 * k]), let low = nibble(bytes[index + 2 * k + 1]) else {
                return nil
            }
            out.append(high << 4 | low)
        }
        index += count * 2
        return out
    }

    private func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    mutating func integer() -> Int64? {
        let start = index
        var value: Int64 = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(Int64(bytes[index] - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = plus
            index += 1
        }
        guard index > start, index - start == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
        return value
    }

    mutating func until(_ terminator: UInt8) -> String? {
        let start = index
        while index < bytes.count, bytes[index] != terminator {
            guard bytes[index] >= 0x20, bytes[index] < 0x7F else { return nil }
            index += 1
        }
        guard index < bytes.count else { return nil }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }
}
