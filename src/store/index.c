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
    return svcq__rec_new_terms(ctx, id, idlen, NULL, 0);
}

/* ---- treaps ------------------------------------------------------------------ */

/* A node's priority: the next number of the kind's sequence, mixed. Not a
 * hash of the node's address: a record moved by t_swap keeps its priority
 * while its old address is reused by the next record, so address hashes
 * repeat among the live nodes and equal priorities chain the treap. */
static uint32_t next_prio(svcq__kind *k)
{
    uint64_t x = ++k->prio_seq;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9u;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebu;
    x ^= x >> 31;
    return (uint32_t)x;
}

typedef int (*tcmp_fn)(const svcq__tnode *a, const svcq__tnode *b);

/* Splits t into the nodes below key (*l) and the others (*r). */
static void t_split(svcq__tnode *t, const svcq__tnode *key, tcmp_fn cmp, svcq__tnode **l, svcq__tnode **r)
{
    while (t) {
        if (cmp(t, key) < 0) {
            *l = t;
            l = &t->r;
            t = t->r;
        } else {
            *r = t;
            r = &t->l;
            t = t->l;
        }
    }
    *l = *r = NULL;
}

static void t_insert(svcq__tnode **t, svcq__tnode *n, tcmp_fn cmp, uint32_t prio)
{
    n->prio = prio;
    while (*t && (*t)->prio >= n->prio)
        t = cmp(n, *t) < 0 ? &(*t)->l : &(*t)->r;
    t_split(*t, n, cmp, &n->l, &n->r);
    *t = n;
}

static svcq__tnode *t_merge(svcq__tnode *a, svcq__tnode *b)
{
    svcq__tnode *root = NULL, **at = &root;
    while (a && b) {
        if (a->prio >= b->prio) {
            *at = a;
            at = &a->r;
            a = a->r;
        } else {
            *at = b;
            at = &b->l;
            b = b->l;
        }
    }
    *at = a ? a : b;
    return root;
}

/* Removes n, which is in t (keys are unique). */
static void t_erase(svcq__tnode **t, svcq__tnode *n, tcmp_fn cmp)
{
    while (*t && *t != n)
        t = cmp(n, *t) < 0 ? &(*t)->l : &(*t)->r;
    if (*t)
        *t = t_merge(n->l, n->r);
}

static int bytes_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    if (c)
        return c;
    return al < bl ? -1 : al > bl;
}

static int id_cmp(const svcq__tnode *a, const svcq__tnode *b)
{
    const svcq__rec *x = (const svcq__rec *)a, *y = (const svcq__rec *)b;
    return bytes_cmp(x->id, x->idlen, y->id, y->idlen);
}

static int term_cmp(const svcq__tnode *a, const svcq__tnode *b)
{
    const svcq__term *x = (const svcq__term *)a, *y = (const svcq__term *)b;
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    int c;
    if (x->type == SVCQ_STORE_TERM_INT64)
        c = x->i < y->i ? -1 : x->i > y->i;
    else
        c = bytes_cmp(x->s, x->slen, y->s, y->slen);
    return c ? c : id_cmp(&x->rec->node, &y->rec->node);
}

/* ---- records with terms --------------------------------------------------------- */

svcq__rec *svcq__rec_new_terms(svcq_ctx *ctx, const char *id, size_t idlen, const svcq__term_in *terms, size_t n)
{
    size_t head = sizeof(svcq__rec) + idlen + 1;
    size_t align = _Alignof(svcq__term);
    size_t toff = (head + align - 1) / align * align;
    size_t size = n ? toff + n * sizeof(svcq__term) : head;
    for (size_t i = 0; i < n; i++)
        size += terms[i].namelen + 1 + (terms[i].type == SVCQ_STORE_TERM_STRING ? terms[i].slen + 1 : 0);
    svcq__rec *r = svcq__malloc(ctx, size);
    if (!r)
        return NULL;
    memset(r, 0, sizeof(*r));
    r->idlen = (uint16_t)idlen;
    memcpy(r->id, id, idlen);
    r->id[idlen] = '\0';
    if (!n)
        return r;
    r->terms = (svcq__term *)(void *)((char *)r + toff);
    r->nterms = (uint8_t)n;
    char *str = (char *)(r->terms + n);
    for (size_t i = 0; i < n; i++) {
        svcq__term *t = &r->terms[i];
        memset(t, 0, sizeof(*t));
        t->rec = r;
        t->type = (uint8_t)terms[i].type;
        t->namelen = (uint8_t)terms[i].namelen;
        memcpy(str, terms[i].name, terms[i].namelen);
        str[terms[i].namelen] = '\0';
        t->name = str;
        str += terms[i].namelen + 1;
        if (t->type == SVCQ_STORE_TERM_STRING) {
            t->slen = (uint16_t)terms[i].slen;
            if (terms[i].slen)
                memcpy(str, terms[i].s, terms[i].slen);
            str[terms[i].slen] = '\0';
            t->s = str;
            str += terms[i].slen + 1;
        } else {
            t->i = terms[i].i;
        }
    }
    return r;
}

