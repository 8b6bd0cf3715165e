/* The lifecycle: report, every mutating call, their guards, and the
 * verification.
 *
 * Every mutating call follows one pattern (call_begin / call_end):
 * check the arguments and the guard (nothing changed yet), open a store
 * scope, change the model in place through the call's journal, append the
 * audit entry, put the incident under compare-and-swap, emit the lifecycle
 * event, then hand the journal to the transaction as one undo entry. Any
 * failure rolls the journal back at once and the scope's other undo entries
 * (the revision, an analysis) with it. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "analysis/analysis_internal.h"
#include "core/str.h"
#include "core/utf8.h"
#include "incident/incident_internal.h"
#include "store/record.h"
#include "store/store.h"

/* ---- the call pattern ------------------------------------------------------------------ */

typedef struct call_undo {
    svcq__inc_journal j;
    svcq_incident *inc;
} call_undo;

typedef struct call {
    svcq_incident *inc;
    svcq_ctx *ctx;
    svcq__tx tx;
    call_undo *u; /* its journal: every change the call makes */
    svcq__inc_journal *j;
    const char *actor, *role;
    const char *events[2];
} call;

static void undo_run(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    call_undo *u = data;
    svcq__inc_j_rollback(&u->j);
    u->inc->cache.valid = 0; /* it holds the bytes of the model rolled back */
    svcq__free(ctx, u);
}

static void undo_release(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    call_undo *u = data;
    svcq__inc_j_commit(&u->j);
    svcq__free(ctx, u);
}

/* Checks the actor and opens the scope. On failure nothing is open. */
static int call_begin(call *c, svcq_incident *inc, const char *actor, const char *role)
{
    memset(c, 0, sizeof(*c));
    c->inc = inc;
    c->ctx = inc->ctx;
    c->actor = actor;
    c->role = role;
    int rc = svcq__inc_check_actor(c->ctx, inc->id, actor, role);
    if (rc)
        return rc;
    c->u = svcq__malloc(c->ctx, sizeof(*c->u));
    if (!c->u)
        return svcq__enomem(c->ctx);
    c->u->inc = inc;
    c->j = &c->u->j;
    svcq__inc_j_init(c->j, c->ctx, &inc->m);
    rc = svcq__tx_begin(c->ctx, &c->tx);
    if (!rc)
        rc = svcq__undo_reserve(c->ctx, 1);
    if (rc) {
        rc = svcq__tx_end(c->ctx, &c->tx, rc);
        svcq__free(c->ctx, c->u);
        c->u = NULL;
        c->j = NULL;
    }
    return rc;
}

/* Ends a call whose model changes are made (rc SVCQ_OK) or failed: writes
 * the audit entry and the incident, emits the events, ends the scope. */
static int call_end(call *c, int rc, const char *action, const char *before, const char *after)
{
    svcq_incident *inc = c->inc;
    svcq_ctx *ctx = c->ctx;
    if (!rc)
        rc = svcq__inc_audit_append(inc, c->j, c->actor, c->role, action, before, after);
    svcq__buf *b = &inc->cache.spare;
    svcq__buf_truncate(b, 0);
    size_t changes = c->j->len;
    if (!rc) {
        rc = svcq__inc_encode_call(inc, c->j, b);
        /* After a rollback every section is stale (cache.valid), so the
         * terms are made anew too. */
        if (!rc && inc->cache.stale & SVCQ__INC_TERM_SECTIONS)
            svcq__inc_terms_of(&inc->m, &inc->terms, &inc->simc);
        if (!rc)
            rc = svcq__record_put_terms(ctx, inc, SVCQ__INC_KIND, inc->id, &inc->revision, b, inc->terms.t,
                                        inc->terms.n);
        if (rc == SVCQ_ECONFLICT)
            rc = svcq__error_prefix(ctx, rc, "incident %s", inc->id);
    }
    const svcq__inc_state *st = svcq__ctx_slot(ctx, SVCQ__SLOT_INCIDENT);
    for (int i = 0; !rc && i < 2 && c->events[i]; i++)
        if (st && st->on_event)
            rc = svcq__callback_rc(st->on_event(ctx, inc, c->events[i], st->on_event_data));
    if (rc) {
        svcq__inc_j_rollback(c->j);
        inc->cache.valid = 0;
        svcq__free(ctx, c->u);
    } else {
        /* The record stored is the model's unless a hook changed the
         * model after it was encoded. */
        if (c->j->len == changes)
            svcq__inc_cache_keep(inc);
        else
            inc->cache.valid = 0;
        (void)svcq__undo_push_for(ctx, inc, undo_run, undo_release, c->u, 0);
    }
    c->u = NULL;
    c->j = NULL;
    return svcq__tx_end(ctx, &c->tx, rc);
}

static int set_state(call *c, int32_t to)
{
    svcq__inc_model *m = &c->inc->m;
    svcq_time now = svcq_ctx_now(c->ctx);
    int rc;
    if ((rc = SVCQ__INC_J_SET(c->j, m->state, to)))
        return rc;
    if ((rc = SVCQ__INC_J_SET(c->j, m->state_since, now)))
        return rc;
    if (to == SVCQ_INCIDENT_CLOSED && (rc = SVCQ__INC_J_SET(c->j, m->closed_at, now)))
        return rc;
    return SVCQ_OK;
}

static int refuse_state(svcq_incident *inc, const char *what)
{
    return svcq__error(inc->ctx, SVCQ_ESTATE, "incident %s: cannot %s in state %s", inc->id, what,
                       svcq_incident_state_name(inc->m.state));
}

static const char *sname(int32_t s)
{
    return svcq_incident_state_name(s);
}

/* How many bytes of s to print for "%.*s" cut at max bytes: never inside a
 * multi-byte sequence (the audit entry must stay valid UTF-8). */
static int cut(const char *s, size_t max)
{
    return (int)svcq__utf8_trim(s, strnlen(s, max));
}

/* "<measure> <n>%", "<measure> <n>", "<measure> owner <owner, cut at 100
 * bytes> deadline <t>": the audit texts of ledger and indicator calls. */
static void id_percent(svcq__text *t, const char *id, int32_t percent)
{
    svcq__text_str(t, id);
    svcq__text_put(t, " ", 1);
    svcq__text_i64(t, percent);
    svcq__text_put(t, "%", 1);
}

static void id_value(svcq__text *t, const char *id, int64_t v)
{
    svcq__text_str(t, id);
    svcq__text_put(t, " ", 1);
    svcq__text_i64(t, v);
}

static void owner_deadline(svcq__text *t, const char *id, const char *owner, svcq_time deadline)
{
    svcq__text_str(t, id);
    svcq__text_put(t, " owner ", 7);
    svcq__text_put(t, owner, (size_t)cut(owner, 100));
    svcq__text_put(t, " deadline ", 10);
    svcq__text_i64(t, deadline);
}

/* ---- stage 1 -------------------------------------------------------------------------- */

