/* Scorecard templates as JSON documents, schema "svcq.scorecard_template/1"
 * (docs/format.md), as Markdown, and as stored records of kind
 * "scorecard_template" under "<name>@<version>" (a saved version is
 * immutable, as for SLA policies: src/sla/policy_store.c):
 *
 *   {"schema": "svcq.scorecard_template/1", "name": "telecom-branch",
 *    "version": 1, "note": "...",
 *    "composite": {"card_percent": 60, "satisfaction_percent": 40,
 *                  "veto_effect": "zero", "cap": 0},
 *    "sections": [{"key": "service", "title": "Service work"}],
 *    "items": [{"section": "service", "key": "hotline_quality", "name": "...",
 *               "source": "host", "rule": "manual", "max_points": 35000},
 *              {..., "rule": "rate", "direction": "higher_better",
 *               "target": 98000, "floor": 90000},
 *              {..., "rule": "deduction", "per_event": 2000},
 *              {..., "rule": "bands", "bands": [{"from": 0, "to": 50000,
 *               "points": 0}, ...]}],
 *    "vetoes": [{"key": "gm_orders", "name": "...", "kind": "orders",
 *                "threshold": 3}]}
 *
 * The note is left out when there is none. Import runs every document
 * through the setters, so it accepts exactly what they accept. */
#include <stdio.h>
#include <string.h>

#include "core/str.h"
#include "scorecard/scorecard_internal.h"
#include "store/record.h"
#include "store/store.h"

static int encode(const svcq_scorecard_template *t, svcq__jw *w)
{
    svcq__record_begin(w, SVCQ__SC_TEMPLATE_KIND, SVCQ__SC_TEMPLATE_SCHEMA);
    svcq__jw_key(w, "name");
    svcq__jw_string(w, t->name);
    svcq__jw_key(w, "version");
    svcq__jw_int(w, t->version);
    if (t->note) {
        svcq__jw_key(w, "note");
        svcq__jw_string(w, t->note);
    }
    svcq__jw_key(w, "composite");
    svcq__jw_object_begin(w);
    svcq__jw_key(w, "card_percent");
    svcq__jw_int(w, t->card_percent);
    svcq__jw_key(w, "satisfaction_percent");
    svcq__jw_int(w, t->sat_percent);
    svcq__jw_key(w, "veto_effect");
    svcq__jw_string(w, svcq_scorecard_veto_effect_name(t->effect));
    svcq__jw_key(w, "cap");
    svcq__jw_int(w, t->cap);
    svcq__jw_object_end(w);
    svcq__jw_key(w, "sections");
    svcq__jw_array_begin(w);
    for (uint32_t i = 0; i < t->nsections; i++) {
        svcq__jw_object_begin(w);
        svcq__jw_key(w, "key");
        svcq__jw_string(w, t->sections[i].key);
        svcq__jw_key(w, "title");
        svcq__jw_string(w, t->sections[i].title);
        svcq__jw_object_end(w);
    }
    svcq__jw_array_end(w);
    svcq__jw_key(w, "items");
    svcq__jw_array_begin(w);
    for (uint32_t i = 0; i < t->nitems; i++) {
        const svcq__sc_item *it = &t->items[i];
        svcq__jw_object_begin(w);
        svcq__jw_key(w, "section");
        svcq__jw_string(w, t->sections[it->section].key);
        svcq__jw_key(w, "key");
        svcq__jw_string(w, it->key);
        svcq__jw_key(w, "name");
        svcq__jw_string(w, it->name);
        svcq__jw_key(w, "source");
        svcq__jw_string(w, it->source);
        svcq__jw_key(w, "rule");
        svcq__jw_string(w, svcq_scorecard_rule_name(it->rule));
        svcq__jw_key(w, "max_points");
        svcq__jw_int(w, it->max);
        if (it->rule == SVCQ_SCORECARD_RULE_RATE) {
            svcq__jw_key(w, "direction");
            svcq__jw_string(w, svcq_scorecard_direction_name(it->direction));
            svcq__jw_key(w, "target");
            svcq__jw_int(w, it->target);
            svcq__jw_key(w, "floor");
            svcq__jw_int(w, it->floor);
        } else if (it->rule == SVCQ_SCORECARD_RULE_DEDUCTION) {
            svcq__jw_key(w, "per_event");
            svcq__jw_int(w, it->per_event);
        } else if (it->rule == SVCQ_SCORECARD_RULE_BANDS) {
            svcq__jw_key(w, "bands");
            svcq__jw_array_begin(w);
            for (uint32_t b = 0; b < it->nbands; b++) {
                svcq__jw_object_begin(w);
                svcq__jw_key(w, "from");
                svcq__jw_int(w, it->from[b]);
                svcq__jw_key(w, "to");
                svcq__jw_int(w, it->to[b]);
                svcq__jw_key(w, "points");
                svcq__jw_int(w, it->pts[b]);
                svcq__jw_object_end(w);
            }
            svcq__jw_array_end(w);
        }
        svcq__jw_object_end(w);
    }
    svcq__jw_array_end(w);
    svcq__jw_key(w, "vetoes");
    svcq__jw_array_begin(w);
    for (uint32_t i = 0; i < t->nvetoes; i++) {
        svcq__jw_object_begin(w);
        svcq__jw_key(w, "key");
        svcq__jw_string(w, t->vetoes[i].key);
        svcq__jw_key(w, "name");
        svcq__jw_string(w, t->vetoes[i].name);
        svcq__jw_key(w, "kind");
        svcq__jw_string(w, svcq_scorecard_veto_kind_name(t->vetoes[i].kind));
        svcq__jw_key(w, "threshold");
        svcq__jw_int(w, t->vetoes[i].threshold);
        svcq__jw_object_end(w);
    }
    svcq__jw_array_end(w);
    return svcq__record_end(w);
}

