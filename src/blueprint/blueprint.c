/* The blueprint model: steps and risk points, their checks, edits and
 * getters.
 *
 * Every edit builds the next model as a whole copy with the change applied
 * (checks first, then the copy, then the change, which cannot fail), and
 * swaps it in: one mechanism, edit(), that the title, step and risk-point
 * calls describe their change to (insert, replace, move, remove). Outside a store transaction the old model is freed; inside
 * one (a host batch) it goes into an undo entry owned by the handle, which
 * a rollback swaps back without allocating. A blueprint has at most 256
 * steps and 1,024 risk points, so copying is cheap and obviously all or
 * nothing. */
#include <stdio.h>
#include <string.h>

#include "blueprint/blueprint_internal.h"
#include "core/str.h"
#include "core/utf8.h"
#include "store/store.h"

/* ---- names ---------------------------------------------------------------- */

static const char *const severity_names[] = { NULL, "low", "medium", "high", "critical" };
static const char *const watch_names[] = { "none", "sla_target", "indicator" };
static const char *const obs_names[] = { NULL, "open", "closed" };
static const char *const line_names[] = { NULL, "interaction", "visibility", "internal_interaction" };
static const char *const stage_keys[] = { "reception", "technical_support", "after_sales", "complaint_handling" };
static const char *const channel_keys[] = { "phone", "email", "system", "on_site", "wechat", "app" };

const char *svcq_blueprint_severity_name(int32_t severity)
{
    return severity >= SVCQ_BLUEPRINT_LOW && severity <= SVCQ_BLUEPRINT_CRITICAL ? severity_names[severity] : NULL;
}

const char *svcq_blueprint_watch_name(int32_t watch)
{
    return watch >= SVCQ_BLUEPRINT_WATCH_NONE && watch <= SVCQ_BLUEPRINT_WATCH_INDICATOR ? watch_names[watch] : NULL;
}

const char *svcq_blueprint_obs_state_name(int32_t state)
{
    return state >= SVCQ_BLUEPRINT_OBS_OPEN && state <= SVCQ_BLUEPRINT_OBS_CLOSED ? obs_names[state] : NULL;
}

const char *svcq_blueprint_line_name(int32_t line)
{
    return line >= SVCQ_BLUEPRINT_LINE_INTERACTION && line <= SVCQ_BLUEPRINT_LINE_INTERNAL_INTERACTION
               ? line_names[line]
               : NULL;
}

const char *svcq_blueprint_stage_key(uint32_t i)
{
    return i < sizeof(stage_keys) / sizeof(stage_keys[0]) ? stage_keys[i] : NULL;
}

const char *svcq_blueprint_channel_key(uint32_t i)
{
    return i < sizeof(channel_keys) / sizeof(channel_keys[0]) ? channel_keys[i] : NULL;
}

int svcq_blueprint_step_spec_init(svcq_blueprint_step_spec *spec, uint32_t version)
{
    return svcq__table_init(spec, sizeof(*spec), version, SVCQ_BLUEPRINT_STEP_SPEC_VERSION);
}

int svcq_blueprint_risk_spec_init(svcq_blueprint_risk_spec *spec, uint32_t version)
{
    return svcq__table_init(spec, sizeof(*spec), version, SVCQ_BLUEPRINT_RISK_SPEC_VERSION);
}

/* ---- checks ------------------------------------------------------------------ */

int svcq__bp_check_key(svcq_ctx *ctx, const char *what, const char *s, size_t len, bool service)
{
    if (len == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: empty", what);
    if (len > SVCQ_BLUEPRINT_MAX_KEY)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: %zu bytes, more than the %d a key may have", what, len,
                           SVCQ_BLUEPRINT_MAX_KEY);
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || (service && (c == '-' || c == '.')))
            continue;
        return svcq__error(ctx, SVCQ_EINVAL, "%s: \"%.*s\" has %s at byte %zu (keys are a-z, 0-9 and _%s)", what,
                           (int)(len > 64 ? 64 : len), s,
                           (unsigned char)c < 0x20 || (unsigned char)c >= 0x7f ? "a non-ASCII or control byte"
                                                                                 : "a character not allowed",
                           i, service ? ", - and ." : "");
    }
    return SVCQ_OK;
}

int svcq__bp_check_text(svcq_ctx *ctx, const char *what, const char *s, size_t len)
{
    if (len > SVCQ_BLUEPRINT_MAX_TEXT)
        return svcq__error(ctx, SVCQ_ELIMIT, "%s: %zu bytes, more than the %d allowed", what, len,
                           SVCQ_BLUEPRINT_MAX_TEXT);
    bool blank = true;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = svcq__utf8_decode((const unsigned char *)s + i, len - i, &cp);
        if (k == 0)
            return svcq__error(ctx, SVCQ_EINVAL, "%s: not valid UTF-8 at byte %zu", what, i);
        if ((cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7f)
            return svcq__error(ctx, SVCQ_EINVAL, "%s: control character U+%04X at byte %zu (only tab and line "
                               "feed are allowed)", what, (unsigned)cp, i);
        if (cp == 0xfffe || cp == 0xffff)
            return svcq__error(ctx, SVCQ_EINVAL, "%s: non-character U+%04X at byte %zu", what, (unsigned)cp, i);
        if (cp != ' ' && cp != '\t' && cp != '\n')
            blank = false;
        i += k;
    }
    if (blank)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: empty or blank", what);
    return SVCQ_OK;
}

