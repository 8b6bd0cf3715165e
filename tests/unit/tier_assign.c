/* Agents, teams and assignment: round-robin order and wrap-around,
 * least-loaded spreading and refilling, smooth weighted round-robin
 * against an independent oracle over 1,000 assignments, the named agent
 * with its fallback, off-shift skips on a Shanghai calendar with a holiday,
 * explanations, persistence (write-through, load, batches), JSON round
 * trips and every error. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svcq.h"

#ifndef SVCQ_TEST_DATA
#error "SVCQ_TEST_DATA must name the tests/data directory"
#endif
#define ZONEINFO SVCQ_TEST_DATA "/zoneinfo"
#define H(h, m) ((h) * 3600 + (m) * 60)

/* 2026-10-01 (Thursday, a holiday on the calendar below) 10:00 in Shanghai,
 * and the next two days at the same time. */
#define HOLIDAY_10H 1790820000
#define FRIDAY_10H 1790906400
#define SATURDAY_10H 1790992800
#define WEDNESDAY_19H 1790766000

typedef struct fx {
    svcq_ctx *ctx;
    svcq_assigner *a;
    svcq_assignment *d;
    int item;
} fx;

static void add_agent(svcq_assigner *a, const char *id, int64_t capacity, int64_t weight, const char *skill,
                      const svcq_calendar *cal)
{
    svcq_agent_spec s = SVCQ_AGENT_SPEC_INIT;
    s.id = id;
    s.capacity = capacity;
    s.weight = weight;
    const char *skills[1] = { skill };
    s.skills = skills;
    s.skill_count = skill ? 1 : 0;
    s.calendar = cal;
    assert_int_equal(svcq_assigner_put_agent(a, &s), SVCQ_OK);
}

static fx *fx_new(void)
{
    fx *f = calloc(1, sizeof(*f));
    assert_int_equal(svcq_ctx_new(&f->ctx, NULL), SVCQ_OK);
    assert_int_equal(svcq_assigner_new(&f->a, f->ctx), SVCQ_OK);
    assert_int_equal(svcq_assignment_new(&f->d, f->ctx), SVCQ_OK);
    return f;
}

static void fx_free(fx *f)
{
    svcq_assignment_free(f->d);
    svcq_assigner_free(f->a);
    svcq_ctx_free(f->ctx);
    free(f);
}

static void pool(fx *f, int32_t strategy, const char *const *ids, size_t n)
{
    assert_int_equal(svcq_assigner_put_team(f->a, "pool", "Pool", SVCQ_TEAM_POOL, ids, n), SVCQ_OK);
    assert_int_equal(svcq_assigner_set_route(f->a, SVCQ_TIER_3, strategy, "pool"), SVCQ_OK);
}

/* Assigns the next item at instant at and returns the chosen agent (a
 * static copy), or "" when nobody was available. */
static const char *assign_at(fx *f, int32_t tier, const char *client, svcq_time at)
{
    static char agent[64];
    char item[32];
    snprintf(item, sizeof(item), "T-%d", ++f->item);
    svcq_assign_request r = SVCQ_ASSIGN_REQUEST_INIT;
    r.item_id = item;
    r.client_id = client;
    r.tier = tier;
    r.at = at;
    int rc = svcq_assigner_assign(f->d, f->a, &r);
    if (rc == SVCQ_ENOTFOUND)
        return "";
    assert_int_equal(rc, SVCQ_OK);
    snprintf(agent, sizeof(agent), "%s", svcq_assignment_agent(f->d));
    return agent;
}

static const char *assign1(fx *f)
{
    return assign_at(f, SVCQ_TIER_3, NULL, FRIDAY_10H);
}

static char *text(svcq_ctx *ctx, int (*fn)(const void *, const svcq_writer *, uint32_t), const void *obj,
                  uint32_t flags)
{
    svcq_buffer *b;
    assert_int_equal(svcq_buffer_new(&b, ctx), SVCQ_OK);
    svcq_writer w;
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    assert_int_equal(fn(obj, &w, flags), SVCQ_OK);
    char *s = strdup(svcq_buffer_data(b));
    svcq_buffer_free(b);
    return s;
}

static int export_assigner(const void *a, const svcq_writer *w, uint32_t flags)
{
    return svcq_assigner_export_json(a, w, flags);
}

static int explain(const void *d, const svcq_writer *w, uint32_t flags)
{
    (void)flags;
    return svcq_assignment_explain(d, w);
}

static int decision_json(const void *d, const svcq_writer *w, uint32_t flags)
{
    return svcq_assignment_export_json(d, w, flags);
}

static uint64_t load_of(fx *f, const char *id)
{
    uint64_t n = 99;
    assert_int_equal(svcq_assigner_agent_load(&n, f->a, id), SVCQ_OK);
    return n;
}

/* ---- round-robin --------------------------------------------------------- */

