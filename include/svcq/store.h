/**
 * @file svcq/store.h
 * @brief Persistence: the storage contract, the context's store, outer
 *        batches, and the built-in crash-safe file store.
 *
 * Every record the library persists goes through the one store of its
 * context. Records are `(kind, id) -> (revision, bytes)`:
 * - a @b kind is a short ASCII name: 1 to SVCQ_STORE_MAX_KIND bytes of
 *   `a`-`z`, `0`-`9` and `_`, starting with a letter (`incident`,
 *   `client`);
 * - an @b id is 1 to SVCQ_STORE_MAX_ID bytes of valid UTF-8 without
 *   control characters (U+0000-U+001F, U+007F);
 * - a @b revision is a non-zero uint64_t chosen by the store;
 * - the @b bytes are a JSON document (written and read by the library; a
 *   store never parses them) of at most SVCQ_STORE_MAX_VALUE bytes.
 *
 * Without further setup a context uses a fresh in-memory store (made on
 * first use). A host keeps the records in its own database by filling a
 * svcq_store_methods table and handing it to svcq_ctx_set_store(); a
 * program without a database uses the file store (svcq_store_file_open()).
 *
 * @par Transactions
 * Every library call that changes records runs in one store transaction:
 * begin, the reads and writes of the call, then commit, or rollback when
 * anything failed. When a call fails, the handles it was changing are
 * restored to their state before the call. svcq_ctx_batch_begin() lets the
 * host group many calls in one transaction.
 *
 * @par The callback contract (what a host store must do)
 * - The library calls @c begin, then any number of @c get, @c put,
 *   @c remove and @c scan, then exactly one of @c commit or @c rollback. It
 *   never nests @c begin. @c get and @c scan may also be called outside a
 *   transaction and then see committed data; inside one they see its
 *   uncommitted writes. @c put and @c remove are only called inside one.
 * - Compare-and-swap: @c put and @c remove take the revision the library
 *   last saw. If the stored revision differs (for @c put, 0 means "must not
 *   exist yet"), the callback changes nothing and returns SVCQ_ECONFLICT.
 *   @c remove of an absent record returns SVCQ_ENOTFOUND. This is what keeps
 *   two application servers sharing one database from silently overwriting
 *   each other.
 * - @c put returns a new non-zero revision that was never handed out
 *   before for the same (kind, id) over the store's whole life — not after
 *   the record was removed and created again, not after a rollback, not
 *   after the store was closed and opened again (gaps are fine). A handle
 *   keeps the revision it last saw, also one written by a transaction that
 *   was then rolled back; if that revision came back, the stale handle
 *   would win a compare-and-swap and silently overwrite another update.
 *   Use a counter that never goes back: a database sequence (a PostgreSQL
 *   sequence is not rolled back), not a per-row version that restarts at 1,
 *   not MAX(revision) + 1, and not a counter row updated inside the
 *   transaction (a rollback takes it back). The conformance suite
 *   (docs/storage.md) checks this.
 * - Returning SVCQ_ECONFLICT or SVCQ_ENOTFOUND must leave the transaction
 *   usable (on PostgreSQL, test the row count of a conditional statement or
 *   use a savepoint; do not let a statement fail). Any other failure tells
 *   the library the transaction is lost: it rolls back.
 * - A failing @c commit must have applied nothing; the library then calls
 *   @c rollback, which returns 0 if the transaction is already gone. A
 *   store that checks compare-and-swap only at commit (a shared file
 *   store's session, a database's serialization failure) returns
 *   SVCQ_ECONFLICT from @c commit; the caller gets it as it is.
 * - Callbacks are called on the thread that is using the context, must not
 *   call back into the library with the same context (but for
 *   svcq_store_set_error()), and must return 0 on
 *   success. Strings and byte pointers passed to a callback are valid only
 *   during that call.
 *
 * @par How callback failures are reported
 * SVCQ_ECONFLICT (from @c put, @c remove and @c commit — a serializable
 * database reports a conflict at commit; the commit applied nothing) and
 * SVCQ_ENOTFOUND (from @c get and @c remove) mean what they say and are
 * returned as they are.
 * A code returned by the library's own visitor is passed back unchanged.
 * SVCQ_ENOMEM, SVCQ_EIO, SVCQ_EBUSY, SVCQ_ECORRUPT and SVCQ_ELIMIT are
 * returned as they are as well. Every other non-zero value (other codes,
 * positive values, codes this library does not know) becomes SVCQ_ESTORE.
 * In each case svcq_ctx_errmsg() names the callback, the kind and id, and
 * the value the callback returned, or the callback's own reason when it
 * gave one with svcq_store_set_error().
 */
#ifndef SVCQ_STORE_H
#define SVCQ_STORE_H

