/*
 * warden-stress: launches confined programs many times, several at once, and fails if any launch
 * hangs, ends with another status than expected, or leaves a process behind.
 *
 *   warden-stress LAUNCHER [--launches N] [--parallel P] [--timeout-ms T] [--seed S] [--verbose]
 *   warden-stress --child MODE        the program side, run confined by the launcher
 *
 * Defaults: 500 launches, 8 at once, 10 s per launch. Each launch is one of the kinds below, in
 * turn: programs that exit at once, that fork children (which exit, or outlive the program), that
 * create a child whose exit signal is not SIGCHLD, whose main thread exits before the others, that
 * the filter kills, that kill themselves, that the host stops with SIGTERM or SIGINT (right after
 * the status line, or at a random moment of the launch), that the host kills with SIGKILL, and
 * launches that fail before the exec (bad program path, missing spec path). The launcher is
 * expected to end every one of them within the time limit with its documented exit code.
 *
 * Every worker is a child subreaper: a process that outlives its launcher (an init that missed its
 * parent's death) is re-parented to the worker and reported as left behind.
 *
 * A launch that does not end in time is reported with its process tree (state, kernel wait channel,
 * signal masks of the launcher, init and program), then killed; the exit status is then 1.
 * `make -C Sandbox OUT=<dir> test` runs it; so does Tests/SandboxTests/StressTests.swift, smaller.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---------- the program side (inside the sandbox) ---------- */

static void *late_exit(void *arg)
{
    (void)arg;
    struct timespec t = {0, 20 * 1000 * 1000};
    nanosleep(&t, NULL);
    exit(6); /* exit_group: ends the whole process, whose leader already exited */
}

static int exit_signal_zero_child(void *arg)
{
    (void)arg;
    return 0;
}

static int child_main(const char *mode)
{
    if (strcmp(mode, "exit") == 0) {
        return 42;
    }
    if (strcmp(mode, "pause") == 0) {
        for (;;) {
            pause();
        }
    }
    if (strcmp(mode, "orphans") == 0) {
        /* Children that would run forever: init must kill them when the program exits. */
        for (int i = 0; i < 3; i++) {
            pid_t p = fork();
            if (p == 0) {
                for (;;) {
                    pause();
                }
            }
            if (p < 0) {
                return 100;
            }
        }
        return 4;
    }
    if (strcmp(mode, "vfork") == 0) {
        /* vfork children reaped by the program; then children created with exit signal 0 (not
         * SIGCHLD), one ended and one running, left to init when the program exits. */
        for (int i = 0; i < 3; i++) {
            pid_t p = vfork();
            if (p == 0) {
                _exit(0);
            }
            int st;
            if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st)) {
                return 101;
            }
        }
        static _Alignas(16) char stack[16384];
        if (clone(exit_signal_zero_child, stack + sizeof stack, 0, NULL) < 0) {
            return 102;
        }
        pid_t p = fork();
        if (p == 0) {
            for (;;) {
                pause();
            }
        }
        return p < 0 ? 103 : 5;
    }
    if (strcmp(mode, "leader-exit") == 0) {
        /* The main thread ends first: the process is a zombie leader until its last thread exits. */
        pthread_t t;
        if (pthread_create(&t, NULL, late_exit, NULL) != 0) {
            return 104;
        }
        pthread_exit(NULL);
    }
    if (strcmp(mode, "sigsys") == 0) {
        syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0); /* the filter kills the process */
        return 105;
    }
    if (strcmp(mode, "self-kill") == 0) {
        kill(getpid(), SIGKILL);
        return 106;
    }
    return 107;
}

/* ---------- the host side ---------- */

