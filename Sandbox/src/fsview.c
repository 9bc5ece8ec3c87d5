/*
 * Step 3: the filesystem view, built in the new mount namespace.
 *
 * Every source is first cloned into a detached mount (open_tree with OPEN_TREE_CLONE, recursive so
 * that mounts locked by the user namespace come along) and given its attributes there
 * (mount_setattr: read-only, nosuid, nodev). Only then is an empty tmpfs mounted on /tmp to become
 * the new root; the clones are moved onto the same absolute paths inside it, /dev, /proc and /tmp
 * are provided, the root is made read-only, and pivot_root() drops the host's tree. Paths keep
 * their real absolute names, so symlinks and script shebangs inside the view still resolve.
 */
#define _GNU_SOURCE
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BASE "/tmp"

enum kind { K_BIND_RO, K_BIND_RW, K_DEVICE, K_SYMLINK, K_DEV_DIR, K_TMPFS_TMP, K_PROC };

struct entry {
    const char *path;
    enum kind kind;
    int tree_fd;    /* detached clone, for binds */
    bool is_dir;    /* for binds */
    char link[PATH_MAX]; /* for symlinks */
};

static const char *const devices[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"};
#define DEVICE_COUNT (sizeof devices / sizeof devices[0])

static int by_path(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

/*
 * `seen` is what lstat() found at the path just before, when that was not a symlink: a directory or
 * not. Should the path change in between, the mount point gets the wrong type and the move fails:
 * the launch fails, nothing wrong is mounted. A symlink (a `write` path may be one) is followed by
 * open_tree, so its target is looked at.
 */
static void clone_tree(struct entry *e, bool read_only, const struct stat *seen)
{
    e->tree_fd = open_tree(AT_FDCWD, e->path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (e->tree_fd < 0) {
        fail(STEP_FILESYSTEM, errno, "cannot clone \"%s\" into the view", e->path);
    }
    if (seen != NULL && !S_ISLNK(seen->st_mode)) {
        e->is_dir = S_ISDIR(seen->st_mode);
    } else if (e->kind != K_DEVICE) { /* a device node is never a directory */
        struct stat st;
        if (fstat(e->tree_fd, &st) != 0) {
            fail(STEP_FILESYSTEM, errno, "cannot stat \"%s\"", e->path);
        }
        e->is_dir = S_ISDIR(st.st_mode);
    }
    struct mount_attr attr = {0};
    attr.attr_set = MOUNT_ATTR_NOSUID;
    if (e->kind == K_DEVICE) {
        attr.attr_set |= MOUNT_ATTR_NOEXEC;
    } else {
        attr.attr_set |= MOUNT_ATTR_NODEV;
    }
    if (read_only) {
        attr.attr_set |= MOUNT_ATTR_RDONLY;
    }
    if (mount_setattr(e->tree_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0) {
        fail(STEP_FILESYSTEM, errno, "cannot make \"%s\" %s in the view", e->path,
            read_only ? "read-only, nosuid and nodev" : "nosuid and nodev");
    }
}

/*
 * Directories already made (or found) inside the new root, so that siblings such as /etc/passwd and
 * /etc/group do not repeat the mkdir of their parents. Entries are placed parents first.
 */
static char *g_made[64];
static size_t g_made_count;

static bool already_made(const char *dir)
{
    for (size_t i = 0; i < g_made_count; i++) {
        if (strcmp(g_made[i], dir) == 0) {
            return true;
        }
    }
    return false;
}

static void remember_made(const char *dir)
{
    if (g_made_count < sizeof g_made / sizeof g_made[0]) {
        g_made[g_made_count] = strdup(dir);
        g_made_count += g_made[g_made_count] != NULL; /* forgetting one only costs a repeated mkdir */
    }
}

/* Create the directories leading to path (inside the new root), like mkdir -p. */
static void make_parents(const char *full)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", full);
    for (char *p = buf + strlen(BASE) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        if (!already_made(buf)) {
            if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
                fail(STEP_FILESYSTEM, errno, "cannot create the directory \"%s\" in the view", buf + strlen(BASE));
            }
            remember_made(buf);
        }
        *p = '/';
    }
}

/*
 * Make sure a mount point of the right type exists at full. One that exists already (inside a
 * parent bind, which may be read-only) is used as it is: creating it fails with EEXIST first.
 */
static void make_mount_point(const char *full, bool dir)
{
    make_parents(full);
    int rc = dir ? mkdir(full, 0755) : mknod(full, S_IFREG | 0644, 0);
    if (rc != 0 && errno != EEXIST) {
        fail(STEP_FILESYSTEM, errno, "cannot create the mount point \"%s\"", full + strlen(BASE));
    }
    if (dir) {
        remember_made(full);
    }
}

static void mount_tmpfs(const char *target, const char *options, unsigned long flags)
{
    if (mount("tmpfs", target, "tmpfs", flags, options) != 0) {
        fail(STEP_FILESYSTEM, errno, "cannot mount a tmpfs on \"%s\"", target);
    }
}

static void remount_read_only(const char *target)
{
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
    if (mount_setattr(AT_FDCWD, target, 0, &attr, sizeof attr) != 0) {
        fail(STEP_FILESYSTEM, errno, "cannot make \"%s\" read-only", target);
    }
}

static void place(struct entry *e, bool with_proc)
{
    char full[PATH_MAX + 8];
    snprintf(full, sizeof full, "%s%s", BASE, strcmp(e->path, "/") == 0 ? "" : e->path);
    switch (e->kind) {
    case K_BIND_RO:
    case K_BIND_RW:
    case K_DEVICE:
        if (strcmp(e->path, "/") != 0) {
            make_mount_point(full, e->is_dir);
        }
        if (move_mount(e->tree_fd, "", AT_FDCWD, full, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
            fail(STEP_FILESYSTEM, errno, "cannot mount \"%s\" in the view", e->path);
        }
        close(e->tree_fd);
        e->tree_fd = -1;
        break;
    case K_SYMLINK:
        make_parents(full);
        if (symlink(e->link, full) != 0 && errno != EEXIST) {
            fail(STEP_FILESYSTEM, errno, "cannot create the symlink \"%s\" in the view", e->path);
        }
        break;
    case K_DEV_DIR:
        /* A plain directory of the (read-only, nodev) root: it holds only the device binds below
         * and these links. */
        make_mount_point(full, true);
        {
            static const char *const links[][2] = {
                {"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
                {"stderr", "/proc/self/fd/2"}};
            for (size_t i = 0; with_proc && i < sizeof links / sizeof links[0]; i++) {
                char l[PATH_MAX + 16];
                snprintf(l, sizeof l, "%s/%s", full, links[i][0]);
                if (symlink(links[i][1], l) != 0) {
                    fail(STEP_FILESYSTEM, errno, "cannot create /dev/%s", links[i][0]);
                }
            }
        }
        break;
    case K_TMPFS_TMP:
        /* Private and small: the plugin's scratch space, gone when it exits. */
        make_mount_point(full, true);
        mount_tmpfs(full, "mode=1777,size=64m,nr_inodes=4096", MS_NOSUID | MS_NODEV);
        break;
    case K_PROC:
        /* A proc of the plugin's own pid namespace, read-only: no /proc/sys or /proc/self/attr writes. */
        make_mount_point(full, true);
        if (mount("proc", full, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL) != 0) {
            fail(STEP_FILESYSTEM, errno, "cannot mount /proc for the pid namespace");
        }
        break;
    }
}

void build_filesystem_view(const struct spec *spec)
{
    /* Nothing done here may propagate back to the host's mount namespace. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        fail(STEP_FILESYSTEM, errno, "cannot make the mount tree private");
    }

    size_t cap = spec->read.count + spec->read_if_present.count + spec->write.count + DEVICE_COUNT + 3;
    struct entry *entries = calloc(cap, sizeof *entries);
    if (entries == NULL) {
        fail(STEP_FILESYSTEM, ENOMEM, "cannot allocate the view");
    }
    size_t n = 0;
    bool tmp_from_spec = false;
    const struct strlist *lists[3] = {&spec->read, &spec->read_if_present, &spec->write};
    for (int l = 0; l < 3; l++) {
        for (size_t i = 0; i < lists[l]->count; i++) {
            struct entry *e = &entries[n];
            e->path = lists[l]->items[i];
            e->tree_fd = -1;
            if (strcmp(e->path, "/tmp") == 0) {
                tmp_from_spec = true;
            }
            struct stat st;
            if (lstat(e->path, &st) != 0) {
                if (l == 1 && (errno == ENOENT || errno == ENOTDIR)) {
                    continue; /* read_if_present */
                }
                fail(STEP_FILESYSTEM, errno, "cannot find \"%s\"", e->path);
            }
            if (S_ISLNK(st.st_mode) && l != 2) {
                /* Keep a symlink a symlink (merged /usr: /lib -> usr/lib); its target needs its own entry. */
                ssize_t len = readlink(e->path, e->link, sizeof e->link - 1);
                if (len < 0) {
                    fail(STEP_FILESYSTEM, errno, "cannot read the symlink \"%s\"", e->path);
                }
                e->link[len] = '\0';
                e->kind = K_SYMLINK;
            } else {
                e->kind = l == 2 ? K_BIND_RW : K_BIND_RO;
                clone_tree(e, l != 2, &st);
            }
            n++;
        }
    }
    for (size_t i = 0; i < DEVICE_COUNT; i++) {
        entries[n].path = devices[i];
        entries[n].kind = K_DEVICE;
        clone_tree(&entries[n], false, NULL);
        n++;
    }
    entries[n++] = (struct entry){.path = "/dev", .kind = K_DEV_DIR, .tree_fd = -1};
    if (!tmp_from_spec) {
        entries[n++] = (struct entry){.path = "/tmp", .kind = K_TMPFS_TMP, .tree_fd = -1};
    }
    bool with_proc = (spec->namespaces & NS_PID) != 0;
    if (with_proc) {
        entries[n++] = (struct entry){.path = "/proc", .kind = K_PROC, .tree_fd = -1};
    }
    /* Parents before children: a path sorts before every path it is a prefix of. */
    qsort(entries, n, sizeof *entries, by_path);

    /* Every source is held by a descriptor now, so the host's /tmp may be covered by the new root. */
    mount_tmpfs(BASE, "mode=0755,size=1m,nr_inodes=4096", MS_NOSUID | MS_NODEV);
    for (size_t i = 0; i < n; i++) {
        place(&entries[i], with_proc);
    }
    remount_read_only(BASE);

    /* pivot_root(".", ".") stacks the old root on the new one; detaching it leaves only the view. */
    if (chdir(BASE) != 0) {
        fail(STEP_FILESYSTEM, errno, "cannot enter the new root");
    }
    if (syscall(SYS_pivot_root, ".", ".") != 0) {
        fail(STEP_FILESYSTEM, errno, "cannot pivot into the new root");
    }
    if (umount2(".", MNT_DETACH) != 0) {
        fail(STEP_FILESYSTEM, errno, "cannot detach the host's root");
    }
    if (chdir("/") != 0) {
        fail(STEP_FILESYSTEM, errno, "cannot enter the new root");
    }
    free(entries);
}
