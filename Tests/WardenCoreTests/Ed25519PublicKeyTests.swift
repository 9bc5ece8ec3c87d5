import Testing

@testable import WardenCore

/// The signature check (libsodium) against RFC 8032's test vectors, and what it refuses that a lenient verifier
/// would let through.
@Suite struct Ed25519PublicKeyTests {
    /// RFC 8032, section 7.1, TEST 1 and TEST 2.
    static let key1 = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    static let signature1 =
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    static let key2 = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
    static let signature2 =
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"

    static func bytes(_ hex: String) -> [UInt8] { HexEncoding.decode(hex)! }

    @Test func rfc8032Vectors_verify_andNothingElseDoes() throws {
        let key1 = try Ed25519PublicKey(hex: Self.key1)
        let key2 = try Ed25519PublicKey(hex: Self.key2)
        #expect(key1.isValidSignature(Self.bytes(Self.signature1), for: []))
        #expect(key2.isValidSignature(Self.bytes(Self.signature2), for: [0x72]))
        #expect(!key1.isValidSignature(Self.bytes(Self.signature1), for: [0x00]), "another message")
        #expect(!key2.isValidSignature(Self.bytes(Self.signature1), for: []), "another key")
        #expect(!key2.isValidSignature(Self.bytes(Self.signature2), for: [0x73]))
        #expect(!key1.isValidSignature(Array(Self.bytes(Self.signature1).dropLast()), for: []), "63 bytes")
        #expect(!key1.isValidSignature([], for: []))
    }

    @Test func signaturesMadeBySwiftCrypto_verify() throws {
        let signer = Ed25519SigningKey.generate()
        let message = Array("the payload".utf8)
        #expect(signer.publicKey.isValidSignature(signer.signature(for: message), for: message))
    }

    /// `S + L` is the same scalar modulo the group order: accepting it would let anyone change a signature's bytes
    /// (and so an envelope's hash) without the key.
    @Test func malleatedS_isRefused() throws {
        let key = try Ed25519PublicKey(hex: Self.key1)
        var signature = Self.bytes(Self.signature1)
        let order: [UInt8] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ]
        var carry = 0
        for i in 0..<32 {
            let sum = Int(signature[32 + i]) + Int(order[i]) + carry
            signature[32 + i] = UInt8(sum & 0xff)
            carry = sum >> 8
        }
        #expect(carry == 0)
        #expect(!key.isValidSignature(signature, for: []))
    }

    /// Keys that are not points of the prime-order group are refused when read, with a reason.
    @Test func keysOutsideThePrimeOrderGroup_areRefused() {
        let identity = "01" + String(repeating: "00", count: 31)  // small order: every "signature" would be easy
        let orderTwo = "ec" + String(repeating: "ff", count: 30) + "7f"  // y = -1, the point of order 2
        let yIsP = "ed" + String(repeating: "ff", count: 30) + "7f"  // y = p: a non-canonical encoding of y = 0
        for hex in [identity, orderTwo, yIsP] {
            #expect(throws: KeyFormatError.self, "\(hex)") { try Ed25519PublicKey(hex: hex) }
        }
        do {
            _ = try Ed25519PublicKey(hex: identity)
        } catch {
            #expect(error.description.contains("prime-order group"))
        }
    }
}
