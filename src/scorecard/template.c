/* Scorecard templates: sections, items with their scoring rules, veto
 * rules, composite settings, the built-in telecom template, and the pure
 * scoring of one item. Stored and JSON forms are in template_json.c. */
#include <stdio.h>
#include <string.h>

#include "core/str.h"
#include "core/utf8.h"
#include "scorecard/scorecard_internal.h"
#include "store/store.h"

/* ---- names and tables -------------------------------------------------- */

const char *svcq_scorecard_rule_name(int32_t rule)
{
    switch (rule) {
    case SVCQ_SCORECARD_RULE_MANUAL: return "manual";
    case SVCQ_SCORECARD_RULE_RATE: return "rate";
    case SVCQ_SCORECARD_RULE_DEDUCTION: return "deduction";
    case SVCQ_SCORECARD_RULE_BANDS: return "bands";
    }
    return NULL;
}

const char *svcq_scorecard_direction_name(int32_t direction)
{
    switch (direction) {
    case SVCQ_SCORECARD_HIGHER_BETTER: return "higher_better";
    case SVCQ_SCORECARD_LOWER_BETTER: return "lower_better";
    }
    return NULL;
}

const char *svcq_scorecard_veto_kind_name(int32_t kind)
{
    switch (kind) {
    case SVCQ_SCORECARD_VETO_MANUAL: return "manual";
    case SVCQ_SCORECARD_VETO_ORDERS: return "orders";
    }
    return NULL;
}

const char *svcq_scorecard_veto_effect_name(int32_t effect)
{
    switch (effect) {
    case SVCQ_SCORECARD_EFFECT_ZERO: return "zero";
    case SVCQ_SCORECARD_EFFECT_CAP: return "cap";
    case SVCQ_SCORECARD_EFFECT_EXCLUDE: return "exclude";
    }
    return NULL;
}

const char *svcq_scorecard_format_name(int32_t format)
{
    switch (format) {
    case SVCQ_SCORECARD_MARKDOWN: return "markdown";
    case SVCQ_SCORECARD_JSON: return "json";
    case SVCQ_SCORECARD_CSV: return "csv";
    case SVCQ_SCORECARD_SVG: return "svg";
    }
    return NULL;
}

const char *svcq_scorecard_basis_name(int32_t basis)
{
    switch (basis) {
    case SVCQ_SCORECARD_BASIS_CARD: return "card";
    case SVCQ_SCORECARD_BASIS_COMPOSITE: return "composite";
    }
    return NULL;
}

const char *svcq_scorecard_builtin_id_name(int32_t id)
{
    return id == SVCQ_SCORECARD_BUILTIN_TELECOM ? "telecom" : NULL;
}

int svcq_scorecard_item_spec_init(svcq_scorecard_item_spec *spec, uint32_t version)
{
    return svcq__table_init(spec, sizeof(*spec), version, SVCQ_SCORECARD_ITEM_SPEC_VERSION);
}

int svcq_scorecard_veto_spec_init(svcq_scorecard_veto_spec *spec, uint32_t version)
{
    return svcq__table_init(spec, sizeof(*spec), version, SVCQ_SCORECARD_VETO_SPEC_VERSION);
}

/* ---- arithmetic and text --------------------------------------------------- */

int64_t svcq__sc_div(int64_t a, int64_t b)
{
    if (a >= 0)
        return (a + b / 2) / b;
    return -((-a + b / 2) / b);
}

const char *svcq__sc_fmt(int64_t v, char out[32])
{
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    unsigned long long whole = (unsigned long long)(m / 1000);
    unsigned frac = (unsigned)(m % 1000);
    const char *sign = v < 0 ? "-" : "";
    if (frac == 0)
        snprintf(out, 32, "%s%llu", sign, whole);
    else if (frac % 100 == 0)
        snprintf(out, 32, "%s%llu.%u", sign, whole, frac / 100);
    else if (frac % 10 == 0)
        snprintf(out, 32, "%s%llu.%02u", sign, whole, frac / 10);
    else
        snprintf(out, 32, "%s%llu.%03u", sign, whole, frac);
    return out;
}

int svcq__sc_check_key(svcq_ctx *ctx, const char *what, const char *key)
{
    if (!key)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: missing", what);
    size_t n = strlen(key);
    if (n == 0 || n > SVCQ__SC_NAME_MAX)
        return svcq__error(ctx, SVCQ_EINVAL, "%s \"%.64s\": must be 1 to %d bytes, not %zu", what, key,
                           SVCQ__SC_NAME_MAX, n);
    for (size_t i = 0; i < n; i++) {
        char c = key[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return svcq__error(ctx, SVCQ_EINVAL, "%s \"%.64s\": only a-z, 0-9 and _ (byte %zu is not)", what,
                               svcq__utf8_valid(key, n) ? key : "?", i);
    }
    return SVCQ_OK;
}

int svcq__sc_check_text(svcq_ctx *ctx, const char *what, const char *s, size_t max, bool allow_newlines)
{
    if (!s)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: missing", what);
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: must be 1 to %zu bytes, not %zu", what, max, n);
    if (!svcq__utf8_valid(s, n))
        return svcq__error(ctx, SVCQ_EINVAL, "%s: invalid UTF-8", what);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && !(allow_newlines && c == '\n')) || c == 0x7F)
            return svcq__error(ctx, SVCQ_EINVAL, "%s: control character U+%04X at byte %zu", what, (unsigned)c,
                               i);
    }
    return SVCQ_OK;
}

