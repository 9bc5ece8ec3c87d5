import WardenCore

/// Why a request to a plugin did not get an answer.
public enum PluginCallError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The plugin answered with a JSON-RPC error.
    case rpc(JSONRPCError)
    /// No answer within the request's timeout; the request was cancelled.
    case timedOut(method: String, milliseconds: Int64)
    /// The plugin broke the protocol and was stopped.
    case protocolViolation(String)
    /// The plugin's process exited or was stopped before it answered.
    case exited(String)
    /// The plugin is not running (failed to start, circuit open, removed).
    case unavailable(String)
    /// The caller cancelled the request.
    case cancelled

    public var description: String {
        switch self {
        case .rpc(let e): "the plugin answered with error \(e.code): \(e.message)"
        case .timedOut(let method, let ms): "\(method) got no answer within \(ms) ms"
        case .protocolViolation(let why): "protocol violation: \(why)"
        case .exited(let why): "the plugin exited: \(why)"
        case .unavailable(let why): "the plugin is unavailable: \(why)"
        case .cancelled: "cancelled"
        }
    }
}
