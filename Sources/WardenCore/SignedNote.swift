import Crypto

/// Why a signed note or checkpoint was refused.
public struct SignedNoteError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "malformed or unverified signed note: \(reason)" }
}

/// A signed note in the C2SP `signed-note` form (as in Go's `golang.org/x/mod/sumdb/note`): UTF-8 text
/// ending in a newline, a blank line, then one line per signature:
/// `— <key name> <base64(4-byte key hash || Ed25519 signature)>`.
///
/// The key hash is the first four bytes of `SHA-256(name || "\n" || 0x01 || public key)`; the signature is
/// over the text bytes, final newline included.
public struct SignedNote: Sendable, Hashable {
    /// One signature line.
    public struct Signature: Sendable, Hashable {
        public var name: String
        /// The 4-byte key hash that says which key signed.
        public var keyHash: [UInt8]
        public var signature: [UInt8]
    }

    /// The signed text, ending in a newline.
    public var text: String
    public var signatures: [Signature]

    /// The em dash (U+2014) and space that open a signature line.
    static let signaturePrefix = "\u{2014} "

    /// The note key hash of an Ed25519 key under `name`.
    public static func keyHash(name: String, key: Ed25519PublicKey) -> [UInt8] {
        var bytes = Array(name.utf8)
        bytes.append(0x0A)
        bytes.append(0x01)
        bytes.append(contentsOf: key.rawRepresentation)
        return Array(SHA256.hash(data: bytes).prefix(4))
    }

    /// Whether `name` is a valid key name: non-empty, no spaces, no `+`, no control characters.
    public static func isValidKeyName(_ name: String) -> Bool {
        !name.isEmpty && !name.unicodeScalars.contains { $0.properties.isWhitespace || $0 == "+" || $0.value < 0x20 }
    }

    /// Signs `text` with `key` under `name`.
    /// - Throws: ``SignedNoteError`` when the text is empty, does not end in a newline, holds a blank line or a
    ///   control character, or the name is invalid.
    public static func sign(text: String, name: String, key: Ed25519SigningKey) throws(SignedNoteError) -> SignedNote {
        try checkText(text)
        guard isValidKeyName(name) else { throw SignedNoteError("invalid key name \"\(name)\"") }
        let signature = key.signature(for: Array(text.utf8))
        return SignedNote(
            text: text,
            signatures: [Signature(name: name, keyHash: keyHash(name: name, key: key.publicKey), signature: signature)])
    }

    /// The note as text: the signed text, a blank line, the signature lines.
    public var formatted: String {
        var out = text + "\n"
        for s in signatures {
            out += Self.signaturePrefix + s.name + " " + LenientBase64.encode(s.keyHash + s.signature) + "\n"
        }
        return out
    }

    /// Reads a note in ``formatted`` form. Signatures are not checked here; see ``verify(name:key:)``.
    /// - Throws: ``SignedNoteError`` for a note without signatures or with a malformed line.
    public static func parse(_ note: String) throws(SignedNoteError) -> SignedNote {
        guard let split = note.range(of: "\n\n") else { throw SignedNoteError("no blank line before the signatures") }
        let text = String(note[..<split.lowerBound]) + "\n"
        try checkText(text)
        let rest = note[split.upperBound...]
        guard rest.hasSuffix("\n") else { throw SignedNoteError("the last signature line has no newline") }
        var signatures: [Signature] = []
        for line in rest.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix(signaturePrefix) else {
                throw SignedNoteError("a signature line must start with \"— \"")
            }
            let fields = line.dropFirst(signaturePrefix.count).split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, isValidKeyName(String(fields[0])),
                let blob = LenientBase64.decode(String(fields[1])), blob.count > 4
            else { throw SignedNoteError("malformed signature line") }
            signatures.append(
                Signature(name: String(fields[0]), keyHash: Array(blob.prefix(4)), signature: Array(blob.dropFirst(4))))
        }
        guard !signatures.isEmpty else { throw SignedNoteError("no signature lines") }
        return SignedNote(text: text, signatures: signatures)
    }

    /// Checks that a signature by `key` under `name` is on the note and valid.
    /// - Throws: ``SignedNoteError`` when no line names that key, or its signature does not verify.
    public func verify(name: String, key: Ed25519PublicKey) throws(SignedNoteError) {
        let hash = Self.keyHash(name: name, key: key)
        let lines = signatures.filter { $0.name == name && $0.keyHash == hash }
        guard !lines.isEmpty else { throw SignedNoteError("not signed by \(name) with key \(key.keyid.prefix(16))") }
        let message = Array(text.utf8)
        guard lines.allSatisfy({ key.isValidSignature($0.signature, for: message) }) else {
            throw SignedNoteError("the signature by \(name) with key \(key.keyid.prefix(16)) does not verify")
        }
    }

    private static func checkText(_ text: String) throws(SignedNoteError) {
        guard text.hasSuffix("\n"), text.count > 1 else { throw SignedNoteError("the text must end in a newline") }
        guard !text.contains("\n\n") else { throw SignedNoteError("the text must not contain a blank line") }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else {
            throw SignedNoteError("the text holds a control character")
        }
    }
}
