/* pg_store: a libsvcq store on PostgreSQL (see pg_store.h and
 * docs/storage.md). Every statement is prepared once per connection; rows
 * come back in binary (bytea as raw bytes, bigint as 8 big-endian bytes)
 * and one at a time (single-row mode), so a scan of a large kind never
 * holds the whole kind in memory.
 *
 * Compare-and-swap without failing statements (the storage contract asks a
 * conflict to leave the transaction usable):
 *   create:  INSERT ... ON CONFLICT DO NOTHING RETURNING revision   no row: conflict
 *   replace: UPDATE ... WHERE revision = $n RETURNING revision      no row: conflict
 *   remove:  DELETE ... WHERE revision = $n, and whether the row existed
 * Under READ COMMITTED a writer that races another waits for the other's
 * row lock, then re-reads the row: the revision moved, no row, conflict.
 * Revisions come from a sequence, which a rollback never takes back. */
#include "pg_store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

/* The prepared statements (named "svcq_<name>" on the connection). */
enum {
    ST_GET,
    ST_INSERT,
    ST_UPDATE,
    ST_REMOVE,
    ST_TERMS_DROP,
    ST_TERM_ADD,
    ST_SCAN,
    ST_RANGE_FIRST,
    ST_RANGE_AFTER,
    ST_TERM0, /* 16 term scans: (type int64 | string) x (lo?) x (hi?) x (after?) */
    ST_COUNT = ST_TERM0 + 16
};

static const char *const st_names[ST_COUNT] = {
    "get", "insert", "update", "remove", "terms_drop", "term_add", "scan", "range_first", "range_after",
    "term_i", "term_i_after", "term_i_hi", "term_i_hi_after", "term_i_lo", "term_i_lo_after", "term_i_lo_hi",
    "term_i_lo_hi_after", "term_s", "term_s_after", "term_s_hi", "term_s_hi_after", "term_s_lo", "term_s_lo_after",
    "term_s_lo_hi", "term_s_lo_hi_after",
};

static void st_name(char *out, size_t n, int st)
{
    snprintf(out, n, "svcq_%s", st_names[st]);
}

struct pg_store {
    PGconn *conn;
    char *conninfo;
    char *schema;      /* quoted identifier */
    int isolation;
    svcq_log_fn log_fn;
    void *log_user_data;
    svcq_ctx *ctx;     /* the context served, for svcq_store_set_error(); may be NULL */
    int in_tx;         /* between begin and commit/rollback */
    int tx_error;      /* the transaction was lost (a failed statement): what later calls return */
    uint64_t conflicts, reconnects;
    char errmsg[512];
};

/* ---- helpers ------------------------------------------------------------ */

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* Sets the store's message (trailing newlines cut), hands it to the logger
 * and to the context the store serves (svcq_store_set_error(): it then
 * ends svcq_ctx_errmsg()), and returns code. */
static int note(pg_store *pg, int code, const char *what, const char *msg)
{
    snprintf(pg->errmsg, sizeof(pg->errmsg), "%s: %s", what, msg && *msg ? msg : "unknown error");
    size_t n = strlen(pg->errmsg);
    while (n && (pg->errmsg[n - 1] == '\n' || pg->errmsg[n - 1] == ' '))
        pg->errmsg[--n] = '\0';
    if (pg->log_fn)
        pg->log_fn(SVCQ_LOG_WARN, pg->errmsg, pg->log_user_data);
    return svcq_store_set_error(pg->ctx, code, pg->errmsg);
}

/* The code for a failed statement; res may be NULL (no result at all). */
static int fail(pg_store *pg, const char *what, PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) : PQerrorMessage(pg->conn);
    int rc;
    if (PQstatus(pg->conn) != CONNECTION_OK)
        rc = SVCQ_EIO;
    else if (!state)
        rc = SVCQ_EIO;
    else if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "23505"))
        rc = SVCQ_ECONFLICT; /* serialization failure, deadlock, unique violation */
    else if (!strncmp(state, "08", 2) || !strncmp(state, "57P", 3) || !strncmp(state, "53", 2) ||
             !strncmp(state, "58", 2) || !strcmp(state, "40003"))
        rc = SVCQ_EIO; /* connection, shutdown, resources, system; 40003: the statement's outcome is
                          unknown (a distributed database's ambiguous commit) */
    else
        rc = SVCQ_ESTORE;
    note(pg, rc, what, msg);
    if (rc == SVCQ_ECONFLICT)
        pg->conflicts++;
    /* A failed statement loses a PostgreSQL transaction. */
    if (pg->in_tx && !pg->tx_error)
        pg->tx_error = rc;
    return rc;
}

