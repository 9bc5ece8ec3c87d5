/// The scheme and host of an absolute URL, read conservatively for policy conditions. The host is
/// lower-cased, without user information, port, trailing dot or the brackets of an IPv6 address.
///
/// A URL that different parsers could read differently (whitespace, control characters, backslashes,
/// percent-escapes or an empty host in the authority) is refused rather than guessed at; the condition
/// then fails to evaluate and the rule denies. Works on UTF-8 bytes: it sits on the evaluation path.
struct URLParts: Sendable, Equatable {
    var scheme: String
    var host: String

    /// The lower-cased scheme of `text` (`https`, `file`), which needs no host.
    /// - Throws: a sentence saying why the text has no scheme that can be judged.
    static func scheme(of text: String) throws(PatternError) -> String {
        let result = ByteString.withBytes(text) { b -> Result<String, PatternError> in
            do throws(PatternError) {
                let end = try schemeEnd(b)
                return .success(lowered(b[0..<end]))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func isLetter(_ c: UInt8) -> Bool {
        (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z")
    }
    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private static func lowered(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        String(decoding: bytes.lazy.map(ByteString.lowerASCII), as: UTF8.self)
    }

    private static func schemeEnd(_ b: UnsafeBufferPointer<UInt8>) throws(PatternError) -> Int {
        for c in b where c <= 0x20 || c == 0x7F || c == UInt8(ascii: "\\") {
            throw PatternError("the URL contains spaces, control characters or backslashes")
        }
        guard let colon = b.firstIndex(of: UInt8(ascii: ":")), colon > 0, isLetter(b[0]),
            b[0..<colon].allSatisfy({ isLetter($0) || isDigit($0) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E })
        else { throw PatternError("the URL has no scheme (expected something like https://host/path)") }
        return colon
    }

    /// - Throws: a sentence saying why the text is not a URL that can be judged.
    init(_ text: String) throws(PatternError) {
        let result = ByteString.withBytes(text) { b -> Result<URLParts, PatternError> in
            do throws(PatternError) { return .success(try Self.parse(b)) } catch { return .failure(error) }
        }
        self = try result.get()
    }

    private init(scheme: String, host: String) {
        self.scheme = scheme
        self.host = host
    }

    private static func parse(_ b: UnsafeBufferPointer<UInt8>) throws(PatternError) -> URLParts {
        let colon = try schemeEnd(b)
        let scheme = lowered(b[0..<colon])
        guard colon + 3 <= b.count, b[colon + 1] == UInt8(ascii: "/"), b[colon + 2] == UInt8(ascii: "/")
        else { throw PatternError("the URL has no host (expected \(scheme)://host/…)") }
        var start = colon + 3
        var end = start
        while end < b.count, b[end] != UInt8(ascii: "/"), b[end] != UInt8(ascii: "?"), b[end] != UInt8(ascii: "#") {
            end += 1
        }
        if let at = b[start..<end].lastIndex(of: UInt8(ascii: "@")) { start = at + 1 }
        guard !b[start..<end].contains(UInt8(ascii: "%")) else {
            throw PatternError("the URL's host contains percent-escapes")
        }
        var hostStart = start
        var hostEnd = end
        if start < end, b[start] == UInt8(ascii: "[") {
            guard let close = b[start..<end].firstIndex(of: UInt8(ascii: "]")) else {
                throw PatternError("the URL's IPv6 host has no ]")
            }
            let after = b[(close + 1)..<end]
            guard after.isEmpty || (after.first == UInt8(ascii: ":") && after.dropFirst().allSatisfy(isDigit)) else {
                throw PatternError("the URL has text after its IPv6 host")
            }
            hostStart = start + 1
            hostEnd = close
        } else {
            if let portColon = b[start..<end].firstIndex(of: UInt8(ascii: ":")) {
                guard b[(portColon + 1)..<end].allSatisfy(isDigit) else {
                    throw PatternError("the URL's port is not a number")
                }
                hostEnd = portColon
            }
            if hostEnd > hostStart, b[hostEnd - 1] == UInt8(ascii: ".") { hostEnd -= 1 }
        }
        guard hostEnd > hostStart else { throw PatternError("the URL has an empty host") }
        return URLParts(scheme: scheme, host: lowered(b[hostStart..<hostEnd]))
    }
}
