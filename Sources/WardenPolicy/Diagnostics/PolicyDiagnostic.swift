/// What is wrong with a policy file, a test file, or the meaning of a policy set.
///
/// The code is stable (scripts and tests match on it); the message is a sentence for a person.
public struct PolicyDiagnostic: Sendable, Hashable, CustomStringConvertible {
    /// How serious a diagnostic is: an error stops the set from loading, a warning does not.
    public enum Severity: String, Sendable, Hashable, Codable {
        case error, warning
    }

    /// The stable kind of problem.
    public enum Code: String, Sendable, Hashable, Codable, CaseIterable {
        // Reading files.
        case unreadableFile = "unreadable_file"
        case fileTooLarge = "file_too_large"
        case tooManyFiles = "too_many_files"
        case notUTF8 = "not_utf8"
        case syntax
        case emptyFile = "empty_file"
        // Structure.
        case duplicateKey = "duplicate_key"
        case unknownKey = "unknown_key"
        case missingKey = "missing_key"
        case wrongType = "wrong_type"
        case ambiguousScalar = "ambiguous_scalar"
        case unsupportedYAML = "unsupported_yaml"
        case invalidValue = "invalid_value"
        case unsupportedVersion = "unsupported_version"
        // Meaning.
        case duplicateRuleID = "duplicate_rule_id"
        case invalidRegex = "invalid_regex"
        case invalidGlob = "invalid_glob"
        case invalidJSONPath = "invalid_json_path"
        case duplicateTestName = "duplicate_test_name"
        case testFailed = "test_failed"
        // Lint (warnings unless stated).
        case neverMatches = "never_matches"
        case shadowedRule = "shadowed_rule"
        case unknownArgument = "unknown_argument"
        case unknownTool = "unknown_tool"
        case unknownRuleInTest = "unknown_rule_in_test"
        case untestedRule = "untested_rule"
    }

    public var severity: Severity
    public var code: Code
    /// Where the problem is; `nil` for problems with the folder itself.
    public var location: SourceLocation?
    public var message: String

    public init(_ severity: Severity, _ code: Code, at location: SourceLocation?, _ message: String) {
        self.severity = severity
        self.code = code
        self.location = location
        self.message = message
    }

    /// An error.
    public init(_ code: Code, at location: SourceLocation?, _ message: String) {
        self.init(.error, code, at: location, message)
    }

    /// `file:line:column: error: message`, as compilers print it.
    public var description: String {
        let prefix = location.map { "\($0): " } ?? ""
        return "\(prefix)\(severity.rawValue): \(message)"
    }
}

extension PolicyDiagnostic: Error {}

extension PolicyDiagnostic {
    /// Diagnostics in reading order: folder-level ones first, then by file, line and column.
    public static func sorted(_ list: [PolicyDiagnostic]) -> [PolicyDiagnostic] {
        list.enumerated().sorted { a, b in
            switch (a.element.location, b.element.location) {
            case (nil, nil): return a.offset < b.offset
            case (nil, _): return true
            case (_, nil): return false
            case (let x?, let y?): return x == y ? a.offset < b.offset : x < y
            }
        }.map(\.element)
    }
}
