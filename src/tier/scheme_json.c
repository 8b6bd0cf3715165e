/* Tier schemes as JSON ("svcq.tier_scheme/1"), as records (kind
 * "tier_scheme", id "<name>@<version>", immutable once saved, as SLA
 * policies are) and as Markdown. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "store/record.h"
#include "store/store.h"
#include "tier/tier_internal.h"

#define SFMT "tier scheme %s v%u"
#define SARGS(s) (s)->name, (s)->version
#define ID_SIZE (SVCQ__TIER_SCHEME_NAME_MAX + 16)

/* A bound that may be infinite: null in JSON. */
static void jw_bound(svcq__jw *w, double v)
{
    if (isinf(v))
        svcq__jw_null(w);
    else
        svcq__jw_double(w, v);
}

int svcq__tier_scheme_encode(const svcq_tier_scheme *s, svcq__jw *w)
{
    svcq__record_begin(w, SVCQ__TIER_SCHEME_KIND, SVCQ__TIER_SCHEME_SCHEMA);
    svcq__jw_key(w, "name");
    svcq__jw_string(w, s->name);
    svcq__jw_key(w, "version");
    svcq__jw_int(w, s->version);
    svcq__jw_key(w, "hysteresis");
    svcq__jw_object_begin(w);
    svcq__jw_key(w, "demote_periods");
    svcq__jw_int(w, s->demote_periods);
    svcq__jw_key(w, "demote_margin");
    svcq__jw_double(w, s->demote_margin);
    svcq__jw_object_end(w);
    svcq__jw_key(w, "factors");
    svcq__jw_array_begin(w);
    for (uint32_t i = 0; i < s->nfactors; i++) {
        const svcq__tier_factor *f = &s->factors[i];
        svcq__jw_object_begin(w);
        svcq__jw_key(w, "key");
        svcq__jw_string(w, f->key);
        svcq__jw_key(w, "name");
        svcq__jw_string(w, f->name);
        svcq__jw_key(w, "group");
        svcq__jw_string(w, svcq_tier_group_name(f->group));
        svcq__jw_key(w, "weight");
        svcq__jw_int(w, f->weight);
        svcq__jw_key(w, "input_min");
        jw_bound(w, f->input_min);
        svcq__jw_key(w, "input_max");
        jw_bound(w, f->input_max);
        svcq__jw_key(w, "default");
        if (f->has_default)
            svcq__jw_double(w, f->default_value);
        else
            svcq__jw_null(w);
        svcq__jw_key(w, "norm");
        svcq__jw_string(w, svcq_tier_norm_name(f->norm));
        if (f->norm == SVCQ_TIER_NORM_BOUNDS) {
            svcq__jw_key(w, "lo");
            svcq__jw_double(w, f->lo);
            svcq__jw_key(w, "hi");
            svcq__jw_double(w, f->hi);
        } else {
            svcq__jw_key(w, "bands");
            svcq__jw_array_begin(w);
            for (uint32_t b = 0; b < f->nbands; b++) {
                svcq__jw_object_begin(w);
                svcq__jw_key(w, "lo");
                jw_bound(w, f->bands[b].lo);
                svcq__jw_key(w, "hi");
                jw_bound(w, f->bands[b].hi);
                svcq__jw_key(w, "points");
                svcq__jw_double(w, f->bands[b].points);
                svcq__jw_object_end(w);
            }
            svcq__jw_array_end(w);
        }
        svcq__jw_object_end(w);
    }
    svcq__jw_array_end(w);
    svcq__jw_key(w, "tiers");
    svcq__jw_array_begin(w);
    for (uint32_t t = 0; t < s->ntiers; t++) {
        const svcq__tier_tier *T = &s->tiers[t];
        svcq__jw_object_begin(w);
        svcq__jw_key(w, "key");
        svcq__jw_string(w, T->key);
        svcq__jw_key(w, "name");
        svcq__jw_string(w, T->name);
        svcq__jw_key(w, "min_score");
        if (T->has_min)
            svcq__jw_double(w, T->min_score);
        else
            svcq__jw_null(w);
        svcq__jw_key(w, "conditions");
        svcq__jw_array_begin(w);
        for (uint32_t k = 0; k < T->nconds; k++) {
            svcq__jw_object_begin(w);
            svcq__jw_key(w, "factor");
            svcq__jw_string(w, s->factors[T->conds[k].factor].key);
            svcq__jw_key(w, "op");
            svcq__jw_string(w, svcq_tier_op_name(T->conds[k].op));
            svcq__jw_key(w, "value");
            svcq__jw_double(w, T->conds[k].value);
            svcq__jw_object_end(w);
        }
        svcq__jw_array_end(w);
        svcq__jw_object_end(w);
    }
    svcq__jw_array_end(w);
    return svcq__record_end(w);
}

