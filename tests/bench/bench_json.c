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
static void write_record(sq_jw *w, int n)
{
    char buf[64];
    sq_jw_object_begin(w);
    sq_jw_key(w, "schema");
    sq_jw_string(w, "svcq.incident/1");
    sq_jw_key(w, "id");
    snprintf(buf, sizeof(buf), "INC-2024-%06d", n);
    sq_jw_string(w, buf);
    sq_jw_key(w, "revision");
    sq_jw_int(w, 17 + n);
    sq_jw_key(w, "stage");
    sq_jw_string(w, "EXECUTING");
    sq_jw_key(w, "client");
    sq_jw_string(w, "C-000173");
    sq_jw_key(w, "tier");
    sq_jw_string(w, "platinum");
    sq_jw_key(w, "reported_at");
    sq_jw_int(w, 1717236000 + n);
    sq_jw_key(w, "title");
    sq_jw_string(w, "\xe8\xb4\xa6\xe5\x8d\x95\xe9\x87\x8d\xe5\xa4\x8d\xe6\x89\xa3\xe8\xb4\xb9 double charge on the monthly bill");
    sq_jw_key(w, "category");
    sq_jw_string(w, "billing");
    sq_jw_key(w, "loops");
    sq_jw_int(w, 1);
    sq_jw_key(w, "score");
    sq_jw_double(w, 87.25);
    sq_jw_key(w, "root_cause");
    sq_jw_string(w, "Rating job ran twice after a failover; the idempotency key was not checked.\n"
                    "See the \"5-Why\" analysis.");
    sq_jw_key(w, "measures");
    sq_jw_array_begin(w);
    for (int i = 0; i < 3; i++) {
        sq_jw_object_begin(w);
        sq_jw_key(w, "owner");
        sq_jw_string(w, i ? "zhang.min" : "li.wei");
        sq_jw_key(w, "deadline");
        sq_jw_int(w, 1717840800 + 86400 * i);
        sq_jw_key(w, "indicator");
        sq_jw_string(w, "refund issued within 24 h");
        sq_jw_key(w, "done");
        sq_jw_bool(w, i == 0);
        sq_jw_object_end(w);
    }
    sq_jw_array_end(w);
    sq_jw_key(w, "audit");
    sq_jw_array_begin(w);
    for (int i = 0; i < 3; i++) {
        sq_jw_object_begin(w);
        sq_jw_key(w, "at");
        sq_jw_int(w, 1717236000 + 3600 * i);
        sq_jw_key(w, "actor");
        sq_jw_string(w, "agent-7");
        sq_jw_key(w, "action");
        sq_jw_string(w, "transition");
        sq_jw_key(w, "before");
        sq_jw_string(w, "PLANNING");
        sq_jw_key(w, "after");
        sq_jw_string(w, "EXECUTING");
        sq_jw_object_end(w);
    }
    sq_jw_array_end(w);
    sq_jw_key(w, "verified");
    sq_jw_null(w);
    sq_jw_object_end(w);
}

static void report(const char *bench, const char *doc, size_t bytes, long iters, double secs)
{
    printf("{\"bench\":\"%s\",\"doc\":\"%s\",\"bytes\":%zu,\"iterations\":%ld,\"seconds\":%.3f,"
           "\"mb_per_s\":%.1f,\"docs_per_s\":%.0f}\n",
           bench, doc, bytes, iters, secs, (double)bytes * (double)iters / secs / 1e6, (double)iters / secs);
    fflush(stdout);
}

/* Runs parse and write of text for about `budget` seconds each. */
static void measure(svcq_ctx *ctx, const char *name, const sq_buf *text, double budget)
{
    long iters = 0;
    double t0 = now(), t;
    sq_json_doc *doc = NULL;
    do {
        for (int k = 0; k < 16; k++) {
            if (sq_json_parse(ctx, text->data, text->len, NULL, &doc))
                die("parse", ctx);
            sq_json_doc_free(doc);
        }
        iters += 16;
        t = now() - t0;
    } while (t < budget);
    report("json_parse", name, text->len, iters, t);

    if (sq_json_parse(ctx, text->data, text->len, NULL, &doc))
        die("parse", ctx);
    sq_buf out;
    sq_buf_init(&out, ctx);
    iters = 0;
    t0 = now();
    do {
        for (int k = 0; k < 16; k++) {
            sq_buf_truncate(&out, 0);
            sq_jw w;
            sq_jw_init_buf(&w, ctx, &out);
            sq_jw_value(&w, sq_json_root(doc));
            if (sq_jw_finish(&w))
                die("write", ctx);
        }
        iters += 16;
        t = now() - t0;
    } while (t < budget);
    if (out.len != text->len || memcmp(out.data, text->data, out.len) != 0)
        die("write gave different text", ctx);
    report("json_write", name, text->len, iters, t);
    sq_buf_free(&out);
    sq_json_doc_free(doc);
}

int main(int argc, char **argv)
{
    double budget = argc > 1 ? atof(argv[1]) : 0.5;
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL))
        return 1;

    sq_buf small;
    sq_buf_init(&small, ctx);
    sq_jw w;
    sq_jw_init_buf(&w, ctx, &small);
    write_record(&w, 1);
    if (sq_jw_finish(&w))
        die("build 1KiB", ctx);

    sq_buf big;
    sq_buf_init(&big, ctx);
    sq_jw_init_buf(&w, ctx, &big);
    sq_jw_object_begin(&w);
    sq_jw_key(&w, "schema");
    sq_jw_string(&w, "svcq.export/1");
    sq_jw_key(&w, "records");
    sq_jw_array_begin(&w);
    for (int i = 0; big.len < ((size_t)1 << 20) - 1100; i++)
        write_record(&w, i);
    sq_jw_array_end(&w);
    sq_jw_object_end(&w);
    if (sq_jw_finish(&w))
        die("build 1MiB", ctx);

    measure(ctx, "1KiB", &small, budget);
    measure(ctx, "1MiB", &big, budget);

    sq_buf_free(&small);
    sq_buf_free(&big);
    svcq_ctx_free(ctx);
    return 0;
}