/* Before a statement: a lost transaction answers at once; outside a
 * transaction a lost connection is made again. */
static int ready(pg_store *pg)
{
    if (pg->in_tx) {
        if (pg->tx_error) {
            if (pg->tx_error == SVCQ_ECONFLICT)
                pg->conflicts++;
            return pg->tx_error;
        }
        return SVCQ_OK;
    }
    if (PQstatus(pg->conn) == CONNECTION_OK)
        return SVCQ_OK;
    return SVCQ_EIO; /* reconnect() is tried by begin and by reads outside a transaction */
}

static int prepare_all(pg_store *pg);

/* The session settings, after each connect: UTF-8 (ids, kinds and terms
 * are UTF-8 text), and no notices (CREATE ... IF NOT EXISTS skipping, DROP
 * cascading: not worth a host's log). */
static int session_setup(pg_store *pg)
{
    PGresult *res = PQexec(pg->conn, "SET client_encoding = 'UTF8'; SET client_min_messages = warning");
    int ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        note(pg, SVCQ_EIO, "connect", res ? PQresultErrorMessage(res) : PQerrorMessage(pg->conn));
    PQclear(res);
    return ok;
}

static int reconnect(pg_store *pg)
{
    if (PQstatus(pg->conn) == CONNECTION_OK)
        return SVCQ_OK;
    PQreset(pg->conn);
    if (PQstatus(pg->conn) != CONNECTION_OK) {
        return note(pg, SVCQ_EIO, "reconnect", PQerrorMessage(pg->conn));
    }
    pg->reconnects++;
    if (!session_setup(pg))
        return SVCQ_EIO;
    return prepare_all(pg); /* prepared statements die with the session */
}

static uint64_t be64(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | u[i];
    return v;
}

/* Runs a command whose result is nothing or one row; *out (if not NULL)
 * receives the result (PQclear it) when it is a tuples result. */
static int exec_one(pg_store *pg, int st, const char *what, int n, const char *const *values, const int *lengths,
                    const int *formats, PGresult **out)
{
    char name[32];
    st_name(name, sizeof(name), st);
    PGresult *res = PQexecPrepared(pg->conn, name, n, values, lengths, formats, 1);
    ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
        int rc = fail(pg, what, res);
        PQclear(res);
        return rc;
    }
    if (out)
        *out = res;
    else
        PQclear(res);
    return SVCQ_OK;
}

/* Runs a query that returns (id, revision, body[, term value]) rows in
 * single-row mode and calls row() for each; stops calling it at its first
 * non-zero result, drains the rest and returns that result. */
typedef int (*row_fn)(PGresult *row, void *ud);

static int exec_rows(pg_store *pg, int st, const char *what, int n, const char *const *values, row_fn row,
                     void *ud)
{
    char name[32];
    st_name(name, sizeof(name), st);
    if (!PQsendQueryPrepared(pg->conn, name, n, values, NULL, NULL, 1))
        return fail(pg, what, NULL);
    (void)PQsetSingleRowMode(pg->conn);
    int rc = SVCQ_OK, failed = 0;
    PGresult *res;
    while ((res = PQgetResult(pg->conn)) != NULL) {
        ExecStatusType s = PQresultStatus(res);
        if (s == PGRES_SINGLE_TUPLE) {
            if (rc == SVCQ_OK && !failed)
                rc = row(res, ud);
        } else if (s != PGRES_TUPLES_OK && !failed) {
            failed = 1;
            int frc = fail(pg, what, res);
            if (rc == SVCQ_OK)
                rc = frc;
        }
        PQclear(res);
    }
    if (!failed && PQstatus(pg->conn) != CONNECTION_OK && rc == SVCQ_OK)
        rc = fail(pg, what, NULL);
    return rc;
}

