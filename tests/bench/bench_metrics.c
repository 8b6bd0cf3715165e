/* Metrics benchmark, one JSON line per figure:
 * - metrics_ingest: 1,000,000 facts of 2026 (Asia/Shanghai, a Monday to
 *   Friday 09:00-18:00 calendar) put into a set offering weeks, months,
 *   quarters and years by all, tier, channel, category and complaint
 *   category (the puts keep day rollups; the reports derive weeks);
 * - metrics_weekly_reports: the weekly report (JSON) of each of the 52
 *   weeks, read from the rollups;
 * - metrics_business_response: business seconds from receipt to first
 *   reply (svcq_calendar_diff) over the same facts, facts per second;
 * - metrics_busy_day: facts all received on one day, each then updated 3
 *   times (first reply, client, CSAT), at two sizes (a fifth and a
 *   twentieth of the fact count): CPU per update at each size and their
 *   growth (1 when an update costs the same on a busier day; 4 would be
 *   quadratic);
 * - with libsqlite3 (-DSVCQ_BENCH_SQLITE): the same facts in an in-memory
 *   SQLite table indexed by week, and per week the same calendar-time KPIs
 *   (count, resolved, rated, satisfied, CSAT sum, replies, response sum,
 *   median and p90 by nearest rank, complaints, distinct clients) and the
 *   top 3 complaint categories by SQL; the week results are checked equal
 *   to the library's, and the ratio of the query times is printed.
 * Never asserts on time; fails only when the code under test fails or the
 * two computations disagree. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "svcq.h"

#ifdef SVCQ_BENCH_SQLITE
#include <sqlite3.h>
#endif

#ifndef SVCQ_TEST_DATA
#define SVCQ_TEST_DATA "tests/data"
#endif

#define NFACTS 1000000
#define WEEKS 52
#define BUSY_UPDATES 3

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of the process: on a shared machine the wall time also counts
 * the time other jobs held the cores. */
static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(svcq_ctx *ctx, const char *what)
{
    fprintf(stderr, "bench_metrics: %s: %s\n", what, svcq_ctx_errmsg(ctx));
    exit(1);
}

typedef struct row {
    svcq_time received, first_reply, resolved;
    int32_t csat, complaint, week, cat, tier, channel, client;
} row;

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static int discard(const char *d, size_t n, void *ud)
{
    (void)d;
    *(size_t *)ud += n;
    return 0;
}

static const char *const TIERS[4] = { "tier.special", "tier.1", "tier.2", "tier.3" };
static const char *const CHANNELS[3] = { "phone", "wechat", "app" };
static char CATS[20][16];
static char CLIENTS[5000][12];

/* n facts received on one day, then BUSY_UPDATES rounds of updates of each;
 * returns the CPU seconds of the updates. */
static double busy_day(svcq_ctx *ctx, const svcq_metrics_options *o, svcq_time day, int n, char (*ids)[12])
{
    svcq_metrics *m;
    if (svcq_metrics_new(&m, ctx, o))
        die(ctx, "new");
    double c0 = 0;
    for (int round = 0; round <= BUSY_UPDATES; round++) {
        if (round == 1) {
            /* A read adds the facts to the rollups: the updates after it
             * replace facts counted there. */
            svcq_metrics_value v = SVCQ_METRICS_VALUE_INIT;
            if (svcq_metrics_kpi_get(&v, m, SVCQ_METRICS_RESPONSE_MEAN, SVCQ_METRICS_WEEK, day, 0, NULL))
                die(ctx, "busy kpi");
            c0 = cpu();
        }
        for (int i = 0; i < n; i++) {
            svcq_metrics_fact f = SVCQ_METRICS_FACT_INIT;
            f.id = ids[i];
            f.received = day + (svcq_time)(i % 86400);
            f.first_reply = f.received + rnd(2 * 86400); /* mostly distinct seconds */
            f.csat = (int32_t)rnd(6);
            f.category = CATS[i % 20];
            f.tier = TIERS[i % 4];
            f.channel = CHANNELS[i % 3];
            f.client = CLIENTS[rnd(5000)];
            if (svcq_metrics_fact_put(m, &f))
                die(ctx, "busy put");
        }
    }
    svcq_metrics_value v = SVCQ_METRICS_VALUE_INIT;
    if (svcq_metrics_kpi_get(&v, m, SVCQ_METRICS_RESPONSE_MEDIAN, SVCQ_METRICS_WEEK, day, 0, NULL))
        die(ctx, "busy kpi");
    double c = cpu() - c0;
    svcq_metrics_free(m);
    return c;
}