void svcq__terms_in(const svcq_store_term *terms, size_t n, svcq__term_in *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i].name = terms[i].name;
        out[i].namelen = strlen(terms[i].name);
        out[i].type = terms[i].type;
        out[i].s = terms[i].type == SVCQ_STORE_TERM_STRING ? terms[i].s : NULL;
        out[i].slen = out[i].s ? strlen(out[i].s) : 0;
        out[i].i = terms[i].type == SVCQ_STORE_TERM_INT64 ? terms[i].i : 0;
    }
}

void svcq__term_out(const svcq__term *t, svcq_store_term *out)
{
    memset(out, 0, sizeof(*out));
    out->version = SVCQ_STORE_TERM_VERSION;
    out->name = t->name;
    out->type = t->type;
    if (t->type == SVCQ_STORE_TERM_STRING)
        out->s = t->s;
    else
        out->i = t->i;
}

void svcq__rec_free(svcq_ctx *ctx, svcq__rec *rec)
{
    if (!rec)
        return;
    for (uint8_t i = 0; rec->owned && i < rec->nterms; i++)
        if (rec->terms[i].own)
            svcq__free(ctx, (char *)rec->terms[i].s);
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
        svcq__free(ix->ctx, k->trees);
        svcq__free(ix->ctx, k);
    }
    svcq__map_free(&ix->kinds);
    ix->recent[0] = ix->recent[1] = NULL;
    svcq__free(ix->ctx, ix->undo);
    ix->undo = NULL;
    ix->undo_len = ix->undo_cap = 0;
    svcq__free(ix->ctx, ix->tundo);
    ix->tundo = NULL;
    ix->tundo_len = ix->tundo_cap = 0;
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

/* Room for one undo entry: SVCQ_ENOMEM with the index unchanged. */
static int reserve_undo(svcq__index *ix)
{
    if (ix->undo_len == ix->undo_cap) {
        size_t cap = ix->undo_cap ? ix->undo_cap * 2 : 16;
        svcq__index_undo *u = svcq__reallocarray(ix->ctx, ix->undo, cap, sizeof(*u));
        if (!u)
            return SVCQ_ENOMEM;
        ix->undo = u;
        ix->undo_cap = cap;
    }
    return SVCQ_OK;
}

/* The kind named kind, made (empty) when missing. */
static int make_kind(svcq__index *ix, const char *kind, size_t kindlen, svcq__kind **out)
{
    svcq__kind *k = svcq__index_kind(ix, kind, kindlen);
    if (!k) {
        if (kindlen > SVCQ_STORE_MAX_KIND)
            return SVCQ_EINVAL;
        k = svcq__malloc(ix->ctx, sizeof(*k));
        if (!k)
            return SVCQ_ENOMEM;
        memset(k, 0, sizeof(*k));
        svcq__map_init(&k->recs, ix->ctx);
        k->len = (uint8_t)kindlen;
        memcpy(k->name, kind, kindlen);
        k->name[kindlen] = '\0';
        if (svcq__map_put(&ix->kinds, k->name, k->len, k, NULL) != SVCQ_OK) {
            svcq__free(ix->ctx, k);
            return SVCQ_ENOMEM;
        }
    }
    *out = k;
    return SVCQ_OK;
}

int svcq__index_prepare(svcq__index *ix, const char *kind, size_t kindlen, svcq__kind **out)
{
    svcq__kind *k;
    int rc = reserve_undo(ix);
    if (rc == SVCQ_OK)
        rc = make_kind(ix, kind, kindlen, &k);
    if (rc)
        return rc;
    if (svcq__map_reserve(&k->recs, k->recs.count + 1) != SVCQ_OK)
        return SVCQ_ENOMEM;
    *out = k;
    return SVCQ_OK;
}