/* ---- schema and statements ------------------------------------------------ */

/* tmpl with each '@' replaced by the quoted schema name; malloc'd. */
static char *sql(const pg_store *pg, const char *tmpl)
{
    size_t at = 0, len = strlen(tmpl), sl = strlen(pg->schema);
    for (const char *p = tmpl; *p; p++)
        at += *p == '@';
    char *out = malloc(len + at * sl + 1), *q = out;
    if (!out)
        return NULL;
    for (const char *p = tmpl; *p; p++) {
        if (*p == '@') {
            memcpy(q, pg->schema, sl);
            q += sl;
        } else {
            *q++ = *p;
        }
    }
    *q = '\0';
    return out;
}

static const char *const schema_sql =
    "CREATE SCHEMA IF NOT EXISTS @;"
    "CREATE TABLE IF NOT EXISTS @.record ("
    "  kind text COLLATE \"C\" NOT NULL,"
    "  id text COLLATE \"C\" NOT NULL,"
    "  revision bigint NOT NULL,"
    "  body bytea NOT NULL,"
    "  PRIMARY KEY (kind, id));"
    "CREATE TABLE IF NOT EXISTS @.term ("
    "  kind text COLLATE \"C\" NOT NULL,"
    "  id text COLLATE \"C\" NOT NULL,"
    "  name text COLLATE \"C\" NOT NULL,"
    "  s text COLLATE \"C\","
    "  i bigint,"
    "  PRIMARY KEY (kind, id, name),"
    "  FOREIGN KEY (kind, id) REFERENCES @.record ON DELETE CASCADE,"
    "  CHECK ((s IS NULL) <> (i IS NULL)));"
    "CREATE INDEX IF NOT EXISTS term_i ON @.term (kind, name, i, id) WHERE i IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS term_s ON @.term (kind, name, s, id) WHERE s IS NOT NULL;"
    "CREATE SEQUENCE IF NOT EXISTS @.revision AS bigint;";

static int setup_schema(pg_store *pg, int reset)
{
    PGresult *res = PQexec(pg->conn, "BEGIN");
    int ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    const char *key = pg->schema;
    /* One server at a time creates the schema (concurrent CREATE ... IF NOT
     * EXISTS can still collide in the catalog). */
    if (ok) {
        res = PQexecParams(pg->conn, "SELECT pg_advisory_xact_lock(hashtext('svcq:' || $1))", 1, NULL, &key, NULL,
                           NULL, 0);
        ok = res && PQresultStatus(res) == PGRES_TUPLES_OK;
        PQclear(res);
    }
    char *drop = reset ? sql(pg, "DROP SCHEMA IF EXISTS @ CASCADE") : NULL;
    char *create = sql(pg, schema_sql);
    if (!create || (reset && !drop)) {
        free(drop);
        free(create);
        PQclear(PQexec(pg->conn, "ROLLBACK"));
        return SVCQ_ENOMEM;
    }
    const char *steps[] = { drop, create, "COMMIT" };
    for (size_t i = 0; ok && i < 3; i++) {
        if (!steps[i])
            continue;
        res = PQexec(pg->conn, steps[i]);
        ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!ok)
            note(pg, SVCQ_EIO, "schema setup", res ? PQresultErrorMessage(res) : PQerrorMessage(pg->conn));
        PQclear(res);
    }
    free(drop);
    free(create);
    if (!ok) {
        if (!*pg->errmsg)
            note(pg, SVCQ_EIO, "schema setup", PQerrorMessage(pg->conn));
        PQclear(PQexec(pg->conn, "ROLLBACK"));
        return SVCQ_EIO;
    }
    return SVCQ_OK;
}