int svcq_incident_report(svcq_incident **out, svcq_ctx *ctx, const char *id, const svcq_incident_report_spec *spec,
                         const char *actor, const char *role)
{
    if (!ctx)
        return SVCQ_EINVAL;
    if (!out || !id || !spec)
        return svcq__error(ctx, SVCQ_EINVAL, "incident report: NULL argument");
    *out = NULL;
    int rc = svcq__store_check_id(ctx, id);
    if (rc)
        return svcq__error_prefix(ctx, rc, "incident report");
    if (strchr(id, '/'))
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: an incident id may not contain '/'", id);
    if (strlen(id) + 11 > SVCQ_STORE_MAX_ID)
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: id too long for its audit entries (%d bytes at most)",
                           id, SVCQ_STORE_MAX_ID - 11);
    if (spec->version != SVCQ_INCIDENT_REPORT_SPEC_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION, "incident %s: report spec version %u is not %d", id,
                           (unsigned)spec->version, SVCQ_INCIDENT_REPORT_SPEC_VERSION);
    if (spec->reserved0 || !svcq__all_zero(spec->reserved, sizeof(spec->reserved)))
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: report spec reserved fields must be zero", id);
    if ((rc = svcq__inc_check_actor(ctx, id, actor, role)) ||
        (rc = svcq__inc_check_key(ctx, id, "type", SVCQ_INCIDENT_VOCAB_TYPE, spec->type)) ||
        (rc = svcq__inc_check_key(ctx, id, "service stage", SVCQ_INCIDENT_VOCAB_STAGE, spec->stage)) ||
        (rc = svcq__inc_check_key(ctx, id, "channel", SVCQ_INCIDENT_VOCAB_CHANNEL, spec->channel)) ||
        (rc = svcq__inc_check_text(ctx, id, "observation", spec->observed, SVCQ_INCIDENT_MAX_TEXT, true)) ||
        (rc = svcq__inc_check_text(ctx, id, "reporter name", spec->reporter_name, SVCQ__INC_MAX_NAME, true)))
        return rc;
    static const struct {
        const char *what;
        size_t off, max;
    } opt[] = {
#define O(w, f, m) { w, offsetof(svcq_incident_report_spec, f), m }
        O("location", location, SVCQ_INCIDENT_MAX_TEXT),   O("impact", impact, SVCQ_INCIDENT_MAX_TEXT),
        O("reporter contact", reporter_contact, SVCQ__INC_MAX_NAME),
        O("reporter role", reporter_role, SVCQ__INC_MAX_NAME), O("client", client, SVCQ_STORE_MAX_ID),
        O("ticket", ticket, SVCQ__INC_MAX_NAME), O("containment", containment, SVCQ_INCIDENT_MAX_TEXT),
        O("touchpoint", touchpoint, SVCQ__INC_MAX_NAME),
#undef O
    };
    for (size_t i = 0; i < sizeof(opt) / sizeof(opt[0]); i++) {
        const char *s = *(const char *const *)((const char *)spec + opt[i].off);
        if ((rc = svcq__inc_check_text(ctx, id, opt[i].what, s, opt[i].max, false)))
            return rc;
    }
    svcq_time now = svcq_ctx_now(ctx);
    svcq__inc_model m = { 0 };
    m.state = SVCQ_INCIDENT_REPORTED;
    m.reported_at = now;
    m.state_since = now;
    m.occurred_at = spec->occurred_at ? spec->occurred_at : now;
    struct {
        char **dst;
        const char *src;
    } copy[] = {
        { &m.type, spec->type },
        { &m.stage, spec->stage },
        { &m.channel, spec->channel },
        { &m.location, spec->location },
        { &m.observed, spec->observed },
        { &m.impact, spec->impact },
        { &m.reporter_name, spec->reporter_name },
        { &m.reporter_contact, spec->reporter_contact },
        { &m.reporter_role, spec->reporter_role },
        { &m.client, spec->client },
        { &m.ticket, spec->ticket },
        { &m.containment, spec->containment },
        { &m.touchpoint, spec->touchpoint },
    };
    for (size_t i = 0; !rc && i < sizeof(copy) / sizeof(copy[0]); i++)
        if (copy[i].src && *copy[i].src)
            rc = svcq__inc_text_copy(ctx, &m, "report", copy[i].src, strlen(copy[i].src), copy[i].dst);
    svcq_incident *inc = NULL;
    if (!rc)
        rc = svcq__inc_handle_new(&inc, ctx, id, &m);
    if (rc) {
        svcq__inc_model_free(ctx, &m);
        return rc;
    }
    call c;
    rc = call_begin(&c, inc, actor, role);
    if (!rc) {
        c.events[0] = "reported";
        rc = call_end(&c, SVCQ_OK, "reported", "", sname(SVCQ_INCIDENT_REPORTED));
    }
    if (rc == SVCQ_ECONFLICT)
        rc = svcq__error(ctx, SVCQ_ECONFLICT, "incident %s: already exists", id);
    if (rc) {
        svcq_incident_free(inc);
        return rc;
    }
    *out = inc;
    return SVCQ_OK;
}

int svcq_incident_add_attachment(svcq_incident *inc, const char *actor, const char *role, const char *kind,
                                 const char *uri, const char *note)
{
    if (!inc)
        return SVCQ_EINVAL;
    int rc;
    if ((rc = svcq__inc_check_key(inc->ctx, inc->id, "attachment kind", SVCQ_INCIDENT_VOCAB_ATTACHMENT, kind)) ||
        (rc = svcq__inc_check_text(inc->ctx, inc->id, "attachment URI", uri, SVCQ_INCIDENT_MAX_TEXT, true)) ||
        (rc = svcq__inc_check_text(inc->ctx, inc->id, "attachment note", note, SVCQ_INCIDENT_MAX_TEXT, false)))
        return rc;
    if (svcq__inc_final(inc->m.state))
        return refuse_state(inc, "add an attachment");
    call c;
    if ((rc = call_begin(&c, inc, actor, role)))
        return rc;
    svcq__inc_attachment *a;
    rc = SVCQ__INC_J_PUSH(c.j, inc->m.attachments, &a);
    if (!rc)
        rc = svcq__inc_j_dup(c.j, kind, &a->kind);
    if (!rc)
        rc = svcq__inc_j_dup(c.j, uri, &a->uri);
    if (!rc)
        rc = svcq__inc_j_dup(c.j, note, &a->note);
    if (!rc)
        rc = svcq__inc_j_dup(c.j, actor, &a->by);
    if (!rc)
        a->at = svcq_ctx_now(inc->ctx);
    if (rc == SVCQ_ELIMIT)
        rc = svcq__error_prefix(inc->ctx, rc, "incident %s: attachments", inc->id);
    return call_end(&c, rc, "attachment_added", "", uri);
}

/* ---- stage 2 ------------------------------------------------------------------------- */

int svcq_incident_add_confirmer(svcq_incident *inc, const char *actor, const char *role, const char *name,
                                const char *member_role)
{
    if (!inc)
        return SVCQ_EINVAL;
    int rc;
    if ((rc = svcq__inc_check_text(inc->ctx, inc->id, "confirmer name", name, SVCQ__INC_MAX_NAME, true)) ||
        (rc = svcq__inc_check_text(inc->ctx, inc->id, "confirmer role", member_role, SVCQ__INC_MAX_NAME, true)))
        return rc;
    if (inc->m.state != SVCQ_INCIDENT_REPORTED)
        return refuse_state(inc, "add a confirmer");
    call c;
    if ((rc = call_begin(&c, inc, actor, role)))
        return rc;
    svcq__inc_member *x;
    rc = SVCQ__INC_J_PUSH(c.j, inc->m.members, &x);
    if (!rc)
        rc = svcq__inc_j_dup(c.j, name, &x->name);
    if (!rc)
        rc = svcq__inc_j_dup(c.j, member_role, &x->role);
    char after[600];
    svcq__text t;
    svcq__text_init(&t, after, sizeof(after));
    svcq__text_str(&t, name);
    svcq__text_put(&t, " (", 2);
    svcq__text_str(&t, member_role);
    svcq__text_put(&t, ")", 1);
    return call_end(&c, rc, "confirmer_added", "", after);
}

static bool has_member_role(const svcq__inc_model *m, const char *role)
{
    for (size_t i = 0; i < m->members.len; i++)
        if (strcmp(m->members.v[i].role, role) == 0)
            return true;
    return false;
}