int main(int argc, char **argv)
{
    /* An optional first argument sets a smaller fact count for profiling;
     * then "all-clients" counts distinct clients in every rollup (without
     * SVCQ_METRICS_CLIENTS_ALL_TIER), "ingest-only" stops after the ingest
     * (for a profile of the puts), "library-only" after the reports. */
    int nfacts = argc > 1 ? atoi(argv[1]) : NFACTS;
    if (nfacts < 1 || nfacts > NFACTS)
        nfacts = NFACTS;
    bool all_clients = false, ingest_only = false, reports_only = false;
    for (int i = 2; i < argc; i++) {
        all_clients |= !strcmp(argv[i], "all-clients");
        ingest_only |= !strcmp(argv[i], "ingest-only");
        reports_only |= !strcmp(argv[i], "library-only");
    }
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL))
        return 1;
    svcq_tz *tz;
    if (svcq_tz_load(&tz, ctx, "Asia/Shanghai", SVCQ_TEST_DATA "/zoneinfo"))
        die(ctx, "zone");
    svcq_calendar *cal;
    static const int32_t hours[2] = { 9 * 3600, 18 * 3600 };
    if (svcq_calendar_new(&cal, ctx, tz, NULL))
        die(ctx, "calendar");
    for (int w = 1; w <= 5; w++)
        if (svcq_calendar_set_weekday(cal, w, hours, 1))
            die(ctx, "hours");
    for (int i = 0; i < 20; i++)
        snprintf(CATS[i], sizeof(CATS[i]), "cat-%02d", i);
    for (int i = 0; i < 5000; i++)
        snprintf(CLIENTS[i], sizeof(CLIENTS[i]), "c%04d", i);

    /* 2026-W01 starts Monday 29 December 2025 00:00 +08:00. */
    svcq_time w1;
    if (svcq_tz_local_to_utc(&w1, tz, 2025, 12, 29, 0))
        die(ctx, "w1");
    row *rows = malloc(sizeof(row) * nfacts);
    char (*ids)[12] = malloc(12 * (size_t)nfacts);
    for (int i = 0; i < nfacts; i++) {
        row *r = &rows[i];
        r->week = (int32_t)rnd(WEEKS);
        r->received = w1 + (svcq_time)r->week * 7 * 86400 + rnd(7 * 86400);
        r->first_reply = rnd(10) ? r->received + rnd(4 * 3600) : SVCQ_METRICS_NO_TIME;
        r->resolved = rnd(5) ? r->received + rnd(3 * 86400) : SVCQ_METRICS_NO_TIME;
        r->csat = rnd(3) ? (int32_t)rnd(5) + 1 : 0;
        r->complaint = rnd(10) == 0;
        /* Skewed categories so the top 3 are not all ties. */
        r->cat = (int32_t)(rnd(20) * rnd(20) / 20);
        r->tier = (int32_t)rnd(4);
        r->channel = (int32_t)rnd(3);
        r->client = (int32_t)rnd(5000);
        snprintf(ids[i], 12, "t%07d", i);
    }

    svcq_metrics_options o = SVCQ_METRICS_OPTIONS_INIT;
    o.calendar = cal;
    /* The SQL computes distinct clients per week over all facts only. */
    o.flags = all_clients ? 0 : SVCQ_METRICS_CLIENTS_ALL_TIER;
    o.periods = (1u << SVCQ_METRICS_WEEK) | (1u << SVCQ_METRICS_MONTH) | (1u << SVCQ_METRICS_QUARTER) |
                (1u << SVCQ_METRICS_YEAR);
    o.dimensions = (1u << SVCQ_METRICS_DIM_TIER) | (1u << SVCQ_METRICS_DIM_CHANNEL) |
                   (1u << SVCQ_METRICS_DIM_CATEGORY) | (1u << SVCQ_METRICS_DIM_COMPLAINT);
    svcq_metrics *m;
    if (svcq_metrics_new(&m, ctx, &o))
        die(ctx, "new");
    double t0 = now(), c0 = cpu();
    for (int i = 0; i < nfacts; i++) {
        const row *r = &rows[i];
        svcq_metrics_fact f = SVCQ_METRICS_FACT_INIT;
        f.id = ids[i];
        f.received = r->received;
        f.first_reply = r->first_reply;
        f.resolved = r->resolved;
        f.csat = r->csat;
        f.complaint = r->complaint;
        f.category = CATS[r->cat];
        f.tier = TIERS[r->tier];
        f.channel = CHANNELS[r->channel];
        f.client = CLIENTS[r->client];
        f.agent_replies = 1;
        if (svcq_metrics_fact_put(m, &f))
            die(ctx, "put");
    }
    double t_ingest = now() - t0, c_ingest = cpu() - c0;
    printf("{\"bench\":\"metrics_ingest\",\"facts\":%d,\"periods\":\"week,month,quarter,year\","
           "\"dimensions\":\"all,tier,channel,category,complaint\",\"distinct_clients\":\"%s\","
           "\"seconds\":%.3f,\"cpu_seconds\":%.3f,\"facts_per_s\":%.0f,\"facts_per_cpu_s\":%.0f}\n",
           nfacts, all_clients ? "every rollup" : "all,tier", t_ingest, c_ingest, nfacts / t_ingest,
           nfacts / c_ingest);
    if (ingest_only)
        goto done;

    /* The 52 weekly reports, and the week figures for the cross-check. */
    size_t bytes = 0;
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = discard;
    w.user_data = &bytes;
    int64_t lib_n[WEEKS], lib_median[WEEKS], lib_p90[WEEKS], lib_sum[WEEKS];
    t0 = now();
    c0 = cpu();
    for (int k = 0; k < WEEKS; k++) {
        svcq_metrics_report req = SVCQ_METRICS_REPORT_INIT;
        req.week_of = w1 + (svcq_time)k * 7 * 86400 + 3600;
        if (svcq_metrics_weekly_report(m, &req, SVCQ_METRICS_JSON, &w))
            die(ctx, "report");
    }
    double t_reports = now() - t0, c_reports = cpu() - c0;
    for (int k = 0; k < WEEKS; k++) {
        svcq_time at = w1 + (svcq_time)k * 7 * 86400 + 3600;
        svcq_metrics_value v = SVCQ_METRICS_VALUE_INIT;
        if (svcq_metrics_kpi_get(&v, m, SVCQ_METRICS_RESPONSE_MEDIAN, SVCQ_METRICS_WEEK, at, 0, NULL))
            die(ctx, "kpi");
        lib_median[k] = v.numerator;
        lib_n[k] = v.denominator;
        if (svcq_metrics_kpi_get(&v, m, SVCQ_METRICS_RESPONSE_P90, SVCQ_METRICS_WEEK, at, 0, NULL))
            die(ctx, "kpi");
        lib_p90[k] = v.numerator;
        if (svcq_metrics_kpi_get(&v, m, SVCQ_METRICS_RESPONSE_MEAN, SVCQ_METRICS_WEEK, at, 0, NULL))
            die(ctx, "kpi");
        lib_sum[k] = v.numerator;
    }
    printf("{\"bench\":\"metrics_weekly_reports\",\"weeks\":%d,\"seconds\":%.4f,\"cpu_seconds\":%.4f,"
           "\"ms_per_report\":%.3f,\"bytes\":%zu}\n",
           WEEKS, t_reports, c_reports, t_reports * 1000 / WEEKS, bytes);
    if (reports_only)
        goto done;

    /* Business-time response: svcq_calendar_diff per fact with a reply. */
    int64_t biz = 0;
    int replied = 0;
    t0 = now();
    for (int i = 0; i < nfacts; i++) {
        if (rows[i].first_reply == SVCQ_METRICS_NO_TIME)
            continue;
        int64_t d;
        if (svcq_calendar_diff(&d, cal, rows[i].received, rows[i].first_reply))
            die(ctx, "diff");
        biz += d;
        replied++;
    }
    double t_biz = now() - t0;
    printf("{\"bench\":\"metrics_business_response\",\"facts\":%d,\"seconds\":%.4f,\"facts_per_s\":%.0f,"
           "\"checksum\":%lld}\n",
           replied, t_biz, replied / t_biz, (long long)biz);

