/* The store conformance suite (version-1 and version-2 checks) against the
 * PostgreSQL adapter of examples/pg_store, on a real server, and the
 * adapter's own promises: the term and range scans are index scans, a
 * conflict is SVCQ_ECONFLICT under each isolation level (the transaction
 * usable afterwards under READ COMMITTED, lost under SERIALIZABLE), a lost
 * connection is SVCQ_EIO with the server's message and the next
 * transaction reconnects, an unreachable server is SVCQ_EIO at open.
 *
 * The server comes from SVCQ_PG_CONNINFO (a libpq connection string);
 * without it, or when the server does not answer, the test is skipped
 * (exit 77). Each run works in a schema of its own, dropped at the end. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "pg_store.h"
#include "store_conformance.h"
#include "svcq.h"

static int failures;
static const char *conninfo;
static char schema[64];

#define CHECK(cond) \
    do { \
        if (!(cond)) { \
            failures++; \
            fprintf(stderr, "pg_conformance: line %d: %s\n", __LINE__, #cond); \
        } \
    } while (0)
#define CHECK_RC(expr, want) \
    do { \
        int got_ = (expr); \
        if (got_ != (want)) { \
            failures++; \
            fprintf(stderr, "pg_conformance: line %d: %s returned %d (%s), expected %d (%s)\n", __LINE__, #expr, \
                    got_, svcq_strerror(got_), (want), svcq_strerror(want)); \
        } \
    } while (0)

typedef struct variant {
    int isolation;
    int as_v1; /* the table without its version-2 callbacks: the library's fallback */
} variant;

static int open_store(pg_store **out, int isolation, unsigned flags)
{
    pg_store_options o = { conninfo, schema, isolation, flags, NULL, NULL, NULL };
    char msg[512];
    int rc = pg_store_open(out, &o, msg, sizeof(msg));
    if (rc)
        fprintf(stderr, "pg_store_open: %s\n", msg);
    return rc;
}

static int make(svcq_store_methods *m, const variant *v, unsigned flags)
{
    pg_store *pg;
    int rc = open_store(&pg, v->isolation, flags);
    if (rc)
        return rc;
    rc = pg_store_methods(m, pg);
    if (rc) {
        pg_store_close(pg);
        return rc;
    }
    if (v->as_v1) {
        m->version = 1;
        m->put2 = NULL;
        m->scan_range = NULL;
        m->scan_term = NULL;
    }
    return SVCQ_OK;
}

static int create(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    (void)ctx;
    return make(m, data, PG_STORE_RESET);
}

static int reopen(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    (void)ctx;
    return make(m, data, 0);
}

/* ---- the plans ------------------------------------------------------------- */

/* EXPLAIN of a prepared statement of the store, with sequential scans and
 * sorts priced out: a plan that still has one has no index to use. */
static void expect_index_plan(pg_store *pg, const char *stmt)
{
    PGconn *c = pg_store_conn(pg);
    PQclear(PQexec(c, "SET enable_seqscan = off"));
    PQclear(PQexec(c, "SET enable_sort = off"));
    char q[256];
    snprintf(q, sizeof(q), "EXPLAIN (COSTS OFF) EXECUTE %s", stmt);
    PGresult *res = PQexec(c, q);
    CHECK(PQresultStatus(res) == PGRES_TUPLES_OK);
    char plan[4096] = "";
    size_t n = 0;
    for (int i = 0; PQresultStatus(res) == PGRES_TUPLES_OK && i < PQntuples(res); i++)
        n += (size_t)snprintf(plan + n, n < sizeof(plan) ? sizeof(plan) - n : 0, "%s\n", PQgetvalue(res, i, 0));
    PQclear(res);
    PQclear(PQexec(c, "RESET enable_seqscan"));
    PQclear(PQexec(c, "RESET enable_sort"));
    int good = strstr(plan, "Index") && !strstr(plan, "Seq Scan") && !strstr(plan, "Sort");
    if (!good) {
        failures++;
        fprintf(stderr, "pg_conformance: %s is not served by an index:\n%s", stmt, plan);
    }
}

static void plans(void)
{
    pg_store *pg;
    if (open_store(&pg, PG_STORE_READ_COMMITTED, PG_STORE_RESET)) {
        failures++;
        return;
    }
    expect_index_plan(pg, "svcq_get('sla_clock', 'c1')");
    expect_index_plan(pg, "svcq_range_first('sla_clock', 100)");
    expect_index_plan(pg, "svcq_range_after('sla_clock', 'c1', 100)");
    expect_index_plan(pg, "svcq_term_i('sla_clock', 'next_notice', 100)");
    expect_index_plan(pg, "svcq_term_i_lo_hi_after('sla_clock', 'next_notice', 100, 0, 99, 5, 'c1')");
    expect_index_plan(pg, "svcq_term_i_lo('sla_clock', 'next_notice', NULL, 7)");
    expect_index_plan(pg, "svcq_term_s_lo_hi('sla_clock', 'state', 10, 'live', 'live')");
    expect_index_plan(pg, "svcq_term_s_after('sla_clock', 'state', 10, 'done', 'c9')");
    pg_store_close(pg);
}

