/* The journal format piece by piece: CRC-32C, the header, frame encoding
 * and every reason a frame is refused, and the example of docs/format.md
 * byte for byte. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "store/crc32c.h"
#include "store/journal.h"
#include "svcq.h"
#include "test_alloc.h"
#include "test_fs.h"

/* Bit by bit, straight from the definition. */
static uint32_t crc_slow(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
    }
    return ~c;
}

static void crc32c_vectors(void **state)
{
    (void)state;
    assert_int_equal(svcq__crc32c("123456789", 9), 0xE3069283u);
    assert_int_equal(svcq__crc32c("", 0), 0);
    unsigned char buf[32];
    memset(buf, 0, sizeof(buf));
    assert_int_equal(svcq__crc32c(buf, 32), 0x8A9136AAu); /* RFC 3720, B.4 */
    memset(buf, 0xFF, sizeof(buf));
    assert_int_equal(svcq__crc32c(buf, 32), 0x62A8AB43u);
    for (int i = 0; i < 32; i++)
        buf[i] = (unsigned char)i;
    assert_int_equal(svcq__crc32c(buf, 32), 0x46DD794Eu);
}

/* The pasted tables against the definition: every length and alignment
 * up to 64, and pieces fed in any split. */
static void crc32c_table_check(void **state)
{
    (void)state;
    unsigned char data[4096 + 8];
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < sizeof(data); i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        data[i] = (unsigned char)x;
    }
    for (size_t off = 0; off < 8; off++)
        for (size_t n = 0; n <= 64; n++) {
            assert_int_equal(svcq__crc32c(data + off, n), crc_slow(data + off, n));
            assert_int_equal(svcq__crc32c_sw(0, data + off, n), crc_slow(data + off, n));
        }
    assert_int_equal(svcq__crc32c(data, 4096), crc_slow(data, 4096));
    assert_int_equal(svcq__crc32c_sw(0, data, 4096), crc_slow(data, 4096));
    print_message("CRC-32C: %s\n", svcq__crc32c_hw() ? "the processor's crc32 instruction (and the tables, checked too)"
                                                    : "the tables");
    for (size_t split = 0; split <= 100; split += 7) {
        uint32_t c = svcq__crc32c(data, split);
        c = svcq__crc32c_update(c, data + split, 100 - split);
        assert_int_equal(c, crc_slow(data, 100));
        c = svcq__crc32c_sw(svcq__crc32c_sw(0, data, split), data + split, 100 - split);
        assert_int_equal(c, crc_slow(data, 100));
    }
}

