/*
 * --probe: what this kernel offers, as one JSON object on stdout. Each namespace is tried in a
 * child process exactly as a launch would create it (root first becomes uid 65534).
 */
#define _GNU_SOURCE
#include "launcher.h"

#include <errno.h>
#include <grp.h>
#include <jansson.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

/* Returns 0 when unshare(flags) works for an unprivileged child, else the errno it got. */
static int try_unshare(int flags)
{
    pid_t pid = fork();
    if (pid < 0) {
        return errno;
    }
    if (pid == 0) {
        if (getuid() == 0 || geteuid() == 0) {
            if (setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) {
                _exit(errno & 0xff);
            }
            prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        }
        uid_t uid = getuid();
        gid_t gid = getgid();
        if (unshare(flags) != 0) {
            _exit(errno & 0xff);
        }
        char line[64];
        snprintf(line, sizeof line, "%u %u 1\n", (unsigned)uid, (unsigned)uid);
        if (!write_file("/proc/self/setgroups", "deny") || !write_file("/proc/self/uid_map", line)) {
            _exit(errno & 0xff);
        }
        snprintf(line, sizeof line, "%u %u 1\n", (unsigned)gid, (unsigned)gid);
        if (!write_file("/proc/self/gid_map", line)) {
            _exit(errno & 0xff);
        }
        _exit(0);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            return errno;
        }
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : EINTR;
}

static void add_unknown(const char *name, void *ctx) { json_array_append_new((json_t *)ctx, json_string(name)); }

int run_probe(void)
{
    json_t *out = json_object();
    struct utsname u;
    json_object_set_new(out, "launcher_version", json_integer(WARDEN_LAUNCH_VERSION));
    json_object_set_new(out, "kernel", json_string(uname(&u) == 0 ? u.release : "unknown"));
    json_object_set_new(out, "architecture", json_string("x86_64"));

    /* seccomp filter mode is available when PR_GET_SECCOMP works and the kernel lists its actions. */
    bool seccomp_ok = prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0;
    const struct scmp_version *v = seccomp_version();
    bool kill_process = seccomp_api_get() >= 3;
    json_object_set_new(out, "seccomp", json_boolean(seccomp_ok && kill_process));
    char lib[32];
    snprintf(lib, sizeof lib, "%u.%u.%u", v->major, v->minor, v->micro);
    json_object_set_new(out, "libseccomp", json_string(lib));
    json_object_set_new(out, "seccomp_api_level", json_integer(seccomp_api_get()));

    json_object_set_new(out, "landlock_abi", json_integer(landlock_abi()));

    static const int flags[NS_COUNT] = {
        CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWCGROUP};
    int user_err = try_unshare(CLONE_NEWUSER);
    json_object_set_new(out, "user_namespaces", json_boolean(user_err == 0));
    json_t *usable = json_array();
    json_t *errors = json_object();
    for (int i = 0; i < NS_COUNT; i++) {
        int err = i == 0 ? user_err : (user_err == 0 ? try_unshare(CLONE_NEWUSER | flags[i]) : user_err);
        if (err == 0) {
            json_array_append_new(usable, json_string(ns_names[i]));
        } else {
            json_object_set_new(errors, ns_names[i], json_string(strerror(err)));
        }
    }
    json_object_set_new(out, "namespaces", usable);
    json_object_set_new(out, "namespace_errors", errors);

    json_t *unknown = json_array();
    profile_unknown_names(add_unknown, unknown);
    json_object_set_new(out, "profile_syscalls_unknown_to_libseccomp", unknown);

    char *text = json_dumps(out, JSON_COMPACT);
    if (text == NULL) {
        return 1;
    }
    printf("%s\n", text);
    return fflush(stdout) == 0 ? 0 : 1;
}
