import WardenCore

/// The standard hunter engine: runs rules over every string leaf of a tool call's input or output and reports
/// findings. It finds; it does not decide.
///
/// Compiling builds one literal automaton over every rule's prefilter, so a value costs one pass over its bytes
/// (plus one per transform that changes it) before any regular expression runs. Scanning is thread-safe.
public struct HunterEngine: Sendable {
    /// The engine's paranoia level: rules with a level above it do not run.
    public let paranoiaLevel: Int
    /// The rules this engine runs, in load order.
    public let rules: [HunterRule]
    let compiled: [CompiledRule]
    /// The distinct transform chains of the rules.
    let chains: [[Transform]]
    let automaton: LiteralAutomaton
    /// Rules without a prefilter: they run on every leaf they target.
    let unfiltered: RuleBits
    /// Number of automaton owners: rules, then detections with literals.
    let slotCount: Int
    let inputRules: [Int]
    let outputRules: [Int]

    /// At most this many findings are reported for one subject.
    public static let maximumFindings = 256
    /// The default paranoia level.
    public static let defaultParanoiaLevel = 1

    /// Compiles `rules`, keeping those at or below `paranoiaLevel` plus any whose id is in `including`.
    /// - Throws: `RuleFileError.badRegex` when a rule built in memory has a pattern PCRE2 refuses.
    public init(
        rules: [HunterRule], paranoiaLevel: Int = HunterEngine.defaultParanoiaLevel, including: Set<String> = []
    ) throws(RuleFileError) {
        self.paranoiaLevel = paranoiaLevel
        let active = rules.filter { $0.paranoia <= paranoiaLevel || including.contains($0.id) }
        self.rules = active
        var chains: [[Transform]] = []
        var compiled: [CompiledRule] = []
        var literals: [(String, Int)] = []
        var unfiltered = RuleBits(count: active.count)
        // Automaton owners ("slots"): one per rule (its prefilter), then one per detection with literals of its
        // own, so a detection whose literals are absent is false without running its regex.
        var slotCount = active.count
        for (index, rule) in active.enumerated() {
            var detections: [CompiledDetection] = []
            for detection in rule.detections {
                do {
                    detections.append(try CompiledDetection(detection))
                } catch {
                    throw RuleFileError(.badRegex, at: rule.location, "invalid regex in detection \"\(detection.name)\" of rule \"\(rule.id)\": \(error.message)")
                }
            }
            let condition = CompiledCondition(rule.condition, names: rule.detections.map(\.name))
            let requirements = rule.detections.map(CompiledDetection.requirement(of:))
            let prefilter: LiteralSet? =
                if let declared = rule.declaredPrefilter {
                    LiteralSet(declared)
                } else {
                    condition.requirement(requirements)
                }
            var detectionSlots: [[Int]] = []
            for detection in rule.detections {
                var slots: [Int] = []
                for requirement in CompiledDetection.requirements(of: detection) {
                    for literal in requirement.literals { literals.append((literal, slotCount)) }
                    slots.append(slotCount)
                    slotCount += 1
                }
                detectionSlots.append(slots)
            }
            if let prefilter {
                for literal in prefilter.literals { literals.append((literal, index)) }
            } else {
                unfiltered.insert(index)
            }
            let chain: Int
            if let existing = chains.firstIndex(of: rule.transforms) {
                chain = existing
            } else {
                chains.append(rule.transforms)
                chain = chains.count - 1
            }
            compiled.append(
                CompiledRule(
                    rule: rule, chain: chain, detections: detections, condition: condition, prefilter: prefilter,
                    detectionSlots: detectionSlots))
        }
        self.compiled = compiled
        self.chains = chains
        self.unfiltered = unfiltered
        self.automaton = LiteralAutomaton(literals: literals, ruleCount: slotCount)
        self.slotCount = slotCount
        self.inputRules = active.indices.filter { active[$0].scope.covers(.input) }
        self.outputRules = active.indices.filter { active[$0].scope.covers(.output) }
    }

    /// Loads the rule files of `directory` and compiles them.
    /// - Throws: `RuleFileError` for the first problem in the files.
    public init(rulesDirectory: String, paranoiaLevel: Int = HunterEngine.defaultParanoiaLevel) throws(RuleFileError) {
        try self.init(rules: RuleLoader.loadDirectory(rulesDirectory), paranoiaLevel: paranoiaLevel)
    }

    /// The prefilter literals of a rule (derived or declared), or `nil` when the rule runs on every leaf.
    public func prefilterLiterals(ofRule id: String) -> [String]? {
        compiled.first { $0.rule.id == id }?.prefilter.map { $0.literals.sorted() }
    }

    /// Scans every string leaf of `subject.value` with the rules whose scope covers `subject.phase`.
    /// Findings come in path order (byte order of the rendered path), then rule order; at most `maximumFindings`.
    public func scan(_ subject: ScanSubject) -> [Finding] {
        var state = ScanState(engine: self, phase: subject.phase)
        var path: [PathComponent] = []
        state.walk(subject.value, path: &path)
        guard state.findings.count > 1 else { return state.findings }
        return state.findings.enumerated().sorted { left, right in
            if left.element.path != right.element.path {
                return left.element.path.utf8.lexicographicallyPrecedes(right.element.path.utf8)
            }
            return left.offset < right.offset
        }.map(\.element)
    }

    /// Scans one piece of text as the whole subject (its path is `$`).
    public func scan(text: String, phase: ScanPhase = .input, tool: String = "text") -> [Finding] {
        scan(ScanSubject(phase: phase, tool: tool, value: .string(text)))
    }
}
