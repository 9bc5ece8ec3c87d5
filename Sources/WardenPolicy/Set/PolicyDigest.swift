import Crypto
import WardenCore

/// The identity of a policy set: SHA-256 over the canonical content of its policy files.
///
/// For each policy file, sorted by path relative to the policies folder: the path, a newline, the
/// file's content as canonical JSON (sorted keys, no spaces; YAML comments and layout do not count),
/// a newline. Test files do not decide anything and are not part of it. Written `sha256:` + hex.
enum PolicyDigest {
    static func compute(_ files: [(relativePath: String, content: JSONValue)]) -> String {
        var hasher = SHA256()
        for file in files.sorted(by: { $0.relativePath < $1.relativePath }) {
            hasher.update(data: Array(file.relativePath.utf8))
            hasher.update(data: [0x0A])
            hasher.update(data: file.content.serializedBytes())
            hasher.update(data: [0x0A])
        }
        return hex(hasher.finalize())
    }

    /// One file's digest: SHA-256 of its canonical JSON content (for the log's per-file record).
    static func file(_ content: JSONValue) -> String {
        hex(SHA256.hash(data: content.serializedBytes()))
    }

    private static func hex(_ digest: some Sequence<UInt8>) -> String {
        "sha256:"
            + digest.map { byte in
                let hex = String(byte, radix: 16)
                return byte < 16 ? "0" + hex : hex
            }.joined()
    }
}
