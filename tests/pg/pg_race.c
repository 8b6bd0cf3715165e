/* Two application servers, one database: two processes, each with its own
 * context and its own connection (examples/pg_store), race on the same
 * incidents. Every conflict is reported as SVCQ_ECONFLICT, the loser
 * reloads and retries, and at the end nothing is lost or doubled and every
 * audit chain verifies.
 *
 *   report    both report the same ids at once: one wins each, the other
 *             conflicts (and loads what the winner wrote);
 *   lockstep  ROUNDS times: both load every incident, wait for each other,
 *             then each adds an attachment to each: of the two writes
 *             that start from the same revision exactly one conflicts —
 *             ROUNDS x INCIDENTS conflicts under READ COMMITTED, the loser
 *             retries after a reload and succeeds;
 *   free      FREE attachments each, no waiting: whatever interleaving the
 *             scheduler gives;
 *   confirm   each adds one member of the confirmation group, then both
 *             try to confirm: one confirm per incident wins, the other
 *             finds it confirmed after its reload.
 *
 * The parent then checks from a third connection: every incident is
 * confirmed, has 1 + 2 x (ROUNDS + FREE) + 2 + 1 audit entries, its chain
 * verifies, and its JSON holds every attachment URI exactly once.
 *
 * argv[1]: "read-committed" (default) or "serializable" (where PostgreSQL
 * may also fail a transaction that did not truly conflict: the lockstep
 * count is then a lower bound). Skipped (77) without SVCQ_PG_CONNINFO or a
 * server. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "pg_store.h"
#include "svcq.h"

enum { SERVERS = 2, INCIDENTS = 4, ROUNDS = 6, FREE = 12, MAX_RETRIES = 1000 };

typedef struct tally {
    uint64_t reported, report_conflicts;
    uint64_t lockstep_conflicts, free_conflicts, confirm_conflicts;
    uint64_t confirmed, already_confirmed;
    uint64_t store_conflicts; /* as the adapter counted them */
    uint64_t errors;
} tally;

static const char *conninfo;
static char schema[64];
static int isolation = PG_STORE_READ_COMMITTED;

/* ---- a barrier through the parent ---------------------------------------------- */

static int to_parent[SERVERS][2], to_child[SERVERS][2];

static int xread(int fd, void *p, size_t n)
{
    while (n) {
        ssize_t got = read(fd, p, n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return -1;
        p = (char *)p + got;
        n -= (size_t)got;
    }
    return 0;
}

static int xwrite(int fd, const void *p, size_t n)
{
    while (n) {
        ssize_t put = write(fd, p, n);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0)
            return -1;
        p = (const char *)p + put;
        n -= (size_t)put;
    }
    return 0;
}

static void child_barrier(int k)
{
    char c = 'r';
    if (xwrite(to_parent[k][1], &c, 1) || xread(to_child[k][0], &c, 1))
        _exit(3);
}

/* ---- one application server ------------------------------------------------------- */

static void incident_id(char *out, size_t n, int i)
{
    snprintf(out, n, "INC-%d", i + 1);
}

static int report(svcq_incident **out, svcq_ctx *ctx, const char *id, int k)
{
    svcq_incident_report_spec s = SVCQ_INCIDENT_REPORT_SPEC_INIT;
    s.type = SVCQ_INCIDENT_TYPE_SERVICE_DELAY;
    s.stage = SVCQ_INCIDENT_STAGE_TECHNICAL_SUPPORT;
    s.channel = SVCQ_INCIDENT_CHANNEL_PHONE;
    s.observed = "Customer waited 3 h for a callback promised within 1 h";
    s.reporter_name = k ? "Server B" : "Server A";
    s.client = "client-42";
    return svcq_incident_report(out, ctx, id, &s, s.reporter_name, "agent");
}

static void reload(svcq_incident **inc, svcq_ctx *ctx, const char *id, tally *t)
{
    svcq_incident_free(*inc);
    *inc = NULL;
    int rc = svcq_incident_load(inc, ctx, id);
    if (rc) {
        fprintf(stderr, "server: load %s: %s\n", id, svcq_ctx_errmsg(ctx));
        t->errors++;
    }
}

