/* Every failing call writes its own message (issue 8 item 4).
 *
 * Table-driven: for each public function and each documented error case
 * that can be provoked (core, store, calendar, sla), a fresh fixture is
 * made, a sentinel message is planted in the context by a failing call
 * whose message is known (a time-zone name unique to the case), then the
 * case's call is made: it must return its documented code, and the
 * context's message must have changed and not be empty. A call that
 * leaves the sentinel in place would let a host read an older, unrelated
 * message as the reason of its failure.
 *
 * Calls given a NULL handle have no context to write to and are not here
 * (docs/errors.md states the rule). Every case is strict: none is
 * skipped. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "svcq.h"
#include "test_alloc.h"

#define HOUR 3600
/* Monday 2026-01-05 09:00 UTC. */
#define T0 ((svcq_time)1767603600)

typedef struct fx {
    test_alloc alloc;
    svcq_ctx *ctx;
    svcq_tz *tz;
    svcq_calendar *cal;
    svcq_sla_policy *policy;
    svcq_sla_clock *clock;       /* fed a request; not in a scheduler */
    svcq_sla_scheduler *sched;   /* holds one clock of its own */
    svcq_buffer *buf;
    int notify_rc;
    char path[256];
} fx;

static int on_notice(const svcq_sla_notice *n, void *user_data)
{
    (void)n;
    return ((fx *)user_data)->notify_rc;
}

static int write_fails(const char *data, size_t size, void *user_data)
{
    (void)data;
    (void)size;
    (void)user_data;
    return SVCQ_EIO;
}

static int ok(int rc)
{
    assert_int_equal(rc, SVCQ_OK);
    return rc;
}

static void fx_make(fx *f)
{
    memset(f, 0, sizeof(*f));
    test_alloc_init(&f->alloc);
    f->ctx = test_ctx_new(&f->alloc);
    ok(svcq_tz_fixed(&f->tz, f->ctx, 3600));
    ok(svcq_sla_default_calendar(&f->cal, f->ctx, f->tz));
    ok(svcq_sla_policy_builtin(&f->policy, f->ctx, SVCQ_TIER_1, f->cal, 0));
    ok(svcq_sla_clock_new(&f->clock, f->policy, "INC-1"));
    ok(svcq_sla_clock_event(f->clock, SVCQ_SLA_EVENT_REQUEST_RECEIVED, T0, NULL));
    ok(svcq_sla_scheduler_new(&f->sched, f->ctx, on_notice, f));
    svcq_sla_clock *held;
    ok(svcq_sla_clock_new(&held, f->policy, "INC-2"));
    ok(svcq_sla_scheduler_add(f->sched, held));
    ok(svcq_sla_clock_event(held, SVCQ_SLA_EVENT_REQUEST_RECEIVED, T0, NULL));
    ok(svcq_buffer_new(&f->buf, f->ctx));
}

static void fx_free(fx *f)
{
    svcq_buffer_free(f->buf);
    svcq_sla_scheduler_free(f->sched);
    svcq_sla_clock_free(f->clock);
    svcq_sla_policy_free(f->policy);
    svcq_calendar_free(f->cal);
    svcq_tz_free(f->tz);
    svcq_ctx_free(f->ctx);
    assert_int_equal(f->alloc.live_blocks, 0);
}

/* ---- the cases: each makes one failing call and returns its code -------- */

/* core */
static int c_buffer_new_enomem(fx *f)
{
    svcq_buffer *b = NULL;
    test_alloc_arm(&f->alloc, 1, true);
    int rc = svcq_buffer_new(&b, f->ctx);
    test_alloc_arm(&f->alloc, 0, false);
    return rc;
}

static int c_buffer_write_enomem(fx *f)
{
    svcq_writer w;
    ok(svcq_writer_to_buffer(&w, f->buf));
    char big[4096];
    memset(big, 'x', sizeof(big));
    test_alloc_arm(&f->alloc, 1, true);
    int rc = svcq_writer_write(&w, big, sizeof(big));
    test_alloc_arm(&f->alloc, 0, false);
    return rc;
}

