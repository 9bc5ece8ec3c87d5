import Testing
import WardenCore

@Suite struct JSONValueTests {
    @Test func parse_keepsIntegersApartFromNumbers() throws {
        let v = try JSONValue.parse(#"{"a": 3, "b": 3.5, "c": -0, "d": 1e2}"#)
        #expect(v["a"] == .int(3))
        #expect(v["b"] == .double(3.5))
        #expect(v["c"] == .int(0))
        #expect(v["d"] == .double(100))
    }

    @Test func parse_decodesEscapesAndSurrogatePairs() throws {
        let v = try JSONValue.parse(#"["a\"b\\c\/\n\t", "\u00e9\ud83d\ude00"]"#)
        #expect(v == .array([.string("a\"b\\c/\n\t"), .string("é😀")]))
    }

    @Test(arguments: [
        #"{"a": 1, "a": 2}"#, "[1,]", "{", "\"abc", "01", "1.", "-", "[1] x", "{\"a\" 1}", "\"\\ud800\"",
        "\"\u{01}\"", "tru", "nul", "{'a': 1}", "NaN", "1e999",
    ])
    func parse_refusesMalformedDocuments(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test func parse_refusesNestingPastTheLimit() {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    }

    @Test func serialized_isCompactSortedAndRoundTrips() throws {
        let v: JSONValue = ["b": [1, 2.5, "x\n"], "a": nil, "c": true]
        #expect(v.serialized() == #"{"a":null,"b":[1,2.5,"x\n"],"c":true}"#)
        #expect(try JSONValue.parse(v.serialized()) == v)
    }

    @Test func parseWithLocations_namesTheLineOfEachKey() throws {
        let text = "{\n  \"name\": \"x\",\n  \"limits\": {\n    \"memory_mb\": 5\n  }\n}"
        let (_, locations) = try JSONValue.parseWithLocations(Array(text.utf8))
        #expect(locations.line(of: "$.name") == 2)
        #expect(locations.line(of: "$.limits.memory_mb") == 4)
        #expect(locations.line(of: "$.limits.absent") == 3)
    }
}