static int encode_buf(const svcq_scorecard_template *t, svcq__buf *out, bool pretty)
{
    svcq__jw w;
    svcq__jw_init_buf(&w, t->ctx, out);
    if (pretty)
        (void)svcq__jw_set_pretty(&w, true);
    return encode(t, &w);
}

int svcq__sc_flush(svcq_ctx *ctx, const svcq_writer *w, const svcq__buf *b)
{
    int rc = svcq_writer_write(w, b->data ? b->data : "", b->len);
    if (rc)
        return svcq__error(ctx, rc, "scorecard export: the writer stopped with %s", svcq_strerror(rc));
    return SVCQ_OK;
}

int svcq__sc_md_cell(svcq__buf *b, const char *s)
{
    int rc = SVCQ_OK;
    for (; rc == SVCQ_OK && *s; s++) {
        if (*s == '|')
            rc = svcq__buf_puts(b, "\\|");
        else if (*s == '\n')
            rc = svcq__buf_putc(b, ' ');
        else
            rc = svcq__buf_putc(b, *s);
    }
    return rc;
}

int svcq__sc_csv_cell(svcq__buf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n"))
        return svcq__buf_puts(b, s);
    int rc = svcq__buf_putc(b, '"');
    for (; rc == SVCQ_OK && *s; s++)
        rc = *s == '"' ? svcq__buf_puts(b, "\"\"") : svcq__buf_putc(b, *s);
    return rc ? rc : svcq__buf_putc(b, '"');
}