/* A checked copy: required texts must be given, optional ones are NULL or
 * "" when absent (*out NULL). */
static int text_copy(svcq_ctx *ctx, const char *place, const char *field, const char *s, bool required,
                     char **out)
{
    *out = NULL;
    char what[160];
    snprintf(what, sizeof(what), "%s: %s", place, field);
    if (!s || !*s) {
        if (required)
            return svcq__error(ctx, SVCQ_EINVAL, "%s: missing", what);
        return SVCQ_OK;
    }
    int rc = svcq__bp_check_text(ctx, what, s, strlen(s));
    return rc ? rc : svcq__strdup(ctx, what, s, out);
}

static int key_copy(svcq_ctx *ctx, const char *place, const char *field, const char *s, bool required,
                    char **out)
{
    *out = NULL;
    char what[160];
    snprintf(what, sizeof(what), "%s: %s", place, field);
    if (!s || !*s) {
        if (required)
            return svcq__error(ctx, SVCQ_EINVAL, "%s: missing", what);
        return SVCQ_OK;
    }
    int rc = svcq__bp_check_key(ctx, what, s, strnlen(s, SVCQ_BLUEPRINT_MAX_KEY + 1), false);
    return rc ? rc : svcq__strdup(ctx, what, s, out);
}

static int dup_opt(svcq_ctx *ctx, const char *s, char **out)
{
    *out = NULL;
    return s ? svcq__strdup(ctx, "blueprint", s, out) : SVCQ_OK;
}

/* ---- steps and risks ------------------------------------------------------------ */

static void step_free(svcq_ctx *ctx, svcq__bp_step *s)
{
    char **f[] = { &s->key, &s->title, &s->customer, &s->front, &s->back, &s->support, &s->channel, &s->stage };
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        svcq__free(ctx, *f[i]);
        *f[i] = NULL;
    }
}

static void risk_free(svcq_ctx *ctx, svcq__bp_risk *r)
{
    char **f[] = { &r->key, &r->step, &r->failure, &r->contingency, &r->owner, &r->watch_name };
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        svcq__free(ctx, *f[i]);
        *f[i] = NULL;
    }
}

static int step_copy(svcq_ctx *ctx, svcq__bp_step *d, const svcq__bp_step *s)
{
    memset(d, 0, sizeof(*d));
    int rc = dup_opt(ctx, s->key, &d->key);
    if (!rc) rc = dup_opt(ctx, s->title, &d->title);
    if (!rc) rc = dup_opt(ctx, s->customer, &d->customer);
    if (!rc) rc = dup_opt(ctx, s->front, &d->front);
    if (!rc) rc = dup_opt(ctx, s->back, &d->back);
    if (!rc) rc = dup_opt(ctx, s->support, &d->support);
    if (!rc) rc = dup_opt(ctx, s->channel, &d->channel);
    if (!rc) rc = dup_opt(ctx, s->stage, &d->stage);
    if (rc)
        step_free(ctx, d);
    return rc;
}

static int risk_copy(svcq_ctx *ctx, svcq__bp_risk *d, const svcq__bp_risk *s)
{
    memset(d, 0, sizeof(*d));
    d->severity = s->severity;
    d->watch = s->watch;
    int rc = dup_opt(ctx, s->key, &d->key);
    if (!rc) rc = dup_opt(ctx, s->step, &d->step);
    if (!rc) rc = dup_opt(ctx, s->failure, &d->failure);
    if (!rc) rc = dup_opt(ctx, s->contingency, &d->contingency);
    if (!rc) rc = dup_opt(ctx, s->owner, &d->owner);
    if (!rc) rc = dup_opt(ctx, s->watch_name, &d->watch_name);
    if (rc)
        risk_free(ctx, d);
    return rc;
}

static int check_version(svcq_ctx *ctx, const char *what, uint32_t version, uint32_t newest)
{
    if (version < 1 || version > newest)
        return svcq__error(ctx, SVCQ_EVERSION, "%s: table version %u is not one this library knows (1 to %u)",
                           what, (unsigned)version, (unsigned)newest);
    return SVCQ_OK;
}

