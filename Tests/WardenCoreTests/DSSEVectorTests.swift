import Foundation
import Testing
import WardenCore

/// Every vector of `../shared/vectors/dsse-vectors.json`, honouring its trusted keys, threshold and accepted
/// payload types.
@Suite struct DSSEVectorTests {
    struct File: Decodable {
        struct Key: Decodable {
            var algorithm: String
            var seed: String
            var `public`: String
        }
        struct Vector: Decodable {
            var id: String
            var envelope: JSONValue
            var trustedKeys: [String]
            var threshold: Int
            var supportedPayloadTypes: [String]
            var expect: String
        }
        var keys: [String: Key]
        var vectors: [Vector]
    }

    static func load() throws -> File {
        let url = try SharedVectors.directory().appendingPathComponent("dsse-vectors.json")
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
    }

    static func signingKeys(_ file: File) throws -> [String: Ed25519SigningKey] {
        var out: [String: Ed25519SigningKey] = [:]
        for (name, key) in file.keys {
            #expect(key.algorithm == "ed25519")
            let signing = try Ed25519SigningKey(seed: try #require(HexEncoding.decode(key.seed)))
            #expect(signing.publicKey.hex == key.public, "key \(name): the seed does not give the listed public key")
            out[name] = signing
        }
        return out
    }

    @Test func everyVector_isAcceptedOrRejectedAsExpected() throws {
        let file = try Self.load()
        #expect(file.vectors.count >= 9)
        let keys = try Self.signingKeys(file)
        for vector in file.vectors {
            var trusted: [String: Ed25519PublicKey] = [:]
            for name in vector.trustedKeys { trusted[name] = try #require(keys[name]).publicKey }
            var accepted = false
            do {
                let envelope = try DSSEEnvelope(json: vector.envelope)
                try envelope.verify(
                    trustedKeys: trusted, threshold: vector.threshold,
                    supportedPayloadTypes: Set(vector.supportedPayloadTypes))
                accepted = true
            } catch {
                accepted = false
            }
            #expect(accepted == (vector.expect == "accept"), "vector \(vector.id)")
        }
    }

    /// Ed25519 is deterministic: signing the same PAE with the same key must give the published signature, which
    /// checks the PAE byte for byte (including the non-ASCII payload type, whose length is in bytes).
    @Test func acceptedVectors_signTheSameBytesAsTheReference() throws {
        let file = try Self.load()
        let keys = try Self.signingKeys(file)
        for vector in file.vectors where vector.expect == "accept" {
            let envelope = try DSSEEnvelope(json: vector.envelope)
            for signature in envelope.signatures {
                guard let name = signature.keyid, let key = keys[name] else { continue }
                #expect(key.signature(for: envelope.pae) == signature.sig, "vector \(vector.id), key \(name)")
            }
        }
    }

    @Test func vectorKeyA_hasTheSecuresystemslibDefaultKeyID() throws {
        let keys = try Self.signingKeys(try Self.load())
        // Computed with securesystemslib.signer._utils.compute_default_keyid.
        #expect(keys["A"]?.keyid == "74c181c7ad8a0855d4b55e44d2ba87aabdddb196832571f15f92fece332e4916")
    }
}
