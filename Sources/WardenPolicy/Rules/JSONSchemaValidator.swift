import Foundation
import Synchronization
import WardenCore

/// Validates a JSON value against a JSON Schema (draft 2020-12), for the keywords tools use in their
/// `inputSchema`: `type`, `enum`, `const`, `required`, `properties`, `additionalProperties`,
/// `patternProperties`, `items`, `prefixItems`, `minItems`, `maxItems`, `uniqueItems`, `minLength`,
/// `maxLength`, `pattern`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`,
/// `minProperties`, `maxProperties`, `allOf`, `anyOf`, `oneOf`, `not`, and local `$ref`s (`#/$defs/…`).
/// Annotations (`title`, `description`, `format`, `default`, `examples`) are ignored, as the specification
/// says. A schema that is itself malformed is a violation: the call is refused rather than half-checked.
public final class JSONSchemaValidator: Sendable {
    private let patterns = Mutex([String: CompiledRegex]())
    private static let maximumDepth = 64
    private static let maximumPatterns = 1024

    public init() {}

    /// Every way `instance` fails `schema`, each with the JSON path of the offending value.
    public func violations(of instance: JSONValue, against schema: JSONValue) -> [RuleViolation] {
        var out: [RuleViolation] = []
        validate(instance, schema, root: schema, path: "$", depth: 0, into: &out)
        return out
    }

    private func fail(_ out: inout [RuleViolation], _ path: String, _ message: String) {
        out.append(RuleViolation(rule: "schema", message: "\(path) \(message)", path: path))
    }

    private func malformed(_ out: inout [RuleViolation], _ path: String, _ keyword: String) {
        out.append(
            RuleViolation(
                rule: "schema", message: "the tool's inputSchema has a malformed \"\(keyword)\" (checking \(path))",
                path: path))
    }

    private func validate(
        _ value: JSONValue, _ schema: JSONValue, root: JSONValue, path: String, depth: Int,
        into out: inout [RuleViolation]
    ) {
        guard depth < Self.maximumDepth else {
            out.append(
                RuleViolation(
                    rule: "schema", message: "the inputSchema nests or refers deeper than \(Self.maximumDepth) levels",
                    path: path))
            return
        }
        switch schema {
        case .bool(true): return
        case .bool(false):
            fail(&out, path, "is not allowed here")
            return
        case .object: break
        default:
            malformed(&out, path, "schema")
            return
        }
        let s = schema.objectValue!
        if let keyword = malformedKeyword(s) { return malformed(&out, path, keyword) }

        if let ref = s["$ref"] {
            guard let target = ref.stringValue.flatMap({ resolve($0, in: root) }) else {
                malformed(&out, path, "$ref")
                return
            }
            validate(value, target, root: root, path: path, depth: depth + 1, into: &out)
        }
        if let type = s["type"] { checkType(value, type, path: path, into: &out) }
        if let options = s["enum"] {
            guard let list = options.arrayValue else { return malformed(&out, path, "enum") }
            if !list.contains(where: { ValueCondition.jsonEqual($0, value) }) {
                fail(&out, path, "must be one of \(JSONValue.array(list).serialized())")
            }
        }
        if let constant = s["const"], !ValueCondition.jsonEqual(constant, value) {
            fail(&out, path, "must be \(constant.serialized())")
        }
        switch value {
        case .string(let text): checkString(text, s, path: path, into: &out)
        case .int, .double: checkNumber(value, s, path: path, into: &out)
        case .array(let items): checkArray(items, s, root: root, path: path, depth: depth, into: &out)
        case .object(let members): checkObject(members, s, root: root, path: path, depth: depth, into: &out)
        default: break
        }
        if let all = s["allOf"] {
            guard let list = all.arrayValue else { return malformed(&out, path, "allOf") }
            for sub in list { validate(value, sub, root: root, path: path, depth: depth + 1, into: &out) }
        }
        if let any = s["anyOf"] {
            guard let list = any.arrayValue, !list.isEmpty else { return malformed(&out, path, "anyOf") }
            let passing = list.filter { violations(value, $0, root: root, path: path, depth: depth).isEmpty }
            if passing.isEmpty { fail(&out, path, "matches none of the schemas in anyOf") }
        }
        if let one = s["oneOf"] {
            guard let list = one.arrayValue, !list.isEmpty else { return malformed(&out, path, "oneOf") }
            let passing = list.filter { violations(value, $0, root: root, path: path, depth: depth).isEmpty }.count
            if passing != 1 {
                fail(&out, path, "matches \(passing) of the schemas in oneOf; it must match exactly one")
            }
        }
        if let not = s["not"], violations(value, not, root: root, path: path, depth: depth).isEmpty {
            fail(&out, path, "matches a schema it must not match (not)")
        }
    }

