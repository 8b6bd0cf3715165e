/* The SVG writer behind the drawings the library makes itself (the
 * analysis module's fishbone and 5-Why trees, the service blueprint's
 * swimlanes): numbers with one decimal, escaped text, lines, rectangles
 * and blocks of wrapped lines (svcq__an_wrap). Every call does nothing
 * once a write failed; rc keeps the first error. */
#ifndef SVCQ__SVG_H
#define SVCQ__SVG_H

#include "analysis/analysis_internal.h"
#include "core/buf.h"

typedef struct svcq__svg {
    svcq_ctx *ctx;
    svcq__buf *b;
    int rc;
} svcq__svg;

/* The font-family list, XML-escaped for an attribute (CJK fonts included). */
extern const char *const svcq__svg_font;

void svcq__svg_num(svcq__svg *s, double v);
void svcq__svg_raw(svcq__svg *s, const char *t);
void svcq__svg_esc(svcq__svg *s, const char *t);
void svcq__svg_line(svcq__svg *s, double x1, double y1, double x2, double y2, const char *attrs);
void svcq__svg_rect(svcq__svg *s, double x, double y, double w, double h, double r, const char *attrs);
/* A block of lines: x is the anchor (start, middle or end), top the top of
 * the first line box; each line a tspan with absolute x and y. Nothing for
 * no lines. */
void svcq__svg_text(svcq__svg *s, const svcq__an_lines *l, double x, double top, double fs, double lh,
                    const char *anchor, const char *attrs);

#endif
