/* Every failing incident call writes its own message, as tests/unit/errmsg.c
 * checks for the modules below it (kept apart so that modules built in
 * parallel do not edit one file). For each case a fresh fixture is made, a
 * sentinel message is planted by a failing call whose message is known,
 * then the case's call must return its documented code and leave a
 * message of its own, not empty, naming the incident (or the object the
 * call is about) and the cause. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "incident_fixture.h"
#include "test_alloc.h"

typedef struct fx {
    test_alloc alloc;
    svcq_ctx *ctx;
    svcq_analysis *a[5];
    svcq_incident *rep;  /* INC-1: reported, with its confirmation group */
    svcq_incident *plan; /* INC-2: planning, no measure yet */
    svcq_incident *exe;  /* INC-3: executing, m1 and m2 open */
    svcq_incident *ver;  /* INC-4: verifying, window not over */
    svcq_incident *done; /* INC-5: closed */
    svcq_writer failing;
} fx;

static int write_fails(const char *data, size_t size, void *user_data)
{
    (void)data, (void)size, (void)user_data;
    return SVCQ_EIO;
}

static void make(fx *f, svcq_incident **inc, int k, int steps)
{
    char id[16], aid[24];
    snprintf(id, sizeof(id), "INC-%d", k + 1);
    snprintf(aid, sizeof(aid), "a-%s", id);
    assert_int_equal(fx_analysis(&f->a[k], f->ctx, aid), SVCQ_OK);
    for (int s = 0; s < steps; s++)
        if (fx_step(inc, f->ctx, id, f->a[k], s))
            fail_msg("fixture %s step %d: %s", id, s, svcq_ctx_errmsg(f->ctx));
}

static void fx_make(fx *f)
{
    memset(f, 0, sizeof(*f));
    test_alloc_init(&f->alloc);
    svcq_ctx_options o;
    assert_int_equal(svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION), SVCQ_OK);
    test_alloc_hook(&f->alloc, &o);
    fx_options(&o);
    fx_now_value = FX_T0;
    assert_int_equal(svcq_ctx_new(&f->ctx, &o), SVCQ_OK);
    /* Similar incidents in a window do not make a verification fail here. */
    svcq_incident_options io = SVCQ_INCIDENT_OPTIONS_INIT;
    io.max_recurrences = 10;
    assert_int_equal(svcq_incident_configure(f->ctx, &io), SVCQ_OK);
    make(f, &f->done, 4, FX_STEPS); /* moves the clock 31 days on */
    make(f, &f->rep, 0, 4);
    make(f, &f->plan, 1, 8);
    make(f, &f->exe, 2, 11);
    make(f, &f->ver, 3, 18);
    fx_now_value += FX_DAY;
    assert_int_equal(svcq_writer_init(&f->failing, SVCQ_WRITER_VERSION), SVCQ_OK);
    f->failing.write = write_fails;
}

static void fx_free(fx *f)
{
    svcq_incident *all[] = { f->rep, f->plan, f->exe, f->ver, f->done };
    for (size_t i = 0; i < 5; i++) {
        svcq_incident_free(all[i]);
        svcq_analysis_free(f->a[i]);
    }
    svcq_ctx_free(f->ctx);
    assert_int_equal(f->alloc.live_blocks, 0);
}

typedef struct tcase {
    const char *name;
    int code;
    const char *who;      /* the object the message must name */
    const char *mentions; /* the cause it must give */
    int (*call)(fx *f);
} tcase;

#define A "Zhao Min", "supervisor"

static svcq_incident_report_spec spec(void)
{
    svcq_incident_report_spec s = SVCQ_INCIDENT_REPORT_SPEC_INIT;
    s.type = SVCQ_INCIDENT_TYPE_SERVICE_DELAY;
    s.stage = SVCQ_INCIDENT_STAGE_RECEPTION;
    s.channel = SVCQ_INCIDENT_CHANNEL_PHONE;
    s.observed = "x";
    s.reporter_name = "n";
    return s;
}

