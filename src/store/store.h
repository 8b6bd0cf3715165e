/* Internal store API: what every module that persists records uses.
 *
 * A mutating library call follows one pattern (docs/storage.md has it with
 * an example):
 *
 *     svcq__tx tx;
 *     int rc = svcq__tx_begin(ctx, &tx);          // joins an open batch
 *     if (rc) return rc;
 *     rc = svcq__undo_reserve(ctx, 2);            // before changing anything
 *     if (!rc) rc = <encode + svcq__record_put / svcq__store_put ...>;
 *     if (!rc) { <change the handle>; svcq__undo_push(ctx, restore, ...); }
 *     return svcq__tx_end(ctx, &tx, rc);          // commit, or roll back + undo
 *
 * svcq__tx_end commits the store transaction when it ends the outermost scope
 * and rc is SVCQ_OK; otherwise it rolls back and runs, newest first, the
 * undo entries pushed since svcq__tx_begin, so the handles are as they were
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
#ifndef SVCQ__STORE_STORE_H
#define SVCQ__STORE_STORE_H

#include "core/core.h"
#include "svcq/store.h"

/* ---- the store's state in the context --------------------------------------- */

struct svcq__undo_entry;

/* What the store module keeps per context, in slot SVCQ__SLOT_STORE: made
 * on first use (svcq__store_state), freed by svcq_ctx_free. */
typedef struct svcq__store_state {
    /* The context's store (a copied table; version 0 until the default
     * memory store is made on first use). */
    svcq_store_methods store;
    struct svcq__undo_entry *undo; /* the undo log of the open transaction */
    size_t undo_len;
    size_t undo_cap;
    size_t undo_room;        /* pushes reserved and not yet made */
    uint64_t store_writes;   /* successful put/remove calls, ever */
    uint32_t tx_depth;       /* open svcq__tx scopes, the batch counting as one */
    bool store_tx_open;      /* begin was called and not yet ended */
    bool batch_open;
    bool tx_aborted;         /* the store transaction can only be rolled back */
    bool store_busy;         /* inside a store callback: no re-entry */
    bool store_msg;          /* a built-in store set errmsg for the failing call */
    bool read_only;          /* the store is a read-only file store: writes are refused */
} svcq__store_state;

/* The context's store state, or NULL when the store was never used. */
static inline svcq__store_state *svcq__store_peek(const svcq_ctx *ctx)
{
    return (svcq__store_state *)svcq__ctx_slot(ctx, SVCQ__SLOT_STORE);
}
/* Whether a store transaction is open (a scope or a batch): a handle
 * records undo entries for its in-memory changes only then. */
static inline bool svcq__tx_active(const svcq_ctx *ctx)
{
    const svcq__store_state *st = svcq__store_peek(ctx);
    return st && st->store_tx_open;
}
/* The context's store state, made (and registered) if needed; NULL with
 * SVCQ_ENOMEM recorded on ctx. */
svcq__store_state *svcq__store_state_get(svcq_ctx *ctx);
/* Forgets that a built-in store set the message (for public functions of
 * the built-in stores, which report errors directly). */
void svcq__store_msg_clear(svcq_ctx *ctx);

/* ---- names ------------------------------------------------------------ */

/* Syntax of kinds and ids (see svcq/store.h). */
bool svcq__store_kind_valid(const char *kind, size_t len);
bool svcq__store_id_valid(const char *id, size_t len);
/* The same, reporting SVCQ_EINVAL on ctx with a message naming the problem. */
int svcq__store_check_kind(svcq_ctx *ctx, const char *kind);
int svcq__store_check_id(svcq_ctx *ctx, const char *id);

/* ---- transactions and undo ----------------------------------------------- */

typedef struct svcq__tx {
    size_t undo_mark;     /* undo_len at begin */
    size_t room_mark;     /* undo_room at begin */
    uint64_t writes_mark; /* store_writes at begin */
    bool began;
} svcq__tx;

/* Opens a scope: begins a store transaction unless one is open (then joins
 * it). SVCQ_ESTATE when the batch was aborted or inside a store callback;
 * SVCQ_ENOMEM when the default store cannot be made; the store's begin
 * error. On failure tx is inert and svcq__tx_end(ctx, tx, rc) returns rc. */
int svcq__tx_begin(svcq_ctx *ctx, svcq__tx *tx);
/* Ends a scope with the call's result rc (see the file comment) and
 * returns the call's final result: rc, or the commit's error. */
int svcq__tx_end(svcq_ctx *ctx, svcq__tx *tx, int rc);
typedef void (*svcq__undo_fn)(svcq_ctx *ctx, void *data, uint64_t arg);

typedef struct svcq__undo_entry {
    svcq__undo_fn undo;    /* may be NULL (release only) */
    svcq__undo_fn release; /* may be NULL */
    void *data;
    uint64_t arg;
    const void *owner;     /* the handle undo restores, for svcq__undo_detach; may be NULL */
} svcq__undo_entry;

/* Makes room for n more entries: the next n pushes in this scope cannot
 * fail. Reservations add up, and those a scope leaves unused end with it.
 * Only inside a scope (after svcq__tx_begin): SVCQ_ESTATE otherwise. */
int svcq__undo_reserve(svcq_ctx *ctx, size_t n);
/* Records an entry. Only inside a scope, after svcq__undo_reserve: SVCQ_ESTATE
 * otherwise (a bug: nothing is recorded). */
