/* Every failing blueprint call writes its own message, as tests/unit/errmsg.c
 * checks for the modules below it (a file of its own so that modules built
 * in parallel do not edit one file). For each case a fresh fixture is
 * made, a sentinel message is planted by a failing call whose message is
 * known, then the case's call must return its documented code and leave a
 * message of its own, not empty, naming something of the case. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "blueprint_fixtures.h"
#include "svcq.h"
#include "test_alloc.h"

typedef struct fx {
    test_alloc alloc;
    svcq_ctx *ctx;
    svcq_ctx *other;
    svcq_blueprint *bp;       /* complaints, saved as version 1 */
    svcq_blueprint *stale;    /* loaded at version 1, then bp saved version 2 */
    svcq_blueprint *hist;     /* version 1, loaded as history */
    svcq_blueprint_overlay *ov;
    svcq_blueprint_overlay *foreign_ov;
    svcq_blueprint *foreign;
    svcq_writer failing;
} fx;

static int write_fails(const char *data, size_t size, void *user_data)
{
    (void)data, (void)size, (void)user_data;
    return SVCQ_EIO;
}

static void fx_make(fx *f)
{
    test_alloc_init(&f->alloc);
    f->ctx = test_ctx_new(&f->alloc);
    assert_int_equal(svcq_ctx_new(&f->other, NULL), SVCQ_OK);
    assert_int_equal(bf_complaints(&f->bp, f->ctx), SVCQ_OK);
    assert_int_equal(svcq_blueprint_save(f->bp), SVCQ_OK);
    assert_int_equal(svcq_blueprint_load(&f->stale, f->ctx, "complaints"), SVCQ_OK);
    assert_int_equal(svcq_blueprint_set_title(f->bp, "Second"), SVCQ_OK);
    assert_int_equal(svcq_blueprint_save(f->bp), SVCQ_OK);
    assert_int_equal(svcq_blueprint_set_title(f->stale, "Stale"), SVCQ_OK);
    assert_int_equal(svcq_blueprint_load_version(&f->hist, f->ctx, "complaints", 1), SVCQ_OK);
    assert_int_equal(svcq_blueprint_set_title(f->hist, "Rewritten"), SVCQ_OK);
    assert_int_equal(bf_overlay(&f->ov, f->ctx), SVCQ_OK);
    assert_int_equal(bf_complaints(&f->foreign, f->other), SVCQ_OK);
    assert_int_equal(svcq_blueprint_overlay_new(&f->foreign_ov, f->other, 0, 1), SVCQ_OK);
    assert_int_equal(svcq_writer_init(&f->failing, SVCQ_WRITER_VERSION), SVCQ_OK);
    f->failing.write = write_fails;
}

static void fx_free(fx *f)
{
    svcq_blueprint_free(f->bp);
    svcq_blueprint_free(f->stale);
    svcq_blueprint_free(f->hist);
    svcq_blueprint_overlay_free(f->ov);
    svcq_blueprint_overlay_free(f->foreign_ov);
    svcq_blueprint_free(f->foreign);
    svcq_ctx_free(f->ctx);
    svcq_ctx_free(f->other);
    assert_int_equal(f->alloc.live_blocks, 0);
}

typedef struct tcase {
    const char *name;
    int code;
    const char *mentions;
    int (*call)(fx *f);
} tcase;

static svcq_blueprint_step_spec a_step(const char *key, const char *stage)
{
    svcq_blueprint_step_spec s = SVCQ_BLUEPRINT_STEP_SPEC_INIT;
    s.key = key;
    s.title = "X";
    s.stage = stage;
    return s;
}

static svcq_blueprint_risk_spec a_risk(const char *key, const char *step)
{
    svcq_blueprint_risk_spec r = SVCQ_BLUEPRINT_RISK_SPEC_INIT;
    r.key = key;
    r.step = step;
    r.failure = "F";
    r.severity = SVCQ_BLUEPRINT_LOW;
    return r;
}