static void round_robin_order_and_wrap(void **state)
{
    (void)state;
    fx *f = fx_new();
    /* Added out of order: the rotation is by id. */
    add_agent(f->a, "c", 0, 1, NULL, NULL);
    add_agent(f->a, "a", 0, 1, NULL, NULL);
    add_agent(f->a, "b", 0, 1, NULL, NULL);
    const char *ids[] = { "c", "b", "a" };
    pool(f, SVCQ_ASSIGN_ROUND_ROBIN, ids, 3);
    const char *want[] = { "a", "b", "c", "a", "b", "c", "a" };
    for (int i = 0; i < 7; i++)
        assert_string_equal(assign1(f), want[i]);
    /* b goes away: the rotation skips it and wraps from c to a. Now at b. */
    assert_int_equal(svcq_assigner_set_absent(f->a, "b", INT64_MAX), SVCQ_OK);
    assert_string_equal(assign1(f), "c");
    assert_int_equal(svcq_assignment_skipped_count(f->d), 1);
    const char *who, *detail;
    int32_t why;
    assert_int_equal(svcq_assignment_skipped_at(&who, &why, &detail, f->d, 0), SVCQ_OK);
    assert_string_equal(who, "b");
    assert_int_equal(why, SVCQ_SKIP_ABSENT);
    assert_string_equal(detail, "");
    assert_string_equal(assign1(f), "a");
    assert_string_equal(assign1(f), "c");
    /* Back (absent until an instant already past). */
    assert_int_equal(svcq_assigner_set_absent(f->a, "b", FRIDAY_10H), SVCQ_OK);
    assert_string_equal(assign1(f), "a");
    assert_string_equal(assign1(f), "b");
    assert_string_equal(assign1(f), "c");
    fx_free(f);
}

/* ---- least-loaded -------------------------------------------------------- */

static void least_loaded_spreads_and_refills(void **state)
{
    (void)state;
    fx *f = fx_new();
    const char *ids[] = { "li", "wang", "zhang" };
    for (int i = 0; i < 3; i++)
        add_agent(f->a, ids[i], 0, 1, NULL, NULL);
    pool(f, SVCQ_ASSIGN_LEAST_LOADED, ids, 3);
    int count[3] = { 0 };
    for (int i = 0; i < 30; i++) {
        const char *got = assign1(f);
        for (int k = 0; k < 3; k++)
            count[k] += strcmp(got, ids[k]) == 0;
        /* Never more than one apart at any time. */
        int mx = count[0], mn = count[0];
        for (int k = 1; k < 3; k++) {
            mx = count[k] > mx ? count[k] : mx;
            mn = count[k] < mn ? count[k] : mn;
        }
        assert_true(mx - mn <= 1);
    }
    for (int k = 0; k < 3; k++) {
        assert_int_equal(count[k], 10);
        assert_int_equal(load_of(f, ids[k]), 10);
    }
    /* Release five of wang's items: the next five go to wang. */
    int released = 0;
    for (int i = 1; i <= 30 && released < 5; i++) {
        char item[32];
        snprintf(item, sizeof(item), "T-%d", i);
        if (strcmp(svcq_assigner_item_agent(f->a, item), "wang") == 0) {
            assert_int_equal(svcq_assigner_release(f->a, item), SVCQ_OK);
            released++;
        }
    }
    assert_int_equal(load_of(f, "wang"), 5);
    for (int i = 0; i < 5; i++)
        assert_string_equal(assign1(f), "wang");
    /* All equal again: ties go to the smallest id. */
    assert_string_equal(assign1(f), "li");
    /* Capacity: a full agent is skipped. */
    add_agent(f->a, "wang", 10, 1, NULL, NULL); /* capacity 10, still 10 open */
    assert_string_equal(assign1(f), "zhang");
    assert_string_equal(assign1(f), "li");
    assert_string_equal(assign1(f), "zhang");
    assert_int_equal(svcq_assignment_skipped_count(f->d), 1);
    fx_free(f);
}

/* ---- weighted round-robin ------------------------------------------------ */

/* An independent oracle: nginx's smooth weighted round-robin written
 * plainly (ngx_http_upstream_get_peer). */
static int oracle_next(const int64_t *weight, int64_t *current, int n)
{
    int best = -1;
    int64_t total = 0;
    for (int i = 0; i < n; i++) {
        current[i] += weight[i];
        total += weight[i];
        if (best < 0 || current[i] > current[best])
            best = i;
    }
    current[best] -= total;
    return best;
}

