/* The blueprint as an SVG swimlane, drawn by the library.
 *
 * Layout (no font metrics: text is measured with the analysis module's
 * per-character estimate and wrapped to fixed widths, svcq__an_wrap):
 *
 *   title
 *   [lane labels] | step 1 header | step 2 header | ...    header row
 *   Customer      | box           | box           |        lane 0
 *   -- line of interaction ------------------------------  gap band
 *   Front stage   | box           |               |        lane 1
 *   -- line of visibility -------------------------------  gap band
 *   Back stage    | ...                                    lane 2
 *   -- line of internal interaction ---------------------  gap band
 *   Support       | ...                                    lane 3
 *   Risk points   | risk blocks   | risk blocks   |        risk band
 *   legend
 *
 * Every column is CW wide and every text is wrapped to the width of its
 * box, so texts of different columns cannot meet; each band is as tall as
 * its tallest cell, so texts of different bands cannot meet; inside the
 * risk band the blocks of one column are stacked. Line labels sit in the
 * gap bands, inside the label column. A step's boxes are joined by
 * vertical connectors (the line crossings), the customer's boxes by
 * arrows in step order. Numbers are written by hand (%f follows the
 * locale). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "analysis/svg.h"
#include "blueprint/blueprint_internal.h"

#define FS 11.0
#define LH 14.0
#define PAD 6.0
#define CW 180.0              /* a step's column */
#define BOXW (CW - 20.0)      /* its boxes */
#define LW 128.0              /* the lane-label column */
#define MARGIN 16.0
#define GAP 22.0              /* band between lanes, holding a line */
#define TITLE_FS 16.0
#define TITLE_LH 20.0
#define HEAD_FS 12.0
#define HEAD_LH 15.0
#define SMALL_FS 9.5
#define SMALL_LH 12.0
#define R 9.0                 /* risk marker radius */
#define MAX_LINES 8

/* One-line text (already short). */
static void text1(svcq__svg *s, const char *t, double x, double top, double fs, const char *anchor, const char *attrs)
{
    svcq__an_lines l = { 0 };
    l.n = 1;
    l.line[0] = (char *)t;
    svcq__svg_text(s, &l, x, top, fs, fs, anchor, attrs);
}

/* ---- the layout -------------------------------------------------------------------- */

/* A paragraph of a risk block. */
typedef struct para {
    svcq__an_lines l;
    double fs, lh;
    const char *attrs;
} para;

typedef struct rblock {
    para p[4];
    size_t np;
    double h;
    const char *fill;  /* marker colour */
    char mark[16];     /* text in the marker */
    bool unplanned;    /* the unplanned-risk note, not a risk point */
} rblock;

typedef struct col {
    svcq__an_lines head, sub, count;
    svcq__an_lines lane[4];
    rblock *blocks;
    size_t nblocks;
    svcq_blueprint_step_stats st;
} col;

typedef struct layout {
    svcq_ctx *ctx;
    col *cols;
    size_t n;
    svcq__an_lines title;
    svcq_blueprint_step_stats *stats; /* per step */
    uint32_t *rb;                     /* breaches per risk point */
} layout;

static void para_free(svcq_ctx *ctx, para *p)
{
    svcq__an_lines_free(ctx, &p->l);
}

static void layout_free(layout *L)
{
    for (size_t i = 0; L->cols && i < L->n; i++) {
        col *c = &L->cols[i];
        svcq__an_lines_free(L->ctx, &c->head);
        svcq__an_lines_free(L->ctx, &c->sub);
        svcq__an_lines_free(L->ctx, &c->count);
        for (int l = 0; l < 4; l++)
            svcq__an_lines_free(L->ctx, &c->lane[l]);
        for (size_t k = 0; k < c->nblocks; k++)
            for (size_t j = 0; j < c->blocks[k].np; j++)
                para_free(L->ctx, &c->blocks[k].p[j]);
        svcq__free(L->ctx, c->blocks);
    }
    svcq__free(L->ctx, L->cols);
    svcq__free(L->ctx, L->stats);
    svcq__free(L->ctx, L->rb);
    svcq__an_lines_free(L->ctx, &L->title);
}

