/* Profile sets as JSON (schema "svcq.tier_profiles/1", docs/format.md) and
 * as a Markdown table. */
#include <string.h>

#include "store/record.h"
#include "tier/assign_internal.h"

/* ---- writing ------------------------------------------------------------- */

int svcq__profiles_encode(const svcq_tier_profiles *p, svcq__jw *w)
{
    int rc = svcq__record_begin(w, SVCQ__PROFILES_KIND, 1);
    rc = rc ? rc : svcq__jw_key(w, "levels");
    rc = rc ? rc : svcq__jw_array_begin(w);
    for (uint32_t l = 0; l < p->levels && !rc; l++) {
        const svcq__profile *pr = &p->level[l];
        rc = svcq__jw_object_begin(w);
        rc = rc ? rc : svcq__jw_key(w, "level");
        rc = rc ? rc : svcq__jw_int(w, l);
        rc = rc ? rc : svcq__jw_key(w, "policy");
        rc = rc ? rc : svcq__jw_object_begin(w);
        rc = rc ? rc : svcq__jw_key(w, "name");
        rc = rc ? rc : svcq__jw_string(w, pr->policy);
        rc = rc ? rc : svcq__jw_key(w, "version");
        rc = rc ? rc : svcq__jw_int(w, pr->policy_version);
        rc = rc ? rc : svcq__jw_object_end(w);
        rc = rc ? rc : svcq__jw_key(w, "channels");
        rc = rc ? rc : svcq__jw_array_begin(w);
        for (int b = 0; b < 6 && !rc; b++)
            if (pr->channels & (1u << b))
                rc = svcq__jw_string(w, svcq_service_channel_name(1 << b));
        rc = rc ? rc : svcq__jw_array_end(w);
        rc = rc ? rc : svcq__jw_key(w, "strategy");
        rc = rc ? rc : svcq__jw_string(w, svcq_assign_strategy_name(pr->strategy));
        rc = rc ? rc : svcq__jw_key(w, "team");
        rc = rc ? rc : pr->team ? svcq__jw_string(w, pr->team) : svcq__jw_null(w);
        rc = rc ? rc : svcq__jw_key(w, "resources");
        rc = rc ? rc : svcq__jw_array_begin(w);
        for (size_t i = 0; i < pr->nresources && !rc; i++) {
            rc = svcq__jw_object_begin(w);
            rc = rc ? rc : svcq__jw_key(w, "role");
            rc = rc ? rc : svcq__jw_string(w, pr->resources[i].role);
            rc = rc ? rc : svcq__jw_key(w, "count");
            rc = rc ? rc : svcq__jw_int(w, pr->resources[i].count);
            rc = rc ? rc : svcq__jw_object_end(w);
        }
        rc = rc ? rc : svcq__jw_array_end(w);
        rc = rc ? rc : svcq__jw_key(w, "report");
        rc = rc ? rc : svcq__jw_string(w, svcq_report_recipient_name(pr->report));
        rc = rc ? rc : svcq__jw_key(w, "evaluation");
        rc = rc ? rc : svcq__jw_object_begin(w);
        for (int m = 0; m < SVCQ_EVAL_METRIC_COUNT && !rc; m++) {
            rc = svcq__jw_key(w, svcq_eval_metric_name(m));
            rc = rc ? rc : svcq__jw_string(w, svcq_eval_period_name(pr->eval[m]));
        }
        rc = rc ? rc : svcq__jw_object_end(w);
        rc = rc ? rc : svcq__jw_key(w, "note");
        rc = rc ? rc : svcq__jw_string(w, pr->note);
        rc = rc ? rc : svcq__jw_object_end(w);
    }
    rc = rc ? rc : svcq__jw_array_end(w);
    int end = svcq__record_end(w);
    return rc ? rc : end;
}

