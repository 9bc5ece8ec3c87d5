import Crypto
import Foundation
import Logging
import Synchronization
import WardenCore
import WardenStore

/// Where the kernel finds things.
public struct KernelConfiguration: Sendable {
    public var pluginsFolder: String
    public var policiesFolder: String
    public var home: String
    public var workspace: String
    /// How long tool listings wait, from the first one, for tool plugins still starting (see `Kernel.tools`).
    public var toolListWait: Duration
    public init(
        pluginsFolder: String, policiesFolder: String, home: String, workspace: String,
        toolListWait: Duration = .seconds(10)
    ) {
        self.pluginsFolder = pluginsFolder
        self.policiesFolder = policiesFolder
        self.home = home
        self.workspace = workspace
        self.toolListWait = toolListWait
    }
}

/// One plugin as the kernel lists it.
public struct PluginStatus: Sendable {
    public var name: String
    public var kind: String
    public var version: String
    public var state: String
    public var tools: [String]
    public var capabilities: Capabilities
    public var digest: String
    public var problems: [String]

    public var json: JSONValue {
        [
            "name": .string(name), "kind": .string(kind), "version": .string(version), "state": .string(state),
            "tools": .array(tools.map { .string($0) }), "digest": .string(digest),
            "problems": .array(problems.map { .string($0) }),
            "capabilities": [
                "read": .array(capabilities.read.map { .string($0) }),
                "write": .array(capabilities.write.map { .string($0) }),
                "network": .string(capabilities.network.rawValue), "spawn": .bool(capabilities.spawn),
                "env": .array(capabilities.env.map { .string($0) }),
            ],
        ]
    }
}

/// Which running call a plugin's progress notification belongs to.
struct ProgressRoute: Hashable {
    var plugin: String
    var token: String
}

/// Where a call's progress goes: the caller's token, and the caller's channel.
struct ProgressDestination: Sendable {
    var callerToken: JSONValue
    var send: @Sendable (JSONValue) -> Void
}

/// The kernel: finds plugins, supervises them, and runs every tool call through the pipeline of DESIGN.md.
public final class Kernel: Sendable {
    public let configuration: KernelConfiguration
    let logger: Logger
    let launcherFactory: @Sendable (Grants) -> PluginLauncher
    let audit: (any LogWriting)?
    /// Progress notifications a plugin may send, by plugin and by the token the kernel gave that call: where
    /// each goes, under the caller's own token. Tokens are the kernel's, so a plugin cannot speak for another call.
    let progressRoutes = Mutex<[ProgressRoute: ProgressDestination]>([:])
    /// The last lifecycle record being appended (each waits for the one before).
    let lifecycleTail = Mutex<Task<Void, Never>?>(nil)
    /// Where held calls wait for people; without one, a call that needs approval is refused.
    public let approvals: ApprovalQueue?

    struct Registry {
        var runners: [String: PluginRunner] = [:]
        var problems: [String: DiscoveredPlugin] = [:]
        var grants = Grants()
        var grantProblems: [String] = []
    }
    let registry = Mutex(Registry())
    /// See ``observeToolList(_:)``.
    let toolListObservers = Mutex(ToolListObservers())
    /// When the first tool listing was asked for (see ``tools(waitingAtMost:)``).
    let firstListing = Mutex<ContinuousClock.Instant?>(nil)
    /// Tool plugins a listing went without because they were not ready: their start is a tool-list change.
    let unlisted = Mutex<Set<String>>([])

    public init(
        configuration: KernelConfiguration, logger: Logger, audit: (any LogWriting)?,
        launcherFactory: @escaping @Sendable (Grants) -> PluginLauncher, approvals: ApprovalQueue? = nil
    ) {
        self.approvals = approvals
        self.configuration = configuration
        self.logger = logger
        self.audit = audit
        self.launcherFactory = launcherFactory
    }

    // MARK: Discovery

    /// What a reload changed.
    public struct ReloadReport: Sendable {
        public var added: [String] = []
        public var changed: [String] = []
        public var removed: [String] = []
        public var problems: [String] = []
    }

