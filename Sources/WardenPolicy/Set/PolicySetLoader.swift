import Foundation

/// Reads the files of a policies folder: `policies/*.yaml|*.yml|*.json` and `tests/*.yaml|*.yml|*.json`.
///
/// Hidden files and other extensions are ignored (editors leave backups and swap files beside the real
/// ones). Each file is capped in size and the number of files is capped.
enum PolicySetLoader {
    static let policiesFolder = "policies"
    static let testsFolder = "tests"
    static let extensions = ["yaml", "yml", "json"]
    static let maximumFileBytes = 1 << 20
    static let maximumFiles = 1000

    /// One parsed file.
    struct ParsedFile {
        /// Relative to the policies folder, for example `policies/files.yaml`.
        var relativePath: String
        /// As shown in diagnostics: the folder as given, joined with the relative path.
        var displayPath: String
        var root: SourceNode
    }

    /// The policy-file names of a subfolder, sorted; `nil` if the subfolder does not exist.
    static func fileNames(in directory: String, subfolder: String) throws(PolicyDiagnostic) -> [String]? {
        let folder = join(directory, subfolder)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else { return nil }
        guard isDirectory.boolValue else {
            throw PolicyDiagnostic(.unreadableFile, at: nil, "\(folder) is not a folder")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw PolicyDiagnostic(.unreadableFile, at: nil, "cannot list \(folder): \(error.localizedDescription)")
        }
        let selected = names.filter { name in
            !name.hasPrefix(".") && extensions.contains(where: { name.hasSuffix("." + $0) })
        }.sorted()
        guard selected.count <= maximumFiles else {
            throw PolicyDiagnostic(.tooManyFiles, at: nil, "\(folder) holds more than \(maximumFiles) policy files")
        }
        return selected
    }

    /// Reads and parses one file. The bytes are also returned (for change detection).
    static func parse(directory: String, relativePath: String) throws(PolicyDiagnostic) -> ParsedFile {
        let display = join(directory, relativePath)
        let start = SourceLocation(file: display, line: 1, column: 1)
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: display)
            guard attributes[.type] as? FileAttributeType == .typeRegular else {
                throw PolicyDiagnostic(.unreadableFile, at: start, "not a regular file")
            }
            if let size = attributes[.size] as? Int, size > maximumFileBytes {
                throw PolicyDiagnostic(
                    .fileTooLarge, at: start,
                    "the file is \(size) bytes; policy files are limited to \(maximumFileBytes)")
            }
            data = try Data(contentsOf: URL(fileURLWithPath: display))
        } catch let d as PolicyDiagnostic {
            throw d
        } catch {
            throw PolicyDiagnostic(.unreadableFile, at: start, "cannot read the file: \(error.localizedDescription)")
        }
        guard data.count <= maximumFileBytes else {
            throw PolicyDiagnostic(.fileTooLarge, at: start, "the file is larger than \(maximumFileBytes) bytes")
        }
        let bytes = [UInt8](data)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw PolicyDiagnostic(.notUTF8, at: start, "the file is not valid UTF-8")
        }
        let root: SourceNode
        if relativePath.hasSuffix(".json") {
            root = try JSONSourceReader.read(bytes, file: display)
        } else {
            if text.contains("\t") {
                if let (line, column) = firstTab(in: text) {
                    let location = SourceLocation(file: display, line: line, column: column)
                    if isIndentationTab(text, line: line) {
                        throw PolicyDiagnostic(.syntax, at: location, "tabs cannot indent YAML; use spaces")
                    }
                }
            }
            root = try YAMLSourceReader.read(text, file: display)
        }
        return ParsedFile(relativePath: relativePath, displayPath: display, root: root)
    }

    static func join(_ directory: String, _ relative: String) -> String {
        if directory.isEmpty || directory == "." { return relative }
        return directory.hasSuffix("/") ? directory + relative : directory + "/" + relative
    }

    private static func firstTab(in text: String) -> (Int, Int)? {
        var line = 1
        var column = 1
        for c in text.unicodeScalars {
            if c == "\t" { return (line, column) }
            if c == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return nil
    }

    private static func isIndentationTab(_ text: String, line: Int) -> Bool {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard line - 1 < lines.count else { return false }
        let l = lines[line - 1]
        return l.prefix(while: { $0 == " " || $0 == "\t" }).contains("\t")
    }
}
