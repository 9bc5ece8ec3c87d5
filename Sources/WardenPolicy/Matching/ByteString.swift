/// Byte-wise string tests on UTF-8, used on the evaluation path instead of Foundation's string methods
/// (which are slow on Linux and compare by canonical equivalence, which a policy must not).
enum ByteString {
    /// Calls `body` with the string's UTF-8 bytes without copying native strings.
    @inline(__always)
    static func withBytes<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let r = s.utf8.withContiguousStorageIfAvailable(body) { return r }
        var copy = s
        copy.makeContiguousUTF8()
        return copy.utf8.withContiguousStorageIfAvailable(body)!
    }

    @inline(__always)
    static func lowerASCII(_ b: UInt8) -> UInt8 {
        b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") ? b | 0x20 : b
    }

    /// The bytes with ASCII letters lowered; other bytes unchanged.
    static func foldedASCII(_ s: String) -> [UInt8] { s.utf8.map(lowerASCII) }

    static func equal(_ s: UnsafeBufferPointer<UInt8>, _ t: [UInt8], foldCase: Bool) -> Bool {
        guard s.count == t.count else { return false }
        if foldCase {
            for i in 0..<t.count where lowerASCII(s[i]) != t[i] { return false }
            return true
        }
        for i in 0..<t.count where s[i] != t[i] { return false }
        return true
    }

    static func hasPrefix(_ s: UnsafeBufferPointer<UInt8>, _ p: [UInt8], foldCase: Bool) -> Bool {
        guard s.count >= p.count else { return false }
        for i in 0..<p.count {
            let b = foldCase ? lowerASCII(s[i]) : s[i]
            if b != p[i] { return false }
        }
        return true
    }

    static func hasSuffix(_ s: UnsafeBufferPointer<UInt8>, _ p: [UInt8], foldCase: Bool) -> Bool {
        guard s.count >= p.count else { return false }
        let offset = s.count - p.count
        for i in 0..<p.count {
            let b = foldCase ? lowerASCII(s[offset + i]) : s[offset + i]
            if b != p[i] { return false }
        }
        return true
    }

    /// Whether `needle` occurs in `s`. `needle` must already be folded when `foldCase` is set.
    static func contains(_ s: UnsafeBufferPointer<UInt8>, _ needle: [UInt8], foldCase: Bool) -> Bool {
        let n = needle.count
        if n == 0 { return true }
        guard s.count >= n else { return false }
        let first = needle[0]
        var i = 0
        let last = s.count - n
        while i <= last {
            let b = foldCase ? lowerASCII(s[i]) : s[i]
            if b == first {
                var j = 1
                while j < n {
                    let c = foldCase ? lowerASCII(s[i + j]) : s[i + j]
                    if c != needle[j] { break }
                    j += 1
                }
                if j == n { return true }
            }
            i += 1
        }
        return false
    }

    /// Whether any byte is outside ASCII.
    static func hasNonASCII(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in s where b >= 0x80 { return true }
        return false
    }
}