static char *term_sql(const pg_store *pg, int variant)
{
    int is_string = variant & 8, lo = variant & 4, hi = variant & 2, after = variant & 1;
    const char *col = is_string ? "s" : "i", *cast = is_string ? "text" : "int8";
    char buf[1024];
    /* The terms first, in index order and cut at the limit, then each
     * record by its key: a nested loop the planner cannot turn into a hash
     * join over the whole record table (OFFSET 0 keeps the lateral
     * subquery apart), and no sort. */
    int n = snprintf(buf, sizeof(buf),
                     "SELECT t.id, r.revision, r.body, t.v FROM (SELECT id, %s AS v FROM @.term t"
                     " WHERE t.kind = $1 AND t.name = $2 AND t.%s IS NOT NULL",
                     col, col);
    int p = 4; /* $3 is the limit */
    if (lo)
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, " AND t.%s >= $%d::%s", col, p++, cast);
    if (hi)
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, " AND t.%s <= $%d::%s", col, p++, cast);
    if (after) {
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, " AND (t.%s, t.id) > ($%d::%s, $%d::text)", col, p, cast,
                      p + 1);
        p += 2;
    }
    snprintf(buf + n, sizeof(buf) - (size_t)n,
             " ORDER BY t.%s, t.id LIMIT $3::int8) t CROSS JOIN LATERAL (SELECT revision, body FROM @.record"
             " WHERE kind = $1 AND id = t.id OFFSET 0) r ORDER BY t.v, t.id",
             col);
    return sql(pg, buf);
}

static int prepare_all(pg_store *pg)
{
    static const char *const fixed[ST_TERM0] = {
        [ST_GET] = "SELECT revision, body FROM @.record WHERE kind = $1 AND id = $2",
        [ST_INSERT] = "INSERT INTO @.record (kind, id, revision, body) VALUES ($1, $2, nextval('@.revision'), $3)"
                      " ON CONFLICT DO NOTHING RETURNING revision",
        [ST_UPDATE] = "UPDATE @.record SET body = $3, revision = nextval('@.revision')"
                      " WHERE kind = $1 AND id = $2 AND revision = $4::int8 RETURNING revision",
        /* How many rows went, and whether the row was there (the snapshot
         * of the statement sees it before the delete). */
        [ST_REMOVE] = "WITH d AS (DELETE FROM @.record WHERE kind = $1 AND id = $2 AND revision = $3::int8"
                      " RETURNING 1) SELECT (SELECT count(*) FROM d),"
                      " EXISTS (SELECT 1 FROM @.record WHERE kind = $1 AND id = $2)",
        [ST_TERMS_DROP] = "DELETE FROM @.term WHERE kind = $1 AND id = $2",
        [ST_TERM_ADD] = "INSERT INTO @.term (kind, id, name, s, i) VALUES ($1, $2, $3, $4, $5::int8)",
        [ST_SCAN] = "SELECT id, revision, body FROM @.record WHERE kind = $1",
        [ST_RANGE_FIRST] = "SELECT id, revision, body FROM @.record WHERE kind = $1 ORDER BY id LIMIT $2::int8",
        [ST_RANGE_AFTER] = "SELECT id, revision, body FROM @.record WHERE kind = $1 AND id > $2"
                           " ORDER BY id LIMIT $3::int8",
    };
    for (int st = 0; st < ST_COUNT; st++) {
        char *text = st < ST_TERM0 ? sql(pg, fixed[st]) : term_sql(pg, st - ST_TERM0);
        if (!text)
            return SVCQ_ENOMEM;
        char name[32];
        st_name(name, sizeof(name), st);
        PGresult *res = PQprepare(pg->conn, name, text, 0, NULL);
        free(text);
        int ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!ok) {
            int rc = note(pg, SVCQ_EIO, "prepare", res ? PQresultErrorMessage(res) : PQerrorMessage(pg->conn));
            PQclear(res);
            return rc;
        }
        PQclear(res);
    }
    return SVCQ_OK;
}

/* ---- the callbacks ---------------------------------------------------------- */

static const char *const begin_sql[] = {
    "BEGIN ISOLATION LEVEL READ COMMITTED",
    "BEGIN ISOLATION LEVEL REPEATABLE READ",
    "BEGIN ISOLATION LEVEL SERIALIZABLE",
};

