/* The context's store: the callback table and its checks, how callback
 * failures are reported, transaction scopes, the outer batch and the undo
 * log. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"
#include "core/utf8.h"
#include "store/store.h"
#include "svcq.h"
#include "test_alloc.h"

/* ---- a scripted store ------------------------------------------------------ */

enum { CB_BEGIN, CB_COMMIT, CB_ROLLBACK, CB_GET, CB_PUT, CB_REMOVE, CB_SCAN, CB_COUNT };
static const char *const cb_names[CB_COUNT] = { "begin", "commit", "rollback", "get", "put", "remove", "scan" };

typedef struct script {
    int rc[CB_COUNT];       /* what each callback returns (0: behave) */
    int calls[CB_COUNT];
    int destroyed;
    uint64_t put_revision;  /* what put reports (0: expected + 1) */
    int get_visits;         /* how many times get calls the visitor (default 1) */
    const char *visit_id;   /* id handed to visitors (NULL: the one asked) */
    int visit_rc;           /* what get/scan return after visiting: -1 = the visitor's value */
    svcq_ctx *ctx;          /* for svcq_store_set_error() */
    const char *reason;     /* a failing callback's own reason (NULL: none given) */
} script;

/* What a scripted callback returns: its code, with its reason when one is set. */
static int fail_with(script *s, int cb)
{
    return s->reason ? svcq_store_set_error(s->ctx, s->rc[cb], s->reason) : s->rc[cb];
}

static int s_begin(void *ud)
{
    script *s = ud;
    s->calls[CB_BEGIN]++;
    return fail_with(s, CB_BEGIN);
}
static int s_commit(void *ud)
{
    script *s = ud;
    s->calls[CB_COMMIT]++;
    return fail_with(s, CB_COMMIT);
}
static int s_rollback(void *ud)
{
    script *s = ud;
    s->calls[CB_ROLLBACK]++;
    return fail_with(s, CB_ROLLBACK);
}
static int s_get(const char *kind, const char *id, svcq_store_visit_fn visit, void *vud, void *ud)
{
    (void)kind;
    script *s = ud;
    s->calls[CB_GET]++;
    if (s->rc[CB_GET])
        return fail_with(s, CB_GET);
    int rc = 0;
    for (int i = 0; i < s->get_visits && rc == 0; i++)
        rc = visit(s->visit_id ? s->visit_id : id, 7, "{}", 2, vud);
    return s->visit_rc == -1 ? rc : s->visit_rc;
}
static int s_put(const char *kind, const char *id, uint64_t expected, const void *bytes, size_t size,
                 uint64_t *rev, void *ud)
{
    (void)kind, (void)id, (void)bytes, (void)size;
    script *s = ud;
    s->calls[CB_PUT]++;
    if (s->rc[CB_PUT])
        return fail_with(s, CB_PUT);
    *rev = s->put_revision ? s->put_revision : expected + 1;
    return 0;
}
static int s_remove(const char *kind, const char *id, uint64_t expected, void *ud)
{
    (void)kind, (void)id, (void)expected;
    script *s = ud;
    s->calls[CB_REMOVE]++;
    return fail_with(s, CB_REMOVE);
}
static int s_scan(const char *kind, svcq_store_visit_fn visit, void *vud, void *ud)
{
    (void)kind;
    script *s = ud;
    s->calls[CB_SCAN]++;
    if (s->rc[CB_SCAN])
        return fail_with(s, CB_SCAN);
    int rc = visit(s->visit_id ? s->visit_id : "one", 3, "{}", 2, vud);
    return s->visit_rc == -1 ? rc : s->visit_rc;
}
static void s_destroy(void *ud)
{
    script *s = ud;
    s->destroyed++;
}

static svcq_store_methods script_methods(script *s)
{
    memset(s, 0, sizeof(*s));
    s->get_visits = 1;
    s->visit_rc = -1;
    svcq_store_methods m = SVCQ_STORE_METHODS_INIT;
    m.user_data = s;
    m.begin = s_begin;
    m.commit = s_commit;
    m.rollback = s_rollback;
    m.get = s_get;
    m.put = s_put;
    m.remove = s_remove;
    m.scan = s_scan;
    m.destroy = s_destroy;
    return m;
}

static svcq_ctx *script_ctx(test_alloc *a, script *s)
{
    test_alloc_init(a);
    svcq_ctx *ctx = test_ctx_new(a);
    svcq_store_methods m = script_methods(s);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    s->ctx = ctx;
    return ctx;
}

static void ctx_done(svcq_ctx *ctx, test_alloc *a)
{
    svcq_ctx_free(ctx);
    assert_int_equal(a->live_blocks, 0);
}

/* ---- the table ------------------------------------------------------------- */

static void methods_init_matches_macro(void **state)
{
    (void)state;
    svcq_store_methods a = SVCQ_STORE_METHODS_INIT, b;
    memset(&b, 0xA5, sizeof(b));
    assert_int_equal(svcq_store_methods_init(&b, SVCQ_STORE_METHODS_VERSION), SVCQ_OK);
    assert_memory_equal(&a, &b, sizeof(a));
    assert_int_equal(svcq_store_methods_init(NULL, 1), SVCQ_EINVAL);
    assert_int_equal(svcq_store_methods_init(&b, 0), SVCQ_EVERSION);
    assert_int_equal(svcq_store_methods_init(&b, SVCQ_STORE_METHODS_VERSION + 1), SVCQ_EVERSION);
}

static void limits(void **state)
{
    (void)state;
    assert_int_equal(svcq_store_limit(SVCQ_STORE_LIMIT_KIND), SVCQ_STORE_MAX_KIND);
    assert_int_equal(svcq_store_limit(SVCQ_STORE_LIMIT_ID), SVCQ_STORE_MAX_ID);
    assert_int_equal(svcq_store_limit(SVCQ_STORE_LIMIT_VALUE), SVCQ_STORE_MAX_VALUE);
    assert_int_equal(svcq_store_limit(0), 0);
    assert_int_equal(svcq_store_limit(99), 0);
}

