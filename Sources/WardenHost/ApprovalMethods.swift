import WardenCore

/// The approval queue's control-socket methods, shared by the running kernel and the in-process one the CLI
/// starts when none runs.
public enum ApprovalMethods {
    /// `approvals/list {all?, limit?}` → `{requests: [...]}`; `approvals/show {id}` → the request;
    /// `approvals/decide {id, envelope}` → the decided request, or an error whose message says why it was refused.
    public static func answer(_ method: String, _ params: JSONValue, approvals: ApprovalQueue) async
        -> Result<JSONValue, JSONRPCError>
    {
        func invalid(_ message: String) -> Result<JSONValue, JSONRPCError> {
            .failure(JSONRPCError(code: JSONRPCError.invalidParams, message: message))
        }
        func failed(_ error: any Error) -> Result<JSONValue, JSONRPCError> {
            .failure(JSONRPCError(code: JSONRPCError.internalError, message: "\(error)"))
        }
        switch method {
        case "approvals/list":
            let limit = params["limit"]?.intValue.map { Int(clamping: $0) }
            do {
                let requests = try await approvals.list(all: params["all"]?.boolValue ?? false, limit: limit)
                return .success(["requests": .array(requests.map(\.json))])
            } catch {
                return failed(error)
            }
        case "approvals/show":
            guard let id = params["id"]?.stringValue else { return invalid("approvals/show needs an \"id\"") }
            do {
                guard let request = try await approvals.request(id: id) else {
                    return .failure(JSONRPCError(code: JSONRPCError.refused, message: unknown(id)))
                }
                return .success(request.json)
            } catch {
                return failed(error)
            }
        case "approvals/decide":
            guard let id = params["id"]?.stringValue, let envelope = params["envelope"], case .object = envelope else {
                return invalid("approvals/decide needs an \"id\" and an \"envelope\" object")
            }
            do {
                let request = try await approvals.decide(id: id, envelope: envelope.serializedBytes())
                return .success(request.json)
            } catch {
                return .failure(JSONRPCError(code: JSONRPCError.refused, message: error.message))
            }
        default:
            return .failure(JSONRPCError(code: JSONRPCError.methodNotFound, message: "method not found: \(method)"))
        }
    }

    /// The sentence for an id the queue does not hold.
    public static func unknown(_ id: String) -> String {
        ApprovalRequest.isValidID(id)
            ? "no request \(id) in the approval queue (see `warden approvals --all`)"
            : "\(id) is not a request id (they look like ap-0123456789ab; see `warden approvals`)"
    }
}
