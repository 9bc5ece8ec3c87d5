import Foundation
import Synchronization
import WardenCore

#if canImport(Glibc)
    import Glibc
#endif

/// Compiled seccomp filter sets, kept by the host so that a launch does not compile them again with libseccomp
/// (about 2.5 ms each on a two-core VM, more than the rest of the launch).
///
/// A set depends only on the launcher build (its embedded profile) and the spec's network, spawn and syscall
/// groups; it is made once per such combination with `warden-launch --export-bpf` and handed to later launches
/// with `--bpf-fd`. The launcher checks the blob's own key against the spec and refuses a mismatch, so a wrong
/// entry can fail a launch (``Launcher/start(launcher:spec:program:wrapper:filters:)`` then retries without it)
/// but never load a filter meant for another spec.
public final class FilterCache: Sendable {
    let entries = Mutex<[String: [UInt8]]>([:])
    /// The largest blob kept: it is handed over through a pipe, written whole before the launcher starts, so it
    /// must fit in the pipe's buffer (64 KiB on Linux). Today's sets are a few KiB.
    static let maximumBlob = 60 << 10

    public init() {}

    /// The host-side key: the launcher file's identity and the seccomp-relevant facts of the spec.
    static func key(launcher: String, spec: LaunchSpec) -> String? {
        var st = stat()
        guard stat(launcher, &st) == 0 else { return nil }
        let facts = "\(st.st_dev)/\(st.st_ino)/\(st.st_size)/\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)|"
            + "\(spec.network.rawValue)|\(spec.spawn)|\(spec.syscalls.sorted().joined(separator: ","))"
        return ContentDigest.sha256(Array(facts.utf8))
    }

    /// The compiled set for `spec`, exported on first use; nil when it cannot be made (the launch then compiles
    /// its own, as without a cache).
    func blob(launcher: String, spec: LaunchSpec, specJSON: [UInt8]) -> (key: String, bytes: [UInt8])? {
        guard let key = Self.key(launcher: launcher, spec: spec) else { return nil }
        if let cached = entries.withLock({ $0[key] }) { return (key, cached) }
        guard let bytes = try? Self.export(launcher: launcher, specJSON: specJSON) else { return nil }
        entries.withLock { $0[key] = bytes }
        return (key, bytes)
    }

    /// Drops an entry the launcher refused.
    func forget(_ key: String) { _ = entries.withLock { $0.removeValue(forKey: key) } }

    /// Runs `warden-launch --export-bpf --spec-fd 3` and returns what it printed.
    static func export(launcher: String, specJSON: [UInt8]) throws -> [UInt8] {
        let out = try Syscall.pipe()
        let writer = try Syscall.moveAbove(out.write, minimum: 5)
        let reader = try Syscall.moveAbove(out.read, minimum: 5)
        defer { Syscall.close(reader) }
        let channel = try Syscall.socketPair()
        let specChild = try Syscall.moveAbove(channel.0, minimum: 5)
        let specParent = try Syscall.moveAbove(channel.1, minimum: 5)
        let devNull = try Syscall.retrying("open") { open("/dev/null", O_RDWR | O_CLOEXEC) }
        let input = try Syscall.moveAbove(devNull, minimum: 5)
        let pid: pid_t
        do {
            pid = try Launcher.spawn(
                path: launcher, argv: [launcher, "--export-bpf", "--spec-fd", "3"],
                childFDs: [input, writer, input, specChild])
        } catch {
            [writer, specChild, specParent, input].forEach(Syscall.close)
            throw error
        }
        [writer, specChild, input].forEach(Syscall.close)
        try? Syscall.writeAll(specParent, specJSON, socket: true)
        Syscall.close(specParent)
        let blob = try? Syscall.readAll(reader, limit: maximumBlob, timeoutMilliseconds: 10_000)
        if blob == nil { _ = kill(pid, SIGKILL) }
        let exit = try Syscall.wait(pid)
        guard exit == .exited(0), let blob, !blob.truncated, !blob.bytes.isEmpty else {
            throw PosixError("warden-launch --export-bpf \(exit)", errno: EINVAL)
        }
        return blob.bytes
    }
}