/* store */
static int c_set_store_version(fx *f)
{
    svcq_store_methods m;
    ok(svcq_store_methods_init(&m, SVCQ_STORE_METHODS_VERSION));
    m.version = SVCQ_STORE_METHODS_VERSION + 1;
    return svcq_ctx_set_store(f->ctx, &m);
}

static int c_set_store_missing_callbacks(fx *f)
{
    svcq_store_methods m;
    ok(svcq_store_methods_init(&m, SVCQ_STORE_METHODS_VERSION));
    return svcq_ctx_set_store(f->ctx, &m);
}

static int c_set_store_in_batch(fx *f)
{
    ok(svcq_ctx_batch_begin(f->ctx));
    int rc = svcq_ctx_set_store(f->ctx, NULL);
    (void)svcq_ctx_batch_rollback(f->ctx);
    /* The rollback succeeded and so left the message alone. */
    return rc;
}

static int c_batch_commit_none(fx *f)
{
    return svcq_ctx_batch_commit(f->ctx);
}

static int c_batch_rollback_none(fx *f)
{
    return svcq_ctx_batch_rollback(f->ctx);
}

static int c_batch_begin_twice(fx *f)
{
    ok(svcq_ctx_batch_begin(f->ctx));
    int rc = svcq_ctx_batch_begin(f->ctx);
    assert_int_equal(rc, SVCQ_ESTATE);
    char msg[512];
    snprintf(msg, sizeof(msg), "%s", svcq_ctx_errmsg(f->ctx));
    (void)svcq_ctx_batch_rollback(f->ctx);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), msg);
    return rc;
}

static int c_file_open_no_create(fx *f)
{
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.flags = SVCQ_STORE_FILE_NO_CREATE;
    svcq_store_file *fs = NULL;
    snprintf(f->path, sizeof(f->path), "/nonexistent-svcq-dir/journal");
    return svcq_store_file_open(&fs, f->ctx, f->path, &o);
}

static int c_file_open_bad_utf8(fx *f)
{
    svcq_store_file *fs = NULL;
    return svcq_store_file_open(&fs, f->ctx, "/tmp/\xFF\xFE", NULL);
}

static int c_file_open_bad_options(fx *f)
{
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.version = 0;
    svcq_store_file *fs = NULL;
    return svcq_store_file_open(&fs, f->ctx, "/tmp/svcq-errmsg-unused.jnl", &o);
}

/* A journal of this process in /tmp. */
static int open_temp_store(fx *f, svcq_store_file **fs, uint32_t flags)
{
    snprintf(f->path, sizeof(f->path), "/tmp/svcq-errmsg-%ld.jnl", (long)getpid());
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.durability = SVCQ_STORE_SYNC_NONE;
    o.flags = flags;
    return svcq_store_file_open(fs, f->ctx, f->path, &o);
}

static int c_file_attach_read_only(fx *f)
{
    svcq_store_file *w, *ro;
    ok(open_temp_store(f, &w, 0));
    ok(svcq_store_file_close(w));
    ok(open_temp_store(f, &ro, SVCQ_STORE_FILE_READ_ONLY));
    svcq_store_methods m;
    int rc = svcq_store_file_attach(&m, ro, f->ctx);
    ok(svcq_store_file_close(ro));
    (void)remove(f->path);
    return rc;
}

static int c_file_attach_owned(fx *f)
{
    svcq_store_file *fs;
    ok(open_temp_store(f, &fs, 0));
    svcq_store_methods m;
    ok(svcq_store_file_methods(&m, fs));
    ok(svcq_ctx_set_store(f->ctx, &m));
    int rc = svcq_store_file_attach(&m, fs, f->ctx);
    ok(svcq_ctx_set_store(f->ctx, NULL)); /* closes it */
    (void)remove(f->path);
    return rc;
}

static int c_file_close_with_sessions(fx *f)
{
    svcq_store_file *fs;
    ok(open_temp_store(f, &fs, 0));
    svcq_store_methods m;
    ok(svcq_store_file_attach(&m, fs, f->ctx));
    int rc = svcq_store_file_close(fs);
    m.destroy(m.user_data);
    ok(svcq_store_file_close(fs));
    (void)remove(f->path);
    return rc;
}

