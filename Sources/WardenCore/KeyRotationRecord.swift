import Foundation

/// The host key changed. Signed by the outgoing key (which authorises the change) and by the incoming key
/// (which proves it is held); every later entry and checkpoint is signed by the new key. Payload type
/// `application/vnd.warden.key-rotation+json`.
public struct KeyRotationRecord: LogRecord, Hashable {
    public static let payloadType = LogPayloadType.keyRotation

    /// A public key as the record names it, in securesystemslib's form:
    /// `{"keyid", "keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": "<hex>"}}`.
    public struct Key: Sendable, Codable, Hashable {
        /// securesystemslib default keyid.
        public var keyid: String
        public var keytype: String
        public var scheme: String
        /// The public key in hex.
        public var `public`: String

        public init(_ key: Ed25519PublicKey) {
            keyid = key.keyid
            keytype = "ed25519"
            scheme = "ed25519"
            `public` = key.hex
        }

        /// The key this names. - Throws: ``KeyFormatError`` when it is not an Ed25519 key or the keyid lies.
        public func publicKey() throws(KeyFormatError) -> Ed25519PublicKey {
            guard keytype == "ed25519", scheme == "ed25519" else { throw KeyFormatError("not an ed25519 key") }
            let key = try Ed25519PublicKey(hex: `public`)
            guard key.keyid == keyid else { throw KeyFormatError("keyid does not match the key") }
            return key
        }

        enum CodingKeys: String, CodingKey {
            case keyid, keytype, scheme, keyval
        }

        enum KeyvalKeys: String, CodingKey {
            case `public`
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            keyid = try container.decode(String.self, forKey: .keyid)
            keytype = try container.decode(String.self, forKey: .keytype)
            scheme = try container.decode(String.self, forKey: .scheme)
            let keyval = try container.nestedContainer(keyedBy: KeyvalKeys.self, forKey: .keyval)
            `public` = try keyval.decode(String.self, forKey: .public)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(keyid, forKey: .keyid)
            try container.encode(keytype, forKey: .keytype)
            try container.encode(scheme, forKey: .scheme)
            var keyval = container.nestedContainer(keyedBy: KeyvalKeys.self, forKey: .keyval)
            try keyval.encode(`public`, forKey: .public)
        }
    }

    public var recordVersion: Int = 1
    public var oldKey: Key
    public var newKey: Key
    public var reason: String?
    public var time: Date

    public init(oldKey: Ed25519PublicKey, newKey: Ed25519PublicKey, reason: String?, time: Date) {
        self.oldKey = Key(oldKey)
        self.newKey = Key(newKey)
        self.reason = reason
        self.time = time
    }

    enum CodingKeys: String, CodingKey {
        case reason, time
        case recordVersion = "record_version"
        case oldKey = "old_key"
        case newKey = "new_key"
    }
}
