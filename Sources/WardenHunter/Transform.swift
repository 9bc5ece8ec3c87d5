import Foundation

/// A normalisation a rule applies to a string leaf before its detections look at it, in the order written.
///
/// Each transform is a pure function over UTF-8 bytes that answers `nil` when it would not change anything, so
/// the engine can share one buffer between rules whose transform chains agree on a value.
public enum Transform: String, Sendable, CaseIterable, Codable {
    /// `%41` → `A`, `%u0041` → `A`, and overlong `%c0%af` → `/`. A `+` stays a `+`.
    case urlDecode = "url_decode"
    /// `&lt;`, `&#60;`, `&#x3c;` → `<` (named entities from a common table; numeric ones with or without `;`).
    case htmlEntityDecode = "html_entity_decode"
    /// Unicode compatibility normalisation (NFKC): fullwidth `＜` → `<`, ligatures, superscripts.
    case unicodeNFKC = "unicode_nfkc"
    /// Lowercase (ASCII fast path; full Unicode lowercasing when the value has non-ASCII characters).
    case lowercase
    /// Drop NUL bytes.
    case removeNulls = "remove_nulls"
    /// Replace each run of 16 or more base64 characters that decodes to readable text by that text.
    case base64Decode = "base64_decode"
    /// Replace each run of whitespace (space, tab, CR, LF, VT, FF) by one space.
    case compressWhitespace = "compress_whitespace"
    /// Normalise a shell command line the way ModSecurity's cmdLine does: drop `\\ " ' ^` and empty `` `` ``
    /// or `$()` pairs, drop spaces before `/` and `(`, turn `,` and `;` into spaces, compress whitespace,
    /// lowercase. `c'a't /e\\tc/pa""sswd` becomes `cat/etc/passwd`.
    case cmdLine = "cmd_line"

    /// Applies the transform; `nil` means the value is unchanged.
    public func apply(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        switch self {
        case .urlDecode: TextDecoding.urlDecode(bytes)
        case .htmlEntityDecode: TextDecoding.htmlEntityDecode(bytes)
        case .unicodeNFKC: TextDecoding.nfkc(bytes)
        case .lowercase: TextDecoding.lowercase(bytes)
        case .removeNulls: TextDecoding.removeNulls(bytes)
        case .base64Decode: TextDecoding.base64Decode(bytes)
        case .compressWhitespace: TextDecoding.compressWhitespace(bytes)
        case .cmdLine: TextDecoding.commandLine(bytes)
        }
    }

    /// Applies the transform to a string (a convenience for tests and tools).
    public func apply(_ text: String) -> String {
        var copy = text
        let result = copy.withUTF8 { apply($0) }
        guard let result else { return text }
        return String(decoding: result, as: UTF8.self)
    }

    /// Whether the transform can be skipped for a value because the value has nothing it would change.
    /// Cheap checks only (a `memchr` or a flag); `false` means "maybe", and `apply` decides.
    func isIdentity(on bytes: UnsafeBufferPointer<UInt8>, isASCII: Bool) -> Bool {
        switch self {
        case .urlDecode: !TextDecoding.contains(bytes, UInt8(ascii: "%"))
        case .htmlEntityDecode: !TextDecoding.contains(bytes, UInt8(ascii: "&"))
        case .unicodeNFKC: isASCII
        case .removeNulls: !TextDecoding.contains(bytes, 0)
        case .lowercase, .base64Decode, .compressWhitespace, .cmdLine: false
        }
    }

}