    /// Scans the plugins folder and the grants: starts new plugins lazily, restarts changed ones (a changed
    /// manifest digest re-verifies), stops removed ones. A bad grants file keeps the previous grants.
    @discardableResult
    public func reload() async -> ReloadReport {
        var report = ReloadReport()
        var grantProblems: [String] = []
        let grants: Grants
        do {
            grants = try Grants.load(policiesFolder: configuration.policiesFolder)
        } catch {
            grantProblems = error.issues.map(\.description)
            grants = registry.withLock { $0.grants }
            report.problems += grantProblems
        }
        let found = PluginDirectory.scan(configuration.pluginsFolder)
        let launcher = launcherFactory(grants)
        var toStop: [PluginRunner] = []
        var toStart: [PluginRunner] = []
        var toolsTouched = false
        registry.withLock { r in
            let grantsChanged = r.grants.byPlugin != grants.byPlugin
            r.grants = grants
            r.grantProblems = grantProblems
            r.problems = [:]
            var seen = Set<String>()
            for plugin in found {
                seen.insert(plugin.name)
                guard let manifest = plugin.manifest else {
                    r.problems[plugin.name] = plugin
                    report.problems += plugin.issues.map(\.description)
                    if let old = r.runners.removeValue(forKey: plugin.name) {
                        toStop.append(old)
                        toolsTouched = toolsTouched || old.manifest.kind == .tool
                    }
                    continue
                }
                if let old = r.runners[plugin.name] {
                    if old.manifest == manifest && !grantsChanged { continue }
                    toStop.append(old)
                    report.changed.append(plugin.name)
                    toolsTouched = toolsTouched || old.manifest.kind == .tool
                } else {
                    report.added.append(plugin.name)
                }
                toolsTouched = toolsTouched || manifest.kind == .tool
                let runner = PluginRunner(
                    manifest: manifest, launcher: launcher, logger: logger,
                    events: { [weak self, name = plugin.name] method, params in
                        self?.pluginEvent(plugin: name, method, params)
                    },
                    lifecycleRecords: { [weak self] record in self?.recordLifecycle(record) })
                r.runners[plugin.name] = runner
                if manifest.kind != .tool { toStart.append(runner) }
            }
            for name in r.runners.keys where !seen.contains(name) {
                let old = r.runners.removeValue(forKey: name)!
                toStop.append(old)
                report.removed.append(name)
                toolsTouched = toolsTouched || old.manifest.kind == .tool
            }
        }
        for runner in toStop { await runner.stop() }
        if toolsTouched { toolListChanged() }
        // Policies, rules and detectors sit on every call's path: start them now rather than on the first call.
        await withTaskGroup(of: Void.self) { group in
            for runner in toStart { group.addTask { _ = try? await runner.ready() } }
        }
        if !(report.added.isEmpty && report.changed.isEmpty && report.removed.isEmpty) {
            logger.info("plugins reloaded", metadata: [
                "added": "\(report.added)", "changed": "\(report.changed)", "removed": "\(report.removed)",
            ])
        }
        return report
    }

