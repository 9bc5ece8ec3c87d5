/// Why bytes are not a well-formed DSSE envelope.
public struct DSSEFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where, as a JSON path such as `$.signatures[0].sig`.
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "malformed DSSE envelope at \(path): \(reason)" }
}

extension DSSEEnvelope {
    /// The envelope as JSON: standard base64 with padding, `keyid` omitted only when it is `nil`.
    public var json: JSONValue {
        .object([
            "payload": .string(LenientBase64.encode(payload)),
            "payloadType": .string(payloadType),
            "signatures": .array(
                signatures.map { s in
                    var o: [String: JSONValue] = ["sig": .string(LenientBase64.encode(s.sig))]
                    if let keyid = s.keyid { o["keyid"] = .string(keyid) }
                    return .object(o)
                }),
        ])
    }

    /// The envelope as compact JSON bytes, keys sorted: the form the log stores, hashes and exports. The same
    /// bytes as `json.serializedBytes()`, written directly because the log does it on every append.
    public func serializedBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count * 4 / 3 + payloadType.utf8.count + signatures.count * 180 + 64)
        out.append(contentsOf: #"{"payload":""#.utf8)
        LenientBase64.append(payload, to: &out)
        out.append(contentsOf: #"","payloadType":"#.utf8)
        JSONValue.writeString(payloadType, to: &out)
        out.append(contentsOf: #","signatures":["#.utf8)
        for (i, s) in signatures.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            if let keyid = s.keyid {
                out.append(contentsOf: #""keyid":"#.utf8)
                JSONValue.writeString(keyid, to: &out)
                out.append(UInt8(ascii: ","))
            }
            out.append(contentsOf: #""sig":""#.utf8)
            LenientBase64.append(s.sig, to: &out)
            out.append(contentsOf: #""}"#.utf8)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    /// Reads an envelope from parsed JSON. Unknown members are refused so that nothing unsigned rides along
    /// unnoticed; `payload` and `sig` may use either base64 alphabet.
    /// - Throws: ``DSSEFormatError`` naming the first offending member.
    public init(json: JSONValue) throws(DSSEFormatError) {
        func fail(_ path: String, _ reason: String) -> DSSEFormatError { DSSEFormatError(path: path, reason: reason) }
        guard let object = json.objectValue else { throw fail("$", "expected an object") }
        if let unknown = object.keys.sorted().first(where: { !["payload", "payloadType", "signatures"].contains($0) }) {
            throw fail("$.\(unknown)", "unknown member")
        }
        guard let payloadText = object["payload"]?.stringValue else { throw fail("$.payload", "expected a string") }
        guard let payload = LenientBase64.decode(payloadText) else { throw fail("$.payload", "not base64") }
        guard let payloadType = object["payloadType"]?.stringValue else {
            throw fail("$.payloadType", "expected a string")
        }
        guard let list = object["signatures"]?.arrayValue else { throw fail("$.signatures", "expected an array") }
        var signatures: [DSSESignature] = []
        for (i, element) in list.enumerated() {
            let path = "$.signatures[\(i)]"
            guard let s = element.objectValue else { throw fail(path, "expected an object") }
            if let unknown = s.keys.sorted().first(where: { $0 != "keyid" && $0 != "sig" }) {
                throw fail("\(path).\(unknown)", "unknown member")
            }
            guard let sigText = s["sig"]?.stringValue else { throw fail("\(path).sig", "expected a string") }
            guard let sig = LenientBase64.decode(sigText) else { throw fail("\(path).sig", "not base64") }
            var keyid: String?
            if let k = s["keyid"], k != .null {
                guard let text = k.stringValue else { throw fail("\(path).keyid", "expected a string") }
                keyid = text.isEmpty ? nil : text
            }
            signatures.append(DSSESignature(keyid: keyid, sig: sig))
        }
        self.init(payloadType: payloadType, payload: payload, signatures: signatures)
    }

    /// Parses an envelope from JSON bytes. - Throws: ``DSSEFormatError`` (a JSON syntax error is reported at `$`).
    public static func parse<Bytes: Collection>(_ bytes: Bytes) throws(DSSEFormatError) -> DSSEEnvelope
    where Bytes.Element == UInt8 {
        if let fast = bytes.withContiguousStorageIfAvailable({ parseCanonical($0) })
            ?? Array(bytes).withUnsafeBufferPointer({
                parseCanonical($0)
            })
        {
            return fast
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw DSSEFormatError(path: "$", reason: error.description)
        }
        return try DSSEEnvelope(json: value)
    }
}