static int pg_begin(void *ud)
{
    pg_store *pg = ud;
    if (pg->in_tx)
        return SVCQ_ESTATE;
    int rc = SVCQ_OK;
    /* A connection the server dropped since the last call is found out
     * here, by BEGIN: nothing is lost yet, so connect again and retry once. */
    for (int attempt = 0; attempt < 2; attempt++) {
        if ((rc = reconnect(pg)) != SVCQ_OK)
            return rc;
        PGresult *res = PQexec(pg->conn, begin_sql[pg->isolation]);
        rc = res && PQresultStatus(res) == PGRES_COMMAND_OK ? SVCQ_OK : fail(pg, "begin", res);
        PQclear(res);
        if (rc != SVCQ_EIO || PQstatus(pg->conn) == CONNECTION_OK)
            break;
    }
    if (rc)
        return rc;
    pg->in_tx = 1;
    pg->tx_error = 0;
    return SVCQ_OK;
}

static int pg_rollback(void *ud)
{
    pg_store *pg = ud;
    int was = pg->in_tx;
    pg->in_tx = 0;
    pg->tx_error = 0;
    if (!was || PQstatus(pg->conn) != CONNECTION_OK || PQtransactionStatus(pg->conn) == PQTRANS_IDLE)
        return SVCQ_OK; /* nothing open (a failed commit ended it; a lost connection took it) */
    PGresult *res = PQexec(pg->conn, "ROLLBACK");
    int rc = SVCQ_OK;
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = fail(pg, "rollback", res);
        if (PQstatus(pg->conn) != CONNECTION_OK)
            rc = SVCQ_OK; /* the server dropped the transaction with the connection */
    }
    PQclear(res);
    return rc;
}

static int pg_commit(void *ud)
{
    pg_store *pg = ud;
    if (!pg->in_tx)
        return SVCQ_ESTATE;
    if (pg->tx_error) {
        int rc = pg->tx_error;
        if (rc == SVCQ_ECONFLICT)
            pg->conflicts++;
        (void)pg_rollback(pg);
        return rc;
    }
    PGresult *res = PQexec(pg->conn, "COMMIT");
    int rc = SVCQ_OK;
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = fail(pg, "commit", res);
    } else if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
        /* COMMIT of a transaction the server had aborted answers ROLLBACK. */
        rc = note(pg, SVCQ_ECONFLICT, "commit", "the server rolled the transaction back");
        pg->conflicts++;
    }
    PQclear(res);
    /* A failed COMMIT ends the transaction too (nothing applied). A lost
     * connection during COMMIT leaves its outcome unknown: docs/storage.md. */
    pg->in_tx = 0;
    pg->tx_error = 0;
    return rc;
}

/* A read outside a transaction may reconnect first. */
static int read_ready(pg_store *pg)
{
    int rc = ready(pg);
    if (rc == SVCQ_EIO && !pg->in_tx)
        rc = reconnect(pg);
    return rc;
}

/* Whether a read that failed with rc, outside a transaction, before it
 * handed out a record, should run again on a new connection (reads are
 * idempotent; a dropped connection is found out by the first statement). */
static int retry_read(pg_store *pg, int rc, uint64_t visited)
{
    return rc == SVCQ_EIO && !pg->in_tx && !visited && PQstatus(pg->conn) != CONNECTION_OK &&
           reconnect(pg) == SVCQ_OK;
}

static int pg_get(const char *kind, const char *id, svcq_store_visit_fn visit, void *vud, void *ud)
{
    pg_store *pg = ud;
    int rc = read_ready(pg);
    if (rc)
        return rc;
    const char *v[2] = { kind, id };
    PGresult *res = NULL;
    rc = exec_one(pg, ST_GET, "get", 2, v, NULL, NULL, &res);
    if (retry_read(pg, rc, 0))
        rc = exec_one(pg, ST_GET, "get", 2, v, NULL, NULL, &res);
    if (rc)
        return rc;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return SVCQ_ENOTFOUND;
    }
    rc = visit(id, be64(PQgetvalue(res, 0, 0)), PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1), vud);
    PQclear(res);
    return rc;
}

