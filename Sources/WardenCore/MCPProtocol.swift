/// The MCP protocol revisions Warden speaks, and the names the 2026-07-28 revision puts in `_meta`.
public enum MCPProtocol {
    /// The stateless revision: no handshake, `server/discover`, `_meta` on every request.
    public static let modern = "2026-07-28"
    /// The newest revision with the `initialize` → `notifications/initialized` handshake.
    public static let legacy = "2025-11-25"
    /// Handshake revisions a server of ours accepts in `initialize`, newest first.
    public static let legacyVersions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]
    /// Every revision, newest first.
    public static let allVersions = [modern] + legacyVersions

    public static let metaProtocolVersion = "io.modelcontextprotocol/protocolVersion"
    public static let metaClientCapabilities = "io.modelcontextprotocol/clientCapabilities"
    public static let metaClientInfo = "io.modelcontextprotocol/clientInfo"
    public static let metaServerInfo = "io.modelcontextprotocol/serverInfo"

    /// A `server/discover` result: versions, capabilities, and the server's name in `_meta`.
    public static func discoverResult(capabilities: JSONValue, serverInfo: JSONValue, instructions: String?) -> JSONValue {
        var o: [String: JSONValue] = [
            "supportedVersions": .array(allVersions.map { .string($0) }), "capabilities": capabilities,
            "resultType": "complete", "_meta": [metaServerInfo: serverInfo], "ttlMs": 0, "cacheScope": "private",
        ]
        if let instructions { o["instructions"] = .string(instructions) }
        return .object(o)
    }

    /// The `_meta` a 2026-07-28 client puts on every request.
    public static func requestMeta(clientName: String, clientVersion: String) -> JSONValue {
        [
            metaProtocolVersion: .string(modern),
            metaClientCapabilities: [:],
            metaClientInfo: ["name": .string(clientName), "version": .string(clientVersion)],
        ]
    }

    /// Methods whose 2026-07-28 results carry caching directives (`ttlMs`, `cacheScope`).
    public static let cacheableMethods: Set<String> = [
        "server/discover", "tools/list", "prompts/list", "resources/list", "resources/templates/list",
    ]

    /// Adds what a 2026-07-28 result must carry: `resultType`, and for listings the caching directives
    /// (Warden's lists change when plugins do, so they are never cached: `ttlMs` 0, private).
    public static func modernResult(_ result: JSONValue, method: String) -> JSONValue {
        guard case .object(var o) = result else { return result }
        if o["resultType"] == nil { o["resultType"] = "complete" }
        if cacheableMethods.contains(method) {
            if o["ttlMs"] == nil { o["ttlMs"] = 0 }
            if o["cacheScope"] == nil { o["cacheScope"] = "private" }
        }
        return .object(o)
    }

    /// The protocol version a request names in `params._meta`, if any.
    public static func requestedVersion(_ params: JSONValue?) -> String? {
        params?["_meta"]?[metaProtocolVersion]?.stringValue
    }
}
