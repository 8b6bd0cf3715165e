/* Service profiles per tier: the built-in table of the source, setters and
 * their errors, JSON round trip byte for byte, damaged documents, the
 * Markdown table, and the store (save, compare-and-swap, load, delete,
 * batch rollback). */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svcq.h"

typedef int (*export_fn)(const svcq_tier_profiles *, const svcq_writer *, uint32_t);

static int md(const svcq_tier_profiles *p, const svcq_writer *w, uint32_t flags)
{
    (void)flags;
    return svcq_tier_profiles_export_markdown(p, w);
}

static char *text(svcq_ctx *ctx, export_fn fn, const svcq_tier_profiles *p, uint32_t flags)
{
    svcq_buffer *b;
    assert_int_equal(svcq_buffer_new(&b, ctx), SVCQ_OK);
    svcq_writer w;
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    assert_int_equal(fn(p, &w, flags), SVCQ_OK);
    char *s = strdup(svcq_buffer_data(b));
    svcq_buffer_free(b);
    return s;
}

static void builtin_table(void **state)
{
    (void)state;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_tier_profiles *p;
    assert_int_equal(svcq_tier_profiles_new(&p, ctx, 4), SVCQ_OK);
    assert_int_equal(svcq_tier_profiles_levels(p), 4);
    const char *policy[] = { "tier.special", "tier.1", "tier.2", "tier.3" };
    const uint32_t channels[] = { SVCQ_CHANNEL_DEDICATED_HOTLINE,
                                  SVCQ_CHANNEL_DEDICATED_EMAIL | SVCQ_CHANNEL_DEDICATED_ONLINE,
                                  SVCQ_CHANNEL_HOTLINE | SVCQ_CHANNEL_ONLINE, SVCQ_CHANNEL_HOTLINE | SVCQ_CHANNEL_ONLINE };
    const int32_t strategy[] = { SVCQ_ASSIGN_DEDICATED_TEAM, SVCQ_ASSIGN_EXPERT_TEAM, SVCQ_ASSIGN_NAMED_AGENT,
                                 SVCQ_ASSIGN_WEIGHTED_ROUND_ROBIN };
    const int32_t report[] = { SVCQ_REPORT_MANAGEMENT, SVCQ_REPORT_SUPERIOR, SVCQ_REPORT_DEPARTMENT_HEAD,
                               SVCQ_REPORT_PERIODIC_SUMMARY };
    const size_t roles[] = { 3, 3, 1, 0 };
    for (int32_t l = 0; l < 4; l++) {
        uint32_t v = 0;
        assert_string_equal(svcq_tier_profiles_policy(&v, p, l), policy[l]);
        assert_int_equal(v, 1);
        assert_int_equal(svcq_tier_profiles_channels(p, l), channels[l]);
        assert_int_equal(svcq_tier_profiles_strategy(p, l), strategy[l]);
        assert_null(svcq_tier_profiles_team(p, l));
        assert_int_equal(svcq_tier_profiles_report(p, l), report[l]);
        assert_int_equal(svcq_tier_profiles_resource_count(p, l), roles[l]);
        assert_int_equal(svcq_tier_profiles_evaluation(p, l, SVCQ_EVAL_RESPONSE_TIME), SVCQ_PERIOD_WEEKLY);
        assert_int_equal(svcq_tier_profiles_evaluation(p, l, SVCQ_EVAL_RESOLUTION_RATE), SVCQ_PERIOD_WEEKLY);
        assert_int_equal(svcq_tier_profiles_evaluation(p, l, SVCQ_EVAL_SATISFACTION), SVCQ_PERIOD_QUARTERLY);
        assert_int_equal(svcq_tier_profiles_evaluation(p, l, SVCQ_EVAL_COMPLAINT_RATE), SVCQ_PERIOD_MONTHLY);
    }
    const char *role;
    uint32_t count;
    assert_int_equal(svcq_tier_profiles_resource_at(&role, &count, p, 0, 0), SVCQ_OK);
    assert_string_equal(role, "senior account manager");
    assert_int_equal(count, 1);
    assert_int_equal(svcq_tier_profiles_resource_at(&role, &count, p, 0, 2), SVCQ_OK);
    assert_string_equal(role, "senior agent");
    assert_int_equal(svcq_tier_profiles_resource_at(&role, &count, p, 0, 3), SVCQ_ERANGE);
    assert_int_equal(svcq_tier_profiles_resource_at(&role, &count, p, 9, 0), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_tier_profiles_note(p, 0), "7x24"));
    /* Levels past 3 copy level 3. */
    svcq_tier_profiles *six;
    assert_int_equal(svcq_tier_profiles_new(&six, ctx, 6), SVCQ_OK);
    assert_string_equal(svcq_tier_profiles_policy(NULL, six, 5), "tier.3");
    assert_null(svcq_tier_profiles_policy(NULL, six, 6));
    assert_int_equal(svcq_tier_profiles_strategy(six, -1), -1);
    svcq_tier_profiles_free(six);
    assert_int_equal(svcq_tier_profiles_new(&six, ctx, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_profiles_new(&six, ctx, 17), SVCQ_EINVAL);
    /* The Markdown table. */
    char *m = text(ctx, md, p, 0);
    assert_non_null(strstr(m, "| level | SLA policy | channels | assignment | resources | report | evaluation | "
                              "note |\n"));
    assert_non_null(strstr(m, "| 0 (special) | tier.special v1 | dedicated_hotline | dedicated_team | 1 × senior "
                              "account manager, 2 × expert, 2 × senior agent | management | response_time weekly, "
                              "resolution_rate weekly, satisfaction quarterly, complaint_rate monthly |"));
    assert_non_null(strstr(m, "| 3 (tier 3) | tier.3 v1 | hotline, online | weighted_round_robin | — | "
                              "periodic_summary |"));
    free(m);
    svcq_tier_profiles_free(p);
    svcq_ctx_free(ctx);
}

