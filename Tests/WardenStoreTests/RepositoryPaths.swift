import Foundation

/// Paths the tests read: the repository root (found from this file's location) and the shared data beside it.
enum RepositoryPaths {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` beside the repository: third-party vectors and corpora.
    static let shared: URL = root.deletingLastPathComponent().appendingPathComponent("shared")

    /// The folder holding the built binaries (`warden`, `warden-plugin`, `warden-launch`): the test bundle's own.
    static let binaries: URL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent()
}
