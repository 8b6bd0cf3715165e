/* The forms of the process (svcq/incident.h, "The documents of the
 * process"): the anomaly report, cause-analysis, corrective-action tracking
 * and effect-verification forms, each in Markdown and JSON (schema
 * "svcq.incident_form/<name>/1", docs/format.md), the tracking form also in
 * CSV. One field list per form drives both Markdown and JSON: a field not
 * filled yet is "(to be filled)" in one and null in the other. The text is
 * built in memory and written in one piece, so a failing call writes
 * nothing. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "incident/forms_internal.h"

/* ---- shared helpers ------------------------------------------------------------------ */

void svcq__inc_milli(int64_t v, char out[32])
{
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int n = snprintf(out, 32, "%s%" PRIu64, v < 0 ? "-" : "", a / 1000);
    unsigned frac = (unsigned)(a % 1000);
    if (frac) {
        char f[8];
        snprintf(f, sizeof(f), "%03u", frac);
        for (int i = 2; i > 0 && f[i] == '0'; i--)
            f[i] = '\0';
        snprintf(out + n, (size_t)(32 - n), ".%s", f);
    }
}

int svcq__inc_local(svcq_ctx *ctx, const svcq_tz *tz, svcq_time t, bool json, char out[64])
{
    uint32_t flags = json ? SVCQ_TIME_FORMAT_DEFAULT : (SVCQ_TIME_FORMAT_NO_SECONDS | SVCQ_TIME_FORMAT_SPACE);
    if (tz)
        return svcq_tz_format(out, 64, NULL, tz, t, flags);
    svcq_tz *utc = NULL;
    int rc = svcq_tz_fixed(&utc, ctx, 0);
    if (!rc)
        rc = svcq_tz_format(out, 64, NULL, utc, t, flags);
    svcq_tz_free(utc);
    return rc;
}

int svcq__inc_md_cell(svcq__buf *b, const char *s)
{
    int rc = SVCQ_OK;
    for (; !rc && s && *s; s++) {
        if (*s == '|')
            rc = svcq__buf_puts(b, "\\|");
        else if (*s == '\n')
            rc = svcq__buf_puts(b, "<br>");
        else
            rc = svcq__buf_putc(b, *s);
    }
    return rc;
}

const char *svcq__inc_label(const svcq_ctx *ctx, int32_t vocab, const char *key)
{
    const char *l = key ? svcq_incident_vocab_label(ctx, vocab, key) : NULL;
    return l ? l : key;
}

/* ---- the field writer ------------------------------------------------------------------ */

typedef struct fw {
    svcq_ctx *ctx;
    const svcq_incident *inc;
    const svcq_tz *tz;
    bool json;
    svcq__buf *b;
    svcq__jw *jw;
    int rc;      /* sticky: the first failure */
    bool passed; /* the stage of the current section is done: an empty field stays empty ("-") */
} fw;

static void md(fw *f, const char *s)
{
    if (!f->rc && svcq__buf_puts(f->b, s))
        f->rc = svcq__enomem(f->ctx);
}

static void md_cell(fw *f, const char *s)
{
    if (!f->rc && svcq__inc_md_cell(f->b, s))
        f->rc = svcq__enomem(f->ctx);
}

/* Starts a section of fields. */
static void sec(fw *f, const char *key, const char *title)
{
    if (f->json) {
        svcq__jw_key(f->jw, key);
        svcq__jw_object_begin(f->jw);
        return;
    }
    md(f, "\n## ");
    md(f, title);
    md(f, "\n\n| Field | Value |\n|---|---|\n");
}

static void sec_end(fw *f)
{
    if (f->json)
        svcq__jw_object_end(f->jw);
}

/* A field: s NULL or "" is not filled yet ("-" once its stage passed);
 * na, when set, says why the field does not apply (null in JSON). */
