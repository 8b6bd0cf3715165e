/* SVG pictures drawn by the library: the fishbone and a 5-Why tree.
 *
 * No font metrics are available, so text is measured with a per-character
 * estimate in em (svcq__an_advance: generous for Latin letters, one em for
 * CJK) and wrapped to a fixed width; the layout is then computed so that
 * no two labels can overlap by construction:
 *
 * Fishbone. Categories alternate above and below the spine and are paired
 * in vertical bands, left to right; the head (the effect) is on the right.
 * In each half-band, the causes of the category are rows stacked in
 * document order, one row per cause whatever its depth, each row right-
 * aligned against the bone (which leans back from the spine by SLANT px per
 * px) minus an indent per level, so rows never share a vertical span and
 * never reach past the band's left margin. A cause's rib runs under its
 * text to the bone (level 1) or to the sub-bone of its parent, a segment
 * parallel to the bone that lies between the texts of the two levels. The
 * band is as wide as its widest row needs; the category label sits at the
 * bone's far end, far enough from the spine that it stays inside the band.
 *
 * 5-Why tree. Boxes top down, a level per why; each subtree gets a span as
 * wide as the larger of its box and its children's spans side by side, so
 * boxes of one level never overlap and levels are apart.
 *
 * Numbers are written with one decimal by hand (the C library's %f
 * depends on the locale). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "analysis/svg.h"

#define FS 12.0          /* font size of causes and whys */
#define LH 15.0          /* their line height */
#define WRAP_EM 14.0     /* width of a cause's text */
#define MAX_LINES 8
#define PAD 6.0          /* text to bone */
#define IND 22.0         /* indent per level */
#define ROWGAP 8.0
#define SLANT 0.45       /* bone: px left per px away from the spine */
#define GAP_SPINE 16.0
#define MARGIN 22.0      /* free space at the left of a band */
#define TOP 20.0
#define CAT_FS 13.0
#define CAT_LH 16.0
#define CAT_WRAP_EM 11.0
#define HEAD_FS 14.0
#define HEAD_LH 18.0
#define HEAD_WRAP_EM 13.0

static double lines_w(const svcq__an_lines *l, double fs)
{
    double w = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->width[i] > w)
            w = l->width[i];
    return w * fs;
}

static const char *text_attrs(const svcq__an_node *n)
{
    if (n->root)
        return "fill=\"#b03a2e\" font-weight=\"bold\"";
    switch (n->status) {
    case SVCQ_ANALYSIS_CONFIRMED: return "fill=\"#1b5e20\" font-weight=\"bold\"";
    case SVCQ_ANALYSIS_REFUTED: return "fill=\"#888888\" text-decoration=\"line-through\"";
    default: return "fill=\"#222222\"";
    }
}

static void header(svcq__svg *s, double w, double h, const char *title)
{
    svcq__svg_begin(s, true, w, h, svcq__svg_font, NULL, title);
    svcq__svg_rect(s, 0, 0, w, h, 0, "fill=\"#ffffff\"");
}

/* ---- the fishbone ------------------------------------------------------------- */

typedef struct row {
    const svcq__an_node *n;
    svcq__an_lines l;
    unsigned level;  /* 1 under the category */
    double w;        /* text width, px */
    double d_top, d_rib; /* distances from the spine of the text's top and of the rib */
    int parent;      /* row index of the parent cause, -1 under the category */
    int last_child;  /* row index of the last child cause, -1 when none */
} row;

typedef struct half {
    const svcq__an_node *cat; /* NULL: empty half */
    svcq__an_lines cl;
    double cw, ch;            /* label box */
    row *rows;
    size_t nrows;
    double d_lab;             /* distance of the label box's near edge */
    double need_w;            /* band width this half needs */
} half;

static size_t count_causes(const svcq__an_node *n)
{
    size_t c = 0;
    for (size_t i = 0; i < n->nkids; i++)
        if (n->kids[i]->kind == SVCQ_ANALYSIS_CAUSE)
            c += 1 + count_causes(n->kids[i]);
    return c;
}

