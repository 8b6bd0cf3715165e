#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/record.h"
#include "store/store.h"
#include "store_conformance.h"

/* ---- the harness ---------------------------------------------------------- */

/* The store under test, wrapped to count the calls it receives. */
typedef struct counting {
    svcq_store_methods inner;
    size_t calls;
} counting;

typedef struct cf {
    const store_conformance_factory *f;
    const char *group;
    int failures;
    svcq_ctx *ctx;
    counting *count; /* owned by the context's store (freed by its destroy) */
    bool v2_range;   /* the store under test has scan_range */
    bool v2_terms;   /* ... and put2 with scan_term */
} cf;

static void fail_at(cf *c, int line, const char *what)
{
    c->failures++;
    fprintf(stderr, "store conformance [%s] %s: line %d: %s (context message: %s)\n", c->f->name, c->group, line,
            what, c->ctx ? svcq_ctx_errmsg(c->ctx) : "");
}

static void fail_rc(cf *c, int line, const char *what, int got, int want)
{
    char msg[512];
    snprintf(msg, sizeof(msg), "%s returned %d (%s), expected %d (%s)", what, got, svcq_strerror(got), want,
             svcq_strerror(want));
    fail_at(c, line, msg);
}

#define CHECK(c, cond) \
    do { \
        if (!(cond)) \
            fail_at((c), __LINE__, #cond); \
    } while (0)
#define CHECK_RC(c, expr, want) \
    do { \
        int got_ = (expr); \
        if (got_ != (want)) \
            fail_rc((c), __LINE__, #expr, got_, (want)); \
    } while (0)

static int w_begin(void *ud)
{
    counting *w = ud;
    w->calls++;
    return w->inner.begin(w->inner.user_data);
}
static int w_commit(void *ud)
{
    counting *w = ud;
    w->calls++;
    return w->inner.commit(w->inner.user_data);
}
static int w_rollback(void *ud)
{
    counting *w = ud;
    w->calls++;
    return w->inner.rollback(w->inner.user_data);
}
static int w_get(const char *kind, const char *id, svcq_store_visit_fn visit, void *vud, void *ud)
{
    counting *w = ud;
    w->calls++;
    return w->inner.get(kind, id, visit, vud, w->inner.user_data);
}
static int w_put(const char *kind, const char *id, uint64_t expected, const void *bytes, size_t size,
                 uint64_t *rev, void *ud)
{
    counting *w = ud;
    w->calls++;
    return w->inner.put(kind, id, expected, bytes, size, rev, w->inner.user_data);
}
static int w_remove(const char *kind, const char *id, uint64_t expected, void *ud)
{
    counting *w = ud;
    w->calls++;
    return w->inner.remove(kind, id, expected, w->inner.user_data);
}
static int w_scan(const char *kind, svcq_store_visit_fn visit, void *vud, void *ud)
{
    counting *w = ud;
    w->calls++;
    return w->inner.scan(kind, visit, vud, w->inner.user_data);
}
static int w_put2(const char *kind, const char *id, uint64_t expected, const void *bytes, size_t size,
                  const svcq_store_term *terms, size_t n_terms, uint64_t *rev, void *ud)
{
    counting *w = ud;
    w->calls++;
    return w->inner.put2(kind, id, expected, bytes, size, terms, n_terms, rev, w->inner.user_data);
}
static int w_scan_range(const char *kind, const char *after, uint32_t limit, svcq_store_visit_fn visit, void *vud,
                        void *ud)
{
    counting *w = ud;
    w->calls++;
    return w->inner.scan_range(kind, after, limit, visit, vud, w->inner.user_data);
}
static int w_scan_term(const char *kind, const char *name, int32_t type, const svcq_store_term *lo,
                       const svcq_store_term *hi, const svcq_store_term *after, const char *after_id, uint32_t limit,
                       svcq_store_term_visit_fn visit, void *vud, void *ud)
{
    counting *w = ud;
    w->calls++;
    return w->inner.scan_term(kind, name, type, lo, hi, after, after_id, limit, visit, vud, w->inner.user_data);
}
static void w_destroy(void *ud)
{
    counting *w = ud;
    if (w->inner.destroy)
        w->inner.destroy(w->inner.user_data);
    free(w);
}

/* A context whose store is a fresh one from the factory (reopen: the
 * storage of the last create). */
static bool open_ctx(cf *c, bool reopen)
{
    c->count = NULL;
    if (svcq_ctx_new(&c->ctx, NULL) != SVCQ_OK) {
        c->ctx = NULL;
        fail_at(c, __LINE__, "svcq_ctx_new failed");
        return false;
    }
    counting *w = calloc(1, sizeof(*w));
    if (!w) {
        fail_at(c, __LINE__, "out of memory");
        return false;
    }
    int rc = reopen ? c->f->reopen(c->ctx, &w->inner, c->f->data) : c->f->create(c->ctx, &w->inner, c->f->data);
    if (rc != SVCQ_OK) {
        free(w);
        fail_rc(c, __LINE__, reopen ? "factory reopen" : "factory create", rc, SVCQ_OK);
        return false;
    }
    svcq_store_methods m = SVCQ_STORE_METHODS_INIT;
    m.user_data = w;
    m.begin = w_begin;
    m.commit = w_commit;
    m.rollback = w_rollback;
    m.get = w_get;
    m.put = w_put;
    m.remove = w_remove;
    m.scan = w_scan;
    m.destroy = w_destroy;
    /* Version 2 as far as the store under test has it; a version-1 store
     * runs the same checks through the library's fallback. */
    if (w->inner.version >= 2) {
        m.put2 = w->inner.put2 ? w_put2 : NULL;
        m.scan_range = w->inner.scan_range ? w_scan_range : NULL;
        m.scan_term = w->inner.scan_term ? w_scan_term : NULL;
    } else {
        m.version = 1;
    }
    c->v2_range = m.scan_range != NULL;
    c->v2_terms = m.scan_term != NULL;
    rc = svcq_ctx_set_store(c->ctx, &m);
    if (rc != SVCQ_OK) {
        if (w->inner.destroy)
            w->inner.destroy(w->inner.user_data);
        free(w);
        fail_rc(c, __LINE__, "svcq_ctx_set_store", rc, SVCQ_OK);
        return false;
    }
    c->count = w;
    return true;
}

static void close_ctx(cf *c)
{
    svcq_ctx_free(c->ctx);
    c->ctx = NULL;
    c->count = NULL;
}

/* ---- helpers -------------------------------------------------------------- */

static void fill(unsigned char *p, size_t n, uint64_t seed)
{
    uint64_t x = seed * 0x9E3779B97F4A7C15u + 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (unsigned char)x;
    }
}

/* Reads (kind, id) and compares it with want (size bytes) and revision
 * (0: any). */
static void expect_record(cf *c, int line, const char *kind, const char *id, const void *want, size_t size,
                          uint64_t revision)
{
    char *bytes = NULL;
    size_t got_size = 0;
    uint64_t rev = 0;
    int rc = svcq__store_get(c->ctx, kind, id, &bytes, &got_size, &rev);
    char what[160];
    snprintf(what, sizeof(what), "get(%s, %.60s)", kind, id);
    if (rc != SVCQ_OK) {
        fail_rc(c, line, what, rc, SVCQ_OK);
        return;
    }
    if (got_size != size || (size && memcmp(bytes, want, size) != 0) || bytes[size] != '\0') {
        snprintf(what, sizeof(what), "get(%s, %.60s): %zu bytes differ from the %zu written", kind, id, got_size,
                 size);
        fail_at(c, line, what);
    }
    if (revision && rev != revision) {
        snprintf(what, sizeof(what), "get(%s, %.60s): revision %llu, expected %llu", kind, id,
                 (unsigned long long)rev, (unsigned long long)revision);
        fail_at(c, line, what);
    }
    svcq__free(c->ctx, bytes);
}

static void expect_absent(cf *c, int line, const char *kind, const char *id)
{
    char *bytes = NULL;
    size_t size;
    uint64_t rev;
    int rc = svcq__store_get(c->ctx, kind, id, &bytes, &size, &rev);
    if (rc != SVCQ_ENOTFOUND) {
        char what[160];
        snprintf(what, sizeof(what), "get(%s, %.60s) of an absent record", kind, id);
        fail_rc(c, line, what, rc, SVCQ_ENOTFOUND);
        if (rc == SVCQ_OK)
            svcq__free(c->ctx, bytes);
    }
}

/* One put in its own committed transaction. */
static int put1(cf *c, const char *kind, const char *id, uint64_t expected, const char *text, uint64_t *rev)
{
    svcq__tx tx;
    int rc = svcq__tx_begin(c->ctx, &tx);
    if (rc == SVCQ_OK)
        rc = svcq__store_put(c->ctx, kind, id, expected, text, strlen(text), rev);
    return svcq__tx_end(c->ctx, &tx, rc);
}

static int remove1(cf *c, const char *kind, const char *id, uint64_t expected)
{
    svcq__tx tx;
    int rc = svcq__tx_begin(c->ctx, &tx);
    if (rc == SVCQ_OK)
        rc = svcq__store_remove(c->ctx, kind, id, expected);
    return svcq__tx_end(c->ctx, &tx, rc);
}

/* What a scan saw. */
#define SEEN_MAX 256
typedef struct seen {
    size_t n;
    char *ids[SEEN_MAX];
    uint64_t revs[SEEN_MAX];
    char *bytes[SEEN_MAX];
    size_t sizes[SEEN_MAX];
    size_t stop_after; /* 0: never stop */
    bool overflow;
} seen;

static int seen_visit(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes, size_t size, void *ud)
{
    (void)ctx;
    seen *s = ud;
    if (s->n == SEEN_MAX) {
        s->overflow = true;
        return SVCQ_ELIMIT;
    }
    s->ids[s->n] = strdup(id);
    s->revs[s->n] = revision;
    s->bytes[s->n] = malloc(size + 1);
    memcpy(s->bytes[s->n], bytes, size);
    s->sizes[s->n] = size;
    s->n++;
    if (s->stop_after && s->n == s->stop_after)
        return 4242; /* any value: the scan must hand it back unchanged */
    return 0;
}

static void seen_free(seen *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->ids[i]);
        free(s->bytes[i]);
    }
    s->n = 0;
}

