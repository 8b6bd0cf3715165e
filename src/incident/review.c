/* Typical cases and the review pack of the periodic review meeting
 * (svcq/incident.h, "The documents of the process"). Marking a case is an
 * ordinary mutating call of the incident (svcq__inc_mutate: one
 * transaction, audited); the pack reads the stored incidents through the
 * archive scan. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "core/str.h"
#include "incident/forms_internal.h"

/* ---- marking ------------------------------------------------------------------------------ */

typedef struct mark {
    const char *note, *actor;
} mark;

static int mark_change(svcq_incident *inc, svcq__inc_journal *j, void *user)
{
    const mark *k = user;
    int rc = svcq__inc_j_str(j, &inc->m.typical_note, k->note);
    if (!rc)
        rc = svcq__inc_j_str(j, &inc->m.typical_by, k->actor);
    if (!rc)
        rc = SVCQ__INC_J_SET(j, inc->m.typical_at, svcq_ctx_now(inc->ctx));
    return rc;
}

int svcq_incident_mark_typical(svcq_incident *inc, const char *actor, const char *role, const char *note)
{
    if (!inc)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = inc->ctx;
    int rc = svcq__inc_check_text(ctx, inc->id, "typical-case note", note, SVCQ_INCIDENT_MAX_TEXT, true);
    if (rc)
        return rc;
    if (inc->m.state == SVCQ_INCIDENT_REJECTED || inc->m.state == SVCQ_INCIDENT_CANCELLED)
        return svcq__error(ctx, SVCQ_ESTATE, "incident %s: cannot mark as a typical case in state %s", inc->id,
                           svcq_incident_state_name(inc->m.state));
    if (inc->m.typical_note)
        return svcq__error(ctx, SVCQ_EEXIST, "incident %s: already marked as a typical case by %s", inc->id,
                           inc->m.typical_by ? inc->m.typical_by : "?");
    mark k = { note, actor };
    return svcq__inc_mutate(inc, actor, role, mark_change, &k, "marked_typical", "", note);
}

static int unmark_change(svcq_incident *inc, svcq__inc_journal *j, void *user)
{
    (void)user;
    int rc = svcq__inc_j_str(j, &inc->m.typical_note, NULL);
    if (!rc)
        rc = svcq__inc_j_str(j, &inc->m.typical_by, NULL);
    if (!rc)
        rc = SVCQ__INC_J_SET(j, inc->m.typical_at, 0);
    return rc;
}

int svcq_incident_unmark_typical(svcq_incident *inc, const char *actor, const char *role, const char *reason)
{
    if (!inc)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = inc->ctx;
    int rc = svcq__inc_check_text(ctx, inc->id, "reason for unmarking the typical case", reason,
                                  SVCQ_INCIDENT_MAX_TEXT, true);
    if (rc)
        return rc;
    if (!inc->m.typical_note)
        return svcq__error(ctx, SVCQ_ESTATE, "incident %s: is not marked as a typical case", inc->id);
    /* The audit entry keeps the note it takes away: the trail says what the
     * case was and why it stopped being one. */
    return svcq__inc_mutate(inc, actor, role, unmark_change, NULL, "unmarked_typical", inc->m.typical_note, reason);
}

const char *svcq_incident_typical_note(const svcq_incident *inc)
{
    return inc ? inc->m.typical_note : NULL;
}

/* ---- shared Markdown pieces ---------------------------------------------------------------- */

int svcq__inc_md_root_causes(const svcq_incident *inc, svcq__buf *b)
{
    svcq_ctx *ctx = inc->ctx;
    int rc = SVCQ_OK;
    size_t shown = 0;
    for (size_t i = 0; !rc && i < inc->m.analyses.len; i++) {
        svcq_analysis *a = NULL;
        rc = svcq_analysis_load(&a, ctx, inc->m.analyses.v[i]);
        if (rc) {
            rc = svcq__error_prefix(ctx, rc, "incident %s: analysis %s", inc->id, inc->m.analyses.v[i]);
            break;
        }
        size_t n = svcq_analysis_root_cause_count(a);
        for (size_t k = 0; !rc && k < n; k++, shown++) {
            const char *node = svcq_analysis_root_cause(a, k);
            if (svcq__buf_puts(b, "- ") || svcq__inc_md_cell(b, svcq_analysis_node_text(a, node)) ||
                svcq__buf_printf(b, " (%s:%s)\n", inc->m.analyses.v[i], node))
                rc = svcq__enomem(ctx);
        }
        svcq_analysis_free(a);
    }
    if (!rc && !shown && svcq__buf_puts(b, SVCQ__INC_TBF "\n"))
        rc = svcq__enomem(ctx);
    return rc;
}

