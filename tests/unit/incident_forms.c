/* The documents of the incident process: the four forms on a complete
 * incident and on incidents in progress, in Markdown, JSON and (the
 * tracking form) CSV, byte for byte against tests/data/incident/form_*
 * (SVCQ_REGEN=1 rewrites them; incident_forms_check.py parses the CSV and
 * JSON fixtures independently); typical cases, their refusals and the
 * review pack (tests/data/incident/review_*.md). */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "incident_fixture.h"
#include "test_alloc.h"

typedef struct fx {
    test_alloc alloc;
    svcq_ctx *ctx;
    svcq_tz *tz;
    svcq_analysis *a[3];
    svcq_incident *inc[3];
} fx;

static int collect(const char *data, size_t size, void *user)
{
    char **out = user;
    size_t old = *out ? strlen(*out) : 0;
    char *n = realloc(*out, old + size + 1);
    memcpy(n + old, data, size);
    n[old + size] = '\0';
    *out = n;
    return 0;
}

static int failing(const char *data, size_t size, void *user)
{
    (void)data, (void)size, (void)user;
    return SVCQ_EIO;
}

static void fixture(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/incident/%s", SVCQ_TEST_DATA, name);
    if (getenv("SVCQ_REGEN")) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
        return;
    }
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("missing fixture %s", path);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (strcmp(buf, text) != 0)
        fail_msg("%s differs from the output:\n%s", name, text);
}

static void expect_msg(fx *f, int rc, int code, const char *msg)
{
    assert_int_equal(rc, code);
    if (!strstr(svcq_ctx_errmsg(f->ctx), msg))
        fail_msg("message \"%s\" lacks \"%s\"", svcq_ctx_errmsg(f->ctx), msg);
}

/* Runs steps [0, to) of the lifecycle on incident k ("INC-<k+1>"). */
static void run(fx *f, int k, int to)
{
    char id[16], aid[24];
    snprintf(id, sizeof(id), "INC-%d", k + 1);
    snprintf(aid, sizeof(aid), "a-%s", id);
    assert_int_equal(fx_analysis(&f->a[k], f->ctx, aid), SVCQ_OK);
    for (int i = 0; i < to; i++) {
        int rc = fx_step(&f->inc[k], f->ctx, id, f->a[k], i);
        if (rc)
            fail_msg("%s step %d: %s", id, i, svcq_ctx_errmsg(f->ctx));
    }
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    test_alloc_init(&f->alloc);
    svcq_ctx_options o;
    assert_int_equal(svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION), SVCQ_OK);
    test_alloc_hook(&f->alloc, &o);
    fx_options(&o);
    fx_now_value = FX_T0;
    assert_int_equal(svcq_ctx_new(&f->ctx, &o), SVCQ_OK);
    assert_int_equal(svcq_tz_fixed(&f->tz, f->ctx, 8 * 3600), SVCQ_OK);
    run(f, 0, FX_STEPS - 1); /* INC-1: closed */
    run(f, 1, 13);           /* INC-2: executing, two progress entries */
    run(f, 2, 2);            /* INC-3: reported, one attachment */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    for (int k = 0; k < 3; k++) {
        svcq_incident_free(f->inc[k]);
        svcq_analysis_free(f->a[k]);
    }
    svcq_tz_free(f->tz);
    svcq_ctx_free(f->ctx);
    assert_int_equal(f->alloc.live_blocks, 0);
    free(f);
    return 0;
}

static int form(char **out, fx *f, const svcq_incident *inc, int32_t form, int32_t format)
{
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = collect;
    w.user_data = out;
    *out = NULL;
    return svcq_incident_form_export(inc, &w, form, format, f->tz);
}

static void every_form_byte_for_byte(void **state)
{
    fx *f = *state;
    static const char *const which[] = { "complete", "executing", "reported" };
    static const char *const ext[] = { NULL, "md", "json", "csv" };
    for (int k = 0; k < 3; k++) {
        for (int32_t fm = SVCQ_INCIDENT_FORM_ANOMALY_REPORT; fm <= SVCQ_INCIDENT_FORM_EFFECT_VERIFICATION; fm++) {
            for (int32_t fmt = SVCQ_INCIDENT_FORM_MARKDOWN; fmt <= SVCQ_INCIDENT_FORM_CSV; fmt++) {
                if (fmt == SVCQ_INCIDENT_FORM_CSV && fm != SVCQ_INCIDENT_FORM_CORRECTIVE_ACTION)
                    continue;
                char *text = NULL;
                int rc = form(&text, f, f->inc[k], fm, fmt);
                if (rc)
                    fail_msg("%s %s: %s", which[k], svcq_incident_form_name(fm), svcq_ctx_errmsg(f->ctx));
                char name[96];
                snprintf(name, sizeof(name), "form_%s_%s.%s", svcq_incident_form_name(fm), which[k], ext[fmt]);
                fixture(name, text);
                free(text);
            }
        }
    }
}

