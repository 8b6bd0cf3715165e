/* Exports of a card (Markdown, JSON "svcq.scorecard_card/1", CSV) and of a
 * ranking (Markdown, CSV, SVG bar chart). Each export is built in a buffer
 * and handed to the writer in one piece, so a failure midway sends
 * nothing. */
#include <stdio.h>
#include <string.h>

#include "analysis/svg.h"
#include "scorecard/ranking.h"
#include "scorecard/scorecard_internal.h"

#define TRY(x) do { if ((rc = (x)) != SVCQ_OK) goto done; } while (0)

static int item_note(const svcq__sc_value *v, int64_t raw, bool clamped, svcq__buf *b)
{
    char x[32];
    if (v->na)
        return svcq__buf_printf(b, "not applicable: %s", v->na_reason);
    if (!v->set)
        return svcq__buf_puts(b, "no value");
    if (clamped)
        return svcq__buf_printf(b, "clamped from %s", svcq__sc_fmt(raw, x));
    return SVCQ_OK;
}

static int card_markdown(const svcq_scorecard_period *p, uint32_t ci, svcq__buf *b)
{
    const svcq_scorecard_template *t = p->tpl;
    const svcq__sc_card *c = p->cards[ci];
    svcq__sc_totals tot;
    svcq__sc_totals_of(p, ci, &tot);
    char x[32], y[32], z[32];
    svcq__buf cell;
    svcq__buf_init(&cell, p->ctx);
    int rc;
    TRY(svcq__buf_puts(b, "# Scorecard: "));
    TRY(svcq__sc_md_cell(b, p->units[ci]));
    TRY(svcq__buf_printf(b, ", period %s (template %s v%u)\n\n", p->label, t->name, t->version));
    TRY(svcq__buf_puts(b, "| section | item | rule | value | points | max | note |\n"
                          "|---|---|---|---:|---:|---:|---|\n"));
    for (uint32_t j = 0; j < t->nitems; j++) {
        const svcq__sc_item *it = &t->items[j];
        const svcq__sc_value *v = &c->values[j];
        int64_t raw, pts;
        bool cl;
        svcq__sc_item_points(p, ci, j, &raw, &pts, &cl);
        TRY(svcq__buf_puts(b, "| "));
        TRY(svcq__sc_md_cell(b, t->sections[it->section].title));
        TRY(svcq__buf_puts(b, " | "));
        TRY(svcq__sc_md_cell(b, it->name));
        TRY(svcq__buf_puts(b, " | "));
        svcq__buf_truncate(&cell, 0);
        TRY(svcq__sc_rule_text(it, &cell));
        TRY(svcq__sc_md_cell(b, cell.data));
        TRY(svcq__buf_printf(b, " | %s | %s | %s | ", v->set ? svcq__sc_fmt(v->value, x) : "-",
                             v->na || !v->set ? "-" : svcq__sc_fmt(pts, y), v->na ? "n/a" : svcq__sc_fmt(it->max, z)));
        svcq__buf_truncate(&cell, 0);
        TRY(item_note(v, raw, cl, &cell));
        TRY(svcq__sc_md_cell(b, cell.data ? cell.data : ""));
        TRY(svcq__buf_puts(b, " |\n"));
    }
    TRY(svcq__buf_printf(b, "| | **total** | | | **%s** | **%s** | |\n\n", svcq__sc_fmt(tot.points, x),
                         svcq__sc_fmt(tot.max, y)));
    TRY(svcq__buf_printf(b, "Maximum: %s of the template's %s", svcq__sc_fmt(tot.max, x), svcq__sc_fmt(tot.nominal, y)));
    if (tot.na)
        TRY(svcq__buf_printf(b, " (%u item%s not applicable: excluded, the maximum shrinks)", tot.na,
                             tot.na == 1 ? "" : "s"));
    TRY(svcq__buf_printf(b, ". Share: %s %% (points / applicable maximum).\n\n", svcq__sc_fmt(tot.share, x)));
    if (tot.missing)
        TRY(svcq__buf_printf(b, "Incomplete: %u applicable item%s without a value.\n\n", tot.missing,
                             tot.missing == 1 ? "" : "s"));
    if (tot.nvetoes) {
        TRY(svcq__buf_puts(b, "Result: **vetoed** (the points stay on the card; the veto decides the result)\n\n"));
        for (uint32_t k = 0; k < tot.nvetoes; k++) {
            const svcq__sc_veto *v = svcq__sc_veto_at(p, ci, k);
            TRY(svcq__buf_printf(b, "- veto %s (%s): ", v->rule, v->from_orders ? "orders" : "manual"));
            TRY(svcq__sc_md_cell(b, v->reason));
            TRY(svcq__buf_putc(b, '\n'));
        }
        TRY(svcq__buf_putc(b, '\n'));
    } else {
        TRY(svcq__buf_puts(b, "Result: scored (no veto)\n\n"));
    }
    if (c->closed)
        TRY(svcq__buf_printf(b, "Status: closed at %lld (frozen; changes are corrections)\n",
                             (long long)c->closed_at));
    else
        TRY(svcq__buf_puts(b, "Status: open\n"));
    if (c->nlog) {
        TRY(svcq__buf_puts(b, "\n## Double track\n\n| item | amount | track | counterpart | note |\n"
                              "|---|---:|---|---|---|\n"));
        for (uint32_t k = 0; k < c->nlog; k++) {
            const svcq__sc_log *l = &c->log[k];
            TRY(svcq__buf_printf(b, "| %s | %s | %s | ", l->item, svcq__sc_fmt(l->amount, x), l->track));
            TRY(svcq__sc_md_cell(b, l->counterpart));
            TRY(svcq__buf_puts(b, " | "));
            TRY(svcq__sc_md_cell(b, l->note ? l->note : ""));
            TRY(svcq__buf_puts(b, " |\n"));
        }
    }
    if (c->ncorr) {
        TRY(svcq__buf_puts(b, "\n## Corrections\n\n| # | at | item | from | to | reason |\n"
                              "|---:|---:|---|---:|---:|---|\n"));
        for (uint32_t k = 0; k < c->ncorr; k++) {
            const svcq__sc_correction *q = &c->corr[k];
            TRY(svcq__buf_printf(b, "| %u | %lld | %s | %s | %s | ", q->seq, (long long)q->at, q->item,
                                 q->had ? svcq__sc_fmt(q->from, x) : "-", svcq__sc_fmt(q->to, y)));
            TRY(svcq__sc_md_cell(b, q->reason));
            TRY(svcq__buf_puts(b, " |\n"));
        }
    }
done:
    svcq__buf_free(&cell);
    return rc;
}

