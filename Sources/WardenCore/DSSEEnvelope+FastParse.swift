extension DSSEEnvelope {
    /// Reads an envelope in exactly the form ``serializedBytes()`` writes, without building a JSON tree; `nil` for
    /// anything else (the general parser then reads it, or says why not). The log verifier reads every stored
    /// envelope through here.
    static func parseCanonical(_ bytes: UnsafeBufferPointer<UInt8>) -> DSSEEnvelope? {
        var i = 0
        func expect(_ literal: StaticString) -> Bool {
            let n = literal.utf8CodeUnitCount
            guard i + n <= bytes.count else { return false }
            let p = literal.utf8Start
            for k in 0..<n where bytes[i + k] != p[k] { return false }
            i += n
            return true
        }
        /// A base64 string body up to the closing quote.
        func base64() -> [UInt8]? {
            let start = i
            while i < bytes.count, bytes[i] != UInt8(ascii: "\"") { i += 1 }
            guard i < bytes.count else { return nil }
            let decoded = LenientBase64.decode(bytes: UnsafeBufferPointer(rebasing: bytes[start..<i]))
            i += 1
            return decoded
        }
        /// A JSON string: taken as it is when it has no escape or control character (validated as UTF-8),
        /// decoded by the strict parser otherwise.
        func string() -> String? {
            let start = i
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
            i += 1
            var plain = true
            while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                if bytes[i] == UInt8(ascii: "\\") {
                    plain = false
                    i += 2
                } else {
                    if bytes[i] < 0x20 { plain = false }
                    i += 1
                }
            }
            guard i < bytes.count else { return nil }
            i += 1
            if plain {
                return String(validating: UnsafeBufferPointer(rebasing: bytes[(start + 1)..<(i - 1)]), as: UTF8.self)
            }
            return (try? JSONValue.parse(UnsafeBufferPointer(rebasing: bytes[start..<i])))?.stringValue
        }
        guard expect(#"{"payload":""#), let payload = base64(), expect(#","payloadType":"#),
            let payloadType = string(), expect(#","signatures":["#)
        else { return nil }
        var signatures: [DSSESignature] = []
        if !expect("]") {
            repeat {
                guard expect("{") else { return nil }
                var keyid: String?
                if expect(#""keyid":"#) {
                    guard let k = string(), !k.isEmpty, expect(",") else { return nil }
                    keyid = k
                }
                guard expect(#""sig":""#), let sig = base64(), expect("}") else { return nil }
                signatures.append(DSSESignature(keyid: keyid, sig: sig))
            } while expect(",")
            guard expect("]") else { return nil }
        }
        guard expect("}"), i == bytes.count else { return nil }
        return DSSEEnvelope(payloadType: payloadType, payload: payload, signatures: signatures)
    }
}
