/* Blueprint exports: byte for byte against tests/data/blueprint (JSON,
 * Markdown and SVG with and without the overlay, Mermaid), JSON round
 * trips (fixtures, and random blueprints checked against the public
 * getters), import errors with their places and line/column, escaping read
 * off the exports, and the SVG layout: every label's box recomputed from
 * the SVG text lies inside the picture and meets no other label.
 *
 * SVCQ_UPDATE_FIXTURES=1 rewrites the fixtures instead of comparing (look
 * at them, render them, then commit). */
#include <stdarg.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "blueprint_fixtures.h"
#include "svcq.h"
#include "test_ctx.h"

#ifndef SVCQ_TEST_DATA
#error "SVCQ_TEST_DATA must name the tests/data directory"
#endif
#define FIXTURES SVCQ_TEST_DATA "/blueprint"

typedef enum { X_JSON, X_PRETTY, X_MD, X_MERMAID, X_SVG } xkind;

static char *export(const svcq_blueprint *bp, xkind k, const svcq_blueprint_overlay *ov, size_t *len)
{
    svcq_buffer *b;
    assert_int_equal(svcq_buffer_new(&b, ctx), SVCQ_OK);
    svcq_writer w;
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    int rc;
    switch (k) {
    case X_JSON: rc = svcq_blueprint_export_json(bp, &w, 0); break;
    case X_PRETTY: rc = svcq_blueprint_export_json(bp, &w, SVCQ_BLUEPRINT_JSON_PRETTY); break;
    case X_MD: rc = svcq_blueprint_export_markdown(bp, &w, ov); break;
    case X_MERMAID: rc = svcq_blueprint_export_mermaid(bp, &w); break;
    default: rc = svcq_blueprint_export_svg(bp, &w, ov); break;
    }
    if (rc != SVCQ_OK)
        fail_msg("export %d: %s", (int)k, svcq_ctx_errmsg(ctx));
    size_t n = svcq_buffer_size(b);
    char *s = malloc(n + 1);
    memcpy(s, svcq_buffer_data(b), n);
    s[n] = '\0';
    svcq_buffer_free(b);
    if (len)
        *len = n;
    return s;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    fclose(f);
    s[got] = '\0';
    *len = got;
    return s;
}

static void compare(const char *name, const char *got, size_t len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
    if (getenv("SVCQ_UPDATE_FIXTURES")) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(got, 1, len, f), len);
        fclose(f);
        return;
    }
    size_t n = 0;
    char *want = read_file(path, &n);
    if (!want)
        fail_msg("fixture %s is missing (SVCQ_UPDATE_FIXTURES=1 writes it)", path);
    if (n != len || memcmp(want, got, n) != 0) {
        size_t i = 0;
        while (i < n && i < len && want[i] == got[i])
            i++;
        fail_msg("%s differs from the export at byte %zu:\nfixture: %.80s\nexport:  %.80s", name, i,
                 want + (i < n ? i : n), got + i);
    }
    free(want);
}

typedef int (*builder)(svcq_blueprint **, svcq_ctx *);

static void fixture_exports(const char *name, builder make)
{
    svcq_blueprint *bp, *again;
    svcq_blueprint_overlay *ov;
    if (make(&bp, ctx) != SVCQ_OK || bf_overlay(&ov, ctx) != SVCQ_OK)
        fail_msg("%s: %s", name, svcq_ctx_errmsg(ctx));
    char file[128];
    size_t len;
    char *s = export(bp, X_PRETTY, NULL, &len);
    snprintf(file, sizeof(file), "%s.json", name);
    compare(file, s, len);
    /* Lossless: the fixture's text imports and exports to the same bytes. */
    if (svcq_blueprint_import_json(&again, ctx, s, len) != SVCQ_OK)
        fail_msg("import %s: %s", name, svcq_ctx_errmsg(ctx));
    char *s2 = export(again, X_PRETTY, NULL, NULL);
    assert_string_equal(s, s2);
    free(s2);
    free(s);
    char *c1 = export(bp, X_JSON, NULL, NULL), *c2 = export(again, X_JSON, NULL, NULL);
    assert_string_equal(c1, c2);
    free(c1);
    free(c2);
    svcq_blueprint_free(again);
    static const struct {
        xkind k;
        bool overlay;
        const char *suffix;
    } kinds[] = { { X_MD, false, "md" },           { X_MD, true, "overlay.md" }, { X_MERMAID, false, "mmd" },
                  { X_SVG, false, "svg" },         { X_SVG, true, "overlay.svg" } };
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        s = export(bp, kinds[i].k, kinds[i].overlay ? ov : NULL, &len);
        snprintf(file, sizeof(file), "%s.%s", name, kinds[i].suffix);
        compare(file, s, len);
        free(s);
    }
    svcq_blueprint_overlay_free(ov);
    svcq_blueprint_free(bp);
}

