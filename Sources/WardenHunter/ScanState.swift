import WardenCore

/// The working memory of one scan: regex scratch space, the current leaf's transformed buffers, and findings.
/// Used by one thread for one subject, then dropped. A struct with mutating methods, so the hot loop pays for no
/// dynamic exclusivity checks.
struct ScanState {
    let engine: HunterEngine
    let ruleOrder: [Int]
    let scratch = RegexScratch()
    var findings: [Finding] = []

    // The current leaf.
    var buffers: [LeafBuffer] = []
    var steps: [(from: Int, transform: Transform, to: Int)] = []
    var chainBuffers: [Int]
    /// Per prefilter class: the buffer to scan, and the automaton's answer once computed.
    var classRepresentative: [Int] = []
    var classBits: [RuleBits?] = []
    var detectionResults: [Int8] = []
    /// The automaton's answer for the buffer the current rule looks at.
    var currentBits: RuleBits
    var detectionRanges: [Range<Int>?] = []

    init(engine: HunterEngine, phase: ScanPhase) {
        self.engine = engine
        self.ruleOrder = phase == .input ? engine.inputRules : engine.outputRules
        self.chainBuffers = [Int](repeating: -1, count: engine.chains.count)
        self.currentBits = RuleBits(count: engine.slotCount)
    }

    /// Visits every string leaf, depth first, object keys in sorted order.
    mutating func walk(_ value: JSONValue, path: inout [PathComponent]) {
        guard findings.count < HunterEngine.maximumFindings else { return }
        switch value {
        case .string(let text):
            scanLeaf(text, path: path)
        case .array(let items):
            for (index, item) in items.enumerated() {
                path.append(.index(index))
                walk(item, path: &path)
                path.removeLast()
            }
        case .object(let members):
            // Dictionary order; findings are put in path order at the end.
            for (key, member) in members {
                path.append(.key(key))
                walk(member, path: &path)
                path.removeLast()
            }
        case .null, .bool, .int, .double:
            break
        }
    }

    private mutating func scanLeaf(_ text: String, path: [PathComponent]) {
        guard !ruleOrder.isEmpty else { return }
        var text = text
        text.withUTF8 { raw in
            beginLeaf(raw)
            defer { releaseLeaf() }
            for ruleIndex in ruleOrder {
                guard findings.count < HunterEngine.maximumFindings else { return }
                let rule = engine.compiled[ruleIndex]
                let buffer = chainBuffer(rule.chain)
                currentBits = prefilterBits(forClass: buffers[buffer].prefilterClass)
                if rule.prefilter != nil, !currentBits.contains(ruleIndex) { continue }
                let bytes = materialize(buffer)
                guard let range = evaluate(rule, bytes) else { continue }
                // Targets are checked once a rule matched: matches are rare, path globs are not free.
                if rule.hasTargets, !rule.covers(path) { continue }
                findings.append(
                    Finding(
                        ruleID: rule.rule.id, category: rule.rule.category, severity: rule.rule.severity,
                        path: JSONPath.render(path), excerpt: Excerpt.make(bytes, match: range),
                        transforms: appliedTransforms(buffer)))
            }
        }
    }

    /// The automaton's answer for a prefilter class, computed on first use.
    private mutating func prefilterBits(forClass prefilterClass: Int) -> RuleBits {
        if let bits = classBits[prefilterClass] { return bits }
        var bits = RuleBits(count: engine.slotCount)
        engine.automaton.scan(materialize(classRepresentative[prefilterClass]), into: &bits)
        classBits[prefilterClass] = bits
        return bits
    }

    /// Evaluates a rule's condition on `bytes`; the range to excerpt when it holds (whole value if no match range).
    private mutating func evaluate(_ rule: CompiledRule, _ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        let count = rule.detections.count
        if detectionResults.count < count {
            detectionResults = [Int8](repeating: -1, count: count)
            detectionRanges = [Range<Int>?](repeating: nil, count: count)
        }
        for index in 0..<count {
            detectionResults[index] = -1
            detectionRanges[index] = nil
        }
        guard holds(rule.condition, rule, bytes, negated: false) else { return nil }
        for index in 0..<count where detectionResults[index] == 1 {
            if let range = detectionRanges[index] { return range }
        }
        return 0..<bytes.count
    }

    private mutating func holds(
        _ condition: CompiledCondition, _ rule: CompiledRule, _ bytes: UnsafeBufferPointer<UInt8>, negated: Bool
    ) -> Bool {
        switch condition {
        case .detection(let index):
            if detectionResults[index] < 0 {
                if rule.detectionSlots[index].contains(where: { !currentBits.contains($0) }) {
                    // Its literals are absent: it cannot match.
                    detectionResults[index] = 0
                    return false
                }
                let (matched, range) = rule.detections[index].evaluate(bytes, scratch: scratch)
                detectionResults[index] = matched ? 1 : 0
                // A range found under `not` is not what the finding is about.
                detectionRanges[index] = negated ? nil : range
            }
            return detectionResults[index] == 1
        case .not(let inner):
            return !holds(inner, rule, bytes, negated: !negated)
        case .and(let left, let right):
            return holds(left, rule, bytes, negated: negated) && holds(right, rule, bytes, negated: negated)
        case .or(let left, let right):
            return holds(left, rule, bytes, negated: negated) || holds(right, rule, bytes, negated: negated)
        }
    }
}