static int wrap(svcq_ctx *ctx, const char *t, double width_px, double fs, size_t max_lines, svcq__an_lines *out)
{
    return svcq__an_wrap(ctx, t, width_px / fs, max_lines, out);
}

/* The marker colour of a risk point: by the incident count of its step
 * in the period (overlay), or the plain marker without one. */
static const char *count_fill(uint32_t n)
{
    if (n == 0)
        return "#66bb6a";
    if (n == 1)
        return "#fdd835";
    if (n <= 4)
        return "#fb8c00";
    return "#d32f2f";
}

static int add_para(svcq_ctx *ctx, rblock *b, const char *t, double width, double fs, double lh, size_t lines,
                    const char *attrs)
{
    para *p = &b->p[b->np];
    p->fs = fs;
    p->lh = lh;
    p->attrs = attrs;
    int rc = wrap(ctx, t, width, fs, lines, &p->l);
    if (rc == SVCQ_OK)
        b->np++;
    return rc;
}

static double block_text_h(const rblock *b)
{
    double h = 0;
    for (size_t j = 0; j < b->np; j++)
        h += (double)b->p[j].l.n * b->p[j].lh + (j ? 2.0 : 0.0);
    return h;
}

static int fill_blocks(layout *L, const svcq_blueprint *bp, const svcq_blueprint_overlay *ov, size_t i)
{
    svcq_ctx *ctx = L->ctx;
    col *c = &L->cols[i];
    const svcq__bp_step *s = &bp->m.steps[i];
    size_t n = 0;
    for (size_t k = 0; k < bp->m.nrisks; k++)
        n += strcmp(bp->m.risks[k].step, s->key) == 0;
    if (ov && c->st.unplanned)
        n++;
    if (n == 0)
        return SVCQ_OK;
    c->blocks = svcq__calloc(ctx, n, sizeof(*c->blocks));
    if (!c->blocks)
        return svcq__enomem(ctx);
    const double tw = BOXW - 2 * R - 6.0;
    svcq__buf t;
    svcq__buf_init(&t, ctx);
    int rc = SVCQ_OK;
    for (size_t k = 0; rc == SVCQ_OK && k < bp->m.nrisks; k++) {
        const svcq__bp_risk *r = &bp->m.risks[k];
        if (strcmp(r->step, s->key) != 0)
            continue;
        rblock *b = &c->blocks[c->nblocks++];
        b->fill = ov ? count_fill(c->st.incidents) : "#ffffff";
        snprintf(b->mark, sizeof(b->mark), "%s", ov ? "" : "!");
        if (ov)
            snprintf(b->mark, sizeof(b->mark), "%u", (unsigned)(c->st.incidents > 999 ? 999 : c->st.incidents));
        svcq__buf_truncate(&t, 0);
        rc = svcq__buf_printf(&t, "%s · %s: %s", r->key, svcq_blueprint_severity_name(r->severity), r->failure);
        if (rc == SVCQ_OK)
            rc = add_para(ctx, b, t.data, tw, FS, LH, 4,
                          r->severity >= SVCQ_BLUEPRINT_HIGH ? "fill=\"#b71c1c\" font-weight=\"bold\""
                                                             : "fill=\"#222222\" font-weight=\"bold\"");
        if (rc == SVCQ_OK && (r->contingency || r->owner)) {
            svcq__buf_truncate(&t, 0);
            rc = svcq__buf_printf(&t, "\xe2\x86\xb3 %s%s%s%s", r->contingency ? r->contingency : "no contingency",
                                  r->owner ? " (" : "", r->owner ? r->owner : "", r->owner ? ")" : "");
            if (rc == SVCQ_OK)
                rc = add_para(ctx, b, t.data, tw, SMALL_FS, SMALL_LH, 3, "fill=\"#333333\"");
        }
        if (rc == SVCQ_OK && (r->watch != SVCQ_BLUEPRINT_WATCH_NONE || ov)) {
            svcq__buf_truncate(&t, 0);
            if (r->watch != SVCQ_BLUEPRINT_WATCH_NONE)
                rc = svcq__buf_printf(&t, "watched by %s %s", r->watch == SVCQ_BLUEPRINT_WATCH_SLA_TARGET ? "SLA"
                                                                                                          : "KPI",
                                      r->watch_name);
            if (rc == SVCQ_OK && ov && r->watch == SVCQ_BLUEPRINT_WATCH_SLA_TARGET) {
                uint32_t br = L->rb[k];
                rc = svcq__buf_printf(&t, " · %u breach%s", (unsigned)br, br == 1 ? "" : "es");
            }
            if (rc == SVCQ_OK && t.len)
                rc = add_para(ctx, b, t.data, tw, SMALL_FS, SMALL_LH, 3, "fill=\"#555555\" font-style=\"italic\"");
        }
    }
    if (rc == SVCQ_OK && ov && c->st.unplanned) {
        rblock *b = &c->blocks[c->nblocks++];
        b->unplanned = true;
        b->fill = count_fill(c->st.incidents);
        snprintf(b->mark, sizeof(b->mark), "%u", (unsigned)(c->st.incidents > 999 ? 999 : c->st.incidents));
        svcq__buf_truncate(&t, 0);
        rc = svcq__buf_printf(&t, "Unplanned risk: %u incident%s here and no risk point", (unsigned)c->st.incidents,
                              c->st.incidents == 1 ? "" : "s");
        if (rc == SVCQ_OK)
            rc = add_para(ctx, b, t.data, tw, FS, LH, 3, "fill=\"#b71c1c\" font-weight=\"bold\"");
    }
    for (size_t k = 0; k < c->nblocks; k++) {
        double h = block_text_h(&c->blocks[k]);
        c->blocks[k].h = h > 2 * R ? h : 2 * R;
    }
    svcq__buf_free(&t);
    return rc;
}

