/* Text exports of a blueprint: Markdown (with the overlay's counts when
 * given) and Mermaid; and the entry point of the SVG drawing
 * (blueprint_svg.c). Each is built in a buffer and handed to the writer in
 * one call, so a failure writes nothing. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "blueprint/blueprint_internal.h"
#include "calendar/civil.h"
#include "core/map.h"

typedef struct out {
    svcq__buf *b;
    int rc;
} out;

static void put(out *o, const char *s)
{
    if (o->rc == SVCQ_OK)
        o->rc = svcq__buf_puts(o->b, s);
}

static void putf(out *o, const char *fmt, ...) SVCQ__PRINTF(2, 3);
static void putf(out *o, const char *fmt, ...)
{
    if (o->rc)
        return;
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    o->rc = svcq__buf_puts(o->b, tmp);
}

/* Markdown cell text: what Markdown or HTML would read is escaped, line
 * feeds become <br>. */
static void md(out *o, const char *s)
{
    if (!s) {
        put(o, "—");
        return;
    }
    for (; o->rc == SVCQ_OK && *s; s++) {
        switch (*s) {
        case '&': put(o, "&amp;"); break;
        case '<': put(o, "&lt;"); break;
        case '>': put(o, "&gt;"); break;
        case '\n': put(o, "<br>"); break;
        case '\t': put(o, " "); break;
        case '\\': case '`': case '*': case '_': case '[': case ']': case '|': case '#': case '~':
            o->rc = svcq__buf_putc(o->b, '\\');
            if (o->rc == SVCQ_OK)
                o->rc = svcq__buf_putc(o->b, *s);
            break;
        default: o->rc = svcq__buf_putc(o->b, *s);
        }
    }
}

static void put_time(out *o, svcq_time t)
{
    int64_t days = svcq__floor_div(t, 86400), sec = svcq__floor_mod(t, 86400), y;
    int32_t mo, d;
    svcq__civil_from_days(days, &y, &mo, &d);
    putf(o, "%04lld-%02d-%02d %02d:%02dZ", (long long)y, (int)mo, (int)d, (int)(sec / 3600), (int)(sec / 60 % 60));
}

static int check_overlay(const svcq_blueprint *bp, const svcq_blueprint_overlay *ov, const char *fn)
{
    if (ov && ov->ctx != bp->ctx)
        return svcq__error(bp->ctx, SVCQ_EINVAL, "%s: blueprint %s: the overlay belongs to another context", fn,
                           bp->service);
    return SVCQ_OK;
}

static const char *severity_title(int32_t s)
{
    static const char *const t[] = { "?", "low", "medium", "high", "**critical**" };
    return s >= 1 && s <= 4 ? t[s] : "?";
}

/* ": complaint_handling 2, no stage 1" for the unplaced incidents, stages
 * in the order they first appear. */
static int unplaced_stages(const svcq_blueprint *bp, const svcq_blueprint_overlay *ov, out *o)
{
    svcq_ctx *ctx = bp->ctx;
    svcq__map seen; /* stage -> index + 1 in names */
    svcq__map_init(&seen, ctx);
    const char **names = NULL;
    size_t *counts = NULL, n = 0, cap = 0, none = 0;
    int rc = SVCQ_OK;
    for (size_t k = 0; rc == SVCQ_OK && k < ov->nobs; k++) {
        const svcq__bp_obs *ob = &ov->obs[k];
        if (ob->step && svcq__bp_find_step(&bp->m, ob->step, NULL))
            continue;
        if (!ob->stage) {
            none++;
            continue;
        }
        size_t i = (size_t)(uintptr_t)svcq__map_get(&seen, ob->stage, strlen(ob->stage));
        if (i) {
            counts[i - 1]++;
            continue;
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            const char **nn = svcq__reallocarray(ctx, names, nc, sizeof(*nn));
            if (nn)
                names = nn;
            size_t *ncn = nn ? svcq__reallocarray(ctx, counts, nc, sizeof(*ncn)) : NULL;
            if (ncn)
                counts = ncn;
            if (!nn || !ncn) {
                rc = svcq__enomem(ctx);
                break;
            }
            cap = nc;
        }
        rc = svcq__map_put(&seen, ob->stage, strlen(ob->stage), (void *)(uintptr_t)(n + 1), NULL);
        if (rc == SVCQ_OK) {
            names[n] = ob->stage;
            counts[n++] = 1;
        } else {
            rc = svcq__enomem(ctx);
        }
    }
    for (size_t i = 0; rc == SVCQ_OK && i < n; i++) {
        put(o, i ? ", " : ": ");
        md(o, names[i]);
        putf(o, " %zu", counts[i]);
    }
    if (rc == SVCQ_OK && none)
        putf(o, "%sno stage %zu", n ? ", " : ": ", none);
    svcq__map_free(&seen);
    svcq__free(ctx, names);
    svcq__free(ctx, counts);
    return rc ? rc : o->rc;
}

