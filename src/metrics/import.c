/* Bulk import of facts: JSON lines and CSV (docs/format.md).
 *
 * Per line: a line that does not decode, or whose fact the set refuses
 * (SVCQ_EINVAL, SVCQ_ERANGE, SVCQ_EVERSION), is reported with its file
 * line and column and skipped; every other line is put on its own (its own
 * transaction, or the host's batch). An allocation or store failure stops
 * the import with that error; the lines put before it stay. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "metrics/metrics_internal.h"

typedef struct imp {
    svcq_metrics *m;
    svcq_metrics_reject_fn cb;
    void *ud;
    uint64_t accepted, rejected;
} imp;

/* Reports a rejected line: returns SVCQ_OK to go on, or what stops. */
static int reject(imp *im, uint64_t line, uint64_t col, int code, const char *what)
{
    im->rejected++;
    char msg[SVCQ__ERRMSG_SIZE + 64];
    snprintf(msg, sizeof(msg), "line %llu, column %llu: %s", (unsigned long long)line, (unsigned long long)col, what);
    if (!im->cb)
        return SVCQ_OK;
    int rc = svcq__callback_rc(im->cb(line, col, code, msg, im->ud));
    if (rc)
        return svcq__error(im->m->ctx, rc, "metrics %s: import stopped by the reject callback at line %llu",
                           im->m->name, (unsigned long long)line);
    return SVCQ_OK;
}

static bool soft(int rc)
{
    return rc == SVCQ_EINVAL || rc == SVCQ_ERANGE || rc == SVCQ_EVERSION || rc == SVCQ_EPARSE ||
           rc == SVCQ_ECORRUPT || rc == SVCQ_ELIMIT;
}

/* Puts one decoded fact: accepted, rejected, or a hard error. */
static int put_line(imp *im, uint64_t line, const svcq_metrics_fact *f)
{
    int rc = svcq_metrics_fact_put(im->m, f);
    if (!rc) {
        im->accepted++;
        return SVCQ_OK;
    }
    if (!soft(rc))
        return svcq__error_prefix(im->m->ctx, rc, "metrics %s: import line %llu", im->m->name,
                                  (unsigned long long)line);
    char what[SVCQ__ERRMSG_SIZE];
    snprintf(what, sizeof(what), "%s", svcq_ctx_errmsg(im->m->ctx));
    return reject(im, line, 1, rc, what);
}

/* ---- fields shared by both formats ------------------------------------------ */

enum { F_STR, F_TIME, F_INT, F_SLA };

typedef struct field {
    const char *name;
    int type;
    size_t off;
} field;

#define OFF(x) offsetof(svcq_metrics_fact, x)
static const field FIELDS[] = {
    { "id", F_STR, OFF(id) },
    { "client", F_STR, OFF(client) },
    { "tier", F_STR, OFF(tier) },
    { "channel", F_STR, OFF(channel) },
    { "category", F_STR, OFF(category) },
    { "agent", F_STR, OFF(agent) },
    { "complaint_category", F_STR, OFF(complaint_category) },
    { "location", F_STR, OFF(location) },
    { "stage", F_STR, OFF(stage) },
    { "received", F_TIME, OFF(received) },
    { "first_reply", F_TIME, OFF(first_reply) },
    { "resolved", F_TIME, OFF(resolved) },
    { "closed", F_TIME, OFF(closed) },
    { "reopened", F_TIME, OFF(reopened) },
    { "contacts", F_INT, OFF(contacts) },
    { "agent_replies", F_INT, OFF(agent_replies) },
    { "customer_replies", F_INT, OFF(customer_replies) },
    { "csat", F_INT, OFF(csat) },
    { "complaint", F_INT, OFF(complaint) },
    { "repeat", F_INT, OFF(repeat) },
    { "measures_due", F_INT, OFF(measures_due) },
    { "measures_on_time", F_INT, OFF(measures_on_time) },
    { "sla", F_SLA, 0 },
};
#define NFIELDS (sizeof(FIELDS) / sizeof(FIELDS[0]))

static const field *field_find(const char *name, size_t len)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (strlen(FIELDS[i].name) == len && !memcmp(FIELDS[i].name, name, len))
            return &FIELDS[i];
    return NULL;
}

