/// The launcher's status line on success, written right before it execs the program: what was
/// actually enforced.
public struct LaunchStatus: Codable, Sendable, Equatable {
    /// Always true on this line.
    public var ok: Bool
    /// The Landlock ABI in force (0 when the spec allowed running without Landlock).
    public var landlockABI: Int
    /// The namespaces created, by name.
    public var namespaces: [String]
    /// `sha256:` and the hex digest of the loaded seccomp filter set.
    public var filterDigest: String
    /// Whether the filters came precompiled from the host (`--bpf-fd`).
    public var bpfPrecompiled: Bool
    /// no_new_privs is set (always true on success).
    public var noNewPrivs: Bool
    /// `cleared`: every capability set is empty.
    public var capabilities: String
    /// Whether the securebits are locked (false only for an ordinary user without a user namespace).
    public var securebitsLocked: Bool
    /// The plugin's uid and gid as the host sees them (65534 when the host runs as root).
    public var uid: Int
    /// See ``uid``.
    public var gid: Int

    enum CodingKeys: String, CodingKey {
        case ok
        case landlockABI = "landlock_abi"
        case namespaces
        case filterDigest = "filter_digest"
        case bpfPrecompiled = "bpf_precompiled"
        case noNewPrivs = "no_new_privs"
        case capabilities
        case securebitsLocked = "securebits_locked"
        case uid, gid
    }
}

/// The launcher's status line on failure: the step that failed, its errno and a sentence.
public struct LaunchFailureLine: Codable, Sendable, Equatable {
    /// Always false on this line.
    public var ok: Bool
    /// One of `usage`, `spec`, `session`, `namespaces`, `filesystem`, `rlimits`, `capabilities`,
    /// `no_new_privs`, `landlock`, `seccomp`, `exec`, `supervise`.
    public var step: String
    /// The errno of the failure (EINVAL for a refused spec).
    public var errno: Int32
    /// What went wrong, as a sentence.
    public var error: String
}

extension LaunchStatus {
    /// The launcher's documented exit code for a failed step: 240 + the step's index.
    public static let stepExitCodes: [String: Int32] = [
        "usage": 240, "spec": 241, "session": 242, "namespaces": 243, "filesystem": 244, "rlimits": 245,
        "capabilities": 246, "no_new_privs": 247, "landlock": 248, "seccomp": 249, "exec": 250, "supervise": 251,
    ]
}
