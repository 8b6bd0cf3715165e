/* Text exports of an analysis: the cause report (Markdown), Mermaid
 * (ishikawa-beta and flowchart) and Graphviz DOT; and the text helpers the
 * SVG drawing shares (width estimate, wrapping, XML escaping).
 *
 * Every export is built in a buffer and sent to the writer in one call, so
 * a failure before the end writes nothing. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "calendar/civil.h"
#include "core/utf8.h"

/* ---- text measure and wrap ------------------------------------------------- */

static bool is_wide(uint32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) ||
           (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
           (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) || (cp >= 0x20000 && cp <= 0x3fffd);
}

double svcq__an_advance(uint32_t cp)
{
    if (cp == ' ' || cp == '\t')
        return 0.3;
    if (cp < 0x80) {
        if (strchr("mwMW@%", (int)cp))
            return 0.92;
        if (cp >= 'A' && cp <= 'Z')
            return 0.72;
        return 0.58;
    }
    if (is_wide(cp))
        return 1.0;
    return 0.7;
}

void svcq__an_lines_free(svcq_ctx *ctx, svcq__an_lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        svcq__free(ctx, l->line[i]);
    l->n = 0;
}

#define ELLIPSIS "\xe2\x80\xa6"

typedef struct wrapper {
    svcq_ctx *ctx;
    svcq__an_lines *out;
    size_t max_lines;
    double max_em;
    svcq__buf cur;
    double cur_w;
    bool truncated;
} wrapper;

/* Ends the current line (kept even when empty). */
static int wrap_emit(wrapper *w)
{
    if (w->out->n == w->max_lines) {
        w->truncated = true;
        svcq__buf_truncate(&w->cur, 0);
        w->cur_w = 0;
        return SVCQ_OK;
    }
    char *s = svcq__malloc(w->ctx, w->cur.len + 1);
    if (!s)
        return svcq__enomem(w->ctx);
    memcpy(s, w->cur.data ? w->cur.data : "", w->cur.len);
    s[w->cur.len] = '\0';
    w->out->line[w->out->n] = s;
    w->out->width[w->out->n] = w->cur_w;
    w->out->n++;
    svcq__buf_truncate(&w->cur, 0);
    w->cur_w = 0;
    return SVCQ_OK;
}

static double token_width(const char *s, size_t n)
{
    double wd = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = svcq__utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (!k)
            k = 1, cp = '?';
        wd += svcq__an_advance(cp);
        i += k;
    }
    return wd;
}

/* Adds one token (no spaces in it) with the space before it, if any. */
static int wrap_token(wrapper *w, const char *s, size_t n, bool space_before)
{
    double tw = token_width(s, n);
    double sp = space_before && w->cur.len ? svcq__an_advance(' ') : 0;
    int rc = SVCQ_OK;
    if (w->cur.len && w->cur_w + sp + tw > w->max_em) {
        rc = wrap_emit(w);
        sp = 0;
    }
    if (rc)
        return rc;
    if (tw <= w->max_em - w->cur_w - sp) {
        if (sp > 0)
            rc = svcq__buf_putc(&w->cur, ' ');
        if (rc == SVCQ_OK)
            rc = svcq__buf_append(&w->cur, s, n);
        w->cur_w += sp + tw;
        return rc;
    }
    /* Longer than a line: break it between code points. */
    for (size_t i = 0; rc == SVCQ_OK && i < n;) {
        uint32_t cp;
        size_t k = svcq__utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (!k)
            k = 1, cp = '?';
        double cw = svcq__an_advance(cp);
        if (w->cur.len && w->cur_w + cw > w->max_em)
            rc = wrap_emit(w);
        if (rc == SVCQ_OK)
            rc = svcq__buf_append(&w->cur, s + i, k);
        w->cur_w += cw;
        i += k;
    }
    return rc;
}