static void header(void **state)
{
    (void)state;
    uint8_t h[SVCQ__JNL_HEADER_SIZE];
    svcq__jnl_header in = { 7, 1234567890123ull }, out;
    svcq__jnl_header_encode(h, &in);
    assert_memory_equal(h, "SVCQJRNL\2\0\0\0\0\0\0\0", 16);
    assert_int_equal(svcq__jnl_header_decode(h, sizeof(h), &out), SVCQ_OK);
    assert_int_equal(out.generation, 7);
    assert_int_equal(out.seq_base, 1234567890123ull);
    assert_int_equal(svcq__jnl_header_decode(h, sizeof(h) - 1, &out), SVCQ_ECORRUPT);
    /* Every single flipped bit is caught. */
    for (size_t i = 0; i < sizeof(h); i++) {
        for (int b = 0; b < 8; b++) {
            h[i] ^= (uint8_t)(1 << b);
            assert_int_not_equal(svcq__jnl_header_decode(h, sizeof(h), &out), SVCQ_OK);
            h[i] ^= (uint8_t)(1 << b);
        }
    }
    /* Partial headers: a prefix of what a new journal starts with. */
    for (size_t n = 0; n < SVCQ__JNL_HEADER_SIZE; n++)
        assert_true(svcq__jnl_header_partial(h, n));
    assert_false(svcq__jnl_header_partial(h, SVCQ__JNL_HEADER_SIZE));
    assert_false(svcq__jnl_header_partial((const uint8_t *)"SVCQJRNX", 8));
    /* Format 1 (written by 0.1) and 2 start a journal; 3 does not. */
    assert_true(svcq__jnl_header_partial((const uint8_t *)"SVCQJRNL\1", 9));
    assert_true(svcq__jnl_header_partial((const uint8_t *)"SVCQJRNL\2", 9));
    assert_false(svcq__jnl_header_partial((const uint8_t *)"SVCQJRNL\3", 9));
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Re-signs a frame after it was edited. */
static void resign(uint8_t *f)
{
    uint32_t len = (uint32_t)f[0] | (uint32_t)f[1] << 8 | (uint32_t)f[2] << 16 | (uint32_t)f[3] << 24;
    uint32_t c = svcq__crc32c(f, 4);
    put32(f + 4, svcq__crc32c_update(c, f + 8, len));
}

static void frames(void **state)
{
    (void)state;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    assert_int_equal(svcq__jnl_put(&b, 42, "note", 4, "n\xC3\xA9", 3, "{\"a\":1}", 7), SVCQ_OK);
    size_t put_len = b.len;
    assert_int_equal(put_len, svcq__jnl_put_len(4, 3, 7));
    assert_int_equal(svcq__jnl_del(&b, 42, "note", 4, "n\xC3\xA9", 3), SVCQ_OK);
    size_t del_len = b.len - put_len;
    assert_int_equal(del_len, svcq__jnl_del_len(4, 3));
    assert_int_equal(svcq__jnl_commit(&b, 9, 42, 2), SVCQ_OK);
    assert_int_equal(b.len - put_len - del_len, SVCQ__JNL_COMMIT_FRAME);

    uint8_t *p = (uint8_t *)b.data;
    svcq__jnl_frame f;
    assert_int_equal(svcq__jnl_parse(p, b.len, &f), SVCQ__JNL_OK);
    assert_int_equal(f.type, SVCQ__JNL_PUT);
    assert_int_equal(f.frame_len, put_len);
    assert_int_equal(f.revision, 42);
    assert_int_equal(f.kindlen, 4);
    assert_memory_equal(f.kind, "note", 4);
    assert_int_equal(f.idlen, 3);
    assert_memory_equal(f.id, "n\xC3\xA9", 3);
    assert_int_equal(f.size, 7);
    assert_memory_equal(f.value, "{\"a\":1}", 7);
    assert_ptr_equal(f.value, p + f.value_off);
    assert_int_equal(svcq__jnl_parse(p + put_len, b.len - put_len, &f), SVCQ__JNL_OK);
    assert_int_equal(f.type, SVCQ__JNL_DEL);
    assert_int_equal(f.revision, 42);
    assert_int_equal(svcq__jnl_parse(p + put_len + del_len, SVCQ__JNL_COMMIT_FRAME, &f), SVCQ__JNL_OK);
    assert_int_equal(f.type, SVCQ__JNL_COMMIT);
    assert_int_equal(f.seq, 9);
    assert_int_equal(f.last_revision, 42);
    assert_int_equal(f.ops, 2);

    /* Short input: more is needed, and once the length is there, how much. */
    for (size_t n = 0; n < put_len; n++) {
        assert_int_equal(svcq__jnl_parse(p, n, &f), SVCQ__JNL_MORE);
        if (n >= 4)
            assert_int_equal(f.frame_len, put_len);
    }
    /* Every flipped bit of every frame is caught. */
    for (size_t i = 0; i < b.len; i++) {
        size_t start = i < put_len ? 0 : i < put_len + del_len ? put_len : put_len + del_len;
        for (int bit = 0; bit < 8; bit++) {
            p[i] ^= (uint8_t)(1 << bit);
            assert_int_not_equal(svcq__jnl_parse(p + start, b.len - start, &f), SVCQ__JNL_OK);
            p[i] ^= (uint8_t)(1 << bit);
        }
    }

    /* Well signed but wrong: each reason on its own. */
    uint8_t fr[256];
    memcpy(fr, p, put_len);
    fr[8] = 9; /* unknown type */
    resign(fr);
    assert_int_equal(svcq__jnl_parse(fr, put_len, &f), SVCQ__JNL_BAD);
    memcpy(fr, p, put_len);
    memset(fr + 9, 0, 8); /* revision 0 */
    resign(fr);
    assert_int_equal(svcq__jnl_parse(fr, put_len, &f), SVCQ__JNL_BAD);
    memcpy(fr, p, put_len);
    fr[8 + 12] = 'N'; /* kind not [a-z...] */
    resign(fr);
    assert_int_equal(svcq__jnl_parse(fr, put_len, &f), SVCQ__JNL_BAD);
    memcpy(fr, p, put_len);
    fr[8 + 12 + 4 + 1] = 0xC3; /* id: broken UTF-8 */
    fr[8 + 12 + 4 + 2] = 0x28;
    resign(fr);
    assert_int_equal(svcq__jnl_parse(fr, put_len, &f), SVCQ__JNL_BAD);
    memcpy(fr, p, put_len);
    fr[8 + 12 + 4] = '\n'; /* id: a control character */
    resign(fr);
    assert_int_equal(svcq__jnl_parse(fr, put_len, &f), SVCQ__JNL_BAD);
    memcpy(fr, p, put_len);
    fr[8 + 9] = 0; /* empty kind */
    resign(fr);
    assert_int_equal(svcq__jnl_parse(fr, put_len, &f), SVCQ__JNL_BAD);
    memcpy(fr, p, put_len);
    fr[8 + 10] = 200; /* id longer than the payload */
    resign(fr);
    assert_int_equal(svcq__jnl_parse(fr, put_len, &f), SVCQ__JNL_BAD);
    memcpy(fr, p, put_len);
    put32(fr, 5); /* shorter than a record head */
    resign(fr);
    assert_int_equal(svcq__jnl_parse(fr, 13, &f), SVCQ__JNL_BAD);
    /* A remove with bytes after its id. */
    memcpy(fr, p + put_len, del_len);
    fr[del_len] = 'x';
    put32(fr, (uint32_t)(del_len - 8 + 1));
    resign(fr);
    assert_int_equal(svcq__jnl_parse(fr, del_len + 1, &f), SVCQ__JNL_BAD);
    /* A commit of the wrong size. */
    memcpy(fr, p + put_len + del_len, SVCQ__JNL_COMMIT_FRAME);
    fr[SVCQ__JNL_COMMIT_FRAME] = 0;
    put32(fr, SVCQ__JNL_COMMIT_SIZE + 1);
    resign(fr);
    assert_int_equal(svcq__jnl_parse(fr, SVCQ__JNL_COMMIT_FRAME + 1, &f), SVCQ__JNL_BAD);
    /* Lengths of 0 and above the maximum are refused before reading on. */
    put32(fr, 0);
    assert_int_equal(svcq__jnl_parse(fr, 8, &f), SVCQ__JNL_BAD);
    put32(fr, SVCQ__JNL_MAX_PAYLOAD + 1);
    assert_int_equal(svcq__jnl_parse(fr, 8, &f), SVCQ__JNL_BAD);
    put32(fr, SVCQ__JNL_MAX_PAYLOAD);
    assert_int_equal(svcq__jnl_parse(fr, 8, &f), SVCQ__JNL_MORE);

    svcq__buf_free(&b);
    svcq_ctx_free(ctx);

    /* Appending with no memory leaves the buffer as it was. */
    test_alloc a;
    test_alloc_init(&a);
    ctx = test_ctx_new(&a);
    svcq__buf_init(&b, ctx);
    const char *keep = "keep this text, which fills most of the buffer's first 64 B";
    assert_int_equal(svcq__buf_puts(&b, keep), SVCQ_OK);
    assert_int_equal(b.cap, 64);
    test_alloc_arm(&a, 1, true);
    assert_int_equal(svcq__jnl_put(&b, 1, "k", 1, "i", 1, "v", 1), SVCQ_ENOMEM);
    assert_int_equal(svcq__jnl_del(&b, 1, "k", 1, "i", 1), SVCQ_ENOMEM);
    assert_int_equal(svcq__jnl_commit(&b, 1, 1, 1), SVCQ_ENOMEM);
    assert_int_equal(a.injected, 3);
    test_alloc_arm(&a, 0, false);
    assert_string_equal(b.data, keep);
    svcq__buf_free(&b);
    svcq_ctx_free(ctx);
    assert_int_equal(a.live_blocks, 0);
}

static void format_md_example(void **state)
{
    (void)state;
    char *dir = test_tmpdir("jex");
    char *path = test_path(dir, "j");
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_store_file *fs;
    assert_int_equal(svcq_store_file_open(&fs, ctx, path, NULL), SVCQ_OK);
    svcq_store_methods m;
    assert_int_equal(svcq_store_file_methods(&m, fs), SVCQ_OK);
    uint64_t rev;
    assert_int_equal(m.begin(m.user_data), SVCQ_OK);
    assert_int_equal(m.put("note", "n1", 0, "{}", 2, &rev, m.user_data), SVCQ_OK);
    assert_int_equal(m.commit(m.user_data), SVCQ_OK);
    assert_int_equal(svcq_store_file_close(fs), SVCQ_OK);
    size_t n;
    uint8_t *got = test_read_file(path, &n);
    static const uint8_t want[] = {
        0x53, 0x56, 0x43, 0x51, 0x4a, 0x52, 0x4e, 0x4c, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0,
        0x14, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x04, 0x02, 0x00, 0x6e, 0x6f, 0x74, 0x65, 0x6e, 0x31, 0x7b, 0x7d,
        0x15, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0x03, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    };
    assert_int_equal(n, sizeof(want));
    assert_int_equal(n, 0x61);
    uint8_t exp[sizeof(want)];
    memcpy(exp, want, sizeof(want));
    put32(exp + 36, svcq__crc32c(exp, 36));
    resign(exp + 0x28);
    resign(exp + 0x44);
    assert_memory_equal(got, exp, n);
    free(got);
    svcq_ctx_free(ctx);
    test_rmtree(dir);
    free(path);
    free(dir);
}

/* The fuzzer's seeds (tests/fuzz/gen_journal_corpus.py) are written from
 * docs/format.md by an independent implementation: they must read back as
 * the generator meant. */
static char *corpus_path(const char *name)
{
    /* __FILE__ is this file's path as the build gave it to the compiler,
     * relative to the build directory, where tests run. */
    const char *root = getenv("SVCQ_SOURCE_ROOT");
    char dir[1024];
    if (root)
        snprintf(dir, sizeof(dir), "%s/tests/unit", root);
    else
        snprintf(dir, sizeof(dir), "%s", __FILE__);
    char *slash = root ? NULL : strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    char *p = malloc(strlen(dir) + strlen(name) + 32);
    sprintf(p, "%s/../fuzz/corpus/journal/%s", dir, name);
    return p;
}

static void fuzz_seeds_read_as_documented(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int rc;
        uint64_t records, transactions, dropped;
    } seeds[] = {
        { "empty.jnl", SVCQ_OK, 0, 0, 0 },
        { "header_only.jnl", SVCQ_OK, 0, 0, 0 },
        { "partial_header.jnl", SVCQ_OK, 0, 0, 13 },
        { "one_put.jnl", SVCQ_OK, 1, 1, 0 },
        { "put_update_remove.jnl", SVCQ_OK, 0, 3, 0 },
        { "one_tx_four_ops.jnl", SVCQ_OK, 1, 1, 0 },
        { "many_kinds.jnl", SVCQ_OK, 5, 5, 0 },
        { "utf8_ids.jnl", SVCQ_OK, 3, 1, 0 },
        { "empty_value.jnl", SVCQ_OK, 1, 1, 0 },
        { "value_4k.jnl", SVCQ_OK, 1, 1, 0 },
        { "torn_tail.jnl", SVCQ_OK, 1, 2, 47 },
        { "bad_crc_middle.jnl", SVCQ_OK, 0, 0, 272 },
        { "zero_tail.jnl", SVCQ_OK, 1, 1, 0 },
        { "garbage_tail.jnl", SVCQ_OK, 1, 1, 11 },
        { "compacted.jnl", SVCQ_OK, 3, 7, 0 },
        { "commit_count_mismatch.jnl", SVCQ_OK, 0, 0, 57 },
        { "seq_gap.jnl", SVCQ_OK, 1, 1, 57 },
        { "revision_not_increasing.jnl", SVCQ_OK, 1, 1, 57 },
        { "revisions_across_ids.jnl", SVCQ_OK, 2, 2, 0 },
        { "remove_missing.jnl", SVCQ_OK, 1, 1, 59 },
        { "remove_wrong_revision.jnl", SVCQ_OK, 1, 1, 55 },
        { "last_revision_low.jnl", SVCQ_OK, 0, 0, 57 },
        { "newer_version.jnl", SVCQ_EVERSION, 0, 0, 0 },
        { "put_terms_v2.jnl", SVCQ_OK, 2, 1, 0 },
        { "put_terms_v1_header.jnl", SVCQ_OK, 1, 1, 0 },
        { "foreign.jnl", SVCQ_ECORRUPT, 0, 0, 0 },
        { "length_too_big.jnl", SVCQ_OK, 1, 1, 16 },
        { "put_remove_put_one_tx.jnl", SVCQ_OK, 1, 1, 0 },
        { "uncommitted_tail.jnl", SVCQ_OK, 1, 1, 28 },
        { "empty_commit_snapshot.jnl", SVCQ_OK, 0, 10, 0 },
    };
    char *probe = corpus_path("one_put.jnl");
    size_t n;
    unsigned char *d = test_read_file(probe, &n);
    free(probe);
    if (!d)
        skip(); /* not run from a build directory of this tree */
    free(d);
    char *dir = test_tmpdir_mem("seeds");
    char *copy = test_path(dir, "j");
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        char *path = corpus_path(seeds[i].name);
        unsigned char *data = test_read_file(path, &n);
        if (!data)
            fail_msg("seed %s is missing", seeds[i].name);
        assert_int_equal(test_write_file(copy, data, n), 0);
        svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
        o.durability = SVCQ_STORE_SYNC_NONE;
        svcq_store_file *fs;
        int rc = svcq_store_file_open(&fs, ctx, copy, &o);
        if (rc != seeds[i].rc)
            fail_msg("%s: open returned %d: %s", seeds[i].name, rc, svcq_ctx_errmsg(ctx));
        if (rc == SVCQ_OK) {
            svcq_store_file_stats s = SVCQ_STORE_FILE_STATS_INIT;
            assert_int_equal(svcq_store_file_stats_get(&s, fs), SVCQ_OK);
            if (s.records != seeds[i].records || s.transactions != seeds[i].transactions ||
                s.recovered_dropped_bytes != seeds[i].dropped)
                fail_msg("%s: %llu records, %llu transactions, %llu bytes dropped", seeds[i].name,
                         (unsigned long long)s.records, (unsigned long long)s.transactions,
                         (unsigned long long)s.recovered_dropped_bytes);
            assert_int_equal(svcq_store_file_close(fs), SVCQ_OK);
        }
        /* The one-record journal is the example of docs/format.md. */
        if (strcmp(seeds[i].name, "one_put.jnl") == 0)
            assert_int_equal(n, 0x61);
        free(data);
        free(path);
    }
    svcq_ctx_free(ctx);
    test_rmtree(dir);
    free(copy);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fuzz_seeds_read_as_documented),
        cmocka_unit_test(crc32c_vectors),
        cmocka_unit_test(crc32c_table_check),
        cmocka_unit_test(header),
        cmocka_unit_test(frames),
        cmocka_unit_test(format_md_example),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
