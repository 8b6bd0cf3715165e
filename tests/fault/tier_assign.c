/* Allocation failure (at every allocation) and storage failure (at every
 * store callback, with a plain and an unknown error code) over every
 * assigner change — assign (weighted round-robin, named agent made on the
 * first request, off-shift skips), release, agent and team replacement,
 * named agents, absence, routes from profiles, saving — unbound, bound
 * (write-through) and inside a host batch with several changes. After
 * every failed run the whole state is compared: the assigner's complete
 * JSON export and every agent, team and assigner record in the store. A
 * successful run leaves a store from which a fresh load gives the same
 * export. Nothing leaks. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fault.h"
#include "faulty_store.h"
#include "store/store.h"
#include "svcq.h"

#ifndef SVCQ_TEST_DATA
#error "SVCQ_TEST_DATA must name the tests/data directory"
#endif
#define ZONEINFO SVCQ_TEST_DATA "/zoneinfo"
#define FRIDAY_10H 1790906400 /* 2026-10-02 10:00 Shanghai */
#define HOLIDAY_10H 1790820000

enum mode { UNBOUND, BOUND, BATCH };
enum op { OP_ASSIGN_WRR, OP_ASSIGN_NAMED, OP_RELEASE, OP_PUT_AGENT, OP_ADD_AGENT, OP_PUT_TEAM, OP_NAMED,
          OP_RENAME, OP_ABSENT, OP_PROFILES, OP_SAVE, OP_COUNT };
static const char *const op_names[OP_COUNT] = { "assign_wrr", "assign_named", "release", "put_agent", "add_agent",
                                                "put_team", "named", "rename", "absent", "profiles", "save" };

typedef struct st {
    test_alloc *alloc;
    svcq_ctx *ctx;
    faulty_store *faulty;
    bool inject_store;
    enum mode mode;
    enum op op;
    svcq_assigner *a;
    svcq_assignment *d;
    svcq_tier_profiles *profiles;
    svcq_calendar *cal;
} st;

static svcq_calendar *shanghai(svcq_ctx *ctx)
{
    svcq_tz *tz;
    assert_int_equal(svcq_tz_load(&tz, ctx, "Asia/Shanghai", ZONEINFO), SVCQ_OK);
    svcq_calendar *cal;
    assert_int_equal(svcq_sla_default_calendar(&cal, ctx, tz), SVCQ_OK);
    svcq_tz_free(tz);
    assert_int_equal(svcq_calendar_set_closed(cal, 2026, 10, 1), SVCQ_OK);
    return cal;
}

static void agent(st *s, const char *id, int64_t cap, int64_t weight, const svcq_calendar *cal)
{
    svcq_agent_spec a = SVCQ_AGENT_SPEC_INIT;
    const char *skills[] = { "billing", "vip" };
    a.id = id;
    a.capacity = cap;
    a.weight = weight;
    a.skills = skills;
    a.skill_count = 2;
    a.calendar = cal;
    assert_int_equal(svcq_assigner_put_agent(s->a, &a), SVCQ_OK);
}

static int assign(st *s, const char *item, int32_t tier, const char *client, svcq_time at)
{
    svcq_assign_request r = SVCQ_ASSIGN_REQUEST_INIT;
    r.item_id = item;
    r.client_id = client;
    r.tier = tier;
    r.at = at;
    return svcq_assigner_assign(s->d, s->a, &r);
}

