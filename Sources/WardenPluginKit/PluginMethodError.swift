import WardenCore

/// A handler for one plugin method: takes the request's `params`, returns its `result`.
public typealias PluginHandler = @Sendable (JSONValue) throws -> JSONValue

/// An error a plugin method answers with, sent as a JSON-RPC error object. Thrown by a tool (bad arguments, a
/// missing file), it becomes a tool error result instead (`isError: true`), which the model can act on.
public struct PluginMethodError: Error, Sendable {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int = JSONRPCError.invalidParams, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    var rpcError: JSONRPCError { JSONRPCError(code: code, message: message, data: data) }
}
