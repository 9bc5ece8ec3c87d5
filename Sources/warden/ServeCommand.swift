import ArgumentParser
import Foundation
import Logging
import WardenCore
import WardenHost

#if canImport(Glibc)
    import Glibc
#endif

/// `warden serve`: the long-lived kernel.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the kernel: supervise plugins, serve the control socket (and MCP on stdio with --stdio).")

    @OptionGroup var home: HomeOptions

    @Option(help: "The workspace folder the files and shell plugins work in.")
    var workspace: String = "workspace"

    @Flag(help: "Also be an MCP server on stdin/stdout (logs go to stderr).")
    var stdio = false

    @Option(help: "How often to look for changed plugin folders and grants, in milliseconds (0: never).")
    var watchInterval: Int = 1000

    @Option(help: ArgumentHelp(
        "How long an MCP call held for approval waits for the decision, in seconds, before it answers \"pending approval\".",
        valueName: "seconds"))
    var approvalWait: Int = 60

    func validate() throws {
        guard (0...86400).contains(approvalWait) else {
            throw ValidationError("--approval-wait must be between 0 and 86400 seconds, not \(approvalWait)")
        }
        guard watchInterval >= 0 else { throw ValidationError("--watch-interval must be 0 or more milliseconds") }
    }

    func run() async throws {
        let setup = try KernelSetup(home: home, workspace: workspace, logToStderr: true)
        let kernel = setup.kernel
        await setup.recover()
        let report = await kernel.reload()
        for problem in report.problems { setup.logger.error("\(problem)") }
        let socketPath = setup.paths.home + "/control.sock"
        let control = try ControlServer(kernel: kernel, path: socketPath, logger: setup.logger)
        control.start()
        let watcher = Task {
            guard watchInterval > 0 else { return }
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(watchInterval))
                await kernel.reload()
            }
        }
        if stdio {
            await StdioGateway(kernel: kernel, approvalWait: .seconds(approvalWait)).run()
        } else {
            printBanner(socketPath: socketPath, plugins: await kernel.plugins(start: false))
            await waitForSignal()
        }
        watcher.cancel()
        setup.logger.info("shutting down")
        await kernel.shutdown()
        control.close()
        try await setup.close()
    }

    func printBanner(socketPath: String, plugins: [PluginStatus]) {
        let names = plugins.map { "\($0.name) (\($0.kind), \($0.state))" }.joined(separator: ", ")
        let exe = CommandLine.arguments[0]
        FileHandle.standardOutput.write(Data("""
            Warden kernel is running. Control socket: \(socketPath)
            Plugins: \(names.isEmpty ? "none" : names)

            In another terminal:
              \(exe) plugins list
              \(exe) call files.list --args '{}'
              \(exe) call time.get_current_time --args '{"timezone": "UTC"}'

            Point an MCP client at Warden (stdio server), for example:
              {"mcpServers": {"warden": {"command": "\(exe)", "args": ["serve", "--stdio", "--home", "\(home.resolved.home)-mcp", "--plugins", "\(home.resolved.plugins)", "--policies", "\(home.resolved.policies)", "--workspace", "\(HomeOptions.absolute(workspace))"]}}}

            Stop with Ctrl-C.

            """.utf8))
    }

    func waitForSignal() async {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let queue = DispatchQueue(label: "warden.signals")
            let sources = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0, queue: queue) }
            let once = OnceFlag()
            for source in sources {
                source.setEventHandler {
                    if once.claim() { continuation.resume() }
                }
                source.resume()
            }
            SignalSources.keep(sources)
        }
    }
}

/// Keeps signal sources alive for the process's lifetime.
enum SignalSources {
    nonisolated(unsafe) static var kept: [any DispatchSourceSignal] = []  // written once, before any signal
    static func keep(_ s: [any DispatchSourceSignal]) { kept = s }
}

/// A flag that can be claimed once, from any thread.
final class OnceFlag: @unchecked Sendable {  // guarded by the lock below
    private let lock = NSLock()
    private var claimed = false
    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if claimed { return false }
        claimed = true
        return true
    }
}
