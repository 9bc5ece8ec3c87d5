/// Why a payload cannot be placed in the log, or why a stored payload does not state its position.
public struct LogPayloadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "log payload: \(reason)" }
}

/// Where an entry sits in the log, as its signed payload states it.
///
/// The log adds one member to each payload before signing it:
/// `"log": {"seq": N, "prev": "<hex>", "time": "<RFC 3339>"}` — the entry's 0-based sequence number (its
/// Merkle leaf index), the hash of the previous entry (64 zeros for the first) and the append time. So the
/// signature covers the chain: entries cannot be reordered, dropped from the middle or moved to another log
/// position without the host key.
///
/// An entry's hash is the RFC 9162 leaf hash of its stored envelope bytes, `SHA-256(0x00 || envelope)`;
/// it is both the next entry's `prev` and the entry's leaf in the Merkle tree.
public struct LogPosition: Sendable, Hashable {
    public var seq: Int64
    /// The previous entry's hash (32 bytes).
    public var previousHash: [UInt8]
    /// Append time, milliseconds since the Unix epoch.
    public var timeMilliseconds: Int64

    /// The `prev` of the first entry.
    public static let genesisHash = [UInt8](repeating: 0, count: 32)

    public init(seq: Int64, previousHash: [UInt8], timeMilliseconds: Int64) {
        self.seq = seq
        self.previousHash = previousHash
        self.timeMilliseconds = timeMilliseconds
    }

    /// The hash of an entry: `SHA-256(0x00 || envelope bytes)`.
    public static func entryHash(envelopeBytes: [UInt8]) -> [UInt8] { MerkleTree.leafHash(envelopeBytes) }

    /// The `log` member as compact JSON.
    var memberBytes: [UInt8] {
        var out = Array(#""log":{"prev":""#.utf8)
        out.append(contentsOf: HexEncoding.encode(previousHash).utf8)
        out.append(contentsOf: #"","seq":"#.utf8)
        out.append(contentsOf: String(seq).utf8)
        out.append(contentsOf: #","time":""#.utf8)
        out.append(contentsOf: RFC3339Time.format(milliseconds: timeMilliseconds).utf8)
        out.append(contentsOf: #""}"#.utf8)
        return out
    }

    /// Checks that `payload` can take a position: one JSON object (read as strictly as
    /// ``JSONValue/parse(_:)-(Bytes)``), with no top-level `log` member.
    /// - Returns: the checked object, to look up top-level members.
    /// - Throws: ``LogPayloadError``.
    @discardableResult
    public static func checkBindable(_ payload: [UInt8]) throws(LogPayloadError) -> JSONObjectCheck {
        let object: JSONObjectCheck
        do {
            object = try JSONObjectCheck(payload)
        } catch {
            throw LogPayloadError(
                error.reason == "expected a JSON object" ? "must be a JSON object" : "not JSON: \(error.description)")
        }
        guard !object.contains("log") else {
            throw LogPayloadError("the top-level member \"log\" is reserved for the log")
        }
        return object
    }

    /// `payload` with the `log` member inserted first. Cheap: no parsing.
    /// - Precondition: `payload` passed ``checkBindable(_:)``.
    public func bind(_ payload: [UInt8]) -> [UInt8] {
        var i = 0
        while i < payload.count, payload[i] != UInt8(ascii: "{") { i += 1 }
        precondition(i < payload.count, "payload is not a JSON object")
        var j = i + 1
        while j < payload.count, [0x20, 0x09, 0x0A, 0x0D].contains(payload[j]) { j += 1 }
        let empty = j < payload.count && payload[j] == UInt8(ascii: "}")
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 128)
        out.append(UInt8(ascii: "{"))
        out.append(contentsOf: memberBytes)
        if empty {
            out.append(UInt8(ascii: "}"))
        } else {
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: payload[(i + 1)...])
        }
        return out
    }

    /// Reads the position a stored payload states.
    /// - Throws: ``LogPayloadError`` when the `log` member is missing or malformed.
    public init(payload: JSONValue) throws(LogPayloadError) {
        guard let log = payload["log"]?.objectValue else { throw LogPayloadError("no \"log\" member") }
        guard Set(log.keys) == ["seq", "prev", "time"] else {
            throw LogPayloadError("\"log\" must have exactly seq, prev and time")
        }
        guard let seq = log["seq"]?.intValue, case .int = log["seq"]!, seq >= 0 else {
            throw LogPayloadError("log.seq is not a non-negative integer")
        }
        guard let prevText = log["prev"]?.stringValue, let prev = HexEncoding.decode(prevText), prev.count == 32,
            prevText == HexEncoding.encode(prev)
        else { throw LogPayloadError("log.prev is not 64 lowercase hex characters") }
        guard let timeText = log["time"]?.stringValue, let ms = RFC3339Time.parseMilliseconds(timeText) else {
            throw LogPayloadError("log.time is not an RFC 3339 time")
        }
        self.init(seq: seq, previousHash: prev, timeMilliseconds: ms)
    }
}