/* ---- conflicts under each isolation level ------------------------------------ */

static int keep_rev(const char *id, uint64_t revision, const void *bytes, size_t size, void *ud)
{
    (void)id;
    (void)bytes;
    (void)size;
    *(uint64_t *)ud = revision;
    return 0;
}

/* Two connections: A reads, B replaces and commits, A replaces what it
 * read. */
static void conflicts(int isolation)
{
    pg_store *a, *b;
    if (open_store(&a, isolation, PG_STORE_RESET)) {
        failures++;
        return;
    }
    if (open_store(&b, isolation, 0)) {
        failures++;
        pg_store_close(a);
        return;
    }
    svcq_store_methods ma, mb;
    CHECK_RC(pg_store_methods(&ma, a), SVCQ_OK);
    CHECK_RC(pg_store_methods(&mb, b), SVCQ_OK);
    uint64_t r1 = 0, r2 = 0, r3 = 0, seen = 0;
    CHECK_RC(ma.begin(a), SVCQ_OK);
    CHECK_RC(ma.put("incident", "INC-1", 0, "{}", 2, &r1, a), SVCQ_OK);
    CHECK_RC(ma.commit(a), SVCQ_OK);

    CHECK_RC(ma.begin(a), SVCQ_OK);
    CHECK_RC(ma.get("incident", "INC-1", keep_rev, &seen, a), SVCQ_OK);
    CHECK(seen == r1);
    CHECK_RC(mb.begin(b), SVCQ_OK);
    CHECK_RC(mb.put("incident", "INC-1", r1, "{\"b\":1}", 7, &r2, b), SVCQ_OK);
    CHECK_RC(mb.commit(b), SVCQ_OK);
    CHECK(r2 > r1);
    uint64_t before = pg_store_conflicts(a);
    CHECK_RC(ma.put("incident", "INC-1", r1, "{\"a\":1}", 7, &r3, a), SVCQ_ECONFLICT);
    CHECK(pg_store_conflicts(a) == before + 1);
    if (isolation == PG_STORE_READ_COMMITTED) {
        /* The transaction goes on: it sees B's commit and may write. */
        seen = 0;
        CHECK_RC(ma.get("incident", "INC-1", keep_rev, &seen, a), SVCQ_OK);
        CHECK(seen == r2);
        CHECK_RC(ma.put("incident", "INC-2", 0, "{}", 2, &r3, a), SVCQ_OK);
        CHECK_RC(ma.commit(a), SVCQ_OK);
        seen = 0;
        CHECK_RC(mb.get("incident", "INC-2", keep_rev, &seen, b), SVCQ_OK);
        CHECK(seen == r3);
    } else {
        /* A serialization failure loses the transaction: every later call
         * and the commit answer the conflict, nothing of it is applied. */
        CHECK(strstr(pg_store_errmsg(a), "serializ") != NULL);
        CHECK_RC(ma.put("incident", "INC-2", 0, "{}", 2, &r3, a), SVCQ_ECONFLICT);
        CHECK_RC(ma.commit(a), SVCQ_ECONFLICT);
        CHECK_RC(ma.rollback(a), SVCQ_OK);
        CHECK_RC(mb.get("incident", "INC-2", keep_rev, &seen, b), SVCQ_ENOTFOUND);
        /* The store is usable again. */
        CHECK_RC(ma.begin(a), SVCQ_OK);
        CHECK_RC(ma.put("incident", "INC-1", r2, "{\"a\":2}", 7, &r3, a), SVCQ_OK);
        CHECK_RC(ma.commit(a), SVCQ_OK);
    }
    if (isolation == PG_STORE_SERIALIZABLE) {
        /* Write skew: each reads both records and replaces a different
         * one. No row conflicts, the statements succeed; the second commit
         * fails (40001) and is SVCQ_ECONFLICT, with nothing applied. */
        uint64_t x = 0, y = 0, nx = 0, ny = 0;
        CHECK_RC(ma.begin(a), SVCQ_OK);
        CHECK_RC(ma.put("skew", "x", 0, "1", 1, &x, a), SVCQ_OK);
        CHECK_RC(ma.put("skew", "y", 0, "1", 1, &y, a), SVCQ_OK);
        CHECK_RC(ma.commit(a), SVCQ_OK);
        CHECK_RC(ma.begin(a), SVCQ_OK);
        CHECK_RC(mb.begin(b), SVCQ_OK);
        CHECK_RC(ma.get("skew", "x", keep_rev, &seen, a), SVCQ_OK);
        CHECK_RC(ma.get("skew", "y", keep_rev, &seen, a), SVCQ_OK);
        CHECK_RC(mb.get("skew", "x", keep_rev, &seen, b), SVCQ_OK);
        CHECK_RC(mb.get("skew", "y", keep_rev, &seen, b), SVCQ_OK);
        CHECK_RC(ma.put("skew", "x", x, "2", 1, &nx, a), SVCQ_OK);
        CHECK_RC(mb.put("skew", "y", y, "2", 1, &ny, b), SVCQ_OK);
        CHECK_RC(ma.commit(a), SVCQ_OK);
        CHECK_RC(mb.commit(b), SVCQ_ECONFLICT);
        CHECK(strstr(pg_store_errmsg(b), "commit: ") == pg_store_errmsg(b));
        CHECK_RC(mb.rollback(b), SVCQ_OK);
        seen = 0;
        CHECK_RC(ma.get("skew", "y", keep_rev, &seen, a), SVCQ_OK);
        CHECK(seen == y);
    }
    /* Remove: another revision is a conflict, an absent record not found. */
    CHECK_RC(mb.begin(b), SVCQ_OK);
    CHECK_RC(mb.remove("incident", "INC-1", r1, b), SVCQ_ECONFLICT);
    CHECK_RC(mb.remove("incident", "INC-9", r1, b), SVCQ_ENOTFOUND);
    CHECK_RC(mb.rollback(b), SVCQ_OK);
    pg_store_close(a);
    pg_store_close(b);
}