static int c_new_service(fx *f)
{
    svcq_blueprint *b;
    return svcq_blueprint_new(&b, f->ctx, "Bad Id", "T");
}
static int c_new_title(fx *f)
{
    svcq_blueprint *b;
    return svcq_blueprint_new(&b, f->ctx, "svc", " ");
}
static int c_set_title(fx *f) { return svcq_blueprint_set_title(f->bp, "a\x02"); }
static int c_step_stage(fx *f)
{
    svcq_blueprint_step_spec s = a_step("x", NULL);
    return svcq_blueprint_add_step(f->bp, &s, -1);
}
static int c_step_dup(fx *f)
{
    svcq_blueprint_step_spec s = a_step("report", "reception");
    return svcq_blueprint_add_step(f->bp, &s, -1);
}
static int c_step_position(fx *f)
{
    svcq_blueprint_step_spec s = a_step("x", "reception");
    return svcq_blueprint_add_step(f->bp, &s, 9);
}
static int c_step_version(fx *f)
{
    svcq_blueprint_step_spec s = a_step("x", "reception");
    s.version = 2;
    return svcq_blueprint_add_step(f->bp, &s, -1);
}
static int c_step_null(fx *f) { return svcq_blueprint_add_step(f->bp, NULL, -1); }
static int c_update_unknown(fx *f)
{
    svcq_blueprint_step_spec s = a_step(NULL, "reception");
    return svcq_blueprint_update_step(f->bp, "nope", &s);
}
static int c_update_key(fx *f)
{
    svcq_blueprint_step_spec s = a_step("resolve", "reception");
    return svcq_blueprint_update_step(f->bp, "report", &s);
}
static int c_move_unknown(fx *f) { return svcq_blueprint_move_step(f->bp, "nope", 0); }
static int c_move_position(fx *f) { return svcq_blueprint_move_step(f->bp, "report", 7); }
static int c_remove_held(fx *f) { return svcq_blueprint_remove_step(f->bp, "report"); }
static int c_remove_unknown(fx *f) { return svcq_blueprint_remove_step(f->bp, "nope"); }
static int c_risk_step(fx *f)
{
    svcq_blueprint_risk_spec r = a_risk("r9", "nope");
    return svcq_blueprint_add_risk(f->bp, &r);
}
static int c_risk_dup(fx *f)
{
    svcq_blueprint_risk_spec r = a_risk("r_wait", "report");
    return svcq_blueprint_add_risk(f->bp, &r);
}
static int c_risk_severity(fx *f)
{
    svcq_blueprint_risk_spec r = a_risk("r9", "report");
    r.severity = 9;
    return svcq_blueprint_add_risk(f->bp, &r);
}
static int c_risk_watch(fx *f)
{
    svcq_blueprint_risk_spec r = a_risk("r9", "report");
    r.watch = SVCQ_BLUEPRINT_WATCH_INDICATOR;
    return svcq_blueprint_add_risk(f->bp, &r);
}
static int c_risk_update(fx *f)
{
    svcq_blueprint_risk_spec r = a_risk(NULL, "report");
    return svcq_blueprint_update_risk(f->bp, "nope", &r);
}
static int c_risk_remove(fx *f) { return svcq_blueprint_remove_risk(f->bp, "nope"); }
static int c_step_at(fx *f)
{
    svcq_blueprint_step_spec s = SVCQ_BLUEPRINT_STEP_SPEC_INIT;
    return svcq_blueprint_step(&s, f->bp, 5);
}
static int c_step_at_version(fx *f)
{
    svcq_blueprint_step_spec s = SVCQ_BLUEPRINT_STEP_SPEC_INIT;
    s.version = 0;
    return svcq_blueprint_step(&s, f->bp, 0);
}
static int c_risk_at(fx *f)
{
    svcq_blueprint_risk_spec r = SVCQ_BLUEPRINT_RISK_SPEC_INIT;
    return svcq_blueprint_risk(&r, f->bp, 4);
}
static int c_json_flags(fx *f) { return svcq_blueprint_export_json(f->bp, &f->failing, 8); }
static int c_json_writer(fx *f) { return svcq_blueprint_export_json(f->bp, &f->failing, 0); }
static int c_md_writer(fx *f) { return svcq_blueprint_export_markdown(f->bp, &f->failing, f->ov); }
static int c_mermaid_writer(fx *f) { return svcq_blueprint_export_mermaid(f->bp, &f->failing); }
static int c_svg_writer(fx *f) { return svcq_blueprint_export_svg(f->bp, &f->failing, NULL); }
static int c_svg_context(fx *f) { return svcq_blueprint_export_svg(f->bp, &f->failing, f->foreign_ov); }
static int c_import_parse(fx *f)
{
    svcq_blueprint *b;
    return svcq_blueprint_import_json(&b, f->ctx, "{\n\"schema\": x}", 14);
}
static int c_import_stage(fx *f)
{
    static const char j[] = "{\"schema\":\"svcq.blueprint/1\",\"service\":\"s\",\"title\":\"T\",\"steps\":[{\"key\":"
                            "\"a\",\"title\":\"A\"}]}";
    svcq_blueprint *b;
    return svcq_blueprint_import_json(&b, f->ctx, j, sizeof(j) - 1);
}
static int c_import_risk(fx *f)
{
    static const char j[] = "{\"schema\":\"svcq.blueprint/1\",\"service\":\"s\",\"title\":\"T\",\"steps\":[],"
                            "\"risks\":[{\"key\":\"r\",\"step\":\"zz\",\"failure\":\"F\",\"severity\":\"low\"}]}";
    svcq_blueprint *b;
    return svcq_blueprint_import_json(&b, f->ctx, j, sizeof(j) - 1);
}
static int c_save_conflict(fx *f) { return svcq_blueprint_save(f->stale); }
static int c_save_history(fx *f) { return svcq_blueprint_save(f->hist); }
static int c_load_missing(fx *f)
{
    svcq_blueprint *b;
    return svcq_blueprint_load(&b, f->ctx, "nothing");
}
static int c_load_bad(fx *f)
{
    svcq_blueprint *b;
    return svcq_blueprint_load(&b, f->ctx, "a/b");
}
static int c_version_zero(fx *f)
{
    svcq_blueprint *b;
    return svcq_blueprint_load_version(&b, f->ctx, "complaints", 0);
}
static int c_version_missing(fx *f)
{
    svcq_blueprint *b;
    return svcq_blueprint_load_version(&b, f->ctx, "complaints", 9);
}
static int c_overlay_range(fx *f)
{
    svcq_blueprint_overlay *o;
    return svcq_blueprint_overlay_new(&o, f->ctx, 10, 5);
}
static int c_overlay_dup(fx *f)
{
    return bf_obs(f->ov, "INC-1", "report", SVCQ_BLUEPRINT_OBS_OPEN, 0, 0, NULL, NULL, BF_T0);
}
static int c_overlay_state(fx *f) { return bf_obs(f->ov, "INC-X", "report", 0, 0, 0, NULL, NULL, BF_T0); }
static int c_overlay_stage(fx *f)
{
    return bf_obs_in(f->ov, "INC-X", "report", "Bad Stage", SVCQ_BLUEPRINT_OBS_OPEN, 0, 0, NULL, NULL, BF_T0);
}
static int c_overlay_version(fx *f)
{
    svcq_blueprint_observation o = SVCQ_BLUEPRINT_OBSERVATION_INIT;
    o.version = 3;
    o.incident = "INC-X";
    return svcq_blueprint_overlay_add(f->ov, &o);
}
static int c_overlay_breached(fx *f)
{
    svcq_blueprint_observation o = SVCQ_BLUEPRINT_OBSERVATION_INIT;
    o.incident = "INC-X";
    o.state = SVCQ_BLUEPRINT_OBS_OPEN;
    o.breached_count = 2;
    return svcq_blueprint_overlay_add(f->ov, &o);
}
static int c_overlay_step(fx *f)
{
    svcq_blueprint_step_stats st = SVCQ_BLUEPRINT_STEP_STATS_INIT;
    return svcq_blueprint_overlay_step(&st, f->ov, f->bp, "nope");
}
static int c_overlay_context(fx *f)
{
    svcq_blueprint_step_stats st = SVCQ_BLUEPRINT_STEP_STATS_INIT;
    return svcq_blueprint_overlay_step(&st, f->ov, f->foreign, "report");
}
static int c_overlay_stats_version(fx *f)
{
    svcq_blueprint_step_stats st = SVCQ_BLUEPRINT_STEP_STATS_INIT;
    st.version = 5;
    return svcq_blueprint_overlay_step(&st, f->ov, f->bp, "report");
}
static int c_overlay_risk(fx *f)
{
    uint32_t n;
    return svcq_blueprint_overlay_risk_breaches(&n, f->ov, f->bp, "nope");
}