static int card_json(const svcq_scorecard_period *p, uint32_t ci, svcq__buf *b)
{
    const svcq_scorecard_template *t = p->tpl;
    const svcq__sc_card *c = p->cards[ci];
    svcq__sc_totals tot;
    svcq__sc_totals_of(p, ci, &tot);
    svcq__buf rule;
    svcq__buf_init(&rule, p->ctx);
    svcq__jw w;
    svcq__jw_init_buf(&w, p->ctx, b);
    (void)svcq__jw_set_pretty(&w, true);
    svcq__jw_object_begin(&w);
    svcq__jw_key(&w, "schema");
    svcq__jw_string(&w, "svcq.scorecard_card/1");
    svcq__jw_key(&w, "template");
    svcq__jw_string(&w, t->name);
    svcq__jw_key(&w, "template_version");
    svcq__jw_int(&w, t->version);
    svcq__jw_key(&w, "period");
    svcq__jw_string(&w, p->label);
    svcq__jw_key(&w, "unit");
    svcq__jw_string(&w, p->units[ci]);
    svcq__jw_key(&w, "closed");
    svcq__jw_bool(&w, c->closed);
    svcq__jw_key(&w, "points");
    svcq__jw_int(&w, tot.points);
    svcq__jw_key(&w, "max_points");
    svcq__jw_int(&w, tot.max);
    svcq__jw_key(&w, "nominal_max");
    svcq__jw_int(&w, tot.nominal);
    svcq__jw_key(&w, "share");
    svcq__jw_int(&w, tot.share);
    svcq__jw_key(&w, "missing");
    svcq__jw_int(&w, tot.missing);
    svcq__jw_key(&w, "vetoed");
    svcq__jw_bool(&w, tot.nvetoes > 0);
    svcq__jw_key(&w, "vetoes");
    svcq__jw_array_begin(&w);
    for (uint32_t k = 0; k < tot.nvetoes; k++) {
        const svcq__sc_veto *v = svcq__sc_veto_at(p, ci, k);
        svcq__jw_object_begin(&w);
        svcq__jw_key(&w, "rule");
        svcq__jw_string(&w, v->rule);
        svcq__jw_key(&w, "source");
        svcq__jw_string(&w, v->from_orders ? "orders" : "manual");
        svcq__jw_key(&w, "reason");
        svcq__jw_string(&w, v->reason);
        svcq__jw_object_end(&w);
    }
    svcq__jw_array_end(&w);
    svcq__jw_key(&w, "items");
    svcq__jw_array_begin(&w);
    int rc = SVCQ_OK;
    for (uint32_t j = 0; j < t->nitems; j++) {
        const svcq__sc_item *it = &t->items[j];
        const svcq__sc_value *v = &c->values[j];
        int64_t raw, pts;
        bool cl;
        svcq__sc_item_points(p, ci, j, &raw, &pts, &cl);
        svcq__buf_truncate(&rule, 0);
        if (!rc)
            rc = svcq__sc_rule_text(it, &rule);
        svcq__jw_object_begin(&w);
        svcq__jw_key(&w, "section");
        svcq__jw_string(&w, t->sections[it->section].key);
        svcq__jw_key(&w, "key");
        svcq__jw_string(&w, it->key);
        svcq__jw_key(&w, "name");
        svcq__jw_string(&w, it->name);
        svcq__jw_key(&w, "rule");
        svcq__jw_string(&w, svcq_scorecard_rule_name(it->rule));
        svcq__jw_key(&w, "rule_text");
        svcq__jw_string(&w, rule.data ? rule.data : "");
        svcq__jw_key(&w, "source");
        svcq__jw_string(&w, it->source);
        svcq__jw_key(&w, "max_points");
        svcq__jw_int(&w, it->max);
        svcq__jw_key(&w, "value");
        if (v->set)
            svcq__jw_int(&w, v->value);
        else
            svcq__jw_null(&w);
        svcq__jw_key(&w, "na");
        if (v->na)
            svcq__jw_string(&w, v->na_reason);
        else
            svcq__jw_bool(&w, false);
        svcq__jw_key(&w, "raw_points");
        svcq__jw_int(&w, raw);
        svcq__jw_key(&w, "points");
        svcq__jw_int(&w, pts);
        svcq__jw_key(&w, "clamped");
        svcq__jw_bool(&w, cl);
        svcq__jw_object_end(&w);
    }
    svcq__jw_array_end(&w);
    svcq__jw_key(&w, "log");
    svcq__jw_array_begin(&w);
    for (uint32_t k = 0; k < c->nlog; k++) {
        svcq__jw_object_begin(&w);
        svcq__jw_key(&w, "item");
        svcq__jw_string(&w, c->log[k].item);
        svcq__jw_key(&w, "amount");
        svcq__jw_int(&w, c->log[k].amount);
        svcq__jw_key(&w, "track");
        svcq__jw_string(&w, c->log[k].track);
        svcq__jw_key(&w, "counterpart");
        svcq__jw_string(&w, c->log[k].counterpart);
        svcq__jw_key(&w, "note");
        svcq__jw_string(&w, c->log[k].note ? c->log[k].note : "");
        svcq__jw_object_end(&w);
    }
    svcq__jw_array_end(&w);
    svcq__jw_key(&w, "corrections");
    svcq__jw_array_begin(&w);
    for (uint32_t k = 0; k < c->ncorr; k++) {
        const svcq__sc_correction *q = &c->corr[k];
        svcq__jw_object_begin(&w);
        svcq__jw_key(&w, "seq");
        svcq__jw_int(&w, q->seq);
        svcq__jw_key(&w, "at");
        svcq__jw_int(&w, q->at);
        svcq__jw_key(&w, "item");
        svcq__jw_string(&w, q->item);
        svcq__jw_key(&w, "from");
        if (q->had)
            svcq__jw_int(&w, q->from);
        else
            svcq__jw_null(&w);
        svcq__jw_key(&w, "to");
        svcq__jw_int(&w, q->to);
        svcq__jw_key(&w, "reason");
        svcq__jw_string(&w, q->reason);
        svcq__jw_object_end(&w);
    }
    svcq__jw_array_end(&w);
    svcq__jw_object_end(&w);
    int wrc = svcq__jw_finish(&w);
    svcq__buf_free(&rule);
    return rc ? rc : wrc;
}