static int fill_rows(svcq_ctx *ctx, half *h, const svcq__an_node *n, unsigned level, int parent)
{
    for (size_t i = 0; i < n->nkids; i++) {
        const svcq__an_node *k = n->kids[i];
        if (k->kind != SVCQ_ANALYSIS_CAUSE)
            continue;
        row *r = &h->rows[h->nrows];
        r->n = k;
        r->level = level;
        r->parent = parent;
        r->last_child = -1;
        int rc = svcq__an_wrap(ctx, k->text, WRAP_EM, MAX_LINES, &r->l);
        if (rc)
            return rc;
        r->w = lines_w(&r->l, FS);
        int me = (int)h->nrows++;
        if (parent >= 0)
            h->rows[parent].last_child = me;
        rc = fill_rows(ctx, h, k, level + 1, me);
        if (rc)
            return rc;
    }
    return SVCQ_OK;
}

static void half_free(svcq_ctx *ctx, half *h)
{
    for (size_t i = 0; i < h->nrows; i++)
        svcq__an_lines_free(ctx, &h->rows[i].l);
    svcq__free(ctx, h->rows);
    svcq__an_lines_free(ctx, &h->cl);
}

/* Lays out one half: distances from the spine, and the band width it needs. */
static int half_layout(svcq_ctx *ctx, half *h, bool upper)
{
    h->need_w = 0;
    if (!h->cat)
        return SVCQ_OK;
    int rc = svcq__an_wrap(ctx, h->cat->text, CAT_WRAP_EM, 3, &h->cl);
    if (rc)
        return rc;
    h->cw = lines_w(&h->cl, CAT_FS) + 16;
    h->ch = (double)h->cl.n * CAT_LH + 10;
    size_t n = count_causes(h->cat);
    if (n) {
        h->rows = svcq__calloc(ctx, n, sizeof(*h->rows));
        if (!h->rows)
            return svcq__enomem(ctx);
        rc = fill_rows(ctx, h, h->cat, 1, -1);
        if (rc)
            return rc;
    }
    double far = GAP_SPINE;
    if (upper) {
        double d = GAP_SPINE; /* the rib of the row nearest the spine */
        for (size_t i = h->nrows; i-- > 0;) {
            row *r = &h->rows[i];
            r->d_rib = d;
            r->d_top = d + (double)r->l.n * LH + 2;
            d = r->d_top + ROWGAP;
            far = r->d_top;
        }
    } else {
        double d = GAP_SPINE;
        for (size_t i = 0; i < h->nrows; i++) {
            row *r = &h->rows[i];
            r->d_top = d;
            r->d_rib = d + (double)r->l.n * LH + 2;
            d = r->d_rib + ROWGAP;
            far = r->d_rib;
        }
    }
    h->d_lab = far + 16;
    if (h->d_lab < 40)
        h->d_lab = 40;
    double overhang = (h->cw / 2 + 4) / SLANT;
    if (h->d_lab < overhang)
        h->d_lab = overhang;
    h->need_w = SLANT * h->d_lab + h->cw / 2 + MARGIN;
    for (size_t i = 0; i < h->nrows; i++) {
        const row *r = &h->rows[i];
        double far_r = upper ? r->d_top : r->d_rib;
        double need = SLANT * far_r + PAD + (double)(r->level - 1) * IND + r->w + MARGIN + 4;
        if (need > h->need_w)
            h->need_w = need;
    }
    return SVCQ_OK;
}

/* Bone x at distance d from the spine, for a band ending at xe. */
static double bone_x(double xe, double d)
{
    return xe - SLANT * d;
}

