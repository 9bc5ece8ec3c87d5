import Foundation
import WardenCore

/// Detection and false-positive rates of an engine on a labelled JSONL corpus.
///
/// Each line is an object with `label` (`attack` or `benign`), a group (`family`, else `category`, else `kind`),
/// and the scanned value: `value` (any JSON) or `payload` / `text` (a string). Optional `tool` and `phase`.
/// The CRS regression format (`{family, label, payload}`) and the benign corpus of this repository both fit.
/// A line counts as detected (or as a false positive) when any rule fires on it.
public struct CorpusReport: Sendable, Codable {
    public struct Group: Sendable, Codable {
        public var name: String
        public var attacks: Int = 0
        public var detected: Int = 0
        public var benign: Int = 0
        public var falsePositives: Int = 0
        /// How often each finding category fired on this group's lines (a line counts once per category).
        public var categories: [String: Int] = [:]

        public var detectionRate: Double { attacks == 0 ? 0 : Double(detected) / Double(attacks) }
        public var falsePositiveRate: Double { benign == 0 ? 0 : Double(falsePositives) / Double(benign) }

        enum CodingKeys: String, CodingKey {
            case name, attacks, detected, benign, categories
            case falsePositives = "false_positives"
            case detectionRate = "detection_rate"
            case falsePositiveRate = "false_positive_rate"
        }

        public init(name: String) { self.name = name }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            attacks = try container.decode(Int.self, forKey: .attacks)
            detected = try container.decode(Int.self, forKey: .detected)
            benign = try container.decode(Int.self, forKey: .benign)
            falsePositives = try container.decode(Int.self, forKey: .falsePositives)
            categories = try container.decode([String: Int].self, forKey: .categories)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(attacks, forKey: .attacks)
            try container.encode(detected, forKey: .detected)
            try container.encode(detectionRate, forKey: .detectionRate)
            try container.encode(benign, forKey: .benign)
            try container.encode(falsePositives, forKey: .falsePositives)
            try container.encode(falsePositiveRate, forKey: .falsePositiveRate)
            try container.encode(categories, forKey: .categories)
        }
    }

    /// A line the engine got wrong: a missed attack or a benign line it flagged.
    public struct Miss: Sendable, Codable {
        public var line: Int
        public var group: String
        public var label: String
        /// The rules that fired (empty for a missed attack).
        public var rules: [String]
    }

    public var file: String
    public var paranoiaLevel: Int
    public var groups: [Group]
    public var total: Group
    /// Missed attacks and false positives, in line order.
    public var misses: [Miss]

    enum CodingKeys: String, CodingKey {
        case file, groups, total, misses
        case paranoiaLevel = "paranoia_level"
    }
}

/// Why a corpus could not be evaluated: the line and what is wrong with it.
public struct CorpusError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String
    public var description: String { "\(file):\(line): \(message)" }
}

/// Evaluates engines on labelled corpora.
public enum CorpusEvaluator {
    /// One labelled line.
    public struct Entry: Sendable {
        public var line: Int
        public var group: String
        public var isAttack: Bool
        public var subject: ScanSubject
    }

    /// Reads a JSONL corpus.
    /// - Throws: `CorpusError` for an unreadable file, a line that is not a JSON object, or a missing field.
    public static func load(path: String) throws(CorpusError) -> [Entry] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CorpusError(file: path, line: 0, message: "cannot read the corpus file")
        }
        return try parse(data, file: path)
    }

    /// Parses JSONL bytes; `file` names them in errors.
    /// - Throws: `CorpusError` for a line that is not a labelled JSON object.
    public static func parse(_ data: Data, file: String) throws(CorpusError) -> [Entry] {
        var entries: [Entry] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ TextDecoding.isWhitespace($0) }) { continue }
            let value: JSONValue
            do {
                value = try JSONValue.parse(line)
            } catch {
                throw CorpusError(file: file, line: lineNumber, message: "not valid JSON: \(error)")
            }
            guard case .object(let object) = value else {
                throw CorpusError(file: file, line: lineNumber, message: "each line must be a JSON object")
            }
            guard let label = object["label"]?.stringValue, label == "attack" || label == "benign" else {
                throw CorpusError(file: file, line: lineNumber, message: "\"label\" must be \"attack\" or \"benign\"")
            }
            let group = object["family"]?.stringValue ?? object["category"]?.stringValue ?? object["kind"]?.stringValue ?? "all"
            let scanned: JSONValue
            if let explicit = object["value"] {
                scanned = explicit
            } else if let text = object["payload"]?.stringValue ?? object["text"]?.stringValue {
                scanned = .string(text)
            } else {
                throw CorpusError(file: file, line: lineNumber, message: "a line needs \"value\" (any JSON) or \"payload\" (a string)")
            }
            var phase = ScanPhase.input
            if let text = object["phase"]?.stringValue {
                guard let parsed = ScanPhase(rawValue: text) else {
                    throw CorpusError(file: file, line: lineNumber, message: "\"phase\" must be \"input\" or \"output\"")
                }
                phase = parsed
            }
            let tool = object["tool"]?.stringValue ?? "corpus"
            entries.append(
                Entry(line: lineNumber, group: group, isAttack: label == "attack",
                      subject: ScanSubject(phase: phase, tool: tool, value: scanned)))
        }
        return entries
    }

    /// Scans every entry and tallies the rates per group. `progress` is called with (done, total).
    public static func evaluate(
        _ entries: [Entry], engine: HunterEngine, file: String, progress: ((Int, Int) -> Void)? = nil
    ) -> CorpusReport {
        var groups: [String: CorpusReport.Group] = [:]
        var order: [String] = []
        var total = CorpusReport.Group(name: "total")
        var misses: [CorpusReport.Miss] = []
        for (index, entry) in entries.enumerated() {
            let findings = engine.scan(entry.subject)
            let categories = Set(findings.map(\.category))
            if groups[entry.group] == nil {
                groups[entry.group] = CorpusReport.Group(name: entry.group)
                order.append(entry.group)
            }
            func tally(_ group: inout CorpusReport.Group) {
                if entry.isAttack {
                    group.attacks += 1
                    if !findings.isEmpty { group.detected += 1 }
                } else {
                    group.benign += 1
                    if !findings.isEmpty { group.falsePositives += 1 }
                }
                for category in categories { group.categories[category, default: 0] += 1 }
            }
            tally(&groups[entry.group]!)
            tally(&total)
            if entry.isAttack == findings.isEmpty {
                misses.append(
                    .init(line: entry.line, group: entry.group, label: entry.isAttack ? "attack" : "benign",
                          rules: Array(Set(findings.map(\.ruleID))).sorted()))
            }
            progress?(index + 1, entries.count)
        }
        return CorpusReport(
            file: file, paranoiaLevel: engine.paranoiaLevel, groups: order.map { groups[$0]! }, total: total,
            misses: misses)
    }
}
