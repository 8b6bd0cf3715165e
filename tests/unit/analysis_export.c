/* Analysis exports: byte for byte against the fixtures of
 * tests/data/analysis (JSON, report, Mermaid, DOT, SVG for the fishbone and
 * every 5-Why tree of the three fixture analyses), JSON round trips
 * (fixtures and a property over random analyses, checked against the
 * public getters as an oracle; the compact form against the generic JSON
 * writer), import errors with line and column, and
 * the SVG layout: label boxes recomputed from the SVG text never overlap,
 * up to 6 categories x 8 causes x 3 levels and beyond.
 *
 * SVCQ_UPDATE_FIXTURES=1 rewrites the fixtures instead of comparing (look
 * at them, render them, then commit). */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis_fixtures.h"
#include "core/buf.h"
#include "core/json.h"
#include "svcq.h"
#include "test_ctx.h"

#ifndef SVCQ_TEST_DATA
#error "SVCQ_TEST_DATA must name the tests/data directory"
#endif
#define FIXTURES SVCQ_TEST_DATA "/analysis"

typedef enum { X_JSON, X_REPORT, X_MERMAID, X_DOT, X_SVG } xkind;

static char *export(const svcq_analysis *a, xkind k, const char *anchor, size_t *len)
{
    svcq_buffer *b;
    assert_int_equal(svcq_buffer_new(&b, ctx), SVCQ_OK);
    svcq_writer w;
    assert_int_equal(svcq_writer_to_buffer(&w, b), SVCQ_OK);
    int rc;
    switch (k) {
    case X_JSON: rc = svcq_analysis_export_json(a, &w, anchor ? SVCQ_ANALYSIS_JSON_PRETTY : 0); break;
    case X_REPORT: rc = svcq_analysis_export_report(a, &w, NULL); break;
    case X_MERMAID: rc = svcq_analysis_export_mermaid(a, &w, anchor); break;
    case X_DOT: rc = svcq_analysis_export_dot(a, &w, anchor); break;
    default: rc = svcq_analysis_export_svg(a, &w, anchor); break;
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

/* The compact export is what the generic JSON writer (core/json.h) writes
 * for the same document: the record writer's hand-laid bytes (literals
 * around ids, kinds and statuses) checked against an independent writer. */
static void check_compact(const char *json, size_t len)
{
    svcq__json_doc *doc = NULL;
    if (svcq__json_parse(ctx, json, len, NULL, &doc) != SVCQ_OK)
        fail_msg("compact export does not parse: %s\n%s", svcq_ctx_errmsg(ctx), json);
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    svcq__jw w;
    svcq__jw_init_buf(&w, ctx, &b);
    assert_int_equal(svcq__jw_value(&w, svcq__json_root(doc)), SVCQ_OK);
    assert_int_equal(svcq__jw_finish(&w), SVCQ_OK);
    assert_int_equal(b.len, len);
    assert_memory_equal(b.data, json, len);
    svcq__buf_free(&b);
    svcq__json_doc_free(doc);
}

typedef int (*builder)(svcq_analysis **, svcq_ctx *);

static void fixture_exports(const char *name, builder make)
{
    svcq_analysis *a;
    if (make(&a, ctx) != SVCQ_OK)
        fail_msg("%s: %s", name, svcq_ctx_errmsg(ctx));
    char file[128];
    size_t len;
    char *s;
    static const struct {
        xkind k;
        const char *ext;
    } kinds[] = { { X_MERMAID, "mmd" }, { X_DOT, "dot" }, { X_SVG, "svg" } };
    s = export(a, X_JSON, "pretty", &len);
    snprintf(file, sizeof(file), "%s.json", name);
    compare(file, s, len);
    /* Lossless: import the fixture's text, export again, same bytes. */
    svcq_analysis *b;
    if (svcq_analysis_import_json(&b, ctx, s, len) != SVCQ_OK)
        fail_msg("import %s: %s", name, svcq_ctx_errmsg(ctx));
    char *again = export(b, X_JSON, "pretty", NULL);
    assert_string_equal(s, again);
    free(again);
    free(s);
    char *c1 = export(a, X_JSON, NULL, NULL), *c2 = export(b, X_JSON, NULL, NULL);
    assert_string_equal(c1, c2);
    check_compact(c1, strlen(c1));
    free(c1);
    free(c2);
    svcq_analysis_free(b);
    s = export(a, X_REPORT, NULL, &len);
    snprintf(file, sizeof(file), "%s.md", name);
    compare(file, s, len);
    free(s);
    for (size_t i = 0; i < 3; i++) {
        s = export(a, kinds[i].k, NULL, &len);
        snprintf(file, sizeof(file), "%s.fishbone.%s", name, kinds[i].ext);
        compare(file, s, len);
        free(s);
        for (size_t t = 0; t < svcq_analysis_why_tree_count(a); t++) {
            const char *anchor = svcq_analysis_why_tree(a, t);
            s = export(a, kinds[i].k, anchor, &len);
            snprintf(file, sizeof(file), "%s.why-%s.%s", name, anchor, kinds[i].ext);
            compare(file, s, len);
            free(s);
        }
    }
    svcq_analysis_free(a);
}

static void fixtures(void **state)
{
    (void)state;
    fixture_exports("six", af_six);
    fixture_exports("branching", af_branching);
    fixture_exports("names", af_names);
}

/* Escaping, read off the fixtures' exports rather than trusted. */
static void escaping(void **state)
{
    (void)state;
    svcq_analysis *a;
    assert_int_equal(af_names(&a, ctx), SVCQ_OK);
    char *m = export(a, X_MERMAID, NULL, NULL);
    assert_non_null(strstr(m, "ishikawa-beta\n    Customer #quot;VIP#quot; #lt;gold#gt; #amp; co. said:"));
    assert_non_null(strstr(m, "\n            #37;% not a comment\n"));
    assert_non_null(strstr(m, "\n            #105;shikawa is a word"));
    assert_non_null(strstr(m, "#35;hash #35;35; entity"));
    assert_null(strstr(m, "<"));
    free(m);
    m = export(a, X_MERMAID, "c1", NULL);
    assert_non_null(strstr(m, "w1[\"Why 1: #lt;script#gt;alert('x')#lt;/script#gt;\"]"));
    assert_non_null(strstr(m, "class w1 root"));
    free(m);
    m = export(a, X_DOT, NULL, NULL);
    assert_non_null(strstr(m, "label=\"Customer \\\"VIP\\\" <gold> & co.\\nsaid:"));
    assert_non_null(strstr(m, "C:\\\\temp\\\\logs full and"));
    free(m);
    m = export(a, X_SVG, NULL, NULL);
    assert_null(strstr(m, "<gold>"));
    assert_null(strstr(m, "<script>"));
    assert_non_null(strstr(m, "&quot;VIP&quot; &lt;gold&gt;"));
    assert_non_null(strstr(m, "&amp; co."));
    free(m);
    m = export(a, X_REPORT, NULL, NULL);
    assert_non_null(strstr(m, "Customer \"VIP\" &lt;gold&gt; &amp; co.<br>said:"));
    assert_non_null(strstr(m, "note with \\| pipe and \\*stars\\*"));
    free(m);
    svcq_analysis_free(a);
}

static void import_errors(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        int want;
        const char *what;
    } cases[] = {
        { "{\n  \"schema\": \"svcq.analysis/1\",\n  \"id\": x\n}", SVCQ_EPARSE, "line 3, column" },
        { "[]", SVCQ_ECORRUPT, "not a JSON object" },
        { "{\"schema\":\"svcq.analysis/9\"}", SVCQ_EVERSION, "analysis/9" },
        { "{\"schema\":\"svcq.analysis/1\",\"id\":\"a\",\"template\":\"6m\"}", SVCQ_ECORRUPT, "nodes" },
        { "{\"schema\":\"svcq.analysis/1\",\"id\":\"a\",\"template\":\"7m\",\"nodes\":[]}", SVCQ_ECORRUPT,
          "template \"7m\" is unknown" },
        { "{\"schema\":\"svcq.analysis/1\",\"id\":\"a\",\"template\":\"6m\",\"nodes\":[]}", SVCQ_EINVAL, "empty" },
        { "{\"schema\":\"svcq.analysis/1\",\"id\":\"a\",\"template\":\"custom\",\"nodes\":[{\"id\":\"c1\","
          "\"kind\":\"cause\",\"text\":\"x\"}]}",
          SVCQ_EINVAL, "the first node must be the effect" },
        { "{\"schema\":\"svcq.analysis/1\",\"id\":\"a\",\"template\":\"custom\",\"nodes\":[{\"id\":\"e\",\"kind\":"
          "\"effect\",\"text\":\"E\"},{\"id\":\"w1\",\"parent\":\"w2\",\"kind\":\"why\",\"text\":\"x\"},"
          "{\"id\":\"w2\",\"parent\":\"e\",\"kind\":\"why\",\"text\":\"y\"}]}",
          SVCQ_EINVAL, "nodes[1] (w1): parent \"w2\" is not an earlier node" },
        { "{\"schema\":\"svcq.analysis/1\",\"id\":\"a\",\"template\":\"custom\",\"nodes\":[{\"id\":\"e\",\"kind\":"
          "\"effect\",\"text\":\"E\"},{\"id\":\"w1\",\"parent\":\"e\",\"kind\":\"why\",\"text\":\"x\"},"
          "{\"id\":\"w1\",\"parent\":\"e\",\"kind\":\"why\",\"text\":\"y\"}]}",
          SVCQ_EINVAL, "used twice" },
        { "{\"schema\":\"svcq.analysis/1\",\"id\":\"a\",\"template\":\"custom\",\"nodes\":[{\"id\":\"e\",\"kind\":"
          "\"effect\",\"text\":\"E\"},{\"id\":\"c1\",\"parent\":\"e\",\"kind\":\"cause\",\"text\":\"x\"}]}",
          SVCQ_EINVAL, "a cause cannot go under e" },
        { "{\"schema\":\"svcq.analysis/1\",\"id\":\"a\",\"template\":\"custom\",\"nodes\":[{\"id\":\"e\",\"kind\":"
          "\"effect\",\"text\":\"E\"},{\"id\":\"w01\",\"parent\":\"e\",\"kind\":\"why\",\"text\":\"x\"}]}",
          SVCQ_EINVAL, "not an id of a why" },
        { "{\"schema\":\"svcq.analysis/1\",\"id\":\"a\",\"template\":\"custom\",\"nodes\":[{\"id\":\"e\",\"kind\":"
          "\"effect\",\"text\":\"E\"},{\"id\":\"w3\",\"parent\":\"e\",\"kind\":\"why\",\"text\":\"x\"}],"
          "\"next\":{\"w\":2}}",
          SVCQ_EINVAL, "next.w: 2 must be above w3" },
        { "{\"schema\":\"svcq.analysis/1\",\"id\":\"a\",\"template\":\"custom\",\"nodes\":[{\"id\":\"e\",\"kind\":"
          "\"effect\",\"text\":\"E\",\"status\":\"maybe\"}]}",
          SVCQ_ECORRUPT, "status \"maybe\" is unknown" },
        { "{\"schema\":\"svcq.analysis/1\",\"id\":\"a\",\"template\":\"custom\",\"nodes\":[{\"id\":\"e\",\"kind\":"
          "\"effect\",\"text\":\"E\\u0000x\"}]}",
          SVCQ_EINVAL, "NUL" },
        { "{\"schema\":\"svcq.analysis/1\",\"id\":\"a\",\"template\":\"custom\",\"nodes\":[{\"id\":\"e\",\"kind\":"
          "\"effect\",\"text\":\"E\",\"evidence\":[{\"kind\":\"photo\"}]}]}",
          SVCQ_EINVAL, "evidence[0]: evidence needs a uri or a note" },
        { "{\"schema\":\"svcq.analysis/1\",\"id\":\"a\",\"template\":\"custom\",\"why_depth\":0,\"nodes\":[]}",
          SVCQ_ERANGE, "why_depth: 0" },
        { "{\"schema\":\"svcq.analysis/1\",\"id\":\"a\",\"template\":\"custom\",\"nodes\":[{\"id\":\"e\",\"kind\":"
          "\"effect\",\"text\":7}]}",
          SVCQ_ECORRUPT, "nodes[0] (e): field \"text\"" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        svcq_analysis *a = (svcq_analysis *)1;
        int rc = svcq_analysis_import_json(&a, ctx, cases[i].json, strlen(cases[i].json));
        if (rc != cases[i].want || !strstr(svcq_ctx_errmsg(ctx), cases[i].what))
            fail_msg("case %zu: %d (%s), message \"%s\"; expected %d and \"%s\"", i, rc, svcq_strerror(rc),
                     svcq_ctx_errmsg(ctx), cases[i].want, cases[i].what);
        assert_null(a);
    }
    /* A minimal document; "next" computed when absent. */
    const char *min = "{\"schema\":\"svcq.analysis/1\",\"id\":\"a\",\"template\":\"custom\",\"nodes\":[{\"id\":\"e\","
                      "\"kind\":\"effect\",\"text\":\"E\"},{\"id\":\"w7\",\"parent\":\"e\",\"kind\":\"why\",\"text\":"
                      "\"x\"}]}";
    svcq_analysis *a;
    assert_int_equal(svcq_analysis_import_json(&a, ctx, min, strlen(min)), SVCQ_OK);
    const char *id;
    assert_int_equal(svcq_analysis_add(&id, a, "w7", SVCQ_ANALYSIS_WHY, "y"), SVCQ_OK);
    assert_string_equal(id, "w8");
    svcq_analysis_free(a);
}

/* ---- property: random analyses round-trip exactly ------------------------------ */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33) % n;
}