/* A step from a spec, every field checked; place names it in messages. */
static int step_from_spec(svcq_ctx *ctx, const char *place, const svcq_blueprint_step_spec *sp, svcq__bp_step *out)
{
    memset(out, 0, sizeof(*out));
    int rc = check_version(ctx, place, sp->version, SVCQ_BLUEPRINT_STEP_SPEC_VERSION);
    if (rc)
        return rc;
    if (sp->reserved0 || !svcq__all_zero(sp->reserved, sizeof(sp->reserved)))
        return svcq__error(ctx, SVCQ_EINVAL, "%s: reserved fields must be zero", place);
    char where[128];
    snprintf(where, sizeof(where), "%s", place);
    if (sp->key && *sp->key && svcq__bp_check_key(NULL, "k", sp->key, strnlen(sp->key, 80), false) == SVCQ_OK)
        snprintf(where, sizeof(where), "%s %s", place, sp->key);
    rc = key_copy(ctx, where, "key", sp->key, true, &out->key);
    if (!rc && (!sp->stage || !*sp->stage))
        rc = svcq__error(ctx, SVCQ_EINVAL, "%s: no service stage (reception, technical_support, after_sales, "
                         "complaint_handling, or a key of your own)", where);
    if (!rc) rc = text_copy(ctx, where, "title", sp->title, true, &out->title);
    if (!rc) rc = text_copy(ctx, where, "customer action", sp->customer, false, &out->customer);
    if (!rc) rc = text_copy(ctx, where, "front-stage action", sp->front, false, &out->front);
    if (!rc) rc = text_copy(ctx, where, "back-stage action", sp->back, false, &out->back);
    if (!rc) rc = text_copy(ctx, where, "supporting system", sp->support, false, &out->support);
    if (!rc) rc = key_copy(ctx, where, "channel", sp->channel, false, &out->channel);
    if (!rc) rc = key_copy(ctx, where, "stage", sp->stage, true, &out->stage);
    if (rc)
        step_free(ctx, out);
    return rc;
}

static int risk_from_spec(svcq_ctx *ctx, const char *place, const svcq_blueprint_risk_spec *sp, svcq__bp_risk *out)
{
    memset(out, 0, sizeof(*out));
    int rc = check_version(ctx, place, sp->version, SVCQ_BLUEPRINT_RISK_SPEC_VERSION);
    if (rc)
        return rc;
    if (sp->reserved0 || !svcq__all_zero(sp->reserved, sizeof(sp->reserved)))
        return svcq__error(ctx, SVCQ_EINVAL, "%s: reserved fields must be zero", place);
    char where[128];
    snprintf(where, sizeof(where), "%s", place);
    if (sp->key && *sp->key && svcq__bp_check_key(NULL, "k", sp->key, strnlen(sp->key, 80), false) == SVCQ_OK)
        snprintf(where, sizeof(where), "%s %s", place, sp->key);
    rc = key_copy(ctx, where, "key", sp->key, true, &out->key);
    if (!rc && !svcq_blueprint_severity_name(sp->severity))
        rc = svcq__error(ctx, SVCQ_EINVAL, "%s: severity %d is unknown (low 1, medium 2, high 3, critical 4)", where,
                         (int)sp->severity);
    if (!rc && !svcq_blueprint_watch_name(sp->watch))
        rc = svcq__error(ctx, SVCQ_EINVAL, "%s: watch %d is unknown (none 0, sla_target 1, indicator 2)", where,
                         (int)sp->watch);
    bool named = sp->watch_name && *sp->watch_name;
    if (!rc && sp->watch == SVCQ_BLUEPRINT_WATCH_NONE && named)
        rc = svcq__error(ctx, SVCQ_EINVAL, "%s: watched by \"%.40s\" but watch is none (say sla_target or "
                         "indicator)", where, sp->watch_name);
    if (!rc && sp->watch != SVCQ_BLUEPRINT_WATCH_NONE && !named)
        rc = svcq__error(ctx, SVCQ_EINVAL, "%s: watched by an %s without a name", where,
                         sp->watch == SVCQ_BLUEPRINT_WATCH_SLA_TARGET ? "SLA target" : "indicator");
    out->severity = sp->severity;
    out->watch = sp->watch;
    if (!rc) rc = key_copy(ctx, where, "step", sp->step, true, &out->step);
    if (!rc) rc = text_copy(ctx, where, "failure", sp->failure, true, &out->failure);
    if (!rc) rc = text_copy(ctx, where, "contingency", sp->contingency, false, &out->contingency);
    if (!rc) rc = text_copy(ctx, where, "contingency owner", sp->owner, false, &out->owner);
    if (!rc) rc = text_copy(ctx, where, "watched name", sp->watch_name, false, &out->watch_name);
    if (rc)
        risk_free(ctx, out);
    return rc;
}

/* ---- models -------------------------------------------------------------------- */

void svcq__bp_model_free(svcq_ctx *ctx, svcq__bp_model *m)
{
    for (size_t i = 0; i < m->nsteps; i++)
        step_free(ctx, &m->steps[i]);
    for (size_t i = 0; i < m->nrisks; i++)
        risk_free(ctx, &m->risks[i]);
    svcq__free(ctx, m->steps);
    svcq__free(ctx, m->risks);
    svcq__free(ctx, m->title);
    memset(m, 0, sizeof(*m));
}

const svcq__bp_step *svcq__bp_find_step(const svcq__bp_model *m, const char *key, size_t *index)
{
    for (size_t i = 0; key && i < m->nsteps; i++)
        if (strcmp(m->steps[i].key, key) == 0) {
            if (index)
                *index = i;
            return &m->steps[i];
        }
    return NULL;
}