static void fld_na(fw *f, const char *key, const char *label, const char *s, const char *na)
{
    if (s && !*s)
        s = NULL;
    if (f->json) {
        svcq__jw_key(f->jw, key);
        if (s)
            svcq__jw_string(f->jw, s);
        else
            svcq__jw_null(f->jw);
        return;
    }
    md(f, "| ");
    md(f, label);
    md(f, " | ");
    if (s) {
        md_cell(f, s);
    } else if (na) {
        md(f, "(not applicable: ");
        md_cell(f, na);
        md(f, ")");
    } else {
        md(f, f->passed ? "-" : SVCQ__INC_TBF);
    }
    md(f, " |\n");
}

static void fld(fw *f, const char *key, const char *label, const char *s)
{
    fld_na(f, key, label, s, NULL);
}

/* A vocabulary key: in JSON the key, in Markdown its label. */
static void fld_key(fw *f, const char *key, const char *label, int32_t vocab, const char *k)
{
    fld(f, key, label, f->json ? k : svcq__inc_label(f->ctx, vocab, k));
}

static void fld_time(fw *f, const char *key, const char *label, svcq_time t)
{
    char s[64] = "";
    if (t && !f->rc && (f->rc = svcq__inc_local(f->ctx, f->tz, t, f->json, s)) != 0)
        return;
    fld(f, key, label, t ? s : NULL);
}

/* A number in thousandths: a JSON number, a Markdown decimal (with unit). */
static void fld_milli(fw *f, const char *key, const char *label, bool has, int64_t v, const char *unit)
{
    if (f->json) {
        svcq__jw_key(f->jw, key);
        if (has)
            svcq__jw_double(f->jw, (double)v / 1000.0);
        else
            svcq__jw_null(f->jw);
        return;
    }
    char s[64] = "", d[32];
    if (has) {
        svcq__inc_milli(v, d);
        snprintf(s, sizeof(s), "%s%s%s", d, unit ? " " : "", unit ? unit : "");
    }
    fld(f, key, label, has ? s : NULL);
}

static void fld_int(fw *f, const char *key, const char *label, bool has, int64_t v)
{
    if (f->json) {
        svcq__jw_key(f->jw, key);
        if (has)
            svcq__jw_int(f->jw, v);
        else
            svcq__jw_null(f->jw);
        return;
    }
    char s[32];
    snprintf(s, sizeof(s), "%" PRId64, v);
    fld(f, key, label, has ? s : NULL);
}

/* Tables: a title, the header, rows of cells. An empty table is "(to be
 * filled)" ("None." once its stage passed) in Markdown and [] in JSON. */
static void tbl(fw *f, const char *key, const char *title, size_t rows, const char *header)
{
    if (f->json) {
        svcq__jw_key(f->jw, key);
        svcq__jw_array_begin(f->jw);
        return;
    }
    md(f, "\n## ");
    md(f, title);
    md(f, "\n\n");
    md(f, rows ? header : f->passed ? "None.\n" : SVCQ__INC_TBF "\n");
}

static void tbl_end(fw *f)
{
    if (f->json)
        svcq__jw_array_end(f->jw);
}

static void row(fw *f)
{
    if (f->json)
        svcq__jw_object_begin(f->jw);
}

static void row_end(fw *f)
{
    if (f->json)
        svcq__jw_object_end(f->jw);
    else
        md(f, "|\n");
}

/* A cell: fill says whether an empty value is still to be filled (else
 * the cell stays blank). */
static void cell_x(fw *f, const char *key, const char *s, bool fill)
{
    if (s && !*s)
        s = NULL;
    if (f->json) {
        svcq__jw_key(f->jw, key);
        if (s)
            svcq__jw_string(f->jw, s);
        else
            svcq__jw_null(f->jw);
        return;
    }
    md(f, "| ");
    if (s)
        md_cell(f, s);
    else if (fill)
        md(f, SVCQ__INC_TBF);
    md(f, " ");
}