/* What the in-progress forms must show, independent of the fixtures. */
static void unfilled_fields(void **state)
{
    fx *f = *state;
    char *t = NULL;
    /* reported: no confirmation, no analysis */
    assert_int_equal(form(&t, f, f->inc[2], SVCQ_INCIDENT_FORM_CAUSE_ANALYSIS, SVCQ_INCIDENT_FORM_MARKDOWN), 0);
    assert_non_null(strstr(t, "| Judged by | (to be filled) |"));
    assert_non_null(strstr(t, "## Cause analysis\n\n(to be filled)\n"));
    free(t);
    assert_int_equal(form(&t, f, f->inc[2], SVCQ_INCIDENT_FORM_CAUSE_ANALYSIS, SVCQ_INCIDENT_FORM_JSON), 0);
    assert_non_null(strstr(t, "\"judged_by\": null"));
    assert_non_null(strstr(t, "\"analyses\": []"));
    free(t);
    /* executing: nothing measured, no verdict */
    assert_int_equal(form(&t, f, f->inc[1], SVCQ_INCIDENT_FORM_EFFECT_VERIFICATION, SVCQ_INCIDENT_FORM_JSON), 0);
    assert_non_null(strstr(t, "\"verdict\": null"));
    assert_non_null(strstr(t, "\"measured\": null"));
    assert_null(strstr(t, "\"verdict\": \"effective\""));
    free(t);
    /* complete: the verdict, the cause report embedded with its headings one level down */
    assert_int_equal(form(&t, f, f->inc[0], SVCQ_INCIDENT_FORM_EFFECT_VERIFICATION, SVCQ_INCIDENT_FORM_MARKDOWN), 0);
    assert_non_null(strstr(t, "| Verdict | effective |"));
    assert_non_null(strstr(t, "| Findings | - |"));
    free(t);
    /* nothing of a closed incident is left to fill */
    for (int32_t fm = 1; fm <= 4; fm++) {
        assert_int_equal(form(&t, f, f->inc[0], fm, SVCQ_INCIDENT_FORM_MARKDOWN), 0);
        if (strstr(t, "(to be filled)"))
            fail_msg("%s form of a closed incident: %s", svcq_incident_form_name(fm), t);
        free(t);
    }
    assert_int_equal(form(&t, f, f->inc[0], SVCQ_INCIDENT_FORM_CAUSE_ANALYSIS, SVCQ_INCIDENT_FORM_MARKDOWN), 0);
    assert_non_null(strstr(t, "\n## Cause report: Replies to tickets are late\n"));
    assert_non_null(strstr(t, "\n### Root causes\n"));
    assert_non_null(strstr(t, "Queue not watched at shift change"));
    free(t);
    /* the CSV: a header, two measures and four ledger rows, CRLF */
    assert_int_equal(form(&t, f, f->inc[0], SVCQ_INCIDENT_FORM_CORRECTIVE_ACTION, SVCQ_INCIDENT_FORM_CSV), 0);
    size_t lines = 0;
    for (const char *p = t; (p = strstr(p, "\r\n")) != NULL; p += 2)
        lines++;
    assert_int_equal(lines, 1 + 2 + 4);
    assert_int_equal(strncmp(t, "record,incident,measure,", 24), 0);
    free(t);
}