static void half_draw(svcq__svg *s, const half *h, double xe, double spine, bool upper)
{
    if (!h->cat)
        return;
    double sign = upper ? -1.0 : 1.0;
#define Y(d) (spine + sign * (d))
    /* The bone and the label. */
    double cx = bone_x(xe, h->d_lab);
    svcq__svg_line(s, xe, spine, cx, Y(h->d_lab), "stroke=\"#34495e\" stroke-width=\"2.5\"");
    double box_top = upper ? Y(h->d_lab) - h->ch : Y(h->d_lab);
    svcq__svg_rect(s, cx - h->cw / 2, box_top, h->cw, h->ch, 4, "fill=\"#34495e\"");
    svcq__svg_text(s, &h->cl, cx, box_top + 5, CAT_FS, CAT_LH, "middle", "fill=\"#ffffff\" font-weight=\"bold\"");
    for (size_t i = 0; i < h->nrows; i++) {
        const row *r = &h->rows[i];
        double far_r = upper ? r->d_top : r->d_rib;
        double x_end = bone_x(xe, far_r) - PAD - (double)(r->level - 1) * IND;
        double x_start = x_end - r->w;
        double top = upper ? Y(r->d_top) : Y(r->d_top);
        /* Where the rib ends: the bone, or the parent's sub-bone. */
        double conn;
        if (r->parent < 0)
            conn = bone_x(xe, r->d_rib);
        else
            conn = bone_x(xe, r->d_rib) - PAD - (double)(h->rows[r->parent].level - 1) * IND - IND / 2;
        if (r->n->root)
            svcq__svg_rect(s, x_start - 3, top - 1, r->w + 6, (double)r->l.n * LH + 3, 3,
                 "fill=\"#fde2e1\" stroke=\"#c0392b\" stroke-width=\"1.5\"");
        const char *rib = r->n->root ? "stroke=\"#c0392b\" stroke-width=\"2\""
                          : r->level == 1 ? "stroke=\"#5d6d7e\" stroke-width=\"1.5\""
                                          : "stroke=\"#85929e\" stroke-width=\"1\"";
        svcq__svg_line(s, x_start - 2, Y(r->d_rib), conn, Y(r->d_rib), rib);
        if (r->last_child >= 0) {
            const row *lc = &h->rows[r->last_child];
            double x0 = bone_x(xe, r->d_rib) - PAD - (double)(r->level - 1) * IND - IND / 2;
            double x1 = bone_x(xe, lc->d_rib) - PAD - (double)(r->level - 1) * IND - IND / 2;
            svcq__svg_line(s, x0, Y(r->d_rib), x1, Y(lc->d_rib), "stroke=\"#85929e\" stroke-width=\"1\"");
        }
        svcq__svg_text(s, &r->l, x_end, top, FS, LH, "end", text_attrs(r->n));
    }
#undef Y
}

static void legend(svcq__svg *s, double x, double y)
{
    static const struct {
        const char *label;
        const char *attrs;
        const char *box;
    } items[] = {
        { "root cause", "fill=\"#b03a2e\" font-weight=\"bold\"", "fill=\"#fde2e1\" stroke=\"#c0392b\"" },
        { "confirmed", "fill=\"#1b5e20\" font-weight=\"bold\"", NULL },
        { "hypothesis", "fill=\"#222222\"", NULL },
        { "refuted", "fill=\"#888888\" text-decoration=\"line-through\"", NULL },
        { "stops before the why depth", "fill=\"#e67e22\"", NULL },
    };
    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
        svcq__an_lines l = { 0 };
        l.n = 1;
        l.line[0] = (char *)items[i].label;
        double w = 0;
        for (const char *p = items[i].label; *p; p++)
            w += svcq__an_advance((unsigned char)*p);
        if (items[i].box)
            svcq__svg_rect(s, x - 3, y - 1, w * 11 + 6, 16, 3, items[i].box);
        svcq__svg_text(s, &l, x, y, 11, 14, "start", items[i].attrs);
        x += w * 11 + 24;
    }
}