static void weighted_round_robin_honours_weights(void **state)
{
    (void)state;
    fx *f = fx_new();
    const char *ids[] = { "a", "b", "c", "d" };
    const int64_t weight[] = { 5, 3, 1, 1 };
    for (int i = 0; i < 4; i++)
        add_agent(f->a, ids[i], 0, weight[i], NULL, NULL);
    pool(f, SVCQ_ASSIGN_WEIGHTED_ROUND_ROBIN, ids, 4);
    int64_t current[4] = { 0 };
    int count[4] = { 0 };
    for (int i = 0; i < 1000; i++) {
        int want = oracle_next(weight, current, 4);
        const char *got = assign1(f);
        assert_string_equal(got, ids[want]);
        count[want]++;
    }
    /* Exact proportions: 1,000 is a whole number of cycles of 10. */
    assert_int_equal(count[0], 500);
    assert_int_equal(count[1], 300);
    assert_int_equal(count[2], 100);
    assert_int_equal(count[3], 100);
    /* Smooth: nginx's sequence for weights 5, 1, 1 is a a b a c a a. */
    fx *g = fx_new();
    const char *three[] = { "a", "b", "c" };
    add_agent(g->a, "a", 0, 5, NULL, NULL);
    add_agent(g->a, "b", 0, 1, NULL, NULL);
    add_agent(g->a, "c", 0, 1, NULL, NULL);
    pool(g, SVCQ_ASSIGN_WEIGHTED_ROUND_ROBIN, three, 3);
    const char *seq[] = { "a", "a", "b", "a", "c", "a", "a" };
    for (int i = 0; i < 7; i++)
        assert_string_equal(assign1(g), seq[i]);
    /* A skipped member takes no share: with a absent, b and c alternate. */
    assert_int_equal(svcq_assigner_set_absent(g->a, "a", INT64_MAX), SVCQ_OK);
    int bc[2] = { 0 };
    for (int i = 0; i < 10; i++)
        bc[strcmp(assign1(g), "b") == 0 ? 0 : 1]++;
    assert_int_equal(bc[0], 5);
    assert_int_equal(bc[1], 5);
    fx_free(g);
    fx_free(f);
}

/* ---- named agent ---------------------------------------------------------- */

static void named_agent_with_fallback(void **state)
{
    (void)state;
    fx *f = fx_new();
    const char *ids[] = { "lin", "ma", "qian" };
    for (int i = 0; i < 3; i++)
        add_agent(f->a, ids[i], 2, 1, NULL, NULL);
    assert_int_equal(svcq_assigner_put_team(f->a, "t2", "Tier 2 desk", SVCQ_TEAM_POOL, ids, 3), SVCQ_OK);
    assert_int_equal(svcq_assigner_set_route(f->a, SVCQ_TIER_2, SVCQ_ASSIGN_NAMED_AGENT, "t2"), SVCQ_OK);
    /* First request of acme: the least-loaded member, named from now on. */
    assert_null(svcq_assigner_named_agent(f->a, "acme"));
    assert_string_equal(assign_at(f, SVCQ_TIER_2, "acme", FRIDAY_10H), "lin");
    assert_string_equal(svcq_assigner_named_agent(f->a, "acme"), "lin");
    /* Sticky, although lin is now the most loaded. */
    assert_string_equal(assign_at(f, SVCQ_TIER_2, "acme", FRIDAY_10H), "lin");
    assert_int_equal(svcq_assignment_fallback(f->d), 0);
    assert_null(svcq_assignment_team(f->d)); /* the named agent, no team searched */
    /* Full (capacity 2): fallback to the team's least loaded. */
    assert_string_equal(assign_at(f, SVCQ_TIER_2, "acme", FRIDAY_10H), "ma");
    assert_int_equal(svcq_assignment_fallback(f->d), 1);
    char *why = text(f->ctx, explain, f->d, 0);
    assert_non_null(strstr(why, "named agent lin is full; fell back to team t2"));
    assert_non_null(strstr(why, "chose ma (0 open items before)"));
    free(why);
    assert_string_equal(svcq_assigner_named_agent(f->a, "acme"), "lin"); /* stays named */
    /* Absent: fallback too; back: lin again after a release. */
    assert_int_equal(svcq_assigner_release(f->a, "T-1"), SVCQ_OK);
    assert_int_equal(svcq_assigner_set_absent(f->a, "lin", FRIDAY_10H + 3600), SVCQ_OK);
    assert_string_equal(assign_at(f, SVCQ_TIER_2, "acme", FRIDAY_10H), "qian");
    why = text(f->ctx, explain, f->d, 0);
    assert_non_null(strstr(why, "named agent lin is absent"));
    free(why);
    assert_string_equal(assign_at(f, SVCQ_TIER_2, "acme", FRIDAY_10H + 3600), "lin");
    /* Another client named explicitly; forgetting it. */
    assert_int_equal(svcq_assigner_set_named_agent(f->a, "bolt", "qian"), SVCQ_OK);
    assert_string_equal(assign_at(f, SVCQ_TIER_2, "bolt", FRIDAY_10H), "qian");
    assert_int_equal(svcq_assigner_set_named_agent(f->a, "bolt", NULL), SVCQ_OK);
    assert_null(svcq_assigner_named_agent(f->a, "bolt"));
    assert_int_equal(svcq_assigner_set_named_agent(f->a, "bolt", NULL), SVCQ_OK); /* nothing to forget */
    /* A named agent cannot be removed; nor one in a team or with work. */
    assert_int_equal(svcq_assigner_remove_agent(f->a, "lin"), SVCQ_ESTATE);
    assert_non_null(strstr(svcq_ctx_errmsg(f->ctx), "agent lin cannot be removed"));
    fx_free(f);
}