static void setters_and_errors(void **state)
{
    (void)state;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_tier_profiles *p;
    assert_int_equal(svcq_tier_profiles_new(&p, ctx, 4), SVCQ_OK);
    assert_int_equal(svcq_tier_profiles_set_policy(p, 2, "gold-desk", 3), SVCQ_OK);
    uint32_t v;
    assert_string_equal(svcq_tier_profiles_policy(&v, p, 2), "gold-desk");
    assert_int_equal(v, 3);
    assert_int_equal(svcq_tier_profiles_set_policy(p, 2, "x", 0), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_profiles_set_policy(p, 2, "", 1), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_profiles_set_policy(p, 4, "x", 1), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "levels 0 to 3, not 4"));
    assert_int_equal(svcq_tier_profiles_set_policy(p, 2, NULL, 1), SVCQ_EINVAL);
    assert_string_equal(svcq_tier_profiles_policy(NULL, p, 2), "gold-desk"); /* unchanged */
    assert_int_equal(svcq_tier_profiles_set_channels(p, 3, SVCQ_CHANNEL_SELF_SERVICE), SVCQ_OK);
    assert_int_equal(svcq_tier_profiles_channels(p, 3), SVCQ_CHANNEL_SELF_SERVICE);
    assert_int_equal(svcq_tier_profiles_set_channels(p, 3, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_profiles_set_channels(p, 3, 0x40), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_profiles_set_assignment(p, 3, SVCQ_ASSIGN_LEAST_LOADED, "pool"), SVCQ_OK);
    assert_string_equal(svcq_tier_profiles_team(p, 3), "pool");
    assert_int_equal(svcq_tier_profiles_set_assignment(p, 3, 42, "pool"), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_profiles_set_assignment(p, 3, SVCQ_ASSIGN_LEAST_LOADED, ""), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_profiles_set_resource(p, 0, "expert", 5), SVCQ_OK);
    assert_int_equal(svcq_tier_profiles_set_resource(p, 0, "senior agent", 0), SVCQ_OK);
    assert_int_equal(svcq_tier_profiles_set_resource(p, 0, "budget owner", 1), SVCQ_OK);
    assert_int_equal(svcq_tier_profiles_set_resource(p, 0, "nobody", 0), SVCQ_OK);
    assert_int_equal(svcq_tier_profiles_resource_count(p, 0), 3);
    const char *role;
    uint32_t count;
    assert_int_equal(svcq_tier_profiles_resource_at(&role, &count, p, 0, 1), SVCQ_OK);
    assert_string_equal(role, "expert");
    assert_int_equal(count, 5);
    assert_int_equal(svcq_tier_profiles_resource_at(&role, &count, p, 0, 2), SVCQ_OK);
    assert_string_equal(role, "budget owner");
    assert_int_equal(svcq_tier_profiles_set_resource(p, 0, "x", 2000000), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_profiles_set_resource(p, 0, "a\nb", 1), SVCQ_EINVAL);
    for (int i = 0; i < 70; i++) {
        char r[16];
        snprintf(r, sizeof(r), "r%d", i);
        int rc = svcq_tier_profiles_set_resource(p, 3, r, 1);
        assert_int_equal(rc, i < SVCQ_TIER_MAX_ITEMS ? SVCQ_OK : SVCQ_ELIMIT);
    }
    assert_int_equal(svcq_tier_profiles_set_report(p, 1, SVCQ_REPORT_PERIODIC_SUMMARY), SVCQ_OK);
    assert_int_equal(svcq_tier_profiles_set_report(p, 1, 4), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_profiles_set_evaluation(p, 1, SVCQ_EVAL_SATISFACTION, SVCQ_PERIOD_MONTHLY), SVCQ_OK);
    assert_int_equal(svcq_tier_profiles_evaluation(p, 1, SVCQ_EVAL_SATISFACTION), SVCQ_PERIOD_MONTHLY);
    assert_int_equal(svcq_tier_profiles_set_evaluation(p, 1, 4, SVCQ_PERIOD_MONTHLY), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_profiles_set_evaluation(p, 1, 0, 6), SVCQ_EINVAL);
    assert_int_equal(svcq_tier_profiles_evaluation(p, 1, 4), -1);
    assert_int_equal(svcq_tier_profiles_set_note(p, 1, NULL), SVCQ_OK);
    assert_string_equal(svcq_tier_profiles_note(p, 1), "");
    assert_int_equal(svcq_tier_profiles_set_note(p, 1, "a | b"), SVCQ_OK);
    /* Names. */
    assert_string_equal(svcq_service_channel_name(SVCQ_CHANNEL_DEDICATED_EMAIL), "dedicated_email");
    assert_null(svcq_service_channel_name(3));
    assert_string_equal(svcq_report_recipient_name(SVCQ_REPORT_DEPARTMENT_HEAD), "department_head");
    assert_string_equal(svcq_eval_metric_name(SVCQ_EVAL_COMPLAINT_RATE), "complaint_rate");
    assert_string_equal(svcq_eval_period_name(SVCQ_PERIOD_QUARTERLY), "quarterly");
    assert_null(svcq_eval_period_name(6));
    /* JSON round trip, byte for byte, compact and pretty. */
    for (uint32_t flags = 0; flags <= SVCQ_TIER_JSON_PRETTY; flags++) {
        char *a = text(ctx, svcq_tier_profiles_export_json, p, flags);
        svcq_tier_profiles *q;
        assert_int_equal(svcq_tier_profiles_import_json(&q, ctx, a, strlen(a)), SVCQ_OK);
        char *b = text(ctx, svcq_tier_profiles_export_json, q, flags);
        assert_string_equal(a, b);
        char *m = text(ctx, md, q, 0);
        assert_non_null(strstr(m, "a \\| b")); /* the cell is escaped */
        free(m);
        free(a);
        free(b);
        svcq_tier_profiles_free(q);
    }
    svcq_tier_profiles_free(p);
    svcq_ctx_free(ctx);
}

