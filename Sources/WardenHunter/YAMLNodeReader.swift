import Foundation
import WardenCore
import Yams

/// Strict, typed reading of a composed YAML tree, every failure a `RuleFileError` at the node's `file:line:col`.
struct YAMLNodeReader {
    let file: String

    /// Composes the first document of `text`.
    /// - Throws: `RuleFileError.syntax` at the position libyaml reports.
    func compose(_ text: String) throws(RuleFileError) -> Node? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error)
        } catch {
            throw RuleFileError(.syntax, at: SourceLocation(file: file, line: 1, column: 1), "\(error)")
        }
        if let root {
            var seen = Set<String>()
            try refuseReuse(root, seen: &seen)
        }
        return root
    }

    /// Libyaml resolves an alias to the anchored node itself, so an alias shows up as a node whose position was
    /// already visited. Refusing that also stops "billion laughs" expansion before it starts.
    private func refuseReuse(_ node: Node, seen: inout Set<String>) throws(RuleFileError) {
        if let mark = node.mark {
            let kind: String = switch node {
            case .scalar: "s"
            case .mapping: "m"
            case .sequence: "q"
            case .alias: "a"
            }
            guard seen.insert("\(kind)\(mark.line):\(mark.column)").inserted else {
                throw error(.alias, node, "aliases are not allowed in rule files (the value anchored here is reused); write the value out")
            }
        }
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                try refuseReuse(key, seen: &seen)
                try refuseReuse(value, seen: &seen)
            }
        case .sequence(let sequence):
            for item in sequence { try refuseReuse(item, seen: &seen) }
        case .scalar, .alias:
            break
        }
    }

    private func syntaxError(_ error: YamlError) -> RuleFileError {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
            return RuleFileError(.syntax, at: at(mark), "invalid YAML: \(problem)\(detail)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return RuleFileError(.syntax, at: at(context.mark), "duplicate key \(keys) in a mapping")
        case .reader(let problem, _, _, _):
            return RuleFileError(.syntax, at: SourceLocation(file: file, line: 1, column: 1), "unreadable text: \(problem)")
        default:
            return RuleFileError(.syntax, at: SourceLocation(file: file, line: 1, column: 1), "invalid YAML: \(error)")
        }
    }

    func location(_ node: Node) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    func error(_ code: RuleFileError.Code, _ node: Node, _ message: String) -> RuleFileError {
        RuleFileError(code, at: location(node), message)
    }

    static func kind(of node: Node) -> String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        case .scalar:
            switch node.tag.description {
            case Tag.Name.null.rawValue: "null"
            case Tag.Name.bool.rawValue: "a boolean"
            case Tag.Name.int.rawValue: "an integer"
            case Tag.Name.float.rawValue: "a number"
            default: "a string"
            }
        }
    }

    private func refuseAlias(_ node: Node) throws(RuleFileError) {
        if case .alias = node { throw error(.alias, node, "aliases are not allowed in rule files; write the value out") }
        if case .scalar(let scalar) = node, scalar.anchor != nil {
            throw error(.alias, node, "anchors are not allowed in rule files")
        }
    }

    /// The key/value pairs of a mapping, with unknown keys refused ("did you mean …?").
    func mapping(_ node: Node, what: String, allowed: Set<String>) throws(RuleFileError) -> [(String, Node, Node)] {
        try refuseAlias(node)
        guard case .mapping(let mapping) = node else {
            throw error(.wrongType, node, "\(what) must be a mapping, found \(Self.kind(of: node))")
        }
        if mapping.anchor != nil { throw error(.alias, node, "anchors are not allowed in rule files") }
        var pairs: [(String, Node, Node)] = []
        for (keyNode, value) in mapping {
            try refuseAlias(keyNode)
            guard case .scalar(let key) = keyNode, keyNode.tag.description == Tag.Name.str.rawValue else {
                throw error(.wrongType, keyNode, "keys in \(what) must be strings, found \(Self.kind(of: keyNode))")
            }
            if key.string == "<<" { throw error(.alias, keyNode, "merge keys (\"<<\") are not allowed in rule files") }
            guard allowed.contains(key.string) else {
                let hint = Suggestion.closest(to: key.string, in: allowed).map { "; did you mean \"\($0)\"?" } ?? ""
                throw error(.unknownKey, keyNode, "unknown key \"\(key.string)\" in \(what)\(hint)")
            }
            try refuseAlias(value)
            pairs.append((key.string, keyNode, value))
        }
        return pairs
    }

    func list(_ node: Node, what: String) throws(RuleFileError) -> [Node] {
        try refuseAlias(node)
        guard case .sequence(let sequence) = node else {
            throw error(.wrongType, node, "\(what) must be a list, found \(Self.kind(of: node))")
        }
        var items: [Node] = []
        for item in sequence {
            try refuseAlias(item)
            items.append(item)
        }
        return items
    }

    func string(_ node: Node, what: String) throws(RuleFileError) -> String {
        try refuseAlias(node)
        guard case .scalar(let scalar) = node, node.tag.description == Tag.Name.str.rawValue else {
            throw error(.wrongType, node, "\(what) must be a string, found \(Self.kind(of: node)) (quote it)")
        }
        return scalar.string
    }

    /// A string, or a list of strings; never empty, no empty strings.
    func strings(_ node: Node, what: String) throws(RuleFileError) -> [String] {
        let values: [String]
        if case .sequence = node {
            var collected: [String] = []
            for item in try list(node, what: what) { collected.append(try string(item, what: "each item of \(what)")) }
            values = collected
        } else {
            values = [try string(node, what: what)]
        }
        guard !values.isEmpty else { throw error(.invalidValue, node, "\(what) must not be empty") }
        if values.contains(where: \.isEmpty) { throw error(.invalidValue, node, "\(what) must not hold an empty string") }
        return values
    }

    func bool(_ node: Node, what: String) throws(RuleFileError) -> Bool {
        try refuseAlias(node)
        guard case .scalar = node, node.tag.description == Tag.Name.bool.rawValue, let value = node.bool
        else { throw error(.wrongType, node, "\(what) must be true or false, found \(Self.kind(of: node))") }
        return value
    }

    func int(_ node: Node, what: String) throws(RuleFileError) -> Int {
        try refuseAlias(node)
        guard case .scalar = node, node.tag.description == Tag.Name.int.rawValue, let value = node.int
        else { throw error(.wrongType, node, "\(what) must be an integer, found \(Self.kind(of: node))") }
        return value
    }

    func number(_ node: Node, what: String) throws(RuleFileError) -> Double {
        try refuseAlias(node)
        guard case .scalar = node,
            node.tag.description == Tag.Name.int.rawValue || node.tag.description == Tag.Name.float.rawValue,
            let value = node.float
        else { throw error(.wrongType, node, "\(what) must be a number, found \(Self.kind(of: node))") }
        return value
    }

    /// Converts a YAML value to JSON (for test values), refusing aliases.
    func json(_ node: Node) throws(RuleFileError) -> JSONValue {
        try refuseAlias(node)
        switch node {
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (keyNode, value) in mapping {
                guard case .scalar(let key) = keyNode else {
                    throw error(.wrongType, keyNode, "keys in a test value must be strings, found \(Self.kind(of: keyNode))")
                }
                object[key.string] = try json(value)
            }
            return .object(object)
        case .sequence(let sequence):
            var array: [JSONValue] = []
            for item in sequence { array.append(try json(item)) }
            return .array(array)
        case .scalar(let scalar):
            switch node.tag.description {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return .bool(node.bool ?? false)
            case Tag.Name.int.rawValue:
                guard let value = Int64(exactly: node.int ?? 0), node.int != nil else {
                    throw error(.invalidValue, node, "integer \(scalar.string) is out of range")
                }
                return .int(value)
            case Tag.Name.float.rawValue: return .double(node.float ?? 0)
            default: return .string(scalar.string)
            }
        case .alias:
            throw error(.alias, node, "aliases are not allowed in rule files")
        }
    }

    /// The column where the text of a scalar starts (after an opening quote).
    func textStart(_ node: Node) -> SourceLocation {
        var location = location(node)
        if case .scalar(let scalar) = node, scalar.style == .singleQuoted || scalar.style == .doubleQuoted {
            location.column += 1
        }
        return location
    }

    /// Whether `offset` characters into a scalar's text can be mapped to a column (single-line, no escapes).
    func location(in node: Node, offset: Int) -> SourceLocation {
        var location = textStart(node)
        if case .scalar(let scalar) = node, !scalar.string.contains("\n"),
            scalar.style == .plain || scalar.style == .singleQuoted || scalar.style == .doubleQuoted
        {
            location.column += offset
        }
        return location
    }
}