static void set_store_checks(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    script s;
    svcq_store_methods m = script_methods(&s);
    assert_int_equal(svcq_ctx_set_store(NULL, &m), SVCQ_EINVAL);

    svcq_store_methods bad = m;
    bad.version = 0;
    assert_int_equal(svcq_ctx_set_store(ctx, &bad), SVCQ_EVERSION);
    bad.version = SVCQ_STORE_METHODS_VERSION + 1;
    assert_int_equal(svcq_ctx_set_store(ctx, &bad), SVCQ_EVERSION);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "version"));
    bad = m;
    bad.reserved0 = 1;
    assert_int_equal(svcq_ctx_set_store(ctx, &bad), SVCQ_EINVAL);
    bad = m;
    bad.reserved[4] = &s;
    assert_int_equal(svcq_ctx_set_store(ctx, &bad), SVCQ_EINVAL);
    /* Version 2: put2 and scan_term go together; in a version-1 table
     * their slots are reserved. */
    svcq_store_methods mem;
    assert_int_equal(svcq__memstore_new(ctx, &mem), SVCQ_OK);
    bad = m;
    bad.put2 = mem.put2;
    assert_int_equal(svcq_ctx_set_store(ctx, &bad), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "put2 is set without scan_term"));
    bad = m;
    bad.scan_term = mem.scan_term;
    assert_int_equal(svcq_ctx_set_store(ctx, &bad), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "scan_term is set without put2"));
    bad = m;
    bad.version = 1;
    bad.scan_range = mem.scan_range;
    assert_int_equal(svcq_ctx_set_store(ctx, &bad), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "version 1"));
    mem.destroy(mem.user_data);
    for (int cb = 0; cb < CB_COUNT; cb++) {
        bad = m;
        switch (cb) {
        case CB_BEGIN: bad.begin = NULL; break;
        case CB_COMMIT: bad.commit = NULL; break;
        case CB_ROLLBACK: bad.rollback = NULL; break;
        case CB_GET: bad.get = NULL; break;
        case CB_PUT: bad.put = NULL; break;
        case CB_REMOVE: bad.remove = NULL; break;
        case CB_SCAN: bad.scan = NULL; break;
        }
        assert_int_equal(svcq_ctx_set_store(ctx, &bad), SVCQ_EINVAL);
        assert_non_null(strstr(svcq_ctx_errmsg(ctx), cb_names[cb]));
    }
    assert_int_equal(s.destroyed, 0);

    /* destroy is optional. */
    bad = m;
    bad.destroy = NULL;
    assert_int_equal(svcq_ctx_set_store(ctx, &bad), SVCQ_OK);
    /* Replacing a store destroys it (here: nothing to call). */
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    assert_int_equal(s.destroyed, 0);
    script s2;
    svcq_store_methods m2 = script_methods(&s2);
    assert_int_equal(svcq_ctx_set_store(ctx, &m2), SVCQ_OK);
    assert_int_equal(s.destroyed, 1);

    /* Not while a transaction is open. */
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_ESTATE);
    assert_int_equal(svcq_ctx_set_store(ctx, NULL), SVCQ_ESTATE);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);

    /* NULL: back to a fresh memory store. */
    assert_int_equal(svcq_ctx_set_store(ctx, NULL), SVCQ_OK);
    assert_int_equal(s2.destroyed, 1);
    uint64_t rev;
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(svcq__store_put(ctx, "k", "id", 0, "x", 1, &rev), SVCQ_OK);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);
    /* Replacing the memory store drops its records. */
    assert_int_equal(svcq_ctx_set_store(ctx, NULL), SVCQ_OK);
    char *b;
    size_t n;
    assert_int_equal(svcq__store_get(ctx, "k", "id", &b, &n, &rev), SVCQ_ENOTFOUND);

    /* The context destroys its store when freed. */
    assert_int_equal(svcq_ctx_set_store(ctx, &m2), SVCQ_OK);
    ctx_done(ctx, &a);
    assert_int_equal(s2.destroyed, 2);
}

static void default_memory_store_is_lazy(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    size_t blocks = a.live_blocks;
    /* A context that never stores anything never makes a store. */
    assert_int_equal(blocks, 1);
    char *b;
    size_t n;
    uint64_t rev;
    assert_int_equal(svcq__store_get(ctx, "k", "id", &b, &n, &rev), SVCQ_ENOTFOUND);
    assert_true(a.live_blocks > blocks);
    ctx_done(ctx, &a);

    /* Its allocation failing is reported cleanly. */
    test_alloc_init(&a);
    ctx = test_ctx_new(&a);
    test_alloc_arm(&a, 1, true);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_ENOMEM);
    assert_int_equal(svcq__store_get(ctx, "k", "id", &b, &n, &rev), SVCQ_ENOMEM);
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_ENOMEM);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_ENOMEM), SVCQ_ENOMEM);
    assert_int_equal(svcq__store_scan(ctx, "k", NULL, NULL), SVCQ_ENOMEM);
    test_alloc_arm(&a, 0, false);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_OK);
    ctx_done(ctx, &a);
}

/* ---- error mapping ------------------------------------------------------------ */

static int call(svcq_ctx *ctx, int cb)
{
    char *b = NULL;
    size_t n;
    uint64_t rev;
    svcq__tx tx;
    int rc;
    switch (cb) {
    case CB_BEGIN:
        rc = svcq__tx_begin(ctx, &tx);
        return svcq__tx_end(ctx, &tx, rc);
    case CB_COMMIT:
        rc = svcq__tx_begin(ctx, &tx);
        return svcq__tx_end(ctx, &tx, rc);
    case CB_ROLLBACK:
        rc = svcq_ctx_batch_begin(ctx);
        return rc ? rc : svcq_ctx_batch_rollback(ctx);
    case CB_GET:
        rc = svcq__store_get(ctx, "k", "id", &b, &n, &rev);
        if (rc == SVCQ_OK)
            svcq__free(ctx, b);
        return rc;
    case CB_PUT:
        rc = svcq__tx_begin(ctx, &tx);
        if (!rc)
            rc = svcq__store_put(ctx, "k", "id", 3, "x", 1, &rev);
        return svcq__tx_end(ctx, &tx, rc);
    case CB_REMOVE:
        rc = svcq__tx_begin(ctx, &tx);
        if (!rc)
            rc = svcq__store_remove(ctx, "k", "id", 3);
        return svcq__tx_end(ctx, &tx, rc);
    default:
        return svcq__store_scan(ctx, "k", NULL, NULL);
    }
}

static int nop_visit(svcq_ctx *ctx, const char *id, uint64_t rev, const char *bytes, size_t size, void *ud)
{
    (void)ctx, (void)id, (void)rev, (void)bytes, (void)size, (void)ud;
    return 0;
}

static void failures_are_mapped(void **state)
{
    (void)state;
    static const int passed[] = { SVCQ_ENOMEM, SVCQ_EIO, SVCQ_EBUSY, SVCQ_ECORRUPT, SVCQ_ELIMIT };
    static const int mapped[] = { SVCQ_EINVAL, SVCQ_ESTATE, SVCQ_ESTORE, SVCQ_EVERSION, SVCQ_EPARSE,
                                  SVCQ_EABORTED, SVCQ_EEXIST, 1, 77, -1000 };
    for (int cb = 0; cb < CB_COUNT; cb++) {
        for (size_t i = 0; i < sizeof(passed) / sizeof(passed[0]) + sizeof(mapped) / sizeof(mapped[0]); i++) {
            bool pass = i < sizeof(passed) / sizeof(passed[0]);
            int code = pass ? passed[i] : mapped[i - sizeof(passed) / sizeof(passed[0])];
            test_alloc a;
            script s;
            svcq_ctx *ctx = script_ctx(&a, &s);
            s.rc[cb] = code;
            int rc = cb == CB_SCAN ? svcq__store_scan(ctx, "k", nop_visit, NULL) : call(ctx, cb);
            if (cb == CB_ROLLBACK) {
                /* Only a batch rollback reports its own failure. */
                assert_int_equal(rc, pass ? code : SVCQ_ESTORE);
            } else {
                assert_int_equal(rc, pass ? code : SVCQ_ESTORE);
            }
            char want[32];
            snprintf(want, sizeof(want), "store %s", cb_names[cb]);
            assert_non_null(strstr(svcq_ctx_errmsg(ctx), want));
            if (!pass && code > SVCQ__ERROR_MIN - 1 && code < 0)
                assert_non_null(strstr(svcq_ctx_errmsg(ctx), svcq_strerror(code)));
            else if (!pass)
                assert_non_null(strstr(svcq_ctx_errmsg(ctx), "returned"));
            /* A failed write or commit always ends in a rollback. */
            if (cb == CB_PUT || cb == CB_REMOVE || cb == CB_COMMIT)
                assert_int_equal(s.calls[CB_ROLLBACK], 1);
            if (cb == CB_BEGIN)
                assert_int_equal(s.calls[CB_ROLLBACK] + s.calls[CB_COMMIT], 0);
            ctx_done(ctx, &a);
        }
    }
}

