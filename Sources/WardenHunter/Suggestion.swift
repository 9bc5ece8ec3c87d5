/// "Did you mean …?" for misspelt keys and names.
enum Suggestion {
    /// The candidate closest to `word` by edit distance, when it is close enough to be a likely typo.
    static func closest<S: Sequence>(to word: String, in candidates: S) -> String? where S.Element == String {
        var best: (String, Int)? = nil
        for candidate in candidates {
            let distance = editDistance(word, candidate)
            if distance <= max(1, min(word.count, candidate.count) / 3), distance < (best?.1 ?? .max) {
                best = (candidate, distance)
            }
        }
        return best?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased()), b = Array(b.lowercased())
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
