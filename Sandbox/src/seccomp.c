/*
 * Step 8: seccomp. The filter set is two stacked classic BPF programs:
 *
 *  1. the main allowlist, compiled by libseccomp from the profile (profiles/base.json, built in):
 *     native architecture only (any other ABI, int 0x80 included, kills the process; libseccomp
 *     also sends x32 numbers on x86_64 to the bad-architecture action), ENOSYS for every call
 *     not listed so that libc falls back, EPERM for refused calls, KILL_PROCESS for the
 *     never-legitimate set, ENOSYS for clone3 so that libc uses clone, which can be inspected;
 *     libseccomp's program is then rewritten as a search over syscall number ranges and checked
 *     against it (bpf_tree.c): the same answers, a quarter of the length, less than half the load time;
 *  2. the argument filter, assembled here, because libseccomp cannot express "allow these
 *     values, EPERM for every other one" and silently drops a conditional ioctl rule next to an
 *     unconditional ioctl allow. It checks the low 32 bits of integer arguments, which is all the
 *     kernel reads of an int: socket/socketpair families by the network capability,
 *     namespace flags and process creation on clone, personality values, and TIOCSTI/TIOCLINUX
 *     on ioctl.
 *
 * When several filters answer, the kernel takes the strictest action, so the argument filter can
 * only narrow what the allowlist allows. The set is serialised as a blob (header, cache key,
 * programs); its SHA-256 is the filter digest reported in the status line. The host may compile
 * the blob once (--export-bpf) and pass it back with --bpf-fd; the launcher then checks that the
 * blob's key matches the spec before loading it.
 */
#define _GNU_SOURCE
#include "launcher.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* A syscall group of the profile: extra calls a spec may ask for by name. */
struct profile_group {
    const char *name;
    const char *const *allow; /* NULL-terminated */
};
#include "profile_base.h" /* generated from profiles/base.json by tools/profilegen.c: plain tables */

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__ || !defined(__x86_64__)
#error "the argument filter reads the low word of 64-bit arguments at their own offset: x86_64 only"
#endif

#define BLOB_MAGIC "WBPF0001"
#define BLOB_MAX_PROGRAMS 4
#define BPF_MAX_INSNS 4096
#define X32_SYSCALL_BIT 0x40000000u
#define NS_CLONE_FLAGS                                                                                           \
    (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

static const struct profile_group *find_group(const char *name)
{
    for (const struct profile_group *g = profile_groups; g->name != NULL; g++) {
        if (strcmp(g->name, name) == 0) {
            return g;
        }
    }
    return NULL;
}

static bool has_group(const struct strlist *groups, const char *name)
{
    for (size_t i = 0; i < groups->count; i++) {
        if (strcmp(groups->items[i], name) == 0) {
            return true;
        }
    }
    return false;
}

bool profile_groups_valid(const struct strlist *groups, char *err, size_t errlen)
{
    for (size_t i = 0; i < groups->count; i++) {
        if (find_group(groups->items[i]) == NULL) {
            char names[512] = "";
            for (const struct profile_group *g = profile_groups; g->name != NULL; g++) {
                size_t used = strlen(names);
                snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "", g->name);
            }
            snprintf(err, errlen, "syscalls[%zu]: unknown syscall group \"%s\" (known: %s)", i, groups->items[i],
                names);
            return false;
        }
    }
    return true;
}

void filter_key(const struct spec *spec, char out[65])
{
    /* The profile's digest is computed at build time. "v2": the main program is compacted (bpf_tree.c). */
    const char *profile_digest = PROFILE_BASE_SHA256;
    /* Sorted group names, so the key does not depend on their order in the spec. */
    const char *sorted[64];
    size_t n = spec->syscalls.count < 64 ? spec->syscalls.count : 64;
    for (size_t i = 0; i < n; i++) {
        sorted[i] = spec->syscalls.items[i];
        for (size_t j = i; j > 0 && strcmp(sorted[j - 1], sorted[j]) > 0; j--) {
            const char *t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
        }
    }
    char text[4096];
    int used = snprintf(text, sizeof text, "warden-bpf-v2|profile=%s|network=%s|spawn=%d|groups=", profile_digest,
        network_names[spec->network], spec->spawn ? 1 : 0);
    for (size_t i = 0; i < n && used > 0 && (size_t)used < sizeof text; i++) {
        used += snprintf(text + used, sizeof text - (size_t)used, "%s%s", i ? "," : "", sorted[i]);
    }
    sha256_hex(text, strlen(text), out);
}

