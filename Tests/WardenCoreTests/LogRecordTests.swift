import Foundation
import Testing
import WardenCore

@Suite struct LogRecordTests {
    static let started = RFC3339Time.parse("2025-05-06T07:08:09.010Z")!

    static func invocation() throws -> InvocationRecord {
        let (arguments, _) = try RecordedArguments.redacting(
            ["path": "notes.txt", "token": "s3cret"], selectors: ["token"], salt: { Array(repeating: 7, count: 16) })
        return InvocationRecord(
            invocationID: "inv-1", caller: "cli:1000", tool: "files.read", arguments: arguments,
            plugin: .init(name: "files", version: "1.0.0", manifestDigest: "sha256:aa", binaryDigest: "sha256:bb"),
            toolDefinitionDigest: "sha256:cc", sandbox: .init(specDigest: "sha256:dd", landlockABI: 6),
            policySetDigest: "sha256:ee",
            decision: .init(effect: .allow, ruleIDs: ["allow-reads"], reasons: ["reads are fine"]),
            findings: [
                Finding(ruleID: "secret-token", category: "secrets", severity: .high, path: "$.token", excerpt: "s3…")
            ],
            approval: .init(requestID: "req-9", decisionSeq: 41, decisionHash: "ab"),
            result: RecordedResult.bounded(["content": [["type": "text", "text": "hello"]]]),
            timings: .init(started: started, totalMS: 12.5, stagesMS: ["execute": 10.25]), outcome: .ok)
    }

    @Test func invocationRecord_encodesSnakeCase_andRoundTrips() throws {
        let record = try Self.invocation()
        let json = record.jsonValue
        #expect(json["invocation_id"] == "inv-1")
        #expect(json["plugin"]?["manifest_digest"] == "sha256:aa")
        #expect(json["sandbox"]?["landlock_abi"] == 6)
        #expect(json["decision"]?["rule_ids"] == ["allow-reads"])
        #expect(json["findings"]?.arrayValue?.first?["rule_id"] == "secret-token")
        #expect(json["timings"]?["started"] == "2025-05-06T07:08:09.010Z")
        #expect(json["outcome"] == "ok")
        #expect(json["record_version"] == 1)
        #expect(try InvocationRecord.decode(payload: record.payloadBytes()) == record)
    }

    @Test func everyRecordKind_hasItsOwnPayloadType_andRoundTrips() throws {
        let time = Self.started
        let key = Ed25519SigningKey.generate().publicKey
        let lifecycle = PluginLifecycleRecord(
            event: .crashed, plugin: "files", version: "1", kind: .tool, pid: 42, signal: 9, reason: "killed",
            time: time)
        let policy = PolicyChangeRecord(
            previousDigest: nil, digest: "sha256:1", accepted: false,
            files: [.init(path: "policies/a.yaml", digest: "sha256:2")], errors: ["policies/a.yaml:3: bad"],
            trigger: "reload", time: time)
        let rotation = KeyRotationRecord(
            oldKey: key, newKey: Ed25519SigningKey.generate().publicKey, reason: nil, time: time)
        let approval = ApprovalDecisionRecord(
            requestID: "r1", decision: .denied, approverKeyID: "k", note: "no", boundDigest: "sha256:3", time: time)
        #expect(try PluginLifecycleRecord.decode(payload: lifecycle.payloadBytes()) == lifecycle)
        #expect(try PolicyChangeRecord.decode(payload: policy.payloadBytes()) == policy)
        #expect(try KeyRotationRecord.decode(payload: rotation.payloadBytes()) == rotation)
        #expect(try ApprovalDecisionRecord.decode(payload: approval.payloadBytes()) == approval)
        #expect(try rotation.oldKey.publicKey() == key)
        #expect(rotation.jsonValue["old_key"] == key.securesystemslibJSON)
        #expect(lifecycle.jsonValue["event"] == "crashed")
        let types = [
            InvocationRecord.payloadType, PluginLifecycleRecord.payloadType, PolicyChangeRecord.payloadType,
            KeyRotationRecord.payloadType, ApprovalDecisionRecord.payloadType,
        ]
        #expect(Set(types) == LogPayloadType.all)
        #expect(types.allSatisfy { $0.hasPrefix("application/vnd.warden.") && $0.hasSuffix("+json") })
    }

