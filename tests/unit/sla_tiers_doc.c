/* The table of built-in targets in docs/sla.md against the built-in
 * policies, read through the public API: every row is a target of its
 * tier with that start, meet and stop event, recurrence, duration and unit
 * (default and literal-hours reading), warnings and escalations, and every
 * target of every tier has a row. Docs and code cannot drift apart. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svcq.h"
#include "test_alloc.h"

#ifndef SVCQ_DOCS_DIR
#error "SVCQ_DOCS_DIR must name the docs directory"
#endif

#define MAXCOL 12

/* Splits "| a | b |" into trimmed cells (in place); returns the count. */
static int cells(char *line, char **out)
{
    int n = 0;
    char *p = strchr(line, '|');
    while (p && n < MAXCOL) {
        char *q = strchr(p + 1, '|');
        if (!q)
            break;
        *q = '\0';
        char *a = p + 1, *b = q;
        while (*a == ' ')
            a++;
        while (b > a && b[-1] == ' ')
            *--b = '\0';
        out[n++] = a;
        p = q;
    }
    return n;
}

static int tier_of(const char *s)
{
    if (strcmp(s, "special") == 0)
        return SVCQ_TIER_SPECIAL;
    int t = atoi(s);
    if (t < 1 || t > 3)
        fail_msg("unknown tier \"%s\"", s);
    return t;
}

static const char *dash(const char *s)
{
    return strcmp(s, "—") == 0 ? NULL : s;
}

/* "15 min", "2 h", "1 business day", "3 business days", "tracked". */
static void duration_of(const char *s, int64_t *value, uint32_t *unit)
{
    long long v = 0;
    char word[32] = "";
    *unit = SVCQ_SLA_UNIT_SECONDS;
    if (strcmp(s, "tracked") == 0) {
        *value = 0;
        return;
    }
    if (sscanf(s, "%lld %31[a-z ]", &v, word) != 2)
        fail_msg("duration \"%s\"", s);
    if (strcmp(word, "min") == 0)
        *value = v * 60;
    else if (strcmp(word, "h") == 0)
        *value = v * 3600;
    else if (strcmp(word, "business day") == 0 || strcmp(word, "business days") == 0) {
        *value = v;
        *unit = SVCQ_SLA_UNIT_BUSINESS_DAYS;
    } else
        fail_msg("duration unit \"%s\"", word);
}

/* "50 %, 80 %" or "—". */
static uint32_t percents_of(const char *s, uint32_t *out)
{
    uint32_t n = 0;
    if (!dash(s))
        return 0;
    for (const char *p = s; *p;) {
        out[n++] = (uint32_t)strtoul(p, NULL, 10);
        p = strchr(p, ',');
        if (!p)
            break;
        p++;
    }
    return n;
}

static const svcq_sla_target_spec *find(svcq_sla_target_spec *buf, const svcq_sla_policy *p, const char *metric,
                                         uint32_t *index)
{
    for (uint32_t i = 0; i < svcq_sla_policy_target_count(p); i++) {
        *buf = (svcq_sla_target_spec)SVCQ_SLA_TARGET_SPEC_INIT;
        assert_int_equal(svcq_sla_policy_target(buf, p, i), SVCQ_OK);
        if (strcmp(buf->metric, metric) == 0) {
            *index = i;
            return buf;
        }
    }
    return NULL;
}

static void same_or_null(const char *doc, const char *code, const char *what, const char *metric)
{
    if (!doc != !code || (doc && strcmp(doc, code) != 0))
        fail_msg("%s of %s: docs say \"%s\", the code has \"%s\"", what, metric, doc ? doc : "—",
                 code ? code : "—");
}