const svcq__bp_risk *svcq__bp_find_risk(const svcq__bp_model *m, const char *key, size_t *index)
{
    for (size_t i = 0; key && i < m->nrisks; i++)
        if (strcmp(m->risks[i].key, key) == 0) {
            if (index)
                *index = i;
            return &m->risks[i];
        }
    return NULL;
}

/* A deep copy with room for extra_steps and extra_risks more entries. */
static int model_clone(svcq_ctx *ctx, const svcq__bp_model *m, svcq__bp_model *out, size_t extra_steps,
                       size_t extra_risks)
{
    memset(out, 0, sizeof(*out));
    int rc = svcq__strdup(ctx, "blueprint title", m->title, &out->title);
    if (rc)
        return rc;
    if (m->nsteps + extra_steps) {
        out->steps = svcq__calloc(ctx, m->nsteps + extra_steps, sizeof(*out->steps));
        if (!out->steps)
            rc = svcq__enomem(ctx);
    }
    for (size_t i = 0; !rc && i < m->nsteps; i++) {
        rc = step_copy(ctx, &out->steps[i], &m->steps[i]);
        if (!rc)
            out->nsteps = i + 1;
    }
    if (!rc && m->nrisks + extra_risks) {
        out->risks = svcq__calloc(ctx, m->nrisks + extra_risks, sizeof(*out->risks));
        if (!out->risks)
            rc = svcq__enomem(ctx);
    }
    for (size_t i = 0; !rc && i < m->nrisks; i++) {
        rc = risk_copy(ctx, &out->risks[i], &m->risks[i]);
        if (!rc)
            out->nrisks = i + 1;
    }
    if (rc) {
        svcq__bp_model_free(ctx, out);
        return rc == SVCQ_ENOMEM ? rc : svcq__enomem(ctx);
    }
    return SVCQ_OK;
}

/* Grows an import's arrays by one (the import adds entries one by one). */
static int model_grow(svcq_ctx *ctx, svcq__bp_model *m, bool step)
{
    if (step) {
        svcq__bp_step *n = svcq__reallocarray(ctx, m->steps, m->nsteps + 1, sizeof(*n));
        if (!n)
            return svcq__enomem(ctx);
        m->steps = n;
    } else {
        svcq__bp_risk *n = svcq__reallocarray(ctx, m->risks, m->nrisks + 1, sizeof(*n));
        if (!n)
            return svcq__enomem(ctx);
        m->risks = n;
    }
    return SVCQ_OK;
}

static int check_step_new(svcq_ctx *ctx, const char *place, const svcq__bp_model *m, const svcq__bp_step *s)
{
    if (svcq__bp_find_step(m, s->key, NULL))
        return svcq__error(ctx, SVCQ_EEXIST, "%s: step key %s is used twice", place, s->key);
    if (m->nsteps >= SVCQ_BLUEPRINT_MAX_STEPS)
        return svcq__error(ctx, SVCQ_ELIMIT, "%s: more than the %d steps a blueprint holds", place,
                           SVCQ_BLUEPRINT_MAX_STEPS);
    return SVCQ_OK;
}

static int check_risk_step(svcq_ctx *ctx, const char *place, const char *service, const svcq__bp_model *m,
                           const svcq__bp_risk *r)
{
    if (!svcq__bp_find_step(m, r->step, NULL))
        return svcq__error(ctx, SVCQ_ENOTFOUND, "%s %s: step %s is not in blueprint %s", place, r->key, r->step,
                           service);
    return SVCQ_OK;
}

int svcq__bp_model_add_step(svcq_ctx *ctx, const char *what, svcq__bp_model *m, const svcq_blueprint_step_spec *sp)
{
    svcq__bp_step s;
    int rc = step_from_spec(ctx, what, sp, &s);
    if (rc)
        return rc;
    rc = check_step_new(ctx, what, m, &s);
    if (rc == SVCQ_EEXIST) /* a document that repeats a key is invalid */
        rc = SVCQ_EINVAL;
    if (!rc)
        rc = model_grow(ctx, m, true);
    if (rc) {
        step_free(ctx, &s);
        return rc;
    }
    m->steps[m->nsteps++] = s;
    return SVCQ_OK;
}

int svcq__bp_model_add_risk(svcq_ctx *ctx, const char *what, svcq__bp_model *m, const svcq_blueprint_risk_spec *sp)
{
    svcq__bp_risk r;
    int rc = risk_from_spec(ctx, what, sp, &r);
    if (rc)
        return rc;
    if (svcq__bp_find_risk(m, r.key, NULL))
        rc = svcq__error(ctx, SVCQ_EINVAL, "%s: risk key %s is used twice", what, r.key);
    else if (m->nrisks >= SVCQ_BLUEPRINT_MAX_RISKS)
        rc = svcq__error(ctx, SVCQ_ELIMIT, "%s: more than the %d risk points a blueprint holds", what,
                         SVCQ_BLUEPRINT_MAX_RISKS);
    else if (!svcq__bp_find_step(m, r.step, NULL))
        rc = svcq__error(ctx, SVCQ_EINVAL, "%s (%s): step %s is not a step of the blueprint", what, r.key, r.step);
    if (!rc)
        rc = model_grow(ctx, m, false);
    if (rc) {
        risk_free(ctx, &r);
        return rc;
    }
    m->risks[m->nrisks++] = r;
    return SVCQ_OK;
}