enum kind {
    K_TRUE,           /* /bin/true: 0 */
    K_EXIT,           /* exits 42 */
    K_SHELL,          /* a shell whose children exit: 3 */
    K_ORPHANS,        /* children left running: 4, at once */
    K_VFORK,          /* vfork children, exit-signal-0 children left to init: 5 */
    K_LEADER_EXIT,    /* main thread exits first: 6 */
    K_SIGSYS,         /* killed by the filter: 128 + SIGSYS */
    K_SELF_KILL,      /* kills itself: 128 + SIGKILL */
    K_TERM_STARTED,   /* SIGTERM to the launcher once the program runs: exactly 128 + SIGTERM */
    K_INT_STARTED,    /* SIGINT likewise: 128 + SIGINT */
    K_TERM_ANYTIME,   /* SIGTERM at a random moment of the launch */
    K_KILL_ANYTIME,   /* SIGKILL at a random moment of the launch */
    K_EXEC_FAILS,     /* the program does not exist: step exec, 250, in the vfork child */
    K_SPEC_PATH_FAILS,/* a read path does not exist: step filesystem, 244 */
    K_NO_PID_NS,      /* no pid namespace: the launcher is the program */
    K_COUNT
};

static const char *const kind_names[K_COUNT] = {
    "true", "exit", "shell", "orphans", "vfork", "leader-exit", "sigsys", "self-kill", "term-started",
    "int-started", "term-anytime", "kill-anytime", "exec-fails", "spec-path-fails", "no-pid-ns",
};

struct config {
    const char *launcher;
    const char *dir;     /* a fresh folder holding a copy of this program, readable by the plugin's uid */
    const char *program; /* that copy */
    int launches, parallel, timeout_ms;
    unsigned seed;
    bool verbose;
};

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "warden-stress: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

static char *spec_json(const struct config *c, enum kind k)
{
    bool spawn = k == K_SHELL || k == K_ORPHANS || k == K_VFORK;
    const char *ns = k == K_NO_PID_NS ? "\"user\",\"mount\",\"net\",\"ipc\",\"uts\",\"cgroup\""
                                      : "\"user\",\"mount\",\"pid\",\"net\",\"ipc\",\"uts\",\"cgroup\"";
    char missing[PATH_MAX + 16];
    snprintf(missing, sizeof missing, ",\"%s/missing\"", c->dir);
    char *out = NULL;
    if (asprintf(&out,
            "{\"version\":1,\"namespaces\":[%s],"
            "\"filesystem\":{\"read\":[\"/usr\",\"%s\"%s],"
            "\"read_if_present\":[\"/bin\",\"/sbin\",\"/lib\",\"/lib64\",\"/etc/ld.so.cache\"],\"write\":[]},"
            "\"network\":\"none\",\"spawn\":%s,"
            "\"env\":{\"PATH\":\"/usr/bin:/bin\",\"HOME\":\"/tmp\",\"LANG\":\"C.UTF-8\"},"
            "\"rlimits\":{\"as\":4294967296,\"cpu\":60,\"nproc\":256,\"nofile\":256,\"fsize\":1048576},"
            "\"syscalls\":[],\"cwd\":\"%s\",\"keep_fds\":[],\"landlock_min_abi\":0}",
            ns, c->dir, k == K_SPEC_PATH_FAILS ? missing : "", spawn ? "true" : "false", c->dir)
        < 0) {
        die("out of memory");
    }
    return out;
}

struct expect {
    int exit_code;   /* -1: none */
    int signal;      /* killed by this signal; 0: none */
    int alt_signal;  /* another acceptable end: killed by this signal (a signal that hit the launcher
                        before it supervises), 0: none */
    bool status_ok;  /* the last status line must say ok */
    const char *status_step; /* or name this failed step */
};