/* A callback's own reason replaces the code's description, made one line of
 * UTF-8; the code is mapped as without one. */
static void callback_reason(void **state)
{
    (void)state;
    static const struct {
        const char *given, *shown;
    } reasons[] = {
        { "server closed the connection unexpectedly\n", "server closed the connection unexpectedly" },
        { "ERROR:  relation \"record\" does not exist\nLINE 1: SELECT\r\n\tbody",
          "ERROR:  relation \"record\" does not exist LINE 1: SELECT body" },
        { "caf\xc3\xa9 \xff\xfe ok", "caf\xc3\xa9 ?? ok" },
        { "\n\n", NULL }, /* nothing left: the code's description */
        { "", NULL },
    };
    for (int cb = 0; cb < CB_COUNT; cb++) {
        for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
            test_alloc a;
            script s;
            svcq_ctx *ctx = script_ctx(&a, &s);
            s.rc[cb] = cb == CB_GET ? SVCQ_EINVAL : SVCQ_EIO;
            s.reason = reasons[i].given;
            int rc = cb == CB_SCAN ? svcq__store_scan(ctx, "k", nop_visit, NULL) : call(ctx, cb);
            assert_int_equal(rc, cb == CB_GET ? SVCQ_ESTORE : SVCQ_EIO);
            char want[600];
            const char *what = cb == CB_GET ? "(k, id)" : cb == CB_PUT || cb == CB_REMOVE ? "(k, id)"
                               : cb == CB_SCAN                                     ? "(k)"
                                                                                   : "";
            snprintf(want, sizeof(want), "store %s%s: %s", cb_names[cb], what,
                     reasons[i].shown ? reasons[i].shown : svcq_strerror(s.rc[cb]));
            if (cb == CB_ROLLBACK) /* reported through the batch rollback */
                assert_non_null(strstr(svcq_ctx_errmsg(ctx), want));
            else
                assert_string_equal(svcq_ctx_errmsg(ctx), want);
            ctx_done(ctx, &a);
        }
    }
    /* A long reason is cut at a character boundary and stays valid UTF-8. */
    char longer[2000];
    for (size_t i = 0; i + 2 < sizeof(longer); i += 2)
        memcpy(longer + i, "\xc3\xa9", 2);
    longer[sizeof(longer) - 2] = '\0';
    test_alloc a;
    script s;
    svcq_ctx *ctx = script_ctx(&a, &s);
    s.rc[CB_PUT] = SVCQ_EIO;
    s.reason = longer;
    assert_int_equal(call(ctx, CB_PUT), SVCQ_EIO);
    const char *msg = svcq_ctx_errmsg(ctx);
    assert_true(svcq__utf8_valid(msg, strlen(msg)));
    assert_non_null(strstr(msg, "store put(k, id): \xc3\xa9\xc3\xa9"));
    ctx_done(ctx, &a);
    /* Outside a callback the text is the message; NULL ctx does nothing. */
    svcq_ctx *plain = NULL;
    assert_int_equal(svcq_ctx_new(&plain, NULL), SVCQ_OK);
    assert_int_equal(svcq_store_set_error(plain, SVCQ_EIO, "disk on fire\n"), SVCQ_EIO);
    assert_string_equal(svcq_ctx_errmsg(plain), "disk on fire");
    assert_int_equal(svcq_store_set_error(plain, SVCQ_EBUSY, NULL), SVCQ_EBUSY);
    assert_string_equal(svcq_ctx_errmsg(plain), svcq_strerror(SVCQ_EBUSY));
    svcq_ctx_free(plain);
    assert_int_equal(svcq_store_set_error(NULL, SVCQ_EIO, "x"), SVCQ_EIO);
}

static void meaningful_codes(void **state)
{
    (void)state;
    test_alloc a;
    script s;
    svcq_ctx *ctx = script_ctx(&a, &s);
    char *b;
    size_t n;
    uint64_t rev;
    s.rc[CB_GET] = SVCQ_ENOTFOUND;
    assert_int_equal(svcq__store_get(ctx, "k", "id", &b, &n, &rev), SVCQ_ENOTFOUND);
    s.rc[CB_PUT] = SVCQ_ECONFLICT;
    s.rc[CB_REMOVE] = SVCQ_ECONFLICT;
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(svcq__store_put(ctx, "k", "id", 3, "x", 1, &rev), SVCQ_ECONFLICT);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "revision is not 3"));
    assert_int_equal(svcq__store_remove(ctx, "k", "id", 3), SVCQ_ECONFLICT);
    s.rc[CB_REMOVE] = SVCQ_ENOTFOUND;
    assert_int_equal(svcq__store_remove(ctx, "k", "id", 3), SVCQ_ENOTFOUND);
    /* They leave the transaction usable: the scope still commits. */
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);
    assert_int_equal(s.calls[CB_COMMIT], 1);
    /* A conflict at commit (a serializable database) stays a conflict;
     * the transaction is rolled back. */
    s.rc[CB_COMMIT] = SVCQ_ECONFLICT;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_ECONFLICT);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "store commit: revision conflict"));
    assert_int_equal(s.calls[CB_ROLLBACK], 1);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_ECONFLICT);
    assert_int_equal(s.calls[CB_ROLLBACK], 2);
    s.rc[CB_COMMIT] = SVCQ_OK;
    s.calls[CB_ROLLBACK] = 0;
    /* In the wrong callback they are failures. */
    s.rc[CB_GET] = SVCQ_ECONFLICT;
    assert_int_equal(svcq__store_get(ctx, "k", "id", &b, &n, &rev), SVCQ_ESTORE);
    s.rc[CB_PUT] = SVCQ_ENOTFOUND;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(svcq__store_put(ctx, "k", "id", 3, "x", 1, &rev), SVCQ_ESTORE);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_ESTORE), SVCQ_ESTORE);
    assert_int_equal(s.calls[CB_ROLLBACK], 1);
    ctx_done(ctx, &a);
}

