import Foundation
import Logging
import WardenCore
import WardenHost
import WardenPosix

/// Everything a command needs to run a kernel in this process: the folders, the log, the launcher.
struct KernelSetup {
    let paths: (plugins: String, policies: String, home: String)
    let workspace: String
    let logger: Logger
    let kernel: Kernel

    /// - Throws: ``CLIError`` when a folder cannot be made or the launcher is missing.
    init(home options: HomeOptions, workspace: String, logToStderr: Bool) throws {
        paths = options.resolved
        self.workspace = HomeOptions.absolute(workspace)
        var logger = Logger(label: "warden")
        logger.logLevel = logToStderr ? .info : .warning
        self.logger = logger
        let fm = FileManager.default
        for folder in [paths.home, self.workspace] where !fm.fileExists(atPath: folder) {
            do {
                try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw CLIError("cannot create \(folder): \(error.localizedDescription)")
            }
        }
        chmod(paths.home, 0o700)
        let launcherPath: String
        do {
            launcherPath = try Launcher.locate()
        } catch {
            throw CLIError("\(error)")
        }
        let confined = ConfinedLauncher(launcherPath: launcherPath, builder: SpecBuilder(workspace: self.workspace, policies: paths.policies))
        kernel = Kernel(
            configuration: KernelConfiguration(
                pluginsFolder: paths.plugins, policiesFolder: paths.policies, home: paths.home,
                workspace: self.workspace),
            logger: logger, audit: nil, launcherFactory: { confined.launcher(grants: $0) })
    }

    /// Flushes and closes the log.
    func close() async throws {}
}
