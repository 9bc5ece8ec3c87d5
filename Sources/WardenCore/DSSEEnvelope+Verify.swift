/// Why a DSSE envelope did not verify.
public enum DSSEVerificationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The payload type is not one the verifier accepts.
    case unsupportedPayloadType(String)
    /// Fewer distinct trusted keys signed than the threshold asks; `verified` lists those that did.
    case thresholdNotMet(required: Int, verified: [String])
    /// The threshold is not a positive number.
    case invalidThreshold(Int)

    public var description: String {
        switch self {
        case .unsupportedPayloadType(let type): "payload type \"\(type)\" is not accepted here"
        case .thresholdNotMet(let required, let verified):
            verified.isEmpty
                ? "no valid signature by a trusted key"
                : "\(verified.count) of the \(required) required signatures by distinct trusted keys"
        case .invalidThreshold(let t): "threshold \(t) is not positive"
        }
    }
}

extension DSSEEnvelope {
    /// Verifies the envelope against trusted keys, as the DSSE protocol describes.
    ///
    /// A signature that names a keyid is checked only against the trusted key with that id (as
    /// securesystemslib does); one without a keyid is tried against every trusted key. Each trusted key counts
    /// once however many signatures it made, so a threshold of two needs two distinct keys.
    ///
    /// - Parameters:
    ///   - trustedKeys: the keys to accept, by the keyid a signature would name.
    ///   - threshold: how many distinct trusted keys must have signed.
    ///   - supportedPayloadTypes: the payload types to accept; `nil` accepts any.
    /// - Returns: the keyids of the trusted keys that signed, sorted.
    /// - Throws: ``DSSEVerificationError``.
    @discardableResult
    public func verify(
        trustedKeys: [String: Ed25519PublicKey], threshold: Int = 1, supportedPayloadTypes: Set<String>? = nil
    ) throws(DSSEVerificationError) -> [String] {
        guard threshold > 0 else { throw .invalidThreshold(threshold) }
        if let supportedPayloadTypes, !supportedPayloadTypes.contains(payloadType) {
            throw .unsupportedPayloadType(payloadType)
        }
        let message = pae
        var accepted: Set<String> = []
        for signature in signatures {
            let candidates: [(String, Ed25519PublicKey)]
            if let keyid = signature.keyid {
                candidates = trustedKeys[keyid].map { [(keyid, $0)] } ?? []
            } else {
                candidates = trustedKeys.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            }
            for (keyid, key) in candidates where !accepted.contains(keyid) {
                if key.isValidSignature(signature.sig, for: message) {
                    accepted.insert(keyid)
                    break
                }
            }
        }
        guard accepted.count >= threshold else {
            throw .thresholdNotMet(required: threshold, verified: accepted.sorted())
        }
        return accepted.sorted()
    }

    /// Verifies against keys identified by their securesystemslib keyids. - Throws: ``DSSEVerificationError``.
    @discardableResult
    public func verify(
        trusting keys: [Ed25519PublicKey], threshold: Int = 1, supportedPayloadTypes: Set<String>? = nil
    ) throws(DSSEVerificationError) -> [String] {
        var byID: [String: Ed25519PublicKey] = [:]
        for key in keys { byID[key.keyid] = key }
        return try verify(trustedKeys: byID, threshold: threshold, supportedPayloadTypes: supportedPayloadTypes)
    }
}
