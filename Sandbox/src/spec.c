/*
 * The spec: strict JSON (jansson), every key known, every value checked. Pure: no system calls
 * besides allocation, so it can be reasoned about apart from the code that touches the OS.
 * The format is defined in docs/launch-spec.md; keep the two in step.
 */
#include "launcher.h"

#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

const char *const ns_names[NS_COUNT] = {"user", "mount", "pid", "net", "ipc", "uts", "cgroup"};
const char *const network_names[3] = {"none", "loopback", "outbound"};
const char *const rlimit_names[RL_COUNT] = {"as", "cpu", "nproc", "nofile", "fsize", "stack"};
const int rlimit_resources[RL_COUNT] = {RLIMIT_AS, RLIMIT_CPU, RLIMIT_NPROC, RLIMIT_NOFILE, RLIMIT_FSIZE, RLIMIT_STACK};

#define MAX_PATHS 256
#define MAX_ENV 256
#define MAX_STRING 4096

struct ctx {
    char *err;
    size_t errlen;
};

static bool bad(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool bad(struct ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
    return false;
}

/* Edit distance, for "did you mean" hints on unknown keys. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 32 || lb > 32) {
        return SIZE_MAX;
    }
    size_t row[33];
    for (size_t j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = prev + cost;
            if (row[j] + 1 < best) {
                best = row[j] + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            row[j] = best;
            prev = cur;
        }
    }
    return row[lb];
}

/* Every key of obj must be in known (NULL-terminated). */
static bool only_known_keys(struct ctx *c, json_t *obj, const char *where, const char *const *known)
{
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) {
        (void)value;
        bool found = false;
        const char *closest = NULL;
        size_t best = 3;
        for (const char *const *k = known; *k != NULL; k++) {
            if (strcmp(key, *k) == 0) {
                found = true;
                break;
            }
            size_t d = distance(key, *k);
            if (d < best) {
                best = d;
                closest = *k;
            }
        }
        if (!found) {
            if (closest != NULL) {
                return bad(c, "%s: unknown key \"%s\"; did you mean \"%s\"?", where, key, closest);
            }
            return bad(c, "%s: unknown key \"%s\"", where, key);
        }
    }
    return true;
}

static const char *type_name(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}

/* A string without NUL bytes and of bounded length. */
static bool get_string(struct ctx *c, json_t *v, const char *where, const char **out)
{
    if (!json_is_string(v)) {
        return bad(c, "%s: expected a string, found %s", where, type_name(v));
    }
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v)) {
        return bad(c, "%s: the string contains a NUL byte", where);
    }
    if (json_string_length(v) > MAX_STRING) {
        return bad(c, "%s: the string is longer than %d bytes", where, MAX_STRING);
    }
    *out = s;
    return true;
}

bool path_is_clean_absolute(const char *p)
{
    if (p[0] != '/' || strlen(p) >= PATH_MAX) {
        return false;
    }
    if (strcmp(p, "/") == 0) {
        return true;
    }
    /* Components must be non-empty, and neither "." nor "..". */
    const char *s = p + 1;
    for (;;) {
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t)(slash - s) : strlen(s);
        if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.')) {
            return false;
        }
        if (slash == NULL) {
            return true;
        }
        s = slash + 1;
    }
}

static bool is_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool get_paths(struct ctx *c, json_t *v, const char *where, struct strlist *out, bool writable)
{
    if (!json_is_array(v)) {
        return bad(c, "%s: expected an array of absolute paths, found %s", where, type_name(v));
    }
    size_t n = json_array_size(v);
    if (n > MAX_PATHS) {
        return bad(c, "%s: more than %d paths", where, MAX_PATHS);
    }
    out->items = calloc(n + 1, sizeof(char *));
    if (out->items == NULL) {
        return bad(c, "%s: out of memory", where);
    }
    out->count = n;
    for (size_t i = 0; i < n; i++) {
        char here[128];
        snprintf(here, sizeof here, "%s[%zu]", where, i);
        const char *p;
        if (!get_string(c, json_array_get(v, i), here, &p)) {
            return false;
        }
        if (!path_is_clean_absolute(p)) {
            return bad(c, "%s: \"%s\" is not a clean absolute path (it must start with \"/\" and have no "
                          "empty, \".\" or \"..\" components, and no trailing \"/\")",
                here, p);
        }
        if (is_under(p, "/proc") || is_under(p, "/dev")) {
            return bad(c, "%s: \"%s\" is under /proc or /dev, which the launcher provides itself", here, p);
        }
        if (writable && strcmp(p, "/") == 0) {
            return bad(c, "%s: the root directory cannot be writable", here);
        }
        out->items[i] = p;
    }
    return true;
}