/* ---- shifts on a real calendar -------------------------------------------- */

static svcq_calendar *shanghai(svcq_ctx *ctx)
{
    svcq_tz *tz;
    assert_int_equal(svcq_tz_load(&tz, ctx, "Asia/Shanghai", ZONEINFO), SVCQ_OK);
    svcq_calendar *cal;
    assert_int_equal(svcq_calendar_new(&cal, ctx, tz, NULL), SVCQ_OK);
    svcq_tz_free(tz);
    const int32_t iv[2] = { H(9, 0), H(18, 0) };
    for (int d = 1; d <= 5; d++)
        assert_int_equal(svcq_calendar_set_weekday(cal, d, iv, 1), SVCQ_OK);
    assert_int_equal(svcq_calendar_set_closed(cal, 2026, 10, 1), SVCQ_OK);
    return cal;
}

static void off_shift_skipped_on_a_real_calendar(void **state)
{
    (void)state;
    fx *f = fx_new();
    svcq_calendar *cal = shanghai(f->ctx);
    add_agent(f->a, "cn-day", 0, 1, NULL, cal);
    add_agent(f->a, "hotline", 0, 1, NULL, NULL); /* 7x24 */
    svcq_calendar_free(cal); /* the assigner has its own copy */
    const char *ids[] = { "cn-day", "hotline" };
    pool(f, SVCQ_ASSIGN_ROUND_ROBIN, ids, 2);
    /* The holiday, 10:00 local: off shift. */
    assert_string_equal(assign_at(f, SVCQ_TIER_3, NULL, HOLIDAY_10H), "hotline");
    const char *who;
    int32_t why;
    assert_int_equal(svcq_assignment_skipped_at(&who, &why, NULL, f->d, 0), SVCQ_OK);
    assert_string_equal(who, "cn-day");
    assert_int_equal(why, SVCQ_SKIP_OFF_SHIFT);
    char *json = text(f->ctx, decision_json, f->d, 0);
    assert_non_null(strstr(json, "\"skipped\":[{\"agent\":\"cn-day\",\"reason\":\"off_shift\"}]"));
    assert_non_null(strstr(json, "\"at\":\"2026-10-01T02:00:00Z\""));
    free(json);
    /* Friday 10:00: on shift (the rotation is at cn-day again). */
    assert_string_equal(assign_at(f, SVCQ_TIER_3, NULL, FRIDAY_10H), "cn-day");
    assert_int_equal(svcq_assignment_skipped_count(f->d), 0);
    /* Saturday and Wednesday 19:00: off shift; then back within the cache. */
    assert_string_equal(assign_at(f, SVCQ_TIER_3, NULL, SATURDAY_10H), "hotline");
    assert_string_equal(assign_at(f, SVCQ_TIER_3, NULL, WEDNESDAY_19H), "hotline");
    assert_string_equal(assign_at(f, SVCQ_TIER_3, NULL, FRIDAY_10H + 60), "cn-day");
    assert_string_equal(assign_at(f, SVCQ_TIER_3, NULL, HOLIDAY_10H + 60), "hotline");
    /* Everyone off: no agent, and the decision says why. */
    assert_int_equal(svcq_assigner_set_absent(f->a, "hotline", INT64_MAX), SVCQ_OK);
    assert_string_equal(assign_at(f, SVCQ_TIER_3, NULL, HOLIDAY_10H), "");
    assert_non_null(strstr(svcq_ctx_errmsg(f->ctx), "no agent of team pool is available (2 skipped)"));
    assert_null(svcq_assignment_agent(f->d));
    char *why_text = text(f->ctx, explain, f->d, 0);
    assert_string_equal(why_text, "item T-7 (tier 3, 2026-10-01T02:00:00Z): round_robin; team pool by "
                                  "round-robin; skipped cn-day off shift, hotline absent; no agent available\n");
    free(why_text);
    fx_free(f);
}

/* ---- skills, preview, explanations ----------------------------------------- */