static int markdown(const svcq_scorecard_template *t, svcq__buf *b)
{
    char x[32];
    int rc = svcq__buf_printf(b, "# Scorecard template %s v%u\n\n", t->name, t->version);
    if (!rc && t->note) {
        rc = svcq__sc_md_cell(b, t->note);
        if (!rc)
            rc = svcq__buf_puts(b, "\n\n");
    }
    if (!rc)
        rc = svcq__buf_puts(b, "| section | item | key | max points | rule | value from |\n"
                               "|---|---|---|---:|---|---|\n");
    svcq__buf rule;
    svcq__buf_init(&rule, t->ctx);
    for (uint32_t i = 0; !rc && i < t->nitems; i++) {
        const svcq__sc_item *it = &t->items[i];
        svcq__buf_truncate(&rule, 0);
        rc = svcq__sc_rule_text(it, &rule);
        if (!rc)
            rc = svcq__buf_puts(b, "| ");
        if (!rc)
            rc = svcq__sc_md_cell(b, t->sections[it->section].title);
        if (!rc)
            rc = svcq__buf_puts(b, " | ");
        if (!rc)
            rc = svcq__sc_md_cell(b, it->name);
        if (!rc)
            rc = svcq__buf_printf(b, " | %s | %s | ", it->key, svcq__sc_fmt(it->max, x));
        if (!rc)
            rc = svcq__sc_md_cell(b, rule.data);
        if (!rc)
            rc = svcq__buf_puts(b, " | ");
        if (!rc)
            rc = svcq__sc_md_cell(b, it->source);
        if (!rc)
            rc = svcq__buf_puts(b, " |\n");
    }
    svcq__buf_free(&rule);
    if (!rc)
        rc = svcq__buf_printf(b, "| | **total** | | **%s** | | |\n",
                              svcq__sc_fmt(svcq_scorecard_template_max_points(t), x));
    if (!rc && t->nvetoes)
        rc = svcq__buf_puts(b, "\n| veto rule | key | kind | threshold |\n|---|---|---|---:|\n");
    for (uint32_t i = 0; !rc && i < t->nvetoes; i++) {
        rc = svcq__buf_puts(b, "| ");
        if (!rc)
            rc = svcq__sc_md_cell(b, t->vetoes[i].name);
        if (!rc)
            rc = svcq__buf_printf(b, " | %s | %s | %u |\n", t->vetoes[i].key,
                                  svcq_scorecard_veto_kind_name(t->vetoes[i].kind), t->vetoes[i].threshold);
    }
    if (!rc)
        rc = svcq__buf_printf(b, "\nComposite: %u %% card share (points / applicable maximum) + %u %% satisfaction; "
                                 "a veto: %s",
                              t->card_percent, t->sat_percent, svcq_scorecard_veto_effect_name(t->effect));
    if (!rc && t->effect == SVCQ_SCORECARD_EFFECT_CAP)
        rc = svcq__buf_printf(b, " at %s", svcq__sc_fmt(t->cap, x));
    if (!rc)
        rc = svcq__buf_puts(b, ".\n");
    return rc ? svcq__enomem(t->ctx) : SVCQ_OK;
}

int svcq_scorecard_template_export(const svcq_scorecard_template *t, const svcq_writer *writer, int32_t format,
                                   uint32_t flags)
{
    if (!t || !writer)
        return svcq__error(t ? t->ctx : NULL, SVCQ_EINVAL, "svcq_scorecard_template_export: NULL %s",
                           !t ? "template" : "writer");
    svcq_ctx *ctx = t->ctx;
    if (flags & ~SVCQ_SCORECARD_JSON_PRETTY)
        return svcq__error(ctx, SVCQ_EINVAL, "scorecard template %s: unknown export flags 0x%x", t->name, flags);
    if (format != SVCQ_SCORECARD_JSON && format != SVCQ_SCORECARD_MARKDOWN)
        return svcq__error(ctx, SVCQ_EINVAL, "scorecard template %s: no %s export (JSON or Markdown)", t->name,
                           svcq_scorecard_format_name(format) ? svcq_scorecard_format_name(format) : "such");
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    int rc = format == SVCQ_SCORECARD_JSON ? encode_buf(t, &b, (flags & SVCQ_SCORECARD_JSON_PRETTY) != 0)
                                           : markdown(t, &b);
    if (!rc)
        rc = svcq__sc_flush(ctx, writer, &b);
    svcq__buf_free(&b);
    return rc;
}

/* ---- import ----------------------------------------------------------- */

static int lookup(svcq_ctx *ctx, const char *field, const char *s, const char *(*name)(int32_t), int32_t n,
                  int32_t *out)
{
    for (int32_t i = 0; i < n; i++)
        if (name(i) && strcmp(name(i), s) == 0) {
            *out = i;
            return SVCQ_OK;
        }
    return svcq__error(ctx, SVCQ_ECORRUPT, "field \"%s\": unknown value \"%.64s\"", field, s);
}

