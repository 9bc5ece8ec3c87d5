import Crypto
import Foundation
import Testing

@testable import WardenCore

@Suite struct DSSEEnvelopeTests {
    @Test func pae_matchesTheSpecificationExample() {
        let pae = DSSEEnvelope.pae(payloadType: "http://example.com/HelloWorld", payload: Array("hello world".utf8))
        #expect(String(decoding: pae, as: UTF8.self) == "DSSEv1 29 http://example.com/HelloWorld 11 hello world")
    }

    @Test func pae_countsBytesNotCharacters() {
        let pae = DSSEEnvelope.pae(payloadType: "application/vnd.exämple+json", payload: Array("é".utf8))
        #expect(String(decoding: pae, as: UTF8.self) == "DSSEv1 29 application/vnd.exämple+json 2 é")
    }

    @Test func signedEnvelope_verifiesWithItsKey_andNotWithAnother() throws {
        let key = Ed25519SigningKey.generate()
        let other = Ed25519SigningKey.generate()
        let envelope = DSSEEnvelope.sign(payloadType: "application/x", payload: Array("{}".utf8), keys: [key])
        #expect(envelope.signatures.first?.keyid == key.keyid)
        #expect(try envelope.verify(trusting: [key.publicKey]) == [key.keyid])
        #expect(throws: DSSEVerificationError.thresholdNotMet(required: 1, verified: [])) {
            try envelope.verify(trusting: [other.publicKey])
        }
    }

    @Test func verify_refusesAnUnsupportedPayloadType_andANonPositiveThreshold() throws {
        let key = Ed25519SigningKey.generate()
        let envelope = DSSEEnvelope.sign(payloadType: "application/x", payload: [], keys: [key])
        #expect(throws: DSSEVerificationError.unsupportedPayloadType("application/x")) {
            try envelope.verify(trusting: [key.publicKey], supportedPayloadTypes: ["application/y"])
        }
        #expect(throws: DSSEVerificationError.invalidThreshold(0)) {
            try envelope.verify(trusting: [key.publicKey], threshold: 0)
        }
    }

    @Test func json_roundTrips_andTheFastSerializerMatchesTheCanonicalOne() throws {
        let key = Ed25519SigningKey.generate()
        var envelope = DSSEEnvelope.sign(
            payloadType: "application/vnd.\"quoted\"\\type", payload: Array(#"{"a":"ü\n"}"#.utf8), keys: [key])
        envelope.signatures.append(DSSESignature(keyid: nil, sig: [1, 2, 3]))
        #expect(envelope.serializedBytes() == envelope.json.serializedBytes())
        #expect(try DSSEEnvelope.parse(envelope.serializedBytes()) == envelope)
    }

    @Test func canonicalAndGeneralParsers_agree() throws {
        let key = Ed25519SigningKey.generate()
        var envelope = DSSEEnvelope.sign(payloadType: "a\"b\\c\u{1}é", payload: Array("{}".utf8), keys: [key, key])
        envelope.signatures.append(DSSESignature(keyid: nil, sig: []))
        let canonical = envelope.serializedBytes()
        #expect(canonical.withUnsafeBufferPointer { DSSEEnvelope.parseCanonical($0) } == envelope)
        let general = try DSSEEnvelope(json: JSONValue.parse(canonical))
        #expect(general == envelope)
        // Any other layout goes to the general parser, which reads the same envelope.
        let spaced = Array(envelope.json.prettyPrinted().utf8)
        #expect(spaced.withUnsafeBufferPointer { DSSEEnvelope.parseCanonical($0) } == nil)
        #expect(try DSSEEnvelope.parse(spaced) == envelope)
        let empty = Array(#"{"payload":"","payloadType":"t","signatures":[]}"#.utf8)
        #expect(empty.withUnsafeBufferPointer { DSSEEnvelope.parseCanonical($0) }?.signatures == [])
        let trailing = Array(#"{"payload":"","payloadType":"t","signatures":[]} x"#.utf8)
        #expect(throws: DSSEFormatError.self) { try DSSEEnvelope.parse(trailing) }
        let badBase64 = Array(#"{"payload":"!!","payloadType":"t","signatures":[]}"#.utf8)
        #expect(throws: DSSEFormatError.self) { try DSSEEnvelope.parse(badBase64) }
    }

    @Test func parse_refusesMalformedEnvelopes_namingTheMember() {
        let cases: [(String, String)] = [
            ("[]", "$"),
            (#"{"payload":"e30=","payloadType":"t","signatures":[],"extra":1}"#, "$.extra"),
            (#"{"payloadType":"t","signatures":[]}"#, "$.payload"),
            (#"{"payload":"!!!","payloadType":"t","signatures":[]}"#, "$.payload"),
            (#"{"payload":"e30=","signatures":[]}"#, "$.payloadType"),
            (#"{"payload":"e30=","payloadType":"t","signatures":{}}"#, "$.signatures"),
            (#"{"payload":"e30=","payloadType":"t","signatures":[{"keyid":"k"}]}"#, "$.signatures[0].sig"),
            (#"{"payload":"e30=","payloadType":"t","signatures":[{"sig":"AA==","keyid":7}]}"#, "$.signatures[0].keyid"),
            (#"{"payload":"e30=","payloadType":"t","signatures":[{"sig":"AA==","cert":"x"}]}"#, "$.signatures[0].cert"),
            (#"{"payload":"e30=","payload":"e30=","payloadType":"t","signatures":[]}"#, "$"),
            ("not json", "$"),
        ]
        for (text, path) in cases {
            let error = #expect(throws: DSSEFormatError.self, "\(text)") { try DSSEEnvelope.parse(Array(text.utf8)) }
            #expect(error?.path == path, "\(text)")
        }
    }

    @Test func lenientBase64_readsBothAlphabets_withAndWithoutPadding_andRefusesMixtures() {
        #expect(LenientBase64.decode("-_-_Pj8=") == [0xfb, 0xff, 0xbf, 0x3e, 0x3f])
        #expect(LenientBase64.decode("-_-_Pj8") == [0xfb, 0xff, 0xbf, 0x3e, 0x3f])
        #expect(LenientBase64.decode("+/+/Pj8=") == [0xfb, 0xff, 0xbf, 0x3e, 0x3f])
        #expect(LenientBase64.decode("") == [])
        #expect(LenientBase64.decode("+_+_") == nil)
        #expect(LenientBase64.decode("ab c") == nil)
        #expect(LenientBase64.decode("a") == nil)
    }

    @Test func lenientBase64_agreesWithFoundation_forEveryLengthUpTo70() {
        for n in 0...70 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ n) }
            let foundation = Data(bytes).base64EncodedString()
            #expect(LenientBase64.encode(bytes) == foundation, "length \(n)")
            #expect(LenientBase64.decode(foundation) == bytes, "length \(n)")
            let urlSafe = foundation.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            #expect(LenientBase64.decode(urlSafe) == bytes, "length \(n)")
        }
        #expect(LenientBase64.decode("QQ==") == [0x41])
        #expect(LenientBase64.decode("QR==") == nil, "non-zero leftover bits")
        #expect(LenientBase64.decode("QQ=") == nil)
        #expect(LenientBase64.decode("Q===") == nil)
        #expect(LenientBase64.decode("QQ==QQ==") == nil)
    }

    @Test func keyID_isSHA256OfTheCanonicalKeyJSON() throws {
        let key = try Ed25519PublicKey(hex: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")
        let canonical =
            #"{"keytype":"ed25519","keyval":{"public":"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"},"scheme":"ed25519"}"#
        #expect(key.keyid == HexEncoding.encode(SHA256.hash(data: Array(canonical.utf8))))
    }

    @Test func securesystemslibKeyJSON_roundTrips_andRefusesLiesAndPrivateKeys() throws {
        let key = Ed25519SigningKey.generate().publicKey
        #expect(try Ed25519PublicKey(securesystemslib: key.securesystemslibJSON) == key)
        var lying = key.securesystemslibJSON.objectValue!
        lying["keyid"] = .string(String(repeating: "0", count: 64))
        #expect(throws: KeyFormatError.self) { try Ed25519PublicKey(securesystemslib: .object(lying)) }
        var withPrivate = key.securesystemslibJSON.objectValue!
        withPrivate["keyval"] = ["public": .string(key.hex), "private": "00"]
        #expect(throws: KeyFormatError.self) { try Ed25519PublicKey(securesystemslib: .object(withPrivate)) }
        #expect(throws: KeyFormatError.self) { try Ed25519PublicKey(hex: "abcd") }
        #expect(throws: KeyFormatError.self) { try Ed25519SigningKey(seed: [1, 2, 3]) }
    }
}
