/// The invocation record built directly, without `Codable`: the kernel makes one on every call. Member names and
/// the omission of `nil` members follow the `CodingKeys`; `LogRecordEncoderTests` checks both give the same value.
extension InvocationRecord {
    public var jsonValue: JSONValue {
        var o: [String: JSONValue] = [
            "record_version": .int(Int64(recordVersion)), "invocation_id": .string(invocationID),
            "caller": .string(caller), "tool": .string(tool), "arguments": arguments.json,
            "findings": .array(findings.map(\.recordJSON)), "timings": timings.json,
            "outcome": .string(outcome.rawValue),
        ]
        if let plugin { o["plugin"] = plugin.json }
        if let toolDefinitionDigest { o["tool_definition_digest"] = .string(toolDefinitionDigest) }
        if let sandbox {
            o["sandbox"] = [
                "spec_digest": .string(sandbox.specDigest), "landlock_abi": .int(Int64(sandbox.landlockABI)),
            ]
        }
        if let policySetDigest { o["policy_set_digest"] = .string(policySetDigest) }
        if let decision {
            o["decision"] = [
                "effect": .string(decision.effect.rawValue), "rule_ids": .array(decision.ruleIDs.map(JSONValue.string)),
                "reasons": .array(decision.reasons.map(JSONValue.string)),
            ]
        }
        if let approval {
            var a: [String: JSONValue] = ["request_id": .string(approval.requestID)]
            if let seq = approval.decisionSeq { a["decision_seq"] = .int(seq) }
            if let hash = approval.decisionHash { a["decision_hash"] = .string(hash) }
            o["approval"] = .object(a)
        }
        if let result { o["result"] = result.json }
        if let error { o["error"] = .string(error) }
        return .object(o)
    }
}

extension InvocationRecord.Plugin {
    var json: JSONValue {
        var o: [String: JSONValue] = [
            "name": .string(name), "version": .string(version), "manifest_digest": .string(manifestDigest),
        ]
        if let binaryDigest { o["binary_digest"] = .string(binaryDigest) }
        return .object(o)
    }
}

extension InvocationRecord.Timings {
    var json: JSONValue {
        [
            "started": .string(RFC3339Time.format(started)), "total_ms": LogRecordEncoder.number(totalMS),
            "stages_ms": .object(stagesMS.mapValues(LogRecordEncoder.number)),
        ]
    }
}

extension RecordedArguments {
    var json: JSONValue {
        var o: [String: JSONValue] = [
            "value": value,
            "redactions": .array(redactions.map { ["path": .string($0.path), "digest": .string($0.digest)] }),
        ]
        if let digest { o["digest"] = .string(digest) }
        return .object(o)
    }
}

extension RecordedResult {
    var json: JSONValue {
        var o: [String: JSONValue] = [
            "digest": .string(digest), "size": .int(Int64(size)), "truncated": .bool(truncated),
        ]
        if let value { o["value"] = value }
        if let excerpt { o["excerpt"] = .string(excerpt) }
        return .object(o)
    }
}

extension Finding {
    /// The finding as its `Codable` form writes it.
    var recordJSON: JSONValue {
        var o: [String: JSONValue] = [
            "rule_id": .string(ruleID), "category": .string(category), "severity": .string(severity.rawValue),
            "path": .string(path), "excerpt": .string(excerpt), "transforms": .array(transforms.map(JSONValue.string)),
        ]
        if let detector { o["detector"] = .string(detector) }
        return .object(o)
    }
}