    @Test func decode_namesTheMissingMember() throws {
        let error = #expect(throws: LogRecordDecodingError.self) {
            try PluginLifecycleRecord.decode(
                payload: Array(#"{"record_version":1,"event":"started","time":"2025-01-01T00:00:00Z"}"#.utf8))
        }
        #expect(error?.reason == "$.plugin: missing")
    }

    @Test func decode_refusesABadTime() {
        #expect(throws: LogRecordDecodingError.self) {
            try PluginLifecycleRecord.decode(
                payload: Array(#"{"record_version":1,"event":"started","plugin":"p","time":"noon"}"#.utf8))
        }
    }

    @Test func recordedDecision_keepsRulesAndReasonsOfAPolicyDecision() {
        let decision = Decision(
            effect: .deny, matchedRules: ["b", "a"], reasons: ["because"],
            errors: [DecisionError(rule: "c", message: "timed out")])
        let recorded = InvocationRecord.RecordedDecision(decision)
        #expect(recorded.effect == .deny)
        #expect(recorded.ruleIDs == ["a", "b", "c"])
        #expect(recorded.reasons == ["because", "c: timed out"])
    }
}

/// The record encoder and the canonical writer agree with Foundation's `JSONEncoder` and with
/// ``JSONValue/serializedBytes()``.
@Suite struct LogRecordEncoderTests {
    static func viaFoundation<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONValue.parse(Array(LogRecordCoding.encoder().encode(value)))
    }

    @Test func everyRecordKind_encodesAsFoundationWould() throws {
        let time = LogRecordTests.started
        let key = Ed25519SigningKey.generate().publicKey
        let invocation = try LogRecordTests.invocation()
        #expect(try LogRecordEncoder.encode(invocation) == Self.viaFoundation(invocation))
        let lifecycle = PluginLifecycleRecord(event: .circuitOpen, plugin: "p", attempt: 3, time: time)
        #expect(try LogRecordEncoder.encode(lifecycle) == Self.viaFoundation(lifecycle))
        let policy = PolicyChangeRecord(
            previousDigest: "a", digest: "b", accepted: true, files: [], trigger: "startup", time: time)
        #expect(try LogRecordEncoder.encode(policy) == Self.viaFoundation(policy))
        let rotation = KeyRotationRecord(oldKey: key, newKey: key, reason: "r", time: time)
        #expect(try LogRecordEncoder.encode(rotation) == Self.viaFoundation(rotation))
        let approval = ApprovalDecisionRecord(
            requestID: "r", decision: .expired, approverKeyID: nil, note: nil, boundDigest: "d",
            approverEnvelope: ["payload": "", "signatures": []], time: time)
        #expect(try LogRecordEncoder.encode(approval) == Self.viaFoundation(approval))
    }

    @Test func directInvocationJSON_equalsTheCodableEncoding_withAndWithoutOptionals() throws {
        var full = try LogRecordTests.invocation()
        full.error = "boom"
        full.findings.append(
            Finding(
                ruleID: "r", category: "c", severity: .low, path: "$", excerpt: "e", transforms: ["t"], detector: "d"))
        full.timings.stagesMS = ["execute": 3, "policy": 0.25]
        full.result = RecordedResult.bounded(.string(String(repeating: "x", count: 50)), cap: 10)
        let minimal = InvocationRecord(
            invocationID: "i", caller: "c", tool: "t", arguments: RecordedArguments(unredacted: [:]),
            timings: .init(started: LogRecordTests.started, totalMS: 0), outcome: .refused)
        var partial = minimal
        partial.plugin = .init(name: "p", version: "1", manifestDigest: "m", binaryDigest: nil)
        partial.approval = .init(requestID: "r")
        partial.decision = .init(effect: .requireApproval, ruleIDs: [], reasons: [])
        for record in [full, minimal, partial] {
            #expect(record.jsonValue == (try LogRecordEncoder.encode(record)))
            #expect(try InvocationRecord.decode(payload: record.payloadBytes()) == record)
        }
    }

    /// The one serializer (wire, digests, log) against bytes written out by hand: sorted keys, no spaces, the
    /// escapes JSON requires and no others (`/` and non-ASCII stay as they are), integral doubles with `.0`.
    @Test func canonicalWriter_writesTheExpectedBytes() {
        let cases: [(JSONValue, String)] = [
            (
                ["b": 1, "a": [true, false, nil, 1.5, -0.0, 1e300, 3.0], "c": "q\"\\/\n\r\t\u{1}\u{1f}é😀"],
                #"{"a":[true,false,null,1.5,0.0,1e+300,3.0],"b":1,"c":"q\"\\/\n\r\t\u0001\u001fé😀"}"#
            ),
            ("", #""""#), ([:], "{}"), ([], "[]"), (.double(0.1), "0.1"), (.int(Int64.min), "-9223372036854775808"),
            (["z": ["y": ["x": "plain text with spaces"]]], #"{"z":{"y":{"x":"plain text with spaces"}}}"#),
            (["b": 1, "B": 2, "a": 3, "_": 4, "aa": 5], #"{"B":2,"_":4,"a":3,"aa":5,"b":1}"#),
        ]
        for (value, expected) in cases {
            #expect(String(decoding: CanonicalJSONWriter.bytes(value), as: UTF8.self) == expected)
            #expect(value.serializedBytes() == CanonicalJSONWriter.bytes(value))
        }
    }
}
