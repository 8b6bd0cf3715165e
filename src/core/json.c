/* The JSON codec: see json.h for what is accepted and written.
 *
 * Reader: one pass over the input with an explicit stack (no recursion, so
 * the depth limit is the only bound on nesting). Completed values wait on a
 * pending stack; when a container closes, its children are copied into the
 * document's arena as one contiguous array, so arrays index in O(1) and
 * objects carry an open-addressing hash index (built in the same step, which
 * also finds duplicate keys) once they have more than a few members.
 *
 * Numbers never go through the locale: the parser reduces a literal to
 * "significant digits x 10^exponent" and either computes it exactly
 * (Clinger's fast path) or hands strtod() a string made only of ASCII
 * digits, 'e' and '-', which every locale reads the same way. The writer
 * takes digits from snprintf's %e (the decimal point, whatever the locale
 * makes it, is skipped) and checks candidates by reading them back. */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/map.h"
#include "core/utf8.h"

typedef struct svcq__json_member svcq__json_member;

struct svcq__json {
    uint32_t type;
    uint32_t hbits; /* objects: log2 of the index size, 0 = no index */
    union {
        int64_t i;
        double d;
        struct {
            const char *p;
            size_t len;
        } s;
        struct {
            svcq__json *items;
            size_t n;
        } a;
        struct {
            svcq__json_member *m;
            size_t n;
        } o;
    } u;
};

struct svcq__json_member {
    const char *key;
    size_t keylen;
    svcq__json value;
};

/* Objects with more members than this get a hash index. */
#define SMALL_OBJECT 8

typedef struct arena_block {
    struct arena_block *next;
    size_t size; /* usable bytes after the header */
} arena_block;

#define BLOCK_HEADER ((sizeof(arena_block) + 15) & ~(size_t)15)
#define MAX_BLOCK ((size_t)8 << 20)

struct svcq__json_doc {
    svcq_ctx *ctx;
    arena_block *blocks;
    char *cur, *end;   /* free space of the newest block */
    size_t next_block; /* size of the next block to allocate */
    svcq__json root;
};

/* ---- arena ----------------------------------------------------------- */

static void *arena_alloc(svcq__json_doc *doc, size_t size, size_t align)
{
    uintptr_t cur = (uintptr_t)doc->cur;
    uintptr_t aligned = (cur + (align - 1)) & ~(uintptr_t)(align - 1);
    if (doc->cur && aligned <= (uintptr_t)doc->end && size <= (uintptr_t)doc->end - aligned) {
        doc->cur = (char *)aligned + size;
        return (void *)aligned;
    }
    size_t want = doc->next_block;
    size_t need;
    if (!svcq__size_add(size, align, &need))
        return NULL;
    if (want < need)
        want = need;
    size_t total;
    if (!svcq__size_add(want, BLOCK_HEADER, &total))
        return NULL;
    arena_block *b = svcq__malloc(doc->ctx, total);
    if (!b)
        return NULL;
    b->next = doc->blocks;
    b->size = want;
    doc->blocks = b;
    if (doc->next_block < MAX_BLOCK)
        doc->next_block *= 2;
    char *start = (char *)b + BLOCK_HEADER;
    aligned = ((uintptr_t)start + (align - 1)) & ~(uintptr_t)(align - 1);
    doc->cur = (char *)aligned + size;
    doc->end = start + want;
    return (void *)aligned;
}

void svcq__json_doc_free(svcq__json_doc *doc)
{
    if (!doc)
        return;
    svcq_ctx *ctx = doc->ctx;
    arena_block *b = doc->blocks;
    while (b) {
        arena_block *next = b->next;
        svcq__free(ctx, b);
        b = next;
    }
    svcq__free(ctx, doc);
}

/* ---- parser ---------------------------------------------------------- */

typedef struct pending {
    const char *key; /* objects only */
    size_t keylen;
    size_t keypos;   /* offset of the key in the input, for messages */
    svcq__json value;
} pending;

typedef struct frame {
    uint32_t type; /* SVCQ__JSON_ARRAY or SVCQ__JSON_OBJECT */
    size_t start;  /* first pending entry of this container */
    size_t pos;    /* offset of the opening bracket */
} frame;

typedef struct parser {
    svcq_ctx *ctx;
    svcq__json_doc *doc;
    const unsigned char *start, *end;
    svcq__json_limits lim;
    pending *stack;
    size_t top, cap;
    frame *frames;
    size_t depth, fcap;
} parser;

static int perr(parser *ps, const unsigned char *at, int code, const char *fmt, ...) SVCQ__PRINTF(4, 5);

static int perr(parser *ps, const unsigned char *at, int code, const char *fmt, ...)
{
    size_t line = 1, col = 1;
    for (const unsigned char *q = ps->start; q < at; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return svcq__error(ps->ctx, code, "line %zu, column %zu: %s", line, col, what);
}

static int unexpected(parser *ps, const unsigned char *p, const char *expected)
{
    if (p >= ps->end)
        return perr(ps, p, SVCQ_EPARSE, "unexpected end of input, expected %s", expected);
    if (*p >= 0x21 && *p < 0x7F)
        return perr(ps, p, SVCQ_EPARSE, "unexpected '%c', expected %s", *p, expected);
    return perr(ps, p, SVCQ_EPARSE, "unexpected byte 0x%02X, expected %s", *p, expected);
}

static inline const unsigned char *skip_ws(const unsigned char *p, const unsigned char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads 4 hex digits at p (4 bytes available); -1 if not hex. */
static int32_t hex4(const unsigned char *p)
{
    int32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0)
            return -1;
        v = (v << 4) | h;
    }
    return v;
}

/* SWAR: whether any of the 8 bytes in x is a quote, a backslash, a control
 * character or non-ASCII (the bytes a string copy must stop at). */
#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)
static inline uint64_t has_zero_byte(uint64_t x)
{
    return (x - ONES) & ~x & HIGHS;
}
static inline bool special8(uint64_t x)
{
    uint64_t ctl = (x - ONES * 0x20) & ~x & HIGHS; /* < 0x20 (or >= 0x80, also caught below) */
    return (has_zero_byte(x ^ (ONES * '"')) | has_zero_byte(x ^ (ONES * '\\')) | ctl | (x & HIGHS)) != 0;
}

/* *pp points at the opening quote; on success it points past the closing
 * one and the unescaped, NUL-terminated string is in the arena. */
