/// One signature of a DSSE envelope.
public struct DSSESignature: Sendable, Hashable {
    /// Which key made it (securesystemslib's default keyid for Warden's keys). DSSE treats it as an
    /// unauthenticated hint; Warden always sets it.
    public var keyid: String?
    /// The raw Ed25519 signature over the envelope's PAE.
    public var sig: [UInt8]

    public init(keyid: String?, sig: [UInt8]) {
        self.keyid = keyid
        self.sig = sig
    }
}

/// A DSSE v1 envelope: a typed payload and signatures over its pre-authentication encoding.
///
/// See <https://github.com/secure-systems-lab/dsse/blob/master/envelope.md>. On the wire it is
/// `{"payload": base64, "payloadType": text, "signatures": [{"keyid": text, "sig": base64}]}`.
public struct DSSEEnvelope: Sendable, Hashable {
    /// What the payload is, for example `application/vnd.warden.invocation+json`. Signed (it is in the PAE).
    public var payloadType: String
    /// The payload bytes, signed as they are.
    public var payload: [UInt8]
    public var signatures: [DSSESignature]

    public init(payloadType: String, payload: [UInt8], signatures: [DSSESignature]) {
        self.payloadType = payloadType
        self.payload = payload
        self.signatures = signatures
    }

    /// The pre-authentication encoding (PAE) of this envelope's type and payload.
    public var pae: [UInt8] { Self.pae(payloadType: payloadType, payload: payload) }

    /// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, where lengths are the decimal byte counts of the
    /// UTF-8 payload type and of the payload: computed over bytes, never characters.
    public static func pae(payloadType: String, payload: [UInt8]) -> [UInt8] {
        let type = Array(payloadType.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(type.count + payload.count + 32)
        out.append(contentsOf: "DSSEv1 ".utf8)
        out.append(contentsOf: String(type.count).utf8)
        out.append(0x20)
        out.append(contentsOf: type)
        out.append(0x20)
        out.append(contentsOf: String(payload.count).utf8)
        out.append(0x20)
        out.append(contentsOf: payload)
        return out
    }

    /// An envelope over `payload` signed by each of `keys` in order, each signature carrying its keyid.
    public static func sign(payloadType: String, payload: [UInt8], keys: [Ed25519SigningKey]) -> DSSEEnvelope {
        let message = pae(payloadType: payloadType, payload: payload)
        return DSSEEnvelope(
            payloadType: payloadType, payload: payload,
            signatures: keys.map { DSSESignature(keyid: $0.keyid, sig: $0.signature(for: message)) })
    }
}
