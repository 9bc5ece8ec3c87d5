import WardenCore

/// What a tool returns: MCP `content` blocks, optional `structuredContent`, and whether it is a tool error.
///
/// A tool error (`isError: true`) is a result the model should see ("file not found"); it is not a JSON-RPC
/// error, which means the call itself could not be made.
public struct ToolResult: Sendable {
    public var content: [JSONValue]
    public var structuredContent: JSONValue?
    public var isError: Bool

    public init(content: [JSONValue], structuredContent: JSONValue? = nil, isError: Bool = false) {
        self.content = content
        self.structuredContent = structuredContent
        self.isError = isError
    }

    /// A result of one text block.
    public static func text(_ text: String, structured: JSONValue? = nil, isError: Bool = false) -> ToolResult {
        ToolResult(content: [["type": "text", "text": .string(text)]], structuredContent: structured, isError: isError)
    }

    var json: JSONValue {
        var o: [String: JSONValue] = ["content": .array(content)]
        if let structuredContent { o["structuredContent"] = structuredContent }
        if isError { o["isError"] = true }
        return .object(o)
    }
}

/// What a running tool call can do besides returning: report progress, notice cancellation.
public struct ToolContext: Sendable {
    let progressToken: JSONValue?
    let send: @Sendable (JSONRPCMessage) -> Void

    /// Sends `notifications/progress` when the caller asked for progress (gave a progress token).
    public func progress(_ progress: Double, total: Double? = nil, message: String? = nil) {
        guard let progressToken else { return }
        var params: [String: JSONValue] = ["progressToken": progressToken, "progress": .double(progress)]
        if let total { params["total"] = .double(total) }
        if let message { params["message"] = .string(message) }
        send(.notification(method: "notifications/progress", params: .object(params)))
    }

    /// True once the caller has cancelled this call (`notifications/cancelled`).
    public var isCancelled: Bool { Task.isCancelled }
}

/// One tool a plugin offers: its MCP definition and the function that runs it.
public struct Tool: Sendable {
    public var name: String
    public var description: String
    public var inputSchema: JSONValue
    public var outputSchema: JSONValue?
    public var run: @Sendable (JSONValue, ToolContext) async throws -> ToolResult

    public init(
        name: String, description: String, inputSchema: JSONValue, outputSchema: JSONValue? = nil,
        run: @escaping @Sendable (JSONValue, ToolContext) async throws -> ToolResult
    ) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.run = run
    }

    var definition: JSONValue {
        var o: [String: JSONValue] = [
            "name": .string(name), "description": .string(description), "inputSchema": inputSchema,
        ]
        if let outputSchema { o["outputSchema"] = outputSchema }
        return .object(o)
    }
}
