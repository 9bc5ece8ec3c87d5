import Testing
import WardenCore

@Suite struct RecordedArgumentsTests {
    static let arguments: JSONValue = [
        "url": "https://example.com",
        "headers": ["Authorization": "Bearer abc", "Accept": "text/html"],
        "items": [["token": "t0", "n": 1], ["token": "t1", "n": 2]],
        "password": ["nested": "p"],
    ]

    static func fixedSalt() -> () -> [UInt8] {
        { Array(repeating: 0x5A, count: 16) }
    }

    @Test func memberNames_matchAtAnyDepth_withoutRegardToCase() throws {
        let (stored, disclosures) = try RecordedArguments.redacting(
            Self.arguments, selectors: ["authorization", "PASSWORD"], salt: Self.fixedSalt())
        #expect(stored.value["headers"]?["Authorization"] == .string(RecordedArguments.placeholder))
        #expect(stored.value["headers"]?["Accept"] == "text/html")
        #expect(stored.value["password"] == .string(RecordedArguments.placeholder))
        #expect(stored.redactions.map(\.path) == ["$.headers.Authorization", "$.password"])
        #expect(disclosures.map(\.value) == ["Bearer abc", ["nested": "p"]])
        #expect(stored.digest == nil)
    }

    @Test func paths_selectExactValues_withIndicesAndWildcards() throws {
        let (stored, _) = try RecordedArguments.redacting(
            Self.arguments, selectors: ["$.items[*].token", "$[\"url\"]"], salt: Self.fixedSalt())
        #expect(stored.redactions.map(\.path) == ["$.items[0].token", "$.items[1].token", "$.url"])
        #expect(stored.value["items"]?.arrayValue?[1]["n"] == 2)
        let (one, _) = try RecordedArguments.redacting(
            Self.arguments, selectors: ["$.items[1].token"], salt: Self.fixedSalt())
        #expect(one.redactions.map(\.path) == ["$.items[1].token"])
        #expect(one.value["items"]?.arrayValue?[0]["token"] == "t0")
    }

    @Test func digest_isSaltedSHA256OfTheCanonicalValue_andTheDisclosureOpensIt() throws {
        let (stored, disclosures) = try RecordedArguments.redacting(
            Self.arguments, selectors: ["authorization"], salt: Self.fixedSalt())
        let expected = ContentDigest.sha256(Array(repeating: 0x5A, count: 16) + Array(#""Bearer abc""#.utf8))
        #expect(stored.redactions.first?.digest == expected)
        #expect(disclosures.first?.digest == expected)
    }

    @Test func defaultSalts_differPerValue_soEqualSecretsDoNotLink() throws {
        let (stored, _) = try RecordedArguments.redacting(["a": "same", "b": "same"], selectors: ["a", "b"])
        #expect(stored.redactions.count == 2)
        #expect(stored.redactions[0].digest != stored.redactions[1].digest)
    }

    @Test func nothingRedacted_keepsTheWholeValueAndItsDigest() throws {
        let (stored, disclosures) = try RecordedArguments.redacting(Self.arguments, selectors: ["absent"])
        #expect(stored.value == Self.arguments)
        #expect(stored.digest == ContentDigest.sha256(of: Self.arguments))
        #expect(disclosures.isEmpty)
    }

    @Test func malformedPathSelectors_areRefused() {
        for selector in ["$", "$.", "$[", "$[x]", "$.a[-1]", "$a", "$[\"a\"b\"]", ""] {
            #expect(throws: RedactionSelectorError.self, "\(selector)") {
                try RecordedArguments.redacting(Self.arguments, selectors: [selector])
            }
        }
    }

    @Test func boundedResult_keepsSmallResults_andCutsLargeOnesAtACharacterBoundary() {
        let small = RecordedResult.bounded(["text": "hi"], cap: 100)
        #expect(small.value == ["text": "hi"])
        #expect(!small.truncated)
        let large = RecordedResult.bounded(.string(String(repeating: "é", count: 100)), cap: 10)
        #expect(large.truncated)
        #expect(large.value == nil)
        #expect(large.size == 202)
        #expect(large.excerpt == "\"" + String(repeating: "é", count: 4))
        #expect(large.digest == ContentDigest.sha256(of: .string(String(repeating: "é", count: 100))))
    }
}
