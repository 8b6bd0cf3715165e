/* Exports of tier histories: a client's history as Markdown, and the tier
 * distribution (counts per tier, moves up and down in a period) as
 * Markdown and JSON. */
#include <stdio.h>
#include <string.h>

#include "store/record.h"
#include "tier/tier_internal.h"

#define NEVER SVCQ_SLA_NEVER

static int md_cell(svcq__buf *b, const char *s)
{
    int rc = SVCQ_OK;
    for (; *s && rc == SVCQ_OK; s++)
        rc = *s == '|' ? svcq__buf_puts(b, "\\|") : svcq__buf_putc(b, *s);
    return rc;
}

static int put_time(svcq__buf *b, const svcq_tz *tz, svcq_time t)
{
    if (t == NEVER)
        return svcq__buf_puts(b, "(open)");
    char tmp[64];
    int rc = svcq_tz_format(tmp, sizeof(tmp), NULL, tz, t, SVCQ_TIME_FORMAT_WEEKDAY | SVCQ_TIME_FORMAT_NO_SECONDS);
    return rc ? rc : svcq__buf_puts(b, tmp);
}

int svcq_client_export_history_markdown(const svcq_client *client, const svcq_tz *tz, const svcq_writer *writer)
{
    if (!client)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = client->ctx;
    if (!writer)
        return svcq__error(ctx, SVCQ_EINVAL, "client %s: history: no writer", client->id);
    svcq_tz *utc = NULL;
    int rc;
    if (!tz) {
        if ((rc = svcq_tz_from_posix(&utc, ctx, "UTC0")))
            return rc;
        tz = utc;
    }
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    const svcq__client_state *st = client->st;
    rc = svcq__buf_puts(&b, "## Tier history of ");
    if (rc == SVCQ_OK)
        rc = md_cell(&b, client->name);
    if (rc == SVCQ_OK)
        rc = svcq__buf_printf(&b, " (`%s`)\n\n| from | to | tier | change | reason | actor | scheme |\n"
                                  "|---|---|---|---|---|---|---|\n", client->id);
    for (uint32_t i = 0; i < st->nhist && rc == SVCQ_OK; i++) {
        const svcq__tier_entry *e = &st->hist[i];
        svcq_time to = e->to;
        if (i + 1 == st->nhist && st->has_override)
            to = st->override_expires;
        rc = svcq__buf_puts(&b, "| ");
        if (rc == SVCQ_OK)
            rc = put_time(&b, tz, e->from);
        if (rc == SVCQ_OK)
            rc = svcq__buf_puts(&b, " | ");
        if (rc == SVCQ_OK)
            rc = put_time(&b, tz, to);
        if (rc == SVCQ_OK)
            rc = svcq__buf_printf(&b, " | %s | %s | ", e->tier, svcq_tier_change_name(e->kind));
        if (rc == SVCQ_OK)
            rc = md_cell(&b, e->reason);
        if (rc == SVCQ_OK)
            rc = svcq__buf_puts(&b, " | ");
        if (rc == SVCQ_OK)
            rc = md_cell(&b, e->actor);
        if (rc == SVCQ_OK)
            rc = svcq__buf_puts(&b, " | ");
        if (rc == SVCQ_OK)
            rc = md_cell(&b, e->scheme);
        if (rc == SVCQ_OK)
            rc = svcq__buf_printf(&b, " v%u |\n", e->scheme_version);
    }
    if (rc == SVCQ_OK && st->has_override && st->override_expires != NEVER) {
        rc = svcq__buf_printf(&b, "\nThe override ends at ");
        if (rc == SVCQ_OK)
            rc = put_time(&b, tz, st->override_expires);
        if (rc == SVCQ_OK)
            rc = svcq__buf_printf(&b, "; then the classified tier %s is in force again.\n", st->classified);
    }
    if (rc == SVCQ_OK)
        rc = svcq_writer_write(writer, b.data, b.len);
    else if (rc == SVCQ_ENOMEM)
        rc = svcq__enomem(ctx);
    svcq__buf_free(&b);
    svcq_tz_free(utc);
    return rc;
}

/* ---- distribution ----------------------------------------------------------- */

