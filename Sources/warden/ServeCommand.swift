import ArgumentParser
import Foundation
import Logging
import Synchronization
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

    @Option(help: ArgumentHelp(
        "How long tool listings wait, from the first, for tool plugins still starting, in seconds; later ones are announced as tool-list changes.",
        valueName: "seconds"))
    var toolListWait: Int = 10

    func validate() throws {
        guard (0...86400).contains(approvalWait) else {
            throw ValidationError("--approval-wait must be between 0 and 86400 seconds, not \(approvalWait)")
        }
        guard watchInterval >= 0 else { throw ValidationError("--watch-interval must be 0 or more milliseconds") }
        guard (0...600).contains(toolListWait) else {
            throw ValidationError("--tool-list-wait must be between 0 and 600 seconds, not \(toolListWait)")
        }
    }

    func run() async throws {
        // SIGINT and SIGTERM are caught from the start: one arriving while the plugins start still shuts down cleanly
        // (final checkpoint, plugins stopped) instead of being lost between the default action and the handler.
        let stop = StopSignal()
        // A command that holds the log for a moment (`warden approvals` with no kernel running) does not stop the
        // kernel from starting: it waits up to 10 s for the lock.
        let setup = try KernelSetup(
            home: home, workspace: workspace, logToStderr: true, writerLockWait: 10,
            toolListWait: .seconds(toolListWait))
        let kernel = setup.kernel
        let began = ContinuousClock.now
        await setup.recover()
        // The control socket is bound first, so that commands started meanwhile connect and wait in its backlog;
        // it is served once the plugins are registered and the policy, rule and detector plugins are up.
        let socketPath = setup.paths.home + "/control.sock"
        let control = try ControlServer(kernel: kernel, path: socketPath, logger: setup.logger)
        let report = await kernel.reload()
        for problem in report.problems { setup.logger.error("\(problem)") }
        control.start()
        // Tool plugins start side by side, so that the first call does not wait for one; an MCP client on stdio
        // is served meanwhile.
        let warm = Task {
            let plugins = await kernel.plugins(start: true)
            setup.logger.info("ready", metadata: [
                "plugins": "\(plugins.filter { $0.state == "ready" }.count) of \(plugins.count) ready",
                "ms": "\(Int((ContinuousClock.now - began) / .milliseconds(1)))",
            ])
            return plugins
        }
        let watcher = Task {
            guard watchInterval > 0 else { return }
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(watchInterval))
                await kernel.reload()
            }
        }
        if stdio {
            // Until the client closes stdin (answers in flight are drained first), or a signal.
            let wait = approvalWait
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let once = Mutex(false)
                let finish: @Sendable () -> Void = {
                    if once.withLock({ let first = !$0; $0 = true; return first }) { done.resume() }
                }
                Task {
                    await StdioGateway(kernel: kernel, approvalWait: .seconds(wait)).run()
                    finish()
                }
                Task {
                    await stop.wait()
                    finish()
                }
            }
        } else {
            printBanner(socketPath: socketPath, plugins: await warm.value)
            await stop.wait()
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
        StandardStreams.out("""
            Warden kernel is running. Control socket: \(socketPath)
            Plugins: \(names.isEmpty ? "none" : names)

            In another terminal:
              \(exe) plugins list
              \(exe) call files.list --args '{}'
              \(exe) call time.get_current_time --args '{"timezone": "UTC"}'

            Point an MCP client at Warden (stdio server), for example:
              {"mcpServers": {"warden": {"command": "\(exe)", "args": ["serve", "--stdio", "--home", "\(home.resolved.home)-mcp", "--plugins", "\(home.resolved.plugins)", "--policies", "\(home.resolved.policies)", "--workspace", "\(HomeOptions.absolute(workspace))"]}}}

            Stop with Ctrl-C.

            """)
    }
}

/// SIGINT and SIGTERM as something to await. Installed once, early; a signal that came before ``wait()`` is
/// not lost.
final class StopSignal: Sendable {
    private let state = Mutex<(fired: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    /// Written once in `init`, then only kept alive.
    nonisolated(unsafe) private var sources: [any DispatchSourceSignal] = []

    init() {
        let queue = DispatchQueue(label: "warden.signals")
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        sources = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0, queue: queue) }
        for source in sources {
            source.setEventHandler { [self] in
                let waiters = state.withLock { s in
                    s.fired = true
                    defer { s.waiters = [] }
                    return s.waiters
                }
                for w in waiters { w.resume() }
            }
            source.resume()
        }
    }

    /// Returns once SIGINT or SIGTERM has come (at once if one already has).
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s in
                if s.fired { return true }
                s.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}