static void cell(fw *f, const char *key, const char *s)
{
    cell_x(f, key, s, false);
}

static void cell_time(fw *f, const char *key, svcq_time t)
{
    char s[64] = "";
    if (t && !f->rc && (f->rc = svcq__inc_local(f->ctx, f->tz, t, f->json, s)) != 0)
        return;
    cell(f, key, t ? s : NULL);
}

static void cell_milli(fw *f, const char *key, bool has, int64_t v, bool fill)
{
    if (f->json) {
        svcq__jw_key(f->jw, key);
        if (has)
            svcq__jw_double(f->jw, (double)v / 1000.0);
        else
            svcq__jw_null(f->jw);
        return;
    }
    char d[32];
    svcq__inc_milli(v, d);
    cell_x(f, key, has ? d : NULL, fill);
}

static void cell_int(fw *f, const char *key, int64_t v)
{
    if (f->json) {
        svcq__jw_key(f->jw, key);
        svcq__jw_int(f->jw, v);
        return;
    }
    char s[32];
    snprintf(s, sizeof(s), "%" PRId64, v);
    cell(f, key, s);
}

/* ---- the forms -------------------------------------------------------------------------- */

static const char *const form_title[] = { NULL, "Anomaly report form", "Cause-analysis form",
                                          "Corrective-action tracking form", "Effect-verification form" };

const char *svcq_incident_form_name(int32_t form)
{
    static const char *const names[] = { NULL, "anomaly_report", "cause_analysis", "corrective_action",
                                         "effect_verification" };
    return form >= 1 && form <= 4 ? names[form] : NULL;
}

const char *svcq_incident_form_format_name(int32_t format)
{
    static const char *const names[] = { NULL, "markdown", "json", "csv" };
    return format >= 1 && format <= 3 ? names[format] : NULL;
}

static void head(fw *f, int32_t form)
{
    const svcq__inc_model *m = &f->inc->m;
    if (f->json) {
        char schema[64];
        snprintf(schema, sizeof(schema), "svcq.incident_form/%s/1", svcq_incident_form_name(form));
        svcq__jw_object_begin(f->jw);
        svcq__jw_key(f->jw, "schema");
        svcq__jw_string(f->jw, schema);
        svcq__jw_key(f->jw, "incident");
        svcq__jw_string(f->jw, f->inc->id);
        svcq__jw_key(f->jw, "state");
        svcq__jw_string(f->jw, svcq_incident_state_name(m->state));
        svcq__jw_key(f->jw, "loop");
        svcq__jw_int(f->jw, m->loop);
        return;
    }
    char line[64];
    md(f, "# ");
    md(f, form_title[form]);
    md(f, ": incident ");
    md(f, f->inc->id);
    md(f, "\n\n");
    snprintf(line, sizeof(line), "State: %s, loop %" PRIu32 ".\n", svcq_incident_state_name(m->state), m->loop);
    md(f, line);
}

