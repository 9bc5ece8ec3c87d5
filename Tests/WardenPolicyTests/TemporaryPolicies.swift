import Foundation

@testable import WardenPolicy

/// A policies folder in a fresh temporary directory, removed when the value is dropped.
final class TemporaryPolicies {
    let path: String

    /// - Parameter files: relative path (`policies/a.yaml`, `tests/a.yaml`) → content.
    init(_ files: [String: String] = [:]) throws {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("warden-policy-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path + "/policies", withIntermediateDirectories: true)
        for (name, content) in files { try write(name, content) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ name: String, _ content: String) throws {
        try write(name, Data(content.utf8))
    }

    func write(_ name: String, _ data: Data) throws {
        let url = URL(fileURLWithPath: path + "/" + name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    func remove(_ name: String) throws {
        try FileManager.default.removeItem(atPath: path + "/" + name)
    }

    /// The display path of a file, as diagnostics name it.
    func file(_ name: String) -> String { path + "/" + name }

    /// The diagnostics of loading the folder, or an empty list when it loads.
    func diagnostics() -> [PolicyDiagnostic] {
        do {
            _ = try PolicySet.load(directory: path)
            return []
        } catch {
            return error.diagnostics
        }
    }
}

/// A policy file with one rule around the given YAML lines (indented as rule members).
func oneRule(_ body: String, id: String = "r1", effect: String = "allow", tools: String = "[files.read]") -> String {
    """
    version: 1
    rules:
      - id: \(id)
        description: A rule.
        effect: \(effect)
        match:
          tools: \(tools)
    \(body.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
    """
}
