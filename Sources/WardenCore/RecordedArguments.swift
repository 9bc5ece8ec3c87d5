import Crypto

/// A tool call's arguments as the log stores them: the value with secrets replaced, and for each replaced
/// value a salted digest that still commits the record to it.
///
/// Each redacted value gets its own random 16-byte salt; the digest is `sha256:` and the hex SHA-256 of
/// `salt || canonical JSON of the value`. The salt is not stored: it is handed back once, in a
/// ``Disclosure``, to whoever may later need to prove what the value was. Without it a low-entropy secret
/// cannot be guessed from the log.
public struct RecordedArguments: Sendable, Codable, Hashable {
    /// One value that was removed.
    public struct Redaction: Sendable, Codable, Hashable {
        /// The concrete JSON path of the value, for example `$.headers.Authorization` or `$.items[2].token`.
        public var path: String
        /// `sha256:<hex>` of `salt || canonical JSON of the value`.
        public var digest: String
    }

    /// What opens one redaction: the value, where it was, and its salt. Not stored in the log.
    public struct Disclosure: Sendable, Hashable {
        public var path: String
        public var salt: [UInt8]
        public var value: JSONValue

        /// The digest this disclosure opens.
        public var digest: String { RecordedArguments.saltedDigest(salt: salt, value: value) }
    }

    /// The text that stands where a value was removed.
    public static let placeholder = "[redacted]"

    /// The arguments with every redacted value replaced by ``placeholder``.
    public var value: JSONValue
    /// The values removed, in path order.
    public var redactions: [Redaction]
    /// `sha256:` of the canonical JSON of the real arguments, only when nothing was redacted (a digest of the
    /// whole would let a redacted low-entropy secret be guessed).
    public var digest: String?

    /// Arguments stored as they are.
    public init(unredacted value: JSONValue) {
        self.value = value
        self.redactions = []
        self.digest = ContentDigest.sha256(of: value)
    }

    /// The stored form of `arguments` with every value the selectors match removed.
    ///
    /// A selector is either a member name, matched at any depth and without regard to case (`password`,
    /// `authorization`), or a path from the root: `$.headers.Authorization`, `$.items[2].token`,
    /// `$.items[*].token`, `$["odd key"]`, `$.*`. Selectors that match nothing are ignored.
    /// - Parameters:
    ///   - salt: makes the salt for each redacted value; the default draws 16 random bytes.
    /// - Returns: the stored form, and the disclosures that open its redactions (give them to whoever must be
    ///   able to prove a value later, or drop them).
    /// - Throws: ``RedactionSelectorError`` for a path selector that does not parse.
    public static func redacting(
        _ arguments: JSONValue, selectors: [String],
        salt: () -> [UInt8] = { (0..<16).map { _ in UInt8.random(in: 0...255) } }
    ) throws(RedactionSelectorError) -> (stored: RecordedArguments, disclosures: [Disclosure]) {
        var names: Set<String> = []
        var paths: [[RedactionSelector.Step]] = []
        for selector in selectors {
            if selector.hasPrefix("$") {
                paths.append(try RedactionSelector.parse(selector))
            } else {
                guard !selector.isEmpty else { throw RedactionSelectorError(selector: selector, reason: "empty") }
                names.insert(selector.lowercased())
            }
        }
        var disclosures: [Disclosure] = []
        let stored = redact(
            arguments, path: "$", steps: [], names: names, paths: paths, salt: salt, disclosures: &disclosures)
        disclosures.sort { $0.path < $1.path }
        var result = RecordedArguments(unredacted: stored)
        if !disclosures.isEmpty {
            result.redactions = disclosures.map { Redaction(path: $0.path, digest: $0.digest) }
            result.digest = nil
        }
        return (result, disclosures)
    }

    /// `sha256:<hex>` of `salt || canonical JSON of value`.
    public static func saltedDigest(salt: [UInt8], value: JSONValue) -> String {
        "sha256:" + HexEncoding.encode(SHA256.hash(data: salt + value.serializedBytes()))
    }

    private static func redact(
        _ value: JSONValue, path: String, steps: [RedactionSelector.Step], names: Set<String>,
        paths: [[RedactionSelector.Step]], salt: () -> [UInt8], disclosures: inout [Disclosure]
    ) -> JSONValue {
        let lastIsName: Bool = {
            if case .member(let name)? = steps.last { return names.contains(name.lowercased()) }
            return false
        }()
        if lastIsName || paths.contains(where: { RedactionSelector.matches($0, steps) }) {
            disclosures.append(Disclosure(path: path, salt: salt(), value: value))
            return .string(placeholder)
        }
        switch value {
        case .object(let members):
            var out: [String: JSONValue] = [:]
            for (key, member) in members {
                out[key] = redact(
                    member, path: path + RedactionSelector.pathComponent(key), steps: steps + [.member(key)],
                    names: names, paths: paths, salt: salt, disclosures: &disclosures)
            }
            return .object(out)
        case .array(let elements):
            return .array(
                elements.enumerated().map { i, element in
                    redact(
                        element, path: path + "[\(i)]", steps: steps + [.index(i)], names: names, paths: paths,
                        salt: salt, disclosures: &disclosures)
                })
        default:
            return value
        }
    }

    enum CodingKeys: String, CodingKey {
        case value, redactions, digest
    }
}