static void misbehaving_stores(void **state)
{
    (void)state;
    test_alloc a;
    script s;
    svcq_ctx *ctx = script_ctx(&a, &s);
    char *b = NULL;
    size_t n;
    uint64_t rev;

    /* get: success without a record, two records, another id. */
    s.get_visits = 0;
    assert_int_equal(svcq__store_get(ctx, "k", "id", &b, &n, &rev), SVCQ_ESTORE);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "store get(k, id)"));
    s.get_visits = 2;
    assert_int_equal(svcq__store_get(ctx, "k", "id", &b, &n, &rev), SVCQ_ESTORE);
    s.get_visits = 1;
    s.visit_id = "other";
    assert_int_equal(svcq__store_get(ctx, "k", "id", &b, &n, &rev), SVCQ_ESTORE);
    /* A visitor failure the store ignores: still an error. */
    s.visit_rc = 0;
    assert_int_equal(svcq__store_get(ctx, "k", "id", &b, &n, &rev), SVCQ_ESTORE);
    s.visit_id = NULL;
    s.visit_rc = -1;
    assert_int_equal(svcq__store_get(ctx, "k", "id", &b, &n, &rev), SVCQ_OK);
    assert_int_equal(n, 2);
    assert_string_equal(b, "{}");
    assert_int_equal(rev, 7);
    svcq__free(ctx, b);

    /* scan: an invalid id aborts with ESTORE. */
    s.visit_id = "bad\x01";
    assert_int_equal(svcq__store_scan(ctx, "k", nop_visit, NULL), SVCQ_ESTORE);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "invalid record"));
    s.visit_id = NULL;

    /* put: revision 0 or the expected one. Both abort the transaction. */
    svcq__tx tx;
    for (int i = 0; i < 2; i++) {
        s.put_revision = i == 0 ? 0 : 3;
        s.rc[CB_PUT] = 0;
        /* With put_revision 0 the script returns expected + 1: 0 here. */
        assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
        int rc = svcq__store_put(ctx, "k", "id", i == 0 ? UINT64_MAX : 3, "x", 1, &rev);
        assert_int_equal(rc, SVCQ_ESTORE);
        assert_non_null(strstr(svcq_ctx_errmsg(ctx), i == 0 ? "zero" : "the expected one"));
        /* The call ignores the failure: the end still refuses to commit. */
        assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_ESTATE);
    }
    assert_int_equal(s.calls[CB_COMMIT], 0);
    ctx_done(ctx, &a);
}

static int stop_visit(svcq_ctx *ctx, const char *id, uint64_t rev, const char *bytes, size_t size, void *ud)
{
    (void)ctx, (void)id, (void)rev, (void)bytes, (void)size;
    return *(int *)ud;
}

static int reenter_visit(svcq_ctx *ctx, const char *id, uint64_t rev, const char *bytes, size_t size, void *ud)
{
    (void)id, (void)rev, (void)bytes, (void)size, (void)ud;
    char *b;
    size_t n;
    uint64_t r;
    int rc = svcq__store_get(ctx, "k", "x", &b, &n, &r);
    assert_int_equal(rc, SVCQ_ESTATE);
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_ESTATE);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_ESTATE);
    assert_int_equal(svcq_ctx_set_store(ctx, NULL), SVCQ_ESTATE);
    return rc;
}

static void scan_visitor_codes(void **state)
{
    (void)state;
    test_alloc a;
    script s;
    svcq_ctx *ctx = script_ctx(&a, &s);
    /* Whatever the visitor returns comes back unchanged, even codes that
     * from the store itself would be mapped. */
    int codes[] = { 5, SVCQ_EABORTED, SVCQ_ESTATE, SVCQ_ENOMEM };
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        assert_int_equal(svcq__store_scan(ctx, "k", stop_visit, &codes[i]), codes[i]);
    /* A store that swallows the visitor's code and fails otherwise. */
    s.visit_rc = SVCQ_EIO;
    assert_int_equal(svcq__store_scan(ctx, "k", stop_visit, &codes[0]), SVCQ_EIO);
    s.visit_rc = -1;
    /* Visitors cannot re-enter the store. */
    assert_int_equal(svcq__store_scan(ctx, "k", reenter_visit, NULL), SVCQ_ESTATE);
    ctx_done(ctx, &a);
}

static int busy_get(const char *kind, const char *id, svcq_store_visit_fn visit, void *vud, void *ud)
{
    (void)kind, (void)id, (void)visit, (void)vud;
    svcq_ctx *ctx = ud;
    /* A callback calling back into the library. */
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_ESTATE);
    assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_ESTATE);
    return SVCQ_ENOTFOUND;
}

static void callbacks_cannot_reenter(void **state)
{
    (void)state;
    test_alloc a;
    script s;
    svcq_ctx *ctx = script_ctx(&a, &s);
    svcq_store_methods m = script_methods(&s);
    m.get = busy_get;
    m.user_data = ctx;
    m.destroy = NULL;
    /* The other callbacks get ctx as user_data: only get is called. */
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    char *b;
    size_t n;
    uint64_t r;
    assert_int_equal(svcq__store_get(ctx, "k", "id", &b, &n, &r), SVCQ_ENOTFOUND);
    ctx_done(ctx, &a);
}

/* ---- scopes, batches and undo -------------------------------------------------- */

typedef struct probe {
    int undone[16];
    int nundone;
    int released;
} probe;

static void probe_undo(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    probe *p = data;
    p->undone[p->nundone++] = (int)arg;
}

static void probe_release(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx, (void)arg;
    probe *p = data;
    p->released++;
}

static void undo_log(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    probe p = { { 0 }, 0, 0 };

    /* Outside a scope, or without a reservation: refused. */
    assert_int_equal(svcq__undo_push(ctx, probe_undo, NULL, &p, 1), SVCQ_ESTATE);
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(svcq__undo_push(ctx, probe_undo, NULL, &p, 1), SVCQ_ESTATE);
    assert_int_equal(svcq__undo_reserve(ctx, 4), SVCQ_OK);
    for (int i = 1; i <= 3; i++)
        assert_int_equal(svcq__undo_push(ctx, probe_undo, probe_release, &p, (uint64_t)i), SVCQ_OK);
    assert_int_equal(svcq__undo_push(ctx, NULL, probe_release, &p, 4), SVCQ_OK);
    /* Failure: undone newest first; release only where there is no undo. */
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_EINVAL), SVCQ_EINVAL);
    assert_int_equal(p.nundone, 3);
    assert_int_equal(p.undone[0], 3);
    assert_int_equal(p.undone[2], 1);
    assert_int_equal(p.released, 1);

    /* Success: released only. */
    memset(&p, 0, sizeof(p));
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(svcq__undo_reserve(ctx, 2), SVCQ_OK);
    assert_int_equal(svcq__undo_push(ctx, probe_undo, probe_release, &p, 1), SVCQ_OK);
    assert_int_equal(svcq__undo_push(ctx, NULL, probe_release, &p, 2), SVCQ_OK);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);
    assert_int_equal(p.nundone, 0);
    assert_int_equal(p.released, 2);

    /* svcq__undo_set_u64 */
    uint64_t v = 5;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(svcq__undo_set_u64(ctx, NULL, &v, 6), SVCQ_ESTATE);
    assert_int_equal(v, 5);
    assert_int_equal(svcq__undo_reserve(ctx, 2), SVCQ_OK);
    assert_int_equal(svcq__undo_set_u64(ctx, NULL, &v, 6), SVCQ_OK);
    assert_int_equal(svcq__undo_set_u64(ctx, NULL, &v, 7), SVCQ_OK);
    assert_int_equal(v, 7);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_ECONFLICT), SVCQ_ECONFLICT);
    assert_int_equal(v, 5);

    /* A reservation that cannot be met. */
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    test_alloc_arm(&a, 1, false);
    assert_int_equal(svcq__undo_reserve(ctx, 1000), SVCQ_ENOMEM);
    test_alloc_arm(&a, 0, false);
    assert_int_equal(svcq__undo_reserve(ctx, SIZE_MAX), SVCQ_ENOMEM);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_ENOMEM), SVCQ_ENOMEM);
    ctx_done(ctx, &a);
}