static int csv_row(svcq__buf *b, const char *const *cells, int n)
{
    int rc = SVCQ_OK;
    for (int i = 0; rc == SVCQ_OK && i < n; i++) {
        if (i)
            rc = svcq__buf_putc(b, ',');
        if (!rc)
            rc = svcq__sc_csv_cell(b, cells[i] ? cells[i] : "");
    }
    return rc ? rc : svcq__buf_puts(b, "\r\n");
}

static int card_csv(const svcq_scorecard_period *p, uint32_t ci, svcq__buf *b)
{
    const svcq_scorecard_template *t = p->tpl;
    const svcq__sc_card *c = p->cards[ci];
    svcq__sc_totals tot;
    svcq__sc_totals_of(p, ci, &tot);
    static const char *const head[] = { "unit", "period", "row", "section", "item", "name", "rule",
                                        "value", "points", "max", "na", "note" };
    svcq__buf rule, note;
    svcq__buf_init(&rule, p->ctx);
    svcq__buf_init(&note, p->ctx);
    char x[32], y[32], z[32];
    int rc;
    TRY(csv_row(b, head, 12));
    for (uint32_t j = 0; j < t->nitems; j++) {
        const svcq__sc_item *it = &t->items[j];
        const svcq__sc_value *v = &c->values[j];
        int64_t raw, pts;
        bool cl;
        svcq__sc_item_points(p, ci, j, &raw, &pts, &cl);
        svcq__buf_truncate(&rule, 0);
        svcq__buf_truncate(&note, 0);
        TRY(svcq__sc_rule_text(it, &rule));
        TRY(item_note(v, raw, cl, &note));
        const char *row[] = { p->units[ci], p->label, "item", t->sections[it->section].key, it->key, it->name,
                              rule.data, v->set ? svcq__sc_fmt(v->value, x) : "", v->na ? "" : svcq__sc_fmt(pts, y),
                              svcq__sc_fmt(it->max, z), v->na ? "yes" : "no", note.data };
        TRY(csv_row(b, row, 12));
    }
    {
        char na[16];
        snprintf(na, sizeof(na), "%u", tot.na);
        const char *row[] = { p->units[ci], p->label, "total", "", "", "", "", "", svcq__sc_fmt(tot.points, x),
                              svcq__sc_fmt(tot.max, y), na, svcq__sc_fmt(tot.share, z) };
        TRY(csv_row(b, row, 12));
    }
    for (uint32_t k = 0; k < tot.nvetoes; k++) {
        const svcq__sc_veto *v = svcq__sc_veto_at(p, ci, k);
        const char *row[] = { p->units[ci], p->label, "veto", "", v->rule, v->from_orders ? "orders" : "manual",
                              "", "", "", "", "", v->reason };
        TRY(csv_row(b, row, 12));
    }
    for (uint32_t k = 0; k < c->ncorr; k++) {
        const svcq__sc_correction *q = &c->corr[k];
        const char *row[] = { p->units[ci], p->label, "correction", "", q->item, "", "", svcq__sc_fmt(q->to, x),
                              "", "", "", q->reason };
        TRY(csv_row(b, row, 12));
    }
done:
    svcq__buf_free(&rule);
    svcq__buf_free(&note);
    return rc;
}

