/*
 * warden-launch: apply a confinement spec to this process, then exec the program.
 *
 *   warden-launch --spec-fd N [--status-fd M] [--bpf-fd K] -- PROGRAM [ARGS...]
 *   warden-launch --spec-file PATH [--bpf-file PATH] ...        (benchmarks and debugging)
 *   warden-launch --export-bpf (--spec-fd N | --spec-file PATH)  (compiled filters on stdout)
 *   warden-launch --probe | --version
 *
 * Everything is read and checked first; then the steps run in this fixed order, each one a
 * function that either succeeds or fails the launch with its own exit code (see launcher.h and
 * docs/launch-spec.md). Only after the last step does the status line say ok, and execve follow.
 */
#define _GNU_SOURCE
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SPEC_MAX (1u << 20)
#define BPF_MAX (1u << 20)

struct options {
    int spec_fd;
    const char *spec_file;
    int status_fd;
    int bpf_fd;
    const char *bpf_file;
    bool probe;
    bool export_bpf;
    char **program;
};

static int parse_fd(const char *flag, const char *text)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < 0 || v > INT_MAX) {
        fail_plain(STEP_USAGE, EINVAL, "%s needs a descriptor number, not \"%s\"", flag, text);
    }
    return (int)v;
}

static struct options parse_options(int argc, char **argv)
{
    struct options o = {.spec_fd = -1, .status_fd = -1, .bpf_fd = -1};
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (strcmp(a, "--probe") == 0) {
            o.probe = true;
        } else if (strcmp(a, "--export-bpf") == 0) {
            o.export_bpf = true;
        } else if (strcmp(a, "--version") == 0) {
            printf("warden-launch %d\n", WARDEN_LAUNCH_VERSION);
            exit(0);
        } else if (strcmp(a, "--spec-fd") == 0 && has_value) {
            o.spec_fd = parse_fd(a, argv[++i]);
        } else if (strcmp(a, "--status-fd") == 0 && has_value) {
            o.status_fd = parse_fd(a, argv[++i]);
            status_set_fd(o.status_fd);
        } else if (strcmp(a, "--bpf-fd") == 0 && has_value) {
            o.bpf_fd = parse_fd(a, argv[++i]);
        } else if (strcmp(a, "--spec-file") == 0 && has_value) {
            o.spec_file = argv[++i];
        } else if (strcmp(a, "--bpf-file") == 0 && has_value) {
            o.bpf_file = argv[++i];
        } else {
            fail_plain(STEP_USAGE, EINVAL, "unknown or incomplete option \"%s\" (usage: warden-launch --spec-fd N "
                                     "[--status-fd M] [--bpf-fd K] -- PROGRAM [ARGS...], or --probe)", a);
        }
    }
    o.program = argv + i;
    if (o.probe) {
        return o;
    }
    if ((o.spec_fd >= 0) == (o.spec_file != NULL)) {
        fail_plain(STEP_USAGE, EINVAL, "give the spec with exactly one of --spec-fd and --spec-file");
    }
    if (o.bpf_fd >= 0 && o.bpf_file != NULL) {
        fail_plain(STEP_USAGE, EINVAL, "give precompiled BPF with at most one of --bpf-fd and --bpf-file");
    }
    if (!o.export_bpf && (o.program[0] == NULL || o.program[0][0] != '/')) {
        fail_plain(STEP_USAGE, EINVAL, "the program after \"--\" must be given as an absolute path");
    }
    if (o.status_fd >= 0 && (o.status_fd <= 2 || o.status_fd == o.spec_fd || o.status_fd == o.bpf_fd)) {
        fail_plain(STEP_USAGE, EINVAL, "the status descriptor must be above 2 and differ from the spec and BPF ones");
    }
    return o;
}

