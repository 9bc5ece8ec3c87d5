import Foundation
import WardenCore

/// Reads and compiles one condition of a rule.
enum ConditionDecoder {
    static let subjects = ["argument", "capability", "finding", "time", "rate_limit", "any_of", "all_of"]
    static let operators = [
        "equals", "in", "glob", "regex", "prefix", "suffix", "contains", "lt", "le", "gt", "ge", "exists", "cidr",
    ]
    static let valueModifiers = ["ignore_case", "transform", "negate"]
    static let findingKeys = ["category", "rule", "severity_at_least"]
    static let timeKeys = ["between", "weekdays"]
    static let rateKeys = ["count", "window", "per"]
    static let weekdayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    static func decode(_ node: SourceNode, reader: inout SchemaReader, nested: Bool) -> Condition? {
        guard case .object(let members) = node.kind else {
            reader.report(.wrongType, at: node.location, "a condition must be a mapping, not \(node.typeName)")
            return nil
        }
        let present = members.map(\.key).filter { subjects.contains($0) }
        guard present.count == 1, let subject = present.first else {
            let message =
                present.isEmpty
                ? "a condition needs one of \(subjects.joined(separator: ", "))"
                : "a condition may have only one of \(present.joined(separator: ", ")); "
                    + "use all_of or separate conditions"
            // Name the unknown key if that is the likely cause.
            if present.isEmpty,
                let unknown = members.first(where: { !operators.contains($0.key) && !valueModifiers.contains($0.key) })
            {
                reader.report(
                    .unknownKey, at: unknown.keyLocation,
                    "unknown key \"\(unknown.key)\" in a condition"
                        + Suggestion.hint(for: unknown.key, among: subjects + operators)
                        + "; \(message)")
            } else {
                reader.report(.missingKey, at: node.location, message)
            }
            return nil
        }
        switch subject {
        case "argument", "capability": return decodeValue(node, subject: subject, reader: &reader)
        case "finding": return decodeFinding(node, reader: &reader)
        case "time": return decodeTime(node, reader: &reader)
        case "rate_limit":
            if nested {
                reader.report(
                    .invalidValue, at: node.location, "rate_limit may appear only directly in a rule's conditions")
                return nil
            }
            return decodeRate(node, reader: &reader)
        default: return decodeGroup(node, key: subject, reader: &reader)
        }
    }

    private static func negate(_ fields: SchemaReader.Fields, reader: inout SchemaReader) -> Bool {
        reader.bool(fields["negate"], "negate") ?? false
    }

    // MARK: argument / capability

    private static func decodeValue(_ node: SourceNode, subject key: String, reader: inout SchemaReader) -> Condition? {
        let before = reader.diagnostics.count
        guard let f = reader.fields(node, "a condition", allowed: [key] + operators + valueModifiers) else {
            return nil
        }
        let unknownKeys = reader.diagnostics.count > before
        var subject: ValueCondition.Subject?
        if key == "argument", let text = reader.string(f["argument"], "argument") {
            do {
                subject = .argument(try JSONPath(text))
            } catch {
                reader.report(.invalidJSONPath, at: f["argument"]?.location, error.message)
            }
        } else if key == "capability", let name = reader.string(f["capability"], "capability") {
            subject = .capability(name)
        }
        let ops = operators.filter { f[$0] != nil }
        guard ops.count == 1, let op = ops.first, let operand = f[op] else {
            // A misspelt operator was already reported as an unknown key; do not report it twice.
            if ops.isEmpty && unknownKeys { return nil }
            reader.report(
                .missingKey, at: node.location,
                ops.isEmpty
                    ? "a condition on \(key == "argument" ? "an argument" : "a capability") needs one operator: "
                        + operators.joined(separator: ", ")
                    : "a condition may have only one operator, not \(ops.joined(separator: " and ")); "
                        + "write one condition per operator")
            return nil
        }
        let ignoreCase = reader.bool(f["ignore_case"], "ignore_case") ?? false
        let transform = f["transform"].flatMap { reader.word($0, "transform", as: ValueCondition.Transform.self) }
        if ignoreCase, ["lt", "le", "gt", "ge", "exists", "cidr"].contains(op) {
            reader.report(.invalidValue, at: f.keyLocation("ignore_case"), "ignore_case does not apply to \(op)")
        }
        if transform != nil, op == "exists" {
            reader.report(.invalidValue, at: f.keyLocation("transform"), "transform does not apply to exists")
        }
        let test = decodeTest(op, operand, ignoreCase: ignoreCase, reader: &reader)
        let negate = negate(f, reader: &reader)
        guard reader.diagnostics.count == before, let subject, let test else { return nil }
        var what: String
        switch subject {
        case .argument(let path): what = path.description
        case .capability(let name): what = "capability \(name)"
        }
        let slot = transform.map { reader.memoSlot("\(what)|\($0.rawValue)") }
        let value = ValueCondition(
            subject: subject, transform: transform, test: test, ignoreCase: ignoreCase, memoSlot: slot)
        if let transform { what = "\(transform.rawValue)(\(what))" }
        let summary = "\(what) \(op)\(ignoreCase ? " (ignoring case)" : "") \(operand.json.serialized())"
        return Condition(
            kind: .value(value), negate: negate, location: node.location, source: node.json,
            summary: negate ? "not (\(summary))" : summary)
    }

