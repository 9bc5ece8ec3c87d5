import Foundation

/// A record the log keeps: one Codable type per kind, each with its own DSSE payload type.
///
/// Records encode as JSON objects with snake_case keys and RFC 3339 times (see ``RFC3339Time``). The log
/// adds one member, `log`, to every payload it signs (see ``LogPosition``), so no record has a key named
/// `log`.
public protocol LogRecord: Codable, Sendable {
    /// The DSSE `payloadType` of this kind of record, for example `application/vnd.warden.invocation+json`.
    static var payloadType: String { get }

    /// The record as a ``JSONValue``. The default goes through `Codable` (``LogRecordEncoder``); a record written on
    /// every call may build it directly, and a test holds both to the same value.
    var jsonValue: JSONValue { get }
}

/// The payload types of Warden's records. Each names one record kind; `docs/envelopes.md` describes them.
public enum LogPayloadType {
    public static let invocation = "application/vnd.warden.invocation+json"
    public static let pluginLifecycle = "application/vnd.warden.plugin-lifecycle+json"
    public static let policyChange = "application/vnd.warden.policy-change+json"
    public static let keyRotation = "application/vnd.warden.key-rotation+json"
    public static let approvalDecision = "application/vnd.warden.approval-decision+json"

    /// Every payload type Warden writes.
    public static let all: Set<String> = [invocation, pluginLifecycle, policyChange, keyRotation, approvalDecision]
}

/// Why a payload could not be read back as a record.
public struct LogRecordDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var payloadType: String
    public var reason: String
    public var description: String { "cannot read a \(payloadType) payload: \(reason)" }
}

extension LogRecord {
    /// The record as a compact JSON object with sorted keys: the payload to give the log.
    public func payloadBytes() -> [UInt8] { CanonicalJSONWriter.bytes(jsonValue) }

    /// The record as a ``JSONValue``.
    public var jsonValue: JSONValue {
        // Every record type is a struct of strings, numbers, dates, arrays and JSON values: encoding cannot fail.
        guard let value = try? LogRecordEncoder.encode(self) else {
            preconditionFailure("\(Self.self) did not encode as JSON")
        }
        return value
    }

    /// Reads a record from a payload (the `log` member the log adds is ignored).
    /// - Throws: ``LogRecordDecodingError`` naming what is missing or mistyped.
    public static func decode(payload: [UInt8]) throws(LogRecordDecodingError) -> Self {
        do {
            return try LogRecordCoding.decoder().decode(Self.self, from: Data(payload))
        } catch {
            throw LogRecordDecodingError(payloadType: payloadType, reason: LogRecordCoding.describe(error))
        }
    }
}

/// The JSON coders records use: sorted keys, RFC 3339 times with milliseconds.
public enum LogRecordCoding {
    /// An encoder with sorted keys and RFC 3339 dates.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339Time.format(date))
        }
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    /// A decoder reading RFC 3339 dates.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339Time.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 time: \(text)")
            }
            return date
        }
        return decoder
    }

    /// A one-line description of a decoding error, with the JSON path of the problem.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ keys: [any CodingKey]) -> String {
            "$" + keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])): missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        case .dataCorrupted(let context): return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
