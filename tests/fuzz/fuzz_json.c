/* libFuzzer target for the JSON codec.
 *
 * Every input is parsed. A refusal must be one of the parse errors with a
 * "line L, column C: " message in valid UTF-8. An accepted input must be
 * valid UTF-8, every accessor must agree with the node types, and every
 * object key must find its own member (no duplicates). Then the document
 * is written (compact and pretty, to a buffer and through a chunked sink),
 * read back and compared: equal trees, identical bytes on the second write.
 * Any disagreement aborts, which libFuzzer reports as a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/utf8.h"
#include "svcq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "fuzz_json: check failed at line %d: %s\n", __LINE__, #cond); \
            abort(); \
        } \
    } while (0)

static void walk(const svcq__json *v, int depth)
{
    CHECK(depth <= SVCQ__JSON_DEFAULT_MAX_DEPTH + 1);
    int64_t i;
    double d;
    bool b;
    size_t len;
    svcq__json_type t = svcq__json_typeof(v);
    CHECK(svcq__json_as_bool(v, &b) == (t == SVCQ__JSON_TRUE || t == SVCQ__JSON_FALSE));
    CHECK(svcq__json_as_double(v, &d) == (t == SVCQ__JSON_INT || t == SVCQ__JSON_DOUBLE));
    if (t == SVCQ__JSON_INT)
        CHECK(svcq__json_as_int(v, &i));
    if (t != SVCQ__JSON_INT && t != SVCQ__JSON_DOUBLE)
        CHECK(!svcq__json_as_int(v, &i));
    const char *s = svcq__json_as_string(v, &len);
    CHECK((s != NULL) == (t == SVCQ__JSON_STRING));
    if (s) {
        CHECK(s[len] == '\0');
        CHECK(svcq__utf8_valid(s, len));
    }
    CHECK((svcq__json_array_size(v) > 0) <= (t == SVCQ__JSON_ARRAY));
    CHECK((svcq__json_object_size(v) > 0) <= (t == SVCQ__JSON_OBJECT));
    if (t == SVCQ__JSON_ARRAY) {
        size_t n = svcq__json_array_size(v);
        for (size_t k = 0; k < n; k++)
            walk(svcq__json_array_get(v, k), depth + 1);
        CHECK(svcq__json_array_get(v, n) == NULL);
    } else if (t == SVCQ__JSON_OBJECT) {
        size_t n = svcq__json_object_size(v);
        for (size_t k = 0; k < n; k++) {
            const char *key = NULL;
            size_t kl = 0;
            const svcq__json *m = svcq__json_object_member(v, k, &key, &kl);
            CHECK(m != NULL && key != NULL && key[kl] == '\0');
            CHECK(svcq__utf8_valid(key, kl));
            CHECK(svcq__json_getn(v, key, kl) == m);
            walk(m, depth + 1);
        }
        CHECK(svcq__json_object_member(v, n, NULL, NULL) == NULL);
    }
}

/* The record getters on every member of a top-level object: each either
 * succeeds with what the plain accessors give or reports ECORRUPT. */
static void getters(svcq_ctx *ctx, const svcq__json *root)
{
    size_t n = svcq__json_object_size(root);
    for (size_t k = 0; k < n && k < 16; k++) {
        const char *key;
        size_t kl;
        const svcq__json *v = svcq__json_object_member(root, k, &key, &kl);
        if (memchr(key, '\0', kl))
            continue; /* the getters take C-string keys */
        bool present = svcq__json_typeof(v) != SVCQ__JSON_NULL;
        int64_t i = 0, i2 = 0;
        double d = 0, d2 = 0;
        bool b = false, b2 = false;
        const char *s = NULL;
        size_t len = 0;
        const svcq__json *node = NULL;
        for (int required = 0; required < 2; required++) {
            int rc = svcq__json_get_int(ctx, root, key, required, &i);
            CHECK(rc == (present ? (svcq__json_as_int(v, &i2) ? SVCQ_OK : SVCQ_ECORRUPT)
                                 : (required ? SVCQ_ECORRUPT : SVCQ_OK)));
            CHECK(rc || !present || i == i2);
            rc = svcq__json_get_double(ctx, root, key, required, &d);
            CHECK(rc == SVCQ_OK || rc == SVCQ_ECORRUPT);
            CHECK(rc || !present || (svcq__json_as_double(v, &d2) && memcmp(&d, &d2, sizeof(d)) == 0));
            rc = svcq__json_get_bool(ctx, root, key, required, &b);
            CHECK(rc || !present || (svcq__json_as_bool(v, &b2) && b == b2));
            rc = svcq__json_get_string(ctx, root, key, required, &s, &len);
            CHECK(rc || !present || s == svcq__json_as_string(v, NULL));
            rc = svcq__json_get_string(ctx, root, key, required, &s, NULL);
            CHECK(rc == SVCQ_OK || rc == SVCQ_ECORRUPT);
            rc = svcq__json_get_array(ctx, root, key, required, &node);
            CHECK(rc || !present || node == v);
            rc = svcq__json_get_object(ctx, root, key, required, &node);
            CHECK(rc || !present || node == v);
            CHECK(svcq__json_get(root, key) == v);
        }
    }
}