static int get_u32(svcq_ctx *ctx, const svcq__json *o, const char *key, uint32_t *out)
{
    int64_t v = 0;
    int rc = svcq__json_get_int(ctx, o, key, true, &v);
    if (rc)
        return rc;
    if (v < 0 || v > UINT32_MAX)
        return svcq__error(ctx, SVCQ_ECORRUPT, "field \"%s\": %lld is out of range", key, (long long)v);
    *out = (uint32_t)v;
    return SVCQ_OK;
}

static int decode_item(svcq_scorecard_template *t, const svcq__json *o)
{
    svcq_ctx *ctx = t->ctx;
    svcq_scorecard_item_spec s = SVCQ_SCORECARD_ITEM_SPEC_INIT;
    const char *rule = NULL, *dir = NULL;
    int rc = svcq__json_get_string(ctx, o, "section", true, &s.section, NULL);
    if (!rc)
        rc = svcq__json_get_string(ctx, o, "key", true, &s.key, NULL);
    if (!rc)
        rc = svcq__json_get_string(ctx, o, "name", true, &s.name, NULL);
    if (!rc)
        rc = svcq__json_get_string(ctx, o, "source", false, &s.source, NULL);
    if (!rc)
        rc = svcq__json_get_string(ctx, o, "rule", true, &rule, NULL);
    if (!rc)
        rc = lookup(ctx, "rule", rule, svcq_scorecard_rule_name, 4, &s.rule);
    if (!rc)
        rc = svcq__json_get_int(ctx, o, "max_points", true, &s.max_points);
    if (rc)
        return rc;
    if (s.rule == SVCQ_SCORECARD_RULE_RATE) {
        rc = svcq__json_get_string(ctx, o, "direction", true, &dir, NULL);
        if (!rc)
            rc = lookup(ctx, "direction", dir, svcq_scorecard_direction_name, 2, &s.direction);
        if (!rc)
            rc = svcq__json_get_int(ctx, o, "target", true, &s.target);
        if (!rc)
            rc = svcq__json_get_int(ctx, o, "floor", true, &s.floor);
    } else if (s.rule == SVCQ_SCORECARD_RULE_DEDUCTION) {
        rc = svcq__json_get_int(ctx, o, "per_event", true, &s.per_event);
    } else if (s.rule == SVCQ_SCORECARD_RULE_BANDS) {
        const svcq__json *bands = NULL;
        rc = svcq__json_get_array(ctx, o, "bands", true, &bands);
        size_t n = rc ? 0 : svcq__json_array_size(bands);
        if (!rc && (n < 1 || n > SVCQ_SCORECARD_MAX_BANDS))
            rc = svcq__error(ctx, SVCQ_ECORRUPT, "field \"bands\": %zu bands (1 to %d)", n,
                             SVCQ_SCORECARD_MAX_BANDS);
        for (size_t i = 0; !rc && i < n; i++) {
            const svcq__json *b = svcq__json_array_get(bands, i);
            rc = svcq__json_get_int(ctx, b, "from", true, &s.band_from[i]);
            if (!rc)
                rc = svcq__json_get_int(ctx, b, "to", true, &s.band_to[i]);
            if (!rc)
                rc = svcq__json_get_int(ctx, b, "points", true, &s.band_points[i]);
        }
        s.band_count = (uint32_t)n;
    }
    if (!rc)
        rc = svcq_scorecard_template_add_item(t, &s);
    return rc;
}