/* ---- edits: commit a new model --------------------------------------------------- */

typedef struct bp_undo {
    svcq_blueprint *bp;
    svcq__bp_model m;
} bp_undo;

static void undo_release(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    bp_undo *u = data;
    svcq__bp_model_free(ctx, &u->m);
    svcq__free(ctx, u);
}

static void undo_run(svcq_ctx *ctx, void *data, uint64_t arg)
{
    bp_undo *u = data;
    svcq__bp_model cur = u->bp->m;
    u->bp->m = u->m;
    u->m = cur;
    undo_release(ctx, u, arg);
}

/* Installs next (taken over, freed on failure) as the blueprint's model. */
static int commit(svcq_blueprint *bp, svcq__bp_model *next)
{
    svcq_ctx *ctx = bp->ctx;
    if (!svcq__tx_active(ctx)) {
        svcq__bp_model old = bp->m;
        bp->m = *next;
        bp->changed = 1;
        svcq__bp_model_free(ctx, &old);
        return SVCQ_OK;
    }
    bp_undo *u = svcq__calloc(ctx, 1, sizeof(*u));
    int rc = u ? svcq__undo_reserve(ctx, 2) : svcq__enomem(ctx);
    if (rc) {
        svcq__free(ctx, u);
        svcq__bp_model_free(ctx, next);
        return rc;
    }
    u->bp = bp;
    u->m = bp->m;
    bp->m = *next;
    (void)svcq__undo_push_for(ctx, bp, undo_run, undo_release, u, 0);
    (void)svcq__undo_set_u64(ctx, bp, &bp->changed, 1);
    return SVCQ_OK;
}

/* What an edit does to the copy of the model. */
enum { EDIT_TITLE, EDIT_INSERT, EDIT_REPLACE, EDIT_MOVE, EDIT_REMOVE };

typedef struct bp_edit {
    int op;
    bool risk;          /* the risk points; else the steps */
    size_t at;          /* the entry edited, or where the new one goes */
    size_t to;          /* EDIT_MOVE: where the entry goes */
    svcq__bp_step step; /* the new step (EDIT_INSERT, EDIT_REPLACE), taken over */
    svcq__bp_risk r;    /* the new risk point (EDIT_INSERT, EDIT_REPLACE), taken over */
    char *title;        /* EDIT_TITLE: the new title, taken over */
} bp_edit;

/* Applies an insert, replace, move or remove to an array of *n entries of
 * size sz; *old receives the entry replaced or removed (the caller frees
 * it) and is scratch space for a move. Cannot fail: the array has room. */
static void splice(void *base, size_t *n, size_t sz, const bp_edit *e, const void *in, void *old)
{
    char *a = base;
    switch (e->op) {
    case EDIT_INSERT:
        memmove(a + (e->at + 1) * sz, a + e->at * sz, (*n - e->at) * sz);
        memcpy(a + e->at * sz, in, sz);
        (*n)++;
        break;
    case EDIT_REPLACE:
        memcpy(old, a + e->at * sz, sz);
        memcpy(a + e->at * sz, in, sz);
        break;
    case EDIT_MOVE:
        memcpy(old, a + e->at * sz, sz);
        memmove(a + e->at * sz, a + (e->at + 1) * sz, (*n - e->at - 1) * sz);
        memmove(a + (e->to + 1) * sz, a + e->to * sz, (*n - 1 - e->to) * sz);
        memcpy(a + e->to * sz, old, sz);
        break;
    default: /* EDIT_REMOVE */
        memcpy(old, a + e->at * sz, sz);
        memmove(a + e->at * sz, a + (e->at + 1) * sz, (*n - e->at - 1) * sz);
        (*n)--;
    }
}

/* The one way an edit changes a blueprint: rc is the result of the
 * caller's checks; when it is SVCQ_OK, the next model is a whole copy (with
 * room for an inserted entry) to which the edit is applied, and commit()
 * swaps it in. On any failure the edit's new entry is freed and the
 * blueprint is unchanged. */
static int edit(svcq_blueprint *bp, int rc, bp_edit *e)
{
    svcq_ctx *ctx = bp->ctx;
    bool grow = e->op == EDIT_INSERT;
    svcq__bp_model next;
    if (!rc)
        rc = model_clone(ctx, &bp->m, &next, grow && !e->risk, grow && e->risk);
    if (rc) {
        if (e->op == EDIT_TITLE)
            svcq__free(ctx, e->title);
        else if (e->op == EDIT_INSERT || e->op == EDIT_REPLACE)
            e->risk ? risk_free(ctx, &e->r) : step_free(ctx, &e->step);
        return rc;
    }
    bool drop = e->op == EDIT_REPLACE || e->op == EDIT_REMOVE;
    if (e->op == EDIT_TITLE) {
        svcq__free(ctx, next.title);
        next.title = e->title;
    } else if (e->risk) {
        svcq__bp_risk old;
        splice(next.risks, &next.nrisks, sizeof(old), e, &e->r, &old);
        if (drop)
            risk_free(ctx, &old);
    } else {
        svcq__bp_step old;
        splice(next.steps, &next.nsteps, sizeof(old), e, &e->step, &old);
        if (drop)
            step_free(ctx, &old);
    }
    return commit(bp, &next);
}