#include "common.h"
#include "context.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest kind, in bytes. */
#define SVCQ_STORE_MAX_KIND 32
/** Longest id, in bytes of UTF-8. */
#define SVCQ_STORE_MAX_ID 512
/** Largest record value, in bytes (64 MiB). */
#define SVCQ_STORE_MAX_VALUE (64u * 1024u * 1024u)

/** Which limit svcq_store_limit() reports. */
typedef enum svcq_store_limit_id {
    SVCQ_STORE_LIMIT_KIND = 1,  /**< SVCQ_STORE_MAX_KIND */
    SVCQ_STORE_LIMIT_ID = 2,    /**< SVCQ_STORE_MAX_ID */
    SVCQ_STORE_LIMIT_VALUE = 3  /**< SVCQ_STORE_MAX_VALUE */
} svcq_store_limit_id;

/**
 * @brief The value of a storage limit, for bindings that cannot read macros.
 * @param which a svcq_store_limit_id.
 * @return the limit in bytes; 0 for an unknown @p which.
 * @since 0.1
 */
SVCQ_API uint64_t svcq_store_limit(int32_t which);

/**
 * Receives one record from a store. The library passes its own visitor to
 * @c get and @c scan; the store calls it with the record's id, revision and
 * bytes (@p bytes may be NULL when @p size is 0). Everything is borrowed for
 * the duration of the call: the library copies what it keeps. A non-zero
 * return stops a scan; the store must then return that value unchanged.
 */
typedef int (*svcq_store_visit_fn)(const char *id, uint64_t revision, const void *bytes, size_t size,
                                   void *visit_user_data);

/** Opens a transaction. */
typedef int (*svcq_store_begin_fn)(void *user_data);
/** Makes the open transaction durable (as the store defines it) and ends it. */
typedef int (*svcq_store_commit_fn)(void *user_data);
/** Discards every change of the open transaction and ends it. */
typedef int (*svcq_store_rollback_fn)(void *user_data);
/**
 * Reads one record. If it exists, calls @p visit exactly once with it and
 * returns what @p visit returned; otherwise returns SVCQ_ENOTFOUND without
 * calling @p visit.
 */
typedef int (*svcq_store_get_fn)(const char *kind, const char *id, svcq_store_visit_fn visit,
                                 void *visit_user_data, void *user_data);
/**
 * Creates (@p expected_revision 0) or replaces (@p expected_revision equal
 * to the stored one) a record with @p size bytes at @p bytes (NULL when
 * @p size is 0), and stores its new revision in @p *new_revision. A
 * different stored revision: SVCQ_ECONFLICT, nothing changed.
 */
typedef int (*svcq_store_put_fn)(const char *kind, const char *id, uint64_t expected_revision,
                                 const void *bytes, size_t size, uint64_t *new_revision,
                                 void *user_data);
/**
 * Removes a record whose stored revision is @p expected_revision (never 0).
 * Absent: SVCQ_ENOTFOUND; another revision: SVCQ_ECONFLICT; nothing changed.
 */
typedef int (*svcq_store_remove_fn)(const char *kind, const char *id, uint64_t expected_revision,
                                    void *user_data);
/**
 * Calls @p visit once for every record of @p kind, in any order (the
 * library does not rely on one), and returns 0, or the first non-zero value
 * @p visit returned (stopping there). An unknown kind has no records.
 */
typedef int (*svcq_store_scan_fn)(const char *kind, svcq_store_visit_fn visit, void *visit_user_data,
                                  void *user_data);
/** Releases the store; called once, when the context lets go of it. */
typedef void (*svcq_store_destroy_fn)(void *user_data);

/* ---- version 2: ordered scans and index terms ---------------------------- */

/** Most index terms one record declares. */
#define SVCQ_STORE_MAX_TERMS 8
/** Longest term name, in bytes (same syntax as a kind). */
#define SVCQ_STORE_MAX_TERM_NAME 32
/** Longest string term value, in bytes of UTF-8. */
#define SVCQ_STORE_MAX_TERM_VALUE 256

/** Type of an index term's value. */
typedef enum svcq_store_term_type {
    SVCQ_STORE_TERM_STRING = 1, /**< UTF-8 text, ordered by its bytes (memcmp; SQL `COLLATE "C"`) */
    SVCQ_STORE_TERM_INT64 = 2   /**< signed 64-bit integer, ordered numerically */
} svcq_store_term_type;

/**
 * @brief The static lowercase name of a svcq_store_term_type ("string",
 *        "int64").
 * @param type a svcq_store_term_type.
 * @return the name, or NULL for an unknown value.
 * @since 0.2
 */
SVCQ_API const char *svcq_store_term_type_name(int32_t type);

