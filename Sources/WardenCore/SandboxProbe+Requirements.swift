/// What the operator demands of the kernel before any plugin runs. The default demands everything;
/// lowering a demand is an explicit choice in configuration.
public struct SandboxRequirements: Codable, Sendable, Equatable {
    /// seccomp filters must be available.
    public var seccomp: Bool
    /// The lowest acceptable Landlock ABI (0 accepts a kernel without Landlock).
    public var minimumLandlockABI: Int
    /// Unprivileged user namespaces (and with them mount, pid, ipc and uts namespaces) must work.
    public var userNamespaces: Bool

    /// Requirements as given; the defaults demand all three.
    public init(seccomp: Bool = true, minimumLandlockABI: Int = 1, userNamespaces: Bool = true) {
        self.seccomp = seccomp
        self.minimumLandlockABI = minimumLandlockABI
        self.userNamespaces = userNamespaces
    }

    enum CodingKeys: String, CodingKey {
        case seccomp
        case minimumLandlockABI = "minimum_landlock_abi"
        case userNamespaces = "user_namespaces"
    }

    /// The requirements the probed kernel does not meet, one sentence each; empty when all are met.
    public func unmet(by probe: SandboxProbe) -> [String] {
        var missing: [String] = []
        if seccomp && !probe.seccomp {
            missing.append(
                "seccomp filters are not available in kernel \(probe.kernel); plugins cannot be confined without them.")
        }
        if probe.landlockABI < minimumLandlockABI {
            let offered = probe.landlockABI == 0 ? "no Landlock" : "Landlock ABI \(probe.landlockABI)"
            missing.append(
                "Landlock ABI \(minimumLandlockABI) or later is required but kernel \(probe.kernel) offers \(offered); "
                    + "enable Landlock (lsm= boot parameter) or lower the requirement in configuration.")
        }
        if userNamespaces {
            let needed = ["user", "mount", "pid", "ipc", "uts"]
            let absent = needed.filter { !probe.namespaces.contains($0) }
            if !absent.isEmpty {
                let why = absent.compactMap { name in probe.namespaceErrors[name].map { "\(name): \($0)" } }
                missing.append(
                    "unprivileged namespaces are required but these cannot be created: "
                        + absent.joined(separator: ", ") + (why.isEmpty ? "" : " (\(why.joined(separator: "; ")))")
                        + "; check /proc/sys/user/max_user_namespaces and "
                        + "/proc/sys/kernel/unprivileged_userns_clone, or lower the requirement in configuration.")
            }
        }
        return missing
    }
}
