/* The record writer (jenc.h). */
#include "core/jenc.h"

#include "core/json.h"
#include "core/str.h"

void svcq__je_init(svcq__je *e, svcq_ctx *ctx, svcq__buf *b)
{
    e->ctx = ctx;
    e->b = b;
    e->start = b->len;
    e->comma = false;
    e->fail = false;
}

void svcq__je_put_slow(svcq__je *e, const char *s, size_t n)
{
    if (!e->fail && svcq__buf_append(e->b, s, n))
        e->fail = true;
}

static inline void put_c(svcq__je *e, char c)
{
    svcq__je_raw(e, &c, 1);
}

void svcq__je_begin(svcq__je *e, char c)
{
    if (e->comma)
        put_c(e, ',');
    put_c(e, c);
    e->comma = false;
}

void svcq__je_end(svcq__je *e, char c)
{
    put_c(e, c);
    e->comma = true;
}

/* Bytes a JSON string cannot hold as they are: controls, '"', '\\', and
 * 0xE2 (the writer escapes U+2028 and U+2029, which start with it); the
 * NUL (a control) also ends the string. */
static const uint8_t needs_escape[256] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
    [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1, [0x0e] = 1, [0x0f] = 1,
    [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1,
    [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1,
    ['"'] = 1,  ['\\'] = 1, [0xe2] = 1,
};

/* n bytes that need no escape, in quotes: one copy when there is room. */
static inline void quoted(svcq__je *e, const char *s, size_t n)
{
    svcq__buf *b = e->b;
    if (SVCQ__LIKELY(b->len + n + 2 < b->cap)) {
        char *d = b->data + b->len;
        d[0] = '"';
        memcpy(d + 1, s, n);
        d[n + 1] = '"';
        d[n + 2] = '\0';
        b->len += n + 2;
        return;
    }
    put_c(e, '"');
    svcq__je_raw(e, s, n);
    put_c(e, '"');
}

size_t svcq__je_run(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    /* The NUL is in the table too, so one test per byte ends the scan;
     * four bytes a turn, each read only after the one before it. */
    size_t n = 0;
    for (;; n += 4) {
        if (needs_escape[p[n]])
            return n;
        if (needs_escape[p[n + 1]])
            return n + 1;
        if (needs_escape[p[n + 2]])
            return n + 2;
        if (needs_escape[p[n + 3]])
            return n + 3;
    }
}

void svcq__je_str(svcq__je *e, const char *s)
{
    if (e->comma)
        put_c(e, ',');
    e->comma = true;
    size_t n = svcq__je_run(s);
    if (!s[n]) {
        quoted(e, s, n);
        return;
    }
    if (e->fail)
        return;
    svcq__jw w; /* at depth 0 it writes just the quoted, escaped string */
    svcq__jw_init_buf(&w, e->ctx, e->b);
    if (svcq__jw_string(&w, s))
        e->fail = true;
}

void svcq__je_plain(svcq__je *e, const char *s, size_t n)
{
    if (e->comma)
        put_c(e, ',');
    e->comma = true;
    quoted(e, s, n);
}

void svcq__je_int(svcq__je *e, int64_t v)
{
    if (e->comma)
        put_c(e, ',');
    e->comma = true;
    char t[24];
    const char *p = svcq__i64_text(t, v);
    svcq__je_raw(e, p, (size_t)(t + sizeof(t) - p));
}

int svcq__je_finish(svcq__je *e)
{
    if (!e->fail)
        return SVCQ_OK;
    svcq__buf_truncate(e->b, e->start);
    return svcq__enomem(e->ctx);
}

void svcq__je_bool(svcq__je *e, bool v)
{
    if (e->comma)
        put_c(e, ',');
    e->comma = true;
    if (v)
        svcq__je_raw(e, "true", 4);
    else
        svcq__je_raw(e, "false", 5);
}

int svcq__je_pretty(svcq_ctx *ctx, const char *json, size_t len, svcq__buf *out)
{
    svcq__json_doc *doc = NULL;
    int rc = svcq__json_parse(ctx, json, len, NULL, &doc);
    if (rc)
        return rc;
    svcq__jw w;
    svcq__jw_init_buf(&w, ctx, out);
    svcq__jw_set_pretty(&w, true);
    svcq__jw_value(&w, svcq__json_root(doc));
    rc = svcq__jw_finish(&w);
    svcq__json_doc_free(doc);
    return rc;
}

int svcq__je_export(svcq_ctx *ctx, svcq__je_encode_fn encode, const void *obj, svcq__buf *out, bool pretty)
{
    if (!pretty)
        return encode(obj, out);
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    int rc = encode(obj, &b);
    if (!rc)
        rc = svcq__je_pretty(ctx, b.data, b.len, out);
    svcq__buf_free(&b);
    return rc;
}