int svcq__an_wrap(svcq_ctx *ctx, const char *text, double max_em, size_t max_lines, svcq__an_lines *out)
{
    memset(out, 0, sizeof(*out));
    if (max_lines > 9)
        max_lines = 9;
    wrapper w = { ctx, out, max_lines, max_em, { 0 }, 0, false };
    svcq__buf_init(&w.cur, ctx);
    int rc = SVCQ_OK;
    size_t len = strlen(text);
    bool space = false;
    for (size_t i = 0; rc == SVCQ_OK && i < len;) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            rc = wrap_emit(&w);
            space = false;
            i++;
            continue;
        }
        if (c == ' ' || c == '\t') {
            space = true;
            i++;
            continue;
        }
        /* A token: up to a space or line feed; a wide character is a token of its own. */
        size_t j = i;
        uint32_t cp;
        size_t k = svcq__utf8_decode((const unsigned char *)text + j, len - j, &cp);
        if (!k)
            k = 1, cp = '?';
        if (is_wide(cp)) {
            j += k;
        } else {
            while (j < len && text[j] != ' ' && text[j] != '\t' && text[j] != '\n') {
                k = svcq__utf8_decode((const unsigned char *)text + j, len - j, &cp);
                if (!k)
                    k = 1, cp = '?';
                if (is_wide(cp) && j > i)
                    break;
                j += k;
            }
        }
        rc = wrap_token(&w, text + i, j - i, space);
        space = false;
        i = j;
    }
    if (rc == SVCQ_OK && (w.cur.len || out->n == 0))
        rc = wrap_emit(&w);
    /* Trailing empty lines (text ending in a line feed) are dropped. */
    while (rc == SVCQ_OK && out->n > 1 && out->line[out->n - 1][0] == '\0') {
        svcq__free(ctx, out->line[--out->n]);
    }
    if (rc == SVCQ_OK && w.truncated && out->n) {
        /* The last line ends with an ellipsis, within the width. */
        size_t li = out->n - 1;
        char *s = out->line[li];
        size_t n = strlen(s);
        double wd = out->width[li];
        double ew = svcq__an_advance(0x2026);
        while (n > 0 && wd + ew > max_em) {
            size_t back = n - 1;
            while (back > 0 && ((unsigned char)s[back] & 0xc0) == 0x80)
                back--;
            wd -= token_width(s + back, n - back);
            n = back;
        }
        char *t = svcq__malloc(ctx, n + sizeof(ELLIPSIS));
        if (!t) {
            rc = svcq__enomem(ctx);
        } else {
            memcpy(t, s, n);
            memcpy(t + n, ELLIPSIS, sizeof(ELLIPSIS));
            svcq__free(ctx, s);
            out->line[li] = t;
            out->width[li] = wd + ew;
        }
    }
    svcq__buf_free(&w.cur);
    if (rc)
        svcq__an_lines_free(ctx, out);
    return rc;
}

int svcq__an_xml(svcq__buf *b, const char *s)
{
    int rc = SVCQ_OK;
    for (; rc == SVCQ_OK && *s; s++) {
        switch (*s) {
        case '&': rc = svcq__buf_puts(b, "&amp;"); break;
        case '<': rc = svcq__buf_puts(b, "&lt;"); break;
        case '>': rc = svcq__buf_puts(b, "&gt;"); break;
        case '"': rc = svcq__buf_puts(b, "&quot;"); break;
        case '\'': rc = svcq__buf_puts(b, "&apos;"); break;
        default: rc = svcq__buf_putc(b, *s);
        }
    }
    return rc;
}

int svcq__an_anchor(const svcq_analysis *a, const char *anchor, const svcq__an_node **out)
{
    *out = NULL;
    if (!anchor)
        return SVCQ_OK;
    const svcq__an_node *n = svcq__an_find(&a->m, anchor);
    if (!n)
        return svcq__error(a->ctx, SVCQ_ENOTFOUND, "analysis %s: no node \"%.40s\" to draw a 5-Why tree from", a->id,
                           anchor);
    if (n->kind == SVCQ_ANALYSIS_CATEGORY)
        return svcq__error(a->ctx, SVCQ_EINVAL, "analysis %s: %s is a category: 5-Why trees hang from the effect, "
                           "a cause or a why", a->id, n->id);
    *out = n;
    return SVCQ_OK;
}