static void fixtures(void **state)
{
    (void)state;
    fixture_exports("complaints", bf_complaints);
    fixture_exports("names", bf_names);
}

/* What the exports must say, read off them rather than trusted. */
static void contents(void **state)
{
    (void)state;
    svcq_blueprint *bp;
    svcq_blueprint_overlay *ov;
    assert_int_equal(bf_complaints(&bp, ctx), SVCQ_OK);
    assert_int_equal(bf_overlay(&ov, ctx), SVCQ_OK);
    char *m = export(bp, X_MD, ov, NULL);
    assert_non_null(strstr(m, "| Complaint reported | 3 | 1 | 1 | 2 | 2 | 1 |"));
    assert_non_null(strstr(m, "| Follow-up | 2 | 1 | 1 | 3 | 0 | 0 (**unplanned risk**) |"));
    assert_non_null(strstr(m, "- Follow-up (follow\\_up): 2 incidents"));
    assert_non_null(strstr(m, "2 incidents of the period name no step of this blueprint: complaint\\_handling 1, "
                              "no stage 1.\n"));
    assert_non_null(strstr(m, "| r\\_refund | resolve | Refund later than promised | high | Escalate to the finance "
                              "manager | Finance | SLA target resolution | 1 |"));
    assert_non_null(strstr(m, "## Incidents from 2026-03-02 00:00Z to 2026-03-09 00:00Z"));
    free(m);
    m = export(bp, X_SVG, ov, NULL);
    /* follow_up's header is outlined as an unplanned risk, its note drawn;
     * report's risk marker is orange (3 incidents), resolve's yellow. */
    assert_non_null(strstr(m, ">Unplanned risk: 2</tspan>"));
    assert_non_null(strstr(m, "fill=\"#fb8c00\" stroke=\"#5d4037\""));
    assert_non_null(strstr(m, "fill=\"#fdd835\" stroke=\"#5d4037\""));
    assert_non_null(strstr(m, "line of visibility"));
    const char *wait = strstr(m, "first_response · 2</tspan>");
    assert_non_null(wait);
    assert_non_null(strstr(wait, ">breaches</tspan>"));
    free(m);
    svcq_blueprint_overlay_free(ov);
    svcq_blueprint_free(bp);

    assert_int_equal(bf_names(&bp, ctx), SVCQ_OK);
    m = export(bp, X_SVG, NULL, NULL);
    assert_null(strstr(m, "<script>"));
    assert_non_null(strstr(m, "&lt;script&gt;alert(1)&lt;/scrip"));
    assert_non_null(strstr(m, "A|B &lt;c&gt; &amp; &apos;d&apos;"));
    assert_non_null(strstr(m, "<title>&lt;Names&gt; &amp; &quot;quotes&quot; | pipes #1</title>"));
    free(m);
    m = export(bp, X_MERMAID, NULL, NULL);
    assert_null(strstr(m, "<script>"));
    assert_non_null(strstr(m, "#lt;script#gt;alert(1)#lt;/script#gt;"));
    assert_non_null(strstr(m, "---\ntitle: '<Names> & \"quotes\" | pipes #1'\n---\n"));
    assert_non_null(strstr(m, "Line one<br>line two with tab"));
    free(m);
    assert_int_equal(svcq_blueprint_set_title(bp, "It's\nok"), SVCQ_OK);
    m = export(bp, X_MERMAID, NULL, NULL);
    assert_non_null(strstr(m, "---\ntitle: 'It''s ok'\n---\n"));
    free(m);
    m = export(bp, X_MD, NULL, NULL);
    assert_non_null(strstr(m, "A\\|B &lt;c&gt; &amp; 'd'"));
    assert_non_null(strstr(m, "\\*bold\\* \\_em\\_ \\`code\\` \\[link\\](x) \\\\ back"));
    assert_non_null(strstr(m, "Line one<br>line two with tab"));
    free(m);
    svcq_blueprint_free(bp);
}

