/* Assignment decisions: 1,000 agents in 50 teams of 20, half of them on a
 * Shanghai business calendar (the others 7x24), skills on every agent, the
 * requests spread over the teams and over a working week (so shift caches
 * are refilled), one line of JSON per measurement:
 *   - preview: a decision without changing anything, per strategy;
 *   - assign + release: a decision that records the item, moves the
 *     team's rotation, and the release that takes it back (unbound
 *     assigner: nothing is stored).
 * The aim from issue 9 is 2 M decisions per second. Never asserts on time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "svcq.h"

#ifndef SVCQ_TEST_DATA
#define SVCQ_TEST_DATA "tests/data"
#endif
#define ZONEINFO SVCQ_TEST_DATA "/zoneinfo"
#define AGENTS 1000
#define TEAMS 50
#define PER_TEAM (AGENTS / TEAMS)
#define MONDAY_9H 1791162000 /* 2026-10-05 01:00Z, 09:00 in Shanghai */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static svcq_ctx *g_ctx;

static void check(int rc, const char *what)
{
    if (rc != SVCQ_OK) {
        fprintf(stderr, "bench_assign: %s: %s (%s)\n", what, svcq_strerror(rc), svcq_ctx_errmsg(g_ctx));
        exit(1);
    }
}

int main(void)
{
    check(svcq_ctx_new(&g_ctx, NULL), "context");
    svcq_ctx *ctx = g_ctx;
    svcq_tz *tz;
    check(svcq_tz_load(&tz, ctx, "Asia/Shanghai", ZONEINFO), "zone");
    svcq_calendar *cal;
    check(svcq_sla_default_calendar(&cal, ctx, tz), "calendar");
    svcq_tz_free(tz);
    svcq_assigner *a;
    check(svcq_assigner_new(&a, ctx), "assigner");
    static char ids[AGENTS][16];
    const char *skills[] = { "billing", "network", "vip" };
    for (int i = 0; i < AGENTS; i++) {
        snprintf(ids[i], sizeof(ids[i]), "ag%04d", i);
        svcq_agent_spec s = SVCQ_AGENT_SPEC_INIT;
        s.id = ids[i];
        s.weight = 1 + i % 4;
        s.skills = skills + i % 2;
        s.skill_count = 2;
        s.calendar = i % 2 ? cal : NULL;
        check(svcq_assigner_put_agent(a, &s), "agent");
    }
    static char team_ids[TEAMS][16];
    for (int t = 0; t < TEAMS; t++) {
        const char *members[PER_TEAM];
        for (int k = 0; k < PER_TEAM; k++)
            members[k] = ids[t * PER_TEAM + k];
        snprintf(team_ids[t], sizeof(team_ids[t]), "team%02d", t);
        check(svcq_assigner_put_team(a, team_ids[t], NULL, SVCQ_TEAM_POOL, members, PER_TEAM), "team");
    }
    svcq_calendar_free(cal);
    svcq_assignment *d;
    check(svcq_assignment_new(&d, ctx), "decision");

    const int32_t strategies[] = { SVCQ_ASSIGN_ROUND_ROBIN, SVCQ_ASSIGN_WEIGHTED_ROUND_ROBIN,
                                   SVCQ_ASSIGN_LEAST_LOADED };
    const int n = 2000000;
    const char *need[] = { "vip" };
    for (size_t k = 0; k < sizeof(strategies) / sizeof(strategies[0]); k++) {
        svcq_assign_request r = SVCQ_ASSIGN_REQUEST_INIT;
        r.strategy = strategies[k];
        r.skills = need;
        r.skill_count = 1;
        double t0 = now();
        size_t skipped = 0;
        for (int i = 0; i < n; i++) {
            r.team_id = team_ids[i % TEAMS];
            r.at = MONDAY_9H + (svcq_time)(i / 1000) * 97; /* about 2.2 days over the run */
            int rc = svcq_assigner_preview(d, a, &r);
            if (rc != SVCQ_OK && rc != SVCQ_ENOTFOUND)
                check(rc, "preview");
            skipped += svcq_assignment_skipped_count(d);
        }
        double s = now() - t0;
        printf("{\"bench\":\"assign_preview\",\"strategy\":\"%s\",\"agents\":%d,\"teams\":%d,\"decisions\":%d,"
               "\"seconds\":%.3f,\"decisions_per_s\":%.0f,\"skips_per_decision\":%.2f}\n",
               svcq_assign_strategy_name(strategies[k]), AGENTS, TEAMS, n, s, n / s, (double)skipped / n);
    }
    for (size_t k = 0; k < sizeof(strategies) / sizeof(strategies[0]); k++) {
        svcq_assign_request r = SVCQ_ASSIGN_REQUEST_INIT;
        r.strategy = strategies[k];
        static char item[16];
        r.item_id = item;
        double t0 = now();
        for (int i = 0; i < n; i++) {
            snprintf(item, sizeof(item), "T%d", i % 4096);
            r.team_id = team_ids[i % TEAMS];
            r.at = MONDAY_9H + (svcq_time)(i / 1000) * 97;
            if (i >= 4096)
                check(svcq_assigner_release(a, item), "release");
            int rc = svcq_assigner_assign(d, a, &r);
            if (rc != SVCQ_OK)
                check(rc, "assign");
        }
        double s = now() - t0;
        for (int i = 0; i < 4096; i++) {
            snprintf(item, sizeof(item), "T%d", i);
            check(svcq_assigner_release(a, item), "release");
        }
        printf("{\"bench\":\"assign_release\",\"strategy\":\"%s\",\"agents\":%d,\"teams\":%d,\"open_items\":4096,"
               "\"assignments\":%d,\"seconds\":%.3f,\"assignments_per_s\":%.0f}\n",
               svcq_assign_strategy_name(strategies[k]), AGENTS, TEAMS, n, s, n / s);
    }
    svcq_assignment_free(d);
    svcq_assigner_free(a);
    svcq_ctx_free(ctx);
    return 0;
}