/* Whether the scan saw (id, revision, text) exactly once. */
static bool seen_has(const seen *s, const char *id, uint64_t rev, const char *text)
{
    int times = 0;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->ids[i], id) == 0 && (!rev || s->revs[i] == rev) &&
            (!text || (s->sizes[i] == strlen(text) && memcmp(s->bytes[i], text, s->sizes[i]) == 0)))
            times++;
    return times == 1;
}

/* ---- groups ------------------------------------------------------------------ */

static void group_cas(cf *c)
{
    uint64_t r1 = 0, r2 = 0, r3 = 0, rx = 0;
    svcq__tx tx;
    CHECK_RC(c, svcq__tx_begin(c->ctx, &tx), SVCQ_OK);
    CHECK_RC(c, svcq__store_put(c->ctx, "cas", "a", 0, "one", 3, &r1), SVCQ_OK);
    CHECK(c, r1 != 0);
    /* Conflicts change nothing and leave the transaction usable. */
    CHECK_RC(c, svcq__store_put(c->ctx, "cas", "a", 0, "two", 3, &rx), SVCQ_ECONFLICT);
    CHECK_RC(c, svcq__store_put(c->ctx, "cas", "a", r1 + 1000, "two", 3, &rx), SVCQ_ECONFLICT);
    CHECK_RC(c, svcq__store_put(c->ctx, "cas", "missing", 77, "x", 1, &rx), SVCQ_ECONFLICT);
    expect_absent(c, __LINE__, "cas", "missing");
    CHECK_RC(c, svcq__store_put(c->ctx, "cas", "a", r1, "two", 3, &r2), SVCQ_OK);
    CHECK(c, r2 != 0 && r2 != r1);
    expect_record(c, __LINE__, "cas", "a", "two", 3, r2);
    CHECK_RC(c, svcq__store_remove(c->ctx, "cas", "a", r1), SVCQ_ECONFLICT);
    CHECK_RC(c, svcq__store_remove(c->ctx, "cas", "missing", 5), SVCQ_ENOTFOUND);
    expect_record(c, __LINE__, "cas", "a", "two", 3, r2);
    CHECK_RC(c, svcq__tx_end(c->ctx, &tx, SVCQ_OK), SVCQ_OK);
    expect_record(c, __LINE__, "cas", "a", "two", 3, r2);

    /* Remove, then create again: the old revisions are never handed out. */
    CHECK_RC(c, remove1(c, "cas", "a", r2), SVCQ_OK);
    expect_absent(c, __LINE__, "cas", "a");
    CHECK_RC(c, remove1(c, "cas", "a", r2), SVCQ_ENOTFOUND);
    CHECK_RC(c, put1(c, "cas", "a", r2, "three", &rx), SVCQ_ECONFLICT);
    CHECK_RC(c, put1(c, "cas", "a", 0, "three", &r3), SVCQ_OK);
    CHECK(c, r3 != 0 && r3 != r1 && r3 != r2);
    expect_record(c, __LINE__, "cas", "a", "three", 5, r3);
    /* A stale writer holding r1 or r2 must fail. */
    CHECK_RC(c, put1(c, "cas", "a", r1, "stale", &rx), SVCQ_ECONFLICT);
    CHECK_RC(c, put1(c, "cas", "a", r2, "stale", &rx), SVCQ_ECONFLICT);
    CHECK_RC(c, remove1(c, "cas", "a", r2), SVCQ_ECONFLICT);
    expect_record(c, __LINE__, "cas", "a", "three", 5, r3);
    /* Same id in another kind is another record. */
    CHECK_RC(c, put1(c, "cas2", "a", 0, "other", &rx), SVCQ_OK);
    expect_record(c, __LINE__, "cas", "a", "three", 5, r3);
    expect_record(c, __LINE__, "cas2", "a", "other", 5, rx);
    /* An empty value is a value. */
    CHECK_RC(c, put1(c, "cas", "empty", 0, "", &rx), SVCQ_OK);
    expect_record(c, __LINE__, "cas", "empty", "", 0, rx);
}

static void group_transactions(cf *c)
{
    uint64_t ra = 0, rb = 0, rc_ = 0, rx = 0, ry = 0;
    CHECK_RC(c, put1(c, "tx", "a", 0, "a1", &ra), SVCQ_OK);
    CHECK_RC(c, put1(c, "tx", "b", 0, "b1", &rb), SVCQ_OK);

    /* Read your own writes, then roll everything back. */
    CHECK_RC(c, svcq_ctx_batch_begin(c->ctx), SVCQ_OK);
    svcq__tx tx;
    CHECK_RC(c, svcq__tx_begin(c->ctx, &tx), SVCQ_OK);
    CHECK_RC(c, svcq__store_put(c->ctx, "tx", "a", ra, "a2", 2, &rx), SVCQ_OK);
    CHECK_RC(c, svcq__store_remove(c->ctx, "tx", "b", rb), SVCQ_OK);
    CHECK_RC(c, svcq__store_put(c->ctx, "tx", "c", 0, "c1", 2, &rc_), SVCQ_OK);
    CHECK_RC(c, svcq__store_put(c->ctx, "tx", "c", rc_, "c2", 2, &ry), SVCQ_OK);
    CHECK_RC(c, svcq__tx_end(c->ctx, &tx, SVCQ_OK), SVCQ_OK);
    expect_record(c, __LINE__, "tx", "a", "a2", 2, rx);
    expect_absent(c, __LINE__, "tx", "b");
    expect_record(c, __LINE__, "tx", "c", "c2", 2, ry);
    seen s = { 0 };
    CHECK_RC(c, svcq__store_scan(c->ctx, "tx", seen_visit, &s), SVCQ_OK);
    CHECK(c, s.n == 2 && seen_has(&s, "a", rx, "a2") && seen_has(&s, "c", ry, "c2"));
    seen_free(&s);
    CHECK_RC(c, svcq_ctx_batch_rollback(c->ctx), SVCQ_OK);
    expect_record(c, __LINE__, "tx", "a", "a1", 2, ra);
    expect_record(c, __LINE__, "tx", "b", "b1", 2, rb);
    expect_absent(c, __LINE__, "tx", "c");
    CHECK_RC(c, svcq__store_scan(c->ctx, "tx", seen_visit, &s), SVCQ_OK);
    CHECK(c, s.n == 2 && seen_has(&s, "a", ra, "a1") && seen_has(&s, "b", rb, "b1"));
    seen_free(&s);

    /* The same changes committed in a batch of several scopes. */
    CHECK_RC(c, svcq_ctx_batch_begin(c->ctx), SVCQ_OK);
    CHECK_RC(c, put1(c, "tx", "a", ra, "a3", &rx), SVCQ_OK);
    CHECK_RC(c, remove1(c, "tx", "b", rb), SVCQ_OK);
    CHECK_RC(c, put1(c, "tx", "c", 0, "c3", &ry), SVCQ_OK);
    CHECK_RC(c, svcq_ctx_batch_commit(c->ctx), SVCQ_OK);
    expect_record(c, __LINE__, "tx", "a", "a3", 2, rx);
    expect_absent(c, __LINE__, "tx", "b");
    expect_record(c, __LINE__, "tx", "c", "c3", 2, ry);

    /* A scope that fails rolls back its own writes. */
    uint64_t rz = 0;
    CHECK_RC(c, svcq__tx_begin(c->ctx, &tx), SVCQ_OK);
    CHECK_RC(c, svcq__store_put(c->ctx, "tx", "d", 0, "d1", 2, &rz), SVCQ_OK);
    CHECK_RC(c, svcq__store_put(c->ctx, "tx", "a", rx, "a4", 2, &rz), SVCQ_OK);
    CHECK_RC(c, svcq__tx_end(c->ctx, &tx, SVCQ_EABORTED), SVCQ_EABORTED);
    expect_absent(c, __LINE__, "tx", "d");
    expect_record(c, __LINE__, "tx", "a", "a3", 2, rx);

    /* An empty transaction commits. */
    CHECK_RC(c, svcq__tx_begin(c->ctx, &tx), SVCQ_OK);
    CHECK_RC(c, svcq__tx_end(c->ctx, &tx, SVCQ_OK), SVCQ_OK);
    CHECK_RC(c, svcq_ctx_batch_begin(c->ctx), SVCQ_OK);
    CHECK_RC(c, svcq_ctx_batch_commit(c->ctx), SVCQ_OK);
    expect_record(c, __LINE__, "tx", "c", "c3", 2, ry);
}

