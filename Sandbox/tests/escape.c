/*
 * warden-escape: a hostile program for the escape suite, and a well-behaved one for the
 * legitimate-needs tests. Each invocation makes exactly one named attempt and prints one line:
 *
 *   {"attempt":"NAME","ok":true|false,"errno":N,"detail":"..."}
 *
 * ok=true means the attempt succeeded (for an escape: the sandbox failed). An attempt the filter
 * kills never prints: the caller sees the process die of SIGSYS. Run `warden-escape --list` for the
 * names. The Swift tests (Tests/SandboxTests) run each attempt under the real launcher and assert
 * the exact outcome.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/random.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

static const char *g_name;
static char **g_args;
static int g_argc;

static void report(int ok, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void report(int ok, int err, const char *fmt, ...)
{
    char detail[512] = "";
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof detail, fmt, ap);
        va_end(ap);
    }
    for (char *p = detail; *p; p++) {
        if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20) {
            *p = '?';
        }
    }
    printf("{\"attempt\":\"%s\",\"ok\":%s,\"errno\":%d,\"detail\":\"%s\"}\n", g_name, ok ? "true" : "false", err,
        detail);
    fflush(stdout);
    exit(0);
}

/* Report the outcome of a call returning -1 on error. */
static void result(long rc)
{
    if (rc < 0) {
        report(0, errno, "%s", strerror(errno));
    }
    report(1, 0, "returned %ld", rc);
}

static const char *arg(int i)
{
    if (i >= g_argc) {
        fprintf(stderr, "warden-escape: %s needs argument %d\n", g_name, i + 1);
        exit(2);
    }
    return g_args[i];
}

/* ---- network ---- */
static void socket_inet(void) { result(socket(AF_INET, SOCK_STREAM, 0)); }
static void socket_inet6(void) { result(socket(AF_INET6, SOCK_STREAM, 0)); }
static void socket_netlink(void) { result(socket(AF_NETLINK, SOCK_RAW, 0)); }
static void socket_packet(void) { result(socket(AF_PACKET, SOCK_RAW, 0)); }
/* The kernel reads the family as an int: high bits must not smuggle AF_INET past the filter. */
static void socket_highbits(void) { result(syscall(SYS_socket, 0x100000000UL | AF_INET, SOCK_STREAM, 0)); }
static void socketpair_inet(void)
{
    int sv[2];
    result(socketpair(AF_INET, SOCK_STREAM, 0, sv));
}
static void socket_every_family(void)
{
    for (int fam = 0; fam < AF_MAX; fam++) {
        if (fam == AF_UNIX) {
            continue;
        }
        static const int types[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET};
        for (size_t t = 0; t < 4; t++) {
            int fd = socket(fam, types[t], 0);
            if (fd >= 0 || errno != EPERM) {
                report(1, fd >= 0 ? 0 : errno, "family %d type %d was not refused with EPERM", fam, types[t]);
            }
        }
    }
    report(0, EPERM, "every family but AF_UNIX refused");
}
static void connect_tcp(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        result(-1);
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(arg(0)))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    result(connect(fd, (struct sockaddr *)&a, sizeof a));
}
static void connect_abstract(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) {
        result(-1);
    }
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    size_t n = strlen(arg(0));
    memcpy(a.sun_path + 1, arg(0), n);
    result(connect(fd, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)));
}
static void connect_unix_path(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) {
        result(-1);
    }
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", arg(0));
    result(connect(fd, (struct sockaddr *)&a, sizeof a));
}