static void *setup(test_alloc *alloc, bool inject_store, int error, enum mode mode, enum op op)
{
    st *s = calloc(1, sizeof(*s));
    s->alloc = alloc;
    s->inject_store = inject_store;
    s->mode = mode;
    s->op = op;
    s->ctx = test_ctx_new(alloc);
    svcq_store_methods inner, m;
    assert_int_equal(svcq__memstore_new(s->ctx, &inner), SVCQ_OK);
    s->faulty = malloc(sizeof(*s->faulty));
    faulty_store_init(s->faulty, &inner);
    s->faulty->error = error;
    s->faulty->free_on_destroy = true;
    faulty_store_methods(s->faulty, &m);
    assert_int_equal(svcq_ctx_set_store(s->ctx, &m), SVCQ_OK);
    s->cal = shanghai(s->ctx);
    assert_int_equal(svcq_assigner_new(&s->a, s->ctx), SVCQ_OK);
    assert_int_equal(svcq_assignment_new(&s->d, s->ctx), SVCQ_OK);
    agent(s, "lin", 4, 3, s->cal);
    agent(s, "ma", 0, 1, NULL);
    agent(s, "qian", 2, 2, NULL);
    const char *ids[] = { "lin", "ma", "qian" };
    assert_int_equal(svcq_assigner_put_team(s->a, "desk", NULL, SVCQ_TEAM_POOL, ids, 3), SVCQ_OK);
    assert_int_equal(svcq_assigner_set_route(s->a, SVCQ_TIER_3, SVCQ_ASSIGN_WEIGHTED_ROUND_ROBIN, "desk"), SVCQ_OK);
    assert_int_equal(svcq_assigner_set_route(s->a, SVCQ_TIER_2, SVCQ_ASSIGN_NAMED_AGENT, "desk"), SVCQ_OK);
    assert_int_equal(assign(s, "T-1", SVCQ_TIER_3, NULL, FRIDAY_10H), SVCQ_OK);
    assert_int_equal(assign(s, "T-2", SVCQ_TIER_3, NULL, FRIDAY_10H), SVCQ_OK);
    assert_int_equal(svcq_assigner_set_named_agent(s->a, "acme", "qian"), SVCQ_OK);
    assert_int_equal(svcq_tier_profiles_new(&s->profiles, s->ctx, 4), SVCQ_OK);
    assert_int_equal(svcq_tier_profiles_set_assignment(s->profiles, 1, SVCQ_ASSIGN_EXPERT_TEAM, "desk"), SVCQ_OK);
    if (mode != UNBOUND && op != OP_SAVE)
        assert_int_equal(svcq_assigner_save(s->a, "cn"), SVCQ_OK);
    return s;
}

static int one(st *s, enum op op)
{
    const char *ids[] = { "ma", "qian" };
    switch (op) {
    case OP_ASSIGN_WRR:
        /* lin is off shift on the holiday: a skip, and the weights move. */
        return assign(s, "T-9", SVCQ_TIER_3, NULL, HOLIDAY_10H);
    case OP_ASSIGN_NAMED:
        return assign(s, "T-8", SVCQ_TIER_2, "bolt", FRIDAY_10H); /* names an agent for bolt */
    case OP_RELEASE:
        return svcq_assigner_release(s->a, "T-1");
    case OP_PUT_AGENT:
    case OP_ADD_AGENT: {
        svcq_agent_spec a = SVCQ_AGENT_SPEC_INIT;
        const char *skills[] = { "network" };
        a.id = op == OP_PUT_AGENT ? "lin" : "zhou";
        a.name = "Lin Wei";
        a.capacity = 9;
        a.skills = skills;
        a.skill_count = 1;
        a.calendar = op == OP_PUT_AGENT ? s->cal : NULL;
        return svcq_assigner_put_agent(s->a, &a);
    }
    case OP_PUT_TEAM:
        return svcq_assigner_put_team(s->a, "desk", "Desk", SVCQ_TEAM_POOL, ids, 2);
    case OP_NAMED:
        return svcq_assigner_set_named_agent(s->a, "zeta", "lin");
    case OP_RENAME:
        return svcq_assigner_set_named_agent(s->a, "acme", "ma");
    case OP_ABSENT:
        return svcq_assigner_set_absent(s->a, "ma", INT64_MAX);
    case OP_PROFILES:
        return svcq_assigner_use_profiles(s->a, s->profiles);
    case OP_SAVE:
        return svcq_assigner_save(s->a, "cn");
    default:
        return SVCQ_EINVAL;
    }
}

static int run(void *p)
{
    st *s = p;
    if (s->mode != BATCH)
        return one(s, s->op);
    int rc = svcq_ctx_batch_begin(s->ctx);
    if (rc)
        return rc;
    for (enum op op = 0; op < OP_SAVE && !rc; op++)
        rc = one(s, op);
    if (!rc)
        return svcq_ctx_batch_commit(s->ctx);
    (void)svcq_ctx_batch_rollback(s->ctx);
    return rc;
}

static char *export_of(svcq_ctx *ctx, const svcq_assigner *a)
{
    svcq_buffer *b;
    assert_int_equal(svcq_buffer_new(&b, ctx), SVCQ_OK);
    svcq_writer w;
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    assert_int_equal(svcq_assigner_export_json(a, &w, 0), SVCQ_OK);
    char *t = strdup(svcq_buffer_data(b));
    svcq_buffer_free(b);
    return t;
}

typedef struct lines {
    char **v;
    size_t n;
} lines;

static int collect(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes, size_t size, void *ud)
{
    (void)ctx;
    lines *l = ud;
    char *t = malloc(strlen(id) + size + 32);
    sprintf(t, "%s@%llu=%.*s", id, (unsigned long long)revision, (int)size, bytes);
    l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
    l->v[l->n++] = t;
    return 0;
}

