/* The shared SVG writer (svg.h). */
#include "analysis/svg.h"

#include <stdio.h>
#include <stdlib.h>

const char *const svcq__svg_font = "Helvetica, Arial, &apos;Noto Sans&apos;, &apos;Noto Sans CJK SC&apos;, "
                                   "&apos;Microsoft YaHei&apos;, sans-serif";

void svcq__svg_num(svcq__svg *s, double v)
{
    if (s->rc)
        return;
    char tmp[48];
    if (s->whole) {
        snprintf(tmp, sizeof(tmp), "%ld", (long)(v + (v >= 0 ? 0.5 : -0.5)));
        s->rc = svcq__buf_puts(s->b, tmp);
        return;
    }
    long t = (long)(v * 10.0 + (v >= 0 ? 0.5 : -0.5));
    snprintf(tmp, sizeof(tmp), "%s%ld.%ld", t < 0 ? "-" : "", labs(t) / 10, labs(t) % 10);
    s->rc = svcq__buf_puts(s->b, tmp);
}

void svcq__svg_raw(svcq__svg *s, const char *t)
{
    if (s->rc == SVCQ_OK)
        s->rc = svcq__buf_puts(s->b, t);
}

void svcq__svg_esc(svcq__svg *s, const char *t)
{
    if (s->rc == SVCQ_OK)
        s->rc = svcq__an_xml(s->b, t);
}

void svcq__svg_begin(svcq__svg *s, bool version, double w, double h, const char *font, const char *attrs,
                     const char *title)
{
    svcq__svg_raw(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" ");
    if (version)
        svcq__svg_raw(s, "version=\"1.1\" ");
    svcq__svg_raw(s, "width=\"");
    svcq__svg_num(s, w);
    svcq__svg_raw(s, "\" height=\"");
    svcq__svg_num(s, h);
    svcq__svg_raw(s, "\" viewBox=\"0 0 ");
    svcq__svg_num(s, w);
    svcq__svg_raw(s, " ");
    svcq__svg_num(s, h);
    svcq__svg_raw(s, "\" font-family=\"");
    svcq__svg_raw(s, font);
    svcq__svg_raw(s, "\"");
    if (attrs && *attrs) {
        svcq__svg_raw(s, " ");
        svcq__svg_raw(s, attrs);
    }
    svcq__svg_raw(s, ">\n<title>");
    svcq__svg_esc(s, title);
    svcq__svg_raw(s, "</title>\n");
}

void svcq__svg_line(svcq__svg *s, double x1, double y1, double x2, double y2, const char *attrs)
{
    svcq__svg_raw(s, "<line x1=\"");
    svcq__svg_num(s, x1);
    svcq__svg_raw(s, "\" y1=\"");
    svcq__svg_num(s, y1);
    svcq__svg_raw(s, "\" x2=\"");
    svcq__svg_num(s, x2);
    svcq__svg_raw(s, "\" y2=\"");
    svcq__svg_num(s, y2);
    svcq__svg_raw(s, "\" ");
    svcq__svg_raw(s, attrs);
    svcq__svg_raw(s, "/>\n");
}

void svcq__svg_rect(svcq__svg *s, double x, double y, double w, double h, double r, const char *attrs)
{
    svcq__svg_raw(s, "<rect x=\"");
    svcq__svg_num(s, x);
    svcq__svg_raw(s, "\" y=\"");
    svcq__svg_num(s, y);
    svcq__svg_raw(s, "\" width=\"");
    svcq__svg_num(s, w);
    svcq__svg_raw(s, "\" height=\"");
    svcq__svg_num(s, h);
    if (r >= 0) {
        svcq__svg_raw(s, "\" rx=\"");
        svcq__svg_num(s, r);
    }
    svcq__svg_raw(s, "\" ");
    svcq__svg_raw(s, attrs);
    svcq__svg_raw(s, "/>\n");
}

void svcq__svg_label_open(svcq__svg *s, double x, double y, const char *attrs)
{
    svcq__svg_raw(s, "<text x=\"");
    svcq__svg_num(s, x);
    svcq__svg_raw(s, "\" y=\"");
    svcq__svg_num(s, y);
    svcq__svg_raw(s, "\"");
    if (attrs && *attrs) {
        svcq__svg_raw(s, " ");
        svcq__svg_raw(s, attrs);
    }
    svcq__svg_raw(s, ">");
}

void svcq__svg_label_close(svcq__svg *s)
{
    svcq__svg_raw(s, "</text>\n");
}

void svcq__svg_text(svcq__svg *s, const svcq__an_lines *l, double x, double top, double fs, double lh,
                    const char *anchor, const char *attrs)
{
    if (l->n == 0)
        return;
    svcq__svg_raw(s, "<text font-size=\"");
    svcq__svg_num(s, fs);
    svcq__svg_raw(s, "\" text-anchor=\"");
    svcq__svg_raw(s, anchor);
    svcq__svg_raw(s, "\" ");
    svcq__svg_raw(s, attrs);
    svcq__svg_raw(s, ">");
    for (size_t i = 0; i < l->n; i++) {
        svcq__svg_raw(s, "<tspan x=\"");
        svcq__svg_num(s, x);
        svcq__svg_raw(s, "\" y=\"");
        svcq__svg_num(s, top + fs + (double)i * lh);
        svcq__svg_raw(s, "\">");
        svcq__svg_esc(s, l->line[i]);
        svcq__svg_raw(s, "</tspan>");
    }
    svcq__svg_raw(s, "</text>\n");
}