static void batch_rules(void **state)
{
    (void)state;
    assert_int_equal(svcq_ctx_batch_begin(NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_ctx_batch_commit(NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_ctx_batch_rollback(NULL), SVCQ_EINVAL);
    test_alloc a;
    script s;
    svcq_ctx *ctx = script_ctx(&a, &s);
    assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_ESTATE);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_ESTATE);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_ESTATE);
    /* Scopes inside the batch join it: no begin or commit of their own. */
    svcq__tx tx;
    uint64_t rev;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
        assert_int_equal(svcq__store_put(ctx, "k", "id", 1, "x", 1, &rev), SVCQ_OK);
        /* A batch cannot end inside a scope. */
        assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_ESTATE);
        assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);
    }
    assert_int_equal(s.calls[CB_BEGIN], 1);
    assert_int_equal(s.calls[CB_COMMIT], 0);
    assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_OK);
    assert_int_equal(s.calls[CB_COMMIT], 1);
    assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_ESTATE);
    /* A scope cannot open a batch. */
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_ESTATE);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);

    /* begin failing: no batch. */
    s.rc[CB_BEGIN] = SVCQ_EIO;
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_EIO);
    assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_ESTATE);
    s.rc[CB_BEGIN] = 0;
    ctx_done(ctx, &a);
}

static void batch_undo(void **state)
{
    (void)state;
    test_alloc a;
    script s;
    svcq_ctx *ctx = script_ctx(&a, &s);
    probe p = { { 0 }, 0, 0 };
    svcq__tx tx;
    uint64_t rev;

    /* Rollback of a batch undoes every call in it. */
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
        assert_int_equal(svcq__undo_reserve(ctx, 1), SVCQ_OK);
        assert_int_equal(svcq__undo_push(ctx, probe_undo, probe_release, &p, (uint64_t)i), SVCQ_OK);
        assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);
    }
    assert_int_equal(p.released, 0);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    assert_int_equal(p.nundone, 3);
    assert_int_equal(p.undone[0], 3);
    assert_int_equal(p.released, 0);
    assert_int_equal(s.calls[CB_ROLLBACK], 1);

    /* A call failing before it wrote: only its own undo runs, the batch
     * goes on and commits. */
    memset(&p, 0, sizeof(p));
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(svcq__undo_reserve(ctx, 1), SVCQ_OK);
    assert_int_equal(svcq__undo_push(ctx, probe_undo, probe_release, &p, 1), SVCQ_OK);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(svcq__undo_reserve(ctx, 1), SVCQ_OK);
    assert_int_equal(svcq__undo_push(ctx, probe_undo, probe_release, &p, 2), SVCQ_OK);
    s.rc[CB_PUT] = SVCQ_ECONFLICT;
    assert_int_equal(svcq__store_put(ctx, "k", "id", 1, "x", 1, &rev), SVCQ_ECONFLICT);
    s.rc[CB_PUT] = 0;
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_ECONFLICT), SVCQ_ECONFLICT);
    assert_int_equal(p.nundone, 1);
    assert_int_equal(p.undone[0], 2);
    assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_OK);
    assert_int_equal(p.nundone, 1);
    assert_int_equal(p.released, 1);

    /* A call failing after it wrote aborts the batch. */
    memset(&p, 0, sizeof(p));
    memset(s.calls, 0, sizeof(s.calls));
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(svcq__undo_reserve(ctx, 1), SVCQ_OK);
    assert_int_equal(svcq__undo_push(ctx, probe_undo, probe_release, &p, 1), SVCQ_OK);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(svcq__undo_reserve(ctx, 1), SVCQ_OK);
    assert_int_equal(svcq__undo_push(ctx, probe_undo, probe_release, &p, 2), SVCQ_OK);
    assert_int_equal(svcq__store_put(ctx, "k", "id", 1, "x", 1, &rev), SVCQ_OK);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_EINVAL), SVCQ_EINVAL);
    assert_int_equal(p.nundone, 1); /* that call's handles are as before it */
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_ESTATE);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "aborted"));
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_ESTATE), SVCQ_ESTATE);
    assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_ESTATE);
    assert_int_equal(p.nundone, 2);
    assert_int_equal(p.released, 0);
    assert_int_equal(s.calls[CB_COMMIT], 0);
    assert_int_equal(s.calls[CB_ROLLBACK], 1);
    /* ... and the context is usable again. */
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_OK);

    /* A store failure inside a batch loses the transaction: aborted. */
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    s.rc[CB_GET] = SVCQ_EIO;
    char *b;
    size_t n;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(svcq__store_get(ctx, "k", "id", &b, &n, &rev), SVCQ_EIO);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_EIO), SVCQ_EIO);
    s.rc[CB_GET] = 0;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_ESTATE);
    assert_int_equal(svcq__store_put(ctx, "k", "id", 1, "x", 1, &rev), SVCQ_ESTATE);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);

    /* Commit failing: everything undone, rollback called, batch over. */
    memset(&p, 0, sizeof(p));
    memset(s.calls, 0, sizeof(s.calls));
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(svcq__undo_reserve(ctx, 1), SVCQ_OK);
    assert_int_equal(svcq__undo_push(ctx, probe_undo, probe_release, &p, 1), SVCQ_OK);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);
    s.rc[CB_COMMIT] = SVCQ_EBUSY;
    s.rc[CB_ROLLBACK] = SVCQ_EIO; /* hidden behind the commit's failure */
    assert_int_equal(svcq_ctx_batch_commit(ctx), SVCQ_EBUSY);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "store commit"));
    assert_int_equal(p.nundone, 1);
    assert_int_equal(s.calls[CB_ROLLBACK], 1);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_ESTATE);

    /* Rollback failing: reported, handles restored all the same. */
    memset(&p, 0, sizeof(p));
    s.rc[CB_COMMIT] = 0;
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(svcq__undo_reserve(ctx, 1), SVCQ_OK);
    assert_int_equal(svcq__undo_push(ctx, probe_undo, probe_release, &p, 1), SVCQ_OK);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_EIO);
    assert_int_equal(p.nundone, 1);
    s.rc[CB_ROLLBACK] = 0;

    /* A context freed with a batch open rolls the store back and releases
     * the undo entries without running them. */
    memset(&p, 0, sizeof(p));
    memset(s.calls, 0, sizeof(s.calls));
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    assert_int_equal(svcq__undo_reserve(ctx, 1), SVCQ_OK);
    assert_int_equal(svcq__undo_push(ctx, probe_undo, probe_release, &p, 1), SVCQ_OK);
    assert_int_equal(svcq__tx_end(ctx, &tx, SVCQ_OK), SVCQ_OK);
    ctx_done(ctx, &a);
    assert_int_equal(s.calls[CB_ROLLBACK], 1);
    assert_int_equal(s.destroyed, 1);
    assert_int_equal(p.nundone, 0);
    assert_int_equal(p.released, 1);
}