/* ---- Markdown ------------------------------------------------------------- */

static int md(svcq__buf *b, const char *s)
{
    int rc = SVCQ_OK;
    for (; rc == SVCQ_OK && *s; s++) {
        switch (*s) {
        case '&': rc = svcq__buf_puts(b, "&amp;"); break;
        case '<': rc = svcq__buf_puts(b, "&lt;"); break;
        case '>': rc = svcq__buf_puts(b, "&gt;"); break;
        case '\n': rc = svcq__buf_puts(b, "<br>"); break;
        case '\t': rc = svcq__buf_putc(b, ' '); break;
        case '\\': case '`': case '*': case '_': case '[': case ']': case '|': case '#': case '~':
            rc = svcq__buf_putc(b, '\\');
            if (rc == SVCQ_OK)
                rc = svcq__buf_putc(b, *s);
            break;
        default: rc = svcq__buf_putc(b, *s);
        }
    }
    return rc;
}

static const char *template_title(int32_t t)
{
    static const char *const titles[] = { "custom categories", "6M", "service 8P", "4S" };
    return t >= 0 && t <= 3 ? titles[t] : "?";
}

static const char *ev_title(int32_t k)
{
    static const char *const t[] = { "?", "photo", "system log", "surveillance video", "staff interview", "document",
                                     "other" };
    return k >= 1 && k <= 6 ? t[k] : "?";
}

typedef struct rep {
    const svcq_analysis *a;
    svcq__buf *b;
    const svcq_tz *tz;
    size_t count;
    int rc;
} rep;

static void put(rep *r, const char *s)
{
    if (r->rc == SVCQ_OK)
        r->rc = svcq__buf_puts(r->b, s);
}

static void putmd(rep *r, const char *s)
{
    if (r->rc == SVCQ_OK)
        r->rc = md(r->b, s);
}

static void putf(rep *r, const char *fmt, ...) SVCQ__PRINTF(2, 3);
static void putf(rep *r, const char *fmt, ...)
{
    if (r->rc)
        return;
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    r->rc = svcq__buf_puts(r->b, tmp);
}

static void put_time(rep *r, svcq_time t)
{
    if (!t) {
        put(r, "—");
        return;
    }
    char s[64];
    if (r->tz) {
        if (svcq_tz_format(s, sizeof(s), NULL, r->tz, t, SVCQ_TIME_FORMAT_NO_SECONDS | SVCQ_TIME_FORMAT_SPACE) !=
            SVCQ_OK)
            snprintf(s, sizeof(s), "%lld", (long long)t);
    } else {
        int64_t days = svcq__floor_div(t, 86400), sec = svcq__floor_mod(t, 86400), y;
        int32_t mo, d;
        svcq__civil_from_days(days, &y, &mo, &d);
        snprintf(s, sizeof(s), "%04lld-%02d-%02d %02d:%02dZ", (long long)y, (int)mo, (int)d, (int)(sec / 3600),
                 (int)(sec / 60 % 60));
    }
    put(r, s);
}

/* "confirmed · weight 3 · owner Li Na · evidence 2 · **root cause**" */
static void node_facts(rep *r, const svcq__an_node *n)
{
    putf(r, "*%s*", svcq_analysis_status_name(n->status));
    if (n->weight)
        putf(r, " · weight %d", (int)n->weight);
    if (n->owner) {
        put(r, " · owner ");
        putmd(r, n->owner);
    }
    if (n->nev)
        putf(r, " · evidence %zu", n->nev);
    if (n->root)
        put(r, " · **root cause**");
}

static void node_line(rep *r, const svcq__an_node *n, unsigned indent)
{
    for (unsigned i = 0; i < indent; i++)
        put(r, "  ");
    putf(r, "- **%s** ", n->id);
    if (n->kind == SVCQ_ANALYSIS_WHY)
        putf(r, "Why %u: ", (unsigned)svcq__an_why_level(n));
    putmd(r, n->text);
    put(r, " — ");
    node_facts(r, n);
    if (svcq__an_is_short(n, r->a->m.why_depth))
        putf(r, " · ⚠ stops at why %u of %u", (unsigned)svcq__an_why_level(n), (unsigned)r->a->m.why_depth);
    put(r, "\n");
}