/* ---- handles ------------------------------------------------------------------- */

int svcq__bp_handle_new(svcq_blueprint **out, svcq_ctx *ctx, const char *service, svcq__bp_model *m)
{
    svcq_blueprint *bp = svcq__calloc(ctx, 1, sizeof(*bp));
    if (!bp)
        return svcq__enomem(ctx);
    int rc = svcq__strdup(ctx, "blueprint service", service, &bp->service);
    if (rc) {
        svcq__free(ctx, bp);
        return rc;
    }
    bp->ctx = ctx;
    bp->changed = 1;
    bp->m = *m;
    memset(m, 0, sizeof(*m));
    *out = bp;
    return SVCQ_OK;
}

int svcq_blueprint_new(svcq_blueprint **out, svcq_ctx *ctx, const char *service, const char *title)
{
    if (out)
        *out = NULL;
    if (!out || !ctx || !service || !title)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_blueprint_new: NULL %s",
                           !out ? "out" : !ctx ? "ctx" : !service ? "service" : "title");
    int rc = svcq__bp_check_key(ctx, "blueprint service id", service,
                                strnlen(service, SVCQ_BLUEPRINT_MAX_KEY + 1), true);
    if (rc)
        return rc;
    char what[96];
    snprintf(what, sizeof(what), "blueprint %s: title", service);
    rc = svcq__bp_check_text(ctx, what, title, strlen(title));
    if (rc)
        return rc;
    svcq__bp_model m = { 0 };
    rc = svcq__strdup(ctx, what, title, &m.title);
    if (!rc)
        rc = svcq__bp_handle_new(out, ctx, service, &m);
    svcq__bp_model_free(ctx, &m);
    return rc;
}

void svcq_blueprint_free(svcq_blueprint *bp)
{
    if (!bp)
        return;
    svcq_ctx *ctx = bp->ctx;
    svcq__undo_detach(ctx, bp);
    svcq__bp_model_free(ctx, &bp->m);
    svcq__free(ctx, bp->service);
    svcq__free(ctx, bp);
}

const char *svcq_blueprint_service(const svcq_blueprint *bp)
{
    return bp ? bp->service : NULL;
}

const char *svcq_blueprint_title(const svcq_blueprint *bp)
{
    return bp ? bp->m.title : NULL;
}

uint32_t svcq_blueprint_version(const svcq_blueprint *bp)
{
    return bp ? (uint32_t)bp->version : 0;
}

uint64_t svcq_blueprint_revision(const svcq_blueprint *bp)
{
    return bp ? bp->revision : 0;
}

int32_t svcq_blueprint_changed(const svcq_blueprint *bp)
{
    return bp && bp->changed ? 1 : 0;
}

/* ---- edits ------------------------------------------------------------------------ */

static int null_arg(svcq_ctx *ctx, const char *fn, const svcq_blueprint *bp)
{
    return svcq__error(ctx, SVCQ_EINVAL, "%s: NULL %s", fn, bp ? "argument" : "blueprint");
}

int svcq_blueprint_set_title(svcq_blueprint *bp, const char *title)
{
    if (!bp || !title)
        return null_arg(bp ? bp->ctx : NULL, "svcq_blueprint_set_title", bp);
    char what[96];
    snprintf(what, sizeof(what), "blueprint %s: title", bp->service);
    bp_edit e = { .op = EDIT_TITLE };
    int rc = svcq__bp_check_text(bp->ctx, what, title, strlen(title));
    if (!rc)
        rc = svcq__strdup(bp->ctx, what, title, &e.title);
    return edit(bp, rc, &e);
}

static int position_of(svcq_ctx *ctx, const char *what, int32_t position, size_t count, size_t *out)
{
    if (position == -1) {
        *out = count;
        return SVCQ_OK;
    }
    if (position < 0 || (size_t)position > count)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: position %d is outside 0..%zu (or -1 for the end)", what,
                           (int)position, count);
    *out = (size_t)position;
    return SVCQ_OK;
}

int svcq_blueprint_add_step(svcq_blueprint *bp, const svcq_blueprint_step_spec *spec, int32_t position)
{
    if (!bp || !spec)
        return null_arg(bp ? bp->ctx : NULL, "svcq_blueprint_add_step", bp);
    svcq_ctx *ctx = bp->ctx;
    char place[96];
    snprintf(place, sizeof(place), "blueprint %s: step", bp->service);
    bp_edit e = { .op = EDIT_INSERT };
    int rc = step_from_spec(ctx, place, spec, &e.step);
    if (rc)
        return rc;
    rc = check_step_new(ctx, place, &bp->m, &e.step);
    if (!rc)
        rc = position_of(ctx, place, position, bp->m.nsteps, &e.at);
    return edit(bp, rc, &e);
}

