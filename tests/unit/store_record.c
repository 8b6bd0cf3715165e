/* Record plumbing: the schema member, its checks on reading, and the test
 * record type "note" going through creates, updates, removals, conflicts,
 * batches and undo. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/json.h"
#include "faulty_store.h"
#include "store/record.h"
#include "store/store.h"
#include "svcq.h"
#include "test_alloc.h"
#include "test_note.h"

static void schema_written(void **state)
{
    (void)state;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    svcq__jw w;
    svcq__jw_init_buf(&w, ctx, &b);
    assert_int_equal(svcq__record_begin(&w, "incident", 3), SVCQ_OK);
    assert_int_equal(svcq__jw_key(&w, "x"), SVCQ_OK);
    assert_int_equal(svcq__jw_int(&w, 1), SVCQ_OK);
    assert_int_equal(svcq__record_end(&w), SVCQ_OK);
    assert_string_equal(b.data, "{\"schema\":\"svcq.incident/3\",\"x\":1}");
    svcq__buf_free(&b);
    svcq__jw_init_buf(&w, ctx, &b);
    assert_int_equal(svcq__record_begin(&w, "Bad", 1), SVCQ_EINVAL);
    (void)svcq__jw_finish(&w);
    svcq__jw_init_buf(&w, ctx, &b);
    assert_int_equal(svcq__record_begin(&w, "ok", 0), SVCQ_EINVAL);
    (void)svcq__jw_finish(&w);
    /* An unfinished object is refused by the writer. */
    svcq__jw_init_buf(&w, ctx, &b);
    assert_int_equal(svcq__record_begin(&w, "ok", 1), SVCQ_OK);
    assert_int_equal(svcq__jw_key(&w, "dangling"), SVCQ_OK);
    assert_int_not_equal(svcq__record_end(&w), SVCQ_OK);
    assert_int_equal(b.len, 0);
    svcq__buf_free(&b);
    svcq_ctx_free(ctx);
}

static void schema_checked(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int rc;
        uint32_t major;
    } cases[] = {
        { "{\"schema\":\"svcq.note/2\"}", SVCQ_OK, 2 },
        { "{\"schema\":\"svcq.note/1\",\"extra\":[1,2]}", SVCQ_OK, 1 },
        { "{\"a\":1,\"schema\":\"svcq.note/2\"}", SVCQ_OK, 2 },
        { "{\"schema\":\"svcq.note/3\"}", SVCQ_EVERSION, 0 },
        { "{\"schema\":\"svcq.note/4294967295\"}", SVCQ_EVERSION, 0 },
        { "{\"schema\":\"svcq.note/4294967296\"}", SVCQ_ECORRUPT, 0 },
        { "{\"schema\":\"svcq.note/0\"}", SVCQ_ECORRUPT, 0 },
        { "{\"schema\":\"svcq.note/02\"}", SVCQ_ECORRUPT, 0 },
        { "{\"schema\":\"svcq.note/\"}", SVCQ_ECORRUPT, 0 },
        { "{\"schema\":\"svcq.note/2a\"}", SVCQ_ECORRUPT, 0 },
        { "{\"schema\":\"svcq.note\"}", SVCQ_ECORRUPT, 0 },
        { "{\"schema\":\"svcq.notes/2\"}", SVCQ_ECORRUPT, 0 },
        { "{\"schema\":\"svcq.not/2\"}", SVCQ_ECORRUPT, 0 },
        { "{\"schema\":\"other.note/2\"}", SVCQ_ECORRUPT, 0 },
        { "{\"schema\":2}", SVCQ_ECORRUPT, 0 },
        { "{}", SVCQ_ECORRUPT, 0 },
        { "[\"svcq.note/2\"]", SVCQ_ECORRUPT, 0 },
        { "{\"schema\":\"svcq.note/2\"", SVCQ_ECORRUPT, 0 },
        { "", SVCQ_ECORRUPT, 0 },
    };
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        svcq__json_doc *doc = NULL;
        uint32_t major = 0;
        int rc = svcq__record_parse(ctx, "note", "n1", 2, cases[i].text, strlen(cases[i].text), &doc, &major);
        if (rc != cases[i].rc)
            fail_msg("%s: %d (%s)", cases[i].text, rc, svcq_ctx_errmsg(ctx));
        if (rc == SVCQ_OK) {
            assert_int_equal(major, cases[i].major);
            svcq__json_doc_free(doc);
        }
    }
    /* The messages say what is wrong. */
    svcq__json_doc *doc;
    uint32_t major;
    assert_int_equal(svcq__record_parse(ctx, "note", "n1", 2, "{\"schema\":\"svcq.note/7\"}", 24, &doc, &major),
                     SVCQ_EVERSION);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "note/7"));
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "up to note/2"));
    assert_int_equal(svcq__record_parse(ctx, "note", "n1", 2, "{x", 2, &doc, &major), SVCQ_ECORRUPT);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "note/n1 is not valid JSON: line 1"));
    svcq_ctx_free(ctx);
}

