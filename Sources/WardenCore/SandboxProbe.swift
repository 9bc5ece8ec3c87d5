/// What the running kernel offers for confinement, as `warden-launch --probe` reports it.
public struct SandboxProbe: Codable, Sendable, Equatable {
    /// The launcher's version.
    public var launcherVersion: Int
    /// The kernel release (`uname -r`).
    public var kernel: String
    /// The architecture the filters are built for.
    public var architecture: String
    /// seccomp filter mode with the kill-process action is available.
    public var seccomp: Bool
    /// The libseccomp version the launcher was built with.
    public var libseccomp: String
    /// libseccomp's API level for this kernel.
    public var seccompAPILevel: Int
    /// The best Landlock ABI, 0 when Landlock is unavailable.
    public var landlockABI: Int
    /// An unprivileged user namespace can be created (as the launcher would, after leaving root).
    public var userNamespaces: Bool
    /// The namespaces that can be created, by name.
    public var namespaces: [String]
    /// For each namespace that cannot be created, the error.
    public var namespaceErrors: [String: String]
    /// Syscall names in the base profile that the launcher's libseccomp does not know (those get ENOSYS).
    public var profileSyscallsUnknownToLibseccomp: [String]

    /// A probe result as given (tests and tools build them; the launcher's comes from JSON).
    public init(
        launcherVersion: Int, kernel: String, architecture: String, seccomp: Bool, libseccomp: String,
        seccompAPILevel: Int, landlockABI: Int, userNamespaces: Bool, namespaces: [String],
        namespaceErrors: [String: String], profileSyscallsUnknownToLibseccomp: [String]
    ) {
        self.launcherVersion = launcherVersion
        self.kernel = kernel
        self.architecture = architecture
        self.seccomp = seccomp
        self.libseccomp = libseccomp
        self.seccompAPILevel = seccompAPILevel
        self.landlockABI = landlockABI
        self.userNamespaces = userNamespaces
        self.namespaces = namespaces
        self.namespaceErrors = namespaceErrors
        self.profileSyscallsUnknownToLibseccomp = profileSyscallsUnknownToLibseccomp
    }

    enum CodingKeys: String, CodingKey {
        case launcherVersion = "launcher_version"
        case kernel, architecture, seccomp, libseccomp
        case seccompAPILevel = "seccomp_api_level"
        case landlockABI = "landlock_abi"
        case userNamespaces = "user_namespaces"
        case namespaces
        case namespaceErrors = "namespace_errors"
        case profileSyscallsUnknownToLibseccomp = "profile_syscalls_unknown_to_libseccomp"
    }
}