static int name_to(const char *s, const char *(*fn)(int32_t), int32_t n, int32_t *out)
{
    for (int32_t i = 0; i < n; i++)
        if (strcmp(fn(i), s) == 0) {
            *out = i;
            return 1;
        }
    return 0;
}

/* A number or null (an infinite bound of the given sign). */
static int get_bound(svcq_ctx *ctx, const svcq__json *o, const char *key, double inf, double *out)
{
    const svcq__json *v = svcq__json_get(o, key);
    if (!v || svcq__json_typeof(v) == SVCQ__JSON_NULL) {
        *out = inf;
        return SVCQ_OK;
    }
    return svcq__json_get_double(ctx, o, key, true, out);
}

static int prefix(svcq_ctx *ctx, int rc, const char *where)
{
    /* Damaged shape of a document is an invalid scheme for an import. */
    return svcq__error_prefix(ctx, rc == SVCQ_ECORRUPT ? SVCQ_EINVAL : rc, "tier scheme JSON: %s", where);
}

int svcq__tier_scheme_decode(svcq_ctx *ctx, const svcq__json *root, svcq_tier_scheme **out)
{
    const char *name;
    int64_t version, periods = 1;
    double margin = 0;
    const svcq__json *hyst = NULL, *factors, *tiers;
    int rc;
    if ((rc = svcq__json_get_string(ctx, root, "name", true, &name, NULL)) ||
        (rc = svcq__json_get_int(ctx, root, "version", true, &version)) ||
        (rc = svcq__json_get_object(ctx, root, "hysteresis", false, &hyst)) ||
        (rc = svcq__json_get_array(ctx, root, "factors", true, &factors)) ||
        (rc = svcq__json_get_array(ctx, root, "tiers", true, &tiers)))
        return prefix(ctx, rc, "top level");
    if (hyst && ((rc = svcq__json_get_int(ctx, hyst, "demote_periods", false, &periods)) ||
                 (rc = svcq__json_get_double(ctx, hyst, "demote_margin", false, &margin))))
        return prefix(ctx, rc, "hysteresis");
    if (version < 1 || version > UINT32_MAX)
        return svcq__error(ctx, SVCQ_EINVAL, "tier scheme JSON: version %lld is not 1 to 4294967295",
                           (long long)version);
    svcq_tier_scheme *s;
    if ((rc = svcq_tier_scheme_new(&s, ctx, name, (uint32_t)version)))
        return rc;
    if (periods < 1 || periods > 1000)
        periods = 0; /* refused with its message below */
    rc = svcq_tier_scheme_set_hysteresis(s, (uint32_t)periods, margin);
    size_t nt = svcq__json_array_size(tiers), nf = svcq__json_array_size(factors);
    for (size_t t = 0; t < nt && rc == SVCQ_OK; t++) {
        const svcq__json *T = svcq__json_array_get(tiers, t);
        const char *key, *tname = NULL;
        char where[96];
        snprintf(where, sizeof(where), "tiers[%zu]", t);
        if ((rc = svcq__json_get_string(ctx, T, "key", true, &key, NULL)) ||
            (rc = svcq__json_get_string(ctx, T, "name", false, &tname, NULL)))
            rc = prefix(ctx, rc, where);
        else
            rc = svcq_tier_scheme_add_tier(s, key, tname);
    }
    for (size_t i = 0; i < nf && rc == SVCQ_OK; i++) {
        const svcq__json *F = svcq__json_array_get(factors, i), *bands = NULL;
        const char *key, *fname = NULL, *group = NULL, *norm = NULL;
        int64_t weight;
        int32_t g = 0, nm = 0;
        double lo = 0, hi = 0, imin, imax, dv = 0;
        char where[96];
        snprintf(where, sizeof(where), "factors[%zu]", i);
        const svcq__json *def = svcq__json_get(F, "default");
        if ((rc = svcq__json_get_string(ctx, F, "key", true, &key, NULL)) ||
            (rc = svcq__json_get_string(ctx, F, "name", false, &fname, NULL)) ||
            (rc = svcq__json_get_string(ctx, F, "group", true, &group, NULL)) ||
            (rc = svcq__json_get_int(ctx, F, "weight", true, &weight)) ||
            (rc = get_bound(ctx, F, "input_min", -INFINITY, &imin)) ||
            (rc = get_bound(ctx, F, "input_max", INFINITY, &imax)) ||
            (rc = svcq__json_get_double(ctx, F, "default", false, &dv)) ||
            (rc = svcq__json_get_string(ctx, F, "norm", true, &norm, NULL)) ||
            (rc = svcq__json_get_array(ctx, F, "bands", false, &bands))) {
            rc = prefix(ctx, rc, where);
            break;
        }
        if (!name_to(group, svcq_tier_group_name, 3, &g)) {
            rc = svcq__error(ctx, SVCQ_EINVAL, "tier scheme JSON: %s: unknown group \"%.40s\"", where, group);
            break;
        }
        if (!name_to(norm, svcq_tier_norm_name, 2, &nm)) {
            rc = svcq__error(ctx, SVCQ_EINVAL, "tier scheme JSON: %s: unknown norm \"%.40s\"", where, norm);
            break;
        }
        if (weight < 0 || weight > 100) {
            rc = svcq__error(ctx, SVCQ_EINVAL, "tier scheme JSON: %s: weight %lld is not 0 to 100", where,
                             (long long)weight);
            break;
        }
        if (nm == SVCQ_TIER_NORM_BOUNDS &&
            ((rc = svcq__json_get_double(ctx, F, "lo", true, &lo)) ||
             (rc = svcq__json_get_double(ctx, F, "hi", true, &hi)))) {
            rc = prefix(ctx, rc, where);
            break;
        }
        if ((rc = svcq_tier_scheme_add_factor(s, key, fname, g, (uint32_t)weight)) ||
            (rc = svcq_tier_scheme_set_input_range(s, key, imin, imax)) ||
            (def && svcq__json_typeof(def) != SVCQ__JSON_NULL && (rc = svcq_tier_scheme_set_default(s, key, dv))) ||
            (nm == SVCQ_TIER_NORM_BOUNDS && (rc = svcq_tier_scheme_set_bounds(s, key, lo, hi))))
            break;
        if (nm == SVCQ_TIER_NORM_BANDS && !bands) {
            rc = svcq__error(ctx, SVCQ_EINVAL, "tier scheme JSON: %s: a bands factor needs \"bands\"", where);
            break;
        }
        for (size_t b = 0; nm == SVCQ_TIER_NORM_BANDS && b < svcq__json_array_size(bands) && rc == SVCQ_OK;
             b++) {
            const svcq__json *B = svcq__json_array_get(bands, b);
            double blo, bhi, points;
            if ((rc = get_bound(ctx, B, "lo", -INFINITY, &blo)) || (rc = get_bound(ctx, B, "hi", INFINITY, &bhi)) ||
                (rc = svcq__json_get_double(ctx, B, "points", true, &points))) {
                snprintf(where, sizeof(where), "factors[%zu].bands[%zu]", i, b);
                rc = prefix(ctx, rc, where);
            } else {
                rc = svcq_tier_scheme_add_band(s, key, blo, bhi, points);
            }
        }
    }
    for (size_t t = 0; t < nt && rc == SVCQ_OK; t++) {
        const svcq__json *T = svcq__json_array_get(tiers, t), *conds = NULL, *min = svcq__json_get(T, "min_score");
        const char *key = s->tiers[t].key;
        double m = 0;
        char where[96];
        snprintf(where, sizeof(where), "tiers[%zu]", t);
        if ((rc = svcq__json_get_double(ctx, T, "min_score", false, &m)) ||
            (rc = svcq__json_get_array(ctx, T, "conditions", false, &conds))) {
            rc = prefix(ctx, rc, where);
            break;
        }
        if (min && svcq__json_typeof(min) != SVCQ__JSON_NULL && (rc = svcq_tier_scheme_set_min_score(s, key, m)))
            break;
        for (size_t k = 0; k < svcq__json_array_size(conds) && rc == SVCQ_OK; k++) {
            const svcq__json *C = svcq__json_array_get(conds, k);
            const char *factor, *op;
            double value;
            int32_t o = -1;
            snprintf(where, sizeof(where), "tiers[%zu].conditions[%zu]", t, k);
            if ((rc = svcq__json_get_string(ctx, C, "factor", true, &factor, NULL)) ||
                (rc = svcq__json_get_string(ctx, C, "op", true, &op, NULL)) ||
                (rc = svcq__json_get_double(ctx, C, "value", true, &value)))
                rc = prefix(ctx, rc, where);
            else if (!name_to(op, svcq_tier_op_name, 2, &o))
                rc = svcq__error(ctx, SVCQ_EINVAL, "tier scheme JSON: %s: unknown op \"%.40s\"", where, op);
            else
                rc = svcq_tier_scheme_add_condition(s, key, factor, o, value);
        }
    }
    if (rc == SVCQ_OK)
        rc = svcq_tier_scheme_finish(s);
    if (rc) {
        svcq_tier_scheme_free(s);
        return rc;
    }
    *out = s;
    return SVCQ_OK;
}

