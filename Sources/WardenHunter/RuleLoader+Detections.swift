import Foundation
import Yams

extension RuleLoader {
    static func parseDetections(_ node: Node, context: String, reader: YAMLNodeReader) throws(RuleFileError) -> [Detection] {
        guard case .mapping(let mapping) = node else {
            throw reader.error(.wrongType, node, "\"detections\" of \(context) must be a mapping of names to detections, found \(YAMLNodeReader.kind(of: node))")
        }
        var detections: [Detection] = []
        for (keyNode, value) in mapping {
            let name = try reader.string(keyNode, what: "a detection name")
            guard name.range(of: #"^[A-Za-z_][A-Za-z0-9_-]{0,63}$"#, options: .regularExpression) != nil,
                !["and", "or", "not"].contains(name)
            else {
                throw reader.error(.invalidValue, keyNode, "detection name \"\(name)\" must be a word (letters, digits, \"_\", \"-\") and not and/or/not")
            }
            detections.append(try parseDetection(value, name: name, context: context, reader: reader))
        }
        if detections.isEmpty { throw reader.error(.missingKey, node, "\(context) needs at least one detection") }
        return detections
    }

    static func parseDetection(
        _ node: Node, name: String, context: String, reader: YAMLNodeReader
    ) throws(RuleFileError) -> Detection {
        let what = "detection \"\(name)\" of \(context)"
        let pairs = try reader.mapping(node, what: what, allowed: detectionKeys)
        var matcher: Detection.Matcher? = nil
        var regexNode: Node? = nil
        var detection = Detection(name: name, matcher: .wholeValue)
        func setMatcher(_ value: Detection.Matcher, _ keyNode: Node) throws(RuleFileError) {
            if matcher != nil {
                throw reader.error(.invalidValue, keyNode, "\(what) has more than one of regex, contains_any, startswith, equals; split it into two detections")
            }
            matcher = value
        }
        for (key, keyNode, value) in pairs {
            switch key {
            case "regex":
                let pattern = try reader.string(value, what: "\"regex\" of \(what)")
                guard !pattern.isEmpty else { throw reader.error(.invalidValue, value, "\"regex\" of \(what) is empty") }
                try setMatcher(.regex(pattern), keyNode)
                regexNode = value
            case "contains_any":
                try setMatcher(.containsAny(try reader.strings(value, what: "\"contains_any\" of \(what)")), keyNode)
            case "startswith":
                try setMatcher(.startsWith(try reader.strings(value, what: "\"startswith\" of \(what)")), keyNode)
            case "equals":
                try setMatcher(.equals(try reader.strings(value, what: "\"equals\" of \(what)")), keyNode)
            case "entropy_at_least":
                let entropy = try reader.number(value, what: "\"entropy_at_least\" of \(what)")
                guard entropy > 0, entropy <= 8 else {
                    throw reader.error(.invalidValue, value, "\"entropy_at_least\" must be above 0 and at most 8 bits per character")
                }
                detection.minimumEntropy = entropy
            case "length":
                let bounds = try reader.mapping(value, what: "\"length\" of \(what)", allowed: ["min", "max"])
                for (bound, _, boundNode) in bounds {
                    let number = try reader.int(boundNode, what: "\"length.\(bound)\" of \(what)")
                    guard number >= 0 else { throw reader.error(.invalidValue, boundNode, "\"length.\(bound)\" must not be negative") }
                    if bound == "min" { detection.minimumLength = number } else { detection.maximumLength = number }
                }
                if bounds.isEmpty { throw reader.error(.missingKey, value, "\"length\" needs \"min\", \"max\" or both") }
                if let low = detection.minimumLength, let high = detection.maximumLength, low > high {
                    throw reader.error(.invalidValue, value, "\"length.min\" (\(low)) is above \"length.max\" (\(high))")
                }
            case "prefilter":
                detection.declaredPrefilter = try reader.strings(value, what: "\"prefilter\" of \(what)")
            case "nocase":
                detection.caseless = try reader.bool(value, what: "\"nocase\" of \(what)")
            default:
                break
            }
        }
        if let matcher {
            detection.matcher = matcher
        } else if detection.minimumEntropy == nil, detection.minimumLength == nil, detection.maximumLength == nil {
            throw reader.error(.missingKey, node, "\(what) needs one of regex, contains_any, startswith, equals, entropy_at_least, length")
        }
        if case .regex(let pattern) = detection.matcher, let regexNode {
            do {
                _ = try PCRE2Regex(pattern, caseless: detection.caseless)
            } catch {
                throw RuleFileError(
                    .badRegex, at: reader.location(in: regexNode, offset: error.offset),
                    "invalid regex in \(what): \(error.message) (at byte \(error.offset) of the pattern)")
            }
        }
        return detection
    }
}