static int parse_string(parser *ps, const unsigned char **pp, const char **out, size_t *outlen)
{
    const unsigned char *open = *pp, *s = open + 1, *q = s, *end = ps->end;
    /* Pass 1: find the closing quote, noting whether anything but plain
     * printable ASCII comes before it. */
    bool plain = true;
    for (;;) {
        uint64_t x;
        while (end - q >= 8 && (memcpy(&x, q, 8), !special8(x)))
            q += 8;
        while (q < end && *q != '"' && *q != '\\') {
            if (*q < 0x20 || *q >= 0x80)
                plain = false;
            q++;
        }
        if (q >= end)
            return perr(ps, open, SVCQ_EPARSE, "unterminated string");
        if (*q == '"')
            break;
        plain = false;
        if (end - q < 2)
            return perr(ps, open, SVCQ_EPARSE, "unterminated string");
        q += 2;
    }
    size_t raw = (size_t)(q - s);
    char *dst = arena_alloc(ps->doc, raw + 1, 1);
    if (!dst)
        return svcq__enomem(ps->ctx);
    char *d = dst;
    const unsigned char *r = s;
    if (plain) {
        memcpy(d, s, raw);
        d += raw;
        r = q;
    }
    /* Pass 2: copy, validate and unescape (the result is never longer). */
    while (r < q) {
        const unsigned char *run = r;
        while (r < q && *r >= 0x20 && *r < 0x80 && *r != '\\')
            r++;
        if (r > run) {
            memcpy(d, run, (size_t)(r - run));
            d += r - run;
            if (r >= q)
                break;
        }
        unsigned char c = *r;
        if (c < 0x20)
            return perr(ps, r, SVCQ_EPARSE, "control character 0x%02X in a string must be escaped", c);
        if (c >= 0x80) {
            uint32_t cp;
            size_t n = svcq__utf8_decode(r, (size_t)(q - r), &cp);
            if (n == 0)
                return perr(ps, r, SVCQ_EPARSE, "invalid UTF-8 in a string");
            memcpy(d, r, n);
            d += n;
            r += n;
            continue;
        }
        /* c == '\\'; the escaped byte is before q (pass 1). */
        unsigned char e = r[1];
        switch (e) {
        case '"': *d++ = '"'; r += 2; continue;
        case '\\': *d++ = '\\'; r += 2; continue;
        case '/': *d++ = '/'; r += 2; continue;
        case 'b': *d++ = '\b'; r += 2; continue;
        case 'f': *d++ = '\f'; r += 2; continue;
        case 'n': *d++ = '\n'; r += 2; continue;
        case 'r': *d++ = '\r'; r += 2; continue;
        case 't': *d++ = '\t'; r += 2; continue;
        case 'u': break;
        default:
            if (e >= 0x21 && e < 0x7F)
                return perr(ps, r, SVCQ_EPARSE, "invalid escape '\\%c'", e);
            return perr(ps, r, SVCQ_EPARSE, "invalid escape: byte 0x%02X after '\\'", e);
        }
        int32_t cp = q - r >= 6 ? hex4(r + 2) : -1;
        if (cp < 0)
            return perr(ps, r, SVCQ_EPARSE, "invalid \\u escape: four hex digits expected");
        size_t used = 6;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return perr(ps, r, SVCQ_EPARSE, "lone low surrogate \\u%04X", (unsigned)cp);
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            int32_t lo = q - r >= 12 && r[6] == '\\' && r[7] == 'u' ? hex4(r + 8) : -1;
            if (lo < 0xDC00 || lo > 0xDFFF)
                return perr(ps, r, SVCQ_EPARSE, "lone high surrogate \\u%04X", (unsigned)cp);
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            used = 12;
        }
        d += svcq__utf8_encode((uint32_t)cp, d);
        r += used;
    }
    size_t len = (size_t)(d - dst);
    if (len > ps->lim.max_string)
        return perr(ps, open, SVCQ_ELIMIT, "string of %zu bytes exceeds the limit of %zu", len,
                    ps->lim.max_string);
    *d = '\0';
    /* Give the unused tail back: dst was the arena's last allocation. */
    ps->doc->cur = d + 1;
    *out = dst;
    *outlen = len;
    *pp = q + 1;
    return SVCQ_OK;
}

/* Significant digits kept for strtod; enough for correct rounding when a
 * sticky digit stands for the rest (a double's exact decimal expansion, and
 * so every rounding boundary, has at most 767 significant digits). */
#define MAX_DIGITS 780

static const double pow10_exact[] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* The double nearest to digits (nd ASCII digits, no leading zero, nd > 0,
 * nd <= MAX_DIGITS + 1) times 10^e10. Returns false on overflow. */
static bool decimal_to_double(const char *digits, size_t nd, int64_t e10, double *out)
{
    if ((int64_t)nd + e10 > 310)
        return false;
    if ((int64_t)nd + e10 < -325) {
        *out = 0.0;
        return true;
    }
#if FLT_EVAL_METHOD == 0
    if (nd <= 15 && e10 >= -22 && e10 <= 22) {
        uint64_t m = 0;
        for (size_t i = 0; i < nd; i++)
            m = m * 10 + (uint64_t)(digits[i] - '0');
        double v = (double)m; /* exact: m < 10^15 < 2^53 */
        *out = e10 >= 0 ? v * pow10_exact[e10] : v / pow10_exact[-e10];
        return true;
    }
#endif
    char buf[MAX_DIGITS + 1 + 16];
    memcpy(buf, digits, nd);
    snprintf(buf + nd, sizeof(buf) - nd, "e%lld", (long long)e10);
    /* Only digits, 'e' and '-': no locale reads these differently. */
    double v = strtod(buf, NULL);
    if (isinf(v))
        return false;
    *out = v;
    return true;
}