/* Human error: the double track is shown with both assessments. */
static void double_track(void **state)
{
    fx *f = *state;
    svcq_incident *inc = NULL;
    assert_int_equal(fx_report(&inc, f->ctx, "INC-5"), SVCQ_OK);
    assert_int_equal(svcq_incident_add_confirmer(inc, "Zhao Min", "supervisor", "Zhao Min", "service_supervisor"), 0);
    assert_int_equal(svcq_incident_add_confirmer(inc, "Zhao Min", "supervisor", "Sun Li", "quality_staff"), 0);
    svcq_incident_confirmation c = SVCQ_INCIDENT_CONFIRMATION_INIT;
    c.real = 1;
    c.category = SVCQ_INCIDENT_RESP_HUMAN_ERROR;
    c.responsible_unit = "Support tier 1";
    c.responsible_person = "Li Na";
    c.person_assessment = "Skipped the callback list | once";
    c.process_assessment = "No reminder for promised callbacks";
    if (svcq_incident_confirm(inc, "Zhao Min", "supervisor", &c))
        fail_msg("%s", svcq_ctx_errmsg(f->ctx));
    char *t = NULL;
    assert_int_equal(form(&t, f, inc, SVCQ_INCIDENT_FORM_CAUSE_ANALYSIS, SVCQ_INCIDENT_FORM_MARKDOWN), 0);
    assert_non_null(strstr(t, "| The person | Skipped the callback list \\| once |"));
    assert_non_null(strstr(t, "| The process | No reminder for promised callbacks |"));
    assert_non_null(strstr(t, "| Responsibility | Human error |"));
    assert_non_null(strstr(t, "| Note | - |"));
    assert_non_null(strstr(t, "## Cause analysis\n\n(to be filled)\n"));
    free(t);
    assert_int_equal(form(&t, f, inc, SVCQ_INCIDENT_FORM_CAUSE_ANALYSIS, SVCQ_INCIDENT_FORM_JSON), 0);
    assert_non_null(strstr(t, "\"person\": \"Skipped the callback list | once\""));
    assert_non_null(strstr(t, "\"category\": \"human_error\""));
    free(t);
    svcq_incident_free(inc);
}

static void form_refusals(void **state)
{
    fx *f = *state;
    char *t = NULL;
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = collect;
    w.user_data = &t;
    assert_int_equal(svcq_incident_form_export(NULL, &w, 1, 1, NULL), SVCQ_EINVAL);
    expect_msg(f, svcq_incident_form_export(f->inc[0], NULL, 1, 1, NULL), SVCQ_EINVAL,
               "incident INC-1: form export: NULL writer");
    expect_msg(f, svcq_incident_form_export(f->inc[0], &w, 9, 1, NULL), SVCQ_EINVAL, "incident INC-1: unknown form 9");
    expect_msg(f, svcq_incident_form_export(f->inc[0], &w, 1, 7, NULL), SVCQ_EINVAL,
               "incident INC-1: anomaly_report form: unknown format 7");
    expect_msg(f, svcq_incident_form_export(f->inc[0], &w, SVCQ_INCIDENT_FORM_EFFECT_VERIFICATION,
                                            SVCQ_INCIDENT_FORM_CSV, NULL),
               SVCQ_EINVAL, "the effect_verification form has no CSV");
    assert_null(t);
    /* a failing writer: its error */
    svcq_writer bad = SVCQ_WRITER_INIT;
    bad.write = failing;
    assert_int_equal(svcq_incident_form_export(f->inc[0], &bad, 1, 1, NULL), SVCQ_EIO);
    /* an attached analysis gone from the store */
    assert_int_equal(svcq_analysis_delete(f->a[1]), SVCQ_OK);
    expect_msg(f, form(&t, f, f->inc[1], SVCQ_INCIDENT_FORM_CAUSE_ANALYSIS, SVCQ_INCIDENT_FORM_MARKDOWN),
               SVCQ_ENOTFOUND, "incident INC-2: cause-analysis form: analysis a-INC-2");
    assert_null(t);
    /* NULL tz is UTC */
    svcq_writer ok = SVCQ_WRITER_INIT;
    ok.write = collect;
    ok.user_data = &t;
    assert_int_equal(svcq_incident_form_export(f->inc[0], &ok, 1, 1, NULL), SVCQ_OK);
    assert_non_null(strstr(t, "| When it was reported | 2026-01-01 02:00+00:00 |"));
    free(t);
    /* the names */
    assert_string_equal(svcq_incident_form_name(SVCQ_INCIDENT_FORM_CORRECTIVE_ACTION), "corrective_action");
    assert_null(svcq_incident_form_name(0));
    assert_null(svcq_incident_form_name(5));
    assert_string_equal(svcq_incident_form_format_name(SVCQ_INCIDENT_FORM_CSV), "csv");
    assert_null(svcq_incident_form_format_name(4));
}