/* Add one rule per name of a profile list; names this libseccomp does not know are skipped. */
static bool add_list(scmp_filter_ctx ctx, const char *const *names, uint32_t action, const struct strlist *groups,
    char *err, size_t errlen)
{
    for (; *names != NULL; names++) {
        const char *name = *names;
        uint32_t act = action;
        /* A refused call becomes allowed when the spec asks for a group that lists it. */
        for (size_t g = 0; groups != NULL && g < groups->count; g++) {
            const struct profile_group *def = find_group(groups->items[g]);
            for (const char *const *a = def != NULL ? def->allow : NULL; a != NULL && *a != NULL; a++) {
                if (strcmp(*a, name) == 0) {
                    act = SCMP_ACT_ALLOW;
                }
            }
        }
        int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR) {
            continue; /* newer than this libseccomp: the default (ENOSYS) applies */
        }
        if (act == SCMP_ACT_ERRNO(ENOSYS)) {
            continue; /* the default action already; libseccomp refuses a rule that repeats it */
        }
        int rc = seccomp_rule_add(ctx, act, nr, 0);
        if (rc != 0) {
            snprintf(err, errlen, "cannot add the rule for \"%s\": %s", name, strerror(-rc));
            return false;
        }
    }
    return true;
}

/* A tiny BPF assembler for the argument filter. */
struct prog {
    struct sock_filter insn[256];
    size_t n;
};

static void emit(struct prog *p, struct sock_filter f)
{
    if (p->n < sizeof p->insn / sizeof p->insn[0]) {
        p->insn[p->n] = f;
    }
    p->n++;
}

#define ARG_LO(i) ((uint32_t)(offsetof(struct seccomp_data, args) + 8 * (i)))
#define RET_ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define RET_EPERM BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))
#define RET_KILL BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)

/* Allow when the low word of argument `arg` equals one of values, else EPERM. */
static void block_allow_values(struct prog *p, uint32_t arg, const uint32_t *values, size_t count)
{
    emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(arg)));
    for (size_t i = 0; i < count; i++) {
        emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, values[i], (uint8_t)(count - i), 0));
    }
    emit(p, (struct sock_filter)RET_EPERM);
    emit(p, (struct sock_filter)RET_ALLOW);
}

/* EPERM when the low word of argument `arg` equals one of values, else allow. */
static void block_refuse_values(struct prog *p, uint32_t arg, const uint32_t *values, size_t count)
{
    emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(arg)));
    for (size_t i = 0; i < count; i++) {
        emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, values[i], (uint8_t)(count - i), 0));
    }
    emit(p, (struct sock_filter)RET_ALLOW);
    emit(p, (struct sock_filter)RET_EPERM);
}

static void block_clone(struct prog *p, bool refuse_ns, bool threads_only)
{
    emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0)));
    if (refuse_ns) {
        emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, NS_CLONE_FLAGS, threads_only ? 2 : 1, 0));
    }
    if (threads_only) {
        /* Without spawn, clone may only make threads of this process. */
        emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_THREAD, 0, 1));
    }
    emit(p, (struct sock_filter)RET_ALLOW);
    emit(p, (struct sock_filter)RET_EPERM);
}