static struct expect expected(enum kind k)
{
    switch (k) {
    case K_TRUE: return (struct expect){0, 0, 0, true, NULL};
    case K_EXIT: return (struct expect){42, 0, 0, true, NULL};
    case K_SHELL: return (struct expect){3, 0, 0, true, NULL};
    case K_ORPHANS: return (struct expect){4, 0, 0, true, NULL};
    case K_VFORK: return (struct expect){5, 0, 0, true, NULL};
    case K_LEADER_EXIT: return (struct expect){6, 0, 0, true, NULL};
    case K_SIGSYS: return (struct expect){128 + SIGSYS, 0, 0, true, NULL};
    case K_SELF_KILL: return (struct expect){128 + SIGKILL, 0, 0, true, NULL};
    case K_TERM_STARTED: return (struct expect){128 + SIGTERM, 0, 0, true, NULL};
    case K_INT_STARTED: return (struct expect){128 + SIGINT, 0, 0, true, NULL};
    case K_TERM_ANYTIME: return (struct expect){128 + SIGTERM, 0, SIGTERM, false, NULL};
    case K_KILL_ANYTIME: return (struct expect){-1, SIGKILL, 0, false, NULL};
    case K_EXEC_FAILS: return (struct expect){250, 0, 0, false, "exec"};
    case K_SPEC_PATH_FAILS: return (struct expect){244, 0, 0, false, "filesystem"};
    case K_NO_PID_NS: return (struct expect){0, 0, 0, true, NULL};
    default: return (struct expect){-1, 0, 0, false, NULL};
    }
}

static pid_t start_launcher(const struct config *c, enum kind k, int spec_rd, int status_wr)
{
    char *argv[12];
    int n = 0;
    argv[n++] = (char *)c->launcher;
    argv[n++] = "--spec-fd";
    argv[n++] = "3";
    argv[n++] = "--status-fd";
    argv[n++] = "4";
    argv[n++] = "--";
    static char missing[PATH_MAX + 16];
    switch (k) {
    case K_TRUE:
    case K_NO_PID_NS: argv[n++] = "/bin/true"; break;
    case K_SHELL:
        argv[n++] = "/bin/sh";
        argv[n++] = "-c";
        argv[n++] = "true & true & /bin/true & wait; exit 3";
        break;
    case K_EXEC_FAILS:
        snprintf(missing, sizeof missing, "%s/no-such-program", c->dir);
        argv[n++] = missing;
        break;
    default: {
        static const char *const modes[K_COUNT] = {
            [K_EXIT] = "exit", [K_ORPHANS] = "orphans", [K_VFORK] = "vfork", [K_LEADER_EXIT] = "leader-exit",
            [K_SIGSYS] = "sigsys", [K_SELF_KILL] = "self-kill", [K_TERM_STARTED] = "pause",
            [K_INT_STARTED] = "pause", [K_TERM_ANYTIME] = "pause", [K_KILL_ANYTIME] = "pause",
            [K_SPEC_PATH_FAILS] = "exit",
        };
        argv[n++] = (char *)c->program;
        argv[n++] = "--child";
        argv[n++] = (char *)modes[k];
    }
    }
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid < 0) {
        die("fork: %s", strerror(errno));
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        /* Descriptors 3 and 4 as the host gives them; everything else is closed by the launcher. */
        int spec = fcntl(spec_rd, F_DUPFD, 10), status = fcntl(status_wr, F_DUPFD, 10);
        if (null < 0 || spec < 0 || status < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0
            || (!c->verbose && dup2(null, 2) < 0) || dup2(spec, 3) < 0 || dup2(status, 4) < 0) {
            _exit(127);
        }
        signal(SIGPIPE, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        char *envp[] = {NULL};
        execve(c->launcher, argv, envp);
        _exit(127);
    }
    return pid;
}

/* Reads the status descriptor to end-of-file (or the deadline); false on timeout. */
static bool read_status(int fd, char *buf, size_t cap, int64_t deadline)
{
    size_t got = 0;
    buf[0] = '\0';
    for (;;) {
        int left = (int)(deadline - now_ms());
        if (left <= 0) {
            return false;
        }
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, left);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return false;
        }
        ssize_t n = read(fd, buf + got, cap - 1 - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return true;
        }
        got += (size_t)n;
        buf[got] = '\0';
        if (got == cap - 1) {
            return true;
        }
    }
}

/* Waits for the launcher until the deadline; false on timeout. */
static bool wait_launcher(pid_t pid, int *status, int64_t deadline)
{
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    for (;;) {
        pid_t w = waitpid(pid, status, WNOHANG);
        if (w == pid) {
            if (pidfd >= 0) {
                close(pidfd);
            }
            return true;
        }
        if (w < 0 && errno != EINTR) {
            die("waitpid: %s", strerror(errno));
        }
        int left = (int)(deadline - now_ms());
        if (left <= 0) {
            if (pidfd >= 0) {
                close(pidfd);
            }
            return false;
        }
        if (pidfd >= 0) {
            struct pollfd p = {pidfd, POLLIN, 0};
            (void)poll(&p, 1, left);
        } else {
            struct timespec t = {0, 200 * 1000};
            nanosleep(&t, NULL);
        }
    }
}