int svcq__inc_md_measures(const svcq_incident *inc, const svcq_tz *tz, svcq__buf *b)
{
    svcq_ctx *ctx = inc->ctx;
    const svcq__inc_model *m = &inc->m;
    if (!m->measures.len)
        return svcq__buf_puts(b, SVCQ__INC_TBF "\n") ? svcq__enomem(ctx) : SVCQ_OK;
    int rc = svcq__buf_puts(b, "| Measure | What | Owner | Deadline | State | Indicator | Baseline | Target | "
                               "Measured |\n|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; !rc && i < m->measures.len; i++) {
        const svcq__inc_measure *x = &m->measures.v[i];
        char dl[64] = "", base[32], tgt[32], meas[32];
        if (x->deadline && (rc = svcq__inc_local(ctx, tz, x->deadline, false, dl)) != 0)
            return rc;
        svcq__inc_milli(x->baseline, base);
        svcq__inc_milli(x->target, tgt);
        svcq__inc_milli(x->measured, meas);
        if (svcq__buf_printf(b, "| %s | ", x->id) || svcq__inc_md_cell(b, x->what) || svcq__buf_puts(b, " | ") ||
            svcq__inc_md_cell(b, x->owner) ||
            svcq__buf_printf(b, " | %s | %s | ", dl, svcq_incident_measure_state_name(x->state)) ||
            svcq__inc_md_cell(b, x->indicator) ||
            svcq__buf_printf(b, "%s%s%s | %s | %s | %s |\n", x->unit ? " (" : "", x->unit ? x->unit : "",
                             x->unit ? ")" : "", base, tgt, x->has_measured ? meas : SVCQ__INC_TBF))
            rc = svcq__enomem(ctx);
    }
    return rc;
}

/* ---- the review pack -------------------------------------------------------------------- */

typedef struct pick {
    svcq_time from, to;
    char **ids;
    size_t len, cap;
} pick;

static int pick_visit(svcq_ctx *ctx, const svcq__inc_summary *s, void *user)
{
    pick *p = user;
    if (s->reported_at < p->from || s->reported_at >= p->to || !svcq__json_get(s->root, "typical_note"))
        return SVCQ_OK;
    if (p->len == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 8;
        char **v = svcq__realloc(ctx, p->ids, cap * sizeof(*v));
        if (!v)
            return svcq__enomem(ctx);
        p->ids = v;
        p->cap = cap;
    }
    char *id = NULL;
    int rc = svcq__strdup(ctx, "incident id", s->id, &id);
    if (!rc)
        p->ids[p->len++] = id;
    return rc;
}

static int row_text(svcq__buf *b, const char *label, const char *s)
{
    if (svcq__buf_printf(b, "| %s | ", label))
        return SVCQ_ENOMEM;
    if (s && *s ? svcq__inc_md_cell(b, s) : svcq__buf_puts(b, SVCQ__INC_TBF))
        return SVCQ_ENOMEM;
    return svcq__buf_puts(b, " |\n") ? SVCQ_ENOMEM : SVCQ_OK;
}