/**
 * One index term of a record: a typed key the record declares when it is
 * written (version 2 @c put2), so that a store can keep it as an indexed
 * column and answer @c scan_term range queries.
 *
 * - @c name: 1 to SVCQ_STORE_MAX_TERM_NAME bytes of `a`-`z`, `0`-`9` and
 *   `_`, starting with a letter. The names the library declares are listed
 *   in docs/storage.md (for instance `state` and `next_notice` of kind
 *   `sla_clock`); a record has at most one value per name.
 * - @c type: a svcq_store_term_type.
 * - @c s: for SVCQ_STORE_TERM_STRING, 0 to SVCQ_STORE_MAX_TERM_VALUE bytes
 *   of UTF-8 without control characters, NUL-terminated; NULL otherwise.
 * - @c i: for SVCQ_STORE_TERM_INT64, the value; 0 otherwise.
 *
 * Everything is borrowed for the duration of the callback it is passed to.
 * Initialise with SVCQ_STORE_TERM_INIT or svcq_store_term_init().
 *
 * Version history: 1 — the fields below (0.2).
 */
typedef struct svcq_store_term {
    uint32_t version;   /**< SVCQ_STORE_TERM_VERSION */
    int32_t type;       /**< svcq_store_term_type */
    const char *name;   /**< term name */
    const char *s;      /**< string value (STRING), else NULL */
    int64_t i;          /**< integer value (INT64), else 0 */
    uint64_t reserved[2]; /**< room for later versions; zero */
} svcq_store_term;

/** The term-table version this header describes. */
#define SVCQ_STORE_TERM_VERSION 1

/** Static initialiser equal to svcq_store_term_init(&t, SVCQ_STORE_TERM_VERSION). */
#define SVCQ_STORE_TERM_INIT { SVCQ_STORE_TERM_VERSION, 0, NULL, NULL, 0, { 0 } }

/**
 * @brief Fills @p term with an empty term of version @p version (for hosts
 *        and bindings that build terms, e.g. in tests; the library builds
 *        the ones it passes to a store).
 * @param term    the table to fill; every byte is written.
 * @param version SVCQ_STORE_TERM_VERSION of the caller's header.
 * @return SVCQ_OK; SVCQ_EINVAL if @p term is NULL; SVCQ_EVERSION if
 *         @p version is 0 or newer than this library knows.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_store_term_init(svcq_store_term *term, uint32_t version);

/**
 * Version 2. Receives one record of a term scan: like svcq_store_visit_fn,
 * plus @p term, the record's value of the scanned term (borrowed for the
 * call). A non-zero return stops the scan; the store must then return that
 * value unchanged.
 */
typedef int (*svcq_store_term_visit_fn)(const char *id, uint64_t revision, const void *bytes, size_t size,
                                        const svcq_store_term *term, void *visit_user_data);

/**
 * Version 2. The same as @c put, and the record's index terms become
 * exactly the @p n_terms terms at @p terms (0: none; @p terms may then be
 * NULL): terms the previous revision declared and this one does not are
 * gone. The library passes at most SVCQ_STORE_MAX_TERMS valid terms with
 * distinct names, sorted by name. Terms follow the transaction like the
 * record: a rollback takes them back, a remove removes them. When the
 * table has @c put2 the library never calls @c put.
 */
typedef int (*svcq_store_put2_fn)(const char *kind, const char *id, uint64_t expected_revision,
                                  const void *bytes, size_t size, const svcq_store_term *terms,
                                  size_t n_terms, uint64_t *new_revision, void *user_data);

/**
 * Version 2. Calls @p visit for the records of @p kind whose id is greater
 * than @p after_id (NULL: from the first), in ascending byte order of the
 * ids (memcmp of the UTF-8 bytes, a shorter id before its extensions; SQL
 * `ORDER BY id COLLATE "C"`), at most @p limit of them (0: no limit).
 * Returns 0, or the first non-zero value @p visit returned (stopping
 * there). The library pages with the last id it saw as the next
 * @p after_id. Sees the transaction's own writes, like @c scan.
 */
typedef int (*svcq_store_scan_range_fn)(const char *kind, const char *after_id, uint32_t limit,
                                        svcq_store_visit_fn visit, void *visit_user_data, void *user_data);

/**
 * Version 2. Calls @p visit for the records of @p kind that declare the
 * term @p name with type @p type and a value in [@p lo, @p hi] (inclusive;
 * NULL: unbounded on that side; only the value field of @p type is read),
 * in ascending order of (value, id) — values as svcq_store_term_type
 * orders them, ids as in @c scan_range — starting strictly after
 * (@p after value, @p after_id) when both are given (both are NULL
 * otherwise), at most @p limit records (0: no limit). Records that declare
 * no such term, or one of another type, are not visited. Returns 0, or
 * the first non-zero value @p visit returned (stopping there). Sees the
 * transaction's own writes.
 */
typedef int (*svcq_store_scan_term_fn)(const char *kind, const char *name, int32_t type,
                                       const svcq_store_term *lo, const svcq_store_term *hi,
                                       const svcq_store_term *after, const char *after_id, uint32_t limit,
                                       svcq_store_term_visit_fn visit, void *visit_user_data, void *user_data);

