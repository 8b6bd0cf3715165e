/* pg_store: a libsvcq store on PostgreSQL through libpq (an example a host
 * can copy; it uses only the public API of libsvcq).
 *
 * Records live in one table, their index terms in a side table, both in a
 * schema of their own (docs/storage.md, "Many application servers on one
 * PostgreSQL"):
 *
 *   <schema>.record (kind, id, revision, body bytea)   PRIMARY KEY (kind, id)
 *   <schema>.term   (kind, id, name, s, i)             one row per declared term,
 *                                                      indexed (kind, name, i|s, id)
 *   <schema>.revision                                  the sequence revisions come from
 *
 * One pg_store is one connection, used by one context (one thread) at a
 * time. Many processes or threads share a database by each opening their
 * own pg_store on the same schema: compare-and-swap on the revision keeps
 * them from overwriting each other, and the loser of a race gets
 * SVCQ_ECONFLICT (reload and retry).
 *
 * Errors: a serialization failure, a deadlock or a unique violation is
 * SVCQ_ECONFLICT; a lost connection SVCQ_EIO (the next transaction
 * reconnects); any other server error SVCQ_ESTORE. The server's message
 * ends svcq_ctx_errmsg() of the context given in the options (through
 * svcq_store_set_error()), is kept here (pg_store_errmsg()) and goes to the
 * optional logger. */
#ifndef PG_STORE_H
#define PG_STORE_H

#include <stdint.h>

#include <svcq.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pg_store pg_store;

/* Transaction isolation of the store's transactions. */
enum {
    PG_STORE_READ_COMMITTED = 0,  /* the default: a lost race shows as "no row" (SVCQ_ECONFLICT), the
                                     transaction stays usable */
    PG_STORE_REPEATABLE_READ = 1, /* a lost race is a serialization failure: SVCQ_ECONFLICT, and the
                                     transaction is lost (every later call of it and its commit fail) */
    PG_STORE_SERIALIZABLE = 2     /* as REPEATABLE_READ; conflicts may also surface at commit */
};

/* pg_store_options.flags: drop the schema with everything in it and create
 * it again (tests). */
#define PG_STORE_RESET 1u

typedef struct pg_store_options {
    const char *conninfo;  /* libpq connection string or URI; NULL or "": the PG* environment variables */
    const char *schema;    /* schema of the tables (created if missing); NULL: "svcq" */
    int isolation;         /* PG_STORE_READ_COMMITTED (0), PG_STORE_REPEATABLE_READ, PG_STORE_SERIALIZABLE */
    unsigned flags;        /* PG_STORE_RESET or 0 */
    svcq_log_fn log_fn;    /* optional: receives every server error (SVCQ_LOG_WARN) */
    void *log_user_data;
    svcq_ctx *ctx;         /* optional: the context the store will serve; its svcq_ctx_errmsg() then
                              ends with the server's message when a callback fails */
} pg_store_options;

/* Connects, makes the schema, its tables, indexes and sequence if they are
 * missing (under an advisory lock, so many servers may start at once) and
 * prepares the statements. On failure *out is NULL and, when msg is not
 * NULL, msg (msg_size bytes) receives the reason. Returns SVCQ_OK,
 * SVCQ_EINVAL (NULL out or opts, a bad isolation), SVCQ_EIO (no
 * connection, or the setup failed: the server's message), SVCQ_ENOMEM. */
int pg_store_open(pg_store **out, const pg_store_options *opts, char *msg, size_t msg_size);

/* Fills *out with the store's callback table, version 2 (put2, scan_range
 * and scan_term included). Its destroy closes the connection: hand the
 * table to svcq_ctx_set_store() and the context owns the store. */
int pg_store_methods(svcq_store_methods *out, pg_store *pg);

/* Closes a store no context owns (a refused svcq_ctx_set_store()). NULL is
 * a no-op. */
void pg_store_close(pg_store *pg);

/* The server's message of the store's last failure ("" when none). */
const char *pg_store_errmsg(const pg_store *pg);

/* How many callbacks answered SVCQ_ECONFLICT, and how many times the store
 * reconnected after a lost connection. */
uint64_t pg_store_conflicts(const pg_store *pg);
uint64_t pg_store_reconnects(const pg_store *pg);

/* The store's libpq connection (PGconn *), for the host's own statements
 * in the same transaction (between the library's begin and commit, e.g.
 * inside svcq_ctx_batch_begin() ... svcq_ctx_batch_commit()), or to look
 * at the prepared statements ("svcq_get", "svcq_term_i_lo_hi", ...). Do
 * not close it or leave a transaction open on it. */
struct pg_conn *pg_store_conn(pg_store *pg);

#ifdef __cplusplus
}
#endif

#endif