static void group_scan(cf *c)
{
    uint64_t revs[40];
    char id[32], text[32];
    svcq__tx tx;
    CHECK_RC(c, svcq__tx_begin(c->ctx, &tx), SVCQ_OK);
    for (int i = 0; i < 40; i++) {
        snprintf(id, sizeof(id), "r%02d", i);
        snprintf(text, sizeof(text), "value %d", i);
        CHECK_RC(c, svcq__store_put(c->ctx, i < 30 ? "scan_a" : "scan_b", id, 0, text, strlen(text), &revs[i]),
                 SVCQ_OK);
    }
    CHECK_RC(c, svcq__tx_end(c->ctx, &tx, SVCQ_OK), SVCQ_OK);
    /* One removed, one updated. */
    CHECK_RC(c, remove1(c, "scan_a", "r05", revs[5]), SVCQ_OK);
    CHECK_RC(c, put1(c, "scan_a", "r06", revs[6], "updated", &revs[6]), SVCQ_OK);

    seen s = { 0 };
    CHECK_RC(c, svcq__store_scan(c->ctx, "scan_a", seen_visit, &s), SVCQ_OK);
    CHECK(c, s.n == 29);
    for (int i = 0; i < 30; i++) {
        snprintf(id, sizeof(id), "r%02d", i);
        snprintf(text, sizeof(text), "value %d", i);
        if (i == 5)
            CHECK(c, !seen_has(&s, id, 0, NULL));
        else
            CHECK(c, seen_has(&s, id, revs[i], i == 6 ? "updated" : text));
    }
    seen_free(&s);
    CHECK_RC(c, svcq__store_scan(c->ctx, "scan_b", seen_visit, &s), SVCQ_OK);
    CHECK(c, s.n == 10);
    seen_free(&s);
    /* An unknown kind has no records. */
    CHECK_RC(c, svcq__store_scan(c->ctx, "scan_none", seen_visit, &s), SVCQ_OK);
    CHECK(c, s.n == 0);
    /* A visitor stops the scan with its own value. */
    s.stop_after = 3;
    CHECK_RC(c, svcq__store_scan(c->ctx, "scan_a", seen_visit, &s), 4242);
    CHECK(c, s.n == 3);
    seen_free(&s);
    s.stop_after = 0;
    /* Inside a transaction the scan sees its writes. */
    uint64_t r;
    CHECK_RC(c, svcq__tx_begin(c->ctx, &tx), SVCQ_OK);
    CHECK_RC(c, svcq__store_put(c->ctx, "scan_b", "new", 0, "n", 1, &r), SVCQ_OK);
    CHECK_RC(c, svcq__store_remove(c->ctx, "scan_b", "r30", revs[30]), SVCQ_OK);
    CHECK_RC(c, svcq__store_scan(c->ctx, "scan_b", seen_visit, &s), SVCQ_OK);
    CHECK(c, s.n == 10 && seen_has(&s, "new", r, "n") && !seen_has(&s, "r30", 0, NULL));
    seen_free(&s);
    CHECK_RC(c, svcq__tx_end(c->ctx, &tx, SVCQ_EABORTED), SVCQ_EABORTED);
    CHECK_RC(c, svcq__store_scan(c->ctx, "scan_b", seen_visit, &s), SVCQ_OK);
    CHECK(c, s.n == 10 && !seen_has(&s, "new", 0, NULL) && seen_has(&s, "r30", revs[30], "value 30"));
    seen_free(&s);
}

static void group_values(cf *c)
{
    size_t max = c->f->max_value ? c->f->max_value : (size_t)16 << 20;
    size_t sizes[] = { 0, 1, 255, 4096, 65536, (size_t)1 << 20, max };
    size_t count = sizeof(sizes) / sizeof(sizes[0]);
    unsigned char *buf = malloc(max);
    if (!buf) {
        fail_at(c, __LINE__, "out of memory");
        return;
    }
    uint64_t revs[8] = { 0 };
    char id[16];
    for (size_t i = 0; i < count; i++) {
        if (sizes[i] > max)
            continue;
        fill(buf, sizes[i], i + 1);
        if (sizes[i] > 10)
            buf[10] = 0; /* values are bytes, NULs included */
        snprintf(id, sizeof(id), "v%zu", i);
        svcq__tx tx;
        CHECK_RC(c, svcq__tx_begin(c->ctx, &tx), SVCQ_OK);
        CHECK_RC(c, svcq__store_put(c->ctx, "values", id, 0, buf, sizes[i], &revs[i]), SVCQ_OK);
        CHECK_RC(c, svcq__tx_end(c->ctx, &tx, SVCQ_OK), SVCQ_OK);
    }
    for (size_t i = 0; i < count; i++) {
        if (sizes[i] > max)
            continue;
        fill(buf, sizes[i], i + 1);
        if (sizes[i] > 10)
            buf[10] = 0;
        snprintf(id, sizeof(id), "v%zu", i);
        expect_record(c, __LINE__, "values", id, buf, sizes[i], revs[i]);
    }
    /* The largest shrinks to nothing and grows back. */
    snprintf(id, sizeof(id), "v%zu", count - 1);
    CHECK_RC(c, put1(c, "values", id, revs[count - 1], "", &revs[count - 1]), SVCQ_OK);
    expect_record(c, __LINE__, "values", id, "", 0, revs[count - 1]);
    fill(buf, max, 99);
    svcq__tx tx;
    CHECK_RC(c, svcq__tx_begin(c->ctx, &tx), SVCQ_OK);
    CHECK_RC(c, svcq__store_put(c->ctx, "values", id, revs[count - 1], buf, max, &revs[count - 1]), SVCQ_OK);
    CHECK_RC(c, svcq__tx_end(c->ctx, &tx, SVCQ_OK), SVCQ_OK);
    expect_record(c, __LINE__, "values", id, buf, max, revs[count - 1]);
    free(buf);
}

static void group_kinds(cf *c)
{
    char kind[SVCQ_STORE_MAX_KIND + 1], id[16];
    uint64_t revs[40][3];
    svcq__tx tx;
    CHECK_RC(c, svcq__tx_begin(c->ctx, &tx), SVCQ_OK);
    for (int k = 0; k < 40; k++) {
        if (k == 39) {
            memset(kind, 'z', SVCQ_STORE_MAX_KIND); /* the longest kind */
            kind[SVCQ_STORE_MAX_KIND] = '\0';
        } else {
            snprintf(kind, sizeof(kind), "kind_%d", k);
        }
        for (int i = 0; i < 3; i++) {
            snprintf(id, sizeof(id), "id%d", i);
            char text[64];
            snprintf(text, sizeof(text), "%s/%s", kind, id);
            CHECK_RC(c, svcq__store_put(c->ctx, kind, id, 0, text, strlen(text), &revs[k][i]), SVCQ_OK);
        }
    }
    CHECK_RC(c, svcq__tx_end(c->ctx, &tx, SVCQ_OK), SVCQ_OK);
    for (int k = 0; k < 40; k++) {
        if (k == 39) {
            memset(kind, 'z', SVCQ_STORE_MAX_KIND);
            kind[SVCQ_STORE_MAX_KIND] = '\0';
        } else {
            snprintf(kind, sizeof(kind), "kind_%d", k);
        }
        seen s = { 0 };
        CHECK_RC(c, svcq__store_scan(c->ctx, kind, seen_visit, &s), SVCQ_OK);
        CHECK(c, s.n == 3);
        for (int i = 0; i < 3; i++) {
            char text[64];
            snprintf(id, sizeof(id), "id%d", i);
            snprintf(text, sizeof(text), "%s/%s", kind, id);
            CHECK(c, seen_has(&s, id, revs[k][i], text));
        }
        seen_free(&s);
    }
}