static void proc_field(pid_t pid, const char *file, const char *key, char *out, size_t cap)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        if (key == NULL || strncmp(line, key, strlen(key)) == 0) {
            line[strcspn(line, "\n")] = '\0';
            const char *v = key == NULL ? line : line + strlen(key);
            size_t n = strlen(v) < cap - 1 ? strlen(v) : cap - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            break;
        }
    }
    fclose(f);
}

static pid_t parent_of(pid_t pid)
{
    char ppid[32];
    proc_field(pid, "status", "PPid:\t", ppid, sizeof ppid);
    return ppid[0] ? (pid_t)atoi(ppid) : -1;
}

/* The process tree under `root`: what each process is waiting for, and its signal state. */
static void dump_tree(pid_t root, int depth)
{
    char state[64], nspid[64], blk[32], cgt[32], pnd[32], shd[32], wchan[64], cmd[256];
    proc_field(root, "status", "State:\t", state, sizeof state);
    proc_field(root, "status", "NSpid:\t", nspid, sizeof nspid);
    proc_field(root, "status", "SigBlk:\t", blk, sizeof blk);
    proc_field(root, "status", "SigCgt:\t", cgt, sizeof cgt);
    proc_field(root, "status", "SigPnd:\t", pnd, sizeof pnd);
    proc_field(root, "status", "ShdPnd:\t", shd, sizeof shd);
    proc_field(root, "wchan", NULL, wchan, sizeof wchan);
    proc_field(root, "comm", NULL, cmd, sizeof cmd);
    fprintf(stderr, "  %*spid %d (in its namespaces: %s) %s, state %s, waiting in %s, signals blocked %s caught %s "
                    "pending %s/%s\n",
        depth * 2, "", (int)root, nspid, cmd, state, wchan[0] ? wchan : "-", blk, cgt, pnd, shd);
    DIR *d = opendir("/proc");
    if (d == NULL) {
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        pid_t p = (pid_t)atoi(e->d_name);
        if (p > 0 && parent_of(p) == root) {
            dump_tree(p, depth + 1);
        }
    }
    closedir(d);
}

static unsigned next_random(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return (*state >> 8) & 0xffffff;
}

struct tally {
    int failures;
    int64_t slowest_ms;
    int64_t typical_us; /* how long the worker's last /bin/true launch took, start to end */
};

