/*
 * Step 7: Landlock, at the best ABI the running kernel offers (detected here, reported back).
 *
 * Read paths get execute/read rights, write paths get read and write rights but not execute, the
 * fixed devices get read (and write for null/zero/full), the private /tmp is writable and /proc
 * (of the plugin's own pid namespace) readable. TCP bind and connect are handled from ABI 4:
 * "none" allows neither, "outbound" allows connect to any port but never bind, "loopback" leaves
 * TCP to the network namespace. From ABI 6 abstract unix sockets and signals are scoped: the
 * plugin can reach neither sockets nor processes outside its own domain.
 */
#define _GNU_SOURCE
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FS_READ (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define FS_FILE_ONLY                                                                                             \
    (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE                  \
        | LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

int landlock_abi(void)
{
    long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return v < 0 ? 0 : (int)v;
}

static __u64 fs_rights(int abi)
{
    __u64 all = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* ABI 1: bits 0..12 */
    if (abi >= 2) {
        all |= LANDLOCK_ACCESS_FS_REFER;
    }
    if (abi >= 3) {
        all |= LANDLOCK_ACCESS_FS_TRUNCATE;
    }
    if (abi >= 5) {
        all |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
    }
    return all;
}

static __u64 write_rights(__u64 handled)
{
    __u64 w = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_WRITE_FILE
        | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR
        | LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO
        | LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE;
    return w & handled;
}

enum kind { UNKNOWN, DIRECTORY, NOT_DIRECTORY };

/* Add a path-beneath rule; a missing path is skipped only when optional. The fixed paths the
 * launcher provides itself have a known kind, the spec's are looked at. */
static void allow_path_kind(int ruleset, const char *path, __u64 rights, bool optional, enum kind kind)
{
    autoclose int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) {
        if (optional && (errno == ENOENT || errno == ENOTDIR)) {
            return;
        }
        fail(STEP_LANDLOCK, errno, "cannot open \"%s\" for its Landlock rule", path);
    }
    if (kind == UNKNOWN) {
        struct stat st;
        if (fstat(fd, &st) != 0) {
            fail(STEP_LANDLOCK, errno, "cannot stat \"%s\"", path);
        }
        kind = S_ISDIR(st.st_mode) ? DIRECTORY : NOT_DIRECTORY;
    }
    if (kind == NOT_DIRECTORY) {
        rights &= FS_FILE_ONLY; /* directory rights on a file are refused by the kernel */
    }
    struct landlock_path_beneath_attr attr = {.allowed_access = rights, .parent_fd = fd};
    if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &attr, 0) != 0) {
        fail(STEP_LANDLOCK, errno, "cannot add the Landlock rule for \"%s\"", path);
    }
}

static void allow_path(int ruleset, const char *path, __u64 rights, bool optional)
{
    allow_path_kind(ruleset, path, rights, optional, UNKNOWN);
}

/* The devices and directories the launcher provides in its view (or finds on the host without one). */
static void allow_device(int ruleset, const char *path, __u64 rights)
{
    allow_path_kind(ruleset, path, rights, false, NOT_DIRECTORY);
}

static void allow_directory(int ruleset, const char *path, __u64 rights)
{
    allow_path_kind(ruleset, path, rights, false, DIRECTORY);
}

/* Build the ruleset (-1 when the kernel has no Landlock and the spec allows that). */
static int landlock_prepare(const struct spec *spec, struct report *r)
{
    int abi = landlock_abi();
    if (abi < spec->landlock_min_abi) {
        fail(STEP_LANDLOCK, abi == 0 ? EOPNOTSUPP : 0,
            "the kernel offers Landlock ABI %d but the spec needs at least %d", abi, spec->landlock_min_abi);
    }
    r->landlock_abi = abi;
    if (abi == 0) {
        return -1; /* allowed only because the spec's landlock_min_abi is 0 */
    }

    struct landlock_ruleset_attr attr = {.handled_access_fs = fs_rights(abi)};
    size_t size = sizeof attr.handled_access_fs;
    if (abi >= 4) {
        switch (spec->network) {
        case NET_NONE: attr.handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP; break;
        case NET_OUTBOUND: attr.handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP; break;
        case NET_LOOPBACK: attr.handled_access_net = 0; break;
        }
        size = offsetof(struct landlock_ruleset_attr, scoped);
    }
    if (abi >= 6) {
        attr.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
        size = sizeof attr;
    }
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
    if (ruleset < 0) {
        fail(STEP_LANDLOCK, errno, "cannot create the Landlock ruleset (ABI %d)", abi);
    }

    __u64 handled = attr.handled_access_fs;
    for (size_t i = 0; i < spec->read.count; i++) {
        allow_path(ruleset, spec->read.items[i], FS_READ & handled, false);
    }
    for (size_t i = 0; i < spec->read_if_present.count; i++) {
        allow_path(ruleset, spec->read_if_present.items[i], FS_READ & handled, true);
    }
    for (size_t i = 0; i < spec->write.count; i++) {
        allow_path(ruleset, spec->write.items[i], write_rights(handled), false);
    }
    static const char *const rw_devices[] = {"/dev/null", "/dev/zero", "/dev/full"};
    for (size_t i = 0; i < 3; i++) {
        allow_device(ruleset, rw_devices[i], (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE) & handled);
    }
    allow_device(ruleset, "/dev/random", LANDLOCK_ACCESS_FS_READ_FILE);
    allow_device(ruleset, "/dev/urandom", LANDLOCK_ACCESS_FS_READ_FILE);
    bool own_tmp = (spec->namespaces & NS_MOUNT) != 0;
    for (size_t i = 0; i < spec->read.count + spec->write.count; i++) {
        const char *p = i < spec->read.count ? spec->read.items[i] : spec->write.items[i - spec->read.count];
        if (strcmp(p, "/tmp") == 0) {
            own_tmp = false; /* the spec exposes the host's /tmp with its own rights */
        }
    }
    if (own_tmp) {
        allow_directory(ruleset, "/tmp", write_rights(handled));
    }
    if (spec->namespaces & NS_MOUNT) {
        /* Listing directories of the view is harmless: it holds only what the spec named. */
        allow_directory(ruleset, "/", LANDLOCK_ACCESS_FS_READ_DIR);
    }
    if (spec->namespaces & NS_PID && spec->namespaces & NS_MOUNT) {
        allow_directory(ruleset, "/proc", (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR) & handled);
    }

    return ruleset;
}

/* Enforce a ruleset from landlock_prepare() on this process (needs no_new_privs) and close it. */
static void landlock_enforce(int ruleset)
{
    if (ruleset < 0) {
        return;
    }
    if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) {
        fail(STEP_LANDLOCK, errno, "cannot enforce the Landlock ruleset");
    }
    close(ruleset);
}

void apply_landlock(const struct spec *spec, struct report *r)
{
    landlock_enforce(landlock_prepare(spec, r));
}
