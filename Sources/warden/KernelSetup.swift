import Foundation
import Logging
import WardenCore
import WardenHost
import WardenPosix
import WardenStore

/// Everything a command needs to run a kernel in this process: the folders, the log, the launcher.
struct KernelSetup {
    let paths: (plugins: String, policies: String, home: String)
    let workspace: String
    let logger: Logger
    let kernel: Kernel
    let log: SQLiteLogStore

    /// - Throws: ``CLIError`` when a folder cannot be made or the launcher is missing.
    /// `writerLockWait`: how long to wait for the log's writer lock while another process holds it (seconds).
    /// `toolListWait`: how long tool listings wait for tool plugins still starting (see `Kernel.tools`).
    init(
        home options: HomeOptions, workspace: String, logToStderr: Bool, createWorkspace: Bool = true,
        writerLockWait: TimeInterval = 0, toolListWait: Duration = .seconds(10)
    ) throws {
        // A plugin that dies while we write to it must not take the kernel with it: EPIPE, not SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        paths = options.resolved
        self.workspace = HomeOptions.absolute(workspace)
        var logger = Logger(label: "warden")
        logger.logLevel = logToStderr ? .info : .warning
        self.logger = logger
        let fm = FileManager.default
        for folder in [paths.home] + (createWorkspace ? [self.workspace] : []) where !fm.fileExists(atPath: folder) {
            do {
                try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw CLIError("cannot create \(folder): \(error.localizedDescription)")
            }
            // Under a root host, plugins run as the unprivileged id 65534: a workspace made here is theirs to write.
            if folder == self.workspace && getuid() == 0 { chown(folder, 65534, 65534) }
        }
        chmod(paths.home, 0o700)
        for (folder, role) in [(self.workspace, "workspace"), (paths.plugins, "plugins folder"),
            (paths.policies, "policies folder")]
        {
            if let problem = FolderReach.problem(reaching: folder, role: role) { logger.error("\(problem)") }
        }
        let launcherPath: String
        do {
            launcherPath = try Launcher.locate()
        } catch {
            throw CLIError("\(error)")
        }
        // What the kernel can enforce, against what the operator demands; a shortfall refuses every plugin.
        let unmet: [String]
        do {
            let requirements = try SandboxPolicy.load(policiesFolder: paths.policies)
            unmet = requirements.unmet(by: try Launcher.probe(launcher: launcherPath))
        } catch let issues as ConfigIssues {
            unmet = issues.issues.map(\.description)
        } catch {
            unmet = ["the launcher's probe failed: \(error)"]
        }
        for problem in unmet { logger.error("\(problem)") }
        let builder = SpecBuilder(
            workspace: self.workspace, policies: paths.policies,
            runtimeLibraryFolders: SpecBuilder.loadedSwiftRuntimeFolders())
        let confined = ConfinedLauncher(launcherPath: launcherPath, builder: builder, unmetRequirements: unmet)
        // The signed log (and on first start the host key): every call and lifecycle event is recorded.
        do {
            var logOptions = LogOptions()
            logOptions.writerLockWait = writerLockWait
            log = try SQLiteLogStore.open(home: paths.home, options: logOptions).store
        } catch {
            throw CLIError("cannot open the log in \(paths.home): \(error)")
        }
        // The approval queue, in the same database: held calls survive restarts.
        let approvals: ApprovalQueue
        do {
            approvals = ApprovalQueue(
                store: try SQLiteApprovalStore(sharing: log), audit: log, policiesFolder: paths.policies,
                logger: logger)
        } catch {
            throw CLIError("cannot open the approval queue in \(paths.home): \(error)")
        }
        kernel = Kernel(
            configuration: KernelConfiguration(
                pluginsFolder: paths.plugins, policiesFolder: paths.policies, home: paths.home,
                workspace: self.workspace, toolListWait: toolListWait),
            logger: logger, audit: log, launcherFactory: { confined.launcher(grants: $0) }, approvals: approvals)
    }

    /// Before the first call: approved calls cut off by an earlier stop are marked interrupted (never re-run),
    /// overdue requests expire.
    func recover() async {
        await kernel.approvals?.recover()
    }

    /// Writes the final checkpoint and closes the log.
    func close() async throws {
        try await log.close()
    }
}