struct svcq_tier_distribution {
    svcq_ctx *ctx;
    svcq_time from, to;
    uint32_t ntiers;
    char scheme[SVCQ__TIER_SCHEME_NAME_MAX + 1];
    uint32_t version;
    char keys[SVCQ_TIER_MAX_TIERS][SVCQ__TIER_KEY_MAX + 1];
    char names[SVCQ_TIER_MAX_TIERS][SVCQ__TIER_NAME_MAX + 1];
    uint64_t clients[SVCQ_TIER_MAX_TIERS + 1], up[SVCQ_TIER_MAX_TIERS + 1], down[SVCQ_TIER_MAX_TIERS + 1];
    uint64_t total;
};

int svcq_tier_distribution_new(svcq_tier_distribution **out, const svcq_tier_scheme *scheme, svcq_time from,
                               svcq_time to)
{
    if (out)
        *out = NULL;
    if (!scheme)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = scheme->ctx;
    if (!out)
        return svcq__error(ctx, SVCQ_EINVAL, "tier distribution: no output pointer");
    if (!scheme->finished)
        return svcq__error(ctx, SVCQ_EINVAL, "tier distribution: scheme %s v%u is not finished", scheme->name,
                           scheme->version);
    if (to <= from)
        return svcq__error(ctx, SVCQ_EINVAL, "tier distribution: the period [%lld, %lld) is empty", (long long)from,
                           (long long)to);
    svcq_tier_distribution *d = svcq__calloc(ctx, 1, sizeof(*d));
    if (!d)
        return svcq__enomem(ctx);
    d->ctx = ctx;
    d->from = from;
    d->to = to;
    d->ntiers = scheme->ntiers;
    d->version = scheme->version;
    snprintf(d->scheme, sizeof(d->scheme), "%s", scheme->name);
    for (uint32_t i = 0; i < scheme->ntiers; i++) {
        snprintf(d->keys[i], sizeof(d->keys[i]), "%s", scheme->tiers[i].key);
        snprintf(d->names[i], sizeof(d->names[i]), "%s", scheme->tiers[i].name);
    }
    *out = d;
    return SVCQ_OK;
}

void svcq_tier_distribution_free(svcq_tier_distribution *dist)
{
    if (dist)
        svcq__free(dist->ctx, dist);
}

static uint32_t rank_of(const svcq_tier_distribution *d, const char *key)
{
    for (uint32_t i = 0; key && i < d->ntiers; i++)
        if (strcmp(d->keys[i], key) == 0)
            return i;
    return d->ntiers;
}

int svcq_tier_distribution_add(svcq_tier_distribution *dist, const svcq_client *client)
{
    if (!dist)
        return SVCQ_EINVAL;
    if (!client)
        return svcq__error(dist->ctx, SVCQ_EINVAL, "tier distribution: no client");
    if (client->ctx != dist->ctx)
        return svcq__error(dist->ctx, SVCQ_EINVAL, "tier distribution: client %s belongs to another context",
                           client->id);
    const char *tier = NULL;
    uint32_t r = dist->ntiers;
    if (svcq_client_tier_at(&tier, NULL, client, dist->to - 1) == SVCQ_OK)
        r = rank_of(dist, tier);
    dist->clients[r]++;
    dist->total++;
    const svcq__client_state *st = client->st;
    for (uint32_t i = 1; i < st->nhist; i++) {
        const svcq__tier_entry *e = &st->hist[i];
        if (e->from < dist->from || e->from >= dist->to)
            continue;
        uint32_t a = rank_of(dist, st->hist[i - 1].tier), b = rank_of(dist, e->tier);
        if (a == dist->ntiers || b == dist->ntiers || a == b)
            continue;
        if (b < a)
            dist->up[b]++;
        else
            dist->down[b]++;
    }
    return SVCQ_OK;
}

int svcq_tier_distribution_get(uint64_t *clients, uint64_t *moved_up, uint64_t *moved_down,
                               const svcq_tier_distribution *dist, uint32_t rank)
{
    if (!dist)
        return SVCQ_EINVAL;
    if (rank > dist->ntiers)
        return svcq__error(dist->ctx, SVCQ_ENOTFOUND, "tier distribution: no rank %u (%u tiers and \"other\")", rank,
                           dist->ntiers);
    if (clients)
        *clients = dist->clients[rank];
    if (moved_up)
        *moved_up = dist->up[rank];
    if (moved_down)
        *moved_down = dist->down[rank];
    return SVCQ_OK;
}

