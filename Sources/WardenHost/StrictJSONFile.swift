import Foundation
import WardenCore

/// Reads a small JSON configuration file a person edits (`Policies/grants.json`, `Policies/sandbox.json`):
/// parse errors and a non-object top level become ``ConfigIssues`` with a line.
enum StrictJSONFile {
    /// The file's top-level object and a reader for further checks, or nil when the file does not exist.
    /// - Throws: ``ConfigIssues`` when the file is not JSON or not an object.
    static func read(_ path: String, display: String) throws(ConfigIssues) -> ([String: JSONValue], StrictReader)? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let value: JSONValue
        let locations: SourceLocations
        do {
            (value, locations) = try JSONValue.parseWithLocations(Array(data))
        } catch {
            let line = SourceLocations(bytes: Array(data)).position(ofOffset: error.offset).line
            throw ConfigIssues([ConfigIssue(file: display, line: line, message: "not valid JSON: \(error.reason)")])
        }
        guard case .object(let root) = value else {
            throw ConfigIssues([ConfigIssue(file: display, line: 1, message: "\(display) must be a JSON object")])
        }
        return (root, StrictReader(file: display, locations: locations))
    }
}