static char *pack(fx *f, svcq_time from, svcq_time to, int expect)
{
    char *t = NULL;
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = collect;
    w.user_data = &t;
    int rc = svcq_incident_review_pack(f->ctx, &w, from, to, f->tz);
    if (rc != expect)
        fail_msg("review pack: %d %s", rc, svcq_ctx_errmsg(f->ctx));
    return t;
}

static void typical_cases_and_review_pack(void **state)
{
    fx *f = *state;
    /* nothing typical yet */
    char *t = pack(f, FX_T0, FX_T0 + 60 * FX_DAY, 0);
    assert_non_null(strstr(t, "\n0 typical cases.\n"));
    free(t);
    assert_null(svcq_incident_typical_note(f->inc[0]));
    uint64_t before = svcq_incident_audit_count(f->inc[0]);
    uint64_t rev = svcq_incident_revision(f->inc[0]);
    assert_int_equal(svcq_incident_mark_typical(f->inc[0], "Zhao Min", "supervisor",
                                                "Shift handover gaps | seen in three sites"), SVCQ_OK);
    assert_string_equal(svcq_incident_typical_note(f->inc[0]), "Shift handover gaps | seen in three sites");
    assert_int_equal(svcq_incident_audit_count(f->inc[0]), before + 1);
    assert_true(svcq_incident_revision(f->inc[0]) > rev);
    assert_int_equal(svcq_incident_audit_verify(NULL, f->ctx, "INC-1"), SVCQ_OK);
    assert_int_equal(svcq_incident_mark_typical(f->inc[1], "Sun Li", "quality_staff", "Second site, same cause"),
                     SVCQ_OK);
    /* stored: a reload sees it */
    svcq_incident *l = NULL;
    assert_int_equal(svcq_incident_load(&l, f->ctx, "INC-1"), SVCQ_OK);
    assert_string_equal(svcq_incident_typical_note(l), "Shift handover gaps | seen in three sites");
    svcq_incident_free(l);

    t = pack(f, FX_T0, FX_T0 + 60 * FX_DAY, 0);
    fixture("review_pack.md", t);
    assert_non_null(strstr(t, "\n2 typical cases.\n"));
    assert_null(strstr(t, "INC-3"));
    free(t);
    /* INC-2 was reported after the clock moved 31 days: a later period holds it alone */
    t = pack(f, FX_T0 + FX_DAY, FX_T0 + 60 * FX_DAY, 0);
    fixture("review_pack_late.md", t);
    assert_non_null(strstr(t, "\n1 typical case.\n"));
    assert_null(strstr(t, "INC-1"));
    free(t);
}