int svcq_incident_confirm(svcq_incident *inc, const char *actor, const char *role, const svcq_incident_confirmation *cf)
{
    if (!inc)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = inc->ctx;
    if (!cf)
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: NULL confirmation", inc->id);
    if (cf->version != SVCQ_INCIDENT_CONFIRMATION_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION, "incident %s: confirmation version %u is not %d", inc->id,
                           (unsigned)cf->version, SVCQ_INCIDENT_CONFIRMATION_VERSION);
    if (!svcq__all_zero(cf->reserved, sizeof(cf->reserved)))
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: confirmation reserved fields must be zero", inc->id);
    int rc;
    if ((rc = svcq__inc_check_text(ctx, inc->id, "responsible unit", cf->responsible_unit, SVCQ__INC_MAX_NAME, false)) ||
        (rc = svcq__inc_check_text(ctx, inc->id, "responsible person", cf->responsible_person, SVCQ__INC_MAX_NAME,
                                   false)) ||
        (rc = svcq__inc_check_text(ctx, inc->id, "person assessment", cf->person_assessment, SVCQ_INCIDENT_MAX_TEXT,
                                   false)) ||
        (rc = svcq__inc_check_text(ctx, inc->id, "process assessment", cf->process_assessment,
                                   SVCQ_INCIDENT_MAX_TEXT, false)) ||
        (rc = svcq__inc_check_text(ctx, inc->id, "note", cf->note, SVCQ_INCIDENT_MAX_TEXT, false)))
        return rc;
    if (cf->category && *cf->category &&
        (rc = svcq__inc_check_key(ctx, inc->id, "responsibility category", SVCQ_INCIDENT_VOCAB_RESPONSIBILITY,
                                  cf->category)))
        return rc;
    /* The guard of REPORTED -> CONFIRMED. */
    if (inc->m.state != SVCQ_INCIDENT_REPORTED)
        return refuse_state(inc, "confirm");
    if (!cf->real)
        return svcq__error(ctx, SVCQ_ESTATE, "incident %s: cannot confirm: judged not real (reject it instead)",
                           inc->id);
    if (!cf->category || !*cf->category)
        return svcq__error(ctx, SVCQ_ESTATE, "incident %s: cannot confirm: no responsibility category", inc->id);
    if (!cf->responsible_unit || !*cf->responsible_unit)
        return svcq__error(ctx, SVCQ_ESTATE, "incident %s: cannot confirm: no responsible unit", inc->id);
    const svcq__inc_state *st = svcq__ctx_slot(ctx, SVCQ__SLOT_INCIDENT);
    static const char *const default_roles[] = { "service_supervisor", "quality_staff" };
    size_t nroles = st && st->nroles ? st->nroles : 2;
    for (size_t i = 0; i < nroles; i++) {
        const char *r = st && st->nroles ? st->roles[i] : default_roles[i];
        if (!has_member_role(&inc->m, r))
            return svcq__error(ctx, SVCQ_ESTATE, "incident %s: cannot confirm: the confirmation group has no %s",
                               inc->id, r);
    }
    if (strcmp(cf->category, SVCQ_INCIDENT_RESP_HUMAN_ERROR) == 0) {
        if (!cf->person_assessment || !*cf->person_assessment)
            return svcq__error(ctx, SVCQ_ESTATE, "incident %s: cannot confirm: human error needs the person's "
                               "assessment (double track)", inc->id);
        if (!cf->process_assessment || !*cf->process_assessment)
            return svcq__error(ctx, SVCQ_ESTATE, "incident %s: cannot confirm: human error needs the process's "
                               "assessment (double track)", inc->id);
    }
    call c;
    if ((rc = call_begin(&c, inc, actor, role)))
        return rc;
    svcq__inc_model *m = &inc->m;
    svcq__inc_journal *j = c.j;
    if (!rc)
        rc = svcq__inc_j_str(j, &m->judged_by, actor);
    if (!rc)
        rc = svcq__inc_j_str(j, &m->category, cf->category);
    if (!rc)
        rc = svcq__inc_j_str(j, &m->resp_unit, cf->responsible_unit);
    if (!rc)
        rc = svcq__inc_j_str(j, &m->resp_person, cf->responsible_person);
    if (!rc)
        rc = svcq__inc_j_str(j, &m->person_assessment, cf->person_assessment);
    if (!rc)
        rc = svcq__inc_j_str(j, &m->process_assessment, cf->process_assessment);
    if (!rc)
        rc = svcq__inc_j_str(j, &m->confirm_note, cf->note);
    if (!rc)
        rc = set_state(&c, SVCQ_INCIDENT_CONFIRMED);
    c.events[0] = "confirmed";
    return call_end(&c, rc, "confirmed", sname(SVCQ_INCIDENT_REPORTED), sname(SVCQ_INCIDENT_CONFIRMED));
}

int svcq_incident_reject(svcq_incident *inc, const char *actor, const char *role, const char *reason)
{
    if (!inc)
        return SVCQ_EINVAL;
    int rc = svcq__inc_check_text(inc->ctx, inc->id, "rejection reason", reason, SVCQ_INCIDENT_MAX_TEXT, true);
    if (rc)
        return rc;
    if (inc->m.state != SVCQ_INCIDENT_REPORTED)
        return refuse_state(inc, "reject");
    call c;
    if ((rc = call_begin(&c, inc, actor, role)))
        return rc;
    rc = svcq__inc_j_str(c.j, &inc->m.reject_reason, reason);
    if (!rc)
        rc = set_state(&c, SVCQ_INCIDENT_REJECTED);
    c.events[0] = "rejected";
    return call_end(&c, rc, "rejected", sname(SVCQ_INCIDENT_REPORTED), sname(SVCQ_INCIDENT_REJECTED));
}

/* ---- stage 3 ------------------------------------------------------------------------ */

static int analysis_remember(svcq_ctx *ctx, const svcq_analysis *a);

int svcq_incident_attach_analysis(svcq_incident *inc, const char *actor, const char *role, svcq_analysis *a)
{
    if (!inc)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = inc->ctx;
    if (!a)
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: NULL analysis", inc->id);
    if (a->ctx != ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: analysis %s belongs to another context", inc->id, a->id);
    if (inc->m.state != SVCQ_INCIDENT_CONFIRMED && inc->m.state != SVCQ_INCIDENT_ANALYSING)
        return refuse_state(inc, "attach an analysis");
    for (size_t i = 0; i < inc->m.analyses.len; i++)
        if (strcmp(inc->m.analyses.v[i], a->id) == 0)
            return svcq__error(ctx, SVCQ_EEXIST, "incident %s: analysis %s is already attached", inc->id, a->id);
    const char *linked = svcq_analysis_incident(a);
    if (linked && strcmp(linked, inc->id) != 0)
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: analysis %s belongs to incident %s", inc->id, a->id,
                           linked);
    if (strchr(a->id, ':'))
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: analysis id %s contains ':', which measures use to name "
                           "its root causes", inc->id, a->id);
    call c;
    int rc = call_begin(&c, inc, actor, role);
    if (rc)
        return rc;
    rc = svcq_analysis_set_incident(a, inc->id);
    if (!rc)
        rc = svcq_analysis_save(a);
    if (rc)
        rc = svcq__error_prefix(ctx, rc, "incident %s: analysis %s", inc->id, a->id);
    /* The guards of the next stages read it from here, not the store. */
    if (!rc)
        rc = analysis_remember(ctx, a);
    char **slot;
    if (!rc)
        rc = SVCQ__INC_J_PUSH(c.j, inc->m.analyses, &slot);
    if (!rc)
        rc = svcq__inc_j_dup(c.j, a->id, slot);
    return call_end(&c, rc, "analysis_attached", "", a->id);
}

/* The summary of analysis a as it is now (allocated; on failure ENOMEM and
 * *out untouched). */
static int summarize(svcq_ctx *ctx, const svcq_analysis *a, svcq__inc_an_summary *out)
{
    /* One block: the root pointers, then the id and the roots' texts. */
    size_t n = svcq_analysis_root_cause_count(a);
    const char *id = svcq_analysis_id(a);
    size_t size = n * sizeof(char *) + strlen(id) + 1;
    for (size_t i = 0; i < n; i++)
        size += strlen(svcq_analysis_root_cause(a, i)) + 1;
    char *block = svcq__malloc(ctx, size);
    if (!block)
        return svcq__enomem(ctx);
    svcq__inc_an_summary s = { 0 };
    s.revision = svcq_analysis_revision(a);
    s.roots = n ? (char **)(void *)block : NULL;
    char *p = block + n * sizeof(char *);
    size_t len = strlen(id) + 1;
    s.id = memcpy(p, id, len);
    p += len;
    for (size_t i = 0; i < n; i++) {
        const char *r = svcq_analysis_root_cause(a, i);
        len = strlen(r) + 1;
        s.roots[i] = memcpy(p, r, len);
        p += len;
    }
    s.nroots = n;
    s.block = block;
    *out = s;
    return SVCQ_OK;
}

/* Puts summary s into the context's cache (replacing an older one of the
 * same analysis, else the oldest slot); takes its memory. */
static void cache_put(svcq__inc_state *st, svcq_ctx *ctx, svcq__inc_an_summary *s)
{
    size_t slot = st->analyses_next % SVCQ__INC_ANALYSIS_CACHE;
    bool same = false;
    for (size_t i = 0; i < SVCQ__INC_ANALYSIS_CACHE; i++)
        if (st->analyses[i].id && strcmp(st->analyses[i].id, s->id) == 0) {
            slot = i;
            same = true;
            break;
        }
    svcq__inc_an_summary_clear(ctx, &st->analyses[slot]);
    st->analyses[slot] = *s;
    if (!same)
        st->analyses_next++;
}