void svcq__index_locate(svcq__index *ix, const char *kind, size_t kindlen, const char *id, size_t idlen,
                        svcq__index_at *at)
{
    /* Writes alternate between few kinds (a record and its audit entry):
     * two compares beat hashing the name. */
    svcq__kind *k = ix->recent[0];
    if (!k || k->len != kindlen || memcmp(k->name, kind, kindlen) != 0) {
        k = ix->recent[1];
        if (!k || k->len != kindlen || memcmp(k->name, kind, kindlen) != 0)
            k = svcq__index_kind(ix, kind, kindlen);
        if (k) {
            ix->recent[1] = ix->recent[0];
            ix->recent[0] = k;
        }
    }
    at->kind = k;
    at->rec = NULL;
    at->slot = SIZE_MAX;
    at->hash = svcq__hash(id, idlen);
    at->id = id;
    at->idlen = idlen;
    if (at->kind && at->kind->recs.cap) {
        bool found;
        at->slot = svcq__map_probe(&at->kind->recs, id, idlen, at->hash, &found);
        if (found)
            at->rec = at->kind->recs.slots[at->slot].value;
    }
}

int svcq__index_prepare_at(svcq__index *ix, const char *kind, size_t kindlen, svcq__index_at *at)
{
    int rc = reserve_undo(ix);
    if (rc == SVCQ_OK && !at->kind)
        rc = make_kind(ix, kind, kindlen, &at->kind);
    if (rc)
        return rc;
    svcq__map *m = &at->kind->recs;
    if (!at->rec && (at->slot == SIZE_MAX || !svcq__map_has_room(m))) {
        /* The table grows: the place of id moves. */
        if (svcq__map_reserve(m, m->count + 1) != SVCQ_OK)
            return SVCQ_ENOMEM;
        bool found;
        at->slot = svcq__map_probe(m, at->id, at->idlen, at->hash, &found);
    }
    return SVCQ_OK;
}

const svcq__term_tree *svcq__index_tree(const svcq__kind *k, const char *name, size_t namelen)
{
    for (size_t i = 0; i < k->ntrees; i++)
        if (k->trees[i].len == namelen && memcmp(k->trees[i].name, name, namelen) == 0)
            return &k->trees[i];
    return NULL;
}

int svcq__index_prepare_rec(svcq__index *ix, svcq__kind *k, const svcq__rec *rec)
{
    for (uint8_t i = 0; i < rec->nterms; i++) {
        const svcq__term *t = &rec->terms[i];
        if (svcq__index_tree(k, t->name, t->namelen))
            continue;
        if (t->namelen > SVCQ_STORE_MAX_TERM_NAME)
            return SVCQ_EINVAL;
        if (k->ntrees == k->trees_cap) {
            size_t cap = k->trees_cap ? k->trees_cap * 2 : 4;
            svcq__term_tree *g = svcq__reallocarray(ix->ctx, k->trees, cap, sizeof(*g));
            if (!g)
                return SVCQ_ENOMEM;
            k->trees = g;
            k->trees_cap = cap;
        }
        svcq__term_tree *tr = &k->trees[k->ntrees++];
        memset(tr, 0, sizeof(*tr));
        tr->len = t->namelen;
        memcpy(tr->name, t->name, t->namelen);
    }
    return SVCQ_OK;
}

/* Adds rec to (or takes it out of) k's orders. Its trees exist: made by
 * svcq__index_prepare_rec before rec first went in, and never removed. */
static void order(svcq__kind *k, svcq__rec *rec, bool in)
{
    if (in)
        t_insert(&k->by_id, &rec->node, id_cmp, next_prio(k));
    else
        t_erase(&k->by_id, &rec->node, id_cmp);
    for (uint8_t i = 0; i < rec->nterms; i++) {
        svcq__term *t = &rec->terms[i];
        svcq__term_tree *tr = (svcq__term_tree *)svcq__index_tree(k, t->name, t->namelen);
        if (!tr)
            continue; /* cannot happen: see above */
        if (in)
            t_insert(&tr->root, &t->node, term_cmp, next_prio(k));
        else
            t_erase(&tr->root, &t->node, term_cmp);
    }
}

/* Puts now in old's place in t: they compare equal (the same key), so the
 * order and, with old's priority, the heap stay as they were. */