static int build(layout *L, const svcq_blueprint *bp, const svcq_blueprint_overlay *ov, double width)
{
    svcq_ctx *ctx = L->ctx;
    int rc = wrap(ctx, bp->m.title, width - 2 * MARGIN, TITLE_FS, 3, &L->title);
    if (rc)
        return rc;
    L->n = bp->m.nsteps;
    if (L->n) {
        L->cols = svcq__calloc(ctx, L->n, sizeof(*L->cols));
        L->stats = svcq__calloc(ctx, L->n, sizeof(*L->stats));
        if (!L->cols || !L->stats)
            return svcq__enomem(ctx);
    }
    if (bp->m.nrisks) {
        L->rb = svcq__calloc(ctx, bp->m.nrisks, sizeof(*L->rb));
        if (!L->rb)
            return svcq__enomem(ctx);
    }
    rc = svcq__bp_stats_all(ov, bp, L->stats, L->rb);
    if (rc)
        return rc;
    svcq__buf t;
    svcq__buf_init(&t, ctx);
    for (size_t i = 0; rc == SVCQ_OK && i < L->n; i++) {
        col *c = &L->cols[i];
        const svcq__bp_step *s = &bp->m.steps[i];
        svcq__buf_truncate(&t, 0);
        rc = svcq__buf_printf(&t, "%zu. %s", i + 1, s->title);
        if (rc == SVCQ_OK)
            rc = wrap(ctx, t.data, BOXW, HEAD_FS, 4, &c->head);
        svcq__buf_truncate(&t, 0);
        if (rc == SVCQ_OK)
            rc = svcq__buf_printf(&t, "%s%s%s", s->stage, s->channel ? " · " : "", s->channel ? s->channel : "");
        if (rc == SVCQ_OK)
            rc = wrap(ctx, t.data, BOXW, SMALL_FS, 2, &c->sub);
        c->st = L->stats[i];
        if (rc == SVCQ_OK && ov) {
            svcq__buf_truncate(&t, 0);
            rc = svcq__buf_printf(&t, "%u incident%s · %u open · %u recurrence%s", (unsigned)c->st.incidents,
                                  c->st.incidents == 1 ? "" : "s", (unsigned)c->st.open, (unsigned)c->st.recurrences,
                                  c->st.recurrences == 1 ? "" : "s");
            if (rc == SVCQ_OK)
                rc = wrap(ctx, t.data, BOXW, SMALL_FS, 2, &c->count);
        }
        const char *lanes[4] = { s->customer, s->front, s->back, s->support };
        for (int l = 0; rc == SVCQ_OK && l < 4; l++)
            if (lanes[l])
                rc = wrap(ctx, lanes[l], BOXW - 2 * PAD, FS, MAX_LINES, &c->lane[l]);
        if (rc == SVCQ_OK)
            rc = fill_blocks(L, bp, ov, i);
    }
    svcq__buf_free(&t);
    return rc;
}

