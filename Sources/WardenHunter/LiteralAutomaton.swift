/// An Aho–Corasick automaton over the prefilter literals of every rule, compiled to a dense DFA.
///
/// One pass over a value tells which rules have at least one of their literals in it. Matching ignores ASCII
/// case, treats each run of whitespace as one space and skips NUL bytes, so the lowercase,
/// compress_whitespace and remove_nulls transforms never need a pass of their own before it.
struct LiteralAutomaton: Sendable {
    /// Byte → input class (letters folded; whitespace one class; bytes in no literal share class 0).
    private let classOf: [UInt8]
    private let classCount: Int
    /// `next[state * classCount + class]` holds the target state premultiplied by `classCount`, bitwise
    /// complemented when the target has outputs.
    private let next: [Int32]
    /// Per state, the rule bits its outputs add (flat, `wordCount` words per state).
    private let outputs: [UInt64]
    private let wordCount: Int
    /// The class of NUL: a self-loop on every state.
    private let nulClass: Int
    let stateCount: Int

    /// Builds the automaton for `(literal, rule index)` pairs; literals are already normalised.
    init(literals: [(String, Int)], ruleCount: Int) {
        wordCount = max(1, (ruleCount + 63) / 64)
        // Input classes.
        var classOf = [UInt8](repeating: 0, count: 256)
        var nextClass: UInt8 = 1
        let space = nextClass
        nextClass += 1
        for byte in [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20] { classOf[byte] = space }
        let nul = nextClass
        nextClass += 1
        classOf[0] = nul
        for (literal, _) in literals {
            for byte in literal.utf8 where classOf[Int(byte)] == 0 {
                classOf[Int(byte)] = nextClass
                if byte >= 0x61 && byte <= 0x7A { classOf[Int(byte - 32)] = nextClass }
                nextClass += 1
            }
        }
        let classCount = Int(nextClass)
        self.classOf = classOf
        self.classCount = classCount
        self.nulClass = Int(nul)

        // The trie.
        var children: [[Int: Int]] = [[:]]
        var lastClass: [Int] = [0]
        var stateOutputs: [[Int]] = [[]]
        for (literal, rule) in literals {
            var state = 0
            for byte in literal.utf8 {
                let symbol = Int(classOf[Int(byte)])
                if let child = children[state][symbol] {
                    state = child
                } else {
                    children.append([:])
                    lastClass.append(symbol)
                    stateOutputs.append([])
                    children[state][symbol] = children.count - 1
                    state = children.count - 1
                }
            }
            stateOutputs[state].append(rule)
        }
        let stateCount = children.count
        self.stateCount = stateCount

        // Failure links in breadth-first order, filling the dense table as states are dequeued: a state's
        // failure is shallower than the state, so its row is complete by the time it is read.
        var fail = [Int](repeating: 0, count: stateCount)
        var table = [Int](repeating: 0, count: stateCount * classCount)
        var order: [Int] = []
        for symbol in 0..<classCount {
            if let child = children[0][symbol] {
                table[symbol] = child
                order.append(child)
            }
        }
        var cursor = 0
        while cursor < order.count {
            let state = order[cursor]
            cursor += 1
            stateOutputs[state].append(contentsOf: stateOutputs[fail[state]])
            for symbol in 0..<classCount {
                let inherited = table[fail[state] * classCount + symbol]
                if let child = children[state][symbol] {
                    fail[child] = inherited
                    table[state * classCount + symbol] = child
                    order.append(child)
                } else {
                    table[state * classCount + symbol] = inherited
                }
            }
        }

        // Whitespace runs count once: after a space, another space stays put. NUL is ignored everywhere.
        for state in 0..<stateCount {
            if state != 0 && lastClass[state] == Int(space) { table[state * classCount + Int(space)] = state }
            table[state * classCount + Int(nul)] = state
        }

        var outputs = [UInt64](repeating: 0, count: stateCount * wordCount)
        for state in 0..<stateCount {
            for rule in stateOutputs[state] {
                outputs[state * wordCount + rule >> 6] |= 1 << UInt64(rule & 63)
            }
        }
        var encoded = [Int32](repeating: 0, count: stateCount * classCount)
        for index in 0..<table.count {
            let target = table[index]
            let premultiplied = Int32(target * classCount)
            encoded[index] = stateOutputs[target].isEmpty ? premultiplied : ~premultiplied
        }
        self.next = encoded
        self.outputs = outputs
    }

    /// Adds to `bits` the rules having a literal in `bytes`.
    func scan(_ bytes: UnsafeBufferPointer<UInt8>, into bits: inout RuleBits) {
        guard bytes.count > 0 else { return }
        let classCount = self.classCount
        let wordCount = self.wordCount
        next.withUnsafeBufferPointer { next in
            classOf.withUnsafeBufferPointer { classOf in
                outputs.withUnsafeBufferPointer { outputs in
                    bits.words.withUnsafeMutableBufferPointer { words in
                        var state = 0
                        for byte in bytes {
                            let target = Int(next[state &+ Int(classOf[Int(byte)])])
                            if target >= 0 {
                                state = target
                            } else {
                                state = ~target
                                let base = (state / classCount) &* wordCount
                                for word in 0..<wordCount { words[word] |= outputs[base &+ word] }
                            }
                        }
                    }
                }
            }
        }
    }
}