static void random_text(char *out, size_t size)
{
    static const char *const parts[] = { "call", "back", " ", " ", "\"q\"", "<a>", "&", "\n", "\t", "客服",
                                         "流程", "#", "%%", "\\", "é", "ß", "ok", "42", "|", "*" };
    size_t n = 0;
    out[0] = '\0';
    size_t words = 1 + rnd(8);
    for (size_t i = 0; i < words; i++) {
        const char *p = parts[rnd(sizeof(parts) / sizeof(parts[0]))];
        if (n + strlen(p) + 2 >= size)
            break;
        n += (size_t)snprintf(out + n, size - n, "%s", p);
    }
    out[n++] = 'x'; /* never blank */
    out[n] = '\0';
}

/* The oracle: every node's fields through the public getters, as text. */
static char *describe(const svcq_analysis *a)
{
    size_t cap = 1 << 16, n = 0;
    char *s = malloc(cap);
    s[0] = '\0';
#define OUT(...)                                                                                                   \
    do {                                                                                                           \
        int k_ = snprintf(s + n, cap - n, __VA_ARGS__);                                                            \
        if ((size_t)k_ >= cap - n) {                                                                               \
            cap = (cap + (size_t)k_) * 2;                                                                          \
            s = realloc(s, cap);                                                                                   \
            k_ = snprintf(s + n, cap - n, __VA_ARGS__);                                                            \
        }                                                                                                          \
        n += (size_t)k_;                                                                                           \
    } while (0)
    OUT("%s|%d|%u|%s|", svcq_analysis_id(a), (int)svcq_analysis_template_of(a), (unsigned)svcq_analysis_why_depth(a),
        svcq_analysis_incident(a) ? svcq_analysis_incident(a) : "-");
    for (size_t i = 0; i < svcq_analysis_node_count(a); i++) {
        const char *id = svcq_analysis_node_at(a, i);
        const char *p = svcq_analysis_node_parent(a, id);
        const char *o = svcq_analysis_node_owner(a, id);
        OUT("\n%s<%s k%d s%d w%d r%d o=%s t=%s", id, p ? p : "-", (int)svcq_analysis_node_kind_of(a, id),
            (int)svcq_analysis_node_status(a, id), (int)svcq_analysis_node_weight(a, id),
            (int)svcq_analysis_node_is_root_cause(a, id), o ? o : "-", svcq_analysis_node_text(a, id));
        for (size_t e = 0; e < svcq_analysis_evidence_count(a, id); e++) {
            const char *u = svcq_analysis_evidence_uri(a, id, e), *no = svcq_analysis_evidence_note(a, id, e),
                       *by = svcq_analysis_evidence_collected_by(a, id, e);
            OUT(" [%d %s %s %s %lld]", (int)svcq_analysis_evidence_kind_of(a, id, e), u ? u : "-", no ? no : "-",
                by ? by : "-", (long long)svcq_analysis_evidence_collected_at(a, id, e));
        }
    }
#undef OUT
    return s;
}