/* put and put2: the conditional write, then the terms. */
static int pg_put2(const char *kind, const char *id, uint64_t expected, const void *bytes, size_t size,
                   const svcq_store_term *terms, size_t n_terms, uint64_t *new_revision, void *ud)
{
    pg_store *pg = ud;
    if (!pg->in_tx)
        return SVCQ_ESTATE;
    int rc = ready(pg);
    if (rc)
        return rc;
    if (size > 0x7fffffffu)
        return SVCQ_ELIMIT;
    char exp[24];
    snprintf(exp, sizeof(exp), "%" PRIu64, expected);
    const char *v[4] = { kind, id, size ? (const char *)bytes : "", exp };
    int len[4] = { 0, 0, (int)size, 0 };
    int fmt[4] = { 0, 0, 1, 0 };
    PGresult *res = NULL;
    rc = exec_one(pg, expected ? ST_UPDATE : ST_INSERT, "put", expected ? 4 : 3, v, len, fmt, &res);
    if (rc)
        return rc;
    if (PQntuples(res) == 0) {
        PQclear(res);
        pg->conflicts++;
        return SVCQ_ECONFLICT;
    }
    uint64_t rev = be64(PQgetvalue(res, 0, 0));
    PQclear(res);
    /* A new record has no terms yet (a remove cascaded them away). */
    if (expected && (rc = exec_one(pg, ST_TERMS_DROP, "put terms", 2, v, NULL, NULL, NULL)) != SVCQ_OK)
        return rc;
    for (size_t i = 0; i < n_terms; i++) {
        char num[24];
        snprintf(num, sizeof(num), "%" PRId64, terms[i].i);
        int is_string = terms[i].type == SVCQ_STORE_TERM_STRING;
        const char *tv[5] = { kind, id, terms[i].name, is_string ? terms[i].s : NULL, is_string ? NULL : num };
        if ((rc = exec_one(pg, ST_TERM_ADD, "put terms", 5, tv, NULL, NULL, NULL)) != SVCQ_OK)
            return rc;
    }
    *new_revision = rev;
    return SVCQ_OK;
}

static int pg_put(const char *kind, const char *id, uint64_t expected, const void *bytes, size_t size,
                  uint64_t *new_revision, void *ud)
{
    return pg_put2(kind, id, expected, bytes, size, NULL, 0, new_revision, ud);
}

static int pg_remove(const char *kind, const char *id, uint64_t expected, void *ud)
{
    pg_store *pg = ud;
    if (!pg->in_tx)
        return SVCQ_ESTATE;
    int rc = ready(pg);
    if (rc)
        return rc;
    char exp[24];
    snprintf(exp, sizeof(exp), "%" PRIu64, expected);
    const char *v[3] = { kind, id, exp };
    PGresult *res = NULL;
    rc = exec_one(pg, ST_REMOVE, "remove", 3, v, NULL, NULL, &res);
    if (rc)
        return rc;
    uint64_t removed = be64(PQgetvalue(res, 0, 0));
    int existed = *PQgetvalue(res, 0, 1) != 0;
    PQclear(res);
    if (removed)
        return SVCQ_OK;
    if (!existed)
        return SVCQ_ENOTFOUND;
    pg->conflicts++;
    return SVCQ_ECONFLICT;
}

typedef struct rec_visit {
    svcq_store_visit_fn visit;
    svcq_store_term_visit_fn term_visit;
    void *vud;
    const char *name;
    int32_t type;
    uint64_t visited;
} rec_visit;

static int rec_row(PGresult *r, void *ud)
{
    rec_visit *rv = ud;
    const char *id = PQgetvalue(r, 0, 0);
    if ((size_t)PQgetlength(r, 0, 0) != strlen(id))
        return SVCQ_ECORRUPT;
    rv->visited++;
    return rv->visit(id, be64(PQgetvalue(r, 0, 1)), PQgetvalue(r, 0, 2), (size_t)PQgetlength(r, 0, 2), rv->vud);
}