static void t_swap(svcq__tnode **t, svcq__tnode *old, svcq__tnode *now, tcmp_fn cmp)
{
    while (*t && *t != old)
        t = cmp(old, *t) < 0 ? &(*t)->l : &(*t)->r;
    if (!*t) {
        t_insert(t, now, cmp, old->prio); /* cannot happen: old is in t */
        return;
    }
    now->l = old->l;
    now->r = old->r;
    now->prio = old->prio;
    *t = now;
}

static bool same_name(const svcq__term *a, const svcq__term *b)
{
    return a->namelen == b->namelen && memcmp(a->name, b->name, a->namelen) == 0;
}

/* The same type and value. */
static bool same_value(const svcq__term *a, const svcq__term *b)
{
    return a->type == b->type && (a->type == SVCQ_STORE_TERM_INT64
                                      ? a->i == b->i
                                      : a->slen == b->slen && memcmp(a->s, b->s, a->slen) == 0);
}

/* Moves k's orders from old to now, which has the same id: now takes
 * old's node in the id order and in the tree of every term both have with
 * the same value (most writes change few terms); old's other terms go out
 * and now's other terms go in. */
static void reorder(svcq__kind *k, svcq__rec *old, svcq__rec *now)
{
    t_swap(&k->by_id, &old->node, &now->node, id_cmp);
    /* For each term of now, the term of old with the same name, type and
     * value (at most one: names are unique in a record). */
    svcq__term *same[UINT8_MAX + 1];
    uint64_t kept[4] = { 0 };
    for (uint8_t i = 0; i < now->nterms; i++) {
        const svcq__term *a = &now->terms[i];
        same[i] = NULL;
        /* Both are sorted by name: the match is usually at i. */
        for (uint8_t n = 0; n < old->nterms; n++) {
            uint8_t j = (uint8_t)((i + n) % old->nterms);
            svcq__term *b = &old->terms[j];
            if (!same_name(a, b))
                continue;
            if (same_value(a, b)) {
                same[i] = b;
                kept[j / 64] |= UINT64_C(1) << (j % 64);
            }
            break;
        }
    }
    for (uint8_t j = 0; j < old->nterms; j++) {
        svcq__term *t = &old->terms[j];
        if (kept[j / 64] >> (j % 64) & 1)
            continue;
        svcq__term_tree *tr = (svcq__term_tree *)svcq__index_tree(k, t->name, t->namelen);
        if (tr)
            t_erase(&tr->root, &t->node, term_cmp);
    }
    for (uint8_t i = 0; i < now->nterms; i++) {
        svcq__term *t = &now->terms[i];
        svcq__term_tree *tr = (svcq__term_tree *)svcq__index_tree(k, t->name, t->namelen);
        if (!tr)
            continue; /* cannot happen: see order() */
        if (same[i])
            t_swap(&tr->root, &same[i]->node, &t->node, term_cmp);
        else
            t_insert(&tr->root, &t->node, term_cmp, next_prio(k));
    }
}

/* Puts rec (or nothing) under id in k. Never allocates: the map was
 * reserved, and restoring a key a rollback removes only brings the count
 * back to one the map already held (its capacity never shrinks); the
 * orders' nodes are inside the records. */
static void set(svcq__index *ix, svcq__kind *k, const char *id, size_t idlen, svcq__rec *rec)
{
    void *prev = NULL;
    if (rec) {
        int rc = svcq__map_put(&k->recs, rec->id, rec->idlen, rec, &prev);
        (void)rc; /* cannot fail: see above */
        if (prev == rec)
            return;
        if (!prev) {
            ix->count++;
            order(k, rec, true);
        } else {
            reorder(k, prev, rec);
        }
    } else {
        svcq__rec *old = svcq__map_get(&k->recs, id, idlen);
        if (old && svcq__map_remove(&k->recs, id, idlen)) {
            order(k, old, false);
            ix->count--;
        }
    }
}

svcq__rec *svcq__index_next_id(const svcq__kind *k, const char *after, size_t alen)
{
    svcq__tnode *t = k->by_id, *best = NULL;
    while (t) {
        const svcq__rec *r = (const svcq__rec *)t;
        if (!after || bytes_cmp(r->id, r->idlen, after, alen) > 0) {
            best = t;
            t = t->l;
        } else {
            t = t->r;
        }
    }
    return (svcq__rec *)best;
}