static void group_ids(cf *c)
{
    static const char *const ids[] = {
        "é", "e\xCC\x81", /* the same letter decomposed: another id */
        "名前-42", "🙂", "a b", "a/b\\c", "..", "%2F", "x.json", "UPPER", "upper",
        "\xF4\x8F\xBF\xBF", /* U+10FFFF */
    };
    size_t n = sizeof(ids) / sizeof(ids[0]);
    uint64_t revs[16];
    svcq__tx tx;
    CHECK_RC(c, svcq__tx_begin(c->ctx, &tx), SVCQ_OK);
    for (size_t i = 0; i < n; i++)
        CHECK_RC(c, svcq__store_put(c->ctx, "ids", ids[i], 0, ids[i], strlen(ids[i]), &revs[i]), SVCQ_OK);
    CHECK_RC(c, svcq__tx_end(c->ctx, &tx, SVCQ_OK), SVCQ_OK);
    /* The longest id: 128 four-byte characters. */
    char longest[SVCQ_STORE_MAX_ID + 1];
    for (int i = 0; i < SVCQ_STORE_MAX_ID / 4; i++)
        memcpy(longest + 4 * i, "\xF0\x9F\x99\x82", 4);
    longest[SVCQ_STORE_MAX_ID] = '\0';
    uint64_t rl = 0;
    CHECK_RC(c, put1(c, "ids", longest, 0, "long", &rl), SVCQ_OK);
    for (size_t i = 0; i < n; i++)
        expect_record(c, __LINE__, "ids", ids[i], ids[i], strlen(ids[i]), revs[i]);
    expect_record(c, __LINE__, "ids", longest, "long", 4, rl);
    seen s = { 0 };
    CHECK_RC(c, svcq__store_scan(c->ctx, "ids", seen_visit, &s), SVCQ_OK);
    CHECK(c, s.n == n + 1);
    for (size_t i = 0; i < n; i++)
        CHECK(c, seen_has(&s, ids[i], revs[i], ids[i]));
    CHECK(c, seen_has(&s, longest, rl, "long"));
    seen_free(&s);
}

static void group_refused(cf *c)
{
    static const char *const bad_ids[] = {
        "", "\xC3\x28", "\xED\xA0\x80", "\xC0\xAF", "\xFF", "\x80", "abc\xE2\x82", "\xF4\x90\x80\x80",
        "tab\there", "line\nbreak", "\x01", "del\x7F",
    };
    static const char *const bad_kinds[] = {
        "", "Incident", "1abc", "_a", "a-b", "a b", "a.b", "\xC3\xA4", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
    };
    char too_long[SVCQ_STORE_MAX_ID + 2];
    memset(too_long, 'x', SVCQ_STORE_MAX_ID + 1);
    too_long[SVCQ_STORE_MAX_ID + 1] = '\0';
    uint64_t r;
    svcq__tx tx;
    CHECK_RC(c, svcq__tx_begin(c->ctx, &tx), SVCQ_OK);
    size_t before = c->count->calls;
    for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
        CHECK_RC(c, svcq__store_put(c->ctx, "ids", bad_ids[i], 0, "x", 1, &r), SVCQ_EINVAL);
        CHECK_RC(c, svcq__store_remove(c->ctx, "ids", bad_ids[i], 1), SVCQ_EINVAL);
        char *b;
        size_t size;
        CHECK_RC(c, svcq__store_get(c->ctx, "ids", bad_ids[i], &b, &size, &r), SVCQ_EINVAL);
    }
    CHECK_RC(c, svcq__store_put(c->ctx, "ids", too_long, 0, "x", 1, &r), SVCQ_EINVAL);
    CHECK_RC(c, svcq__store_put(c->ctx, "ids", NULL, 0, "x", 1, &r), SVCQ_EINVAL);
    for (size_t i = 0; i < sizeof(bad_kinds) / sizeof(bad_kinds[0]); i++) {
        CHECK_RC(c, svcq__store_put(c->ctx, bad_kinds[i], "id", 0, "x", 1, &r), SVCQ_EINVAL);
        CHECK_RC(c, svcq__store_scan(c->ctx, bad_kinds[i], seen_visit, NULL), SVCQ_EINVAL);
    }
    CHECK_RC(c, svcq__store_put(c->ctx, NULL, "id", 0, "x", 1, &r), SVCQ_EINVAL);
    /* Too large: refused before the store (or the bytes) are touched. */
    CHECK_RC(c, svcq__store_put(c->ctx, "ids", "big", 0, "x", (size_t)SVCQ_STORE_MAX_VALUE + 1, &r), SVCQ_ELIMIT);
    CHECK_RC(c, svcq__store_remove(c->ctx, "ids", "id", 0), SVCQ_EINVAL);
    CHECK(c, c->count->calls == before);
    CHECK_RC(c, svcq__tx_end(c->ctx, &tx, SVCQ_OK), SVCQ_OK);
    /* Writes outside a transaction are a library bug, refused too. */
    before = c->count->calls;
    CHECK_RC(c, svcq__store_put(c->ctx, "ids", "id", 0, "x", 1, &r), SVCQ_ESTATE);
    CHECK_RC(c, svcq__store_remove(c->ctx, "ids", "id", 1), SVCQ_ESTATE);
    CHECK(c, c->count->calls == before);
}

static void group_persistence(cf *c)
{
    uint64_t ra = 0, rb = 0, rc_ = 0, rx = 0;
    CHECK_RC(c, put1(c, "keep", "a", 0, "a1", &ra), SVCQ_OK);
    CHECK_RC(c, put1(c, "keep", "b", 0, "b1", &rb), SVCQ_OK);
    CHECK_RC(c, put1(c, "keep", "c", 0, "c1", &rc_), SVCQ_OK);
    CHECK_RC(c, remove1(c, "keep", "c", rc_), SVCQ_OK);
    CHECK_RC(c, put1(c, "keep", "a", ra, "a2", &ra), SVCQ_OK);
    /* Rolled back: must not come back. */
    CHECK_RC(c, svcq_ctx_batch_begin(c->ctx), SVCQ_OK);
    CHECK_RC(c, put1(c, "keep", "d", 0, "d1", &rx), SVCQ_OK);
    CHECK_RC(c, put1(c, "keep", "b", rb, "b2", &rx), SVCQ_OK);
    CHECK_RC(c, svcq_ctx_batch_rollback(c->ctx), SVCQ_OK);
    /* Left open when the context goes: must not come back either. */
    CHECK_RC(c, svcq_ctx_batch_begin(c->ctx), SVCQ_OK);
    CHECK_RC(c, put1(c, "keep", "e", 0, "e1", &rx), SVCQ_OK);
    close_ctx(c);

    if (!open_ctx(c, true))
        return;
    expect_record(c, __LINE__, "keep", "a", "a2", 2, ra);
    expect_record(c, __LINE__, "keep", "b", "b1", 2, rb);
    expect_absent(c, __LINE__, "keep", "c");
    expect_absent(c, __LINE__, "keep", "d");
    expect_absent(c, __LINE__, "keep", "e");
    seen s = { 0 };
    CHECK_RC(c, svcq__store_scan(c->ctx, "keep", seen_visit, &s), SVCQ_OK);
    CHECK(c, s.n == 2);
    seen_free(&s);
    /* Revisions go on without reuse after a reopen. */
    uint64_t rc2 = 0;
    CHECK_RC(c, put1(c, "keep", "c", 0, "c2", &rc2), SVCQ_OK);
    CHECK(c, rc2 != rc_ && rc2 != ra && rc2 != rb);
    CHECK_RC(c, put1(c, "keep", "a", ra, "a3", &rx), SVCQ_OK);
    CHECK(c, rx != ra && rx != rc2);
}

/* Every revision handed out for one id, committed or not. */
#define REVS_MAX 32
typedef struct revs {
    size_t n;
    uint64_t r[REVS_MAX];
} revs;

/* Records rev as handed out, failing the check if it was handed out
 * before for the same id. */
static void fresh(cf *c, int line, revs *seen_revs, const char *id, uint64_t rev)
{
    char what[160];
    if (rev == 0) {
        snprintf(what, sizeof(what), "id %s: revision 0 handed out", id);
        fail_at(c, line, what);
        return;
    }
    for (size_t i = 0; i < seen_revs->n; i++)
        if (seen_revs->r[i] == rev) {
            snprintf(what, sizeof(what),
                     "id %s: revision %llu handed out a second time (a stale handle holding it would win "
                     "compare-and-swap)",
                     id, (unsigned long long)rev);
            fail_at(c, line, what);
            return;
        }
    if (seen_revs->n < REVS_MAX)
        seen_revs->r[seen_revs->n++] = rev;
}

/* A put with each stale revision of the id must conflict and change
 * nothing. */
static void stale_puts_fail(cf *c, int line, const revs *seen_revs, const char *id, uint64_t live)
{
    for (size_t i = 0; i < seen_revs->n; i++) {
        if (seen_revs->r[i] == live)
            continue;
        uint64_t rx = 0;
        int rc = put1(c, "revs", id, seen_revs->r[i], "stale", &rx);
        if (rc != SVCQ_ECONFLICT) {
            char what[160];
            snprintf(what, sizeof(what), "put(revs, %s) expecting the stale revision %llu", id,
                     (unsigned long long)seen_revs->r[i]);
            fail_rc(c, line, what, rc, SVCQ_ECONFLICT);
        }
    }
}

/* Revisions are never handed out twice for one (kind, id): not after a
 * rollback, not inside or after a batch, not after remove and create, not
 * after a reopen (persistent stores). */