/* Remembers the root causes of analysis a, just saved (attach). */
static int analysis_remember(svcq_ctx *ctx, const svcq_analysis *a)
{
    svcq__inc_state *st = svcq__inc_state_get(ctx);
    if (!st)
        return SVCQ_ENOMEM;
    svcq__inc_an_summary s;
    int rc = summarize(ctx, a, &s);
    if (!rc)
        cache_put(st, ctx, &s);
    return rc;
}

/* The root causes of the attached analysis aid as it is stored now: the
 * summary the context's incident state keeps while the stored revision is
 * the one it was made of (a probe of the record, no parse), else the
 * analysis is loaded anew. */
static int analysis_read(svcq_incident *inc, const char *aid, const svcq__inc_an_summary **out)
{
    svcq_ctx *ctx = inc->ctx;
    svcq__inc_state *st = svcq__inc_state_get(ctx);
    if (!st)
        return SVCQ_ENOMEM;
    char *bytes = NULL;
    size_t size = 0;
    uint64_t rev = 0;
    int rc = svcq__store_get(ctx, SVCQ__ANALYSIS_KIND, aid, &bytes, &size, &rev);
    svcq__free(ctx, bytes);
    if (rc && rc != SVCQ_ENOTFOUND)
        return svcq__error_prefix(ctx, rc, "incident %s: analysis %s", inc->id, aid);
    for (size_t i = 0; rc == SVCQ_OK && i < SVCQ__INC_ANALYSIS_CACHE; i++) {
        const svcq__inc_an_summary *c = &st->analyses[i];
        if (c->id && c->revision == rev && strcmp(c->id, aid) == 0) {
            *out = c;
            return SVCQ_OK;
        }
    }
    svcq_analysis *a = NULL;
    rc = svcq_analysis_load(&a, ctx, aid);
    if (rc)
        return svcq__error_prefix(ctx, rc, "incident %s: analysis %s", inc->id, aid);
    svcq__inc_an_summary s;
    rc = summarize(ctx, a, &s);
    svcq_analysis_free(a);
    if (rc)
        return rc;
    cache_put(st, ctx, &s);
    for (size_t i = 0; i < SVCQ__INC_ANALYSIS_CACHE; i++)
        if (st->analyses[i].id && strcmp(st->analyses[i].id, aid) == 0)
            *out = &st->analyses[i];
    return SVCQ_OK;
}

/* Reads the attached analyses one by one and calls fn on each. */
typedef int (*analysis_fn)(svcq_incident *inc, const svcq__inc_an_summary *a, void *user);

static int each_analysis(svcq_incident *inc, analysis_fn fn, void *user)
{
    int rc = SVCQ_OK;
    for (size_t i = 0; !rc && i < inc->m.analyses.len; i++) {
        const svcq__inc_an_summary *a = NULL;
        rc = analysis_read(inc, inc->m.analyses.v[i], &a);
        if (!rc)
            rc = fn(inc, a, user);
    }
    return rc;
}

static int count_roots(svcq_incident *inc, const svcq__inc_an_summary *a, void *user)
{
    (void)inc;
    *(size_t *)user += a->nroots;
    return SVCQ_OK;
}

static bool addressed(const svcq__inc_model *m, const char *aid, const char *nid)
{
    size_t alen = strlen(aid);
    for (size_t i = 0; i < m->measures.len; i++) {
        const svcq__inc_measure *x = &m->measures.v[i];
        if (x->state == SVCQ_INCIDENT_MEASURE_CANCELLED || !x->root_cause)
            continue;
        if (strncmp(x->root_cause, aid, alen) == 0 && x->root_cause[alen] == ':' &&
            strcmp(x->root_cause + alen + 1, nid) == 0)
            return true;
    }
    return false;
}

static int check_addressed(svcq_incident *inc, const svcq__inc_an_summary *a, void *user)
{
    (void)user;
    for (size_t i = 0; i < a->nroots; i++) {
        const char *nid = a->roots[i];
        if (!addressed(&inc->m, a->id, nid))
            return svcq__error(inc->ctx, SVCQ_ESTATE, "incident %s: cannot leave planning: root cause %s:%s has "
                               "no measure", inc->id, a->id, nid);
    }
    return SVCQ_OK;
}

/* The first missing field of a measure, or NULL when complete. */
static const char *measure_missing(const svcq__inc_measure *x)
{
    if (!x->root_cause)
        return "root cause";
    if (!x->owner)
        return "owner";
    if (!x->deadline)
        return "deadline";
    if (!x->indicator)
        return "indicator";
    if (!x->unit)
        return "indicator unit";
    if (!x->direction)
        return "indicator direction";
    if (!x->feasibility)
        return "feasibility assessment";
    if (!x->expected_effect)
        return "expected effect";
    if (!x->approved_by)
        return "approver";
    return NULL;
}

/* The guard of leaving a stage forward (to is the target). */
static int guard(svcq_incident *inc, int32_t to)
{
    svcq_ctx *ctx = inc->ctx;
    const svcq__inc_model *m = &inc->m;
    int rc;
    switch (to) {
    case SVCQ_INCIDENT_PLANNING: {
        if (!m->analyses.len)
            return svcq__error(ctx, SVCQ_ESTATE, "incident %s: cannot leave analysing: no analysis attached",
                               inc->id);
        size_t roots = 0;
        if ((rc = each_analysis(inc, count_roots, &roots)))
            return rc;
        if (!roots)
            return svcq__error(ctx, SVCQ_ESTATE, "incident %s: cannot leave analysing: no confirmed root cause with "
                               "evidence in its analyses", inc->id);
        return SVCQ_OK;
    }
    case SVCQ_INCIDENT_EXECUTING: {
        bool current = false;
        for (size_t i = 0; i < m->measures.len; i++) {
            const svcq__inc_measure *x = &m->measures.v[i];
            if (x->state == SVCQ_INCIDENT_MEASURE_CANCELLED)
                continue;
            const char *missing = measure_missing(x);
            if (missing)
                return svcq__error(ctx, SVCQ_ESTATE, "incident %s: cannot leave planning: measure %s has no %s",
                                   inc->id, x->id, missing);
            if (x->loop == m->loop)
                current = true;
        }
        if (!current)
            return svcq__error(ctx, SVCQ_ESTATE, "incident %s: cannot leave planning: no measure planned in loop %u",
                               inc->id, (unsigned)m->loop);
        return each_analysis(inc, check_addressed, NULL);
    }
    case SVCQ_INCIDENT_VERIFYING:
        for (size_t i = 0; i < m->measures.len; i++) {
            const svcq__inc_measure *x = &m->measures.v[i];
            if (x->state != SVCQ_INCIDENT_MEASURE_DONE && x->state != SVCQ_INCIDENT_MEASURE_CANCELLED)
                return svcq__error(ctx, SVCQ_ESTATE, "incident %s: cannot leave executing: measure %s is %s",
                                   inc->id, x->id, svcq_incident_measure_state_name(x->state));
        }
        return SVCQ_OK;
    case SVCQ_INCIDENT_CLOSED:
        if (!m->verifications.len || m->verifications.v[m->verifications.len - 1].loop != m->loop)
            return svcq__error(ctx, SVCQ_ESTATE, "incident %s: cannot close: the effect was not verified", inc->id);
        if (m->verifications.v[m->verifications.len - 1].verdict != SVCQ_INCIDENT_EFFECTIVE)
            return svcq__error(ctx, SVCQ_ESTATE, "incident %s: cannot close: the last verification was not "
                               "effective", inc->id);
        if (!m->improvements.len)
            return svcq__error(ctx, SVCQ_ESTATE, "incident %s: cannot close: no improvement entry (manual, training, "
                               "form, procedure or archive)", inc->id);
        return SVCQ_OK;
    default:
        return SVCQ_OK;
    }
}