static int one_case(svcq_ctx *ctx, const svcq_incident *inc, const svcq_tz *tz, svcq__buf *b)
{
    const svcq__inc_model *m = &inc->m;
    char rep[64], marked[64], buf[128];
    int rc = svcq__inc_local(ctx, tz, m->reported_at, false, rep);
    if (!rc)
        rc = svcq__inc_local(ctx, tz, m->typical_at, false, marked);
    if (rc)
        return rc;
    bool oom = svcq__buf_printf(b, "\n## Incident %s: ", inc->id) ||
               svcq__inc_md_cell(b, svcq__inc_label(ctx, SVCQ_INCIDENT_VOCAB_TYPE, m->type)) ||
               svcq__buf_puts(b, ", ") ||
               svcq__inc_md_cell(b, svcq__inc_label(ctx, SVCQ_INCIDENT_VOCAB_STAGE, m->stage)) ||
               svcq__buf_puts(b, "\n\n| Field | Value |\n|---|---|\n");
    snprintf(buf, sizeof(buf), "%s, loop %" PRIu32, svcq_incident_state_name(m->state), m->loop);
    oom = oom || row_text(b, "Reported", rep) || row_text(b, "State", buf) || row_text(b, "Client", m->client) ||
          row_text(b, "Observed", m->observed) || row_text(b, "Impact", m->impact) ||
          row_text(b, "Responsibility", svcq__inc_label(ctx, SVCQ_INCIDENT_VOCAB_RESPONSIBILITY, m->category)) ||
          row_text(b, "Why typical", m->typical_note) ||
          svcq__buf_printf(b, "| Marked by | %s, %s |\n", m->typical_by ? m->typical_by : "?", marked) ||
          svcq__buf_puts(b, "\n### Cause\n\n");
    if (oom)
        return svcq__enomem(ctx);
    if ((rc = svcq__inc_md_root_causes(inc, b)) != 0)
        return rc;
    if (svcq__buf_puts(b, "\n### Measures\n\n"))
        return svcq__enomem(ctx);
    if ((rc = svcq__inc_md_measures(inc, tz, b)) != 0)
        return rc;
    if (svcq__buf_puts(b, "\n### Verification\n\n"))
        return svcq__enomem(ctx);
    const svcq__inc_verification *v = m->verifications.len ? &m->verifications.v[m->verifications.len - 1] : NULL;
    if (v) {
        char at[64], before[32], after[32], per[32];
        if ((rc = svcq__inc_local(ctx, tz, v->at, false, at)) != 0)
            return rc;
        svcq__inc_milli(v->csat_before, before);
        svcq__inc_milli(v->csat_after, after);
        svcq__inc_milli(v->per_30_days, per);
        oom = svcq__buf_printf(b, "%s (loop %" PRIu32 "): CSAT %s -> %s, %" PRIu32 " recurrence(s) (%s per 30 "
                               "days); confirmed by %s (%s), %s.\n", svcq_incident_verdict_name(v->verdict), v->loop,
                               before, after, v->recurrences, per, v->by ? v->by : "?", v->role ? v->role : "?", at);
        if (!oom && v->findings)
            oom = svcq__buf_puts(b, "\nFindings: ") || svcq__inc_md_cell(b, v->findings) || svcq__buf_putc(b, '\n');
    } else {
        oom = svcq__buf_puts(b, SVCQ__INC_TBF "\n");
    }
    oom = oom || svcq__buf_puts(b, "\n### Lessons learned\n\n") ||
          (m->lessons ? svcq__inc_md_cell(b, m->lessons) : svcq__buf_puts(b, SVCQ__INC_TBF)) ||
          svcq__buf_putc(b, '\n');
    return oom ? svcq__enomem(ctx) : SVCQ_OK;
}

int svcq_incident_review_pack(svcq_ctx *ctx, const svcq_writer *writer, svcq_time from, svcq_time to,
                              const svcq_tz *tz)
{
    if (!ctx)
        return SVCQ_EINVAL;
    if (!writer)
        return svcq__error(ctx, SVCQ_EINVAL, "incident review pack: NULL writer");
    if (to <= from)
        return svcq__error(ctx, SVCQ_EINVAL, "incident review pack: the period ends (%" PRId64 ") before it "
                           "starts (%" PRId64 ")", (int64_t)to, (int64_t)from);
    char f[64], t[64];
    int rc = svcq__inc_local(ctx, tz, from, false, f);
    if (!rc)
        rc = svcq__inc_local(ctx, tz, to, false, t);
    if (rc)
        return rc;
    pick p = { from, to, NULL, 0, 0 };
    rc = svcq__inc_scan(ctx, pick_visit, &p);
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    if (!rc && svcq__buf_printf(&b, "# Review pack: typical cases reported from %s to %s\n\n%zu typical case%s.\n",
                                f, t, p.len, p.len == 1 ? "" : "s"))
        rc = svcq__enomem(ctx);
    for (size_t i = 0; !rc && i < p.len; i++) {
        svcq_incident *inc = NULL;
        rc = svcq_incident_load(&inc, ctx, p.ids[i]);
        if (!rc)
            rc = one_case(ctx, inc, tz, &b);
        svcq_incident_free(inc);
    }
    if (!rc)
        rc = svcq_writer_write(writer, b.data, b.len);
    svcq__buf_free(&b);
    for (size_t i = 0; i < p.len; i++)
        svcq__free(ctx, p.ids[i]);
    svcq__free(ctx, p.ids);
    return rc;
}