static void typical_refusals(void **state)
{
    fx *f = *state;
    svcq_incident *inc = f->inc[2];
    uint64_t rev = svcq_incident_revision(inc);
    assert_int_equal(svcq_incident_mark_typical(NULL, "a", "b", "c"), SVCQ_EINVAL);
    expect_msg(f, svcq_incident_mark_typical(inc, "Sun Li", "quality_staff", NULL), SVCQ_EINVAL,
               "typical-case note");
    expect_msg(f, svcq_incident_mark_typical(inc, "Sun Li", "quality_staff", "  "), SVCQ_EINVAL,
               "typical-case note");
    char *big = malloc(SVCQ_INCIDENT_MAX_TEXT + 2);
    memset(big, 'x', SVCQ_INCIDENT_MAX_TEXT + 1);
    big[SVCQ_INCIDENT_MAX_TEXT + 1] = '\0';
    expect_msg(f, svcq_incident_mark_typical(inc, "Sun Li", "quality_staff", big), SVCQ_ELIMIT, "typical-case note");
    free(big);
    expect_msg(f, svcq_incident_mark_typical(inc, NULL, "quality_staff", "n"), SVCQ_EINVAL, "incident INC-3");
    assert_int_equal(svcq_incident_revision(inc), rev);
    assert_null(svcq_incident_typical_note(inc));
    assert_int_equal(svcq_incident_mark_typical(inc, "Sun Li", "quality_staff", "first"), SVCQ_OK);
    expect_msg(f, svcq_incident_mark_typical(inc, "Zhao Min", "supervisor", "again"), SVCQ_EEXIST,
               "incident INC-3: already marked as a typical case by Sun Li");
    assert_string_equal(svcq_incident_typical_note(inc), "first");
    /* unmarking: a reason is required; then the case can be marked again with a new note */
    rev = svcq_incident_revision(inc);
    uint64_t entries = svcq_incident_audit_count(inc);
    assert_int_equal(svcq_incident_unmark_typical(NULL, "a", "b", "c"), SVCQ_EINVAL);
    expect_msg(f, svcq_incident_unmark_typical(inc, "Zhao Min", "supervisor", NULL), SVCQ_EINVAL,
               "reason for unmarking the typical case");
    expect_msg(f, svcq_incident_unmark_typical(inc, NULL, "supervisor", "n"), SVCQ_EINVAL, "incident INC-3");
    assert_int_equal(svcq_incident_revision(inc), rev);
    assert_int_equal(svcq_incident_unmark_typical(inc, "Zhao Min", "supervisor", "a one-off after all"), SVCQ_OK);
    assert_null(svcq_incident_typical_note(inc));
    assert_int_equal(svcq_incident_audit_count(inc), entries + 1);
    expect_msg(f, svcq_incident_unmark_typical(inc, "Zhao Min", "supervisor", "again"), SVCQ_ESTATE,
               "incident INC-3: is not marked as a typical case");
    svcq_incident *l = NULL;
    assert_int_equal(svcq_incident_load(&l, f->ctx, "INC-3"), SVCQ_OK);
    assert_null(svcq_incident_typical_note(l));
    svcq_incident_free(l);
    /* the trail keeps the note taken away and the reason */
    char *trail = NULL;
    svcq_writer tw = SVCQ_WRITER_INIT;
    tw.write = collect;
    tw.user_data = &trail;
    assert_int_equal(svcq_incident_audit_export(f->ctx, "INC-3", &tw, SVCQ_INCIDENT_TRAIL_JSON, NULL), SVCQ_OK);
    const char *u = strstr(trail, "\"unmarked_typical\"");
    assert_non_null(u);
    assert_non_null(strstr(u, "\"first\""));
    assert_non_null(strstr(u, "\"a one-off after all\""));
    free(trail);
    assert_int_equal(svcq_incident_mark_typical(inc, "Zhao Min", "supervisor", "second look"), SVCQ_OK);
    assert_string_equal(svcq_incident_typical_note(inc), "second look");
    assert_int_equal(svcq_incident_audit_verify(NULL, f->ctx, "INC-3"), SVCQ_OK);
    /* a rejected incident is no case */
    svcq_incident *r = NULL;
    fx_now_value = FX_T0 + 40 * FX_DAY;
    assert_int_equal(fx_report(&r, f->ctx, "INC-9"), SVCQ_OK);
    assert_int_equal(svcq_incident_add_confirmer(r, "Zhao Min", "supervisor", "Zhao Min", "service_supervisor"), 0);
    assert_int_equal(svcq_incident_add_confirmer(r, "Zhao Min", "supervisor", "Sun Li", "quality_staff"), 0);
    assert_int_equal(svcq_incident_reject(r, "Zhao Min", "supervisor", "not an anomaly"), SVCQ_OK);
    expect_msg(f, svcq_incident_mark_typical(r, "Sun Li", "quality_staff", "n"), SVCQ_ESTATE,
               "incident INC-9: cannot mark as a typical case in state rejected");
    svcq_incident_free(r);
    /* the pack's period */
    char *t = NULL;
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = collect;
    w.user_data = &t;
    assert_int_equal(svcq_incident_review_pack(NULL, &w, 0, 1, NULL), SVCQ_EINVAL);
    expect_msg(f, svcq_incident_review_pack(f->ctx, NULL, 0, 1, NULL), SVCQ_EINVAL, "review pack: NULL writer");
    expect_msg(f, svcq_incident_review_pack(f->ctx, &w, 10, 10, NULL), SVCQ_EINVAL,
               "review pack: the period ends (10) before it starts (10)");
    assert_null(t);
    svcq_writer bad = SVCQ_WRITER_INIT;
    bad.write = failing;
    assert_int_equal(svcq_incident_review_pack(f->ctx, &bad, 0, FX_T0 + 90 * FX_DAY, NULL), SVCQ_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_form_byte_for_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(unfilled_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(double_track, setup, teardown),
        cmocka_unit_test_setup_teardown(form_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(typical_cases_and_review_pack, setup, teardown),
        cmocka_unit_test_setup_teardown(typical_refusals, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