static int parse_number(parser *ps, const unsigned char **pp, svcq__json *node)
{
    const unsigned char *start = *pp, *p = start, *end = ps->end;
    bool neg = false;
    if (*p == '-') {
        neg = true;
        p++;
    }
    const unsigned char *int_start = p;
    if (p >= end || *p < '0' || *p > '9')
        return unexpected(ps, p, "a digit");
    if (*p == '0') {
        p++;
        if (p < end && *p >= '0' && *p <= '9')
            return perr(ps, int_start, SVCQ_EPARSE, "leading zero in a number");
    } else {
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    const unsigned char *int_end = p, *frac_start = p, *frac_end = p;
    bool is_int = true;
    if (p < end && *p == '.') {
        is_int = false;
        p++;
        frac_start = p;
        if (p >= end || *p < '0' || *p > '9')
            return unexpected(ps, p, "a digit after the decimal point");
        while (p < end && *p >= '0' && *p <= '9')
            p++;
        frac_end = p;
    }
    int64_t exp10 = 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        is_int = false;
        p++;
        bool eneg = false;
        if (p < end && (*p == '+' || *p == '-')) {
            eneg = *p == '-';
            p++;
        }
        if (p >= end || *p < '0' || *p > '9')
            return unexpected(ps, p, "a digit in the exponent");
        while (p < end && *p >= '0' && *p <= '9') {
            if (exp10 < INT64_C(1000000000000))
                exp10 = exp10 * 10 + (*p - '0');
            p++;
        }
        if (eneg)
            exp10 = -exp10;
    }
    if ((size_t)(p - start) > ps->lim.max_number)
        return perr(ps, start, SVCQ_ELIMIT, "number literal of %zu bytes exceeds the limit of %zu",
                    (size_t)(p - start), ps->lim.max_number);
    *pp = p;

    size_t nint = (size_t)(int_end - int_start);
    if (is_int && nint <= 19) {
        uint64_t m = 0;
        for (const unsigned char *q = int_start; q < int_end; q++)
            m = m * 10 + (uint64_t)(*q - '0');
        uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        if (m <= lim) {
            node->type = SVCQ__JSON_INT;
            node->u.i = neg ? (int64_t)(0 - m) : (int64_t)m;
            return SVCQ_OK;
        }
    }

    /* Reduce to significant digits x 10^e10. */
    char digits[MAX_DIGITS + 1];
    size_t nd = 0, nzero = 0; /* nzero: zeros seen but not yet stored */
    bool sticky = false;
    int64_t e10 = exp10 - (int64_t)(frac_end - frac_start);
    for (int part = 0; part < 2; part++) {
        const unsigned char *q = part ? frac_start : int_start, *qe = part ? frac_end : int_end;
        for (; q < qe; q++) {
            char c = (char)*q;
            if (c == '0') {
                if (nd)
                    nzero++;
                continue;
            }
            /* A nonzero digit: flush the zeros before it. */
            for (; nzero; nzero--) {
                if (nd < MAX_DIGITS)
                    digits[nd++] = '0';
                else
                    e10++;
            }
            if (nd < MAX_DIGITS) {
                digits[nd++] = c;
            } else {
                sticky = true;
                e10++;
            }
        }
    }
    e10 += (int64_t)nzero; /* trailing zeros */
    if (sticky) {
        digits[nd++] = '1';
        e10--;
    }
    double v = 0.0;
    if (nd && !decimal_to_double(digits, nd, e10, &v))
        return perr(ps, start, SVCQ_ERANGE, "number %.*s is too large for a double",
                    (int)((p - start) > 40 ? 40 : (p - start)), (const char *)start);
    node->type = SVCQ__JSON_DOUBLE;
    node->u.d = neg ? -v : v;
    return SVCQ_OK;
}

static int push_pending(parser *ps)
{
    if (ps->top < ps->cap)
        return SVCQ_OK;
    size_t cap = ps->cap ? ps->cap * 2 : 64;
    pending *s = svcq__reallocarray(ps->ctx, ps->stack, cap, sizeof(*s));
    if (!s)
        return svcq__enomem(ps->ctx);
    ps->stack = s;
    ps->cap = cap;
    return SVCQ_OK;
}

static int push_frame(parser *ps, uint32_t type, size_t pos)
{
    if (ps->depth == ps->fcap) {
        size_t cap = ps->fcap ? ps->fcap * 2 : 16;
        frame *f = svcq__reallocarray(ps->ctx, ps->frames, cap, sizeof(*f));
        if (!f)
            return svcq__enomem(ps->ctx);
        ps->frames = f;
        ps->fcap = cap;
    }
    ps->frames[ps->depth++] = (frame){ type, ps->top, pos };
    return SVCQ_OK;
}

static size_t key_excerpt(const char *key, size_t keylen)
{
    return svcq__utf8_trim(key, keylen > 60 ? 60 : keylen);
}

/* Pops the top frame's children into the arena as the container node. */
static int close_container(parser *ps, svcq__json *node)
{
    frame *f = &ps->frames[ps->depth - 1];
    size_t n = ps->top - f->start;
    const pending *kids = n ? ps->stack + f->start : NULL;
    node->type = f->type;
    node->hbits = 0;
    if (f->type == SVCQ__JSON_ARRAY) {
        svcq__json *items = NULL;
        if (n) {
            size_t bytes;
            if (!svcq__size_mul(n, sizeof(svcq__json), &bytes) || !(items = arena_alloc(ps->doc, bytes, 8)))
                return svcq__enomem(ps->ctx);
            for (size_t i = 0; i < n; i++)
                items[i] = kids[i].value;
        }
        node->u.a.items = items;
        node->u.a.n = n;
    } else {
        uint32_t hbits = 0;
        size_t tsize = 0;
        if (n > SMALL_OBJECT) {
            if (n > UINT32_MAX / 4)
                return perr(ps, ps->start + f->pos, SVCQ_ELIMIT, "object with too many members");
            hbits = 4;
            while (((size_t)1 << hbits) < 2 * n)
                hbits++;
            tsize = (size_t)1 << hbits;
        }
        svcq__json_member *m = NULL;
        if (n) {
            size_t bytes, tbytes;
            if (!svcq__size_mul(n, sizeof(svcq__json_member), &bytes) || !svcq__size_mul(tsize, sizeof(uint32_t), &tbytes) ||
                !svcq__size_add(bytes, tbytes, &bytes) || !(m = arena_alloc(ps->doc, bytes, 8)))
                return svcq__enomem(ps->ctx);
            for (size_t i = 0; i < n; i++)
                m[i] = (svcq__json_member){ kids[i].key, kids[i].keylen, kids[i].value };
        }
        if (hbits) {
            uint32_t *table = (uint32_t *)(m + n);
            memset(table, 0, tsize * sizeof(uint32_t));
            size_t mask = tsize - 1;
            for (size_t i = 0; i < n; i++) {
                size_t h = (size_t)svcq__hash(m[i].key, m[i].keylen) & mask;
                while (table[h]) {
                    const svcq__json_member *o = &m[table[h] - 1];
                    if (o->keylen == m[i].keylen && memcmp(o->key, m[i].key, o->keylen) == 0)
                        goto duplicate;
                    h = (h + 1) & mask;
                }
                table[h] = (uint32_t)(i + 1);
                continue;
            duplicate:
                return perr(ps, ps->start + kids[i].keypos, SVCQ_EPARSE, "duplicate key \"%.*s\"",
                            (int)key_excerpt(m[i].key, m[i].keylen), m[i].key);
            }
        } else {
            for (size_t i = 1; i < n; i++)
                for (size_t j = 0; j < i; j++)
                    if (m[i].keylen == m[j].keylen && memcmp(m[i].key, m[j].key, m[i].keylen) == 0)
                        return perr(ps, ps->start + kids[i].keypos, SVCQ_EPARSE, "duplicate key \"%.*s\"",
                                    (int)key_excerpt(m[i].key, m[i].keylen), m[i].key);
        }
        node->hbits = hbits;
        node->u.o.m = m;
        node->u.o.n = n;
    }
    ps->top = f->start;
    ps->depth--;
    return SVCQ_OK;
}