int svcq_blueprint_update_step(svcq_blueprint *bp, const char *key, const svcq_blueprint_step_spec *spec)
{
    if (!bp || !key || !spec)
        return null_arg(bp ? bp->ctx : NULL, "svcq_blueprint_update_step", bp);
    svcq_ctx *ctx = bp->ctx;
    size_t at;
    if (!svcq__bp_find_step(&bp->m, key, &at))
        return svcq__error(ctx, SVCQ_ENOTFOUND, "blueprint %s: no step %.64s to update", bp->service, key);
    if (spec->key && *spec->key && strcmp(spec->key, key) != 0)
        return svcq__error(ctx, SVCQ_EINVAL, "blueprint %s: step %s: the spec names step \"%.64s\" (keys do not "
                           "change: leave spec.key NULL)", bp->service, key, spec->key);
    svcq_blueprint_step_spec sp = *spec;
    sp.key = key;
    char place[96];
    snprintf(place, sizeof(place), "blueprint %s: step", bp->service);
    bp_edit e = { .op = EDIT_REPLACE, .at = at };
    int rc = step_from_spec(ctx, place, &sp, &e.step);
    if (rc)
        return rc;
    return edit(bp, SVCQ_OK, &e);
}

int svcq_blueprint_move_step(svcq_blueprint *bp, const char *key, int32_t position)
{
    if (!bp || !key)
        return null_arg(bp ? bp->ctx : NULL, "svcq_blueprint_move_step", bp);
    svcq_ctx *ctx = bp->ctx;
    bp_edit e = { .op = EDIT_MOVE };
    if (!svcq__bp_find_step(&bp->m, key, &e.at))
        return svcq__error(ctx, SVCQ_ENOTFOUND, "blueprint %s: no step %.64s to move", bp->service, key);
    char place[96];
    snprintf(place, sizeof(place), "blueprint %s: moving step %s", bp->service, key);
    int rc = position_of(ctx, place, position, bp->m.nsteps - 1, &e.to);
    return edit(bp, rc, &e);
}

int svcq_blueprint_remove_step(svcq_blueprint *bp, const char *key)
{
    if (!bp || !key)
        return null_arg(bp ? bp->ctx : NULL, "svcq_blueprint_remove_step", bp);
    svcq_ctx *ctx = bp->ctx;
    size_t at;
    if (!svcq__bp_find_step(&bp->m, key, &at))
        return svcq__error(ctx, SVCQ_ENOTFOUND, "blueprint %s: no step %.64s to remove", bp->service, key);
    char names[200] = "";
    size_t held = 0;
    for (size_t i = 0; i < bp->m.nrisks; i++)
        if (strcmp(bp->m.risks[i].step, key) == 0) {
            size_t len = strlen(names);
            if (len + 70 < sizeof(names))
                snprintf(names + len, sizeof(names) - len, "%s%s", held ? ", " : "", bp->m.risks[i].key);
            held++;
        }
    if (held)
        return svcq__error(ctx, SVCQ_ESTATE, "blueprint %s: step %s holds %zu risk point%s (%s): remove them or "
                           "move them to another step first", bp->service, key, held, held == 1 ? "" : "s", names);
    bp_edit e = { .op = EDIT_REMOVE, .at = at };
    return edit(bp, SVCQ_OK, &e);
}

int svcq_blueprint_add_risk(svcq_blueprint *bp, const svcq_blueprint_risk_spec *spec)
{
    if (!bp || !spec)
        return null_arg(bp ? bp->ctx : NULL, "svcq_blueprint_add_risk", bp);
    svcq_ctx *ctx = bp->ctx;
    char place[96];
    snprintf(place, sizeof(place), "blueprint %s: risk point", bp->service);
    bp_edit e = { .op = EDIT_INSERT, .risk = true, .at = bp->m.nrisks };
    int rc = risk_from_spec(ctx, place, spec, &e.r);
    if (rc)
        return rc;
    if (svcq__bp_find_risk(&bp->m, e.r.key, NULL))
        rc = svcq__error(ctx, SVCQ_EEXIST, "%s %s: the key is in use", place, e.r.key);
    else if (bp->m.nrisks >= SVCQ_BLUEPRINT_MAX_RISKS)
        rc = svcq__error(ctx, SVCQ_ELIMIT, "%s %s: more than the %d risk points a blueprint holds", place, e.r.key,
                         SVCQ_BLUEPRINT_MAX_RISKS);
    else
        rc = check_risk_step(ctx, "risk point", bp->service, &bp->m, &e.r);
    return edit(bp, rc, &e);
}

