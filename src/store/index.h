/* The record index shared by the memory store and the file store: a map of
 * kinds, each a map of ids to records, with transaction undo.
 *
 * Ordered access (storage contract version 2): each kind also keeps its
 * records in a treap ordered by id bytes, and one treap per term name
 * ordered by (type, value, id) holding the terms records declared. The
 * nodes live inside the records (a record and its terms are one
 * allocation), so keeping the orders never allocates: svcq__index_replace
 * still cannot fail, and a rollback re-inserts the old records as they
 * were. svcq__index_prepare_rec makes the term trees a record needs.
 *
 * Changes go in two steps so that nothing fails half-way: svcq__index_prepare
 * makes every allocation a change of (kind, id) may need (the kind, room in
 * its map, an undo slot); svcq__index_replace then cannot fail. Inside a
 * transaction replaced records (or, for a rewrite in place, the record's
 * earlier contents) are kept until commit (freed) or rollback (put back,
 * and the records made in the transaction freed).
 *
 * A rewrite whose terms have the record's names and types (the same terms,
 * or other values) keeps the record, in both stores (svcq__index_set_terms):
 * the record takes the new contents (the memory store's value, the file
 * store's frame place) and only the nodes of the changed terms leave their
 * trees and go back with the new value and their own priority, so a
 * rollback that undoes the same steps gives back the very same trees. A
 * changed string then lives in its own allocation (the term's own flag),
 * freed with the record or when the change is undone. */
#ifndef SVCQ__STORE_INDEX_H
#define SVCQ__STORE_INDEX_H

#include "core/map.h"
#include "svcq/store.h"

/* A treap node: children and a priority (drawn from the kind's sequence). */
typedef struct svcq__tnode {
    struct svcq__tnode *l, *r;
    uint32_t prio;
} svcq__tnode;

struct svcq__rec;

/* One index term of a record, and its node in the kind's tree for that
 * name. Strings are NUL-terminated copies inside the record's block, or,
 * after svcq__index_set_terms changed the value, in an allocation of their
 * own (own set). */
typedef struct svcq__term {
    svcq__tnode node;
    struct svcq__rec *rec;
    const char *name;
    const char *s;     /* STRING: the value; NULL for INT64 */
    int64_t i;         /* INT64: the value */
    uint16_t slen;
    uint8_t namelen;
    uint8_t type;      /* svcq_store_term_type */
    uint8_t own;       /* s is an allocation of its own (freed with the record) */
} svcq__term;

/* What a rewrite in place gives a record, and what its undo entry keeps:
 * the fields of svcq__rec below that a put changes. */
typedef struct svcq__rec_contents {
    unsigned char *value; /* memory store: the value (owned; NULL when size is 0) */
    uint64_t revision;
    uint64_t loc;         /* file store: see svcq__rec */
    uint32_t size;
    uint32_t frame_len;   /* file store */
    uint8_t pending;      /* file store */
} svcq__rec_contents;

typedef struct svcq__rec {
    svcq__tnode node;      /* place in the kind's id order */
    svcq__term *terms;     /* nterms terms sorted by name, in the same block; NULL when none */
    uint8_t nterms;
    uint8_t owned;         /* how many of its terms have a string of their own */
    uint64_t revision;
    uint64_t loc;          /* file store: offset of the record's frame (in the file, or in
                            * the transaction buffer while pending) */
    uint32_t frame_len;    /* file store: bytes of the whole frame */
    uint32_t size;         /* bytes of the value */
    unsigned char *value;  /* memory store: the value (owned; NULL when size is 0) */
    uint8_t pending;       /* file store: written in the open transaction */
    uint16_t idlen;
    char id[];             /* NUL-terminated */
} svcq__rec;

/* The records of a kind that declare one term name, by (type, value, id). */
typedef struct svcq__term_tree {
    svcq__tnode *root;
    uint8_t len;
    char name[SVCQ_STORE_MAX_TERM_NAME + 1];
} svcq__term_tree;

typedef struct svcq__kind {
    svcq__map recs;           /* id -> svcq__rec */
    svcq__tnode *by_id;       /* the same records by id bytes */
    svcq__term_tree *trees;   /* one per term name seen in the kind (never shrinks) */
    uint64_t prio_seq;        /* treap priorities are drawn from it */
    size_t ntrees, trees_cap;
    uint8_t len;
    char name[SVCQ_STORE_MAX_KIND + 1];
} svcq__kind;

typedef struct svcq__index_undo {
    svcq__kind *kind;
    svcq__rec *old;   /* what was there before (NULL: nothing) */
    svcq__rec *now;   /* what replaced it (NULL: removed, or in place) */
    bool in_place;    /* svcq__index_set_terms (now NULL): old stayed in place and had the contents was */
    uint8_t nterms;   /* (in_place) the last nterms entries of the index's term
                       * undo stack (at this entry's place) are old's changed terms */
    svcq__rec_contents was;
} svcq__index_undo;