static void anomaly_report(fw *f)
{
    const svcq__inc_model *m = &f->inc->m;
    f->passed = true; /* reported: the incident exists */
    sec(f, "anomaly", "The anomaly");
    fld_key(f, "type", "Type", SVCQ_INCIDENT_VOCAB_TYPE, m->type);
    fld_key(f, "stage", "Service stage", SVCQ_INCIDENT_VOCAB_STAGE, m->stage);
    fld_key(f, "channel", "Reported through", SVCQ_INCIDENT_VOCAB_CHANNEL, m->channel);
    fld_time(f, "occurred_at", "When it happened", m->occurred_at);
    fld_time(f, "reported_at", "When it was reported", m->reported_at);
    fld(f, "location", "Where", m->location);
    fld(f, "touchpoint", "Touchpoint", m->touchpoint);
    fld(f, "observed", "What was observed", m->observed);
    fld(f, "impact", "Impact", m->impact);
    sec_end(f);
    sec(f, "reporter", "Reporter and client");
    fld(f, "name", "Reporter", m->reporter_name);
    fld(f, "role", "Reporter's role", m->reporter_role);
    fld(f, "contact", "Reporter's contact", m->reporter_contact);
    fld(f, "client", "Client", m->client);
    fld(f, "ticket", "Ticket", m->ticket);
    sec_end(f);
    sec(f, "containment", "Containment");
    fld(f, "action", "Immediate action taken", m->containment);
    sec_end(f);
    tbl(f, "attachments", "Attachments", m->attachments.len,
        "| Kind | Reference | Note | Added by | Added at |\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < m->attachments.len; i++) {
        const svcq__inc_attachment *a = &m->attachments.v[i];
        row(f);
        cell(f, "kind", f->json ? a->kind : svcq__inc_label(f->ctx, SVCQ_INCIDENT_VOCAB_ATTACHMENT, a->kind));
        cell(f, "uri", a->uri);
        cell(f, "note", a->note);
        cell(f, "by", a->by);
        cell_time(f, "at", a->at);
        row_end(f);
    }
    tbl_end(f);
}

/* Appends the cause report of analysis a to the Markdown, its headings one
 * level down. */
static int buf_write(const char *data, size_t size, void *user)
{
    return svcq__buf_append(user, data, size);
}

static int report_of(fw *f, const svcq_analysis *a, svcq__buf *out)
{
    svcq_writer w;
    int rc = svcq_writer_init(&w, SVCQ_WRITER_VERSION);
    if (rc)
        return rc;
    w.write = buf_write;
    w.user_data = out;
    return svcq_analysis_export_report(a, &w, f->tz);
}

static void analysis_section(fw *f, const svcq_analysis *a, const char *aid)
{
    size_t n = svcq_analysis_root_cause_count(a);
    svcq__buf rep;
    svcq__buf_init(&rep, f->ctx);
    if (!f->rc)
        f->rc = report_of(f, a, &rep);
    if (!f->rc && svcq__buf_putc(&rep, '\0'))
        f->rc = svcq__enomem(f->ctx);
    if (f->rc) {
        svcq__buf_free(&rep);
        return;
    }
    if (f->json) {
        svcq__jw_object_begin(f->jw);
        svcq__jw_key(f->jw, "id");
        svcq__jw_string(f->jw, aid);
        svcq__jw_key(f->jw, "root_causes");
        svcq__jw_array_begin(f->jw);
        for (size_t i = 0; i < n; i++) {
            const char *node = svcq_analysis_root_cause(a, i);
            char ref[2 * SVCQ__INC_MAX_NAME + 2];
            snprintf(ref, sizeof(ref), "%s:%s", aid, node);
            svcq__jw_object_begin(f->jw);
            svcq__jw_key(f->jw, "ref");
            svcq__jw_string(f->jw, ref);
            svcq__jw_key(f->jw, "text");
            svcq__jw_string(f->jw, svcq_analysis_node_text(a, node));
            svcq__jw_object_end(f->jw);
        }
        svcq__jw_array_end(f->jw);
        svcq__jw_key(f->jw, "report");
        svcq__jw_string(f->jw, rep.data);
        svcq__jw_object_end(f->jw);
    } else {
        md(f, "\n");
        /* the report's own headings one level down */
        const char *p = rep.data;
        bool bol = true;
        for (; !f->rc && *p; p++) {
            if (bol && *p == '#')
                md(f, "#");
            if (!f->rc && svcq__buf_putc(f->b, *p))
                f->rc = svcq__enomem(f->ctx);
            bol = *p == '\n';
        }
        if (rep.len > 1 && rep.data[rep.len - 2] != '\n')
            md(f, "\n");
    }
    svcq__buf_free(&rep);
}