int svcq_tier_profiles_export_json(const svcq_tier_profiles *p, const svcq_writer *writer, uint32_t flags)
{
    if (!p || !writer)
        return svcq__error(p ? p->ctx : NULL, SVCQ_EINVAL, "svcq_tier_profiles_export_json: NULL %s",
                           !p ? "profiles" : "writer");
    if (flags & ~SVCQ_TIER_JSON_PRETTY)
        return svcq__error(p->ctx, SVCQ_EINVAL, "svcq_tier_profiles_export_json: unknown flags 0x%x", flags);
    svcq__jw *w = svcq__malloc(p->ctx, sizeof(*w));
    if (!w)
        return svcq__enomem(p->ctx);
    svcq__jw_init_writer(w, p->ctx, writer);
    (void)svcq__jw_set_pretty(w, (flags & SVCQ_TIER_JSON_PRETTY) != 0);
    int rc = svcq__profiles_encode(p, w);
    svcq__free(p->ctx, w);
    return rc;
}

/* ---- reading ------------------------------------------------------------- */

#define BAD(...) svcq__error(ctx, SVCQ_ECORRUPT, __VA_ARGS__)

static int get_label(svcq_ctx *ctx, const svcq__json *obj, const char *key, uint32_t level,
                     const char *(*name_fn)(int32_t), int32_t n, int32_t *out)
{
    const char *s;
    int rc = svcq__json_get_string(ctx, obj, key, true, &s, NULL);
    if (rc)
        return svcq__error(ctx, rc, "tier_profiles document: levels[%u]: %s", level, svcq_ctx_errmsg(ctx));
    for (int32_t i = 0; i < n; i++) {
        if (name_fn(i) && strcmp(name_fn(i), s) == 0) {
            *out = i;
            return SVCQ_OK;
        }
    }
    return BAD("tier_profiles document: levels[%u].%s: unknown value \"%.64s\"", level, key, s);
}

/* Copies the context message, so it can be wrapped. */
static int wrap(svcq_ctx *ctx, int rc, uint32_t level)
{
    if (!rc)
        return rc;
    char why[SVCQ__ERRMSG_SIZE];
    strncpy(why, svcq_ctx_errmsg(ctx), sizeof(why) - 1);
    why[sizeof(why) - 1] = '\0';
    return svcq__error(ctx, rc, "tier_profiles document: levels[%u]: %s", level, why);
}