int svcq_incident_transition(svcq_incident *inc, const char *actor, const char *role, int32_t to, const char *note)
{
    if (!inc)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = inc->ctx;
    int32_t from = inc->m.state;
    if (!svcq_incident_state_name(to))
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: unknown state %d", inc->id, (int)to);
    if (to == SVCQ_INCIDENT_CONFIRMED || to == SVCQ_INCIDENT_REJECTED || to == SVCQ_INCIDENT_REPORTED)
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: move to %s with svcq_incident_%s()", inc->id, sname(to),
                           to == SVCQ_INCIDENT_CONFIRMED ? "confirm" : to == SVCQ_INCIDENT_REJECTED ? "reject" : "report");
    if (to == SVCQ_INCIDENT_ANALYSING && (from == SVCQ_INCIDENT_VERIFYING || from == SVCQ_INCIDENT_CLOSED))
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: back to analysing from %s only through %s", inc->id,
                           sname(from), from == SVCQ_INCIDENT_CLOSED ? "svcq_incident_link_recurrence()"
                                                                     : "svcq_incident_verify()");
    int rc = svcq__inc_check_text(ctx, inc->id, to == SVCQ_INCIDENT_CANCELLED ? "cancellation reason" : "note", note,
                                  SVCQ_INCIDENT_MAX_TEXT, to == SVCQ_INCIDENT_CANCELLED);
    if (rc)
        return rc;
    if (!svcq_incident_transition_allowed(from, to))
        return svcq__error(ctx, SVCQ_ESTATE, "incident %s: cannot move from %s to %s", inc->id, sname(from),
                           sname(to));
    if ((rc = svcq__inc_check_actor(ctx, inc->id, actor, role)))
        return rc;
    if ((rc = guard(inc, to)))
        return rc;
    call c;
    if ((rc = call_begin(&c, inc, actor, role)))
        return rc;
    const char *action = "moved";
    switch (to) {
    case SVCQ_INCIDENT_ANALYSING:
        action = c.events[0] = "analysis_started";
        break;
    case SVCQ_INCIDENT_PLANNING:
        action = c.events[0] = "analysis_done";
        break;
    case SVCQ_INCIDENT_EXECUTING:
        action = c.events[0] = "plan_approved";
        c.events[1] = "execution_started";
        break;
    case SVCQ_INCIDENT_VERIFYING:
        action = c.events[0] = "measures_done";
        break;
    case SVCQ_INCIDENT_CLOSED:
        action = c.events[0] = "closed";
        break;
    case SVCQ_INCIDENT_CANCELLED:
        action = c.events[0] = "cancelled";
        rc = svcq__inc_j_str(c.j, &inc->m.cancel_reason, note);
        if (!rc)
            rc = svcq__inc_j_str(c.j, &inc->m.cancel_role, role);
        if (!rc)
            rc = SVCQ__INC_J_SET(c.j, inc->m.cancelled_from, from);
        break;
    default:
        break;
    }
    if (!rc)
        rc = set_state(&c, to);
    char after[SVCQ_INCIDENT_MAX_TEXT + 32];
    svcq__text t;
    svcq__text_init(&t, after, sizeof(after));
    svcq__text_str(&t, sname(to));
    if (note && *note) {
        svcq__text_put(&t, ": ", 2);
        svcq__text_str(&t, note);
    }
    return call_end(&c, rc, action, sname(from), after);
}

/* ---- stage 4 --------------------------------------------------------------------------- */

/* Checks "<analysis>:<node>" against the attached analyses (the node must
 * be a root cause now). */
static int check_root_ref(svcq_incident *inc, const char *ref)
{
    svcq_ctx *ctx = inc->ctx;
    const char *colon = strchr(ref, ':');
    if (!colon || colon == ref || !colon[1])
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: root cause \"%.80s\" is not \"<analysis id>:<node id>\"",
                           inc->id, ref);
    size_t alen = (size_t)(colon - ref);
    for (size_t i = 0; i < inc->m.analyses.len; i++) {
        const char *aid = inc->m.analyses.v[i];
        if (strlen(aid) != alen || memcmp(aid, ref, alen) != 0)
            continue;
        const svcq__inc_an_summary *a = NULL;
        int rc = analysis_read(inc, aid, &a);
        if (rc)
            return rc;
        bool root = false;
        for (size_t k = 0; !root && k < a->nroots; k++)
            root = strcmp(a->roots[k], colon + 1) == 0;
        if (!root)
            return svcq__error(ctx, SVCQ_EINVAL, "incident %s: %s is not a root cause of analysis %s", inc->id,
                               colon + 1, aid);
        return SVCQ_OK;
    }
    return svcq__error(ctx, SVCQ_EINVAL, "incident %s: root cause %.80s names an analysis that is not attached", inc->id,
                       ref);
}

int svcq_incident_add_measure(const char **out_id, svcq_incident *inc, const char *actor, const char *role,
                              const svcq_incident_measure_spec *s)
{
    if (!inc)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = inc->ctx;
    if (!s)
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: NULL measure", inc->id);
    if (s->version != SVCQ_INCIDENT_MEASURE_SPEC_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION, "incident %s: measure spec version %u is not %d", inc->id,
                           (unsigned)s->version, SVCQ_INCIDENT_MEASURE_SPEC_VERSION);
    if (!svcq__all_zero(s->reserved, sizeof(s->reserved)))
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: measure spec reserved fields must be zero", inc->id);
    int rc;
    if ((rc = svcq__inc_check_key(ctx, inc->id, "measure kind", SVCQ_INCIDENT_VOCAB_MEASURE_KIND, s->kind)) ||
        (rc = svcq__inc_check_text(ctx, inc->id, "measure text", s->what, SVCQ_INCIDENT_MAX_TEXT, true)))
        return rc;
    struct {
        const char *what, *v;
        size_t max;
    } texts[] = { { "measure owner", s->owner, SVCQ__INC_MAX_NAME },
                  { "indicator", s->indicator, SVCQ__INC_MAX_NAME },
                  { "indicator unit", s->unit, SVCQ__INC_MAX_NAME },
                  { "feasibility", s->feasibility, SVCQ_INCIDENT_MAX_TEXT },
                  { "expected effect", s->expected_effect, SVCQ_INCIDENT_MAX_TEXT },
                  { "approver", s->approved_by, SVCQ__INC_MAX_NAME } };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        if ((rc = svcq__inc_check_text(ctx, inc->id, texts[i].what, texts[i].v, texts[i].max, false)))
            return rc;
    if (s->direction && !svcq_incident_direction_name(s->direction))
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: unknown indicator direction %d", inc->id,
                           (int)s->direction);
    if (inc->m.state != SVCQ_INCIDENT_PLANNING)
        return refuse_state(inc, "add a measure");
    if (s->root_cause && *s->root_cause && (rc = check_root_ref(inc, s->root_cause)))
        return rc;
    call c;
    if ((rc = call_begin(&c, inc, actor, role)))
        return rc;
    svcq__inc_model *m = &inc->m;
    svcq__inc_measure *x = NULL;
    rc = SVCQ__INC_J_PUSH(c.j, m->measures, &x);
    if (rc == SVCQ_ELIMIT)
        rc = svcq__error_prefix(ctx, rc, "incident %s: measures", inc->id);
    if (!rc)
        rc = SVCQ__INC_J_SET(c.j, m->next_measure, m->next_measure + 1);
    if (!rc) {
        svcq__text t;
        svcq__text_init(&t, x->id, sizeof(x->id));
        svcq__text_put(&t, "m", 1);
        svcq__text_i64(&t, m->next_measure);
        x->state = SVCQ_INCIDENT_MEASURE_PLANNED;
        x->direction = s->direction;
        x->loop = m->loop;
        x->deadline = s->deadline;
        x->baseline = s->baseline;
        x->target = s->target;
    }
    struct {
        char **dst;
        const char *src;
    } copy[] = { { x ? &x->kind : NULL, s->kind },
                 { x ? &x->what : NULL, s->what },
                 { x ? &x->root_cause : NULL, s->root_cause },
                 { x ? &x->owner : NULL, s->owner },
                 { x ? &x->indicator : NULL, s->indicator },
                 { x ? &x->unit : NULL, s->unit },
                 { x ? &x->feasibility : NULL, s->feasibility },
                 { x ? &x->expected_effect : NULL, s->expected_effect },
                 { x ? &x->approved_by : NULL, s->approved_by } };
    for (size_t i = 0; !rc && i < sizeof(copy) / sizeof(copy[0]); i++)
        rc = svcq__inc_j_dup(c.j, copy[i].src, copy[i].dst);
    char after[SVCQ_INCIDENT_MAX_TEXT + 96];
    svcq__text t;
    svcq__text_init(&t, after, sizeof(after));
    svcq__text_str(&t, x ? x->id : "");
    svcq__text_put(&t, " ", 1);
    svcq__text_str(&t, s->kind);
    svcq__text_put(&t, ": ", 2);
    svcq__text_str(&t, s->what);
    const char *id = x ? x->id : NULL;
    rc = call_end(&c, rc, "measure_added", "", after);
    if (!rc && out_id)
        *out_id = id;
    return rc;
}