static void skills_filter_and_preview(void **state)
{
    (void)state;
    fx *f = fx_new();
    add_agent(f->a, "db", 0, 1, "postgres", NULL);
    add_agent(f->a, "net", 0, 1, "bgp", NULL);
    const char *ids[] = { "db", "net" };
    assert_int_equal(svcq_assigner_put_team(f->a, "experts", NULL, SVCQ_TEAM_EXPERT, ids, 2), SVCQ_OK);
    assert_int_equal(svcq_assigner_set_route(f->a, SVCQ_TIER_1, SVCQ_ASSIGN_EXPERT_TEAM, "experts"), SVCQ_OK);
    svcq_assign_request r;
    assert_int_equal(svcq_assign_request_init(&r, SVCQ_ASSIGN_REQUEST_VERSION), SVCQ_OK);
    assert_int_equal(r.strategy, -1);
    const char *skills[] = { "bgp" };
    r.tier = SVCQ_TIER_1;
    r.skills = skills;
    r.skill_count = 1;
    r.at = FRIDAY_10H;
    /* Preview: no item needed, nothing changes. */
    assert_int_equal(svcq_assigner_preview(f->d, f->a, &r), SVCQ_OK);
    assert_string_equal(svcq_assignment_agent(f->d), "net");
    assert_int_equal(load_of(f, "net"), 0);
    const char *who, *detail;
    int32_t why;
    assert_int_equal(svcq_assignment_skipped_at(&who, &why, &detail, f->d, 0), SVCQ_OK);
    assert_int_equal(why, SVCQ_SKIP_SKILL);
    assert_string_equal(detail, "bgp");
    assert_int_equal(svcq_assignment_skipped_at(&who, &why, &detail, f->d, 1), SVCQ_ERANGE);
    char *s = text(f->ctx, explain, f->d, 0);
    assert_string_equal(s, "item (preview) (tier 1, 2026-10-02T02:00:00Z): expert_team; team experts by least "
                           "load in the expert team; skipped db lacks skill bgp; chose net (0 open items before)\n");
    free(s);
    s = text(f->ctx, decision_json, f->d, 0);
    assert_string_equal(s, "{\"schema\":\"svcq.assignment/1\",\"item\":null,\"client\":null,\"tier\":1,"
                           "\"at\":\"2026-10-02T02:00:00Z\",\"strategy\":\"expert_team\",\"team\":\"experts\","
                           "\"named_agent\":null,\"fallback\":false,\"skipped\":[{\"agent\":\"db\",\"reason\":"
                           "\"skill\",\"skill\":\"bgp\"}],\"agent\":\"net\",\"agent_open_items\":0,"
                           "\"named_now\":false}");
    free(s);
    /* The request may override strategy and team. */
    r.skill_count = 0;
    r.strategy = SVCQ_ASSIGN_ROUND_ROBIN;
    r.item_id = "X-1";
    assert_int_equal(svcq_assigner_assign(f->d, f->a, &r), SVCQ_OK);
    assert_string_equal(svcq_assignment_agent(f->d), "db");
    assert_int_equal(svcq_assignment_strategy(f->d), SVCQ_ASSIGN_ROUND_ROBIN);
    assert_string_equal(svcq_assignment_team(f->d), "experts");
    /* Deterministic: the same state gives the same decision. */
    svcq_assign_request p = r;
    p.item_id = NULL;
    char *one, *two;
    assert_int_equal(svcq_assigner_preview(f->d, f->a, &p), SVCQ_OK);
    one = text(f->ctx, decision_json, f->d, 0);
    assert_int_equal(svcq_assigner_preview(f->d, f->a, &p), SVCQ_OK);
    two = text(f->ctx, decision_json, f->d, SVCQ_TIER_JSON_PRETTY);
    assert_string_not_equal(one, two); /* pretty differs in layout only */
    free(two);
    assert_int_equal(svcq_assigner_preview(f->d, f->a, &p), SVCQ_OK);
    two = text(f->ctx, decision_json, f->d, 0);
    assert_string_equal(one, two);
    free(one);
    free(two);
    fx_free(f);
}

/* ---- errors ------------------------------------------------------------------ */