static void group_revisions(cf *c)
{
    revs ra = { 0 }, rb = { 0 }, rcal = { 0 }, rd = { 0 }, rv = { 0 };
    uint64_t r = 0, live = 0;

    /* A scope that fails: its revision is gone for good. */
    CHECK_RC(c, put1(c, "revs", "a", 0, "a1", &r), SVCQ_OK);
    fresh(c, __LINE__, &ra, "a", r);
    live = r;
    svcq__tx tx;
    CHECK_RC(c, svcq__tx_begin(c->ctx, &tx), SVCQ_OK);
    CHECK_RC(c, svcq__store_put(c->ctx, "revs", "a", live, "a2", 2, &r), SVCQ_OK);
    fresh(c, __LINE__, &ra, "a", r);
    CHECK_RC(c, svcq__tx_end(c->ctx, &tx, SVCQ_EABORTED), SVCQ_EABORTED);
    CHECK_RC(c, put1(c, "revs", "a", live, "a3", &r), SVCQ_OK);
    fresh(c, __LINE__, &ra, "a", r);
    live = r;
    expect_record(c, __LINE__, "revs", "a", "a3", 2, live);
    stale_puts_fail(c, __LINE__, &ra, "a", live);

    /* Inside a batch, several scopes, then a rollback. */
    CHECK_RC(c, svcq_ctx_batch_begin(c->ctx), SVCQ_OK);
    CHECK_RC(c, put1(c, "revs", "b", 0, "b1", &r), SVCQ_OK);
    fresh(c, __LINE__, &rb, "b", r);
    CHECK_RC(c, put1(c, "revs", "b", r, "b2", &r), SVCQ_OK);
    fresh(c, __LINE__, &rb, "b", r);
    CHECK_RC(c, remove1(c, "revs", "b", r), SVCQ_OK);
    CHECK_RC(c, put1(c, "revs", "b", 0, "b3", &r), SVCQ_OK);
    fresh(c, __LINE__, &rb, "b", r);
    CHECK_RC(c, svcq_ctx_batch_rollback(c->ctx), SVCQ_OK);
    expect_absent(c, __LINE__, "revs", "b");
    CHECK_RC(c, put1(c, "revs", "b", 0, "b4", &r), SVCQ_OK);
    fresh(c, __LINE__, &rb, "b", r);
    live = r;
    stale_puts_fail(c, __LINE__, &rb, "b", live);
    expect_record(c, __LINE__, "revs", "b", "b4", 2, live);

    /* The lost update of issue 8: in a batch, one handle creates the
     * record and a second handle reads it; the batch rolls back; the first
     * handle creates it again; the second handle's save must conflict. */
    CHECK_RC(c, svcq_ctx_batch_begin(c->ctx), SVCQ_OK);
    uint64_t first = 0, second = 0;
    CHECK_RC(c, put1(c, "revs", "cal", 0, "x", &first), SVCQ_OK);
    fresh(c, __LINE__, &rcal, "cal", first);
    char *bytes = NULL;
    size_t size = 0;
    CHECK_RC(c, svcq__store_get(c->ctx, "revs", "cal", &bytes, &size, &second), SVCQ_OK);
    svcq__free(c->ctx, bytes);
    CHECK(c, second == first);
    CHECK_RC(c, svcq_ctx_batch_rollback(c->ctx), SVCQ_OK);
    CHECK_RC(c, put1(c, "revs", "cal", 0, "x+holiday", &first), SVCQ_OK);
    fresh(c, __LINE__, &rcal, "cal", first);
    CHECK_RC(c, put1(c, "revs", "cal", second, "x (stale)", &r), SVCQ_ECONFLICT);
    expect_record(c, __LINE__, "revs", "cal", "x+holiday", 9, first);

    /* Removed and created again, in committed transactions and in a
     * rolled-back one. */
    CHECK_RC(c, put1(c, "revs", "d", 0, "d1", &r), SVCQ_OK);
    fresh(c, __LINE__, &rd, "d", r);
    CHECK_RC(c, remove1(c, "revs", "d", r), SVCQ_OK);
    CHECK_RC(c, put1(c, "revs", "d", 0, "d2", &r), SVCQ_OK);
    fresh(c, __LINE__, &rd, "d", r);
    live = r;
    CHECK_RC(c, svcq_ctx_batch_begin(c->ctx), SVCQ_OK);
    CHECK_RC(c, remove1(c, "revs", "d", live), SVCQ_OK);
    CHECK_RC(c, put1(c, "revs", "d", 0, "d3", &r), SVCQ_OK);
    fresh(c, __LINE__, &rd, "d", r);
    CHECK_RC(c, svcq_ctx_batch_rollback(c->ctx), SVCQ_OK);
    CHECK_RC(c, remove1(c, "revs", "d", live), SVCQ_OK);
    CHECK_RC(c, put1(c, "revs", "d", 0, "d4", &r), SVCQ_OK);
    fresh(c, __LINE__, &rd, "d", r);
    live = r;
    stale_puts_fail(c, __LINE__, &rd, "d", live);

    if (!c->f->reopen)
        return;
    /* Across a reopen, all on one id: its newest revision removed, then
     * revisions handed out by a rolled-back batch and by a batch left open
     * when the context went. None may come back: a store that restarts its
     * counter from the live records or from its last commit fails here. */
    CHECK_RC(c, put1(c, "revs", "v", 0, "v1", &r), SVCQ_OK);
    fresh(c, __LINE__, &rv, "v", r);
    CHECK_RC(c, put1(c, "revs", "v", r, "v2", &r), SVCQ_OK);
    fresh(c, __LINE__, &rv, "v", r);
    CHECK_RC(c, remove1(c, "revs", "v", r), SVCQ_OK);
    CHECK_RC(c, svcq_ctx_batch_begin(c->ctx), SVCQ_OK);
    CHECK_RC(c, put1(c, "revs", "v", 0, "v3", &r), SVCQ_OK);
    fresh(c, __LINE__, &rv, "v", r);
    CHECK_RC(c, svcq_ctx_batch_rollback(c->ctx), SVCQ_OK);
    CHECK_RC(c, svcq_ctx_batch_begin(c->ctx), SVCQ_OK);
    CHECK_RC(c, put1(c, "revs", "v", 0, "v4", &r), SVCQ_OK);
    fresh(c, __LINE__, &rv, "v", r);
    close_ctx(c);
    if (!open_ctx(c, true))
        return;
    expect_absent(c, __LINE__, "revs", "v");
    CHECK_RC(c, put1(c, "revs", "v", 0, "v5", &r), SVCQ_OK);
    fresh(c, __LINE__, &rv, "v", r);
    for (int i = 0; i < 4; i++) {
        CHECK_RC(c, put1(c, "revs", "v", r, "v6", &r), SVCQ_OK);
        fresh(c, __LINE__, &rv, "v", r);
    }
    stale_puts_fail(c, __LINE__, &rv, "v", r);
    /* The records of before the reopen go on without reuse too. */
    expect_record(c, __LINE__, "revs", "a", "a3", 2, 0);
    CHECK_RC(c, svcq__store_get(c->ctx, "revs", "a", &bytes, &size, &live), SVCQ_OK);
    svcq__free(c->ctx, bytes);
    CHECK_RC(c, put1(c, "revs", "a", live, "a4", &r), SVCQ_OK);
    fresh(c, __LINE__, &ra, "a", r);
    stale_puts_fail(c, __LINE__, &ra, "a", r);
}

/* ---- version 2: ordered scans ------------------------------------------------- */

/* The oracle's order: unsigned bytes, a prefix first (what strcmp does). */
static int oracle_idcmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *const ordered_ids[] = {
    "b", "a", "ab", "a0", "a b", "B", "~", "zz", "\xC3\xA9", "\xE5\x90\x8D", "\xF4\x8F\xBF\xBF", "aa", "a\x7E",
    "0", "09", "1", "10", "2",
};
#define N_ORDERED (sizeof(ordered_ids) / sizeof(ordered_ids[0]))

/* Pages through kind with scan_range by limit; checks the result is want
 * (n ids, in order). */
static void expect_pages(cf *c, int line, const char *kind, const char *const *want, size_t n, uint32_t limit)
{
    char after[SVCQ_STORE_MAX_ID + 1];
    bool have_after = false;
    size_t got = 0;
    char what[200];
    for (int guard = 0; guard < 1000; guard++) {
        seen s = { 0 };
        int rc = svcq__store_scan_range(c->ctx, kind, have_after ? after : NULL, limit, seen_visit, &s);
        if (rc != SVCQ_OK) {
            fail_rc(c, line, "scan_range", rc, SVCQ_OK);
            seen_free(&s);
            return;
        }
        if (limit && s.n > limit) {
            snprintf(what, sizeof(what), "scan_range(%s, limit %u) visited %zu records", kind, limit, s.n);
            fail_at(c, line, what);
        }
        for (size_t i = 0; i < s.n; i++, got++)
            if (got >= n || strcmp(s.ids[i], want[got]) != 0) {
                snprintf(what, sizeof(what), "scan_range(%s, limit %u): record %zu is %.40s, expected %.40s", kind,
                         limit, got, s.ids[i], got < n ? want[got] : "(the end)");
                fail_at(c, line, what);
                seen_free(&s);
                return;
            }
        size_t k = s.n;
        if (k)
            snprintf(after, sizeof(after), "%s", s.ids[k - 1]);
        seen_free(&s);
        have_after = true;
        if (k == 0 || limit == 0 || k < limit)
            break;
    }
    if (got != n) {
        snprintf(what, sizeof(what), "scan_range(%s, limit %u) visited %zu records, expected %zu", kind, limit, got, n);
        fail_at(c, line, what);
    }
}

