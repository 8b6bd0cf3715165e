/* The record writer: compact JSON appended to a buffer, written straight
 * into it, for records a module rewrites often (incidents, their audit
 * entries, analyses). The bytes are those the generic writer (json.h)
 * gives in compact form: keys are literals with their quotes and colon
 * (SVCQ__JE_K("id")), texts without a byte that needs an escape are copied
 * as they are, the rest go through the generic writer's escaping. Texts
 * must be valid UTF-8 (checked where they were set or parsed). Errors are
 * sticky: svcq__je_finish() truncates the buffer back to where the writer
 * started and reports ENOMEM. Nothing is checked about the structure: the
 * caller writes keys and values in turn. */
#ifndef SVCQ__JENC_H
#define SVCQ__JENC_H

#include <string.h>

#include "core/buf.h"

typedef struct svcq__je {
    svcq_ctx *ctx;
    svcq__buf *b;
    size_t start;
    bool comma; /* a value was written at this level: the next needs ',' */
    bool fail;
} svcq__je;

/* A key literal: "\"name\":" and its length. */
#define SVCQ__JE_K(name) "\"" name "\":", sizeof("\"" name "\":") - 1

void svcq__je_init(svcq__je *e, svcq_ctx *ctx, svcq__buf *b);
void svcq__je_put_slow(svcq__je *e, const char *s, size_t n);

/* Appends n bytes as they are. */
static inline void svcq__je_raw(svcq__je *e, const char *s, size_t n)
{
    svcq__buf *b = e->b;
    if (SVCQ__LIKELY(b->len + n < b->cap)) {
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = '\0';
        return;
    }
    svcq__je_put_slow(e, s, n);
}

/* A key (a SVCQ__JE_K literal) with the comma before it, in one copy when
 * there is room. */
static inline void svcq__je_key(svcq__je *e, const char *quoted, size_t n)
{
    svcq__buf *b = e->b;
    if (SVCQ__LIKELY(b->len + n + 1 < b->cap)) {
        char *d = b->data + b->len;
        if (e->comma)
            *d++ = ',';
        memcpy(d, quoted, n);
        d[n] = '\0';
        b->len = (size_t)(d + n - b->data);
    } else {
        if (e->comma)
            svcq__je_raw(e, ",", 1);
        svcq__je_raw(e, quoted, n);
    }
    e->comma = false;
}

void svcq__je_begin(svcq__je *e, char c); /* '{' or '[' */
void svcq__je_end(svcq__je *e, char c);   /* '}' or ']' */
void svcq__je_str(svcq__je *e, const char *s);
/* The number of bytes s starts with that a JSON string holds as they are
 * (it stops at the NUL): s[svcq__je_run(s)] == '\0' when s needs no
 * escape, and then that is its length. */
size_t svcq__je_run(const char *s);
/* A text of n bytes the caller knows needs no escape (the library's own
 * names, hex digests): copied without the scan. */
void svcq__je_plain(svcq__je *e, const char *s, size_t n);
void svcq__je_int(svcq__je *e, int64_t v);
void svcq__je_bool(svcq__je *e, bool v);
int svcq__je_finish(svcq__je *e);

/* A member; kv_str leaves out a NULL text. */
static inline void svcq__je_kv_str(svcq__je *e, const char *quoted, size_t n, const char *s)
{
    if (s) {
        svcq__je_key(e, quoted, n);
        svcq__je_str(e, s);
    }
}

/* kv_str for a text that needs no escape (svcq__je_plain); NULL left out. */
static inline void svcq__je_kv_plain(svcq__je *e, const char *quoted, size_t n, const char *s)
{
    if (s) {
        svcq__je_key(e, quoted, n);
        svcq__je_plain(e, s, strlen(s));
    }
}

static inline void svcq__je_kv_int(svcq__je *e, const char *quoted, size_t n, int64_t v)
{
    svcq__je_key(e, quoted, n);
    svcq__je_int(e, v);
}

/* The pretty form of the compact JSON text json (len bytes) appended to
 * out: read back and written by the generic writer with indentation, so a
 * record has one list of fields for both forms. SVCQ_ENOMEM; SVCQ_EPARSE
 * (a message in ctx) when json does not parse. */
int svcq__je_pretty(svcq_ctx *ctx, const char *json, size_t len, svcq__buf *out);

/* Writes obj with encode (its compact record) into out, compact or
 * pretty (svcq__je_pretty of the compact form). */
typedef int (*svcq__je_encode_fn)(const void *obj, svcq__buf *out);
int svcq__je_export(svcq_ctx *ctx, svcq__je_encode_fn encode, const void *obj, svcq__buf *out, bool pretty);

#endif