/* ---- filesystem ---- */
static void read_file(void)
{
    int fd = open(arg(0), O_RDONLY);
    if (fd < 0) {
        result(-1);
    }
    char buf[64];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
        result(-1);
    }
    report(1, 0, "read %zd bytes", n);
}
static void write_file(void) { result(open(arg(0), O_WRONLY | O_CREAT | O_TRUNC, 0644)); }
static void write_through_symlink(void)
{
    char link[4096];
    snprintf(link, sizeof link, "%s/escape-link", arg(0));
    unlink(link);
    if (symlink(arg(1), link) != 0) {
        report(0, errno, "symlink: %s", strerror(errno));
    }
    result(open(link, O_WRONLY | O_TRUNC));
}
static void hardlink(void) { result(link(arg(0), arg(1))); }
static void proc_self_mem(void) { result(open("/proc/self/mem", O_RDWR)); }
static void proc_sys_write(void) { result(open("/proc/sys/kernel/hostname", O_WRONLY)); }
static void mknod_device(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/escape-null", arg(0));
    result(mknod(path, S_IFCHR | 0666, makedev(1, 3)));
}
static void open_tty(void) { result(open("/dev/tty", O_RDWR)); }
static void dev_disk(void) { result(open("/dev/vda", O_RDONLY)); }
static void ids(void)
{
    report(1, 0, "uid=%d euid=%d gid=%d egid=%d", (int)getuid(), (int)geteuid(), (int)getgid(), (int)getegid());
}
static void setuid_exec(void)
{
    char *argv[] = {(char *)arg(0), "ids", NULL};
    char *envp[] = {NULL};
    execve(arg(0), argv, envp);
    report(0, errno, "execve: %s", strerror(errno));
}

/* ---- processes, signals, privileges ---- */
static void ptrace_parent(void) { result(ptrace(PTRACE_ATTACH, getppid(), 0, 0)); }
static void kill_all(void) { result(kill(-1, SIGKILL)); }
static void kill_pid(void) { result(kill((pid_t)atoi(arg(0)), SIGTERM)); }
static void proc_pid_environ(void)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%s/environ", arg(0));
    g_args[0] = path;
    read_file();
}
static void fork_once(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        _exit(0);
    }
    result(pid);
}
static void clone_newuser(void) { result(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0)); }
static void clone3_call(void)
{
    uint64_t args[11] = {0};
    args[4] = SIGCHLD; /* exit_signal */
    result(syscall(SYS_clone3, args, sizeof args));
}
static void unshare_user(void) { result(unshare(CLONE_NEWUSER)); }
static void unshare_net(void) { result(unshare(CLONE_NEWNET)); }
static void setns_call(void) { result(setns(0, CLONE_NEWNET)); }
static void mount_call(void) { result(mount("none", "/tmp", "tmpfs", 0, NULL)); }
static void umount_call(void) { result(umount2("/", MNT_DETACH)); }
static void pivot_root_call(void) { result(syscall(SYS_pivot_root, "/tmp", "/tmp")); }
static void chroot_call(void) { result(chroot("/tmp")); }
static void capset_call(void)
{
    struct {
        uint32_t version;
        int pid;
    } hdr = {0x20080522, 0};
    struct {
        uint32_t effective, permitted, inheritable;
    } data[2] = {{~0u, ~0u, 0}, {~0u, ~0u, 0}};
    result(syscall(SYS_capset, &hdr, data));
}
static void setuid_root(void) { result(setuid(0)); }
static void keyctl_call(void) { result(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0)); }
static void add_key_call(void) { result(syscall(SYS_add_key, "user", "warden", "x", 1, KEY_SPEC_SESSION_KEYRING)); }
static void bpf_call(void) { result(syscall(SYS_bpf, 0, NULL, 0)); }
static void perf_event_open_call(void) { result(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0)); }
static void userfaultfd_call(void) { result(syscall(SYS_userfaultfd, 0)); }
static void io_uring_setup_call(void) { result(syscall(SYS_io_uring_setup, 1, NULL)); }
static void kexec_load_call(void) { result(syscall(SYS_kexec_load, 0, 0, NULL, 0)); }
static void init_module_call(void) { result(syscall(SYS_init_module, NULL, 0, "")); }
static void process_vm_readv_call(void)
{
    char buf[8];
    struct iovec local = {buf, sizeof buf}, remote = {buf, sizeof buf};
    result(syscall(SYS_process_vm_readv, getppid(), &local, 1, &remote, 1, 0));
}
static void open_by_handle_at_call(void) { result(syscall(SYS_open_by_handle_at, AT_FDCWD, NULL, O_RDONLY)); }
static void swapon_call(void) { result(syscall(SYS_swapon, "/tmp/swap", 0)); }
static void reboot_call(void) { result(syscall(SYS_reboot, 0, 0, RB_POWER_OFF, NULL)); }
static void clock_settime_call(void)
{
    struct timespec ts = {0, 0};
    result(syscall(SYS_clock_settime, CLOCK_REALTIME, &ts));
}
static void settimeofday_call(void)
{
    struct timeval tv = {0, 0};
    result(syscall(SYS_settimeofday, &tv, NULL));
}
static void pidfd_getfd_call(void) { result(syscall(SYS_pidfd_getfd, 0, 0, 0)); }
static void int80(void)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L /* i386 getpid */) : "memory");
    report(1, 0, "int 0x80 returned %ld", ret);
}
static void x32(void) { result(syscall(0x40000000L | 39 /* getpid */)); }
static void personality_call(void) { result(personality(READ_IMPLIES_EXEC | ADDR_NO_RANDOMIZE)); }
static void tiocsti(void)
{
    char c = 'x';
    result(ioctl(0, TIOCSTI, &c));
}
/* ioctl's request is an unsigned int to the kernel: high bits must not hide TIOCSTI. */
static void tiocsti_highbits(void)
{
    char c = 'x';
    result(syscall(SYS_ioctl, 0, 0x100000000UL | TIOCSTI, &c));
}
static void sethostname_call(void) { result(sethostname("evil", 4)); }
static void unknown_syscall(void) { result(syscall(1000)); }