static void cause_analysis(fw *f)
{
    const svcq__inc_model *m = &f->inc->m;
    bool confirmed = m->judged_by != NULL;
    f->passed = confirmed;
    sec(f, "confirmation", "Confirmation");
    fld(f, "judged_by", "Judged by", m->judged_by);
    fld_key(f, "category", "Responsibility", SVCQ_INCIDENT_VOCAB_RESPONSIBILITY, m->category);
    fld(f, "responsible_unit", "Responsible unit", m->resp_unit);
    fld(f, "responsible_person", "Responsible person", m->resp_person);
    fld(f, "note", "Note", m->confirm_note);
    sec_end(f);
    /* the double track applies to human error only */
    const char *na = NULL;
    if (confirmed && m->category && strcmp(m->category, SVCQ_INCIDENT_RESP_HUMAN_ERROR) != 0)
        na = "not human error";
    sec(f, "double_track", "Double-track assessment (human error)");
    fld_na(f, "person", "The person", m->person_assessment, na);
    fld_na(f, "process", "The process", m->process_assessment, na);
    sec_end(f);
    tbl(f, "confirmers", "Confirmation group", m->members.len, "| Name | Role |\n|---|---|\n");
    for (size_t i = 0; i < m->members.len; i++) {
        row(f);
        cell(f, "name", m->members.v[i].name);
        cell(f, "role", m->members.v[i].role);
        row_end(f);
    }
    tbl_end(f);
    if (f->json) {
        svcq__jw_key(f->jw, "analyses");
        svcq__jw_array_begin(f->jw);
    } else if (!m->analyses.len) {
        md(f, "\n## Cause analysis\n\n");
        md(f, m->state >= SVCQ_INCIDENT_PLANNING && m->state != SVCQ_INCIDENT_REJECTED ? "None.\n"
                                                                                      : SVCQ__INC_TBF "\n");
    }
    for (size_t i = 0; !f->rc && i < m->analyses.len; i++) {
        svcq_analysis *a = NULL;
        int rc = svcq_analysis_load(&a, f->ctx, m->analyses.v[i]);
        if (rc)
            f->rc = svcq__error_prefix(f->ctx, rc, "incident %s: cause-analysis form: analysis %s", f->inc->id,
                                       m->analyses.v[i]);
        else
            analysis_section(f, a, m->analyses.v[i]);
        svcq_analysis_free(a);
    }
    if (f->json)
        svcq__jw_array_end(f->jw);
}

/* Whether the incident went past state s (rejected and cancelled ones
 * never get further). */
static bool past(const svcq__inc_model *m, int32_t s)
{
    return m->state > s && m->state != SVCQ_INCIDENT_REJECTED &&
           !(m->state == SVCQ_INCIDENT_CANCELLED && m->cancelled_from <= s);
}

static void measures_table(fw *f)
{
    const svcq__inc_model *m = &f->inc->m;
    f->passed = past(m, SVCQ_INCIDENT_PLANNING);
    tbl(f, "measures", "Measures", m->measures.len,
        "| Measure | Kind | What | Root cause | Owner | Deadline | State | Done % | Indicator | Baseline | Target "
        "| Better | Feasibility | Expected effect | Approved by | Note |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < m->measures.len; i++) {
        const svcq__inc_measure *x = &m->measures.v[i];
        row(f);
        cell(f, "id", x->id);
        cell(f, "kind", f->json ? x->kind : svcq__inc_label(f->ctx, SVCQ_INCIDENT_VOCAB_MEASURE_KIND, x->kind));
        cell(f, "what", x->what);
        cell(f, "root_cause", x->root_cause);
        cell(f, "owner", x->owner);
        cell_time(f, "deadline", x->deadline);
        cell(f, "state", svcq_incident_measure_state_name(x->state));
        cell_int(f, "percent", x->percent);
        if (f->json) {
            cell(f, "indicator", x->indicator);
            cell(f, "unit", x->unit);
        } else {
            char ind[2 * SVCQ_INCIDENT_MAX_TEXT + 4];
            snprintf(ind, sizeof(ind), x->unit ? "%s (%s)" : "%s", x->indicator ? x->indicator : "",
                     x->unit ? x->unit : "");
            cell(f, "indicator", ind);
        }
        cell_milli(f, "baseline", true, x->baseline, false);
        cell_milli(f, "target", true, x->target, false);
        cell(f, "direction", f->json ? svcq_incident_direction_name(x->direction)
                                     : x->direction == SVCQ_INCIDENT_HIGHER_IS_BETTER ? "higher" : "lower");
        cell(f, "feasibility", x->feasibility);
        cell(f, "expected_effect", x->expected_effect);
        cell(f, "approved_by", x->approved_by);
        cell(f, "note", x->state_note);
        row_end(f);
    }
    tbl_end(f);
}