int svcq__term_cmp_value(const svcq__term *t, const svcq_store_term *v)
{
    if (t->type == SVCQ_STORE_TERM_INT64)
        return t->i < v->i ? -1 : t->i > v->i;
    return bytes_cmp(t->s, t->slen, v->s ? v->s : "", v->s ? strlen(v->s) : 0);
}

/* Whether term node t lies above the probe: (type, value[, id]). */
static bool above(const svcq__term *t, int32_t type, const svcq_store_term *v, const char *id, bool strict)
{
    if (t->type != type)
        return t->type > type;
    if (!v)
        return true;
    int c = svcq__term_cmp_value(t, v);
    if (c)
        return c > 0;
    if (!id)
        return !strict;
    c = bytes_cmp(t->rec->id, t->rec->idlen, id, strlen(id));
    return strict ? c > 0 : c >= 0;
}

const svcq__term *svcq__index_next_term(const svcq__term_tree *tree, int32_t type, const svcq_store_term *lo,
                                        const svcq_store_term *after, const char *after_id)
{
    const svcq_store_term *v = lo;
    const char *id = NULL;
    if (after && after_id) {
        /* Strictly after the cursor, unless the cursor lies below lo. */
        svcq__term probe;
        memset(&probe, 0, sizeof(probe));
        probe.type = (uint8_t)type;
        probe.i = after->i;
        probe.s = after->s ? after->s : "";
        probe.slen = (uint16_t)strlen(probe.s);
        if (!lo || svcq__term_cmp_value(&probe, lo) >= 0) {
            v = after;
            id = after_id;
        }
    }
    svcq__tnode *t = tree->root, *best = NULL;
    while (t) {
        if (above((const svcq__term *)t, type, v, id, id != NULL)) {
            best = t;
            t = t->l;
        } else {
            t = t->r;
        }
    }
    const svcq__term *found = (const svcq__term *)best;
    return found && found->type == type ? found : NULL;
}

void svcq__index_replace(svcq__index *ix, svcq__kind *k, svcq__rec *old, svcq__rec *now)
{
    const svcq__rec *key = now ? now : old;
    if (!key)
        return;
    set(ix, k, key->id, key->idlen, now);
    if (ix->in_tx)
        ix->undo[ix->undo_len++] = (svcq__index_undo){ .kind = k, .old = old, .now = now };
    else
        svcq__rec_free(ix->ctx, old);
}

void svcq__index_put_at(svcq__index *ix, const svcq__index_at *at, svcq__rec *now)
{
    svcq__kind *k = at->kind;
    svcq__rec *old = at->rec;
    if (!old) {
        svcq__map_fill(&k->recs, at->slot, at->hash, now->id, now->idlen, now);
        ix->count++;
        order(k, now, true);
    } else {
        svcq__map_set_at(&k->recs, at->slot, now->id, now);
        reorder(k, old, now);
    }
    if (ix->in_tx)
        ix->undo[ix->undo_len++] = (svcq__index_undo){ .kind = k, .old = old, .now = now };
    else
        svcq__rec_free(ix->ctx, old);
}

static svcq__rec_contents contents_of(const svcq__rec *rec)
{
    return (svcq__rec_contents){ .value = rec->value,
                                 .revision = rec->revision,
                                 .loc = rec->loc,
                                 .size = rec->size,
                                 .frame_len = rec->frame_len,
                                 .pending = rec->pending };
}

static void set_contents(svcq__rec *rec, const svcq__rec_contents *c)
{
    rec->value = c->value;
    rec->revision = c->revision;
    rec->loc = c->loc;
    rec->size = c->size;
    rec->frame_len = c->frame_len;
    rec->pending = c->pending;
}

int svcq__rec_terms_diff(const svcq__rec *rec, const svcq__term_in *terms, size_t n, uint8_t *changed)
{
    if (rec->nterms != n)
        return -1;
    int c = 0;
    for (size_t i = 0; i < n; i++) {
        const svcq__term *t = &rec->terms[i];
        const svcq__term_in *in = &terms[i];
        if (t->type != in->type || t->namelen != in->namelen || memcmp(t->name, in->name, in->namelen) != 0)
            return -1;
        if (t->type == SVCQ_STORE_TERM_INT64 ? t->i != in->i
                                             : t->slen != in->slen || memcmp(t->s, in->s, in->slen) != 0)
            changed[c++] = (uint8_t)i;
    }
    return c;
}

