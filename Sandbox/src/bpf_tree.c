/*
 * The main allowlist, compacted: libseccomp's program rewritten as a binary search over ranges.
 *
 * libseccomp emits one comparison per listed syscall (about 470 instructions for the base profile).
 * Loading a classic BPF program costs time in proportion to its length (conversion to eBPF, JIT, and
 * the kernel's per-syscall action cache, which runs the program once for every syscall number), and
 * the allowlist is mostly runs of neighbouring numbers with the same action. So the program is
 * evaluated here for every distinct syscall number range, and re-emitted as a balanced tree of
 * "jge" over the range starts, each leaf a shared return: about a quarter of the length, the same
 * answer for every input.
 *
 * Exactness: the input may only load the architecture and the syscall number, compare them with
 * constants (jeq, jgt, jge, ja) and return constants; anything else is refused and the caller keeps
 * libseccomp's program. It must start by returning one action for every architecture but the native
 * one. Its answer for the native architecture is then a function of the syscall number that can only
 * change at a compared constant or right after it, so evaluating it at those points gives the whole
 * function. The output is evaluated at the same points (and its own) and compared before it is used.
 */
#include "launcher.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OFF_NR ((uint32_t)offsetof(struct seccomp_data, nr))
#define OFF_ARCH ((uint32_t)offsetof(struct seccomp_data, arch))
#define MAX_POINTS 8192
#define MAX_ACTIONS 16

/* Run a program of the accepted subset for (arch, nr); false when it leaves the subset. */
static bool eval(const struct sock_filter *p, size_t n, uint32_t arch, uint32_t nr, uint32_t *action)
{
    uint32_t a = 0;
    size_t pc = 0;
    while (pc < n) {
        const struct sock_filter *f = &p[pc];
        switch (f->code) {
        case BPF_LD | BPF_W | BPF_ABS:
            if (f->k == OFF_NR) {
                a = nr;
            } else if (f->k == OFF_ARCH) {
                a = arch;
            } else {
                return false;
            }
            pc++;
            break;
        case BPF_JMP | BPF_JA: pc += 1 + (size_t)f->k; break;
        case BPF_JMP | BPF_JEQ | BPF_K: pc += 1 + (a == f->k ? f->jt : f->jf); break;
        case BPF_JMP | BPF_JGT | BPF_K: pc += 1 + (a > f->k ? f->jt : f->jf); break;
        case BPF_JMP | BPF_JGE | BPF_K: pc += 1 + (a >= f->k ? f->jt : f->jf); break;
        case BPF_RET | BPF_K: *action = f->k; return true;
        default: return false;
        }
    }
    return false; /* fell off the end */
}

static int by_value(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

/* The points where the answer may change: 0, and every compared constant and its successor. */
static size_t breakpoints(const struct sock_filter *p, size_t n, uint32_t *pts, size_t cap, size_t have)
{
    if (have == 0 && cap > 0) {
        pts[have++] = 0;
    }
    for (size_t i = 0; i < n; i++) {
        uint16_t c = p[i].code;
        if (c == (BPF_JMP | BPF_JEQ | BPF_K) || c == (BPF_JMP | BPF_JGT | BPF_K) || c == (BPF_JMP | BPF_JGE | BPF_K)) {
            if (have + 2 > cap) {
                return cap + 1;
            }
            pts[have++] = p[i].k;
            if (p[i].k != UINT32_MAX) {
                pts[have++] = p[i].k + 1;
            }
        }
    }
    return have;
}

struct emitter {
    struct sock_filter *out;
    size_t cap;
    bool too_far; /* a jump longer than 8 bits would be needed */
};

/* Number of instructions the subtree over [lo, hi) takes: one jge per inner node. */
static size_t tree_size(size_t lo, size_t hi) { return hi - lo - 1; }

/*
 * Layout: the subtree over [lo, hi) at index `at` is "jge starts[mid]" followed by the left subtree
 * [lo, mid) and then the right one [mid, hi). A subtree of one range is no instruction at all: the
 * parent jumps straight to that range's return.
 */
static void place_tree(struct emitter *e, const uint32_t *starts, const uint8_t *slot, size_t lo, size_t hi,
    size_t at, size_t ret_at)
{
    size_t mid = lo + (hi - lo) / 2;
    size_t left_at = at + 1;
    size_t right_at = left_at + tree_size(lo, mid);
    size_t jf_to = mid - lo == 1 ? ret_at + slot[lo] : left_at;
    size_t jt_to = hi - mid == 1 ? ret_at + slot[mid] : right_at;
    if (jt_to - at - 1 > 255 || jf_to - at - 1 > 255) {
        e->too_far = true;
        return;
    }
    if (at < e->cap) {
        e->out[at] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, starts[mid], (uint8_t)(jt_to - at - 1),
            (uint8_t)(jf_to - at - 1));
    }
    if (mid - lo > 1) {
        place_tree(e, starts, slot, lo, mid, left_at, ret_at);
    }
    if (hi - mid > 1) {
        place_tree(e, starts, slot, mid, hi, right_at, ret_at);
    }
}