static void property_round_trip(void **state)
{
    (void)state;
    rng_state = 20260105;
    for (int iter = 0; iter < 300; iter++) {
        svcq_analysis *a;
        assert_int_equal(svcq_analysis_new(&a, ctx, "P-1", "effect", (int32_t)rnd(4)), SVCQ_OK);
        char text[96];
        int ops = 5 + (int)rnd(60);
        for (int op = 0; op < ops; op++) {
            size_t count = svcq_analysis_node_count(a);
            const char *id = svcq_analysis_node_at(a, rnd((uint32_t)count));
            const char *other = svcq_analysis_node_at(a, rnd((uint32_t)count));
            random_text(text, sizeof(text));
            int rc;
            switch (rnd(11)) {
            case 0: case 1: case 2:
                rc = svcq_analysis_add(NULL, a, id, 2 + (int32_t)rnd(3), text);
                break;
            case 3: rc = svcq_analysis_move(a, id, other, rnd(2) ? -1 : 0); break;
            case 4: rc = rnd(4) ? SVCQ_OK : svcq_analysis_remove(a, id); break;
            case 5: rc = svcq_analysis_set_status(a, id, (int32_t)rnd(3)); break;
            case 6:
                rc = svcq_analysis_add_evidence(a, id, 1 + (int32_t)rnd(6), rnd(2) ? text : NULL, text,
                                                rnd(2) ? "Li" : NULL, rnd(2) ? AF_T0 + (svcq_time)rnd(100000) : 0);
                break;
            case 7: rc = svcq_analysis_set_root_cause(a, id, (int32_t)rnd(2)); break;
            case 8: rc = svcq_analysis_set_owner(a, id, rnd(3) ? text : NULL); break;
            case 9: rc = svcq_analysis_set_weight(a, id, (int32_t)rnd(100)); break;
            default: rc = svcq_analysis_set_text(a, id, text); break;
            }
            (void)rc; /* refusals are part of the game: they change nothing */
        }
        if (rnd(2))
            assert_int_equal(svcq_analysis_set_why_depth(a, 1 + rnd(8)), SVCQ_OK);
        if (rnd(2))
            assert_int_equal(svcq_analysis_set_incident(a, "INC-9"), SVCQ_OK);
        uint32_t flags = rnd(2) ? SVCQ_ANALYSIS_JSON_PRETTY : 0;
        svcq_buffer *b1, *b2;
        svcq_writer w1, w2;
        assert_int_equal(svcq_buffer_new(&b1, ctx), SVCQ_OK);
        assert_int_equal(svcq_buffer_new(&b2, ctx), SVCQ_OK);
        assert_int_equal(svcq_writer_to_buffer(&w1, b1), SVCQ_OK);
        assert_int_equal(svcq_writer_to_buffer(&w2, b2), SVCQ_OK);
        assert_int_equal(svcq_analysis_export_json(a, &w1, flags), SVCQ_OK);
        svcq_analysis *c;
        if (svcq_analysis_import_json(&c, ctx, svcq_buffer_data(b1), svcq_buffer_size(b1)) != SVCQ_OK)
            fail_msg("iteration %d: %s\n%s", iter, svcq_ctx_errmsg(ctx), svcq_buffer_data(b1));
        assert_int_equal(svcq_analysis_export_json(c, &w2, flags), SVCQ_OK);
        assert_int_equal(svcq_buffer_size(b1), svcq_buffer_size(b2));
        assert_memory_equal(svcq_buffer_data(b1), svcq_buffer_data(b2), svcq_buffer_size(b1));
        if (!flags)
            check_compact(svcq_buffer_data(b1), svcq_buffer_size(b1));
        char *d1 = describe(a), *d2 = describe(c);
        assert_string_equal(d1, d2);
        free(d1);
        free(d2);
        /* Every picture draws. */
        svcq_buffer_clear(b2);
        assert_int_equal(svcq_analysis_export_svg(c, &w2, NULL), SVCQ_OK);
        assert_int_equal(svcq_analysis_export_report(c, &w2, NULL), SVCQ_OK);
        svcq_buffer_free(b1);
        svcq_buffer_free(b2);
        svcq_analysis_free(c);
        svcq_analysis_free(a);
    }
}