static int pg_scan(const char *kind, svcq_store_visit_fn visit, void *vud, void *ud)
{
    pg_store *pg = ud;
    int rc = read_ready(pg);
    if (rc)
        return rc;
    rec_visit rv = { visit, NULL, vud, NULL, 0, 0 };
    const char *v[1] = { kind };
    rc = exec_rows(pg, ST_SCAN, "scan", 1, v, rec_row, &rv);
    if (retry_read(pg, rc, rv.visited))
        rc = exec_rows(pg, ST_SCAN, "scan", 1, v, rec_row, &rv);
    return rc;
}

static int pg_scan_range(const char *kind, const char *after_id, uint32_t limit, svcq_store_visit_fn visit,
                         void *vud, void *ud)
{
    pg_store *pg = ud;
    int rc = read_ready(pg);
    if (rc)
        return rc;
    char lim[16];
    snprintf(lim, sizeof(lim), "%" PRIu32, limit);
    rec_visit rv = { visit, NULL, vud, NULL, 0, 0 };
    /* LIMIT NULL is no limit. */
    const char *v[3] = { kind, after_id, limit ? lim : NULL };
    if (!after_id)
        v[1] = v[2];
    int st = after_id ? ST_RANGE_AFTER : ST_RANGE_FIRST, n = after_id ? 3 : 2;
    rc = exec_rows(pg, st, "scan_range", n, v, rec_row, &rv);
    if (retry_read(pg, rc, rv.visited))
        rc = exec_rows(pg, st, "scan_range", n, v, rec_row, &rv);
    return rc;
}

static int term_row(PGresult *r, void *ud)
{
    rec_visit *rv = ud;
    const char *id = PQgetvalue(r, 0, 0);
    if ((size_t)PQgetlength(r, 0, 0) != strlen(id))
        return SVCQ_ECORRUPT;
    rv->visited++;
    svcq_store_term t = SVCQ_STORE_TERM_INIT;
    t.type = rv->type;
    t.name = rv->name;
    if (rv->type == SVCQ_STORE_TERM_STRING)
        t.s = PQgetvalue(r, 0, 3); /* text in binary is its bytes, NUL-terminated by libpq */
    else
        t.i = (int64_t)be64(PQgetvalue(r, 0, 3));
    return rv->term_visit(id, be64(PQgetvalue(r, 0, 1)), PQgetvalue(r, 0, 2), (size_t)PQgetlength(r, 0, 2), &t,
                          rv->vud);
}

static const char *term_text(const svcq_store_term *t, int32_t type, char *num, size_t n)
{
    if (type == SVCQ_STORE_TERM_STRING)
        return t->s ? t->s : "";
    snprintf(num, n, "%" PRId64, t->i);
    return num;
}

static int pg_scan_term(const char *kind, const char *name, int32_t type, const svcq_store_term *lo,
                        const svcq_store_term *hi, const svcq_store_term *after, const char *after_id, uint32_t limit,
                        svcq_store_term_visit_fn visit, void *vud, void *ud)
{
    pg_store *pg = ud;
    if (type != SVCQ_STORE_TERM_STRING && type != SVCQ_STORE_TERM_INT64)
        return SVCQ_EINVAL;
    int rc = read_ready(pg);
    if (rc)
        return rc;
    char lim[16], nlo[24], nhi[24], naf[24];
    snprintf(lim, sizeof(lim), "%" PRIu32, limit);
    const char *v[7] = { kind, name, limit ? lim : NULL };
    int n = 3, variant = type == SVCQ_STORE_TERM_STRING ? 8 : 0;
    if (lo) {
        v[n++] = term_text(lo, type, nlo, sizeof(nlo));
        variant |= 4;
    }
    if (hi) {
        v[n++] = term_text(hi, type, nhi, sizeof(nhi));
        variant |= 2;
    }
    if (after && after_id) {
        v[n++] = term_text(after, type, naf, sizeof(naf));
        v[n++] = after_id;
        variant |= 1;
    }
    rec_visit rv = { NULL, visit, vud, name, type, 0 };
    rc = exec_rows(pg, ST_TERM0 + variant, "scan_term", n, v, term_row, &rv);
    if (retry_read(pg, rc, rv.visited))
        rc = exec_rows(pg, ST_TERM0 + variant, "scan_term", n, v, term_row, &rv);
    return rc;
}