static int decode_level(svcq_ctx *ctx, svcq_tier_profiles *p, uint32_t l, const svcq__json *lv)
{
    if (svcq__json_typeof(lv) != SVCQ__JSON_OBJECT)
        return BAD("tier_profiles document: levels[%u]: not an object", l);
    int64_t level;
    int rc = svcq__json_get_int(ctx, lv, "level", true, &level);
    if (rc)
        return wrap(ctx, rc, l);
    if (level != (int64_t)l)
        return BAD("tier_profiles document: levels[%u]: \"level\" is %lld; levels are listed in order from 0", l,
                   (long long)level);
    const svcq__json *pol, *chans, *res, *eval;
    const char *name, *team = NULL, *note = "";
    int64_t version;
    int32_t strategy, report;
    if ((rc = svcq__json_get_object(ctx, lv, "policy", true, &pol)) ||
        (rc = svcq__json_get_string(ctx, pol, "name", true, &name, NULL)) ||
        (rc = svcq__json_get_int(ctx, pol, "version", true, &version)) ||
        (rc = svcq__json_get_array(ctx, lv, "channels", true, &chans)) ||
        (rc = svcq__json_get_string(ctx, lv, "team", false, &team, NULL)) ||
        (rc = svcq__json_get_array(ctx, lv, "resources", true, &res)) ||
        (rc = svcq__json_get_object(ctx, lv, "evaluation", true, &eval)) ||
        (rc = svcq__json_get_string(ctx, lv, "note", false, &note, NULL)))
        return wrap(ctx, rc, l);
    if ((rc = get_label(ctx, lv, "strategy", l, svcq_assign_strategy_name, 6, &strategy)) ||
        (rc = get_label(ctx, lv, "report", l, svcq_report_recipient_name, 4, &report)))
        return rc;
    if (version < 1 || version > UINT32_MAX)
        return svcq__error(ctx, SVCQ_EINVAL, "tier_profiles document: levels[%u].policy.version %lld out of range",
                           l, (long long)version);
    int32_t lvl = (int32_t)l;
    if ((rc = svcq_tier_profiles_set_policy(p, lvl, name, (uint32_t)version)) ||
        (rc = svcq_tier_profiles_set_assignment(p, lvl, strategy, team)) ||
        (rc = svcq_tier_profiles_set_report(p, lvl, report)) || (rc = svcq_tier_profiles_set_note(p, lvl, note)))
        return wrap(ctx, rc, l);
    uint32_t channels = 0;
    for (size_t i = 0; i < svcq__json_array_size(chans); i++) {
        const char *c = svcq__json_as_string(svcq__json_array_get(chans, i), NULL);
        int32_t b = -1;
        for (int32_t k = 0; c && k < 6 && b < 0; k++)
            if (strcmp(c, svcq_service_channel_name(1 << k)) == 0)
                b = k;
        if (b < 0)
            return BAD("tier_profiles document: levels[%u].channels[%zu]: not a channel name", l, i);
        channels |= 1u << b;
    }
    if ((rc = svcq_tier_profiles_set_channels(p, lvl, channels)))
        return wrap(ctx, rc, l);
    /* Resources replace the built-in ones. */
    for (size_t i = 0; i < p->level[l].nresources; i++)
        svcq__free(ctx, p->level[l].resources[i].role);
    p->level[l].nresources = 0;
    if (svcq__json_array_size(res) > SVCQ_TIER_MAX_ITEMS)
        return svcq__error(ctx, SVCQ_ELIMIT, "tier_profiles document: levels[%u].resources: more than %d roles", l,
                           SVCQ_TIER_MAX_ITEMS);
    for (size_t i = 0; i < svcq__json_array_size(res); i++) {
        const svcq__json *r = svcq__json_array_get(res, i);
        const char *role;
        int64_t count;
        if ((rc = svcq__json_get_string(ctx, r, "role", true, &role, NULL)) ||
            (rc = svcq__json_get_int(ctx, r, "count", true, &count)))
            return wrap(ctx, rc, l);
        if (count < 1 || count > SVCQ__RESOURCE_MAX_COUNT)
            return svcq__error(ctx, SVCQ_EINVAL, "tier_profiles document: levels[%u].resources[%zu]: count %lld "
                                                 "(1 to %u)", l, i, (long long)count, SVCQ__RESOURCE_MAX_COUNT);
        for (size_t j = 0; j < p->level[l].nresources; j++)
            if (strcmp(p->level[l].resources[j].role, role) == 0)
                return BAD("tier_profiles document: levels[%u].resources[%zu]: role \"%.64s\" listed twice", l, i,
                           role);
        if ((rc = svcq_tier_profiles_set_resource(p, lvl, role, (uint32_t)count)))
            return wrap(ctx, rc, l);
    }
    for (int32_t m = 0; m < SVCQ_EVAL_METRIC_COUNT; m++) {
        int32_t period;
        if ((rc = get_label(ctx, eval, svcq_eval_metric_name(m), l, svcq_eval_period_name, 6, &period)))
            return rc;
        p->level[l].eval[m] = period;
    }
    return SVCQ_OK;
}

int svcq__profiles_decode(svcq_ctx *ctx, const svcq__json *root, svcq_tier_profiles **out)
{
    uint32_t major;
    int rc = svcq__record_check(ctx, root, SVCQ__PROFILES_KIND, 1, &major);
    if (rc)
        return rc;
    const svcq__json *levels;
    rc = svcq__json_get_array(ctx, root, "levels", true, &levels);
    if (rc)
        return rc;
    size_t n = svcq__json_array_size(levels);
    if (n < 1 || n > SVCQ_TIER_MAX_LEVELS)
        return svcq__error(ctx, n ? SVCQ_ELIMIT : SVCQ_ECORRUPT, "tier_profiles document: %zu levels (1 to %d)", n,
                           SVCQ_TIER_MAX_LEVELS);
    svcq_tier_profiles *p;
    rc = svcq_tier_profiles_new(&p, ctx, (uint32_t)n);
    for (uint32_t l = 0; l < n && !rc; l++)
        rc = decode_level(ctx, p, l, svcq__json_array_get(levels, l));
    if (rc) {
        svcq_tier_profiles_free(p);
        return rc;
    }
    *out = p;
    return SVCQ_OK;
}

