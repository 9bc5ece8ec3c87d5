import Foundation
import Logging
import WardenCore

#if canImport(Glibc)
    import Glibc
#endif

/// Serves the kernel to the other `warden` commands on a Unix socket (mode 0600; peers must be the same user
/// or root, checked with SO_PEERCRED). One JSON-RPC message per line; methods: `plugins/list`,
/// `plugins/reload`, `tools/list`, `call`, `policy/reload`, `policy/status`, `approvals/list`, `approvals/show`,
/// `approvals/decide`. While a `call` waits for approval, `notifications/progress` lines come before the answer.
public final class ControlServer: Sendable {
    let kernel: Kernel
    let listener: Int32
    let logger: Logger
    public let path: String
    static let frameCap = 16 << 20

    /// Binds the socket. - Throws: ``ControlSocket/Failure``.
    public init(kernel: Kernel, path: String, logger: Logger) throws {
        self.kernel = kernel
        self.path = path
        self.logger = logger
        self.listener = try ControlSocket.listen(path: path)
    }

    /// Accepts connections on a background thread until ``close()``.
    public func start() {
        Thread.detachNewThread { [self] in
            while true {
                let fd = ControlSocket.accept(listener)
                if fd < 0 { return }
                let uid = ControlSocket.peerUID(fd)
                guard let uid, uid == getuid() || uid == 0 else {
                    logger.warning("control socket: refused a peer", metadata: ["peer.uid": "\(uid.map(String.init) ?? "?")"])
                    Glibc.close(fd)
                    continue
                }
                Thread.detachNewThread { [self] in serve(fd, uid: uid) }
            }
        }
    }

    /// Stops accepting and removes the socket file.
    public func close() {
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
        unlink(path)
    }

    func serve(_ fd: Int32, uid: uid_t) {
        let writer = SocketWriter(fd: fd)
        var buffer = LineBuffer(cap: Self.frameCap)
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        // Calls in flight on this connection: when the client goes away (Ctrl-C on `warden call --wait`), they are
        // cancelled rather than left waiting for an approval or a tool nobody will read the answer of.
        var calls: [Task<Void, Never>] = []
        defer {
            for call in calls { call.cancel() }
            writer.finish()
        }
        while true {
            let n = HostIO.read(fd, into: &chunk)
            if n <= 0 { return }
            guard let lines = try? buffer.append(chunk[0..<n]) else {
                writer.send(JSONRPCMessage.response(id: .int(0), result: .failure(JSONRPCError(
                    code: JSONRPCError.invalidRequest, message: "frame over \(Self.frameCap) bytes"))).line)
                return
            }
            for line in lines where !line.isEmpty {
                guard let message = try? JSONRPCMessage(try JSONValue.parse(line)),
                    case .request(let id, let method, let params) = message
                else {
                    writer.send(JSONValue.object(["jsonrpc": "2.0", "id": .null, "error": JSONRPCError(
                        code: JSONRPCError.invalidRequest, message: "expected a JSON-RPC request").json]).serializedBytes() + [0x0A])
                    continue
                }
                writer.begin()
                let task = Task { [self] in
                    let result = await answer(method, params ?? [:], uid: uid) { line in writer.send(line) }
                    writer.send(JSONRPCMessage.response(id: id, result: result).line)
                    writer.end()
                }
                if method == "call" { calls.append(task) }
            }
        }
    }

    /// The longest a control-socket call may wait for approval.
    public static let maximumApprovalWait = 86400

    func answer(_ method: String, _ params: JSONValue, uid: uid_t, notify: @escaping @Sendable ([UInt8]) -> Void) async
        -> Result<JSONValue, JSONRPCError>
    {
        func invalid(_ message: String) -> Result<JSONValue, JSONRPCError> {
            .failure(JSONRPCError(code: JSONRPCError.invalidParams, message: message))
        }
        switch method {
        case "plugins/list":
            let start = params["start"]?.boolValue ?? false
            return .success(["plugins": .array(await kernel.plugins(start: start).map(\.json))])
        case "plugins/reload":
            let report = await kernel.reload()
            return .success([
                "added": .array(report.added.map { .string($0) }), "changed": .array(report.changed.map { .string($0) }),
                "removed": .array(report.removed.map { .string($0) }),
                "problems": .array(report.problems.map { .string($0) }),
            ])
        case "tools/list":
            return .success(["tools": .array(await kernel.tools())])
        case "policy/reload", "policy/status":
            return .success(["plugins": .array(await kernel.askPolicies(method))])
        case "call":
            guard let tool = params["tool"]?.stringValue else {
                return .failure(JSONRPCError(code: JSONRPCError.invalidParams, message: "call needs a \"tool\""))
            }
            var options = CallOptions()
            if let key = params["idempotency_key"], key != .null {
                guard let text = key.stringValue else { return invalid("\"idempotency_key\" must be a string") }
                options.idempotencyKey = text
            }
            if let wait = params["wait_seconds"], wait != .null {
                guard let seconds = wait.intValue, (0...Int64(Self.maximumApprovalWait)).contains(seconds) else {
                    return invalid("\"wait_seconds\" must be a whole number from 0 to \(Self.maximumApprovalWait)")
                }
                options.approvalWait = .seconds(seconds)
                options.progress = { elapsed, message in
                    notify(JSONRPCMessage.notification(method: "notifications/progress", params: [
                        "progress": .double(elapsed), "message": .string(message),
                    ]).line)
                }
            }
            let outcome = await kernel.call(
                tool: tool, arguments: params["arguments"] ?? [:], caller: "cli:uid=\(uid)", options: options)
            return .success(outcome.json)
        case "approvals/list", "approvals/show", "approvals/decide":
            guard let approvals = kernel.approvals else {
                return .failure(JSONRPCError(code: JSONRPCError.internalError, message: "this kernel has no approval queue"))
            }
            return await ApprovalMethods.answer(method, params, approvals: approvals)
        default:
            return .failure(JSONRPCError(code: JSONRPCError.methodNotFound, message: "method not found: \(method)"))
        }
    }
}

extension CallOutcome {
    /// The outcome as the control socket and `warden call --json` show it.
    public var json: JSONValue {
        var o: [String: JSONValue] = ["status": .string(status.rawValue)]
        if let result { o["result"] = result }
        if let reason { o["reason"] = .string(reason) }
        if let decision { o["decision"] = decision.json }
        o["findings"] = .array(findings.map(Kernel.findingJSON))
        if let receipt { o["envelope"] = ["seq": .int(receipt.seq), "hash": .string(receipt.hash)] }
        if let approval {
            o["approval"] = [
                "id": .string(approval.id), "state": .string(approval.state.rawValue), "group": .string(approval.group),
                "rule": .string(approval.rule), "expires_at": .string(RFC3339Time.format(milliseconds: approval.expiresAt)),
                "approve": .string(ApprovalQueue.approveCommand(approval.id)),
            ]
        }
        return .object(o)
    }
}