int svcq__term_sets_make(svcq_ctx *ctx, const svcq__term_in *terms, const uint8_t *changed, size_t n,
                         svcq__term_set *set)
{
    for (size_t made = 0; made < n; made++) {
        const svcq__term_in *in = &terms[changed[made]];
        svcq__term_set *t = &set[made];
        t->idx = changed[made];
        t->s = NULL;
        t->slen = 0;
        t->i = 0;
        if (in->type == SVCQ_STORE_TERM_STRING) {
            t->s = svcq__malloc(ctx, in->slen + 1);
            if (!t->s) {
                svcq__term_sets_free(ctx, set, made);
                return SVCQ_ENOMEM;
            }
            if (in->slen)
                memcpy(t->s, in->s, in->slen);
            t->s[in->slen] = '\0';
            t->slen = in->slen;
        } else {
            t->i = in->i;
        }
    }
    return SVCQ_OK;
}

void svcq__term_sets_free(svcq_ctx *ctx, svcq__term_set *set, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        svcq__free(ctx, set[c].s);
        set[c].s = NULL;
    }
}

int svcq__index_reserve_terms(svcq__index *ix, size_t n)
{
    int rc = reserve_undo(ix);
    if (rc)
        return rc;
    if (ix->tundo_cap - ix->tundo_len < n) {
        size_t cap = ix->tundo_cap ? ix->tundo_cap * 2 : 16;
        while (cap - ix->tundo_len < n)
            cap *= 2;
        svcq__term_undo *u = svcq__reallocarray(ix->ctx, ix->tundo, cap, sizeof(*u));
        if (!u)
            return SVCQ_ENOMEM;
        ix->tundo = u;
        ix->tundo_cap = cap;
    }
    return SVCQ_OK;
}

/* Gives t (a term of a record of k) the value s, slen, i (own: s is an
 * allocation of its own): its node leaves the tree and goes back with its
 * priority, so the tree is the one a treap of these keys and priorities
 * has. The old string, when it was t's own, is the caller's. */
static void move_term(svcq__kind *k, svcq__term *t, const char *s, uint16_t slen, int64_t i, uint8_t own)
{
    t->rec->owned = (uint8_t)(t->rec->owned - t->own + own);
    svcq__term_tree *tr = (svcq__term_tree *)svcq__index_tree(k, t->name, t->namelen);
    if (tr)
        t_erase(&tr->root, &t->node, term_cmp);
    t->s = s;
    t->slen = slen;
    t->i = i;
    t->own = own;
    if (tr)
        t_insert(&tr->root, &t->node, term_cmp, t->node.prio);
}

void svcq__index_set_terms(svcq__index *ix, svcq__kind *k, svcq__rec *rec, const svcq__rec_contents *now,
                           const svcq__term_set *set, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        svcq__term *t = &rec->terms[set[c].idx];
        svcq__term_undo was = { t->s, t->i, t->slen, set[c].idx, t->own };
        move_term(k, t, set[c].s, (uint16_t)set[c].slen, set[c].s ? 0 : set[c].i, set[c].s != NULL);
        if (ix->in_tx)
            ix->tundo[ix->tundo_len++] = was;
        else if (was.own)
            svcq__free(ix->ctx, (char *)was.s);
    }
    if (ix->in_tx)
        ix->undo[ix->undo_len++] = (svcq__index_undo){
            .kind = k, .old = rec, .in_place = true, .nterms = (uint8_t)n, .was = contents_of(rec)
        };
    else
        svcq__free(ix->ctx, rec->value);
    set_contents(rec, now);
}

void svcq__put_locate(svcq__index *ix, svcq__put_prep *p, const char *kind, size_t kindlen, const char *id,
                      size_t idlen)
{
    svcq__index_locate(ix, kind, kindlen, id, idlen, &p->at);
    p->rec = NULL;
    p->nset = 0;
}

