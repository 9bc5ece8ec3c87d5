import Crypto

/// An Ed25519 private key: the host key that signs log entries and checkpoints, or an approver's key.
public struct Ed25519SigningKey: Sendable {
    private let key: Curve25519.Signing.PrivateKey
    /// The matching public key (and its keyid).
    public let publicKey: Ed25519PublicKey

    /// A fresh random key.
    public static func generate() -> Ed25519SigningKey {
        let key = Curve25519.Signing.PrivateKey()
        // A key swift-crypto just made always has a valid public half.
        return try! Ed25519SigningKey(seed: Array(key.rawRepresentation))
    }

    /// The key whose RFC 8032 seed (32 bytes) is `seed`.
    /// - Throws: ``KeyFormatError`` when the seed is not 32 bytes.
    public init(seed: [UInt8]) throws(KeyFormatError) {
        guard seed.count == 32 else { throw KeyFormatError("an Ed25519 seed has 32 bytes, not \(seed.count)") }
        do {
            key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
            publicKey = try Ed25519PublicKey(rawRepresentation: Array(key.publicKey.rawRepresentation))
        } catch {
            throw KeyFormatError("not an Ed25519 seed")
        }
    }

    /// The 32-byte seed. Secret: never log or print it.
    public var seed: [UInt8] { Array(key.rawRepresentation) }

    /// The securesystemslib keyid of the public key.
    public var keyid: String { publicKey.keyid }

    /// The Ed25519 signature (64 bytes) of `message`.
    public func signature(for message: [UInt8]) -> [UInt8] {
        // BoringSSL's ED25519_sign cannot fail for a valid key; a failure here is a broken library.
        guard let signature = try? key.signature(for: message) else {
            preconditionFailure("Ed25519 signing failed inside swift-crypto")
        }
        return Array(signature)
    }
}
