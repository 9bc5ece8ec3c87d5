import Crypto

/// Digests as records name them: `sha256:` followed by the lowercase hex SHA-256 of the bytes.
public enum ContentDigest {
    /// `sha256:<hex>` of `bytes`.
    public static func sha256<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        "sha256:" + HexEncoding.encode(SHA256.hash(data: Array(bytes)))
    }

    /// `sha256:<hex>` of the value's canonical JSON (compact, keys sorted; see ``JSONValue/serializedBytes()``).
    public static func sha256(of value: JSONValue) -> String {
        sha256(value.serializedBytes())
    }
}