/* ---- a lost connection -------------------------------------------------------- */

static char logged[512];
static void logger(int32_t level, const char *message, void *ud)
{
    (void)ud;
    if (level == SVCQ_LOG_WARN)
        snprintf(logged, sizeof(logged), "%s", message);
}

static void kill_backend(pg_store *victim, pg_store *killer)
{
    char q[128];
    /* Waits (up to 60 s) until the backend has exited. */
    snprintf(q, sizeof(q), "SELECT pg_terminate_backend(%d, 60000)", PQbackendPID(pg_store_conn(victim)));
    PGresult *res = PQexec(pg_store_conn(killer), q);
    CHECK(PQresultStatus(res) == PGRES_TUPLES_OK);
    PQclear(res);
}

static void lost_connection(void)
{
    pg_store *a, *b;
    svcq_ctx *ctx = NULL;
    CHECK_RC(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    /* With the context it will serve: the server's message reaches svcq_ctx_errmsg(). */
    pg_store_options o = { conninfo, schema, PG_STORE_READ_COMMITTED, PG_STORE_RESET, logger, NULL, ctx };
    char msg[256];
    if (!ctx || pg_store_open(&a, &o, msg, sizeof(msg)) || open_store(&b, PG_STORE_READ_COMMITTED, 0)) {
        failures++;
        svcq_ctx_free(ctx);
        return;
    }
    svcq_store_methods m;
    CHECK_RC(pg_store_methods(&m, a), SVCQ_OK);
    uint64_t rev = 0, r2 = 0;

    /* In a transaction: the write fails with EIO and the server's message;
     * the rollback finds nothing to do; the next transaction reconnects. */
    CHECK_RC(m.begin(a), SVCQ_OK);
    kill_backend(a, b);
    CHECK_RC(m.put("incident", "INC-1", 0, "{}", 2, &rev, a), SVCQ_EIO);
    CHECK(strstr(pg_store_errmsg(a), "put: ") == pg_store_errmsg(a));
    CHECK(strstr(pg_store_errmsg(a), "terminat") || strstr(pg_store_errmsg(a), "closed"));
    CHECK(strcmp(logged, pg_store_errmsg(a)) == 0);
    CHECK_RC(m.commit(a), SVCQ_EIO); /* the transaction was lost */
    CHECK_RC(m.rollback(a), SVCQ_OK);
    CHECK_RC(m.begin(a), SVCQ_OK);
    CHECK(pg_store_reconnects(a) == 1);
    CHECK_RC(m.put("incident", "INC-1", 0, "{}", 2, &rev, a), SVCQ_OK);
    CHECK_RC(m.commit(a), SVCQ_OK);

    /* Idle: begin finds the connection gone, reconnects and goes on. */
    kill_backend(a, b);
    CHECK_RC(m.begin(a), SVCQ_OK);
    CHECK(pg_store_reconnects(a) == 2);
    CHECK_RC(m.put("incident", "INC-1", rev, "{}", 2, &r2, a), SVCQ_OK);
    CHECK_RC(m.commit(a), SVCQ_OK);

    /* A read outside a transaction reconnects too. */
    kill_backend(a, b);
    uint64_t seen = 0;
    CHECK_RC(m.get("incident", "INC-1", keep_rev, &seen, a), SVCQ_OK);
    CHECK(seen == r2 && pg_store_reconnects(a) == 3);

    /* Through the library: the code is EIO, the context names the call and
     * ends with the server's message. */
    {
        CHECK_RC(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
        CHECK_RC(svcq_ctx_batch_begin(ctx), SVCQ_OK);
        kill_backend(a, b);
        svcq_incident_report_spec s = SVCQ_INCIDENT_REPORT_SPEC_INIT;
        s.type = SVCQ_INCIDENT_TYPE_SERVICE_DELAY;
        s.stage = SVCQ_INCIDENT_STAGE_RECEPTION;
        s.channel = SVCQ_INCIDENT_CHANNEL_PHONE;
        s.observed = "late";
        s.reporter_name = "Li Na";
        svcq_incident *inc = NULL;
        CHECK_RC(svcq_incident_report(&inc, ctx, "INC-7", &s, "Li Na", "agent"), SVCQ_EIO);
        CHECK(inc == NULL);
        const char *e = svcq_ctx_errmsg(ctx);
        CHECK(strstr(e, "store put(incident") != NULL && strstr(e, "INC-7") != NULL);
        CHECK(strstr(e, "terminat") != NULL || strstr(e, "closed") != NULL);
        CHECK(strchr(e, '\n') == NULL);
        (void)svcq_ctx_batch_rollback(ctx);
        /* The next call works on a new connection. */
        CHECK_RC(svcq_incident_report(&inc, ctx, "INC-7", &s, "Li Na", "agent"), SVCQ_OK);
        svcq_incident_free(inc);
        svcq_ctx_free(ctx); /* closes a */
    }
    pg_store_close(b);
}

static void unreachable(void)
{
    pg_store *pg = (pg_store *)&pg;
    char msg[512];
    pg_store_options o = { "host=/nonexistent-svcq-socket-dir port=1 connect_timeout=2", "x", 0, 0, NULL, NULL, NULL };
    CHECK_RC(pg_store_open(&pg, &o, msg, sizeof(msg)), SVCQ_EIO);
    CHECK(pg == NULL);
    CHECK(strstr(msg, "connect: ") == msg && strlen(msg) > 10);
    o.conninfo = conninfo;
    o.isolation = 7;
    CHECK_RC(pg_store_open(&pg, &o, msg, sizeof(msg)), SVCQ_EINVAL);
    CHECK_RC(pg_store_open(NULL, &o, msg, sizeof(msg)), SVCQ_EINVAL);
    CHECK_RC(pg_store_methods(NULL, NULL), SVCQ_EINVAL);
}

static void drop_schema(void)
{
    PGconn *c = PQconnectdb(conninfo);
    char *q = PQescapeIdentifier(c, schema, strlen(schema));
    char sqltext[128];
    snprintf(sqltext, sizeof(sqltext), "DROP SCHEMA IF EXISTS %s CASCADE", q ? q : "\"?\"");
    PQfreemem(q);
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    PQclear(PQexec(c, sqltext));
    PQfinish(c);
}

int main(void)
{
    conninfo = getenv("SVCQ_PG_CONNINFO");
    if (!conninfo || !*conninfo) {
        printf("SVCQ_PG_CONNINFO is not set: skipped\n");
        return 77;
    }
    PGconn *probe = PQconnectdb(conninfo);
    int up = PQstatus(probe) == CONNECTION_OK;
    if (!up)
        printf("no PostgreSQL at SVCQ_PG_CONNINFO (%s): skipped\n", PQerrorMessage(probe));
    PQfinish(probe);
    if (!up)
        return 77;
    snprintf(schema, sizeof(schema), "svcq_conformance_%ld", (long)getpid());

    static const struct {
        const char *name;
        variant v;
    } runs[] = {
        { "pg (read committed, version 2)", { PG_STORE_READ_COMMITTED, 0 } },
        { "pg (read committed, as a version-1 table)", { PG_STORE_READ_COMMITTED, 1 } },
        { "pg (serializable, version 2)", { PG_STORE_SERIALIZABLE, 0 } },
    };
    for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
        variant v = runs[i].v;
        store_conformance_factory f = { runs[i].name, create, reopen, &v, 0 };
        int n = store_conformance_run(&f);
        printf("conformance %s: %d failed\n", runs[i].name, n);
        failures += n;
    }
    plans();
    conflicts(PG_STORE_READ_COMMITTED);
    conflicts(PG_STORE_REPEATABLE_READ);
    conflicts(PG_STORE_SERIALIZABLE);
    lost_connection();
    unreachable();
    drop_schema();
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
    return failures ? 1 : 0;
}