/* Adds an attachment; on a conflict reloads and tries again. */
static void attach(svcq_incident **inc, svcq_ctx *ctx, const char *id, const char *uri, uint64_t *conflicts, tally *t)
{
    for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {
        if (!*inc) {
            t->errors++;
            return;
        }
        int rc = svcq_incident_add_attachment(*inc, "agent", "agent", "document", uri, NULL);
        if (rc == SVCQ_OK)
            return;
        if (rc != SVCQ_ECONFLICT) {
            fprintf(stderr, "server: attach %s to %s: %s\n", uri, id, svcq_ctx_errmsg(ctx));
            t->errors++;
            return;
        }
        (*conflicts)++;
        reload(inc, ctx, id, t);
    }
    t->errors++;
}

static void server(int k)
{
    tally t = { 0 };
    svcq_ctx *ctx = NULL;
    pg_store *pg = NULL;
    pg_store_options o = { conninfo, schema, isolation, 0, NULL, NULL, NULL };
    char msg[512];
    svcq_store_methods m;
    if (svcq_ctx_new(&ctx, NULL) || pg_store_open(&pg, &o, msg, sizeof(msg)) || pg_store_methods(&m, pg) ||
        svcq_ctx_set_store(ctx, &m)) {
        fprintf(stderr, "server %d: setup failed: %s\n", k, msg);
        _exit(2);
    }
    svcq_incident *inc[INCIDENTS] = { 0 };
    char id[INCIDENTS][32];
    for (int i = 0; i < INCIDENTS; i++)
        incident_id(id[i], sizeof(id[i]), i);

    /* report: both at once. */
    child_barrier(k);
    for (int i = 0; i < INCIDENTS; i++) {
        int rc = report(&inc[i], ctx, id[i], k);
        if (rc == SVCQ_OK) {
            t.reported++;
        } else if (rc == SVCQ_ECONFLICT) {
            t.report_conflicts++;
            reload(&inc[i], ctx, id[i], &t);
        } else {
            fprintf(stderr, "server %d: report %s: %s\n", k, id[i], svcq_ctx_errmsg(ctx));
            t.errors++;
        }
    }
    child_barrier(k); /* both reports are in: from here on every load sees the winner's */

    /* lockstep */
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < INCIDENTS; i++)
            reload(&inc[i], ctx, id[i], &t);
        child_barrier(k);
        for (int i = 0; i < INCIDENTS; i++) {
            char uri[64];
            snprintf(uri, sizeof(uri), "log://s%d/lock/%d", k, r);
            attach(&inc[i], ctx, id[i], uri, &t.lockstep_conflicts, &t);
        }
        child_barrier(k);
    }

    /* free running */
    for (int f = 0; f < FREE; f++) {
        for (int i = 0; i < INCIDENTS; i++) {
            char uri[64];
            snprintf(uri, sizeof(uri), "log://s%d/free/%d", k, f);
            attach(&inc[i], ctx, id[i], uri, &t.free_conflicts, &t);
        }
    }
    child_barrier(k);

    /* confirm: one member each, then both confirm. */
    for (int i = 0; i < INCIDENTS; i++) {
        reload(&inc[i], ctx, id[i], &t);
        for (int attempt = 0; inc[i] && attempt < MAX_RETRIES; attempt++) {
            int rc = svcq_incident_add_confirmer(inc[i], "Zhao Min", "supervisor", k ? "Sun Li" : "Zhao Min",
                                                 k ? "quality_staff" : "service_supervisor");
            if (rc == SVCQ_OK)
                break;
            if (rc != SVCQ_ECONFLICT) {
                fprintf(stderr, "server %d: add_confirmer %s: %s\n", k, id[i], svcq_ctx_errmsg(ctx));
                t.errors++;
                break;
            }
            t.confirm_conflicts++;
            reload(&inc[i], ctx, id[i], &t);
        }
    }
    child_barrier(k); /* both members are in */
    for (int i = 0; i < INCIDENTS; i++) {
        reload(&inc[i], ctx, id[i], &t);
    }
    child_barrier(k);
    for (int i = 0; i < INCIDENTS; i++) {
        svcq_incident_confirmation c = SVCQ_INCIDENT_CONFIRMATION_INIT;
        c.real = 1;
        c.category = SVCQ_INCIDENT_RESP_PROCESS_GAP;
        c.responsible_unit = "Support tier 1";
        for (int attempt = 0; inc[i] && attempt < MAX_RETRIES; attempt++) {
            if (svcq_incident_state_of(inc[i]) == SVCQ_INCIDENT_CONFIRMED) {
                t.already_confirmed++;
                break;
            }
            int rc = svcq_incident_confirm(inc[i], "Zhao Min", "supervisor", &c);
            if (rc == SVCQ_OK) {
                t.confirmed++;
                break;
            }
            if (rc != SVCQ_ECONFLICT) {
                fprintf(stderr, "server %d: confirm %s: %s\n", k, id[i], svcq_ctx_errmsg(ctx));
                t.errors++;
                break;
            }
            t.confirm_conflicts++;
            reload(&inc[i], ctx, id[i], &t);
        }
    }
    t.store_conflicts = pg_store_conflicts(pg);
    for (int i = 0; i < INCIDENTS; i++)
        svcq_incident_free(inc[i]);
    svcq_ctx_free(ctx);
    if (xwrite(to_parent[k][1], "t", 1) || xwrite(to_parent[k][1], &t, sizeof(t)))
        _exit(3);
    _exit(0);
}

