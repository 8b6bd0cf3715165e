/* Clients: hysteresis (promotion at once, demotion after N periods or by a
 * margin, never oscillating on a stable input), overrides with expiry,
 * "tier at t" exactly at the boundaries of effective periods, the record
 * written through, JSON and JSON lines, the history and distribution
 * exports, and open SLA clocks moving to the new tier's policy. */
#include <math.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svcq.h"
#include "test_alloc.h"

#define HOUR 3600
#define DAY 86400
/* 2026-03-01T00:00:00Z, a Sunday. */
#define MAR1 ((svcq_time)1772323200)
#define NF 7

static const double special_in[NF] = { 12, 24, 8, 5, 5, 4, 4 };  /* special */
static const double tier1_in[NF] = { 6, 12, 10, 4, 4, 4, 4 };    /* score >= 55, share < 10 */
static const double tier2_in[NF] = { 4, 6, 5, 3, 3, 2, 2 };      /* 48.1 */
static const double tier3_in[NF] = { 1, 0, 0, 0, 0, 0, 0 };      /* 3.0: far below tier 2 */
static const double tier3_near[NF] = { 2, 6, 5, 1, 1, 1, 1 };    /* just under 30 */

typedef struct fx {
    test_alloc a;
    svcq_ctx *ctx;
    svcq_tier_scheme *s;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    test_alloc_init(&f->a);
    f->ctx = test_ctx_new(&f->a);
    assert_int_equal(svcq_tier_scheme_builtin(&f->s, f->ctx), SVCQ_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    svcq_tier_scheme_free(f->s);
    svcq_ctx_free(f->ctx);
    assert_int_equal(f->a.live_blocks, 0);
    free(f);
    return 0;
}

static const char *tier_at(const svcq_client *c, svcq_time t)
{
    const char *k = NULL;
    int rc = svcq_client_tier_at(&k, NULL, c, t);
    return rc ? "(none)" : k;
}

static void test_hysteresis(void **state)
{
    fx *f = *state;
    svcq_client *c;
    assert_int_equal(svcq_client_new(&c, f->ctx, "acme", "ACME Ltd"), SVCQ_OK);
    assert_null(svcq_client_classified_tier(c));
    assert_string_equal(tier_at(c, MAR1), "(none)");
    assert_int_equal(svcq_client_reclassify(c, f->s, tier2_in, NF, MAR1, "batch", NULL), SVCQ_OK);
    assert_true(svcq_client_revision(c) > 0);
    assert_string_equal(svcq_client_classified_tier(c), "tier_2");
    /* Promotion at once. */
    assert_int_equal(svcq_client_reclassify(c, f->s, tier1_in, NF, MAR1 + 30 * DAY, "batch", NULL), SVCQ_OK);
    assert_string_equal(svcq_client_classified_tier(c), "tier_1");
    assert_int_equal(svcq_client_history_count(c), 2);
    /* Tier 2 inputs (48.1 is 6.9 under 55, within the margin of 10): two
     * periods before the demotion. */
    assert_int_equal(svcq_client_reclassify(c, f->s, tier2_in, NF, MAR1 + 60 * DAY, "batch", NULL), SVCQ_OK);
    assert_string_equal(svcq_client_classified_tier(c), "tier_1");
    assert_int_equal(svcq_client_periods_below(c), 1);
    /* Back at tier 1: the count restarts. */
    assert_int_equal(svcq_client_reclassify(c, f->s, tier1_in, NF, MAR1 + 90 * DAY, "batch", NULL), SVCQ_OK);
    assert_int_equal(svcq_client_periods_below(c), 0);
    assert_int_equal(svcq_client_reclassify(c, f->s, tier2_in, NF, MAR1 + 120 * DAY, "batch", NULL), SVCQ_OK);
    assert_int_equal(svcq_client_reclassify(c, f->s, tier2_in, NF, MAR1 + 150 * DAY, "batch", NULL), SVCQ_OK);
    assert_string_equal(svcq_client_classified_tier(c), "tier_2");
    assert_int_equal(svcq_client_history_count(c), 3);
    const char *reason;
    assert_int_equal(svcq_client_history_at(NULL, NULL, NULL, NULL, NULL, &reason, NULL, NULL, NULL, c, 2), SVCQ_OK);
    assert_string_equal(reason, "demoted after 2 periods below tier_1");
    /* Far below (3.0 is 27 points under tier 2's 30): demoted at once. */
    svcq_tier_result *r;
    assert_int_equal(svcq_tier_result_new(&r, f->ctx), SVCQ_OK);
    assert_int_equal(svcq_client_reclassify(c, f->s, tier3_in, NF, MAR1 + 180 * DAY, "batch", r), SVCQ_OK);
    assert_string_equal(svcq_tier_result_tier(r), "tier_3");
    assert_string_equal(svcq_client_classified_tier(c), "tier_3");
    assert_int_equal(svcq_client_history_at(NULL, NULL, NULL, NULL, NULL, &reason, NULL, NULL, NULL, c, 3), SVCQ_OK);
    assert_string_equal(reason, "demoted at once: score 3.000 is 27.000 points under tier_2's minimum");
    /* Refusals leave the client as it was. */
    uint64_t rev = svcq_client_revision(c);
    assert_int_equal(svcq_client_reclassify(c, f->s, tier1_in, NF, MAR1, "batch", NULL), SVCQ_ERANGE);
    assert_non_null(strstr(svcq_ctx_errmsg(f->ctx), "client acme: reclassification at"));
    assert_int_equal(svcq_client_reclassify(c, f->s, tier1_in, NF, 0, "batch", NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_client_reclassify(c, f->s, tier1_in, NF - 1, MAR1 + 200 * DAY, "batch", NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_client_reclassify(c, f->s, tier1_in, NF, MAR1 + 200 * DAY, "", NULL), SVCQ_EINVAL);
    double badv[NF];
    memcpy(badv, tier1_in, sizeof(badv));
    badv[0] = 101;
    assert_int_equal(svcq_client_reclassify(c, f->s, badv, NF, MAR1 + 200 * DAY, "batch", NULL), SVCQ_ERANGE);
    assert_non_null(strstr(svcq_ctx_errmsg(f->ctx), "client acme: tier scheme svcq.default v1: factor "
                                                    "annual_purchase_share: input 101 is above its maximum 100"));
    assert_int_equal(svcq_client_revision(c), rev);
    assert_int_equal(svcq_client_history_count(c), 4);
    svcq_tier_result_free(r);
    svcq_client_free(c);
}

/* "Tier at t": [from, to) exactly at the boundaries. */
static void test_tier_at_boundaries(void **state)
{
    fx *f = *state;
    svcq_client *c;
    assert_int_equal(svcq_client_new(&c, f->ctx, "b", NULL), SVCQ_OK);
    svcq_time t1 = MAR1 + 2 * DAY, t2 = MAR1 + 3 * DAY; /* 3 and 4 March */
    assert_int_equal(svcq_client_reclassify(c, f->s, tier2_in, NF, t1, "batch", NULL), SVCQ_OK);
    assert_int_equal(svcq_client_reclassify(c, f->s, special_in, NF, t2, "batch", NULL), SVCQ_OK);
    assert_string_equal(tier_at(c, t1 - 1), "(none)");
    assert_string_equal(tier_at(c, t1), "tier_2");
    assert_string_equal(tier_at(c, t1 + 12 * HOUR), "tier_2"); /* a request of 3 March */
    assert_string_equal(tier_at(c, t2 - 1), "tier_2");
    assert_string_equal(tier_at(c, t2), "special");
    assert_string_equal(tier_at(c, INT64_MAX - 1), "special");
    svcq_time from, to;
    assert_int_equal(svcq_client_history_at(&from, &to, NULL, NULL, NULL, NULL, NULL, NULL, NULL, c, 0), SVCQ_OK);
    assert_true(from == t1 && to == t2);
    assert_int_equal(svcq_client_history_at(&from, &to, NULL, NULL, NULL, NULL, NULL, NULL, NULL, c, 1), SVCQ_OK);
    assert_true(from == t2 && to == SVCQ_SLA_NEVER);
    assert_int_equal(svcq_client_history_at(&from, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, c, 2),
                     SVCQ_ENOTFOUND);
    /* A second decision at the same instant replaces the entry. */
    assert_int_equal(svcq_client_override(c, f->s, "tier_3", t2, SVCQ_SLA_NEVER, "test", "ops"), SVCQ_OK);
    assert_int_equal(svcq_client_history_count(c), 2);
    assert_string_equal(tier_at(c, t2), "tier_3");
    svcq_client_free(c);
}

/* A stable input changes the tier at most once, whatever the start. */
static void test_no_oscillation_property(void **state)
{
    fx *f = *state;
    const double *inputs[] = { special_in, tier1_in, tier2_in, tier3_in, tier3_near };
    for (int start = 0; start < 5; start++) {
        for (int stable = 0; stable < 5; stable++) {
            svcq_client *c;
            char id[16];
            snprintf(id, sizeof(id), "p%d%d", start, stable);
            assert_int_equal(svcq_client_new(&c, f->ctx, id, NULL), SVCQ_OK);
            assert_int_equal(svcq_client_reclassify(c, f->s, inputs[start], NF, MAR1, "b", NULL), SVCQ_OK);
            for (int p = 1; p <= 12; p++)
                assert_int_equal(svcq_client_reclassify(c, f->s, inputs[stable], NF, MAR1 + p * 30 * DAY, "b", NULL),
                                 SVCQ_OK);
            assert_true(svcq_client_history_count(c) <= 2);
            svcq_tier_result *r;
            assert_int_equal(svcq_tier_result_new(&r, f->ctx), SVCQ_OK);
            assert_int_equal(svcq_tier_classify(r, f->s, inputs[stable], NF), SVCQ_OK);
            /* ...and ends at the stable input's tier. */
            assert_string_equal(svcq_client_classified_tier(c), svcq_tier_result_tier(r));
            svcq_tier_result_free(r);
            svcq_client_free(c);
        }
    }
}

static void test_override(void **state)
{
    fx *f = *state;
    svcq_client *c;
    assert_int_equal(svcq_client_new(&c, f->ctx, "o", NULL), SVCQ_OK);
    assert_int_equal(svcq_client_override(c, f->s, "special", MAR1, SVCQ_SLA_NEVER, "vip", "ceo"), SVCQ_ESTATE);
    assert_non_null(strstr(svcq_ctx_errmsg(f->ctx), "never classified"));
    assert_int_equal(svcq_client_reclassify(c, f->s, tier3_in, NF, MAR1, "batch", NULL), SVCQ_OK);
    assert_int_equal(svcq_client_override(c, f->s, "gold", MAR1 + DAY, MAR1 + 10 * DAY, "vip", "ceo"), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_client_override(c, f->s, "special", MAR1 + DAY, MAR1 + DAY, "vip", "ceo"), SVCQ_ERANGE);
    assert_int_equal(svcq_client_override(c, f->s, "special", MAR1 + DAY, MAR1 + 10 * DAY, "", "ceo"), SVCQ_EINVAL);
    assert_int_equal(svcq_client_override(c, f->s, "special", MAR1 + DAY, MAR1 + 10 * DAY, "strategic deal", "ceo"),
                     SVCQ_OK);
    assert_string_equal(tier_at(c, MAR1 + DAY), "special");
    assert_string_equal(tier_at(c, MAR1 + 10 * DAY - 1), "special");
    assert_string_equal(tier_at(c, MAR1 + 10 * DAY), "tier_3"); /* expired: the classified tier */
    /* Reclassification under the override: it stays in force. */
    assert_int_equal(svcq_client_reclassify(c, f->s, tier2_in, NF, MAR1 + 5 * DAY, "batch", NULL), SVCQ_OK);
    assert_string_equal(svcq_client_classified_tier(c), "tier_2");
    assert_string_equal(tier_at(c, MAR1 + 6 * DAY), "special");
    assert_string_equal(tier_at(c, MAR1 + 10 * DAY), "tier_2");
    /* The next change after the expiry records it at the expiry instant. */
    assert_int_equal(svcq_client_reclassify(c, f->s, tier2_in, NF, MAR1 + 20 * DAY, "batch", NULL), SVCQ_OK);
    assert_int_equal(svcq_client_history_count(c), 3);
    svcq_time from;
    int32_t kind;
    const char *tier;
    assert_int_equal(svcq_client_history_at(&from, NULL, &tier, NULL, &kind, NULL, NULL, NULL, NULL, c, 2), SVCQ_OK);
    assert_true(from == MAR1 + 10 * DAY);
    assert_int_equal(kind, SVCQ_TIER_CHANGE_EXPIRED);
    assert_string_equal(tier, "tier_2");
    /* Clear before the expiry. */
    assert_int_equal(svcq_client_clear_override(c, MAR1 + 21 * DAY, "ops"), SVCQ_ESTATE);
    assert_int_equal(svcq_client_override(c, f->s, "tier_1", MAR1 + 22 * DAY, SVCQ_SLA_NEVER, "escalation", "ops"),
                     SVCQ_OK);
    assert_string_equal(tier_at(c, INT64_MAX - 1), "tier_1");
    assert_int_equal(svcq_client_clear_override(c, MAR1 + 25 * DAY, "ops"), SVCQ_OK);
    assert_string_equal(tier_at(c, MAR1 + 25 * DAY - 1), "tier_1");
    assert_string_equal(tier_at(c, MAR1 + 25 * DAY), "tier_2");

    /* History as Markdown in Shanghai time. */
    svcq_tz *tz;
    assert_int_equal(svcq_tz_from_posix(&tz, f->ctx, "CST-8"), SVCQ_OK);
    svcq_buffer *b;
    svcq_writer w;
    assert_int_equal(svcq_buffer_new(&b, f->ctx), SVCQ_OK);
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    assert_int_equal(svcq_client_export_history_markdown(c, tz, &w), SVCQ_OK);
    const char *md = svcq_buffer_data(b);
    assert_non_null(strstr(md, "## Tier history of o (`o`)\n"));
    assert_non_null(strstr(md, "| Mon 2026-03-02T08:00+08:00 | Wed 2026-03-11T08:00+08:00 | special | override | "
                               "strategic deal | ceo | svcq.default v1 |\n"));
    assert_non_null(strstr(md, "| tier_2 | expired | override cleared | ops | svcq.default v1 |\n"));
    svcq_buffer_clear(b);
    assert_int_equal(svcq_client_export_history_markdown(c, NULL, &w), SVCQ_OK);
    assert_non_null(strstr(svcq_buffer_data(b), "| Sun 2026-03-01T00:00+00:00 |"));
    svcq_buffer_free(b);
    svcq_tz_free(tz);
    svcq_client_free(c);
}

static char *export_client(svcq_ctx *ctx, const svcq_client *c, size_t *len)
{
    svcq_buffer *b;
    svcq_writer w;
    assert_int_equal(svcq_buffer_new(&b, ctx), SVCQ_OK);
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    assert_int_equal(svcq_client_export_json(c, &w, 0), SVCQ_OK);
    *len = svcq_buffer_size(b);
    char *out = malloc(*len + 1);
    memcpy(out, svcq_buffer_data(b), *len + 1);
    svcq_buffer_free(b);
    return out;
}

static int on_line(uint64_t line, int32_t code, const char *message, void *user_data)
{
    char *log = user_data;
    snprintf(log + strlen(log), 2048 - strlen(log), "%llu %d %s\n", (unsigned long long)line, code, message);
    return 0;
}

static void test_json_store_lines(void **state)
{
    fx *f = *state;
    svcq_client *c, *d;
    assert_int_equal(svcq_client_new(&c, f->ctx, "j", "J \"quoted\""), SVCQ_OK);
    assert_int_equal(svcq_client_reclassify(c, f->s, tier2_in, NF, MAR1, "batch", NULL), SVCQ_OK);
    assert_int_equal(svcq_client_override(c, f->s, "tier_1", MAR1 + DAY, MAR1 + 9 * DAY, "why", "who"), SVCQ_OK);
    size_t n, m;
    char *j = export_client(f->ctx, c, &n);
    assert_int_equal(svcq_client_import_json(&d, f->ctx, j, n), SVCQ_OK);
    char *k = export_client(f->ctx, d, &m);
    assert_int_equal(n, m);
    assert_memory_equal(j, k, n);
    free(k);
    svcq_client_free(d);
    /* The store holds exactly the handle's state. */
    assert_int_equal(svcq_client_load(&d, f->ctx, "j"), SVCQ_OK);
    assert_int_equal(svcq_client_revision(d), svcq_client_revision(c));
    k = export_client(f->ctx, d, &m);
    assert_int_equal(n, m);
    assert_memory_equal(j, k, n);
    free(k);
    /* A stale handle loses the compare-and-swap. */
    assert_int_equal(svcq_client_reclassify(d, f->s, tier2_in, NF, MAR1 + 2 * DAY, "batch", NULL), SVCQ_OK);
    assert_int_equal(svcq_client_reclassify(c, f->s, tier2_in, NF, MAR1 + 2 * DAY, "batch", NULL), SVCQ_ECONFLICT);
    k = export_client(f->ctx, c, &m);
    assert_memory_equal(j, k, n); /* unchanged */
    free(k);
    svcq_client_free(d);
    free(j);
    assert_int_equal(svcq_client_load(&d, f->ctx, "nobody"), SVCQ_ENOTFOUND);

    static const char lines[] =
        "{\"schema\":\"svcq.client/1\",\"id\":\"l1\",\"classified\":null,\"override\":null,\"history\":[]}\n"
        "\n"
        "{\"schema\":\"svcq.client/1\",\"id\":\"l2\",\"history\":[{\"from\":1772323200,\"to\":null,\"tier\":\"tier_1\","
        "\"rank\":1,\"change\":\"imported\",\"reason\":\"CRM\",\"actor\":\"import\",\"scheme\":\"svcq.default\","
        "\"scheme_version\":1}]}\n"
        "{\"schema\":\"svcq.client/1\",\"id\":\"l3\",\"classified\":{\"tier\":\"tier_1\",\"rank\":1},\"history\":["
        "{\"from\":1772323200,\"to\":1772409600,\"tier\":\"tier_1\",\"rank\":1,\"change\":\"imported\",\"reason\":\"a\","
        "\"actor\":\"b\",\"scheme\":\"s\",\"scheme_version\":1},{\"from\":1772409601,\"to\":null,\"tier\":\"tier_2\","
        "\"rank\":2,\"change\":\"imported\",\"reason\":\"a\",\"actor\":\"b\",\"scheme\":\"s\",\"scheme_version\":1}]}\n"
        "{\"schema\":\"svcq.client/1\",\"id\":\"l1\",\"history\":[]}\n"
        "not json\r\n"
        "{\"schema\":\"svcq.client/1\",\"id\":\"l4\",\"classified\":{\"tier\":\"tier_3\",\"rank\":3},\"history\":["
        "{\"from\":1772323200,\"to\":null,\"tier\":\"tier_3\",\"rank\":3,\"change\":\"imported\",\"reason\":\"CRM\","
        "\"actor\":\"import\",\"scheme\":\"svcq.default\",\"scheme_version\":1}]}";
    char log[2048] = "";
    uint64_t ok, bad;
    assert_int_equal(svcq_client_import_lines(&ok, &bad, f->ctx, lines, strlen(lines), on_line, log), SVCQ_OK);
    assert_int_equal(ok, 2);
    assert_int_equal(bad, 4);
    assert_non_null(strstr(log, "3 -1 line 3: client JSON: a client with a history needs \"classified\""));
    assert_non_null(strstr(log, "4 -1 line 4: client JSON: history[1]: starts at 1772409601, not where the entry "
                                "before it ends (1772409600)"));
    assert_non_null(strstr(log, "5 -4 line 5: client l1 is stored already"));
    assert_non_null(strstr(log, "6 -13 line 6: client JSON: line 1, column 1"));
    assert_int_equal(svcq_client_load(&d, f->ctx, "l4"), SVCQ_OK);
    assert_string_equal(tier_at(d, MAR1), "tier_3");
    svcq_client_free(d);
    svcq_client_free(c);
}

static void test_distribution(void **state)
{
    fx *f = *state;
    svcq_client *c[4];
    const double *in[4] = { special_in, tier1_in, tier2_in, tier3_in };
    for (int i = 0; i < 4; i++) {
        char id[8];
        snprintf(id, sizeof(id), "d%d", i);
        assert_int_equal(svcq_client_new(&c[i], f->ctx, id, NULL), SVCQ_OK);
        assert_int_equal(svcq_client_reclassify(c[i], f->s, tier2_in, NF, MAR1, "b", NULL), SVCQ_OK);
        assert_int_equal(svcq_client_reclassify(c[i], f->s, in[i], NF, MAR1 + 31 * DAY, "b", NULL), SVCQ_OK);
        assert_int_equal(svcq_client_reclassify(c[i], f->s, in[i], NF, MAR1 + 40 * DAY, "b", NULL), SVCQ_OK);
    }
    svcq_tier_distribution *d;
    /* April: 1 April to 1 May. */
    assert_int_equal(svcq_tier_distribution_new(&d, f->s, MAR1 + 31 * DAY, MAR1 + 61 * DAY), SVCQ_OK);
    for (int i = 0; i < 4; i++)
        assert_int_equal(svcq_tier_distribution_add(d, c[i]), SVCQ_OK);
    uint64_t n, up, down;
    assert_int_equal(svcq_tier_distribution_get(&n, &up, &down, d, 0), SVCQ_OK);
    assert_true(n == 1 && up == 1 && down == 0);
    assert_int_equal(svcq_tier_distribution_get(&n, &up, &down, d, 2), SVCQ_OK);
    assert_true(n == 1 && up == 0 && down == 0);
    assert_int_equal(svcq_tier_distribution_get(&n, &up, &down, d, 3), SVCQ_OK);
    assert_true(n == 1 && up == 0 && down == 1); /* far below: at once */
    assert_int_equal(svcq_tier_distribution_get(&n, NULL, NULL, d, 5), SVCQ_ENOTFOUND);
    svcq_buffer *b;
    svcq_writer w;
    assert_int_equal(svcq_buffer_new(&b, f->ctx), SVCQ_OK);
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    assert_int_equal(svcq_tier_distribution_export_markdown(d, &w), SVCQ_OK);
    assert_non_null(strstr(svcq_buffer_data(b), "| Special | 1 | 25.0 % | 1 | 0 |\n| Tier 1 | 1 | 25.0 % | 1 | 0 |\n"
                                                "| Tier 2 | 1 | 25.0 % | 0 | 0 |\n| Tier 3 | 1 | 25.0 % | 0 | 1 |\n"
                                                "| **total** | 4 | | | |\n"));
    svcq_buffer_clear(b);
    assert_int_equal(svcq_tier_distribution_export_json(d, &w, 0), SVCQ_OK);
    assert_non_null(strstr(svcq_buffer_data(b), "\"clients\":4,\"tiers\":[{\"tier\":\"special\",\"clients\":1,"
                                                "\"moved_up\":1,\"moved_down\":0}"));
    svcq_buffer_free(b);
    svcq_tier_distribution_free(d);
    assert_int_equal(svcq_tier_distribution_new(&d, f->s, MAR1, MAR1), SVCQ_EINVAL);
    for (int i = 0; i < 4; i++)
        svcq_client_free(c[i]);
}

static int notify(const svcq_sla_notice *n, void *u)
{
    (void)n;
    (void)u;
    return 0;
}

static svcq_sla_policy *tier_policy(svcq_ctx *ctx, int32_t tier)
{
    svcq_sla_policy *p;
    assert_int_equal(svcq_sla_policy_builtin(&p, ctx, tier, NULL, 0), SVCQ_OK);
    assert_int_equal(svcq_sla_policy_set_change_mode(p, SVCQ_SLA_CHANGE_CARRY), SVCQ_OK);
    return p;
}

/* A tier 2 client becomes tier 1 at 10:00: its open ticket's first
 * response, running on tier 2's 1 h since 09:30, carries its 30 min of
 * elapsed time into tier 1's 30 min: due at 10:00; a closed ticket stays. */
static void test_move_clocks(void **state)
{
    fx *f = *state;
    svcq_sla_policy *pol[4];
    for (int i = 0; i < 4; i++)
        pol[i] = tier_policy(f->ctx, i);
    svcq_sla_scheduler *sch;
    assert_int_equal(svcq_sla_scheduler_new(&sch, f->ctx, notify, NULL), SVCQ_OK);
    svcq_time mon = MAR1 + DAY + 9 * HOUR; /* Monday 2 March, 09:00 UTC */
    svcq_sla_clock *open, *closed;
    assert_int_equal(svcq_sla_clock_new(&open, pol[2], "T-1"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(open, "request_received", mon + 1800, NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_new(&closed, pol[2], "T-2"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(closed, "request_received", mon, NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(closed, "closed", mon + 600, NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(sch, open), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(sch, closed), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_save(open), SVCQ_OK);

    svcq_client *c;
    assert_int_equal(svcq_client_new(&c, f->ctx, "m", NULL), SVCQ_OK);
    assert_int_equal(svcq_client_reclassify(c, f->s, tier2_in, NF, mon - DAY, "b", NULL), SVCQ_OK);
    const char *subjects[] = { "T-1", "T-2", "T-3" };
    uint32_t moved = 9;
    /* Refusals first: nothing moves. */
    assert_int_equal(svcq_client_move_clocks(&moved, c, f->s, sch, pol, 3, subjects, 3, mon + HOUR), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(f->ctx), "3 policies for the 4 tiers"));
    assert_int_equal(svcq_client_move_clocks(&moved, c, f->s, sch, pol, 4, subjects, 3, mon - 2 * DAY),
                     SVCQ_ENOTFOUND);
    assert_int_equal(svcq_ctx_batch_begin(f->ctx), SVCQ_OK);
    assert_int_equal(svcq_client_move_clocks(&moved, c, f->s, sch, pol, 4, subjects, 3, mon + HOUR), SVCQ_ESTATE);
    assert_int_equal(svcq_ctx_batch_rollback(f->ctx), SVCQ_OK);
    /* Still tier 2: nothing to move. */
    assert_int_equal(svcq_client_move_clocks(&moved, c, f->s, sch, pol, 4, subjects, 3, mon + HOUR), SVCQ_OK);
    assert_int_equal(moved, 0);

    assert_int_equal(svcq_client_reclassify(c, f->s, tier1_in, NF, mon + HOUR, "b", NULL), SVCQ_OK);
    assert_int_equal(svcq_client_move_clocks(&moved, c, f->s, sch, pol, 4, subjects, 3, mon + HOUR), SVCQ_OK);
    assert_int_equal(moved, 1);
    assert_null(svcq_sla_scheduler_find(sch, "T-1", "tier.2"));
    svcq_sla_clock *now = svcq_sla_scheduler_find(sch, "T-1", "tier.1");
    assert_non_null(now);
    assert_non_null(svcq_sla_scheduler_find(sch, "T-2", "tier.2")); /* closed: stays */
    svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
    assert_int_equal(svcq_sla_clock_status(&st, now, 0, mon + HOUR), SVCQ_OK);
    assert_string_equal(st.metric, "first_response");
    assert_true(st.due_at == mon + HOUR);
    assert_int_equal(svcq_sla_clock_event_count(now), 1);
    /* The stored record moved with it: it loads under tier.1 with both
     * policies, and the old record is gone. */
    svcq_sla_clock *loaded;
    svcq_sla_policy *const both[2] = { pol[1], pol[2] };
    assert_int_equal(svcq_sla_clock_load(&loaded, both, 2, "tier.1", "T-1", 0), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_status(&st, loaded, 0, mon + HOUR), SVCQ_OK);
    assert_true(st.due_at == mon + HOUR);
    svcq_sla_clock_free(loaded);
    assert_int_equal(svcq_sla_clock_load(&loaded, both, 2, "tier.2", "T-1", 0), SVCQ_ENOTFOUND);
    /* An existing clock on the new policy is refused. */
    svcq_sla_clock *dup;
    assert_int_equal(svcq_sla_clock_new(&dup, pol[2], "T-1"), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_event(dup, "request_received", mon + HOUR, NULL), SVCQ_OK);
    assert_int_equal(svcq_sla_scheduler_add(sch, dup), SVCQ_OK);
    assert_int_equal(svcq_client_move_clocks(&moved, c, f->s, sch, pol, 4, subjects, 3, mon + HOUR), SVCQ_EEXIST);
    assert_non_null(svcq_sla_scheduler_find(sch, "T-1", "tier.2"));

    /* KEEP moves nothing; transfer's own refusals. */
    svcq_sla_clock *out = (svcq_sla_clock *)1;
    assert_int_equal(svcq_sla_policy_set_change_mode(pol[3], SVCQ_SLA_CHANGE_KEEP), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_transfer(&out, dup, pol[3], mon + 2 * HOUR), SVCQ_OK);
    assert_null(out);
    assert_int_equal(svcq_sla_clock_transfer(&out, dup, pol[2], mon + 2 * HOUR), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(f->ctx), "use svcq_sla_clock_change_policy()"));
    assert_int_equal(svcq_sla_clock_transfer(&out, dup, pol[0], 0), SVCQ_EINVAL);
    /* RECOMPUTE: the whole log under the new policy. */
    assert_int_equal(svcq_sla_policy_set_change_mode(pol[0], SVCQ_SLA_CHANGE_RECOMPUTE), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_transfer(&out, dup, pol[0], mon + 2 * HOUR), SVCQ_OK);
    assert_int_equal(svcq_sla_clock_status(&st, out, 0, mon + 2 * HOUR), SVCQ_OK);
    assert_true(st.due_at == mon + HOUR + 15 * 60);
    svcq_sla_clock_free(out);

    svcq_client_free(c);
    svcq_sla_scheduler_free(sch);
    for (int i = 0; i < 4; i++)
        svcq_sla_policy_free(pol[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hysteresis, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tier_at_boundaries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_oscillation_property, setup, teardown),
        cmocka_unit_test_setup_teardown(test_override, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_store_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_distribution, setup, teardown),
        cmocka_unit_test_setup_teardown(test_move_clocks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
