#include <stdlib.h>
#include <string.h>

#include "faulty_store.h"

static bool fail_now(faulty_store *f)
{
    f->calls++;
    if (f->fail_at && (f->calls == f->fail_at || (f->keep_failing && f->calls > f->fail_at))) {
        f->injected++;
        return true;
    }
    return false;
}

static int f_begin(void *ud)
{
    faulty_store *f = ud;
    return fail_now(f) ? f->error : f->inner.begin(f->inner.user_data);
}

static int f_commit(void *ud)
{
    faulty_store *f = ud;
    if (fail_now(f)) {
        (void)f->inner.rollback(f->inner.user_data);
        return f->error;
    }
    return f->inner.commit(f->inner.user_data);
}

static int f_rollback(void *ud)
{
    faulty_store *f = ud;
    bool fail = fail_now(f);
    int rc = f->inner.rollback(f->inner.user_data);
    return fail ? f->error : rc;
}

static int f_get(const char *kind, const char *id, svcq_store_visit_fn visit, void *vud, void *ud)
{
    faulty_store *f = ud;
    return fail_now(f) ? f->error : f->inner.get(kind, id, visit, vud, f->inner.user_data);
}

static int f_put(const char *kind, const char *id, uint64_t expected, const void *bytes, size_t size,
                 uint64_t *rev, void *ud)
{
    faulty_store *f = ud;
    return fail_now(f) ? f->error : f->inner.put(kind, id, expected, bytes, size, rev, f->inner.user_data);
}

static int f_remove(const char *kind, const char *id, uint64_t expected, void *ud)
{
    faulty_store *f = ud;
    return fail_now(f) ? f->error : f->inner.remove(kind, id, expected, f->inner.user_data);
}

static int f_scan(const char *kind, svcq_store_visit_fn visit, void *vud, void *ud)
{
    faulty_store *f = ud;
    return fail_now(f) ? f->error : f->inner.scan(kind, visit, vud, f->inner.user_data);
}

static int f_put2(const char *kind, const char *id, uint64_t expected, const void *bytes, size_t size,
                  const svcq_store_term *terms, size_t n_terms, uint64_t *rev, void *ud)
{
    faulty_store *f = ud;
    return fail_now(f) ? f->error
                       : f->inner.put2(kind, id, expected, bytes, size, terms, n_terms, rev, f->inner.user_data);
}

static int f_scan_range(const char *kind, const char *after, uint32_t limit, svcq_store_visit_fn visit, void *vud,
                        void *ud)
{
    faulty_store *f = ud;
    return fail_now(f) ? f->error : f->inner.scan_range(kind, after, limit, visit, vud, f->inner.user_data);
}

static int f_scan_term(const char *kind, const char *name, int32_t type, const svcq_store_term *lo,
                       const svcq_store_term *hi, const svcq_store_term *after, const char *after_id, uint32_t limit,
                       svcq_store_term_visit_fn visit, void *vud, void *ud)
{
    faulty_store *f = ud;
    return fail_now(f) ? f->error
                       : f->inner.scan_term(kind, name, type, lo, hi, after, after_id, limit, visit, vud,
                                            f->inner.user_data);
}

static void f_destroy(void *ud)
{
    faulty_store *f = ud;
    if (f->inner.destroy)
        f->inner.destroy(f->inner.user_data);
    if (f->free_on_destroy)
        free(f);
}

void faulty_store_init(faulty_store *f, const svcq_store_methods *inner)
{
    memset(f, 0, sizeof(*f));
    f->inner = *inner;
    f->error = SVCQ_EIO;
}

void faulty_store_methods(faulty_store *f, svcq_store_methods *out)
{
    svcq_store_methods m = SVCQ_STORE_METHODS_INIT;
    m.user_data = f;
    m.begin = f_begin;
    m.commit = f_commit;
    m.rollback = f_rollback;
    m.get = f_get;
    m.put = f_put;
    m.remove = f_remove;
    m.scan = f_scan;
    m.destroy = f_destroy;
    /* The version-2 callbacks the wrapped store has (each counts). */
    if (f->inner.version >= 2) {
        m.put2 = f->inner.put2 ? f_put2 : NULL;
        m.scan_range = f->inner.scan_range ? f_scan_range : NULL;
        m.scan_term = f->inner.scan_term ? f_scan_term : NULL;
    } else {
        m.version = 1;
    }
    *out = m;
}

void faulty_store_arm(faulty_store *f, size_t fail_at, bool keep_failing)
{
    f->calls = 0;
    f->injected = 0;
    f->fail_at = fail_at;
    f->keep_failing = keep_failing;
}
