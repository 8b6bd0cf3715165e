/* The memory store: the context's default. Records live in an svcq__index
 * (kind -> id -> record owning a copy of the value); a transaction keeps
 * the records it replaced until commit and puts them back on rollback; a
 * rewrite that keeps its terms keeps its record, whose value it swaps (the
 * old value is kept the same way), and so does one that changes term values
 * only (names and types kept): the changed terms move in their trees.
 * Revisions come from a store-wide counter that never goes back, not even
 * on rollback, so one is never handed out twice (a handle that saw a
 * revision of a rolled-back transaction can never win a compare-and-swap).
 * It implements version 2 of the contract: the index keeps each kind in id
 * order and the terms records declare in (type, value, id) order. */
#include <string.h>

#include "store/index.h"
#include "store/store.h"

typedef struct memstore {
    svcq_ctx *ctx;
    svcq__index ix;
    uint64_t last_revision; /* highest revision handed out */
} memstore;

static int ms_begin(void *ud)
{
    memstore *ms = ud;
    if (ms->ix.in_tx)
        return svcq__store_fail(ms->ctx, SVCQ_ESTATE, "a transaction is already open");
    svcq__index_begin(&ms->ix);
    return SVCQ_OK;
}

static int ms_commit(void *ud)
{
    memstore *ms = ud;
    if (!ms->ix.in_tx)
        return svcq__store_fail(ms->ctx, SVCQ_ESTATE, "no transaction is open");
    svcq__index_commit(&ms->ix);
    return SVCQ_OK;
}

static int ms_rollback(void *ud)
{
    memstore *ms = ud;
    if (ms->ix.in_tx)
        svcq__index_rollback(&ms->ix);
    return SVCQ_OK;
}

static int ms_get(const char *kind, const char *id, svcq_store_visit_fn visit, void *vud, void *ud)
{
    memstore *ms = ud;
    svcq__rec *r = svcq__index_find(&ms->ix, kind, strlen(kind), id, strlen(id));
    if (!r)
        return SVCQ_ENOTFOUND;
    return visit(r->id, r->revision, r->value, r->size, vud);
}

/* A copy of the size bytes of a value in *out (NULL when size is 0):
 * false when it cannot be allocated. */
static bool copy_value(memstore *ms, const void *bytes, size_t size, unsigned char **out)
{
    *out = NULL;
    if (!size)
        return true;
    *out = svcq__malloc(ms->ctx, size);
    if (*out)
        memcpy(*out, bytes, size);
    return *out != NULL;
}

static int ms_put2(const char *kind, const char *id, uint64_t expected, const void *bytes, size_t size,
                   const svcq_store_term *terms, size_t n_terms, uint64_t *new_revision, void *ud)
{
    memstore *ms = ud;
    if (!ms->ix.in_tx)
        return svcq__store_fail(ms->ctx, SVCQ_ESTATE, "put outside a transaction");
    if (size > SVCQ_STORE_MAX_VALUE)
        return svcq__store_fail(ms->ctx, SVCQ_ELIMIT, "value of %zu bytes is too large", size);
    if (n_terms > SVCQ_STORE_MAX_TERMS)
        return svcq__store_fail(ms->ctx, SVCQ_ELIMIT, "%zu index terms, more than %d", n_terms,
                                SVCQ_STORE_MAX_TERMS);
    size_t kindlen = strlen(kind), idlen = strlen(id);
    if (kindlen > SVCQ_STORE_MAX_KIND) /* the library checks names; a direct caller may not */
        return svcq__store_fail(ms->ctx, SVCQ_EINVAL, "kind name of %zu bytes, more than %d", kindlen,
                                SVCQ_STORE_MAX_KIND);
    svcq__put_prep p;
    svcq__put_locate(&ms->ix, &p, kind, kindlen, id, idlen);
    if ((p.at.rec ? p.at.rec->revision : 0) != expected)
        return SVCQ_ECONFLICT;
    svcq__term_in in[SVCQ_STORE_MAX_TERMS];
    svcq__terms_in(terms, n_terms, in);
    int rc = svcq__put_prepare(&ms->ix, &p, kind, kindlen, in, n_terms);
    if (rc)
        return rc;
    svcq__rec_contents c = { .size = (uint32_t)size };
    if (!copy_value(ms, bytes, size, &c.value)) {
        svcq__put_drop(&ms->ix, &p);
        return SVCQ_ENOMEM;
    }
    c.revision = *new_revision = ++ms->last_revision;
    svcq__put_place(&ms->ix, &p, &c);
    return SVCQ_OK;
}