/* ---- report ---- */
static int c_report_null(fx *f) { svcq_incident *i; return svcq_incident_report(&i, f->ctx, "INC-9", NULL, A); }
static int c_report_slash(fx *f) { svcq_incident *i; svcq_incident_report_spec s = spec(); return svcq_incident_report(&i, f->ctx, "INC/9", &s, A); }
static int c_report_version(fx *f) { svcq_incident *i; svcq_incident_report_spec s = spec(); s.version = 9; return svcq_incident_report(&i, f->ctx, "INC-9", &s, A); }
static int c_report_reserved(fx *f) { svcq_incident *i; svcq_incident_report_spec s = spec(); s.reserved[1] = 1; return svcq_incident_report(&i, f->ctx, "INC-9", &s, A); }
static int c_report_type(fx *f) { svcq_incident *i; svcq_incident_report_spec s = spec(); s.type = "billing"; return svcq_incident_report(&i, f->ctx, "INC-9", &s, A); }
static int c_report_observed(fx *f) { svcq_incident *i; svcq_incident_report_spec s = spec(); s.observed = NULL; return svcq_incident_report(&i, f->ctx, "INC-9", &s, A); }
static int c_report_actor(fx *f) { svcq_incident *i; svcq_incident_report_spec s = spec(); return svcq_incident_report(&i, f->ctx, "INC-9", &s, NULL, "agent"); }
static int c_report_exists(fx *f) { svcq_incident *i; svcq_incident_report_spec s = spec(); return svcq_incident_report(&i, f->ctx, "INC-1", &s, A); }
/* ---- stage 1, 2 ---- */
static int c_attach_kind(fx *f) { return svcq_incident_add_attachment(f->rep, A, "selfie", "file://x", NULL); }
static int c_attach_final(fx *f)
{
    assert_int_equal(svcq_incident_reject(f->rep, A, "not real"), SVCQ_OK);
    return svcq_incident_add_attachment(f->rep, A, "photo", "file://x", NULL);
}
static int c_confirmer_state(fx *f) { return svcq_incident_add_confirmer(f->exe, A, "Sun Li", "quality_staff"); }
static int c_confirmer_name(fx *f) { return svcq_incident_add_confirmer(f->rep, A, "", "quality_staff"); }
static int c_confirm_null(fx *f) { return svcq_incident_confirm(f->rep, A, NULL); }
static svcq_incident_confirmation conf(void)
{
    svcq_incident_confirmation c = SVCQ_INCIDENT_CONFIRMATION_INIT;
    c.real = 1;
    c.category = SVCQ_INCIDENT_RESP_PROCESS_GAP;
    c.responsible_unit = "Support";
    return c;
}
static int c_confirm_not_real(fx *f) { svcq_incident_confirmation c = conf(); c.real = 0; return svcq_incident_confirm(f->rep, A, &c); }
static int c_confirm_no_cat(fx *f) { svcq_incident_confirmation c = conf(); c.category = NULL; return svcq_incident_confirm(f->rep, A, &c); }
static int c_confirm_bad_cat(fx *f) { svcq_incident_confirmation c = conf(); c.category = "weather"; return svcq_incident_confirm(f->rep, A, &c); }
static int c_confirm_no_unit(fx *f) { svcq_incident_confirmation c = conf(); c.responsible_unit = NULL; return svcq_incident_confirm(f->rep, A, &c); }
static int c_confirm_double(fx *f) { svcq_incident_confirmation c = conf(); c.category = SVCQ_INCIDENT_RESP_HUMAN_ERROR; c.process_assessment = "p"; return svcq_incident_confirm(f->rep, A, &c); }
static int c_confirm_version(fx *f) { svcq_incident_confirmation c = conf(); c.version = 7; return svcq_incident_confirm(f->rep, A, &c); }
static int c_confirm_group(fx *f)
{
    svcq_incident *i = NULL;
    svcq_incident_report_spec s = spec();
    assert_int_equal(svcq_incident_report(&i, f->ctx, "INC-8", &s, A), SVCQ_OK);
    svcq_incident_confirmation c = conf();
    int rc = svcq_incident_confirm(i, A, &c);
    svcq_incident_free(i);
    return rc;
}
static int c_confirm_state(fx *f) { svcq_incident_confirmation c = conf(); return svcq_incident_confirm(f->exe, A, &c); }
static int c_reject_reason(fx *f) { return svcq_incident_reject(f->rep, A, NULL); }
static int c_reject_state(fx *f) { return svcq_incident_reject(f->exe, A, "no"); }
/* ---- stage 3 ---- */
static int c_analysis_null(fx *f) { return svcq_incident_attach_analysis(f->rep, A, NULL); }
static int c_analysis_state(fx *f) { return svcq_incident_attach_analysis(f->exe, A, f->a[2]); }
static int c_analysis_ctx(fx *f)
{
    svcq_ctx *other = NULL;
    svcq_analysis *a = NULL;
    assert_int_equal(svcq_ctx_new(&other, NULL), SVCQ_OK);
    assert_int_equal(fx_analysis(&a, other, "a-x"), SVCQ_OK);
    int rc = svcq_incident_attach_analysis(f->plan, A, a);
    svcq_analysis_free(a);
    svcq_ctx_free(other);
    return rc;
}
static int c_analysis_cancelled(fx *f)
{
    svcq_incident *i = NULL;
    svcq_analysis *a = NULL;
    assert_int_equal(fx_analysis(&a, f->ctx, "a-INC-7"), SVCQ_OK);
    for (int s = 0; s < 7; s++)
        assert_int_equal(fx_step(&i, f->ctx, "INC-7", a, s), SVCQ_OK);
    assert_int_equal(svcq_incident_transition(i, A, SVCQ_INCIDENT_CANCELLED, "x"), SVCQ_OK);
    int rc = svcq_incident_attach_analysis(i, A, a);
    svcq_incident_free(i);
    svcq_analysis_free(a);
    return rc;
}
static int c_analysis_other_incident(fx *f)
{
    svcq_incident *i = NULL;
    svcq_analysis *a = NULL;
    assert_int_equal(fx_analysis(&a, f->ctx, "a-INC-7"), SVCQ_OK);
    for (int s = 0; s < 6; s++)
        assert_int_equal(fx_step(&i, f->ctx, "INC-7", a, s), SVCQ_OK);
    int rc = svcq_incident_attach_analysis(i, A, f->a[1]); /* INC-2's */
    svcq_incident_free(i);
    svcq_analysis_free(a);
    return rc;
}
/* ---- moves ---- */
static int c_move_unknown(fx *f) { return svcq_incident_transition(f->rep, A, 42, NULL); }
static int c_move_confirm(fx *f) { return svcq_incident_transition(f->rep, A, SVCQ_INCIDENT_CONFIRMED, NULL); }
static int c_move_table(fx *f) { return svcq_incident_transition(f->rep, A, SVCQ_INCIDENT_PLANNING, NULL); }
static int c_move_cancel_reason(fx *f) { return svcq_incident_transition(f->rep, A, SVCQ_INCIDENT_CANCELLED, NULL); }
static int c_move_no_analysis(fx *f)
{
    svcq_incident *i = NULL;
    svcq_analysis *a = NULL;
    assert_int_equal(fx_analysis(&a, f->ctx, "a-INC-7"), SVCQ_OK);
    for (int s = 0; s < 6; s++)
        assert_int_equal(fx_step(&i, f->ctx, "INC-7", a, s), SVCQ_OK);
    int rc = svcq_incident_transition(i, A, SVCQ_INCIDENT_PLANNING, NULL);
    svcq_incident_free(i);
    svcq_analysis_free(a);
    return rc;
}
static int c_move_no_measure(fx *f) { return svcq_incident_transition(f->plan, A, SVCQ_INCIDENT_EXECUTING, NULL); }
static int c_move_open_measure(fx *f) { return svcq_incident_transition(f->exe, A, SVCQ_INCIDENT_VERIFYING, NULL); }
static int c_move_unverified(fx *f) { return svcq_incident_transition(f->ver, A, SVCQ_INCIDENT_CLOSED, NULL); }
static int c_move_back(fx *f) { return svcq_incident_transition(f->ver, A, SVCQ_INCIDENT_ANALYSING, NULL); }
static int c_move_closed(fx *f) { return svcq_incident_transition(f->done, A, SVCQ_INCIDENT_CANCELLED, "late"); }
static int c_move_actor(fx *f) { return svcq_incident_transition(f->plan, "", "supervisor", SVCQ_INCIDENT_CANCELLED, "x"); }
static int c_move_conflict(fx *f)
{
    svcq_incident *twin = NULL;
    assert_int_equal(svcq_incident_load(&twin, f->ctx, "INC-2"), SVCQ_OK);
    assert_int_equal(svcq_incident_set_lessons(twin, A, "first"), SVCQ_OK);
    svcq_incident_free(twin);
    return svcq_incident_transition(f->plan, A, SVCQ_INCIDENT_CANCELLED, "second");
}
/* ---- stage 4 ---- */
static svcq_incident_measure_spec mspec(const char *root)
{
    svcq_incident_measure_spec m = SVCQ_INCIDENT_MEASURE_SPEC_INIT;
    m.kind = SVCQ_INCIDENT_MEASURE_TRAINING;
    m.what = "train";
    m.root_cause = root;
    return m;
}
static int c_measure_state(fx *f) { svcq_incident_measure_spec m = mspec(NULL); return svcq_incident_add_measure(NULL, f->rep, A, &m); }
static int c_measure_ref(fx *f) { svcq_incident_measure_spec m = mspec("zzz"); return svcq_incident_add_measure(NULL, f->plan, A, &m); }
static int c_measure_unattached(fx *f) { svcq_incident_measure_spec m = mspec("a-INC-1:c1"); return svcq_incident_add_measure(NULL, f->plan, A, &m); }
static int c_measure_not_root(fx *f) { svcq_incident_measure_spec m = mspec("a-INC-2:c7"); return svcq_incident_add_measure(NULL, f->plan, A, &m); }
static int c_measure_kind(fx *f) { svcq_incident_measure_spec m = mspec(NULL); m.kind = "prayer"; return svcq_incident_add_measure(NULL, f->plan, A, &m); }
static int c_measure_version(fx *f) { svcq_incident_measure_spec m = mspec(NULL); m.version = 5; return svcq_incident_add_measure(NULL, f->plan, A, &m); }
static int c_measure_direction(fx *f) { svcq_incident_measure_spec m = mspec(NULL); m.direction = 7; return svcq_incident_add_measure(NULL, f->plan, A, &m); }
static int c_measure_incomplete(fx *f)
{
    svcq_incident_measure_spec m = mspec("a-INC-2:c1");
    assert_int_equal(svcq_incident_add_measure(NULL, f->plan, A, &m), SVCQ_OK);
    return svcq_incident_transition(f->plan, A, SVCQ_INCIDENT_EXECUTING, NULL);
}
/* ---- stage 5 ---- */
static svcq_incident_ledger_spec lspec(const char *m, int32_t kind)
{
    svcq_incident_ledger_spec l = SVCQ_INCIDENT_LEDGER_SPEC_INIT;
    l.measure = m;
    l.kind = kind;
    return l;
}
static int c_ledger_state(fx *f) { svcq_incident_ledger_spec l = lspec("m1", SVCQ_INCIDENT_LEDGER_PROGRESS); return svcq_incident_ledger_add(f->plan, A, &l); }
static int c_ledger_measure(fx *f) { svcq_incident_ledger_spec l = lspec("m9", SVCQ_INCIDENT_LEDGER_PROGRESS); return svcq_incident_ledger_add(f->exe, A, &l); }
static int c_ledger_percent(fx *f) { svcq_incident_ledger_spec l = lspec("m1", SVCQ_INCIDENT_LEDGER_PROGRESS); l.percent = 150; return svcq_incident_ledger_add(f->exe, A, &l); }
static int c_ledger_kind(fx *f) { svcq_incident_ledger_spec l = lspec("m1", 9); return svcq_incident_ledger_add(f->exe, A, &l); }
static int c_ledger_adjust(fx *f) { svcq_incident_ledger_spec l = lspec("m1", SVCQ_INCIDENT_LEDGER_ADJUSTMENT); l.reason = "r"; l.approver = "z"; return svcq_incident_ledger_add(f->exe, A, &l); }
static int c_ledger_deviation(fx *f) { svcq_incident_ledger_spec l = lspec("m1", SVCQ_INCIDENT_LEDGER_DEVIATION); l.reason = "r"; return svcq_incident_ledger_add(f->exe, A, &l); }
static int c_mstate_value(fx *f) { return svcq_incident_set_measure_state(f->exe, A, "m1", SVCQ_INCIDENT_MEASURE_IN_PROGRESS, NULL); }
static int c_mstate_reason(fx *f) { return svcq_incident_set_measure_state(f->exe, A, "m1", SVCQ_INCIDENT_MEASURE_CANCELLED, NULL); }
static int c_mstate_twice(fx *f)
{
    assert_int_equal(svcq_incident_set_measure_state(f->exe, A, "m1", SVCQ_INCIDENT_MEASURE_DONE, NULL), SVCQ_OK);
    return svcq_incident_set_measure_state(f->exe, A, "m1", SVCQ_INCIDENT_MEASURE_DONE, NULL);
}
static int c_mstate_state(fx *f) { return svcq_incident_set_measure_state(f->ver, A, "m1", SVCQ_INCIDENT_MEASURE_DONE, NULL); }
/* ---- stage 6, 7 ---- */
static int c_indicator_state(fx *f) { return svcq_incident_record_indicator(f->exe, A, "m1", 5); }
static int c_indicator_measure(fx *f) { return svcq_incident_record_indicator(f->ver, A, "m7", 5); }
static int c_evaluate_null(fx *f) { return svcq_incident_evaluate(NULL, NULL, f->ver); }
static int c_evaluate_state(fx *f) { int32_t v; return svcq_incident_evaluate(&v, NULL, f->exe); }
static int c_verify_window(fx *f) { return svcq_incident_verify(NULL, f->ver, A, 1, 2, NULL); }
static int c_verify_state(fx *f) { return svcq_incident_verify(NULL, f->exe, A, 1, 2, NULL); }
static int c_improve_state(fx *f) { return svcq_incident_add_improvement(f->exe, A, "form", "doc://x", NULL); }
static int c_improve_kind(fx *f) { return svcq_incident_add_improvement(f->ver, A, "poster", "doc://x", NULL); }
static int c_improve_reference(fx *f) { return svcq_incident_add_improvement(f->ver, A, "form", NULL, NULL); }
static int c_close_no_improvement(fx *f)
{
    fx_now_value += 40 * FX_DAY;
    assert_int_equal(svcq_incident_record_indicator(f->ver, A, "m1", 800), SVCQ_OK);
    assert_int_equal(svcq_incident_record_indicator(f->ver, A, "m2", 800), SVCQ_OK);
    assert_int_equal(svcq_incident_verify(NULL, f->ver, A, 1, 2, NULL), SVCQ_OK);
    return svcq_incident_transition(f->ver, A, SVCQ_INCIDENT_CLOSED, NULL);
}
static int c_lessons_empty(fx *f) { return svcq_incident_set_lessons(f->exe, A, ""); }
static int c_lessons_final(fx *f)
{
    assert_int_equal(svcq_incident_transition(f->exe, A, SVCQ_INCIDENT_CANCELLED, "dropped"), SVCQ_OK);
    return svcq_incident_set_lessons(f->exe, A, "late");
}
static int c_recurrence_self(fx *f) { return svcq_incident_link_recurrence(f->exe, A, "INC-3"); }
static int c_recurrence_unknown(fx *f) { return svcq_incident_link_recurrence(f->exe, A, "INC-404"); }
static int c_recurrence_twice(fx *f)
{
    assert_int_equal(svcq_incident_link_recurrence(f->exe, A, "INC-1"), SVCQ_OK);
    return svcq_incident_link_recurrence(f->exe, A, "INC-1");
}
static int c_simkey_control(fx *f) { return svcq_incident_set_similarity_key(f->exe, A, "a\001b"); }
static int c_simkey_long(fx *f)
{
    char k[300];
    memset(k, 'k', sizeof(k) - 1);
    k[sizeof(k) - 1] = '\0';
    return svcq_incident_set_similarity_key(f->exe, A, k);
}
/* ---- context calls ---- */
static int c_vocab_key(fx *f) { return svcq_incident_vocab_add(f->ctx, SVCQ_INCIDENT_VOCAB_TYPE, "Bad Key", "x"); }
static int c_vocab_exists(fx *f) { return svcq_incident_vocab_add(f->ctx, SVCQ_INCIDENT_VOCAB_TYPE, "staff_error", "x"); }
static int c_vocab_unknown(fx *f) { return svcq_incident_vocab_add(f->ctx, 99, "k", "x"); }
static int c_configure_version(fx *f) { svcq_incident_options o = SVCQ_INCIDENT_OPTIONS_INIT; o.version = 9; return svcq_incident_configure(f->ctx, &o); }
static int c_configure_period(fx *f) { svcq_incident_options o = SVCQ_INCIDENT_OPTIONS_INIT; o.reopen_period = -5; return svcq_incident_configure(f->ctx, &o); }
static int c_configure_roles(fx *f) { svcq_incident_options o = SVCQ_INCIDENT_OPTIONS_INIT; o.group_roles = "a,,b"; return svcq_incident_configure(f->ctx, &o); }
static int c_load_unknown(fx *f) { svcq_incident *i; return svcq_incident_load(&i, f->ctx, "INC-404"); }
static int count(const char *id, void *u) { (void)id, (void)u; return 0; }
static int c_list_version(fx *f) { svcq_incident_query q = SVCQ_INCIDENT_QUERY_INIT; q.version = 3; return svcq_incident_list(f->ctx, &q, count, NULL); }
static int c_list_state(fx *f) { svcq_incident_query q = SVCQ_INCIDENT_QUERY_INIT; q.state = 77; return svcq_incident_list(f->ctx, &q, count, NULL); }
static int c_overdue_null(fx *f) { return svcq_incident_list_overdue(f->ctx, FX_T0, NULL, NULL); }
static int c_similar_null(fx *f) { return svcq_incident_similar(f->exe, NULL, NULL); }
static int c_audit_unknown(fx *f) { return svcq_incident_audit_verify(NULL, f->ctx, "INC-404"); }
static int c_audit_format(fx *f) { return svcq_incident_audit_export(f->ctx, "INC-3", &f->failing, 9, NULL); }
static int c_audit_writer(fx *f) { return svcq_incident_audit_export(f->ctx, "INC-3", &f->failing, SVCQ_INCIDENT_TRAIL_JSON, NULL); }
static int c_export_writer(fx *f) { return svcq_incident_export_json(f->exe, &f->failing, 0); }