static int c_set_store_foreign_session(fx *f)
{
    svcq_ctx *other;
    ok(svcq_ctx_new(&other, NULL));
    svcq_store_file *fs;
    ok(open_temp_store(f, &fs, 0));
    svcq_store_methods m;
    ok(svcq_store_file_attach(&m, fs, other));
    int rc = svcq_ctx_set_store(f->ctx, &m);
    m.destroy(m.user_data);
    ok(svcq_store_file_close(fs));
    svcq_ctx_free(other);
    (void)remove(f->path);
    return rc;
}

/* calendar */
static int c_tz_load_unknown(fx *f)
{
    svcq_tz *tz = NULL;
    return svcq_tz_load(&tz, f->ctx, "Nowhere/Atlantis", NULL);
}

static int c_tz_from_tzif_garbage(fx *f)
{
    svcq_tz *tz = NULL;
    return svcq_tz_from_tzif(&tz, f->ctx, "not a TZif file at all", 22, "x");
}

static int c_tz_from_posix_bad(fx *f)
{
    svcq_tz *tz = NULL;
    return svcq_tz_from_posix(&tz, f->ctx, "CST-8CDT,M13.1.0");
}

static int c_tz_fixed_range(fx *f)
{
    svcq_tz *tz = NULL;
    return svcq_tz_fixed(&tz, f->ctx, 200000);
}

static int c_calendar_new_reserved(fx *f)
{
    svcq_calendar_options o = SVCQ_CALENDAR_OPTIONS_INIT;
    o.reserved[3] = 1;
    svcq_calendar *c = NULL;
    return svcq_calendar_new(&c, f->ctx, f->tz, &o);
}

static int c_calendar_new_version(fx *f)
{
    svcq_calendar_options o = SVCQ_CALENDAR_OPTIONS_INIT;
    o.version = 99;
    svcq_calendar *c = NULL;
    return svcq_calendar_new(&c, f->ctx, f->tz, &o);
}

static int c_calendar_set_options_version(fx *f)
{
    svcq_calendar_options o = SVCQ_CALENDAR_OPTIONS_INIT;
    o.version = 0;
    return svcq_calendar_set_options(f->cal, &o);
}

static int c_calendar_weekday_bad(fx *f)
{
    const int32_t iv[] = { 9 * HOUR, 17 * HOUR };
    return svcq_calendar_set_weekday(f->cal, 9, iv, 1);
}

static int c_calendar_weekday_unordered(fx *f)
{
    const int32_t iv[] = { 17 * HOUR, 9 * HOUR };
    return svcq_calendar_set_weekday(f->cal, SVCQ_MONDAY, iv, 1);
}

static int c_calendar_closed_bad_date(fx *f)
{
    return svcq_calendar_set_closed(f->cal, 2026, 2, 30);
}

static int c_calendar_date_like_bad(fx *f)
{
    return svcq_calendar_set_date_like(f->cal, 2026, 1, 10, 0);
}

static int c_calendar_date_hours_bad(fx *f)
{
    const int32_t iv[] = { 17 * HOUR, 9 * HOUR };
    return svcq_calendar_set_date_hours(f->cal, 2026, 1, 10, iv, 1);
}

static int c_calendar_clear_missing(fx *f)
{
    return svcq_calendar_clear_date(f->cal, 2026, 3, 3);
}

static int c_calendar_add_range(fx *f)
{
    svcq_time out;
    return svcq_calendar_add(&out, f->cal, T0, INT64_MAX / 2);
}

static int c_calendar_diff_range(fx *f)
{
    int64_t out;
    return svcq_calendar_diff(&out, f->cal, T0, INT64_MAX / 2);
}

static int c_calendar_is_open_range(fx *f)
{
    int32_t out;
    return svcq_calendar_is_open(&out, f->cal, INT64_MAX / 2);
}

static int c_calendar_next_open_never(fx *f)
{
    for (int d = SVCQ_MONDAY; d <= SVCQ_SUNDAY; d++)
        ok(svcq_calendar_set_weekday(f->cal, d, NULL, 0));
    svcq_time out;
    return svcq_calendar_next_open(&out, f->cal, T0);
}

