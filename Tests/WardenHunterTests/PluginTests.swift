import Testing
import WardenCore
@testable import WardenHunter

@Suite struct PluginTests {
    static let methods: [String: @Sendable (JSONValue) throws -> JSONValue] = {
        try! HunterPlugin.methods(rulesDirectory: SeededRulesTests.rulesDirectory)
    }()

    @Test func scan_returnsFindingsOnTheWireShape() throws {
        let scan = try #require(Self.methods["hunter/scan"])
        let result = try scan(["phase": "input", "tool": "http.fetch", "value": ["url": "http://169.254.169.254/latest/meta-data/"]])
        let findings = try #require(result["findings"]?.arrayValue)
        let finding = try #require(findings.first { $0["rule_id"]?.stringValue == "ssrf-cloud-metadata" })
        #expect(finding["category"] == "ssrf")
        #expect(finding["severity"] == "critical")
        #expect(finding["path"] == "$.url")
        #expect(finding["excerpt"]?.stringValue != nil)
        #expect(finding["transforms"]?.arrayValue != nil)
    }

    @Test func scan_cleanValueHasNoFindings() throws {
        let scan = try #require(Self.methods["hunter/scan"])
        let result = try scan(["phase": "input", "tool": "files.read", "value": ["path": "src/main.swift"]])
        #expect(result["findings"] == .array([]))
    }

    /// The default level's engine is built at start; the others on first use, with their own rules.
    @Test func scan_atAnotherParanoiaLevel_usesThatLevelsRules() throws {
        let scan = try #require(Self.methods["hunter/scan"])
        let value: JSONValue = ["url": "http://localhost:2375/containers/json"]
        func ids(_ params: JSONValue) throws -> [String] {
            try scan(params)["findings"]?.arrayValue?.compactMap { $0["rule_id"]?.stringValue } ?? []
        }
        #expect(try !ids(["phase": "input", "tool": "http.get", "value": value]).contains("ssrf-loopback"))
        for _ in 0..<2 {
            #expect(try ids(["phase": "input", "tool": "http.get", "value": value, "paranoia": 2]).contains("ssrf-loopback"))
        }
        #expect(try !ids(["phase": "input", "tool": "http.get", "value": value, "paranoia": 1]).contains("ssrf-loopback"))
    }

    @Test func scan_refusesBadParams() throws {
        let scan = try #require(Self.methods["hunter/scan"])
        #expect(throws: HunterPlugin.RequestError(message: "\"phase\" must be \"input\" or \"output\"")) {
            try scan(["phase": "during", "tool": "t", "value": "x"])
        }
        #expect(throws: HunterPlugin.RequestError.self) { try scan(["phase": "input", "value": "x"]) }
        #expect(throws: HunterPlugin.RequestError.self) { try scan(["phase": "input", "tool": "t"]) }
        #expect(throws: HunterPlugin.RequestError.self) { try scan(["phase": "input", "tool": "t", "value": "x", "paranoia": 9]) }
        #expect(throws: HunterPlugin.RequestError.self) { try scan(["phase": "input", "tool": "t", "value": "x", "extra": 1]) }
        #expect(throws: HunterPlugin.RequestError.self) { try scan("not an object") }
    }

    @Test func rules_listsTheLoadedRules() throws {
        let list = try #require(Self.methods["hunter/rules"])
        let rules = try #require(try list([:])["rules"]?.arrayValue)
        #expect(rules.count >= 25)
        #expect(rules.allSatisfy { $0["id"]?.stringValue != nil && $0["paranoia"]?.intValue != nil })
    }

    @Test func invalidRulesFolder_refusesToStart() {
        #expect(throws: RuleFileError.self) { try HunterPlugin.methods(rulesDirectory: "/nonexistent/rules") }
    }
}