static const tcase cases[] = {
    { "report NULL spec", SVCQ_EINVAL, "incident report", "NULL argument", c_report_null },
    { "report id with /", SVCQ_EINVAL, "INC/9", "may not contain '/'", c_report_slash },
    { "report spec version", SVCQ_EVERSION, "INC-9", "report spec version 9", c_report_version },
    { "report reserved", SVCQ_EINVAL, "INC-9", "reserved", c_report_reserved },
    { "report unknown type", SVCQ_EINVAL, "INC-9", "type \"billing\" is not in the type vocabulary", c_report_type },
    { "report no observation", SVCQ_EINVAL, "INC-9", "observation is missing", c_report_observed },
    { "report no actor", SVCQ_EINVAL, "INC-9", "actor", c_report_actor },
    { "report existing id", SVCQ_ECONFLICT, "INC-1", "already exists", c_report_exists },
    { "attachment kind", SVCQ_EINVAL, "INC-1", "selfie", c_attach_kind },
    { "attachment on rejected", SVCQ_ESTATE, "INC-1", "add an attachment in state rejected", c_attach_final },
    { "confirmer state", SVCQ_ESTATE, "INC-3", "add a confirmer in state executing", c_confirmer_state },
    { "confirmer name", SVCQ_EINVAL, "INC-1", "confirmer name", c_confirmer_name },
    { "confirm NULL", SVCQ_EINVAL, "INC-1", "NULL confirmation", c_confirm_null },
    { "confirm not real", SVCQ_ESTATE, "INC-1", "judged not real", c_confirm_not_real },
    { "confirm no category", SVCQ_ESTATE, "INC-1", "no responsibility category", c_confirm_no_cat },
    { "confirm bad category", SVCQ_EINVAL, "INC-1", "weather", c_confirm_bad_cat },
    { "confirm no unit", SVCQ_ESTATE, "INC-1", "no responsible unit", c_confirm_no_unit },
    { "confirm double track", SVCQ_ESTATE, "INC-1", "person's assessment", c_confirm_double },
    { "confirm version", SVCQ_EVERSION, "INC-1", "confirmation version 7", c_confirm_version },
    { "confirm group", SVCQ_ESTATE, "INC-8", "has no service_supervisor", c_confirm_group },
    { "confirm state", SVCQ_ESTATE, "INC-3", "cannot confirm in state executing", c_confirm_state },
    { "reject reason", SVCQ_EINVAL, "INC-1", "rejection reason is missing", c_reject_reason },
    { "reject state", SVCQ_ESTATE, "INC-3", "cannot reject", c_reject_state },
    { "attach NULL analysis", SVCQ_EINVAL, "INC-1", "NULL analysis", c_analysis_null },
    { "attach analysis state", SVCQ_ESTATE, "INC-3", "attach an analysis", c_analysis_state },
    { "attach analysis of another context", SVCQ_EINVAL, "INC-2", "belongs to another context", c_analysis_ctx },
    { "attach analysis after cancel", SVCQ_ESTATE, "INC-7", "state cancelled", c_analysis_cancelled },
    { "attach another incident's analysis", SVCQ_EINVAL, "INC-7", "belongs to incident INC-2", c_analysis_other_incident },
    { "move unknown state", SVCQ_EINVAL, "INC-1", "unknown state 42", c_move_unknown },
    { "move to confirmed", SVCQ_EINVAL, "INC-1", "svcq_incident_confirm()", c_move_confirm },
    { "move against the table", SVCQ_ESTATE, "INC-1", "cannot move from reported to planning", c_move_table },
    { "cancel without reason", SVCQ_EINVAL, "INC-1", "cancellation reason is missing", c_move_cancel_reason },
    { "leave analysing without analysis", SVCQ_ESTATE, "INC-7", "no analysis attached", c_move_no_analysis },
    { "leave planning without measure", SVCQ_ESTATE, "INC-2", "no measure planned in loop 0", c_move_no_measure },
    { "leave planning, measure incomplete", SVCQ_ESTATE, "INC-2", "measure m1 has no owner", c_measure_incomplete },
    { "leave executing, measure open", SVCQ_ESTATE, "INC-3", "measure m1 is", c_move_open_measure },
    { "close unverified", SVCQ_ESTATE, "INC-4", "the effect was not verified", c_move_unverified },
    { "close without improvement", SVCQ_ESTATE, "INC-4", "no improvement entry", c_close_no_improvement },
    { "back to analysing by move", SVCQ_EINVAL, "INC-4", "svcq_incident_verify()", c_move_back },
    { "move from closed", SVCQ_ESTATE, "INC-5", "cannot move from closed to cancelled", c_move_closed },
    { "move without actor", SVCQ_EINVAL, "INC-2", "actor", c_move_actor },
    { "move on a stale handle", SVCQ_ECONFLICT, "INC-2", "another writer went first", c_move_conflict },
    { "measure state", SVCQ_ESTATE, "INC-1", "add a measure in state reported", c_measure_state },
    { "measure root syntax", SVCQ_EINVAL, "INC-2", "is not \"<analysis id>:<node id>\"", c_measure_ref },
    { "measure root unattached", SVCQ_EINVAL, "INC-2", "not attached", c_measure_unattached },
    { "measure root not a root cause", SVCQ_EINVAL, "INC-2", "c7 is not a root cause of analysis a-INC-2", c_measure_not_root },
    { "measure kind", SVCQ_EINVAL, "INC-2", "prayer", c_measure_kind },
    { "measure version", SVCQ_EVERSION, "INC-2", "measure spec version 5", c_measure_version },
    { "measure direction", SVCQ_EINVAL, "INC-2", "direction 7", c_measure_direction },
    { "ledger state", SVCQ_ESTATE, "INC-2", "record a ledger entry in state planning", c_ledger_state },
    { "ledger measure", SVCQ_ENOTFOUND, "INC-3", "no measure m9", c_ledger_measure },
    { "ledger percent", SVCQ_EINVAL, "INC-3", "progress 150%", c_ledger_percent },
    { "ledger kind", SVCQ_EINVAL, "INC-3", "unknown ledger kind 9", c_ledger_kind },
    { "ledger adjustment", SVCQ_EINVAL, "INC-3", "new deadline or a new owner", c_ledger_adjust },
    { "ledger deviation", SVCQ_EINVAL, "INC-3", "deviation is missing", c_ledger_deviation },
    { "measure state value", SVCQ_EINVAL, "INC-3", "done or cancelled, not in_progress", c_mstate_value },
    { "measure cancel reason", SVCQ_EINVAL, "INC-3", "cancellation reason is missing", c_mstate_reason },
    { "measure done twice", SVCQ_ESTATE, "INC-3", "measure m1 is already done", c_mstate_twice },
    { "measure state in verifying", SVCQ_ESTATE, "INC-4", "finish a measure in state verifying", c_mstate_state },
    { "indicator state", SVCQ_ESTATE, "INC-3", "record an indicator", c_indicator_state },
    { "indicator measure", SVCQ_ENOTFOUND, "INC-4", "no measure m7", c_indicator_measure },
    { "evaluate NULL", SVCQ_EINVAL, "INC-4", "NULL verdict", c_evaluate_null },
    { "evaluate state", SVCQ_ESTATE, "INC-3", "evaluate the effect", c_evaluate_state },
    { "verify in window", SVCQ_ESTATE, "INC-4", "the observation window ends 2026-", c_verify_window },
    { "verify state", SVCQ_ESTATE, "INC-3", "cannot verify in state executing", c_verify_state },
    { "improvement state", SVCQ_ESTATE, "INC-3", "add an improvement", c_improve_state },
    { "improvement kind", SVCQ_EINVAL, "INC-4", "poster", c_improve_kind },
    { "improvement reference", SVCQ_EINVAL, "INC-4", "improvement reference is missing", c_improve_reference },
    { "lessons empty", SVCQ_EINVAL, "INC-3", "lessons is missing", c_lessons_empty },
    { "lessons after cancel", SVCQ_ESTATE, "INC-3", "set the lessons learned in state cancelled", c_lessons_final },
    { "recurrence self", SVCQ_EINVAL, "INC-3", "its own recurrence", c_recurrence_self },
    { "recurrence unknown", SVCQ_ENOTFOUND, "INC-3", "INC-404 is not a stored incident", c_recurrence_unknown },
    { "recurrence twice", SVCQ_EEXIST, "INC-3", "INC-1 is already linked", c_recurrence_twice },
    { "similarity key control", SVCQ_EINVAL, "INC-3", "similarity key: control character", c_simkey_control },
    { "similarity key long", SVCQ_ELIMIT, "INC-3", "similarity key: 299 bytes", c_simkey_long },
    { "vocabulary key", SVCQ_EINVAL, "incident vocabulary type", "Bad Key", c_vocab_key },
    { "vocabulary duplicate", SVCQ_EEXIST, "incident vocabulary type", "staff_error is already present", c_vocab_exists },
    { "vocabulary unknown", SVCQ_EINVAL, "incident vocabulary 99", "unknown vocabulary", c_vocab_unknown },
    { "options version", SVCQ_EVERSION, "incident options", "version 9", c_configure_version },
    { "options period", SVCQ_EINVAL, "incident options", "reopen period -5 is negative", c_configure_period },
    { "options roles", SVCQ_EINVAL, "incident options", "a,,b", c_configure_roles },
    { "load unknown", SVCQ_ENOTFOUND, "INC-404", "not found", c_load_unknown },
    { "list version", SVCQ_EVERSION, "incident list", "query version 3", c_list_version },
    { "list state", SVCQ_EINVAL, "incident list", "unknown state 77", c_list_state },
    { "overdue visitor", SVCQ_EINVAL, "incident overdue list", "NULL visitor", c_overdue_null },
    { "similar visitor", SVCQ_EINVAL, "INC-3", "NULL visitor", c_similar_null },
    { "audit unknown", SVCQ_ENOTFOUND, "INC-404", "not found", c_audit_unknown },
    { "audit format", SVCQ_EINVAL, "INC-3", "unknown trail format 9", c_audit_format },
    { "audit writer", SVCQ_EIO, "INC-3", "writer", c_audit_writer },
    { "export writer", SVCQ_EIO, "INC-3", "writer", c_export_writer },
};