typedef struct sink {
    svcq__buf buf;
    size_t calls;
} sink;

static int sink_write(const char *data, size_t size, void *user)
{
    sink *s = user;
    s->calls++;
    CHECK(size > 0 && size <= SVCQ__JW_CHUNK);
    return svcq__buf_append(&s->buf, data, size);
}

static void round_trip(svcq_ctx *ctx, const svcq__json *root, bool pretty)
{
    svcq__buf t1, t2;
    svcq__buf_init(&t1, ctx);
    svcq__buf_init(&t2, ctx);
    svcq__jw w;
    svcq__jw_init_buf(&w, ctx, &t1);
    CHECK(svcq__jw_set_pretty(&w, pretty) == SVCQ_OK);
    svcq__jw_value(&w, root);
    CHECK(svcq__jw_finish(&w) == SVCQ_OK);

    svcq__json_doc *doc = NULL;
    int rc = svcq__json_parse(ctx, t1.data, t1.len, NULL, &doc);
    if (rc != SVCQ_OK) {
        fprintf(stderr, "fuzz_json: own output refused: %s\n%s\n", svcq_ctx_errmsg(ctx), t1.data);
        abort();
    }
    CHECK(svcq__json_equal(root, svcq__json_root(doc)));
    CHECK(svcq__json_equal(svcq__json_root(doc), root));

    svcq__jw_init_buf(&w, ctx, &t2);
    svcq__jw_set_pretty(&w, pretty);
    svcq__jw_value(&w, svcq__json_root(doc));
    CHECK(svcq__jw_finish(&w) == SVCQ_OK);
    CHECK(t1.len == t2.len && memcmp(t1.data, t2.data, t1.len) == 0);

    /* The chunked sink produces the same bytes. */
    sink s = { .calls = 0 };
    svcq__buf_init(&s.buf, ctx);
    svcq_writer sw = SVCQ_WRITER_INIT;
    sw.write = sink_write;
    sw.user_data = &s;
    svcq__jw_init_writer(&w, ctx, &sw);
    svcq__jw_set_pretty(&w, pretty);
    svcq__jw_value(&w, root);
    CHECK(svcq__jw_finish(&w) == SVCQ_OK);
    CHECK(s.buf.len == t1.len && memcmp(s.buf.data, t1.data, t1.len) == 0);
    CHECK(s.calls == (t1.len + SVCQ__JW_CHUNK - 1) / SVCQ__JW_CHUNK);

    svcq__buf_free(&s.buf);
    svcq__json_doc_free(doc);
    svcq__buf_free(&t1);
    svcq__buf_free(&t2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static svcq_ctx *ctx;
    if (!ctx && svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
        abort();
    const char *text = (const char *)data;
    svcq__json_doc *doc = NULL;
    int rc = svcq__json_parse(ctx, text, size, NULL, &doc);
    if (rc != SVCQ_OK) {
        CHECK(doc == NULL);
        CHECK(rc == SVCQ_EPARSE || rc == SVCQ_ERANGE || rc == SVCQ_ELIMIT);
        const char *msg = svcq_ctx_errmsg(ctx);
        CHECK(strncmp(msg, "line ", 5) == 0 && strstr(msg, ", column ") != NULL);
        CHECK(svcq__utf8_valid(msg, strlen(msg)));
        return 0;
    }
    /* Only valid UTF-8 is ever accepted, and never a byte order mark. */
    CHECK(svcq__utf8_valid(text, size));
    CHECK(!(size >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0));
    const svcq__json *root = svcq__json_root(doc);
    walk(root, 0);
    getters(ctx, root);
    round_trip(ctx, root, false);
    round_trip(ctx, root, true);

    /* Tighter limits only ever turn success into ELIMIT. */
    svcq__json_limits lim = { 0 };
    lim.max_depth = 3;
    lim.max_string = 8;
    lim.max_number = 6;
    svcq__json_doc *small = NULL;
    rc = svcq__json_parse(ctx, text, size, &lim, &small);
    CHECK(rc == SVCQ_OK || rc == SVCQ_ELIMIT);
    if (rc == SVCQ_OK)
        CHECK(svcq__json_equal(root, svcq__json_root(small)));
    svcq__json_doc_free(small);
    svcq__json_doc_free(doc);
    return 0;
}