static void note_lifecycle(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    note *n, *m;
    assert_int_equal(note_new(&n, ctx, "n1", "hello"), SVCQ_OK);
    assert_true(n->revision != 0);
    /* A second create of the same id conflicts and leaves nothing. */
    assert_int_equal(note_new(&m, ctx, "n1", "again"), SVCQ_ECONFLICT);
    assert_null(m);
    assert_int_equal(note_new(&m, ctx, "bad\x01id", "x"), SVCQ_EINVAL);
    uint64_t r1 = n->revision;
    assert_int_equal(note_set(n, "world", 5), SVCQ_OK);
    assert_true(n->revision != r1);
    assert_int_equal(note_load(&m, ctx, "n1"), SVCQ_OK);
    char *d1 = note_describe(n), *d2 = note_describe(m);
    assert_string_equal(d1, d2);
    free(d1);
    free(d2);

    /* Another writer (here: m) gets in first: n's update conflicts and n
     * is exactly as before. */
    assert_int_equal(note_set(m, "theirs", 6), SVCQ_OK);
    d1 = note_describe(n);
    assert_int_equal(note_set(n, "mine", 7), SVCQ_ECONFLICT);
    d2 = note_describe(n);
    assert_string_equal(d1, d2);
    free(d1);
    free(d2);
    assert_int_equal(note_delete(n), SVCQ_ECONFLICT);
    assert_int_equal(note_delete(m), SVCQ_OK);
    assert_int_equal(m->revision, 0);
    note_free(m);
    assert_int_equal(note_load(&m, ctx, "n1"), SVCQ_ENOTFOUND);
    note_free(n);

    /* Older formats are read; newer ones refused; unknown members ignored. */
    svcq__tx tx;
    uint64_t rev;
    const char *v1 = "{\"schema\":\"svcq.note/1\",\"id\":\"old\",\"body\":\"from v1\",\"later\":true}";
    const char *v3 = "{\"schema\":\"svcq.note/3\",\"id\":\"new\",\"text\":\"from v3\",\"count\":1}";
    const char *bad = "{\"schema\":\"svcq.note/2\",\"id\":\"bad\",\"text\":\"no count\"}";
    const char *other = "{\"schema\":\"svcq.note/2\",\"id\":\"else\",\"text\":\"t\",\"count\":1}";
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(svcq__store_put(ctx, "note", "old", 0, v1, strlen(v1), &rev), SVCQ_OK);
    assert_int_equal(svcq__store_put(ctx, "note", "new", 0, v3, strlen(v3), &rev), SVCQ_OK);
    assert_int_equal(svcq__store_put(ctx, "note", "bad", 0, bad, strlen(bad), &rev), SVCQ_OK);
    assert_int_equal(svcq__store_put(ctx, "note", "mislabeled", 0, other, strlen(other), &rev), SVCQ_OK);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);
    assert_int_equal(note_load(&m, ctx, "old"), SVCQ_OK);
    assert_string_equal(m->text, "from v1");
    assert_int_equal(m->count, 0);
    /* Saving writes the current format. */
    assert_int_equal(note_set(m, "now v2", 1), SVCQ_OK);
    char *bytes;
    size_t size;
    assert_int_equal(svcq__store_get(ctx, "note", "old", &bytes, &size, &rev), SVCQ_OK);
    assert_non_null(strstr(bytes, "\"schema\":\"svcq.note/2\""));
    svcq__free(ctx, bytes);
    note_free(m);
    assert_int_equal(note_load(&m, ctx, "new"), SVCQ_EVERSION);
    assert_int_equal(note_load(&m, ctx, "bad"), SVCQ_ECORRUPT);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "count"));
    assert_int_equal(note_load(&m, ctx, "mislabeled"), SVCQ_ECORRUPT);
    int rc;
    assert_null(note_dump_store(ctx, &rc));
    assert_int_not_equal(rc, SVCQ_OK);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