static void fork_bomb(void)
{
    long count = 0;
    for (;;) {
        pid_t pid = fork();
        if (pid < 0) {
            report(0, errno, "forked %ld processes before %s", count, strerror(errno));
        }
        if (pid == 0) {
            pause();
            _exit(0);
        }
        if (++count > 100000) {
            report(1, 0, "forked %ld processes without hitting a limit", count);
        }
    }
}
static void memory_bomb(void)
{
    size_t chunk = 64UL << 20, total = 0;
    for (;;) {
        void *p = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            report(0, errno, "mapped %zu MiB before %s", total >> 20, strerror(errno));
        }
        total += chunk;
        if (total > (64UL << 30)) {
            report(1, 0, "mapped %zu MiB without hitting a limit", total >> 20);
        }
    }
}
static void leaked_fd(void) { result(fcntl(atoi(arg(0)), F_GETFD)); }
static void env_secret(void)
{
    const char *name = arg(0);
    if (getenv(name) != NULL) {
        report(1, 0, "the variable is in the environment");
    }
    static const char *const files[] = {"/proc/self/environ", "/proc/1/environ"};
    for (size_t i = 0; i < 2; i++) {
        int fd = open(files[i], O_RDONLY);
        if (fd < 0) {
            continue;
        }
        char buf[65536];
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n > 0 && memmem(buf, (size_t)n, name, strlen(name)) != NULL) {
            report(1, 0, "the variable is in %s", files[i]);
        }
    }
    report(0, 0, "absent");
}
static void core_dump(void)
{
    struct rlimit r;
    getrlimit(RLIMIT_CORE, &r);
    if (r.rlim_cur != 0 || r.rlim_max != 0) {
        report(1, 0, "core limit is %lld/%lld", (long long)r.rlim_cur, (long long)r.rlim_max);
    }
    struct rlimit up = {RLIM_INFINITY, RLIM_INFINITY};
    if (setrlimit(RLIMIT_CORE, &up) == 0) {
        report(1, 0, "raised the core limit");
    }
    report(0, errno, "core limit 0/0 and cannot be raised: %s", strerror(errno));
}
static void raise_nproc(void)
{
    struct rlimit up = {RLIM_INFINITY, RLIM_INFINITY};
    result(setrlimit(RLIMIT_NPROC, &up));
}

