import Foundation
import Testing
import WardenCore
import WardenPosix

#if canImport(Glibc)
    import Glibc
#endif

/// One hostile attempt and the exact outcome the baseline confinement must produce.
struct EscapeCase: Sendable, CustomTestStringConvertible {
    let attempt: String
    /// Arguments; `{folder}`, `{writable}`, `{secret}`, `{hostpid}`, `{port}`, `{abstract}`, `{unixpath}`
    /// and `{leakedfd}` are replaced at run time.
    let args: [String]
    let expected: Outcome
    let why: String

    init(_ attempt: String, _ args: [String] = [], _ expected: Outcome, _ why: String) {
        self.attempt = attempt
        self.args = args
        self.expected = expected
        self.why = why
    }

    var testDescription: String { "\(attempt) \(args.joined(separator: " ")) → \(expected)" }
}

/// Blocked attempts under the baseline spec (every namespace, no network, no spawn, one writable folder).
/// The suite fails if any of them succeeds or fails differently.
let baselineEscapes: [EscapeCase] = [
    // Network: seccomp refuses every socket family but AF_UNIX, whatever the high bits say.
    EscapeCase("socket_inet", [], .refused(EPERM), "no network: AF_INET refused"),
    EscapeCase("socket_inet6", [], .refused(EPERM), "no network: AF_INET6 refused"),
    EscapeCase("socket_netlink", [], .refused(EPERM), "netlink refused"),
    EscapeCase("socket_packet", [], .refused(EPERM), "raw packets refused"),
    EscapeCase("socket_highbits", [], .refused(EPERM), "high bits cannot hide AF_INET (32-bit compare)"),
    EscapeCase("socket_every_family", [], .refused(EPERM), "every family but AF_UNIX refused"),
    EscapeCase("socketpair_inet", [], .refused(EPERM), "socketpair families checked too"),
    EscapeCase("connect_tcp", ["{port}"], .refused(EPERM), "the host's TCP listener is unreachable"),
    EscapeCase("connect_abstract", ["{abstract}"], .refused(ECONNREFUSED), "abstract sockets are per network namespace"),
    EscapeCase("connect_unix_path", ["{unixpath}"], .refused(ENOENT), "host sockets are outside the view"),
    // Filesystem: the view holds only the spec's paths; read-only binds; Landlock behind them.
    EscapeCase("read_file", ["/etc/shadow"], .refused(ENOENT), "/etc/shadow is not in the view"),
    EscapeCase("read_file", ["{secret}"], .refused(ENOENT), "host files outside the view do not exist"),
    EscapeCase("write_file", ["/usr/warden-escape-was-here"], .refused(EROFS), "system paths are read-only"),
    EscapeCase("write_file", ["{folder}/readme.txt"], .refused(EROFS), "the plugin's own folder is read-only"),
    EscapeCase(
        "write_through_symlink", ["{writable}", "{folder}/readme.txt"], .refused(EROFS),
        "a symlink in the writable folder does not make its target writable"),
    EscapeCase("hardlink", ["{folder}/readme.txt", "{writable}/link"], .refused(EXDEV), "no hard link into the writable folder"),
    EscapeCase("mknod_device", ["{writable}"], .refused(EACCES), "no device nodes"),
    EscapeCase("proc_self_mem", [], .refused(EROFS), "/proc/self/mem cannot be opened for writing"),
    EscapeCase("proc_sys_write", [], .refused(EROFS), "/proc/sys is read-only"),
    EscapeCase("proc_pid_environ", ["{hostpid}"], .refused(ENOENT), "the host's processes are not in the pid namespace"),
    EscapeCase("proc_pid_environ", ["1"], .refused(EACCES), "the namespace's init (the launcher) is not readable"),
    EscapeCase("open_tty", [], .refused(ENOENT), "no controlling terminal and no /dev/tty"),
    EscapeCase("dev_disk", [], .refused(ENOENT), "no block devices in /dev"),
    // Processes and signals.
    EscapeCase("ptrace_parent", [], .killed(SIGSYS), "ptrace is never legitimate"),
    EscapeCase("kill_all", [], .refused(ESRCH), "kill(-1) reaches nothing outside the pid namespace"),
    EscapeCase("kill_pid", ["{hostpid}"], .refused(ESRCH), "the host's pid does not exist in the namespace"),
    EscapeCase("fork", [], .refused(EPERM), "no spawning without the capability"),
    EscapeCase("clone_newuser", [], .refused(EPERM), "namespace flags on clone refused"),
    EscapeCase("clone3", [], .refused(ENOSYS), "clone3 gets ENOSYS so libc falls back to clone"),
    EscapeCase("unshare_user", [], .refused(EPERM), "unshare refused"),
    EscapeCase("unshare_net", [], .refused(EPERM), "unshare refused"),
    EscapeCase("setns", [], .refused(EPERM), "setns refused"),
    EscapeCase("fork_bomb", [], .refused(EPERM), "without spawn even the first fork is refused"),
    EscapeCase("memory_bomb", [], .refused(ENOMEM), "the address-space limit stops it"),
    // Privileges.
    EscapeCase("mount", [], .killed(SIGSYS), "mount family is never legitimate"),
    EscapeCase("umount", [], .killed(SIGSYS), "mount family is never legitimate"),
    EscapeCase("pivot_root", [], .killed(SIGSYS), "mount family is never legitimate"),
    EscapeCase("chroot", [], .refused(EPERM), "chroot refused"),
    EscapeCase("capset", [], .refused(EPERM), "no capabilities to regain"),
    EscapeCase("setuid_root", [], .refused(EPERM), "no identity change"),
    EscapeCase("raise_nproc", [], .refused(EPERM), "limits cannot be raised"),
    EscapeCase("core_dump", [], .refused(EPERM), "core dumps are off and stay off"),
    EscapeCase("sethostname", [], .refused(EPERM), "no host name change"),
    EscapeCase("personality", [], .refused(EPERM), "no personality flags (READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE)"),
    EscapeCase("tiocsti", [], .refused(EPERM), "TIOCSTI refused by the stacked filter"),
    EscapeCase("tiocsti_highbits", [], .refused(EPERM), "high bits cannot hide TIOCSTI (32-bit compare)"),
    // The never-legitimate set.
    EscapeCase("keyctl", [], .killed(SIGSYS), "keyctl family"),
    EscapeCase("add_key", [], .killed(SIGSYS), "keyctl family"),
    EscapeCase("bpf", [], .killed(SIGSYS), "bpf"),
    EscapeCase("perf_event_open", [], .killed(SIGSYS), "perf_event_open"),
    EscapeCase("userfaultfd", [], .killed(SIGSYS), "userfaultfd"),
    EscapeCase("io_uring_setup", [], .killed(SIGSYS), "io_uring"),
    EscapeCase("kexec_load", [], .killed(SIGSYS), "kexec"),
    EscapeCase("init_module", [], .killed(SIGSYS), "module loading"),
    EscapeCase("process_vm_readv", [], .killed(SIGSYS), "reading another process's memory"),
    EscapeCase("pidfd_getfd", [], .killed(SIGSYS), "stealing another process's descriptors"),
    EscapeCase("open_by_handle_at", [], .killed(SIGSYS), "open_by_handle_at (shocker)"),
    EscapeCase("swapon", [], .killed(SIGSYS), "swapon"),
    EscapeCase("reboot", [], .killed(SIGSYS), "reboot"),
    EscapeCase("clock_settime", [], .killed(SIGSYS), "setting the clock"),
    EscapeCase("settimeofday", [], .killed(SIGSYS), "setting the clock"),
    EscapeCase("int80", [], .killed(SIGSYS), "the 32-bit ABI (int 0x80) is another architecture"),
    EscapeCase("x32", [], .killed(SIGSYS), "the x32 ABI is killed"),
    EscapeCase("unknown_syscall", [], .refused(ENOSYS), "unknown calls get ENOSYS"),
    // What the host holds.
    EscapeCase("leaked_fd", ["{leakedfd}"], .refused(EBADF), "an inheritable host descriptor does not reach the plugin"),
    EscapeCase("env_secret", [HostBait.secretName], .refused(0), "the host's environment is not inherited"),
]

