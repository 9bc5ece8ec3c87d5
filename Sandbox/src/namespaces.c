/*
 * Step 2: identity and namespaces.
 *
 * A launcher started by root first becomes the unprivileged user 65534 (nobody/nogroup), so that
 * nothing a plugin does ever runs as uid 0 in the initial namespace, whatever the namespaces.
 * Then unshare() creates the namespaces the spec asks for: all at once, or, with a pid namespace,
 * the user and pid ones in the launcher and the others in the namespace's init (see launch.c). The
 * user namespace maps the current (unprivileged) ids onto themselves, so files keep their owners
 * and the plugin's uid is the one the host's file permissions see.
 */
#define _GNU_SOURCE
#include "launcher.h"

#include <errno.h>
#include <grp.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define UNPRIVILEGED_ID 65534

static void become_unprivileged(void)
{
    /*
     * Keep the permitted capability set across the uid change (PR_SET_KEEPCAPS) only so that the
     * capabilities step can still drop the bounding set and lock the securebits; it then clears
     * every set. KEEPCAPS itself is cleared by execve and locked off by the securebits.
     */
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) {
        fail(STEP_NAMESPACES, errno, "cannot keep capabilities across the switch to uid %d", UNPRIVILEGED_ID);
    }
    if (setgroups(0, NULL) != 0) {
        fail(STEP_NAMESPACES, errno, "cannot clear the supplementary groups");
    }
    if (setresgid(UNPRIVILEGED_ID, UNPRIVILEGED_ID, UNPRIVILEGED_ID) != 0) {
        fail(STEP_NAMESPACES, errno, "cannot switch to gid %d", UNPRIVILEGED_ID);
    }
    if (setresuid(UNPRIVILEGED_ID, UNPRIVILEGED_ID, UNPRIVILEGED_ID) != 0) {
        fail(STEP_NAMESPACES, errno, "cannot switch to uid %d", UNPRIVILEGED_ID);
    }
    /* Changing ids made the process non-dumpable, which hands the id map files in /proc/self to root. */
    if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0) {
        fail(STEP_NAMESPACES, errno, "cannot mark the process dumpable for its id maps");
    }
}

static void write_id_maps(uid_t uid, gid_t gid)
{
    char line[64];
    /* An unprivileged writer must deny setgroups() before it may write gid_map. */
    if (!write_file("/proc/self/setgroups", "deny")) {
        fail(STEP_NAMESPACES, errno, "cannot write /proc/self/setgroups");
    }
    snprintf(line, sizeof line, "%u %u 1\n", (unsigned)uid, (unsigned)uid);
    if (!write_file("/proc/self/uid_map", line)) {
        fail(STEP_NAMESPACES, errno, "cannot write /proc/self/uid_map");
    }
    snprintf(line, sizeof line, "%u %u 1\n", (unsigned)gid, (unsigned)gid);
    if (!write_file("/proc/self/gid_map", line)) {
        fail(STEP_NAMESPACES, errno, "cannot write /proc/self/gid_map");
    }
}

/* In a new network namespace, "loopback" brings lo up; "none" leaves it down. */
static void loopback_up(void)
{
    autoclose int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fail(STEP_NAMESPACES, errno, "cannot open a socket to configure the loopback interface");
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) {
        fail(STEP_NAMESPACES, errno, "cannot read the flags of the loopback interface");
    }
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0) {
        fail(STEP_NAMESPACES, errno, "cannot bring the loopback interface up");
    }
}

void enter_identity(struct report *r)
{
    if (getuid() == 0 || geteuid() == 0 || getgid() == 0 || getegid() == 0) {
        become_unprivileged();
    }
    r->uid = getuid();
    r->gid = getgid();
}

void enter_namespaces(const struct spec *spec, unsigned which)
{
    if (which == 0) {
        return;
    }
    int flags = 0;
    static const int clone_flags[NS_COUNT] = {
        CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWCGROUP};
    for (int i = 0; i < NS_COUNT; i++) {
        if (which & (1u << i)) {
            flags |= clone_flags[i];
        }
    }
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(flags) != 0) {
        fail(STEP_NAMESPACES, errno, "cannot create the namespaces (unshare); check "
                                     "/proc/sys/user/max_user_namespaces and `warden sandbox probe`");
    }
    if (which & NS_USER) {
        write_id_maps(uid, gid);
    }
    if (which & NS_UTS) {
        /* The host's name is not the plugin's business. */
        if (sethostname("warden", 6) != 0 || setdomainname("warden", 6) != 0) {
            fail(STEP_NAMESPACES, errno, "cannot set the host name in the new uts namespace");
        }
    }
    if ((which & NS_NET) && spec->network == NET_LOOPBACK) {
        loopback_up();
    }
}
