import ArgumentParser
import Foundation

/// Where Warden finds its plugins, its policies and its state. Every command takes these.
struct HomeOptions: ParsableArguments {
    @Option(name: .long, help: "The plugins folder.")
    var plugins: String = "Plugins"

    @Option(name: .long, help: "The policies folder (policies, grants, approvers).")
    var policies: String = "Policies"

    @Option(name: .long, help: "The state folder (log, keys, control socket).")
    var home: String = ".warden"

    /// The folders as absolute, standardized paths.
    var resolved: (plugins: String, policies: String, home: String) {
        (Self.absolute(plugins), Self.absolute(policies), Self.absolute(home))
    }

    static func absolute(_ path: String) -> String {
        let url = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        return url.standardizedFileURL.path
    }
}
