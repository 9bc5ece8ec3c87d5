import WardenCore

/// What a plugin said about itself in the handshake.
public struct PluginHandshake: Sendable, Hashable {
    /// `2026-07-28` when the plugin speaks the stateless revision, else the handshake revision agreed.
    public var protocolVersion: String
    public var serverInfo: JSONValue?
    public var capabilities: JSONValue?
    public var isModern: Bool { protocolVersion == MCPProtocol.modern }
}

/// The client side of MCP on a plugin connection: the era probe and fallback, `tools/list`, `tools/call`.
///
/// The probe follows the 2026-07-28 backward-compatibility rule for stdio: send `server/discover` with the
/// modern version in `_meta`; a result naming it means a modern server (every later request carries `_meta`);
/// `UnsupportedProtocolVersionError` means a modern server without our version (refused: we speak one modern
/// revision); any other error means a legacy server, so the `initialize` → `notifications/initialized`
/// handshake follows on the same connection. No answer within the timeout is also legacy, but the server may be
/// in an undefined state, so the caller restarts it first (``probeTimedOut``).
public struct MCPClient: Sendable {
    public let connection: PluginConnection
    public let handshake: PluginHandshake
    public let timeout: Duration
    static let clientName = "warden"
    static let clientVersion = "0.1.0"

    /// Thrown when `server/discover` got no answer: it timed out, or the plugin exited on it (as a server may
    /// that accepts nothing before `initialize`). Restart the plugin and call ``legacyHandshake``.
    public struct ProbeUnanswered: Error {
        public var reason: String
    }