/* ---- legitimate needs ---- */
static void legit_read(void) { read_file(); }
static void legit_write(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/legit-write.txt", arg(0));
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "hello", 5) != 5 || close(fd) != 0) {
        report(0, errno, "write: %s", strerror(errno));
    }
    char buf[8] = {0};
    fd = open(path, O_RDONLY);
    if (fd < 0 || read(fd, buf, sizeof buf) != 5 || strcmp(buf, "hello") != 0) {
        report(0, errno, "read back failed");
    }
    close(fd);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/legit-dir", arg(0));
    if (mkdir(dir, 0755) != 0 || rmdir(dir) != 0 || unlink(path) != 0) {
        report(0, errno, "mkdir/rmdir/unlink: %s", strerror(errno));
    }
    report(1, 0, "wrote, read back, removed");
}
static void *thread_main(void *p)
{
    long n = (long)p, sum = 0;
    for (long i = 0; i < 100000; i++) {
        sum += i % (n + 1);
    }
    return (void *)sum;
}
static void legit_threads(void)
{
    pthread_t t[8];
    for (long i = 0; i < 8; i++) {
        int rc = pthread_create(&t[i], NULL, thread_main, (void *)i);
        if (rc != 0) {
            report(0, rc, "pthread_create: %s", strerror(rc));
        }
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
    }
    report(1, 0, "8 threads joined");
}
static void legit_time(void)
{
    struct timespec a, b, c, req = {0, 1000000};
    struct timeval tv;
    if (clock_gettime(CLOCK_MONOTONIC, &a) != 0 || nanosleep(&req, NULL) != 0 || clock_gettime(CLOCK_MONOTONIC, &b) != 0
        || gettimeofday(&tv, NULL) != 0 || clock_gettime(CLOCK_REALTIME, &c) != 0) {
        report(0, errno, "%s", strerror(errno));
    }
    report(1, 0, "slept %ld ns", (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec));
}
static void legit_random(void)
{
    unsigned char buf[32];
    if (getrandom(buf, sizeof buf, 0) != (ssize_t)sizeof buf) {
        report(0, errno, "getrandom: %s", strerror(errno));
    }
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0 || read(fd, buf, sizeof buf) != (ssize_t)sizeof buf) {
        report(0, errno, "/dev/urandom: %s", strerror(errno));
    }
    report(1, 0, "64 random bytes");
}
static void legit_pipes(void)
{
    int p[2], sv[2];
    char buf[4];
    if (pipe2(p, O_CLOEXEC) != 0 || write(p[1], "ping", 4) != 4 || read(p[0], buf, 4) != 4) {
        report(0, errno, "pipe: %s", strerror(errno));
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 || write(sv[0], "pong", 4) != 4
        || read(sv[1], buf, 4) != 4) {
        report(0, errno, "socketpair: %s", strerror(errno));
    }
    int ev = eventfd(0, EFD_CLOEXEC), ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event e = {.events = EPOLLIN, .data.fd = p[0]};
    if (ev < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e) != 0) {
        report(0, errno, "eventfd/epoll: %s", strerror(errno));
    }
    int fd = open("/dev/null", O_WRONLY);
    if (fd < 0 || write(fd, "x", 1) != 1) {
        report(0, errno, "/dev/null: %s", strerror(errno));
    }
    report(1, 0, "pipe, socketpair, eventfd, epoll, /dev/null");
}
static void legit_spawn(void)
{
    pid_t pid = fork();
    if (pid < 0) {
        report(0, errno, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        char *argv[] = {"/bin/sh", "-c", "echo spawned | cat >/dev/null; exit 7", NULL};
        char *envp[] = {"PATH=/usr/bin:/bin", NULL};
        execve("/bin/sh", argv, envp);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid) {
        report(0, errno, "waitpid: %s", strerror(errno));
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 7) {
        report(0, 0, "the shell ended with status %d", st);
    }
    report(1, 0, "sh ran and exited 7");
}
static void legit_loopback(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 1) != 0
        || getsockname(s, (struct sockaddr *)&a, &len) != 0) {
        report(0, errno, "listen: %s", strerror(errno));
    }
    int c = socket(AF_INET, SOCK_STREAM, 0);
    if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a) != 0) {
        report(0, errno, "connect: %s", strerror(errno));
    }
    int acc = accept(s, NULL, NULL);
    if (acc < 0 || write(c, "hi", 2) != 2) {
        report(0, errno, "accept: %s", strerror(errno));
    }
    report(1, 0, "loopback TCP works");
}

