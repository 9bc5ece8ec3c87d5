import Foundation

/// A log checkpoint in the C2SP `tlog-checkpoint` form: the log's origin, the tree size, the RFC 9162 root
/// (base64), then extension lines. Warden adds one extension line, `time <RFC 3339>`, when it was made.
///
/// ```
/// warden.log/3f9c2a7d01b4e6a8
/// 1024
/// 8bq3Qv0I1x0Q3m8d1mQ9p8yqG6cM9yYw1kqfJ8Z6k0M=
/// time 2025-01-31T23:59:59.123Z
///
/// — warden.log/3f9c2a7d01b4e6a8 AbCdEf…
/// ```
public struct Checkpoint: Sendable, Hashable {
    /// Names the log; every checkpoint of one log has the same origin.
    public var origin: String
    public var treeSize: UInt64
    /// The RFC 9162 root of the first `treeSize` entries (32 bytes).
    public var rootHash: [UInt8]
    /// When the checkpoint was made, to the millisecond.
    public var time: Date?
    /// Other extension lines, kept as read.
    public var extensions: [String]

    public init(origin: String, treeSize: UInt64, rootHash: [UInt8], time: Date?, extensions: [String] = []) {
        self.origin = origin
        self.treeSize = treeSize
        self.rootHash = rootHash
        self.time = time
        self.extensions = extensions
    }

    /// The body text that is signed.
    public var body: String {
        var out = origin + "\n" + String(treeSize) + "\n" + LenientBase64.encode(rootHash) + "\n"
        if let time { out += "time " + RFC3339Time.format(time) + "\n" }
        for line in extensions { out += line + "\n" }
        return out
    }

    /// Reads a checkpoint body.
    /// - Throws: ``SignedNoteError`` for a missing line, a size that is not a decimal number, a root that is not
    ///   32 bytes of base64, or a malformed `time` line.
    public init(body: String) throws(SignedNoteError) {
        guard body.hasSuffix("\n") else { throw SignedNoteError("the checkpoint must end in a newline") }
        let lines = body.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 3 else { throw SignedNoteError("a checkpoint has an origin, a size and a root hash") }
        guard !lines[0].isEmpty else { throw SignedNoteError("the origin line is empty") }
        guard lines[1].allSatisfy(\.isASCII), lines[1].allSatisfy(\.isNumber), !lines[1].isEmpty,
            lines[1] == "0" || !lines[1].hasPrefix("0"), let size = UInt64(lines[1])
        else { throw SignedNoteError("the tree size \"\(lines[1])\" is not a decimal number") }
        guard let root = LenientBase64.decode(lines[2]), root.count == MerkleTree.hashSize,
            LenientBase64.encode(root) == lines[2]
        else { throw SignedNoteError("the root hash is not 32 bytes of standard base64") }
        var time: Date?
        var extensions: [String] = []
        for line in lines.dropFirst(3) {
            guard !line.isEmpty else { throw SignedNoteError("empty extension line") }
            if line.hasPrefix("time ") {
                guard time == nil, let t = RFC3339Time.parse(String(line.dropFirst(5))) else {
                    throw SignedNoteError("malformed or repeated time line")
                }
                time = t
            } else {
                extensions.append(line)
            }
        }
        self.init(origin: lines[0], treeSize: size, rootHash: root, time: time, extensions: extensions)
    }

    /// Signs the checkpoint as a note under the key name `origin`. - Throws: ``SignedNoteError``.
    public func signed(with key: Ed25519SigningKey) throws(SignedNoteError) -> SignedNote {
        try SignedNote.sign(text: body, name: origin, key: key)
    }
}

extension SignedNote {
    /// The checkpoint this note carries. - Throws: ``SignedNoteError``.
    public func checkpoint() throws(SignedNoteError) -> Checkpoint { try Checkpoint(body: text) }
}