static void the_docs_table_is_the_code(void **state)
{
    (void)state;
    test_alloc alloc;
    test_alloc_init(&alloc);
    svcq_ctx *ctx = test_ctx_new(&alloc);
    svcq_sla_policy *dflt[4], *lit[4];
    uint32_t seen[4][64];
    memset(seen, 0, sizeof(seen));
    for (int t = 0; t < 4; t++) {
        assert_int_equal(svcq_sla_policy_builtin(&dflt[t], ctx, t, NULL, 0), SVCQ_OK);
        assert_int_equal(svcq_sla_policy_builtin(&lit[t], ctx, t, NULL, SVCQ_SLA_BUILTIN_LITERAL_HOURS), SVCQ_OK);
        assert_int_equal(svcq_sla_policy_target_count(dflt[t]), svcq_sla_policy_target_count(lit[t]));
    }

    FILE *f = fopen(SVCQ_DOCS_DIR "/sla.md", "r");
    if (!f)
        fail_msg("cannot open %s", SVCQ_DOCS_DIR "/sla.md");
    char line[1024];
    bool in = false, done = false;
    int rows = 0;
    while (fgets(line, sizeof(line), f)) {
        if (strstr(line, "<!-- builtin-tiers:begin -->")) {
            in = true;
            continue;
        }
        if (strstr(line, "<!-- builtin-tiers:end -->")) {
            done = true;
            break;
        }
        if (!in || line[0] != '|' || strncmp(line, "| tier", 6) == 0 || strncmp(line, "|---", 4) == 0)
            continue;
        char *c[MAXCOL];
        if (cells(line, c) != 9)
            fail_msg("a row of 9 columns expected: %s", line);
        int t = tier_of(c[0]);
        const char *metric = c[1];
        char *arrow = strstr(c[2], " → ");
        if (!arrow)
            fail_msg("\"start → meet\" expected: %s", c[2]);
        *arrow = '\0';
        const char *start = c[2], *meet = arrow + strlen(" → ");
        for (int mode = 0; mode < 2; mode++) {
            svcq_sla_target_spec buf;
            uint32_t index = 0;
            const svcq_sla_target_spec *s = find(&buf, mode ? lit[t] : dflt[t], metric, &index);
            if (!s)
                fail_msg("docs list %s in tier %s; the built-in policy has no such target", metric, c[0]);
            seen[t][index]++;
            same_or_null(start, s->start_event, "start event", metric);
            same_or_null(meet, s->meet_event, "meet event", metric);
            same_or_null(dash(c[3]), s->stop_event, "stop event", metric);
            same_or_null("pause", s->pause_event, "pause event", metric);
            same_or_null("resume", s->resume_event, "resume event", metric);
            assert_null(s->restart_event);
            assert_int_equal(s->recurring, strcmp(c[4], "yes") == 0);
            int64_t value;
            uint32_t unit;
            duration_of(mode && dash(c[6]) ? c[6] : c[5], &value, &unit);
            if (s->duration != value || s->duration_unit != unit)
                fail_msg("tier %s %s (%s): docs say %lld %s, the code has %lld %s", c[0], metric,
                         mode ? "literal" : "default", (long long)value, svcq_sla_unit_name((int32_t)unit),
                         (long long)s->duration, svcq_sla_unit_name((int32_t)s->duration_unit));
            uint32_t w[8], e[8];
            uint32_t nw = percents_of(c[7], w), ne = percents_of(c[8], e);
            assert_int_equal(s->warn_count, nw);
            assert_int_equal(s->escalate_count, ne);
            assert_memory_equal(s->warn_percent, w, nw * sizeof(uint32_t));
            assert_memory_equal(s->escalate_percent, e, ne * sizeof(uint32_t));
            assert_int_equal(s->calendar == NULL, t == SVCQ_TIER_SPECIAL);
        }
        rows++;
    }
    fclose(f);
    assert_true(done);
    /* Every target has exactly one row (in each reading). */
    int targets = 0;
    for (int t = 0; t < 4; t++)
        for (uint32_t i = 0; i < svcq_sla_policy_target_count(dflt[t]); i++) {
            if (seen[t][i] != 2)
                fail_msg("tier %d target %u is listed %u times in docs/sla.md", t, i, seen[t][i] / 2);
            targets++;
        }
    assert_int_equal(rows, targets);
    for (int t = 0; t < 4; t++) {
        svcq_sla_policy_free(dflt[t]);
        svcq_sla_policy_free(lit[t]);
    }
    svcq_ctx_free(ctx);
    assert_int_equal(alloc.live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_docs_table_is_the_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