static void group_ordered(cf *c)
{
    const char *sorted[N_ORDERED + 1];
    uint64_t orevs[N_ORDERED];
    svcq__tx tx;
    CHECK_RC(c, svcq__tx_begin(c->ctx, &tx), SVCQ_OK);
    for (size_t i = 0; i < N_ORDERED; i++) {
        CHECK_RC(c, svcq__store_put(c->ctx, "ordered", ordered_ids[i], 0, ordered_ids[i], strlen(ordered_ids[i]),
                                    &orevs[i]),
                 SVCQ_OK);
        sorted[i] = ordered_ids[i];
    }
    /* Another kind in between: never mixed in. */
    uint64_t r;
    CHECK_RC(c, svcq__store_put(c->ctx, "ordered_x", "a1", 0, "x", 1, &r), SVCQ_OK);
    CHECK_RC(c, svcq__tx_end(c->ctx, &tx, SVCQ_OK), SVCQ_OK);
    qsort(sorted, N_ORDERED, sizeof(sorted[0]), oracle_idcmp);
    static const uint32_t limits[] = { 0, 1, 2, 3, 5, 17, 18, 19, 1000 };
    for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
        expect_pages(c, __LINE__, "ordered", sorted, N_ORDERED, limits[i]);
    /* Values and revisions come with the ids. */
    seen s = { 0 };
    CHECK_RC(c, svcq__store_scan_range(c->ctx, "ordered", NULL, 0, seen_visit, &s), SVCQ_OK);
    for (size_t i = 0; i < N_ORDERED; i++)
        CHECK(c, seen_has(&s, ordered_ids[i], orevs[i], ordered_ids[i]));
    seen_free(&s);
    /* After an id that is not stored: from the next one. */
    CHECK_RC(c, svcq__store_scan_range(c->ctx, "ordered", "a00", 2, seen_visit, &s), SVCQ_OK);
    CHECK(c, s.n == 2 && strcmp(s.ids[0], "a b") > 0 && strcmp(s.ids[0], "a0") != 0);
    /* (sorted: ... "a0" < "a00" < "aa"?) computed by the oracle instead: */
    size_t first = 0;
    while (first < N_ORDERED && strcmp(sorted[first], "a00") <= 0)
        first++;
    CHECK(c, s.n == 2 && strcmp(s.ids[0], sorted[first]) == 0 && strcmp(s.ids[1], sorted[first + 1]) == 0);
    seen_free(&s);
    /* After the last id, and on an unknown kind: nothing. */
    CHECK_RC(c, svcq__store_scan_range(c->ctx, "ordered", sorted[N_ORDERED - 1], 0, seen_visit, &s), SVCQ_OK);
    CHECK(c, s.n == 0);
    CHECK_RC(c, svcq__store_scan_range(c->ctx, "ordered_none", NULL, 0, seen_visit, &s), SVCQ_OK);
    CHECK(c, s.n == 0);
    /* A visitor stops the scan with its own value. */
    s.stop_after = 4;
    CHECK_RC(c, svcq__store_scan_range(c->ctx, "ordered", NULL, 0, seen_visit, &s), 4242);
    CHECK(c, s.n == 4);
    seen_free(&s);
    s.stop_after = 0;
    /* A bad cursor is refused before the store sees it. */
    size_t before = c->count->calls;
    CHECK_RC(c, svcq__store_scan_range(c->ctx, "ordered", "", 0, seen_visit, &s), SVCQ_EINVAL);
    CHECK_RC(c, svcq__store_scan_range(c->ctx, "Bad", NULL, 0, seen_visit, &s), SVCQ_EINVAL);
    CHECK(c, c->count->calls == before);

    /* Inside a transaction the order has its writes; a rollback takes
     * them back. */
    CHECK_RC(c, svcq_ctx_batch_begin(c->ctx), SVCQ_OK);
    CHECK_RC(c, put1(c, "ordered", "a1", 0, "new", &r), SVCQ_OK);
    CHECK_RC(c, remove1(c, "ordered", "b", orevs[0]), SVCQ_OK);
    const char *changed[N_ORDERED + 1];
    size_t m = 0;
    for (size_t i = 0; i < N_ORDERED; i++)
        if (strcmp(sorted[i], "b") != 0)
            changed[m++] = sorted[i];
    changed[m++] = "a1";
    qsort(changed, m, sizeof(changed[0]), oracle_idcmp);
    expect_pages(c, __LINE__, "ordered", changed, m, 0);
    expect_pages(c, __LINE__, "ordered", changed, m, 4);
    CHECK_RC(c, svcq_ctx_batch_rollback(c->ctx), SVCQ_OK);
    expect_pages(c, __LINE__, "ordered", sorted, N_ORDERED, 0);
    expect_pages(c, __LINE__, "ordered", sorted, N_ORDERED, 3);
}

/* ---- version 2: index terms ---------------------------------------------------- */

/* The model of a record with terms: its JSON names the same terms, so a
 * version-1 store answers through the library's fallback. */
typedef struct trec {
    const char *id;
    const char *state;  /* "state" STRING or NULL */
    bool has_due;
    int64_t due;        /* "due" INT64 */
    const char *client; /* "client" STRING or NULL */
    uint64_t rev;
    bool present;
} trec;

#define TKIND "termx"

static int json_string(char *out, size_t cap, const char *v)
{
    /* The test values need no escapes but quotes. */
    return snprintf(out, cap, "\"%s\"", v);
}

static size_t trec_terms(const trec *t, svcq_store_term *terms)
{
    size_t n = 0;
    /* Declared in no particular order: the library sorts them. */
    if (t->client)
        terms[n++] = (svcq_store_term){ SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_STRING, "client", t->client, 0, { 0 } };
    if (t->has_due)
        terms[n++] = (svcq_store_term){ SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_INT64, "due", NULL, t->due, { 0 } };
    if (t->state)
        terms[n++] = (svcq_store_term){ SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_STRING, "state", t->state, 0, { 0 } };
    return n;
}

static int trec_put(cf *c, trec *t)
{
    char json[1024], v[300];
    int len = snprintf(json, sizeof(json), "{\"schema\":\"svcq." TKIND "/1\",\"t\":{");
    bool comma = false;
    if (t->state) {
        json_string(v, sizeof(v), t->state);
        len += snprintf(json + len, sizeof(json) - (size_t)len, "\"state\":%s", v);
        comma = true;
    }
    if (t->has_due) {
        len += snprintf(json + len, sizeof(json) - (size_t)len, "%s\"due\":%lld", comma ? "," : "",
                        (long long)t->due);
        comma = true;
    }
    if (t->client) {
        json_string(v, sizeof(v), t->client);
        len += snprintf(json + len, sizeof(json) - (size_t)len, "%s\"client\":%s", comma ? "," : "", v);
    }
    len += snprintf(json + len, sizeof(json) - (size_t)len, "}}");
    svcq_store_term terms[3];
    size_t n = trec_terms(t, terms);
    svcq__tx tx;
    uint64_t rev = 0;
    int rc = svcq__tx_begin(c->ctx, &tx);
    if (rc == SVCQ_OK)
        rc = svcq__store_put_terms(c->ctx, TKIND, t->id, t->present ? t->rev : 0, json, (size_t)len, terms, n, &rev);
    rc = svcq__tx_end(c->ctx, &tx, rc);
    if (rc == SVCQ_OK) {
        t->rev = rev;
        t->present = true;
    }
    return rc;
}

/* The fallback's view of a record: the "t" object. */
static int trec_extract(svcq_ctx *ctx, const char *id, const svcq__json *root, uint32_t major, svcq_store_term *terms,
                        size_t *n, void *data)
{
    (void)ctx;
    (void)id;
    (void)major;
    (void)data;
    const svcq__json *t = svcq__json_get(root, "t");
    *n = 0;
    const char *str = svcq__json_as_string(svcq__json_get(t, "state"), NULL);
    if (str)
        terms[(*n)++] = (svcq_store_term){ SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_STRING, "state", str, 0, { 0 } };
    int64_t due;
    if (svcq__json_as_int(svcq__json_get(t, "due"), &due))
        terms[(*n)++] = (svcq_store_term){ SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_INT64, "due", NULL, due, { 0 } };
    str = svcq__json_as_string(svcq__json_get(t, "client"), NULL);
    if (str)
        terms[(*n)++] = (svcq_store_term){ SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_STRING, "client", str, 0, { 0 } };
    return SVCQ_OK;
}

typedef struct tseen {
    size_t n;
    char ids[64][64];
    uint64_t revs[64];
    int64_t i[64];
    char s[64][300];
    size_t stop_after;
    bool bad_doc;
} tseen;