    /// Probes the era and completes the matching handshake.
    /// - Throws: ``ProbeUnanswered``, or ``PluginCallError`` when the handshake fails.
    public static func connect(_ connection: PluginConnection, timeout: Duration, probeTimeout: Duration)
        async throws -> MCPClient
    {
        let answer: Result<JSONValue, PluginCallError>
        do {
            answer = .success(try await connection.request(
                "server/discover",
                params: ["_meta": MCPProtocol.requestMeta(clientName: clientName, clientVersion: clientVersion)],
                timeout: probeTimeout))
        } catch {
            answer = .failure(error)
        }
        switch answer {
        case .success(let result):
            let versions = result["supportedVersions"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if versions.contains(MCPProtocol.modern) {
                let handshake = PluginHandshake(
                    protocolVersion: MCPProtocol.modern,
                    serverInfo: result["_meta"]?[MCPProtocol.metaServerInfo] ?? result["serverInfo"],
                    capabilities: result["capabilities"])
                return MCPClient(connection: connection, handshake: handshake, timeout: timeout)
            }
            // A discover answer without our modern version: the server may still speak a handshake revision.
        case .failure(.rpc(let error)) where error.code == JSONRPCError.unsupportedProtocolVersion:
            let supported = error.data?["supported"]?.arrayValue?.compactMap(\.stringValue) ?? []
            throw PluginCallError.unavailable(
                "the plugin speaks MCP \(supported.joined(separator: ", ")) without a handshake; Warden speaks \(MCPProtocol.modern)")
        case .failure(.timedOut):
            throw ProbeUnanswered(reason: "no answer to server/discover")
        case .failure(.exited(let why)):
            throw ProbeUnanswered(reason: "exited on server/discover (\(why))")
        case .failure(.rpc):
            break  // Legacy servers answer an unknown method before initialize with some error: fall back.
        case .failure(let other):
            throw other
        }
        return try await legacyHandshake(connection, timeout: timeout)
    }

    /// The 2025-11-25 handshake: `initialize`, then `notifications/initialized`.
    /// - Throws: ``PluginCallError``.
    public static func legacyHandshake(_ connection: PluginConnection, timeout: Duration) async throws(PluginCallError)
        -> MCPClient
    {
        let result = try await connection.request(
            "initialize",
            params: [
                "protocolVersion": .string(MCPProtocol.legacy), "capabilities": [:],
                "clientInfo": ["name": .string(clientName), "version": .string(clientVersion)],
            ], timeout: timeout)
        guard let version = result["protocolVersion"]?.stringValue, MCPProtocol.legacyVersions.contains(version) else {
            throw .protocolViolation("initialize answered without a protocol version Warden speaks")
        }
        connection.notify("notifications/initialized", params: nil)
        let handshake = PluginHandshake(
            protocolVersion: version, serverInfo: result["serverInfo"], capabilities: result["capabilities"])
        return MCPClient(connection: connection, handshake: handshake, timeout: timeout)
    }

    /// Sends any request, adding `_meta` when the plugin speaks the modern revision.
    /// - Throws: ``PluginCallError``.
    public func request(_ method: String, params: JSONValue = [:], timeout: Duration? = nil) async throws(PluginCallError)
        -> JSONValue
    {
        var params = params
        if handshake.isModern, case .object(var o) = params {
            var meta = o["_meta"]?.objectValue ?? [:]
            for (k, v) in MCPProtocol.requestMeta(clientName: Self.clientName, clientVersion: Self.clientVersion)
                .objectValue!
            {
                meta[k] = v
            }
            o["_meta"] = .object(meta)
            params = .object(o)
        }
        let result = try await connection.request(method, params: params, timeout: timeout ?? self.timeout)
        guard handshake.isModern, case .object(var o) = result, let kind = o.removeValue(forKey: "resultType") else {
            return result
        }
        // 2026-07-28 results say whether they are complete; Warden runs no multi-round requests.
        guard kind == "complete" else {
            throw .protocolViolation("\(method) answered with resultType \(kind.serialized()); Warden accepts only complete results")
        }
        return .object(o)
    }

    /// Every tool the plugin offers, following `nextCursor` pages.
    /// - Throws: ``PluginCallError``, `.protocolViolation` when the answer is not a tools list.
    public func listTools() async throws(PluginCallError) -> ToolList {
        var tools: [JSONValue] = []
        var cursor: JSONValue?
        for _ in 0..<100 {
            var params: [String: JSONValue] = [:]
            if let cursor { params["cursor"] = cursor }
            let result = try await request("tools/list", params: .object(params))
            guard let page = result["tools"]?.arrayValue else {
                throw .protocolViolation("tools/list answered without a \"tools\" array")
            }
            for tool in page {
                guard tool["name"]?.stringValue != nil, tool["inputSchema"]?.objectValue != nil else {
                    throw .protocolViolation("tools/list returned a tool without a name or an inputSchema")
                }
                tools.append(tool)
            }
            guard let next = result["nextCursor"], next != .null else { return ToolList(screening: tools) }
            cursor = next
        }
        throw .protocolViolation("tools/list paged more than 100 times")
    }

    /// Calls a tool. The result keeps `content`, `structuredContent` and `isError` as the plugin sent them.
    /// - Throws: ``PluginCallError``; a tool error is a result with `isError: true`, not a throw.
    public func callTool(_ name: String, arguments: JSONValue, progressToken: JSONValue? = nil, timeout: Duration? = nil)
        async throws(PluginCallError) -> JSONValue
    {
        var params: [String: JSONValue] = ["name": .string(name), "arguments": arguments]
        if let progressToken { params["_meta"] = ["progressToken": progressToken] }
        let result = try await request("tools/call", params: .object(params), timeout: timeout)
        guard result["content"]?.arrayValue != nil || result["structuredContent"] != nil else {
            throw .protocolViolation("tools/call answered without \"content\"")
        }
        return result
    }
}

/// A plugin's tools as offered to callers, and the ones withheld with why.
///
/// A tool name reaches policies (globs), approvers' screens, logs and the agent: one that could be mistaken for
/// another is withheld. A name must be 1–128 of `A-Z a-z 0-9 _ - . /` (MCP 2025-11-25's set, plus the `/` of the
/// SEP it came from, which servers use), so no look-alike letters, spaces or control characters; a name offered
/// twice is withheld both times, since a call could not say which one it means.
public struct ToolList: Sendable {
    public var tools: [JSONValue]
    /// One line per tool withheld.
    public var problems: [String]

    init(screening offered: [JSONValue]) {
        var counts: [String: Int] = [:]
        for tool in offered { counts[tool["name"]?.stringValue ?? "", default: 0] += 1 }
        tools = []
        problems = []
        var reported: Set<String> = []
        for tool in offered {
            let name = tool["name"]?.stringValue ?? ""
            let shown = PluginConnection.printable(String(name.prefix(140)))
            if !Self.isValidName(name) {
                problems.append(
                    "tool \"\(shown)\" is withheld: a tool name is 1-128 of A-Z a-z 0-9 _ - . /")
            } else if counts[name, default: 0] > 1 {
                if reported.insert(name).inserted {
                    problems.append("tool \"\(shown)\" is withheld: the plugin offers \(counts[name]!) tools of that name")
                }
            } else {
                tools.append(tool)
            }
        }
    }

    static func isValidName(_ name: String) -> Bool {
        (1...128).contains(name.utf8.count)
            && name.utf8.allSatisfy { c in
                (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39)
                    || c == 0x5F || c == 0x2D || c == 0x2E || c == 0x2F
            }
    }
}