static bool build_argument_filter(const struct spec *spec, struct prog *p)
{
    struct prog blocks[4];
    memset(blocks, 0, sizeof blocks);
    uint32_t families[3] = {AF_UNIX, AF_INET, AF_INET6};
    size_t family_count = spec->network == NET_NONE ? 1 : 3;
    block_allow_values(&blocks[0], 0, families, family_count);
    block_clone(&blocks[1], !has_group(&spec->syscalls, "namespaces"), !spec->spawn);
    uint32_t personalities[2] = {0 /* PER_LINUX */, 0xffffffffu /* query */};
    block_allow_values(&blocks[2], 0, personalities, 2);
    uint32_t ioctls[2] = {TIOCSTI, TIOCLINUX};
    block_refuse_values(&blocks[3], 1, ioctls, 2);

    /* Which syscall goes to which block. */
    const struct {
        uint32_t nr;
        int block;
    } dispatch[] = {{__NR_socket, 0}, {__NR_socketpair, 0}, {__NR_clone, 1}, {__NR_personality, 2}, {__NR_ioctl, 3}};
    size_t nd = sizeof dispatch / sizeof dispatch[0];

    emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)));
    emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
    emit(p, (struct sock_filter)RET_KILL);
    emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)));
    emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1));
    emit(p, (struct sock_filter)RET_KILL);
    /* Dispatch: pairs of "jeq nr, next insn, skip one" + "ja block". */
    size_t dispatch_start = p->n;
    size_t after_dispatch = dispatch_start + 2 * nd + 1; /* + final allow */
    size_t block_start[4];
    size_t at = after_dispatch;
    for (int b = 0; b < 4; b++) {
        block_start[b] = at;
        at += blocks[b].n;
    }
    for (size_t i = 0; i < nd; i++) {
        emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, dispatch[i].nr, 0, 1));
        size_t here = p->n;
        emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA | BPF_K,
                    (uint32_t)(block_start[dispatch[i].block] - here - 1), 0, 0));
    }
    emit(p, (struct sock_filter)RET_ALLOW);
    for (int b = 0; b < 4; b++) {
        for (size_t i = 0; i < blocks[b].n; i++) {
            emit(p, blocks[b].insn[i]);
        }
    }
    return p->n <= sizeof p->insn / sizeof p->insn[0];
}

static bool append(struct bpf_blob *b, const void *data, size_t len)
{
    uint8_t *grown = realloc(b->data, b->len + len);
    if (grown == NULL) {
        return false;
    }
    b->data = grown;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return true;
}

static bool append_program(struct bpf_blob *b, const void *insns, size_t count)
{
    uint32_t n = (uint32_t)count;
    return append(b, &n, sizeof n) && append(b, insns, count * sizeof(struct sock_filter));
}

bool filter_build(const struct spec *spec, struct bpf_blob *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(ENOSYS));
    if (ctx == NULL) {
        snprintf(err, errlen, "libseccomp cannot create a filter");
        return false;
    }
    /* Native architecture only: the context starts with it and nothing is added. */
    if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) != 0
        || seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) != 0
        || seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) != 0) {
        snprintf(err, errlen, "libseccomp refuses the filter attributes");
        seccomp_release(ctx);
        return false;
    }
    bool ok = add_list(ctx, profile_kill, SCMP_ACT_KILL_PROCESS, NULL, err, errlen)
        && add_list(ctx, profile_refuse, SCMP_ACT_ERRNO(EPERM), &spec->syscalls, err, errlen)
        && add_list(ctx, profile_allow, SCMP_ACT_ALLOW, NULL, err, errlen)
        && add_list(ctx, profile_spawn, spec->spawn ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(EPERM), NULL, err, errlen)
        && add_list(ctx, profile_enosys, SCMP_ACT_ERRNO(ENOSYS), NULL, err, errlen);
    if (!ok) {
        seccomp_release(ctx);
        return false;
    }

    autoclose int mem = memfd_create("warden-bpf", MFD_CLOEXEC);
    if (mem < 0 || seccomp_export_bpf(ctx, mem) != 0 || lseek(mem, 0, SEEK_SET) != 0) {
        snprintf(err, errlen, "cannot export the compiled filter: %s", strerror(errno));
        seccomp_release(ctx);
        return false;
    }
    seccomp_release(ctx);
    static struct sock_filter compiled[BPF_MAX_INSNS];
    bool truncated;
    ssize_t compiled_len = read_all(mem, (char *)compiled, sizeof compiled, &truncated);
    if (compiled_len <= 0 || truncated || compiled_len % (ssize_t)sizeof(struct sock_filter) != 0) {
        snprintf(err, errlen, "the compiled filter has an unexpected size");
        return false;
    }
    /* The same function of (architecture, syscall number) in a quarter of the length; checked point by
     * point against libseccomp's program, which is kept should the compaction not apply. */
    static struct sock_filter main_prog[BPF_MAX_INSNS];
    size_t main_n;
    char why[256];
    if (!bpf_compact(compiled, (size_t)compiled_len / sizeof(struct sock_filter), main_prog, BPF_MAX_INSNS, &main_n,
            why, sizeof why)) {
        memcpy(main_prog, compiled, (size_t)compiled_len);
        main_n = (size_t)compiled_len / sizeof(struct sock_filter);
    }

    static struct prog args;
    memset(&args, 0, sizeof args);
    if (!build_argument_filter(spec, &args)) {
        snprintf(err, errlen, "the argument filter is too long");
        return false;
    }

    char key[65];
    filter_key(spec, key);
    uint32_t count = 2;
    if (!append(out, BLOB_MAGIC, 8) || !append(out, key, 64) || !append(out, &count, sizeof count)
        || !append_program(out, main_prog, main_n)
        || !append_program(out, args.insn, args.n)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    return true;
}

