import Foundation
import Logging
import WardenCore
import WardenPosix

/// What the kernel knows about a started plugin process, recorded in every envelope of a call to it.
public struct LaunchedPlugin: Sendable {
    public var process: ConfinedProcess
    /// SHA-256 of the launcher spec as sent.
    public var specDigest: String
    /// The Landlock ABI the launcher actually enforced (0 when none).
    public var landlockABI: Int
    /// SHA-256 of the executable that was started.
    public var binaryDigest: String
}

/// Starts one plugin confined, given its manifest; injected so tests can count or fault launches.
public typealias PluginLauncher = @Sendable (PluginManifest) throws -> LaunchedPlugin

/// Supervises one plugin: starts it through the launcher, handshakes, restarts it with backoff after a
/// crash, opens the circuit after repeated crashes, stops it politely then firmly.
public actor PluginRunner {
    public let manifest: PluginManifest
    let launcher: PluginLauncher
    let logger: Logger
    let events: @Sendable (String, JSONValue) -> Void
    let lifecycleRecords: @Sendable (PluginLifecycleRecord) -> Void
    public private(set) var lifecycle = PluginLifecycle()
    public private(set) var client: MCPClient?
    public private(set) var tools: [JSONValue] = []
    /// Whether a tool-list fetch runs, and whether another announcement came meanwhile (see ``refreshTools()``).
    var refreshing = false
    var refreshAgain = false
    var lastRefresh: ContinuousClock.Instant?
    public private(set) var launched: LaunchedPlugin?
    /// The last lines the plugin wrote to stderr before it last exited (for the operator; see `PluginConnection`).
    public private(set) var lastStderr: [String] = []
    /// Why tools of its last list were withheld (see ``ToolList``).
    public private(set) var toolProblems: [String] = []
    var waiters: [CheckedContinuation<Void, Never>] = []
    /// Era learned from the first handshake; later restarts skip the probe when it was legacy.
    var knownLegacy = false

    public init(
        manifest: PluginManifest, launcher: @escaping PluginLauncher, logger: Logger,
        events: @escaping @Sendable (String, JSONValue) -> Void = { _, _ in },
        lifecycleRecords: @escaping @Sendable (PluginLifecycleRecord) -> Void = { _ in }
    ) {
        self.lifecycleRecords = lifecycleRecords
        self.manifest = manifest
        self.launcher = launcher
        self.logger = logger
        self.events = events
    }

    var timeout: Duration { .milliseconds(manifest.limits.timeoutMS) }

    /// The plugin's MCP client, starting the plugin first if needed.
    /// - Throws: ``PluginCallError/unavailable(_:)`` when it cannot be started or its circuit is open.
    public func ready() async throws(PluginCallError) -> MCPClient {
        for _ in 0..<3 {
            switch lifecycle.state {
            case .ready:
                if let client { return client }
            case .stopped, .backoff:
                await perform(lifecycle.handle(.start))
            case .starting:
                await withCheckedContinuation { waiters.append($0) }
            case .failed(let why):
                throw .unavailable(why)
            case .circuitOpen(let why):
                throw .unavailable("circuit open after repeated crashes (\(why)); run `warden plugins reload`")
            case .stopping:
                throw .unavailable("the plugin is stopping")
            }
        }
        if let client, lifecycle.state == .ready { return client }
        throw .unavailable(lifecycle.lastError ?? "the plugin did not start")
    }

    /// Stops the plugin (stdin closed, then SIGTERM, then SIGKILL).
    public func stop() async {
        await perform(lifecycle.handle(.stop))
    }

    /// Clears a failed or open-circuit state and starts again.
    public func reset() async {
        await perform(lifecycle.handle(.reset))
    }

    func perform(_ action: PluginLifecycle.Action) async {
        switch action {
        case .none:
            break
        case .launch:
            await launch()
        case .scheduleRestart(let delay):
            logger.warning(
                "plugin crashed; restarting",
                metadata: [
                    "plugin.name": "\(manifest.name)", "delay": "\(delay)", "reason": "\(lifecycle.lastError ?? "")",
                ])
            Task { [weak self] in
                try? await Task.sleep(for: delay)
                await self?.restartIfBackingOff()
            }
        case .terminate:
            let connection = client?.connection
            client = nil
            if let connection { await connection.shutdown() }
            _ = lifecycle.handle(.stoppedCleanly)
            record(.stopped, reason: "stop requested")
        }
    }

    func restartIfBackingOff() async {
        if case .backoff = lifecycle.state { await perform(lifecycle.handle(.start)) }
    }

    func launch() async {
        defer {
            let w = waiters
            waiters.removeAll()
            for waiter in w { waiter.resume() }
        }
        do {
            let started = try await startProcess(probe: !knownLegacy)
            client = started
            _ = lifecycle.handle(.started)
            record(.started, reason: "MCP \(started.handshake.protocolVersion), \(tools.count) tools")
        } catch let refusal as LaunchRefusal {
            _ = lifecycle.handle(.refused(refusal.reason))
            record(.refused, reason: refusal.reason)
            logger.error(
                "plugin not started", metadata: ["plugin.name": "\(manifest.name)", "reason": "\(refusal.reason)"])
        } catch {
            let why = "\(error)"
            await perform(lifecycle.handle(.crashed(why, at: .now)))
            record(lifecycleEvent, reason: "start failed: \(why)")
        }
    }

    /// A start refused for a reason a restart cannot fix.
    public struct LaunchRefusal: Error, CustomStringConvertible {
        public var reason: String
        public init(_ reason: String) { self.reason = reason }
        public var description: String { reason }
    }

    func startProcess(probe: Bool) async throws -> MCPClient {
        let launched = try launcher(manifest)
        self.launched = launched
        let connection = makeConnection(launched)
        do {
            let client: MCPClient
            if probe {
                do {
                    client = try await MCPClient.connect(connection, timeout: timeout, probeTimeout: .seconds(2))
                } catch let unanswered as MCPClient.ProbeUnanswered {
                    // No answer to the probe: the spec says restart and use the legacy handshake.
                    logger.info(
                        "plugin did not answer server/discover; starting it again with initialize",
                        metadata: ["plugin.name": "\(manifest.name)", "reason": "\(unanswered.reason)"])
                    await connection.shutdown(grace: .milliseconds(100))
                    knownLegacy = true
                    return try await startProcess(probe: false)
                }
            } else {
                client = try await MCPClient.legacyHandshake(connection, timeout: timeout)
            }
            knownLegacy = !client.handshake.isModern
            if manifest.kind == .tool {
                let list = try await client.listTools()
                tools = list.tools
                withheldTools(list.problems)
            }
            return client
        } catch {
            await connection.shutdown(grace: .milliseconds(100))
            lastStderr = connection.lastStderrLines
            throw error
        }
    }

    /// Fetches the tool list again after the plugin announced a change, and records what changed: tools added,
    /// removed, and redefined (their definition's digest differs). A plugin that is not ready, or whose new list
    /// cannot be fetched, keeps the list it had. Announcements made while a fetch runs make one more fetch, not one
    /// each, and fetches are at least ``refreshInterval`` apart: a plugin announcing without end cannot flood
    /// itself with requests, the log with records, or the gateways' clients with announcements.
    /// - Parameter changed: called after each fetch that changed the list.
    func refreshTools(changed: @Sendable () -> Void = {}) async {
        guard !refreshing else {
            refreshAgain = true
            return
        }
        refreshing = true
        defer { refreshing = false }
        repeat {
            refreshAgain = false
            if let last = lastRefresh, ContinuousClock.now < last + Self.refreshInterval {
                try? await Task.sleep(until: last + Self.refreshInterval)
            }
            lastRefresh = .now
            if await refreshToolsOnce() { changed() }
        } while refreshAgain
    }

    static let refreshInterval: Duration = .seconds(1)

    private func refreshToolsOnce() async -> Bool {
        guard manifest.kind == .tool, lifecycle.state == .ready, let client else { return false }
        let fresh: [JSONValue]
        do {
            let list = try await client.listTools()
            fresh = list.tools
            withheldTools(list.problems)
        } catch {
            logger.warning(
                "plugin announced new tools but they could not be listed",
                metadata: ["plugin.name": "\(manifest.name)", "error": "\(error)"])
            return false
        }
        func digests(_ list: [JSONValue]) -> [String: String] {
            Dictionary(
                list.compactMap { t in t["name"]?.stringValue.map { ($0, Kernel.digest(t)) } },
                uniquingKeysWith: { first, _ in first })
        }
        let before = digests(tools)
        let after = digests(fresh)
        let added = after.keys.filter { before[$0] == nil }.sorted()
        let removed = before.keys.filter { after[$0] == nil }.sorted()
        let redefined = after.keys.filter { before[$0] != nil && before[$0] != after[$0] }.sorted()
        tools = fresh
        guard !(added.isEmpty && removed.isEmpty && redefined.isEmpty) else { return false }
        var parts: [String] = []
        if !added.isEmpty { parts.append("added " + added.joined(separator: ", ")) }
        if !removed.isEmpty { parts.append("removed " + removed.joined(separator: ", ")) }
        if !redefined.isEmpty { parts.append("redefined " + redefined.joined(separator: ", ")) }
        record(.toolsChanged, reason: parts.joined(separator: "; "))
        return true
    }

    func withheldTools(_ problems: [String]) {
        if !problems.isEmpty && problems != toolProblems {
            for problem in problems { logger.warning("\(problem)", metadata: ["plugin.name": "\(manifest.name)"]) }
        }
        toolProblems = problems
    }

    func makeConnection(_ launched: LaunchedPlugin) -> PluginConnection {
        let name = manifest.name
        let events = self.events
        return PluginConnection(
            name: name, process: launched.process, frameCap: Int(manifest.limits.frameKB) * 1024, logger: logger,
            onNotification: { method, params in
                events(method, params ?? .null)
            },
            onExit: { [weak self] reason, stderrTail in
                Task { await self?.exited(pid: launched.process.pid, reason: reason, stderrTail: stderrTail) }
            })
    }

    func exited(pid: pid_t, reason: String, stderrTail: [String] = []) async {
        guard launched?.process.pid == pid else { return }
        lastStderr = stderrTail
        switch lifecycle.state {
        case .ready:
            // Not while starting: an exit then fails the handshake, and `launch()` records that failure once (the
            // probe's own exit is not even one: the plugin is started again with `initialize`).
            client = nil
            record(.crashed, reason: reason)
            await perform(lifecycle.handle(.crashed(reason, at: .now)))
            if lifecycle.state != .stopped { record(lifecycleEvent, reason: reason) }
        default:
            break
        }
    }

    /// After a crash: restarting (with the attempt), or circuit open.
    var lifecycleEvent: PluginLifecycleRecord.Event {
        if case .circuitOpen = lifecycle.state { return .circuitOpen }
        return .restarting
    }

    func record(_ event: PluginLifecycleRecord.Event, reason: String?) {
        var attempt: Int?
        if case .backoff(_, let n) = lifecycle.state { attempt = n }
        lifecycleRecords(
            PluginLifecycleRecord(
                event: event, plugin: manifest.name, version: manifest.version, kind: manifest.kind,
                manifestDigest: "sha256:" + manifest.digest, binaryDigest: launched.map { "sha256:" + $0.binaryDigest },
                sandboxSpecDigest: launched?.specDigest, landlockABI: launched?.landlockABI,
                pid: launched.map { Int($0.process.pid) }, attempt: attempt, reason: reason, time: Date()))
    }
}
