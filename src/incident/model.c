/* The incident model: names, the transition table, vocabularies, options,
 * text checks, the per-call journal and the getters. */
#include <string.h>

#include "core/str.h"
#include "core/utf8.h"
#include "incident/incident_internal.h"
#include "store/store.h"

/* ---- names -------------------------------------------------------------------- */

static const char *const state_names[] = { NULL, "reported", "confirmed", "rejected", "analysing", "planning",
                                           "executing", "verifying", "closed", "cancelled" };

const char *svcq_incident_state_name(int32_t state)
{
    return state >= 1 && state <= 9 ? state_names[state] : NULL;
}

const char *svcq_incident_measure_state_name(int32_t state)
{
    static const char *const n[] = { NULL, "planned", "in_progress", "done", "cancelled" };
    return state >= 1 && state <= 4 ? n[state] : NULL;
}

const char *svcq_incident_vocab_name(int32_t vocab)
{
    static const char *const n[] = { NULL,           "type",       "stage",      "channel",
                                     "responsibility", "measure_kind", "attachment", "improvement" };
    return vocab >= 1 && vocab <= SVCQ__INC_VOCABS ? n[vocab] : NULL;
}

const char *svcq_incident_ledger_kind_name(int32_t kind)
{
    static const char *const n[] = { NULL, "progress", "deviation", "adjustment" };
    return kind >= 1 && kind <= 3 ? n[kind] : NULL;
}

const char *svcq_incident_direction_name(int32_t direction)
{
    static const char *const n[] = { NULL, "higher_is_better", "lower_is_better" };
    return direction >= 1 && direction <= 2 ? n[direction] : NULL;
}

const char *svcq_incident_verdict_name(int32_t verdict)
{
    static const char *const n[] = { NULL, "effective", "not_effective" };
    return verdict >= 1 && verdict <= 2 ? n[verdict] : NULL;
}

const char *svcq_incident_trail_format_name(int32_t format)
{
    static const char *const n[] = { NULL, "markdown", "json" };
    return format >= 1 && format <= 2 ? n[format] : NULL;
}

/* The table of svcq/incident.h, one bit per target state. */
#define B(s) (1u << SVCQ_INCIDENT_##s)
static const uint32_t allowed[10] = {
    [SVCQ_INCIDENT_REPORTED] = B(CONFIRMED) | B(REJECTED) | B(CANCELLED),
    [SVCQ_INCIDENT_CONFIRMED] = B(ANALYSING) | B(CANCELLED),
    [SVCQ_INCIDENT_ANALYSING] = B(PLANNING) | B(CANCELLED),
    [SVCQ_INCIDENT_PLANNING] = B(EXECUTING) | B(CANCELLED),
    [SVCQ_INCIDENT_EXECUTING] = B(VERIFYING) | B(CANCELLED),
    [SVCQ_INCIDENT_VERIFYING] = B(ANALYSING) | B(CLOSED) | B(CANCELLED),
    [SVCQ_INCIDENT_CLOSED] = B(ANALYSING),
};
#undef B

int32_t svcq_incident_transition_allowed(int32_t from, int32_t to)
{
    if (from < 1 || from > 9 || to < 1 || to > 9)
        return 0;
    return (allowed[from] >> to) & 1u;
}

bool svcq__inc_final(int32_t state)
{
    return state == SVCQ_INCIDENT_REJECTED || state == SVCQ_INCIDENT_CANCELLED;
}

/* ---- texts -------------------------------------------------------------------- */