int svcq_scorecard_card_export(const svcq_scorecard_period *p, const char *unit, const svcq_writer *writer,
                               int32_t format)
{
    if (!p || !unit || !writer)
        return svcq__error(p ? p->ctx : NULL, SVCQ_EINVAL, "svcq_scorecard_card_export: NULL %s",
                           !p ? "period" : !unit ? "unit" : "writer");
    svcq_ctx *ctx = p->ctx;
    int32_t ci = svcq__sc_card_find(p, unit);
    if (ci < 0)
        return svcq__error(ctx, SVCQ_ENOTFOUND, "period %s has no card for unit %.255s", p->label, unit);
    if (format != SVCQ_SCORECARD_MARKDOWN && format != SVCQ_SCORECARD_JSON && format != SVCQ_SCORECARD_CSV)
        return svcq__error(ctx, SVCQ_EINVAL, "card %s: no %s export (Markdown, JSON or CSV)", unit,
                           svcq_scorecard_format_name(format) ? svcq_scorecard_format_name(format) : "such");
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    int rc = format == SVCQ_SCORECARD_MARKDOWN ? card_markdown(p, (uint32_t)ci, &b)
             : format == SVCQ_SCORECARD_JSON   ? card_json(p, (uint32_t)ci, &b)
                                               : card_csv(p, (uint32_t)ci, &b);
    if (rc)
        rc = rc == SVCQ_ENOMEM ? svcq__enomem(ctx) : rc;
    else
        rc = svcq__sc_flush(ctx, writer, &b);
    svcq__buf_free(&b);
    return rc;
}