/* Read a whole input given as a descriptor (closed afterwards) or a file. */
static char *read_input(int fd, const char *file, size_t cap, size_t *len, const char *what)
{
    autoclose int opened = -1;
    if (file != NULL) {
        opened = open(file, O_RDONLY | O_CLOEXEC);
        if (opened < 0) {
            fail(STEP_SPEC, errno, "cannot open the %s file \"%s\"", what, file);
        }
        fd = opened;
    }
    char *buf = malloc(cap + 1);
    if (buf == NULL) {
        fail(STEP_SPEC, ENOMEM, "cannot allocate room for the %s", what);
    }
    bool truncated;
    ssize_t n = read_all(fd, buf, cap, &truncated);
    if (n < 0) {
        fail(STEP_SPEC, errno, "cannot read the %s from descriptor %d", what, fd);
    }
    if (truncated) {
        fail(STEP_SPEC, EFBIG, "the %s is larger than %zu bytes", what, cap);
    }
    if (file == NULL) {
        close(fd); /* not needed past this point, and must not reach the program */
    }
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

/* A clean signal state: nothing ignored, nothing blocked, whatever the host had. */
static void reset_signals(void)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; s++) {
        if (s != SIGKILL && s != SIGSTOP) {
            (void)sigaction(s, &dfl, NULL);
        }
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

static int compare_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

/* Step 1 (descriptors): close everything but 0, 1, 2, the status descriptor and the spec's keep_fds. */
static void close_inherited_descriptors(const struct spec *spec)
{
    int keep[66];
    size_t n = 0;
    if (status_fd() >= 0) {
        keep[n++] = status_fd();
    }
    for (size_t i = 0; i < spec->keep_fd_count; i++) {
        int fd = spec->keep_fds[i];
        if (fd == status_fd()) {
            fail(STEP_SESSION, EINVAL, "keep_fds names the status descriptor %d", fd);
        }
        int flags = fcntl(fd, F_GETFD);
        if (flags < 0) {
            fail(STEP_SESSION, errno, "descriptor %d in keep_fds is not open", fd);
        }
        if (fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) != 0) {
            fail(STEP_SESSION, errno, "cannot keep descriptor %d open across exec", fd);
        }
        keep[n++] = fd;
    }
    qsort(keep, n, sizeof keep[0], compare_int);
    unsigned from = 3;
    for (size_t i = 0; i <= n; i++) {
        unsigned to = i < n ? (unsigned)keep[i] : ~0u;
        if (to > from && close_range(from, to - 1, 0) != 0) {
            fail(STEP_SESSION, errno, "cannot close the inherited descriptors");
        }
        if (i < n) {
            from = (unsigned)keep[i] + 1;
        }
    }
}

/* The supervisor's child, for signal forwarding. */
static volatile sig_atomic_t g_child = -1;

static void forward_signal(int sig)
{
    if (g_child > 0) {
        kill((pid_t)g_child, sig);
    }
}

/* The exit code a supervisor passes on: the child's, or 128 + the signal that killed it. */
static int exit_code_of(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st); }

/*
 * Early report from the namespace's init to the outer supervisor: as soon as the program has ended
 * (and every other process of the namespace has been killed), init writes the exit code on this
 * pipe and the outer supervisor exits at once. Tearing the namespaces down (unmounting the view
 * waits for an RCU grace period) then happens in init's own exit, off the host's critical path.
 */
static int g_report[2] = {-1, -1};

/*
 * A child that only has to exec (the program, forked by init) shares init's memory until it does
 * (CLONE_VM | CLONE_VFORK, like vfork): no page tables to copy, and it runs at once on init's CPU
 * while init waits, instead of waking the other one. It runs on its own stack; init resumes when
 * it has exec'd (or exited on a failure), and only then touches the memory again.
 */
struct vfork_child {
    int (*main)(void *);
    void *arg;
};
static _Alignas(16) char g_vfork_stack[64 * 1024];