/* What a term changed in place had: its index in the record and value. */
typedef struct svcq__term_undo {
    const char *s;
    int64_t i;
    uint16_t slen;
    uint8_t idx;
    uint8_t own;
} svcq__term_undo;

typedef struct svcq__index {
    svcq_ctx *ctx;
    svcq__map kinds;          /* name -> svcq__kind */
    svcq__kind *recent[2];    /* the kinds svcq__index_locate found last (kinds live until the index is freed) */
    uint64_t count;        /* live records */
    bool in_tx;
    svcq__index_undo *undo;
    size_t undo_len;
    size_t undo_cap;
    svcq__term_undo *tundo;   /* the changed terms of the svcq__index_set_terms entries, in order */
    size_t tundo_len;
    size_t tundo_cap;
} svcq__index;

void svcq__index_init(svcq__index *ix, svcq_ctx *ctx);
/* Frees every kind and record (rolling back first if needed). */
void svcq__index_free(svcq__index *ix);

/* A new record of id (idlen bytes) with the other fields zero. NULL on
 * allocation failure. Freed with svcq__rec_free (which frees value and
 * the term strings of its own too). */
svcq__rec *svcq__rec_new(svcq_ctx *ctx, const char *id, size_t idlen);

/* A term as the stores receive it (strings not NUL-terminated). */
typedef struct svcq__term_in {
    const char *name;
    size_t namelen;
    int32_t type;
    const char *s;
    size_t slen;
    int64_t i;
} svcq__term_in;

/* The same with n terms (valid, distinct names sorted by name: the
 * library and the journal parser check that) copied into the block. */
svcq__rec *svcq__rec_new_terms(svcq_ctx *ctx, const char *id, size_t idlen, const svcq__term_in *terms, size_t n);
/* The public terms of the library's put2 as svcq__term_in (out has room
 * for SVCQ_STORE_MAX_TERMS). */
void svcq__terms_in(const svcq_store_term *terms, size_t n, svcq__term_in *out);
/* A record term as the public type (strings borrowed from the record). */
void svcq__term_out(const svcq__term *t, svcq_store_term *out);
void svcq__rec_free(svcq_ctx *ctx, svcq__rec *rec);

svcq__kind *svcq__index_kind(const svcq__index *ix, const char *kind, size_t len);
svcq__rec *svcq__index_find(const svcq__index *ix, const char *kind, size_t kindlen, const char *id, size_t idlen);

/* Makes sure (kind, one more id) and one undo entry fit: SVCQ_ENOMEM, with
 * the index unchanged (an empty kind may remain). *out gets the kind. */
int svcq__index_prepare(svcq__index *ix, const char *kind, size_t kindlen, svcq__kind **out);
/* Makes the term trees rec's terms go to in kind k: SVCQ_ENOMEM with the
 * index unchanged (empty trees may remain). */
int svcq__index_prepare_rec(svcq__index *ix, svcq__kind *k, const svcq__rec *rec);
/* Replaces old (the record now in the map under the id, or NULL) by now
 * (NULL to remove). Cannot fail after svcq__index_prepare. Outside a
 * transaction old is freed at once. */
void svcq__index_replace(svcq__index *ix, svcq__kind *kind, svcq__rec *old, svcq__rec *now);

/* The one-probe put of both stores. svcq__index_locate finds where
 * (kind, id) is or would go without allocating; svcq__index_prepare_at
 * then makes the room an insert or a replacement needs (the kind, one more
 * id when id is new, one undo entry), and svcq__index_put_at cannot fail.
 * A rewrite whose terms have the record's names and types
 * (svcq__rec_terms_diff not negative: the same terms, or other values)
 * needs no new record: svcq__index_reserve_terms, then
 * svcq__index_set_terms. */
typedef struct svcq__index_at {
    svcq__kind *kind; /* NULL: no such kind yet */
    svcq__rec *rec;   /* the record under id, or NULL */
    size_t slot;      /* in kind->recs: rec's slot, or the empty one id would take (SIZE_MAX: none yet) */
    uint64_t hash;    /* of id */
    const char *id;
    size_t idlen;
} svcq__index_at;

void svcq__index_locate(svcq__index *ix, const char *kind, size_t kindlen, const char *id, size_t idlen,
                        svcq__index_at *at);
/* SVCQ_ENOMEM (or SVCQ_EINVAL for a kind name too long) with the index
 * unchanged (an empty kind may remain); at stays valid for put_at. */
int svcq__index_prepare_at(svcq__index *ix, const char *kind, size_t kindlen, svcq__index_at *at);
/* Puts now (a new record of at's id whose trees svcq__index_prepare_rec
 * made) where at says: an insert, or the replacement of at->rec. Nothing
 * may change the kind's map between locate and this call. */
void svcq__index_put_at(svcq__index *ix, const svcq__index_at *at, svcq__rec *now);
/* How terms (valid, sorted by name) differ from rec's: -1 when the count,
 * a name or a type differs; else the number of values that differ, whose
 * indexes go to changed (room for SVCQ_STORE_MAX_TERMS). 0: the same terms. */
