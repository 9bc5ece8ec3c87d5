import Foundation
import WardenCore
import WardenPluginKit

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The `http` plugin: GET a URL (http or https) and return status, headers and a bounded body.
public enum HTTPTools {
    static let bodyCap = 1 << 20

    public static func tools() -> [Tool] {
        [
            Tool(
                name: "get", description: "Fetch a URL with GET and return its status, headers and body text.",
                inputSchema: [
                    "type": "object",
                    "properties": [
                        "url": ["type": "string", "pattern": "^https?://"],
                        "headers": ["type": "object", "additionalProperties": ["type": "string"]],
                        "max_bytes": ["type": "integer", "minimum": 1, "maximum": 1_048_576],
                        "timeout_ms": ["type": "integer", "minimum": 1, "maximum": 120_000],
                    ],
                    "required": ["url"], "additionalProperties": false,
                ]
            ) { args, _ in
                guard let text = args["url"]?.stringValue, let url = URL(string: text),
                    let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil
                else {
                    throw PluginMethodError(message: "url must be an absolute http or https URL")
                }
                var request = URLRequest(url: url)
                request.httpMethod = "GET"
                request.timeoutInterval = Double(args["timeout_ms"]?.intValue ?? 15_000) / 1000
                for (name, value) in args["headers"]?.objectValue ?? [:] {
                    guard let v = value.stringValue else { throw PluginMethodError(message: "header values must be strings") }
                    request.setValue(v, forHTTPHeaderField: name)
                }
                let cap = Int(args["max_bytes"]?.intValue ?? Int64(bodyCap))
                let session = URLSession(configuration: .ephemeral)
                defer { session.finishTasksAndInvalidate() }
                let data: Data
                let response: URLResponse
                do {
                    (data, response) = try await session.data(for: request)
                } catch {
                    return .text("GET \(text) failed: \(error.localizedDescription)", isError: true)
                }
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                var headers: [String: JSONValue] = [:]
                for (k, v) in (response as? HTTPURLResponse)?.allHeaderFields ?? [:] {
                    headers["\(k)".lowercased()] = .string("\(v)")
                }
                let body = String(decoding: data.prefix(cap), as: UTF8.self)
                return .text(
                    body,
                    structured: [
                        "status": .int(Int64(status)), "headers": .object(headers), "body": .string(body),
                        "truncated": .bool(data.count > cap),
                    ], isError: status >= 400)
            }
        ]
    }
}
