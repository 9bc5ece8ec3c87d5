import Foundation
import Logging
import Synchronization
import WardenCore
import WardenPosix

#if canImport(Glibc)
    import Glibc
#endif

/// One running plugin process and the JSON-RPC conversation with it.
///
/// It owns the three pipes. A reader thread splits stdout into capped frames and matches responses to
/// pending requests; a second thread copies stderr into the log with a line cap and a byte budget; a third
/// waits for the process to exit. Anything that breaks the protocol (a frame over the cap, a line that is not
/// JSON-RPC, a response to an id we never sent) stops the plugin and fails every pending request with the reason.
public final class PluginConnection: Sendable {
    public let name: String
    public let pid: pid_t
    let frameCap: Int
    let logger: Logger
    let onNotification: @Sendable (String, JSONValue?) -> Void
    /// Called once the process has exited: why, and its last lines on stderr.
    let onExit: @Sendable (String, [String]) -> Void

    struct State {
        var nextID: Int64 = 1
        var pending: [Int64: Waiting] = [:]
        var closedReason: String?
        /// The one task that times requests out, while any is pending: it sleeps until the earliest deadline.
        var sweeper: Sweeper?
        var sweepers = 0
    }

    /// A request waiting for its answer.
    struct Waiting {
        var continuation: CheckedContinuation<JSONValue, any Error>
        var method: String
        var timeout: Duration
        var deadline: ContinuousClock.Instant
    }

    struct Sweeper {
        var id: Int
        var task: Task<Void, Never>
        var until: ContinuousClock.Instant
    }
    let state = Mutex(State())
    /// The plugin's stdin; each line tagged with the request it carries (nil for notifications and answers).
    let input: CombiningWriter<Int64?>

    /// Limits on what a plugin may write to stderr.
    public static let stderrLineCap = 2048
    public static let stderrByteBudget = 1 << 20
    /// The last lines on stderr, kept so that the operator sees why a plugin that exited did so (`warden plugins
    /// check`), not only "exited with status 1". Never shown to callers: a traceback may hold what they must not see.
    let stderrTail = Mutex<[String]>([])
    static let stderrTailLines = 5
    static let stderrTailLineCap = 300
    /// Signalled when stderr reaches its end, so that the exit waits (briefly) for the last lines.
    let stderrDone = DispatchSemaphore(value: 0)
    /// The last lines the plugin wrote to stderr so far (final once it has exited).
    var lastStderrLines: [String] { stderrTail.withLock { $0 } }

    /// Takes ownership of `process`'s descriptors and starts the reader threads.
    public init(
        name: String, process: ConfinedProcess, frameCap: Int, logger: Logger,
        onNotification: @escaping @Sendable (String, JSONValue?) -> Void = { _, _ in },
        onExit: @escaping @Sendable (String, [String]) -> Void = { _, _ in }
    ) {
        self.name = name
        self.pid = process.pid
        self.input = CombiningWriter(fd: process.stdin)
        self.frameCap = frameCap
        self.logger = logger
        self.onNotification = onNotification
        self.onExit = onExit
        let stdout = process.stdout
        let stderr = process.stderr
        Thread.detachNewThread { [self] in readFrames(stdout) }
        Thread.detachNewThread { [self] in readLog(stderr) }
        Thread.detachNewThread { [self] in reap() }
    }

