#include <string.h>

#include "store/index.h"

void sq_index_init(sq_index *ix, svcq_ctx *ctx)
{
    memset(ix, 0, sizeof(*ix));
    ix->ctx = ctx;
    sq_map_init(&ix->kinds, ctx);
}

sq_rec *sq_rec_new(svcq_ctx *ctx, const char *id, size_t idlen)
{
    sq_rec *r = sq_malloc(ctx, sizeof(*r) + idlen + 1);
    if (!r)
        return NULL;
    memset(r, 0, sizeof(*r));
    r->idlen = (uint16_t)idlen;
    memcpy(r->id, id, idlen);
    r->id[idlen] = '\0';
    return r;
}

void sq_rec_free(svcq_ctx *ctx, sq_rec *rec)
{
    if (!rec)
        return;
    sq_free(ctx, rec->value);
    sq_free(ctx, rec);
}

void sq_index_free(sq_index *ix)
{
    if (ix->in_tx)
        sq_index_rollback(ix);
    size_t it = 0;
    void *v;
    while (sq_map_next(&ix->kinds, &it, NULL, NULL, &v)) {
        sq_kind *k = v;
        size_t jt = 0;
        void *r;
        while (sq_map_next(&k->recs, &jt, NULL, NULL, &r))
            sq_rec_free(ix->ctx, r);
        sq_map_free(&k->recs);
        sq_free(ix->ctx, k);
    }
    sq_map_free(&ix->kinds);
    sq_free(ix->ctx, ix->undo);
    ix->undo = NULL;
    ix->undo_len = ix->undo_cap = 0;
    ix->count = 0;
}

sq_kind *sq_index_kind(const sq_index *ix, const char *kind, size_t len)
{
    return sq_map_get(&ix->kinds, kind, len);
}

sq_rec *sq_index_find(const sq_index *ix, const char *kind, size_t kindlen, const char *id, size_t idlen)
{
    sq_kind *k = sq_index_kind(ix, kind, kindlen);
    return k ? sq_map_get(&k->recs, id, idlen) : NULL;
}

int sq_index_prepare(sq_index *ix, const char *kind, size_t kindlen, sq_kind **out)
{
    if (ix->undo_len == ix->undo_cap) {
        size_t cap = ix->undo_cap ? ix->undo_cap * 2 : 16;
        sq_index_undo *u = sq_reallocarray(ix->ctx, ix->undo, cap, sizeof(*u));
        if (!u)
            return SVCQ_ENOMEM;
        ix->undo = u;
        ix->undo_cap = cap;
    }
    sq_kind *k = sq_index_kind(ix, kind, kindlen);
    if (!k) {
        if (kindlen > SVCQ_STORE_MAX_KIND)
            return SVCQ_EINVAL;
        k = sq_malloc(ix->ctx, sizeof(*k));
        if (!k)
            return SVCQ_ENOMEM;
        sq_map_init(&k->recs, ix->ctx);
        k->len = (uint8_t)kindlen;
        memcpy(k->name, kind, kindlen);
        k->name[kindlen] = '\0';
        if (sq_map_put(&ix->kinds, k->name, k->len, k, NULL) != SVCQ_OK) {
            sq_free(ix->ctx, k);
            return SVCQ_ENOMEM;
        }
    }
    if (sq_map_reserve(&k->recs, k->recs.count + 1) != SVCQ_OK)
        return SVCQ_ENOMEM;
    *out = k;
    return SVCQ_OK;
}

/* Puts rec (or nothing) under id in k. Never allocates: the map was
 * reserved, and restoring a key a rollback removes only brings the count
 * back to one the map already held (its capacity never shrinks). */
static void set(sq_index *ix, sq_kind *k, const char *id, size_t idlen, sq_rec *rec)
{
    void *prev = NULL;
    if (rec) {
        int rc = sq_map_put(&k->recs, rec->id, rec->idlen, rec, &prev);
        (void)rc; /* cannot fail: see above */
        if (!prev)
            ix->count++;
    } else if (sq_map_remove(&k->recs, id, idlen)) {
        ix->count--;
    }
}

void sq_index_replace(sq_index *ix, sq_kind *k, sq_rec *old, sq_rec *now)
{
    const sq_rec *key = now ? now : old;
    if (!key)
        return;
    set(ix, k, key->id, key->idlen, now);
    if (ix->in_tx)
        ix->undo[ix->undo_len++] = (sq_index_undo){ k, old, now };
    else
        sq_rec_free(ix->ctx, old);
}

void sq_index_begin(sq_index *ix)
{
    ix->in_tx = true;
    ix->undo_len = 0;
}

void sq_index_commit(sq_index *ix)
{
    for (size_t i = 0; i < ix->undo_len; i++)
        sq_rec_free(ix->ctx, ix->undo[i].old);
    ix->undo_len = 0;
    ix->in_tx = false;
}

void sq_index_rollback(sq_index *ix)
{
    for (size_t i = ix->undo_len; i-- > 0;) {
        sq_index_undo *u = &ix->undo[i];
        const sq_rec *key = u->now ? u->now : u->old;
        set(ix, u->kind, key->id, key->idlen, u->old);
        sq_rec_free(ix->ctx, u->now);
    }
    ix->undo_len = 0;
    ix->in_tx = false;
}
