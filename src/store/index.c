#include <string.h>

#include "store/index.h"

void svcq__index_init(svcq__index *ix, svcq_ctx *ctx)
{
    memset(ix, 0, sizeof(*ix));
    ix->ctx = ctx;
    svcq__map_init(&ix->kinds, ctx);
}

svcq__rec *svcq__rec_new(svcq_ctx *ctx, const char *id, size_t idlen)
{
    svcq__rec *r = svcq__malloc(ctx, sizeof(*r) + idlen + 1);
    if (!r)
        return NULL;
    memset(r, 0, sizeof(*r));
    r->idlen = (uint16_t)idlen;
    memcpy(r->id, id, idlen);
    r->id[idlen] = '\0';
    return r;
}

void svcq__rec_free(svcq_ctx *ctx, svcq__rec *rec)
{
    if (!rec)
        return;
    svcq__free(ctx, rec->value);
    svcq__free(ctx, rec);
}

void svcq__index_free(svcq__index *ix)
{
    if (ix->in_tx)
        svcq__index_rollback(ix);
    size_t it = 0;
    void *v;
    while (svcq__map_next(&ix->kinds, &it, NULL, NULL, &v)) {
        svcq__kind *k = v;
        size_t jt = 0;
        void *r;
        while (svcq__map_next(&k->recs, &jt, NULL, NULL, &r))
            svcq__rec_free(ix->ctx, r);
        svcq__map_free(&k->recs);
        svcq__free(ix->ctx, k);
    }
    svcq__map_free(&ix->kinds);
    svcq__free(ix->ctx, ix->undo);
    ix->undo = NULL;
    ix->undo_len = ix->undo_cap = 0;
    ix->count = 0;
}

svcq__kind *svcq__index_kind(const svcq__index *ix, const char *kind, size_t len)
{
    return svcq__map_get(&ix->kinds, kind, len);
}

svcq__rec *svcq__index_find(const svcq__index *ix, const char *kind, size_t kindlen, const char *id, size_t idlen)
{
    svcq__kind *k = svcq__index_kind(ix, kind, kindlen);
    return k ? svcq__map_get(&k->recs, id, idlen) : NULL;
}

int svcq__index_prepare(svcq__index *ix, const char *kind, size_t kindlen, svcq__kind **out)
{
    if (ix->undo_len == ix->undo_cap) {
        size_t cap = ix->undo_cap ? ix->undo_cap * 2 : 16;
        svcq__index_undo *u = svcq__reallocarray(ix->ctx, ix->undo, cap, sizeof(*u));
        if (!u)
            return SVCQ_ENOMEM;
        ix->undo = u;
        ix->undo_cap = cap;
    }
    svcq__kind *k = svcq__index_kind(ix, kind, kindlen);
    if (!k) {
        if (kindlen > SVCQ_STORE_MAX_KIND)
            return SVCQ_EINVAL;
        k = svcq__malloc(ix->ctx, sizeof(*k));
        if (!k)
            return SVCQ_ENOMEM;
        svcq__map_init(&k->recs, ix->ctx);
        k->len = (uint8_t)kindlen;
        memcpy(k->name, kind, kindlen);
        k->name[kindlen] = '\0';
        if (svcq__map_put(&ix->kinds, k->name, k->len, k, NULL) != SVCQ_OK) {
            svcq__free(ix->ctx, k);
            return SVCQ_ENOMEM;
        }
    }
    if (svcq__map_reserve(&k->recs, k->recs.count + 1) != SVCQ_OK)
        return SVCQ_ENOMEM;
    *out = k;
    return SVCQ_OK;
}

/* Puts rec (or nothing) under id in k. Never allocates: the map was
 * reserved, and restoring a key a rollback removes only brings the count
 * back to one the map already held (its capacity never shrinks). */
static void set(svcq__index *ix, svcq__kind *k, const char *id, size_t idlen, svcq__rec *rec)
{
    void *prev = NULL;
    if (rec) {
        int rc = svcq__map_put(&k->recs, rec->id, rec->idlen, rec, &prev);
        (void)rc; /* cannot fail: see above */
        if (!prev)
            ix->count++;
    } else if (svcq__map_remove(&k->recs, id, idlen)) {
        ix->count--;
    }
}

void svcq__index_replace(svcq__index *ix, svcq__kind *k, svcq__rec *old, svcq__rec *now)
{
    const svcq__rec *key = now ? now : old;
    if (!key)
        return;
    set(ix, k, key->id, key->idlen, now);
    if (ix->in_tx)
        ix->undo[ix->undo_len++] = (svcq__index_undo){ k, old, now };
    else
        svcq__rec_free(ix->ctx, old);
}

void svcq__index_begin(svcq__index *ix)
{
    ix->in_tx = true;
    ix->undo_len = 0;
}

void svcq__index_commit(svcq__index *ix)
{
    for (size_t i = 0; i < ix->undo_len; i++)
        svcq__rec_free(ix->ctx, ix->undo[i].old);
    ix->undo_len = 0;
    ix->in_tx = false;
}

void svcq__index_commit_prefix(svcq__index *ix, size_t n)
{
    if (n > ix->undo_len)
        n = ix->undo_len;
    for (size_t i = 0; i < n; i++)
        svcq__rec_free(ix->ctx, ix->undo[i].old);
    if (n && ix->undo_len > n)
        memmove(ix->undo, ix->undo + n, (ix->undo_len - n) * sizeof(*ix->undo));
    ix->undo_len -= n;
}

void svcq__index_rollback_to(svcq__index *ix, size_t mark)
{
    while (ix->undo_len > mark) {
        svcq__index_undo *u = &ix->undo[--ix->undo_len];
        const svcq__rec *key = u->now ? u->now : u->old;
        set(ix, u->kind, key->id, key->idlen, u->old);
        svcq__rec_free(ix->ctx, u->now);
    }
}

void svcq__index_rollback(svcq__index *ix)
{
    svcq__index_rollback_to(ix, 0);
    ix->in_tx = false;
}