static void causes(rep *r, const svcq__an_node *n, unsigned indent)
{
    for (size_t i = 0; i < n->nkids; i++) {
        const svcq__an_node *k = n->kids[i];
        if (k->kind != SVCQ_ANALYSIS_CAUSE)
            continue;
        node_line(r, k, indent);
        causes(r, k, indent + 1);
    }
}

static void whys(rep *r, const svcq__an_node *n, unsigned indent)
{
    for (size_t i = 0; i < n->nkids; i++) {
        const svcq__an_node *k = n->kids[i];
        if (k->kind != SVCQ_ANALYSIS_WHY)
            continue;
        node_line(r, k, indent);
        whys(r, k, indent + 1);
    }
}

static bool has_whys(const svcq__an_node *n)
{
    for (size_t i = 0; i < n->nkids; i++)
        if (n->kids[i]->kind == SVCQ_ANALYSIS_WHY)
            return true;
    return false;
}

static int rep_whytrees(const svcq__an_node *n, void *user)
{
    rep *r = user;
    if (n->kind == SVCQ_ANALYSIS_WHY || !has_whys(n))
        return 0;
    r->count++;
    putf(r, "\n### %s: ", n->id);
    putmd(r, n->text);
    put(r, "\n\n");
    whys(r, n, 0);
    return r->rc;
}

static const char *category_of(const svcq__an_node *n)
{
    for (; n; n = n->parent)
        if (n->kind == SVCQ_ANALYSIS_CATEGORY)
            return n->text;
    return NULL;
}

static int rep_roots(const svcq__an_node *n, void *user)
{
    rep *r = user;
    if (!n->root)
        return 0;
    r->count++;
    putf(r, "%zu. **%s** ", r->count, n->id);
    putmd(r, n->text);
    put(r, " — ");
    if (n->kind == SVCQ_ANALYSIS_WHY) {
        const svcq__an_node *t = n;
        while (t->kind == SVCQ_ANALYSIS_WHY)
            t = t->parent;
        putf(r, "why %u of the 5-Why tree of %s", (unsigned)svcq__an_why_level(n), t->id);
    } else {
        put(r, "cause in ");
        putmd(r, category_of(n) ? category_of(n) : "?");
    }
    putf(r, "; evidence %zu", n->nev);
    if (n->owner) {
        put(r, "; owner ");
        putmd(r, n->owner);
    }
    put(r, "\n");
    return r->rc;
}

static int rep_evidence(const svcq__an_node *n, void *user)
{
    rep *r = user;
    for (size_t i = 0; i < n->nev; i++) {
        const svcq__an_evidence *e = &n->ev[i];
        r->count++;
        putf(r, "| %s | %s | ", n->id, ev_title(e->kind));
        putmd(r, e->uri ? e->uri : "—");
        put(r, " | ");
        putmd(r, e->note ? e->note : "—");
        put(r, " | ");
        putmd(r, e->by ? e->by : "—");
        put(r, " | ");
        put_time(r, e->at);
        put(r, " |\n");
    }
    return r->rc;
}

static int rep_short(const svcq__an_node *n, void *user)
{
    rep *r = user;
    if (!svcq__an_is_short(n, r->a->m.why_depth))
        return 0;
    r->count++;
    putf(r, "- The 5-Why branch ending at **%s** stops at why %u of %u.\n", n->id, (unsigned)svcq__an_why_level(n),
         (unsigned)r->a->m.why_depth);
    return r->rc;
}

static int rep_all(const svcq__an_node *n, void *user)
{
    rep *r = user;
    putf(r, "| %s | %s | %s | ", n->id, svcq_analysis_node_kind_name(n->kind), n->parent ? n->parent->id : "—");
    putmd(r, n->text);
    putf(r, " | %s | %s | %d | ", svcq_analysis_status_name(n->status), n->root ? "yes" : "no", (int)n->weight);
    putmd(r, n->owner ? n->owner : "—");
    putf(r, " | %zu |\n", n->nev);
    return r->rc;
}