static double legend_width(void)
{
    static const char *const labels[] = { "root cause", "confirmed", "hypothesis", "refuted",
                                          "stops before the why depth" };
    double x = 0;
    for (size_t i = 0; i < 5; i++) {
        double w = 0;
        for (const char *p = labels[i]; *p; p++)
            w += svcq__an_advance((unsigned char)*p);
        x += w * 11 + 24;
    }
    return x;
}

int svcq__an_svg_fishbone(const svcq_analysis *a, svcq__buf *out)
{
    svcq_ctx *ctx = a->ctx;
    const svcq__an_node *e = a->m.root;
    size_t ncat = 0;
    for (size_t i = 0; i < e->nkids; i++)
        ncat += e->kids[i]->kind == SVCQ_ANALYSIS_CATEGORY;
    size_t nband = (ncat + 1) / 2;
    half *halves = nband ? svcq__calloc(ctx, nband * 2, sizeof(*halves)) : NULL;
    svcq__an_lines head = { 0 };
    int rc = nband && !halves ? svcq__enomem(ctx) : SVCQ_OK;
    size_t k = 0;
    for (size_t i = 0; rc == SVCQ_OK && i < e->nkids; i++)
        if (e->kids[i]->kind == SVCQ_ANALYSIS_CATEGORY)
            halves[k++].cat = e->kids[i];
    double up = 0, down = 0;
    for (size_t i = 0; rc == SVCQ_OK && i < nband * 2; i++) {
        rc = half_layout(ctx, &halves[i], i % 2 == 0);
        if (rc == SVCQ_OK && halves[i].cat) {
            double ext = halves[i].d_lab + halves[i].ch;
            if (i % 2 == 0 && ext > up)
                up = ext;
            if (i % 2 == 1 && ext > down)
                down = ext;
        }
    }
    if (rc == SVCQ_OK)
        rc = svcq__an_wrap(ctx, e->text, HEAD_WRAP_EM, MAX_LINES, &head);
    if (rc == SVCQ_OK) {
        double hw = lines_w(&head, HEAD_FS) + 36, hh = (double)head.n * HEAD_LH + 24;
        if (up < hh / 2 + 10)
            up = hh / 2 + 10;
        if (down < hh / 2 + 10)
            down = hh / 2 + 10;
        double spine = TOP + up;
        double x = 20;
        double bands = 0;
        for (size_t j = 0; j < nband; j++) {
            double w = halves[2 * j].need_w > halves[2 * j + 1].need_w ? halves[2 * j].need_w
                                                                        : halves[2 * j + 1].need_w;
            bands += w < 120 ? 120 : w;
        }
        double head_x = x + bands + 16;
        double width = head_x + hw + 20;
        double lw = legend_width() + 40;
        if (width < lw)
            width = lw;
        double height = spine + down + 20 + 30;
        svcq__svg s = { ctx, out, SVCQ_OK, false };
        char title[80];
        snprintf(title, sizeof(title), "Fishbone of analysis %s", a->id);
        header(&s, width, height, title);
        svcq__svg_line(&s, x - 8, spine, head_x, spine, "stroke=\"#2c3e50\" stroke-width=\"4\"");
        for (size_t j = 0; j < nband; j++) {
            double w = halves[2 * j].need_w > halves[2 * j + 1].need_w ? halves[2 * j].need_w
                                                                        : halves[2 * j + 1].need_w;
            if (w < 120)
                w = 120;
            half_draw(&s, &halves[2 * j], x + w, spine, true);
            half_draw(&s, &halves[2 * j + 1], x + w, spine, false);
            x += w;
        }
        /* The head: a box rounded on the fish's nose side. */
        svcq__svg_raw(&s, "<path d=\"M ");
        svcq__svg_num(&s, head_x);
        svcq__svg_raw(&s, " ");
        svcq__svg_num(&s, spine - hh / 2);
        svcq__svg_raw(&s, " h ");
        svcq__svg_num(&s, hw - hh / 2);
        svcq__svg_raw(&s, " a ");
        svcq__svg_num(&s, hh / 2);
        svcq__svg_raw(&s, " ");
        svcq__svg_num(&s, hh / 2);
        svcq__svg_raw(&s, " 0 0 1 0 ");
        svcq__svg_num(&s, hh);
        svcq__svg_raw(&s, " h ");
        svcq__svg_num(&s, -(hw - hh / 2));
        svcq__svg_raw(&s, " z\" fill=\"#2c3e50\"/>\n");
        svcq__svg_text(&s, &head, head_x + 12, spine - (double)head.n * HEAD_LH / 2 - 2, HEAD_FS, HEAD_LH, "start",
                   "fill=\"#ffffff\" font-weight=\"bold\"");
        legend(&s, 20, spine + down + 24);
        svcq__svg_raw(&s, "</svg>\n");
        rc = s.rc;
    }
    svcq__an_lines_free(ctx, &head);
    for (size_t i = 0; halves && i < nband * 2; i++)
        half_free(ctx, &halves[i]);
    svcq__free(ctx, halves);
    return rc;
}