int svcq_tier_scheme_export_json(const svcq_tier_scheme *scheme, const svcq_writer *writer, uint32_t flags)
{
    if (!scheme)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = scheme->ctx;
    if (!writer)
        return svcq__error(ctx, SVCQ_EINVAL, SFMT ": export: no writer", SARGS(scheme));
    if (flags & ~SVCQ_TIER_JSON_PRETTY)
        return svcq__error(ctx, SVCQ_EINVAL, SFMT ": export: unknown flags 0x%x", SARGS(scheme),
                           flags & ~SVCQ_TIER_JSON_PRETTY);
    if (!scheme->finished)
        return svcq__error(ctx, SVCQ_ESTATE, SFMT ": export: the scheme is not finished", SARGS(scheme));
    svcq__jw w;
    svcq__jw_init_writer(&w, ctx, writer);
    svcq__jw_set_pretty(&w, flags & SVCQ_TIER_JSON_PRETTY);
    return svcq__tier_scheme_encode(scheme, &w);
}

int svcq_tier_scheme_import_json(svcq_tier_scheme **out, svcq_ctx *ctx, const char *text, size_t len)
{
    if (out)
        *out = NULL;
    if (!ctx)
        return SVCQ_EINVAL;
    if (!out || (!text && len))
        return svcq__error(ctx, SVCQ_EINVAL, "tier scheme import: NULL %s", !out ? "out" : "text");
    svcq__json_doc *doc;
    int rc = svcq__json_parse(ctx, text, len, NULL, &doc);
    if (rc)
        return rc == SVCQ_ENOMEM ? rc : svcq__error_prefix(ctx, rc, "tier scheme JSON");
    uint32_t major;
    rc = svcq__record_check(ctx, svcq__json_root(doc), SVCQ__TIER_SCHEME_KIND, SVCQ__TIER_SCHEME_SCHEMA, &major);
    if (rc == SVCQ_ECORRUPT)
        rc = prefix(ctx, rc, "schema");
    if (rc == SVCQ_OK)
        rc = svcq__tier_scheme_decode(ctx, svcq__json_root(doc), out);
    svcq__json_doc_free(doc);
    return rc;
}