/** The callback table version this header describes. */
#define SVCQ_STORE_METHODS_VERSION 2

/**
 * A store as a table of callbacks. Initialise with SVCQ_STORE_METHODS_INIT
 * or svcq_store_methods_init(), then set @c user_data and the callbacks.
 * Every version-1 callback is required except @c destroy.
 *
 * The size of this table never changes: a later version puts its new
 * callbacks in the @c reserved slots, which a table of an older version
 * leaves NULL, and the library calls such a callback only when the table's
 * version says it is there and it is not NULL.
 *
 * The version-2 callbacks are optional: @c scan_range on its own, @c put2
 * and @c scan_term together (both or neither). Without them the library
 * does the same work itself, in memory, from full @c scan calls: correct,
 * but every ordered or term query then reads the whole kind.
 *
 * Version history: 1 — the fields up to @c destroy (0.1). 2 — @c put2,
 * @c scan_range and @c scan_term in the first three reserved slots (0.2).
 */
typedef struct svcq_store_methods {
    uint32_t version;                 /**< SVCQ_STORE_METHODS_VERSION */
    uint32_t reserved0;               /**< must be zero */
    void *user_data;                  /**< passed last to every callback */
    svcq_store_begin_fn begin;        /**< required */
    svcq_store_commit_fn commit;      /**< required */
    svcq_store_rollback_fn rollback;  /**< required */
    svcq_store_get_fn get;            /**< required */
    svcq_store_put_fn put;            /**< required */
    svcq_store_remove_fn remove;      /**< required */
    svcq_store_scan_fn scan;          /**< required */
    svcq_store_destroy_fn destroy;    /**< optional: NULL when nothing is to be released */
    svcq_store_put2_fn put2;          /**< version 2, optional (with @c scan_term) */
    svcq_store_scan_range_fn scan_range; /**< version 2, optional */
    svcq_store_scan_term_fn scan_term; /**< version 2, optional (with @c put2) */
    void *reserved[5];                /**< room for later versions; must be NULL */
} svcq_store_methods;

/** Static initialiser equal to svcq_store_methods_init(&m, SVCQ_STORE_METHODS_VERSION). */
#define SVCQ_STORE_METHODS_INIT { SVCQ_STORE_METHODS_VERSION, 0, NULL, NULL, NULL, NULL, NULL, \
                                  NULL, NULL, NULL, NULL, NULL, NULL, NULL, { NULL } }

/**
 * @brief Fills @p methods with an empty table of version @p version.
 * @param methods the table to fill; every byte is written.
 * @param version SVCQ_STORE_METHODS_VERSION of the caller's header.
 * @return SVCQ_OK; SVCQ_EINVAL if @p methods is NULL; SVCQ_EVERSION if
 *         @p version is 0 or newer than this library knows.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_store_methods_init(svcq_store_methods *methods, uint32_t version);

/**
 * @brief Makes @p methods the store of @p ctx.
 *
 * The table is copied; @p methods is read during the call only. On success
 * the context owns the store: it calls @c destroy(user_data) when the store
 * is replaced by another call of this function or when the context is
 * freed. The store that was in place before is destroyed now (the default
 * memory store with every record in it). On failure nothing changes and
 * nothing is called: the store still belongs to the caller.
 *
 * Set the store right after creating the context, before making handles:
 * handles remember the revisions of the store they were loaded from.
 *
 * @param ctx     the context.
 * @param methods the store; NULL goes back to a fresh, empty memory store.
 * @return SVCQ_OK; SVCQ_EINVAL for a NULL @p ctx, a missing required
 *         callback, non-zero reserved fields (for a version-1 table: the
 *         slots version 2 uses count as reserved), @c put2 without
 *         @c scan_term or the reverse, or a file store opened
 *         with another context (a file store belongs to the context it was
 *         opened with: it allocates through it and reports on it), or a
 *         session (svcq_store_file_attach()) made for another context;
 *         SVCQ_EVERSION for a version this library does not know;
 *         SVCQ_ESTATE while a batch or a transaction is open; SVCQ_EBUSY
 *         for a file store (or session) this context already owns, or a
 *         file store shared by sessions; SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_ctx_set_store(svcq_ctx *ctx, const svcq_store_methods *methods);

/**
 * @brief Gives the library a failing store callback's own reason, for
 *        svcq_ctx_errmsg().
 *
 * Without it the context's message says which callback failed and what
 * code it returned ("store put(incident, INC-7): input/output error"). A
 * store that keeps the context it serves (one context per thread) calls
 * this just before returning the failure, and its text takes the place of
 * the code's description: `return svcq_store_set_error(ctx, SVCQ_EIO,
 * PQerrorMessage(conn));` gives "store put(incident, INC-7): server closed
 * the connection unexpectedly". It is the one library function a callback
 * may call with the context it serves. Called outside a callback (say,
 * while the host opens its store), the text becomes the context's message
 * as it is.
 *
 * The text is made one line of UTF-8: line breaks and other control
 * characters become one space, trailing spaces are cut, bytes that are not
 * UTF-8 become '?', and it is cut at a character boundary to fit the
 * message buffer. The code is not changed or checked here: what the library
 * makes of it is said under "How callback failures are reported" above.
 *
 * @param ctx     the context the store serves; NULL does nothing.
 * @param code    the code the callback is about to return.
 * @param message the reason, UTF-8, copied; NULL or "": the description of
 *                @p code (svcq_strerror()).
 * @return @p code, so that a callback can return the call's value.
 * @since 0.2
 */