static int parse_text(parser *ps)
{
    const unsigned char *end = ps->end, *p = skip_ws(ps->start, end);
    svcq__json val;
    int rc;
    memset(&val, 0, sizeof(val));

value:
    if (p >= end)
        return unexpected(ps, p, "a value");
    val.hbits = 0;
    switch (*p) {
    case '{':
    case '[': {
        bool obj = *p == '{';
        if (ps->depth >= ps->lim.max_depth)
            return perr(ps, p, SVCQ_ELIMIT, "nesting deeper than the limit of %zu", ps->lim.max_depth);
        if ((rc = push_frame(ps, obj ? SVCQ__JSON_OBJECT : SVCQ__JSON_ARRAY, (size_t)(p - ps->start))))
            return rc;
        p = skip_ws(p + 1, end);
        if (p < end && *p == (obj ? '}' : ']')) {
            p++;
            if ((rc = close_container(ps, &val)))
                return rc;
            goto done;
        }
        if (obj)
            goto key;
        goto value;
    }
    case '"':
        val.type = SVCQ__JSON_STRING;
        if ((rc = parse_string(ps, &p, &val.u.s.p, &val.u.s.len)))
            return rc;
        goto done;
    case 't':
        if (end - p >= 4 && memcmp(p, "true", 4) == 0) {
            val.type = SVCQ__JSON_TRUE;
            p += 4;
            goto done;
        }
        return perr(ps, p, SVCQ_EPARSE, "invalid literal (true, false or null?)");
    case 'f':
        if (end - p >= 5 && memcmp(p, "false", 5) == 0) {
            val.type = SVCQ__JSON_FALSE;
            p += 5;
            goto done;
        }
        return perr(ps, p, SVCQ_EPARSE, "invalid literal (true, false or null?)");
    case 'n':
        if (end - p >= 4 && memcmp(p, "null", 4) == 0) {
            val.type = SVCQ__JSON_NULL;
            p += 4;
            goto done;
        }
        return perr(ps, p, SVCQ_EPARSE, "invalid literal (true, false or null?)");
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        if ((rc = parse_number(ps, &p, &val)))
            return rc;
        goto done;
    default:
        return unexpected(ps, p, "a value");
    }

key:
    if (p >= end || *p != '"')
        return unexpected(ps, p, "a string key");
    if ((rc = push_pending(ps)))
        return rc;
    {
        pending *e = &ps->stack[ps->top];
        e->keypos = (size_t)(p - ps->start);
        if ((rc = parse_string(ps, &p, &e->key, &e->keylen)))
            return rc;
        ps->top++;
    }
    p = skip_ws(p, end);
    if (p >= end || *p != ':')
        return unexpected(ps, p, "':' after an object key");
    p = skip_ws(p + 1, end);
    goto value;

done:
    if (ps->depth == 0) {
        p = skip_ws(p, end);
        if (p < end)
            return unexpected(ps, p, "the end of the input after the value");
        ps->doc->root = val;
        return SVCQ_OK;
    }
    {
        frame *f = &ps->frames[ps->depth - 1];
        if (f->type == SVCQ__JSON_OBJECT) {
            ps->stack[ps->top - 1].value = val;
        } else {
            if ((rc = push_pending(ps)))
                return rc;
            ps->stack[ps->top].key = NULL;
            ps->stack[ps->top].keylen = 0;
            ps->stack[ps->top].value = val;
            ps->top++;
        }
        p = skip_ws(p, end);
        bool obj = f->type == SVCQ__JSON_OBJECT;
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            if (p < end && *p == (obj ? '}' : ']'))
                return perr(ps, p, SVCQ_EPARSE, "trailing comma before '%c'", *p);
            if (obj)
                goto key;
            goto value;
        }
        if (p < end && *p == (obj ? '}' : ']')) {
            p++;
            if ((rc = close_container(ps, &val)))
                return rc;
            goto done;
        }
        return unexpected(ps, p, obj ? "',' or '}' after an object member" : "',' or ']' after an array element");
    }
}

int svcq__json_parse(svcq_ctx *ctx, const char *text, size_t len, const svcq__json_limits *limits,
                  svcq__json_doc **out)
{
    if (out)
        *out = NULL;
    if (!ctx || !out || (!text && len))
        return svcq__error(ctx, SVCQ_EINVAL, "svcq__json_parse: NULL argument");
    parser ps;
    memset(&ps, 0, sizeof(ps));
    ps.ctx = ctx;
    ps.lim.max_depth = limits && limits->max_depth ? limits->max_depth : SVCQ__JSON_DEFAULT_MAX_DEPTH;
    ps.lim.max_size = limits && limits->max_size ? limits->max_size : SVCQ__JSON_DEFAULT_MAX_SIZE;
    ps.lim.max_string = limits && limits->max_string ? limits->max_string : SVCQ__JSON_DEFAULT_MAX_STRING;
    ps.lim.max_number = limits && limits->max_number ? limits->max_number : SVCQ__JSON_DEFAULT_MAX_NUMBER;
    if (len > ps.lim.max_size)
        return svcq__error(ctx, SVCQ_ELIMIT, "line 1, column 1: input of %zu bytes exceeds the limit of %zu", len,
                        ps.lim.max_size);
    ps.start = (const unsigned char *)(text ? text : "");
    ps.end = ps.start + len;

    svcq__json_doc *doc = svcq__malloc(ctx, sizeof(*doc));
    if (!doc)
        return svcq__enomem(ctx);
    memset(doc, 0, sizeof(*doc));
    doc->ctx = ctx;
    /* First block sized from the input: most documents fit in it. */
    size_t first = len + len / 2;
    doc->next_block = first < 1024 ? 1024 : first > MAX_BLOCK ? MAX_BLOCK : first;
    ps.doc = doc;

    int rc = parse_text(&ps);
    svcq__free(ctx, ps.stack);
    svcq__free(ctx, ps.frames);
    if (rc) {
        svcq__json_doc_free(doc);
        return rc;
    }
    *out = doc;
    return SVCQ_OK;
}