static void errors(void **state)
{
    (void)state;
    fx *f = fx_new();
    svcq_ctx *ctx = f->ctx;
    svcq_agent_spec s = SVCQ_AGENT_SPEC_INIT;
    assert_int_equal(svcq_assigner_put_agent(f->a, &s), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "agent id"));
    s.id = "a";
    s.capacity = -1;
    assert_int_equal(svcq_assigner_put_agent(f->a, &s), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "agent a: capacity -1"));
    s.capacity = 0;
    s.weight = 1001;
    assert_int_equal(svcq_assigner_put_agent(f->a, &s), SVCQ_EINVAL);
    s.weight = 0;
    const char *dup[] = { "x", "x" };
    s.skills = dup;
    s.skill_count = 2;
    assert_int_equal(svcq_assigner_put_agent(f->a, &s), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "skill \"x\" listed twice"));
    s.skill_count = 65;
    assert_int_equal(svcq_assigner_put_agent(f->a, &s), SVCQ_ELIMIT);
    s.skill_count = 0;
    s.reserved[2] = 1;
    assert_int_equal(svcq_assigner_put_agent(f->a, &s), SVCQ_EINVAL);
    s.reserved[2] = 0;
    s.version = 9;
    assert_int_equal(svcq_assigner_put_agent(f->a, &s), SVCQ_EVERSION);
    s.version = SVCQ_AGENT_SPEC_VERSION;
    s.name = "bad\x01name";
    assert_int_equal(svcq_assigner_put_agent(f->a, &s), SVCQ_EINVAL);
    s.name = NULL;
    assert_int_equal(svcq_assigner_put_agent(f->a, &s), SVCQ_OK);
    assert_int_equal(svcq_assigner_put_agent(NULL, &s), SVCQ_EINVAL);
    assert_int_equal(svcq_assigner_put_agent(f->a, NULL), SVCQ_EINVAL);
    /* Teams. */
    const char *m1[] = { "a" }, *m2[] = { "a", "a" }, *m3[] = { "ghost" };
    assert_int_equal(svcq_assigner_put_team(f->a, "t", NULL, 7, m1, 1), SVCQ_EINVAL);
    assert_int_equal(svcq_assigner_put_team(f->a, "t", NULL, SVCQ_TEAM_POOL, m1, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_assigner_put_team(f->a, "t", NULL, SVCQ_TEAM_POOL, m2, 2), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "agent a listed twice"));
    assert_int_equal(svcq_assigner_put_team(f->a, "t", NULL, SVCQ_TEAM_POOL, m3, 1), SVCQ_ENOTFOUND);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "team t: member \"ghost\" is not an agent"));
    assert_int_equal(svcq_assigner_put_team(f->a, "", NULL, SVCQ_TEAM_POOL, m1, 1), SVCQ_EINVAL);
    /* Routes. */
    assert_int_equal(svcq_assigner_set_route(f->a, 0, SVCQ_ASSIGN_ROUND_ROBIN, "t"), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_assigner_put_team(f->a, "t", NULL, SVCQ_TEAM_POOL, m1, 1), SVCQ_OK);
    assert_int_equal(svcq_assigner_set_route(f->a, 16, SVCQ_ASSIGN_ROUND_ROBIN, "t"), SVCQ_EINVAL);
    assert_int_equal(svcq_assigner_set_route(f->a, 0, 6, "t"), SVCQ_EINVAL);
    /* Requests. */
    svcq_assign_request r = SVCQ_ASSIGN_REQUEST_INIT;
    r.at = FRIDAY_10H;
    assert_int_equal(svcq_assigner_assign(f->d, f->a, &r), SVCQ_EINVAL); /* no item */
    r.item_id = "I-1";
    assert_int_equal(svcq_assigner_assign(f->d, f->a, &r), SVCQ_EINVAL); /* no route */
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "tier 0 has no route"));
    r.team_id = "nope";
    assert_int_equal(svcq_assigner_assign(f->d, f->a, &r), SVCQ_ENOTFOUND);
    r.team_id = "t";
    r.strategy = SVCQ_ASSIGN_LEAST_LOADED;
    r.at = INT64_MAX;
    assert_int_equal(svcq_assigner_assign(f->d, f->a, &r), SVCQ_ERANGE);
    r.at = FRIDAY_10H;
    r.tier = -1;
    assert_int_equal(svcq_assigner_assign(f->d, f->a, &r), SVCQ_EINVAL);
    r.tier = 0;
    r.version = 2;
    assert_int_equal(svcq_assigner_assign(f->d, f->a, &r), SVCQ_EVERSION);
    r.version = 1;
    r.skill_count = 1;
    assert_int_equal(svcq_assigner_assign(f->d, f->a, &r), SVCQ_EINVAL);
    r.skill_count = 0;
    assert_int_equal(svcq_assigner_assign(f->d, f->a, &r), SVCQ_OK);
    assert_int_equal(svcq_assigner_assign(f->d, f->a, &r), SVCQ_EEXIST);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "item I-1 is open already (agent a)"));
    assert_int_equal(svcq_assigner_release(f->a, "I-2"), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_assigner_remove_agent(f->a, "zz"), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_assigner_remove_agent(f->a, "a"), SVCQ_ESTATE);
    assert_int_equal(svcq_assigner_set_absent(f->a, "a", -5), SVCQ_EINVAL);
    assert_int_equal(svcq_assigner_set_absent(f->a, "zz", 5), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_assigner_set_named_agent(f->a, "c", "zz"), SVCQ_ENOTFOUND);
    uint64_t n;
    assert_int_equal(svcq_assigner_agent_load(&n, f->a, "zz"), SVCQ_ENOTFOUND);
    /* A decision of another context. */
    svcq_ctx *other;
    assert_int_equal(svcq_ctx_new(&other, NULL), SVCQ_OK);
    svcq_assignment *od;
    assert_int_equal(svcq_assignment_new(&od, other), SVCQ_OK);
    r.item_id = "I-9";
    assert_int_equal(svcq_assigner_assign(od, f->a, &r), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "belongs to another context"));
    svcq_assignment_free(od);
    svcq_ctx_free(other);
    /* Removing an unused agent works. */
    s.id = "spare";
    assert_int_equal(svcq_assigner_put_agent(f->a, &s), SVCQ_OK);
    assert_int_equal(svcq_assigner_remove_agent(f->a, "spare"), SVCQ_OK);
    assert_int_equal(svcq_assigner_agent_load(&n, f->a, "spare"), SVCQ_ENOTFOUND);
    /* Names. */
    assert_string_equal(svcq_assign_strategy_name(SVCQ_ASSIGN_WEIGHTED_ROUND_ROBIN), "weighted_round_robin");
    assert_string_equal(svcq_assign_skip_name(SVCQ_SKIP_OFF_SHIFT), "off_shift");
    assert_string_equal(svcq_team_kind_name(SVCQ_TEAM_EXPERT), "expert");
    assert_null(svcq_team_kind_name(3));
    assert_null(svcq_assign_skip_name(-1));
    assert_null(svcq_assign_strategy_name(6));
    assert_null(svcq_assignment_agent(NULL));
    assert_int_equal(svcq_assignment_strategy(NULL), -1);
    svcq_assignment_free(NULL);
    svcq_assigner_free(NULL);
    fx_free(f);
}