SVCQ_API int svcq_store_set_error(svcq_ctx *ctx, int code, const char *message);

/**
 * @brief Opens an outer batch: the library calls that follow on @p ctx run
 *        in one store transaction until svcq_ctx_batch_commit() or
 *        svcq_ctx_batch_rollback().
 *
 * Inside a batch each call still either succeeds or fails as a whole: a
 * failing call restores the handles it was changing and returns its error.
 * If the failing call had already written to the store (or the store
 * reported the transaction lost), the store cannot take back only that
 * call's writes: the batch is then @e aborted — later calls in it fail with
 * SVCQ_ESTATE and the batch can only end in a rollback.
 *
 * Batches do not nest. A rollback restores the handles changed inside the
 * batch that are still alive; a handle freed before the batch ends is left
 * alone (its pending changes are forgotten), so handles may be freed at any
 * time.
 *
 * @param ctx the context.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ESTATE if a batch is already
 *         open; SVCQ_ENOMEM when the default memory store could not be
 *         made; or how the store's @c begin failed (see the file comment).
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_ctx_batch_begin(svcq_ctx *ctx);

/**
 * @brief Commits the open batch. The batch ends whatever the result.
 *
 * On success every change made in the batch is committed. On failure
 * nothing of it is: the store transaction is rolled back and every handle
 * changed in the batch is restored to its state before
 * svcq_ctx_batch_begin().
 *
 * @param ctx the context.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ESTATE if no batch is open,
 *         or if the batch was aborted by a failed call (it is rolled back);
 *         or how the store's @c commit failed (see the file comment).
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_ctx_batch_commit(svcq_ctx *ctx);

/**
 * @brief Rolls back the open batch: nothing of it is stored and every
 *        handle changed in it is restored to its state before
 *        svcq_ctx_batch_begin(). The batch ends whatever the result.
 * @param ctx the context.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ESTATE if no batch is open;
 *         or how the store's @c rollback failed (the handles are restored
 *         all the same).
 * @since 0.1
 */
SVCQ_API int svcq_ctx_batch_rollback(svcq_ctx *ctx);

/* ---- the file store ---------------------------------------------------- */

/** Opaque file store: one journal file, its lock and its in-memory index. */
typedef struct svcq_store_file svcq_store_file;

/** When the file store makes commits durable. */
typedef enum svcq_store_durability {
    /** fdatasync() before each commit returns: a returned commit survives
     *  a power loss. The default. */
    SVCQ_STORE_SYNC_FULL = 1,
    /** Group commit: a commit is written at once but synced only every
     *  @c group_commit_ms milliseconds or @c group_commit_tx transactions,
     *  whichever comes first (checked at each commit), and by
     *  svcq_store_file_sync() and svcq_store_file_close(). A power loss may
     *  lose the transactions since the last sync, never part of one. */
    SVCQ_STORE_SYNC_GROUP = 2,
    /** Never synced (the operating system writes when it likes); a crash of
     *  the process loses nothing, a power loss may lose recent
     *  transactions, never part of one. */
    SVCQ_STORE_SYNC_NONE = 3
} svcq_store_durability;

/** svcq_store_file_options.flags: fail with SVCQ_ENOTFOUND instead of
 *  creating a missing file. */
#define SVCQ_STORE_FILE_NO_CREATE 1u
/** svcq_store_file_options.flags: open read-only, next to the writer (a
 *  reporting process): see svcq_store_file_open(). @since 0.2 */
#define SVCQ_STORE_FILE_READ_ONLY 2u

/** The file store options version this header describes. */
#define SVCQ_STORE_FILE_OPTIONS_VERSION 1

/**
 * Options for svcq_store_file_open(). Initialise with
 * SVCQ_STORE_FILE_OPTIONS_INIT or svcq_store_file_options_init().
 *
 * Version history: 1 — the fields below (0.1).
 */