/* ---- accessors ------------------------------------------------------- */

const svcq__json *svcq__json_root(const svcq__json_doc *doc)
{
    return doc ? &doc->root : NULL;
}

svcq__json_type svcq__json_typeof(const svcq__json *v)
{
    return v ? (svcq__json_type)v->type : SVCQ__JSON_NULL;
}

const char *svcq__json_type_name(svcq__json_type type)
{
    switch (type) {
    case SVCQ__JSON_NULL: return "null";
    case SVCQ__JSON_FALSE:
    case SVCQ__JSON_TRUE: return "a boolean";
    case SVCQ__JSON_INT: return "an integer";
    case SVCQ__JSON_DOUBLE: return "a number";
    case SVCQ__JSON_STRING: return "a string";
    case SVCQ__JSON_ARRAY: return "an array";
    case SVCQ__JSON_OBJECT: return "an object";
    }
    return "an unknown type";
}

bool svcq__json_as_int(const svcq__json *v, int64_t *out)
{
    if (!v)
        return false;
    if (v->type == SVCQ__JSON_INT) {
        *out = v->u.i;
        return true;
    }
    if (v->type == SVCQ__JSON_DOUBLE) {
        double d = v->u.d;
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == (double)(int64_t)d) {
            *out = (int64_t)d;
            return true;
        }
    }
    return false;
}

bool svcq__json_as_double(const svcq__json *v, double *out)
{
    if (!v)
        return false;
    if (v->type == SVCQ__JSON_DOUBLE) {
        *out = v->u.d;
        return true;
    }
    if (v->type == SVCQ__JSON_INT) {
        *out = (double)v->u.i;
        return true;
    }
    return false;
}

bool svcq__json_as_bool(const svcq__json *v, bool *out)
{
    if (!v || (v->type != SVCQ__JSON_TRUE && v->type != SVCQ__JSON_FALSE))
        return false;
    *out = v->type == SVCQ__JSON_TRUE;
    return true;
}

const char *svcq__json_as_string(const svcq__json *v, size_t *len)
{
    if (!v || v->type != SVCQ__JSON_STRING)
        return NULL;
    if (len)
        *len = v->u.s.len;
    return v->u.s.p;
}

size_t svcq__json_array_size(const svcq__json *v)
{
    return v && v->type == SVCQ__JSON_ARRAY ? v->u.a.n : 0;
}

const svcq__json *svcq__json_array_get(const svcq__json *v, size_t i)
{
    if (!v || v->type != SVCQ__JSON_ARRAY || i >= v->u.a.n)
        return NULL;
    return &v->u.a.items[i];
}

size_t svcq__json_object_size(const svcq__json *v)
{
    return v && v->type == SVCQ__JSON_OBJECT ? v->u.o.n : 0;
}

const svcq__json *svcq__json_object_member(const svcq__json *v, size_t i, const char **key, size_t *keylen)
{
    if (!v || v->type != SVCQ__JSON_OBJECT || i >= v->u.o.n)
        return NULL;
    const svcq__json_member *m = &v->u.o.m[i];
    if (key)
        *key = m->key;
    if (keylen)
        *keylen = m->keylen;
    return &m->value;
}

const svcq__json *svcq__json_getn(const svcq__json *v, const char *key, size_t keylen)
{
    if (!v || v->type != SVCQ__JSON_OBJECT || !key)
        return NULL;
    const svcq__json_member *m = v->u.o.m;
    size_t n = v->u.o.n;
    if (v->hbits) {
        const uint32_t *table = (const uint32_t *)(m + n);
        size_t mask = ((size_t)1 << v->hbits) - 1;
        size_t h = (size_t)svcq__hash(key, keylen) & mask;
        while (table[h]) {
            const svcq__json_member *c = &m[table[h] - 1];
            if (c->keylen == keylen && memcmp(c->key, key, keylen) == 0)
                return &c->value;
            h = (h + 1) & mask;
        }
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (m[i].keylen == keylen && memcmp(m[i].key, key, keylen) == 0)
            return &m[i].value;
    return NULL;
}

const svcq__json *svcq__json_get(const svcq__json *v, const char *key)
{
    return key ? svcq__json_getn(v, key, strlen(key)) : NULL;
}

bool svcq__json_equal(const svcq__json *a, const svcq__json *b)
{
    if (!a || !b)
        return a == b;
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case SVCQ__JSON_INT:
        return a->u.i == b->u.i;
    case SVCQ__JSON_DOUBLE:
        return memcmp(&a->u.d, &b->u.d, sizeof(double)) == 0;
    case SVCQ__JSON_STRING:
        return a->u.s.len == b->u.s.len && memcmp(a->u.s.p, b->u.s.p, a->u.s.len) == 0;
    case SVCQ__JSON_ARRAY:
        if (a->u.a.n != b->u.a.n)
            return false;
        for (size_t i = 0; i < a->u.a.n; i++)
            if (!svcq__json_equal(&a->u.a.items[i], &b->u.a.items[i]))
                return false;
        return true;
    case SVCQ__JSON_OBJECT:
        if (a->u.o.n != b->u.o.n)
            return false;
        for (size_t i = 0; i < a->u.o.n; i++) {
            const svcq__json_member *m = &a->u.o.m[i];
            if (!svcq__json_equal(&m->value, svcq__json_getn(b, m->key, m->keylen)))
                return false;
        }
        return true;
    default:
        return true;
    }
}

/* ---- record getters -------------------------------------------------- */

/* Finds member key of obj for a getter: 1 when present and not null, 0
 * when absent (or null) and optional, an error otherwise. */
static int field(svcq_ctx *ctx, const svcq__json *obj, const char *key, bool required, const svcq__json **out)
{
    if (!obj || obj->type != SVCQ__JSON_OBJECT)
        return svcq__error(ctx, SVCQ_ECORRUPT, "field \"%s\": expected an object holding it, found %s",
                        key ? key : "", svcq__json_type_name(svcq__json_typeof(obj)));
    const svcq__json *v = svcq__json_get(obj, key);
    if (!v || v->type == SVCQ__JSON_NULL) {
        if (required)
            return svcq__error(ctx, SVCQ_ECORRUPT, "field \"%s\": missing", key);
        return 0;
    }
    *out = v;
    return 1;
}