static void corrective_action(fw *f)
{
    const svcq__inc_model *m = &f->inc->m;
    measures_table(f);
    f->passed = past(m, SVCQ_INCIDENT_EXECUTING);
    tbl(f, "ledger", "Ledger", m->ledger.len,
        "| When | Measure | Entry | Done % | By | Note | Reason | New owner | New deadline | Approved by |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < m->ledger.len; i++) {
        const svcq__inc_ledger *l = &m->ledger.v[i];
        row(f);
        cell_time(f, "at", l->at);
        cell(f, "measure", l->measure);
        cell(f, "kind", svcq_incident_ledger_kind_name(l->kind));
        cell_int(f, "percent", l->percent);
        cell(f, "actor", l->actor);
        cell(f, "note", l->note);
        cell(f, "reason", l->reason);
        cell(f, "new_owner", l->new_owner);
        cell_time(f, "new_deadline", l->new_deadline);
        cell(f, "approver", l->approver);
        row_end(f);
    }
    tbl_end(f);
}

static void verification_fields(fw *f, const svcq__inc_verification *v)
{
    static const svcq__inc_verification none;
    bool has = v != NULL;
    if (!v)
        v = &none;
    fld_time(f, "window_from", "Window from", v->window_from);
    fld_time(f, "window_to", "Window to", v->window_to);
    fld_milli(f, "csat_before", "CSAT before", has, v->csat_before, NULL);
    fld_milli(f, "csat_after", "CSAT after", has, v->csat_after, NULL);
    fld_int(f, "recurrences", "Recurrences in the window", has, v->recurrences);
    fld_milli(f, "recurrences_per_30_days", "Recurrences per 30 days", has, v->per_30_days, NULL);
    fld(f, "verdict", "Verdict", has ? svcq_incident_verdict_name(v->verdict) : NULL);
    fld(f, "findings", "Findings", v->findings);
    fld(f, "note", "Note", v->note);
    fld(f, "confirmed_by", "Confirmed by", v->by);
    fld(f, "confirmed_role", "Their role", v->role);
    fld_time(f, "confirmed_at", "Confirmed at", v->at);
}