bool bpf_compact(const struct sock_filter *in, size_t n, struct sock_filter *out, size_t cap, size_t *out_n,
    char *err, size_t errlen)
{
    /* The prologue: load the architecture, anything but the native one returns one fixed action. */
    if (n < 3 || in[0].code != (BPF_LD | BPF_W | BPF_ABS) || in[0].k != OFF_ARCH
        || in[1].code != (BPF_JMP | BPF_JEQ | BPF_K) || in[1].k != AUDIT_ARCH_X86_64 || in[1].jt != 0
        || (size_t)in[1].jf + 2 >= n || in[in[1].jf + 2].code != (BPF_RET | BPF_K)) {
        snprintf(err, errlen, "the compiled filter does not start with the architecture check");
        return false;
    }
    uint32_t badarch = in[in[1].jf + 2].k;

    static uint32_t pts[MAX_POINTS];
    size_t np = breakpoints(in, n, pts, MAX_POINTS, 0);
    if (np > MAX_POINTS) {
        snprintf(err, errlen, "the compiled filter compares too many constants");
        return false;
    }
    qsort(pts, np, sizeof pts[0], by_value);

    /* Ranges of constant action: starts[i] .. starts[i+1]-1 answer actions[i]. */
    static uint32_t starts[MAX_POINTS];
    static uint8_t slot[MAX_POINTS];
    uint32_t actions[MAX_ACTIONS];
    size_t nactions = 0, nr = 0;
    for (size_t i = 0; i < np; i++) {
        if (i > 0 && pts[i] == pts[i - 1]) {
            continue;
        }
        uint32_t act;
        if (!eval(in, n, AUDIT_ARCH_X86_64, pts[i], &act)) {
            snprintf(err, errlen, "the compiled filter uses an instruction the compactor does not model");
            return false;
        }
        size_t s = 0;
        while (s < nactions && actions[s] != act) {
            s++;
        }
        if (s == nactions) {
            if (nactions == MAX_ACTIONS) {
                snprintf(err, errlen, "the compiled filter has more than %d actions", MAX_ACTIONS);
                return false;
            }
            actions[nactions++] = act;
        }
        if (nr > 0 && slot[nr - 1] == s) {
            continue; /* same action as the range before: extend it */
        }
        starts[nr] = pts[i];
        slot[nr] = (uint8_t)s;
        nr++;
    }

    /* ld arch; jeq native (else the bad-architecture return); ld nr; the tree; the returns. */
    struct emitter e = {out, cap, false};
    size_t tree_at = 3;
    size_t ret_at = tree_at + tree_size(0, nr);
    size_t badarch_at = ret_at + nactions;
    size_t total = badarch_at + 1;
    if (total > cap || badarch_at - 2 > 255) {
        snprintf(err, errlen, "the compacted filter would be too long");
        return false;
    }
    out[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_ARCH);
    out[1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, (uint8_t)(badarch_at - 2));
    out[2] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_NR);
    if (nr > 1) {
        place_tree(&e, starts, slot, 0, nr, tree_at, ret_at); /* one range only: "ld nr" falls into its return */
    }
    if (e.too_far) {
        snprintf(err, errlen, "the compacted filter would need a jump longer than 255 instructions");
        return false;
    }
    for (size_t s = 0; s < nactions; s++) {
        out[ret_at + s] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, actions[s]);
    }
    out[badarch_at] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, badarch);

    /* Check rather than trust: the same answer at every point where either program may change. */
    np = breakpoints(out, total, pts, MAX_POINTS, breakpoints(in, n, pts, MAX_POINTS, 0));
    if (np > MAX_POINTS) {
        snprintf(err, errlen, "the compacted filter compares too many constants");
        return false;
    }
    static const uint32_t arches[] = {AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, 0, UINT32_MAX};
    for (size_t a = 0; a < sizeof arches / sizeof arches[0]; a++) {
        for (size_t i = 0; i < np; i++) {
            uint32_t want, got;
            if (!eval(in, n, arches[a], pts[i], &want) || !eval(out, total, arches[a], pts[i], &got) || want != got) {
                snprintf(err, errlen, "the compacted filter differs from the compiled one at syscall %u", pts[i]);
                return false;
            }
        }
    }
    *out_n = total;
    return true;
}