static void import_errors(void **state)
{
    (void)state;
#define HEAD "{\"schema\":\"svcq.blueprint/1\",\"service\":\"s\",\"title\":\"T\","
#define STEP(k, stage) "{\"key\":\"" k "\",\"title\":\"X\",\"stage\":\"" stage "\"}"
    static const struct {
        const char *json;
        int want;
        const char *what;
    } cases[] = {
        { "{\n  \"schema\": \"svcq.blueprint/1\",\n  \"service\": x\n}", SVCQ_EPARSE, "line 3, column" },
        { "[]", SVCQ_ECORRUPT, "not a JSON object" },
        { "{\"schema\":\"svcq.blueprint/2\"}", SVCQ_EVERSION, "blueprint/2" },
        { "{\"schema\":\"svcq.analysis/1\"}", SVCQ_ECORRUPT, "is not svcq.blueprint" },
        { HEAD "\"risks\":[]}", SVCQ_ECORRUPT, "steps" },
        { HEAD "\"steps\":[" STEP("a", "reception") "," STEP("b", "") "]}", SVCQ_EINVAL,
          "steps[1] b: no service stage" },
        { HEAD "\"steps\":[{\"key\":\"a\",\"title\":\"X\"}]}", SVCQ_EINVAL, "steps[0] a: no service stage" },
        { HEAD "\"steps\":[" STEP("a", "reception") "," STEP("a", "reception") "]}", SVCQ_EINVAL,
          "steps[1]: step key a is used twice" },
        { HEAD "\"steps\":[" STEP("a", "reception") "],\"risks\":[{\"key\":\"r\",\"step\":\"zz\",\"failure\":\"F\","
               "\"severity\":\"low\"}]}",
          SVCQ_EINVAL, "risks[0] (r): step zz is not a step of the blueprint" },
        { HEAD "\"steps\":[" STEP("a", "reception") "],\"risks\":[{\"key\":\"r\",\"step\":\"a\",\"failure\":\"F\","
               "\"severity\":\"low\"},{\"key\":\"r\",\"step\":\"a\",\"failure\":\"G\",\"severity\":\"low\"}]}",
          SVCQ_EINVAL, "risks[1]: risk key r is used twice" },
        { HEAD "\"steps\":[" STEP("a", "reception") "],\"risks\":[{\"key\":\"r\",\"step\":\"a\",\"failure\":\"F\","
               "\"severity\":\"dire\"}]}",
          SVCQ_ECORRUPT, "risks[0]: severity \"dire\" is unknown" },
        { HEAD "\"steps\":[" STEP("a", "reception") "],\"risks\":[{\"key\":\"r\",\"step\":\"a\",\"failure\":\"F\"}]}",
          SVCQ_ECORRUPT, "risks[0]: field \"severity\": missing" },
        { HEAD "\"steps\":[" STEP("a", "reception") "],\"risks\":[{\"key\":\"r\",\"step\":\"a\",\"failure\":\"F\","
               "\"severity\":\"low\",\"watch\":\"sla_target\"}]}",
          SVCQ_EINVAL, "risks[0] r: watched by an SLA target without a name" },
        { HEAD "\"steps\":[{\"key\":\"a\",\"title\":7,\"stage\":\"x\"}]}", SVCQ_ECORRUPT,
          "steps[0]: field \"title\"" },
        { HEAD "\"steps\":[{\"key\":\"a\",\"title\":\"X\\u0000y\",\"stage\":\"x\"}]}", SVCQ_ECORRUPT, "steps[0]" },
        { HEAD "\"steps\":[3]}", SVCQ_ECORRUPT, "steps[0]: expected an object" },
        { HEAD "\"version\":-1,\"steps\":[]}", SVCQ_ERANGE, "version: -1" },
        { "{\"schema\":\"svcq.blueprint/1\",\"service\":\"S S\",\"title\":\"T\",\"steps\":[]}", SVCQ_EINVAL,
          "service" },
        { "{\"schema\":\"svcq.blueprint/1\",\"service\":\"s\",\"title\":\" \",\"steps\":[]}", SVCQ_EINVAL,
          "title: empty or blank" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        svcq_blueprint *bp = (svcq_blueprint *)1;
        int rc = svcq_blueprint_import_json(&bp, ctx, cases[i].json, strlen(cases[i].json));
        if (rc != cases[i].want || !strstr(svcq_ctx_errmsg(ctx), cases[i].what))
            fail_msg("case %zu: got %s \"%s\", want %s \"%s\"", i, svcq_strerror(rc), svcq_ctx_errmsg(ctx),
                     svcq_strerror(cases[i].want), cases[i].what);
        assert_null(bp);
    }
    svcq_blueprint *bp;
    assert_int_equal(svcq_blueprint_import_json(&bp, ctx, NULL, 3), SVCQ_EINVAL);
    assert_int_equal(svcq_blueprint_import_json(NULL, ctx, "{}", 2), SVCQ_EINVAL);
    /* Unknown fields are ignored; a missing risks array is none. */
    const char *ok = HEAD "\"future\":1,\"steps\":[{\"key\":\"a\",\"title\":\"X\",\"stage\":\"x\",\"new\":2}]}";
    assert_int_equal(svcq_blueprint_import_json(&bp, ctx, ok, strlen(ok)), SVCQ_OK);
    assert_int_equal(svcq_blueprint_step_count(bp), 1);
    assert_int_equal(svcq_blueprint_risk_count(bp), 0);
    svcq_writer w = SVCQ_WRITER_INIT;
    assert_int_equal(svcq_blueprint_export_json(bp, &w, 4), SVCQ_EINVAL);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "unknown flags 0x4"));
    assert_int_equal(svcq_blueprint_export_json(bp, NULL, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_blueprint_export_svg(NULL, &w, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_blueprint_export_mermaid(bp, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_blueprint_export_markdown(bp, NULL, NULL), SVCQ_EINVAL);
    svcq_blueprint_free(bp);
#undef HEAD
#undef STEP
}

/* ---- random blueprints ---------------------------------------------------------------- */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33) % n;
}

