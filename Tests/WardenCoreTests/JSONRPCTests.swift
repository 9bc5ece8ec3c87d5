import Testing
import WardenCore

@Suite struct JSONRPCTests {
    func message(_ text: String) throws -> JSONRPCMessage { try JSONRPCMessage(try JSONValue.parse(text)) }

    @Test func reads_requestsNotificationsAndResponses() throws {
        #expect(try message(#"{"jsonrpc":"2.0","id":1,"method":"m","params":{}}"#)
            == .request(id: .int(1), method: "m", params: [:]))
        #expect(try message(#"{"jsonrpc":"2.0","method":"n"}"#) == .notification(method: "n", params: nil))
        #expect(try message(#"{"jsonrpc":"2.0","id":"x","result":5}"#) == .response(id: .string("x"), result: .success(5)))
        #expect(try message(#"{"jsonrpc":"2.0","id":2,"error":{"code":-1,"message":"no"}}"#)
            == .response(id: .int(2), result: .failure(JSONRPCError(code: -1, message: "no"))))
    }

    @Test(arguments: [
        #"{"id":1,"method":"m"}"#, #"{"jsonrpc":"1.0","id":1,"method":"m"}"#, #"{"jsonrpc":"2.0","id":1}"#,
        #"{"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":""}}"#, #"[1]"#,
        #"{"jsonrpc":"2.0","id":[1],"method":"m"}"#, #"{"jsonrpc":"2.0","id":1,"method":"m","params":3}"#,
        #"{"jsonrpc":"2.0","id":1,"method":"m","extra":true}"#, #"{"jsonrpc":"2.0","result":1}"#,
    ])
    func refuses_malformedMessages(_ text: String) {
        #expect(throws: JSONRPCMessage.Invalid.self) { try message(text) }
    }

    @Test func line_endsWithOneNewline() {
        let line = JSONRPCMessage.notification(method: "x", params: nil).line
        #expect(line.last == 0x0A)
        #expect(line.filter { $0 == 0x0A }.count == 1)
    }
}

@Suite struct LineBufferTests {
    @Test func splitsLinesAcrossChunks() throws {
        var buffer = LineBuffer(cap: 100)
        #expect(try buffer.append(Array("ab".utf8)).isEmpty)
        #expect(try buffer.append(Array("c\nde\nf".utf8)) == [Array("abc".utf8), Array("de".utf8)])
        #expect(buffer.pendingCount == 1)
    }

    @Test func refusesALineOverTheCap_beforeItsNewlineArrives() {
        var buffer = LineBuffer(cap: 10)
        let error = #expect(throws: LineBuffer.FrameTooLarge.self) { try buffer.append([UInt8](repeating: 65, count: 11)) }
        #expect(error?.cap == 10)
    }

    @Test func refusesACompleteLineOverTheCap() {
        var buffer = LineBuffer(cap: 4)
        #expect(throws: LineBuffer.FrameTooLarge.self) { try buffer.append(Array("abcdef\n".utf8)) }
    }
}
