import Foundation
import WardenCore

/// One case of a policy set's own tests (`tests/*.yaml`): a request and what the set must decide.
public struct PolicyTestCase: Sendable {
    public let name: String
    public let location: SourceLocation
    public let request: PolicyRequest
    /// How many times the request is sent (for rate limits); expectations apply to the last answer.
    public let repeatCount: Int
    public let expectedEffect: PolicyEffect
    /// When given, exactly these rules must match (order does not matter).
    public let expectedRules: [String]?
    /// When given, each string must appear in one of the decision's reasons.
    public let expectedReasons: [String]?
    /// When given, the decision must carry exactly this many errors.
    public let expectedErrors: Int?

    /// The time a test request is made at when it names none: Monday 2026-01-05, 12:00 UTC.
    public static let defaultTime = Date(timeIntervalSince1970: 1_767_614_400)
}

/// Reads test files.
enum PolicyTestDecoder {
    static let fileKeys = ["version", "description", "tests"]
    static let testKeys = ["name", "request", "repeat", "expect"]
    static let expectKeys = ["effect", "rules", "reasons", "errors"]

    static func decode(_ root: SourceNode, reader: inout SchemaReader) -> [PolicyTestCase] {
        guard let file = reader.fields(root, "a policy test file", allowed: fileKeys, required: ["version", "tests"])
        else {
            return []
        }
        PolicyFileDecoder.checkVersion(file["version"], reader: &reader)
        _ = reader.string(file["description"], "the file's description")
        guard let list = reader.list(file["tests"], "tests") else { return [] }
        return list.compactMap { decodeCase($0, reader: &reader) }
    }

    static func decodeCase(_ node: SourceNode, reader: inout SchemaReader) -> PolicyTestCase? {
        let before = reader.diagnostics.count
        guard let f = reader.fields(node, "a test", allowed: testKeys, required: ["name", "request", "expect"]) else {
            return nil
        }
        let name = reader.string(f["name"], "name")
        var request: PolicyRequest?
        if let r = f["request"] {
            if case .object = r.kind {
                do {
                    request = try PolicyRequest(json: r.json)
                } catch {
                    reader.report(
                        .invalidValue, at: location(of: error.path, in: r), "the test's request: \(error.description)")
                }
            } else {
                reader.report(.wrongType, at: r.location, "request must be a mapping, not \(r.typeName)")
            }
        }
        let repeatCount =
            f["repeat"] == nil ? 1 : reader.integer(f["repeat"], "repeat", range: 1...10_000).map(Int.init)
        var effect: PolicyEffect?
        var rules: [String]?
        var reasons: [String]?
        var errors: Int?
        if let e = f["expect"], let x = reader.fields(e, "expect", allowed: expectKeys, required: ["effect"]) {
            effect = reader.word(x["effect"], "expect.effect", as: PolicyEffect.self)
            if let r = x["rules"] {
                if case .array(let a) = r.kind, a.isEmpty {
                    rules = []
                } else {
                    rules = reader.strings(r, "expect.rules")?.map(\.0)
                }
            }
            reasons = reader.strings(x["reasons"], "expect.reasons")?.map(\.0)
            errors = reader.integer(x["errors"], "expect.errors", range: 0...10_000).map(Int.init)
        }
        guard reader.diagnostics.count == before, let name, let request, let effect, let repeatCount else { return nil }
        return PolicyTestCase(
            name: name, location: node.location, request: request, repeatCount: repeatCount, expectedEffect: effect,
            expectedRules: rules, expectedReasons: reasons, expectedErrors: errors)
    }

    /// The location of the member a request error names (`$.findings[0].severity`), as near as it can be found.
    static func location(of path: String, in node: SourceNode) -> SourceLocation {
        guard let parsed = try? JSONPath(path) else { return node.location }
        var current = node
        for step in parsed.steps {
            switch (step, current.kind) {
            case (.key(let k), .object(let members)):
                guard let m = members.first(where: { $0.key == k }) else { return current.location }
                current = m.value
            case (.index(let i), .array(let elements)) where i < elements.count:
                current = elements[i]
            default:
                return current.location
            }
        }
        return current.location
    }
}
