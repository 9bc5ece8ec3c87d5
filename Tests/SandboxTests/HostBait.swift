import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Things on the host that a confined plugin must not reach: a TCP listener on loopback, an abstract and a
/// path Unix socket listening, a descriptor deliberately left inheritable, a secret in the environment.
/// Created once per test process and kept open.
struct HostBait: Sendable {
    let tcpPort: UInt16
    let abstractName: String
    let unixPath: String
    let leakedFD: Int32
    static let secretName = "WARDEN_TEST_HOST_SECRET"

    static let shared = HostBait()

    private init() {
        // TCP on 127.0.0.1, any port.
        let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(tcp, $0, len)
                _ = listen(tcp, 8)
                _ = getsockname(tcp, $0, &len)
            }
        }
        tcpPort = UInt16(bigEndian: addr.sin_port)

        abstractName = "warden-escape-bait-\(getpid())"
        unixPath = "/tmp/warden-escape-bait-\(getpid()).sock"
        Self.listenUnix(abstract: true, name: abstractName)
        unlink(unixPath)
        Self.listenUnix(abstract: false, name: unixPath)

        // Deliberately inheritable: the spawn and the launcher must both keep it from the plugin.
        leakedFD = open("/etc/hostname", O_RDONLY)
        setenv(Self.secretName, "hunter2-\(getpid())", 1)
    }

    private static func listenUnix(abstract: Bool, name: String) {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(name.utf8)
        let offset = abstract ? 1 : 0
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() where i + offset < raw.count { raw[i + offset] = b }
        }
        let len = socklen_t(MemoryLayout<sa_family_t>.size + offset + bytes.count + (abstract ? 0 : 1))
        withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(fd, $0, len)
                _ = listen(fd, 8)
            }
        }
    }
}