static int c_calendar_get_weekday_bad(fx *f)
{
    const int32_t *iv;
    size_t n;
    return svcq_calendar_get_weekday(&iv, &n, f->cal, 8);
}

static int c_calendar_date_at_range(fx *f)
{
    int32_t y, m, d, kind, wd;
    const int32_t *iv;
    size_t n;
    return svcq_calendar_date_at(&y, &m, &d, &kind, &wd, &iv, &n, f->cal, 5);
}

static int c_calendar_import_bad_json(fx *f)
{
    svcq_calendar *c = NULL;
    const char *json = "{\"schema\": ";
    return svcq_calendar_import_json(&c, f->ctx, json, strlen(json), NULL, NULL);
}

static int c_calendar_export_writer_fails(fx *f)
{
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = write_fails;
    return svcq_calendar_export_json(f->cal, &w, 0);
}

static int c_calendar_load_missing(fx *f)
{
    svcq_calendar *c = NULL;
    return svcq_calendar_load(&c, f->ctx, "no-such-calendar", NULL, NULL);
}

static int c_calendar_save_bad_id(fx *f)
{
    return svcq_calendar_save(f->cal, "bad\x01id");
}

static int c_calendar_delete_unsaved(fx *f)
{
    return svcq_calendar_delete(f->cal);
}

/* sla */
static int c_policy_new_empty_name(fx *f)
{
    svcq_sla_policy *p = NULL;
    return svcq_sla_policy_new(&p, f->ctx, "", 1);
}

static int c_policy_new_version_0(fx *f)
{
    svcq_sla_policy *p = NULL;
    return svcq_sla_policy_new(&p, f->ctx, "p", 0);
}

static svcq_sla_policy *fresh_policy(fx *f)
{
    svcq_sla_policy *p = NULL;
    ok(svcq_sla_policy_new(&p, f->ctx, "custom", 1));
    return p;
}

static int with_policy(fx *f, int (*fn)(fx *, svcq_sla_policy *))
{
    svcq_sla_policy *p = fresh_policy(f);
    int rc = fn(f, p);
    svcq_sla_policy_free(p);
    return rc;
}

static int add_no_metric(fx *f, svcq_sla_policy *p)
{
    (void)f;
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    s.start_event = "a";
    s.meet_event = "b";
    return svcq_sla_policy_add_target(p, &s);
}

static int c_add_target_no_metric(fx *f)
{
    return with_policy(f, add_no_metric);
}

static int add_twice(fx *f, svcq_sla_policy *p)
{
    (void)f;
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    s.metric = "m";
    s.start_event = "a";
    s.meet_event = "b";
    s.duration = HOUR;
    ok(svcq_sla_policy_add_target(p, &s));
    return svcq_sla_policy_add_target(p, &s);
}

static int c_add_target_duplicate(fx *f)
{
    return with_policy(f, add_twice);
}

static int add_version_0(fx *f, svcq_sla_policy *p)
{
    (void)f;
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    s.version = 0;
    return svcq_sla_policy_add_target(p, &s);
}

static int c_add_target_version_0(fx *f)
{
    return with_policy(f, add_version_0);
}

static int add_bad_warn(fx *f, svcq_sla_policy *p)
{
    (void)f;
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    s.metric = "m";
    s.start_event = "a";
    s.meet_event = "b";
    s.duration = HOUR;
    s.warn_count = 1;
    s.warn_percent[0] = 150;
    return svcq_sla_policy_add_target(p, &s);
}

static int c_add_target_bad_warning(fx *f)
{
    return with_policy(f, add_bad_warn);
}

static int c_add_target_used_policy(fx *f)
{
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    s.metric = "late_addition";
    s.start_event = "a";
    s.meet_event = "b";
    s.duration = HOUR;
    return svcq_sla_policy_add_target(f->policy, &s);
}

static int c_set_change_mode_bad(fx *f)
{
    return svcq_sla_policy_set_change_mode(f->policy, 9);
}

static int close_event_bad(fx *f, svcq_sla_policy *p)
{
    (void)f;
    return svcq_sla_policy_set_close_event(p, "bad\xFF");
}