static void damaged_documents(void **state)
{
    (void)state;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_tier_profiles *p;
    assert_int_equal(svcq_tier_profiles_new(&p, ctx, 1), SVCQ_OK);
    char *good = text(ctx, svcq_tier_profiles_export_json, p, 0);
    svcq_tier_profiles_free(p);
    struct {
        const char *from, *to;
        int rc;
        const char *msg;
    } cases[] = {
        { "\"strategy\":\"dedicated_team\"", "\"strategy\":\"lottery\"", SVCQ_ECORRUPT,
          "levels[0].strategy: unknown value \"lottery\"" },
        { "\"level\":0", "\"level\":1", SVCQ_ECORRUPT, "\"level\" is 1" },
        { "\"dedicated_hotline\"", "\"pigeon\"", SVCQ_ECORRUPT, "channels[0]: not a channel name" },
        { "\"version\":1", "\"version\":0", SVCQ_EINVAL, "policy.version 0 out of range" },
        { "\"count\":1", "\"count\":0", SVCQ_EINVAL, "count 0" },
        { "\"response_time\":\"weekly\"", "\"response_time\":\"hourly\"", SVCQ_ECORRUPT, "unknown value" },
        { "svcq.tier_profiles/1", "svcq.tier_profiles/7", SVCQ_EVERSION, "tier_profiles/7" },
        { "\"note\":", "\"nope\":", SVCQ_OK, NULL }, /* the note is optional */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char doc[4096];
        const char *at = strstr(good, cases[i].from);
        assert_non_null(at);
        snprintf(doc, sizeof(doc), "%.*s%s%s", (int)(at - good), good, cases[i].to, at + strlen(cases[i].from));
        assert_int_equal(svcq_tier_profiles_import_json(&p, ctx, doc, strlen(doc)), cases[i].rc);
        if (cases[i].msg)
            assert_non_null(strstr(svcq_ctx_errmsg(ctx), cases[i].msg));
        svcq_tier_profiles_free(p);
    }
    const char *empty = "{\"schema\":\"svcq.tier_profiles/1\",\"levels\":[]}";
    assert_int_equal(svcq_tier_profiles_import_json(&p, ctx, empty, strlen(empty)), SVCQ_ECORRUPT);
    assert_int_equal(svcq_tier_profiles_import_json(&p, ctx, "nope", 4), SVCQ_EPARSE);
    assert_int_equal(svcq_tier_profiles_import_json(&p, NULL, "{}", 2), SVCQ_EINVAL);
    free(good);
    svcq_ctx_free(ctx);
}

