/* The conformance suite against the stores that are neither the memory
 * nor the file store: the faulty wrapper passing everything through (over
 * both built-in stores) and the example's directory store. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "faulty_store.h"
#include "store/store.h"
#include "store_conformance.h"
#include "svcq.h"
#include "test_fs.h"

/* The example, without its main(). */
#define CUSTOM_STORE_NO_MAIN
#include "../../examples/custom_store.c"

typedef struct paths {
    char *dir;
    char *path;
} paths;

static int wrap(svcq_store_methods *m, int rc)
{
    if (rc)
        return rc;
    faulty_store *f = malloc(sizeof(*f));
    if (!f)
        return SVCQ_ENOMEM;
    faulty_store_init(f, m);
    f->free_on_destroy = true;
    faulty_store_methods(f, m);
    return SVCQ_OK;
}

static int faulty_memory(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    (void)data;
    return wrap(m, svcq__memstore_new(ctx, m));
}

static int open_file(svcq_ctx *ctx, svcq_store_methods *m, const char *path)
{
    svcq_store_file *fs;
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.durability = SVCQ_STORE_SYNC_NONE;
    int rc = svcq_store_file_open(&fs, ctx, path, &o);
    if (!rc)
        rc = svcq_store_file_methods(m, fs);
    return rc;
}

static int faulty_file(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    paths *p = data;
    unlink(p->path);
    return wrap(m, open_file(ctx, m, p->path));
}

static int faulty_file_reopen(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    paths *p = data;
    return wrap(m, open_file(ctx, m, p->path));
}

static void faulty_pass_through(void **state)
{
    (void)state;
    store_conformance_factory mem = { "faulty(memory)", faulty_memory, NULL, NULL, 0 };
    assert_int_equal(store_conformance_run(&mem), 0);
    paths p = { test_tmpdir("confw"), NULL };
    p.path = test_path(p.dir, "j");
    store_conformance_factory file = { "faulty(file)", faulty_file, faulty_file_reopen, &p, 0 };
    assert_int_equal(store_conformance_run(&file), 0);
    test_rmtree(p.dir);
    free(p.path);
    free(p.dir);
}

static int dir_create(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    (void)ctx;
    paths *p = data;
    test_rmtree(p->path);
    return dirstore_open(p->path, m);
}

static int dir_reopen(svcq_ctx *ctx, svcq_store_methods *m, void *data)
{
    (void)ctx;
    paths *p = data;
    return dirstore_open(p->path, m);
}

static void example_directory_store(void **state)
{
    (void)state;
    paths p = { test_tmpdir("confd"), NULL };
    p.path = test_path(p.dir, "records");
    store_conformance_factory f = { "directory (examples/custom_store.c)", dir_create, dir_reopen, &p, 0 };
    assert_int_equal(store_conformance_run(&f), 0);
    test_rmtree(p.dir);
    free(p.path);
    free(p.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(faulty_pass_through),
        cmocka_unit_test(example_directory_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
