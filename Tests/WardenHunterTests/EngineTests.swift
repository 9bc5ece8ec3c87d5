import Testing
import WardenCore
@testable import WardenHunter

@Suite struct EngineTests {
    static func rule(
        _ id: String, _ pattern: String, transforms: [Transform] = [.lowercase], scope: RuleScope = .input,
        paranoia: Int = 1, targets: [String] = [], excluded: [String] = [], category: String = "test"
    ) throws -> HunterRule {
        HunterRule(
            id: id, title: id, category: category, severity: .high, paranoia: paranoia, scope: scope,
            targets: try targets.map { try PathGlob($0) }, excludedTargets: try excluded.map { try PathGlob($0) },
            transforms: transforms, detections: [Detection(name: "d", matcher: .regex(pattern))],
            condition: .detection("d"))
    }

    @Test func everyStringLeafIsScannedWithItsPath() throws {
        let engine = try HunterEngine(rules: [try Self.rule("evil", "evil")])
        let value: JSONValue = ["a": ["b": ["ok", "EVIL here", 3, true, nil]], "odd key": "evil too", "n": 1]
        let findings = engine.scan(ScanSubject(phase: .input, tool: "t", value: value))
        #expect(findings.map(\.path) == ["$.a.b[1]", "$['odd key']"])
        #expect(findings.allSatisfy { $0.ruleID == "evil" && $0.category == "test" && $0.severity == .high })
        #expect(findings[0].transforms == ["lowercase"])
    }

    @Test func phaseAndScopeDecideWhichRulesRun() throws {
        let engine = try HunterEngine(rules: [
            try Self.rule("in", "x", scope: .input), try Self.rule("out", "x", scope: .output),
            try Self.rule("both", "x", scope: .both),
        ])
        #expect(engine.scan(text: "x", phase: .input).map(\.ruleID) == ["in", "both"])
        #expect(engine.scan(text: "x", phase: .output).map(\.ruleID) == ["out", "both"])
    }

    @Test func paranoiaLevelFiltersRules() throws {
        let rules = [try Self.rule("p1", "x"), try Self.rule("p3", "x", paranoia: 3)]
        #expect(try HunterEngine(rules: rules).scan(text: "x").map(\.ruleID) == ["p1"])
        #expect(try HunterEngine(rules: rules, paranoiaLevel: 3).scan(text: "x").map(\.ruleID) == ["p1", "p3"])
        #expect(try HunterEngine(rules: rules, including: ["p3"]).scan(text: "x").map(\.ruleID) == ["p1", "p3"])
    }

    @Test func targetsAndExclusionsLimitLeaves() throws {
        let engine = try HunterEngine(rules: [
            try Self.rule("url-only", "evil", targets: ["$..url"]),
            try Self.rule("not-command", "evil", excluded: ["$.command"]),
        ])
        let value: JSONValue = ["url": "evil", "command": "evil", "other": "evil"]
        let fired = engine.scan(ScanSubject(phase: .input, tool: "t", value: value)).map { "\($0.ruleID)@\($0.path)" }
        #expect(Set(fired) == ["url-only@$.url", "not-command@$.url", "not-command@$.other"])
    }

    @Test func transformsApplyInOrderAndAreReportedWhenTheyChangeSomething() throws {
        let engine = try HunterEngine(rules: [try Self.rule("decoded", "<script>", transforms: [.urlDecode, .htmlEntityDecode, .lowercase])])
        let finding = try #require(engine.scan(text: "%26lt%3BSCRIPT%26gt%3B").first)
        #expect(finding.transforms == ["url_decode", "html_entity_decode", "lowercase"])
        #expect(engine.scan(text: "%26lt%3Bscript").isEmpty)
    }

    @Test func excerptIsBoundedAndMasksTheMatch() throws {
        let secret = HunterRule(
            id: "key", title: "k", category: "secrets", severity: .critical, scope: .output,
            detections: [Detection(name: "d", matcher: .regex("AKIA[0-9A-Z]{16}"))], condition: .detection("d"))
        let engine = try HunterEngine(rules: [secret])
        let text = String(repeating: "x", count: 5000) + " key=AKIAIOSFODNN7EXAMPLE " + String(repeating: "y", count: 5000)
        let finding = try #require(engine.scan(text: text, phase: .output).first)
        #expect(!finding.excerpt.contains("AKIAIOSFODNN7EXAMPLE"))
        #expect(finding.excerpt.contains("AKIA"))
        #expect(finding.excerpt.count < 80)
    }

    @Test func contextTokensAreMaskedToo() {
        let masked = Excerpt.maskTokens("token wJalrXUtnFEMIK7MDENGbPxRfiCY end")
        #expect(masked.hasPrefix("token wJalrX…"))
        #expect(masked.hasSuffix(" end"))
        #expect(!masked.contains("UtnFEMIK7MDENG"))
        #expect(Excerpt.maskMiddle("abcdefghijklmnop") == "abcd…mnop")
    }

    @Test func notConditionsAndBoundsWork() throws {
        let rule = HunterRule(
            id: "long-token", title: "t", category: "secrets", severity: .low,
            detections: [
                Detection(name: "token", matcher: .regex("[a-z0-9]{8,}"), minimumEntropy: 2.5, minimumLength: 8),
                Detection(name: "allowed", matcher: .startsWith(["ok:"])),
            ],
            condition: .and(.detection("token"), .not(.detection("allowed"))))
        let engine = try HunterEngine(rules: [rule])
        #expect(engine.scan(text: "aaaaaaaaaa").isEmpty)  // low entropy
        #expect(engine.scan(text: "x9k2m4q7z1").count == 1)
        #expect(engine.scan(text: "ok: x9k2m4q7z1").isEmpty)
    }

    @Test func findingsAreCapped() throws {
        let engine = try HunterEngine(rules: [try Self.rule("x", "x")])
        let value = JSONValue.array(Array(repeating: "x", count: 1000))
        #expect(engine.scan(ScanSubject(phase: .input, tool: "t", value: value)).count == HunterEngine.maximumFindings)
    }

    @Test func catastrophicPatternsFailClosed() throws {
        let engine = try HunterEngine(rules: [try Self.rule("redos", "^(a+)+$", transforms: [])])
        let findings = engine.scan(text: String(repeating: "a", count: 40) + "!")
        #expect(findings.map(\.ruleID) == ["redos"])
    }

    @Test func invalidUTF8AfterDecodingIsHandled() throws {
        let engine = try HunterEngine(rules: [try Self.rule("z", "zz", transforms: [.urlDecode])])
        #expect(engine.scan(text: "%ff%fe zz").count == 1)
    }

    @Test func scanningIsSafeFromManyThreads() async throws {
        let engine = try HunterEngine(rules: [try Self.rule("x", "evil")])
        await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { (0..<200).reduce(0) { total, _ in total + engine.scan(text: "an evil thing").count } } }
            for await count in group { #expect(count == 200) }
        }
    }
}
