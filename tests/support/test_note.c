#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/str.h"
#include "store/record.h"
#include "test_note.h"

/* The record of n with text and count (not yet n's). */
static int encode(const note *n, const char *text, int64_t count, svcq__buf *out)
{
    svcq__jw w;
    svcq__jw_init_buf(&w, n->ctx, out);
    int rc = svcq__record_begin(&w, NOTE_KIND, NOTE_MAJOR);
    if (!rc)
        rc = svcq__jw_key(&w, "id");
    if (!rc)
        rc = svcq__jw_string(&w, n->id);
    if (!rc)
        rc = svcq__jw_key(&w, "text");
    if (!rc)
        rc = svcq__jw_string(&w, text);
    if (!rc)
        rc = svcq__jw_key(&w, "count");
    if (!rc)
        rc = svcq__jw_int(&w, count);
    int end = svcq__record_end(&w);
    return rc ? rc : end;
}

static void free_handle(note *n)
{
    if (!n)
        return;
    svcq_ctx *ctx = n->ctx;
    svcq__undo_detach(ctx, n); /* a rollback after the free leaves n alone */
    svcq__free(ctx, n->id);
    svcq__free(ctx, n->text);
    svcq__free(ctx, n);
}

static int make(note **out, svcq_ctx *ctx, const char *id, const char *text)
{
    note *n = svcq__calloc(ctx, 1, sizeof(*n));
    if (!n)
        return svcq__enomem(ctx);
    n->ctx = ctx;
    int rc = svcq__strdup(ctx, "note id", id, &n->id);
    if (!rc)
        rc = svcq__store_check_id(ctx, id);
    if (!rc)
        rc = svcq__strdup(ctx, "note text", text, &n->text);
    if (rc) {
        free_handle(n);
        return rc;
    }
    *out = n;
    return SVCQ_OK;
}

int note_new(note **out, svcq_ctx *ctx, const char *id, const char *text)
{
    *out = NULL;
    note *n = NULL;
    int rc = make(&n, ctx, id, text);
    if (rc)
        return rc;
    svcq__buf json;
    svcq__buf_init(&json, ctx);
    rc = encode(n, text, 0, &json);
    svcq__tx tx;
    if (!rc)
        rc = svcq__tx_begin(ctx, &tx);
    else
        tx.began = false;
    if (!rc)
        rc = svcq__record_put(ctx, n, NOTE_KIND, n->id, &n->revision, &json);
    rc = svcq__tx_end(ctx, &tx, rc); /* undoes n->revision before n goes */
    svcq__buf_free(&json);
    if (rc) {
        free_handle(n);
        return rc;
    }
    *out = n;
    return SVCQ_OK;
}

static void restore_text(svcq_ctx *ctx, void *data, uint64_t arg)
{
    note *n = data;
    svcq__free(ctx, n->text);
    n->text = (char *)(uintptr_t)arg;
}

static void free_old_text(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)data;
    svcq__free(ctx, (char *)(uintptr_t)arg);
}

static void restore_count(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    ((note *)data)->count = (int64_t)arg;
}

int note_set(note *n, const char *text, int64_t count)
{
    svcq_ctx *ctx = n->ctx;
    char *copy;
    int rc = svcq__strdup(ctx, "note text", text, &copy);
    if (rc)
        return rc;
    svcq__buf json;
    svcq__buf_init(&json, ctx);
    rc = encode(n, copy, count, &json);
    svcq__tx tx;
    tx.began = false;
    if (!rc)
        rc = svcq__tx_begin(ctx, &tx);
    if (!rc)
        rc = svcq__undo_reserve(ctx, 2);
    if (!rc)
        rc = svcq__record_put(ctx, n, NOTE_KIND, n->id, &n->revision, &json);
    if (!rc) {
        /* Reserved: these cannot fail. */
        (void)svcq__undo_push_for(ctx, n, restore_text, free_old_text, n, (uint64_t)(uintptr_t)n->text);
        n->text = copy;
        copy = NULL;
        (void)svcq__undo_push_for(ctx, n, restore_count, NULL, n, (uint64_t)n->count);
        n->count = count;
    }
    svcq__free(ctx, copy);
    svcq__buf_free(&json);
    return svcq__tx_end(ctx, &tx, rc);
}