static void restore_revision(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    ((svcq_tier_scheme *)data)->revision = arg;
}

static void restore_finished(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    ((svcq_tier_scheme *)data)->finished = arg != 0;
}

int svcq_tier_scheme_save(svcq_tier_scheme *scheme)
{
    if (!scheme)
        return SVCQ_EINVAL;
    svcq_tier_scheme *s = scheme;
    svcq_ctx *ctx = s->ctx;
    bool was_finished = s->finished;
    int rc = svcq_tier_scheme_finish(s);
    if (rc)
        return rc;
    char id[ID_SIZE];
    snprintf(id, sizeof(id), "%s@%u", s->name, s->version);
    svcq__buf json;
    svcq__buf_init(&json, ctx);
    svcq__jw w;
    svcq__jw_init_buf(&w, ctx, &json);
    rc = svcq__tier_scheme_encode(s, &w);
    svcq__tx tx;
    tx.began = false;
    if (rc == SVCQ_OK)
        rc = svcq__tx_begin(ctx, &tx);
    if (rc == SVCQ_OK)
        rc = svcq__undo_reserve(ctx, 2);
    uint64_t rev = 0;
    if (rc == SVCQ_OK) {
        char what[ID_SIZE + 32];
        snprintf(what, sizeof(what), SFMT, SARGS(s));
        rc = svcq__record_publish(ctx, SVCQ__TIER_SCHEME_KIND, id, &json, what, &rev);
    }
    if (rc == SVCQ_OK) {
        (void)svcq__undo_push_for(ctx, s, restore_revision, NULL, s, s->revision);
        s->revision = rev;
        (void)svcq__undo_push_for(ctx, s, restore_finished, NULL, s, was_finished);
    } else if (!was_finished) {
        s->finished = false;
    }
    svcq__buf_free(&json);
    return svcq__tx_end(ctx, &tx, rc);
}

