/*
 * The status descriptor: one JSON line, either {"ok":true,...} right before execve or
 * {"ok":false,"step":...,"errno":N,"error":"..."} followed by the step's exit code.
 * The descriptor is close-on-exec, so the host sees end-of-file exactly when the program starts.
 */
#include "launcher.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int g_status_fd = -1;

static const char *const step_names[STEP_COUNT] = {
    "usage", "spec", "session", "namespaces", "filesystem", "rlimits", "capabilities",
    "no_new_privs", "landlock", "seccomp", "exec", "supervise",
};

const char *step_name(enum step s) { return (unsigned)s < STEP_COUNT ? step_names[s] : "unknown"; }

void status_set_fd(int fd) { g_status_fd = fd; }
int status_fd(void) { return g_status_fd; }

/* Called by a supervisor after fork: the child owns the status line from here on. */
void status_forget(void)
{
    if (g_status_fd >= 0) {
        close(g_status_fd);
    }
    g_status_fd = -1;
}

static void write_line(json_t *obj)
{
    /* One write of the whole line, newline included, so a reader never sees half a line. */
    char *text = json_dumps(obj, JSON_COMPACT);
    if (text == NULL || g_status_fd < 0) {
        free(text);
        return;
    }
    size_t n = strlen(text);
    char *line = malloc(n + 2);
    if (line != NULL) {
        memcpy(line, text, n);
        line[n] = '\n';
        line[n + 1] = '\0';
        (void)write_all(g_status_fd, line, n + 1);
        free(line);
    }
    free(text);
}

static _Noreturn void vfail(enum step s, int err, bool with_cause, const char *fmt, va_list ap)
{
    char message[1024];
    vsnprintf(message, sizeof message, fmt, ap);

    char full[1200];
    if (with_cause && err != 0) {
        snprintf(full, sizeof full, "%s: %s", message, strerror(err));
    } else {
        snprintf(full, sizeof full, "%s", message);
    }
    /* A person reading stderr gets the same sentence; the host parses the JSON line. */
    dprintf(STDERR_FILENO, "warden-launch: %s: %s\n", step_name(s), full);

    json_t *obj = json_pack("{s:b,s:s,s:i,s:s}", "ok", 0, "step", step_name(s), "errno", err, "error", full);
    if (obj != NULL) {
        write_line(obj);
        json_decref(obj);
    }
    _exit(STEP_EXIT_BASE + (int)s);
}

_Noreturn void fail(enum step s, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(s, err, true, fmt, ap);
}

_Noreturn void fail_plain(enum step s, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(s, err, false, fmt, ap);
}

void status_ok(const struct report *r)
{
    if (g_status_fd < 0) {
        return;
    }
    json_t *ns = json_array();
    for (int i = 0; i < NS_COUNT; i++) {
        if (r->namespaces & (1u << i)) {
            json_array_append_new(ns, json_string(ns_names[i]));
        }
    }
    json_t *obj = json_pack("{s:b,s:i,s:o,s:s,s:b,s:b,s:s,s:b,s:I,s:I}", "ok", 1, "landlock_abi",
        r->landlock_abi, "namespaces", ns, "filter_digest", r->filter_digest, "bpf_precompiled",
        r->bpf_precompiled, "no_new_privs", 1, "capabilities", "cleared", "securebits_locked",
        r->securebits_locked, "uid", (json_int_t)r->uid, "gid", (json_int_t)r->gid);
    if (obj == NULL) {
        fail(STEP_EXEC, ENOMEM, "cannot build the status line");
    }
    write_line(obj);
    json_decref(obj);
}