@Suite("Escape suite: hostile attempts under the baseline spec")
struct EscapeSuiteTests {
    static func substitute(_ args: [String], _ f: SandboxFixture) -> [String] {
        let bait = HostBait.shared
        return args.map {
            $0.replacingOccurrences(of: "{folder}", with: f.folder)
                .replacingOccurrences(of: "{writable}", with: f.writable)
                .replacingOccurrences(of: "{secret}", with: f.secretOutside)
                .replacingOccurrences(of: "{hostpid}", with: "\(getpid())")
                .replacingOccurrences(of: "{port}", with: "\(bait.tcpPort)")
                .replacingOccurrences(of: "{abstract}", with: bait.abstractName)
                .replacingOccurrences(of: "{unixpath}", with: bait.unixPath)
                .replacingOccurrences(of: "{leakedfd}", with: "\(bait.leakedFD)")
        }
    }

    @Test(arguments: baselineEscapes)
    func attempt_isBlocked_underBaselineSpec(_ c: EscapeCase) throws {
        let f = try fixture()
        let outcome = try f.attempt(c.attempt, Self.substitute(c.args, f))
        #expect(outcome == c.expected, "\(c.attempt): \(c.why)")
    }

    @Test func suite_coversAtLeastThirtyDistinctAttempts() {
        #expect(Set(baselineEscapes.map(\.attempt)).count >= 30)
    }