static int32_t outcome_of(const char *s, size_t len)
{
    for (int32_t o = 0; o <= 2; o++)
        if (strlen(svcq_metrics_sla_outcome_name(o)) == len && !memcmp(svcq_metrics_sla_outcome_name(o), s, len))
            return o;
    return -1;
}

/* ---- JSON lines ----------------------------------------------------------- */

static int json_line(imp *im, uint64_t line, const char *text, size_t len)
{
    svcq_ctx *ctx = im->m->ctx;
    svcq__json_doc *doc = NULL;
    int rc = svcq__json_parse(ctx, text, len, NULL, &doc);
    char what[SVCQ__ERRMSG_SIZE + 64];
    if (rc) {
        if (!soft(rc))
            return rc;
        unsigned long long l = 0, c = 0;
        int n = 0;
        const char *msg = svcq_ctx_errmsg(ctx);
        if (sscanf(msg, "line %llu, column %llu: %n", &l, &c, &n) == 2 && n > 0)
            return reject(im, line, c, rc, msg + n);
        return reject(im, line, 1, rc, msg);
    }
    const svcq__json *root = svcq__json_root(doc);
    svcq_metrics_fact f;
    int irc_ = svcq_metrics_fact_init(&f, SVCQ_METRICS_FACT_VERSION); (void)irc_; /* cannot fail */
    const char *sla_t[SVCQ_METRICS_MAX_SLA];
    int32_t sla_o[SVCQ_METRICS_MAX_SLA];
    if (svcq__json_typeof(root) != SVCQ__JSON_OBJECT) {
        rc = SVCQ_EPARSE;
        snprintf(what, sizeof(what), "a fact is a JSON object, found %s", svcq__json_type_name(svcq__json_typeof(root)));
        goto bad;
    }
    for (size_t i = 0; i < svcq__json_object_size(root); i++) {
        const char *key;
        size_t kl;
        const svcq__json *v = svcq__json_object_member(root, i, &key, &kl);
        const field *fd = field_find(key, kl);
        svcq__json_type t = svcq__json_typeof(v);
        if (!fd) {
            if ((kl == 6 && !memcmp(key, "schema", 6)) || (kl == 3 && !memcmp(key, "set", 3)))
                continue;
            rc = SVCQ_EPARSE;
            snprintf(what, sizeof(what), "unknown field \"%.64s\"", key);
            goto bad;
        }
        if (t == SVCQ__JSON_NULL)
            continue;
        char *slot = (char *)&f + fd->off;
        size_t sl;
        const char *s;
        int64_t x;
        bool bv;
        switch (fd->type) {
        case F_STR:
            s = svcq__json_as_string(v, &sl);
            if (!s || strlen(s) != sl) {
                rc = SVCQ_EPARSE;
                snprintf(what, sizeof(what), "field \"%s\": expected a string without NUL, found %s", fd->name,
                         svcq__json_type_name(t));
                goto bad;
            }
            *(const char **)slot = s;
            break;
        case F_TIME:
            if (svcq__json_as_int(v, &x)) {
                *(svcq_time *)slot = x;
                break;
            }
            s = svcq__json_as_string(v, &sl);
            if (!s || !svcq__mx_parse_time(s, sl, (svcq_time *)slot)) {
                rc = SVCQ_EPARSE;
                snprintf(what, sizeof(what),
                         "field \"%s\": expected seconds or a time like 2026-01-05T09:00:00Z or +08:00", fd->name);
                goto bad;
            }
            break;
        case F_INT:
            if (svcq__json_as_bool(v, &bv))
                x = bv;
            else if (!svcq__json_as_int(v, &x) || x < INT32_MIN || x > INT32_MAX) {
                rc = SVCQ_EPARSE;
                snprintf(what, sizeof(what), "field \"%s\": expected a 32-bit integer, found %s", fd->name,
                         svcq__json_type_name(t));
                goto bad;
            }
            *(int32_t *)slot = (int32_t)x;
            break;
        default: {
            size_t n = svcq__json_array_size(v);
            if (t != SVCQ__JSON_ARRAY || n > SVCQ_METRICS_MAX_SLA) {
                rc = SVCQ_EPARSE;
                snprintf(what, sizeof(what), "field \"sla\": expected an array of at most %d outcomes",
                         SVCQ_METRICS_MAX_SLA);
                goto bad;
            }
            for (size_t j = 0; j < n; j++) {
                const svcq__json *e = svcq__json_array_get(v, j);
                const char *tg = svcq__json_as_string(svcq__json_get(e, "target"), &sl);
                size_t ol;
                const char *oc = svcq__json_as_string(svcq__json_get(e, "outcome"), &ol);
                int32_t o = oc ? outcome_of(oc, ol) : -1;
                if (!tg || strlen(tg) != sl || o < 0) {
                    rc = SVCQ_EPARSE;
                    snprintf(what, sizeof(what),
                             "field \"sla\": entry %zu needs a \"target\" and an \"outcome\" (pending, met, breached)", j);
                    goto bad;
                }
                sla_t[j] = tg;
                sla_o[j] = o;
            }
            f.sla_targets = sla_t;
            f.sla_outcomes = sla_o;
            f.sla_count = (uint32_t)n;
        }
        }
    }
    rc = put_line(im, line, &f);
    svcq__json_doc_free(doc);
    return rc;
bad:
    svcq__json_doc_free(doc);
    return reject(im, line, 1, rc, what);
}

