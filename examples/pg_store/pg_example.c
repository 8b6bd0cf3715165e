/* pg_example: libsvcq on PostgreSQL through examples/pg_store.
 *
 * Two contexts stand for two application servers, each with its own
 * connection to one database: both load an incident, the first adds an
 * attachment, the second's attempt conflicts, it reloads and retries.
 *
 * Run: pg_example [CONNINFO]   (default: $SVCQ_PG_CONNINFO; exits 77
 * without a server). Works in the schema "svcq_example", made afresh. */
#include <stdio.h>
#include <stdlib.h>

#include <svcq.h>

#include "pg_store.h"

/* A context whose store is a new connection to the database. The store
 * knows its context, so a server error ends svcq_ctx_errmsg(). */
static int server(svcq_ctx **out, const char *conninfo, unsigned flags)
{
    svcq_ctx *ctx = NULL;
    int rc = svcq_ctx_new(&ctx, NULL);
    if (rc != SVCQ_OK)
        return rc;
    pg_store_options o = { conninfo, "svcq_example", PG_STORE_READ_COMMITTED, flags, NULL, NULL, ctx };
    char msg[512];
    pg_store *pg;
    if ((rc = pg_store_open(&pg, &o, msg, sizeof(msg))) != SVCQ_OK) {
        fprintf(stderr, "pg_store_open: %s\n", msg);
        svcq_ctx_free(ctx);
        return rc;
    }
    svcq_store_methods m;
    if ((rc = pg_store_methods(&m, pg)) == SVCQ_OK && (rc = svcq_ctx_set_store(ctx, &m)) == SVCQ_OK) {
        *out = ctx; /* the context owns the connection now */
        return SVCQ_OK;
    }
    pg_store_close(pg);
    svcq_ctx_free(ctx);
    return rc;
}

int main(int argc, char **argv)
{
    const char *conninfo = argc > 1 ? argv[1] : getenv("SVCQ_PG_CONNINFO");
    if (!conninfo || !*conninfo) {
        printf("no connection string (argument or SVCQ_PG_CONNINFO): skipped\n");
        return 77;
    }
    svcq_ctx *a = NULL, *b = NULL;
    if (server(&a, conninfo, PG_STORE_RESET) != SVCQ_OK)
        return 77;
    if (server(&b, conninfo, 0) != SVCQ_OK) {
        svcq_ctx_free(a);
        return 1;
    }
    svcq_incident_report_spec s = SVCQ_INCIDENT_REPORT_SPEC_INIT;
    s.type = SVCQ_INCIDENT_TYPE_SERVICE_DELAY;
    s.stage = SVCQ_INCIDENT_STAGE_TECHNICAL_SUPPORT;
    s.channel = SVCQ_INCIDENT_CHANNEL_PHONE;
    s.observed = "Callback promised within 1 h came after 3 h";
    s.reporter_name = "Li Na";
    svcq_incident *on_a = NULL, *on_b = NULL;
    int rc = svcq_incident_report(&on_a, a, "INC-1", &s, "Li Na", "agent");
    if (rc == SVCQ_OK)
        rc = svcq_incident_load(&on_b, b, "INC-1");
    if (rc == SVCQ_OK)
        rc = svcq_incident_add_attachment(on_a, "Li Na", "agent", "photo", "file://board.jpg", NULL);
    int conflict = rc == SVCQ_OK ? svcq_incident_add_attachment(on_b, "Wang Wei", "agent", "document",
                                                                 "file://call-log.pdf", NULL)
                                 : rc;
    printf("server B, stale: %s (%s)\n", svcq_strerror(conflict), svcq_ctx_errmsg(b));
    if (conflict == SVCQ_ECONFLICT) {
        svcq_incident_free(on_b);
        on_b = NULL;
        rc = svcq_incident_load(&on_b, b, "INC-1");
        if (rc == SVCQ_OK)
            rc = svcq_incident_add_attachment(on_b, "Wang Wei", "agent", "document", "file://call-log.pdf", NULL);
        printf("server B, after a reload: %s\n", svcq_strerror(rc));
    }
    uint64_t entries = 0;
    if (rc == SVCQ_OK)
        rc = svcq_incident_audit_verify(&entries, a, "INC-1");
    printf("audit chain of INC-1: %llu entries, %s\n", (unsigned long long)entries, svcq_strerror(rc));
    svcq_incident_free(on_a);
    svcq_incident_free(on_b);
    svcq_ctx_free(a);
    svcq_ctx_free(b);
    return rc == SVCQ_OK && conflict == SVCQ_ECONFLICT && entries == 3 ? 0 : 1;
}