typedef struct svcq_store_file_options {
    uint32_t version;          /**< SVCQ_STORE_FILE_OPTIONS_VERSION */
    uint32_t reserved0;        /**< must be zero */
    int32_t durability;        /**< a svcq_store_durability; default SVCQ_STORE_SYNC_FULL */
    uint32_t flags;            /**< SVCQ_STORE_FILE_NO_CREATE, SVCQ_STORE_FILE_READ_ONLY, or 0 */
    uint32_t group_commit_ms;  /**< group mode: sync when this many ms have passed since the last sync (default 100; 0: never by time) */
    uint32_t group_commit_tx;  /**< group mode: sync after this many unsynced transactions (default 1000; 0: never by count) */
    uint64_t reserved[6];      /**< room for later versions; must be zero */
} svcq_store_file_options;

/** Static initialiser equal to svcq_store_file_options_init(&o, SVCQ_STORE_FILE_OPTIONS_VERSION). */
#define SVCQ_STORE_FILE_OPTIONS_INIT { SVCQ_STORE_FILE_OPTIONS_VERSION, 0, SVCQ_STORE_SYNC_FULL, 0, \
                                       100, 1000, { 0 } }

/**
 * @brief Fills @p opts with the defaults of options version @p version.
 * @param opts    the table to fill; every byte is written.
 * @param version SVCQ_STORE_FILE_OPTIONS_VERSION of the caller's header.
 * @return SVCQ_OK; SVCQ_EINVAL if @p opts is NULL; SVCQ_EVERSION if
 *         @p version is 0 or newer than this library knows.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_store_file_options_init(svcq_store_file_options *opts, uint32_t version);

/**
 * @brief Opens (or creates) a journal file and recovers its records.
 *
 * Takes an exclusive advisory lock on the file for as long as the store is
 * open, so a second open of the same file — from this process or another —
 * fails with SVCQ_EBUSY instead of corrupting it. Recovery keeps every
 * transaction committed wholly and drops a torn or damaged tail (a crash in
 * the middle of a write, or damaged bytes, and everything after them): the
 * file is cut back to the end of the last good commit, with a warning
 * through the context's logger saying how many bytes were dropped. The
 * journal format is documented in docs/format.md.
 *
 * @par Read-only
 * With SVCQ_STORE_FILE_READ_ONLY the file is opened read-only and no lock
 * is taken, so the store opens next to a writer that holds the file, in
 * this process or another (on systems without open file description
 * locks — Linux has them — keep readers in other processes: closing a
 * reader in the writer's process would drop the writer's lock). It sees
 * every transaction committed before the open, and later ones after
 * svcq_store_file_refresh(). It never writes, truncates or repairs the
 * file: a torn or damaged tail (or a commit the writer is writing right
 * now) is ignored, not cut. The file must exist (SVCQ_ENOTFOUND
 * otherwise); @c durability and the group fields are checked but unused.
 * Writes through it fail with SVCQ_ESTATE ("... is open read-only"): a
 * library call that saves, svcq_store_file_compact(). Reads, transactions
 * without writes and svcq_ctx_batch_begin() work as usual.
 *
 * The store allocates through @p ctx's allocator and reports errors on
 * @p ctx; @p ctx must outlive it. Like its context, it is used by one
 * thread at a time — unless it is shared: svcq_store_file_attach() gives
 * each of several contexts (threads) a session of it. Attach it to the
 * context with svcq_store_file_methods() and svcq_ctx_set_store(), which
 * hands the store to the context; or close it yourself with
 * svcq_store_file_close().
 *
 * @param out  receives the store; NULL on failure.
 * @param ctx  the context.
 * @param path the journal's path, UTF-8, copied. A temporary file
 *             `path.compact` is used during compaction.
 * @param opts options, or NULL for the defaults; read during the call only.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments, invalid UTF-8, bad
 *         options or non-zero reserved fields; SVCQ_EVERSION for an
 *         options version this library does not know, or a journal written
 *         by a newer format; SVCQ_ENOTFOUND for a missing file with
 *         SVCQ_STORE_FILE_NO_CREATE; SVCQ_EBUSY if the file is locked by
 *         another open store; SVCQ_ECORRUPT if the file is not a journal (a
 *         damaged or foreign header: the file is left untouched);
 *         SVCQ_EIO when a system call fails (the message has the errno
 *         text); SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_store_file_open(svcq_store_file **out, svcq_ctx *ctx, const char *path,
                                                 const svcq_store_file_options *opts);

/**
 * @brief Fills @p out with the callback table of @p fs.
 *
 * The table's @c destroy closes the store: pass the table to
 * svcq_ctx_set_store() and the context owns the store from then on (keep
 * the @p fs pointer to call svcq_store_file_compact() and friends; it stays
 * valid until the context lets go of the store). The table may also be
 * wrapped by a host store that forwards to it; such a wrapper must be
 * installed on the context the file store was opened with (the library
 * cannot see through it to refuse another context).
 *
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_store_file_methods(svcq_store_methods *out, svcq_store_file *fs);

/**
 * @brief Makes a session of @p fs for @p ctx: one file store shared by
 *        several contexts of this process, one context per thread.
 *
 * The store is opened once (svcq_store_file_open(), with a context of its
 * own) and each thread's context gets a session over it: fill a table with
 * this function and hand it to svcq_ctx_set_store(ctx, &methods). The
 * shared store is the one documented exception to "handles never cross
 * contexts": it has its own lock, and its sessions run in parallel.
 *
 * - @b Isolation. A session's transaction is its own: its writes are
 *   buffered in the session, invisible to the others until its commit; its
 *   reads see the committed records plus its own writes.
 * - @b Version 2. The table has @c put2, @c scan_range and @c scan_term:
 *   the commit puts a session's index terms into the shared index, and
 *   its ordered scans merge the committed records with its own writes.
 * - @b Conflicts. @c put and @c remove check the revision against what the
 *   session sees, and the commit checks every record written again, under
 *   the store's lock, against the revisions committed meanwhile: of two
 *   sessions racing on one record one commits and the other's commit fails
 *   with SVCQ_ECONFLICT, applying nothing (the library's undo then restores
 *   its handles, and the caller reloads and retries).
 * - @b Durability. With SVCQ_STORE_SYNC_FULL each commit returns once its
 *   own data is durable, and commits that arrive together share one
 *   @c fdatasync (group commit). A commit becomes visible to other
 *   sessions when it is written, just before that sync. If the sync fails,
 *   every commit it covered fails with its SVCQ_EIO and is taken back, and
 *   the store refuses writes until it is reopened. SVCQ_STORE_SYNC_GROUP
 *   and SVCQ_STORE_SYNC_NONE behave as for one context (in group mode the
 *   commit that finds a sync due syncs the earlier commits before writing
 *   its own).
 * - @b Ownership. The session belongs to @p out until it is handed to
 *   svcq_ctx_set_store(); the context then detaches it when it lets go of
 *   its store (svcq_ctx_free(), another store). A table never handed over
 *   is released with @c out->destroy(out->user_data). The store stays
 *   with the host: svcq_store_file_close() refuses it with SVCQ_EBUSY while
 *   sessions are attached, so free the contexts first, then close it. A
 *   shared store is never handed to a context itself
 *   (svcq_store_file_methods() + svcq_ctx_set_store() refuse it while
 *   sessions are attached, and this function refuses a store a context
 *   owns).
 * - @b Threads. Each session is used by its context's thread. The store
 *   allocates its shared index through the context it was opened with,
 *   under its lock, from any session's thread: that context's allocator
 *   must be thread-safe (the default one is). svcq_store_file_compact(),
 *   svcq_store_file_sync(), svcq_store_file_stats_get() and
 *   svcq_store_file_close() may be called from any one thread at a time;
 *   they report errors on the store's context.
 * A read-only store is not shared: open one per context.
 *
 * @param out the table to fill; every byte is written on success.
 * @param fs  the store (opened writable, not owned by a context).
 * @param ctx the context the session is for (it reports the session's
 *            errors and allocates its buffers); another context's
 *            svcq_ctx_set_store() refuses the table with SVCQ_EINVAL.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL arguments or a read-only store;
 *         SVCQ_ESTATE if a context owns @p fs; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_store_file_attach(svcq_store_methods *out, svcq_store_file *fs, svcq_ctx *ctx);

/**
 * @brief Rewrites the journal with only the live records: writes them to
 *        `path.compact`, syncs it, renames it over the journal and syncs
 *        the directory. The lock is kept throughout.
 *
 * A crash at any moment leaves either the old or the new journal, both
 * complete. On failure the store goes on with the old journal.
 *
 * @param fs the store.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ESTATE inside a transaction;
 *         SVCQ_EIO (a failed directory sync after the rename is reported
 *         too, though the store then already runs on the new journal);
 *         SVCQ_ECORRUPT if a record no longer reads back intact;
 *         SVCQ_ENOMEM.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_store_file_compact(svcq_store_file *fs);

/**
 * @brief Syncs the transactions committed but not yet synced (group and
 *        none modes); does nothing when there are none.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EIO (the store then refuses
 *         further writes: reopen it).
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_store_file_sync(svcq_store_file *fs);

/**
 * @brief Makes a read-only store see the transactions committed since it
 *        was opened or last refreshed.
 *
 * Reads the commits the writer appended since; when the path names
 * another file than the one read so far (the writer compacted the journal,
 * which renames a new file over it), reads that file whole instead — until
 * then the store keeps reading its old file, an unchanging snapshot. All or
 * nothing: on failure the store still shows exactly what it showed before.
 * Handles loaded before keep the revisions they saw; a save through them
 * would conflict, as with any other writer.
 *
 * @param fs the store.
 * @return SVCQ_OK (also for a store that writes: it sees every commit
 *         already, nothing is done); SVCQ_EINVAL for NULL; SVCQ_ESTATE
 *         inside a transaction (a batch of the owning context, say);
 *         SVCQ_ENOTFOUND if the file no longer exists; SVCQ_ECORRUPT or
 *         SVCQ_EVERSION if the path now names a file that is not a journal
 *         this library reads; SVCQ_EIO; SVCQ_ENOMEM.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_store_file_refresh(svcq_store_file *fs);

/** The statistics version this header describes. */
#define SVCQ_STORE_FILE_STATS_VERSION 1