static int import_jsonl(imp *im, const char *data, size_t size)
{
    uint64_t line = 0;
    size_t pos = 0;
    while (pos < size) {
        line++;
        const char *nl = memchr(data + pos, '\n', size - pos);
        size_t end = nl ? (size_t)(nl - data) : size, len = end - pos;
        if (len && data[pos + len - 1] == '\r')
            len--;
        bool blank = true;
        for (size_t i = 0; i < len && blank; i++)
            blank = data[pos + i] == ' ' || data[pos + i] == '\t';
        if (!blank) {
            int rc = json_line(im, line, data + pos, len);
            if (rc)
                return rc;
        }
        pos = nl ? end + 1 : size;
    }
    return SVCQ_OK;
}

/* ---- CSV ------------------------------------------------------------------- */

#define CSV_MAX_COLS 64

typedef struct csv_rec {
    uint64_t line;                 /* line of the record's first byte */
    size_t n;                      /* fields */
    size_t off[CSV_MAX_COLS];      /* into buf */
    uint64_t col[CSV_MAX_COLS];    /* 1-based byte column of each field */
    uint64_t fline[CSV_MAX_COLS];  /* line of each field */
    svcq__buf buf;                 /* fields, each NUL-terminated */
} csv_rec;

/* Reads one record at *pos; *line advances. rc: SVCQ_OK, SVCQ_EPARSE
 * (message in what, *errcol), SVCQ_ENOMEM. */
