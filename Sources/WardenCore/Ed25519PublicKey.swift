import CSodium
import Crypto

/// Why key material was refused.
public struct KeyFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "invalid key: \(reason)" }
}

/// An Ed25519 public key with its securesystemslib identity.
///
/// `keyid` is the default keyid securesystemslib computes: the lowercase hex SHA-256 of the canonical JSON
/// `{"keytype":"ed25519","keyval":{"public":"<hex>"},"scheme":"ed25519"}`, so that envelopes signed here
/// verify with `securesystemslib.dsse.Envelope.verify` given the same key.
///
/// Signatures are checked with libsodium, not with swift-crypto, which signs: what Warden writes is read back by a
/// second implementation, libsodium's checks are the stricter ones (it refuses non-canonical and small-order keys
/// and `R` values as well as a non-canonical `S`), and it is the faster of the two here, which is what bounds
/// `warden audit verify`.
public struct Ed25519PublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The 32 bytes of the key (RFC 8032 encoding).
    public let rawRepresentation: [UInt8]
    /// The securesystemslib default keyid (64 hex characters).
    public let keyid: String

    /// A key from its 32 raw bytes.
    /// - Throws: ``KeyFormatError`` when there are not 32 bytes or they are not the canonical encoding of a point of
    ///   the prime-order group (no key an Ed25519 implementation generates is anything else).
    public init(rawRepresentation bytes: [UInt8]) throws(KeyFormatError) {
        guard bytes.count == 32 else { throw KeyFormatError("an Ed25519 public key has 32 bytes, not \(bytes.count)") }
        guard Self.sodiumReady, crypto_core_ed25519_is_valid_point(bytes) == 1 else {
            throw KeyFormatError("not an Ed25519 public key (not a valid point of the curve's prime-order group)")
        }
        rawRepresentation = bytes
        keyid = Self.defaultKeyID(publicHex: HexEncoding.encode(bytes))
    }

    /// A key from 64 hex characters. - Throws: ``KeyFormatError``.
    public init(hex: String) throws(KeyFormatError) {
        guard let bytes = HexEncoding.decode(hex) else { throw KeyFormatError("public key is not hex") }
        try self.init(rawRepresentation: bytes)
    }

    /// The key as lowercase hex.
    public var hex: String { HexEncoding.encode(rawRepresentation) }

    public var description: String { "ed25519:\(keyid.prefix(16))" }

    /// Whether `signature` is a valid Ed25519 signature of `message` by this key. When libsodium could not be
    /// initialised nothing verifies.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == Int(crypto_sign_BYTES), Self.sodiumReady else { return false }
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), rawRepresentation) == 0
    }

    /// `sodium_init` once per process (it is idempotent and thread-safe; a global is initialised once).
    private static let sodiumReady: Bool = sodium_init() >= 0

    /// securesystemslib's default keyid for an Ed25519 public key given in hex.
    public static func defaultKeyID(publicHex: String) -> String {
        let canonical: JSONValue = [
            "keytype": "ed25519", "scheme": "ed25519", "keyval": ["public": .string(publicHex)],
        ]
        return HexEncoding.encode(SHA256.hash(data: canonical.serializedBytes()))
    }

    public static func == (lhs: Ed25519PublicKey, rhs: Ed25519PublicKey) -> Bool {
        lhs.rawRepresentation == rhs.rawRepresentation
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawRepresentation) }
}

extension Ed25519PublicKey {
    /// The key in securesystemslib's dictionary form, as `SSlibKey.from_dict` reads it:
    /// `{"keyid", "keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": "<hex>"}}`.
    public var securesystemslibJSON: JSONValue {
        [
            "keyid": .string(keyid), "keytype": "ed25519", "scheme": "ed25519",
            "keyval": ["public": .string(hex)],
        ]
    }

    /// Reads a key in securesystemslib's dictionary form (``securesystemslibJSON``). A `keyid` member, when
    /// present, must be the default keyid of the key: a key file cannot claim another key's identity.
    /// - Throws: ``KeyFormatError`` naming the member that is wrong.
    public init(securesystemslib json: JSONValue) throws(KeyFormatError) {
        guard let object = json.objectValue else { throw KeyFormatError("expected a JSON object") }
        let known: Set<String> = ["keyid", "keytype", "scheme", "keyval", "keyid_hash_algorithms"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw KeyFormatError("unknown member \"\(unknown)\"")
        }
        guard object["keytype"]?.stringValue == "ed25519" else { throw KeyFormatError("keytype must be \"ed25519\"") }
        guard object["scheme"]?.stringValue == "ed25519" else { throw KeyFormatError("scheme must be \"ed25519\"") }
        guard let keyval = object["keyval"]?.objectValue, let publicHex = keyval["public"]?.stringValue else {
            throw KeyFormatError("keyval.public is missing")
        }
        guard keyval["private"] == nil else {
            throw KeyFormatError("keyval.private is present: a public key file must not hold the private key")
        }
        try self.init(hex: publicHex)
        if let claimed = object["keyid"] {
            guard claimed.stringValue == keyid else {
                throw KeyFormatError("keyid does not match the key (expected \(keyid))")
            }
        }
    }
}