/* ---- rankings ------------------------------------------------------------- */

static const char *change_text(const svcq_scorecard_ranking *r, const svcq__rk_result *e, char out[32])
{
    if (!r->has_prev)
        return "";
    if (!e->has_prev)
        return "new";
    if (!e->rank || !e->prev_rank)
        snprintf(out, 32, "was %u", e->prev_rank);
    else
        snprintf(out, 32, "%+d", (int)e->change);
    return out;
}

static int ranking_markdown(const svcq_scorecard_ranking *r, svcq__buf *b)
{
    const svcq_scorecard_template *t = r->tpl;
    char x[32], y[32], z[32], w[32];
    int rc;
    TRY(svcq__buf_printf(b, "# Ranking %s (template %s v%u, ", r->label, t->name, t->version));
    if (r->basis == SVCQ_SCORECARD_BASIS_COMPOSITE)
        TRY(svcq__buf_printf(b, "composite: %u %% card share + %u %% satisfaction", t->card_percent, t->sat_percent));
    else
        TRY(svcq__buf_puts(b, "card share"));
    TRY(svcq__buf_printf(b, "; a veto: %s", svcq_scorecard_veto_effect_name(t->effect)));
    if (t->effect == SVCQ_SCORECARD_EFFECT_CAP)
        TRY(svcq__buf_printf(b, " at %s", svcq__sc_fmt(t->cap, x)));
    TRY(svcq__buf_printf(b, ")\n\nPeriods:"));
    for (uint32_t i = 0; i < r->nperiods; i++)
        TRY(svcq__buf_printf(b, "%s %s", i ? "," : "", r->periods[i]));
    TRY(svcq__buf_puts(b, ". Equal scores share a rank (1, 2, 2, 4) and are listed by unit.\n\n"
                          "| rank | unit | card share | satisfaction | score | veto | change |\n"
                          "|---:|---|---:|---:|---:|---|---|\n"));
    for (uint32_t i = 0; i < r->nresult; i++) {
        const svcq__rk_result *e = &r->result[i];
        const svcq__rk_unit *u = &r->units[e->unit];
        if (e->rank)
            TRY(svcq__buf_printf(b, "| %u | ", e->rank));
        else
            TRY(svcq__buf_puts(b, "| - | "));
        TRY(svcq__sc_md_cell(b, u->unit));
        TRY(svcq__buf_printf(b, " | %s | %s | %s | ", svcq__sc_fmt(e->share, x),
                             e->sat >= 0 ? svcq__sc_fmt(e->sat, y) : "-",
                             e->excluded ? "excluded" : svcq__sc_fmt(e->score, z)));
        if (u->vetoed) {
            TRY(svcq__buf_printf(b, "vetoed (score %s before the veto): ", svcq__sc_fmt(e->raw, w)));
            TRY(svcq__sc_md_cell(b, u->veto_reason ? u->veto_reason : ""));
        }
        TRY(svcq__buf_printf(b, " | %s |\n", change_text(r, e, w)));
    }
done:
    return rc;
}

static int ranking_csv(const svcq_scorecard_ranking *r, svcq__buf *b)
{
    static const char *const head[] = { "rank", "unit", "card_share", "satisfaction", "raw_score", "score",
                                        "vetoed", "veto_reason", "previous_rank", "change" };
    int rc;
    TRY(csv_row(b, head, 10));
    for (uint32_t i = 0; i < r->nresult; i++) {
        const svcq__rk_result *e = &r->result[i];
        const svcq__rk_unit *u = &r->units[e->unit];
        char rank[16], prev[16], chg[16], a[32], s[32], raw[32], sc[32];
        snprintf(rank, sizeof(rank), "%u", e->rank);
        snprintf(prev, sizeof(prev), "%u", e->prev_rank);
        snprintf(chg, sizeof(chg), "%d", (int)e->change);
        const char *row[] = { e->rank ? rank : "", u->unit, svcq__sc_fmt(e->share, a),
                              e->sat >= 0 ? svcq__sc_fmt(e->sat, s) : "", svcq__sc_fmt(e->raw, raw),
                              e->excluded ? "" : svcq__sc_fmt(e->score, sc), u->vetoed ? "yes" : "no",
                              u->veto_reason ? u->veto_reason : "", e->has_prev ? prev : "",
                              e->has_prev && e->rank && e->prev_rank ? chg : "" };
        TRY(csv_row(b, row, 10));
    }
done:
    return rc;
}