static int vfork_trampoline(void *p)
{
    const struct vfork_child *c = p;
    /* Init blocks the forwarded signals until it can forward them (see fork_supervisor); the
     * program starts with nothing blocked, as reset_signals left the launcher. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    return c->main(c->arg);
}

/*
 * Fork; the child returns and goes on with the launch, or, given child_main, runs it (see
 * vfork_child) and never returns. The parent stays as a supervisor: it forwards SIGTERM, SIGINT and
 * SIGHUP to the child, reaps (everything, when reap_all: it is then the pid namespace's init) and
 * exits with the child's status, or 128 + the signal that killed it. `before_wait` runs in the
 * parent first, to drop what it no longer needs.
 *
 * Signals are never lost on the way: a forwarded signal is blocked, hence queued, from before the
 * fork until the receiver has a handler and a child to pass it to. This matters for init: the
 * kernel marks the first process of a pid namespace unkillable, and *discards* (not queues) any
 * signal it has neither blocked nor handles, even one sent from outside. The outer supervisor's
 * child (which becomes init) therefore keeps the forwarded signals blocked from its birth to the
 * end of its own fork_supervisor; a SIGTERM the host sends while the launch is still confining
 * itself then reaches the program right after its exec, instead of vanishing and leaving the
 * host waiting forever for a program that never heard it.
 */
static void fork_supervisor(bool reap_all, void (*before_wait)(void *), void *ctx, int (*child_main)(void *),
    void *child_arg)
{
    sigset_t forwarded, none;
    sigemptyset(&forwarded);
    sigaddset(&forwarded, SIGTERM);
    sigaddset(&forwarded, SIGINT);
    sigaddset(&forwarded, SIGHUP);
    sigemptyset(&none);
    /* Blocked from here on (already so in init, see above): queued until the handlers exist. */
    sigprocmask(SIG_BLOCK, &forwarded, NULL);
    if (!reap_all && pipe2(g_report, O_CLOEXEC) != 0) {
        fail(STEP_SUPERVISE, errno, "cannot create the report pipe");
    }
    pid_t child;
    if (child_main != NULL) {
        /* Init becomes non-dumpable before the program exists, not after: dumpability belongs to
         * the memory, which the child shares until its exec, and once the program runs it must
         * never find /proc/1 (init's environment, memory maps, descriptors) readable, not even
         * during the few microseconds before init resumes. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
            fail(STEP_SUPERVISE, errno, "cannot make the namespace's init non-dumpable");
        }
        /* SIGCHLD as the exit signal: the program is an ordinary child for waitpid. The reaping
         * loop below also passes __WALL, so no child can ever be invisible to init, whatever
         * exit signal it reports with. */
        struct vfork_child vc = {child_main, child_arg};
        child = clone(vfork_trampoline, g_vfork_stack + sizeof g_vfork_stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &vc);
    } else {
        child = fork();
    }
    if (child < 0) {
        fail(STEP_SUPERVISE, errno, "cannot fork");
    }
    if (child == 0) {
        /* Only with fork (the vfork child runs child_main instead): this is the future init. It
         * keeps the forwarded signals blocked (see above); its own fork_supervisor unblocks them
         * once it has a program to forward them to. */
        if (!reap_all) {
            close(g_report[0]); /* init keeps the write end; the program loses it at exec */
        }
        return;
    }
    status_forget(); /* the child writes the status line; the host sees EOF when it execs */
    g_child = child;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    if (before_wait != NULL) {
        before_wait(ctx);
    }
    /* Handlers and target in place: whatever arrived meanwhile is delivered, and forwarded, now. */
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (!reap_all) {
        close(g_report[1]);
        int code;
        ssize_t n;
        do {
            n = read(g_report[0], &code, sizeof code);
        } while (n < 0 && errno == EINTR);
        if (n == (ssize_t)sizeof code) {
            _exit(code);
        }
        /* init ended without a report (killed): fall back to its own status. */
    }
    for (;;) {
        int st;
        /* Init reaps every process of the namespace that ends up its child (the program, and
         * orphans re-parented to it); __WALL so that none is skipped for its exit signal. */
        pid_t w = waitpid(reap_all ? -1 : child, &st, reap_all ? __WALL : 0);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            _exit(STEP_EXIT_BASE + STEP_SUPERVISE);
        }
        if (w == child) {
            int code = exit_code_of(st);
            if (reap_all) {
                kill(-1, SIGKILL); /* nothing outlives the program in its namespace */
                (void)write_all(g_report[1], &code, sizeof code);
            }
            _exit(code);
        }
    }
}