static void effect_verification(fw *f)
{
    const svcq__inc_model *m = &f->inc->m;
    const svcq__inc_verification *last = NULL;
    for (size_t i = 0; i < m->verifications.len; i++)
        if (m->verifications.v[i].loop == m->loop)
            last = &m->verifications.v[i];
    f->passed = last != NULL;
    sec(f, "verification", "Verification of this loop");
    verification_fields(f, last);
    sec_end(f);
    f->passed = past(m, SVCQ_INCIDENT_PLANNING);
    tbl(f, "indicators", "Indicators against baseline and target", m->measures.len,
        "| Measure | Indicator | Unit | Baseline | Target | Better | Measured | Reached |\n"
        "|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < m->measures.len; i++) {
        const svcq__inc_measure *x = &m->measures.v[i];
        row(f);
        cell(f, "measure", x->id);
        cell(f, "indicator", x->indicator);
        cell(f, "unit", x->unit);
        cell_milli(f, "baseline", true, x->baseline, false);
        cell_milli(f, "target", true, x->target, false);
        cell(f, "direction", f->json ? svcq_incident_direction_name(x->direction)
                                     : x->direction == SVCQ_INCIDENT_HIGHER_IS_BETTER ? "higher" : "lower");
        cell_milli(f, "measured", x->has_measured, x->measured, true);
        bool reached = x->direction == SVCQ_INCIDENT_HIGHER_IS_BETTER ? x->measured >= x->target
                                                                      : x->measured <= x->target;
        if (f->json) {
            svcq__jw_key(f->jw, "reached");
            if (x->has_measured)
                svcq__jw_bool(f->jw, reached);
            else
                svcq__jw_null(f->jw);
        } else {
            cell_x(f, "reached", x->has_measured ? (reached ? "yes" : "no") : NULL, true);
        }
        row_end(f);
    }
    tbl_end(f);
    size_t earlier = 0;
    for (size_t i = 0; i < m->verifications.len; i++)
        earlier += &m->verifications.v[i] != last;
    if (f->json) {
        svcq__jw_key(f->jw, "earlier");
        svcq__jw_array_begin(f->jw);
    } else if (earlier) {
        md(f, "\n## Earlier verifications\n\n| Loop | Confirmed at | Verdict | CSAT before | CSAT after "
              "| Recurrences | Findings |\n|---|---|---|---|---|---|---|\n");
    }
    for (size_t i = 0; i < m->verifications.len; i++) {
        const svcq__inc_verification *v = &m->verifications.v[i];
        if (v == last)
            continue;
        row(f);
        cell_int(f, "loop", v->loop);
        cell_time(f, "confirmed_at", v->at);
        cell(f, "verdict", svcq_incident_verdict_name(v->verdict));
        cell_milli(f, "csat_before", true, v->csat_before, false);
        cell_milli(f, "csat_after", true, v->csat_after, false);
        cell_int(f, "recurrences", v->recurrences);
        cell(f, "findings", v->findings);
        row_end(f);
    }
    if (f->json)
        svcq__jw_array_end(f->jw);
}

/* ---- CSV ------------------------------------------------------------------------------- */

static int csv_field(svcq__buf *b, const char *s, bool last)
{
    int rc = SVCQ_OK;
    if (s && strpbrk(s, ",\"\r\n")) {
        rc = svcq__buf_putc(b, '"');
        for (; !rc && *s; s++)
            rc = *s == '"' ? svcq__buf_puts(b, "\"\"") : svcq__buf_putc(b, *s);
        if (!rc)
            rc = svcq__buf_putc(b, '"');
    } else if (s) {
        rc = svcq__buf_puts(b, s);
    }
    if (!rc)
        rc = svcq__buf_puts(b, last ? "\r\n" : ",");
    return rc;
}

enum { CSV_COLS = 23 };
static const char *const csv_head[CSV_COLS] = {
    "record", "incident", "measure", "kind", "what", "root_cause", "owner", "deadline", "state", "percent",
    "indicator", "unit", "baseline", "target", "direction", "measured", "at", "actor", "note", "reason",
    "new_owner", "new_deadline", "approver",
};

static int csv_row(svcq__buf *b, const char *const *v)
{
    int rc = SVCQ_OK;
    for (int i = 0; !rc && i < CSV_COLS; i++)
        rc = csv_field(b, v[i], i == CSV_COLS - 1);
    return rc;
}