static int tseen_visit(svcq_ctx *ctx, const char *id, uint64_t revision, const svcq__json *root, uint32_t major,
                       const svcq_store_term *term, void *ud)
{
    (void)ctx;
    tseen *t = ud;
    if (t->n == 64)
        return SVCQ_ELIMIT;
    if (major != 1 || !svcq__json_get(root, "t"))
        t->bad_doc = true;
    snprintf(t->ids[t->n], sizeof(t->ids[0]), "%s", id);
    t->revs[t->n] = revision;
    t->i[t->n] = term->i;
    snprintf(t->s[t->n], sizeof(t->s[0]), "%s", term->s ? term->s : "");
    t->n++;
    return t->stop_after && t->n == t->stop_after ? 4343 : 0;
}

/* The oracle of one query: the model's records in range, sorted. */
typedef struct oentry {
    const trec *r;
    int64_t i;
    const char *s;
} oentry;

static int32_t oracle_type;

static int oentry_cmp(const void *a, const void *b)
{
    const oentry *x = a, *y = b;
    int c;
    if (oracle_type == SVCQ_STORE_TERM_INT64)
        c = x->i < y->i ? -1 : x->i > y->i;
    else
        c = strcmp(x->s, y->s);
    return c ? c : strcmp(x->r->id, y->r->id);
}

static size_t oracle(const trec *recs, size_t n, const char *name, int32_t type, const svcq_store_term *lo,
                     const svcq_store_term *hi, oentry *out)
{
    size_t m = 0;
    for (size_t k = 0; k < n; k++) {
        const trec *r = &recs[k];
        if (!r->present)
            continue;
        oentry e = { r, 0, NULL };
        if (strcmp(name, "due") == 0 && type == SVCQ_STORE_TERM_INT64 && r->has_due)
            e.i = r->due;
        else if (strcmp(name, "state") == 0 && type == SVCQ_STORE_TERM_STRING && r->state)
            e.s = r->state;
        else if (strcmp(name, "client") == 0 && type == SVCQ_STORE_TERM_STRING && r->client)
            e.s = r->client;
        else
            continue;
        if (type == SVCQ_STORE_TERM_INT64 && ((lo && e.i < lo->i) || (hi && e.i > hi->i)))
            continue;
        if (type == SVCQ_STORE_TERM_STRING && ((lo && strcmp(e.s, lo->s) < 0) || (hi && strcmp(e.s, hi->s) > 0)))
            continue;
        out[m++] = e;
    }
    oracle_type = type;
    qsort(out, m, sizeof(*out), oentry_cmp);
    return m;
}

/* Runs the query in pages of limit (0: one call) and compares with the
 * oracle. */
static void expect_terms(cf *c, int line, const trec *recs, size_t nrecs, const char *name, int32_t type,
                         const svcq_store_term *lo, const svcq_store_term *hi, uint32_t limit)
{
    oentry want[64];
    size_t n = oracle(recs, nrecs, name, type, lo, hi, want);
    char what[240];
    size_t got = 0;
    svcq_store_term after = { SVCQ_STORE_TERM_VERSION, type, name, NULL, 0, { 0 } };
    char after_s[300], after_id[64];
    bool paging = false;
    for (int guard = 0; guard < 200; guard++) {
        tseen t;
        memset(&t, 0, sizeof(t));
        svcq__term_query q = { name, type, lo, hi, paging ? &after : NULL, paging ? after_id : NULL, limit };
        int rc = svcq__record_scan_term(c->ctx, TKIND, 1, &q, trec_extract, NULL, tseen_visit, &t);
        if (rc != SVCQ_OK) {
            fail_rc(c, line, "scan_term", rc, SVCQ_OK);
            return;
        }
        CHECK(c, !t.bad_doc);
        if (limit && t.n > limit)
            fail_at(c, line, "scan_term visited more records than the limit");
        for (size_t i = 0; i < t.n; i++, got++) {
            bool ok = got < n && strcmp(t.ids[i], want[got].r->id) == 0 && t.revs[i] == want[got].r->rev &&
                      (type == SVCQ_STORE_TERM_INT64 ? t.i[i] == want[got].i : strcmp(t.s[i], want[got].s) == 0);
            if (!ok) {
                snprintf(what, sizeof(what), "scan_term(%s %s, limit %u): record %zu is %s, expected %s", name,
                         type == SVCQ_STORE_TERM_INT64 ? "int64" : "string", limit, got, t.ids[i],
                         got < n ? want[got].r->id : "(the end)");
                fail_at(c, line, what);
                return;
            }
        }
        if (t.n) {
            after.i = t.i[t.n - 1];
            snprintf(after_s, sizeof(after_s), "%s", t.s[t.n - 1]);
            after.s = type == SVCQ_STORE_TERM_STRING ? after_s : NULL;
            snprintf(after_id, sizeof(after_id), "%s", t.ids[t.n - 1]);
        }
        paging = true;
        if (!limit || t.n < limit)
            break;
    }
    if (got != n) {
        snprintf(what, sizeof(what), "scan_term(%s, limit %u) visited %zu records, expected %zu", name, limit, got, n);
        fail_at(c, line, what);
    }
}

static void expect_all_terms(cf *c, int line, const trec *recs, size_t n)
{
    static const uint32_t limits[] = { 0, 1, 2, 7 };
    svcq_store_term lo = { SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_INT64, "due", NULL, 0, { 0 } };
    svcq_store_term hi = { SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_INT64, "due", NULL, 100, { 0 } };
    svcq_store_term live = { SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_STRING, "state", "live", 0, { 0 } };
    svcq_store_term d = { SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_STRING, "state", "d", 0, { 0 } };
    svcq_store_term m = { SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_STRING, "state", "m", 0, { 0 } };
    svcq_store_term dup = { SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_INT64, "due", NULL, 42, { 0 } };
    for (size_t k = 0; k < sizeof(limits) / sizeof(limits[0]); k++) {
        uint32_t l = limits[k];
        expect_terms(c, line, recs, n, "due", SVCQ_STORE_TERM_INT64, NULL, NULL, l);
        expect_terms(c, line, recs, n, "due", SVCQ_STORE_TERM_INT64, &lo, &hi, l);
        expect_terms(c, line, recs, n, "due", SVCQ_STORE_TERM_INT64, &dup, &dup, l);
        expect_terms(c, line, recs, n, "due", SVCQ_STORE_TERM_INT64, NULL, &lo, l);
        expect_terms(c, line, recs, n, "due", SVCQ_STORE_TERM_INT64, &hi, NULL, l);
        expect_terms(c, line, recs, n, "state", SVCQ_STORE_TERM_STRING, &live, &live, l);
        expect_terms(c, line, recs, n, "state", SVCQ_STORE_TERM_STRING, &d, &m, l);
        expect_terms(c, line, recs, n, "client", SVCQ_STORE_TERM_STRING, NULL, NULL, l);
    }
    /* Another type, an unknown name: nothing (the oracle says so too). */
    expect_terms(c, line, recs, n, "due", SVCQ_STORE_TERM_STRING, NULL, NULL, 0);
    expect_terms(c, line, recs, n, "state", SVCQ_STORE_TERM_INT64, NULL, NULL, 0);
    expect_terms(c, line, recs, n, "nothing", SVCQ_STORE_TERM_INT64, NULL, NULL, 0);
}

static void term_model(trec *recs, size_t n)
{
    static const char *const states[] = { "live", "done", "paused", "", "live2", "d" };
    static const char *const clients[] = { "acme", "acme-cn", "ac", "\xE5\x90\x8D", "\xC3\xA9t\xC3\xA9", "Z" };
    static const int64_t dues[] = { 42, -5, 0, 100, 101, INT64_MIN, INT64_MAX, 42, 7, -1000000000000, 42, 99 };
    static char ids[32][16];
    for (size_t i = 0; i < n; i++) {
        snprintf(ids[i], sizeof(ids[i]), "t%02zu", (i * 7) % n);
        recs[i] = (trec){ ids[i], NULL, false, 0, NULL, 0, false };
        if (i % 5 != 4)
            recs[i].state = states[i % 6];
        if (i % 4 != 3) {
            recs[i].has_due = true;
            recs[i].due = dues[i % 12];
        }
        if (i % 3 == 0)
            recs[i].client = clients[i % 6];
    }
}

