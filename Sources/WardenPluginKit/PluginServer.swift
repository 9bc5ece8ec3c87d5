import Foundation
import Synchronization
import WardenCore

#if canImport(Glibc)
    import Glibc
#endif

/// The plugin side of Warden's wire: reads one JSON-RPC message per line on stdin, answers on stdout.
///
/// It answers the MCP handshakes of both eras (`initialize` for 2025-11-25, `server/discover` and per-request
/// `_meta` for 2026-07-28), `ping`, `tools/list` and `tools/call` for the tools it was given, and any other
/// method from `methods`. Requests run concurrently; `notifications/cancelled` cancels one. Frames over the cap
/// and malformed messages are answered with JSON-RPC errors, never crash the plugin.
public final class PluginServer: Sendable {
    public let name: String
    public let version: String
    public let instructions: String?
    let methods: [String: PluginHandler]
    let tools: [String: Tool]
    let toolOrder: [String]
    let frameCap: Int
    let output = Mutex<Int32>(1)
    let running = Mutex<[JSONRPCID: Task<Void, Never>]>([:])

    /// - Parameters:
    ///   - methods: plugin-kind methods (`policy/evaluate`, `rule/check`, `hunter/scan`, …).
    ///   - tools: MCP tools, for tool plugins.
    ///   - frameCap: the longest line accepted from the host.
    public init(
        name: String, version: String, instructions: String? = nil, methods: [String: PluginHandler] = [:],
        tools: [Tool] = [], frameCap: Int = 16 << 20
    ) {
        self.name = name
        self.version = version
        self.instructions = instructions
        self.methods = methods
        self.tools = Dictionary(tools.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.toolOrder = tools.map(\.name)
        self.frameCap = frameCap
    }

    /// Serves until stdin closes, then exits the process.
    public func run() -> Never {
        var buffer = LineBuffer(cap: frameCap)
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            do {
                for line in try buffer.append(chunk[0..<n]) where !line.isEmpty {
                    handle(line: line)
                }
            } catch {
                FileHandle.standardError.write(Data("warden-plugin: a line exceeded \(frameCap) bytes; stopping\n".utf8))
                exit(3)
            }
        }
        // stdin closed: answer what is in flight, then stop.
        while !running.withLock({ $0.isEmpty }) { usleep(1000) }
        exit(0)
    }

    func handle(line: [UInt8]) {
        let message: JSONRPCMessage
        do {
            message = try JSONRPCMessage(try JSONValue.parse(line))
        } catch let invalid as JSONRPCMessage.Invalid {
            if let id = invalid.id {
                send(.response(id: id, result: .failure(JSONRPCError(code: JSONRPCError.invalidRequest, message: invalid.reason))))
            }
            return
        } catch {
            FileHandle.standardError.write(Data("warden-plugin: dropped a line that is not JSON: \(error)\n".utf8))
            return
        }
        switch message {
        case .request(let id, let method, let params):
            // Registered under the lock before the task can finish and remove itself; removed only after the
            // answer is written, so "nothing running" means "everything answered".
            running.withLock { tasks in
                tasks[id] = Task.detached { [self] in
                    let result = await self.answer(method: method, params: params)
                    send(.response(id: id, result: result))
                    _ = running.withLock { $0.removeValue(forKey: id) }
                }
            }
        case .notification(let method, let params):
            if method == "notifications/cancelled", let raw = params?["requestId"] {
                let id: JSONRPCID? =
                    switch raw {
                    case .int(let i): .int(i)
                    case .string(let s): .string(s)
                    default: nil
                    }
                if let id { running.withLock { $0[id] }?.cancel() }
            }
        case .response:
            break  // The host sends us no requests we would await.
        }
    }

    func answer(method: String, params: JSONValue?) async -> Result<JSONValue, JSONRPCError> {
        let modern = MCPProtocol.requestedVersion(params)
        if let modern, !MCPProtocol.allVersions.contains(modern) || MCPProtocol.legacyVersions.contains(modern) {
            return .failure(
                JSONRPCError(
                    code: JSONRPCError.unsupportedProtocolVersion, message: "unsupported protocol version \(modern)",
                    data: ["supported": [.string(MCPProtocol.modern)], "requested": .string(modern)]))
        }
        do {
            let result = try await dispatch(method: method, params: params)
            return .success(modern != nil ? MCPProtocol.modernResult(result, method: method) : result)
        } catch let error as PluginMethodError {
            return .failure(error.rpcError)
        } catch let error as JSONRPCError {
            return .failure(error)
        } catch is CancellationError {
            return .failure(JSONRPCError(code: JSONRPCError.internalError, message: "cancelled"))
        } catch {
            return .failure(JSONRPCError(code: JSONRPCError.internalError, message: "\(error)"))
        }
    }

    var capabilities: JSONValue {
        tools.isEmpty ? [:] : ["tools": ["listChanged": false]]
    }

    var serverInfo: JSONValue { ["name": .string(name), "version": .string(version)] }

    func dispatch(method: String, params: JSONValue?) async throws -> JSONValue {
        switch method {
        case "initialize":
            let asked = params?["protocolVersion"]?.stringValue ?? MCPProtocol.legacy
            let chosen = MCPProtocol.legacyVersions.contains(asked) ? asked : MCPProtocol.legacy
            var o: [String: JSONValue] = [
                "protocolVersion": .string(chosen), "capabilities": capabilities, "serverInfo": serverInfo,
            ]
            if let instructions { o["instructions"] = .string(instructions) }
            return .object(o)
        case "server/discover":
            return MCPProtocol.discoverResult(
                capabilities: capabilities, serverInfo: serverInfo, instructions: instructions)
        case "ping":
            return [:]
        case "tools/list" where !tools.isEmpty:
            return ["tools": .array(toolOrder.compactMap { tools[$0]?.definition })]
        case "tools/call" where !tools.isEmpty:
            guard let name = params?["name"]?.stringValue else {
                throw PluginMethodError(message: "tools/call needs a string \"name\"")
            }
            guard let tool = tools[name] else { throw PluginMethodError(message: "unknown tool \"\(name)\"") }
            let arguments = params?["arguments"] ?? [:]
            guard case .object = arguments else { throw PluginMethodError(message: "\"arguments\" must be an object") }
            let context = ToolContext(progressToken: params?["_meta"]?["progressToken"], send: { [self] in send($0) })
            // Whatever goes wrong inside the tool, bad arguments included, is a tool error the model sees and can
            // correct (MCP 2025-11-25, SEP-1303); JSON-RPC errors are kept for the request itself (above).
            do {
                return try await tool.run(arguments, context).json
            } catch let error as PluginMethodError {
                return ToolResult.text(error.message, isError: true).json
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                return ToolResult.text("\(error)", isError: true).json
            }
        default:
            guard let handler = methods[method] else {
                throw PluginMethodError(code: JSONRPCError.methodNotFound, message: "method not found: \(method)")
            }
            // `_meta` is the protocol's (the era, the client), consumed here; handlers see only their parameters.
            var ownParams = params ?? [:]
            if case .object(var o) = ownParams, o.removeValue(forKey: "_meta") != nil { ownParams = .object(o) }
            return try handler(ownParams)
        }
    }

    func send(_ message: JSONRPCMessage) {
        let line = message.line
        output.withLock { fd in
            line.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        exit(0)  // The host went away; nothing left to answer.
                    }
                    offset += n
                }
            }
        }
    }
}
