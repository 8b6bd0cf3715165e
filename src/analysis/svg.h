/* The SVG writer behind the drawings the library makes itself (the
 * analysis module's fishbone and 5-Why trees, the service blueprint's
 * swimlanes, the scorecard's ranking chart): the opening tag with its
 * title, numbers with one decimal (or whole, for a drawing on integer
 * pixels), escaped text, lines, rectangles, one-line labels and blocks of
 * wrapped lines (svcq__an_wrap).
 * Every call does nothing once a write failed; rc keeps the first error. */
#ifndef SVCQ__SVG_H
#define SVCQ__SVG_H

#include "analysis/analysis_internal.h"
#include "core/buf.h"

typedef struct svcq__svg {
    svcq_ctx *ctx;
    svcq__buf *b;
    int rc;
    bool whole; /* numbers rounded to integers, without a decimal (false: one decimal) */
} svcq__svg;

/* The font-family list, XML-escaped for an attribute (CJK fonts included). */
extern const char *const svcq__svg_font;

/* The XML declaration, the <svg> tag w by h (width, height, viewBox; with
 * version="1.1" when version is set) in font family font (escaped for an
 * attribute) with attrs after it (NULL for none), and the <title>. */
void svcq__svg_begin(svcq__svg *s, bool version, double w, double h, const char *font, const char *attrs,
                     const char *title);
void svcq__svg_num(svcq__svg *s, double v);
void svcq__svg_raw(svcq__svg *s, const char *t);
void svcq__svg_esc(svcq__svg *s, const char *t);
void svcq__svg_line(svcq__svg *s, double x1, double y1, double x2, double y2, const char *attrs);
/* r is the corner radius (rx); a negative r writes no rx attribute. */
void svcq__svg_rect(svcq__svg *s, double x, double y, double w, double h, double r, const char *attrs);
/* One line of text with its baseline at (x, y): the opening tag (attrs
 * after x and y; NULL for none), then the caller's content (svcq__svg_esc
 * for text, svcq__svg_raw or svcq__svg_num for the rest), then the
 * closing tag. */
void svcq__svg_label_open(svcq__svg *s, double x, double y, const char *attrs);
void svcq__svg_label_close(svcq__svg *s);
/* A block of lines: x is the anchor (start, middle or end), top the top of
 * the first line box; each line a tspan with absolute x and y. Nothing for
 * no lines. */
void svcq__svg_text(svcq__svg *s, const svcq__an_lines *l, double x, double top, double fs, double lh,
                    const char *anchor, const char *attrs);

#endif