int svcq_analysis_export_report(const svcq_analysis *a, const svcq_writer *writer, const svcq_tz *tz)
{
    if (!a || !writer)
        return svcq__error(a ? a->ctx : NULL, SVCQ_EINVAL, "svcq_analysis_export_report: NULL %s",
                           a ? "writer" : "analysis");
    svcq__buf b;
    svcq__buf_init(&b, a->ctx);
    rep r = { a, &b, tz, 0, SVCQ_OK };
    const svcq__an_node *e = a->m.root;
    put(&r, "# Cause report: ");
    putmd(&r, e->text);
    put(&r, "\n\n| | |\n|---|---|\n");
    putf(&r, "| Analysis | %s (revision %llu) |\n", a->id, (unsigned long long)a->revision);
    put(&r, "| Incident | ");
    putmd(&r, a->m.incident ? a->m.incident : "—");
    putf(&r, " |\n| Categories | %s |\n| 5-Why depth | %u |\n| Effect | ", template_title(a->m.template_),
         (unsigned)a->m.why_depth);
    node_facts(&r, e);
    put(&r, " |\n\n## Root causes\n\n");
    (void)svcq__an_walk(e, rep_roots, &r);
    if (r.count == 0)
        put(&r, "None marked yet: a root cause is a confirmed cause or why with evidence.\n");
    put(&r, "\n## Fishbone\n");
    size_t ncat = 0;
    for (size_t i = 0; i < e->nkids; i++) {
        const svcq__an_node *k = e->kids[i];
        if (k->kind != SVCQ_ANALYSIS_CATEGORY)
            continue;
        ncat++;
        putf(&r, "\n### %s ", k->id);
        putmd(&r, k->text);
        put(&r, "\n\n");
        if (k->nkids == 0)
            put(&r, "No causes.\n");
        causes(&r, k, 0);
    }
    if (ncat == 0)
        put(&r, "\nNo categories.\n");
    put(&r, "\n## 5-Why trees\n");
    r.count = 0;
    (void)svcq__an_walk(e, rep_whytrees, &r);
    if (r.count == 0)
        put(&r, "\nNone.\n");
    put(&r, "\n## Evidence\n\n| Node | Kind | Reference | Note | Collected by | Collected at |\n"
            "|---|---|---|---|---|---|\n");
    r.count = 0;
    (void)svcq__an_walk(e, rep_evidence, &r);
    put(&r, "\n## Warnings\n\n");
    r.count = 0;
    (void)svcq__an_walk(e, rep_short, &r);
    if (r.count == 0)
        put(&r, "None.\n");
    put(&r, "\n## Every node\n\n| Id | Kind | Parent | Text | Status | Root cause | Weight | Owner | Evidence |\n"
            "|---|---|---|---|---|---|---|---|---|\n");
    (void)svcq__an_walk(e, rep_all, &r);
    int rc = r.rc;
    if (rc == SVCQ_OK)
        rc = svcq__an_flush(writer, &b);
    svcq__buf_free(&b);
    return rc;
}

/* ---- Mermaid --------------------------------------------------------------- */

static bool starts_ishikawa(const char *s)
{
    static const char kw[] = "ishikawa";
    for (size_t i = 0; kw[i]; i++)
        if ((s[i] | 0x20) != kw[i])
            return false;
    return true;
}

/* Mermaid entity codes (#lt; ...) for the characters its parsers or its
 * HTML would take; line feeds become br (flowchart) or a space (ishikawa,
 * whose labels are one line). */