static int c_set_close_event_bad(fx *f)
{
    return with_policy(f, close_event_bad);
}

static int c_set_close_event_used_policy(fx *f)
{
    return svcq_sla_policy_set_close_event(f->policy, "done");
}

static int c_policy_target_range(fx *f)
{
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    return svcq_sla_policy_target(&s, f->policy, 99);
}

static int c_policy_target_null_out(fx *f)
{
    return svcq_sla_policy_target(NULL, f->policy, 0);
}

static int c_policy_target_version_0(fx *f)
{
    svcq_sla_target_spec s = SVCQ_SLA_TARGET_SPEC_INIT;
    s.version = 0;
    return svcq_sla_policy_target(&s, f->policy, 0);
}

static int c_policy_builtin_bad_tier(fx *f)
{
    svcq_sla_policy *p = NULL;
    return svcq_sla_policy_builtin(&p, f->ctx, 7, f->cal, 0);
}

static int c_clock_new_bad_subject(fx *f)
{
    svcq_sla_clock *c = NULL;
    return svcq_sla_clock_new(&c, f->policy, "INC\n3");
}

static int empty_policy_clock(fx *f, svcq_sla_policy *p)
{
    (void)f;
    svcq_sla_clock *c = NULL;
    return svcq_sla_clock_new(&c, p, "INC-9");
}

static int c_clock_new_empty_policy(fx *f)
{
    return with_policy(f, empty_policy_clock);
}

static int c_clock_event_unknown(fx *f)
{
    return svcq_sla_clock_event(f->clock, "no_such_event", T0 + HOUR, NULL);
}

static int c_clock_event_bad_utf8(fx *f)
{
    return svcq_sla_clock_event(f->clock, SVCQ_SLA_EVENT_PAUSE, T0 + HOUR, "bad\xC3");
}

static int c_clock_event_due_no_carried_target(fx *f)
{
    /* The tier policy has no target of unit event_due. */
    return svcq_sla_clock_event_due(f->clock, SVCQ_SLA_EVENT_REQUEST_RECEIVED, T0 + HOUR, T0 + 2 * HOUR);
}

static int c_clock_event_due_unset(fx *f)
{
    return svcq_sla_clock_event_due(f->clock, SVCQ_SLA_EVENT_REQUEST_RECEIVED, T0 + HOUR, 0);
}

static int c_clock_event_due_unknown(fx *f)
{
    return svcq_sla_clock_event_due(f->clock, "no_such_event", T0 + HOUR, T0 + 2 * HOUR);
}

static int c_clock_event_due_at_out_of_range(fx *f)
{
    svcq_time due;
    return svcq_sla_clock_event_due_at(&due, f->clock, 99);
}

static int c_clock_new_enomem(fx *f)
{
    svcq_sla_clock *c = NULL;
    test_alloc_arm(&f->alloc, 1, true);
    int rc = svcq_sla_clock_new(&c, f->policy, "INC-5");
    test_alloc_arm(&f->alloc, 0, false);
    return rc;
}

static int c_clock_event_out_of_order_enomem(fx *f)
{
    /* An event before the last one re-folds the log, which allocates. */
    ok(svcq_sla_clock_event(f->clock, SVCQ_SLA_EVENT_FIRST_CONTACT, T0 + 2 * HOUR, NULL));
    test_alloc_arm(&f->alloc, 1, true);
    int rc = svcq_sla_clock_event(f->clock, SVCQ_SLA_EVENT_PAUSE, T0 + HOUR, "customer");
    test_alloc_arm(&f->alloc, 0, false);
    return rc;
}

static int c_clock_change_policy_other_name(fx *f)
{
    svcq_sla_policy *p = NULL;
    ok(svcq_sla_policy_builtin(&p, f->ctx, SVCQ_TIER_2, f->cal, 0));
    int rc = svcq_sla_clock_change_policy(f->clock, p, T0 + HOUR);
    svcq_sla_policy_free(p);
    return rc;
}

static int c_clock_event_at_range(fx *f)
{
    const char *name, *reason;
    svcq_time at;
    return svcq_sla_clock_event_at(&name, &at, &reason, f->clock, 99);
}

