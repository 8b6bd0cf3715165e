/* JSON codec throughput: parse and write of a ~1 KiB record-like document
 * (many iterations) and of a ~1 MiB document made of such records. Prints
 * one JSON line per measurement:
 *   {"bench":"json_parse","doc":"1KiB","bytes":...,"iterations":...,
 *    "seconds":...,"mb_per_s":...,"docs_per_s":...}
 * MB is 10^6 bytes of JSON text. Figures are indicative (shared machines). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "svcq.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, svcq_ctx *ctx)
{
    fprintf(stderr, "bench_json: %s: %s\n", what, svcq_ctx_errmsg(ctx));
    exit(1);
}

/* One incident-like record, about 1 KiB compact. */
static void write_record(svcq__jw *w, int n)
{
    char buf[64];
    svcq__jw_object_begin(w);
    svcq__jw_key(w, "schema");
    svcq__jw_string(w, "svcq.incident/1");
    svcq__jw_key(w, "id");
    snprintf(buf, sizeof(buf), "INC-2024-%06d", n);
    svcq__jw_string(w, buf);
    svcq__jw_key(w, "revision");
    svcq__jw_int(w, 17 + n);
    svcq__jw_key(w, "stage");
    svcq__jw_string(w, "EXECUTING");
    svcq__jw_key(w, "client");
    svcq__jw_string(w, "C-000173");
    svcq__jw_key(w, "tier");
    svcq__jw_string(w, "platinum");
    svcq__jw_key(w, "reported_at");
    svcq__jw_int(w, 1717236000 + n);
    svcq__jw_key(w, "title");
    svcq__jw_string(w, "\xe8\xb4\xa6\xe5\x8d\x95\xe9\x87\x8d\xe5\xa4\x8d\xe6\x89\xa3\xe8\xb4\xb9 double charge on the monthly bill");
    svcq__jw_key(w, "category");
    svcq__jw_string(w, "billing");
    svcq__jw_key(w, "loops");
    svcq__jw_int(w, 1);
    svcq__jw_key(w, "score");
    svcq__jw_double(w, 87.25);
    svcq__jw_key(w, "root_cause");
    svcq__jw_string(w, "Rating job ran twice after a failover; the idempotency key was not checked.\n"
                    "See the \"5-Why\" analysis.");
    svcq__jw_key(w, "measures");
    svcq__jw_array_begin(w);
    for (int i = 0; i < 3; i++) {
        svcq__jw_object_begin(w);
        svcq__jw_key(w, "owner");
        svcq__jw_string(w, i ? "zhang.min" : "li.wei");
        svcq__jw_key(w, "deadline");
        svcq__jw_int(w, 1717840800 + 86400 * i);
        svcq__jw_key(w, "indicator");
        svcq__jw_string(w, "refund issued within 24 h");
        svcq__jw_key(w, "done");
        svcq__jw_bool(w, i == 0);
        svcq__jw_object_end(w);
    }
    svcq__jw_array_end(w);
    svcq__jw_key(w, "audit");
    svcq__jw_array_begin(w);
    for (int i = 0; i < 3; i++) {
        svcq__jw_object_begin(w);
        svcq__jw_key(w, "at");
        svcq__jw_int(w, 1717236000 + 3600 * i);
        svcq__jw_key(w, "actor");
        svcq__jw_string(w, "agent-7");
        svcq__jw_key(w, "action");
        svcq__jw_string(w, "transition");
        svcq__jw_key(w, "before");
        svcq__jw_string(w, "PLANNING");
        svcq__jw_key(w, "after");
        svcq__jw_string(w, "EXECUTING");
        svcq__jw_object_end(w);
    }
    svcq__jw_array_end(w);
    svcq__jw_key(w, "verified");
    svcq__jw_null(w);
    svcq__jw_object_end(w);
}

static void report(const char *bench, const char *doc, size_t bytes, long iters, double secs)
{
    printf("{\"bench\":\"%s\",\"doc\":\"%s\",\"bytes\":%zu,\"iterations\":%ld,\"seconds\":%.3f,"
           "\"mb_per_s\":%.1f,\"docs_per_s\":%.0f}\n",
           bench, doc, bytes, iters, secs, (double)bytes * (double)iters / secs / 1e6, (double)iters / secs);
    fflush(stdout);
}

/* Runs parse and write of text for about `budget` seconds each. */
static void measure(svcq_ctx *ctx, const char *name, const svcq__buf *text, double budget)
{
    long iters = 0;
    double t0 = now(), t;
    svcq__json_doc *doc = NULL;
    do {
        for (int k = 0; k < 16; k++) {
            if (svcq__json_parse(ctx, text->data, text->len, NULL, &doc))
                die("parse", ctx);
            svcq__json_doc_free(doc);
        }
        iters += 16;
        t = now() - t0;
    } while (t < budget);
    report("json_parse", name, text->len, iters, t);

    if (svcq__json_parse(ctx, text->data, text->len, NULL, &doc))
        die("parse", ctx);
    svcq__buf out;
    svcq__buf_init(&out, ctx);
    iters = 0;
    t0 = now();
    do {
        for (int k = 0; k < 16; k++) {
            svcq__buf_truncate(&out, 0);
            svcq__jw w;
            svcq__jw_init_buf(&w, ctx, &out);
            svcq__jw_value(&w, svcq__json_root(doc));
            if (svcq__jw_finish(&w))
                die("write", ctx);
        }
        iters += 16;
        t = now() - t0;
    } while (t < budget);
    if (out.len != text->len || memcmp(out.data, text->data, out.len) != 0)
        die("write gave different text", ctx);
    report("json_write", name, text->len, iters, t);
    svcq__buf_free(&out);
    svcq__json_doc_free(doc);
}

int main(int argc, char **argv)
{
    double budget = argc > 1 ? atof(argv[1]) : 0.5;
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL))
        return 1;

    svcq__buf small;
    svcq__buf_init(&small, ctx);
    svcq__jw w;
    svcq__jw_init_buf(&w, ctx, &small);
    write_record(&w, 1);
    if (svcq__jw_finish(&w))
        die("build 1KiB", ctx);

    svcq__buf big;
    svcq__buf_init(&big, ctx);
    svcq__jw_init_buf(&w, ctx, &big);
    svcq__jw_object_begin(&w);
    svcq__jw_key(&w, "schema");
    svcq__jw_string(&w, "svcq.export/1");
    svcq__jw_key(&w, "records");
    svcq__jw_array_begin(&w);
    for (int i = 0; big.len < ((size_t)1 << 20) - 1100; i++)
        write_record(&w, i);
    svcq__jw_array_end(&w);
    svcq__jw_object_end(&w);
    if (svcq__jw_finish(&w))
        die("build 1MiB", ctx);

    measure(ctx, "1KiB", &small, budget);
    measure(ctx, "1MiB", &big, budget);

    svcq__buf_free(&small);
    svcq__buf_free(&big);
    svcq_ctx_free(ctx);
    return 0;
}
