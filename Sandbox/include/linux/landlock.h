/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Landlock user space ABI, declared here because the C library headers of older distributions
 * (Debian 12 ships those of Linux 6.1, Landlock ABI 2) lack the later ABI versions that the running
 * kernel may offer. The launcher detects the ABI at run time and only uses what the kernel reports,
 * so declaring newer constants is always safe.
 *
 * ABI history:
 *   1 (5.13) filesystem access rights
 *   2 (5.19) LANDLOCK_ACCESS_FS_REFER
 *   3 (6.2)  LANDLOCK_ACCESS_FS_TRUNCATE
 *   4 (6.7)  TCP bind/connect rules (handled_access_net, LANDLOCK_RULE_NET_PORT)
 *   5 (6.10) LANDLOCK_ACCESS_FS_IOCTL_DEV
 *   6 (6.12) scoping: abstract unix sockets and signals
 *   7 (6.15) audit logging flags for landlock_restrict_self()
 *
 * The include guard is the kernel's, so this file replaces the system header when it is found
 * first on the include path.
 */
#ifndef _LINUX_LANDLOCK_H
#define _LINUX_LANDLOCK_H

#include <linux/types.h>

/* Argument of landlock_create_ruleset(); the kernel accepts any prefix size it knows. */
struct landlock_ruleset_attr {
    __u64 handled_access_fs;  /* ABI 1 */
    __u64 handled_access_net; /* ABI 4 */
    __u64 scoped;             /* ABI 6 */
};

/* Flags of landlock_create_ruleset(). */
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#define LANDLOCK_CREATE_RULESET_ERRATA (1U << 1)

/* Flags of landlock_restrict_self() (ABI 7). */
#define LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF (1U << 0)
#define LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON (1U << 1)
#define LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF (1U << 2)

/* Rule types of landlock_add_rule(). */
enum landlock_rule_type {
    LANDLOCK_RULE_PATH_BENEATH = 1,
    LANDLOCK_RULE_NET_PORT,
};

/* Rule attribute for LANDLOCK_RULE_PATH_BENEATH; packed as in the kernel. */
struct landlock_path_beneath_attr {
    __u64 allowed_access;
    __s32 parent_fd;
} __attribute__((packed));

/* Rule attribute for LANDLOCK_RULE_NET_PORT (ABI 4). */
struct landlock_net_port_attr {
    __u64 allowed_access;
    __u64 port;
};

/* Filesystem access rights. */
#define LANDLOCK_ACCESS_FS_EXECUTE (1ULL << 0)
#define LANDLOCK_ACCESS_FS_WRITE_FILE (1ULL << 1)
#define LANDLOCK_ACCESS_FS_READ_FILE (1ULL << 2)
#define LANDLOCK_ACCESS_FS_READ_DIR (1ULL << 3)
#define LANDLOCK_ACCESS_FS_REMOVE_DIR (1ULL << 4)
#define LANDLOCK_ACCESS_FS_REMOVE_FILE (1ULL << 5)
#define LANDLOCK_ACCESS_FS_MAKE_CHAR (1ULL << 6)
#define LANDLOCK_ACCESS_FS_MAKE_DIR (1ULL << 7)
#define LANDLOCK_ACCESS_FS_MAKE_REG (1ULL << 8)
#define LANDLOCK_ACCESS_FS_MAKE_SOCK (1ULL << 9)
#define LANDLOCK_ACCESS_FS_MAKE_FIFO (1ULL << 10)
#define LANDLOCK_ACCESS_FS_MAKE_BLOCK (1ULL << 11)
#define LANDLOCK_ACCESS_FS_MAKE_SYM (1ULL << 12)
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)     /* ABI 2 */
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)  /* ABI 3 */
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */

/* Network access rights (ABI 4). */
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)

/* Scopes (ABI 6). */
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)

#endif /* _LINUX_LANDLOCK_H */
