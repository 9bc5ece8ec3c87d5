import Testing
@testable import WardenHunter

@Suite struct ConditionAndPathTests {
    @Test func condition_precedenceIsNotThenAndThenOr() throws {
        let condition = try Condition.parse("a or b and not c", known: ["a", "b", "c"])
        #expect(condition == .or(.detection("a"), .and(.detection("b"), .not(.detection("c")))))
        #expect(condition.evaluate { $0 == "b" })
        #expect(!condition.evaluate { $0 == "b" || $0 == "c" })
    }

    @Test func condition_parenthesesGroup() throws {
        let condition = try Condition.parse("(a or b) and c", known: ["a", "b", "c"])
        #expect(!condition.evaluate { $0 == "a" })
        #expect(condition.evaluate { $0 == "a" || $0 == "c" })
    }

    @Test func condition_errorsCarryOffsets() {
        #expect(throws: ConditionError(message: "expected \")\" to close the \"(\" at offset 0, found the end of the condition", offset: 7)) {
            try Condition.parse("(a or b", known: ["a", "b"])
        }
        #expect(throws: ConditionError.self) { try Condition.parse("a and", known: ["a"]) }
        #expect(throws: ConditionError.self) { try Condition.parse("a $ b", known: ["a", "b"]) }
        #expect(throws: ConditionError.self) { try Condition.parse("", known: ["a"]) }
    }

    @Test func pathRendering_quotesOddKeys() {
        #expect(JSONPath.render([.key("a"), .key("b"), .index(2)]) == "$.a.b[2]")
        #expect(JSONPath.render([.key("odd key"), .key("it's")]) == "$['odd key']['it\\'s']")
        #expect(JSONPath.render([]) == "$")
    }

    @Test func globs_matchKeysIndicesAndDescendants() throws {
        let path: [PathComponent] = [.key("items"), .index(3), .key("url")]
        #expect(try PathGlob("$.items[*].url").matches(path))
        #expect(try PathGlob("$..url").matches(path))
        #expect(try PathGlob("$.items[3].*").matches(path))
        #expect(try PathGlob("$.*.*.u?l").matches(path))
        #expect(try PathGlob("$['items'][3]['url']").matches(path))
        #expect(try !PathGlob("$.items[2].url").matches(path))
        #expect(try !PathGlob("$.url").matches(path))
        #expect(try PathGlob("$").matches([]))
    }

    @Test func globs_refuseMalformedText() {
        #expect(throws: PathGlob.ParseError.self) { try PathGlob("url") }
        #expect(throws: PathGlob.ParseError.self) { try PathGlob("$.a[") }
        #expect(throws: PathGlob.ParseError.self) { try PathGlob("$..") }
        #expect(throws: PathGlob.ParseError.self) { try PathGlob("$[x]") }
    }
}
