import Foundation
import Testing
import WardenCore
@testable import WardenHunter

/// The rules shipped in Plugins/hunter/rules: they load, cover every category, and pass their own tests.
@Suite struct SeededRulesTests {
    static let rulesDirectory = RepositoryPaths.root.appendingPathComponent("Plugins/hunter/rules").path
    static let suitesDirectory = RepositoryPaths.root.appendingPathComponent("Plugins/hunter/tests").path

    @Test func seededRules_loadAndCoverEveryCategory() throws {
        let rules = try RuleLoader.loadDirectory(Self.rulesDirectory)
        #expect(rules.count >= 25)
        let categories = Set(rules.map(\.category))
        for category in [
            "sqli", "xss", "path-traversal", "command-injection", "ssrf", "template-injection", "jndi", "xxe",
            "ldap-injection", "nosql-injection", "secrets", "prompt-injection", "exfiltration",
        ] {
            #expect(categories.contains(category), "no rule for \(category)")
        }
        #expect(rules.allSatisfy { rule in rule.tests.contains { $0.shouldMatch } && rule.tests.contains { !$0.shouldMatch } })
    }

    @Test func seededRules_passTheirEmbeddedTestsAndSuites() throws {
        let rules = try RuleLoader.loadDirectory(Self.rulesDirectory)
        let suites = try RuleLoader.ruleFiles(in: Self.suitesDirectory).map { try RuleSuite.load(path: $0) }
        #expect(!suites.isEmpty)
        let report = try RuleTestRunner.run(rules: rules, suites: suites)
        let failures = report.groups.flatMap { group in
            group.cases.filter { $0.status == .fail }.map { "\(group.name) \($0.location): \($0.detail ?? "")" }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(!report.failed)
    }

    @Test func brokenCopy_failsItsTests() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hunter-broken-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try String(contentsOfFile: Self.rulesDirectory + "/sqli.yaml", encoding: .utf8)
        // Break the UNION rule: it now looks for something no test contains.
        let broken = source.replacingOccurrences(of: "select\\b'\n", with: "selectx\\b'\n")
        #expect(broken != source)
        try broken.write(to: folder.appendingPathComponent("sqli.yaml"), atomically: true, encoding: .utf8)
        let report = try RuleTestRunner.run(rules: try RuleLoader.loadDirectory(folder.path))
        #expect(report.failed)
        let union = try #require(report.groups.first { $0.name == "sqli-union-select" })
        #expect(union.failed > 0)
    }

    @Test func attackInToolArguments_isFoundWithItsPath() throws {
        let engine = try HunterEngine(rulesDirectory: Self.rulesDirectory)
        let value: JSONValue = ["query": "1' UNION SELECT password FROM users--", "limit": 10]
        let findings = engine.scan(ScanSubject(phase: .input, tool: "db.query", value: value))
        #expect(findings.contains { $0.ruleID == "sqli-union-select" && $0.path == "$.query" })
    }

    @Test func secretInToolOutput_isFoundAndRedacted() throws {
        let engine = try HunterEngine(rulesDirectory: Self.rulesDirectory)
        let value: JSONValue = ["stdout": "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"]
        let findings = engine.scan(ScanSubject(phase: .output, tool: "shell.run", value: value))
        let finding = try #require(findings.first { $0.ruleID == "secret-aws-access-key" })
        #expect(finding.category == "secrets")
        #expect(!finding.excerpt.contains("AKIAIOSFODNN7EXAMPLE"))
    }
}