int svcq_blueprint_update_risk(svcq_blueprint *bp, const char *key, const svcq_blueprint_risk_spec *spec)
{
    if (!bp || !key || !spec)
        return null_arg(bp ? bp->ctx : NULL, "svcq_blueprint_update_risk", bp);
    svcq_ctx *ctx = bp->ctx;
    size_t at;
    if (!svcq__bp_find_risk(&bp->m, key, &at))
        return svcq__error(ctx, SVCQ_ENOTFOUND, "blueprint %s: no risk point %.64s to update", bp->service, key);
    if (spec->key && *spec->key && strcmp(spec->key, key) != 0)
        return svcq__error(ctx, SVCQ_EINVAL, "blueprint %s: risk point %s: the spec names \"%.64s\" (keys do not "
                           "change: leave spec.key NULL)", bp->service, key, spec->key);
    svcq_blueprint_risk_spec sp = *spec;
    sp.key = key;
    char place[96];
    snprintf(place, sizeof(place), "blueprint %s: risk point", bp->service);
    bp_edit e = { .op = EDIT_REPLACE, .risk = true, .at = at };
    int rc = risk_from_spec(ctx, place, &sp, &e.r);
    if (rc)
        return rc;
    rc = check_risk_step(ctx, "risk point", bp->service, &bp->m, &e.r);
    return edit(bp, rc, &e);
}

int svcq_blueprint_remove_risk(svcq_blueprint *bp, const char *key)
{
    if (!bp || !key)
        return null_arg(bp ? bp->ctx : NULL, "svcq_blueprint_remove_risk", bp);
    svcq_ctx *ctx = bp->ctx;
    size_t at;
    if (!svcq__bp_find_risk(&bp->m, key, &at))
        return svcq__error(ctx, SVCQ_ENOTFOUND, "blueprint %s: no risk point %.64s to remove", bp->service, key);
    bp_edit e = { .op = EDIT_REMOVE, .risk = true, .at = at };
    return edit(bp, SVCQ_OK, &e);
}

/* ---- getters ------------------------------------------------------------------- */

size_t svcq_blueprint_step_count(const svcq_blueprint *bp)
{
    return bp ? bp->m.nsteps : 0;
}

int svcq_blueprint_step(svcq_blueprint_step_spec *out, const svcq_blueprint *bp, size_t index)
{
    if (!out || !bp)
        return svcq__error(bp ? bp->ctx : NULL, SVCQ_EINVAL, "svcq_blueprint_step: NULL %s", out ? "blueprint" : "out");
    int rc = check_version(bp->ctx, "svcq_blueprint_step", out->version, SVCQ_BLUEPRINT_STEP_SPEC_VERSION);
    if (rc)
        return rc;
    if (index >= bp->m.nsteps)
        return svcq__error(bp->ctx, SVCQ_ENOTFOUND, "blueprint %s: no step at index %zu (it has %zu)", bp->service,
                           index, bp->m.nsteps);
    const svcq__bp_step *s = &bp->m.steps[index];
    uint32_t v = out->version;
    memset(out, 0, sizeof(*out));
    out->version = v;
    out->key = s->key;
    out->title = s->title;
    out->customer = s->customer;
    out->front = s->front;
    out->back = s->back;
    out->support = s->support;
    out->channel = s->channel;
    out->stage = s->stage;
    return SVCQ_OK;
}

int64_t svcq_blueprint_step_index(const svcq_blueprint *bp, const char *key)
{
    size_t i;
    if (!bp || !svcq__bp_find_step(&bp->m, key, &i))
        return -1;
    return (int64_t)i;
}

int32_t svcq_blueprint_step_crosses(const svcq_blueprint *bp, const char *key, int32_t line)
{
    const svcq__bp_step *s = bp ? svcq__bp_find_step(&bp->m, key, NULL) : NULL;
    if (!s || !svcq_blueprint_line_name(line))
        return -1;
    /* Something above the line and something below it: the drawing joins
     * a step's filled lanes in order, so that connector crosses it. */
    const char *lanes[4] = { s->customer, s->front, s->back, s->support };
    bool above = false, below = false;
    for (int l = 0; l < 4; l++) {
        if (lanes[l] && l < line)
            above = true;
        if (lanes[l] && l >= line)
            below = true;
    }
    return above && below ? 1 : 0;
}

size_t svcq_blueprint_risk_count(const svcq_blueprint *bp)
{
    return bp ? bp->m.nrisks : 0;
}

int svcq_blueprint_risk(svcq_blueprint_risk_spec *out, const svcq_blueprint *bp, size_t index)
{
    if (!out || !bp)
        return svcq__error(bp ? bp->ctx : NULL, SVCQ_EINVAL, "svcq_blueprint_risk: NULL %s", out ? "blueprint" : "out");
    int rc = check_version(bp->ctx, "svcq_blueprint_risk", out->version, SVCQ_BLUEPRINT_RISK_SPEC_VERSION);
    if (rc)
        return rc;
    if (index >= bp->m.nrisks)
        return svcq__error(bp->ctx, SVCQ_ENOTFOUND, "blueprint %s: no risk point at index %zu (it has %zu)",
                           bp->service, index, bp->m.nrisks);
    const svcq__bp_risk *r = &bp->m.risks[index];
    uint32_t v = out->version;
    memset(out, 0, sizeof(*out));
    out->version = v;
    out->key = r->key;
    out->step = r->step;
    out->failure = r->failure;
    out->contingency = r->contingency;
    out->owner = r->owner;
    out->watch_name = r->watch_name;
    out->severity = r->severity;
    out->watch = r->watch;
    return SVCQ_OK;
}