    private static func folded(_ s: String, _ fold: Bool) -> [UInt8] {
        fold ? ByteString.foldedASCII(s) : Array(s.utf8)
    }

    private static func decodeTest(
        _ op: String, _ operand: SourceNode, ignoreCase: Bool, reader: inout SchemaReader
    ) -> ValueCondition.Test? {
        switch op {
        case "equals":
            if ignoreCase, case .string(let s) = operand.kind {
                return .equals(.string(String(decoding: folded(s, true), as: UTF8.self)))
            }
            return .equals(operand.json)
        case "in":
            guard let list = reader.list(operand, "in") else { return nil }
            var strings: [String: [[UInt8]]] = [:]
            var values: [JSONValue] = []
            for element in list {
                if case .string(let s) = element.kind {
                    let bytes = folded(s, ignoreCase)
                    strings[String(decoding: bytes, as: UTF8.self), default: []].append(bytes)
                } else {
                    values.append(element.json)
                }
            }
            return .oneOf(values: values, strings: strings)
        case "glob":
            guard let list = reader.strings(operand, "glob") else { return nil }
            var globs: [Glob] = []
            for (text, location) in list {
                do { globs.append(try Glob(text, foldCase: ignoreCase)) } catch {
                    reader.report(.invalidGlob, at: location, error.message)
                }
            }
            return globs.count == list.count ? .glob(globs) : nil
        case "regex":
            guard let text = reader.string(operand, "regex") else { return nil }
            do { return .regex(try CompiledRegex(text, caseInsensitive: ignoreCase)) } catch {
                reader.report(.invalidRegex, at: operand.location, error.message)
                return nil
            }
        case "prefix", "suffix":
            guard let list = reader.strings(operand, op) else { return nil }
            let bytes = list.map { folded($0.0, ignoreCase) }
            return op == "prefix" ? .prefix(bytes) : .suffix(bytes)
        case "contains":
            let elements: [SourceNode]
            if case .array(let a) = operand.kind {
                guard !a.isEmpty else {
                    reader.report(.invalidValue, at: operand.location, "contains must list at least one value")
                    return nil
                }
                elements = a
            } else {
                elements = [operand]
            }
            var text: [[UInt8]] = []
            for case .string(let s) in elements.map(\.kind) { text.append(folded(s, ignoreCase)) }
            return .contains(text: text, elements: elements.map(\.json))
        case "lt", "le", "gt", "ge":
            guard let n = reader.number(operand, op) else { return nil }
            return .compare(ValueCondition.Comparison(rawValue: op)!, n)
        case "exists":
            guard let b = reader.bool(operand, "exists") else { return nil }
            return .exists(b)
        case "cidr":
            guard let list = reader.strings(operand, "cidr") else { return nil }
            var blocks: [CIDRBlock] = []
            for (text, location) in list {
                do { blocks.append(try CIDRBlock(text)) } catch {
                    reader.report(.invalidValue, at: location, error.message)
                }
            }
            return blocks.count == list.count ? .cidr(blocks) : nil
        default:
            return nil
        }
    }

    // MARK: finding / time / rate_limit / groups

    private static func decodeFinding(_ node: SourceNode, reader: inout SchemaReader) -> Condition? {
        let before = reader.diagnostics.count
        guard let outer = reader.fields(node, "a condition", allowed: ["finding", "negate"]),
            let findingNode = outer["finding"],
            let f = reader.fields(findingNode, "finding", allowed: findingKeys)
        else { return nil }
        if f.keys.isEmpty {
            reader.report(.missingKey, at: findingNode.location, "finding needs category, rule or severity_at_least")
        }
        func globs(_ key: String) -> [Glob] {
            guard let list = reader.strings(f[key], "finding.\(key)") else { return [] }
            var out: [Glob] = []
            for (text, location) in list {
                do { out.append(try Glob(text)) } catch { reader.report(.invalidGlob, at: location, error.message) }
            }
            return out
        }
        let categories = globs("category")
        let rules = globs("rule")
        let severity = f["severity_at_least"].flatMap { reader.word($0, "severity_at_least", as: Severity.self) }
        let negate = negate(outer, reader: &reader)
        guard reader.diagnostics.count == before else { return nil }
        var parts: [String] = []
        if !categories.isEmpty { parts.append("category \(categories.map(\.pattern).joined(separator: "|"))") }
        if !rules.isEmpty { parts.append("rule \(rules.map(\.pattern).joined(separator: "|"))") }
        if let severity { parts.append("severity ≥ \(severity.rawValue)") }
        let summary = "a finding with " + parts.joined(separator: ", ")
        return Condition(
            kind: .finding(FindingCondition(categories: categories, rules: rules, minimumSeverity: severity)),
            negate: negate, location: node.location, source: node.json,
            summary: negate ? "no \(summary.dropFirst(2))" : summary)
    }