static void nested_scopes(void **state)
{
    (void)state;
    test_alloc a;
    script s;
    svcq_ctx *ctx = script_ctx(&a, &s);
    probe p = { { 0 }, 0, 0 };
    svcq__tx outer, inner;
    uint64_t rev;
    /* A call made inside another joins it; its failure after writing makes
     * the outer one fail to commit even if it ignores the failure. */
    assert_int_equal(svcq__tx_begin(ctx, &outer), SVCQ_OK);
    assert_int_equal(svcq__undo_reserve(ctx, 1), SVCQ_OK);
    assert_int_equal(svcq__undo_push(ctx, probe_undo, probe_release, &p, 1), SVCQ_OK);
    assert_int_equal(svcq__tx_begin(ctx, &inner), SVCQ_OK);
    assert_int_equal(svcq__store_put(ctx, "k", "id", 1, "x", 1, &rev), SVCQ_OK);
    assert_int_equal(svcq__tx_end(ctx, &inner, SVCQ_ENOMEM), SVCQ_ENOMEM);
    assert_int_equal(svcq__tx_end(ctx, &outer, SVCQ_OK), SVCQ_ESTATE);
    assert_int_equal(p.nundone, 1);
    assert_int_equal(s.calls[CB_COMMIT], 0);
    assert_int_equal(s.calls[CB_ROLLBACK], 1);
    /* An inner success commits with the outer. */
    assert_int_equal(svcq__tx_begin(ctx, &outer), SVCQ_OK);
    assert_int_equal(svcq__tx_begin(ctx, &inner), SVCQ_OK);
    assert_int_equal(svcq__store_put(ctx, "k", "id", 1, "x", 1, &rev), SVCQ_OK);
    assert_int_equal(svcq__tx_end(ctx, &inner, SVCQ_OK), SVCQ_OK);
    assert_int_equal(s.calls[CB_COMMIT], 0);
    assert_int_equal(svcq__tx_end(ctx, &outer, SVCQ_OK), SVCQ_OK);
    assert_int_equal(s.calls[CB_COMMIT], 1);
    assert_int_equal(s.calls[CB_BEGIN], 2);
    /* An inert scope (begin failed) passes the code through. */
    svcq__tx dead = { 0, 0, 0, false };
    assert_int_equal(svcq__tx_end(ctx, &dead, SVCQ_EIO), SVCQ_EIO);
    ctx_done(ctx, &a);
}

static void names(void **state)
{
    (void)state;
    assert_true(svcq__store_kind_valid("a", 1));
    assert_true(svcq__store_kind_valid("incident_2", 10));
    assert_false(svcq__store_kind_valid("", 0));
    assert_false(svcq__store_kind_valid("A", 1));
    assert_false(svcq__store_kind_valid("9a", 2));
    assert_true(svcq__store_id_valid("x", 1));
    assert_false(svcq__store_id_valid("", 0));
    assert_false(svcq__store_id_valid("a\0b", 3));
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    assert_int_equal(svcq__store_check_kind(ctx, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq__store_check_id(ctx, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq__store_check_id(ctx, "\xC3"), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "UTF-8"));
    assert_int_equal(svcq__store_check_id(ctx, "a\tb"), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "control"));
    assert_int_equal(svcq__store_check_id(ctx, ""), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "empty"));
    char long_id[SVCQ_STORE_MAX_ID + 2];
    memset(long_id, 'a', sizeof(long_id) - 1);
    long_id[sizeof(long_id) - 1] = '\0';
    assert_int_equal(svcq__store_check_id(ctx, long_id), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "longer"));
    long_id[SVCQ_STORE_MAX_ID] = '\0';
    assert_int_equal(svcq__store_check_id(ctx, long_id), SVCQ_OK);
    ctx_done(ctx, &a);
}

/* The checks as the storage contract words them, byte by byte, against the
 * word-at-a-time ones: every byte value at every position of ids of 1-40
 * bytes, and random strings of bytes near the boundaries. */
static bool id_oracle(const char *id, size_t len)
{
    if (len == 0 || len > SVCQ_STORE_MAX_ID)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)id[i];
        if (c < 0x20 || c == 0x7F)
            return false;
    }
    return svcq__utf8_valid(id, len);
}

static bool kind_oracle(const char *kind, size_t len)
{
    if (len == 0 || len > SVCQ_STORE_MAX_KIND || !(kind[0] >= 'a' && kind[0] <= 'z'))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((kind[i] >= 'a' && kind[i] <= 'z') || (kind[i] >= '0' && kind[i] <= '9') || kind[i] == '_'))
            return false;
    return true;
}

static void names_against_oracle(void **state)
{
    (void)state;
    char b[SVCQ_STORE_MAX_ID + 8];
    for (size_t len = 1; len <= 40; len++)
        for (size_t at = 0; at < len; at++)
            for (int v = 0; v < 256; v++) {
                memset(b, 'k', len);
                b[at] = (char)v;
                assert_int_equal(svcq__store_id_valid(b, len), id_oracle(b, len));
                assert_int_equal(svcq__store_kind_valid(b, len), kind_oracle(b, len));
            }
    static const unsigned char pool[] = { 0x00, 0x01, 0x1F, 0x20, 0x21, 0x7E, 0x7F, 0x80, 0xA9, 0xBF, 0xC3,
                                          0xE2, 0x82, 0xAC, 0xF0, 0x9F, 'a', 'z', '0', '9', '_', 'A' };
    uint64_t r = 0x853c49e6748fea9bu;
    for (int n = 0; n < 200000; n++) {
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        size_t len = 1 + (size_t)(r % (SVCQ_STORE_MAX_ID + 4));
        uint64_t x = r;
        size_t from = r & 1 ? 0 : 3; /* half of them without controls */
        for (size_t i = 0; i < len; i++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            b[i] = (char)pool[from + (x >> 33) % (sizeof(pool) - from)];
        }
        assert_int_equal(svcq__store_id_valid(b, len), id_oracle(b, len));
        assert_int_equal(svcq__store_kind_valid(b, len), kind_oracle(b, len));
    }
    /* Valid UTF-8 across the word boundaries. */
    const char *ok = "\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 fine";
    assert_true(svcq__store_id_valid(ok, strlen(ok)));
}

/* ---- the put checks against a per-byte reference --------------------------------- */

/* What a put of (kind, id, terms) must answer, from the rules as
 * svcq/store.h words them, a byte at a time: the code and the message. */