int svcq_tier_distribution_export_markdown(const svcq_tier_distribution *dist, const svcq_writer *writer)
{
    if (!dist)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = dist->ctx;
    if (!writer)
        return svcq__error(ctx, SVCQ_EINVAL, "tier distribution: no writer");
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    int rc = svcq__buf_printf(&b, "## Tier distribution (scheme %s v%u)\n\nPeriod [%lld, %lld): tiers at its end, "
                              "moves that started inside it.\n\n| tier | clients | share | moved up into it | moved "
                              "down into it |\n|---|---:|---:|---:|---:|\n", dist->scheme, dist->version,
                              (long long)dist->from, (long long)dist->to);
    for (uint32_t i = 0; i <= dist->ntiers && rc == SVCQ_OK; i++) {
        if (i == dist->ntiers && dist->clients[i] == 0)
            break;
        uint64_t share = dist->total ? (dist->clients[i] * 1000 + dist->total / 2) / dist->total : 0;
        rc = svcq__buf_puts(&b, "| ");
        if (rc == SVCQ_OK)
            rc = md_cell(&b, i < dist->ntiers ? dist->names[i] : "other / none");
        if (rc == SVCQ_OK)
            rc = svcq__buf_printf(&b, " | %llu | %llu.%llu %% | %llu | %llu |\n", (unsigned long long)dist->clients[i],
                                  (unsigned long long)(share / 10), (unsigned long long)(share % 10),
                                  (unsigned long long)dist->up[i], (unsigned long long)dist->down[i]);
    }
    if (rc == SVCQ_OK)
        rc = svcq__buf_printf(&b, "| **total** | %llu | | | |\n", (unsigned long long)dist->total);
    if (rc == SVCQ_OK)
        rc = svcq_writer_write(writer, b.data, b.len);
    else
        rc = svcq__enomem(ctx);
    svcq__buf_free(&b);
    return rc;
}

int svcq_tier_distribution_export_json(const svcq_tier_distribution *dist, const svcq_writer *writer,
                                       uint32_t flags)
{
    if (!dist)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = dist->ctx;
    if (!writer)
        return svcq__error(ctx, SVCQ_EINVAL, "tier distribution: no writer");
    if (flags & ~SVCQ_TIER_JSON_PRETTY)
        return svcq__error(ctx, SVCQ_EINVAL, "tier distribution: unknown flags 0x%x", flags & ~SVCQ_TIER_JSON_PRETTY);
    svcq__jw w;
    svcq__jw_init_writer(&w, ctx, writer);
    svcq__jw_set_pretty(&w, flags & SVCQ_TIER_JSON_PRETTY);
    svcq__record_begin(&w, "tier_distribution", 1);
    svcq__jw_key(&w, "scheme");
    svcq__jw_string(&w, dist->scheme);
    svcq__jw_key(&w, "scheme_version");
    svcq__jw_int(&w, dist->version);
    svcq__jw_key(&w, "from");
    svcq__jw_int(&w, dist->from);
    svcq__jw_key(&w, "to");
    svcq__jw_int(&w, dist->to);
    svcq__jw_key(&w, "clients");
    svcq__jw_int(&w, (int64_t)dist->total);
    svcq__jw_key(&w, "tiers");
    svcq__jw_array_begin(&w);
    for (uint32_t i = 0; i <= dist->ntiers; i++) {
        svcq__jw_object_begin(&w);
        svcq__jw_key(&w, "tier");
        if (i < dist->ntiers)
            svcq__jw_string(&w, dist->keys[i]);
        else
            svcq__jw_null(&w);
        svcq__jw_key(&w, "clients");
        svcq__jw_int(&w, (int64_t)dist->clients[i]);
        svcq__jw_key(&w, "moved_up");
        svcq__jw_int(&w, (int64_t)dist->up[i]);
        svcq__jw_key(&w, "moved_down");
        svcq__jw_int(&w, (int64_t)dist->down[i]);
        svcq__jw_object_end(&w);
    }
    svcq__jw_array_end(&w);
    return svcq__record_end(&w);
}
