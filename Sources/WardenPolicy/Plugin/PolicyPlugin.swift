import Foundation
import WardenCore

/// The standard policy engine as a plugin (kind `policy`): the methods `warden-plugin policy` serves.
///
/// - `policy/evaluate` — params `{request: PolicyRequest}`; result: the ``Decision``.
/// - `policy/status` — params ignored; result: the holder's status (digest, rule count, last error).
/// - `policy/reload` — params ignored; loads the folder now; result: the status afterwards.
///
/// The folder is re-read when its files change (checked at most once a second, on calls) with the
/// safe-reload rule of ``PolicySetHolder``.
public enum PolicyPlugin {
    /// The method table for the plugin server.
    /// - Parameter policiesDirectory: the `Policies/` folder (read-only is enough).
    /// - Throws: ``PolicyPluginError`` when the folder does not exist (a set that fails to load does
    ///   not throw: the plugin then denies every call and says why in `policy/status`).
    public static func methods(
        policiesDirectory: String, clock: PolicyClock = .system
    ) throws -> [String: @Sendable (JSONValue) throws -> JSONValue] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: policiesDirectory, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw PolicyPluginError(message: "the policies folder \(policiesDirectory) does not exist")
        }
        let holder = PolicySetHolder(directory: policiesDirectory, clock: clock)
        return methods(holder: holder)
    }

    /// The method table over an existing holder (tests inject one with a fixed clock).
    public static func methods(holder: PolicySetHolder) -> [String: @Sendable (JSONValue) throws -> JSONValue] {
        [
            "policy/evaluate": { params in
                guard let object = params.objectValue, let requestJSON = object["request"] else {
                    throw PolicyPluginError(message: "policy/evaluate takes {\"request\": {...}}")
                }
                if let extra = object.keys.first(where: { $0 != "request" }) {
                    throw PolicyPluginError(message: "policy/evaluate: unknown parameter \"\(extra)\"")
                }
                let request: PolicyRequest
                do throws(PolicyRequestError) {
                    request = try PolicyRequest(json: requestJSON)
                } catch {
                    throw PolicyPluginError(message: error.description)
                }
                return holder.evaluate(request).json
            },
            "policy/status": { _ in
                holder.reloadIfChanged()
                return holder.status.json
            },
            "policy/reload": { _ in
                holder.reload()
                return holder.status.json
            },
        ]
    }
}

/// A request the policy plugin cannot serve (the kernel then denies the call).
public struct PolicyPluginError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