static int64_t now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void run_one(const struct config *c, int index, unsigned *rng, struct tally *t)
{
    enum kind k = (enum kind)(index % K_COUNT);
    struct expect want = expected(k);
    int spec_pipe[2], status_pipe[2];
    if (pipe2(spec_pipe, O_CLOEXEC) != 0 || pipe2(status_pipe, O_CLOEXEC) != 0) {
        die("pipe: %s", strerror(errno));
    }
    char *spec = spec_json(c, k);
    int64_t start = now_ms(), deadline = start + c->timeout_ms, start_us = now_us();
    pid_t pid = start_launcher(c, k, spec_pipe[0], status_pipe[1]);
    close(spec_pipe[0]);
    close(status_pipe[1]);
    /* The spec is far smaller than a pipe: this write never blocks (EPIPE if the launcher died). */
    size_t len = strlen(spec);
    bool written = write(spec_pipe[1], spec, len) == (ssize_t)len;
    close(spec_pipe[1]);
    free(spec);

    if (k == K_TERM_ANYTIME || k == K_KILL_ANYTIME) {
        /* Anywhere from before the launcher has read its spec to after the program runs: uniformly
         * over the time a whole launch of /bin/true took last (it varies with the machine's load). */
        int64_t span = t->typical_us > 0 ? t->typical_us + t->typical_us / 4 : 3000;
        struct timespec d = {0, (long)(next_random(rng) % (unsigned)span) * 1000};
        nanosleep(&d, NULL);
        kill(pid, k == K_TERM_ANYTIME ? SIGTERM : SIGKILL);
    }
    char status[4096];
    bool status_done = read_status(status_pipe[0], status, sizeof status, deadline);
    close(status_pipe[0]);
    if (status_done && (k == K_TERM_STARTED || k == K_INT_STARTED)) {
        /* End-of-file on the status descriptor: the program has been exec'd. */
        kill(pid, k == K_TERM_STARTED ? SIGTERM : SIGINT);
    }
    int st = 0;
    bool ended = status_done && wait_launcher(pid, &st, deadline);
    int64_t took = now_ms() - start;
    if (k == K_TRUE && ended) {
        t->typical_us = now_us() - start_us;
    }
    if (took > t->slowest_ms) {
        t->slowest_ms = took;
    }
    if (!ended) {
        fprintf(stderr, "warden-stress: launch %d (%s) did not end within %d ms (%s); its processes:\n", index,
            kind_names[k], c->timeout_ms, status_done ? "waiting for its exit" : "waiting for its status line");
        dump_tree(pid, 0);
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        t->failures++;
        return;
    }
    /* The last status line decides (an exec failure follows the ok line). */
    char *last = status, *nl;
    size_t slen = strlen(status);
    while (slen > 0 && status[slen - 1] == '\n') {
        status[--slen] = '\0';
    }
    while ((nl = strchr(last, '\n')) != NULL) {
        last = nl + 1;
    }
    bool exit_ok = (want.exit_code >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == want.exit_code)
        || (want.signal != 0 && WIFSIGNALED(st) && WTERMSIG(st) == want.signal)
        || (want.alt_signal != 0 && WIFSIGNALED(st) && WTERMSIG(st) == want.alt_signal);
    bool status_ok = true;
    if (want.status_ok) {
        status_ok = strncmp(last, "{\"ok\":true", 10) == 0;
    } else if (want.status_step != NULL) {
        char step[64];
        snprintf(step, sizeof step, "\"step\":\"%s\"", want.status_step);
        status_ok = strncmp(last, "{\"ok\":false", 11) == 0 && strstr(last, step) != NULL;
    }
    if (!exit_ok || !status_ok || (!written && want.status_ok)) {
        char how[64];
        if (WIFEXITED(st)) {
            snprintf(how, sizeof how, "exited %d", WEXITSTATUS(st));
        } else {
            snprintf(how, sizeof how, "killed by signal %d", WTERMSIG(st));
        }
        fprintf(stderr, "warden-stress: launch %d (%s): %s, status line %s (expected exit %d%s)\n", index,
            kind_names[k], how, last[0] ? last : "(none)", want.exit_code,
            want.status_step ? ", a failed step" : "");
        t->failures++;
    }
}

/* After the worker's launches: reap orphans re-parented to it; any still alive was left behind. */
static int check_leftovers(void)
{
    int64_t until = now_ms() + 2000;
    for (;;) {
        int st;
        pid_t w = waitpid(-1, &st, WNOHANG);
        if (w > 0) {
            continue; /* a zombie re-parented here: reaped, fine */
        }
        if (w < 0 && errno == ECHILD) {
            return 0;
        }
        if (now_ms() > until) {
            break;
        }
        struct timespec d = {0, 5 * 1000 * 1000};
        nanosleep(&d, NULL);
    }
    int left = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        pid_t p = (pid_t)atoi(e->d_name);
        if (p > 0 && parent_of(p) == getpid()) {
            fprintf(stderr, "warden-stress: a process outlived its launcher:\n");
            dump_tree(p, 0);
            kill(p, SIGKILL);
            left++;
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    return left;
}

static void copy_self(const char *to)
{
    int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
    if (in < 0 || out < 0) {
        die("cannot copy this program to %s: %s", to, strerror(errno));
    }
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0) {
        if (write(out, buf, (size_t)n) != n) {
            die("cannot copy this program to %s: %s", to, strerror(errno));
        }
    }
    if (n < 0 || fchmod(out, 0755) != 0) {
        die("cannot copy this program to %s: %s", to, strerror(errno));
    }
    close(in);
    close(out);
}