static char *describe_all(note **ns, size_t n)
{
    char *out = calloc(1, 4096);
    for (size_t i = 0; i < n; i++) {
        if (!ns[i])
            continue;
        char *d = note_describe(ns[i]);
        strcat(out, d);
        strcat(out, ";");
        free(d);
    }
    return out;
}

static void note_batches(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    note *ns[4] = { NULL };
    assert_int_equal(note_new(&ns[0], ctx, "a", "a1"), SVCQ_OK);
    assert_int_equal(note_new(&ns[1], ctx, "b", "b1"), SVCQ_OK);
    char *before = describe_all(ns, 4);
    int rc;
    char *stored = note_dump_store(ctx, &rc);
    assert_int_equal(rc, SVCQ_OK);

    /* Rolled back: every handle as before, the store as before. */
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(note_set(ns[0], "a2", 1), SVCQ_OK);
    assert_int_equal(note_set(ns[0], "a3", 2), SVCQ_OK);
    assert_int_equal(note_delete(ns[1]), SVCQ_OK);
    assert_int_equal(note_new(&ns[2], ctx, "c", "c1"), SVCQ_OK);
    /* Inside the batch, a call that fails before writing: the batch goes on. */
    assert_int_equal(note_new(&ns[3], ctx, "a", "dup"), SVCQ_ECONFLICT);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    assert_int_equal(ns[2]->revision, 0);
    note_free(ns[2]);
    ns[2] = NULL;
    char *after = describe_all(ns, 4);
    assert_string_equal(before, after);
    free(after);
    char *now = note_dump_store(ctx, &rc);
    assert_string_equal(stored, now);
    free(now);

    /* Committed: all of it. */
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(note_set(ns[0], "a2", 1), SVCQ_OK);
    assert_int_equal(note_delete(ns[1]), SVCQ_OK);
    assert_int_equal(note_new(&ns[2], ctx, "c", "c1"), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_OK);
    free(stored);
    stored = note_dump_store(ctx, &rc);
    after = describe_all(ns, 4);
    /* Revisions 3-5 went to the rolled-back batch and are never handed
     * out again. */
    assert_string_equal(stored, "a=a2#1@6;c=c1#0@7;");
    assert_string_equal(after, "a=a2#1@6;b=unstored;c=c1#0@7;");
    free(after);
    free(before);
    before = describe_all(ns, 4);

    /* A call failing after it wrote aborts the batch; everything in it is
     * undone at the end. */
    svcq_store_methods mem;
    assert_int_equal(svcq__memstore_new(ctx, &mem), SVCQ_OK);
    faulty_store f;
    faulty_store_init(&f, &mem);
    svcq_store_methods m;
    faulty_store_methods(&f, &m);
    for (int i = 0; i < 4; i++)
        note_free(ns[i]);
    memset(ns, 0, sizeof(ns));
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    assert_int_equal(note_new(&ns[0], ctx, "a", "a1"), SVCQ_OK);
    assert_int_equal(note_new(&ns[1], ctx, "b", "b1"), SVCQ_OK);
    free(before);
    before = describe_all(ns, 4);
    free(stored);
    stored = note_dump_store(ctx, &rc);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(note_set(ns[0], "a2", 1), SVCQ_OK);
    faulty_store_arm(&f, 1, false); /* the next callback: b's put */
    char *b_before = note_describe(ns[1]);
    assert_int_equal(note_set(ns[1], "b2", 2), SVCQ_EIO);
    char *b_after = note_describe(ns[1]);
    assert_string_equal(b_before, b_after);
    free(b_before);
    free(b_after);
    faulty_store_arm(&f, 0, false);
    assert_int_equal(note_set(ns[1], "b3", 3), SVCQ_ESTATE);
    assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_ESTATE);
    after = describe_all(ns, 4);
    assert_string_equal(before, after);
    free(after);
    now = note_dump_store(ctx, &rc);
    assert_string_equal(stored, now);
    free(now);

    /* A context freed with a batch open (after its handles). */
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(note_set(ns[0], "a9", 9), SVCQ_OK);
    for (int i = 0; i < 4; i++)
        note_free(ns[i]);
    free(before);
    free(stored);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(schema_written),
        cmocka_unit_test(schema_checked),
        cmocka_unit_test(note_lifecycle),
        cmocka_unit_test(note_batches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