static bool no_duplicates(struct ctx *c, const struct spec *s)
{
    const struct strlist *lists[3] = {&s->read, &s->read_if_present, &s->write};
    static const char *const names[3] = {"read", "read_if_present", "write"};
    for (int a = 0; a < 3; a++) {
        for (size_t i = 0; i < lists[a]->count; i++) {
            for (int b = a; b < 3; b++) {
                for (size_t j = (a == b ? i + 1 : 0); j < lists[b]->count; j++) {
                    if (strcmp(lists[a]->items[i], lists[b]->items[j]) == 0) {
                        return bad(c, "filesystem: \"%s\" is listed twice (in %s and in %s)", lists[a]->items[i],
                            names[a], names[b]);
                    }
                }
            }
        }
    }
    return true;
}

static bool parse_namespaces(struct ctx *c, json_t *v, struct spec *s)
{
    if (!json_is_array(v)) {
        return bad(c, "namespaces: expected an array of names, found %s", type_name(v));
    }
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) {
        char here[64];
        snprintf(here, sizeof here, "namespaces[%zu]", i);
        const char *name;
        if (!get_string(c, item, here, &name)) {
            return false;
        }
        int found = -1;
        for (int k = 0; k < NS_COUNT; k++) {
            if (strcmp(name, ns_names[k]) == 0) {
                found = k;
            }
        }
        if (found < 0) {
            return bad(c, "%s: unknown namespace \"%s\" (known: user, mount, pid, net, ipc, uts, cgroup)", here, name);
        }
        if (s->namespaces & (1u << found)) {
            return bad(c, "%s: namespace \"%s\" is listed twice", here, name);
        }
        s->namespaces |= 1u << found;
    }
    /* The launcher never keeps privileges, so every other namespace is created inside a user one. */
    if (s->namespaces != 0 && !(s->namespaces & NS_USER)) {
        return bad(c, "namespaces: every namespace needs \"user\" as well (the launcher creates them without "
                      "privileges)");
    }
    return true;
}

static bool parse_filesystem(struct ctx *c, json_t *v, struct spec *s)
{
    static const char *const known[] = {"read", "read_if_present", "write", NULL};
    if (!json_is_object(v)) {
        return bad(c, "filesystem: expected an object, found %s", type_name(v));
    }
    if (!only_known_keys(c, v, "filesystem", known)) {
        return false;
    }
    json_t *r = json_object_get(v, "read");
    json_t *rp = json_object_get(v, "read_if_present");
    json_t *w = json_object_get(v, "write");
    if (r != NULL && !get_paths(c, r, "filesystem.read", &s->read, false)) {
        return false;
    }
    if (rp != NULL && !get_paths(c, rp, "filesystem.read_if_present", &s->read_if_present, false)) {
        return false;
    }
    if (w != NULL && !get_paths(c, w, "filesystem.write", &s->write, true)) {
        return false;
    }
    return no_duplicates(c, s);
}