/* ---- stage 5 ---------------------------------------------------------------------------- */

static int open_measure(svcq_incident *inc, const char *id, svcq__inc_measure **out)
{
    svcq__inc_measure *x = svcq__inc_find_measure(&inc->m, id);
    if (!x)
        return svcq__error(inc->ctx, SVCQ_ENOTFOUND, "incident %s: no measure %.32s", inc->id, id ? id : "(null)");
    if (x->state == SVCQ_INCIDENT_MEASURE_DONE || x->state == SVCQ_INCIDENT_MEASURE_CANCELLED)
        return svcq__error(inc->ctx, SVCQ_ESTATE, "incident %s: measure %s is already %s", inc->id, x->id,
                           svcq_incident_measure_state_name(x->state));
    *out = x;
    return SVCQ_OK;
}

int svcq_incident_ledger_add(svcq_incident *inc, const char *actor, const char *role, const svcq_incident_ledger_spec *s)
{
    if (!inc)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = inc->ctx;
    if (!s)
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: NULL ledger entry", inc->id);
    if (s->version != SVCQ_INCIDENT_LEDGER_SPEC_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION, "incident %s: ledger spec version %u is not %d", inc->id,
                           (unsigned)s->version, SVCQ_INCIDENT_LEDGER_SPEC_VERSION);
    if (s->reserved0 || !svcq__all_zero(s->reserved, sizeof(s->reserved)))
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: ledger spec reserved fields must be zero", inc->id);
    if (!svcq_incident_ledger_kind_name(s->kind))
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: unknown ledger kind %d", inc->id, (int)s->kind);
    int rc;
    bool prog = s->kind == SVCQ_INCIDENT_LEDGER_PROGRESS, dev = s->kind == SVCQ_INCIDENT_LEDGER_DEVIATION,
         adj = s->kind == SVCQ_INCIDENT_LEDGER_ADJUSTMENT;
    if (prog && (s->percent < 0 || s->percent > 100))
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: progress %d%% is not 0 to 100", inc->id, (int)s->percent);
    if ((rc = svcq__inc_check_text(ctx, inc->id, dev ? "deviation" : "note", s->note, SVCQ_INCIDENT_MAX_TEXT, dev)) ||
        (rc = svcq__inc_check_text(ctx, inc->id, "reason", s->reason, SVCQ_INCIDENT_MAX_TEXT, dev || adj)) ||
        (rc = svcq__inc_check_text(ctx, inc->id, "new owner", s->new_owner, SVCQ__INC_MAX_NAME, false)) ||
        (rc = svcq__inc_check_text(ctx, inc->id, "approver", s->approver, SVCQ__INC_MAX_NAME, adj)))
        return rc;
    if (adj && !s->new_deadline && !(s->new_owner && *s->new_owner))
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: an adjustment needs a new deadline or a new owner", inc->id);
    if (inc->m.state != SVCQ_INCIDENT_EXECUTING)
        return refuse_state(inc, "record a ledger entry");
    svcq__inc_measure *x;
    if ((rc = open_measure(inc, s->measure, &x)))
        return rc;
    size_t xi = (size_t)(x - inc->m.measures.v);
    call c;
    if ((rc = call_begin(&c, inc, actor, role)))
        return rc;
    if (adj)
        c.events[0] = "measures_changed"; /* the measure clocks reconcile (sla_link.c) */
    svcq__inc_ledger *l = NULL;
    rc = SVCQ__INC_J_PUSH(c.j, inc->m.ledger, &l);
    if (rc == SVCQ_ELIMIT)
        rc = svcq__error_prefix(ctx, rc, "incident %s: ledger", inc->id);
    if (!rc) {
        memcpy(l->measure, x->id, sizeof(l->measure));
        l->kind = s->kind;
        l->percent = prog ? s->percent : 0;
        l->at = svcq_ctx_now(ctx);
        l->new_deadline = adj ? s->new_deadline : 0;
        rc = svcq__inc_j_dup(c.j, actor, &l->actor);
    }
    if (!rc)
        rc = svcq__inc_j_dup(c.j, s->note, &l->note);
    if (!rc && (dev || adj))
        rc = svcq__inc_j_dup(c.j, s->reason, &l->reason);
    if (!rc && adj)
        rc = svcq__inc_j_dup(c.j, s->new_owner, &l->new_owner);
    if (!rc && adj)
        rc = svcq__inc_j_dup(c.j, s->approver, &l->approver);
    x = &inc->m.measures.v[xi];
    char before[300], after[300];
    svcq__text tb, ta;
    svcq__text_init(&tb, before, sizeof(before));
    svcq__text_init(&ta, after, sizeof(after));
    if (!rc && prog) {
        id_percent(&tb, x->id, x->percent);
        id_percent(&ta, x->id, s->percent);
        rc = SVCQ__INC_J_SET(c.j, x->percent, s->percent);
        if (!rc && x->state == SVCQ_INCIDENT_MEASURE_PLANNED)
            rc = SVCQ__INC_J_SET(c.j, x->state, SVCQ_INCIDENT_MEASURE_IN_PROGRESS);
    } else if (!rc && dev) {
        svcq__text_str(&ta, x->id);
        svcq__text_put(&ta, " deviation: ", 12);
        svcq__text_put(&ta, s->note, (size_t)cut(s->note, 200));
    } else if (!rc && adj) {
        const char *owner = x->owner ? x->owner : "";
        owner_deadline(&tb, x->id, owner, x->deadline);
        if (s->new_deadline)
            rc = SVCQ__INC_J_SET(c.j, x->deadline, s->new_deadline);
        if (!rc && s->new_owner && *s->new_owner)
            rc = svcq__inc_j_str(c.j, &x->owner, s->new_owner);
        owner = x->owner ? x->owner : "";
        owner_deadline(&ta, x->id, owner, x->deadline);
    }
    return call_end(&c, rc, prog ? "progress" : dev ? "deviation" : "adjustment", before, after);
}

int svcq_incident_set_measure_state(svcq_incident *inc, const char *actor, const char *role, const char *measure,
                                    int32_t state, const char *reason)
{
    if (!inc)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = inc->ctx;
    if (state != SVCQ_INCIDENT_MEASURE_DONE && state != SVCQ_INCIDENT_MEASURE_CANCELLED)
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: a measure is set done or cancelled, not %s", inc->id,
                           svcq_incident_measure_state_name(state) ? svcq_incident_measure_state_name(state) : "?");
    bool cancel = state == SVCQ_INCIDENT_MEASURE_CANCELLED;
    int rc = svcq__inc_check_text(ctx, inc->id, cancel ? "cancellation reason" : "note", reason,
                                  SVCQ_INCIDENT_MAX_TEXT, cancel);
    if (rc)
        return rc;
    if (inc->m.state != SVCQ_INCIDENT_EXECUTING && !(cancel && inc->m.state == SVCQ_INCIDENT_PLANNING))
        return refuse_state(inc, cancel ? "cancel a measure" : "finish a measure");
    svcq__inc_measure *x;
    if ((rc = open_measure(inc, measure, &x)))
        return rc;
    call c;
    if ((rc = call_begin(&c, inc, actor, role)))
        return rc;
    c.events[0] = "measures_changed";
    int32_t old = x->state;
    rc = SVCQ__INC_J_SET(c.j, x->state, state);
    if (!rc)
        rc = svcq__inc_j_str(c.j, &x->state_note, reason);
    char before[64], after[SVCQ_INCIDENT_MAX_TEXT + 64];
    svcq__text tb, ta;
    svcq__text_init(&tb, before, sizeof(before));
    svcq__text_str(&tb, x->id);
    svcq__text_put(&tb, " ", 1);
    svcq__text_str(&tb, svcq_incident_measure_state_name(old));
    svcq__text_init(&ta, after, sizeof(after));
    svcq__text_str(&ta, x->id);
    svcq__text_put(&ta, " ", 1);
    svcq__text_str(&ta, svcq_incident_measure_state_name(state));
    if (reason && *reason) {
        svcq__text_put(&ta, ": ", 2);
        svcq__text_str(&ta, reason);
    }
    return call_end(&c, rc, cancel ? "measure_cancelled" : "measure_done", before, after);
}

