import Testing
import WardenCore
@testable import WardenHunter

@Suite struct SuiteTests {
    static let suite = """
        suite: demo
        cases:
          - name: fires
            input: "an evil thing"
            expect: [demo-rule]
            isolated: true
          - name: quiet
            input: "a good thing"
            expect: []
            isolated: true
        """

    @Test func suiteCases_runAgainstTheEngine() throws {
        let rules = try RuleLoader.parse(yaml: RuleLoaderTests.valid, file: "r.yaml")
        let suite = try RuleSuite.parse(yaml: Self.suite, file: "s.yaml")
        let report = try RuleTestRunner.run(rules: rules, suites: [suite])
        #expect(!report.failed)
        let group = try #require(report.groups.first { $0.kind == "suite" })
        #expect(group.passed == 2)
    }

    @Test func failingSuiteCase_failsTheRun() throws {
        let rules = try RuleLoader.parse(yaml: RuleLoaderTests.valid, file: "r.yaml")
        let suite = try RuleSuite.parse(yaml: Self.suite.replacingOccurrences(of: "a good thing", with: "evil thing"), file: "s.yaml")
        #expect(try RuleTestRunner.run(rules: rules, suites: [suite]).failed)
    }

    @Test func todoCase_isReportedNotFailed() throws {
        let rules = try RuleLoader.parse(yaml: RuleLoaderTests.valid, file: "r.yaml")
        let text = Self.suite.replacingOccurrences(of: "input: \"a good thing\"", with: "input: \"evil thing\"\n    todo: true")
        let report = try RuleTestRunner.run(rules: rules, suites: [try RuleSuite.parse(yaml: text, file: "s.yaml")])
        #expect(!report.failed)
        #expect(report.groups.last?.todo == 1)
    }

    @Test func unknownRuleInSuite_isRefused() throws {
        let rules = try RuleLoader.parse(yaml: RuleLoaderTests.valid, file: "r.yaml")
        let suite = try RuleSuite.parse(yaml: Self.suite.replacingOccurrences(of: "[demo-rule]", with: "[demo-rul]"), file: "s.yaml")
        #expect(throws: RuleFileError.self) { try RuleTestRunner.run(rules: rules, suites: [suite]) }
    }

    @Test func malformedSuites_areRefused() {
        #expect(throws: RuleFileError.self) { try RuleSuite.parse(yaml: "cases: []", file: "s.yaml") }
        #expect(throws: RuleFileError.self) { try RuleSuite.parse(yaml: "suite: x\ncases:\n  - input: a\n", file: "s.yaml") }
        #expect(throws: RuleFileError.self) { try RuleSuite.parse(yaml: "suite: x\ncases:\n  - input: a\n    expect: []\n", file: "s.yaml") }
        #expect(throws: RuleFileError.self) { try RuleSuite.parse(yaml: "suite: x\nbogus: 1\ncases:\n  - input: a\n    expect: []\n    isolated: true\n", file: "s.yaml") }
    }
}
