import WardenCore

/// A detection ready to run: its regex compiled, its literals as bytes.
struct CompiledDetection: Sendable {
    enum Matcher: Sendable {
        case regex(PCRE2Regex)
        case containsAny([[UInt8]])
        case startsWith([[UInt8]])
        case equals([[UInt8]])
        case wholeValue
    }

    let name: String
    let matcher: Matcher
    let caseless: Bool
    let minimumEntropy: Double?
    let minimumLength: Int?
    let maximumLength: Int?

    var hasBounds: Bool { minimumEntropy != nil || minimumLength != nil || maximumLength != nil }

    init(_ detection: Detection) throws(RegexCompileError) {
        name = detection.name
        caseless = detection.caseless
        minimumEntropy = detection.minimumEntropy
        minimumLength = detection.minimumLength
        maximumLength = detection.maximumLength
        switch detection.matcher {
        case .regex(let pattern): matcher = .regex(try PCRE2Regex(pattern, caseless: detection.caseless))
        case .containsAny(let literals): matcher = .containsAny(literals.map { Array($0.utf8) })
        case .startsWith(let literals): matcher = .startsWith(literals.map { Array($0.utf8) })
        case .equals(let literals): matcher = .equals(literals.map { Array($0.utf8) })
        case .wholeValue: matcher = .wholeValue
        }
    }

    /// The prefilter requirement of this detection alone.
    static func requirement(of detection: Detection) -> LiteralSet? {
        requirements(of: detection).first
    }

    /// Literal sets that must all be present for the detection to match, most selective first.
    static func requirements(of detection: Detection) -> [LiteralSet] {
        if let declared = detection.declaredPrefilter { return LiteralSet(declared).map { [$0] } ?? [] }
        switch detection.matcher {
        case .regex(let pattern):
            return RegexLiterals.requirements(of: pattern, caseless: detection.caseless)
        case .containsAny(let literals), .startsWith(let literals), .equals(let literals):
            return LiteralSet(literals).map { [$0] } ?? []
        case .wholeValue:
            return []
        }
    }
}

/// The condition with detection names resolved to indices.
indirect enum CompiledCondition: Sendable {
    case detection(Int)
    case not(CompiledCondition)
    case and(CompiledCondition, CompiledCondition)
    case or(CompiledCondition, CompiledCondition)

    init(_ condition: Condition, names: [String]) {
        switch condition {
        case .detection(let name): self = .detection(names.firstIndex(of: name)!)
        case .not(let inner): self = .not(CompiledCondition(inner, names: names))
        case .and(let left, let right):
            self = .and(CompiledCondition(left, names: names), CompiledCondition(right, names: names))
        case .or(let left, let right):
            self = .or(CompiledCondition(left, names: names), CompiledCondition(right, names: names))
        }
    }

    /// The prefilter requirement of the whole expression.
    func requirement(_ detections: [LiteralSet?]) -> LiteralSet? {
        switch self {
        case .detection(let index): detections[index]
        case .not: nil
        case .and(let left, let right): LiteralSet.better(left.requirement(detections), right.requirement(detections))
        case .or(let left, let right): LiteralSet.union(left.requirement(detections), right.requirement(detections))
        }
    }
}

/// A rule ready to run. A class so the scan loop passes one reference around instead of copying the rule.
final class CompiledRule: Sendable {
    let rule: HunterRule
    /// Index of the rule's transform chain in the engine's list of distinct chains.
    let chain: Int
    let detections: [CompiledDetection]
    let condition: CompiledCondition
    /// The literals of the prefilter, or `nil` when the rule runs on every leaf.
    let prefilter: LiteralSet?
    let hasTargets: Bool
    /// Per detection, its automaton slots: all must be set for the detection to be worth running.
    let detectionSlots: [[Int]]

    /// Whether the rule's targets (and exclusions) include the leaf at `path`.
    func covers(_ path: [PathComponent]) -> Bool {
        if !rule.targets.isEmpty, !rule.targets.contains(where: { $0.matches(path) }) { return false }
        return !rule.excludedTargets.contains(where: { $0.matches(path) })
    }

    init(
        rule: HunterRule, chain: Int, detections: [CompiledDetection], condition: CompiledCondition,
        prefilter: LiteralSet?, detectionSlots: [[Int]]
    ) {
        self.detectionSlots = detectionSlots
        self.rule = rule
        self.chain = chain
        self.detections = detections
        self.condition = condition
        self.prefilter = prefilter
        self.hasTargets = !rule.targets.isEmpty || !rule.excludedTargets.isEmpty
    }
}