    private func violations(
        _ value: JSONValue, _ schema: JSONValue, root: JSONValue, path: String, depth: Int
    ) -> [RuleViolation] {
        var out: [RuleViolation] = []
        validate(value, schema, root: root, path: path, depth: depth + 1, into: &out)
        return out
    }

    /// The first keyword of `s` whose value has the wrong shape, checked whatever the instance's type, so
    /// that a broken schema refuses every call instead of passing the ones it happens not to look at.
    private func malformedKeyword(_ s: [String: JSONValue]) -> String? {
        for key in ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"] {
            if let v = s[key], (v.intValue ?? -1) < 0 { return key }
        }
        for key in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] {
            if let v = s[key], v.doubleValue == nil { return key }
        }
        if let v = s["multipleOf"], (v.doubleValue ?? 0) <= 0 { return "multipleOf" }
        if let v = s["pattern"], v.stringValue.flatMap(compiled) == nil { return "pattern" }
        if let v = s["required"], v.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true { return "required" }
        if let v = s["enum"], v.arrayValue == nil { return "enum" }
        for key in ["properties", "patternProperties", "$defs", "definitions"] {
            if let v = s[key],
                v.objectValue?.values.allSatisfy({ $0.objectValue != nil || $0.boolValue != nil }) != true
            {
                return key
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let v = s[key], v.arrayValue.map({ !$0.isEmpty }) != true { return key }
        }
        for key in ["items", "additionalProperties", "not"] {
            if let v = s[key], v.objectValue == nil && v.boolValue == nil { return key }
        }
        if let v = s["prefixItems"], v.arrayValue == nil { return "prefixItems" }
        if let v = s["uniqueItems"], v.boolValue == nil { return "uniqueItems" }
        return nil
    }

    /// A local reference: `#`, `#/$defs/name`, `#/definitions/name`, `#/properties/a/items`.
    private func resolve(_ ref: String, in root: JSONValue) -> JSONValue? {
        guard ref.hasPrefix("#") else { return nil }
        var current = root
        for raw in ref.dropFirst().split(separator: "/", omittingEmptySubsequences: true) {
            let token = raw.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let object = current.objectValue, let next = object[token] {
                current = next
            } else if let array = current.arrayValue, let i = Int(token), i >= 0, i < array.count {
                current = array[i]
            } else {
                return nil
            }
        }
        return current
    }

    private func checkType(_ value: JSONValue, _ type: JSONValue, path: String, into out: inout [RuleViolation]) {
        let names: [String]
        if let name = type.stringValue {
            names = [name]
        } else if let list = type.arrayValue, list.allSatisfy({ $0.stringValue != nil }) {
            names = list.compactMap(\.stringValue)
        } else {
            return malformed(&out, path, "type")
        }
        let known: Set<String> = ["null", "boolean", "integer", "number", "string", "array", "object"]
        guard names.allSatisfy(known.contains) else { return malformed(&out, path, "type") }
        let matches = names.contains { name in
            switch (name, value) {
            case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): true
            case ("number", .int), ("number", .double), ("integer", .int): true
            case ("integer", .double(let d)): d.rounded() == d
            default: false
            }
        }
        if !matches {
            fail(
                &out, path, "must be \(names.joined(separator: " or ")), not \(ValueCondition.article(value.typeName))")
        }
    }

    private func checkString(_ text: String, _ s: [String: JSONValue], path: String, into out: inout [RuleViolation]) {
        let length = text.unicodeScalars.count
        if let m = s["minLength"] {
            guard let n = m.intValue, n >= 0 else { return malformed(&out, path, "minLength") }
            if length < n { fail(&out, path, "must be at least \(n) characters long") }
        }
        if let m = s["maxLength"] {
            guard let n = m.intValue, n >= 0 else { return malformed(&out, path, "maxLength") }
            if length > n { fail(&out, path, "must be at most \(n) characters long (it has \(length))") }
        }
        if let p = s["pattern"] {
            guard let pattern = p.stringValue, let regex = compiled(pattern) else {
                return malformed(&out, path, "pattern")
            }
            if !regex.matches(text) { fail(&out, path, "must match the pattern \(pattern)") }
        }
    }

    private func compiled(_ pattern: String) -> CompiledRegex? {
        if let cached = patterns.withLock({ $0[pattern] }) { return cached }
        guard let regex = try? CompiledRegex(pattern, caseInsensitive: false) else { return nil }
        patterns.withLock { cache in
            if cache.count >= Self.maximumPatterns { cache.removeAll() }
            cache[pattern] = regex
        }
        return regex
    }

    private func checkNumber(
        _ value: JSONValue, _ s: [String: JSONValue], path: String, into out: inout [RuleViolation]
    ) {
        func bound(_ key: String, _ violated: (Int) -> Bool, _ words: String) {
            guard let b = s[key] else { return }
            guard b.doubleValue != nil else { return malformed(&out, path, key) }
            if violated(ValueCondition.compareNumbers(value, b)) {
                fail(&out, path, "must be \(words) \(b.serialized())")
            }
        }
        bound("minimum", { $0 < 0 }, "at least")
        bound("maximum", { $0 > 0 }, "at most")
        bound("exclusiveMinimum", { $0 <= 0 }, "greater than")
        bound("exclusiveMaximum", { $0 >= 0 }, "less than")
        if let m = s["multipleOf"] {
            guard let d = m.doubleValue, d > 0 else { return malformed(&out, path, "multipleOf") }
            let q = (value.doubleValue ?? 0) / d
            if q.rounded() != q { fail(&out, path, "must be a multiple of \(m.serialized())") }
        }
    }

    private func checkArray(
        _ items: [JSONValue], _ s: [String: JSONValue], root: JSONValue, path: String, depth: Int,
        into out: inout [RuleViolation]
    ) {
        if let m = s["minItems"] {
            guard let n = m.intValue, n >= 0 else { return malformed(&out, path, "minItems") }
            if items.count < n { fail(&out, path, "must have at least \(n) items") }
        }
        if let m = s["maxItems"] {
            guard let n = m.intValue, n >= 0 else { return malformed(&out, path, "maxItems") }
            if items.count > n { fail(&out, path, "must have at most \(n) items (it has \(items.count))") }
        }
        if s["uniqueItems"] == .bool(true) {
            for i in items.indices {
                for j in items.indices where j > i && ValueCondition.jsonEqual(items[i], items[j]) {
                    fail(&out, path, "must not repeat items (\(i) and \(j) are equal)")
                    break
                }
            }
        }
        var prefixCount = 0
        if let p = s["prefixItems"] {
            guard let list = p.arrayValue else { return malformed(&out, path, "prefixItems") }
            prefixCount = list.count
            for (i, sub) in list.enumerated() where i < items.count {
                validate(items[i], sub, root: root, path: "\(path)[\(i)]", depth: depth + 1, into: &out)
            }
        }
        if let itemSchema = s["items"] {
            guard itemSchema.objectValue != nil || itemSchema.boolValue != nil else {
                return malformed(&out, path, "items")
            }
            for (i, item) in items.enumerated() where i >= prefixCount {
                validate(item, itemSchema, root: root, path: "\(path)[\(i)]", depth: depth + 1, into: &out)
            }
        }
    }

    private func checkObject(
        _ members: [String: JSONValue], _ s: [String: JSONValue], root: JSONValue, path: String, depth: Int,
        into out: inout [RuleViolation]
    ) {
        if let r = s["required"] {
            guard let list = r.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                return malformed(&out, path, "required")
            }
            for case .string(let key) in list where members[key] == nil {
                fail(
                    &out, JSONPath.child(path, key: key),
                    "is required")
            }
        }
        if let m = s["minProperties"], let n = m.intValue, members.count < n {
            fail(&out, path, "must have at least \(n) members")
        }
        if let m = s["maxProperties"], let n = m.intValue, members.count > n {
            fail(&out, path, "must have at most \(n) members")
        }
        let properties = s["properties"]?.objectValue
        if s["properties"] != nil && properties == nil { return malformed(&out, path, "properties") }
        var patternSchemas: [(CompiledRegex, JSONValue)] = []
        if let pp = s["patternProperties"] {
            guard let o = pp.objectValue else { return malformed(&out, path, "patternProperties") }
            for (pattern, sub) in o {
                guard let regex = compiled(pattern) else { return malformed(&out, path, "patternProperties") }
                patternSchemas.append((regex, sub))
            }
        }
        for key in members.keys.sorted() {
            let value = members[key]!
            let childPath = JSONPath.child(path, key: key)
            var described = false
            if let sub = properties?[key] {
                described = true
                validate(value, sub, root: root, path: childPath, depth: depth + 1, into: &out)
            }
            for (regex, sub) in patternSchemas where regex.matches(key) {
                described = true
                validate(value, sub, root: root, path: childPath, depth: depth + 1, into: &out)
            }
            if !described, let additional = s["additionalProperties"] {
                if additional == .bool(false) {
                    fail(&out, childPath, "is not an argument this tool takes")
                } else if additional.objectValue != nil {
                    validate(value, additional, root: root, path: childPath, depth: depth + 1, into: &out)
                } else if additional != .bool(true) {
                    malformed(&out, path, "additionalProperties")
                }
            }
        }
    }
}
