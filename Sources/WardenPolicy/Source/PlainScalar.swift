/// How an unquoted YAML scalar is read in a policy file.
///
/// YAML 1.1 and 1.2 readers disagree on many unquoted words and numbers (`no` is `false` in one and the
/// string `"no"` in the other; `0755` is 493 or 755; `12:30` is 750 or a string). A policy must mean one
/// thing, so such scalars are refused with a hint to quote them. What is accepted is the JSON-compatible
/// core: `null`/`~`, `true`/`false`, decimal integers, decimal numbers, and every other word as a string.
enum PlainScalar {
    enum Reading: Equatable {
        case value(Value)
        case ambiguous(String)
        case invalid(String)
    }

    enum Value: Equatable {
        case null
        case bool(Bool)
        case int(Int64)
        case double(Double)
        case string(String)
    }

    static func read(_ text: String) -> Reading {
        switch text {
        case "", "~", "null", "Null", "NULL": return .value(.null)
        case "true", "True", "TRUE": return .value(.bool(true))
        case "false", "False", "FALSE": return .value(.bool(false))
        default: break
        }
        let lower = text.lowercased()
        if ["yes", "no", "on", "off", "y", "n"].contains(lower) {
            return .ambiguous(
                "unquoted \(text) is a boolean to some YAML readers and a string to others; "
                    + "write true or false, or quote it (\"\(text)\")")
        }
        if [".inf", "+.inf", "-.inf", ".nan"].contains(lower) {
            return .invalid("\(text) (infinity or not-a-number) cannot be represented in JSON")
        }
        let bytes = Array(text.utf8)
        var body = bytes[...]
        if let first = body.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { body = body.dropFirst() }
        guard let lead = body.first, isDigit(lead) || lead == UInt8(ascii: ".") else { return .value(.string(text)) }

        if isDate(bytes) {
            return .ambiguous("unquoted \(text) is read as a date by some YAML readers; quote it (\"\(text)\")")
        }
        if isSexagesimal(body) {
            return .ambiguous(
                "unquoted \(text) looks like a time; YAML 1.1 reads it as a base-60 number; quote it (\"\(text)\")")
        }
        if body.count > 1, body.first == UInt8(ascii: "0"),
            let second = body.dropFirst().first, "xXoObB".utf8.contains(second)
        {
            return .ambiguous("unquoted \(text) is not a decimal number; write it in decimal or quote it (\"\(text)\")")
        }
        if body.contains(UInt8(ascii: "_")),
            body.allSatisfy({ isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") })
        {
            return .ambiguous(
                "unquoted \(text) has digit separators that YAML readers disagree on; "
                    + "write the digits alone or quote it (\"\(text)\")")
        }
        if body.allSatisfy(isDigit) {
            if body.count > 1, body.first == UInt8(ascii: "0") {
                return .ambiguous(
                    "unquoted \(text) looks octal: YAML 1.1 reads it as base 8, YAML 1.2 as base 10; "
                        + "drop the leading zero or quote it (\"\(text)\")")
            }
            guard let value = Int64(text.hasPrefix("+") ? String(text.dropFirst()) : text) else {
                return .invalid("\(text) does not fit in a 64-bit integer")
            }
            return .value(.int(value))
        }
        if isDecimalNumber(body) {
            guard let value = Double(text), value.isFinite else { return .invalid("\(text) is out of range") }
            return .value(.double(value))
        }
        return .value(.string(text))
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// `2024-01-31`, optionally followed by a time: YAML 1.1's timestamp.
    private static func isDate(_ b: [UInt8]) -> Bool {
        guard b.count >= 8, b[0..<4].allSatisfy(isDigit), b[4] == UInt8(ascii: "-") else { return false }
        var i = 5
        var digits = 0
        while i < b.count, isDigit(b[i]) {
            i += 1
            digits += 1
        }
        guard (1...2).contains(digits), i < b.count, b[i] == UInt8(ascii: "-") else { return false }
        i += 1
        digits = 0
        while i < b.count, isDigit(b[i]) {
            i += 1
            digits += 1
        }
        guard (1...2).contains(digits) else { return false }
        return i == b.count || b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == UInt8(ascii: " ")
    }

    /// `12:30`, `1:20:30.5`: YAML 1.1's base-60 numbers.
    private static func isSexagesimal(_ b: ArraySlice<UInt8>) -> Bool {
        guard b.contains(UInt8(ascii: ":")) else { return false }
        let parts = b.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return false }
        for (n, part) in parts.enumerated() {
            var digits = part[...]
            if n == parts.count - 1, let dot = part.firstIndex(of: UInt8(ascii: ".")) {
                guard part[(dot + 1)...].allSatisfy({ isDigit($0) || $0 == UInt8(ascii: "_") }) else { return false }
                digits = part[..<dot]
            }
            guard !digits.isEmpty, digits.allSatisfy({ isDigit($0) || $0 == UInt8(ascii: "_") }) else { return false }
        }
        return true
    }

    /// `1.5`, `.5`, `1e3`, `2.5E-3`.
    private static func isDecimalNumber(_ b: ArraySlice<UInt8>) -> Bool {
        var i = b.startIndex
        var mantissa = 0
        while i < b.endIndex, isDigit(b[i]) {
            i += 1
            mantissa += 1
        }
        if i < b.endIndex, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.endIndex, isDigit(b[i]) {
                i += 1
                mantissa += 1
            }
        }
        guard mantissa > 0 else { return false }
        if i < b.endIndex, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.endIndex, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") { i += 1 }
            var exponent = 0
            while i < b.endIndex, isDigit(b[i]) {
                i += 1
                exponent += 1
            }
            guard exponent > 0 else { return false }
        }
        return i == b.endIndex
    }
}