/* ---- the 5-Why tree ----------------------------------------------------------- */

#define TB_WRAP_EM 15.0
#define TB_PADX 8.0
#define TB_PADY 6.0
#define TB_CAP_FS 10.0
#define TB_CAP_LH 13.0
#define TB_HGAP 24.0
#define TB_VGAP 40.0

typedef struct tnode {
    const svcq__an_node *n;
    svcq__an_lines l;
    char cap[160];
    double cap_w;
    double w, h;
    double span;     /* width of the subtree */
    double x;        /* centre */
    unsigned depth;  /* 0 for the anchor */
    int first, count; /* children: indexes into the array */
} tnode;

typedef struct tree {
    svcq_ctx *ctx;
    tnode *t;
    size_t n, cap;
    uint32_t why_depth;
} tree;

static size_t count_whys(const svcq__an_node *n)
{
    size_t c = 0;
    for (size_t i = 0; i < n->nkids; i++)
        if (n->kids[i]->kind == SVCQ_ANALYSIS_WHY)
            c += 1 + count_whys(n->kids[i]);
    return c;
}

static void caption(const svcq__an_node *n, uint32_t why_depth, char *out, size_t size)
{
    size_t len;
    if (n->kind == SVCQ_ANALYSIS_WHY)
        len = (size_t)snprintf(out, size, "%s · Why %u · %s", n->id, (unsigned)svcq__an_why_level(n),
                               svcq_analysis_status_name(n->status));
    else
        len = (size_t)snprintf(out, size, "%s · %s · %s", n->id, svcq_analysis_node_kind_name(n->kind),
                               svcq_analysis_status_name(n->status));
    if (len < size && n->nev)
        len += (size_t)snprintf(out + len, size - len, " · evidence %zu", n->nev);
    if (len < size && n->root)
        len += (size_t)snprintf(out + len, size - len, " · ROOT CAUSE");
    if (len < size && svcq__an_is_short(n, why_depth))
        snprintf(out + len, size - len, " · stops at %u of %u", (unsigned)svcq__an_why_level(n),
                 (unsigned)why_depth);
}