int svcq__sc_check_label(svcq_ctx *ctx, const char *what, const char *s)
{
    int rc = svcq__sc_check_text(ctx, what, s, SVCQ__SC_NAME_MAX, false);
    if (rc)
        return rc;
    if (strchr(s, '/'))
        return svcq__error(ctx, SVCQ_EINVAL, "%s \"%s\": '/' is not allowed (it separates the parts of card ids)",
                           what, s);
    return SVCQ_OK;
}

int32_t svcq__sc_item_find(const svcq_scorecard_template *t, const char *key)
{
    for (uint32_t i = 0; i < t->nitems; i++)
        if (strcmp(t->items[i].key, key) == 0)
            return (int32_t)i;
    return -1;
}

int32_t svcq__sc_veto_find(const svcq_scorecard_template *t, const char *key)
{
    for (uint32_t i = 0; i < t->nvetoes; i++)
        if (strcmp(t->vetoes[i].key, key) == 0)
            return (int32_t)i;
    return -1;
}

/* ---- lifecycle ------------------------------------------------------------ */

int svcq_scorecard_template_new(svcq_scorecard_template **out, svcq_ctx *ctx, const char *name, uint32_t version)
{
    if (out)
        *out = NULL;
    if (!out || !ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_scorecard_template_new: NULL %s", !out ? "out" : "ctx");
    int rc = svcq__sc_check_label(ctx, "scorecard template name", name);
    if (rc)
        return rc;
    if (strchr(name, '@'))
        return svcq__error(ctx, SVCQ_EINVAL, "scorecard template name \"%s\": '@' is not allowed (ids are "
                           "\"<name>@<version>\")", name);
    if (version == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "scorecard template %s: version must be at least 1", name);
    svcq_scorecard_template *t = svcq__calloc(ctx, 1, sizeof(*t));
    if (!t)
        return svcq__enomem(ctx);
    t->ctx = ctx;
    t->refs = 1;
    t->version = version;
    t->card_percent = 60;
    t->sat_percent = 40;
    t->effect = SVCQ_SCORECARD_EFFECT_ZERO;
    rc = svcq__strdup(ctx, "scorecard template name", name, &t->name);
    if (rc) {
        svcq__free(ctx, t);
        return rc;
    }
    *out = t;
    return SVCQ_OK;
}

void svcq__sc_template_ref(svcq_scorecard_template *t)
{
    t->refs++;
    t->frozen = true;
}

void svcq_scorecard_template_free(svcq_scorecard_template *t)
{
    if (!t || --t->refs > 0)
        return;
    svcq_ctx *ctx = t->ctx;
    svcq__undo_detach(ctx, t); /* a save's entries in an open batch */
    for (uint32_t i = 0; i < t->nsections; i++) {
        svcq__free(ctx, t->sections[i].key);
        svcq__free(ctx, t->sections[i].title);
    }
    for (uint32_t i = 0; i < t->nitems; i++) {
        svcq__free(ctx, t->items[i].key);
        svcq__free(ctx, t->items[i].name);
        svcq__free(ctx, t->items[i].source);
    }
    for (uint32_t i = 0; i < t->nvetoes; i++) {
        svcq__free(ctx, t->vetoes[i].key);
        svcq__free(ctx, t->vetoes[i].name);
    }
    svcq__free(ctx, t->sections);
    svcq__free(ctx, t->items);
    svcq__free(ctx, t->vetoes);
    svcq__free(ctx, t->note);
    svcq__free(ctx, t->name);
    svcq__free(ctx, t);
}

static int check_mutable(svcq_scorecard_template *t, const char *fn)
{
    if (!t)
        return SVCQ_EINVAL;
    if (t->frozen)
        return svcq__error(t->ctx, SVCQ_ESTATE,
                           "%s: scorecard template %s v%u is saved or in use and cannot change: make a new version",
                           fn, t->name, t->version);
    return SVCQ_OK;
}

int svcq_scorecard_template_add_section(svcq_scorecard_template *t, const char *key, const char *title)
{
    int rc = check_mutable(t, "svcq_scorecard_template_add_section");
    if (rc)
        return rc;
    svcq_ctx *ctx = t->ctx;
    char what[128];
    snprintf(what, sizeof(what), "scorecard template %s: section key", t->name);
    if ((rc = svcq__sc_check_key(ctx, what, key)))
        return rc;
    snprintf(what, sizeof(what), "scorecard template %s: section %s: title", t->name, key);
    if ((rc = svcq__sc_check_text(ctx, what, title, SVCQ__SC_SUBJECT_MAX, false)))
        return rc;
    for (uint32_t i = 0; i < t->nsections; i++)
        if (strcmp(t->sections[i].key, key) == 0)
            return svcq__error(ctx, SVCQ_EINVAL, "scorecard template %s: section %s is already there", t->name,
                               key);
    if (t->nsections >= SVCQ_SCORECARD_MAX_ITEMS)
        return svcq__error(ctx, SVCQ_ELIMIT, "scorecard template %s: more than %d sections", t->name,
                           SVCQ_SCORECARD_MAX_ITEMS);
    svcq__sc_section *s = svcq__reallocarray(ctx, t->sections, t->nsections + 1, sizeof(*s));
    if (!s)
        return svcq__enomem(ctx);
    t->sections = s;
    svcq__sc_section n = { NULL, NULL };
    if ((rc = svcq__strdup(ctx, "section key", key, &n.key)) ||
        (rc = svcq__strdup(ctx, "section title", title, &n.title))) {
        svcq__free(ctx, n.key);
        return rc;
    }
    t->sections[t->nsections++] = n;
    return SVCQ_OK;
}

static bool in_range(int64_t v)
{
    return v >= -SVCQ_SCORECARD_MAX_VALUE && v <= SVCQ_SCORECARD_MAX_VALUE;
}

/* Validates spec into *it (strings not copied yet: borrowed from spec). */
static int check_item(svcq_scorecard_template *t, const svcq_scorecard_item_spec *sp, svcq__sc_item *it)
{
    svcq_ctx *ctx = t->ctx;
    char what[160];
    snprintf(what, sizeof(what), "scorecard template %s: item key", t->name);
    int rc = svcq__sc_check_key(ctx, what, sp->key);
    if (rc)
        return rc;
    const char *k = sp->key;
    const char *tn = t->name;
    if (svcq__sc_item_find(t, k) >= 0)
        return svcq__error(ctx, SVCQ_EINVAL, "scorecard template %s: item %s is already there", tn, k);
    snprintf(what, sizeof(what), "scorecard template %s: item %s: name", tn, k);
    if ((rc = svcq__sc_check_text(ctx, what, sp->name, SVCQ__SC_SUBJECT_MAX, false)))
        return rc;
    if (sp->source && sp->source[0]) {
        snprintf(what, sizeof(what), "scorecard template %s: item %s: source", tn, k);
        if ((rc = svcq__sc_check_text(ctx, what, sp->source, SVCQ__SC_SUBJECT_MAX, false)))
            return rc;
    }
    if (!sp->section)
        return svcq__error(ctx, SVCQ_EINVAL, "scorecard template %s: item %s: section missing", tn, k);
    int32_t sec = -1;
    for (uint32_t i = 0; i < t->nsections; i++)
        if (strcmp(t->sections[i].key, sp->section) == 0)
            sec = (int32_t)i;
    if (sec < 0)
        return svcq__error(ctx, SVCQ_EINVAL, "scorecard template %s: item %s: no section \"%.64s\" (add it first)",
                           tn, k, svcq__utf8_valid(sp->section, strnlen(sp->section, 64)) ? sp->section : "?");
    if (sp->max_points < 1 || sp->max_points > SVCQ_SCORECARD_MAX_POINTS)
        return svcq__error(ctx, SVCQ_EINVAL,
                           "scorecard template %s: item %s: max_points %lld is out of range (1 to %d thousandths)",
                           tn, k, (long long)sp->max_points, SVCQ_SCORECARD_MAX_POINTS);
    if (!svcq__all_zero(sp->reserved, sizeof(sp->reserved)))
        return svcq__error(ctx, SVCQ_EINVAL, "scorecard template %s: item %s: reserved fields must be zero", tn, k);
    memset(it, 0, sizeof(*it));
    it->section = (uint32_t)sec;
    it->rule = sp->rule;
    it->max = sp->max_points;
    bool others_zero = true;
    switch (sp->rule) {
    case SVCQ_SCORECARD_RULE_MANUAL:
        others_zero = sp->direction == 0 && sp->target == 0 && sp->floor == 0 && sp->per_event == 0 &&
                      sp->band_count == 0;
        break;
    case SVCQ_SCORECARD_RULE_RATE:
        if (sp->direction != SVCQ_SCORECARD_HIGHER_BETTER && sp->direction != SVCQ_SCORECARD_LOWER_BETTER)
            return svcq__error(ctx, SVCQ_EINVAL, "scorecard template %s: item %s: unknown direction %d", tn, k,
                               (int)sp->direction);
        if (!in_range(sp->target) || !in_range(sp->floor))
            return svcq__error(ctx, SVCQ_EINVAL, "scorecard template %s: item %s: target or floor beyond ±%lld", tn,
                               k, (long long)SVCQ_SCORECARD_MAX_VALUE);
        if (sp->direction == SVCQ_SCORECARD_HIGHER_BETTER && !(sp->floor < sp->target))
            return svcq__error(ctx, SVCQ_EINVAL,
                               "scorecard template %s: item %s: higher is better, so the floor (%lld) must lie "
                               "below the target (%lld)", tn, k, (long long)sp->floor, (long long)sp->target);
        if (sp->direction == SVCQ_SCORECARD_LOWER_BETTER && !(sp->floor > sp->target))
            return svcq__error(ctx, SVCQ_EINVAL,
                               "scorecard template %s: item %s: lower is better, so the floor (%lld) must lie "
                               "above the target (%lld)", tn, k, (long long)sp->floor, (long long)sp->target);
        it->direction = sp->direction;
        it->target = sp->target;
        it->floor = sp->floor;
        others_zero = sp->per_event == 0 && sp->band_count == 0;
        break;
    case SVCQ_SCORECARD_RULE_DEDUCTION:
        if (sp->per_event < 1 || sp->per_event > SVCQ_SCORECARD_MAX_POINTS)
            return svcq__error(ctx, SVCQ_EINVAL,
                               "scorecard template %s: item %s: per_event %lld must be 1 to %d thousandths", tn, k,
                               (long long)sp->per_event, SVCQ_SCORECARD_MAX_POINTS);
        it->per_event = sp->per_event;
        others_zero = sp->direction == 0 && sp->target == 0 && sp->floor == 0 && sp->band_count == 0;
        break;
    case SVCQ_SCORECARD_RULE_BANDS:
        if (sp->band_count < 1 || sp->band_count > SVCQ_SCORECARD_MAX_BANDS)
            return svcq__error(ctx, SVCQ_EINVAL, "scorecard template %s: item %s: band_count %u must be 1 to %d",
                               tn, k, sp->band_count, SVCQ_SCORECARD_MAX_BANDS);
        for (uint32_t b = 0; b < sp->band_count; b++) {
            if (!in_range(sp->band_from[b]) || !in_range(sp->band_to[b]))
                return svcq__error(ctx, SVCQ_EINVAL, "scorecard template %s: item %s: band %u beyond ±%lld", tn, k,
                                   b, (long long)SVCQ_SCORECARD_MAX_VALUE);
            if (sp->band_from[b] >= sp->band_to[b])
                return svcq__error(ctx, SVCQ_EINVAL,
                                   "scorecard template %s: item %s: band %u is empty: from %lld is not below to %lld",
                                   tn, k, b, (long long)sp->band_from[b], (long long)sp->band_to[b]);
            if (sp->band_points[b] < 0 || sp->band_points[b] > SVCQ_SCORECARD_MAX_POINTS)
                return svcq__error(ctx, SVCQ_EINVAL,
                                   "scorecard template %s: item %s: band %u: points %lld must be 0 to %d", tn, k, b,
                                   (long long)sp->band_points[b], SVCQ_SCORECARD_MAX_POINTS);
            if (b > 0 && sp->band_from[b] > sp->band_to[b - 1])
                return svcq__error(ctx, SVCQ_EINVAL,
                                   "scorecard template %s: item %s: gap between band %u (to %lld) and band %u "
                                   "(from %lld): bands must be contiguous and ascending",
                                   tn, k, b - 1, (long long)sp->band_to[b - 1], b, (long long)sp->band_from[b]);
            if (b > 0 && sp->band_from[b] < sp->band_to[b - 1])
                return svcq__error(ctx, SVCQ_EINVAL,
                                   "scorecard template %s: item %s: band %u (from %lld) overlaps band %u (to %lld): "
                                   "bands must be contiguous and ascending",
                                   tn, k, b, (long long)sp->band_from[b], b - 1, (long long)sp->band_to[b - 1]);
            it->from[b] = sp->band_from[b];
            it->to[b] = sp->band_to[b];
            it->pts[b] = sp->band_points[b];
        }
        it->nbands = sp->band_count;
        for (uint32_t b = sp->band_count; b < SVCQ_SCORECARD_MAX_BANDS; b++)
            if (sp->band_from[b] || sp->band_to[b] || sp->band_points[b])
                others_zero = false;
        others_zero = others_zero && sp->direction == 0 && sp->target == 0 && sp->floor == 0 && sp->per_event == 0;
        break;
    default:
        return svcq__error(ctx, SVCQ_EINVAL, "scorecard template %s: item %s: unknown rule %d", tn, k,
                           (int)sp->rule);
    }
    if (sp->rule != SVCQ_SCORECARD_RULE_BANDS &&
        (!svcq__all_zero(sp->band_from, sizeof(sp->band_from)) || !svcq__all_zero(sp->band_to, sizeof(sp->band_to)) ||
         !svcq__all_zero(sp->band_points, sizeof(sp->band_points))))
        others_zero = false;
    if (!others_zero)
        return svcq__error(ctx, SVCQ_EINVAL,
                           "scorecard template %s: item %s: a field of another rule than %s is set (only the "
                           "rule's own fields may be non-zero)", tn, k, svcq_scorecard_rule_name(sp->rule));
    return SVCQ_OK;
}

int svcq_scorecard_template_add_item(svcq_scorecard_template *t, const svcq_scorecard_item_spec *sp)
{
    int rc = check_mutable(t, "svcq_scorecard_template_add_item");
    if (rc)
        return rc;
    svcq_ctx *ctx = t->ctx;
    if (!sp)
        return svcq__error(ctx, SVCQ_EINVAL, "scorecard template %s: item spec is NULL", t->name);
    if (sp->version < 1 || sp->version > SVCQ_SCORECARD_ITEM_SPEC_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION, "scorecard template %s: item spec version %u is unknown (1 to %d)",
                           t->name, sp->version, SVCQ_SCORECARD_ITEM_SPEC_VERSION);
    if (t->nitems >= SVCQ_SCORECARD_MAX_ITEMS)
        return svcq__error(ctx, SVCQ_ELIMIT, "scorecard template %s: more than %d items", t->name,
                           SVCQ_SCORECARD_MAX_ITEMS);
    svcq__sc_item it;
    if ((rc = check_item(t, sp, &it)))
        return rc;
    svcq__sc_item *items = svcq__reallocarray(ctx, t->items, t->nitems + 1, sizeof(*items));
    if (!items)
        return svcq__enomem(ctx);
    t->items = items;
    const char *src = sp->source && sp->source[0] ? sp->source : "host";
    if ((rc = svcq__strdup(ctx, "item key", sp->key, &it.key)) ||
        (rc = svcq__strdup(ctx, "item name", sp->name, &it.name)) ||
        (rc = svcq__strdup(ctx, "item source", src, &it.source))) {
        svcq__free(ctx, it.key);
        svcq__free(ctx, it.name);
        return rc;
    }
    t->items[t->nitems++] = it;
    return SVCQ_OK;
}

int svcq_scorecard_template_add_veto(svcq_scorecard_template *t, const svcq_scorecard_veto_spec *sp)
{
    int rc = check_mutable(t, "svcq_scorecard_template_add_veto");
    if (rc)
        return rc;
    svcq_ctx *ctx = t->ctx;
    if (!sp)
        return svcq__error(ctx, SVCQ_EINVAL, "scorecard template %s: veto spec is NULL", t->name);
    if (sp->version < 1 || sp->version > SVCQ_SCORECARD_VETO_SPEC_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION, "scorecard template %s: veto spec version %u is unknown (1 to %d)",
                           t->name, sp->version, SVCQ_SCORECARD_VETO_SPEC_VERSION);
    char what[160];
    snprintf(what, sizeof(what), "scorecard template %s: veto key", t->name);
    if ((rc = svcq__sc_check_key(ctx, what, sp->key)))
        return rc;
    snprintf(what, sizeof(what), "scorecard template %s: veto %s: name", t->name, sp->key);
    if ((rc = svcq__sc_check_text(ctx, what, sp->name, SVCQ__SC_SUBJECT_MAX, false)))
        return rc;
    if (svcq__sc_veto_find(t, sp->key) >= 0)
        return svcq__error(ctx, SVCQ_EINVAL, "scorecard template %s: veto %s is already there", t->name, sp->key);
    if (sp->kind == SVCQ_SCORECARD_VETO_ORDERS && sp->threshold == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "scorecard template %s: veto %s: an orders rule needs a threshold of "
                           "at least 1", t->name, sp->key);
    if (sp->kind == SVCQ_SCORECARD_VETO_MANUAL && sp->threshold != 0)
        return svcq__error(ctx, SVCQ_EINVAL, "scorecard template %s: veto %s: a manual rule has no threshold",
                           t->name, sp->key);
    if (sp->kind != SVCQ_SCORECARD_VETO_ORDERS && sp->kind != SVCQ_SCORECARD_VETO_MANUAL)
        return svcq__error(ctx, SVCQ_EINVAL, "scorecard template %s: veto %s: unknown kind %d", t->name, sp->key,
                           (int)sp->kind);
    if (sp->reserved0 || !svcq__all_zero(sp->reserved, sizeof(sp->reserved)))
        return svcq__error(ctx, SVCQ_EINVAL, "scorecard template %s: veto %s: reserved fields must be zero", t->name,
                           sp->key);
    if (t->nvetoes >= SVCQ__SC_MAX_VETOES)
        return svcq__error(ctx, SVCQ_ELIMIT, "scorecard template %s: more than %d veto rules", t->name,
                           SVCQ__SC_MAX_VETOES);
    svcq__sc_veto_rule *v = svcq__reallocarray(ctx, t->vetoes, t->nvetoes + 1, sizeof(*v));
    if (!v)
        return svcq__enomem(ctx);
    t->vetoes = v;
    svcq__sc_veto_rule n = { NULL, NULL, sp->kind, sp->threshold };
    if ((rc = svcq__strdup(ctx, "veto key", sp->key, &n.key)) ||
        (rc = svcq__strdup(ctx, "veto name", sp->name, &n.name))) {
        svcq__free(ctx, n.key);
        return rc;
    }
    t->vetoes[t->nvetoes++] = n;
    return SVCQ_OK;
}

int svcq_scorecard_template_set_note(svcq_scorecard_template *t, const char *note)
{
    int rc = check_mutable(t, "svcq_scorecard_template_set_note");
    if (rc)
        return rc;
    char *copy = NULL;
    if (note && note[0]) {
        char what[128];
        snprintf(what, sizeof(what), "scorecard template %s: note", t->name);
        if ((rc = svcq__sc_check_text(t->ctx, what, note, SVCQ__SC_NOTE_MAX, true)))
            return rc;
        if ((rc = svcq__strdup(t->ctx, "note", note, &copy)))
            return rc;
    }
    svcq__free(t->ctx, t->note);
    t->note = copy;
    return SVCQ_OK;
}

int svcq_scorecard_template_set_composite(svcq_scorecard_template *t, uint32_t card_percent,
                                          uint32_t satisfaction_percent, int32_t veto_effect, int64_t cap)
{
    int rc = check_mutable(t, "svcq_scorecard_template_set_composite");
    if (rc)
        return rc;
    if (card_percent > 100 || satisfaction_percent > 100 || card_percent + satisfaction_percent != 100)
        return svcq__error(t->ctx, SVCQ_EINVAL,
                           "scorecard template %s: weights %u %% (card) and %u %% (satisfaction) must add up to 100",
                           t->name, card_percent, satisfaction_percent);
    if (!svcq_scorecard_veto_effect_name(veto_effect))
        return svcq__error(t->ctx, SVCQ_EINVAL, "scorecard template %s: unknown veto effect %d", t->name,
                           (int)veto_effect);
    if (veto_effect == SVCQ_SCORECARD_EFFECT_CAP ? (cap < 0 || cap > 100000) : cap != 0)
        return svcq__error(t->ctx, SVCQ_EINVAL,
                           "scorecard template %s: cap %lld: a cap is 0 to 100000 (thousandths of a percent) with "
                           "the effect cap, and 0 otherwise", t->name, (long long)cap);
    t->card_percent = card_percent;
    t->sat_percent = satisfaction_percent;
    t->effect = veto_effect;
    t->cap = cap;
    return SVCQ_OK;
}

int svcq_scorecard_template_composite(uint32_t *card_percent, uint32_t *satisfaction_percent, int32_t *veto_effect,
                                      int64_t *cap, const svcq_scorecard_template *t)
{
    if (!t)
        return svcq__error(NULL, SVCQ_EINVAL, "NULL template");
    if (card_percent)
        *card_percent = t->card_percent;
    if (satisfaction_percent)
        *satisfaction_percent = t->sat_percent;
    if (veto_effect)
        *veto_effect = t->effect;
    if (cap)
        *cap = t->cap;
    return SVCQ_OK;
}

const char *svcq_scorecard_template_name(const svcq_scorecard_template *t)
{
    return t ? t->name : "";
}

uint32_t svcq_scorecard_template_version(const svcq_scorecard_template *t)
{
    return t ? t->version : 0;
}

const char *svcq_scorecard_template_note(const svcq_scorecard_template *t)
{
    return t && t->note ? t->note : "";
}

uint32_t svcq_scorecard_template_item_count(const svcq_scorecard_template *t)
{
    return t ? t->nitems : 0;
}

uint32_t svcq_scorecard_template_veto_count(const svcq_scorecard_template *t)
{
    return t ? t->nvetoes : 0;
}

int64_t svcq_scorecard_template_max_points(const svcq_scorecard_template *t)
{
    int64_t total = 0;
    for (uint32_t i = 0; t && i < t->nitems; i++)
        total += t->items[i].max;
    return total;
}

uint64_t svcq_scorecard_template_revision(const svcq_scorecard_template *t)
{
    return t ? t->revision : 0;
}

int svcq_scorecard_template_item(svcq_scorecard_item_spec *out, const svcq_scorecard_template *t, uint32_t index)
{
    if (!out || !t)
        return svcq__error(t ? t->ctx : NULL, SVCQ_EINVAL, "svcq_scorecard_template_item: NULL %s",
                           !out ? "out" : "template");
    if (out->version < 1 || out->version > SVCQ_SCORECARD_ITEM_SPEC_VERSION)
        return svcq__error(t->ctx, SVCQ_EVERSION, "item spec version %u is unknown", out->version);
    if (index >= t->nitems)
        return svcq__error(t->ctx, SVCQ_ENOTFOUND, "scorecard template %s has %u items, no index %u", t->name,
                           t->nitems, index);
    const svcq__sc_item *it = &t->items[index];
    uint32_t v = out->version;
    memset(out, 0, sizeof(*out));
    out->version = v;
    out->rule = it->rule;
    out->section = t->sections[it->section].key;
    out->key = it->key;
    out->name = it->name;
    out->source = it->source;
    out->max_points = it->max;
    out->direction = it->direction;
    out->target = it->target;
    out->floor = it->floor;
    out->per_event = it->per_event;
    out->band_count = it->nbands;
    for (uint32_t b = 0; b < it->nbands; b++) {
        out->band_from[b] = it->from[b];
        out->band_to[b] = it->to[b];
        out->band_points[b] = it->pts[b];
    }
    return SVCQ_OK;
}

int svcq_scorecard_template_veto(svcq_scorecard_veto_spec *out, const svcq_scorecard_template *t, uint32_t index)
{
    if (!out || !t)
        return svcq__error(t ? t->ctx : NULL, SVCQ_EINVAL, "svcq_scorecard_template_veto: NULL %s",
                           !out ? "out" : "template");
    if (out->version < 1 || out->version > SVCQ_SCORECARD_VETO_SPEC_VERSION)
        return svcq__error(t->ctx, SVCQ_EVERSION, "veto spec version %u is unknown", out->version);
    if (index >= t->nvetoes)
        return svcq__error(t->ctx, SVCQ_ENOTFOUND, "scorecard template %s has %u veto rules, no index %u", t->name,
                           t->nvetoes, index);
    uint32_t v = out->version;
    memset(out, 0, sizeof(*out));
    out->version = v;
    out->kind = t->vetoes[index].kind;
    out->key = t->vetoes[index].key;
    out->name = t->vetoes[index].name;
    out->threshold = t->vetoes[index].threshold;
    return SVCQ_OK;
}

/* ---- scoring ------------------------------------------------------------- */

int svcq__sc_check_value(svcq_ctx *ctx, const svcq__sc_item *it, const char *unit, int64_t v)
{
    if (!in_range(v))
        return svcq__error(ctx, SVCQ_ERANGE, "card %s: item %s: value %lld is beyond ±%lld", unit, it->key,
                           (long long)v, (long long)SVCQ_SCORECARD_MAX_VALUE);
    if (it->rule == SVCQ_SCORECARD_RULE_DEDUCTION && v < 0)
        return svcq__error(ctx, SVCQ_ERANGE, "card %s: item %s: an event count cannot be negative (%lld)", unit,
                           it->key, (long long)v);
    if (it->rule == SVCQ_SCORECARD_RULE_BANDS) {
        int64_t raw;
        int rc = svcq__sc_score(ctx, it, v, &raw);
        if (rc) {
            char lo[32], hi[32], vv[32];
            return svcq__error(ctx, rc, "card %s: item %s: value %s lies outside its bands [%s, %s]", unit, it->key,
                               svcq__sc_fmt(v, vv), svcq__sc_fmt(it->from[0], lo),
                               svcq__sc_fmt(it->to[it->nbands - 1], hi));
        }
    }
    return SVCQ_OK;
}

int svcq__sc_score(svcq_ctx *ctx, const svcq__sc_item *it, int64_t v, int64_t *raw)
{
    (void)ctx;
    switch (it->rule) {
    case SVCQ_SCORECARD_RULE_MANUAL:
        *raw = v;
        return SVCQ_OK;
    case SVCQ_SCORECARD_RULE_RATE:
        if (it->direction == SVCQ_SCORECARD_HIGHER_BETTER) {
            if (v >= it->target)
                *raw = it->max;
            else if (v <= it->floor)
                *raw = 0;
            else
                *raw = svcq__sc_div(it->max * (v - it->floor), it->target - it->floor);
        } else {
            if (v <= it->target)
                *raw = it->max;
            else if (v >= it->floor)
                *raw = 0;
            else
                *raw = svcq__sc_div(it->max * (it->floor - v), it->floor - it->target);
        }
        return SVCQ_OK;
    case SVCQ_SCORECARD_RULE_DEDUCTION:
        *raw = it->max - svcq__sc_div(it->per_event * v, SVCQ_SCORECARD_SCALE);
        return SVCQ_OK;
    case SVCQ_SCORECARD_RULE_BANDS:
        for (uint32_t b = 0; b < it->nbands; b++) {
            bool last = b + 1 == it->nbands;
            if (v >= it->from[b] && (v < it->to[b] || (last && v == it->to[b]))) {
                *raw = it->pts[b];
                return SVCQ_OK;
            }
        }
        return SVCQ_ERANGE;
    }
    return SVCQ_EINVAL;
}

int svcq__sc_rule_text(const svcq__sc_item *it, svcq__buf *b)
{
    char x[32], y[32];
    switch (it->rule) {
    case SVCQ_SCORECARD_RULE_MANUAL:
        return svcq__buf_puts(b, "manual points");
    case SVCQ_SCORECARD_RULE_RATE:
        if (it->direction == SVCQ_SCORECARD_HIGHER_BETTER)
            return svcq__buf_printf(b, "rate: full at >= %s, zero at <= %s, linear between",
                                    svcq__sc_fmt(it->target, x), svcq__sc_fmt(it->floor, y));
        return svcq__buf_printf(b, "rate: full at <= %s, zero at >= %s, linear between", svcq__sc_fmt(it->target, x),
                                svcq__sc_fmt(it->floor, y));
    case SVCQ_SCORECARD_RULE_DEDUCTION:
        return svcq__buf_printf(b, "deduction: -%s per event, floor 0", svcq__sc_fmt(it->per_event, x));
    case SVCQ_SCORECARD_RULE_BANDS: {
        int rc = svcq__buf_puts(b, "bands:");
        for (uint32_t i = 0; rc == SVCQ_OK && i < it->nbands; i++) {
            char p[32];
            rc = svcq__buf_printf(b, "%s [%s, %s%c -> %s", i ? ";" : "", svcq__sc_fmt(it->from[i], x),
                                  svcq__sc_fmt(it->to[i], y), i + 1 == it->nbands ? ']' : ')',
                                  svcq__sc_fmt(it->pts[i], p));
        }
        return rc;
    }
    }
    return SVCQ_EINVAL;
}

/* ---- the built-in telecom template ------------------------------------------- */

typedef struct builtin_item {
    const char *section, *key, *name, *source;
    int32_t rule, direction;
    int64_t max, target, floor, per_event;
} builtin_item;

static const builtin_item telecom_items[] = {
    { "service", "hotline_quality", "Call-centre (hotline 1001) service quality", NULL,
      SVCQ_SCORECARD_RULE_MANUAL, 0, 35000, 0, 0, 0 },
    { "service", "key_accounts", "Key-account service work", NULL, SVCQ_SCORECARD_RULE_MANUAL, 0, 10000, 0, 0, 0 },
    { "service", "halls_and_agents", "Business halls and sales-agent channels", NULL, SVCQ_SCORECARD_RULE_MANUAL,
      0, 10000, 0, 0, 0 },
    { "management", "complaint_timeliness", "Complaint-handling timeliness rate (%)",
      "metrics:complaint_timeliness_rate", SVCQ_SCORECARD_RULE_RATE, SVCQ_SCORECARD_HIGHER_BETTER, 8000, 98000,
      90000, 0 },
    { "management", "mobile_complaint_rate", "Mobile-subscriber complaint rate (per 10,000 subscribers)",
      "metrics:mobile_complaint_rate", SVCQ_SCORECARD_RULE_RATE, SVCQ_SCORECARD_LOWER_BETTER, 4000, 1000, 3000, 0 },
    { "management", "hotline_test_calls", "Hotline test-call (mystery call) results", "metrics:hotline_test_calls",
      SVCQ_SCORECARD_RULE_MANUAL, 0, 4000, 0, 0, 0 },
    { "management", "coordination_meeting", "Coordination-meeting practice and its effect", NULL,
      SVCQ_SCORECARD_RULE_MANUAL, 0, 10000, 0, 0, 0 },
    { "management", "public_supervisors", "Role of the public supervisors", NULL, SVCQ_SCORECARD_RULE_MANUAL, 0,
      3000, 0, 0, 0 },
    { "management", "gm_hotline_escalations",
      "Complaints to the general manager's hotline, escalated complaints, media exposure (events)", NULL,
      SVCQ_SCORECARD_RULE_DEDUCTION, 0, 10000, 0, 0, 2000 },
};

static const char telecom_note[] =
    "A telecom operator's monthly service-quality assessment of its branch offices (seed 001). The source is "
    "cut off after these nine items, which add up to 94 points; the missing 6 points are unknown and nothing "
    "pads the card to 100: shares are taken of the 94-point maximum. Half-year and annual composite: 60 % the "
    "card, 40 % customer satisfaction. The rate targets and floors and the 2 points per hotline complaint, "
    "escalation or media exposure are the library's choices (the source gives none).";

int svcq_scorecard_template_builtin(svcq_scorecard_template **out, svcq_ctx *ctx, int32_t id)
{
    if (out)
        *out = NULL;
    if (!out || !ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_scorecard_template_builtin: NULL %s", !out ? "out" : "ctx");
    if (id != SVCQ_SCORECARD_BUILTIN_TELECOM)
        return svcq__error(ctx, SVCQ_EINVAL, "no built-in scorecard template %d", (int)id);
    svcq_scorecard_template *t;
    int rc = svcq_scorecard_template_new(&t, ctx, "telecom-branch", 1);
    if (rc)
        return rc;
    rc = svcq_scorecard_template_set_note(t, telecom_note);
    if (!rc)
        rc = svcq_scorecard_template_add_section(t, "service", "Service work");
    if (!rc)
        rc = svcq_scorecard_template_add_section(t, "management", "Service management");
    for (size_t i = 0; !rc && i < sizeof(telecom_items) / sizeof(telecom_items[0]); i++) {
        const builtin_item *b = &telecom_items[i];
        svcq_scorecard_item_spec s = SVCQ_SCORECARD_ITEM_SPEC_INIT;
        s.section = b->section;
        s.key = b->key;
        s.name = b->name;
        s.source = b->source;
        s.rule = b->rule;
        s.direction = b->direction;
        s.max_points = b->max;
        s.target = b->target;
        s.floor = b->floor;
        s.per_event = b->per_event;
        rc = svcq_scorecard_template_add_item(t, &s);
    }
    if (!rc) {
        svcq_scorecard_veto_spec v = SVCQ_SCORECARD_VETO_SPEC_INIT;
        v.kind = SVCQ_SCORECARD_VETO_ORDERS;
        v.key = "gm_orders";
        v.name = "Orders of the general manager must be answered within 24 hours; three unanswered veto the "
                 "department head";
        v.threshold = 3;
        rc = svcq_scorecard_template_add_veto(t, &v);
    }
    if (rc) {
        svcq_scorecard_template_free(t);
        return rc;
    }
    *out = t;
    return SVCQ_OK;
}