static int c_clock_status_range(fx *f)
{
    svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
    return svcq_sla_clock_status(&st, f->clock, 99, T0);
}

static int c_clock_status_version_0(fx *f)
{
    svcq_sla_status st = SVCQ_SLA_STATUS_INIT;
    st.version = 0;
    return svcq_sla_clock_status(&st, f->clock, 0, T0);
}

static int c_clock_paused_range(fx *f)
{
    int64_t out;
    return svcq_sla_clock_paused_seconds(&out, f->clock, 99, NULL, T0);
}

static int c_clock_export_writer_fails(fx *f)
{
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = write_fails;
    return svcq_sla_clock_export_json(f->clock, T0 + HOUR, NULL, &w);
}

static int c_clock_export_md_writer_fails(fx *f)
{
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = write_fails;
    return svcq_sla_clock_export_markdown(f->clock, T0 + HOUR, NULL, &w);
}

static int c_clock_remove_unsaved(fx *f)
{
    return svcq_sla_clock_remove(f->clock);
}

static int c_clock_load_missing(fx *f)
{
    svcq_sla_clock *c = NULL;
    return svcq_sla_clock_load(&c, &f->policy, 1, "tier.1", "INC-404", 0);
}

static int c_scheduler_new_null_notify(fx *f)
{
    svcq_sla_scheduler *s = NULL;
    return svcq_sla_scheduler_new(&s, f->ctx, NULL, NULL);
}

static int c_scheduler_add_duplicate(fx *f)
{
    svcq_sla_clock *c = NULL;
    ok(svcq_sla_clock_new(&c, f->policy, "INC-2"));
    int rc = svcq_sla_scheduler_add(f->sched, c);
    svcq_sla_clock_free(c);
    return rc;
}

static int c_scheduler_advance_callback_stops(fx *f)
{
    f->notify_rc = SVCQ_EIO;
    return svcq_sla_scheduler_advance(NULL, f->sched, T0 + 100 * HOUR);
}

static int c_scheduler_load_twice(fx *f)
{
    uint64_t failed = 0;
    ok(svcq_sla_scheduler_save(&failed, f->sched));
    return svcq_sla_scheduler_load(f->sched, &f->policy, 1, 0);
}

static int c_replay_totals_range(fx *f)
{
    svcq_sla_replay *r = NULL;
    ok(svcq_sla_replay_new(&r, f->policy));
    uint64_t met;
    int rc = svcq_sla_replay_totals(&met, NULL, NULL, r, 99);
    svcq_sla_replay_free(r);
    return rc;
}

static int c_replay_add_other_context(fx *f)
{
    /* A clock of another context: refused, and said so on the replay's context. */
    svcq_ctx *other;
    ok(svcq_ctx_new(&other, NULL));
    svcq_sla_policy *p = NULL;
    svcq_sla_clock *c = NULL;
    ok(svcq_sla_policy_builtin(&p, other, SVCQ_TIER_1, NULL, 0));
    ok(svcq_sla_clock_new(&c, p, "X-1"));
    svcq_sla_replay *r = NULL;
    ok(svcq_sla_replay_new(&r, f->policy));
    int rc = svcq_sla_replay_add_clock(r, c, T0);
    svcq_sla_replay_free(r);
    svcq_sla_clock_free(c);
    svcq_sla_policy_free(p);
    svcq_ctx_free(other);
    return rc;
}

typedef struct errcase {
    const char *name;
    int (*call)(fx *f);
    int want;   /* the documented code */
} errcase;

#define CASE(fn, code) { #fn, fn, code }

