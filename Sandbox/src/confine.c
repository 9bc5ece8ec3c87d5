/*
 * Steps 4 to 6: rlimits, capabilities, no_new_privs; and the parent-death signal.
 */
#define _GNU_SOURCE
#include "launcher.h"

#include <errno.h>
#include <linux/securebits.h>
#include <signal.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

/*
 * The parent-death signal is armed in step 1 and again after every credential change, because
 * the kernel clears it whenever the effective or filesystem ids change. If the parent is already
 * gone (we were re-parented before arming), stop here rather than run unsupervised.
 */
void arm_parent_death_signal(pid_t expected_parent)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) {
        fail(STEP_SESSION, errno, "cannot set the parent-death signal");
    }
    if (expected_parent > 0 && getppid() != expected_parent) {
        fail(STEP_SESSION, ESRCH, "the parent exited before the parent-death signal was armed");
    }
}

/*
 * Step 4. Limits are lowered, never raised: a request above the current hard limit is clamped to
 * it (stricter, so safe). Core dumps are always off: a core file would carry the plugin's memory
 * (and whatever secrets it held) out of the sandbox.
 */
void apply_rlimits(const struct spec *spec)
{
    for (int i = 0; i < RL_COUNT; i++) {
        if (!spec->rlimit_set[i]) {
            continue;
        }
        struct rlimit cur;
        if (getrlimit(rlimit_resources[i], &cur) != 0) {
            fail(STEP_RLIMITS, errno, "cannot read the %s limit", rlimit_names[i]);
        }
        rlim_t v = spec->rlimit[i];
        if (cur.rlim_max != RLIM_INFINITY && v > cur.rlim_max) {
            v = cur.rlim_max;
        }
        struct rlimit want = {v, v};
        if (setrlimit(rlimit_resources[i], &want) != 0) {
            fail(STEP_RLIMITS, errno, "cannot set the %s limit to %llu", rlimit_names[i], (unsigned long long)v);
        }
    }
    struct rlimit zero = {0, 0};
    if (setrlimit(RLIMIT_CORE, &zero) != 0) {
        fail(STEP_RLIMITS, errno, "cannot turn core dumps off");
    }
}

static bool have_effective(cap_value_t cap)
{
    cap_t now = cap_get_proc();
    if (now == NULL) {
        return false;
    }
    cap_flag_value_t eff = CAP_CLEAR, perm = CAP_CLEAR;
    cap_get_flag(now, cap, CAP_EFFECTIVE, &eff);
    cap_get_flag(now, cap, CAP_PERMITTED, &perm);
    bool ok = eff == CAP_SET;
    if (!ok && perm == CAP_SET) {
        /* Kept across the switch away from root: raise it for the drops below. */
        cap_set_flag(now, CAP_EFFECTIVE, 1, &cap, CAP_SET);
        ok = cap_set_proc(now) == 0;
    }
    cap_free(now);
    return ok;
}

/*
 * Step 5. Clear the bounding set and lock the securebits while CAP_SETPCAP is still held (it is in
 * a new user namespace, and for a launcher started by root), then clear the ambient, inheritable,
 * permitted and effective sets. Without CAP_SETPCAP (an ordinary user and no user namespace) the
 * bounding set cannot be changed; no_new_privs then keeps exec from granting anything from it.
 */
void drop_capabilities(struct report *r)
{
    if (have_effective(CAP_SETPCAP)) {
        int last = cap_max_bits();
        for (int c = 0; c < last; c++) {
            if (cap_drop_bound((cap_value_t)c) != 0 && errno != EINVAL) {
                fail(STEP_CAPABILITIES, errno, "cannot drop capability %d from the bounding set", c);
            }
        }
        unsigned bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED
            | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
        if (cap_set_secbits(bits) != 0) {
            fail(STEP_CAPABILITIES, errno, "cannot lock the securebits");
        }
        r->securebits_locked = true;
    }
    clear_capabilities();
}

/* The ambient, inheritable, permitted and effective sets cleared, and verified. */
void clear_capabilities(void)
{
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
        fail(STEP_CAPABILITIES, errno, "cannot clear the ambient capability set");
    }
    cap_t empty = cap_init();
    if (empty == NULL || cap_set_proc(empty) != 0) {
        fail(STEP_CAPABILITIES, errno, "cannot clear the capability sets");
    }
    /* Verify rather than trust: every set must now read back empty. */
    cap_t now = cap_get_proc();
    if (now == NULL || cap_compare(now, empty) != 0) {
        fail(STEP_CAPABILITIES, EPERM, "capabilities remain after clearing them");
    }
    cap_free(now);
    cap_free(empty);
}

/* Step 6. Required by Landlock and seccomp for an unprivileged process, and it keeps setuid and
 * file-capability binaries from granting anything to the plugin or its children. */
void set_no_new_privs(void)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        fail(STEP_NO_NEW_PRIVS, errno, "cannot set no_new_privs");
    }
    if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) {
        fail(STEP_NO_NEW_PRIVS, EPERM, "no_new_privs does not read back as set");
    }
}