static const tcase cases[] = {
    { "new service", SVCQ_EINVAL, "Bad Id", c_new_service },
    { "new title", SVCQ_EINVAL, "blueprint svc: title", c_new_title },
    { "set_title", SVCQ_EINVAL, "control character", c_set_title },
    { "add_step no stage", SVCQ_EINVAL, "step x: no service stage", c_step_stage },
    { "add_step duplicate", SVCQ_EEXIST, "step key report", c_step_dup },
    { "add_step position", SVCQ_EINVAL, "position 9", c_step_position },
    { "add_step version", SVCQ_EVERSION, "table version 2", c_step_version },
    { "add_step NULL", SVCQ_EINVAL, "svcq_blueprint_add_step", c_step_null },
    { "update_step unknown", SVCQ_EINVAL, "spec names", c_update_key },
    { "update_step missing", SVCQ_ENOTFOUND, "no step nope", c_update_unknown },
    { "move_step unknown", SVCQ_ENOTFOUND, "no step nope to move", c_move_unknown },
    { "move_step position", SVCQ_EINVAL, "position 7", c_move_position },
    { "remove_step held", SVCQ_ESTATE, "r_wait", c_remove_held },
    { "remove_step unknown", SVCQ_ENOTFOUND, "no step nope to remove", c_remove_unknown },
    { "add_risk missing step", SVCQ_ENOTFOUND, "step nope is not in blueprint complaints", c_risk_step },
    { "add_risk duplicate", SVCQ_EEXIST, "r_wait", c_risk_dup },
    { "add_risk severity", SVCQ_EINVAL, "severity 9", c_risk_severity },
    { "add_risk watch", SVCQ_EINVAL, "indicator without a name", c_risk_watch },
    { "update_risk unknown", SVCQ_ENOTFOUND, "no risk point nope", c_risk_update },
    { "remove_risk unknown", SVCQ_ENOTFOUND, "no risk point nope", c_risk_remove },
    { "step index", SVCQ_ENOTFOUND, "index 5", c_step_at },
    { "step version", SVCQ_EVERSION, "table version 0", c_step_at_version },
    { "risk index", SVCQ_ENOTFOUND, "index 4", c_risk_at },
    { "export_json flags", SVCQ_EINVAL, "flags 0x8", c_json_flags },
    { "export_json writer", SVCQ_EIO, "JSON export: the writer", c_json_writer },
    { "export_markdown writer", SVCQ_EIO, "Markdown export: the writer", c_md_writer },
    { "export_mermaid writer", SVCQ_EIO, "Mermaid export: the writer", c_mermaid_writer },
    { "export_svg writer", SVCQ_EIO, "SVG export: the writer", c_svg_writer },
    { "export_svg context", SVCQ_EINVAL, "another context", c_svg_context },
    { "import parse", SVCQ_EPARSE, "line 2", c_import_parse },
    { "import stage", SVCQ_EINVAL, "steps[0] a: no service stage", c_import_stage },
    { "import risk step", SVCQ_EINVAL, "risks[0] (r): step zz", c_import_risk },
    { "save conflict", SVCQ_ECONFLICT, "saved by another writer", c_save_conflict },
    { "save history", SVCQ_ESTATE, "history", c_save_history },
    { "load missing", SVCQ_ENOTFOUND, "nothing", c_load_missing },
    { "load bad id", SVCQ_EINVAL, "a/b", c_load_bad },
    { "load_version 0", SVCQ_EINVAL, "versions start at 1", c_version_zero },
    { "load_version missing", SVCQ_ENOTFOUND, "complaints@9", c_version_missing },
    { "overlay_new range", SVCQ_ERANGE, "ends", c_overlay_range },
    { "overlay_add duplicate", SVCQ_EEXIST, "INC-1", c_overlay_dup },
    { "overlay_add state", SVCQ_EINVAL, "state 0", c_overlay_state },
    { "overlay_add stage", SVCQ_EINVAL, "INC-X: stage", c_overlay_stage },
    { "overlay_add version", SVCQ_EVERSION, "version 3", c_overlay_version },
    { "overlay_add breached", SVCQ_EINVAL, "breached is NULL", c_overlay_breached },
    { "overlay_step unknown", SVCQ_ENOTFOUND, "no step nope", c_overlay_step },
    { "overlay_step context", SVCQ_EINVAL, "another context", c_overlay_context },
    { "overlay_step version", SVCQ_EVERSION, "table version 5", c_overlay_stats_version },
    { "overlay_risk_breaches unknown", SVCQ_ENOTFOUND, "no risk point nope", c_overlay_risk },
};

static void every_case(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fx f;
        fx_make(&f);
        svcq_blueprint *b;
        assert_int_equal(svcq_blueprint_new(&b, f.ctx, "sentinel/zz", "T"), SVCQ_EINVAL);
        char sentinel[512];
        snprintf(sentinel, sizeof(sentinel), "%s", svcq_ctx_errmsg(f.ctx));
        assert_non_null(strstr(sentinel, "sentinel/zz"));
        int rc = cases[i].call(&f);
        const char *msg = svcq_ctx_errmsg(f.ctx);
        if (rc != cases[i].code)
            fail_msg("%s: returned %d (%s), expected %d; message \"%s\"", cases[i].name, rc, svcq_strerror(rc),
                     cases[i].code, msg);
        if (!msg[0] || strcmp(msg, sentinel) == 0)
            fail_msg("%s: the call left no message of its own (\"%s\")", cases[i].name, msg);
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