    /// Sends a request and waits for its answer.
    /// - Throws: ``PluginCallError``: `.rpc` for a JSON-RPC error answer, `.timedOut` after `timeout` (the
    ///   request is then cancelled with `notifications/cancelled`), `.exited` or `.protocolViolation` when the
    ///   plugin stops, `.cancelled` when the calling task is cancelled.
    public func request(_ method: String, params: JSONValue?, timeout: Duration) async throws(PluginCallError)
        -> JSONValue
    {
        let id: Int64 = state.withLock { s in
            defer { s.nextID += 1 }
            return s.nextID
        }
        let message = JSONRPCMessage.request(id: .int(id), method: method, params: params)
        let deadline = ContinuousClock.now + timeout
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<JSONValue, any Error>) in
                    let closed: String? = state.withLock { s in
                        if let reason = s.closedReason { return reason }
                        s.pending[id] = Waiting(
                            continuation: continuation, method: method, timeout: timeout, deadline: deadline)
                        if s.sweeper.map({ deadline < $0.until }) ?? true { startSweeper(until: deadline, &s) }
                        return nil
                    }
                    if let closed {
                        continuation.resume(throwing: PluginCallError.exited(closed))
                        return
                    }
                    send(message, failing: id)
                }
            } onCancel: { [self] in
                if fail(id, PluginCallError.cancelled) {
                    notify("notifications/cancelled", params: ["requestId": .int(id), "reason": "cancelled by caller"])
                }
            }
        } catch let error as PluginCallError {
            throw error
        } catch {
            throw .cancelled
        }
    }

    /// Sends a notification (no answer expected).
    public func notify(_ method: String, params: JSONValue?) {
        send(.notification(method: method, params: params), failing: nil)
    }

    /// Closes the plugin's stdin: the polite request to stop.
    public func closeInput() {
        input.close()
    }

    /// Stops the plugin: closes stdin, then SIGTERM after `grace`, then SIGKILL after another `grace`.
    public func shutdown(grace: Duration = .milliseconds(500)) async {
        closeInput()
        if await waitExit(grace) { return }
        kill(pid, SIGTERM)
        if await waitExit(grace) { return }
        kill(pid, SIGKILL)
        _ = await waitExit(.seconds(5))
    }

    /// Whether the process has exited.
    public var isClosed: Bool { state.withLock { $0.closedReason != nil } }

    func waitExit(_ limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if isClosed { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return isClosed
    }

    /// Stops the plugin at once for breaking the protocol.
    func violate(_ reason: String) {
        // The violation is why the process ends; the reaper reports this rather than "killed by signal 9".
        state.withLock { s in
            if s.closedReason == nil { s.closedReason = "stopped for a protocol violation: \(reason)" }
        }
        logger.warning("plugin broke the protocol; stopping it", metadata: ["plugin.name": "\(name)", "reason": "\(reason)"])
        failAll(PluginCallError.protocolViolation(reason))
        kill(pid, SIGKILL)
    }

    /// Fails one pending request; true if it was still pending.
    @discardableResult
    func fail(_ id: Int64, _ error: PluginCallError) -> Bool {
        guard let waiting = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return false }
        waiting.continuation.resume(throwing: error)
        return true
    }

    func failAll(_ error: PluginCallError) {
        let pending = state.withLock { s in
            defer {
                s.pending.removeAll()
                s.sweeper?.task.cancel()
                s.sweeper = nil
            }
            return s.pending
        }
        for waiting in pending.values { waiting.continuation.resume(throwing: error) }
    }

    // MARK: - Timeouts

    /// Replaces the sweeper with one that first wakes at `until`. One task per connection rather than a timer task
    /// per request: creating, sleeping and cancelling five of those per call was about 15% of the kernel's CPU.
    private func startSweeper(until: ContinuousClock.Instant, _ s: inout State) {
        s.sweeper?.task.cancel()
        s.sweepers += 1
        let id = s.sweepers
        s.sweeper = Sweeper(id: id, task: Task { [self] in await sweep(id: id, first: until) }, until: until)
    }

    /// Times out what is due, then sleeps until the next deadline; ends when nothing is pending or when replaced.
    private func sweep(id: Int, first: ContinuousClock.Instant) async {
        var until = first
        while true {
            do {
                try await Task.sleep(until: until, clock: .continuous)
            } catch {
                return  // replaced by a sweeper with an earlier deadline, or the connection closed
            }
            let now = ContinuousClock.now
            let (expired, next) = state.withLock { s -> ([(Int64, Waiting)], ContinuousClock.Instant?) in
                guard s.sweeper?.id == id else { return ([], nil) }
                let due = s.pending.filter { $0.value.deadline <= now }
                for (request, _) in due { s.pending.removeValue(forKey: request) }
                let next = s.pending.values.map(\.deadline).min()
                if let next { s.sweeper?.until = next } else { s.sweeper = nil }
                return (Array(due), next)
            }
            for (request, waiting) in expired {
                let t = waiting.timeout.components
                let ms = t.seconds * 1000 + t.attoseconds / 1_000_000_000_000_000
                waiting.continuation.resume(throwing: PluginCallError.timedOut(method: waiting.method, milliseconds: ms))
                notify("notifications/cancelled", params: ["requestId": .int(request), "reason": "timeout"])
            }
            guard let next else { return }
            until = next
        }
    }

    /// Writes a line to the plugin (see ``CombiningWriter``); requests whose lines cannot be written fail.
    func send(_ message: JSONRPCMessage, failing request: Int64?) {
        for case let lost? in input.send(message.line, tag: request) {
            fail(lost, PluginCallError.exited("its input is closed"))
        }
    }

    func readFrames(_ fd: Int32) {
        defer { close(fd) }
        var buffer = LineBuffer(cap: frameCap)
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = HostIO.read(fd, into: &chunk)
            if n <= 0 { return }
            let lines: [[UInt8]]
            do {
                lines = try buffer.append(chunk[0..<n])
            } catch {
                violate("sent a line longer than the \(frameCap)-byte frame cap")
                return
            }
            for line in lines where !(line.isEmpty || line == [0x0D]) {
                handle(line)
            }
        }
    }

    func handle(_ line: [UInt8]) {
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage(try JSONValue.parse(line))
        } catch let error as JSONParseError {
            violate("sent a line that is not JSON (\(error.reason)): \(String(decoding: line.prefix(80), as: UTF8.self))")
            return
        } catch let error as JSONRPCMessage.Invalid {
            violate("sent a message that is not JSON-RPC 2.0: \(error.reason)")
            return
        } catch {
            violate("\(error)")
            return
        }
        switch message {
        case .response(let id, let result):
            guard case .int(let n) = id, let continuation = state.withLock({ $0.pending.removeValue(forKey: n) })?.continuation
            else {
                // A late answer to a request we timed out or cancelled is expected; an id we never sent is not.
                if case .int(let n) = id, n > 0, n < state.withLock({ $0.nextID }) { return }
                violate("answered request id \(id), which was never sent")
                return
            }
            switch result {
            case .success(let value): continuation.resume(returning: value)
            case .failure(let error): continuation.resume(throwing: PluginCallError.rpc(error))
            }
        case .notification(let method, let params):
            onNotification(method, params)
        case .request(let id, let method, _):
            // MCP's ping is answered by either side. Otherwise plugins may not call back into the kernel (no
            // sampling, no roots): answer, do not act. Answered from a task: this reader thread must never wait on
            // the plugin's stdin, or a plugin that stops reading while its stdout is full would stall both.
            let answer: Result<JSONValue, JSONRPCError> =
                method == "ping"
                ? .success(.object([:]))
                : .failure(JSONRPCError(
                    code: JSONRPCError.methodNotFound, message: "the Warden kernel does not serve \(method) to plugins"))
            Task { [self] in send(.response(id: id, result: answer), failing: nil) }
        }
    }

    func readLog(_ fd: Int32) {
        defer {
            close(fd)
            stderrDone.signal()
        }
        var budget = Self.stderrByteBudget
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        var announced = false
        while true {
            let n = HostIO.read(fd, into: &chunk)
            if n <= 0 { break }
            guard budget > 0 else {
                if !announced {
                    logger.warning("plugin stderr over budget; dropping the rest", metadata: ["plugin.name": "\(name)"])
                    announced = true
                }
                continue
            }
            pending.append(contentsOf: chunk[0..<min(n, budget)])
            budget -= min(n, budget)
            while let newline = pending.firstIndex(of: 0x0A) {
                emit(pending[..<newline])
                pending.removeFirst(newline + 1)
            }
            if pending.count > Self.stderrLineCap {
                emit(pending[...])
                pending.removeAll()
            }
        }
        if !pending.isEmpty { emit(pending[...]) }
    }

    func emit(_ bytes: ArraySlice<UInt8>) {
        let text = Self.printable(String(decoding: bytes.prefix(Self.stderrLineCap), as: UTF8.self))
        logger.info("\(text)", metadata: ["plugin.name": "\(name)", "plugin.stream": "stderr"])
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return }
        stderrTail.withLock { tail in
            tail.append(String(trimmed.prefix(Self.stderrTailLineCap)))
            if tail.count > Self.stderrTailLines { tail.removeFirst(tail.count - Self.stderrTailLines) }
        }
    }

    /// `text` with control characters (but tabs) shown as `\u{…}`: a plugin's stderr reaches the operator's
    /// terminal, where an escape sequence could rewrite what is shown or worse.
    static func printable(_ text: String) -> String {
        func control(_ c: Unicode.Scalar) -> Bool {
            (c.value < 0x20 && c != "\t") || (0x7F...0x9F).contains(c.value)
        }
        guard text.unicodeScalars.contains(where: control) else { return text }
        var out = String.UnicodeScalarView()
        for c in text.unicodeScalars {
            if control(c) {
                out.append(contentsOf: "\\u{\(String(c.value, radix: 16))}".unicodeScalars)
            } else {
                out.append(c)
            }
        }
        return String(out)
    }

    func reap() {
        let status = HostIO.waitExit(pid)
        // The last lines may still be in the pipe (a process the plugin left behind may hold it open: wait a
        // little). Pending calls fail only after, so whoever looks at the tail after a failed call sees them.
        _ = stderrDone.wait(timeout: .now() + .milliseconds(200))
        let reason = state.withLock { s in
            if s.closedReason == nil { s.closedReason = status.description }
            return s.closedReason!
        }
        failAll(PluginCallError.exited(reason))
        closeInput()
        onExit(reason, lastStderrLines)
    }
}