/* Breadth-first, so children of one node are contiguous. */
static int tree_build(tree *tr, const svcq__an_node *anchor)
{
    size_t total = 1 + count_whys(anchor);
    tr->t = svcq__calloc(tr->ctx, total, sizeof(*tr->t));
    if (!tr->t)
        return svcq__enomem(tr->ctx);
    tr->cap = total;
    tr->t[0].n = anchor;
    tr->n = 1;
    for (size_t i = 0; i < tr->n; i++) {
        tnode *p = &tr->t[i];
        p->first = (int)tr->n;
        for (size_t k = 0; k < p->n->nkids; k++) {
            if (p->n->kids[k]->kind != SVCQ_ANALYSIS_WHY)
                continue;
            tnode *c = &tr->t[tr->n++];
            c->n = p->n->kids[k];
            c->depth = p->depth + 1;
            p->count++;
        }
        int rc = svcq__an_wrap(tr->ctx, p->n->text, TB_WRAP_EM, MAX_LINES, &p->l);
        if (rc)
            return rc;
        caption(p->n, tr->why_depth, p->cap, sizeof(p->cap));
        p->cap_w = 0;
        for (const char *c = p->cap; *c;) {
            uint32_t cp = (unsigned char)*c;
            size_t adv = 1;
            if (cp >= 0x80) { /* "·" and nothing else non-ASCII in captions */
                cp = 0xb7;
                adv = 2;
            }
            p->cap_w += svcq__an_advance(cp) * TB_CAP_FS;
            c += adv;
        }
        double tw = lines_w(&p->l, FS);
        p->w = (tw > p->cap_w ? tw : p->cap_w) + 2 * TB_PADX;
        if (p->w < 90)
            p->w = 90;
        p->h = TB_PADY + TB_CAP_LH + 2 + (double)p->l.n * LH + TB_PADY;
    }
    return SVCQ_OK;
}

static double tree_span(tree *tr, size_t i)
{
    tnode *p = &tr->t[i];
    double kids = 0;
    for (int k = 0; k < p->count; k++)
        kids += tree_span(tr, (size_t)(p->first + k)) + (k ? TB_HGAP : 0);
    p->span = kids > p->w ? kids : p->w;
    return p->span;
}

static void tree_place(tree *tr, size_t i, double left)
{
    tnode *p = &tr->t[i];
    p->x = left + p->span / 2;
    double kids = 0;
    for (int k = 0; k < p->count; k++)
        kids += tr->t[p->first + k].span + (k ? TB_HGAP : 0);
    double x = left + (p->span - kids) / 2;
    for (int k = 0; k < p->count; k++) {
        tree_place(tr, (size_t)(p->first + k), x);
        x += tr->t[p->first + k].span + TB_HGAP;
    }
}