    /// Lifecycle events go to the log as they happen, in order; a failed append is logged, never fatal to the
    /// plugin. ``shutdown()`` waits for the last one, so the plugins' "stopped" events are in the log before it
    /// closes. A tool plugin's start is also a tool-list change.
    func recordLifecycle(_ record: PluginLifecycleRecord) {
        // A tool plugin that a listing went without has started: its tools are new to whoever listed.
        if record.event == .started && record.kind == .tool && unlisted.withLock({ $0.remove(record.plugin) != nil }) {
            toolListChanged()
        }
        guard let audit else { return }
        let logger = self.logger
        lifecycleTail.withLock { tail in
            let previous = tail
            tail = Task {
                await previous?.value
                do {
                    _ = try await audit.append(record)
                } catch {
                    logger.error("cannot record a plugin lifecycle event", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// A notification from a plugin. Progress goes to the call it belongs to (see ``progressRoutes``), with only the
    /// members MCP defines; a tool plugin's new tool list is fetched and recorded; anything else a plugin sends
    /// unasked is dropped.
    func pluginEvent(plugin: String, _ method: String, _ params: JSONValue) {
        if method == "notifications/tools/list_changed" {
            Task { [weak self] in
                guard let kernel = self else { return }
                await kernel.runner(named: plugin)?.refreshTools { [weak kernel] in kernel?.toolListChanged() }
            }
            return
        }
        guard method == "notifications/progress", let token = params["progressToken"]?.stringValue,
            let progress = params["progress"], progress.doubleValue != nil
        else { return }
        guard let destination = progressRoutes.withLock({ $0[ProgressRoute(plugin: plugin, token: token)] }) else {
            return
        }
        var out: [String: JSONValue] = ["progressToken": destination.callerToken, "progress": progress]
        if let total = params["total"], total.doubleValue != nil { out["total"] = total }
        if let message = params["message"]?.stringValue { out["message"] = .string(String(message.prefix(1000))) }
        destination.send(.object(out))
    }

    func runners(kind: PluginKind) -> [PluginRunner] {
        registry.withLock { r in r.runners.values.filter { $0.manifest.kind == kind }.sorted { $0.manifest.name < $1.manifest.name } }
    }

    func runner(named name: String) -> PluginRunner? { registry.withLock { $0.runners[name] } }

    /// Stops every plugin.
    public func shutdown() async {
        let all = registry.withLock { Array($0.runners.values) }
        await withTaskGroup(of: Void.self) { group in
            for runner in all { group.addTask { await runner.stop() } }
        }
        await lifecycleTail.withLock { $0 }?.value
    }

    // MARK: Listing

    /// Every plugin, with problems for the ones that could not be loaded; starts tool plugins to list tools
    /// when `start` is true.
    public func plugins(start: Bool) async -> [PluginStatus] {
        let (runners, problems, grantProblems) = registry.withLock { r in
            (Array(r.runners.values), Array(r.problems.values), r.grantProblems)
        }
        if start {
            await withTaskGroup(of: Void.self) { group in
                for runner in runners { group.addTask { _ = try? await runner.ready() } }
            }
        }
        var out: [PluginStatus] = []
        for runner in runners {
            let m = runner.manifest
            let lifecycle = await runner.lifecycle
            var issues = grantProblems + (await runner.toolProblems)
            if let e = lifecycle.lastError, lifecycle.state != .ready {
                issues.append(e)
                issues += await runner.lastStderr.map { "its stderr: \($0)" }
            }
            out.append(PluginStatus(
                name: m.name, kind: m.kind.rawValue, version: m.version, state: lifecycle.word,
                tools: await runner.tools.compactMap { $0["name"]?.stringValue.map { "\(m.name).\($0)" } },
                capabilities: m.capabilities, digest: m.digest, problems: issues))
        }
        for p in problems {
            out.append(PluginStatus(
                name: p.name, kind: p.manifest?.kind.rawValue ?? "?", version: p.manifest?.version ?? "?",
                state: "invalid", tools: [], capabilities: Capabilities(), digest: "",
                problems: p.issues.map(\.description)))
        }
        return out.sorted { $0.name < $1.name }
    }

    /// Sends `method` (`policy/reload`, `policy/status`) to every policy plugin: each answer, or its error.
    public func askPolicies(_ method: String) async -> [JSONValue] {
        var out: [JSONValue] = []
        for runner in runners(kind: .policy) {
            let name = JSONValue.string(runner.manifest.name)
            do {
                let answer = try await runner.ready().request(method)
                out.append(["plugin": name, "status": answer])
            } catch {
                out.append(["plugin": name, "error": .string("\(error)")])
            }
        }
        return out
    }

    /// Every tool of every ready tool plugin, named `PLUGIN.TOOL`, as MCP tool definitions.
    ///
    /// Starts the tool plugins that are stopped (not those backing off after a crash, failed or with an open
    /// circuit: their supervisor decides when they start). Listings wait for plugins still starting only until
    /// `limit` (by default the configuration's `toolListWait`) after the kernel's first listing: one plugin that
    /// hangs in its handshake must not hold every client's listing for its whole timeout, again and again. A
    /// plugin that becomes ready later is announced to the MCP gateways' clients as a tool-list change (see
    /// ``recordLifecycle(_:)``).
    public func tools(waitingAtMost limit: Duration? = nil) async -> [JSONValue] {
        let limit = limit ?? configuration.toolListWait
        let tools = runners(kind: .tool)
        // Marked before looking: a plugin that starts while this listing is made is announced (perhaps once too
        // often), never missed.
        unlisted.withLock { $0.formUnion(tools.map(\.manifest.name)) }
        let deadline = firstListing.withLock { first in
            if first == nil { first = .now }
            return first! + limit
        }
        var starts: [Task<Void, Never>] = []
        for runner in tools {
            switch await runner.lifecycle.state {
            case .stopped, .starting:
                // Unstructured: a start goes on when the listing stops waiting (a handshake cut off halfway
                // would count as a crash).
                starts.append(Task { _ = try? await runner.ready() })
            default:
                break
            }
        }
        if !starts.isEmpty && ContinuousClock.now < deadline {
            let started = starts
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let resumed = Mutex(false)
                let finish: @Sendable () -> Void = {
                    if resumed.withLock({ let first = !$0; $0 = true; return first }) { done.resume() }
                }
                let timer = Task {
                    try? await Task.sleep(until: deadline)
                    finish()
                }
                Task {
                    for start in started { await start.value }
                    timer.cancel()
                    finish()
                }
            }
        }
        var out: [JSONValue] = []
        for runner in tools {
            guard await runner.lifecycle.state == .ready else { continue }
            let name = runner.manifest.name
            unlisted.withLock { _ = $0.remove(name) }
            for tool in await runner.tools {
                guard case .object(var o) = tool, let toolName = o["name"]?.stringValue else { continue }
                o["name"] = .string("\(name).\(toolName)")
                out.append(.object(o))
            }
        }
        return out
    }
}