static const char *const words[] = { "agent", "queue", "CRM", "WWW", "mmm", "iii", "服务", "流程很慢", "call-back",
                                     "supplier", "Überstunden", "a", "configuration", "<b>", "&", "\"q\"" };

static void text(char *out, size_t cap, uint32_t max_words)
{
    size_t n = 0, nw = 1 + rnd(max_words);
    out[0] = '\0';
    for (size_t i = 0; i < nw && n + 40 < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? (rnd(9) ? " " : "\n") : "", words[rnd(16)]);
}

static svcq_blueprint *random_blueprint(uint32_t steps, uint32_t risks, uint32_t max_words)
{
    svcq_blueprint *bp;
    char title[600];
    text(title, sizeof(title), max_words);
    assert_int_equal(svcq_blueprint_new(&bp, ctx, "rnd", title), SVCQ_OK);
    char t[6][600], key[16];
    for (uint32_t i = 0; i < steps; i++) {
        for (int k = 0; k < 6; k++)
            text(t[k], sizeof(t[k]), max_words);
        snprintf(key, sizeof(key), "s%u", i);
        svcq_blueprint_step_spec s = SVCQ_BLUEPRINT_STEP_SPEC_INIT;
        s.key = key;
        s.title = t[0];
        s.stage = svcq_blueprint_stage_key(rnd(4));
        s.channel = rnd(3) ? svcq_blueprint_channel_key(rnd(6)) : NULL;
        s.customer = rnd(4) ? t[1] : NULL;
        s.front = rnd(4) ? t[2] : NULL;
        s.back = rnd(4) ? t[3] : NULL;
        s.support = rnd(4) ? t[4] : NULL;
        assert_int_equal(svcq_blueprint_add_step(bp, &s, (int32_t)rnd(i + 1)), SVCQ_OK);
    }
    static const char *const targets[] = { "first_response", "resolution", "ack" };
    for (uint32_t i = 0; i < risks && steps; i++) {
        for (int k = 0; k < 3; k++)
            text(t[k], sizeof(t[k]), max_words);
        snprintf(key, sizeof(key), "r%u", i);
        char step[16];
        snprintf(step, sizeof(step), "s%u", rnd(steps));
        svcq_blueprint_risk_spec r = SVCQ_BLUEPRINT_RISK_SPEC_INIT;
        r.key = key;
        r.step = step;
        r.failure = t[0];
        r.severity = (int32_t)(1 + rnd(4));
        r.contingency = rnd(2) ? t[1] : NULL;
        r.owner = rnd(2) ? t[2] : NULL;
        r.watch = (int32_t)rnd(3);
        r.watch_name = r.watch ? targets[rnd(3)] : NULL;
        assert_int_equal(svcq_blueprint_add_risk(bp, &r), SVCQ_OK);
    }
    return bp;
}