static int cmp(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static char *describe(void *p)
{
    st *s = p;
    char *mine = export_of(s->ctx, s->a);
    lines l = { NULL, 0 };
    const char *kinds[] = { "agent", "team", "assigner" };
    for (int k = 0; k < 3; k++)
        assert_int_equal(svcq__store_scan(s->ctx, kinds[k], collect, &l), SVCQ_OK);
    if (l.n)
        qsort(l.v, l.n, sizeof(*l.v), cmp);
    size_t len = strlen(mine) + 64;
    for (size_t i = 0; i < l.n; i++)
        len += strlen(l.v[i]) + 1;
    char *out = malloc(len);
    int n = sprintf(out, "id=%s rev=%llu %s\n", svcq_assigner_id(s->a) ? svcq_assigner_id(s->a) : "-",
                    (unsigned long long)svcq_assigner_revision(s->a), mine);
    for (size_t i = 0; i < l.n; i++) {
        n += sprintf(out + n, "%s\n", l.v[i]);
        free(l.v[i]);
    }
    free(l.v);
    free(mine);
    return out;
}

static void verify(void *p, int rc, bool injected)
{
    st *s = p;
    (void)injected;
    if (rc != SVCQ_OK || !svcq_assigner_id(s->a))
        return;
    /* What the store holds is what the handle holds. */
    svcq_assigner *b;
    assert_int_equal(svcq_assigner_load(&b, s->ctx, "cn", ZONEINFO), SVCQ_OK);
    char *x = export_of(s->ctx, s->a), *y = export_of(s->ctx, b);
    assert_string_equal(x, y);
    free(x);
    free(y);
    svcq_assigner_free(b);
}

static void teardown(void *p)
{
    st *s = p;
    svcq_assignment_free(s->d);
    svcq_assigner_free(s->a);
    svcq_tier_profiles_free(s->profiles);
    svcq_calendar_free(s->cal);
    svcq_ctx_free(s->ctx);
    free(s);
}

static void arm(void *p, size_t n, bool keep)
{
    st *s = p;
    if (s->inject_store)
        faulty_store_arm(s->faulty, n, keep);
    else
        test_alloc_arm(s->alloc, n, keep);
}

static size_t injected(void *p)
{
    st *s = p;
    return s->inject_store ? s->faulty->injected : s->alloc->injected;
}

/* The scenario under test, set by the test before fault_run. */
static enum mode cur_mode;
static enum op cur_op;
static bool cur_store;
static int cur_error;

static void *setup_cur(test_alloc *alloc)
{
    return setup(alloc, cur_store, cur_error, cur_mode, cur_op);
}

static void drive(enum mode mode, enum op op, bool store, int error, int expected)
{
    cur_mode = mode;
    cur_op = op;
    cur_store = store;
    cur_error = error;
    char name[96];
    snprintf(name, sizeof(name), "%s %s (%s)", mode == UNBOUND ? "unbound" : mode == BOUND ? "bound" : "batch",
             mode == BATCH ? "all changes" : op_names[op], store ? "store" : "alloc");
    fault_scenario sc = { name, setup_cur, run, describe, verify, teardown, arm, injected, expected };
    size_t points = fault_run(&sc);
    printf("%s: %zu failure points\n", name, points);
}

static void unbound_alloc(void **state)
{
    (void)state;
    /* Release, absence, renaming and routes allocate nothing unbound: no failure point. */
    for (enum op op = 0; op < OP_COUNT; op++)
        if (op != OP_RELEASE && op != OP_ABSENT && op != OP_PROFILES && op != OP_RENAME)
            drive(UNBOUND, op, false, 0, 0);
}

static void bound_alloc(void **state)
{
    (void)state;
    for (enum op op = 0; op < OP_COUNT; op++)
        drive(BOUND, op, false, 0, 0);
}

static void bound_store(void **state)
{
    (void)state;
    for (enum op op = 0; op < OP_COUNT; op++) {
        drive(BOUND, op, true, SVCQ_EIO, SVCQ_EIO);
        drive(BOUND, op, true, -1000, SVCQ_ESTORE);
    }
}

static void batch_alloc_and_store(void **state)
{
    (void)state;
    drive(BATCH, 0, false, 0, 0);
    drive(BATCH, 0, true, SVCQ_EIO, SVCQ_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unbound_alloc),
        cmocka_unit_test(bound_alloc),
        cmocka_unit_test(bound_store),
        cmocka_unit_test(batch_alloc_and_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