static int csv_read(const char *d, size_t size, size_t *pos, uint64_t *line, uint64_t *linestart, csv_rec *r,
                    char *what, size_t wsize, uint64_t *errcol)
{
    svcq__buf_truncate(&r->buf, 0);
    r->n = 0;
    r->line = *line;
    size_t p = *pos;
    int rc;
    for (;;) {
        if (r->n == CSV_MAX_COLS) {
            snprintf(what, wsize, "more than %d fields", CSV_MAX_COLS);
            *errcol = p - *linestart + 1;
            return SVCQ_EPARSE;
        }
        r->off[r->n] = r->buf.len;
        r->col[r->n] = p - *linestart + 1;
        r->fline[r->n] = *line;
        r->n++;
        if (p < size && d[p] == '"') {
            p++;
            for (;;) {
                if (p >= size) {
                    snprintf(what, wsize, "a quoted field is not closed");
                    *errcol = r->col[r->n - 1];
                    return SVCQ_EPARSE;
                }
                if (d[p] == '"') {
                    if (p + 1 < size && d[p + 1] == '"') {
                        if ((rc = svcq__buf_putc(&r->buf, '"')))
                            return rc;
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                if (d[p] == '\n') {
                    (*line)++;
                    *linestart = p + 1;
                }
                if ((rc = svcq__buf_putc(&r->buf, d[p])))
                    return rc;
                p++;
            }
            if (p < size && d[p] != ',' && d[p] != '\n' && !(d[p] == '\r' && p + 1 < size && d[p + 1] == '\n')) {
                snprintf(what, wsize, "text after a closing quote");
                *errcol = p - *linestart + 1;
                return SVCQ_EPARSE;
            }
        } else {
            /* A record ends at LF or CRLF; a lone CR is data (lines are
             * counted by LF, as in the JSON lines import). */
            while (p < size && d[p] != ',' && d[p] != '\n' && !(d[p] == '\r' && p + 1 < size && d[p + 1] == '\n')) {
                if (d[p] == '"') {
                    snprintf(what, wsize, "a quote inside an unquoted field");
                    *errcol = p - *linestart + 1;
                    return SVCQ_EPARSE;
                }
                if ((rc = svcq__buf_putc(&r->buf, d[p])))
                    return rc;
                p++;
            }
        }
        if ((rc = svcq__buf_putc(&r->buf, '\0')))
            return rc;
        if (p < size && d[p] == ',') {
            p++;
            continue;
        }
        if (p < size && d[p] == '\r')
            p++;
        if (p < size && d[p] == '\n') {
            p++;
            (*line)++;
            *linestart = p;
        }
        *pos = p;
        return SVCQ_OK;
    }
}

/* Skips the rest of a bad record: to the end of its line. */
static void csv_skip(const char *d, size_t size, size_t *pos, uint64_t *line, uint64_t *linestart)
{
    size_t p = *pos;
    while (p < size && d[p] != '\n')
        p++;
    if (p < size) {
        p++;
        (*line)++;
        *linestart = p;
    }
    *pos = p;
}

static int import_csv(imp *im, const char *d, size_t size)
{
    svcq_ctx *ctx = im->m->ctx;
    csv_rec r;
    memset(&r, 0, sizeof(r));
    svcq__buf_init(&r.buf, ctx);
    uint64_t line = 1, linestart = 0, errcol = 1;
    size_t pos = 0;
    char what[SVCQ__ERRMSG_SIZE];
    const field *cols[CSV_MAX_COLS];
    size_t ncols;
    int rc = csv_read(d, size, &pos, &line, &linestart, &r, what, sizeof(what), &errcol);
    if (rc == SVCQ_EPARSE)
        rc = svcq__error(ctx, SVCQ_EPARSE, "metrics %s: CSV header, line 1, column %llu: %s", im->m->name,
                         (unsigned long long)errcol, what);
    if (rc)
        goto done;
    ncols = r.n;
    bool has_id = false, has_received = false;
    for (size_t i = 0; i < ncols; i++) {
        const char *name = r.buf.data + r.off[i];
        cols[i] = field_find(name, strlen(name));
        if (!cols[i]) {
            rc = svcq__error(ctx, SVCQ_EPARSE, "metrics %s: CSV header, line 1, column %llu: unknown field \"%.64s\"",
                             im->m->name, (unsigned long long)r.col[i], name);
            goto done;
        }
        for (size_t j = 0; j < i; j++)
            if (cols[j] == cols[i]) {
                rc = svcq__error(ctx, SVCQ_EPARSE, "metrics %s: CSV header: field \"%s\" appears twice", im->m->name,
                                 cols[i]->name);
                goto done;
            }
        has_id |= !strcmp(cols[i]->name, "id");
        has_received |= !strcmp(cols[i]->name, "received");
    }
    if (!has_id || !has_received) {
        rc = svcq__error(ctx, SVCQ_EPARSE, "metrics %s: CSV header needs the fields \"id\" and \"received\"",
                         im->m->name);
        goto done;
    }
    while (pos < size) {
        if (d[pos] == '\n' || (d[pos] == '\r' && pos + 1 < size && d[pos + 1] == '\n')) {
            pos += d[pos] == '\r' ? 2 : 1;
            line++;
            linestart = pos;
            continue;
        }
        rc = csv_read(d, size, &pos, &line, &linestart, &r, what, sizeof(what), &errcol);
        if (rc == SVCQ_EPARSE) {
            /* Reported where it was found (a quoted field may have run
             * over lines); reading resumes after that line, so each line
             * is reported at most once. */
            uint64_t errline = line;
            pos = linestart;
            csv_skip(d, size, &pos, &line, &linestart);
            if ((rc = reject(im, errline, errcol, SVCQ_EPARSE, what)))
                goto done;
            continue;
        }
        if (rc)
            goto done;
        if (r.n != ncols) {
            snprintf(what, sizeof(what), "%zu fields, the header has %zu", r.n, ncols);
            if ((rc = reject(im, r.line, 1, SVCQ_EPARSE, what)))
                goto done;
            continue;
        }
        svcq_metrics_fact f;
        int irc_ = svcq_metrics_fact_init(&f, SVCQ_METRICS_FACT_VERSION); (void)irc_; /* cannot fail */
        const char *sla_t[SVCQ_METRICS_MAX_SLA];
    int32_t sla_o[SVCQ_METRICS_MAX_SLA];
        bool bad = false;
        for (size_t i = 0; i < ncols && !bad; i++) {
            char *v = r.buf.data + r.off[i];
            if (!*v)
                continue;
            char *slot = (char *)&f + cols[i]->off;
            switch (cols[i]->type) {
            case F_STR: *(const char **)slot = v; break;
            case F_TIME:
                if (!svcq__mx_parse_time(v, strlen(v), (svcq_time *)slot)) {
                    snprintf(what, sizeof(what),
                             "field \"%s\": expected seconds or a time like 2026-01-05T09:00:00Z or +08:00",
                             cols[i]->name);
                    bad = true;
                }
                break;
            case F_INT: {
                char *end;
                long long x = strtoll(v, &end, 10);
                if (*end || x < INT32_MIN || x > INT32_MAX) {
                    snprintf(what, sizeof(what), "field \"%s\": \"%.32s\" is not a 32-bit integer", cols[i]->name, v);
                    bad = true;
                }
                *(int32_t *)slot = (int32_t)x;
                break;
            }
            default: {
                /* target:outcome;target:outcome */
                uint32_t n = 0;
                char *s = v;
                while (*s && !bad) {
                    char *semi = strchr(s, ';');
                    if (semi)
                        *semi = '\0';
                    char *colon = strrchr(s, ':');
                    int32_t o = colon ? outcome_of(colon + 1, strlen(colon + 1)) : -1;
                    if (!colon || o < 0 || n == SVCQ_METRICS_MAX_SLA) {
                        snprintf(what, sizeof(what),
                                 "field \"sla\": expected target:outcome;... with pending, met or breached");
                        bad = true;
                        break;
                    }
                    *colon = '\0';
                    sla_t[n] = s;
                    sla_o[n++] = o;
                    s = semi ? semi + 1 : s + strlen(s);
                }
                f.sla_targets = sla_t;
            f.sla_outcomes = sla_o;
                f.sla_count = n;
            }
            }
            if (bad)
                errcol = r.col[i];
        }
        if (bad) {
            if ((rc = reject(im, r.line, errcol, SVCQ_EPARSE, what)))
                goto done;
            continue;
        }
        if ((rc = put_line(im, r.line, &f)))
            goto done;
    }
done:
    if (rc == SVCQ_ENOMEM)
        svcq__enomem(ctx);
    svcq__buf_free(&r.buf);
    return rc;
}

int svcq_metrics_import(uint64_t *accepted, uint64_t *rejected, svcq_metrics *m, int32_t format, const char *data,
                        size_t size, svcq_metrics_reject_fn on_reject, void *user_data)
{
    if (accepted)
        *accepted = 0;
    if (rejected)
        *rejected = 0;
    if (!m || (!data && size))
        return svcq__error(m ? m->ctx : NULL, SVCQ_EINVAL, "svcq_metrics_import: NULL argument");
    if (!svcq_metrics_import_format_name(format))
        return svcq__error(m->ctx, SVCQ_EINVAL, "metrics %s: unknown import format %d", m->name, (int)format);
    imp im = { m, on_reject, user_data, 0, 0 };
    int rc = format == SVCQ_METRICS_IMPORT_JSONL ? import_jsonl(&im, data, size) : import_csv(&im, data, size);
    if (accepted)
        *accepted = im.accepted;
    if (rejected)
        *rejected = im.rejected;
    return rc;
}