/* ---- drawing ----------------------------------------------------------------------- */

static const char *const lane_name[4] = { "Customer actions", "Front stage\n(visible)", "Back stage\n(invisible)",
                                          "Support systems" };
static const char *const line_label[3] = { "line of interaction", "line of visibility",
                                           "line of internal interaction" };
static const char *const line_style[3] = { "stroke=\"#1565c0\" stroke-width=\"1.6\"",
                                           "stroke=\"#1565c0\" stroke-width=\"1.6\" stroke-dasharray=\"8 4\"",
                                           "stroke=\"#1565c0\" stroke-width=\"1.2\" stroke-dasharray=\"2 3\"" };
static const char *const lane_fill[4] = { "#e3f2fd", "#e8f5e9", "#fff8e1", "#f3e5f5" };

typedef struct legend_item {
    const char *fill;
    const char *label;
    bool dashed;
} legend_item;

int svcq__bp_svg(const svcq_blueprint *bp, const svcq_blueprint_overlay *ov, svcq__buf *out)
{
    svcq_ctx *ctx = bp->ctx;
    size_t ncols = bp->m.nsteps ? bp->m.nsteps : 1;
    const double width = LW + (double)ncols * CW + MARGIN;
    layout L = { ctx, NULL, 0, { 0 }, NULL, NULL };
    int rc = build(&L, bp, ov, width);
    if (rc) {
        layout_free(&L);
        return rc;
    }
    /* Vertical geometry. */
    double y = MARGIN;
    const double title_top = y;
    y += (double)L.title.n * TITLE_LH + 10.0;
    const double head_top = y;
    double head_h = 0;
    for (size_t i = 0; i < L.n; i++) {
        const col *c = &L.cols[i];
        double h = (double)c->head.n * HEAD_LH + (double)c->sub.n * SMALL_LH + (double)c->count.n * SMALL_LH;
        if (h > head_h)
            head_h = h;
    }
    head_h += 2 * PAD;
    y += head_h + 8.0;
    double lane_top[4], lane_h[4];
    for (int l = 0; l < 4; l++) {
        double h = 2 * LH;
        for (size_t i = 0; i < L.n; i++) {
            double t = (double)L.cols[i].lane[l].n * LH;
            if (t > h)
                h = t;
        }
        /* The lane label (two lines at most) fits too. */
        lane_top[l] = y;
        lane_h[l] = h + 4 * PAD;
        y += lane_h[l] + (l < 3 ? GAP : 8.0);
    }
    const double risk_top = y;
    double risk_h = 2 * LH;
    for (size_t i = 0; i < L.n; i++) {
        double h = 0;
        for (size_t k = 0; k < L.cols[i].nblocks; k++)
            h += L.cols[i].blocks[k].h + 8.0;
        if (h > risk_h)
            risk_h = h;
    }
    risk_h += 2 * PAD;
    y += risk_h + 12.0;
    /* The legend, in rows that fit the width. */
    legend_item items[8];
    size_t nitems = 0;
    if (ov) {
        items[nitems++] = (legend_item){ "#66bb6a", "no incident in the period", false };
        items[nitems++] = (legend_item){ "#fdd835", "1 incident", false };
        items[nitems++] = (legend_item){ "#fb8c00", "2 to 4 incidents", false };
        items[nitems++] = (legend_item){ "#d32f2f", "5 or more", false };
        items[nitems++] = (legend_item){ "#ffffff", "unplanned risk (no risk point)", true };
    } else {
        items[nitems++] = (legend_item){ "#ffffff", "risk point", false };
    }
    double lx[8], ly[8];
    const double legend_top = y;
    double cx = MARGIN, cy = y;
    for (size_t k = 0; k < nitems; k++) {
        double w = 2 * R + 6.0;
        for (const char *p = items[k].label; *p; p++)
            w += svcq__an_advance((unsigned char)*p) * SMALL_FS;
        if (cx > MARGIN && cx + w > width - MARGIN) {
            cx = MARGIN;
            cy += 2 * R + 6.0;
        }
        lx[k] = cx;
        ly[k] = cy;
        cx += w + 18.0;
    }
    y = cy + 2 * R + MARGIN;
    const double height = y;

    svcq__svg s = { ctx, out, SVCQ_OK, false };
    svcq__svg_begin(&s, true, width, height, svcq__svg_font, NULL, bp->m.title);
    svcq__svg_raw(&s, "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" "
            "markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#455a64\"/></marker></defs>\n");
    svcq__svg_rect(&s, 0, 0, width, height, 0, "fill=\"#ffffff\"");
    svcq__svg_text(&s, &L.title, MARGIN, title_top, TITLE_FS, TITLE_LH, "start", "fill=\"#111111\" font-weight=\"bold\"");

    /* Lane backgrounds and labels. */
    for (int l = 0; l < 4; l++) {
        char attrs[64];
        snprintf(attrs, sizeof(attrs), "fill=\"%s\"", lane_fill[l]);
        svcq__svg_rect(&s, MARGIN / 2, lane_top[l], width - MARGIN, lane_h[l], 4, attrs);
        svcq__an_lines ll = { 0 };
        rc = wrap(ctx, lane_name[l], LW - MARGIN - PAD, HEAD_FS, 2, &ll);
        if (rc == SVCQ_OK)
            svcq__svg_text(&s, &ll, MARGIN, lane_top[l] + PAD, HEAD_FS, HEAD_LH, "start",
                       "fill=\"#263238\" font-weight=\"bold\"");
        svcq__an_lines_free(ctx, &ll);
        if (rc)
            break;
    }
    svcq__svg_rect(&s, MARGIN / 2, risk_top, width - MARGIN, risk_h, 4, "fill=\"#fbe9e7\"");
    text1(&s, "Risk points", MARGIN, risk_top + PAD, HEAD_FS, "start", "fill=\"#b71c1c\" font-weight=\"bold\"");
    /* The three lines, each in the gap under its lane, labelled at the left. */
    for (int l = 0; l < 3; l++) {
        double gy = lane_top[l] + lane_h[l];
        double ly0 = gy + GAP - 5.0;
        svcq__svg_line(&s, MARGIN / 2, ly0, width - MARGIN / 2, ly0, line_style[l]);
        text1(&s, line_label[l], MARGIN, gy + 1.5, SMALL_FS, "start", "fill=\"#1565c0\" font-style=\"italic\"");
    }

    for (size_t i = 0; i < L.n && rc == SVCQ_OK; i++) {
        const col *c = &L.cols[i];
        double x0 = LW + (double)i * CW;
        /* Header. */
        const char *hstroke = c->st.unplanned ? "fill=\"#ffffff\" stroke=\"#d32f2f\" stroke-width=\"1.5\" "
                                                "stroke-dasharray=\"5 3\""
                                              : "fill=\"#eceff1\" stroke=\"#90a4ae\"";
        svcq__svg_rect(&s, x0, head_top, BOXW, head_h, 4, hstroke);
        double ty = head_top + PAD;
        svcq__svg_text(&s, &c->head, x0 + PAD, ty, HEAD_FS, HEAD_LH, "start", "fill=\"#111111\" font-weight=\"bold\"");
        ty += (double)c->head.n * HEAD_LH;
        svcq__svg_text(&s, &c->sub, x0 + PAD, ty, SMALL_FS, SMALL_LH, "start", "fill=\"#455a64\"");
        ty += (double)c->sub.n * SMALL_LH;
        svcq__svg_text(&s, &c->count, x0 + PAD, ty, SMALL_FS, SMALL_LH, "start",
                   c->st.incidents ? "fill=\"#b71c1c\"" : "fill=\"#2e7d32\"");
        /* Lane boxes, their connectors down the column, the customer's path. */
        int prev = -1;
        for (int l = 0; l < 4; l++) {
            if (!c->lane[l].n)
                continue;
            double by = lane_top[l] + PAD;
            double bh = lane_h[l] - 2 * PAD;
            svcq__svg_rect(&s, x0, by, BOXW, bh, 5, "fill=\"#ffffff\" stroke=\"#78909c\"");
            svcq__svg_text(&s, &c->lane[l], x0 + PAD, by + PAD, FS, LH, "start", "fill=\"#222222\"");
            if (prev >= 0)
                svcq__svg_line(&s, x0 + BOXW / 2, lane_top[prev] + lane_h[prev] - PAD, x0 + BOXW / 2, by,
                     "stroke=\"#455a64\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"");
            prev = l;
        }
        if (c->lane[0].n) {
            for (size_t j = i + 1; j < L.n; j++) {
                if (!L.cols[j].lane[0].n)
                    continue;
                double my = lane_top[0] + lane_h[0] / 2;
                svcq__svg_line(&s, x0 + BOXW, my, LW + (double)j * CW, my,
                     "stroke=\"#455a64\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"");
                break;
            }
        }
        /* Risk blocks. */
        double by = risk_top + PAD;
        for (size_t k = 0; k < c->nblocks; k++) {
            const rblock *b = &c->blocks[k];
            char attrs[160];
            snprintf(attrs, sizeof(attrs), "fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\"%s", b->fill,
                     b->unplanned || !ov ? "#d32f2f" : "#5d4037",
                     b->unplanned ? " stroke-dasharray=\"3 2\"" : "");
            svcq__svg_raw(&s, "<circle cx=\"");
            svcq__svg_num(&s, x0 + R);
            svcq__svg_raw(&s, "\" cy=\"");
            svcq__svg_num(&s, by + R);
            svcq__svg_raw(&s, "\" r=\"");
            svcq__svg_num(&s, R);
            svcq__svg_raw(&s, "\" ");
            svcq__svg_raw(&s, attrs);
            svcq__svg_raw(&s, "/>\n");
            /* The marker's text: at most three digits at 8 px fit in the circle. */
            text1(&s, b->mark, x0 + R, by + R - 4.5, 8.0, "middle", "fill=\"#111111\" font-weight=\"bold\"");
            double py = by;
            for (size_t j = 0; j < b->np; j++) {
                svcq__svg_text(&s, &b->p[j].l, x0 + 2 * R + 6.0, py, b->p[j].fs, b->p[j].lh, "start", b->p[j].attrs);
                py += (double)b->p[j].l.n * b->p[j].lh + 2.0;
            }
            by += b->h + 8.0;
        }
    }
    if (L.n == 0)
        text1(&s, "(no steps yet)", LW, head_top + PAD, HEAD_FS, "start", "fill=\"#777777\"");
    /* Legend. */
    (void)legend_top;
    for (size_t k = 0; k < nitems; k++) {
        char attrs[128];
        snprintf(attrs, sizeof(attrs), "fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\"%s", items[k].fill,
                 items[k].dashed || !ov ? "#d32f2f" : "#5d4037", items[k].dashed ? " stroke-dasharray=\"3 2\"" : "");
        svcq__svg_raw(&s, "<circle cx=\"");
        svcq__svg_num(&s, lx[k] + R);
        svcq__svg_raw(&s, "\" cy=\"");
        svcq__svg_num(&s, ly[k] + R);
        svcq__svg_raw(&s, "\" r=\"");
        svcq__svg_num(&s, R);
        svcq__svg_raw(&s, "\" ");
        svcq__svg_raw(&s, attrs);
        svcq__svg_raw(&s, "/>\n");
        text1(&s, items[k].label, lx[k] + 2 * R + 6.0, ly[k] + R - SMALL_FS / 2 - 1.0, SMALL_FS, "start",
              "fill=\"#333333\"");
    }
    svcq__svg_raw(&s, "</svg>\n");
    if (rc == SVCQ_OK)
        rc = s.rc;
    layout_free(&L);
    return rc;
}