static svcq_blueprint_overlay *random_overlay(uint32_t steps, uint32_t n)
{
    svcq_blueprint_overlay *ov;
    assert_int_equal(svcq_blueprint_overlay_new(&ov, ctx, 0, 1000), SVCQ_OK);
    static const char *const targets[] = { "first_response", "resolution", "ack" };
    for (uint32_t i = 0; i < n; i++) {
        char id[16], step[16];
        snprintf(id, sizeof(id), "I%u", i);
        snprintf(step, sizeof(step), "s%u", rnd(steps + 1));
        svcq_blueprint_observation o = SVCQ_BLUEPRINT_OBSERVATION_INIT;
        const char *br[2] = { targets[rnd(3)], targets[rnd(3)] };
        o.incident = id;
        o.step = step;
        o.state = (int32_t)(1 + rnd(2));
        o.recurrence = rnd(2);
        o.open_actions = rnd(3);
        o.breached = br;
        o.breached_count = rnd(3);
        o.at = (svcq_time)rnd(1200);
        assert_int_equal(svcq_blueprint_overlay_add(ov, &o), SVCQ_OK);
    }
    return ov;
}

/* Random blueprints: export, import, export gives the same bytes, and the
 * import answers every getter as the original does. */
static void property_round_trip(void **state)
{
    (void)state;
    rng_state = 7;
    for (int rep = 0; rep < 60; rep++) {
        svcq_blueprint *a = random_blueprint(rnd(12), rnd(20), 6), *b;
        char *x = export(a, rep % 2 ? X_PRETTY : X_JSON, NULL, NULL);
        assert_int_equal(svcq_blueprint_import_json(&b, ctx, x, strlen(x)), SVCQ_OK);
        char *y = export(b, rep % 2 ? X_PRETTY : X_JSON, NULL, NULL);
        assert_string_equal(x, y);
        assert_int_equal(svcq_blueprint_step_count(a), svcq_blueprint_step_count(b));
        assert_int_equal(svcq_blueprint_risk_count(a), svcq_blueprint_risk_count(b));
        assert_string_equal(svcq_blueprint_title(a), svcq_blueprint_title(b));
        for (size_t i = 0; i < svcq_blueprint_step_count(a); i++) {
            svcq_blueprint_step_spec p = SVCQ_BLUEPRINT_STEP_SPEC_INIT, q = SVCQ_BLUEPRINT_STEP_SPEC_INIT;
            assert_int_equal(svcq_blueprint_step(&p, a, i), SVCQ_OK);
            assert_int_equal(svcq_blueprint_step(&q, b, i), SVCQ_OK);
            const char *pa[] = { p.key, p.title, p.customer, p.front, p.back, p.support, p.channel, p.stage };
            const char *qa[] = { q.key, q.title, q.customer, q.front, q.back, q.support, q.channel, q.stage };
            for (int k = 0; k < 8; k++) {
                if (!pa[k])
                    assert_null(qa[k]);
                else
                    assert_string_equal(pa[k], qa[k]);
            }
        }
        for (size_t i = 0; i < svcq_blueprint_risk_count(a); i++) {
            svcq_blueprint_risk_spec p = SVCQ_BLUEPRINT_RISK_SPEC_INIT, q = SVCQ_BLUEPRINT_RISK_SPEC_INIT;
            assert_int_equal(svcq_blueprint_risk(&p, a, i), SVCQ_OK);
            assert_int_equal(svcq_blueprint_risk(&q, b, i), SVCQ_OK);
            assert_int_equal(p.severity, q.severity);
            assert_int_equal(p.watch, q.watch);
            const char *pa[] = { p.key, p.step, p.failure, p.contingency, p.owner, p.watch_name };
            const char *qa[] = { q.key, q.step, q.failure, q.contingency, q.owner, q.watch_name };
            for (int k = 0; k < 6; k++) {
                if (!pa[k])
                    assert_null(qa[k]);
                else
                    assert_string_equal(pa[k], qa[k]);
            }
        }
        free(x);
        free(y);
        svcq_blueprint_free(a);
        svcq_blueprint_free(b);
    }
}