static int mermaid_text(svcq__buf *b, const char *s, bool flow)
{
    int rc = SVCQ_OK;
    size_t start = b->len;
    bool space = false;
    for (; rc == SVCQ_OK && *s; s++) {
        char c = *s;
        if (!flow && (c == '\n' || c == '\t' || c == ' ')) {
            space = b->len > start;
            continue;
        }
        if (space) {
            rc = svcq__buf_putc(b, ' ');
            space = false;
        }
        if (rc)
            break;
        switch (c) {
        case '#': rc = svcq__buf_puts(b, "#35;"); break;
        case '<': rc = svcq__buf_puts(b, "#lt;"); break;
        case '>': rc = svcq__buf_puts(b, "#gt;"); break;
        case '&': rc = svcq__buf_puts(b, "#amp;"); break;
        case '"': rc = svcq__buf_puts(b, "#quot;"); break;
        case '\n': rc = svcq__buf_puts(b, "<br>"); break;
        case '\t': rc = svcq__buf_putc(b, ' '); break;
        case '%':
            /* "%%" starts a comment line in ishikawa-beta. */
            rc = svcq__buf_puts(b, !flow && b->len == start ? "#37;" : "%");
            break;
        default:
            /* A line starting with "ishikawa" would be read as the keyword. */
            if (!flow && b->len == start && (c == 'i' || c == 'I') && starts_ishikawa(s))
                rc = svcq__buf_printf(b, "#%d;", (int)c);
            else
                rc = svcq__buf_putc(b, c);
        }
    }
    return rc;
}

typedef struct mm {
    svcq__buf *b;
    int rc;
} mm;

static void mm_cause(mm *m, const svcq__an_node *n, unsigned level)
{
    for (size_t i = 0; m->rc == SVCQ_OK && i < n->nkids; i++) {
        const svcq__an_node *k = n->kids[i];
        if (k->kind != SVCQ_ANALYSIS_CATEGORY && k->kind != SVCQ_ANALYSIS_CAUSE)
            continue;
        for (unsigned s = 0; m->rc == SVCQ_OK && s < level; s++)
            m->rc = svcq__buf_puts(m->b, "    ");
        if (m->rc == SVCQ_OK)
            m->rc = mermaid_text(m->b, k->text, false);
        if (m->rc == SVCQ_OK && k->root)
            m->rc = svcq__buf_puts(m->b, " (root cause)");
        if (m->rc == SVCQ_OK && k->status == SVCQ_ANALYSIS_REFUTED)
            m->rc = svcq__buf_puts(m->b, " (refuted)");
        if (m->rc == SVCQ_OK)
            m->rc = svcq__buf_putc(m->b, '\n');
        mm_cause(m, k, level + 1);
    }
}

static void flow_node(mm *m, const svcq__an_node *n)
{
    if (m->rc == SVCQ_OK)
        m->rc = svcq__buf_printf(m->b, "    %s[\"", n->id);
    if (m->rc == SVCQ_OK && n->kind == SVCQ_ANALYSIS_WHY)
        m->rc = svcq__buf_printf(m->b, "Why %u: ", (unsigned)svcq__an_why_level(n));
    if (m->rc == SVCQ_OK)
        m->rc = mermaid_text(m->b, n->text, true);
    if (m->rc == SVCQ_OK)
        m->rc = svcq__buf_puts(m->b, "\"]\n");
}

static void flow_whys(mm *m, const svcq__an_node *n)
{
    for (size_t i = 0; m->rc == SVCQ_OK && i < n->nkids; i++) {
        const svcq__an_node *k = n->kids[i];
        if (k->kind != SVCQ_ANALYSIS_WHY)
            continue;
        flow_node(m, k);
        if (m->rc == SVCQ_OK)
            m->rc = svcq__buf_printf(m->b, "    %s --> %s\n", n->id, k->id);
        flow_whys(m, k);
    }
}

static void flow_classes(mm *m, const svcq__an_node *n, uint32_t depth)
{
    for (size_t i = 0; m->rc == SVCQ_OK && i < n->nkids; i++) {
        const svcq__an_node *k = n->kids[i];
        if (k->kind != SVCQ_ANALYSIS_WHY)
            continue;
        const char *cls = k->root ? "root" : k->status == SVCQ_ANALYSIS_REFUTED ? "refuted"
                          : k->status == SVCQ_ANALYSIS_CONFIRMED             ? "confirmed"
                          : svcq__an_is_short(k, depth)                      ? "short"
                                                                             : NULL;
        if (cls)
            m->rc = svcq__buf_printf(m->b, "    class %s %s\n", k->id, cls);
        flow_classes(m, k, depth);
    }
}

