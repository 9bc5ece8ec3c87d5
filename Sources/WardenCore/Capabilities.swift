/// How far a plugin may reach on the network.
public enum NetworkAccess: String, Sendable, Codable, CaseIterable, Comparable {
    case none, loopback, outbound

    private var rank: Int {
        switch self {
        case .none: 0
        case .loopback: 1
        case .outbound: 2
        }
    }

    public static func < (lhs: NetworkAccess, rhs: NetworkAccess) -> Bool { lhs.rank < rhs.rank }
}

/// What a plugin may do beyond computing: the same shape for what a manifest asks and what a grant allows.
///
/// Paths are absolute, or one of the words ``symbolicPaths``: `workspace` for the kernel's workspace folder,
/// `policies` for the policies folder. Nothing is granted by
/// default: an empty value means no extra reads, no writes, no network, no processes, no variables.
public struct Capabilities: Sendable, Codable, Hashable {
    public var read: [String] = []
    public var write: [String] = []
    public var network: NetworkAccess = .none
    public var spawn: Bool = false
    public var env: [String] = []
    public var syscalls: [String] = []

    public init(
        read: [String] = [], write: [String] = [], network: NetworkAccess = .none, spawn: Bool = false,
        env: [String] = [], syscalls: [String] = []
    ) {
        self.read = read
        self.write = write
        self.network = network
        self.spawn = spawn
        self.env = env
        self.syscalls = syscalls
    }

    static let keys = ["read", "write", "network", "spawn", "env", "syscalls"]
    /// Words that stand for folders the kernel knows: `workspace` and `policies`.
    public static let symbolicPaths = ["workspace", "policies"]

    /// Everything in `self` that `grant` does not allow, as sentences naming each difference; empty when
    /// `self` is within the grant.
    public func exceeding(_ grant: Capabilities) -> [String] {
        var out: [String] = []
        for path in read where !grant.read.contains(where: { Self.covers($0, path) })
            && !grant.write.contains(where: { Self.covers($0, path) })
        {
            out.append("read \(path)")
        }
        for path in write where !grant.write.contains(where: { Self.covers($0, path) }) {
            out.append("write \(path)")
        }
        if network > grant.network { out.append("network \(network.rawValue) (granted: \(grant.network.rawValue))") }
        if spawn && !grant.spawn { out.append("spawn processes") }
        for name in env where !grant.env.contains(name) { out.append("environment variable \(name)") }
        for group in syscalls where !grant.syscalls.contains(group) { out.append("syscall group \(group)") }
        return out
    }

    /// Whether granting `granted` covers `asked`: the same path, or a folder above it.
    static func covers(_ granted: String, _ asked: String) -> Bool {
        if granted == asked { return true }
        guard granted.hasPrefix("/"), asked.hasPrefix("/") else { return false }
        let folder = granted.hasSuffix("/") ? granted : granted + "/"
        return asked.hasPrefix(folder)
    }

    /// Reads capabilities from a strict JSON object, reporting problems into `reader`.
    public static func read(_ o: [String: JSONValue], at path: String, reader: inout StrictReader) -> Capabilities {
        reader.checkKeys(o, at: path, allowed: keys)
        var c = Capabilities()
        for key in ["read", "write"] {
            let paths = reader.strings(o, key, at: path) ?? []
            for (i, p) in paths.enumerated() {
                if !symbolicPaths.contains(p) && !p.hasPrefix("/") {
                    reader.fail("\(path).\(key)[\(i)]", "\"\(p)\" must be an absolute path, \"workspace\" or \"policies\"")
                } else if p.split(separator: "/").contains("..") {
                    reader.fail("\(path).\(key)[\(i)]", "\"\(p)\" must not contain \"..\"")
                }
            }
            if key == "read" { c.read = paths } else { c.write = paths }
        }
        if let n = reader.string(o, "network", at: path, required: false) {
            if let access = NetworkAccess(rawValue: n) {
                c.network = access
            } else {
                reader.fail(path + ".network", "\"network\" must be none, loopback or outbound, not \"\(n)\"")
            }
        }
        c.spawn = reader.bool(o, "spawn", at: path) ?? false
        c.env = reader.strings(o, "env", at: path) ?? []
        for (i, name) in c.env.enumerated() where !Self.isVariableName(name) {
            reader.fail("\(path).env[\(i)]", "\"\(name)\" is not an environment variable name")
        }
        c.syscalls = reader.strings(o, "syscalls", at: path) ?? []
        return c
    }

    static func isVariableName(_ s: String) -> Bool {
        let letter: (Unicode.Scalar) -> Bool = { $0 == "_" || ("A"..."Z").contains($0) || ("a"..."z").contains($0) }
        guard let first = s.unicodeScalars.first, letter(first) else { return false }
        return s.unicodeScalars.allSatisfy { letter($0) || ("0"..."9").contains($0) }
    }
}