/* ---- the parent ----------------------------------------------------------------------- */

static int failures;
#define CHECK(cond) \
    do { \
        if (!(cond)) { \
            failures++; \
            fprintf(stderr, "pg_race: line %d: %s\n", __LINE__, #cond); \
        } \
    } while (0)

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    for (const char *p = strstr(hay, needle); p; p = strstr(p + len, needle))
        n++;
    return n;
}

static void verify(void)
{
    svcq_ctx *ctx = NULL;
    pg_store *pg = NULL;
    pg_store_options o = { conninfo, schema, PG_STORE_READ_COMMITTED, 0, NULL, NULL, NULL };
    char msg[512];
    svcq_store_methods m;
    if (svcq_ctx_new(&ctx, NULL) || pg_store_open(&pg, &o, msg, sizeof(msg)) || pg_store_methods(&m, pg) ||
        svcq_ctx_set_store(ctx, &m)) {
        fprintf(stderr, "verify: setup failed: %s\n", msg);
        failures++;
        pg_store_close(pg);
        svcq_ctx_free(ctx);
        return;
    }
    const uint64_t want_entries = 1 + (uint64_t)SERVERS * (ROUNDS + FREE) + SERVERS + 1;
    for (int i = 0; i < INCIDENTS; i++) {
        char id[32];
        incident_id(id, sizeof(id), i);
        uint64_t entries = 0;
        int rc = svcq_incident_audit_verify(&entries, ctx, id);
        if (rc)
            fprintf(stderr, "verify %s: %s\n", id, svcq_ctx_errmsg(ctx));
        CHECK(rc == SVCQ_OK);
        CHECK(entries == want_entries);
        svcq_incident *inc = NULL;
        CHECK(svcq_incident_load(&inc, ctx, id) == SVCQ_OK);
        if (!inc)
            continue;
        CHECK(svcq_incident_state_of(inc) == SVCQ_INCIDENT_CONFIRMED);
        CHECK(svcq_incident_audit_count(inc) == want_entries);
        svcq_buffer *b = NULL;
        svcq_writer w;
        CHECK(svcq_buffer_new(&b, ctx) == SVCQ_OK);
        CHECK(svcq_writer_to_buffer(&w, b) == SVCQ_OK);
        CHECK(svcq_incident_export_json(inc, &w, 0) == SVCQ_OK);
        const char *json = svcq_buffer_data(b);
        for (int k = 0; k < SERVERS; k++) {
            for (int r = 0; r < ROUNDS; r++) {
                char uri[64];
                snprintf(uri, sizeof(uri), "\"log://s%d/lock/%d\"", k, r);
                CHECK(count_of(json, uri) == 1);
            }
            for (int f = 0; f < FREE; f++) {
                char uri[64];
                snprintf(uri, sizeof(uri), "\"log://s%d/free/%d\"", k, f);
                CHECK(count_of(json, uri) == 1);
            }
        }
        CHECK(count_of(json, "\"log://") == (size_t)SERVERS * (ROUNDS + FREE));
        svcq_buffer_free(b);
        svcq_incident_free(inc);
    }
    svcq_ctx_free(ctx);
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

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "serializable") == 0)
        isolation = PG_STORE_SERIALIZABLE;
    else if (argc > 1 && strcmp(argv[1], "read-committed") != 0) {
        fprintf(stderr, "usage: pg_race [read-committed|serializable]\n");
        return 2;
    }
    conninfo = getenv("SVCQ_PG_CONNINFO");
    if (!conninfo || !*conninfo) {
        printf("SVCQ_PG_CONNINFO is not set: skipped\n");
        return 77;
    }
    snprintf(schema, sizeof(schema), "svcq_race_%s_%ld", isolation ? "ser" : "rc", (long)getpid());
    {
        pg_store *pg = NULL;
        pg_store_options o = { conninfo, schema, isolation, PG_STORE_RESET, NULL, NULL, NULL };
        char msg[512];
        int rc = pg_store_open(&pg, &o, msg, sizeof(msg));
        if (rc == SVCQ_EIO && strstr(msg, "connect: ") == msg) {
            printf("no PostgreSQL at SVCQ_PG_CONNINFO (%s): skipped\n", msg);
            return 77;
        }
        if (rc) {
            fprintf(stderr, "pg_race: %s\n", msg);
            return 1;
        }
        pg_store_close(pg); /* no connection crosses the fork */
    }
    fflush(NULL);
    pid_t pids[SERVERS];
    for (int k = 0; k < SERVERS; k++) {
        if (pipe(to_parent[k]) || pipe(to_child[k])) {
            perror("pipe");
            return 1;
        }
    }
    for (int k = 0; k < SERVERS; k++) {
        pids[k] = fork();
        if (pids[k] < 0) {
            perror("fork");
            return 1;
        }
        if (pids[k] == 0)
            server(k);
    }
    /* Barriers: 'r' from each server, then a byte to each; the servers'
     * tallies arrive last, 't' and sizeof(tally) bytes. */
    tally t[SERVERS];
    memset(t, 0, sizeof(t));
    for (;;) {
        char c[SERVERS];
        int done = 0;
        for (int k = 0; k < SERVERS; k++) {
            if (xread(to_parent[k][0], &c[k], 1)) {
                done = -1;
                break;
            }
            if (c[k] == 't') {
                if (xread(to_parent[k][0], &t[k], sizeof(tally)))
                    done = -1;
                else
                    done++;
            } else if (c[k] != 'r') {
                done = -1;
            }
        }
        if (done)
            break;
        for (int k = 0; k < SERVERS; k++)
            if (xwrite(to_child[k][1], "g", 1))
                done = -1;
    }
    for (int k = 0; k < SERVERS; k++) {
        int status = 0;
        waitpid(pids[k], &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    tally sum = { 0 };
    for (int k = 0; k < SERVERS; k++) {
        printf("server %d: reported %" PRIu64 ", conflicts: report %" PRIu64 ", lockstep %" PRIu64 ", free %" PRIu64
               ", confirm %" PRIu64 "; confirmed %" PRIu64 " (found confirmed %" PRIu64 "); adapter conflicts %" PRIu64
               ", errors %" PRIu64 "\n",
               k, t[k].reported, t[k].report_conflicts, t[k].lockstep_conflicts, t[k].free_conflicts,
               t[k].confirm_conflicts, t[k].confirmed, t[k].already_confirmed, t[k].store_conflicts, t[k].errors);
        sum.reported += t[k].reported;
        sum.report_conflicts += t[k].report_conflicts;
        sum.lockstep_conflicts += t[k].lockstep_conflicts;
        sum.free_conflicts += t[k].free_conflicts;
        sum.confirm_conflicts += t[k].confirm_conflicts;
        sum.confirmed += t[k].confirmed;
        sum.already_confirmed += t[k].already_confirmed;
        sum.store_conflicts += t[k].store_conflicts;
        sum.errors += t[k].errors;
    }
    CHECK(sum.errors == 0);
    CHECK(sum.reported == INCIDENTS);
    CHECK(sum.report_conflicts == INCIDENTS);
    if (isolation == PG_STORE_READ_COMMITTED)
        CHECK(sum.lockstep_conflicts == (uint64_t)ROUNDS * INCIDENTS);
    else
        CHECK(sum.lockstep_conflicts >= (uint64_t)ROUNDS * INCIDENTS);
    CHECK(sum.confirmed == INCIDENTS);
    CHECK(sum.already_confirmed == INCIDENTS);
    /* Every conflict the library reported started at the adapter. */
    CHECK(sum.store_conflicts >=
          sum.report_conflicts + sum.lockstep_conflicts + sum.free_conflicts + sum.confirm_conflicts);
    verify();
    drop_schema();
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
    return failures ? 1 : 0;
}