static void stored(void **state)
{
    (void)state;
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    svcq_tier_profiles *p, *q, *r;
    assert_int_equal(svcq_tier_profiles_new(&p, ctx, 4), SVCQ_OK);
    assert_int_equal(svcq_tier_profiles_delete(p), SVCQ_ESTATE);
    assert_int_equal(svcq_tier_profiles_save(p, "default"), SVCQ_OK);
    assert_string_equal(svcq_tier_profiles_id(p), "default");
    uint64_t r1 = svcq_tier_profiles_revision(p);
    assert_true(r1 > 0);
    assert_int_equal(svcq_tier_profiles_load(&q, ctx, "default"), SVCQ_OK);
    assert_int_equal(svcq_tier_profiles_revision(q), r1);
    char *a = text(ctx, svcq_tier_profiles_export_json, p, 0), *b = text(ctx, svcq_tier_profiles_export_json, q, 0);
    assert_string_equal(a, b);
    free(a);
    free(b);
    /* q publishes first; p is refused (compare-and-swap) and unchanged. */
    assert_int_equal(svcq_tier_profiles_set_report(q, 3, SVCQ_REPORT_SUPERIOR), SVCQ_OK);
    assert_int_equal(svcq_tier_profiles_save(q, "default"), SVCQ_OK);
    assert_int_equal(svcq_tier_profiles_save(p, "default"), SVCQ_ECONFLICT);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "tier profiles \"default\": the record changed"));
    assert_int_equal(svcq_tier_profiles_revision(p), r1);
    /* A new id must not exist. */
    assert_int_equal(svcq_tier_profiles_new(&r, ctx, 4), SVCQ_OK);
    assert_int_equal(svcq_tier_profiles_save(r, "default"), SVCQ_ECONFLICT);
    assert_null(svcq_tier_profiles_id(r));
    /* A batch rolled back restores the binding. */
    assert_int_equal(svcq_ctx_batch_begin(ctx), SVCQ_OK);
    assert_int_equal(svcq_tier_profiles_save(r, "other"), SVCQ_OK);
    assert_string_equal(svcq_tier_profiles_id(r), "other");
    assert_int_equal(svcq_ctx_batch_rollback(ctx), SVCQ_OK);
    assert_null(svcq_tier_profiles_id(r));
    assert_int_equal(svcq_tier_profiles_revision(r), 0);
    svcq_tier_profiles_free(r);
    assert_int_equal(svcq_tier_profiles_load(&r, ctx, "other"), SVCQ_ENOTFOUND);
    assert_null(r);
    /* Delete. */
    assert_int_equal(svcq_tier_profiles_delete(q), SVCQ_OK);
    assert_null(svcq_tier_profiles_id(q));
    assert_int_equal(svcq_tier_profiles_load(&r, ctx, "default"), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_tier_profiles_load(&r, ctx, ""), SVCQ_EINVAL);
    svcq_tier_profiles_free(p);
    svcq_tier_profiles_free(q);
    svcq_tier_profiles_free(NULL);
    svcq_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builtin_table),
        cmocka_unit_test(setters_and_errors),
        cmocka_unit_test(damaged_documents),
        cmocka_unit_test(stored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