static int decode(svcq_ctx *ctx, const svcq__json *root, svcq_scorecard_template **out)
{
    const char *name = NULL, *note = NULL, *effect = NULL;
    int64_t version = 0, cap = 0;
    uint32_t card = 0, sat = 0;
    const svcq__json *comp = NULL, *sections = NULL, *items = NULL, *vetoes = NULL;
    int rc = svcq__json_get_string(ctx, root, "name", true, &name, NULL);
    if (!rc)
        rc = svcq__json_get_int(ctx, root, "version", true, &version);
    if (!rc && (version < 1 || version > UINT32_MAX))
        rc = svcq__error(ctx, SVCQ_ECORRUPT, "field \"version\": %lld is out of range", (long long)version);
    if (!rc)
        rc = svcq__json_get_string(ctx, root, "note", false, &note, NULL);
    if (!rc)
        rc = svcq__json_get_object(ctx, root, "composite", true, &comp);
    if (!rc)
        rc = get_u32(ctx, comp, "card_percent", &card);
    if (!rc)
        rc = get_u32(ctx, comp, "satisfaction_percent", &sat);
    if (!rc)
        rc = svcq__json_get_string(ctx, comp, "veto_effect", true, &effect, NULL);
    if (!rc)
        rc = svcq__json_get_int(ctx, comp, "cap", true, &cap);
    int32_t eff = 0;
    if (!rc)
        rc = lookup(ctx, "veto_effect", effect, svcq_scorecard_veto_effect_name, 3, &eff);
    if (!rc)
        rc = svcq__json_get_array(ctx, root, "sections", true, &sections);
    if (!rc)
        rc = svcq__json_get_array(ctx, root, "items", true, &items);
    if (!rc)
        rc = svcq__json_get_array(ctx, root, "vetoes", true, &vetoes);
    if (rc)
        return rc;
    svcq_scorecard_template *t;
    if ((rc = svcq_scorecard_template_new(&t, ctx, name, (uint32_t)version)))
        return rc;
    rc = svcq_scorecard_template_set_note(t, note);
    if (!rc)
        rc = svcq_scorecard_template_set_composite(t, card, sat, eff, cap);
    for (size_t i = 0; !rc && i < svcq__json_array_size(sections); i++) {
        const svcq__json *s = svcq__json_array_get(sections, i);
        const char *key = NULL, *title = NULL;
        rc = svcq__json_get_string(ctx, s, "key", true, &key, NULL);
        if (!rc)
            rc = svcq__json_get_string(ctx, s, "title", true, &title, NULL);
        if (!rc)
            rc = svcq_scorecard_template_add_section(t, key, title);
    }
    if (!rc && svcq__json_array_size(items) > SVCQ_SCORECARD_MAX_ITEMS)
        rc = svcq__error(ctx, SVCQ_ELIMIT, "field \"items\": more than %d items", SVCQ_SCORECARD_MAX_ITEMS);
    for (size_t i = 0; !rc && i < svcq__json_array_size(items); i++)
        rc = decode_item(t, svcq__json_array_get(items, i));
    for (size_t i = 0; !rc && i < svcq__json_array_size(vetoes); i++) {
        const svcq__json *v = svcq__json_array_get(vetoes, i);
        svcq_scorecard_veto_spec s = SVCQ_SCORECARD_VETO_SPEC_INIT;
        const char *kind = NULL;
        rc = svcq__json_get_string(ctx, v, "key", true, &s.key, NULL);
        if (!rc)
            rc = svcq__json_get_string(ctx, v, "name", true, &s.name, NULL);
        if (!rc)
            rc = svcq__json_get_string(ctx, v, "kind", true, &kind, NULL);
        if (!rc)
            rc = lookup(ctx, "kind", kind, svcq_scorecard_veto_kind_name, 2, &s.kind);
        if (!rc)
            rc = get_u32(ctx, v, "threshold", &s.threshold);
        if (!rc)
            rc = svcq_scorecard_template_add_veto(t, &s);
    }
    if (rc) {
        svcq_scorecard_template_free(t);
        /* A value the setters refuse is a damaged document; the message stays. */
        return rc == SVCQ_EINVAL ? SVCQ_ECORRUPT : rc;
    }
    *out = t;
    return SVCQ_OK;
}

int svcq_scorecard_template_import(svcq_scorecard_template **out, svcq_ctx *ctx, const char *json, size_t size)
{
    if (out)
        *out = NULL;
    if (!out || !ctx || (!json && size))
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_scorecard_template_import: NULL %s",
                           !out ? "out" : !ctx ? "ctx" : "json");
    svcq__json_doc *doc = NULL;
    uint32_t major = 0;
    int rc = svcq__json_parse(ctx, json, size, NULL, &doc);
    if (rc == SVCQ_OK)
        rc = svcq__record_check(ctx, svcq__json_root(doc), SVCQ__SC_TEMPLATE_KIND, SVCQ__SC_TEMPLATE_SCHEMA, &major);
    if (rc == SVCQ_OK)
        rc = decode(ctx, svcq__json_root(doc), out);
    svcq__json_doc_free(doc);
    if (rc && rc != SVCQ_ENOMEM) {
        rc = svcq__error_prefix(ctx, rc, "scorecard template import");
    }
    return rc;
}