/* A horizontal bar per entry, 0 to 100 % over BAR_W pixels, drawn on whole
 * pixels with the shared SVG writer (src/analysis/svg.h). */
#define LABEL_W 220
#define BAR_W 400
#define ROW_H 26
#define TOP 40

static int ranking_svg(const svcq_scorecard_ranking *r, svcq__buf *b)
{
    svcq__svg s = { r->ctx, b, SVCQ_OK, true };
    double width = LABEL_W + BAR_W + 140, height = TOP + ROW_H * (double)r->nresult + 20;
    char x[32];
    svcq__svg_begin(&s, false, width, height, "sans-serif", "font-size=\"13\"", r->label);
    svcq__svg_label_open(&s, 10, 24, "font-size=\"16\" font-weight=\"bold\"");
    svcq__svg_raw(&s, "Ranking ");
    svcq__svg_esc(&s, r->label);
    svcq__svg_raw(&s, r->basis == SVCQ_SCORECARD_BASIS_COMPOSITE ? " (composite)" : " (card share)");
    svcq__svg_label_close(&s);
    for (uint32_t i = 0; i < r->nresult; i++) {
        const svcq__rk_result *e = &r->result[i];
        const svcq__rk_unit *u = &r->units[e->unit];
        double y = TOP + ROW_H * (double)i;
        int64_t v = e->excluded ? e->raw : e->score;
        if (v < 0)
            v = 0;
        if (v > 100000)
            v = 100000;
        double len = (double)(v * BAR_W / 100000);
        svcq__svg_raw(&s, "<g class=\"entry\">\n");
        svcq__svg_label_open(&s, LABEL_W - 8, y + 17, "text-anchor=\"end\"");
        if (e->rank) {
            svcq__svg_num(&s, e->rank);
            svcq__svg_raw(&s, ". ");
        }
        svcq__svg_esc(&s, u->unit);
        svcq__svg_label_close(&s);
        svcq__svg_rect(&s, LABEL_W, y + 4, len, ROW_H - 8, -1,
                       e->excluded ? "fill=\"#bbbbbb\"" : u->vetoed ? "fill=\"#d9534f\"" : "fill=\"#4a7ebb\"");
        svcq__svg_label_open(&s, LABEL_W + len + 6, y + 17, NULL);
        svcq__svg_raw(&s, svcq__sc_fmt(e->excluded ? e->raw : e->score, x));
        svcq__svg_raw(&s, e->excluded ? " (vetoed, excluded)" : u->vetoed ? " (vetoed)" : "");
        svcq__svg_label_close(&s);
        svcq__svg_raw(&s, "</g>\n");
    }
    svcq__svg_raw(&s, "</svg>\n");
    return s.rc;
}

int svcq_scorecard_ranking_export(const svcq_scorecard_ranking *r, const svcq_writer *writer, int32_t format)
{
    if (!r || !writer)
        return svcq__error(r ? r->ctx : NULL, SVCQ_EINVAL, "svcq_scorecard_ranking_export: NULL %s",
                           !r ? "ranking" : "writer");
    svcq_ctx *ctx = r->ctx;
    if (format != SVCQ_SCORECARD_MARKDOWN && format != SVCQ_SCORECARD_CSV && format != SVCQ_SCORECARD_SVG)
        return svcq__error(ctx, SVCQ_EINVAL, "ranking %s: no %s export (Markdown, CSV or SVG)", r->label,
                           svcq_scorecard_format_name(format) ? svcq_scorecard_format_name(format) : "such");
    if (!r->computed)
        return svcq__error(ctx, SVCQ_ESTATE, "ranking %s is not computed (svcq_scorecard_ranking_compute)", r->label);
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    int rc = format == SVCQ_SCORECARD_MARKDOWN ? ranking_markdown(r, &b)
             : format == SVCQ_SCORECARD_CSV    ? ranking_csv(r, &b)
                                               : ranking_svg(r, &b);
    if (rc)
        rc = svcq__enomem(ctx);
    else
        rc = svcq__sc_flush(ctx, writer, &b);
    svcq__buf_free(&b);
    return rc;
}