static void every_case(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fx f;
        fx_make(&f);
        /* The sentinel: a refusal whose message is known. */
        assert_int_equal(svcq_incident_vocab_add(f.ctx, SVCQ_INCIDENT_VOCAB_TYPE, "sentinel zz", "x"), SVCQ_EINVAL);
        char sentinel[512];
        snprintf(sentinel, sizeof(sentinel), "%s", svcq_ctx_errmsg(f.ctx));
        assert_non_null(strstr(sentinel, "sentinel zz"));
        int rc = cases[i].call(&f);
        const char *msg = svcq_ctx_errmsg(f.ctx);
        if (rc != cases[i].code)
            fail_msg("%s: returned %d (%s), expected %d; message \"%s\"", cases[i].name, rc, svcq_strerror(rc),
                     cases[i].code, msg);
        if (!msg[0] || strcmp(msg, sentinel) == 0)
            fail_msg("%s: the call left no message of its own (\"%s\")", cases[i].name, msg);
        if (!strstr(msg, cases[i].who))
            fail_msg("%s: the message \"%s\" does not name \"%s\"", cases[i].name, msg, cases[i].who);
        if (!strstr(msg, cases[i].mentions))
            fail_msg("%s: the message \"%s\" does not mention \"%s\"", cases[i].name, msg, cases[i].mentions);
        fx_free(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
