/* The record index shared by the memory store and the file store: a map of
 * kinds, each a map of ids to records, with transaction undo.
 *
 * Changes go in two steps so that nothing fails half-way: sq_index_prepare
 * makes every allocation a change of (kind, id) may need (the kind, room in
 * its map, an undo slot); sq_index_replace then cannot fail. Inside a
 * transaction replaced records are kept until commit (freed) or rollback
 * (put back, and the records made in the transaction freed). */
#ifndef SQ_STORE_INDEX_H
#define SQ_STORE_INDEX_H

#include "core/map.h"
#include "svcq/store.h"

typedef struct sq_rec {
    uint64_t revision;
    uint64_t loc;          /* file store: offset of the record's frame (in the file, or in
                            * the transaction buffer while pending) */
    uint32_t frame_len;    /* file store: bytes of the whole frame */
    uint32_t size;         /* bytes of the value */
    unsigned char *value;  /* memory store: the value (owned; NULL when size is 0) */
    uint8_t pending;       /* file store: written in the open transaction */
    uint16_t idlen;
    char id[];             /* NUL-terminated */
} sq_rec;

typedef struct sq_kind {
    sq_map recs;           /* id -> sq_rec */
    uint8_t len;
    char name[SVCQ_STORE_MAX_KIND + 1];
} sq_kind;

typedef struct sq_index_undo {
    sq_kind *kind;
    sq_rec *old;   /* what was there before (NULL: nothing) */
    sq_rec *now;   /* what replaced it (NULL: removed) */
} sq_index_undo;

typedef struct sq_index {
    svcq_ctx *ctx;
    sq_map kinds;          /* name -> sq_kind */
    uint64_t count;        /* live records */
    bool in_tx;
    sq_index_undo *undo;
    size_t undo_len;
    size_t undo_cap;
} sq_index;

void sq_index_init(sq_index *ix, svcq_ctx *ctx);
/* Frees every kind and record (rolling back first if needed). */
void sq_index_free(sq_index *ix);

/* A new record of id (idlen bytes) with the other fields zero. NULL on
 * allocation failure. Freed with sq_rec_free (which frees value too). */
sq_rec *sq_rec_new(svcq_ctx *ctx, const char *id, size_t idlen);
void sq_rec_free(svcq_ctx *ctx, sq_rec *rec);

sq_kind *sq_index_kind(const sq_index *ix, const char *kind, size_t len);
sq_rec *sq_index_find(const sq_index *ix, const char *kind, size_t kindlen, const char *id, size_t idlen);

/* Makes sure (kind, one more id) and one undo entry fit: SVCQ_ENOMEM, with
 * the index unchanged (an empty kind may remain). *out gets the kind. */
int sq_index_prepare(sq_index *ix, const char *kind, size_t kindlen, sq_kind **out);
/* Replaces old (the record now in the map under the id, or NULL) by now
 * (NULL to remove). Cannot fail after sq_index_prepare. Outside a
 * transaction old is freed at once. */
void sq_index_replace(sq_index *ix, sq_kind *kind, sq_rec *old, sq_rec *now);

void sq_index_begin(sq_index *ix);
/* Frees the replaced records. */
void sq_index_commit(sq_index *ix);
/* Puts back what the transaction replaced and frees what it made. */
void sq_index_rollback(sq_index *ix);

#endif