static int wrong_type(svcq_ctx *ctx, const char *key, const char *expected, const svcq__json *v)
{
    const char *found = svcq__json_type_name(svcq__json_typeof(v));
    if (v->type == SVCQ__JSON_DOUBLE && strcmp(expected, "an integer") == 0)
        /* Doubles of magnitude 2^52 and above are all integral. */
        found = fabs(v->u.d) >= 4503599627370496.0 || v->u.d == (double)(int64_t)v->u.d ? "a number out of range"
                                                                                          : "a number with a fraction";
    return svcq__error(ctx, SVCQ_ECORRUPT, "field \"%s\": expected %s, found %s", key, expected, found);
}

int svcq__json_get_int(svcq_ctx *ctx, const svcq__json *obj, const char *key, bool required, int64_t *out)
{
    const svcq__json *v = NULL;
    int rc = field(ctx, obj, key, required, &v);
    if (rc <= 0)
        return rc;
    if (!svcq__json_as_int(v, out))
        return wrong_type(ctx, key, "an integer", v);
    return SVCQ_OK;
}

int svcq__json_get_double(svcq_ctx *ctx, const svcq__json *obj, const char *key, bool required, double *out)
{
    const svcq__json *v = NULL;
    int rc = field(ctx, obj, key, required, &v);
    if (rc <= 0)
        return rc;
    if (!svcq__json_as_double(v, out))
        return wrong_type(ctx, key, "a number", v);
    return SVCQ_OK;
}

int svcq__json_get_bool(svcq_ctx *ctx, const svcq__json *obj, const char *key, bool required, bool *out)
{
    const svcq__json *v = NULL;
    int rc = field(ctx, obj, key, required, &v);
    if (rc <= 0)
        return rc;
    if (!svcq__json_as_bool(v, out))
        return wrong_type(ctx, key, "a boolean", v);
    return SVCQ_OK;
}

int svcq__json_get_string(svcq_ctx *ctx, const svcq__json *obj, const char *key, bool required, const char **out,
                       size_t *len)
{
    const svcq__json *v = NULL;
    int rc = field(ctx, obj, key, required, &v);
    if (rc <= 0)
        return rc;
    if (v->type != SVCQ__JSON_STRING)
        return wrong_type(ctx, key, "a string", v);
    if (!len && memchr(v->u.s.p, '\0', v->u.s.len))
        return svcq__error(ctx, SVCQ_ECORRUPT, "field \"%s\": string contains a NUL character", key);
    *out = v->u.s.p;
    if (len)
        *len = v->u.s.len;
    return SVCQ_OK;
}

int svcq__json_get_array(svcq_ctx *ctx, const svcq__json *obj, const char *key, bool required, const svcq__json **out)
{
    const svcq__json *v = NULL;
    int rc = field(ctx, obj, key, required, &v);
    if (rc <= 0)
        return rc;
    if (v->type != SVCQ__JSON_ARRAY)
        return wrong_type(ctx, key, "an array", v);
    *out = v;
    return SVCQ_OK;
}

int svcq__json_get_object(svcq_ctx *ctx, const svcq__json *obj, const char *key, bool required,
                       const svcq__json **out)
{
    const svcq__json *v = NULL;
    int rc = field(ctx, obj, key, required, &v);
    if (rc <= 0)
        return rc;
    if (v->type != SVCQ__JSON_OBJECT)
        return wrong_type(ctx, key, "an object", v);
    *out = v;
    return SVCQ_OK;
}

/* ---- doubles to text ------------------------------------------------- */

/* Whether m x 10^e10 (m > 0) reads back as exactly v. */
static bool reads_back(uint64_t m, int64_t e10, double v)
{
    char digits[24];
    int nd = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)m);
    double r;
    return decimal_to_double(digits, (size_t)nd, e10, &r) && memcmp(&r, &v, sizeof(double)) == 0;
}

/* The correctly rounded prec-digit decimal of v (> 0, finite): m has
 * exactly prec digits, v ~ m x 10^e10. Locale-proof: only the digits of %e
 * are read, whatever the decimal point looks like. */
static void round_digits(double v, int prec, uint64_t *m, int64_t *e10)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%.*e", prec - 1, v);
    uint64_t d = 0;
    const char *p = buf;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            d = d * 10 + (uint64_t)(*p - '0');
    long x = *p == 'e' ? strtol(p + 1, NULL, 10) : 0;
    *m = d;
    *e10 = (int64_t)x - (prec - 1);
}

size_t svcq__json_format_double(double v, char out[32])
{
    if (!isfinite(v)) {
        out[0] = '\0';
        return 0;
    }
    char *o = out;
    if (signbit(v)) {
        *o++ = '-';
        v = -v;
    }
    if (v == 0) {
        memcpy(o, "0.0", 4);
        return (size_t)(o - out) + 3;
    }
    uint64_t m = 0;
    int64_t e10 = 0;
    bool found = false;
    /* For normal doubles any decimal of up to 15 digits that reads back as
     * v is v rounded to 15 digits (DBL_DIG), so the search starts there.
     * Subnormals have fewer bits, so shorter decimals may do: search all. */
    int first = v < DBL_MIN ? 1 : 15;
    for (int prec = first; prec <= 17 && !found; prec++) {
        round_digits(v, prec, &m, &e10);
        if (reads_back(m, e10, v)) {
            found = true;
        } else if (prec >= 16 || first == 1) {
            /* The nearest 16-digit decimal may fall just outside the
             * rounding interval while a neighbour is inside it. */
            if (reads_back(m + 1, e10, v)) {
                m += 1;
                found = true;
            } else if (m > 1 && reads_back(m - 1, e10, v)) {
                m -= 1;
                found = true;
            }
        }
    }
    if (!found)
        round_digits(v, 17, &m, &e10); /* always reads back */
    while (m % 10 == 0) {
        m /= 10;
        e10++;
    }
    char d[24];
    int nd = snprintf(d, sizeof(d), "%llu", (unsigned long long)m);
    /* v = 0.d1d2... x 10^point */
    int64_t point = nd + e10;
    if (point > -6 && point <= 21) {
        if (point <= 0) {
            /* 0.000ddd */
            *o++ = '0';
            *o++ = '.';
            for (int64_t i = 0; i < -point; i++)
                *o++ = '0';
            memcpy(o, d, (size_t)nd);
            o += nd;
        } else if (point >= nd) {
            /* ddd000.0 */
            memcpy(o, d, (size_t)nd);
            o += nd;
            for (int64_t i = nd; i < point; i++)
                *o++ = '0';
            *o++ = '.';
            *o++ = '0';
        } else {
            memcpy(o, d, (size_t)point);
            o += point;
            *o++ = '.';
            memcpy(o, d + point, (size_t)(nd - point));
            o += nd - point;
        }
    } else {
        /* d.ddde[-]x */
        *o++ = d[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, d + 1, (size_t)nd - 1);
            o += nd - 1;
        }
        o += snprintf(o, 8, "e%lld", (long long)(point - 1));
    }
    *o = '\0';
    return (size_t)(o - out);
}

