/* svcq store: looks into a file store (kinds, records, audit chains) and
 * compacts it. Reading opens the journal read-only, so it works next to
 * the application that writes it. */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char store_usage[] =
    "usage: svcq store <action> <file> [args]\n"
    "\n"
    "  info <file>                  the kinds with their record counts, and the journal's size\n"
    "  list <file> <kind> [--after ID] [--limit N]\n"
    "                               the ids of a kind in byte order, with their revisions\n"
    "  get <file> <kind> <id>       one record as stored (the library's records are JSON)\n"
    "  verify <file>                every incident's audit chain, against the head hash\n"
    "                               the incident keeps; exit status 1 if any fails\n"
    "  compact <file>               rewrite the journal with only the live records (needs\n"
    "                               the file to itself: not while an application has it open)\n"
    "Reading opens the journal read-only; it sees what was committed when it opened.\n";

typedef struct opened {
    svcq_ctx *ctx;
    svcq_store_file *fs;
    svcq_store_methods m;
} opened;

static int open_store(opened *o, const char *path, int writable)
{
    memset(o, 0, sizeof *o);
    o->ctx = cli_ctx();
    if (!o->ctx)
        return -1;
    svcq_store_file_options opts;
    if (svcq_store_file_options_init(&opts, SVCQ_STORE_FILE_OPTIONS_VERSION) != SVCQ_OK)
        return -1;
    opts.flags = SVCQ_STORE_FILE_NO_CREATE | (writable ? 0 : SVCQ_STORE_FILE_READ_ONLY);
    int rc = svcq_store_file_open(&o->fs, o->ctx, path, &opts);
    if (rc == SVCQ_OK)
        rc = svcq_store_file_methods(&o->m, o->fs);
    if (rc != SVCQ_OK) {
        cli_fail_at(path, 0, 0, "%s", svcq_ctx_errmsg(o->ctx));
        return -1;
    }
    return 0;
}

static void close_store(opened *o)
{
    if (o->fs)
        (void)svcq_store_file_close(o->fs);
    svcq_ctx_free(o->ctx);
}

static int print_kind(const char *kind, uint64_t records, void *user_data)
{
    cli_out_printf(user_data, "| %s | %" PRIu64 " |\n", kind, records);
    return 0;
}

static int store_info(cli_out *out, opened *o, const char *path)
{
    svcq_store_file_stats st;
    if (svcq_store_file_stats_init(&st, SVCQ_STORE_FILE_STATS_VERSION) != SVCQ_OK ||
        svcq_store_file_stats_get(&st, o->fs) != SVCQ_OK) {
        cli_fail_at(path, 0, 0, "cannot read the store's figures");
        return CLI_FAILED;
    }
    cli_out_printf(out, "# %s\n\n%" PRIu64 " records in %" PRIu64 " committed transactions; journal %" PRIu64
                        " bytes, %" PRIu64 " of them live",
                   path, st.records, st.transactions, st.file_bytes, st.live_bytes);
    if (st.recovered_dropped_bytes)
        cli_out_printf(out, "; %" PRIu64 " bytes of a torn tail ignored", st.recovered_dropped_bytes);
    cli_out_printf(out, ".\n\n| kind | records |\n|---|---:|\n");
    int rc = svcq_store_file_kinds(o->fs, print_kind, out);
    if (rc != SVCQ_OK) {
        cli_fail_at(path, 0, 0, "%s", svcq_ctx_errmsg(o->ctx));
        return CLI_FAILED;
    }
    return CLI_OK;
}

static int print_id(const char *id, uint64_t revision, const void *bytes, size_t size, void *user_data)
{
    (void)bytes;
    cli_out_printf(user_data, "%s\trevision %" PRIu64 "\t%zu bytes\n", id, revision, size);
    return 0;
}

static int store_list(cli_out *out, opened *o, const char *path, const char *kind, const char *after,
                      uint32_t limit)
{
    int rc = o->m.scan_range ? o->m.scan_range(kind, after, limit, print_id, out, o->m.user_data)
                             : o->m.scan(kind, print_id, out, o->m.user_data);
    if (rc != SVCQ_OK) {
        cli_fail_at(path, 0, 0, "kind %s: %s", kind, svcq_strerror(rc));
        return CLI_FAILED;
    }
    return CLI_OK;
}

static int print_record(const char *id, uint64_t revision, const void *bytes, size_t size, void *user_data)
{
    (void)id;
    (void)revision;
    cli_out_write(user_data, bytes, size);
    if (size && ((const char *)bytes)[size - 1] != '\n')
        cli_out_write(user_data, "\n", 1);
    return 0;
}

static int store_get(cli_out *out, opened *o, const char *path, const char *kind, const char *id)
{
    int rc = o->m.get(kind, id, print_record, out, o->m.user_data);
    if (rc == SVCQ_ENOTFOUND) {
        cli_fail_at(path, 0, 0, "no record %s/%s", kind, id);
        return CLI_FAILED;
    }
    if (rc != SVCQ_OK) {
        cli_fail_at(path, 0, 0, "%s/%s: %s", kind, id, svcq_strerror(rc));
        return CLI_FAILED;
    }
    return CLI_OK;
}

typedef struct ids {
    char **v;
    size_t n, cap;
} ids;

