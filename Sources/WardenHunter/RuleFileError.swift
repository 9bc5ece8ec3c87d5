/// A place in a rule or suite file: `file:line:column`, 1-based.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file as the caller named it (relative paths stay relative).
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// Why a rule or suite file was refused. Rendered as `file:line:col: message`.
public struct RuleFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem it is; tests match on this, people read `message`.
    public enum Code: String, Sendable, Equatable {
        /// The file could not be read.
        case unreadable
        /// The text is not well-formed YAML.
        case syntax
        /// A mapping holds a key the schema does not know.
        case unknownKey
        /// A required key is absent.
        case missingKey
        /// A value has the wrong YAML type (a list where a string belongs, …).
        case wrongType
        /// A value has the right type but is not allowed (an unknown transform, a paranoia level of 7, …).
        case invalidValue
        /// A regular expression does not compile.
        case badRegex
        /// The condition expression does not parse or names an unknown detection.
        case badCondition
        /// A rule lacks a positive or a negative embedded test.
        case missingTests
        /// Two rules share an id.
        case duplicateID
        /// Anchors, aliases and merge keys are refused: rule files are read literally.
        case alias
    }

    public var code: Code
    public var location: SourceLocation
    public var message: String

    public init(_ code: Code, at location: SourceLocation, _ message: String) {
        self.code = code
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}