/* ---- writer ---------------------------------------------------------- */

static int jw_fail(svcq__jw *w, int code, const char *what)
{
    if (!w->err) {
        w->err = code;
        svcq__error(w->ctx, code, "JSON writer: %s", what);
    }
    return w->err;
}

static void jw_flush(svcq__jw *w)
{
    if (w->chunk_len == 0 || w->err)
        return;
    int rc = svcq_writer_write(&w->sink, w->chunk, w->chunk_len);
    w->chunk_len = 0;
    if (rc) {
        w->err = rc;
        svcq__error(w->ctx, rc, "JSON writer: the sink failed: %s", svcq_strerror(rc));
    }
}

static void emit(svcq__jw *w, const char *s, size_t n)
{
    if (w->err)
        return;
    w->started = true;
    if (!w->to_sink) {
        if (svcq__buf_append(w->out, s, n))
            jw_fail(w, SVCQ_ENOMEM, "out of memory");
        return;
    }
    while (n) {
        size_t room = SVCQ__JW_CHUNK - w->chunk_len;
        if (room == 0) {
            jw_flush(w);
            if (w->err)
                return;
            room = SVCQ__JW_CHUNK;
        }
        size_t k = n < room ? n : room;
        memcpy(w->chunk + w->chunk_len, s, k);
        w->chunk_len += k;
        s += k;
        n -= k;
    }
}

static void emit_c(svcq__jw *w, char c)
{
    if (w->err)
        return;
    if (!w->to_sink) {
        w->started = true;
        svcq__buf *b = w->out;
        if (SVCQ__LIKELY(b->len + 1 < b->cap)) { /* svcq__buf_putc, inline */
            b->data[b->len++] = c;
            b->data[b->len] = '\0';
        } else if (svcq__buf_putc(b, c)) {
            jw_fail(w, SVCQ_ENOMEM, "out of memory");
        }
        return;
    }
    if (w->chunk_len < SVCQ__JW_CHUNK) {
        w->chunk[w->chunk_len++] = c;
        w->started = true;
        return;
    }
    emit(w, &c, 1);
}

static void newline_indent(svcq__jw *w, uint32_t level)
{
    static const char spaces[] = "\n                                ";
    emit(w, spaces, 1);
    size_t n = (size_t)level * 2;
    while (n) {
        size_t k = n < sizeof(spaces) - 2 ? n : sizeof(spaces) - 2;
        emit(w, spaces + 1, k);
        n -= k;
    }
}

/* Separator before an element (array) or a member (object). */
static void separate(svcq__jw *w)
{
    if (w->nonempty[w->depth])
        emit_c(w, ',');
    w->nonempty[w->depth] = 1;
    if (w->pretty)
        newline_indent(w, w->depth);
}

static bool before_value(svcq__jw *w)
{
    if (w->err)
        return false;
    if (w->done) {
        jw_fail(w, SVCQ_EINVAL, "a second top-level value");
        return false;
    }
    if (w->depth == 0)
        return true;
    if (w->kind[w->depth] == '{') {
        if (w->want_key) {
            jw_fail(w, SVCQ_EINVAL, "a value where an object key is expected");
            return false;
        }
        w->want_key = true;
        return true;
    }
    separate(w);
    return true;
}

static int after_value(svcq__jw *w)
{
    if (w->depth == 0 && !w->err)
        w->done = true;
    return w->err;
}

static void jw_init(svcq__jw *w, svcq_ctx *ctx)
{
    w->ctx = ctx;
    w->out = NULL;
    w->out_start = 0;
    w->to_sink = false;
    w->pretty = false;
    w->started = false;
    w->done = false;
    w->want_key = false;
    w->err = SVCQ_OK;
    w->depth = 0;
    w->kind[0] = 0;
    w->nonempty[0] = 0;
    w->chunk_len = 0;
    memset(&w->sink, 0, sizeof(w->sink));
}

void svcq__jw_init_buf(svcq__jw *w, svcq_ctx *ctx, svcq__buf *out)
{
    jw_init(w, ctx);
    w->out = out;
    if (!out)
        jw_fail(w, SVCQ_EINVAL, "NULL output buffer");
    else
        w->out_start = out->len;
}

void svcq__jw_init_writer(svcq__jw *w, svcq_ctx *ctx, const svcq_writer *sink)
{
    jw_init(w, ctx);
    w->to_sink = true;
    if (!sink || !sink->write)
        jw_fail(w, SVCQ_EINVAL, "NULL or callback-less sink");
    else
        w->sink = *sink;
}

int svcq__jw_set_pretty(svcq__jw *w, bool pretty)
{
    if (w->err)
        return w->err;
    if (w->started || w->done)
        return jw_fail(w, SVCQ_EINVAL, "pretty mode set after output started");
    w->pretty = pretty;
    return SVCQ_OK;
}

static int begin(svcq__jw *w, char kind)
{
    if (!before_value(w))
        return w->err;
    if (w->depth >= SVCQ__JW_MAX_DEPTH)
        return jw_fail(w, SVCQ_ELIMIT, "nesting deeper than SVCQ__JW_MAX_DEPTH");
    emit_c(w, kind);
    w->depth++;
    w->kind[w->depth] = (uint8_t)kind;
    w->nonempty[w->depth] = 0;
    w->want_key = kind == '{';
    return w->err;
}

static int end_container(svcq__jw *w, char kind)
{
    if (w->err)
        return w->err;
    if (w->depth == 0 || w->kind[w->depth] != kind)
        return jw_fail(w, SVCQ_EINVAL, kind == '{' ? "object end without a matching begin"
                                                   : "array end without a matching begin");
    if (kind == '{' && !w->want_key)
        return jw_fail(w, SVCQ_EINVAL, "object ends after a key without its value");
    if (w->pretty && w->nonempty[w->depth])
        newline_indent(w, w->depth - 1);
    emit_c(w, kind == '{' ? '}' : ']');
    w->depth--;
    w->want_key = w->depth > 0 && w->kind[w->depth] == '{';
    return after_value(w);
}