int svcq_blueprint_export_markdown(const svcq_blueprint *bp, const svcq_writer *writer,
                                   const svcq_blueprint_overlay *ov)
{
    if (!bp || !writer)
        return svcq__error(bp ? bp->ctx : NULL, SVCQ_EINVAL, "svcq_blueprint_export_markdown: NULL %s",
                           bp ? "writer" : "blueprint");
    int rc = check_overlay(bp, ov, "svcq_blueprint_export_markdown");
    if (rc)
        return rc;
    const svcq__bp_model *m = &bp->m;
    svcq_blueprint_step_stats *stats = NULL;
    uint32_t *rb = NULL;
    if (ov) {
        stats = m->nsteps ? svcq__calloc(bp->ctx, m->nsteps, sizeof(*stats)) : NULL;
        rb = m->nrisks ? svcq__calloc(bp->ctx, m->nrisks, sizeof(*rb)) : NULL;
        rc = (m->nsteps && !stats) || (m->nrisks && !rb) ? svcq__enomem(bp->ctx)
                                                         : svcq__bp_stats_all(ov, bp, stats, rb);
        if (rc) {
            svcq__free(bp->ctx, stats);
            svcq__free(bp->ctx, rb);
            return rc;
        }
    }
    svcq__buf b;
    svcq__buf_init(&b, bp->ctx);
    out o = { &b, SVCQ_OK };
    put(&o, "# Service blueprint: ");
    md(&o, m->title);
    putf(&o, "\n\nService `%s`", bp->service);
    if (bp->version)
        putf(&o, ", version %u", (unsigned)bp->version);
    putf(&o, "%s. %zu step%s, %zu risk point%s.\n\n", bp->changed && bp->version ? " (changed since)" : "",
         m->nsteps, m->nsteps == 1 ? "" : "s", m->nrisks, m->nrisks == 1 ? "" : "s");

    put(&o, "## Steps\n\n");
    put(&o, "| # | Step | Stage | Channel | Customer action | Front stage (visible) | Back stage (invisible) | "
            "Support system |\n|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < m->nsteps; i++) {
        const svcq__bp_step *s = &m->steps[i];
        putf(&o, "| %zu | ", i + 1);
        md(&o, s->title);
        put(&o, " (");
        md(&o, s->key);
        put(&o, ") | ");
        md(&o, s->stage);
        put(&o, " | ");
        md(&o, s->channel);
        const char *lanes[4] = { s->customer, s->front, s->back, s->support };
        for (int l = 0; l < 4; l++) {
            put(&o, " | ");
            md(&o, lanes[l]);
        }
        put(&o, " |\n");
    }
    put(&o, "\nLines: interaction (customer | front stage), visibility (front stage | back stage), internal "
            "interaction (back stage | support).\n\n## Risk points\n\n");
    if (m->nrisks == 0) {
        put(&o, "None recorded.\n");
    } else {
        put(&o, "| Risk | Step | What can go wrong | Severity | Contingency | Owner | Watched by |");
        put(&o, ov ? " Breaches in the period |\n|---|---|---|---|---|---|---|---|\n" : "\n|---|---|---|---|---|---|---|\n");
        for (size_t i = 0; i < m->nrisks; i++) {
            const svcq__bp_risk *r = &m->risks[i];
            put(&o, "| ");
            md(&o, r->key);
            put(&o, " | ");
            md(&o, r->step);
            put(&o, " | ");
            md(&o, r->failure);
            putf(&o, " | %s | ", severity_title(r->severity));
            md(&o, r->contingency);
            put(&o, " | ");
            md(&o, r->owner);
            put(&o, " | ");
            if (r->watch == SVCQ_BLUEPRINT_WATCH_NONE) {
                put(&o, "—");
            } else {
                put(&o, r->watch == SVCQ_BLUEPRINT_WATCH_SLA_TARGET ? "SLA target " : "indicator ");
                md(&o, r->watch_name);
            }
            if (ov)
                putf(&o, " | %u", (unsigned)rb[i]);
            put(&o, " |\n");
        }
    }
    if (ov) {
        put(&o, "\n## Incidents from ");
        put_time(&o, ov->from);
        put(&o, " to ");
        put_time(&o, ov->to);
        put(&o, "\n\n| Step | Incidents | Recurrences | Open | Open corrective actions | Breaches of watching "
                "targets | Risk points |\n|---|---|---|---|---|---|---|\n");
        size_t unplanned = 0;
        for (size_t i = 0; i < m->nsteps; i++) {
            const svcq_blueprint_step_stats st = stats[i];
            unplanned += st.unplanned;
            put(&o, "| ");
            md(&o, m->steps[i].title);
            putf(&o, " | %u | %u | %u | %u | %u | %u%s |\n", (unsigned)st.incidents, (unsigned)st.recurrences,
                 (unsigned)st.open, (unsigned)st.open_actions, (unsigned)st.breaches, (unsigned)st.risk_points,
                 st.unplanned ? " (**unplanned risk**)" : "");
        }
        put(&o, "\n");
        if (unplanned) {
            put(&o, "Unplanned risks (incidents on a step without a risk point):\n\n");
            for (size_t i = 0; i < m->nsteps; i++) {
                const svcq_blueprint_step_stats st = stats[i];
                if (!st.unplanned)
                    continue;
                put(&o, "- ");
                md(&o, m->steps[i].title);
                put(&o, " (");
                md(&o, m->steps[i].key);
                putf(&o, "): %u incident%s\n", (unsigned)st.incidents, st.incidents == 1 ? "" : "s");
            }
            put(&o, "\n");
        } else {
            put(&o, "No unplanned risks: every step with incidents has a risk point.\n\n");
        }
        size_t unplaced = svcq_blueprint_overlay_unplaced(ov, bp);
        if (unplaced) {
            putf(&o, "%zu incident%s of the period name%s no step of this blueprint", unplaced,
                 unplaced == 1 ? "" : "s", unplaced == 1 ? "s" : "");
            if (o.rc == SVCQ_OK)
                o.rc = unplaced_stages(bp, ov, &o);
            put(&o, ".\n");
        }
    }
    rc = o.rc;
    if (rc == SVCQ_OK)
        rc = svcq__bp_flush(bp, "Markdown", writer, &b);
    svcq__buf_free(&b);
    svcq__free(bp->ctx, stats);
    svcq__free(bp->ctx, rb);
    return rc;
}