static void pg_destroy(void *ud)
{
    pg_store_close(ud);
}

/* ---- the public part ------------------------------------------------------------ */

int pg_store_open(pg_store **out, const pg_store_options *opts, char *msg, size_t msg_size)
{
    if (msg && msg_size)
        *msg = '\0';
    if (!out || !opts)
        return SVCQ_EINVAL;
    *out = NULL;
    if (opts->isolation < PG_STORE_READ_COMMITTED || opts->isolation > PG_STORE_SERIALIZABLE ||
        (opts->flags & ~PG_STORE_RESET)) {
        if (msg && msg_size)
            snprintf(msg, msg_size, "pg_store: isolation %d or flags %#x unknown", opts->isolation, opts->flags);
        return SVCQ_EINVAL;
    }
    pg_store *pg = calloc(1, sizeof(*pg));
    if (!pg || !(pg->conninfo = dupstr(opts->conninfo ? opts->conninfo : ""))) {
        free(pg);
        return SVCQ_ENOMEM;
    }
    pg->isolation = opts->isolation;
    pg->log_fn = opts->log_fn;
    pg->log_user_data = opts->log_user_data;
    pg->ctx = opts->ctx;
    pg->conn = PQconnectdb(pg->conninfo);
    int rc = SVCQ_OK;
    if (!pg->conn) {
        rc = SVCQ_ENOMEM;
    } else if (PQstatus(pg->conn) != CONNECTION_OK) {
        note(pg, SVCQ_EIO, "connect", PQerrorMessage(pg->conn));
        rc = SVCQ_EIO;
    } else if (!session_setup(pg)) {
        rc = SVCQ_EIO;
    } else {
        char *q = PQescapeIdentifier(pg->conn, opts->schema ? opts->schema : "svcq",
                                     strlen(opts->schema ? opts->schema : "svcq"));
        if (!q || !(pg->schema = dupstr(q)))
            rc = SVCQ_ENOMEM;
        PQfreemem(q);
    }
    if (rc == SVCQ_OK)
        rc = setup_schema(pg, (opts->flags & PG_STORE_RESET) != 0);
    if (rc == SVCQ_OK)
        rc = prepare_all(pg);
    if (rc != SVCQ_OK) {
        if (msg && msg_size)
            snprintf(msg, msg_size, "%s", *pg->errmsg ? pg->errmsg : svcq_strerror(rc));
        pg_store_close(pg);
        return rc;
    }
    *out = pg;
    return SVCQ_OK;
}

int pg_store_methods(svcq_store_methods *out, pg_store *pg)
{
    if (!out || !pg)
        return SVCQ_EINVAL;
    int rc = svcq_store_methods_init(out, SVCQ_STORE_METHODS_VERSION);
    if (rc)
        return rc;
    out->user_data = pg;
    out->begin = pg_begin;
    out->commit = pg_commit;
    out->rollback = pg_rollback;
    out->get = pg_get;
    out->put = pg_put;
    out->remove = pg_remove;
    out->scan = pg_scan;
    out->destroy = pg_destroy;
    out->put2 = pg_put2;
    out->scan_range = pg_scan_range;
    out->scan_term = pg_scan_term;
    return SVCQ_OK;
}

void pg_store_close(pg_store *pg)
{
    if (!pg)
        return;
    if (pg->conn)
        PQfinish(pg->conn); /* an open transaction is rolled back by the server */
    free(pg->conninfo);
    free(pg->schema);
    free(pg);
}

const char *pg_store_errmsg(const pg_store *pg)
{
    return pg ? pg->errmsg : "";
}

uint64_t pg_store_conflicts(const pg_store *pg)
{
    return pg ? pg->conflicts : 0;
}

uint64_t pg_store_reconnects(const pg_store *pg)
{
    return pg ? pg->reconnects : 0;
}

struct pg_conn *pg_store_conn(pg_store *pg)
{
    return pg ? pg->conn : NULL;
}