int svcq__inc_check_text(svcq_ctx *ctx, const char *inc_id, const char *what, const char *s, size_t max,
                         bool required)
{
    const char *who = inc_id ? inc_id : "(new)";
    if (!s || !*s) {
        if (required)
            return svcq__error(ctx, SVCQ_EINVAL, "incident %s: %s is missing", who, what);
        return SVCQ_OK;
    }
    size_t len = strlen(s);
    if (len > max)
        return svcq__error(ctx, SVCQ_ELIMIT, "incident %s: %s: %zu bytes, more than the %zu allowed", who, what,
                           len, max);
    /* One pass (every call checks its texts): the encoding first, then
     * the first control character, then blankness. */
    const unsigned char *p = (const unsigned char *)s;
    size_t control_at = SIZE_MAX;
    uint32_t control = 0;
    bool nonspace = false;
    size_t i = svcq__ascii_run(s, len, &nonspace); /* printable ASCII, most texts */
    bool blank = !nonspace;
    while (i < len) {
        uint32_t cp = p[i];
        size_t k = 1;
        if (cp >= 0x80 && (k = svcq__utf8_decode(p + i, len - i, &cp)) == 0)
            return svcq__error(ctx, SVCQ_EINVAL, "incident %s: %s: not valid UTF-8", who, what);
        if (((cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7f) && control_at == SIZE_MAX) {
            control_at = i;
            control = cp;
        }
        if (cp != ' ' && cp != '\t' && cp != '\n')
            blank = false;
        i += k;
    }
    if (control_at != SIZE_MAX)
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: %s: control character U+%04X at byte %zu", who, what,
                           (unsigned)control, control_at);
    if (blank)
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: %s is blank", who, what);
    return SVCQ_OK;
}

int svcq__inc_check_actor(svcq_ctx *ctx, const char *inc_id, const char *actor, const char *role)
{
    int rc = svcq__inc_check_text(ctx, inc_id, "actor", actor, SVCQ__INC_MAX_NAME, true);
    if (!rc)
        rc = svcq__inc_check_text(ctx, inc_id, "role", role, SVCQ__INC_MAX_NAME, true);
    return rc;
}

