import Foundation
import Yams

/// Reads a YAML document into a ``SourceNode`` tree, strictly: one document, no anchors or aliases, no
/// tags other than `!!str`, no duplicate keys, no merge keys, no scalars that YAML readers disagree on.
enum YAMLSourceReader {
    /// - Throws: ``PolicyDiagnostic`` for the first problem (a YAML syntax error stops the reader; a
    ///   semantic problem is reported where it is).
    static func read(_ text: String, file: String) throws(PolicyDiagnostic) -> SourceNode {
        let parser: Parser
        let root: Node?
        do {
            // The basic resolver gives every untagged scalar the string tag, so an explicit tag is visible;
            // plain scalars are then read by PlainScalar, not by YAML 1.1's resolution rules.
            parser = try Parser(yaml: text, resolver: .basic)
            root = try parser.singleRoot()
        } catch let error as YamlError {
            throw diagnostic(for: error, text: text, file: file)
        } catch {
            throw PolicyDiagnostic(.syntax, at: SourceLocation(file: file, line: 1, column: 1), "\(error)")
        }
        guard let root else {
            throw PolicyDiagnostic(.emptyFile, at: SourceLocation(file: file, line: 1, column: 1), "the file is empty")
        }
        // Anchors are held weakly by nodes and strongly by the parser: keep it alive while converting.
        return try withExtendedLifetime(parser) { () throws(PolicyDiagnostic) -> SourceNode in
            try convert(root, file: file, depth: 0)
        }
    }

    private static let maximumDepth = 64

    private static func location(_ mark: Mark?, _ file: String) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    private static func convert(_ node: Node, file: String, depth: Int) throws(PolicyDiagnostic) -> SourceNode {
        let here = location(node.mark, file)
        guard depth < maximumDepth else {
            throw PolicyDiagnostic(.unsupportedYAML, at: here, "nesting deeper than \(maximumDepth) levels")
        }
        if node.anchor != nil {
            throw PolicyDiagnostic(
                .unsupportedYAML, at: here,
                "anchors and aliases (&name, *name) are not allowed in policy files; write the value out")
        }
        let tag = node.tag.rawValue
        let expected =
            switch node {
            case .mapping: Tag.Name.map.rawValue
            case .sequence: Tag.Name.seq.rawValue
            default: Tag.Name.str.rawValue
            }
        if tag != expected {
            throw PolicyDiagnostic(
                .unsupportedYAML, at: here, "the tag \(tag) is not allowed in policy files; quote strings instead")
        }
        switch node {
        case .scalar(let scalar):
            if scalar.style != .plain {
                return SourceNode(kind: .string(scalar.string), location: here)
            }
            switch PlainScalar.read(scalar.string) {
            case .value(.null): return SourceNode(kind: .null, location: here)
            case .value(.bool(let b)): return SourceNode(kind: .bool(b), location: here)
            case .value(.int(let i)): return SourceNode(kind: .int(i), location: here)
            case .value(.double(let d)): return SourceNode(kind: .double(d), location: here)
            case .value(.string(let s)): return SourceNode(kind: .string(s), location: here)
            case .ambiguous(let message): throw PolicyDiagnostic(.ambiguousScalar, at: here, message)
            case .invalid(let message): throw PolicyDiagnostic(.invalidValue, at: here, message)
            }
        case .sequence(let sequence):
            var elements: [SourceNode] = []
            elements.reserveCapacity(sequence.count)
            for element in sequence { elements.append(try convert(element, file: file, depth: depth + 1)) }
            return SourceNode(kind: .array(elements), location: here)
        case .mapping(let mapping):
            var members: [SourceNode.Member] = []
            members.reserveCapacity(mapping.count)
            for (key, value) in mapping {
                let keyLocation = location(key.mark, file)
                guard case .scalar(let keyScalar) = key, key.anchor == nil else {
                    throw PolicyDiagnostic(.unsupportedYAML, at: keyLocation, "mapping keys must be plain strings")
                }
                if keyScalar.style == .plain, keyScalar.string == "<<" {
                    throw PolicyDiagnostic(
                        .unsupportedYAML, at: keyLocation, "merge keys (<<) are not allowed in policy files")
                }
                members.append(
                    SourceNode.Member(
                        key: keyScalar.string, keyLocation: keyLocation,
                        value: try convert(value, file: file, depth: depth + 1)))
            }
            return SourceNode(kind: .object(members), location: here)
        case .alias:
            throw PolicyDiagnostic(.unsupportedYAML, at: here, "aliases (*name) are not allowed in policy files")
        }
    }

    private static func diagnostic(for error: YamlError, text: String, file: String) -> PolicyDiagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\($0.text) (line \($0.mark.line)), " } ?? ""
            return PolicyDiagnostic(.syntax, at: location(mark, file), "YAML syntax: \(detail)\(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let key = duplicates.sorted().first ?? ""
            let first = context.mark
            let at = secondOccurrence(of: key, after: first, in: text, file: file) ?? location(first, file)
            return PolicyDiagnostic(
                .duplicateKey, at: at,
                "duplicate key \"\(key)\" in one mapping (first at line \(first.line)); each key may appear once")
        case .reader(let problem, _, _, _):
            return PolicyDiagnostic(.notUTF8, at: SourceLocation(file: file, line: 1, column: 1), "YAML: \(problem)")
        default:
            return PolicyDiagnostic(.syntax, at: SourceLocation(file: file, line: 1, column: 1), "YAML: \(error)")
        }
    }

    /// libyaml reports a duplicate key at its first occurrence; people need the second one. In block
    /// mappings the second sits at the same column on a later line.
    private static func secondOccurrence(
        of key: String, after mark: Mark, in text: String, file: String
    ) -> SourceLocation? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        let indent = mark.column - 1
        let candidates = [key + ":", "\"\(key)\":", "'\(key)':"]
        for n in mark.line..<lines.count {
            let line = Array(lines[n].utf8)
            guard line.count > indent, line[..<indent].allSatisfy({ $0 == 0x20 || $0 == UInt8(ascii: "-") }) else {
                continue
            }
            let rest = String(decoding: line[indent...], as: UTF8.self)
            if candidates.contains(where: { rest.hasPrefix($0) }) {
                return SourceLocation(file: file, line: n + 1, column: mark.column)
            }
        }
        return nil
    }
}