static bool ref_name(const char *s, size_t max)
{
    size_t n = 0;
    while (n <= max && s[n])
        n++;
    if (n == 0 || n > max || !(s[0] >= 'a' && s[0] <= 'z'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

static bool ref_text(const char *s, size_t len, bool *control)
{
    *control = false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7F)
            *control = true;
    return svcq__utf8_valid(s, len);
}

static int ref_put(const char *kind, const char *id, const svcq_store_term *t, size_t n, char *msg, size_t size)
{
    bool control;
    if (!kind)
        return snprintf(msg, size, "record kind is NULL"), SVCQ_EINVAL;
    if (!ref_name(kind, SVCQ_STORE_MAX_KIND))
        return snprintf(msg, size, "record kind must be 1-%d bytes of a-z, 0-9 and _, starting with a letter",
                        SVCQ_STORE_MAX_KIND), SVCQ_EINVAL;
    if (!id)
        return snprintf(msg, size, "record id is NULL"), SVCQ_EINVAL;
    size_t len = strlen(id);
    if (len == 0)
        return snprintf(msg, size, "record id is empty"), SVCQ_EINVAL;
    if (len > SVCQ_STORE_MAX_ID)
        return snprintf(msg, size, "record id is longer than %d bytes", SVCQ_STORE_MAX_ID), SVCQ_EINVAL;
    if (!ref_text(id, len, &control))
        return snprintf(msg, size, "record id is not valid UTF-8"), SVCQ_EINVAL;
    if (control)
        return snprintf(msg, size, "record id contains a control character"), SVCQ_EINVAL;
    if (n > SVCQ_STORE_MAX_TERMS)
        return snprintf(msg, size, "record %s/%s declares %zu index terms, more than %d", kind, id, n,
                        SVCQ_STORE_MAX_TERMS), SVCQ_ELIMIT;
    if (n && !t)
        return snprintf(msg, size, "record %s/%s: index terms are NULL", kind, id), SVCQ_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (!t[i].name || !ref_name(t[i].name, SVCQ_STORE_MAX_TERM_NAME))
            return snprintf(msg, size, "record %s/%s: index term %zu: the name must be 1-%d bytes of a-z, 0-9 "
                            "and _, starting with a letter", kind, id, i, SVCQ_STORE_MAX_TERM_NAME), SVCQ_EINVAL;
        if (t[i].type == SVCQ_STORE_TERM_STRING) {
            size_t sl = t[i].s ? strlen(t[i].s) : 0;
            if (!t[i].s || sl > SVCQ_STORE_MAX_TERM_VALUE || !ref_text(t[i].s, sl, &control) || control)
                return snprintf(msg, size, "record %s/%s: index term %s: a string value must be 0-%d bytes of "
                                "UTF-8 without control characters", kind, id, t[i].name, SVCQ_STORE_MAX_TERM_VALUE),
                       SVCQ_EINVAL;
        } else if (t[i].type != SVCQ_STORE_TERM_INT64) {
            return snprintf(msg, size, "record %s/%s: index term %s has unknown type %d", kind, id, t[i].name,
                            (int)t[i].type), SVCQ_EINVAL;
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(t[k].name, t[i].name) == 0)
                return snprintf(msg, size, "record %s/%s declares index term %s twice", kind, id, t[i].name),
                       SVCQ_EINVAL;
    }
    msg[0] = '\0';
    return SVCQ_OK;
}

/* A store whose put2 keeps the names of the terms it was given. */
static char got_names[SVCQ_STORE_MAX_TERMS][SVCQ_STORE_MAX_TERM_NAME + 1];
static size_t got_n;
static int r_put2(const char *kind, const char *id, uint64_t expected, const void *bytes, size_t size,
                  const svcq_store_term *terms, size_t n, uint64_t *rev, void *ud)
{
    (void)kind, (void)id, (void)bytes, (void)size, (void)ud;
    got_n = n;
    for (size_t i = 0; i < n; i++)
        snprintf(got_names[i], sizeof(got_names[i]), "%s", terms[i].name);
    *rev = expected + 1;
    return 0;
}
static int r_scan_term(const char *kind, const char *name, int32_t type, const svcq_store_term *lo,
                       const svcq_store_term *hi, const svcq_store_term *after, const char *after_id, uint32_t limit,
                       svcq_store_term_visit_fn visit, void *vud, void *ud)
{
    (void)kind, (void)name, (void)type, (void)lo, (void)hi, (void)after, (void)after_id, (void)limit;
    (void)visit, (void)vud, (void)ud;
    return 0;
}

static int cmp_name(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static int checked_puts;

static void put_vs_ref(svcq_ctx *ctx, const char *kind, const char *id, const svcq_store_term *t, size_t n)
{
    char want[512];
    int want_rc = ref_put(kind, id, t, n, want, sizeof(want));
    svcq__tx tx;
    assert_int_equal(svcq__tx_begin(ctx, &tx), SVCQ_OK);
    uint64_t rev = 0;
    got_n = 99;
    int rc = svcq__store_put_terms(ctx, kind, id, 0, "{}", 2, t, n, &rev);
    if (rc != want_rc || (rc && strcmp(svcq_ctx_errmsg(ctx), want) != 0))
        fail_msg("put(%s, %s, %zu terms): %d \"%s\", the reference says %d \"%s\"", kind ? kind : "(null)",
                 id ? id : "(null)", n, rc, rc ? svcq_ctx_errmsg(ctx) : "", want_rc, want);
    if (!rc) {
        /* The store got them all, sorted by name. */
        const char *names[SVCQ_STORE_MAX_TERMS];
        for (size_t i = 0; i < n; i++)
            names[i] = t[i].name;
        qsort(names, n, sizeof(names[0]), cmp_name);
        assert_int_equal(got_n, n);
        for (size_t i = 0; i < n; i++)
            assert_string_equal(got_names[i], names[i]);
    } else {
        assert_int_equal(got_n, 99);
    }
    assert_int_equal(svcq__tx_end(ctx, &tx, rc), rc);
    checked_puts++;
}

static void put_checks_against_reference(void **state)
{
    (void)state;
    test_alloc a;
    script s;
    svcq_ctx *ctx = script_ctx(&a, &s);
    svcq_store_methods m = script_methods(&s);
    m.put2 = r_put2;
    m.scan_term = r_scan_term;
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    s.ctx = ctx;
    /* Bytes that break a name or a text somewhere, and some that do not. */
    static const unsigned char bad[] = { 0x01, 0x09, 0x1F, ' ', '-', 'A', '0', '_', 0x7E, 0x7F, 0x80, 0xC3, 0xE2,
                                         0xFF };
    char b[SVCQ_STORE_MAX_ID + 16];
    svcq_store_term t[SVCQ_STORE_MAX_TERMS + 1];
    memset(t, 0, sizeof(t));
    for (size_t i = 0; i < SVCQ_STORE_MAX_TERMS + 1; i++)
        t[i].version = SVCQ_STORE_TERM_VERSION;
    /* Kinds and term names: every length from empty to max+1 (max+8 for
     * the word-sized reads), each byte in turn replaced. */
    for (size_t len = 0; len <= SVCQ_STORE_MAX_KIND + 8; len++) {
        for (size_t at = 0; at <= len; at++) {
            for (size_t v = 0; v < (at < len ? sizeof(bad) : 1); v++) { /* at == len: as it is, once */
                memset(b, 'k', len);
                b[len] = '\0';
                if (at < len)
                    b[at] = (char)bad[v];
                put_vs_ref(ctx, b, "id", NULL, 0);
                t[0].name = "a";
                t[0].type = SVCQ_STORE_TERM_INT64;
                t[1].name = b;
                t[1].type = SVCQ_STORE_TERM_INT64;
                put_vs_ref(ctx, "kind", "id", t, 2);
            }
        }
    }
    /* Ids and string values: short ones, the lengths around a word and
     * around both limits, a bad byte at every position. */
    for (size_t len = 0; len <= SVCQ_STORE_MAX_ID + 1; len++) {
        bool edge = len <= 33 || (len >= SVCQ_STORE_MAX_TERM_VALUE - 9 && len <= SVCQ_STORE_MAX_TERM_VALUE + 1) ||
                    len >= SVCQ_STORE_MAX_ID - 9;
        if (!edge)
            continue;
        for (size_t at = 0; at <= len; at++) {
            for (size_t v = 0; v < (at < len ? sizeof(bad) : 1); v++) {
                memset(b, 'k', len);
                b[len] = '\0';
                if (at < len)
                    b[at] = (char)bad[v];
                put_vs_ref(ctx, "kind", b, NULL, 0);
                t[0].name = "s";
                t[0].type = SVCQ_STORE_TERM_STRING;
                t[0].s = b;
                put_vs_ref(ctx, "kind", "id", t, 1);
                t[0].s = NULL;
            }
        }
    }
    /* Valid multi-byte texts across the word boundaries, and a truncated one. */
    const char *texts[] = { "\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 fine", "abcdefg\xC3\xA9", "abcdefgh\xC3",
                            "\xE2\x82\xAC", "\xED\xA0\x80" /* a surrogate */, "abc\xC0\xAF" /* overlong */ };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        put_vs_ref(ctx, "kind", texts[i], NULL, 0);
        t[0].name = "s";
        t[0].type = SVCQ_STORE_TERM_STRING;
        t[0].s = texts[i];
        put_vs_ref(ctx, "kind", "id", t, 1);
    }
    /* Sets of names: sorted, reversed, shuffled, prefixes of each other,
     * duplicates anywhere, too many, NULL, unknown types. */
    const char *pool[] = { "state", "stage", "st", "s", "state_since", "type", "client", "a", "z9", "stat" };
    uint64_t r = 0x9e3779b97f4a7c15u;
    for (int round = 0; round < 4000; round++) {
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        size_t n = (size_t)(r % (SVCQ_STORE_MAX_TERMS + 2));
        uint64_t x = r;
        for (size_t i = 0; i < n; i++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            t[i].name = (x >> 60) == 0 ? NULL : pool[(x >> 33) % (sizeof(pool) / sizeof(pool[0]))];
            t[i].type = (x >> 58 & 15) == 1 ? 7 : (x >> 40 & 1) ? SVCQ_STORE_TERM_STRING : SVCQ_STORE_TERM_INT64;
            t[i].s = t[i].type == SVCQ_STORE_TERM_STRING ? "v" : NULL;
            t[i].i = (int64_t)x;
        }
        put_vs_ref(ctx, "kind", "id", t, n);
    }
    put_vs_ref(ctx, NULL, "id", NULL, 0);
    put_vs_ref(ctx, "kind", NULL, NULL, 0);
    put_vs_ref(ctx, "kind", "id", NULL, 1);
    put_vs_ref(ctx, "kind", "id", NULL, SVCQ_STORE_MAX_TERMS + 1);
    assert_true(checked_puts > 20000);
    ctx_done(ctx, &a);
}

/* ---- module slots --------------------------------------------------------------- */

static char slot_order[16];

static void slot_down(svcq_ctx *ctx, void *state)
{
    (void)ctx;
    strcat(slot_order, state);
}

static int nop(void *ud)
{
    (void)ud;
    return 0;
}
static int nop_get(const char *k, const char *i, svcq_store_visit_fn v, void *vu, void *ud)
{
    (void)k, (void)i, (void)v, (void)vu, (void)ud;
    return SVCQ_ENOTFOUND;
}
static int nop_put(const char *k, const char *i, uint64_t e, const void *b, size_t n, uint64_t *r, void *ud)
{
    (void)k, (void)i, (void)e, (void)b, (void)n, (void)ud;
    *r = 1;
    return 0;
}
static int nop_remove(const char *k, const char *i, uint64_t e, void *ud)
{
    (void)k, (void)i, (void)e, (void)ud;
    return 0;
}
static int nop_scan(const char *k, svcq_store_visit_fn v, void *vu, void *ud)
{
    (void)k, (void)v, (void)vu, (void)ud;
    return 0;
}
static void store_down(void *ud)
{
    (void)ud;
    strcat(slot_order, "s");
}

/* The store keeps its state in its slot of the context; modules register
 * theirs; svcq_ctx_free tears them down highest module first, the store
 * last. */
static void module_slots(void **state)
{
    (void)state;
    test_alloc a;
    test_alloc_init(&a);
    svcq_ctx *ctx = test_ctx_new(&a);
    assert_null(svcq__ctx_slot(ctx, SVCQ__SLOT_STORE)); /* nothing made before first use */
    assert_int_equal(svcq__ctx_slot_set(ctx, -1, "x", slot_down), SVCQ_EINVAL);
    assert_int_equal(svcq__ctx_slot_set(ctx, SVCQ__SLOT_COUNT, "x", slot_down), SVCQ_EINVAL);
    assert_int_equal(svcq__ctx_slot_set(NULL, SVCQ__SLOT_SLA, "x", slot_down), SVCQ_EINVAL);
    static char sla[] = "a", metrics[] = "m", tier[] = "t";
    assert_int_equal(svcq__ctx_slot_set(ctx, SVCQ__SLOT_SLA, sla, slot_down), SVCQ_OK);
    assert_int_equal(svcq__ctx_slot_set(ctx, SVCQ__SLOT_SLA, metrics, slot_down), SVCQ_ESTATE);
    assert_ptr_equal(svcq__ctx_slot(ctx, SVCQ__SLOT_SLA), sla);
    assert_int_equal(svcq__ctx_slot_set(ctx, SVCQ__SLOT_METRICS, metrics, slot_down), SVCQ_OK);
    /* Emptied: its teardown is not called. */
    assert_int_equal(svcq__ctx_slot_set(ctx, SVCQ__SLOT_TIER, tier, slot_down), SVCQ_OK);
    assert_int_equal(svcq__ctx_slot_set(ctx, SVCQ__SLOT_TIER, NULL, NULL), SVCQ_OK);
    assert_null(svcq__ctx_slot(ctx, SVCQ__SLOT_TIER));
    svcq_store_methods m = SVCQ_STORE_METHODS_INIT;
    m.begin = m.commit = m.rollback = nop;
    m.get = nop_get;
    m.put = nop_put;
    m.remove = nop_remove;
    m.scan = nop_scan;
    m.destroy = store_down;
    assert_int_equal(svcq_ctx_set_store(ctx, &m), SVCQ_OK);
    svcq__store_state *st = svcq__ctx_slot(ctx, SVCQ__SLOT_STORE);
    assert_non_null(st);
    assert_ptr_equal(st, svcq__store_peek(ctx));
    assert_true(st->store.destroy == store_down);
    slot_order[0] = '\0';
    svcq_ctx_free(ctx);
    assert_string_equal(slot_order, "mas");
    assert_int_equal(a.live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(module_slots),
        cmocka_unit_test(methods_init_matches_macro),
        cmocka_unit_test(limits),
        cmocka_unit_test(set_store_checks),
        cmocka_unit_test(default_memory_store_is_lazy),
        cmocka_unit_test(failures_are_mapped),
        cmocka_unit_test(meaningful_codes),
        cmocka_unit_test(misbehaving_stores),
        cmocka_unit_test(scan_visitor_codes),
        cmocka_unit_test(callbacks_cannot_reenter),
        cmocka_unit_test(callback_reason),
        cmocka_unit_test(undo_log),
        cmocka_unit_test(batch_rules),
        cmocka_unit_test(batch_undo),
        cmocka_unit_test(nested_scopes),
        cmocka_unit_test(names),
        cmocka_unit_test(names_against_oracle),
        cmocka_unit_test(put_checks_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