/**
 * Figures of an open file store, filled by svcq_store_file_stats_get().
 * Set @c version (SVCQ_STORE_FILE_STATS_INIT or svcq_store_file_stats_init()
 * do) before the call.
 *
 * Version history: 1 — the fields below (0.1).
 */
typedef struct svcq_store_file_stats {
    uint32_t version;                 /**< SVCQ_STORE_FILE_STATS_VERSION, set by the caller */
    uint32_t reserved0;
    uint64_t file_bytes;              /**< size of the journal up to its last commit (the file may be longer by zeros reserved for the next commits) */
    uint64_t live_bytes;              /**< size a compaction would leave */
    uint64_t records;                 /**< live records */
    uint64_t transactions;            /**< sequence number of the last commit */
    uint64_t unsynced_transactions;   /**< committed but not yet synced */
    uint64_t recovered_dropped_bytes; /**< bytes of torn or damaged tail dropped at open */
    uint64_t reserved[4];
} svcq_store_file_stats;

/**
 * Called by svcq_store_file_kinds() once per kind: its name and its number
 * of records (both valid during the call). Returns 0 to go on; anything
 * else stops the walk (svcq/common.h's rule for callbacks).
 */
typedef int (*svcq_store_kind_fn)(const char *kind, uint64_t records, void *user_data);