static const errcase cases[] = {
    /* core */
    CASE(c_buffer_new_enomem, SVCQ_ENOMEM),
    CASE(c_buffer_write_enomem, SVCQ_ENOMEM),
    /* store */
    CASE(c_set_store_version, SVCQ_EVERSION),
    CASE(c_set_store_missing_callbacks, SVCQ_EINVAL),
    CASE(c_set_store_in_batch, SVCQ_ESTATE),
    CASE(c_batch_commit_none, SVCQ_ESTATE),
    CASE(c_batch_rollback_none, SVCQ_ESTATE),
    CASE(c_batch_begin_twice, SVCQ_ESTATE),
    CASE(c_file_open_no_create, SVCQ_ENOTFOUND),
    CASE(c_file_open_bad_utf8, SVCQ_EINVAL),
    CASE(c_file_open_bad_options, SVCQ_EVERSION),
    CASE(c_file_attach_read_only, SVCQ_EINVAL),
    CASE(c_file_attach_owned, SVCQ_ESTATE),
    CASE(c_file_close_with_sessions, SVCQ_EBUSY),
    CASE(c_set_store_foreign_session, SVCQ_EINVAL),
    /* calendar */
    CASE(c_tz_load_unknown, SVCQ_ENOTFOUND),
    CASE(c_tz_from_tzif_garbage, SVCQ_ECORRUPT),
    CASE(c_tz_from_posix_bad, SVCQ_EPARSE),
    CASE(c_tz_fixed_range, SVCQ_EINVAL),
    CASE(c_calendar_new_reserved, SVCQ_EINVAL),
    CASE(c_calendar_new_version, SVCQ_EVERSION),
    CASE(c_calendar_set_options_version, SVCQ_EVERSION),
    CASE(c_calendar_weekday_bad, SVCQ_EINVAL),
    CASE(c_calendar_weekday_unordered, SVCQ_EINVAL),
    CASE(c_calendar_closed_bad_date, SVCQ_EINVAL),
    CASE(c_calendar_date_like_bad, SVCQ_EINVAL),
    CASE(c_calendar_date_hours_bad, SVCQ_EINVAL),
    CASE(c_calendar_clear_missing, SVCQ_ENOTFOUND),
    CASE(c_calendar_add_range, SVCQ_ERANGE),
    CASE(c_calendar_diff_range, SVCQ_ERANGE),
    CASE(c_calendar_is_open_range, SVCQ_ERANGE),
    CASE(c_calendar_next_open_never, SVCQ_ENOTFOUND),
    CASE(c_calendar_get_weekday_bad, SVCQ_EINVAL),
    CASE(c_calendar_date_at_range, SVCQ_ERANGE),
    CASE(c_calendar_import_bad_json, SVCQ_EPARSE),
    CASE(c_calendar_export_writer_fails, SVCQ_EIO),
    CASE(c_calendar_load_missing, SVCQ_ENOTFOUND),
    CASE(c_calendar_save_bad_id, SVCQ_EINVAL),
    CASE(c_calendar_delete_unsaved, SVCQ_ESTATE),
    /* sla */
    CASE(c_policy_new_empty_name, SVCQ_EINVAL),
    CASE(c_policy_new_version_0, SVCQ_EINVAL),
    CASE(c_add_target_no_metric, SVCQ_EINVAL),
    CASE(c_add_target_duplicate, SVCQ_EINVAL),
    CASE(c_add_target_version_0, SVCQ_EVERSION),
    CASE(c_add_target_bad_warning, SVCQ_EINVAL),
    CASE(c_add_target_used_policy, SVCQ_ESTATE),
    CASE(c_set_change_mode_bad, SVCQ_EINVAL),
    CASE(c_set_close_event_bad, SVCQ_EINVAL),
    CASE(c_set_close_event_used_policy, SVCQ_ESTATE),
    CASE(c_policy_target_range, SVCQ_ENOTFOUND),
    CASE(c_policy_target_version_0, SVCQ_EVERSION),
    CASE(c_policy_target_null_out, SVCQ_EINVAL),
    CASE(c_policy_builtin_bad_tier, SVCQ_EINVAL),
    CASE(c_clock_new_bad_subject, SVCQ_EINVAL),
    CASE(c_clock_new_empty_policy, SVCQ_EINVAL),
    CASE(c_clock_event_unknown, SVCQ_ENOTFOUND),
    CASE(c_clock_event_bad_utf8, SVCQ_EINVAL),
    CASE(c_clock_event_due_no_carried_target, SVCQ_EINVAL),
    CASE(c_clock_event_due_unset, SVCQ_EINVAL),
    CASE(c_clock_event_due_unknown, SVCQ_ENOTFOUND),
    CASE(c_clock_event_due_at_out_of_range, SVCQ_ENOTFOUND),
    CASE(c_clock_new_enomem, SVCQ_ENOMEM),
    CASE(c_clock_event_out_of_order_enomem, SVCQ_ENOMEM),
    CASE(c_clock_change_policy_other_name, SVCQ_EINVAL),
    CASE(c_clock_event_at_range, SVCQ_ENOTFOUND),
    CASE(c_clock_status_range, SVCQ_ENOTFOUND),
    CASE(c_clock_status_version_0, SVCQ_EVERSION),
    CASE(c_clock_paused_range, SVCQ_ENOTFOUND),
    CASE(c_clock_export_writer_fails, SVCQ_EIO),
    CASE(c_clock_export_md_writer_fails, SVCQ_EIO),
    CASE(c_clock_remove_unsaved, SVCQ_ENOTFOUND),
    CASE(c_clock_load_missing, SVCQ_ENOTFOUND),
    CASE(c_scheduler_new_null_notify, SVCQ_EINVAL),
    CASE(c_scheduler_add_duplicate, SVCQ_EEXIST),
    CASE(c_scheduler_advance_callback_stops, SVCQ_EIO),
    CASE(c_scheduler_load_twice, SVCQ_EEXIST),
    CASE(c_replay_totals_range, SVCQ_ENOTFOUND),
    CASE(c_replay_add_other_context, SVCQ_EINVAL),
};