static int parse_int(const char *flag, const char *v, int min)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (*end != '\0' || n < min || n > 1000000) {
        die("%s needs a number >= %d, not \"%s\"", flag, min, v);
    }
    return (int)n;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--child") == 0) {
        return child_main(argv[2]);
    }
    struct config c = {.launches = 500, .parallel = 8, .timeout_ms = 10000, .seed = 1};
    for (int i = 1; i < argc; i++) {
        const char *flag = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(flag, "--launches") == 0 && value != NULL) {
            c.launches = parse_int(flag, value, 1);
            i++;
        } else if (strcmp(flag, "--parallel") == 0 && value != NULL) {
            c.parallel = parse_int(flag, value, 1);
            i++;
        } else if (strcmp(flag, "--timeout-ms") == 0 && value != NULL) {
            c.timeout_ms = parse_int(flag, value, 1);
            i++;
        } else if (strcmp(flag, "--seed") == 0 && value != NULL) {
            c.seed = (unsigned)parse_int(flag, value, 0);
            i++;
        } else if (strcmp(argv[i], "--verbose") == 0) {
            c.verbose = true;
        } else if (argv[i][0] != '-' && c.launcher == NULL) {
            c.launcher = argv[i];
        } else {
            die("usage: warden-stress LAUNCHER [--launches N] [--parallel P] [--timeout-ms T] [--seed S] [--verbose]");
        }
    }
    if (c.launcher == NULL || c.launcher[0] != '/' || access(c.launcher, X_OK) != 0) {
        die("give the launcher as an absolute path to an executable (got %s)", c.launcher ? c.launcher : "nothing");
    }
    /* A folder the plugin's user (65534 when run as root) can read, holding a copy of this program. */
    char dir[] = "/tmp/warden-stress-XXXXXX";
    if (mkdtemp(dir) == NULL || chmod(dir, 0755) != 0) {
        die("cannot create a folder under /tmp: %s", strerror(errno));
    }
    char program[sizeof dir + 32];
    snprintf(program, sizeof program, "%s/warden-stress", dir);
    copy_self(program);
    c.dir = dir;
    c.program = program;
    signal(SIGPIPE, SIG_IGN);

    int64_t start = now_ms();
    pid_t workers[256];
    int nworkers = c.parallel < 256 ? c.parallel : 256;
    for (int w = 0; w < nworkers; w++) {
        workers[w] = fork();
        if (workers[w] < 0) {
            die("fork: %s", strerror(errno));
        }
        if (workers[w] == 0) {
            /* Orphans of this worker's launches come back here, to be counted as left behind. */
            if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
                die("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
            }
            unsigned rng = c.seed * 7919u + (unsigned)w;
            struct tally t = {0, 0, 0};
            for (int i = w; i < c.launches; i += nworkers) {
                run_one(&c, i, &rng, &t);
            }
            t.failures += check_leftovers();
            if (c.verbose) {
                fprintf(stderr, "warden-stress: worker %d: slowest launch %lld ms\n", w, (long long)t.slowest_ms);
            }
            /* The exit code carries the number of failures. */
            _exit(t.failures > 100 ? 100 : t.failures);
        }
    }
    int failures = 0;
    for (int w = 0; w < nworkers; w++) {
        int st;
        while (waitpid(workers[w], &st, 0) < 0 && errno == EINTR) {
        }
        failures += WIFEXITED(st) ? WEXITSTATUS(st) : 1;
    }
    unlink(program);
    rmdir(dir);
    int64_t took = now_ms() - start;
    if (failures > 0) {
        fprintf(stderr, "warden-stress: FAILED: %d of %d launches (%d at once) ended wrongly, hung or left a process\n",
            failures, c.launches, nworkers);
        return 1;
    }
    printf("warden-stress: %d launches (%d at once, %d kinds, at most %d ms each) all ended as expected in %lld ms\n",
        c.launches, nworkers, K_COUNT, c.timeout_ms, (long long)took);
    return 0;
}