int svcq_tier_scheme_load(svcq_tier_scheme **out, svcq_ctx *ctx, const char *name, uint32_t version)
{
    if (out)
        *out = NULL;
    if (!ctx)
        return SVCQ_EINVAL;
    if (!out || !name)
        return svcq__error(ctx, SVCQ_EINVAL, "tier scheme load: NULL %s", !out ? "out" : "name");
    int rc = svcq__tier_check_text(ctx, "tier scheme name", name, SVCQ__TIER_SCHEME_NAME_MAX);
    if (rc)
        return rc;
    if (version == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "tier scheme %s: version must be at least 1", name);
    char id[ID_SIZE];
    snprintf(id, sizeof(id), "%s@%u", name, version);
    svcq__json_doc *doc = NULL;
    uint32_t major;
    uint64_t revision;
    svcq_tier_scheme *s = NULL;
    rc = svcq__record_load(ctx, SVCQ__TIER_SCHEME_KIND, id, SVCQ__TIER_SCHEME_SCHEMA, &doc, &major, &revision);
    if (rc == SVCQ_ENOTFOUND)
        rc = svcq__error(ctx, rc, "tier scheme %s v%u is not stored (no record tier_scheme \"%s\")", name, version,
                         id);
    if (rc == SVCQ_OK)
        rc = svcq__tier_scheme_decode(ctx, svcq__json_root(doc), &s);
    svcq__json_doc_free(doc);
    rc = svcq__record_damaged(ctx, SVCQ__TIER_SCHEME_KIND, id, rc);
    if (rc == SVCQ_OK && (strcmp(s->name, name) != 0 || s->version != version))
        rc = svcq__error(ctx, SVCQ_ECORRUPT, "record tier_scheme \"%s\" holds scheme %s v%u", id, s->name,
                         s->version);
    if (rc) {
        svcq_tier_scheme_free(s);
        return rc;
    }
    s->revision = revision;
    *out = s;
    return SVCQ_OK;
}

/* ---- Markdown ------------------------------------------------------------ */

static int md_double(svcq__buf *b, double v)
{
    char tmp[32];
    if (isinf(v))
        return svcq__buf_puts(b, v > 0 ? "∞" : "−∞");
    svcq__json_format_double(v, tmp);
    size_t n = strlen(tmp);
    if (n > 2 && strcmp(tmp + n - 2, ".0") == 0)
        tmp[n - 2] = '\0';
    return svcq__buf_puts(b, tmp);
}

/* Markdown table cells: '|' escaped, no line breaks. */
static int md_cell(svcq__buf *b, const char *s)
{
    int rc = SVCQ_OK;
    for (; *s && rc == SVCQ_OK; s++)
        rc = *s == '|' ? svcq__buf_puts(b, "\\|") : svcq__buf_putc(b, *s);
    return rc;
}

