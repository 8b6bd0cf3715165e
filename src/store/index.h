/* The record index shared by the memory store and the file store: a map of
 * kinds, each a map of ids to records, with transaction undo.
 *
 * Changes go in two steps so that nothing fails half-way: svcq__index_prepare
 * makes every allocation a change of (kind, id) may need (the kind, room in
 * its map, an undo slot); svcq__index_replace then cannot fail. Inside a
 * transaction replaced records are kept until commit (freed) or rollback
 * (put back, and the records made in the transaction freed). */
#ifndef SVCQ__STORE_INDEX_H
#define SVCQ__STORE_INDEX_H

#include "core/map.h"
#include "svcq/store.h"

typedef struct svcq__rec {
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

typedef struct svcq__kind {
    svcq__map recs;           /* id -> svcq__rec */
    uint8_t len;
    char name[SVCQ_STORE_MAX_KIND + 1];
} svcq__kind;

typedef struct svcq__index_undo {
    svcq__kind *kind;
    svcq__rec *old;   /* what was there before (NULL: nothing) */
    svcq__rec *now;   /* what replaced it (NULL: removed) */
} svcq__index_undo;

typedef struct svcq__index {
    svcq_ctx *ctx;
    svcq__map kinds;          /* name -> svcq__kind */
    uint64_t count;        /* live records */
    bool in_tx;
    svcq__index_undo *undo;
    size_t undo_len;
    size_t undo_cap;
} svcq__index;

void svcq__index_init(svcq__index *ix, svcq_ctx *ctx);
/* Frees every kind and record (rolling back first if needed). */
void svcq__index_free(svcq__index *ix);

/* A new record of id (idlen bytes) with the other fields zero. NULL on
 * allocation failure. Freed with svcq__rec_free (which frees value too). */
svcq__rec *svcq__rec_new(svcq_ctx *ctx, const char *id, size_t idlen);
void svcq__rec_free(svcq_ctx *ctx, svcq__rec *rec);

svcq__kind *svcq__index_kind(const svcq__index *ix, const char *kind, size_t len);
svcq__rec *svcq__index_find(const svcq__index *ix, const char *kind, size_t kindlen, const char *id, size_t idlen);

/* Makes sure (kind, one more id) and one undo entry fit: SVCQ_ENOMEM, with
 * the index unchanged (an empty kind may remain). *out gets the kind. */
int svcq__index_prepare(svcq__index *ix, const char *kind, size_t kindlen, svcq__kind **out);
/* Replaces old (the record now in the map under the id, or NULL) by now
 * (NULL to remove). Cannot fail after svcq__index_prepare. Outside a
 * transaction old is freed at once. */
void svcq__index_replace(svcq__index *ix, svcq__kind *kind, svcq__rec *old, svcq__rec *now);

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