    /// `"HH:MM"` → minutes after midnight.
    static func minutes(_ s: String) -> Int? {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
            (0...24).contains(h), (0...59).contains(m), h < 24 || m == 0
        else { return nil }
        return h * 60 + m
    }

    private static func decodeTime(_ node: SourceNode, reader: inout SchemaReader) -> Condition? {
        let before = reader.diagnostics.count
        guard let outer = reader.fields(node, "a condition", allowed: ["time", "negate"]),
            let timeNode = outer["time"],
            let f = reader.fields(timeNode, "time", allowed: timeKeys)
        else { return nil }
        if f.keys.isEmpty { reader.report(.missingKey, at: timeNode.location, "time needs between or weekdays") }
        var between: (Int, Int)?
        if let b = f["between"], let list = reader.list(b, "time.between") {
            let texts = list.compactMap { reader.string($0, "a time of day") }
            if texts.count == 2, let start = minutes(texts[0]), let end = minutes(texts[1]) {
                if start == end {
                    reader.report(.invalidValue, at: b.location, "time.between is an empty range (start equals end)")
                }
                between = (start, end)
            } else {
                reader.report(
                    .invalidValue, at: b.location,
                    "time.between must be two quoted UTC times, like [\"09:00\", \"17:30\"]")
            }
        }
        var weekdays: Set<Int>?
        if let w = f["weekdays"], let list = reader.strings(w, "time.weekdays") {
            var days = Set<Int>()
            for (text, location) in list {
                if let d = weekdayNames.firstIndex(of: text.lowercased()) {
                    days.insert(d)
                } else {
                    reader.report(
                        .invalidValue, at: location,
                        "\"\(text)\" is not a weekday; use \(weekdayNames.joined(separator: ", "))"
                            + Suggestion.hint(for: text, among: weekdayNames))
                }
            }
            weekdays = days
        }
        let negate = negate(outer, reader: &reader)
        guard reader.diagnostics.count == before else { return nil }
        var parts: [String] = []
        if let between {
            parts.append(
                String(
                    format: "between %02d:%02d and %02d:%02d UTC", between.0 / 60, between.0 % 60, between.1 / 60,
                    between.1 % 60))
        }
        if let weekdays { parts.append("on " + weekdays.sorted().map { weekdayNames[$0] }.joined(separator: ",")) }
        let summary = "time " + parts.joined(separator: " ")
        return Condition(
            kind: .time(TimeCondition(between: between, weekdays: weekdays)), negate: negate,
            location: node.location, source: node.json, summary: negate ? "not (\(summary))" : summary)
    }

    private static func decodeRate(_ node: SourceNode, reader: inout SchemaReader) -> Condition? {
        let before = reader.diagnostics.count
        guard let outer = reader.fields(node, "a condition", allowed: ["rate_limit"]),
            let rateNode = outer["rate_limit"],
            let f = reader.fields(rateNode, "rate_limit", allowed: rateKeys, required: ["count", "window"])
        else { return nil }
        let count = reader.integer(f["count"], "rate_limit.count", range: 1...100_000)
        let window = reader.duration(f["window"], "rate_limit.window", maximum: 7 * 86400)
        var perCaller = true
        var perTool = true
        if let per = reader.strings(f["per"], "rate_limit.per") {
            let words = per.map(\.0)
            for (word, location) in per where word != "caller" && word != "tool" {
                reader.report(.invalidValue, at: location, "rate_limit.per lists caller and/or tool, not \"\(word)\"")
            }
            perCaller = words.contains("caller")
            perTool = words.contains("tool")
        }
        guard reader.diagnostics.count == before, let count, let window else { return nil }
        let scope = [perCaller ? "caller" : nil, perTool ? "tool" : nil].compactMap { $0 }
        let summary =
            "more than \(count) calls in \(window)s"
            + (scope.isEmpty ? " in total" : " per " + scope.joined(separator: " and "))
        return Condition(
            kind: .rateLimit(
                RateLimitCondition(count: Int(count), windowSeconds: window, perCaller: perCaller, perTool: perTool)),
            negate: false, location: node.location, source: node.json, summary: summary)
    }

    private static func decodeGroup(_ node: SourceNode, key: String, reader: inout SchemaReader) -> Condition? {
        let before = reader.diagnostics.count
        guard let f = reader.fields(node, "a condition", allowed: [key, "negate"]),
            let list = reader.list(f[key], key)
        else { return nil }
        if list.isEmpty {
            reader.report(.invalidValue, at: f[key]?.location, "\(key) must list at least one condition")
        }
        let children = list.compactMap { decode($0, reader: &reader, nested: true) }
        let negate = negate(f, reader: &reader)
        guard reader.diagnostics.count == before else { return nil }
        let joiner = key == "any_of" ? " or " : " and "
        let summary = "(" + children.map(\.summary).joined(separator: joiner) + ")"
        return Condition(
            kind: key == "any_of" ? .anyOf(children) : .allOf(children), negate: negate, location: node.location,
            source: node.json, summary: negate ? "not \(summary)" : summary)
    }
}