/* ---- layout: no two labels overlap ------------------------------------------------------ */

typedef struct box {
    double x0, y0, x1, y1;
    int group;
} box;

/* The test's own width estimate, em per character (written from the font
 * tables, not shared with the library). */
static double em_of(uint32_t cp)
{
    if (cp == ' ')
        return 0.3;
    if (cp < 0x80) {
        if (strchr("mwMW@%", (int)cp))
            return 0.92;
        if (cp >= 'A' && cp <= 'Z')
            return 0.72;
        return 0.58;
    }
    if ((cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xff00 && cp <= 0xff60) ||
        (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0x1100 && cp <= 0x115f))
        return 1.0;
    return 0.7;
}

static double width_of(const char *s, size_t n, double fs)
{
    double w = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp;
        size_t k;
        if (c == '&') {
            const char *semi = memchr(s + i, ';', n - i);
            assert_non_null(semi);
            cp = s[i + 1] == 'a' && s[i + 2] == 'm' ? '&' : s[i + 1] == 'l' ? '<' : s[i + 1] == 'g' ? '>' : '"';
            k = (size_t)(semi - (s + i)) + 1;
        } else if (c < 0x80) {
            cp = c, k = 1;
        } else if (c < 0xe0) {
            cp = ((c & 0x1fu) << 6) | (s[i + 1] & 0x3fu), k = 2;
        } else if (c < 0xf0) {
            cp = ((c & 0x0fu) << 12) | ((s[i + 1] & 0x3fu) << 6) | (s[i + 2] & 0x3fu), k = 3;
        } else {
            cp = 0x20000, k = 4;
        }
        w += em_of(cp) * fs;
        i += k;
    }
    return w;
}

static double attr(const char *tag, const char *end, const char *name)
{
    char key[32];
    snprintf(key, sizeof(key), " %s=\"", name);
    const char *p = strstr(tag, key);
    if (!p || p > end)
        fail_msg("no %s in %.60s", name, tag);
    return strtod(p + strlen(key), NULL);
}

static size_t text_boxes(const char *svg, box **out, double *w, double *h)
{
    *w = attr(svg, svg + strlen(svg), "width");
    *h = attr(svg, svg + strlen(svg), "height");
    size_t n = 0, cap = 64;
    box *b = malloc(cap * sizeof(*b));
    int group = 0;
    for (const char *t = strstr(svg, "<text "); t; t = strstr(t + 1, "<text ")) {
        const char *gt = strchr(t, '>');
        double fs = attr(t, gt, "font-size");
        const char *anchor = strstr(t, "text-anchor=\"") + 13;
        const char *end = strstr(t, "</text>");
        group++;
        for (const char *sp = strstr(t, "<tspan "); sp && sp < end; sp = strstr(sp + 1, "<tspan ")) {
            const char *sgt = strchr(sp, '>');
            double x = attr(sp, sgt, "x"), y = attr(sp, sgt, "y");
            const char *close = strstr(sgt, "</tspan>");
            double tw = width_of(sgt + 1, (size_t)(close - sgt - 1), fs);
            double x0 = strncmp(anchor, "end", 3) == 0 ? x - tw : strncmp(anchor, "middle", 6) == 0 ? x - tw / 2 : x;
            if (n == cap)
                b = realloc(b, (cap *= 2) * sizeof(*b));
            b[n++] = (box){ x0, y - fs, x0 + tw, y + 0.25 * fs, group };
        }
    }
    *out = b;
    return n;
}