int svcq_analysis_export_mermaid(const svcq_analysis *a, const svcq_writer *writer, const char *anchor)
{
    if (!a || !writer)
        return svcq__error(a ? a->ctx : NULL, SVCQ_EINVAL, "svcq_analysis_export_mermaid: NULL %s",
                           a ? "writer" : "analysis");
    const svcq__an_node *an;
    int rc = svcq__an_anchor(a, anchor, &an);
    if (rc)
        return rc;
    svcq__buf b;
    svcq__buf_init(&b, a->ctx);
    mm m = { &b, SVCQ_OK };
    if (!an) {
        m.rc = svcq__buf_puts(&b, "ishikawa-beta\n    ");
        if (m.rc == SVCQ_OK)
            m.rc = mermaid_text(&b, a->m.root->text, false);
        if (m.rc == SVCQ_OK)
            m.rc = svcq__buf_putc(&b, '\n');
        mm_cause(&m, a->m.root, 2);
    } else {
        m.rc = svcq__buf_puts(&b, "flowchart TD\n");
        flow_node(&m, an);
        flow_whys(&m, an);
        if (m.rc == SVCQ_OK)
            m.rc = svcq__buf_puts(&b, "    classDef root fill:#fde2e1,stroke:#c0392b,stroke-width:3px\n"
                                      "    classDef confirmed fill:#e8f5e9,stroke:#2e7d32\n"
                                      "    classDef refuted fill:#f2f2f2,stroke:#999999,stroke-dasharray:4 3,color:#777777\n"
                                      "    classDef short stroke:#e67e22,stroke-width:2px,stroke-dasharray:6 3\n");
        flow_classes(&m, an, a->m.why_depth);
    }
    rc = m.rc;
    if (rc == SVCQ_OK)
        rc = svcq__an_flush(writer, &b);
    svcq__buf_free(&b);
    return rc;
}

/* ---- Graphviz DOT -------------------------------------------------------------- */

static int dot_text(svcq__buf *b, const char *s)
{
    int rc = svcq__buf_putc(b, '"');
    for (; rc == SVCQ_OK && *s; s++) {
        if (*s == '"' || *s == '\\')
            rc = svcq__buf_putc(b, '\\');
        if (rc == SVCQ_OK)
            rc = *s == '\n' ? svcq__buf_puts(b, "\\n") : svcq__buf_putc(b, *s == '\t' ? ' ' : *s);
    }
    if (rc == SVCQ_OK)
        rc = svcq__buf_putc(b, '"');
    return rc;
}

static int dot_node(svcq__buf *b, const svcq__an_node *n, uint32_t why_depth)
{
    int rc = svcq__buf_printf(b, "    %s [label=", n->id);
    char prefix[32] = "";
    if (n->kind == SVCQ_ANALYSIS_WHY)
        snprintf(prefix, sizeof(prefix), "Why %u: ", (unsigned)svcq__an_why_level(n));
    if (rc == SVCQ_OK && prefix[0]) {
        /* The prefix and the text in one quoted string. */
        svcq__buf t;
        svcq__buf_init(&t, b->ctx);
        rc = svcq__buf_puts(&t, prefix);
        if (rc == SVCQ_OK)
            rc = svcq__buf_puts(&t, n->text);
        if (rc == SVCQ_OK)
            rc = dot_text(b, t.data);
        svcq__buf_free(&t);
    } else if (rc == SVCQ_OK) {
        rc = dot_text(b, n->text);
    }
    const char *style = "";
    switch (n->kind) {
    case SVCQ_ANALYSIS_EFFECT: style = ", shape=box, style=\"filled,bold\", fillcolor=\"#dbe9f6\""; break;
    case SVCQ_ANALYSIS_CATEGORY: style = ", shape=box, style=filled, fillcolor=\"#eeeeee\""; break;
    default: break;
    }
    if (rc == SVCQ_OK)
        rc = svcq__buf_puts(b, style);
    if (rc == SVCQ_OK && n->root)
        rc = svcq__buf_puts(b, ", style=\"filled,bold\", color=\"#c0392b\", fillcolor=\"#fde2e1\", penwidth=2");
    else if (rc == SVCQ_OK && n->status == SVCQ_ANALYSIS_REFUTED)
        rc = svcq__buf_puts(b, ", style=dashed, fontcolor=\"#777777\", color=\"#999999\"");
    else if (rc == SVCQ_OK && n->status == SVCQ_ANALYSIS_CONFIRMED && n->kind >= SVCQ_ANALYSIS_CAUSE)
        rc = svcq__buf_puts(b, ", color=\"#2e7d32\"");
    if (rc == SVCQ_OK && !n->root && svcq__an_is_short(n, why_depth))
        rc = svcq__buf_puts(b, ", color=\"#e67e22\", penwidth=2");
    if (rc == SVCQ_OK)
        rc = svcq__buf_puts(b, "];\n");
    return rc;
}