/* ---- Mermaid ---------------------------------------------------------------------- */

/* Mermaid entity codes for what its parser or its HTML would take. */
static void mm(out *o, const char *s)
{
    for (; o->rc == SVCQ_OK && *s; s++) {
        switch (*s) {
        case '#': put(o, "#35;"); break;
        case '<': put(o, "#lt;"); break;
        case '>': put(o, "#gt;"); break;
        case '&': put(o, "#amp;"); break;
        case '"': put(o, "#quot;"); break;
        case '\n': put(o, "<br>"); break;
        case '\t': put(o, " "); break;
        default: o->rc = svcq__buf_putc(o->b, *s);
        }
    }
}

int svcq_blueprint_export_mermaid(const svcq_blueprint *bp, const svcq_writer *writer)
{
    if (!bp || !writer)
        return svcq__error(bp ? bp->ctx : NULL, SVCQ_EINVAL, "svcq_blueprint_export_mermaid: NULL %s",
                           bp ? "writer" : "blueprint");
    svcq__buf b;
    svcq__buf_init(&b, bp->ctx);
    out o = { &b, SVCQ_OK };
    const svcq__bp_model *m = &bp->m;
    static const char *const lane_id[4] = { "customer", "front", "back", "support" };
    static const char *const lane_title[4] = { "Customer actions", "Front stage (visible)", "Back stage (invisible)",
                                               "Support systems" };
    static const char lane_letter[4] = { 'c', 'f', 'b', 's' };
    /* The title goes in the YAML front matter, single-quoted: a quote is
     * doubled, line breaks and tabs become spaces, the rest is literal. */
    put(&o, "---\ntitle: '");
    for (const char *p = m->title; o.rc == SVCQ_OK && *p; p++)
        put(&o, *p == '\'' ? "''" : *p == '\n' || *p == '\t' ? " " : (char[2]){ *p, 0 });
    put(&o, "'\n---\nflowchart TB\n");
    for (int l = 0; l < 4; l++) {
        putf(&o, "  subgraph %s[\"%s\"]\n    direction LR\n", lane_id[l], lane_title[l]);
        long prev = -1;
        for (size_t i = 0; i < m->nsteps; i++) {
            const svcq__bp_step *s = &m->steps[i];
            const char *t[4] = { s->customer, s->front, s->back, s->support };
            if (!t[l])
                continue;
            putf(&o, "    %c%zu[\"", lane_letter[l], i);
            if (l == 0) {
                putf(&o, "%zu. ", i + 1);
                mm(&o, s->title);
                put(&o, "<br>");
            }
            mm(&o, t[l]);
            put(&o, "\"]\n");
            if (prev >= 0)
                putf(&o, "    %c%ld --> %c%zu\n", lane_letter[l], prev, lane_letter[l], i);
            prev = (long)i;
        }
        put(&o, "  end\n");
    }
    /* The lanes stacked in order, then each step's crossings of the lines. */
    put(&o, "  customer ~~~ front ~~~ back ~~~ support\n");
    for (size_t i = 0; i < m->nsteps; i++) {
        const svcq__bp_step *s = &m->steps[i];
        const char *t[4] = { s->customer, s->front, s->back, s->support };
        int last = -1;
        for (int l = 0; l < 4; l++) {
            if (!t[l])
                continue;
            if (last >= 0)
                putf(&o, "  %c%zu -.- %c%zu\n", lane_letter[last], i, lane_letter[l], i);
            last = l;
        }
    }
    for (size_t k = 0; k < m->nrisks; k++) {
        const svcq__bp_risk *r = &m->risks[k];
        size_t i = 0;
        (void)svcq__bp_find_step(m, r->step, &i);
        const svcq__bp_step *s = &m->steps[i];
        const char *t[4] = { s->customer, s->front, s->back, s->support };
        int l = 0;
        while (l < 3 && !t[l])
            l++;
        putf(&o, "  r%zu{{\"⚠ %s (%s): ", k, r->key, svcq_blueprint_severity_name(r->severity));
        mm(&o, r->failure);
        put(&o, "\"}}:::risk\n");
        if (t[l])
            putf(&o, "  %c%zu -.- r%zu\n", lane_letter[l], i, k);
    }
    put(&o, "  classDef risk fill:#fde0dc,stroke:#c62828,color:#000\n");
    int rc = o.rc;
    if (rc == SVCQ_OK)
        rc = svcq__bp_flush(bp, "Mermaid", writer, &b);
    svcq__buf_free(&b);
    return rc;
}

int svcq_blueprint_export_svg(const svcq_blueprint *bp, const svcq_writer *writer, const svcq_blueprint_overlay *ov)
{
    if (!bp || !writer)
        return svcq__error(bp ? bp->ctx : NULL, SVCQ_EINVAL, "svcq_blueprint_export_svg: NULL %s",
                           bp ? "writer" : "blueprint");
    int rc = check_overlay(bp, ov, "svcq_blueprint_export_svg");
    if (rc)
        return rc;
    svcq__buf b;
    svcq__buf_init(&b, bp->ctx);
    rc = svcq__bp_svg(bp, ov, &b);
    if (rc == SVCQ_OK)
        rc = svcq__bp_flush(bp, "SVG", writer, &b);
    svcq__buf_free(&b);
    return rc;
}