/* ---- persistence and exchange ----------------------------------------------- */

static void build_desk(fx *f)
{
    svcq_calendar *cal = shanghai(f->ctx);
    add_agent(f->a, "lin", 3, 2, "billing", cal);
    add_agent(f->a, "ma", 0, 1, NULL, NULL);
    add_agent(f->a, "qian", 5, 3, "billing", NULL);
    svcq_calendar_free(cal);
    const char *ids[] = { "lin", "ma", "qian" };
    assert_int_equal(svcq_assigner_put_team(f->a, "desk", "Desk", SVCQ_TEAM_POOL, ids, 3), SVCQ_OK);
    assert_int_equal(svcq_assigner_set_route(f->a, SVCQ_TIER_3, SVCQ_ASSIGN_WEIGHTED_ROUND_ROBIN, "desk"),
                     SVCQ_OK);
    assert_int_equal(svcq_assigner_set_route(f->a, SVCQ_TIER_2, SVCQ_ASSIGN_NAMED_AGENT, "desk"), SVCQ_OK);
    assert_int_equal(svcq_assigner_set_absent(f->a, "ma", FRIDAY_10H + 7200), SVCQ_OK);
}

static void persistence_and_json(void **state)
{
    (void)state;
    fx *f = fx_new();
    build_desk(f);
    assert_null(svcq_assigner_id(f->a));
    assert_int_equal(svcq_assigner_save(f->a, "cn-support"), SVCQ_OK);
    assert_string_equal(svcq_assigner_id(f->a), "cn-support");
    uint64_t r0 = svcq_assigner_revision(f->a);
    assert_true(r0 > 0);
    assert_int_equal(svcq_assigner_save(f->a, "other"), SVCQ_ESTATE);
    /* Every change writes through. */
    assert_string_equal(assign_at(f, SVCQ_TIER_3, NULL, FRIDAY_10H), "qian");
    assert_true(svcq_assigner_revision(f->a) > r0);
    assert_string_equal(assign_at(f, SVCQ_TIER_2, "acme", FRIDAY_10H), "lin");
    assert_string_equal(assign_at(f, SVCQ_TIER_3, NULL, FRIDAY_10H), "lin");
    assert_int_equal(svcq_assigner_release(f->a, "T-1"), SVCQ_OK);
    char *mine = text(f->ctx, export_assigner, f->a, 0);
    svcq_assigner *b;
    assert_int_equal(svcq_assigner_load(&b, f->ctx, "cn-support", ZONEINFO), SVCQ_OK);
    char *theirs = text(f->ctx, export_assigner, b, 0);
    assert_string_equal(mine, theirs);
    assert_int_equal(svcq_assigner_revision(b), svcq_assigner_revision(f->a));
    /* The loaded one decides as the original would. */
    svcq_assignment *d2;
    assert_int_equal(svcq_assignment_new(&d2, f->ctx), SVCQ_OK);
    svcq_assign_request r = SVCQ_ASSIGN_REQUEST_INIT;
    r.tier = SVCQ_TIER_3;
    r.at = FRIDAY_10H;
    r.item_id = "T-next";
    assert_int_equal(svcq_assigner_preview(f->d, f->a, &r), SVCQ_OK);
    assert_int_equal(svcq_assigner_assign(d2, b, &r), SVCQ_OK);
    assert_string_equal(svcq_assignment_agent(f->d), svcq_assignment_agent(d2));
    /* The original is now stale: compare-and-swap refuses its write, and it
     * stays as it was. */
    r.item_id = "T-stale";
    assert_int_equal(svcq_assigner_assign(f->d, f->a, &r), SVCQ_ECONFLICT);
    assert_non_null(strstr(svcq_ctx_errmsg(f->ctx), "assigner cn-support: the record changed"));
    char *again = text(f->ctx, export_assigner, f->a, 0);
    assert_string_equal(mine, again);
    free(again);
    assert_null(svcq_assigner_item_agent(f->a, "T-stale"));
    svcq_assignment_free(d2);
    svcq_assigner_free(b);
    /* A batch that rolls back restores the assigner and the store. */
    assert_int_equal(svcq_assigner_load(&b, f->ctx, "cn-support", ZONEINFO), SVCQ_OK);
    char *before = text(f->ctx, export_assigner, b, 0);
    assert_int_equal(svcq_ctx_batch_begin(f->ctx), SVCQ_OK);
    r.item_id = "T-batch";
    assert_int_equal(svcq_assigner_assign(f->d, b, &r), SVCQ_OK);
    assert_int_equal(svcq_assigner_release(b, "T-2"), SVCQ_OK);
    assert_int_equal(svcq_assigner_set_named_agent(b, "zeta", "ma"), SVCQ_OK);
    add_agent(b, "new", 0, 1, NULL, NULL);
    assert_int_equal(svcq_assigner_set_absent(b, "lin", INT64_MAX), SVCQ_OK);
    assert_int_equal(svcq_ctx_batch_rollback(f->ctx), SVCQ_OK);
    char *after = text(f->ctx, export_assigner, b, 0);
    assert_string_equal(before, after);
    svcq_assigner *c;
    assert_int_equal(svcq_assigner_load(&c, f->ctx, "cn-support", ZONEINFO), SVCQ_OK);
    char *stored = text(f->ctx, export_assigner, c, 0);
    assert_string_equal(before, stored);
    free(stored);
    svcq_assigner_free(c);
    free(before);
    free(after);
    /* JSON: import and export again give the same bytes. */
    char *pretty = text(f->ctx, export_assigner, b, SVCQ_TIER_JSON_PRETTY);
    svcq_assigner *imp;
    assert_int_equal(svcq_assigner_import_json(&imp, f->ctx, pretty, strlen(pretty), ZONEINFO), SVCQ_OK);
    char *pretty2 = text(f->ctx, export_assigner, imp, SVCQ_TIER_JSON_PRETTY);
    assert_string_equal(pretty, pretty2);
    assert_null(svcq_assigner_id(imp));
    svcq_assigner_free(imp);
    free(pretty2);
    /* Damaged documents. */
    const char *bad[] = {
        "{\"schema\":\"svcq.assigner/1\"}",
        "{\"schema\":\"svcq.assigner/2\",\"agents\":[]}",
        "[1]",
        "{\"schema\":\"svcq.assigner/1\",\"agents\":[],\"teams\":[],\"routes\":[],\"absent\":[],\"named\":[],"
        "\"items\":[{\"id\":\"x\",\"agent\":\"ghost\"}],\"rotation\":[]}",
    };
    const int want[] = { SVCQ_ECORRUPT, SVCQ_EVERSION, SVCQ_ECORRUPT, SVCQ_ECORRUPT };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(svcq_assigner_import_json(&imp, f->ctx, bad[i], strlen(bad[i]), ZONEINFO), want[i]);
        assert_null(imp);
    }
    assert_int_equal(svcq_assigner_import_json(&imp, f->ctx, "{", 1, ZONEINFO), SVCQ_EPARSE);
    assert_int_equal(svcq_assigner_load(&imp, f->ctx, "missing", ZONEINFO), SVCQ_ENOTFOUND);
    free(pretty);
    free(mine);
    free(theirs);
    svcq_assigner_free(b);
    fx_free(f);
}

