/*
 * profilegen: turns a seccomp profile (profiles/base.json) into a C header of plain tables, at build time.
 *
 *   profilegen PROFILE.json SHA256-HEX > profile_base.h
 *
 * The launcher then carries the profile as static arrays and never parses JSON for it at run time
 * (parsing the profile cost more than the rest of the spec check). The profile is checked strictly
 * here: unknown keys, non-string names, a name listed twice and malformed groups fail the build.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *g_file;

static void die(const char *fmt, const char *detail)
{
    fprintf(stderr, "%s: ", g_file);
    fprintf(stderr, fmt, detail);
    fputc('\n', stderr);
    exit(1);
}

/* Names are syscall names: lower-case letters, digits and '_' only, so they need no escaping. */
static void check_name(const char *name)
{
    if (name == NULL || name[0] == '\0' || strlen(name) > 64) {
        die("a syscall name is not a non-empty string of at most 64 characters%s", "");
    }
    for (const char *p = name; *p != '\0'; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) {
            die("\"%s\" is not a syscall name", name);
        }
    }
}

static void only_keys(json_t *obj, const char *const *known, const char *where)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        (void)v;
        int ok = 0;
        for (const char *const *k = known; *k != NULL; k++) {
            ok |= strcmp(key, *k) == 0;
        }
        if (!ok) {
            fprintf(stderr, "%s: unknown key \"%s\" in %s\n", g_file, key, where);
            exit(1);
        }
    }
}

static void emit_list(json_t *root, const char *list, const char *c_name)
{
    json_t *arr = json_object_get(root, list);
    if (!json_is_array(arr)) {
        die("\"%s\" must be an array of syscall names", list);
    }
    printf("static const char *const %s[] = {", c_name);
    size_t i;
    json_t *item;
    json_array_foreach(arr, i, item) {
        check_name(json_string_value(item));
        printf("%s\"%s\"", i % 8 == 0 ? "\n    " : " ", json_string_value(item));
        printf(",");
    }
    printf("\n    NULL};\n");
}

int main(int argc, char **argv)
{
    if (argc != 3 || strlen(argv[2]) != 64) {
        fprintf(stderr, "usage: profilegen PROFILE.json SHA256-HEX\n");
        return 2;
    }
    g_file = argv[1];
    json_error_t e;
    json_t *root = json_load_file(argv[1], JSON_REJECT_DUPLICATES, &e);
    if (root == NULL) {
        fprintf(stderr, "%s:%d: %s\n", argv[1], e.line, e.text);
        return 1;
    }
    static const char *const top[] = {"description", "allow", "spawn", "enosys", "refuse", "kill", "groups", NULL};
    only_keys(root, top, "the profile");

    /* Every name in at most one of the five lists: one action per syscall. */
    static const char *const lists[] = {"allow", "spawn", "enosys", "refuse", "kill"};
    for (size_t a = 0; a < 5; a++) {
        for (size_t b = a; b < 5; b++) {
            size_t i, j;
            json_t *x, *y;
            json_array_foreach(json_object_get(root, lists[a]), i, x) {
                json_array_foreach(json_object_get(root, lists[b]), j, y) {
                    if ((a != b || i < j) && json_equal(x, y)) {
                        die("\"%s\" is listed twice", json_string_value(x));
                    }
                }
            }
        }
    }

    printf("/* Generated from Sandbox/profiles/base.json by tools/profilegen.c; do not edit. */\n");
    printf("#define PROFILE_BASE_SHA256 \"%s\"\n", argv[2]);
    emit_list(root, "allow", "profile_allow");
    emit_list(root, "spawn", "profile_spawn");
    emit_list(root, "enosys", "profile_enosys");
    emit_list(root, "refuse", "profile_refuse");
    emit_list(root, "kill", "profile_kill");

    json_t *groups = json_object_get(root, "groups");
    if (!json_is_object(groups)) {
        die("\"groups\" must be an object%s", "");
    }
    const char *name;
    json_t *group;
    size_t n = 0;
    json_object_foreach(groups, name, group) {
        check_name(name);
        if (!json_is_object(group) || !json_is_string(json_object_get(group, "description"))) {
            die("group \"%s\" must be an object with a description and an allow list", name);
        }
        static const char *const keys[] = {"description", "allow", NULL};
        only_keys(group, keys, name);
        /* A group turns refused calls into allowed ones; any other name would do nothing. */
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(group, "allow"), i, item) {
            size_t j;
            json_t *refused;
            int found = 0;
            json_array_foreach(json_object_get(root, "refuse"), j, refused) {
                found |= json_equal(item, refused);
            }
            if (!found) {
                die("a group allows \"%s\", which is not in the \"refuse\" list", json_string_value(item));
            }
        }
        char c_name[96];
        snprintf(c_name, sizeof c_name, "profile_group_%zu", n++);
        emit_list(group, "allow", c_name);
    }
    printf("static const struct profile_group profile_groups[] = {\n");
    n = 0;
    json_object_foreach(groups, name, group) {
        printf("    {\"%s\", profile_group_%zu},\n", name, n++);
    }
    printf("    {NULL, NULL}};\n");
    return ferror(stdout) ? 1 : 0;
}