static bool key_syntax(const char *key)
{
    size_t n = strlen(key);
    if (n == 0 || n > SVCQ_INCIDENT_MAX_KEY)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = key[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* ---- vocabularies ----------------------------------------------------------------- */

typedef struct builtin {
    const char *key, *label;
} builtin;

static const builtin b_type[] = { { "service_delay", "Service delay" },
                                  { "quality_below_standard", "Quality below standard" },
                                  { "customer_complaint", "Customer complaint" },
                                  { "staff_error", "Staff error" } };
static const builtin b_stage[] = { { "reception", "Front-desk reception" },
                                   { "technical_support", "Technical support" },
                                   { "after_sales", "After-sales service" },
                                   { "complaint_handling", "Complaint handling" } };
static const builtin b_channel[] = { { "phone", "Phone" },     { "email", "E-mail" },   { "system", "Dedicated system" },
                                     { "on_site", "On-site" }, { "wechat", "WeChat" }, { "app", "App" } };
static const builtin b_resp[] = { { "human_error", "Human error" },
                                  { "equipment_failure", "Equipment failure" },
                                  { "process_gap", "Process gap" },
                                  { "customer_cause", "Customer cause" } };
static const builtin b_measure[] = { { "process_change", "Process change" },
                                     { "training", "Training" },
                                     { "equipment_maintenance", "Equipment maintenance" },
                                     { "policy_change", "Policy change" } };
static const builtin b_attach[] = { { "photo", "Photo" },
                                    { "video", "Video" },
                                    { "document", "Document" },
                                    { "system_log", "System log" },
                                    { "other", "Other" } };
static const builtin b_improve[] = { { "operating_manual", "Operating manual" },
                                     { "training_content", "Training content" },
                                     { "form", "Form" },
                                     { "procedure", "Procedure" },
                                     { "archive", "Archive" } };

static const struct {
    const builtin *v;
    size_t n;
} builtins[SVCQ__INC_VOCABS + 1] = {
    { NULL, 0 },
#define E(a) { a, sizeof(a) / sizeof(a[0]) }
    E(b_type), E(b_stage), E(b_channel), E(b_resp), E(b_measure), E(b_attach), E(b_improve),
#undef E
};

void svcq__inc_an_summary_clear(svcq_ctx *ctx, svcq__inc_an_summary *s)
{
    svcq__free(ctx, s->block);
    memset(s, 0, sizeof(*s));
}

static void state_free(svcq_ctx *ctx, void *p)
{
    svcq__inc_state *s = p;
    for (int v = 0; v < SVCQ__INC_VOCABS; v++) {
        for (size_t i = 0; i < s->vocab[v].len; i++) {
            svcq__free(ctx, s->vocab[v].keys[i]);
            svcq__free(ctx, s->vocab[v].labels[i]);
        }
        svcq__free(ctx, s->vocab[v].keys);
        svcq__free(ctx, s->vocab[v].labels);
    }
    for (size_t i = 0; i < s->nroles; i++)
        svcq__free(ctx, s->roles[i]);
    svcq__free(ctx, s->roles);
    for (size_t i = 0; i < SVCQ__INC_ANALYSIS_CACHE; i++)
        svcq__inc_an_summary_clear(ctx, &s->analyses[i]);
    for (unsigned i = 0; i < s->nbufs; i++)
        svcq__buf_free(&s->bufs[i]);
    svcq__free(ctx, s);
}

svcq__inc_state *svcq__inc_state_get(svcq_ctx *ctx)
{
    svcq__inc_state *s = svcq__ctx_slot(ctx, SVCQ__SLOT_INCIDENT);
    if (s)
        return s;
    s = svcq__calloc(ctx, 1, sizeof(*s));
    if (!s) {
        svcq__enomem(ctx);
        return NULL;
    }
    s->window_days = 30;
    s->reopen_period = 90 * 86400;
    if (svcq__ctx_slot_set(ctx, SVCQ__SLOT_INCIDENT, s, state_free) != SVCQ_OK) {
        svcq__free(ctx, s);
        svcq__error(ctx, SVCQ_ESTATE, "incident: cannot register the module state");
        return NULL;
    }
    return s;
}

int svcq__inc_set_event_hook(svcq_ctx *ctx, svcq__inc_event_fn fn, void *user_data)
{
    svcq__inc_state *s = svcq__inc_state_get(ctx);
    if (!s)
        return SVCQ_ENOMEM;
    s->on_event = fn;
    s->on_event_data = user_data;
    return SVCQ_OK;
}

static const char *vocab_find(const svcq_ctx *ctx, int32_t vocab, const char *key)
{
    for (size_t i = 0; i < builtins[vocab].n; i++)
        if (strcmp(builtins[vocab].v[i].key, key) == 0)
            return builtins[vocab].v[i].label;
    const svcq__inc_state *s = svcq__ctx_slot(ctx, SVCQ__SLOT_INCIDENT);
    if (s) {
        const svcq__inc_vocab *v = &s->vocab[vocab - 1];
        for (size_t i = 0; i < v->len; i++)
            if (strcmp(v->keys[i], key) == 0)
                return v->labels[i];
    }
    return NULL;
}

int svcq__inc_check_key(svcq_ctx *ctx, const char *inc_id, const char *what, int32_t vocab, const char *key)
{
    const char *who = inc_id ? inc_id : "(new)";
    if (!key || !*key)
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: %s is missing", who, what);
    if (!vocab_find(ctx, vocab, key))
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: %s \"%.64s\" is not in the %s vocabulary", who, what, key,
                           svcq_incident_vocab_name(vocab));
    return SVCQ_OK;
}

int svcq_incident_vocab_add(svcq_ctx *ctx, int32_t vocab, const char *key, const char *label)
{
    if (!ctx)
        return SVCQ_EINVAL;
    if (!svcq_incident_vocab_name(vocab))
        return svcq__error(ctx, SVCQ_EINVAL, "incident vocabulary %d: unknown vocabulary", (int)vocab);
    if (!key || !key_syntax(key))
        return svcq__error(ctx, SVCQ_EINVAL, "incident vocabulary %s: key \"%.64s\" is not 1 to %d bytes of a-z, 0-9, _",
                           svcq_incident_vocab_name(vocab), key ? key : "(null)", SVCQ_INCIDENT_MAX_KEY);
    int rc = svcq__inc_check_text(ctx, NULL, "vocabulary label", label, SVCQ__INC_MAX_NAME, true);
    if (rc)
        return svcq__error_prefix(ctx, rc, "incident vocabulary %s: key %s", svcq_incident_vocab_name(vocab), key);
    if (vocab_find(ctx, vocab, key))
        return svcq__error(ctx, SVCQ_EEXIST, "incident vocabulary %s: key %s is already present",
                           svcq_incident_vocab_name(vocab), key);
    svcq__inc_state *s = svcq__inc_state_get(ctx);
    if (!s)
        return SVCQ_ENOMEM;
    svcq__inc_vocab *v = &s->vocab[vocab - 1];
    if (v->len >= SVCQ_INCIDENT_MAX_ITEMS)
        return svcq__error(ctx, SVCQ_ELIMIT, "incident vocabulary %s: more than %d keys added",
                           svcq_incident_vocab_name(vocab), SVCQ_INCIDENT_MAX_ITEMS);
    if (v->len == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        char **k = svcq__reallocarray(ctx, v->keys, cap, sizeof(*k));
        if (!k)
            return svcq__enomem(ctx);
        v->keys = k;
        char **l = svcq__reallocarray(ctx, v->labels, cap, sizeof(*l));
        if (!l)
            return svcq__enomem(ctx);
        v->labels = l;
        v->cap = cap;
    }
    char *kc = NULL, *lc = NULL;
    rc = svcq__strdup(ctx, "key", key, &kc);
    if (!rc)
        rc = svcq__strdup(ctx, "label", label, &lc);
    if (rc) {
        svcq__free(ctx, kc);
        return rc;
    }
    v->keys[v->len] = kc;
    v->labels[v->len] = lc;
    v->len++;
    return SVCQ_OK;
}

size_t svcq_incident_vocab_count(const svcq_ctx *ctx, int32_t vocab)
{
    if (!ctx || !svcq_incident_vocab_name(vocab))
        return 0;
    const svcq__inc_state *s = svcq__ctx_slot(ctx, SVCQ__SLOT_INCIDENT);
    return builtins[vocab].n + (s ? s->vocab[vocab - 1].len : 0);
}

const char *svcq_incident_vocab_key(const svcq_ctx *ctx, int32_t vocab, size_t i)
{
    if (!ctx || !svcq_incident_vocab_name(vocab))
        return NULL;
    if (i < builtins[vocab].n)
        return builtins[vocab].v[i].key;
    i -= builtins[vocab].n;
    const svcq__inc_state *s = svcq__ctx_slot(ctx, SVCQ__SLOT_INCIDENT);
    return s && i < s->vocab[vocab - 1].len ? s->vocab[vocab - 1].keys[i] : NULL;
}

const char *svcq_incident_vocab_label(const svcq_ctx *ctx, int32_t vocab, const char *key)
{
    if (!ctx || !key || !svcq_incident_vocab_name(vocab))
        return NULL;
    return vocab_find(ctx, vocab, key);
}

/* ---- options -------------------------------------------------------------------- */

int svcq_incident_options_init(svcq_incident_options *opts, uint32_t version)
{
    return svcq__table_init(opts, sizeof(*opts), version, SVCQ_INCIDENT_OPTIONS_VERSION);
}
int svcq_incident_report_spec_init(svcq_incident_report_spec *spec, uint32_t version)
{
    return svcq__table_init(spec, sizeof(*spec), version, SVCQ_INCIDENT_REPORT_SPEC_VERSION);
}
int svcq_incident_confirmation_init(svcq_incident_confirmation *c, uint32_t version)
{
    return svcq__table_init(c, sizeof(*c), version, SVCQ_INCIDENT_CONFIRMATION_VERSION);
}
int svcq_incident_measure_spec_init(svcq_incident_measure_spec *spec, uint32_t version)
{
    return svcq__table_init(spec, sizeof(*spec), version, SVCQ_INCIDENT_MEASURE_SPEC_VERSION);
}
int svcq_incident_ledger_spec_init(svcq_incident_ledger_spec *spec, uint32_t version)
{
    return svcq__table_init(spec, sizeof(*spec), version, SVCQ_INCIDENT_LEDGER_SPEC_VERSION);
}
int svcq_incident_query_init(svcq_incident_query *q, uint32_t version)
{
    return svcq__table_init(q, sizeof(*q), version, SVCQ_INCIDENT_QUERY_VERSION);
}

int svcq_incident_configure(svcq_ctx *ctx, const svcq_incident_options *opts)
{
    if (!ctx)
        return SVCQ_EINVAL;
    if (!opts)
        return svcq__error(ctx, SVCQ_EINVAL, "incident options: NULL");
    if (opts->version != SVCQ_INCIDENT_OPTIONS_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION, "incident options: version %u is not %d", (unsigned)opts->version,
                           SVCQ_INCIDENT_OPTIONS_VERSION);
    if (opts->reserved0 || !svcq__all_zero(opts->reserved, sizeof(opts->reserved)))
        return svcq__error(ctx, SVCQ_EINVAL, "incident options: reserved fields must be zero");
    if (opts->reopen_period < 0)
        return svcq__error(ctx, SVCQ_EINVAL, "incident options: reopen period %lld is negative",
                           (long long)opts->reopen_period);
    /* The role list: comma-separated keys. */
    const char *list = opts->group_roles ? opts->group_roles : "service_supervisor,quality_staff";
    char **roles = NULL;
    size_t n = 0;
    int rc = SVCQ_OK;
    for (const char *p = list;;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char key[SVCQ_INCIDENT_MAX_KEY + 1];
        if (len == 0 || len > SVCQ_INCIDENT_MAX_KEY) {
            rc = svcq__error(ctx, SVCQ_EINVAL, "incident options: group role list \"%.80s\" has an empty or long key",
                             list);
            break;
        }
        memcpy(key, p, len);
        key[len] = '\0';
        if (!key_syntax(key)) {
            rc = svcq__error(ctx, SVCQ_EINVAL, "incident options: group role \"%s\" is not a-z, 0-9, _", key);
            break;
        }
        char **r = svcq__reallocarray(ctx, roles, n + 1, sizeof(*r));
        if (!r) {
            rc = svcq__enomem(ctx);
            break;
        }
        roles = r;
        rc = svcq__strdup(ctx, "role", key, &roles[n]);
        if (rc)
            break;
        n++;
        if (!e)
            break;
        p = e + 1;
    }
    svcq__inc_state *s = rc ? NULL : svcq__inc_state_get(ctx);
    if (!s) {
        for (size_t i = 0; i < n; i++)
            svcq__free(ctx, roles[i]);
        svcq__free(ctx, roles);
        return rc ? rc : SVCQ_ENOMEM;
    }
    for (size_t i = 0; i < s->nroles; i++)
        svcq__free(ctx, s->roles[i]);
    svcq__free(ctx, s->roles);
    s->roles = roles;
    s->nroles = n;
    s->window_days = opts->window_days ? opts->window_days : 30;
    s->calendar = opts->calendar;
    s->max_recurrences = opts->max_recurrences;
    s->reopen_period = opts->reopen_period ? opts->reopen_period : 90 * 86400;
    return SVCQ_OK;
}

/* ---- the model -------------------------------------------------------------------- */

void svcq__inc_model_free(svcq_ctx *ctx, svcq__inc_model *m)
{
    for (svcq__inc_texts *t = m->texts, *prev; t; t = prev) {
        prev = t->prev;
        svcq__free(ctx, t);
    }
    svcq__free(ctx, m->attachments.v);
    svcq__free(ctx, m->members.v);
    svcq__free(ctx, m->analyses.v);
    svcq__free(ctx, m->measures.v);
    svcq__free(ctx, m->ledger.v);
    svcq__free(ctx, m->verifications.v);
    svcq__free(ctx, m->improvements.v);
    svcq__free(ctx, m->recurrences.v);
    memset(m, 0, sizeof(*m));
}

/* Room for size bytes among m's texts: in the newest block, or in a new
 * one (*made, which the caller journals). NULL on allocation failure. */
static char *texts_room(svcq_ctx *ctx, svcq__inc_model *m, size_t size, svcq__inc_texts **made)
{
    *made = NULL;
    svcq__inc_texts *t = m->texts;
    if (t && t->cap - t->used >= size)
        return t->data + t->used;
    /* Blocks double from 1 KB to 64 KB: a lifecycle's texts fit in two. */
    size_t cap = t ? (t->cap < 65536 ? t->cap * 2 : 65536) : 1024;
    if (cap < size)
        cap = size;
    t = svcq__malloc(ctx, sizeof(*t) + cap);
    if (!t)
        return NULL;
    t->prev = m->texts;
    t->used = 0;
    t->cap = cap;
    *made = t;
    return t->data;
}

static int j_add(svcq__inc_journal *j, void *addr, uint64_t old, size_t width, uint8_t mode);

/* Copies s (n bytes, checked) among m's texts; with a journal j (NULL:
 * a model being built) the room it takes is given back by a rollback. */
static int texts_put(svcq_ctx *ctx, svcq__inc_model *m, svcq__inc_journal *j, const char *what, const char *s,
                     size_t n, char **out)
{
    int rc = svcq__text_check(ctx, what, s, n);
    if (rc)
        return rc;
    svcq__inc_texts *made;
    char *d = texts_room(ctx, m, n + 1, &made);
    if (!d)
        return svcq__enomem(ctx);
    if (made) {
        /* A rollback restores the newest block, then frees this one. */
        if (j && ((rc = svcq__inc_j_new(j, made)) ||
                  (rc = j_add(j, &m->texts, (uint64_t)(uintptr_t)m->texts, sizeof(m->texts), 3))))
            return rc;
        m->texts = made;
    } else if (j && (rc = j_add(j, &m->texts->used, m->texts->used, sizeof(m->texts->used), 3))) {
        return rc;
    }
    memcpy(d, s, n);
    d[n] = '\0';
    m->texts->used += n + 1;
    *out = d;
    return SVCQ_OK;
}

int svcq__inc_text_copy(svcq_ctx *ctx, svcq__inc_model *m, const char *what, const char *s, size_t n, char **out)
{
    return texts_put(ctx, m, NULL, what, s, n, out);
}

int svcq__inc_handle_new(svcq_incident **out, svcq_ctx *ctx, const char *id, const svcq__inc_model *m)
{
    svcq_incident *inc = svcq__calloc(ctx, 1, sizeof(*inc));
    if (!inc)
        return svcq__enomem(ctx);
    int rc = svcq__strdup(ctx, "incident id", id, &inc->id);
    if (rc) {
        svcq__free(ctx, inc);
        return rc;
    }
    inc->ctx = ctx;
    inc->m = *m;
    svcq__inc_state *st = svcq__ctx_slot(ctx, SVCQ__SLOT_INCIDENT);
    if (st && st->nbufs >= 2) {
        inc->cache.last = st->bufs[--st->nbufs];
        inc->cache.spare = st->bufs[--st->nbufs];
    } else {
        svcq__buf_init(&inc->cache.last, ctx);
        svcq__buf_init(&inc->cache.spare, ctx);
    }
    *out = inc;
    return SVCQ_OK;
}

void svcq_incident_free(svcq_incident *inc)
{
    if (!inc)
        return;
    svcq_ctx *ctx = inc->ctx;
    svcq__undo_detach(ctx, inc);
    svcq__inc_model_free(ctx, &inc->m);
    svcq__free(ctx, inc->simkey);
    for (int k = 0; k < SVCQ__INC_ELEM_ARRAYS; k++) {
        svcq__free(ctx, inc->cache.el[k].at);
        svcq__free(ctx, inc->cache.next_el[k].at);
    }
    svcq__inc_state *st = svcq__ctx_slot(ctx, SVCQ__SLOT_INCIDENT);
    svcq__buf *bufs[2] = { &inc->cache.last, &inc->cache.spare };
    for (int i = 0; i < 2; i++) {
        if (st && st->nbufs < 2 * SVCQ__INC_BUF_POOL && bufs[i]->cap <= SVCQ__INC_BUF_KEEP) {
            svcq__buf_truncate(bufs[i], 0);
            st->bufs[st->nbufs++] = *bufs[i];
        } else {
            svcq__buf_free(bufs[i]);
        }
    }
    svcq__free(ctx, inc->id);
    svcq__free(ctx, inc);
}

svcq__inc_measure *svcq__inc_find_measure(const svcq__inc_model *m, const char *id)
{
    if (!id)
        return NULL;
    for (size_t i = 0; i < m->measures.len; i++)
        if (strcmp(m->measures.v[i].id, id) == 0)
            return &m->measures.v[i];
    return NULL;
}

int svcq__inc_simkey(const svcq__inc_model *m, svcq__buf *b)
{
    if (m->similarity_key)
        return svcq__buf_puts(b, m->similarity_key);
    return svcq__buf_printf(b, "%s|%s|%s", m->type ? m->type : "", m->stage ? m->stage : "",
                            m->category ? m->category : "");
}

/* ---- the journal -------------------------------------------------------------------- */

void svcq__inc_j_init(svcq__inc_journal *j, svcq_ctx *ctx, svcq__inc_model *m)
{
    j->ctx = ctx;
    j->m = m;
    j->e = j->inline_e;
    j->len = 0;
    j->cap = SVCQ__INC_J_INLINE;
    j->wide_used = 0;
}

static int j_add(svcq__inc_journal *j, void *addr, uint64_t old, size_t width, uint8_t mode)
{
    if (j->len == j->cap) {
        size_t cap = j->cap * 2;
        svcq__inc_jent *e = svcq__reallocarray(j->ctx, j->e == j->inline_e ? NULL : j->e, cap, sizeof(*e));
        if (!e)
            return svcq__enomem(j->ctx);
        if (j->e == j->inline_e)
            memcpy(e, j->inline_e, sizeof(j->inline_e));
        j->e = e;
        j->cap = cap;
    }
    j->e[j->len++] = (svcq__inc_jent){ addr, old, (uint8_t)width, mode };
    return SVCQ_OK;
}

int svcq__inc_j_save(svcq__inc_journal *j, void *addr, size_t width)
{
    uint64_t old = 0;
    if (SVCQ__LIKELY(width <= sizeof(old))) {
        memcpy(&old, addr, width);
        return j_add(j, addr, old, width, 0);
    }
    if (width <= UINT8_MAX && width <= sizeof(j->wide) - j->wide_used) {
        int rc = j_add(j, addr, j->wide_used, width, 0);
        if (!rc) {
            memcpy(j->wide + j->wide_used, addr, width);
            j->wide_used += width;
        }
        return rc;
    }
    int rc = SVCQ_OK;
    for (size_t at = 0; !rc && at < width; at += sizeof(old))
        rc = svcq__inc_j_save(j, (char *)addr + at, width - at < sizeof(old) ? width - at : sizeof(old));
    return rc;
}

int svcq__inc_j_new(svcq__inc_journal *j, void *p)
{
    if (!p)
        return SVCQ_OK;
    int rc = j_add(j, NULL, (uint64_t)(uintptr_t)p, 0, 2);
    if (rc)
        svcq__free(j->ctx, p);
    return rc;
}

int svcq__inc_j_dup(svcq__inc_journal *j, const char *s, char **out)
{
    *out = NULL;
    if (!s || !*s)
        return SVCQ_OK;
    return texts_put(j->ctx, j->m, j, "text", s, strlen(s), out);
}

int svcq__inc_j_str(svcq__inc_journal *j, char **slot, const char *s)
{
    char *c;
    int rc = svcq__inc_j_dup(j, s, &c);
    if (rc)
        return rc;
    rc = svcq__inc_j_save(j, slot, sizeof(*slot));
    if (rc)
        return rc; /* c's room is given back by the rollback */
    *slot = c;
    return SVCQ_OK;
}

int svcq__inc_j_push(svcq__inc_journal *j, void **v, size_t *len, size_t *cap, size_t elem, void **out)
{
    if (*len >= SVCQ_INCIDENT_MAX_ITEMS)
        return svcq__error(j->ctx, SVCQ_ELIMIT, "more than %d items of one kind", SVCQ_INCIDENT_MAX_ITEMS);
    int rc;
    if (*len == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        char *nv = svcq__calloc(j->ctx, ncap, elem);
        if (!nv)
            return svcq__enomem(j->ctx);
        if (*len)
            memcpy(nv, *v, *len * elem);
        rc = svcq__inc_j_new(j, nv);
        if (rc)
            return rc;
        uint64_t old = (uint64_t)(uintptr_t)*v;
        rc = j_add(j, v, old, sizeof(*v), 1);
        if (rc)
            return rc;
        *v = nv;
        rc = svcq__inc_j_save(j, cap, sizeof(*cap));
        if (rc)
            return rc;
        *cap = ncap;
    }
    rc = svcq__inc_j_save(j, len, sizeof(*len));
    if (rc)
        return rc;
    char *slot = (char *)*v + *len * elem;
    memset(slot, 0, elem);
    (*len)++;
    *out = slot;
    return SVCQ_OK;
}

/* Frees the entries' memory and leaves the journal empty. */
static void j_release(svcq__inc_journal *j)
{
    if (j->e != j->inline_e)
        svcq__free(j->ctx, j->e);
    j->e = j->inline_e;
    j->len = 0;
    j->cap = SVCQ__INC_J_INLINE;
    j->wide_used = 0;
}

void svcq__inc_j_rollback(svcq__inc_journal *j)
{
    for (size_t i = j->len; i-- > 0;) {
        svcq__inc_jent *e = &j->e[i];
        if (e->mode == 2)
            svcq__free(j->ctx, (void *)(uintptr_t)e->old);
        else if (e->width > sizeof(e->old))
            memcpy(e->addr, j->wide + e->old, e->width);
        else
            memcpy(e->addr, &e->old, e->width);
    }
    j_release(j);
}

void svcq__inc_j_commit(svcq__inc_journal *j)
{
    for (size_t i = 0; i < j->len; i++)
        if (j->e[i].mode == 1)
            svcq__free(j->ctx, (void *)(uintptr_t)j->e[i].old);
    j_release(j);
}

/* ---- getters -------------------------------------------------------------------- */

const char *svcq_incident_id(const svcq_incident *inc) { return inc ? inc->id : NULL; }
uint64_t svcq_incident_revision(const svcq_incident *inc) { return inc ? inc->revision : 0; }
int32_t svcq_incident_state_of(const svcq_incident *inc) { return inc ? inc->m.state : 0; }
uint32_t svcq_incident_loop_count(const svcq_incident *inc) { return inc ? inc->m.loop : 0; }
const char *svcq_incident_type(const svcq_incident *inc) { return inc ? inc->m.type : NULL; }
const char *svcq_incident_stage(const svcq_incident *inc) { return inc ? inc->m.stage : NULL; }
const char *svcq_incident_category(const svcq_incident *inc) { return inc ? inc->m.category : NULL; }
const char *svcq_incident_client(const svcq_incident *inc) { return inc ? inc->m.client : NULL; }
const char *svcq_incident_touchpoint(const svcq_incident *inc) { return inc ? inc->m.touchpoint : NULL; }
const char *svcq_incident_location(const svcq_incident *inc) { return inc ? inc->m.location : NULL; }
svcq_time svcq_incident_reported_at(const svcq_incident *inc) { return inc ? inc->m.reported_at : 0; }
uint64_t svcq_incident_audit_count(const svcq_incident *inc) { return inc ? inc->m.audit_seq : 0; }
const char *svcq_incident_audit_head(const svcq_incident *inc)
{
    return inc && inc->m.audit_head[0] ? inc->m.audit_head : NULL;
}
size_t svcq_incident_analysis_count(const svcq_incident *inc) { return inc ? inc->m.analyses.len : 0; }
size_t svcq_incident_measure_count(const svcq_incident *inc) { return inc ? inc->m.measures.len : 0; }

const char *svcq_incident_analysis_at(const svcq_incident *inc, size_t i)
{
    return inc && i < inc->m.analyses.len ? inc->m.analyses.v[i] : NULL;
}

const char *svcq_incident_measure_at(const svcq_incident *inc, size_t i)
{
    return inc && i < inc->m.measures.len ? inc->m.measures.v[i].id : NULL;
}

int32_t svcq_incident_measure_state_of(const svcq_incident *inc, const char *measure)
{
    const svcq__inc_measure *x = inc ? svcq__inc_find_measure(&inc->m, measure) : NULL;
    return x ? x->state : 0;
}

int32_t svcq_incident_measure_overdue(const svcq_incident *inc, const char *measure)
{
    const svcq__inc_measure *x = inc ? svcq__inc_find_measure(&inc->m, measure) : NULL;
    if (!x)
        return -1;
    if (x->state == SVCQ_INCIDENT_MEASURE_DONE || x->state == SVCQ_INCIDENT_MEASURE_CANCELLED || !x->deadline)
        return 0;
    return x->deadline < svcq_ctx_now(inc->ctx) ? 1 : 0;
}

int32_t svcq_incident_last_verdict(const svcq_incident *inc)
{
    if (!inc || !inc->m.verifications.len)
        return 0;
    return inc->m.verifications.v[inc->m.verifications.len - 1].verdict;
}

const char *svcq_incident_similarity_key(const svcq_incident *inc)
{
    if (!inc)
        return NULL;
    svcq_incident *w = (svcq_incident *)inc; /* a cache, not a change */
    svcq__buf b;
    svcq__buf_init(&b, w->ctx);
    if (svcq__inc_simkey(&w->m, &b) != SVCQ_OK) {
        svcq__buf_free(&b);
        return NULL;
    }
    if (w->simkey && strcmp(w->simkey, b.data) == 0) {
        svcq__buf_free(&b);
        return w->simkey;
    }
    svcq__free(w->ctx, w->simkey);
    w->simkey = b.data; /* taken over from the buffer */
    return w->simkey;
}
