/// The confinement spec the C launcher (`warden-launch`) applies before it execs a plugin.
///
/// It mirrors the launcher's JSON exactly (docs/launch-spec.md): encoding a value gives the JSON the
/// launcher reads, and the launcher refuses unknown keys and bad values, so a spec is checked twice
/// (here by construction, there by parsing). Paths are absolute and keep their real names inside the
/// plugin's filesystem view.
public struct LaunchSpec: Codable, Sendable, Equatable {
    /// A Linux namespace the launcher can create. Every one but `user` needs `user` as well.
    public enum Namespace: String, Codable, Sendable, CaseIterable {
        case user, mount, pid, net, ipc, uts, cgroup
    }

    /// What the plugin may reach on the network.
    public enum Network: String, Codable, Sendable, CaseIterable {
        /// Unix sockets only; with the `net` namespace not even loopback.
        case none
        /// TCP/UDP inside a private network namespace whose loopback is up (needs `net`).
        case loopback
        /// The host's network, connect only (TCP bind is refused); cannot be combined with `net`.
        case outbound
    }

    /// The filesystem view.
    public struct Filesystem: Codable, Sendable, Equatable {
        /// Read (and execute) only; each must exist.
        public var read: [String]
        /// Read only, skipped when missing: system files that differ between distributions.
        public var readIfPresent: [String]
        /// Read and write (no execute); each must exist.
        public var write: [String]

        /// A view of the given paths.
        public init(read: [String] = [], readIfPresent: [String] = [], write: [String] = []) {
            self.read = read
            self.readIfPresent = readIfPresent
            self.write = write
        }

        enum CodingKeys: String, CodingKey {
            case read
            case readIfPresent = "read_if_present"
            case write
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            read = try c.decodeIfPresent([String].self, forKey: .read) ?? []
            readIfPresent = try c.decodeIfPresent([String].self, forKey: .readIfPresent) ?? []
            write = try c.decodeIfPresent([String].self, forKey: .write) ?? []
        }
    }

    /// Resource limits (soft and hard are both set to the value; a value above the launcher's own hard
    /// limit is lowered to it). `nil` keeps the inherited limit. Core dumps are always off.
    public struct Limits: Codable, Sendable, Equatable {
        /// RLIMIT_AS, bytes of address space.
        public var addressSpace: Int?
        /// RLIMIT_CPU, seconds of CPU time (then SIGXCPU, then SIGKILL).
        public var cpuSeconds: Int?
        /// RLIMIT_NPROC, processes and threads of the plugin's uid in its user namespace.
        public var processes: Int?
        /// RLIMIT_NOFILE, open descriptors.
        public var openFiles: Int?
        /// RLIMIT_FSIZE, bytes per written file.
        public var fileSize: Int?
        /// RLIMIT_STACK, bytes of main-thread stack.
        public var stack: Int?

        /// Limits as given; `nil` keeps the inherited value.
        public init(
            addressSpace: Int? = nil, cpuSeconds: Int? = nil, processes: Int? = nil, openFiles: Int? = nil,
            fileSize: Int? = nil, stack: Int? = nil
        ) {
            self.addressSpace = addressSpace
            self.cpuSeconds = cpuSeconds
            self.processes = processes
            self.openFiles = openFiles
            self.fileSize = fileSize
            self.stack = stack
        }

        enum CodingKeys: String, CodingKey {
            case addressSpace = "as"
            case cpuSeconds = "cpu"
            case processes = "nproc"
            case openFiles = "nofile"
            case fileSize = "fsize"
            case stack
        }
    }

    /// The spec format version; the launcher knows version 1 only.
    public var version: Int
    /// Namespaces to create.
    public var namespaces: [Namespace]
    /// The filesystem view.
    public var filesystem: Filesystem
    /// Network capability.
    public var network: Network
    /// Whether the plugin may create processes (threads are always allowed).
    public var spawn: Bool
    /// The whole environment of the plugin: nothing is inherited.
    public var env: [String: String]
    /// Resource limits.
    public var rlimits: Limits
    /// Extra seccomp syscall groups by name (see Sandbox/profiles/base.json, "groups").
    public var syscalls: [String]
    /// The working directory, inside the view.
    public var cwd: String
    /// Descriptors above 2 that the plugin keeps (the host maps them before starting the launcher).
    public var keepFDs: [Int32]
    /// The lowest Landlock ABI the launcher accepts; 0 lets it run without Landlock.
    public var landlockMinABI: Int

    /// A spec with every field given.
    public init(
        version: Int = 1, namespaces: [Namespace], filesystem: Filesystem, network: Network, spawn: Bool,
        env: [String: String], rlimits: Limits, syscalls: [String] = [], cwd: String = "/", keepFDs: [Int32] = [],
        landlockMinABI: Int = 1
    ) {
        self.version = version
        self.namespaces = namespaces
        self.filesystem = filesystem
        self.network = network
        self.spawn = spawn
        self.env = env
        self.rlimits = rlimits
        self.syscalls = syscalls
        self.cwd = cwd
        self.keepFDs = keepFDs
        self.landlockMinABI = landlockMinABI
    }

    enum CodingKeys: String, CodingKey {
        case version, namespaces, filesystem, network, spawn, env, rlimits, syscalls, cwd
        case keepFDs = "keep_fds"
        case landlockMinABI = "landlock_min_abi"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decode(Int.self, forKey: .version)
        namespaces = try c.decode([Namespace].self, forKey: .namespaces)
        filesystem = try c.decode(Filesystem.self, forKey: .filesystem)
        network = try c.decode(Network.self, forKey: .network)
        spawn = try c.decode(Bool.self, forKey: .spawn)
        env = try c.decode([String: String].self, forKey: .env)
        rlimits = try c.decode(Limits.self, forKey: .rlimits)
        syscalls = try c.decodeIfPresent([String].self, forKey: .syscalls) ?? []
        cwd = try c.decodeIfPresent(String.self, forKey: .cwd) ?? "/"
        keepFDs = try c.decodeIfPresent([Int32].self, forKey: .keepFDs) ?? []
        landlockMinABI = try c.decodeIfPresent(Int.self, forKey: .landlockMinABI) ?? 1
    }

    /// System directories every plugin reads: libraries, interpreters, time zones.
    public static let systemReadPaths = ["/usr"]
    /// System paths read when present: merged-/usr symlinks, the loader cache, the local time zone,
    /// user and group names.
    public static let systemReadIfPresent = [
        "/bin", "/sbin", "/lib", "/lib64", "/etc/ld.so.cache", "/etc/localtime", "/etc/passwd", "/etc/group",
        "/etc/nsswitch.conf",
    ]

    /// The default spec: every namespace, read-only system paths and the plugin folder, nothing writable
    /// (but the private /tmp), no network, no spawning, a minimal environment and default limits.
    /// - Parameter pluginFolder: the plugin's folder as a real absolute path (no symlinks); also the
    ///   working directory.
    public static func baseline(pluginFolder: String) -> LaunchSpec {
        LaunchSpec(
            namespaces: Namespace.allCases,
            filesystem: Filesystem(read: systemReadPaths + [pluginFolder], readIfPresent: systemReadIfPresent),
            network: .none,
            spawn: false,
            env: ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8"],
            rlimits: Limits(
                addressSpace: 4 << 30, cpuSeconds: 3600, processes: 256, openFiles: 1024, fileSize: 1 << 30),
            cwd: pluginFolder)
    }
}
