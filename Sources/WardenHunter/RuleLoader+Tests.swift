import Foundation
import WardenCore
import Yams

extension RuleLoader {
    static func parseTests(
        _ node: Node, scope: RuleScope, context: String, reader: YAMLNodeReader
    ) throws(RuleFileError) -> [RuleTestCase] {
        var tests: [RuleTestCase] = []
        for item in try reader.list(node, what: "\"tests\" of \(context)") {
            tests.append(try parseTest(item, scope: scope, context: context, reader: reader))
        }
        if !tests.contains(where: { $0.shouldMatch && !$0.todo }) {
            throw reader.error(.missingTests, node, "\(context) needs at least one test with \"match: true\" that is not todo")
        }
        if !tests.contains(where: { !$0.shouldMatch && !$0.todo }) {
            throw reader.error(.missingTests, node, "\(context) needs at least one test with \"match: false\" that is not todo")
        }
        return tests
    }

    static func parseTest(
        _ node: Node, scope: RuleScope, context: String, reader: YAMLNodeReader
    ) throws(RuleFileError) -> RuleTestCase {
        let what = "a test of \(context)"
        let pairs = try reader.mapping(node, what: what, allowed: testKeys)
        var test = RuleTestCase(value: .null, shouldMatch: false, location: reader.location(node))
        var sawValue = false
        var sawMatch = false
        for (key, keyNode, value) in pairs {
            switch key {
            case "name": test.name = try reader.string(value, what: "\"name\" of \(what)")
            case "input", "value":
                if sawValue { throw reader.error(.invalidValue, keyNode, "\(what) has both \"input\" and \"value\"; keep one") }
                sawValue = true
                test.value = key == "input" ? .string(try reader.string(value, what: "\"input\" of \(what)")) : try reader.json(value)
            case "phase":
                let text = try reader.string(value, what: "\"phase\" of \(what)")
                guard let phase = ScanPhase(rawValue: text) else {
                    throw reader.error(.invalidValue, value, "unknown phase \"\(text)\"; use input or output")
                }
                guard scope.covers(phase) else {
                    throw reader.error(.invalidValue, value, "phase \"\(text)\" is outside the scope (\(scope.rawValue)) of \(context)")
                }
                test.phase = phase
            case "tool": test.tool = try reader.string(value, what: "\"tool\" of \(what)")
            case "match":
                test.shouldMatch = try reader.bool(value, what: "\"match\" of \(what)")
                sawMatch = true
            case "todo": test.todo = try reader.bool(value, what: "\"todo\" of \(what)")
            case "isolated": test.isolated = try reader.bool(value, what: "\"isolated\" of \(what)")
            default: break
            }
        }
        if !sawValue { throw reader.error(.missingKey, node, "\(what) needs \"input\" (a string) or \"value\" (any JSON)") }
        if !sawMatch { throw reader.error(.missingKey, node, "\(what) needs \"match: true\" or \"match: false\"") }
        if test.isolated && !test.shouldMatch {
            throw reader.error(.invalidValue, node, "\"isolated\" only makes sense with \"match: true\"")
        }
        return test
    }
}