int svcq__put_prepare(svcq__index *ix, svcq__put_prep *p, const char *kind, size_t kindlen,
                      const svcq__term_in *terms, size_t n)
{
    uint8_t changed[SVCQ_STORE_MAX_TERMS];
    int diff = p->at.rec ? svcq__rec_terms_diff(p->at.rec, terms, n, changed) : -1;
    if (diff >= 0) {
        if (svcq__index_reserve_terms(ix, (size_t)diff) != SVCQ_OK ||
            svcq__term_sets_make(ix->ctx, terms, changed, (size_t)diff, p->set) != SVCQ_OK)
            return SVCQ_ENOMEM;
        p->nset = (size_t)diff;
        return SVCQ_OK;
    }
    int rc = svcq__index_prepare_at(ix, kind, kindlen, &p->at);
    if (rc)
        return rc;
    p->rec = svcq__rec_new_terms(ix->ctx, p->at.id, p->at.idlen, terms, n);
    if (!p->rec)
        return SVCQ_ENOMEM;
    if (svcq__index_prepare_rec(ix, p->at.kind, p->rec) != SVCQ_OK) {
        svcq__rec_free(ix->ctx, p->rec);
        p->rec = NULL;
        return SVCQ_ENOMEM;
    }
    return SVCQ_OK;
}

void svcq__put_drop(svcq__index *ix, svcq__put_prep *p)
{
    svcq__term_sets_free(ix->ctx, p->set, p->nset);
    p->nset = 0;
    svcq__rec_free(ix->ctx, p->rec);
    p->rec = NULL;
}

void svcq__put_place(svcq__index *ix, svcq__put_prep *p, const svcq__rec_contents *c)
{
    if (!p->rec) {
        svcq__index_set_terms(ix, p->at.kind, p->at.rec, c, p->set, p->nset);
        p->nset = 0;
        return;
    }
    set_contents(p->rec, c);
    svcq__index_put_at(ix, &p->at, p->rec);
    p->rec = NULL;
}

void svcq__index_begin(svcq__index *ix)
{
    ix->in_tx = true;
    ix->undo_len = 0;
}

/* Frees what undo entry u kept for a rollback; its changed terms are the
 * ones of the term undo stack from *tpos on (moved past them). */
static void release(svcq__index *ix, const svcq__index_undo *u, size_t *tpos)
{
    if (u->in_place) {
        svcq__free(ix->ctx, u->was.value);
        for (uint8_t c = 0; c < u->nterms; c++, (*tpos)++)
            if (ix->tundo[*tpos].own)
                svcq__free(ix->ctx, (char *)ix->tundo[*tpos].s);
    } else {
        svcq__rec_free(ix->ctx, u->old);
    }
}

void svcq__index_commit(svcq__index *ix)
{
    size_t tpos = 0;
    for (size_t i = 0; i < ix->undo_len; i++)
        release(ix, &ix->undo[i], &tpos);
    ix->undo_len = 0;
    ix->tundo_len = 0;
    ix->in_tx = false;
}

void svcq__index_commit_prefix(svcq__index *ix, size_t n)
{
    if (n > ix->undo_len)
        n = ix->undo_len;
    size_t tpos = 0;
    for (size_t i = 0; i < n; i++)
        release(ix, &ix->undo[i], &tpos);
    if (n && ix->undo_len > n)
        memmove(ix->undo, ix->undo + n, (ix->undo_len - n) * sizeof(*ix->undo));
    ix->undo_len -= n;
    if (tpos && ix->tundo_len > tpos)
        memmove(ix->tundo, ix->tundo + tpos, (ix->tundo_len - tpos) * sizeof(*ix->tundo));
    ix->tundo_len -= tpos;
}

void svcq__index_rollback_to(svcq__index *ix, size_t mark)
{
    while (ix->undo_len > mark) {
        svcq__index_undo *u = &ix->undo[--ix->undo_len];
        if (u->in_place) {
            /* The changed terms back, each the same way it changed. */
            for (uint8_t c = 0; c < u->nterms; c++) {
                const svcq__term_undo *o = &ix->tundo[--ix->tundo_len];
                svcq__term *t = &u->old->terms[o->idx];
                const char *made = t->own ? t->s : NULL;
                move_term(u->kind, t, o->s, o->slen, o->i, o->own);
                svcq__free(ix->ctx, (char *)made);
            }
            svcq__free(ix->ctx, u->old->value);
            set_contents(u->old, &u->was);
        } else {
            const svcq__rec *key = u->now ? u->now : u->old;
            set(ix, u->kind, key->id, key->idlen, u->old);
        }
        svcq__rec_free(ix->ctx, u->now);
    }
}

void svcq__index_rollback(svcq__index *ix)
{
    svcq__index_rollback_to(ix, 0);
    ix->in_tx = false;
}
