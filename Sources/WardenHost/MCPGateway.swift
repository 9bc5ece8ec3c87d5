import Foundation
import Synchronization
import WardenCore

/// Warden as an MCP server: every tool of every tool plugin, named `PLUGIN.TOOL`, behind the kernel's pipeline.
///
/// Dual-era like the plugins' own servers: `initialize` for 2025-11-25 clients, `server/discover` and
/// per-request `_meta` for 2026-07-28 ones. Transport-neutral: the owner feeds it lines and sends what it
/// returns, so the same code serves stdio and the control socket.
///
/// A client cannot make the kernel hold unbounded work: at most ``maxRunning`` requests run at once, the next
/// ``maxQueued`` wait their turn in order, and beyond that ``receive(_:)`` blocks its caller (so the transport stops
/// reading) until an answer frees a place.
public final class MCPGateway: Sendable {
    let kernel: Kernel
    let caller: String
    let approvalWait: Duration
    let send: @Sendable ([UInt8]) -> Void
    let maxRunning: Int
    let flight = Mutex(Flight())
    /// One permit per request accepted and not yet answered (running or queued).
    let places: DispatchSemaphore
    /// Whether the client has finished initialising (tool-list changes are announced only then), and the
    /// kernel's id for this gateway's tool-list observation (`nil` once ended).
    let session = Mutex((initialized: false, observation: UInt64?.none))

    /// A request accepted but not started.
    struct Pending: Sendable {
        var id: JSONRPCID
        var method: String
        var params: JSONValue?
    }

    /// The requests in flight: those running, and those waiting for a place in order.
    struct Flight {
        var running: [JSONRPCID: Task<Void, Never>] = [:]
        var queue: [Pending] = []
        var head = 0
        var queuedIDs: Set<JSONRPCID> = []
        /// Ids of queued requests the client cancelled before they started.
        var cancelled: Set<JSONRPCID> = []
        var queuedCount: Int { queue.count - head }

        func isInFlight(_ id: JSONRPCID) -> Bool {
            running[id] != nil || queuedIDs.contains(id)
        }

        mutating func dequeue() -> Pending? {
            guard head < queue.count else { return nil }
            let next = queue[head]
            head += 1
            queuedIDs.remove(next.id)
            if head >= 1024 && head * 2 >= queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return next
        }
    }

    /// `approvalWait`: how long a call held for approval waits for the decision before it answers "pending
    /// approval"; a client may ask for less (not more) with `_meta["warden/approval_wait_seconds"]`.
    /// `maxRunning` requests run at once and `maxQueued` more wait; see the type's description.
    public init(
        kernel: Kernel, caller: String, approvalWait: Duration = .seconds(60), maxRunning: Int = 256,
        maxQueued: Int = 4096, send: @escaping @Sendable ([UInt8]) -> Void
    ) {
        self.kernel = kernel
        self.caller = caller
        self.approvalWait = approvalWait
        self.send = send
        self.maxRunning = max(1, maxRunning)
        self.places = DispatchSemaphore(value: max(1, maxRunning) + max(0, maxQueued))
        let observation = kernel.observeToolList { [weak self] in self?.announceToolListChange() }
        session.withLock { $0.observation = observation }
    }

    deinit { end() }

    /// Stops announcing tool-list changes (the client is gone).
    public func end() {
        if let id = session.withLock({ s in defer { s.observation = nil }; return s.observation }) {
            kernel.stopObservingToolList(id)
        }
    }

    /// Tells the client to list the tools again, once it has initialised (MCP's `listChanged` capability).
    func announceToolListChange() {
        guard session.withLock({ $0.initialized && $0.observation != nil }) else { return }
        send(JSONRPCMessage.notification(method: "notifications/tools/list_changed", params: nil).line)
    }

    /// `_meta` keys a client may set on `tools/call`.
    public static let idempotencyKeyMeta = "warden/idempotency_key"
    public static let approvalWaitMeta = "warden/approval_wait_seconds"

