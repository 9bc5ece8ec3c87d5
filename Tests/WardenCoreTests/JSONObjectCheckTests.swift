import Testing
import WardenCore

/// ``JSONObjectCheck`` accepts exactly the objects ``JSONValue/parse(_:)-(Bytes)`` accepts.
@Suite struct JSONObjectCheckTests {
    static let documents: [String] = [
        "{}", " {\"a\":1} ", #"{"a":[1,2,{"b":null}],"c":"\u00e9\ud83d\ude00","d":-0.5e-3,"e":true,"f":false}"#,
        #"{"a":"x","a":"y"}"#, #"{"a":{"b":1,"b":2}}"#, #"{"a":1,"\u0061":2}"#, #"{"a":[{"k":1},{"k":1}]}"#,
        #"{"a":"\ud800"}"#, #"{"a":"\udc00"}"#, #"{"a":"\ud800\u0041"}"#, "{\"a\":\"\u{1}\"}", #"{"a":"\x"}"#,
        #"{"a":01}"#, #"{"a":1.}"#, #"{"a":.5}"#, #"{"a":1e}"#, #"{"a":-}"#, #"{"a":1e999}"#,
        #"{"a":99999999999999999999}"#, #"{"a":-9223372036854775808}"#, #"{"a":tru}"#, #"{"a":nul}"#,
        #"{"a":1,}"#, #"{"a" 1}"#, #"{a:1}"#, #"{"a":[1,]}"#, #"{"a":1} x"#, "[]", "1", #""s""#, "", "{",
        #"{"a":"é"}"#, "{\"k\":\"\u{7f}\"}",
        "{\"a\":" + String(repeating: "[", count: 127) + String(repeating: "]", count: 127) + "}",
        "{\"a\":" + String(repeating: "[", count: 128) + String(repeating: "]", count: 128) + "}",
        "{" + (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}",
        "{" + (0..<40).map { "\"k\($0 % 39)\":\($0)" }.joined(separator: ",") + "}",
    ]

    static func agree(_ bytes: [UInt8]) -> Bool {
        let parsed = (try? JSONValue.parse(bytes))?.objectValue != nil
        let checked = (try? JSONObjectCheck(bytes)) != nil
        return parsed == checked
    }

    @Test func agreesWithTheParser_onHandPickedDocuments() {
        for text in Self.documents {
            #expect(Self.agree(Array(text.utf8)), "\(text.debugDescription)")
        }
    }

    @Test func agreesWithTheParser_onInvalidUTF8() {
        for bytes: [UInt8] in [
            [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xFF], [0xC3, 0xA9],
        ] {
            #expect(Self.agree(Array("{\"a\":\"".utf8) + bytes + Array("\"}".utf8)), "\(bytes)")
        }
    }

    /// Random single-byte mutations of valid documents: both readers must agree on every one.
    @Test func agreesWithTheParser_onMutatedDocuments() {
        var generator = SystemRandomNumberGenerator()
        let seeds = Self.documents.map { Array($0.utf8) }.filter { (try? JSONObjectCheck($0)) != nil }
        let alphabet = Array(#"{}[],:"\ u0123456789abcdefnulltrue-+.eE"#.utf8) + [0x00, 0x1F, 0xC3, 0xA9, 0xED, 0xFF]
        var checked = 0
        for seed in seeds where !seed.isEmpty {
            for _ in 0..<400 {
                var bytes = seed
                let at = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[at] = alphabet.randomElement(using: &generator)!
                case 1: bytes.insert(alphabet.randomElement(using: &generator)!, at: at)
                default: bytes.remove(at: at)
                }
                #expect(Self.agree(bytes), "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
                checked += 1
            }
        }
        #expect(checked > 1000)
    }

    @Test func keepsTopLevelMembers() throws {
        let check = try JSONObjectCheck(Array(#"{"tool":"shell.r\u0075n","n":{"tool":"inner"},"log2":1}"#.utf8))
        #expect(check.members.map(\.key) == ["tool", "n", "log2"])
        #expect(check.string("tool") == "shell.run")
        #expect(check.string("n") == nil)
        #expect(!check.contains("log"))
    }
}