struct attempt {
    const char *name;
    void (*run)(void);
};

static const struct attempt attempts[] = {
    {"socket_inet", socket_inet},
    {"socket_inet6", socket_inet6},
    {"socket_netlink", socket_netlink},
    {"socket_packet", socket_packet},
    {"socket_highbits", socket_highbits},
    {"socket_every_family", socket_every_family},
    {"socketpair_inet", socketpair_inet},
    {"connect_tcp", connect_tcp},
    {"connect_abstract", connect_abstract},
    {"connect_unix_path", connect_unix_path},
    {"read_file", read_file},
    {"write_file", write_file},
    {"write_through_symlink", write_through_symlink},
    {"hardlink", hardlink},
    {"proc_self_mem", proc_self_mem},
    {"proc_sys_write", proc_sys_write},
    {"proc_pid_environ", proc_pid_environ},
    {"mknod_device", mknod_device},
    {"open_tty", open_tty},
    {"dev_disk", dev_disk},
    {"ids", ids},
    {"setuid_exec", setuid_exec},
    {"ptrace_parent", ptrace_parent},
    {"kill_all", kill_all},
    {"kill_pid", kill_pid},
    {"fork", fork_once},
    {"clone_newuser", clone_newuser},
    {"clone3", clone3_call},
    {"unshare_user", unshare_user},
    {"unshare_net", unshare_net},
    {"setns", setns_call},
    {"mount", mount_call},
    {"umount", umount_call},
    {"pivot_root", pivot_root_call},
    {"chroot", chroot_call},
    {"capset", capset_call},
    {"setuid_root", setuid_root},
    {"keyctl", keyctl_call},
    {"add_key", add_key_call},
    {"bpf", bpf_call},
    {"perf_event_open", perf_event_open_call},
    {"userfaultfd", userfaultfd_call},
    {"io_uring_setup", io_uring_setup_call},
    {"kexec_load", kexec_load_call},
    {"init_module", init_module_call},
    {"process_vm_readv", process_vm_readv_call},
    {"open_by_handle_at", open_by_handle_at_call},
    {"swapon", swapon_call},
    {"reboot", reboot_call},
    {"clock_settime", clock_settime_call},
    {"settimeofday", settimeofday_call},
    {"pidfd_getfd", pidfd_getfd_call},
    {"int80", int80},
    {"x32", x32},
    {"personality", personality_call},
    {"tiocsti", tiocsti},
    {"tiocsti_highbits", tiocsti_highbits},
    {"sethostname", sethostname_call},
    {"unknown_syscall", unknown_syscall},
    {"fork_bomb", fork_bomb},
    {"memory_bomb", memory_bomb},
    {"leaked_fd", leaked_fd},
    {"env_secret", env_secret},
    {"core_dump", core_dump},
    {"raise_nproc", raise_nproc},
    {"legit_read", legit_read},
    {"legit_write", legit_write},
    {"legit_threads", legit_threads},
    {"legit_time", legit_time},
    {"legit_random", legit_random},
    {"legit_pipes", legit_pipes},
    {"legit_spawn", legit_spawn},
    {"legit_loopback", legit_loopback},
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: warden-escape ATTEMPT [ARGS...] | --list\n");
        return 2;
    }
    size_t n = sizeof attempts / sizeof attempts[0];
    if (strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < n; i++) {
            printf("%s\n", attempts[i].name);
        }
        return 0;
    }
    g_name = argv[1];
    g_args = argv + 2;
    g_argc = argc - 2;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(attempts[i].name, g_name) == 0) {
            attempts[i].run();
            return 0;
        }
    }
    fprintf(stderr, "warden-escape: unknown attempt \"%s\"\n", g_name);
    return 2;
}
