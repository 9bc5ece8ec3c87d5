import Foundation
import Testing
import WardenCore
@testable import WardenHunter

/// The evaluation targets at the default paranoia level: at least 60% of the CRS attack lines in each of the
/// SQLi, XSS, LFI and RCE families, at most 5% false positives on the CRS benign lines, at most 1% on the
/// benign corpus of realistic tool arguments in Tests/corpus.
@Suite struct CorpusTargetsTests {
    static let crs = RepositoryPaths.shared.appendingPathComponent("corpus/crs-regression.jsonl").path
    static let benign = RepositoryPaths.root.appendingPathComponent("Tests/corpus/benign-tool-arguments.jsonl").path

    @Test func crsDetectionAndFalsePositiveTargets() throws {
        let engine = try HunterEngine(rulesDirectory: SeededRulesTests.rulesDirectory)
        let report = CorpusEvaluator.evaluate(try CorpusEvaluator.load(path: Self.crs), engine: engine, file: Self.crs)
        for family in ["942-APPLICATION-ATTACK-SQLI", "941-APPLICATION-ATTACK-XSS", "930-APPLICATION-ATTACK-LFI", "932-APPLICATION-ATTACK-RCE"] {
            let group = try #require(report.groups.first { $0.name.hasSuffix(family) }, "no \(family) lines")
            #expect(group.attacks > 50)
            #expect(group.detectionRate >= 0.60, "\(family): \(group.detected)/\(group.attacks)")
        }
        #expect(report.total.benign > 900)
        #expect(report.total.falsePositiveRate <= 0.05, "\(report.total.falsePositives)/\(report.total.benign)")
    }

    @Test func benignCorpusFalsePositiveTarget() throws {
        let engine = try HunterEngine(rulesDirectory: SeededRulesTests.rulesDirectory)
        let entries = try CorpusEvaluator.load(path: Self.benign)
        #expect(entries.count >= 1000)
        #expect(entries.allSatisfy { !$0.isAttack })
        let report = CorpusEvaluator.evaluate(entries, engine: engine, file: Self.benign)
        #expect(report.total.falsePositiveRate <= 0.01, "\(report.misses.prefix(5).map { "line \($0.line): \($0.rules)" })")
    }

    @Test func corpusLinesAreValidated() {
        #expect(throws: CorpusError(file: "c.jsonl", line: 2, message: "\"label\" must be \"attack\" or \"benign\"")) {
            try CorpusEvaluator.parse(Data("{\"label\":\"benign\",\"payload\":\"x\"}\n{\"payload\":\"y\"}\n".utf8), file: "c.jsonl")
        }
        #expect(throws: CorpusError.self) { try CorpusEvaluator.parse(Data("not json\n".utf8), file: "c.jsonl") }
        #expect(throws: CorpusError.self) { try CorpusEvaluator.parse(Data("{\"label\":\"attack\"}\n".utf8), file: "c.jsonl") }
    }
}