/* ---- layout: no two labels overlap ----------------------------------------------- */

typedef struct box {
    double x0, y0, x1, y1;
    int group; /* the <text> element it belongs to */
} box;

/* The test's own width estimate, em per character: generous for Latin,
 * one em for CJK (written from the font tables, not shared with the
 * library). */
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
        if (c == '&') { /* an entity is one character */
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

/* Every line of every <text>, as a box: anchor and font size from <text>,
 * x and y from each <tspan>, the width from the characters. */
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
    static const char *const words[] = { "agent", "queue", "CRM", "WWW", "mmm", "iii", "服务", "流程很慢",
                                         "call-back", "supplier", "Überstunden", "a", "configuration" };
    rng_state = 99;
    /* 6 categories x 8 causes x 3 levels, then bigger, with random label
     * lengths (up to past the line limit). */
    static const int shapes[][3] = { { 6, 8, 3 }, { 8, 8, 3 }, { 6, 8, 4 }, { 3, 2, 1 }, { 1, 1, 1 }, { 0, 0, 0 } };
    for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
        for (int rep = 0; rep < 4; rep++) {
            svcq_analysis *a;
            assert_int_equal(svcq_analysis_new(&a, ctx, "L", "Effect with a rather long description that wraps",
                                               SVCQ_ANALYSIS_CUSTOM),
                             SVCQ_OK);
            char text[400], id[32];
            for (int k = 0; k < shapes[s][0]; k++) {
                const char *kid;
                assert_int_equal(svcq_analysis_add(&kid, a, "e", SVCQ_ANALYSIS_CATEGORY, words[rnd(13)]), SVCQ_OK);
                snprintf(id, sizeof(id), "%s", kid);
                for (int c = 0; c < shapes[s][1]; c++) {
                    char parent[32];
                    snprintf(parent, sizeof(parent), "%s", id);
                    for (int l = 0; l < shapes[s][2]; l++) {
                        size_t n = 0, nw = 1 + rnd(rep == 3 ? 60 : 8);
                        for (size_t i = 0; i < nw && n + 40 < sizeof(text); i++)
                            n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s", i ? " " : "", words[rnd(13)]);
                        const char *cid;
                        assert_int_equal(svcq_analysis_add(&cid, a, parent, SVCQ_ANALYSIS_CAUSE, text), SVCQ_OK);
                        snprintf(parent, sizeof(parent), "%s", cid);
                        if (rnd(5) == 0 && l == 0) {
                            /* sometimes a sibling at level 2 too */
                            assert_int_equal(svcq_analysis_add(NULL, a, cid, SVCQ_ANALYSIS_CAUSE, "sibling"),
                                             SVCQ_OK);
                        }
                    }
                }
            }
            char *svg = export(a, X_SVG, NULL, NULL);
            char what[64];
            snprintf(what, sizeof(what), "fishbone %dx%dx%d #%d", shapes[s][0], shapes[s][1], shapes[s][2], rep);
            no_overlap(what, svg);
            free(svg);
            svcq_analysis_free(a);
        }
    }
    /* 5-Why trees: wide and deep, branching at random. */
    for (int rep = 0; rep < 6; rep++) {
        svcq_analysis *a;
        assert_int_equal(svcq_analysis_new(&a, ctx, "T", "Effect", SVCQ_ANALYSIS_CUSTOM), SVCQ_OK);
        for (int i = 0; i < 40; i++) {
            size_t count = svcq_analysis_node_count(a);
            const char *p = svcq_analysis_node_at(a, rnd((uint32_t)count));
            char text[200];
            size_t n = 0, nw = 1 + rnd(20);
            for (size_t k = 0; k < nw && n + 40 < sizeof(text); k++)
                n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s", k ? " " : "", words[rnd(13)]);
            int rc = svcq_analysis_add(NULL, a, p, SVCQ_ANALYSIS_WHY, text);
            assert_true(rc == SVCQ_OK || rc == SVCQ_EINVAL); /* under a category: refused */
        }
        char *svg = export(a, X_SVG, "e", NULL);
        no_overlap("5-Why tree", svg);
        free(svg);
        svcq_analysis_free(a);
    }
    /* The fixtures too. */
    builder makers[] = { af_six, af_branching, af_names };
    for (size_t m = 0; m < 3; m++) {
        svcq_analysis *a;
        assert_int_equal(makers[m](&a, ctx), SVCQ_OK);
        char *svg = export(a, X_SVG, NULL, NULL);
        no_overlap("fixture fishbone", svg);
        free(svg);
        for (size_t t = 0; t < svcq_analysis_why_tree_count(a); t++) {
            svg = export(a, X_SVG, svcq_analysis_why_tree(a, t), NULL);
            no_overlap("fixture 5-Why", svg);
            free(svg);
        }
        svcq_analysis_free(a);
    }
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
        cmocka_unit_test(escaping),
        cmocka_unit_test(import_errors),
        cmocka_unit_test(property_round_trip),
        cmocka_unit_test(layout),
        cmocka_unit_test(layout_checker_fails),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
