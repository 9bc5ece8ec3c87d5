/// A set of compiled-rule indices as bits, sized once per engine.
struct RuleBits: Sendable, Equatable {
    var words: [UInt64]

    init(count: Int) {
        words = [UInt64](repeating: 0, count: max(1, (count + 63) / 64))
    }

    func contains(_ index: Int) -> Bool {
        words[index >> 6] & (1 << UInt64(index & 63)) != 0
    }

    mutating func insert(_ index: Int) {
        words[index >> 6] |= 1 << UInt64(index & 63)
    }

    mutating func removeAll() {
        for index in words.indices { words[index] = 0 }
    }

    mutating func formUnion(_ other: RuleBits) {
        for index in words.indices { words[index] |= other.words[index] }
    }
}