int svcq__undo_push(svcq_ctx *ctx, svcq__undo_fn undo, svcq__undo_fn release, void *data, uint64_t arg);
/* The same for an entry that restores the handle owner: when the handle is
 * freed before its scope or batch ends, svcq__undo_detach(ctx, owner) turns
 * its entries into release-only ones, so a rollback never touches freed
 * memory (garbage-collected bindings free handles at any time). */
int svcq__undo_push_for(svcq_ctx *ctx, const void *owner, svcq__undo_fn undo, svcq__undo_fn release,
                        void *data, uint64_t arg);
/* Called by a handle's _free: its pending entries will only release. */
void svcq__undo_detach(svcq_ctx *ctx, const void *owner);
/* *slot = value, restored on rollback (needs one reserved entry). slot
 * lies inside the handle owner, whose _free calls svcq__undo_detach(ctx,
 * owner) so that a rollback after the free leaves the slot alone; owner is
 * NULL only for a slot that outlives the transaction (not in a handle). */
int svcq__undo_set_u64(svcq_ctx *ctx, const void *owner, uint64_t *slot, uint64_t value);

/* ---- records ------------------------------------------------------------ */

/* Reads a record: *bytes (NUL-terminated copy, freed with svcq__free),
 * *size and *revision. SVCQ_ENOTFOUND when absent; bad names SVCQ_EINVAL;
 * store errors as svcq/store.h maps them. Outputs untouched on failure. */
int svcq__store_get(svcq_ctx *ctx, const char *kind, const char *id, char **bytes, size_t *size,
                 uint64_t *revision);
/* Compare-and-swap write inside a scope (SVCQ_ESTATE outside one). size
 * above SVCQ_STORE_MAX_VALUE: SVCQ_ELIMIT. */
int svcq__store_put(svcq_ctx *ctx, const char *kind, const char *id, uint64_t expected_revision,
                 const void *bytes, size_t size, uint64_t *new_revision);
/* Compare-and-swap removal inside a scope; expected_revision 0: SVCQ_EINVAL. */
int svcq__store_remove(svcq_ctx *ctx, const char *kind, const char *id, uint64_t expected_revision);

/* Scan visitor: bytes (not NUL-terminated) are borrowed for the call. It
 * must not call the store. A non-zero return stops the scan, which returns
 * it unchanged. */
typedef int (*svcq__store_visit_fn)(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes,
                                 size_t size, void *user_data);
/* Visits every record of kind, in no particular order. */
int svcq__store_scan(svcq_ctx *ctx, const char *kind, svcq__store_visit_fn visit, void *user_data);

/* ---- version 2 ---------------------------------------------------------------- */

/* svcq__store_put that also declares the record's index terms (n_terms at
 * most SVCQ_STORE_MAX_TERMS, distinct valid names, any order: they are
 * checked — SVCQ_EINVAL, SVCQ_ELIMIT — and passed sorted by name). A store
 * without put2 stores the record without them. */
int svcq__store_put_terms(svcq_ctx *ctx, const char *kind, const char *id, uint64_t expected_revision,
                          const void *bytes, size_t size, const svcq_store_term *terms, size_t n_terms,
                          uint64_t *new_revision);
/* Visits the records of kind with an id above after (NULL: all) in byte
 * order of ids, at most limit (0: all). A version-1 store: every id is
 * collected by a full scan, sorted here, and each record read with get. */
int svcq__store_scan_range(svcq_ctx *ctx, const char *kind, const char *after, uint32_t limit,
                           svcq__store_visit_fn visit, void *user_data);

/* A term range query (see svcq_store_scan_term_fn): lo and hi inclusive,
 * NULL for open; after and after_id both set to page. */
typedef struct svcq__term_query {
    const char *name;
    int32_t type;
    const svcq_store_term *lo, *hi;
    const svcq_store_term *after;
    const char *after_id;
    uint32_t limit;
} svcq__term_query;

typedef int (*svcq__store_term_visit_fn)(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes,
                                         size_t size, const svcq_store_term *term, void *user_data);
/* Whether the context's store keeps index terms (put2 and scan_term). */
bool svcq__store_has_terms(svcq_ctx *ctx);
/* The store's scan_term, checked (order, range, limit, the term handed
 * back); SVCQ_ESTATE when the store has none. Modules use
 * svcq__record_scan_term, which falls back to a full scan. */
int svcq__store_scan_term(svcq_ctx *ctx, const char *kind, const svcq__term_query *q, svcq__store_term_visit_fn visit,
                          void *user_data);

/* ---- for the built-in stores -------------------------------------------- */

/* Records a detailed message for a failing store callback and returns
 * code; the layer then prefixes it with the callback's name. */
int svcq__store_fail(svcq_ctx *ctx, int code, const char *fmt, ...) SVCQ__PRINTF(3, 4);

/* The default in-memory store: fills *out with a fresh, empty store whose
 * destroy frees it. SVCQ_ENOMEM. */
int svcq__memstore_new(svcq_ctx *ctx, svcq_store_methods *out);

/* File store hooks for svcq_ctx_set_store: whether methods is a file
 * store's table, and taking ownership of it (refusing a store of another
 * context, or one a context already owns). */
bool svcq__fstore_is(const svcq_store_methods *methods);
int svcq__fstore_claim(svcq_ctx *ctx, const svcq_store_methods *methods);
/* Whether the file store behind methods was opened read-only. */
bool svcq__fstore_read_only(const svcq_store_methods *methods);

#endif
