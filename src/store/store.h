/* Internal store API: what every module that persists records uses.
 *
 * A mutating library call follows one pattern (docs/storage.md has it with
 * an example):
 *
 *     sq_tx tx;
 *     int rc = sq_tx_begin(ctx, &tx);          // joins an open batch
 *     if (rc) return rc;
 *     rc = sq_undo_reserve(ctx, 2);            // before changing anything
 *     if (!rc) rc = <encode + sq_record_put / sq_store_put ...>;
 *     if (!rc) { <change the handle>; sq_undo_push(ctx, restore, ...); }
 *     return sq_tx_end(ctx, &tx, rc);          // commit, or roll back + undo
 *
 * sq_tx_end commits the store transaction when it ends the outermost scope
 * and rc is SVCQ_OK; otherwise it rolls back and runs, newest first, the
 * undo entries pushed since sq_tx_begin, so the handles are as they were
 * before the call. Inside a batch (or an enclosing call) a successful scope
 * leaves its undo entries to the batch, which runs or releases them when it
 * ends; a failing scope that had already written, or whose store lost the
 * transaction, aborts the batch (only a rollback is left).
 *
 * Undo entries: exactly one of their two functions runs. undo(ctx, data,
 * arg) on rollback: restores the handle and frees what the entry holds; it
 * must not fail. release(ctx, data, arg) when the change stays (commit, or
 * a context freed with a batch open): frees what the entry holds (the old
 * value, typically) and must not touch the handle, which may be gone by
 * then. An entry without undo has its release run on rollback too.
 * Reserve before changing anything: a push then cannot fail. */
#ifndef SQ_STORE_STORE_H
#define SQ_STORE_STORE_H

#include "core/core.h"

/* ---- names ------------------------------------------------------------ */

/* Syntax of kinds and ids (see svcq/store.h). */
bool sq_store_kind_valid(const char *kind, size_t len);
bool sq_store_id_valid(const char *id, size_t len);
/* The same, reporting SVCQ_EINVAL on ctx with a message naming the problem. */
int sq_store_check_kind(svcq_ctx *ctx, const char *kind);
int sq_store_check_id(svcq_ctx *ctx, const char *id);

/* ---- transactions and undo ----------------------------------------------- */

typedef struct sq_tx {
    size_t undo_mark;     /* ctx->undo_len at begin */
    size_t room_mark;     /* ctx->undo_room at begin */
    uint64_t writes_mark; /* ctx->store_writes at begin */
    bool began;
} sq_tx;

/* Opens a scope: begins a store transaction unless one is open (then joins
 * it). SVCQ_ESTATE when the batch was aborted or inside a store callback;
 * SVCQ_ENOMEM when the default store cannot be made; the store's begin
 * error. On failure tx is inert and sq_tx_end(ctx, tx, rc) returns rc. */
int sq_tx_begin(svcq_ctx *ctx, sq_tx *tx);
/* Ends a scope with the call's result rc (see the file comment) and
 * returns the call's final result: rc, or the commit's error. */
int sq_tx_end(svcq_ctx *ctx, sq_tx *tx, int rc);
/* Whether a store transaction is open (a scope or a batch). */
bool sq_tx_active(const svcq_ctx *ctx);

typedef void (*sq_undo_fn)(svcq_ctx *ctx, void *data, uint64_t arg);

typedef struct sq_undo_entry {
    sq_undo_fn undo;    /* may be NULL (release only) */
    sq_undo_fn release; /* may be NULL */
    void *data;
    uint64_t arg;
} sq_undo_entry;

/* Makes room for n more entries: the next n pushes in this scope cannot
 * fail. Reservations add up, and those a scope leaves unused end with it. */
int sq_undo_reserve(svcq_ctx *ctx, size_t n);
/* Records an entry. Only inside a scope, after sq_undo_reserve: SVCQ_ESTATE
 * otherwise (a bug: nothing is recorded). */
int sq_undo_push(svcq_ctx *ctx, sq_undo_fn undo, sq_undo_fn release, void *data, uint64_t arg);
/* *slot = value, restored on rollback (needs one reserved entry). */
int sq_undo_set_u64(svcq_ctx *ctx, uint64_t *slot, uint64_t value);

/* ---- records ------------------------------------------------------------ */

/* Makes the default memory store if the context has no store yet. */
int sq_store_ready(svcq_ctx *ctx);

/* Reads a record: *bytes (NUL-terminated copy, freed with sq_free),
 * *size and *revision. SVCQ_ENOTFOUND when absent; bad names SVCQ_EINVAL;
 * store errors as svcq/store.h maps them. Outputs untouched on failure. */
int sq_store_get(svcq_ctx *ctx, const char *kind, const char *id, char **bytes, size_t *size,
                 uint64_t *revision);
/* Compare-and-swap write inside a scope (SVCQ_ESTATE outside one). size
 * above SVCQ_STORE_MAX_VALUE: SVCQ_ELIMIT. */
int sq_store_put(svcq_ctx *ctx, const char *kind, const char *id, uint64_t expected_revision,
                 const void *bytes, size_t size, uint64_t *new_revision);
/* Compare-and-swap removal inside a scope; expected_revision 0: SVCQ_EINVAL. */
int sq_store_remove(svcq_ctx *ctx, const char *kind, const char *id, uint64_t expected_revision);

/* Scan visitor: bytes (not NUL-terminated) are borrowed for the call. It
 * must not call the store. A non-zero return stops the scan, which returns
 * it unchanged. */
typedef int (*sq_store_visit_fn)(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes,
                                 size_t size, void *user_data);
/* Visits every record of kind, in no particular order. */
int sq_store_scan(svcq_ctx *ctx, const char *kind, sq_store_visit_fn visit, void *user_data);

/* ---- for the built-in stores -------------------------------------------- */

/* Records a detailed message for a failing store callback and returns
 * code; the layer then prefixes it with the callback's name. */
int sq_store_fail(svcq_ctx *ctx, int code, const char *fmt, ...) SQ_PRINTF(3, 4);

/* The default in-memory store: fills *out with a fresh, empty store whose
 * destroy frees it. SVCQ_ENOMEM. */
int sq_memstore_new(svcq_ctx *ctx, svcq_store_methods *out);

/* File store hooks for svcq_ctx_set_store: whether methods is a file
 * store's table, and taking or giving up ownership of it. */
bool sq_fstore_is(const svcq_store_methods *methods);
int sq_fstore_claim(svcq_ctx *ctx, void *user_data);

#endif