/* Routes from profiles. */
static void routes_from_profiles(void **state)
{
    (void)state;
    fx *f = fx_new();
    add_agent(f->a, "a", 0, 1, NULL, NULL);
    const char *ids[] = { "a" };
    assert_int_equal(svcq_assigner_put_team(f->a, "special", NULL, SVCQ_TEAM_DEDICATED, ids, 1), SVCQ_OK);
    svcq_tier_profiles *p;
    assert_int_equal(svcq_tier_profiles_new(&p, f->ctx, 4), SVCQ_OK);
    assert_int_equal(svcq_tier_profiles_set_assignment(p, 0, SVCQ_ASSIGN_DEDICATED_TEAM, "special"), SVCQ_OK);
    assert_int_equal(svcq_assigner_use_profiles(f->a, p), SVCQ_OK);
    assert_string_equal(assign_at(f, SVCQ_TIER_SPECIAL, "vip", FRIDAY_10H), "a");
    assert_int_equal(svcq_assignment_strategy(f->d), SVCQ_ASSIGN_DEDICATED_TEAM);
    assert_int_equal(svcq_tier_profiles_set_assignment(p, 1, SVCQ_ASSIGN_EXPERT_TEAM, "ghost"), SVCQ_OK);
    assert_int_equal(svcq_assigner_use_profiles(f->a, p), SVCQ_ENOTFOUND);
    assert_non_null(strstr(svcq_ctx_errmsg(f->ctx), "tier profile 1 names team \"ghost\""));
    svcq_tier_profiles_free(p);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_robin_order_and_wrap),
        cmocka_unit_test(least_loaded_spreads_and_refills),
        cmocka_unit_test(weighted_round_robin_honours_weights),
        cmocka_unit_test(named_agent_with_fallback),
        cmocka_unit_test(off_shift_skipped_on_a_real_calendar),
        cmocka_unit_test(skills_filter_and_preview),
        cmocka_unit_test(errors),
        cmocka_unit_test(persistence_and_json),
        cmocka_unit_test(routes_from_profiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