static void group_terms(cf *c)
{
    trec recs[30];
    size_t n = 30;
    term_model(recs, n);
    for (size_t i = 0; i < n; i++)
        CHECK_RC(c, trec_put(c, &recs[i]), SVCQ_OK);
    expect_all_terms(c, __LINE__, recs, n);

    /* Terms replaced on update: moved, dropped, added. */
    recs[0].due = -7;
    recs[1].state = NULL;
    recs[1].has_due = false;
    recs[1].client = NULL;
    recs[4].state = "live";
    recs[4].client = "acme";
    CHECK_RC(c, trec_put(c, &recs[0]), SVCQ_OK);
    CHECK_RC(c, trec_put(c, &recs[1]), SVCQ_OK);
    CHECK_RC(c, trec_put(c, &recs[4]), SVCQ_OK);
    expect_all_terms(c, __LINE__, recs, n);
    /* Gone on remove. */
    CHECK_RC(c, remove1(c, TKIND, recs[2].id, recs[2].rev), SVCQ_OK);
    recs[2].present = false;
    expect_all_terms(c, __LINE__, recs, n);

    /* Rolled back with the transaction: the scan inside sees the batch's
     * terms, the rollback restores the ones before. */
    trec saved[30];
    memcpy(saved, recs, sizeof(recs));
    CHECK_RC(c, svcq_ctx_batch_begin(c->ctx), SVCQ_OK);
    recs[3].due = 55;
    recs[3].state = "done";
    CHECK_RC(c, trec_put(c, &recs[3]), SVCQ_OK);
    CHECK_RC(c, remove1(c, TKIND, recs[5].id, recs[5].rev), SVCQ_OK);
    recs[5].present = false;
    CHECK_RC(c, trec_put(c, &recs[2]), SVCQ_OK);
    expect_all_terms(c, __LINE__, recs, n);
    CHECK_RC(c, svcq_ctx_batch_rollback(c->ctx), SVCQ_OK);
    memcpy(recs, saved, sizeof(recs));
    expect_all_terms(c, __LINE__, recs, n);
    /* A failing scope inside a transaction leaves the terms as they were. */
    svcq__tx tx;
    uint64_t r;
    CHECK_RC(c, svcq__tx_begin(c->ctx, &tx), SVCQ_OK);
    svcq_store_term moved = { SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_INT64, "due", NULL, 1, { 0 } };
    CHECK_RC(c, svcq__store_put_terms(c->ctx, TKIND, recs[6].id, recs[6].rev,
                                      "{\"schema\":\"svcq." TKIND "/1\",\"t\":{\"due\":1}}",
                                      strlen("{\"schema\":\"svcq." TKIND "/1\",\"t\":{\"due\":1}}"), &moved, 1, &r),
             SVCQ_OK);
    CHECK_RC(c, svcq__tx_end(c->ctx, &tx, SVCQ_EABORTED), SVCQ_EABORTED);
    expect_all_terms(c, __LINE__, recs, n);

    /* A visitor stops the scan with its own value. */
    tseen t;
    memset(&t, 0, sizeof(t));
    t.stop_after = 2;
    svcq__term_query q = { "due", SVCQ_STORE_TERM_INT64, NULL, NULL, NULL, NULL, 0 };
    CHECK_RC(c, svcq__record_scan_term(c->ctx, TKIND, 1, &q, trec_extract, NULL, tseen_visit, &t), 4343);
    CHECK(c, t.n == 2);

    /* Bad terms are refused before the store sees them. */
    svcq_store_term bad[SVCQ_STORE_MAX_TERMS + 1];
    char names[SVCQ_STORE_MAX_TERMS + 1][8];
    for (int i = 0; i <= SVCQ_STORE_MAX_TERMS; i++) {
        snprintf(names[i], sizeof(names[i]), "n%d", i);
        bad[i] = (svcq_store_term){ SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_INT64, names[i], NULL, i, { 0 } };
    }
    char longs[SVCQ_STORE_MAX_TERM_VALUE + 2];
    memset(longs, 'x', sizeof(longs) - 1);
    longs[sizeof(longs) - 1] = '\0';
    const svcq_store_term one_bad[] = {
        { SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_INT64, "Bad", NULL, 0, { 0 } },
        { SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_INT64, "", NULL, 0, { 0 } },
        { SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_INT64, NULL, NULL, 0, { 0 } },
        { SVCQ_STORE_TERM_VERSION, 3, "x", NULL, 0, { 0 } },
        { SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_STRING, "x", NULL, 0, { 0 } },
        { SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_STRING, "x", "tab\there", 0, { 0 } },
        { SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_STRING, "x", "\xC3\x28", 0, { 0 } },
        { SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_STRING, "x", longs, 0, { 0 } },
    };
    const svcq_store_term twice[] = { { SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_INT64, "x", NULL, 1, { 0 } },
                                      { SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_INT64, "x", NULL, 2, { 0 } } };
    CHECK_RC(c, svcq__tx_begin(c->ctx, &tx), SVCQ_OK);
    size_t before = c->count->calls;
    CHECK_RC(c, svcq__store_put_terms(c->ctx, TKIND, "bad", 0, "{}", 2, bad, SVCQ_STORE_MAX_TERMS + 1, &r),
             SVCQ_ELIMIT);
    for (size_t i = 0; i < sizeof(one_bad) / sizeof(one_bad[0]); i++)
        CHECK_RC(c, svcq__store_put_terms(c->ctx, TKIND, "bad", 0, "{}", 2, &one_bad[i], 1, &r), SVCQ_EINVAL);
    CHECK_RC(c, svcq__store_put_terms(c->ctx, TKIND, "bad", 0, "{}", 2, twice, 2, &r), SVCQ_EINVAL);
    CHECK_RC(c, svcq__store_put_terms(c->ctx, TKIND, "bad", 0, "{}", 2, NULL, 1, &r), SVCQ_EINVAL);
    CHECK(c, c->count->calls == before);
    /* The most terms, and the longest string value, are taken. */
    bad[0] = (svcq_store_term){ SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_STRING, "x", longs + 1, 0, { 0 } };
    CHECK_RC(c, svcq__store_put_terms(c->ctx, TKIND, "most", 0, "{\"schema\":\"svcq." TKIND "/1\"}",
                                      strlen("{\"schema\":\"svcq." TKIND "/1\"}"), bad,
                                      SVCQ_STORE_MAX_TERMS, &r),
             SVCQ_OK);
    CHECK_RC(c, svcq__tx_end(c->ctx, &tx, SVCQ_OK), SVCQ_OK);
    if (c->v2_terms) {
        memset(&t, 0, sizeof(t));
        svcq__term_query qx = { "x", SVCQ_STORE_TERM_STRING, NULL, NULL, NULL, NULL, 0 };
        CHECK_RC(c, svcq__record_scan_term(c->ctx, TKIND, 1, &qx, trec_extract, NULL, tseen_visit, &t), SVCQ_OK);
        CHECK(c, t.n == 1 && strcmp(t.ids[0], "most") == 0 && strlen(t.s[0]) == SVCQ_STORE_MAX_TERM_VALUE);
        svcq__term_query q7 = { "n7", SVCQ_STORE_TERM_INT64, NULL, NULL, NULL, NULL, 0 };
        memset(&t, 0, sizeof(t));
        CHECK_RC(c, svcq__record_scan_term(c->ctx, TKIND, 1, &q7, trec_extract, NULL, tseen_visit, &t), SVCQ_OK);
        CHECK(c, t.n == 1 && t.i[0] == 7);
    }
}

/* Terms survive a reopen (persistent stores). */
static void group_terms_persist(cf *c)
{
    trec recs[30];
    size_t n = 30;
    term_model(recs, n);
    for (size_t i = 0; i < n; i++)
        CHECK_RC(c, trec_put(c, &recs[i]), SVCQ_OK);
    recs[7].due = 12345;
    recs[7].state = "moved";
    CHECK_RC(c, trec_put(c, &recs[7]), SVCQ_OK);
    CHECK_RC(c, remove1(c, TKIND, recs[8].id, recs[8].rev), SVCQ_OK);
    recs[8].present = false;
    /* Rolled back: must not come back. */
    trec saved = recs[9];
    CHECK_RC(c, svcq_ctx_batch_begin(c->ctx), SVCQ_OK);
    recs[9].due = -99;
    CHECK_RC(c, trec_put(c, &recs[9]), SVCQ_OK);
    CHECK_RC(c, svcq_ctx_batch_rollback(c->ctx), SVCQ_OK);
    recs[9] = saved;
    close_ctx(c);
    if (!open_ctx(c, true))
        return;
    expect_all_terms(c, __LINE__, recs, n);
    const char *sorted[30];
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (recs[i].present)
            sorted[m++] = recs[i].id;
    qsort(sorted, m, sizeof(sorted[0]), oracle_idcmp);
    expect_pages(c, __LINE__, TKIND, sorted, m, 4);
}

int store_conformance_run(const store_conformance_factory *f)
{
    static const struct {
        const char *name;
        void (*fn)(cf *);
        bool persistent_only;
    } groups[] = {
        { "compare-and-swap", group_cas, false },
        { "transactions", group_transactions, false },
        { "scan", group_scan, false },
        { "values", group_values, false },
        { "kinds", group_kinds, false },
        { "ids", group_ids, false },
        { "refused", group_refused, false },
        { "persistence", group_persistence, true },
        { "ordered scans (version 2)", group_ordered, false },
        { "index terms (version 2)", group_terms, false },
        { "index terms across a reopen (version 2)", group_terms_persist, true },
        { "revisions", group_revisions, false },
    };
    cf c = { f, "", 0, NULL, NULL, false, false };
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        if (groups[i].persistent_only && !f->reopen)
            continue;
        c.group = groups[i].name;
        if (!open_ctx(&c, false)) {
            close_ctx(&c);
            continue;
        }
        groups[i].fn(&c);
        close_ctx(&c);
    }
    if (c.failures)
        fprintf(stderr, "store conformance [%s]: %d check(s) failed\n", f->name, c.failures);
    return c.failures;
}