int svcq_tier_scheme_export_markdown(const svcq_tier_scheme *scheme, const svcq_writer *writer)
{
    if (!scheme)
        return SVCQ_EINVAL;
    const svcq_tier_scheme *s = scheme;
    svcq_ctx *ctx = s->ctx;
    if (!writer)
        return svcq__error(ctx, SVCQ_EINVAL, SFMT ": Markdown: no writer", SARGS(s));
    if (!s->finished)
        return svcq__error(ctx, SVCQ_ESTATE, SFMT ": Markdown: the scheme is not finished", SARGS(s));
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    char m[32];
    int rc = svcq__buf_printf(&b, "## Tier scheme %s v%u\n\n| rank | tier | key | rule (the first that holds "
                              "from the top wins) |\n|---:|---|---|---|\n", s->name, s->version);
    for (uint32_t t = 0; t < s->ntiers && rc == SVCQ_OK; t++) {
        rc = svcq__buf_printf(&b, "| %u | ", t);
        if (rc == SVCQ_OK)
            rc = md_cell(&b, s->tiers[t].name);
        if (rc == SVCQ_OK)
            rc = svcq__buf_printf(&b, " | `%s` | ", s->tiers[t].key);
        if (rc == SVCQ_OK)
            rc = svcq__tier_rule_text(s, t, &b);
        if (rc == SVCQ_OK)
            rc = svcq__buf_puts(&b, " |\n");
    }
    if (rc == SVCQ_OK)
        rc = svcq__buf_puts(&b, "\n| factor | key | group | weight | normalisation | accepted inputs | default |\n"
                                "|---|---|---|---:|---|---|---|\n");
    for (uint32_t i = 0; i < s->nfactors && rc == SVCQ_OK; i++) {
        const svcq__tier_factor *f = &s->factors[i];
        rc = svcq__buf_puts(&b, "| ");
        if (rc == SVCQ_OK)
            rc = md_cell(&b, f->name);
        if (rc == SVCQ_OK)
            rc = svcq__buf_printf(&b, " | `%s` | %s | %u %% | ", f->key, svcq_tier_group_name(f->group), f->weight);
        if (rc == SVCQ_OK && f->norm == SVCQ_TIER_NORM_BOUNDS) {
            rc = svcq__buf_puts(&b, "linear: 0 points at ");
            if (rc == SVCQ_OK)
                rc = md_double(&b, f->lo);
            if (rc == SVCQ_OK)
                rc = svcq__buf_puts(&b, ", 100 at ");
            if (rc == SVCQ_OK)
                rc = md_double(&b, f->hi);
        }
        for (uint32_t k = 0; f->norm == SVCQ_TIER_NORM_BANDS && k < f->nbands && rc == SVCQ_OK; k++) {
            rc = svcq__buf_puts(&b, k ? "; [" : "bands: [");
            if (rc == SVCQ_OK)
                rc = md_double(&b, f->bands[k].lo);
            if (rc == SVCQ_OK)
                rc = svcq__buf_puts(&b, ", ");
            if (rc == SVCQ_OK)
                rc = md_double(&b, f->bands[k].hi);
            if (rc == SVCQ_OK)
                rc = svcq__buf_puts(&b, ") → ");
            if (rc == SVCQ_OK)
                rc = md_double(&b, f->bands[k].points);
        }
        if (rc == SVCQ_OK)
            rc = svcq__buf_puts(&b, " | ");
        if (rc == SVCQ_OK)
            rc = md_double(&b, f->input_min);
        if (rc == SVCQ_OK)
            rc = svcq__buf_puts(&b, " to ");
        if (rc == SVCQ_OK)
            rc = md_double(&b, f->input_max);
        if (rc == SVCQ_OK)
            rc = svcq__buf_puts(&b, " | ");
        if (rc == SVCQ_OK)
            rc = f->has_default ? md_double(&b, f->default_value) : svcq__buf_puts(&b, "required");
        if (rc == SVCQ_OK)
            rc = svcq__buf_puts(&b, " |\n");
    }
    svcq__tier_fmt_milli(m, s->demote_margin_milli);
    if (rc == SVCQ_OK)
        rc = svcq__buf_printf(&b, "\nPromotion at once; demotion after %u consecutive period%s below%s%s%s.\n",
                              s->demote_periods, s->demote_periods == 1 ? "" : "s",
                              s->demote_margin_milli ? ", or at once " : "", s->demote_margin_milli ? m : "",
                              s->demote_margin_milli ? " points under the tier's minimum score" : "");
    if (rc == SVCQ_OK)
        rc = svcq_writer_write(writer, b.data, b.len);
    else
        rc = svcq__enomem(ctx);
    svcq__buf_free(&b);
    return rc;
}