    @Test func setuidBinary_gainsNothing() throws {
        let f = try fixture()
        guard geteuid() == 0 else {
            // Only root can make a setuid-root file to try; as an ordinary user the plugin runs as the
            // caller, which is the most a setuid file of the caller's could give.
            let outcome = try f.attempt("ids")
            #expect(outcome == .succeeded("uid=\(getuid()) euid=\(getuid()) gid=\(getgid()) egid=\(getgid())"))
            return
        }
        let suid = URL(fileURLWithPath: f.folder).appendingPathComponent("suid-escape").path
        if !FileManager.default.fileExists(atPath: suid) {
            try FileManager.default.copyItem(atPath: f.escape, toPath: suid)
        }
        #expect(chown(suid, 0, 0) == 0)
        #expect(chmod(suid, 0o4755) == 0)
        let outcome = try f.attempt("setuid_exec", [suid])
        #expect(outcome == .succeeded("uid=65534 euid=65534 gid=65534 egid=65534"), "no_new_privs and nosuid")
    }

    @Test func forkBomb_isStoppedByTheProcessLimit_whenSpawningIsAllowed() throws {
        let f = try fixture()
        var spec = f.baseline
        spec.spawn = true
        spec.rlimits.processes = 24
        #expect(try f.attempt("fork_bomb", spec: spec) == .refused(EAGAIN))
    }

    @Test func hostTCPListener_isUnreachable_fromLoopbackNetwork() throws {
        let f = try fixture()
        var spec = f.baseline
        spec.network = .loopback
        #expect(try f.attempt("connect_tcp", ["\(HostBait.shared.tcpPort)"], spec: spec) == .refused(ECONNREFUSED))
    }

    @Test func abstractSocket_isScopedByLandlock_withoutNetNamespace() throws {
        let f = try fixture()
        var spec = f.baseline
        spec.namespaces.removeAll { $0 == .net }
        #expect(try f.attempt("connect_abstract", [HostBait.shared.abstractName], spec: spec) == .refused(EPERM))
    }

    @Test func landlockAlone_blocksFilesSignalsAndSockets_withoutAnyNamespace() throws {
        let f = try fixture()
        var spec = f.baseline
        spec.namespaces = []
        #expect(try f.attempt("read_file", [f.secretOutside], spec: spec) == .refused(EACCES))
        #expect(try f.attempt("read_file", ["/etc/shadow"], spec: spec) == .refused(EACCES))
        #expect(try f.attempt("write_file", ["\(f.folder)/readme.txt"], spec: spec) == .refused(EACCES))
        #expect(try f.attempt("kill_pid", ["\(getpid())"], spec: spec) == .refused(EPERM))
        #expect(try f.attempt("connect_abstract", [HostBait.shared.abstractName], spec: spec) == .refused(EPERM))
        #expect(try f.attempt("ptrace_parent", spec: spec) == .killed(SIGSYS))
        #expect(try f.attempt("env_secret", [HostBait.secretName], spec: spec) == .refused(0))
    }
}
