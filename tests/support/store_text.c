#include "store_text.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/store.h"

typedef struct lines {
    char **v;
    size_t n;
} lines;

static int add_line(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes, size_t size, void *user)
{
    (void)ctx;
    lines *l = user;
    char *line = malloc(strlen(id) + size + 40);
    assert_non_null(line);
    sprintf(line, "%s@%llu %.*s\n", id, (unsigned long long)revision, (int)size, bytes);
    char **v = realloc(l->v, (l->n + 1) * sizeof(*v));
    assert_non_null(v);
    l->v = v;
    l->v[l->n++] = line;
    return 0;
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void append(char **out, size_t *len, const char *s)
{
    size_t n = strlen(s);
    char *grown = realloc(*out, *len + n + 1);
    assert_non_null(grown);
    memcpy(grown + *len, s, n + 1);
    *out = grown;
    *len += n;
}

char *test_store_text(svcq_ctx *ctx, const char *const *kinds, size_t nkinds)
{
    char *out = NULL;
    size_t len = 0;
    append(&out, &len, "");
    for (size_t k = 0; k < nkinds; k++) {
        lines l = { NULL, 0 };
        assert_int_equal(svcq__store_scan(ctx, kinds[k], add_line, &l), SVCQ_OK);
        if (l.n) /* qsort's array may not be NULL, even for no elements */
            qsort(l.v, l.n, sizeof(*l.v), by_str);
        append(&out, &len, kinds[k]);
        append(&out, &len, ":\n");
        for (size_t i = 0; i < l.n; i++) {
            append(&out, &len, l.v[i]);
            free(l.v[i]);
        }
        free(l.v);
    }
    return out;
}
