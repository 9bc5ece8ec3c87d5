/// A tool result as the log keeps it: its digest and size always, the value itself only up to a cap.
public struct RecordedResult: Sendable, Codable, Hashable {
    /// `sha256:` of the canonical JSON of the whole result.
    public var digest: String
    /// Bytes in the canonical JSON of the whole result.
    public var size: Int
    /// The whole result, when its canonical JSON fits the cap.
    public var value: JSONValue?
    /// When it does not fit: the first `cap` bytes of its canonical JSON (cut at a character boundary).
    public var excerpt: String?
    /// Whether the result was cut.
    public var truncated: Bool

    /// The log's default cap: 4 KiB of canonical JSON.
    public static let defaultCap = 4096

    /// The recorded form of `result`, keeping at most `cap` bytes of it.
    public static func bounded(_ result: JSONValue, cap: Int = defaultCap) -> RecordedResult {
        let bytes = result.serializedBytes()
        let digest = ContentDigest.sha256(bytes)
        guard bytes.count > cap else {
            return RecordedResult(digest: digest, size: bytes.count, value: result, excerpt: nil, truncated: false)
        }
        var end = max(0, cap)
        // Back up over UTF-8 continuation bytes so the excerpt is whole characters.
        while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return RecordedResult(
            digest: digest, size: bytes.count, value: nil, excerpt: String(decoding: bytes[..<end], as: UTF8.self),
            truncated: true)
    }
}