/* Walk the blob; with load=true install each program. */
static bool walk(const struct bpf_blob *b, bool load, char *err, size_t errlen)
{
    size_t off = 8 + 64;
    uint32_t count;
    if (b->len < off + sizeof count) {
        snprintf(err, errlen, "the BPF blob is truncated");
        return false;
    }
    memcpy(&count, b->data + off, sizeof count);
    off += sizeof count;
    if (count == 0 || count > BLOB_MAX_PROGRAMS) {
        snprintf(err, errlen, "the BPF blob holds %u programs (1 to %d expected)", count, BLOB_MAX_PROGRAMS);
        return false;
    }
    for (uint32_t i = 0; i < count; i++) {
        uint32_t n;
        if (b->len < off + sizeof n) {
            snprintf(err, errlen, "the BPF blob is truncated");
            return false;
        }
        memcpy(&n, b->data + off, sizeof n);
        off += sizeof n;
        if (n == 0 || n > BPF_MAX_INSNS || b->len < off + n * sizeof(struct sock_filter)) {
            snprintf(err, errlen, "program %u of the BPF blob has a bad length", i);
            return false;
        }
        if (load) {
            static struct sock_filter insns[BPF_MAX_INSNS];
            memcpy(insns, b->data + off, n * sizeof(struct sock_filter));
            struct sock_fprog prog = {.len = (unsigned short)n, .filter = insns};
            if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
                fail(STEP_SECCOMP, errno, "cannot load seccomp program %u", i);
            }
        }
        off += n * sizeof(struct sock_filter);
    }
    if (off != b->len) {
        snprintf(err, errlen, "the BPF blob has %zu trailing bytes", b->len - off);
        return false;
    }
    return true;
}

bool filter_blob_check(const struct spec *spec, const struct bpf_blob *b, char *err, size_t errlen)
{
    if (b->len < 8 + 64 || memcmp(b->data, BLOB_MAGIC, 8) != 0) {
        snprintf(err, errlen, "the BPF blob does not start with " BLOB_MAGIC "; export it with --export-bpf");
        return false;
    }
    char key[65];
    filter_key(spec, key);
    if (memcmp(b->data + 8, key, 64) != 0) {
        snprintf(err, errlen, "the BPF blob was compiled for another spec or launcher build (key mismatch); "
                              "export it again with --export-bpf");
        return false;
    }
    return walk(b, false, err, errlen);
}

void filter_load(const struct bpf_blob *b)
{
    char err[256];
    if (!walk(b, true, err, sizeof err)) {
        fail_plain(STEP_SECCOMP, EINVAL, "%s", err);
    }
}

void profile_unknown_names(void (*each)(const char *name, void *ctx), void *ctx)
{
    const char *const *lists[] = {profile_allow, profile_spawn, profile_enosys, profile_refuse, profile_kill};
    for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
        for (const char *const *name = lists[l]; *name != NULL; name++) {
            if (seccomp_syscall_resolve_name(*name) == __NR_SCMP_ERROR) {
                each(*name, ctx);
            }
        }
    }
}