/* ---- stage 6 ----------------------------------------------------------------------------- */

int svcq_incident_record_indicator(svcq_incident *inc, const char *actor, const char *role, const char *measure,
                                   int64_t value)
{
    if (!inc)
        return SVCQ_EINVAL;
    if (inc->m.state != SVCQ_INCIDENT_VERIFYING)
        return refuse_state(inc, "record an indicator");
    svcq__inc_measure *x = svcq__inc_find_measure(&inc->m, measure);
    if (!x)
        return svcq__error(inc->ctx, SVCQ_ENOTFOUND, "incident %s: no measure %.32s", inc->id,
                           measure ? measure : "(null)");
    if (x->state == SVCQ_INCIDENT_MEASURE_CANCELLED)
        return svcq__error(inc->ctx, SVCQ_ESTATE, "incident %s: measure %s is cancelled", inc->id, x->id);
    call c;
    int rc = call_begin(&c, inc, actor, role);
    if (rc)
        return rc;
    char before[64], after[64];
    svcq__text tb, ta;
    svcq__text_init(&tb, before, sizeof(before));
    svcq__text_init(&ta, after, sizeof(after));
    if (x->has_measured)
        id_value(&tb, x->id, x->measured);
    id_value(&ta, x->id, value);
    rc = SVCQ__INC_J_SET(c.j, x->has_measured, true);
    if (!rc)
        rc = SVCQ__INC_J_SET(c.j, x->measured, value);
    return call_end(&c, rc, "indicator_measured", before, after);
}

static int window(svcq_incident *inc, svcq_time *from, svcq_time *to)
{
    const svcq__inc_state *st = svcq__ctx_slot(inc->ctx, SVCQ__SLOT_INCIDENT);
    uint32_t days = st ? st->window_days : 30;
    *from = inc->m.state_since;
    if (st && st->calendar) {
        int rc = svcq_calendar_add_days(to, st->calendar, *from, (int32_t)days);
        if (rc)
            return svcq__error_prefix(inc->ctx, rc, "incident %s: observation window", inc->id);
        return SVCQ_OK;
    }
    *to = *from + (svcq_time)days * 86400;
    return SVCQ_OK;
}

svcq_time svcq_incident_window_end(const svcq_incident *inc)
{
    if (!inc || inc->m.state != SVCQ_INCIDENT_VERIFYING)
        return 0;
    svcq_time from, to;
    return window((svcq_incident *)inc, &from, &to) ? 0 : to;
}

static bool reached(const svcq__inc_measure *x)
{
    if (x->direction == SVCQ_INCIDENT_LOWER_IS_BETTER)
        return x->measured <= x->target;
    return x->measured >= x->target;
}

typedef struct evaluation {
    int32_t verdict;
    uint32_t recurrences;
    svcq_time from, to;
    svcq__buf findings;
} evaluation;

static int evaluate(svcq_incident *inc, evaluation *e)
{
    svcq_ctx *ctx = inc->ctx;
    const svcq__inc_state *st = svcq__ctx_slot(ctx, SVCQ__SLOT_INCIDENT);
    int rc = window(inc, &e->from, &e->to);
    if (rc)
        return rc;
    bool ok = true, any = false;
    svcq__buf *f = &e->findings;
    for (size_t i = 0; !rc && i < inc->m.measures.len; i++) {
        const svcq__inc_measure *x = &inc->m.measures.v[i];
        if (x->loop != inc->m.loop || x->state == SVCQ_INCIDENT_MEASURE_CANCELLED)
            continue;
        any = true;
        if (!x->has_measured) {
            ok = false;
            rc = svcq__buf_printf(f, "%s: indicator %s not measured; ", x->id, x->indicator ? x->indicator : "");
        } else if (!reached(x)) {
            ok = false;
            rc = svcq__buf_printf(f, "%s: %s %" PRId64 " did not reach target %" PRId64 " (baseline %" PRId64 "); ",
                                  x->id, x->indicator ? x->indicator : "", x->measured, x->target, x->baseline);
        }
    }
    if (!rc && !any) {
        ok = false;
        rc = svcq__buf_puts(f, "no indicator in this loop; ");
    }
    if (rc)
        return svcq__enomem(ctx);
    svcq__buf key;
    svcq__buf_init(&key, ctx);
    rc = svcq__inc_simkey(&inc->m, &key);
    if (rc)
        rc = svcq__enomem(ctx);
    if (!rc)
        rc = svcq__inc_count_similar(ctx, inc->id, key.data, e->from, e->to, &e->recurrences);
    svcq__buf_free(&key);
    if (rc)
        return rc;
    uint32_t max = st ? st->max_recurrences : 0;
    if (e->recurrences > max) {
        ok = false;
        if (svcq__buf_printf(f, "%u similar incidents in the window, more than %u; ", (unsigned)e->recurrences,
                             (unsigned)max))
            return svcq__enomem(ctx);
    }
    if (f->len >= 2)
        svcq__buf_truncate(f, f->len - 2);
    e->verdict = ok ? SVCQ_INCIDENT_EFFECTIVE : SVCQ_INCIDENT_NOT_EFFECTIVE;
    return SVCQ_OK;
}

int svcq_incident_evaluate(int32_t *verdict, uint32_t *recurrences, svcq_incident *inc)
{
    if (!inc)
        return SVCQ_EINVAL;
    if (!verdict)
        return svcq__error(inc->ctx, SVCQ_EINVAL, "incident %s: NULL verdict", inc->id);
    if (inc->m.state != SVCQ_INCIDENT_VERIFYING)
        return refuse_state(inc, "evaluate the effect");
    evaluation e = { 0 };
    svcq__buf_init(&e.findings, inc->ctx);
    int rc = evaluate(inc, &e);
    svcq__buf_free(&e.findings);
    if (rc)
        return rc;
    *verdict = e.verdict;
    if (recurrences)
        *recurrences = e.recurrences;
    return SVCQ_OK;
}

static void fmt_utc(svcq_time t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(out, 32, "%" PRId64, (int64_t)t);
}

int svcq_incident_verify(int32_t *out_verdict, svcq_incident *inc, const char *actor, const char *role,
                         int64_t csat_before, int64_t csat_after, const char *note)
{
    if (!inc)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = inc->ctx;
    int rc = svcq__inc_check_text(ctx, inc->id, "note", note, SVCQ_INCIDENT_MAX_TEXT, false);
    if (!rc)
        rc = svcq__inc_check_actor(ctx, inc->id, actor, role);
    if (rc)
        return rc;
    if (inc->m.state != SVCQ_INCIDENT_VERIFYING)
        return refuse_state(inc, "verify");
    evaluation e = { 0 };
    svcq__buf_init(&e.findings, ctx);
    rc = evaluate(inc, &e);
    svcq_time now = svcq_ctx_now(ctx);
    if (!rc && now < e.to) {
        char when[32];
        fmt_utc(e.to, when);
        rc = svcq__error(ctx, SVCQ_ESTATE, "incident %s: cannot verify: the observation window ends %s", inc->id,
                         when);
    }
    call c;
    if (!rc)
        rc = call_begin(&c, inc, actor, role);
    if (rc) {
        svcq__buf_free(&e.findings);
        return rc;
    }
    svcq__inc_model *m = &inc->m;
    svcq__inc_verification *v = NULL;
    rc = SVCQ__INC_J_PUSH(c.j, m->verifications, &v);
    if (rc == SVCQ_ELIMIT)
        rc = svcq__error_prefix(ctx, rc, "incident %s: verifications", inc->id);
    if (!rc) {
        v->at = now;
        v->loop = m->loop;
        v->window_from = e.from;
        v->window_to = e.to;
        v->csat_before = csat_before;
        v->csat_after = csat_after;
        v->recurrences = e.recurrences;
        svcq_time span = e.to > e.from ? e.to - e.from : 1;
        v->per_30_days = (int64_t)((double)e.recurrences * 30.0 * 86400.0 * 1000.0 / (double)span + 0.5);
        v->verdict = e.verdict;
        rc = svcq__inc_j_dup(c.j, actor, &v->by);
    }
    if (!rc)
        rc = svcq__inc_j_dup(c.j, role, &v->role);
    if (!rc)
        rc = svcq__inc_j_dup(c.j, note, &v->note);
    if (!rc && e.findings.len)
        rc = svcq__inc_j_dup(c.j, e.findings.data, &v->findings);
    bool effective = e.verdict == SVCQ_INCIDENT_EFFECTIVE;
    if (!rc && !effective) {
        rc = SVCQ__INC_J_SET(c.j, m->loop, m->loop + 1);
        if (!rc)
            rc = set_state(&c, SVCQ_INCIDENT_ANALYSING);
    }
    c.events[0] = effective ? "verified" : "verification_failed";
    char after[600];
    const char *findings = e.findings.len ? e.findings.data : "";
    svcq__text t;
    svcq__text_init(&t, after, sizeof(after));
    svcq__text_str(&t, effective ? sname(SVCQ_INCIDENT_VERIFYING) : sname(SVCQ_INCIDENT_ANALYSING));
    svcq__text_put(&t, ": ", 2);
    svcq__text_str(&t, svcq_incident_verdict_name(e.verdict));
    if (e.findings.len) {
        svcq__text_put(&t, "; ", 2);
        svcq__text_put(&t, findings, (size_t)cut(findings, 400));
    }
    svcq__buf_free(&e.findings);
    rc = call_end(&c, rc, effective ? "verified" : "verification_failed", sname(SVCQ_INCIDENT_VERIFYING), after);
    if (!rc && out_verdict)
        *out_verdict = effective ? SVCQ_INCIDENT_EFFECTIVE : SVCQ_INCIDENT_NOT_EFFECTIVE;
    return rc;
}