/**
 * @brief Lists the kinds that have records, in byte order of their names,
 *        with their record counts: what a tool inspecting a store needs
 *        before it scans a kind (the svcq tool's `store info`).
 *
 * The counts are a snapshot taken under the store's lock (the open
 * transaction's writes included); @p visit runs after it, without the
 * lock, and may use the store.
 * @param fs        the store.
 * @param visit     called per kind.
 * @param user_data passed to @p visit.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_ENOMEM; what @p visit
 *         returned to stop.
 * @since 0.2
 */
SVCQ_API SVCQ_NODISCARD int svcq_store_file_kinds(svcq_store_file *fs, svcq_store_kind_fn visit, void *user_data);

/** Static initialiser equal to svcq_store_file_stats_init(&s, SVCQ_STORE_FILE_STATS_VERSION). */
#define SVCQ_STORE_FILE_STATS_INIT { SVCQ_STORE_FILE_STATS_VERSION, 0, 0, 0, 0, 0, 0, 0, { 0 } }

/**
 * @brief Prepares @p stats for svcq_store_file_stats_get(): version set,
 *        everything else zero.
 * @param stats   the table to fill; every byte is written.
 * @param version SVCQ_STORE_FILE_STATS_VERSION of the caller's header.
 * @return SVCQ_OK; SVCQ_EINVAL if @p stats is NULL; SVCQ_EVERSION if
 *         @p version is 0 or newer than this library knows.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_store_file_stats_init(svcq_store_file_stats *stats, uint32_t version);

/**
 * @brief Reports figures of @p fs, for instance to decide when to compact
 *        (when @c file_bytes is much larger than @c live_bytes).
 *
 * Changed in 0.2: the output comes first, like every other function
 * (it was (fs, out) in 0.1).
 *
 * @param out the figures; @c out->version must be set, and only the fields
 *            of that version are written.
 * @param fs  the store.
 * @return SVCQ_OK; SVCQ_EINVAL for NULL; SVCQ_EVERSION for an unknown
 *         @c out->version.
 * @since 0.1
 */
SVCQ_API SVCQ_NODISCARD int svcq_store_file_stats_get(svcq_store_file_stats *out, const svcq_store_file *fs);

/**
 * @brief Closes a file store that no context owns: syncs pending
 *        transactions (group mode), releases the lock and frees it.
 *
 * A store handed to a context with svcq_ctx_set_store() is closed by the
 * context instead: this function refuses it with SVCQ_ESTATE and leaves it
 * alone. A transaction still open is rolled back. When transactions rolled
 * back since the last commit handed out revisions, the revision
 * high-water mark is written first (an empty commit), so a reopen never
 * hands them out again. A read-only store is simply closed.
 *
 * @param fs the store; NULL is a no-op.
 * @return SVCQ_OK; SVCQ_ESTATE if a context owns the store (nothing is
 *         done); SVCQ_EBUSY while sessions are attached
 *         (svcq_store_file_attach(); nothing is done); SVCQ_EIO if writing the mark or the final sync failed (the
 *         store is closed and freed all the same).
 * @since 0.1
 */
SVCQ_API int svcq_store_file_close(svcq_store_file *fs);

#ifdef __cplusplus
}
#endif

#endif