int svcq__jw_object_begin(svcq__jw *w)
{
    return begin(w, '{');
}

int svcq__jw_object_end(svcq__jw *w)
{
    return end_container(w, '{');
}

int svcq__jw_array_begin(svcq__jw *w)
{
    return begin(w, '[');
}

int svcq__jw_array_end(svcq__jw *w)
{
    return end_container(w, '[');
}

/* Writes s as a quoted, escaped string (already validated). */
static void emit_string(svcq__jw *w, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s, *end = p + len, *run = p;
    emit_c(w, '"');
    while (p < end) {
        uint64_t x;
        /* Skip 8 plain bytes at a time (non-ASCII stops it: it may be U+2028). */
        while (end - p >= 8 && (memcpy(&x, p, 8), !special8(x)))
            p += 8;
        if (p >= end)
            break;
        unsigned char c = *p;
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0xE2) {
            p++;
            continue;
        }
        if (c == 0xE2) {
            /* U+2028 and U+2029 are E2 80 A8 and E2 80 A9. */
            if (end - p >= 3 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
                emit(w, (const char *)run, (size_t)(p - run));
                emit(w, p[2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
                p += 3;
                run = p;
            } else {
                p++;
            }
            continue;
        }
        emit(w, (const char *)run, (size_t)(p - run));
        char esc[6] = { '\\', 0, 0, 0, 0, 0 };
        size_t n = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        emit(w, esc, n);
        p++;
        run = p;
    }
    emit(w, (const char *)run, (size_t)(p - run));
    emit_c(w, '"');
}

int svcq__jw_keyn(svcq__jw *w, const char *key, size_t len)
{
    if (w->err)
        return w->err;
    if (w->depth == 0 || w->kind[w->depth] != '{')
        return jw_fail(w, SVCQ_EINVAL, "a key outside an object");
    if (!w->want_key)
        return jw_fail(w, SVCQ_EINVAL, "a key where a value is expected");
    if (!key && len)
        return jw_fail(w, SVCQ_EINVAL, "NULL key");
    if (len && !svcq__utf8_valid(key, len))
        return jw_fail(w, SVCQ_EINVAL, "key is not valid UTF-8");
    separate(w);
    emit_string(w, key ? key : "", len);
    if (w->pretty)
        emit(w, ": ", 2);
    else
        emit_c(w, ':');
    w->want_key = false;
    return w->err;
}

int svcq__jw_key(svcq__jw *w, const char *key)
{
    if (!key)
        return jw_fail(w, SVCQ_EINVAL, "NULL key");
    return svcq__jw_keyn(w, key, strlen(key));
}

int svcq__jw_stringn(svcq__jw *w, const char *s, size_t len)
{
    if (w->err)
        return w->err;
    if (!s && len)
        return jw_fail(w, SVCQ_EINVAL, "NULL string");
    if (len && !svcq__utf8_valid(s, len))
        return jw_fail(w, SVCQ_EINVAL, "string is not valid UTF-8");
    if (!before_value(w))
        return w->err;
    emit_string(w, s ? s : "", len);
    return after_value(w);
}

int svcq__jw_string(svcq__jw *w, const char *s)
{
    if (!s)
        return jw_fail(w, SVCQ_EINVAL, "NULL string");
    return svcq__jw_stringn(w, s, strlen(s));
}

int svcq__jw_int(svcq__jw *w, int64_t v)
{
    if (!before_value(w))
        return w->err;
    char buf[24];
    char *p = buf + sizeof(buf);
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    emit(w, p, (size_t)(buf + sizeof(buf) - p));
    return after_value(w);
}

int svcq__jw_double(svcq__jw *w, double v)
{
    if (w->err)
        return w->err;
    if (!isfinite(v))
        return jw_fail(w, SVCQ_EINVAL, "NaN and infinities have no JSON form");
    if (!before_value(w))
        return w->err;
    char buf[32];
    size_t n = svcq__json_format_double(v, buf);
    emit(w, buf, n);
    return after_value(w);
}

int svcq__jw_bool(svcq__jw *w, bool v)
{
    if (!before_value(w))
        return w->err;
    if (v)
        emit(w, "true", 4);
    else
        emit(w, "false", 5);
    return after_value(w);
}

int svcq__jw_null(svcq__jw *w)
{
    if (!before_value(w))
        return w->err;
    emit(w, "null", 4);
    return after_value(w);
}

int svcq__jw_value(svcq__jw *w, const svcq__json *v)
{
    if (w->err)
        return w->err;
    if (!v)
        return jw_fail(w, SVCQ_EINVAL, "NULL value");
    switch (v->type) {
    case SVCQ__JSON_NULL: return svcq__jw_null(w);
    case SVCQ__JSON_FALSE: return svcq__jw_bool(w, false);
    case SVCQ__JSON_TRUE: return svcq__jw_bool(w, true);
    case SVCQ__JSON_INT: return svcq__jw_int(w, v->u.i);
    case SVCQ__JSON_DOUBLE: return svcq__jw_double(w, v->u.d);
    case SVCQ__JSON_STRING: return svcq__jw_stringn(w, v->u.s.p, v->u.s.len);
    case SVCQ__JSON_ARRAY:
        svcq__jw_array_begin(w);
        for (size_t i = 0; i < v->u.a.n && !w->err; i++)
            svcq__jw_value(w, &v->u.a.items[i]);
        return svcq__jw_array_end(w);
    case SVCQ__JSON_OBJECT:
        svcq__jw_object_begin(w);
        for (size_t i = 0; i < v->u.o.n && !w->err; i++) {
            svcq__jw_keyn(w, v->u.o.m[i].key, v->u.o.m[i].keylen);
            svcq__jw_value(w, &v->u.o.m[i].value);
        }
        return svcq__jw_object_end(w);
    }
    return jw_fail(w, SVCQ_EINVAL, "unknown node type");
}

int svcq__jw_finish(svcq__jw *w)
{
    if (!w->err && !w->done)
        jw_fail(w, SVCQ_EINVAL, w->depth ? "finished with an unclosed array or object" : "finished without a value");
    if (!w->err && w->pretty)
        emit_c(w, '\n');
    if (w->to_sink)
        jw_flush(w);
    if (w->err && !w->to_sink && w->out)
        svcq__buf_truncate(w->out, w->out_start);
    w->chunk_len = 0;
    return w->err;
}