static bool parse_env(struct ctx *c, json_t *v, struct spec *s)
{
    if (!json_is_object(v)) {
        return bad(c, "env: expected an object of names to string values, found %s", type_name(v));
    }
    size_t n = json_object_size(v);
    if (n > MAX_ENV) {
        return bad(c, "env: more than %d variables", MAX_ENV);
    }
    s->envp = calloc(n + 1, sizeof(char *));
    if (s->envp == NULL) {
        return bad(c, "env: out of memory");
    }
    size_t i = 0;
    const char *key;
    json_t *value;
    json_object_foreach(v, key, value) {
        char here[96];
        snprintf(here, sizeof here, "env.%.64s", key);
        if (key[0] == '\0' || strchr(key, '=') != NULL || strlen(key) > 256) {
            return bad(c, "env: \"%s\" is not a valid variable name (non-empty, no \"=\", at most 256 bytes)", key);
        }
        const char *val;
        if (!get_string(c, value, here, &val)) {
            return false;
        }
        size_t len = strlen(key) + 1 + strlen(val) + 1;
        char *entry = malloc(len);
        if (entry == NULL) {
            return bad(c, "env: out of memory");
        }
        snprintf(entry, len, "%s=%s", key, val);
        s->envp[i++] = entry;
    }
    return true;
}

static bool parse_rlimits(struct ctx *c, json_t *v, struct spec *s)
{
    if (!json_is_object(v)) {
        return bad(c, "rlimits: expected an object, found %s", type_name(v));
    }
    if (json_object_get(v, "core") != NULL) {
        return bad(c, "rlimits: \"core\" cannot be set; core dumps are always off");
    }
    static const char *const known[] = {"as", "cpu", "nproc", "nofile", "fsize", "stack", NULL};
    if (!only_known_keys(c, v, "rlimits", known)) {
        return false;
    }
    const char *key;
    json_t *value;
    json_object_foreach(v, key, value) {
        int k = 0;
        for (int i = 0; i < RL_COUNT; i++) {
            if (strcmp(key, rlimit_names[i]) == 0) {
                k = i;
            }
        }
        if (!json_is_integer(value) || json_integer_value(value) < 0) {
            return bad(c, "rlimits.%s: expected a non-negative integer, found %s", key, type_name(value));
        }
        s->rlimit_set[k] = true;
        s->rlimit[k] = (rlim_t)json_integer_value(value);
    }
    return true;
}

static bool parse_syscalls(struct ctx *c, json_t *v, struct spec *s)
{
    if (!json_is_array(v)) {
        return bad(c, "syscalls: expected an array of group names, found %s", type_name(v));
    }
    size_t n = json_array_size(v);
    s->syscalls.items = calloc(n + 1, sizeof(char *));
    if (s->syscalls.items == NULL) {
        return bad(c, "syscalls: out of memory");
    }
    s->syscalls.count = n;
    for (size_t i = 0; i < n; i++) {
        char here[64];
        snprintf(here, sizeof here, "syscalls[%zu]", i);
        if (!get_string(c, json_array_get(v, i), here, &s->syscalls.items[i])) {
            return false;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(s->syscalls.items[i], s->syscalls.items[j]) == 0) {
                return bad(c, "%s: group \"%s\" is listed twice", here, s->syscalls.items[i]);
            }
        }
    }
    return profile_groups_valid(&s->syscalls, c->err, c->errlen);
}

static bool parse_keep_fds(struct ctx *c, json_t *v, struct spec *s)
{
    if (!json_is_array(v)) {
        return bad(c, "keep_fds: expected an array of descriptor numbers, found %s", type_name(v));
    }
    size_t n = json_array_size(v);
    if (n > sizeof s->keep_fds / sizeof s->keep_fds[0]) {
        return bad(c, "keep_fds: more than 64 descriptors");
    }
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get(v, i);
        if (!json_is_integer(item) || json_integer_value(item) < 3 || json_integer_value(item) > 1023) {
            return bad(c, "keep_fds[%zu]: expected an integer from 3 to 1023", i);
        }
        int fd = (int)json_integer_value(item);
        for (size_t j = 0; j < i; j++) {
            if (s->keep_fds[j] == fd) {
                return bad(c, "keep_fds[%zu]: descriptor %d is listed twice", i, fd);
            }
        }
        s->keep_fds[i] = fd;
    }
    s->keep_fd_count = n;
    return true;
}

