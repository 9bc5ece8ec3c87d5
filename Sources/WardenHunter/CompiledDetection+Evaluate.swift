import Foundation

extension CompiledDetection {
    /// The most regex matches examined for bounds before giving up on a value.
    static let maximumMatchesExamined = 4096

    /// Whether the detection holds on `bytes`, and the range it matched (nil for whole-value detections).
    func evaluate(_ bytes: UnsafeBufferPointer<UInt8>, scratch: RegexScratch) -> (Bool, Range<Int>?) {
        switch matcher {
        case .regex(let regex):
            var start = 0
            var examined = 0
            while start <= bytes.count, examined < Self.maximumMatchesExamined {
                examined += 1
                switch regex.firstMatch(in: bytes, from: start, scratch: scratch) {
                case .noMatch:
                    return (false, nil)
                case .limitExceeded:
                    // Fail closed: a value that exhausts the budget counts as matching.
                    return (true, nil)
                case .match(let range):
                    if !hasBounds || satisfiesBounds(UnsafeBufferPointer(rebasing: bytes[range])) { return (true, range) }
                    start = range.isEmpty ? range.upperBound + 1 : range.upperBound
                }
            }
            return (false, nil)
        case .containsAny(let literals):
            for literal in literals {
                if let found = Self.find(literal, in: bytes, caseless: caseless) {
                    return hasBounds && !satisfiesBounds(bytes) ? (false, nil) : (true, found..<(found + literal.count))
                }
            }
            return (false, nil)
        case .startsWith(let literals):
            for literal in literals where Self.equal(literal, bytes, at: 0, caseless: caseless) {
                return hasBounds && !satisfiesBounds(bytes) ? (false, nil) : (true, 0..<literal.count)
            }
            return (false, nil)
        case .equals(let literals):
            for literal in literals where literal.count == bytes.count && Self.equal(literal, bytes, at: 0, caseless: caseless) {
                return hasBounds && !satisfiesBounds(bytes) ? (false, nil) : (true, 0..<bytes.count)
            }
            return (false, nil)
        case .wholeValue:
            return (satisfiesBounds(bytes), nil)
        }
    }

    func satisfiesBounds(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        if minimumLength != nil || maximumLength != nil {
            var length = 0
            for byte in text where byte & 0xC0 != 0x80 { length += 1 }
            if let minimumLength, length < minimumLength { return false }
            if let maximumLength, length > maximumLength { return false }
        }
        if let minimumEntropy, Entropy.bitsPerCharacter(text) < minimumEntropy { return false }
        return true
    }

    static func find(_ literal: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, caseless: Bool) -> Int? {
        guard !literal.isEmpty, literal.count <= bytes.count, let base = bytes.baseAddress else { return nil }
        if !caseless {
            // memchr to each occurrence of the first byte, then compare the rest.
            let first = Int32(literal[0])
            var start = 0
            let last = bytes.count - literal.count
            while start <= last {
                guard let hit = memchr(base + start, first, last - start + 1) else { return nil }
                let offset = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
                if equal(literal, bytes, at: offset, caseless: false) { return offset }
                start = offset + 1
            }
            return nil
        }
        for start in 0...(bytes.count - literal.count) where equal(literal, bytes, at: start, caseless: true) {
            return start
        }
        return nil
    }

    static func equal(_ literal: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>, at start: Int, caseless: Bool) -> Bool {
        guard start + literal.count <= bytes.count else { return false }
        for index in 0..<literal.count {
            let a = literal[index], b = bytes[start + index]
            if a == b { continue }
            guard caseless, a | 0x20 == b | 0x20, a | 0x20 >= 0x61, a | 0x20 <= 0x7A else { return false }
        }
        return true
    }
}

/// Shannon entropy of text, in bits per character (per Unicode scalar).
public enum Entropy {
    public static func bitsPerCharacter(_ text: UnsafeBufferPointer<UInt8>) -> Double {
        guard !text.isEmpty else { return 0 }
        if TextDecoding.isASCII(text) {
            var counts = [Int](repeating: 0, count: 128)
            for byte in text { counts[Int(byte)] += 1 }
            return entropy(counts.lazy.filter { $0 > 0 }, total: text.count)
        }
        var counts: [Unicode.Scalar: Int] = [:]
        var total = 0
        for scalar in String(decoding: text, as: UTF8.self).unicodeScalars {
            counts[scalar, default: 0] += 1
            total += 1
        }
        return entropy(counts.values, total: total)
    }

    /// Entropy of a string (a convenience for tests and tools).
    public static func bitsPerCharacter(_ text: String) -> Double {
        var copy = text
        return copy.withUTF8 { bitsPerCharacter($0) }
    }

    private static func entropy<C: Sequence>(_ counts: C, total: Int) -> Double where C.Element == Int {
        let size = Double(total)
        var result = 0.0
        for count in counts {
            let p = Double(count) / size
            result -= p * log2(p)
        }
        return result
    }
}