    /// Handles one line from the client; answers are sent through `send`, possibly later. Blocks while the
    /// client has the most requests in flight that it may have: call it from a thread of the transport's own.
    public func receive(_ line: [UInt8]) {
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage(try JSONValue.parse(line))
        } catch let error as JSONRPCMessage.Invalid {
            replyError(error.id, JSONRPCError(code: JSONRPCError.invalidRequest, message: error.reason))
            return
        } catch {
            replyError(nil, JSONRPCError(code: JSONRPCError.parseError, message: "not JSON: \(error)"))
            return
        }
        switch message {
        case .request(let id, let method, let params):
            // A 2026-07-28 client has no initialisation handshake: its first request other than discovery starts
            // the session.
            if method != "server/discover" && MCPProtocol.requestedVersion(params) == MCPProtocol.modern {
                session.withLock { $0.initialized = true }
            }
            places.wait()
            let accepted = flight.withLock { flight -> Bool in
                // An id still in flight would make the two answers indistinguishable.
                guard !flight.isInFlight(id) else { return false }
                let request = Pending(id: id, method: method, params: params)
                if flight.running.count < maxRunning {
                    start(request, &flight)
                } else {
                    flight.queue.append(request)
                    flight.queuedIDs.insert(id)
                }
                return true
            }
            if !accepted {
                places.signal()
                reply(id, .failure(JSONRPCError(
                    code: JSONRPCError.invalidRequest, message: "request id \(id) is already in flight")))
            }
        case .notification(let method, let params):
            if method == "notifications/initialized" { session.withLock { $0.initialized = true } }
            if method == "notifications/cancelled", let raw = params?["requestId"] {
                let id: JSONRPCID? = raw.intValue.map { .int($0) } ?? raw.stringValue.map { .string($0) }
                if let id {
                    flight.withLock { flight in
                        if let task = flight.running[id] {
                            task.cancel()
                        } else if flight.isInFlight(id) {
                            flight.cancelled.insert(id)
                        }
                    }
                }
            }
        case .response:
            break
        }
    }

    /// Starts a request's task; registered under the lock before the task can finish and remove itself.
    private func start(_ request: Pending, _ flight: inout Flight) {
        flight.running[request.id] = Task { [self] in
            let result = await answer(method: request.method, params: request.params)
            reply(request.id, result)
            finished(request.id)
        }
    }

    /// Frees the finished request's place and starts the next queued one. A queued request the client
    /// cancelled is dropped unanswered, as MCP asks of a cancelled request.
    private func finished(_ id: JSONRPCID) {
        var freed = 1
        flight.withLock { flight in
            flight.running.removeValue(forKey: id)
            while flight.running.count < maxRunning, let next = flight.dequeue() {
                if flight.cancelled.remove(next.id) != nil {
                    freed += 1
                    continue
                }
                start(next, &flight)
            }
        }
        for _ in 0..<freed { places.signal() }
    }

    func reply(_ id: JSONRPCID, _ result: Result<JSONValue, JSONRPCError>) {
        send(JSONRPCMessage.response(id: id, result: result).line)
    }

    /// An error answer; JSON-RPC says `"id": null` when the request's id could not be read.
    func replyError(_ id: JSONRPCID?, _ error: JSONRPCError) {
        if let id { return reply(id, .failure(error)) }
        var line = JSONValue.object(["jsonrpc": "2.0", "id": .null, "error": error.json]).serializedBytes()
        line.append(0x0A)
        send(line)
    }

    var serverInfo: JSONValue { ["name": "warden", "version": "0.1.0"] }
    var capabilities: JSONValue { ["tools": ["listChanged": true]] }
    static let instructions =
        "Warden runs each tool confined and checks every call against policies; refused calls explain why."

    func answer(method: String, params: JSONValue?) async -> Result<JSONValue, JSONRPCError> {
        let requested = MCPProtocol.requestedVersion(params)
        if let requested, requested != MCPProtocol.modern {
            return .failure(JSONRPCError(
                code: JSONRPCError.unsupportedProtocolVersion, message: "unsupported protocol version \(requested)",
                data: ["supported": [.string(MCPProtocol.modern)], "requested": .string(requested)]))
        }
        var result: Result<JSONValue, JSONRPCError>
        switch method {
        case "initialize":
            let asked = params?["protocolVersion"]?.stringValue ?? MCPProtocol.legacy
            let chosen = MCPProtocol.legacyVersions.contains(asked) ? asked : MCPProtocol.legacy
            result = .success([
                "protocolVersion": .string(chosen), "capabilities": capabilities, "serverInfo": serverInfo,
                "instructions": .string(Self.instructions),
            ])
        case "server/discover":
            result = .success(MCPProtocol.discoverResult(
                capabilities: capabilities, serverInfo: serverInfo, instructions: Self.instructions))
        case "ping":
            result = .success([:])
        case "tools/list":
            result = .success(["tools": .array(await kernel.tools())])
        case "tools/call":
            guard let name = params?["name"]?.stringValue else {
                return .failure(JSONRPCError(code: JSONRPCError.invalidParams, message: "tools/call needs a string \"name\""))
            }
            let arguments = params?["arguments"] ?? [:]
            guard case .object = arguments else {
                return .failure(JSONRPCError(code: JSONRPCError.invalidParams, message: "\"arguments\" must be an object"))
            }
            let meta = params?["_meta"]
            var options = CallOptions(approvalWait: approvalWait, progressToken: meta?["progressToken"])
            if let key = meta?[Self.idempotencyKeyMeta] {
                guard let text = key.stringValue else {
                    return .failure(JSONRPCError(
                        code: JSONRPCError.invalidParams, message: "_meta[\"\(Self.idempotencyKeyMeta)\"] must be a string"))
                }
                options.idempotencyKey = text
            }
            if let wait = meta?[Self.approvalWaitMeta] {
                guard let seconds = wait.intValue, seconds >= 0 else {
                    return .failure(JSONRPCError(
                        code: JSONRPCError.invalidParams,
                        message: "_meta[\"\(Self.approvalWaitMeta)\"] must be a whole number of seconds ≥ 0"))
                }
                options.approvalWait = min(approvalWait, .seconds(seconds))
            }
            if let token = options.progressToken {
                // While a held call waits, the client hears which request it is and how to approve it; then the
                // tool's own progress. MCP wants each token's progress to increase: anything else is dropped.
                let last = Mutex<Double>(-.infinity)
                let forward: @Sendable (JSONValue) -> Void = { [self] params in
                    guard let value = params["progress"]?.doubleValue else { return }
                    let increases = last.withLock { previous in
                        guard value > previous else { return false }
                        previous = value
                        return true
                    }
                    guard increases else { return }
                    send(JSONRPCMessage.notification(method: "notifications/progress", params: params).line)
                }
                options.progress = { elapsed, message in
                    forward(["progressToken": token, "progress": .double(elapsed), "message": .string(message)])
                }
                options.toolProgress = forward
            }
            let outcome = await kernel.call(tool: name, arguments: arguments, caller: caller, options: options)
            result = .success(outcome.mcpResult)
        default:
            return .failure(JSONRPCError(code: JSONRPCError.methodNotFound, message: "method not found: \(method)"))
        }
        if requested != nil, case .success(let value) = result {
            result = .success(MCPProtocol.modernResult(value, method: method))
        }
        return result
    }
}

extension MCPGateway {
    /// Waits until every request in flight has been answered.
    public func drain() async {
        while true {
            let (task, queued) = flight.withLock { ($0.running.first?.value, $0.queuedCount) }
            if let task {
                await task.value
            } else if queued == 0 {
                return
            } else {
                // Only cancelled requests are left queued: nothing will start them.
                flight.withLock { flight in
                    while let next = flight.dequeue() {
                        if flight.cancelled.remove(next.id) == nil { start(next, &flight) }
                    }
                }
            }
        }
    }
}
