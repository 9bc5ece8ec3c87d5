import Testing
@testable import WardenHunter

/// Pins the sentences people read for the most common mistakes (the other tests match codes only).
@Suite struct RuleMessagesTests {
    func message(_ yaml: String) -> String {
        do {
            _ = try RuleLoader.parse(yaml: yaml, file: "rules/x.yaml")
            return "loaded"
        } catch {
            return error.description
        }
    }

    @Test func unknownKey_suggestsTheClosestKey() {
        let text = RuleLoaderTests.valid.replacingOccurrences(of: "severity: high", with: "severity: high\nparanoya: 2")
        #expect(message(text) == "rules/x.yaml:5:1: unknown key \"paranoya\" in a rule; did you mean \"paranoia\"?")
    }

    @Test func unknownDetectionInCondition_suggestsTheClosestName() {
        let text = RuleLoaderTests.valid.replacingOccurrences(of: "tests:", with: "condition: wrd\ntests:")
        #expect(message(text) == "rules/x.yaml:9:12: invalid condition: unknown detection \"wrd\"; did you mean \"word\"?")
    }

    @Test func missingPositiveTest_saysWhatIsNeeded() {
        let text = RuleLoaderTests.valid.replacingOccurrences(of: "    match: true", with: "    match: false")
        #expect(message(text) == "rules/x.yaml:10:3: rule \"demo-rule\" needs at least one test with \"match: true\" that is not todo")
    }
}