int svcq_tier_profiles_import_json(svcq_tier_profiles **out, svcq_ctx *ctx, const char *json, size_t size)
{
    if (out)
        *out = NULL;
    if (!out || !ctx || (!json && size))
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_tier_profiles_import_json: NULL argument");
    svcq__json_doc *doc;
    int rc = svcq__json_parse(ctx, json, size, NULL, &doc);
    if (rc)
        return rc;
    rc = svcq__profiles_decode(ctx, svcq__json_root(doc), out);
    svcq__json_doc_free(doc);
    return rc;
}

/* ---- Markdown ------------------------------------------------------------ */

/* Appends s with the characters that break a table cell escaped. */
static int cell(svcq__buf *b, const char *s)
{
    int rc = SVCQ_OK;
    for (; *s && !rc; s++) {
        if (*s == '|' || *s == '\\')
            rc = svcq__buf_putc(b, '\\');
        if (!rc)
            rc = svcq__buf_putc(b, *s == '\n' ? ' ' : *s);
    }
    return rc;
}

static const char *const level_labels[4] = { "special", "tier 1", "tier 2", "tier 3" };

int svcq_tier_profiles_export_markdown(const svcq_tier_profiles *p, const svcq_writer *writer)
{
    if (!p || !writer)
        return svcq__error(p ? p->ctx : NULL, SVCQ_EINVAL, "svcq_tier_profiles_export_markdown: NULL %s",
                           !p ? "profiles" : "writer");
    svcq_ctx *ctx = p->ctx;
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    int rc = svcq__buf_puts(&b, "| level | SLA policy | channels | assignment | resources | report | "
                                "evaluation | note |\n|---|---|---|---|---|---|---|---|\n");
    for (uint32_t l = 0; l < p->levels && !rc; l++) {
        const svcq__profile *pr = &p->level[l];
        if (l < 4)
            rc = svcq__buf_printf(&b, "| %u (%s) | ", l, level_labels[l]);
        else
            rc = svcq__buf_printf(&b, "| %u | ", l);
        rc = rc ? rc : cell(&b, pr->policy);
        rc = rc ? rc : svcq__buf_printf(&b, " v%u | ", pr->policy_version);
        bool first = true;
        for (int c = 0; c < 6 && !rc; c++) {
            if (!(pr->channels & (1u << c)))
                continue;
            rc = svcq__buf_printf(&b, "%s%s", first ? "" : ", ", svcq_service_channel_name(1 << c));
            first = false;
        }
        rc = rc ? rc : svcq__buf_printf(&b, " | %s", svcq_assign_strategy_name(pr->strategy));
        if (!rc && pr->team) {
            rc = svcq__buf_puts(&b, " (team ");
            rc = rc ? rc : cell(&b, pr->team);
            rc = rc ? rc : svcq__buf_putc(&b, ')');
        }
        rc = rc ? rc : svcq__buf_puts(&b, " | ");
        for (size_t i = 0; i < pr->nresources && !rc; i++) {
            rc = svcq__buf_printf(&b, "%s%u × ", i ? ", " : "", pr->resources[i].count);
            rc = rc ? rc : cell(&b, pr->resources[i].role);
        }
        if (!rc && pr->nresources == 0)
            rc = svcq__buf_puts(&b, "—");
        rc = rc ? rc : svcq__buf_printf(&b, " | %s | ", svcq_report_recipient_name(pr->report));
        for (int m = 0; m < SVCQ_EVAL_METRIC_COUNT && !rc; m++)
            rc = svcq__buf_printf(&b, "%s%s %s", m ? ", " : "", svcq_eval_metric_name(m),
                                  svcq_eval_period_name(pr->eval[m]));
        rc = rc ? rc : svcq__buf_puts(&b, " | ");
        rc = rc ? rc : cell(&b, pr->note);
        rc = rc ? rc : svcq__buf_puts(&b, " |\n");
    }
    if (rc)
        rc = svcq__enomem(ctx);
    else
        rc = svcq_writer_write(writer, b.data, b.len);
    svcq__buf_free(&b);
    return rc;
}