static int dot_fish(svcq__buf *b, const svcq__an_node *n, uint32_t why_depth)
{
    int rc = SVCQ_OK;
    for (size_t i = 0; rc == SVCQ_OK && i < n->nkids; i++) {
        const svcq__an_node *k = n->kids[i];
        if (k->kind != SVCQ_ANALYSIS_CATEGORY && k->kind != SVCQ_ANALYSIS_CAUSE)
            continue;
        rc = dot_node(b, k, why_depth);
        if (rc == SVCQ_OK)
            rc = svcq__buf_printf(b, "    %s -> %s;\n", k->id, n->id);
        if (rc == SVCQ_OK)
            rc = dot_fish(b, k, why_depth);
    }
    return rc;
}

static int dot_whys(svcq__buf *b, const svcq__an_node *n, uint32_t why_depth)
{
    int rc = SVCQ_OK;
    for (size_t i = 0; rc == SVCQ_OK && i < n->nkids; i++) {
        const svcq__an_node *k = n->kids[i];
        if (k->kind != SVCQ_ANALYSIS_WHY)
            continue;
        rc = dot_node(b, k, why_depth);
        if (rc == SVCQ_OK)
            rc = svcq__buf_printf(b, "    %s -> %s [label=\"why?\"];\n", n->id, k->id);
        if (rc == SVCQ_OK)
            rc = dot_whys(b, k, why_depth);
    }
    return rc;
}

int svcq_analysis_export_dot(const svcq_analysis *a, const svcq_writer *writer, const char *anchor)
{
    if (!a || !writer)
        return svcq__error(a ? a->ctx : NULL, SVCQ_EINVAL, "svcq_analysis_export_dot: NULL %s",
                           a ? "writer" : "analysis");
    const svcq__an_node *an;
    int rc = svcq__an_anchor(a, anchor, &an);
    if (rc)
        return rc;
    svcq__buf b;
    svcq__buf_init(&b, a->ctx);
    if (!an) {
        rc = svcq__buf_puts(&b, "digraph fishbone {\n    rankdir=LR;\n    charset=\"UTF-8\";\n"
                                "    node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
                                "    edge [arrowhead=vee, color=\"#555555\"];\n");
        if (rc == SVCQ_OK)
            rc = dot_node(&b, a->m.root, a->m.why_depth);
        if (rc == SVCQ_OK)
            rc = dot_fish(&b, a->m.root, a->m.why_depth);
    } else {
        rc = svcq__buf_puts(&b, "digraph why_tree {\n    rankdir=TB;\n    charset=\"UTF-8\";\n"
                                "    node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
                                "    edge [arrowhead=vee, color=\"#555555\", fontsize=10];\n");
        if (rc == SVCQ_OK)
            rc = dot_node(&b, an, a->m.why_depth);
        if (rc == SVCQ_OK)
            rc = dot_whys(&b, an, a->m.why_depth);
    }
    if (rc == SVCQ_OK)
        rc = svcq__buf_puts(&b, "}\n");
    if (rc == SVCQ_OK)
        rc = svcq__an_flush(writer, &b);
    svcq__buf_free(&b);
    return rc;
}