int svcq__rec_terms_diff(const svcq__rec *rec, const svcq__term_in *terms, size_t n, uint8_t *changed);
/* A new value for term idx of a record: s an allocation of the caller's
 * (NUL-terminated, slen bytes; taken over) for a string, else i. */
typedef struct svcq__term_set {
    char *s;
    size_t slen;
    int64_t i;
    uint8_t idx;
} svcq__term_set;
/* The new values of the n terms changed[0..n) of terms in set: a copy of
 * each string (NUL-terminated), each int as it is. SVCQ_ENOMEM with
 * nothing allocated. */
int svcq__term_sets_make(svcq_ctx *ctx, const svcq__term_in *terms, const uint8_t *changed, size_t n,
                         svcq__term_set *set);
/* Frees the strings of set (n entries), for a put given up before
 * svcq__index_set_terms took them. */
void svcq__term_sets_free(svcq_ctx *ctx, svcq__term_set *set, size_t n);
/* Room for one undo entry and n changed terms: SVCQ_ENOMEM with the index
 * unchanged. */
int svcq__index_reserve_terms(svcq__index *ix, size_t n);
/* A rewrite in place: rec keeps its place in every order and takes the
 * contents now (its value owned: NULL when size is 0, always NULL in the
 * file store), and its n terms of set new values of the same type: each
 * changed term's node leaves its tree and goes back with the new value and
 * the same priority. Room reserved by svcq__index_reserve_terms. In a
 * transaction the earlier contents and term values go to the undo log: a
 * commit frees them, a rollback puts them back the same way (the exact
 * earlier trees, value, revision and frame place) and frees the new ones.
 * Outside one the old ones are freed at once. */
void svcq__index_set_terms(svcq__index *ix, svcq__kind *k, svcq__rec *rec, const svcq__rec_contents *now,
                           const svcq__term_set *set, size_t n);

/* A put of (kind, id) in three steps, the one way both stores write:
 * svcq__put_locate finds the record there (p->at.rec, or NULL);
 * svcq__put_prepare allocates everything the put of its terms needs, so
 * that svcq__put_place cannot fail. When the terms have the record's
 * names and types the record stays where it is (p->rec NULL, set holding
 * the new values of its nset changed terms); else p->rec is a new record
 * with the terms. Nothing else may change the index between prepare and
 * place; svcq__put_drop gives up a prepared put. */
typedef struct svcq__put_prep {
    svcq__index_at at;
    svcq__rec *rec;
    size_t nset;
    svcq__term_set set[SVCQ_STORE_MAX_TERMS];
} svcq__put_prep;

void svcq__put_locate(svcq__index *ix, svcq__put_prep *p, const char *kind, size_t kindlen, const char *id,
                      size_t idlen);
/* SVCQ_ENOMEM (or SVCQ_EINVAL for a kind name too long) with the index as
 * it was and p holding nothing. */
int svcq__put_prepare(svcq__index *ix, svcq__put_prep *p, const char *kind, size_t kindlen,
                      const svcq__term_in *terms, size_t n);
void svcq__put_drop(svcq__index *ix, svcq__put_prep *p);
/* The record (kept or new) takes the contents c (its value owned). */
void svcq__put_place(svcq__index *ix, svcq__put_prep *p, const svcq__rec_contents *c);

/* Ordered reads (the records of the open transaction included). The
 * record of k with the smallest id above after (alen bytes; NULL: the
 * smallest id), or NULL. */
svcq__rec *svcq__index_next_id(const svcq__kind *k, const char *after, size_t alen);
/* The tree of term name in k, or NULL when no record of k ever declared it. */
const svcq__term_tree *svcq__index_tree(const svcq__kind *k, const char *name, size_t namelen);
/* The first term of tree (ordered by type, value, id) at or above
 * (type, lo) — lo NULL: the first of type — or, when after is given,
 * strictly above (type, after's value, after_id). NULL past the end of
 * type. Bounds above are the caller's to check (svcq__term_cmp_value). */
const svcq__term *svcq__index_next_term(const svcq__term_tree *tree, int32_t type, const svcq_store_term *lo,
                                        const svcq_store_term *after, const char *after_id);
/* Compares t's value with v's (same type): <0, 0, >0. */
int svcq__term_cmp_value(const svcq__term *t, const svcq_store_term *v);

void svcq__index_begin(svcq__index *ix);
/* Frees the replaced records. */
void svcq__index_commit(svcq__index *ix);
/* Frees the records replaced by the first n undo entries only and drops
 * those entries; the transaction stays open (a shared file store keeps
 * one open for the commits that are written but not yet synced). */
void svcq__index_commit_prefix(svcq__index *ix, size_t n);
/* Puts back what the transaction replaced and frees what it made. */
void svcq__index_rollback(svcq__index *ix);
/* The same for the changes after the first mark undo entries only; the
 * transaction stays open. */
void svcq__index_rollback_to(svcq__index *ix, size_t mark);

#endif
