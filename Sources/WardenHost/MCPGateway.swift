import Foundation
import Synchronization
import WardenCore

/// Warden as an MCP server: every tool of every tool plugin, named `PLUGIN.TOOL`, behind the kernel's pipeline.
///
/// Dual-era like the plugins' own servers: `initialize` for 2025-11-25 clients, `server/discover` and
/// per-request `_meta` for 2026-07-28 ones. Transport-neutral: the owner feeds it lines and sends what it
/// returns, so the same code serves stdio and the control socket.
public final class MCPGateway: Sendable {
    let kernel: Kernel
    let caller: String
    let approvalWait: Duration
    let send: @Sendable ([UInt8]) -> Void
    let running = Mutex<[JSONRPCID: Task<Void, Never>]>([:])

    /// `approvalWait`: how long a call held for approval waits for the decision before it answers "pending
    /// approval"; a client may ask for less (not more) with `_meta["warden/approval_wait_seconds"]`.
    public init(
        kernel: Kernel, caller: String, approvalWait: Duration = .seconds(60),
        send: @escaping @Sendable ([UInt8]) -> Void
    ) {
        self.kernel = kernel
        self.caller = caller
        self.approvalWait = approvalWait
        self.send = send
    }

    /// `_meta` keys a client may set on `tools/call`.
    public static let idempotencyKeyMeta = "warden/idempotency_key"
    public static let approvalWaitMeta = "warden/approval_wait_seconds"

    /// Handles one line from the client; answers are sent through `send`, possibly later.
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
            // Registered under the lock before the task can finish and remove itself (see ``drain()``).
            running.withLock { tasks in
                tasks[id] = Task { [self] in
                    let result = await answer(method: method, params: params)
                    reply(id, result)
                    _ = running.withLock { $0.removeValue(forKey: id) }
                }
            }
        case .notification(let method, let params):
            if method == "notifications/cancelled", let raw = params?["requestId"] {
                let id: JSONRPCID? = raw.intValue.map { .int($0) } ?? raw.stringValue.map { .string($0) }
                if let id { running.withLock { $0[id] }?.cancel() }
            }
        case .response:
            break
        }
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
    var capabilities: JSONValue { ["tools": ["listChanged": false]] }
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
        while let task = running.withLock({ $0.popFirst()?.value }) {
            await task.value
        }
    }
}