/* ---- stage 7 ------------------------------------------------------------------------------- */

int svcq_incident_add_improvement(svcq_incident *inc, const char *actor, const char *role, const char *kind,
                                  const char *reference, const char *note)
{
    if (!inc)
        return SVCQ_EINVAL;
    int rc;
    if ((rc = svcq__inc_check_key(inc->ctx, inc->id, "improvement kind", SVCQ_INCIDENT_VOCAB_IMPROVEMENT, kind)) ||
        (rc = svcq__inc_check_text(inc->ctx, inc->id, "improvement reference", reference, SVCQ_INCIDENT_MAX_TEXT,
                                   true)) ||
        (rc = svcq__inc_check_text(inc->ctx, inc->id, "improvement note", note, SVCQ_INCIDENT_MAX_TEXT, false)))
        return rc;
    if (inc->m.state != SVCQ_INCIDENT_VERIFYING && inc->m.state != SVCQ_INCIDENT_CLOSED)
        return refuse_state(inc, "add an improvement");
    call c;
    if ((rc = call_begin(&c, inc, actor, role)))
        return rc;
    svcq__inc_improvement *x;
    rc = SVCQ__INC_J_PUSH(c.j, inc->m.improvements, &x);
    if (rc == SVCQ_ELIMIT)
        rc = svcq__error_prefix(inc->ctx, rc, "incident %s: improvements", inc->id);
    if (!rc)
        rc = svcq__inc_j_dup(c.j, kind, &x->kind);
    if (!rc)
        rc = svcq__inc_j_dup(c.j, reference, &x->reference);
    if (!rc)
        rc = svcq__inc_j_dup(c.j, note, &x->note);
    if (!rc)
        rc = svcq__inc_j_dup(c.j, actor, &x->by);
    if (!rc)
        x->at = svcq_ctx_now(inc->ctx);
    char after[SVCQ_INCIDENT_MAX_TEXT + 80];
    svcq__text t;
    svcq__text_init(&t, after, sizeof(after));
    svcq__text_str(&t, kind);
    svcq__text_put(&t, ": ", 2);
    svcq__text_str(&t, reference);
    return call_end(&c, rc, "improvement_added", "", after);
}

int svcq_incident_set_lessons(svcq_incident *inc, const char *actor, const char *role, const char *lessons)
{
    if (!inc)
        return SVCQ_EINVAL;
    int rc = svcq__inc_check_text(inc->ctx, inc->id, "lessons", lessons, SVCQ_INCIDENT_MAX_TEXT, true);
    if (rc)
        return rc;
    if (svcq__inc_final(inc->m.state))
        return refuse_state(inc, "set the lessons learned");
    call c;
    if ((rc = call_begin(&c, inc, actor, role)))
        return rc;
    /* The old text stays allocated until the journal is released, after
     * the audit entry was written (a copy here would leak: the journal
     * frees new allocations on rollback only). */
    const char *before = inc->m.lessons;
    rc = svcq__inc_j_str(c.j, &inc->m.lessons, lessons);
    return call_end(&c, rc, "lessons_set", before ? before : "", lessons);
}

/* ---- recurrence and reopening ----------------------------------------------------------------- */

int svcq_incident_link_recurrence(svcq_incident *inc, const char *actor, const char *role, const char *other)
{
    if (!inc)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = inc->ctx;
    if (!other)
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: NULL recurrence id", inc->id);
    int rc = svcq__store_check_id(ctx, other);
    if (rc)
        return svcq__error_prefix(ctx, rc, "incident %s: recurrence", inc->id);
    if (strcmp(other, inc->id) == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: cannot be its own recurrence", inc->id);
    if (svcq__inc_final(inc->m.state))
        return refuse_state(inc, "link a recurrence");
    for (size_t i = 0; i < inc->m.recurrences.len; i++)
        if (strcmp(inc->m.recurrences.v[i], other) == 0)
            return svcq__error(ctx, SVCQ_EEXIST, "incident %s: %s is already linked as a recurrence", inc->id, other);
    if ((rc = svcq__inc_check_actor(ctx, inc->id, actor, role)))
        return rc;
    char *bytes = NULL;
    size_t size = 0;
    uint64_t rev = 0;
    rc = svcq__store_get(ctx, SVCQ__INC_KIND, other, &bytes, &size, &rev);
    svcq__free(ctx, bytes);
    if (rc == SVCQ_ENOTFOUND)
        return svcq__error(ctx, rc, "incident %s: recurrence %s is not a stored incident", inc->id, other);
    if (rc)
        return rc;
    const svcq__inc_state *st = svcq__ctx_slot(ctx, SVCQ__SLOT_INCIDENT);
    int64_t period = st ? st->reopen_period : 90 * 86400;
    svcq_time now = svcq_ctx_now(ctx);
    bool reopen = inc->m.state == SVCQ_INCIDENT_CLOSED && now - inc->m.closed_at <= period;
    call c;
    if ((rc = call_begin(&c, inc, actor, role)))
        return rc;
    char **slot;
    rc = SVCQ__INC_J_PUSH(c.j, inc->m.recurrences, &slot);
    if (rc == SVCQ_ELIMIT)
        rc = svcq__error_prefix(ctx, rc, "incident %s: recurrences", inc->id);
    if (!rc)
        rc = svcq__inc_j_dup(c.j, other, slot);
    if (!rc && reopen) {
        rc = SVCQ__INC_J_SET(c.j, inc->m.loop, inc->m.loop + 1);
        if (!rc)
            rc = set_state(&c, SVCQ_INCIDENT_ANALYSING);
        c.events[0] = "reopened";
    }
    char after[SVCQ_STORE_MAX_ID + 32];
    snprintf(after, sizeof(after), reopen ? "analysing: recurrence %s" : "recurrence %s", other);
    return call_end(&c, rc, reopen ? "reopened" : "recurrence_linked", reopen ? sname(SVCQ_INCIDENT_CLOSED) : "",
                    after);
}

int svcq_incident_set_similarity_key(svcq_incident *inc, const char *actor, const char *role, const char *key)
{
    if (!inc)
        return SVCQ_EINVAL;
    int rc = svcq__inc_check_text(inc->ctx, inc->id, "similarity key", key, SVCQ__INC_MAX_NAME, false);
    if (rc)
        return rc;
    call c;
    if ((rc = call_begin(&c, inc, actor, role)))
        return rc;
    const char *before = inc->m.similarity_key; /* freed when the journal is released, as above */
    rc = svcq__inc_j_str(c.j, &inc->m.similarity_key, key);
    return call_end(&c, rc, "similarity_key_set", before ? before : "", key ? key : "");
}

/* ---- the call pattern for review.c ------------------------------------------------------- */

int svcq__inc_mutate(svcq_incident *inc, const char *actor, const char *role, svcq__inc_change_fn fn, void *user,
                     const char *action, const char *before, const char *after)
{
    call c;
    int rc = call_begin(&c, inc, actor, role);
    if (rc)
        return rc;
    return call_end(&c, fn(inc, c.j, user), action, before, after);
}