int svcq__an_svg_tree(const svcq_analysis *a, const svcq__an_node *anchor, svcq__buf *out)
{
    svcq_ctx *ctx = a->ctx;
    tree tr = { ctx, NULL, 0, 0, a->m.why_depth };
    int rc = tree_build(&tr, anchor);
    double *level_y = NULL, *level_h = NULL;
    unsigned nlev = 0;
    if (rc == SVCQ_OK) {
        for (size_t i = 0; i < tr.n; i++)
            if (tr.t[i].depth + 1 > nlev)
                nlev = tr.t[i].depth + 1;
        level_y = svcq__calloc(ctx, nlev, sizeof(double));
        level_h = svcq__calloc(ctx, nlev, sizeof(double));
        if (!level_y || !level_h)
            rc = svcq__enomem(ctx);
    }
    if (rc == SVCQ_OK) {
        for (size_t i = 0; i < tr.n; i++)
            if (tr.t[i].h > level_h[tr.t[i].depth])
                level_h[tr.t[i].depth] = tr.t[i].h;
        double y = TOP + 24;
        for (unsigned d = 0; d < nlev; d++) {
            level_y[d] = y;
            y += level_h[d] + TB_VGAP;
        }
        double span = tree_span(&tr, 0);
        tree_place(&tr, 0, 20);
        double width = span + 40, lw = legend_width() + 40;
        if (width < lw)
            width = lw;
        double height = y - TB_VGAP + 20 + 30;
        svcq__svg s = { ctx, out, SVCQ_OK, false };
        char title[96];
        snprintf(title, sizeof(title), "5-Why tree of %s in analysis %s", anchor->id, a->id);
        header(&s, width, height, title);
        svcq__an_lines t = { 0 };
        t.n = 1;
        t.line[0] = title;
        svcq__svg_text(&s, &t, 20, TOP - 6, 12, 15, "start", "fill=\"#555555\"");
        for (size_t i = 0; i < tr.n; i++) {
            const tnode *p = &tr.t[i];
            double py = level_y[p->depth];
            for (int k = 0; k < p->count; k++) {
                const tnode *c = &tr.t[p->first + k];
                double cy = level_y[c->depth], mid = py + level_h[p->depth] + TB_VGAP / 2;
                svcq__svg_raw(&s, "<path d=\"M ");
                svcq__svg_num(&s, p->x);
                svcq__svg_raw(&s, " ");
                svcq__svg_num(&s, py + p->h);
                svcq__svg_raw(&s, " V ");
                svcq__svg_num(&s, mid);
                svcq__svg_raw(&s, " H ");
                svcq__svg_num(&s, c->x);
                svcq__svg_raw(&s, " V ");
                svcq__svg_num(&s, cy);
                svcq__svg_raw(&s, "\" fill=\"none\" stroke=\"#7f8c8d\" stroke-width=\"1.5\"/>\n");
            }
        }
        for (size_t i = 0; i < tr.n; i++) {
            const tnode *p = &tr.t[i];
            double y0 = level_y[p->depth];
            const svcq__an_node *n = p->n;
            const char *box = n->root ? "fill=\"#fde2e1\" stroke=\"#c0392b\" stroke-width=\"3\""
                              : n->status == SVCQ_ANALYSIS_REFUTED
                                  ? "fill=\"#f2f2f2\" stroke=\"#999999\" stroke-width=\"1\" stroke-dasharray=\"4 3\""
                              : svcq__an_is_short(n, a->m.why_depth)
                                  ? "fill=\"#fff8ef\" stroke=\"#e67e22\" stroke-width=\"2\" stroke-dasharray=\"6 3\""
                              : n->kind != SVCQ_ANALYSIS_WHY ? "fill=\"#dbe9f6\" stroke=\"#2c3e50\" stroke-width=\"2\""
                              : n->status == SVCQ_ANALYSIS_CONFIRMED
                                  ? "fill=\"#e8f5e9\" stroke=\"#2e7d32\" stroke-width=\"1.5\""
                                  : "fill=\"#ffffff\" stroke=\"#5d6d7e\" stroke-width=\"1.5\"";
            svcq__svg_rect(&s, p->x - p->w / 2, y0, p->w, p->h, 6, box);
            svcq__an_lines c = { 0 };
            c.n = 1;
            c.line[0] = (char *)p->cap;
            svcq__svg_text(&s, &c, p->x - p->w / 2 + TB_PADX, y0 + TB_PADY - 1, TB_CAP_FS, TB_CAP_LH, "start",
                       n->root ? "fill=\"#b03a2e\" font-weight=\"bold\"" : "fill=\"#555555\"");
            svcq__svg_text(&s, &p->l, p->x - p->w / 2 + TB_PADX, y0 + TB_PADY + TB_CAP_LH + 2, FS, LH, "start",
                       text_attrs(n));
        }
        legend(&s, 20, height - 36);
        svcq__svg_raw(&s, "</svg>\n");
        rc = s.rc;
    }
    for (size_t i = 0; i < tr.n; i++)
        svcq__an_lines_free(ctx, &tr.t[i].l);
    svcq__free(ctx, tr.t);
    svcq__free(ctx, level_y);
    svcq__free(ctx, level_h);
    return rc;
}

int svcq_analysis_export_svg(const svcq_analysis *a, const svcq_writer *writer, const char *anchor)
{
    if (!a || !writer)
        return svcq__error(a ? a->ctx : NULL, SVCQ_EINVAL, "svcq_analysis_export_svg: NULL %s",
                           a ? "writer" : "analysis");
    const svcq__an_node *an;
    int rc = svcq__an_anchor(a, anchor, &an);
    if (rc)
        return rc;
    svcq__buf b;
    svcq__buf_init(&b, a->ctx);
    rc = an ? svcq__an_svg_tree(a, an, &b) : svcq__an_svg_fishbone(a, &b);
    if (rc == SVCQ_OK)
        rc = svcq__an_flush(writer, &b);
    svcq__buf_free(&b);
    return rc;
}
