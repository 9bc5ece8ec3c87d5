import Foundation

/// A change in a plugin's life: discovered, started, stopped, crashed, restarted, refused. Payload type
/// `application/vnd.warden.plugin-lifecycle+json`.
public struct PluginLifecycleRecord: LogRecord, Hashable {
    public static let payloadType = LogPayloadType.pluginLifecycle

    /// What happened.
    public enum Event: String, Sendable, Codable, CaseIterable {
        /// A new or changed plugin folder was found and its manifest accepted.
        case discovered
        /// The plugin folder or manifest was refused (the reason says why).
        case refused
        /// The process started and completed the handshake.
        case started
        /// The kernel stopped it (shutdown, reload, idle).
        case stopped
        /// It exited or broke the protocol unexpectedly.
        case crashed
        /// It is being started again after a crash, after a backoff.
        case restarting
        /// Too many crashes: the circuit breaker stopped restarting it.
        case circuitOpen = "circuit_open"
        /// Its folder disappeared.
        case removed
        /// It announced a new tool list (`notifications/tools/list_changed`); the reason names the tools added,
        /// removed and redefined. What a tool does can change under its name: the log shows when.
        case toolsChanged = "tools_changed"
    }

    public var recordVersion: Int = 1
    public var event: Event
    public var plugin: String
    public var version: String?
    public var kind: PluginKind?
    /// `sha256:` digest of `plugin.json` as verified for this event.
    public var manifestDigest: String?
    /// `sha256:` digest of the executable that ran.
    public var binaryDigest: String?
    /// `sha256:` digest of the confinement spec, and the Landlock ABI enforced.
    public var sandboxSpecDigest: String?
    public var landlockABI: Int?
    public var pid: Int?
    /// The exit status, or the signal that ended it, for `stopped` and `crashed`.
    public var exitStatus: Int?
    public var signal: Int?
    /// The restart attempt (1, 2, …) for `restarting`.
    public var attempt: Int?
    /// Why, in a sentence (a refused manifest's problems, a crash's cause).
    public var reason: String?
    public var time: Date

    public init(
        event: Event, plugin: String, version: String? = nil, kind: PluginKind? = nil,
        manifestDigest: String? = nil, binaryDigest: String? = nil, sandboxSpecDigest: String? = nil,
        landlockABI: Int? = nil, pid: Int? = nil, exitStatus: Int? = nil, signal: Int? = nil, attempt: Int? = nil,
        reason: String? = nil, time: Date
    ) {
        self.event = event
        self.plugin = plugin
        self.version = version
        self.kind = kind
        self.manifestDigest = manifestDigest
        self.binaryDigest = binaryDigest
        self.sandboxSpecDigest = sandboxSpecDigest
        self.landlockABI = landlockABI
        self.pid = pid
        self.exitStatus = exitStatus
        self.signal = signal
        self.attempt = attempt
        self.reason = reason
        self.time = time
    }

    enum CodingKeys: String, CodingKey {
        case event, plugin, version, kind, pid, signal, attempt, reason, time
        case recordVersion = "record_version"
        case manifestDigest = "manifest_digest"
        case binaryDigest = "binary_digest"
        case sandboxSpecDigest = "sandbox_spec_digest"
        case landlockABI = "landlock_abi"
        case exitStatus = "exit_status"
    }
}