/*
 * In init, right after arming its parent-death signal. The signal only covers a supervisor that
 * dies after it is armed, and getppid() cannot tell whether it already has: the supervisor is
 * outside the pid namespace, so getppid() reads 0 before and after. The report pipe can: the
 * supervisor holds its only read end until it exits, and the kernel closes a dying process's
 * descriptors before it re-parents and signals its children. So, armed first, then: no reader left
 * means the supervisor is gone (killed between the fork and the arming), and init stops here
 * instead of running the program with nobody to wait for it.
 */
static void check_supervisor_alive(void)
{
    struct pollfd p = {.fd = g_report[1], .events = POLLOUT};
    int r;
    do {
        r = poll(&p, 1, 0);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        fail(STEP_SESSION, errno, "cannot check that the supervisor is alive");
    }
    if (p.revents & POLLERR) {
        fail(STEP_SESSION, ESRCH, "the supervisor exited before the parent-death signal was armed");
    }
}

/* The outer supervisor keeps no capability: it only waits. */
static void outer_drops(void *ctx)
{
    (void)ctx;
    clear_capabilities(); /* it never execs, so its bounding set does not matter */
    set_no_new_privs();
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* The init of the pid namespace is confined like the program: it shares its Landlock domain, and
 * loads the same filters here (not before the clone of the program, which the filter without
 * `spawn` refuses). It was made non-dumpable before the program existed (see fork_supervisor), so
 * the program cannot read its /proc entries. */
static void init_drops(void *ctx)
{
    filter_load((const struct bpf_blob *)ctx);
}

/* What the program's process still needs: steps 8 and 9. */
struct program {
    const struct bpf_blob *blob;
    const struct report *report;
    char **argv;
    char *const *envp;
};

static _Noreturn void exec_program(const struct program *p)
{
    /* 8. seccomp, last: everything before needed calls the filter refuses. */
    filter_load(p->blob);

    /* 9. Report what is enforced, then exec. The status descriptor is close-on-exec. */
    status_ok(p->report);
    execve(p->argv[0], p->argv, p->envp);
    fail(STEP_EXEC, errno, "cannot execute \"%s\"", p->argv[0]);
}

/* The program's process in a pid namespace: init's child (see vfork_child). */
static int program_child(void *arg)
{
    arm_parent_death_signal(1);
    exec_program(arg);
}

static void export_bpf(const struct bpf_blob *blob)
{
    if (!write_all(STDOUT_FILENO, blob->data, blob->len)) {
        fail(STEP_SECCOMP, errno, "cannot write the BPF blob to stdout");
    }
    exit(0);
}

int main(int argc, char **argv)
{
    pid_t parent = getppid();
    reset_signals();
    struct options opt = parse_options(argc, argv);
    if (opt.probe) {
        return run_probe();
    }
    if (opt.status_fd >= 0 && fcntl(opt.status_fd, F_SETFD, FD_CLOEXEC) != 0) {
        int err = errno;
        status_set_fd(-1);
        fail(STEP_USAGE, err, "the status descriptor %d is not open", opt.status_fd);
    }

    /* Parse everything first: the spec, then the filters (precompiled or compiled now). */
    size_t spec_len;
    char *text = read_input(opt.spec_fd, opt.spec_file, SPEC_MAX, &spec_len, "spec");
    struct spec spec;
    char err[1024];
    if (!spec_parse(text, spec_len, &spec, err, sizeof err)) {
        fail_plain(STEP_SPEC, EINVAL, "%s", err);
    }
    struct report report = {0};
    struct bpf_blob blob = {0};
    if (opt.bpf_fd >= 0 || opt.bpf_file != NULL) {
        blob.data = (uint8_t *)read_input(opt.bpf_fd, opt.bpf_file, BPF_MAX, &blob.len, "BPF blob");
        if (!filter_blob_check(&spec, &blob, err, sizeof err)) {
            fail_plain(STEP_SPEC, EINVAL, "%s", err);
        }
        report.bpf_precompiled = true;
    } else if (!filter_build(&spec, &blob, err, sizeof err)) {
        fail_plain(STEP_SECCOMP, EINVAL, "%s", err);
    }
    if (opt.export_bpf) {
        export_bpf(&blob);
    }
    char digest[65];
    sha256_hex(blob.data, blob.len, digest);
    snprintf(report.filter_digest, sizeof report.filter_digest, "sha256:%s", digest);

    /* 1. Session: own session (no controlling terminal, so no TIOCSTI target and no job-control
     *    signals from the host's terminal), die with the parent, and inherit no descriptor. */
    if (setsid() < 0) {
        fail(STEP_SESSION, errno, "cannot start a new session");
    }
    arm_parent_death_signal(parent);
    close_inherited_descriptors(&spec);

    /* 2. Namespaces (and the switch away from root). The parent-death signal is re-armed: the
     *    kernel clears it when the ids change. A pid namespace only applies to children, so the
     *    launcher then creates only the user and pid namespaces and forks: this process stays
     *    outside as the supervisor the host sees, and the child, the namespace's init, creates the
     *    others. The supervisor is then in no mount namespace of the plugin, so its exit never waits
     *    for the view's teardown. */
    enter_identity(&report);
    arm_parent_death_signal(parent);
    bool pid_ns = (spec.namespaces & NS_PID) != 0;
    if (pid_ns) {
        enter_namespaces(&spec, spec.namespaces & (NS_USER | NS_PID));
        arm_parent_death_signal(parent);
        fork_supervisor(false, outer_drops, NULL, NULL, NULL);
        arm_parent_death_signal(0); /* the supervisor is outside the new pid namespace: getppid() is 0 */
        check_supervisor_alive();   /* so check it this way (see there) */
        enter_namespaces(&spec, spec.namespaces & ~(NS_USER | NS_PID));
    } else {
        enter_namespaces(&spec, spec.namespaces);
        arm_parent_death_signal(parent);
    }
    report.namespaces = spec.namespaces;

    /* 3. Filesystem view: only the spec's paths, at their own absolute paths. */
    if (spec.namespaces & NS_MOUNT) {
        build_filesystem_view(&spec);
    }
    if (chdir(spec.cwd) != 0) {
        fail(STEP_FILESYSTEM, errno, "cannot enter the working directory \"%s\"", spec.cwd);
    }

    /* 4. Resource limits, core dumps off. */
    apply_rlimits(&spec);

    /* 5. Capabilities: bounding set, securebits, then every set cleared. */
    drop_capabilities(&report);

    /* 6. no_new_privs: needed by the next two steps, and no exec may ever grant privileges again. */
    set_no_new_privs();

    /* 7. Landlock. */
    apply_landlock(&spec, &report);

    /* In a pid namespace this process is its init (pid 1), which the kernel protects from every
     * signal it does not handle: fork so the program is an ordinary process (pid 2) that SIGTERM
     * reaches, and stay as the reaping, forwarding init. The child only goes on to exec_program. */
    struct program program = {&blob, &report, opt.program, (char *const *)spec.envp};
    if (pid_ns) {
        fork_supervisor(true, init_drops, &blob, program_child, &program);
    }
    exec_program(&program);
}