#ifdef SVCQ_BENCH_SQLITE
    sqlite3 *db;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        return 1;
    sqlite3_exec(db,
                 "CREATE TABLE f(id TEXT PRIMARY KEY, week INTEGER, resp INTEGER, resolved INTEGER, csat INTEGER,"
                 " complaint INTEGER, category TEXT, client TEXT);",
                 NULL, NULL, NULL);
    t0 = now();
    c0 = cpu();
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *ins;
    sqlite3_prepare_v2(db, "INSERT INTO f VALUES(?,?,?,?,?,?,?,?)", -1, &ins, NULL);
    for (int i = 0; i < nfacts; i++) {
        const row *r = &rows[i];
        sqlite3_bind_text(ins, 1, ids[i], -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 2, r->week);
        if (r->first_reply == SVCQ_METRICS_NO_TIME)
            sqlite3_bind_null(ins, 3);
        else
            sqlite3_bind_int64(ins, 3, r->first_reply - r->received);
        sqlite3_bind_int(ins, 4, r->resolved != SVCQ_METRICS_NO_TIME);
        sqlite3_bind_int(ins, 5, r->csat);
        sqlite3_bind_int(ins, 6, r->complaint);
        sqlite3_bind_text(ins, 7, CATS[r->cat], -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 8, CLIENTS[r->client], -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE)
            return 1;
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_exec(db, "CREATE INDEX f_week ON f(week, resp); CREATE INDEX f_wc ON f(week, complaint, category);", NULL,
                 NULL, NULL);
    double t_load = now() - t0, c_load = cpu() - c0;
    sqlite3_stmt *kpi, *quant, *top;
    sqlite3_prepare_v2(db,
                       "SELECT count(*), sum(resolved), sum(csat > 0), sum(csat >= 4), sum(csat), count(resp),"
                       " sum(resp), sum(complaint), count(DISTINCT client) FROM f WHERE week = ?1",
                       -1, &kpi, NULL);
    sqlite3_prepare_v2(db, "SELECT resp FROM f WHERE week = ?1 AND resp IS NOT NULL ORDER BY resp LIMIT 1 OFFSET ?2",
                       -1, &quant, NULL);
    sqlite3_prepare_v2(db,
                       "SELECT c.category, c.n, coalesce(p.n, 0) AS pn FROM"
                       " (SELECT category, count(*) AS n FROM f WHERE week = ?1 AND complaint = 1 GROUP BY category) c"
                       " LEFT JOIN (SELECT category, count(*) AS n FROM f WHERE week = ?1 - 1 AND complaint = 1"
                       " GROUP BY category) p ON p.category = c.category"
                       " ORDER BY c.n DESC, pn DESC, c.category LIMIT 3",
                       -1, &top, NULL);
    long long checksum = 0;
    t0 = now();
    c0 = cpu();
    for (int k = 0; k < WEEKS; k++) {
        sqlite3_bind_int(kpi, 1, k);
        if (sqlite3_step(kpi) != SQLITE_ROW)
            return 1;
        long long responded = sqlite3_column_int64(kpi, 5), sum = sqlite3_column_int64(kpi, 6);
        checksum += sqlite3_column_int64(kpi, 0) + sum;
        sqlite3_reset(kpi);
        long long q[2] = { 0, 0 };
        long long rank[2] = { (responded + 1) / 2, (9 * responded + 9) / 10 };
        for (int j = 0; j < 2; j++) {
            sqlite3_bind_int(quant, 1, k);
            sqlite3_bind_int64(quant, 2, rank[j] - 1);
            if (sqlite3_step(quant) == SQLITE_ROW)
                q[j] = sqlite3_column_int64(quant, 0);
            sqlite3_reset(quant);
        }
        sqlite3_bind_int(top, 1, k);
        while (sqlite3_step(top) == SQLITE_ROW)
            checksum += sqlite3_column_int64(top, 1);
        sqlite3_reset(top);
        if (responded != lib_n[k] || q[0] != lib_median[k] || q[1] != lib_p90[k] || sum != lib_sum[k]) {
            fprintf(stderr, "bench_metrics: week %d differs: sqlite n=%lld median=%lld p90=%lld sum=%lld, library "
                            "n=%lld median=%lld p90=%lld sum=%lld\n",
                    k + 1, responded, q[0], q[1], sum, (long long)lib_n[k], (long long)lib_median[k],
                    (long long)lib_p90[k], (long long)lib_sum[k]);
            return 1;
        }
    }
    double t_sql = now() - t0, c_sql = cpu() - c0;
    sqlite3_finalize(kpi);
    sqlite3_finalize(quant);
    sqlite3_finalize(top);
    sqlite3_close(db);
    /* ratio: the SQL queries against the library's reports; end_to_end:
     * SQLite's load, index and queries against the library's ingest and
     * reports. The CPU ratios are the ones to quote on a shared machine. */
    printf("{\"bench\":\"metrics_sqlite\",\"sqlite\":\"%s\",\"load_and_index_seconds\":%.3f,\"weeks\":%d,"
           "\"query_seconds\":%.4f,\"library_report_seconds\":%.4f,\"ratio\":%.1f,\"cpu_ratio\":%.1f,"
           "\"library_ingest_and_reports_seconds\":%.3f,\"sqlite_load_index_and_queries_seconds\":%.3f,"
           "\"end_to_end_ratio\":%.2f,\"end_to_end_cpu_ratio\":%.2f,\"checksum\":%lld,\"agree\":true}\n",
           sqlite3_libversion(), t_load, WEEKS, t_sql, t_reports, t_sql / t_reports, c_sql / c_reports,
           t_ingest + t_reports, t_load + t_sql, (t_load + t_sql) / (t_ingest + t_reports),
           (c_load + c_sql) / (c_ingest + c_reports), checksum);
#else
    printf("{\"bench\":\"metrics_sqlite\",\"skipped\":\"libsqlite3 not found\"}\n");
#endif
    /* One busy day: updates must not cost more on a busier day. */
    int busy[2] = { nfacts / 20, nfacts / 5 };
    double busy_cpu[2];
    for (int k = 0; k < 2; k++)
        busy_cpu[k] = busy_day(ctx, &o, w1 + 10 * 86400, busy[k] ? busy[k] : 1, ids);
    double per[2] = { busy_cpu[0] * 1e6 / ((busy[0] ? busy[0] : 1) * BUSY_UPDATES),
                      busy_cpu[1] * 1e6 / ((busy[1] ? busy[1] : 1) * BUSY_UPDATES) };
    printf("{\"bench\":\"metrics_busy_day\",\"updates_per_fact\":%d,\"small_facts\":%d,\"small_cpu_seconds\":%.3f,"
           "\"small_us_per_update\":%.3f,\"large_facts\":%d,\"large_cpu_seconds\":%.3f,\"large_us_per_update\":%.3f,"
           "\"growth\":%.2f}\n",
           BUSY_UPDATES, busy[0], busy_cpu[0], per[0], busy[1], busy_cpu[1], per[1], per[1] / per[0]);
done:
    svcq_metrics_free(m);
    free(rows);
    free(ids);
    svcq_calendar_free(cal);
    svcq_tz_free(tz);
    svcq_ctx_free(ctx);
    return 0;
}
