/// A JSON-RPC 2.0 request id: a number or a string (null ids are refused on our wire).
public enum JSONRPCID: Sendable, Hashable, CustomStringConvertible {
    case int(Int64)
    case string(String)

    public var json: JSONValue {
        switch self {
        case .int(let i): .int(i)
        case .string(let s): .string(s)
        }
    }

    public var description: String {
        switch self {
        case .int(let i): String(i)
        case .string(let s): "\"\(s)\""
        }
    }
}

/// A JSON-RPC 2.0 error object.
public struct JSONRPCError: Error, Sendable, Hashable {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public static let parseError = -32700
    public static let invalidRequest = -32600
    public static let methodNotFound = -32601
    public static let invalidParams = -32602
    public static let internalError = -32603
    /// MCP 2026-07-28: the requested protocol version is not supported; `data.supported` lists those that are.
    public static let unsupportedProtocolVersion = -32022
    /// Warden: the call was refused by the kernel (capability, rule, policy or approval).
    public static let refused = -32040
    /// Warden: the plugin behind the tool is unavailable (not started, crashed, circuit open).
    public static let unavailable = -32041
    /// Warden: the request timed out.
    public static let timedOut = -32042

    public var json: JSONValue {
        var o: [String: JSONValue] = ["code": .int(Int64(code)), "message": .string(message)]
        if let data { o["data"] = data }
        return .object(o)
    }
}

/// One message on a JSON-RPC 2.0 line: a request, a notification or a response.
public enum JSONRPCMessage: Sendable, Hashable {
    case request(id: JSONRPCID, method: String, params: JSONValue?)
    case notification(method: String, params: JSONValue?)
    case response(id: JSONRPCID, result: Result<JSONValue, JSONRPCError>)

    /// Why a JSON value is not a JSON-RPC 2.0 message.
    public struct Invalid: Error, Sendable, Equatable {
        public var reason: String
        /// The id, when one could be read, so that an error response can name it.
        public var id: JSONRPCID?
    }

    /// Reads a message from a parsed JSON value, strictly: `"jsonrpc": "2.0"`, a string method, an id that is a
    /// number or a string, exactly one of `result` and `error`, params an object or array, no other members.
    /// - Throws: ``Invalid`` with the reason.
    public init(_ value: JSONValue) throws(Invalid) {
        guard case .object(let o) = value else { throw Invalid(reason: "a message must be a JSON object") }
        var id: JSONRPCID?
        switch o["id"] {
        case .none: id = nil
        case .int(let i)?: id = .int(i)
        case .string(let s)?: id = .string(s)
        default: throw Invalid(reason: "\"id\" must be a number or a string")
        }
        guard o["jsonrpc"] == .string("2.0") else { throw Invalid(reason: "\"jsonrpc\" must be \"2.0\"", id: id) }
        for key in o.keys where !["jsonrpc", "id", "method", "params", "result", "error"].contains(key) {
            throw Invalid(reason: "unknown member \"\(key)\"", id: id)
        }
        if let method = o["method"] {
            guard case .string(let name) = method else { throw Invalid(reason: "\"method\" must be a string", id: id) }
            guard o["result"] == nil, o["error"] == nil else {
                throw Invalid(reason: "a request cannot carry \"result\" or \"error\"", id: id)
            }
            let params = o["params"]
            switch params {
            case nil, .object?, .array?: break
            default: throw Invalid(reason: "\"params\" must be an object or an array", id: id)
            }
            if let id {
                self = .request(id: id, method: name, params: params)
            } else {
                self = .notification(method: name, params: params)
            }
            return
        }
        guard let id else { throw Invalid(reason: "a response needs an \"id\"") }
        guard o["params"] == nil else { throw Invalid(reason: "a response cannot carry \"params\"", id: id) }
        switch (o["result"], o["error"]) {
        case (let result?, nil):
            self = .response(id: id, result: .success(result))
        case (nil, .object(let e)?):
            guard case .int(let code)? = e["code"], case .string(let message)? = e["message"] else {
                throw Invalid(reason: "\"error\" needs an integer \"code\" and a string \"message\"", id: id)
            }
            self = .response(
                id: id, result: .failure(JSONRPCError(code: Int(code), message: message, data: e["data"])))
        default:
            throw Invalid(reason: "a response needs exactly one of \"result\" and \"error\"", id: id)
        }
    }

    /// The message as a JSON value ready to serialise.
    public var json: JSONValue {
        var o: [String: JSONValue] = ["jsonrpc": "2.0"]
        switch self {
        case .request(let id, let method, let params):
            o["id"] = id.json
            o["method"] = .string(method)
            if let params { o["params"] = params }
        case .notification(let method, let params):
            o["method"] = .string(method)
            if let params { o["params"] = params }
        case .response(let id, let result):
            o["id"] = id.json
            switch result {
            case .success(let value): o["result"] = value
            case .failure(let error): o["error"] = error.json
            }
        }
        return .object(o)
    }

    /// The message as one wire line (compact JSON and a newline).
    public var line: [UInt8] {
        var bytes = json.serializedBytes()
        bytes.append(0x0A)
        return bytes
    }
}