/* ---- the store -------------------------------------------------------------- */

static void restore_revision(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    ((svcq_scorecard_template *)data)->revision = arg;
}

static void restore_frozen(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    ((svcq_scorecard_template *)data)->frozen = arg != 0;
}

#define ID_SIZE (SVCQ__SC_NAME_MAX + 16)

int svcq_scorecard_template_save(svcq_scorecard_template *t)
{
    if (!t)
        return svcq__error(NULL, SVCQ_EINVAL, "svcq_scorecard_template_save: NULL template");
    svcq_ctx *ctx = t->ctx;
    char id[ID_SIZE];
    snprintf(id, sizeof(id), "%s@%u", t->name, t->version);
    svcq__buf json;
    svcq__buf_init(&json, ctx);
    int rc = encode_buf(t, &json, false);
    svcq__tx tx;
    tx.began = false;
    if (rc == SVCQ_OK)
        rc = svcq__tx_begin(ctx, &tx);
    if (rc == SVCQ_OK)
        rc = svcq__undo_reserve(ctx, 2);
    uint64_t rev = 0;
    if (rc == SVCQ_OK) {
        char what[ID_SIZE + 32];
        snprintf(what, sizeof(what), "scorecard template %s v%u", t->name, t->version);
        rc = svcq__record_publish(ctx, SVCQ__SC_TEMPLATE_KIND, id, &json, what, &rev);
    }
    if (rc == SVCQ_OK) {
        (void)svcq__undo_push_for(ctx, t, restore_revision, NULL, t, t->revision);
        t->revision = rev;
        (void)svcq__undo_push_for(ctx, t, restore_frozen, NULL, t, t->frozen);
        t->frozen = true;
    }
    svcq__buf_free(&json);
    return svcq__tx_end(ctx, &tx, rc);
}

int svcq_scorecard_template_load(svcq_scorecard_template **out, svcq_ctx *ctx, const char *name, uint32_t version)
{
    if (out)
        *out = NULL;
    if (!out || !ctx || !name)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_scorecard_template_load: NULL %s",
                           !out ? "out" : !ctx ? "ctx" : "name");
    int rc = svcq__sc_check_label(ctx, "scorecard template name", name);
    if (rc)
        return rc;
    if (version == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "scorecard template %s: version must be at least 1", name);
    char id[ID_SIZE];
    snprintf(id, sizeof(id), "%s@%u", name, version);
    svcq__json_doc *doc = NULL;
    uint32_t major;
    uint64_t revision;
    svcq_scorecard_template *t = NULL;
    rc = svcq__record_load(ctx, SVCQ__SC_TEMPLATE_KIND, id, SVCQ__SC_TEMPLATE_SCHEMA, &doc, &major, &revision);
    if (rc == SVCQ_ENOTFOUND)
        rc = svcq__error(ctx, rc, "scorecard template %s v%u is not stored (no record scorecard_template \"%s\")",
                         name, version, id);
    if (rc == SVCQ_OK)
        rc = decode(ctx, svcq__json_root(doc), &t);
    svcq__json_doc_free(doc);
    rc = svcq__record_damaged(ctx, SVCQ__SC_TEMPLATE_KIND, id, rc);
    if (rc == SVCQ_OK && (strcmp(t->name, name) != 0 || t->version != version))
        rc = svcq__error(ctx, SVCQ_ECORRUPT, "record scorecard_template \"%s\" holds template %s v%u", id, t->name,
                         t->version);
    if (rc) {
        svcq_scorecard_template_free(t);
        return rc;
    }
    t->revision = revision;
    t->frozen = true;
    *out = t;
    return SVCQ_OK;
}