static int collect_id(const char *incident_id, void *user_data)
{
    ids *l = user_data;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return SVCQ_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    size_t len = strlen(incident_id);
    if (!(l->v[l->n] = malloc(len + 1)))
        return SVCQ_ENOMEM;
    memcpy(l->v[l->n++], incident_id, len + 1);
    return 0;
}

static int store_verify(cli_out *out, opened *o, const char *path)
{
    /* The context reads through the store from here on (and closes it). */
    if (svcq_ctx_set_store(o->ctx, &o->m) != SVCQ_OK) {
        cli_fail_at(path, 0, 0, "%s", svcq_ctx_errmsg(o->ctx));
        return CLI_FAILED;
    }
    o->fs = NULL;
    ids l = { 0 };
    svcq_incident_query q;
    int rc = svcq_incident_query_init(&q, SVCQ_INCIDENT_QUERY_VERSION);
    if (rc == SVCQ_OK)
        rc = svcq_incident_list(o->ctx, &q, collect_id, &l);
    int status = CLI_OK;
    if (rc != SVCQ_OK) {
        cli_fail_at(path, 0, 0, "incidents: %s", svcq_ctx_errmsg(o->ctx));
        status = CLI_FAILED;
    }
    size_t bad = 0;
    cli_progress prog;
    cli_progress_start(&prog, "verifying");
    for (size_t i = 0; status == CLI_OK && i < l.n; i++) {
        uint64_t entries = 0;
        rc = svcq_incident_audit_verify(&entries, o->ctx, l.v[i]);
        if (rc == SVCQ_OK) {
            cli_out_printf(out, "%s: %" PRIu64 " audit entries verified\n", l.v[i], entries);
        } else if (rc == SVCQ_ECORRUPT) {
            cli_fail_at(path, 0, 0, "incident %s: %s", l.v[i], svcq_ctx_errmsg(o->ctx));
            bad++;
        } else {
            cli_fail_at(path, 0, 0, "incident %s: %s", l.v[i], svcq_ctx_errmsg(o->ctx));
            status = CLI_FAILED;
        }
        cli_progress_tick(&prog, i + 1);
    }
    cli_progress_end(&prog);
    if (status == CLI_OK)
        cli_out_printf(out, "%zu incident%s, %zu audit chain%s failed\n", l.n, l.n == 1 ? "" : "s", bad,
                       bad == 1 ? "" : "s");
    for (size_t i = 0; i < l.n; i++)
        free(l.v[i]);
    free(l.v);
    /* A chain that does not verify is a finding: report, and fail. */
    if (status == CLI_OK && bad) {
        (void)cli_out_commit(out, NULL); /* what did verify, then the failure */
        out->len = 0;
        status = CLI_FAILED;
    }
    return status;
}

int cli_store(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
        fputs(store_usage, stdout);
        return CLI_OK;
    }
    if (argc < 3) {
        fputs(store_usage, stderr);
        return CLI_USAGE;
    }
    const char *action = argv[1], *path = argv[2];
    const char *after = NULL;
    uint32_t limit = 0;
    const char *pos[2] = { NULL, NULL };
    int npos = 0;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--after") == 0 && i + 1 < argc) {
            after = argv[++i];
        } else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
            char *end;
            unsigned long n = strtoul(argv[++i], &end, 10);
            if (*end || n == 0 || n > 1000000) {
                cli_fail("store: --limit %s: expected 1 to 1000000", argv[i]);
                return CLI_USAGE;
            }
            limit = (uint32_t)n;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            cli_fail("store: unknown option \"%s\" (see svcq help store)", argv[i]);
            return CLI_USAGE;
        } else if (npos < 2) {
            pos[npos++] = argv[i];
        } else {
            fputs(store_usage, stderr);
            return CLI_USAGE;
        }
    }
    static const struct {
        const char *name;
        int args;
        int writable;
    } actions[] = { { "info", 0, 0 }, { "list", 1, 0 }, { "get", 2, 0 }, { "verify", 0, 0 }, { "compact", 0, 1 } };
    int a = -1;
    for (int k = 0; k < (int)(sizeof actions / sizeof actions[0]); k++)
        if (strcmp(actions[k].name, action) == 0)
            a = k;
    if (a < 0) {
        cli_fail("store: no action \"%s\": info, list, get, verify or compact", action);
        return CLI_USAGE;
    }
    if (npos != actions[a].args || ((after || limit) && a != 1)) {
        fputs(store_usage, stderr);
        return CLI_USAGE;
    }
    opened o;
    if (open_store(&o, path, actions[a].writable) != 0) {
        close_store(&o);
        return CLI_FAILED;
    }
    cli_out out = { 0 };
    int status;
    switch (a) {
    case 0: status = store_info(&out, &o, path); break;
    case 1: status = store_list(&out, &o, path, pos[0], after, limit); break;
    case 2: status = store_get(&out, &o, path, pos[0], pos[1]); break;
    case 3: status = store_verify(&out, &o, path); break;
    default:
        if (svcq_store_file_compact(o.fs) != SVCQ_OK) {
            cli_fail_at(path, 0, 0, "%s", svcq_ctx_errmsg(o.ctx));
            status = CLI_FAILED;
        } else {
            cli_out_printf(&out, "%s: compacted\n", path);
            status = CLI_OK;
        }
        break;
    }
    if (status == CLI_OK)
        status = cli_out_commit(&out, NULL);
    cli_out_free(&out);
    close_store(&o);
    return status;
}
