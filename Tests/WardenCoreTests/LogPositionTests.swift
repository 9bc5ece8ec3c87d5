import Testing
import WardenCore

@Suite struct LogPositionTests {
    static let position = LogPosition(seq: 7, previousHash: Array(repeating: 0xAB, count: 32), timeMilliseconds: 1_000)

    @Test func bind_insertsTheLogMemberFirst_inObjectsWithAndWithoutMembers() throws {
        let bound = Self.position.bind(Array(#" { "a" : 1 }"#.utf8))
        let value = try JSONValue.parse(bound)
        #expect(value["a"] == 1)
        #expect(try LogPosition(payload: value) == Self.position)
        let empty = try JSONValue.parse(Self.position.bind(Array("{ }".utf8)))
        #expect(empty.objectValue?.keys.sorted() == ["log"])
        #expect(empty["log"]?["time"] == "1970-01-01T00:00:01.000Z")
    }

    @Test func checkBindable_refusesNonObjects_andTheReservedMember() {
        for text in ["[]", "3", "{\"log\":1}", "{", ""] {
            #expect(throws: LogPayloadError.self, "\(text)") { try LogPosition.checkBindable(Array(text.utf8)) }
        }
    }

    @Test func position_refusesMalformedLogMembers() {
        let prev = String(repeating: "ab", count: 32)
        let cases: [JSONValue] = [
            [:],
            ["log": ["seq": 1, "prev": .string(prev)]],
            ["log": ["seq": -1, "prev": .string(prev), "time": "1970-01-01T00:00:00Z"]],
            ["log": ["seq": 1.5, "prev": .string(prev), "time": "1970-01-01T00:00:00Z"]],
            ["log": ["seq": 1, "prev": "abc", "time": "1970-01-01T00:00:00Z"]],
            ["log": ["seq": 1, "prev": .string(prev.uppercased()), "time": "1970-01-01T00:00:00Z"]],
            ["log": ["seq": 1, "prev": .string(prev), "time": "now"]],
            ["log": ["seq": 1, "prev": .string(prev), "time": "1970-01-01T00:00:00Z", "x": 1]],
        ]
        for value in cases {
            #expect(throws: LogPayloadError.self, "\(value.serialized())") { try LogPosition(payload: value) }
        }
    }
}

@Suite struct LogPositionScanTests {
    @Test func boundPayloads_readBackTheirPosition_withoutAFullParse() throws {
        for payload in ["{}", #"{"a":[1,{"b":"}"}],"tool":"x.y"}"#] {
            let bound = LogPositionTests.position.bind(Array(payload.utf8))
            #expect(try LogPosition(boundPayload: bound) == LogPositionTests.position)
        }
    }

    @Test func boundPayloadReader_refusesAnyOtherForm() {
        let prev = String(repeating: "ab", count: 32)
        let cases = [
            #"{"a":1,"log":{"prev":"\#(prev)","seq":7,"time":"1970-01-01T00:00:01.000Z"}}"#,
            #"{ "log":{"prev":"\#(prev)","seq":7,"time":"1970-01-01T00:00:01.000Z"}}"#,
            #"{"log":{"prev":"\#(prev.uppercased())","seq":7,"time":"1970-01-01T00:00:01.000Z"}}"#,
            #"{"log":{"prev":"\#(prev)","seq":07,"time":"1970-01-01T00:00:01.000Z"}}"#,
            #"{"log":{"prev":"\#(prev)","seq":-7,"time":"1970-01-01T00:00:01.000Z"}}"#,
            #"{"log":{"prev":"\#(prev)","seq":7,"time":"1970-01-01T00:00:01Z"}}"#,
            #"{"log":{"prev":"\#(prev)","seq":7,"time":"1970-01-01T00:00:01.000Z","x":1}}"#,
            #"{"log":{"prev":"\#(prev)","seq":99999999999999999999,"time":"1970-01-01T00:00:01.000Z"}}"#,
        ]
        for text in cases {
            #expect(throws: LogPayloadError.self, "\(text)") { try LogPosition(boundPayload: Array(text.utf8)) }
        }
    }

    @Test func topLevelString_skipsNestedMembersOfTheSameName_andDecodesEscapes() {
        let payload = #"{"a":{"tool":"inner"},"b":["tool","}"],"c":"x\"tool","tool":"shell.r\u0075n","z":1}"#
        #expect(LogPosition.topLevelString(named: "tool", in: Array(payload.utf8)) == "shell.run")
        #expect(LogPosition.topLevelString(named: "tool", in: Array(#"{"a":{"tool":"inner"}}"#.utf8)) == nil)
        #expect(LogPosition.topLevelString(named: "tool", in: Array(#"{"tool":3}"#.utf8)) == nil)
        #expect(LogPosition.topLevelString(named: "tool", in: Array("[]".utf8)) == nil)
    }
}
