/*
 * warden-launch: shared declarations.
 *
 * The launcher is a short-lived trampoline. It parses everything first (command line, spec,
 * optional precompiled BPF), then confines itself in the fixed order of launch.c and execs the
 * program. Every failure goes through fail(), which writes one JSON line on the status descriptor
 * and exits with the code of the step that failed; nothing is ever exec'd half-confined.
 */
#ifndef WARDEN_LAUNCHER_H
#define WARDEN_LAUNCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#define WARDEN_LAUNCH_VERSION 1

/* Free a heap pointer when it leaves scope: `autofree char *p = ...;`. */
#define autofree __attribute__((cleanup(cleanup_free)))
/* Close a descriptor when it leaves scope (ignores -1). */
#define autoclose __attribute__((cleanup(cleanup_close)))
void cleanup_free(void *p);
void cleanup_close(int *fd);

/*
 * The steps, in the order they run. The exit code of a failed step is STEP_EXIT_BASE + step; the
 * range 240..251 is outside the codes a shell or a signal produce (1..2, 126..127, 128+n).
 */
enum step {
    STEP_USAGE = 0,    /* bad command line */
    STEP_SPEC,         /* reading, parsing or validating the spec or the BPF blob */
    STEP_SESSION,      /* setsid, parent-death signal, descriptors */
    STEP_NAMESPACES,   /* identity switch, unshare, id maps */
    STEP_FILESYSTEM,   /* the mount view */
    STEP_RLIMITS,      /* resource limits */
    STEP_CAPABILITIES, /* capability sets and securebits */
    STEP_NO_NEW_PRIVS, /* PR_SET_NO_NEW_PRIVS */
    STEP_LANDLOCK,     /* Landlock ruleset */
    STEP_SECCOMP,      /* seccomp filters */
    STEP_EXEC,         /* execve of the program */
    STEP_SUPERVISE,    /* fork/wait of the pid-namespace supervisor */
    STEP_COUNT
};
#define STEP_EXIT_BASE 240

const char *step_name(enum step s);

/* Namespaces, as bits. */
enum {
    NS_USER = 1u << 0,
    NS_MOUNT = 1u << 1,
    NS_PID = 1u << 2,
    NS_NET = 1u << 3,
    NS_IPC = 1u << 4,
    NS_UTS = 1u << 5,
    NS_CGROUP = 1u << 6,
};
#define NS_COUNT 7
extern const char *const ns_names[NS_COUNT];

enum network { NET_NONE = 0, NET_LOOPBACK, NET_OUTBOUND };
extern const char *const network_names[3];

/* The rlimits a spec may set; RLIMIT_CORE is always forced to 0 and is not a key. */
enum { RL_AS = 0, RL_CPU, RL_NPROC, RL_NOFILE, RL_FSIZE, RL_STACK, RL_COUNT };
extern const char *const rlimit_names[RL_COUNT];
extern const int rlimit_resources[RL_COUNT];

struct strlist {
    const char **items;
    size_t count;
};

/* The parsed spec (see docs/launch-spec.md). Strings point into the parsed JSON, never freed. */
struct spec {
    unsigned namespaces;
    struct strlist read;
    struct strlist read_if_present;
    struct strlist write;
    enum network network;
    bool spawn;
    const char **envp; /* NAME=value, NULL-terminated */
    bool rlimit_set[RL_COUNT];
    rlim_t rlimit[RL_COUNT];
    struct strlist syscalls; /* extra syscall groups, validated against the profile */
    const char *cwd;
    int keep_fds[64];
    size_t keep_fd_count;
    int landlock_min_abi;
};

/* spec.c: parse and validate. On error returns false with a sentence in err. */
bool spec_parse(const char *text, size_t len, struct spec *out, char *err, size_t errlen);
bool path_is_clean_absolute(const char *p);

/* status.c: the status descriptor and failures. */
void status_set_fd(int fd);
int status_fd(void);
void status_forget(void);
/* fail() appends strerror(err) to the sentence; fail_plain() reports err without its text. */
_Noreturn void fail(enum step s, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
_Noreturn void fail_plain(enum step s, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* What was actually enforced; reported on success. */
struct report {
    int landlock_abi;
    unsigned namespaces;
    char filter_digest[72]; /* "sha256:" + 64 hex */
    bool bpf_precompiled;
    bool securebits_locked;
    uid_t uid;
    gid_t gid;
};
void status_ok(const struct report *r);

/* sha256.c */
void sha256(const void *data, size_t len, uint8_t out[32]);
void sha256_hex(const void *data, size_t len, char out[65]);

/* io.c: small syscall helpers. */
ssize_t read_all(int fd, char *buf, size_t cap, bool *truncated);
bool write_all(int fd, const void *buf, size_t len);
bool write_file(const char *path, const char *text);

/* namespaces.c: the switch away from root, then unshare of the namespaces in `which` (NS_* bits). */
void enter_identity(struct report *r);
void enter_namespaces(const struct spec *spec, unsigned which);

/* fsview.c */
void build_filesystem_view(const struct spec *spec);

/* confine.c: rlimits, capabilities, no_new_privs. */
void apply_rlimits(const struct spec *spec);
void drop_capabilities(struct report *r);
void clear_capabilities(void); /* the sets only, not the bounding set: for a process that never execs */
void set_no_new_privs(void);
void arm_parent_death_signal(pid_t expected_parent);

/* landlock.c */
int landlock_abi(void);
void apply_landlock(const struct spec *spec, struct report *r);

/* seccomp.c: the filter set is a blob of one or more classic BPF programs. */
struct bpf_blob {
    uint8_t *data;
    size_t len;
};
bool filter_build(const struct spec *spec, struct bpf_blob *out, char *err, size_t errlen);
bool filter_blob_check(const struct spec *spec, const struct bpf_blob *blob, char *err, size_t errlen);
void filter_load(const struct bpf_blob *blob);
/* bpf_tree.c: the main program as a search over syscall number ranges, checked against the input. */
struct sock_filter;
bool bpf_compact(const struct sock_filter *in, size_t n, struct sock_filter *out, size_t cap, size_t *out_n,
    char *err, size_t errlen);
void filter_key(const struct spec *spec, char out[65]);
bool profile_groups_valid(const struct strlist *groups, char *err, size_t errlen);
/* Names in the embedded profiles that this libseccomp cannot resolve (kernel newer than it). */
void profile_unknown_names(void (*each)(const char *name, void *ctx), void *ctx);

/* probe.c */
int run_probe(void);

#endif