int note_delete(note *n)
{
    svcq__tx tx;
    int rc = svcq__tx_begin(n->ctx, &tx);
    if (!rc)
        rc = svcq__record_remove(n->ctx, n, NOTE_KIND, n->id, &n->revision);
    return svcq__tx_end(n->ctx, &tx, rc);
}

/* Fills n from a parsed record (format 1 or 2). */
static int decode(svcq_ctx *ctx, const char *id, const svcq__json *root, uint32_t major, note **out)
{
    const char *rid, *text;
    int64_t count = 0;
    int rc = svcq__json_get_string(ctx, root, "id", true, &rid, NULL);
    if (!rc && strcmp(rid, id) != 0)
        rc = svcq__error(ctx, SVCQ_ECORRUPT, "note %s: the record says it is %s", id, rid);
    if (!rc)
        rc = svcq__json_get_string(ctx, root, major == 1 ? "body" : "text", true, &text, NULL);
    if (!rc && major >= 2)
        rc = svcq__json_get_int(ctx, root, "count", true, &count);
    note *n = NULL;
    if (!rc)
        rc = make(&n, ctx, id, text);
    if (rc)
        return rc;
    n->count = count;
    *out = n;
    return SVCQ_OK;
}

int note_load(note **out, svcq_ctx *ctx, const char *id)
{
    *out = NULL;
    svcq__json_doc *doc = NULL;
    uint32_t major;
    uint64_t rev;
    int rc = svcq__record_load(ctx, NOTE_KIND, id, NOTE_MAJOR, &doc, &major, &rev);
    if (rc)
        return rc;
    note *n = NULL;
    rc = decode(ctx, id, svcq__json_root(doc), major, &n);
    svcq__json_doc_free(doc);
    if (rc)
        return rc;
    n->revision = rev;
    *out = n;
    return SVCQ_OK;
}

void note_free(note *n)
{
    free_handle(n);
}

char *note_describe(const note *n)
{
    size_t len = strlen(n->id) + strlen(n->text) + 64;
    char *s = malloc(len);
    if (n->revision)
        snprintf(s, len, "%s=%s#%lld@%llu", n->id, n->text, (long long)n->count, (unsigned long long)n->revision);
    else
        snprintf(s, len, "%s=unstored", n->id);
    return s;
}

typedef struct lines {
    char *v[256];
    size_t n;
} lines;

static int collect(svcq_ctx *ctx, const char *id, uint64_t revision, const svcq__json *root, uint32_t major,
                   void *ud)
{
    lines *l = ud;
    note *n = NULL;
    int rc = decode(ctx, id, root, major, &n);
    if (rc)
        return rc;
    n->revision = revision;
    if (l->n < 256)
        l->v[l->n++] = note_describe(n);
    note_free(n);
    return SVCQ_OK;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *note_dump_store(svcq_ctx *ctx, int *rc)
{
    lines l = { { 0 }, 0 };
    *rc = svcq__record_scan(ctx, NOTE_KIND, NOTE_MAJOR, collect, &l);
    size_t total = 1;
    for (size_t i = 0; i < l.n; i++)
        total += strlen(l.v[i]) + 1;
    char *out = malloc(total);
    out[0] = '\0';
    qsort(l.v, l.n, sizeof(l.v[0]), cmp);
    for (size_t i = 0; i < l.n; i++) {
        strcat(out, l.v[i]);
        strcat(out, ";");
        free(l.v[i]);
    }
    if (*rc) {
        free(out);
        return NULL;
    }
    return out;
}