static void no_overlap(const char *what, const char *svg)
{
    box *b;
    double w, h;
    size_t n = text_boxes(svg, &b, &w, &h);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        if (b[i].x0 < 0 || b[i].y0 < 0 || b[i].x1 > w || b[i].y1 > h)
            fail_msg("%s: label %zu (%.1f,%.1f)-(%.1f,%.1f) outside the %.0fx%.0f picture", what, i, b[i].x0,
                     b[i].y0, b[i].x1, b[i].y1, w, h);
        for (size_t j = i + 1; j < n; j++) {
            if (b[i].group == b[j].group)
                continue;
            const double e = 0.05;
            if (b[i].x0 < b[j].x1 - e && b[j].x0 < b[i].x1 - e && b[i].y0 < b[j].y1 - e && b[j].y0 < b[i].y1 - e)
                fail_msg("%s: labels overlap: (%.1f,%.1f)-(%.1f,%.1f) and (%.1f,%.1f)-(%.1f,%.1f)", what, b[i].x0,
                         b[i].y0, b[i].x1, b[i].y1, b[j].x0, b[j].y0, b[j].x1, b[j].y1);
        }
    }
    free(b);
}

static void layout(void **state)
{
    (void)state;
    rng_state = 99;
    static const uint32_t shapes[][3] = { { 5, 4, 6 }, { 12, 30, 8 }, { 1, 6, 60 }, { 0, 0, 3 }, { 20, 40, 30 } };
    for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
        for (int rep = 0; rep < 4; rep++) {
            svcq_blueprint *bp = random_blueprint(shapes[s][0], shapes[s][1], shapes[s][2]);
            svcq_blueprint_overlay *ov = random_overlay(shapes[s][0], 30 * rep);
            char what[64];
            snprintf(what, sizeof(what), "blueprint %ux%ux%u #%d", shapes[s][0], shapes[s][1], shapes[s][2], rep);
            char *svg = export(bp, X_SVG, NULL, NULL);
            no_overlap(what, svg);
            free(svg);
            svg = export(bp, X_SVG, ov, NULL);
            no_overlap(what, svg);
            free(svg);
            svcq_blueprint_overlay_free(ov);
            svcq_blueprint_free(bp);
        }
    }
    builder makers[] = { bf_complaints, bf_names };
    svcq_blueprint_overlay *ov;
    assert_int_equal(bf_overlay(&ov, ctx), SVCQ_OK);
    for (size_t m = 0; m < 2; m++) {
        svcq_blueprint *bp;
        assert_int_equal(makers[m](&bp, ctx), SVCQ_OK);
        char *svg = export(bp, X_SVG, NULL, NULL);
        no_overlap("fixture", svg);
        free(svg);
        svg = export(bp, X_SVG, ov, NULL);
        no_overlap("fixture with overlay", svg);
        free(svg);
        svcq_blueprint_free(bp);
    }
    svcq_blueprint_overlay_free(ov);
}

/* The checker itself must catch an overlap. */
static void layout_checker_fails(void **state)
{
    (void)state;
    const char *bad = "<svg width=\"100\" height=\"100\"><text font-size=\"12\" text-anchor=\"start\">"
                      "<tspan x=\"10\" y=\"20\">hello</tspan></text><text font-size=\"12\" text-anchor=\"end\">"
                      "<tspan x=\"40\" y=\"25\">world</tspan></text></svg>";
    box *b;
    double w, h;
    size_t n = text_boxes(bad, &b, &w, &h);
    assert_int_equal(n, 2);
    assert_true(b[0].x0 < b[1].x1 && b[1].x0 < b[0].x1 && b[0].y0 < b[1].y1 && b[1].y0 < b[0].y1);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixtures),
        cmocka_unit_test(contents),
        cmocka_unit_test(import_errors),
        cmocka_unit_test(property_round_trip),
        cmocka_unit_test(layout),
        cmocka_unit_test(layout_checker_fails),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
