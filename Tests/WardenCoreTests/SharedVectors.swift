import Foundation
import Testing

/// The shared test vectors beside the repository (`<repo>/../shared/vectors`). Absent vectors fail the tests.
enum SharedVectors {
    struct Missing: Error, CustomStringConvertible {
        var path: String
        var description: String {
            "the shared test vectors are missing at \(path): they sit beside the repository, in ../shared/vectors"
        }
    }

    /// `<repo>/../shared/vectors`, or an error naming where it looked.
    static func directory() throws -> URL {
        let vectors = RepositoryPaths.shared.appendingPathComponent("vectors").standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: vectors.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw Missing(path: vectors.path)
        }
        return vectors
    }

    /// Every `.json` file under `sub`, sorted.
    static func jsonFiles(under sub: String) throws -> [URL] {
        let root = try directory().appendingPathComponent(sub)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw Missing(path: root.path)
        }
        var files: [URL] = []
        for case let url as URL in walker where url.pathExtension == "json" { files.append(url) }
        return files.sorted { $0.path < $1.path }
    }
}