/* Plants a message no case can produce: a zone name unique to the case,
 * which svcq_tz_load does not find. */
static void plant_sentinel(fx *f, size_t index, char *out, size_t cap)
{
    char name[64];
    snprintf(name, sizeof(name), "Sentinel/Case_%zu", index);
    svcq_tz *tz = NULL;
    assert_int_equal(svcq_tz_load(&tz, f->ctx, name, SVCQ_TEST_DATA "/zoneinfo"), SVCQ_ENOTFOUND);
    snprintf(out, cap, "%s", svcq_ctx_errmsg(f->ctx));
    if (!strstr(out, name))
        fail_msg("the sentinel message does not name its zone: \"%s\"", out);
}

static void every_failing_call_writes_its_message(void **state)
{
    (void)state;
    size_t n = sizeof(cases) / sizeof(cases[0]);
    size_t checked = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        const errcase *c = &cases[i];
        fx f;
        fx_make(&f);
        char sentinel[512];
        plant_sentinel(&f, i, sentinel, sizeof(sentinel));
        int rc = c->call(&f);
        const char *msg = svcq_ctx_errmsg(f.ctx);
        bool wrote = msg[0] != '\0' && strcmp(msg, sentinel) != 0;
        if (rc != c->want) {
            print_error("%s: returned %d (%s), documented %d (%s); message \"%s\"\n", c->name, rc,
                        svcq_strerror(rc), c->want, svcq_strerror(c->want), msg);
            failed++;
        } else if (!wrote) {
            print_error("%s: failed with %s but left the previous message \"%s\"\n", c->name,
                        svcq_strerror(rc), msg);
            failed++;
        } else {
            checked++;
        }
        fx_free(&f);
    }
    print_message("%zu cases: %zu write their own message\n", n, checked);
    assert_int_equal(failed, 0);
    assert_int_equal(checked, n);
}

/* The rule for NULL handles: SVCQ_EINVAL, and nothing to write to. */
static void null_handles_return_einval(void **state)
{
    (void)state;
    svcq_buffer *b = NULL;
    svcq_sla_scheduler *s = NULL;
    svcq_sla_clock *c = NULL;
    svcq_time t;
    assert_int_equal(svcq_buffer_new(&b, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_ctx_batch_begin(NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_ctx_set_store(NULL, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_calendar_add(&t, NULL, 0, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_scheduler_new(&s, NULL, on_notice, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_clock_new(&c, NULL, "x"), SVCQ_EINVAL);
    assert_int_equal(svcq_sla_clock_event(NULL, SVCQ_SLA_EVENT_PAUSE, 0, NULL), SVCQ_EINVAL);
    assert_string_equal(svcq_ctx_errmsg(NULL), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_failing_call_writes_its_message),
        cmocka_unit_test(null_handles_return_einval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