static int ms_put(const char *kind, const char *id, uint64_t expected, const void *bytes, size_t size,
                  uint64_t *new_revision, void *ud)
{
    return ms_put2(kind, id, expected, bytes, size, NULL, 0, new_revision, ud);
}

static int ms_remove(const char *kind, const char *id, uint64_t expected, void *ud)
{
    memstore *ms = ud;
    if (!ms->ix.in_tx)
        return svcq__store_fail(ms->ctx, SVCQ_ESTATE, "remove outside a transaction");
    size_t kindlen = strlen(kind);
    svcq__rec *old = svcq__index_find(&ms->ix, kind, kindlen, id, strlen(id));
    if (!old)
        return SVCQ_ENOTFOUND;
    if (old->revision != expected)
        return SVCQ_ECONFLICT;
    svcq__kind *k;
    if (svcq__index_prepare(&ms->ix, kind, kindlen, &k) != SVCQ_OK)
        return SVCQ_ENOMEM;
    svcq__index_replace(&ms->ix, k, old, NULL);
    return SVCQ_OK;
}

static int ms_scan(const char *kind, svcq_store_visit_fn visit, void *vud, void *ud)
{
    memstore *ms = ud;
    svcq__kind *k = svcq__index_kind(&ms->ix, kind, strlen(kind));
    if (!k)
        return SVCQ_OK;
    size_t it = 0;
    void *v;
    while (svcq__map_next(&k->recs, &it, NULL, NULL, &v)) {
        svcq__rec *r = v;
        int rc = visit(r->id, r->revision, r->value, r->size, vud);
        if (rc)
            return rc;
    }
    return SVCQ_OK;
}

static int ms_scan_range(const char *kind, const char *after, uint32_t limit, svcq_store_visit_fn visit, void *vud,
                         void *ud)
{
    memstore *ms = ud;
    svcq__kind *k = svcq__index_kind(&ms->ix, kind, strlen(kind));
    if (!k)
        return SVCQ_OK;
    uint32_t n = 0;
    for (svcq__rec *r = svcq__index_next_id(k, after, after ? strlen(after) : 0); r && (!limit || n < limit);
         r = svcq__index_next_id(k, r->id, r->idlen), n++) {
        int rc = visit(r->id, r->revision, r->value, r->size, vud);
        if (rc)
            return rc;
    }
    return SVCQ_OK;
}

static int ms_scan_term(const char *kind, const char *name, int32_t type, const svcq_store_term *lo,
                        const svcq_store_term *hi, const svcq_store_term *after, const char *after_id, uint32_t limit,
                        svcq_store_term_visit_fn visit, void *vud, void *ud)
{
    memstore *ms = ud;
    svcq__kind *k = svcq__index_kind(&ms->ix, kind, strlen(kind));
    const svcq__term_tree *tree = k ? svcq__index_tree(k, name, strlen(name)) : NULL;
    if (!tree)
        return SVCQ_OK;
    uint32_t n = 0;
    for (const svcq__term *t = svcq__index_next_term(tree, type, lo, after, after_id);
         t && (!hi || svcq__term_cmp_value(t, hi) <= 0) && (!limit || n < limit);
         n++) {
        const svcq__rec *r = t->rec;
        svcq_store_term cur;
        svcq__term_out(t, &cur);
        int rc = visit(r->id, r->revision, r->value, r->size, &cur, vud);
        if (rc)
            return rc;
        t = svcq__index_next_term(tree, type, NULL, &cur, r->id);
    }
    return SVCQ_OK;
}

static void ms_destroy(void *ud)
{
    memstore *ms = ud;
    svcq__index_free(&ms->ix);
    svcq__free(ms->ctx, ms);
}

int svcq__memstore_new(svcq_ctx *ctx, svcq_store_methods *out)
{
    memstore *ms = svcq__malloc(ctx, sizeof(*ms));
    if (!ms)
        return svcq__enomem(ctx);
    memset(ms, 0, sizeof(*ms));
    ms->ctx = ctx;
    svcq__index_init(&ms->ix, ctx);
    int rc = svcq_store_methods_init(out, SVCQ_STORE_METHODS_VERSION);
    (void)rc; /* the current version is always known */
    out->user_data = ms;
    out->begin = ms_begin;
    out->commit = ms_commit;
    out->rollback = ms_rollback;
    out->get = ms_get;
    out->put = ms_put;
    out->remove = ms_remove;
    out->scan = ms_scan;
    out->destroy = ms_destroy;
    out->put2 = ms_put2;
    out->scan_range = ms_scan_range;
    out->scan_term = ms_scan_term;
    return SVCQ_OK;
}