bool spec_parse(const char *text, size_t len, struct spec *s, char *err, size_t errlen)
{
    struct ctx c = {err, errlen};
    memset(s, 0, sizeof *s);
    s->cwd = "/";
    s->landlock_min_abi = 1;

    /* jansson seeds its hash function from /dev/urandom on first use; the kernel's AT_RANDOM bytes
     * are as good and cost no open/read/close. */
    size_t seed = 0;
    const void *random_bytes = (const void *)getauxval(AT_RANDOM);
    if (random_bytes != NULL) {
        memcpy(&seed, random_bytes, sizeof seed);
    }
    json_object_seed(seed); /* 0: jansson falls back to its own source */

    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        return bad(&c, "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
    }
    /* The parsed tree is kept for the life of the process: the spec points into it. */
    if (!json_is_object(root)) {
        return bad(&c, "the spec must be a JSON object, found %s", type_name(root));
    }
    static const char *const known[] = {"version", "namespaces", "filesystem", "network", "spawn", "env", "rlimits",
        "syscalls", "cwd", "keep_fds", "landlock_min_abi", NULL};
    if (!only_known_keys(&c, root, "spec", known)) {
        return false;
    }
    static const char *const required[] = {"version", "namespaces", "filesystem", "network", "spawn", "env", "rlimits"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (json_object_get(root, required[i]) == NULL) {
            return bad(&c, "spec: the key \"%s\" is required", required[i]);
        }
    }

    json_t *version = json_object_get(root, "version");
    if (!json_is_integer(version) || json_integer_value(version) != 1) {
        return bad(&c, "version: expected the integer 1 (the only version this launcher knows)");
    }
    if (!parse_namespaces(&c, json_object_get(root, "namespaces"), s)) {
        return false;
    }
    if (!parse_filesystem(&c, json_object_get(root, "filesystem"), s)) {
        return false;
    }

    const char *net;
    if (!get_string(&c, json_object_get(root, "network"), "network", &net)) {
        return false;
    }
    if (strcmp(net, "none") == 0) {
        s->network = NET_NONE;
    } else if (strcmp(net, "loopback") == 0) {
        s->network = NET_LOOPBACK;
    } else if (strcmp(net, "outbound") == 0) {
        s->network = NET_OUTBOUND;
    } else {
        return bad(&c, "network: \"%s\" is not one of \"none\", \"loopback\", \"outbound\"", net);
    }
    if (s->network == NET_LOOPBACK && !(s->namespaces & NS_NET)) {
        return bad(&c, "network: \"loopback\" needs the \"net\" namespace (it is what keeps the plugin off "
                       "the host's interfaces)");
    }
    if (s->network == NET_OUTBOUND && (s->namespaces & NS_NET)) {
        return bad(&c, "network: \"outbound\" cannot be combined with the \"net\" namespace, which has no route out");
    }

    json_t *spawn = json_object_get(root, "spawn");
    if (!json_is_boolean(spawn)) {
        return bad(&c, "spawn: expected a boolean, found %s", type_name(spawn));
    }
    s->spawn = json_is_true(spawn);

    if (!parse_env(&c, json_object_get(root, "env"), s)) {
        return false;
    }
    if (!parse_rlimits(&c, json_object_get(root, "rlimits"), s)) {
        return false;
    }
    json_t *v;
    if ((v = json_object_get(root, "syscalls")) != NULL && !parse_syscalls(&c, v, s)) {
        return false;
    }
    if (s->syscalls.items == NULL) {
        static const char *none[1] = {NULL};
        s->syscalls.items = none;
    }
    if ((v = json_object_get(root, "cwd")) != NULL) {
        if (!get_string(&c, v, "cwd", &s->cwd)) {
            return false;
        }
        if (!path_is_clean_absolute(s->cwd)) {
            return bad(&c, "cwd: \"%s\" is not a clean absolute path", s->cwd);
        }
    }
    if ((v = json_object_get(root, "keep_fds")) != NULL && !parse_keep_fds(&c, v, s)) {
        return false;
    }
    if ((v = json_object_get(root, "landlock_min_abi")) != NULL) {
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 64) {
            return bad(&c, "landlock_min_abi: expected an integer from 0 to 64");
        }
        s->landlock_min_abi = (int)json_integer_value(v);
    }
    return true;
}