static int corrective_csv(fw *f)
{
    const svcq__inc_model *m = &f->inc->m;
    svcq__buf *b = f->b;
    int rc = csv_row(b, csv_head);
    for (size_t i = 0; !rc && i < m->measures.len; i++) {
        const svcq__inc_measure *x = &m->measures.v[i];
        char dl[64] = "", pct[16], base[32], tgt[32], meas[32] = "";
        if (x->deadline)
            rc = svcq__inc_local(f->ctx, f->tz, x->deadline, true, dl);
        snprintf(pct, sizeof(pct), "%" PRId32, x->percent);
        svcq__inc_milli(x->baseline, base);
        svcq__inc_milli(x->target, tgt);
        if (x->has_measured)
            svcq__inc_milli(x->measured, meas);
        const char *v[CSV_COLS] = { "measure", f->inc->id, x->id, x->kind, x->what, x->root_cause, x->owner, dl,
                                    svcq_incident_measure_state_name(x->state), pct, x->indicator, x->unit, base,
                                    tgt, svcq_incident_direction_name(x->direction), meas, NULL, NULL,
                                    x->state_note, NULL, NULL, NULL, x->approved_by };
        if (!rc)
            rc = csv_row(b, v);
    }
    for (size_t i = 0; !rc && i < m->ledger.len; i++) {
        const svcq__inc_ledger *l = &m->ledger.v[i];
        char at[64] = "", nd[64] = "", pct[16];
        rc = svcq__inc_local(f->ctx, f->tz, l->at, true, at);
        if (!rc && l->new_deadline)
            rc = svcq__inc_local(f->ctx, f->tz, l->new_deadline, true, nd);
        snprintf(pct, sizeof(pct), "%" PRId32, l->percent);
        const char *v[CSV_COLS] = { "ledger", f->inc->id, l->measure, svcq_incident_ledger_kind_name(l->kind), NULL,
                                    NULL, NULL, NULL, NULL, pct, NULL, NULL, NULL, NULL, NULL, NULL, at,
                                    l->actor, l->note, l->reason, l->new_owner, nd, l->approver };
        if (!rc)
            rc = csv_row(b, v);
    }
    return rc == SVCQ_ENOMEM ? svcq__enomem(f->ctx) : rc;
}

/* ---- the call ---------------------------------------------------------------------------- */

int svcq_incident_form_export(const svcq_incident *inc, const svcq_writer *writer, int32_t form, int32_t format,
                              const svcq_tz *tz)
{
    if (!inc)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = inc->ctx;
    if (!writer)
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: form export: NULL writer", inc->id);
    if (!svcq_incident_form_name(form))
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: unknown form %d", inc->id, (int)form);
    if (!svcq_incident_form_format_name(format))
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: %s form: unknown format %d", inc->id,
                           svcq_incident_form_name(form), (int)format);
    if (format == SVCQ_INCIDENT_FORM_CSV && form != SVCQ_INCIDENT_FORM_CORRECTIVE_ACTION)
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: the %s form has no CSV (only the corrective_action "
                           "form has)", inc->id, svcq_incident_form_name(form));
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    svcq__jw jw;
    fw f = { ctx, inc, tz, format == SVCQ_INCIDENT_FORM_JSON, &b, &jw, SVCQ_OK, false };
    if (format == SVCQ_INCIDENT_FORM_CSV) {
        f.rc = corrective_csv(&f);
    } else {
        if (f.json) {
            svcq__jw_init_buf(&jw, ctx, &b);
            svcq__jw_set_pretty(&jw, true);
        }
        head(&f, form);
        switch (form) {
        case SVCQ_INCIDENT_FORM_ANOMALY_REPORT: anomaly_report(&f); break;
        case SVCQ_INCIDENT_FORM_CAUSE_ANALYSIS: cause_analysis(&f); break;
        case SVCQ_INCIDENT_FORM_CORRECTIVE_ACTION: corrective_action(&f); break;
        default: effect_verification(&f); break;
        }
        if (f.json) {
            svcq__jw_object_end(&jw);
            int rc = svcq__jw_finish(&jw);
            if (!f.rc)
                f.rc = rc;
        }
    }
    if (!f.rc)
        f.rc = svcq_writer_write(writer, b.data, b.len);
    svcq__buf_free(&b);
    return f.rc;
}
