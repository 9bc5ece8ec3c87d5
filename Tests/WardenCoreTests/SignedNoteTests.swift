import Foundation
import Testing
import WardenCore

@Suite struct SignedNoteTests {
    // The example of golang.org/x/mod/sumdb/note: Ed25519 is deterministic, so signing the same text with the same
    // key must give the published note byte for byte.
    static let goText =
        "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let goNote =
        goText
        + "\n\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

    static func goKey() throws -> Ed25519SigningKey {
        // PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz: 0x01 then the seed.
        let blob = try #require(LenientBase64.decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"))
        return try Ed25519SigningKey(seed: Array(blob.dropFirst()))
    }

    @Test func signing_reproducesTheGoSumdbExample() throws {
        let key = try Self.goKey()
        // PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW is the verifier key.
        let verifier = try #require(LenientBase64.decode("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"))
        #expect(key.publicKey.rawRepresentation == Array(verifier.dropFirst()))
        #expect(HexEncoding.encode(SignedNote.keyHash(name: "PeterNeumann", key: key.publicKey)) == "c74f20a3")
        let note = try SignedNote.sign(text: Self.goText, name: "PeterNeumann", key: key)
        #expect(note.formatted == Self.goNote)
        let parsed = try SignedNote.parse(Self.goNote)
        #expect(parsed == note)
        try parsed.verify(name: "PeterNeumann", key: key.publicKey)
    }

    @Test func verify_failsWhenTheTextChanges_orForAnotherKeyOrName() throws {
        let key = try Self.goKey()
        let altered = try SignedNote.parse(Self.goNote.replacingOccurrences(of: "cryptography", with: "cryptographY"))
        #expect(throws: SignedNoteError.self) { try altered.verify(name: "PeterNeumann", key: key.publicKey) }
        let original = try SignedNote.parse(Self.goNote)
        #expect(throws: SignedNoteError.self) {
            try original.verify(name: "PeterNeumann", key: Ed25519SigningKey.generate().publicKey)
        }
        #expect(throws: SignedNoteError.self) { try original.verify(name: "EnochRoot", key: key.publicKey) }
    }

    @Test func parse_refusesMalformedNotes() {
        let sig =
            "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
        let cases = [
            "no blank line\n" + sig,
            "text\n\n",
            "text\n\n- PeterNeumann AAAAAAAA\n",
            "text\n\n\u{2014} PeterNeumann !!!\n",
            "text\n\n\u{2014} Peter Neumann x08go/ZJku\n",
            "text\n\n" + sig.dropLast(),
            "te\u{1}xt\n\n" + sig,
        ]
        for text in cases {
            #expect(throws: SignedNoteError.self, "\(text.debugDescription)") { try SignedNote.parse(text) }
        }
    }

    @Test func checkpoint_roundTripsThroughItsSignedNote() throws {
        let key = Ed25519SigningKey.generate()
        let time = try #require(RFC3339Time.parse("2025-03-04T05:06:07.089Z"))
        let checkpoint = Checkpoint(
            origin: "warden.log/abc", treeSize: 1234, rootHash: MerkleTree.emptyRoot, time: time)
        #expect(
            checkpoint.body
                == "warden.log/abc\n1234\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\ntime 2025-03-04T05:06:07.089Z\n"
        )
        let note = try checkpoint.signed(with: key)
        let parsed = try SignedNote.parse(note.formatted)
        try parsed.verify(name: "warden.log/abc", key: key.publicKey)
        #expect(try parsed.checkpoint() == checkpoint)
    }

    @Test func checkpointBody_refusesMalformedLines() {
        let root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        let cases = [
            "origin\n12\n",
            "\n12\n\(root)\n",
            "origin\n012\n\(root)\n",
            "origin\n-1\n\(root)\n",
            "origin\n12\nAAAA\n",
            "origin\n12\n\(root)\ntime yesterday\n",
            "origin\n12\n\(root)",
        ]
        for body in cases {
            #expect(throws: SignedNoteError.self, "\(body.debugDescription)") { try Checkpoint(body: body) }
        }
    }
}
