/// Bounded, redacted excerpts for findings: a little context, and the match with its middle masked, so an
/// excerpt never carries a secret whole. Long token-like runs in the context are masked too.
public enum Excerpt {
    /// Bytes of context kept on each side of the match.
    static let context = 16
    /// Characters kept at each end of a masked match (at most).
    static let keptAtEnds = 6
    static let mask = "…"

    /// The excerpt of `bytes` around `match` (the whole value when `match` is nil).
    static func make(_ bytes: UnsafeBufferPointer<UInt8>, match: Range<Int>?) -> String {
        let range = match.map { $0.clamped(to: 0..<bytes.count) } ?? 0..<bytes.count
        let before = boundary(bytes, max(0, range.lowerBound - context), forward: true)
        let after = boundary(bytes, min(bytes.count, range.upperBound + context), forward: false)
        let head = text(bytes, before..<range.lowerBound)
        let matched = text(bytes, range)
        let tail = text(bytes, range.upperBound..<max(range.upperBound, after))
        var result = ""
        if before > 0 { result += mask }
        result += sanitize(maskTokens(head))
        result += sanitize(maskMiddle(matched))
        result += sanitize(maskTokens(tail))
        if after < bytes.count { result += mask }
        return result
    }

    /// Keeps up to a quarter of the text (at most `keptAtEnds` characters) at each end, masks the rest.
    public static func maskMiddle(_ text: String) -> String {
        let characters = Array(text.unicodeScalars)
        let keep = min(keptAtEnds, characters.count / 4)
        if characters.isEmpty { return "" }
        if keep == 0 { return characters.count == 1 ? mask : String(characters[0]) + mask }
        let head = String(String.UnicodeScalarView(characters[0..<keep]))
        let tail = String(String.UnicodeScalarView(characters[(characters.count - keep)...]))
        return head + mask + tail
    }

    /// Masks runs of 20 or more token characters (letters, digits, `+/=_-`) in context text.
    static func maskTokens(_ text: String) -> String {
        var result = ""
        var run = ""
        func flush() {
            result += run.unicodeScalars.count >= 20 ? maskMiddle(run) : run
            run = ""
        }
        for scalar in text.unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "+/=_-".unicodeScalars.contains(scalar) {
                run.unicodeScalars.append(scalar)
            } else {
                flush()
                result.unicodeScalars.append(scalar)
            }
        }
        flush()
        return result
    }

    /// Control characters shown as escapes so an excerpt stays on one line.
    static func sanitize(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value):
                result += "\\u{\(String(scalar.value, radix: 16))}"
            case _ where (0x200B...0x200F).contains(scalar.value) || (0x202A...0x202E).contains(scalar.value)
                || (0x2066...0x2069).contains(scalar.value) || scalar.value == 0xFEFF:
                // Invisible and bidirectional controls: show them, never let them act.
                result += "\\u{\(String(scalar.value, radix: 16))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func text(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// Moves `index` off UTF-8 continuation bytes (forward or backward) so slices stay whole characters.
    private static func boundary(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int, forward: Bool) -> Int {
        var index = index
        while index > 0, index < bytes.count, bytes[index] & 0xC0 == 0x80 { index += forward ? 1 : -1 }
        return index
    }
}
