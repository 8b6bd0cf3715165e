/* The JSON codec: every RFC 8259 rule accepted and refused, error
 * positions, limits, duplicate keys, accessors and record getters, the
 * writer's escaping, pretty mode, misuse and sinks, locale independence,
 * and a round-trip property over thousands of random documents. */
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/json.h"
#include "core/utf8.h"
#include "svcq.h"
#include "test_alloc.h"

typedef struct fx {
    test_alloc alloc;
    svcq_ctx *ctx;
} fx;

static int fx_setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    test_alloc_init(&f->alloc);
    f->ctx = test_ctx_new(&f->alloc);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    fx *f = *state;
    svcq_ctx_free(f->ctx);
    assert_int_equal(f->alloc.live_blocks, 0);
    free(f);
    return 0;
}

static svcq__json_doc *parse_ok_n(svcq_ctx *ctx, const char *s, size_t n)
{
    svcq__json_doc *doc = NULL;
    int rc = svcq__json_parse(ctx, s, n, NULL, &doc);
    if (rc != SVCQ_OK)
        fail_msg("parse of [%.*s] failed: %d %s", (int)n, s, rc, svcq_ctx_errmsg(ctx));
    assert_non_null(doc);
    return doc;
}

static svcq__json_doc *parse_ok(svcq_ctx *ctx, const char *s)
{
    return parse_ok_n(ctx, s, strlen(s));
}

/* Compact text of a node, malloc'd. */
static char *write_compact(svcq_ctx *ctx, const svcq__json *v, bool pretty)
{
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    svcq__jw w;
    svcq__jw_init_buf(&w, ctx, &b);
    assert_int_equal(svcq__jw_set_pretty(&w, pretty), SVCQ_OK);
    svcq__jw_value(&w, v);
    int rc = svcq__jw_finish(&w);
    if (rc)
        fail_msg("write failed: %d %s", rc, svcq_ctx_errmsg(ctx));
    char *out = malloc(b.len + 1);
    memcpy(out, b.data, b.len + 1);
    svcq__buf_free(&b);
    return out;
}

/* ---- accepted texts -------------------------------------------------- */

typedef struct yes_case {
    const char *in;
    const char *out; /* compact re-serialisation; NULL = same as in */
} yes_case;

static const yes_case yes[] = {
    { "null", NULL },
    { "true", NULL },
    { "false", NULL },
    { "0", NULL },
    { "-0", "0" },
    { "-0.0", NULL },
    { "0.0", NULL },
    { "1", NULL },
    { "-1", NULL },
    { "123", NULL },
    { "1.5", NULL },
    { "-1.5e3", "-1500.0" },
    { "1E2", "100.0" },
    { "1e+2", "100.0" },
    { "1e-2", "0.01" },
    { "1.0e0", "1.0" },
    { "0e0", "0.0" },
    { "0.1", NULL },
    { "1e-400", "0.0" },
    { "-1e-400", "-0.0" },
    { "1e23", NULL },
    { "9223372036854775807", NULL },
    { "-9223372036854775808", NULL },
    { "9223372036854775808", "9223372036854776000.0" },
    { "-9223372036854775809", "-9223372036854776000.0" },
    { "18446744073709551616", "18446744073709552000.0" },
    { "1.7976931348623157e308", NULL },
    { "5e-324", NULL },
    { "4.9406564584124654e-324", "5e-324" },
    { "2.2250738585072014e-308", NULL },
    { "0.000001", NULL },
    { "1e-7", NULL },
    { "1e21", NULL },
    { "100000000000000000000.0", NULL },
    { "\"\"", NULL },
    { "\"abc\"", NULL },
    { "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\\"\\\\/\\b\\f\\n\\r\\t\"" },
    { "\"\\u0041\\u00e9\\u4E2D\"", "\"A\xc3\xa9\xe4\xb8\xad\"" },
    { "\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\"" },
    { "\"\\uD834\\uDD1E\"", "\"\xf0\x9d\x84\x9e\"" },
    { "\"\xf0\x9f\x98\x80 \xe2\x82\xac \xc3\xa9 \x7f\"", NULL },
    { "\"\\u2028\\u2029\"", NULL },
    { "\"\xe2\x80\xa8\"", "\"\\u2028\"" },
    { "\"\\u001f\\u0001\"", NULL },
    { "\"\xef\xbf\xbf\xf4\x8f\xbf\xbf\"", NULL }, /* U+FFFF and U+10FFFF */
    { "\"\xef\xbb\xbf\"", NULL },                 /* a BOM inside a string is a character */
    { "[]", NULL },
    { "{}", NULL },
    { "[[]]", NULL },
    { "[1,[2,[3]],{}]", NULL },
    { "{\"a\":{\"b\":{\"c\":[]}}}", NULL },
    { " \t\r\n[ 1 , 2 ]\n\t\r ", "[1,2]" },
    { "{ \"a\" : 1 , \"b\" : [ ] }", "{\"a\":1,\"b\":[]}" },
    { "{\"\":0}", NULL },
    { "{\"a\":1,\"A\":2}", NULL },
    { "{\"k\\u0000\":1,\"k\":2}", NULL },
};

static void accepts(void **state)
{
    fx *f = *state;
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        svcq__json_doc *doc = parse_ok(f->ctx, yes[i].in);
        char *out = write_compact(f->ctx, svcq__json_root(doc), false);
        const char *want = yes[i].out ? yes[i].out : yes[i].in;
        if (strcmp(out, want) != 0)
            fail_msg("case %zu [%s]: wrote [%s], want [%s]", i, yes[i].in, out, want);
        free(out);
        svcq__json_doc_free(doc);
    }
}

/* ---- refused texts, with where --------------------------------------- */

typedef struct no_case {
    const char *in;
    size_t len; /* 0 = strlen */
    int code;
    int line, col;
} no_case;

static const no_case no[] = {
    { "", 0, SVCQ_EPARSE, 1, 1 },
    { "   ", 0, SVCQ_EPARSE, 1, 4 },
    { "\n\n", 0, SVCQ_EPARSE, 3, 1 },
    /* literals */
    { "nul", 0, SVCQ_EPARSE, 1, 1 },
    { "True", 0, SVCQ_EPARSE, 1, 1 },
    { "NULL", 0, SVCQ_EPARSE, 1, 1 },
    { "truex", 0, SVCQ_EPARSE, 1, 5 },
    { "NaN", 0, SVCQ_EPARSE, 1, 1 },
    { "Infinity", 0, SVCQ_EPARSE, 1, 1 },
    { "-Infinity", 0, SVCQ_EPARSE, 1, 2 },
    { "undefined", 0, SVCQ_EPARSE, 1, 1 },
    /* numbers */
    { "01", 0, SVCQ_EPARSE, 1, 1 },
    { "-01", 0, SVCQ_EPARSE, 1, 2 },
    { "00", 0, SVCQ_EPARSE, 1, 1 },
    { "+1", 0, SVCQ_EPARSE, 1, 1 },
    { ".5", 0, SVCQ_EPARSE, 1, 1 },
    { "5.", 0, SVCQ_EPARSE, 1, 3 },
    { "5.e3", 0, SVCQ_EPARSE, 1, 3 },
    { "1e", 0, SVCQ_EPARSE, 1, 3 },
    { "1e+", 0, SVCQ_EPARSE, 1, 4 },
    { "1E-x", 0, SVCQ_EPARSE, 1, 4 },
    { "-", 0, SVCQ_EPARSE, 1, 2 },
    { "- 1", 0, SVCQ_EPARSE, 1, 2 },
    { "0x10", 0, SVCQ_EPARSE, 1, 2 },
    { "1_000", 0, SVCQ_EPARSE, 1, 2 },
    { "1,5", 0, SVCQ_EPARSE, 1, 2 },
    { "1E400", 0, SVCQ_ERANGE, 1, 1 },
    { "[-1e309]", 0, SVCQ_ERANGE, 1, 2 },
    { "1.7976931348623159e308", 0, SVCQ_ERANGE, 1, 1 },
    { "\xef\xbc\x91", 0, SVCQ_EPARSE, 1, 1 }, /* fullwidth digit one */
    /* strings */
    { "\"abc", 0, SVCQ_EPARSE, 1, 1 },
    { "\"abc\\\"", 0, SVCQ_EPARSE, 1, 1 },
    { "\"\\", 0, SVCQ_EPARSE, 1, 1 },
    { "'a'", 0, SVCQ_EPARSE, 1, 1 },
    { "\"a\tb\"", 0, SVCQ_EPARSE, 1, 3 },
    { "\"a\nb\"", 0, SVCQ_EPARSE, 1, 3 },
    { "\"a\0b\"", 5, SVCQ_EPARSE, 1, 3 },
    { "\"\x1f\"", 0, SVCQ_EPARSE, 1, 2 },
    { "\"\\x41\"", 0, SVCQ_EPARSE, 1, 2 },
    { "\"\\a\"", 0, SVCQ_EPARSE, 1, 2 },
    { "\"\\'\"", 0, SVCQ_EPARSE, 1, 2 },
    { "\"\\U0041\"", 0, SVCQ_EPARSE, 1, 2 },
    { "\"\\u41\"", 0, SVCQ_EPARSE, 1, 2 },
    { "\"\\u004G\"", 0, SVCQ_EPARSE, 1, 2 },
    { "\"\\ud800\"", 0, SVCQ_EPARSE, 1, 2 },
    { "\"x\\uDBFF\\u0041\"", 0, SVCQ_EPARSE, 1, 3 },
    { "\"\\ud800\\ud800\"", 0, SVCQ_EPARSE, 1, 2 },
    { "\"\\udc00\"", 0, SVCQ_EPARSE, 1, 2 },
    { "\"\\udfff\\ud800\"", 0, SVCQ_EPARSE, 1, 2 },
    { "\"\\ud800\\n\"", 0, SVCQ_EPARSE, 1, 2 },
    { "\"\\ud800\\u\"", 0, SVCQ_EPARSE, 1, 2 },
    /* invalid UTF-8 */
    { "\"\x80\"", 0, SVCQ_EPARSE, 1, 2 },
    { "\"\xc3\"", 0, SVCQ_EPARSE, 1, 2 },
    { "\"\xc3\x28\"", 0, SVCQ_EPARSE, 1, 2 },
    { "\"\xc0\x80\"", 0, SVCQ_EPARSE, 1, 2 },      /* overlong NUL */
    { "\"\xe0\x80\xaf\"", 0, SVCQ_EPARSE, 1, 2 },  /* overlong '/' */
    { "\"\xed\xa0\x80\"", 0, SVCQ_EPARSE, 1, 2 },  /* encoded surrogate */
    { "\"\xf4\x90\x80\x80\"", 0, SVCQ_EPARSE, 1, 2 }, /* above U+10FFFF */
    { "\"\xf8\x88\x80\x80\x80\"", 0, SVCQ_EPARSE, 1, 2 },
    { "\"\xff\"", 0, SVCQ_EPARSE, 1, 2 },
    { "\"ab\xe2\x82\"", 0, SVCQ_EPARSE, 1, 4 },
    { "\xff", 0, SVCQ_EPARSE, 1, 1 },
    /* byte order mark, refused */
    { "\xef\xbb\xbf{}", 0, SVCQ_EPARSE, 1, 1 },
    /* whitespace: only space, tab, LF and CR */
    { "\f1", 0, SVCQ_EPARSE, 1, 1 },
    { "\v1", 0, SVCQ_EPARSE, 1, 1 },
    { "[1,\xc2\xa0" "2]", 0, SVCQ_EPARSE, 1, 4 }, /* NO-BREAK SPACE */
    { "1\0", 2, SVCQ_EPARSE, 1, 2 },
    /* structure */
    { "[", 0, SVCQ_EPARSE, 1, 2 },
    { "[1", 0, SVCQ_EPARSE, 1, 3 },
    { "[1,", 0, SVCQ_EPARSE, 1, 4 },
    { "[1,]", 0, SVCQ_EPARSE, 1, 4 },
    { "[,1]", 0, SVCQ_EPARSE, 1, 2 },
    { "[1 2]", 0, SVCQ_EPARSE, 1, 4 },
    { "[1;2]", 0, SVCQ_EPARSE, 1, 3 },
    { "]", 0, SVCQ_EPARSE, 1, 1 },
    { "[}", 0, SVCQ_EPARSE, 1, 2 },
    { "[1}", 0, SVCQ_EPARSE, 1, 3 },
    { "{", 0, SVCQ_EPARSE, 1, 2 },
    { "{\"a\"", 0, SVCQ_EPARSE, 1, 5 },
    { "{\"a\" 1}", 0, SVCQ_EPARSE, 1, 6 },
    { "{\"a\":}", 0, SVCQ_EPARSE, 1, 6 },
    { "{\"a\":1,}", 0, SVCQ_EPARSE, 1, 8 },
    { "{\"a\":1 \"b\":2}", 0, SVCQ_EPARSE, 1, 8 },
    { "{a:1}", 0, SVCQ_EPARSE, 1, 2 },
    { "{1:1}", 0, SVCQ_EPARSE, 1, 2 },
    { "{\"a\"=1}", 0, SVCQ_EPARSE, 1, 5 },
    { "{\"a\":1]", 0, SVCQ_EPARSE, 1, 7 },
    { "{,}", 0, SVCQ_EPARSE, 1, 2 },
    /* exactly one value */
    { "1 2", 0, SVCQ_EPARSE, 1, 3 },
    { "[] []", 0, SVCQ_EPARSE, 1, 4 },
    { "{}x", 0, SVCQ_EPARSE, 1, 3 },
    { "\"a\"\"b\"", 0, SVCQ_EPARSE, 1, 4 },
    /* comments */
    { "[1]//c", 0, SVCQ_EPARSE, 1, 4 },
    { "/*c*/[1]", 0, SVCQ_EPARSE, 1, 1 },
    { "[1,/*c*/2]", 0, SVCQ_EPARSE, 1, 4 },
    /* duplicates: the position is the second key */
    { "{\"a\":1,\"a\":2}", 0, SVCQ_EPARSE, 1, 8 },
    { "{\"a\":1,\"\\u0061\":2}", 0, SVCQ_EPARSE, 1, 8 },
    { "{\"x\":{\"a\":[],\n  \"a\":{}}}", 0, SVCQ_EPARSE, 2, 3 },
    /* lines and columns (bytes) */
    { "[\n  1,\n  tru\n]", 0, SVCQ_EPARSE, 3, 3 },
    { "\r\n\r\n  x", 0, SVCQ_EPARSE, 3, 3 },
    { "\"\xc3\xa9\" x", 0, SVCQ_EPARSE, 1, 6 },
    { "{\"\xe4\xb8\xad\":\n\"\xe4\xb8\xad\xe4\xb8\xad\" ,}", 0, SVCQ_EPARSE, 2, 11 },
};

static void check_error(svcq_ctx *ctx, const char *in, size_t len, int code, int line, int col)
{
    svcq__json_doc *doc = (svcq__json_doc *)0x1;
    int rc = svcq__json_parse(ctx, in, len, NULL, &doc);
    if (rc != code)
        fail_msg("[%.*s]: got %d (%s), want %d", (int)len, in, rc, svcq_ctx_errmsg(ctx), code);
    assert_null(doc);
    char want[64];
    snprintf(want, sizeof(want), "line %d, column %d: ", line, col);
    if (strncmp(svcq_ctx_errmsg(ctx), want, strlen(want)) != 0)
        fail_msg("[%.*s]: message [%s], want prefix [%s]", (int)len, in, svcq_ctx_errmsg(ctx), want);
    assert_true(svcq__utf8_valid(svcq_ctx_errmsg(ctx), strlen(svcq_ctx_errmsg(ctx))));
}

static void refuses(void **state)
{
    fx *f = *state;
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        size_t len = no[i].len ? no[i].len : strlen(no[i].in);
        check_error(f->ctx, no[i].in, len, no[i].code, no[i].line, no[i].col);
    }
}

static void messages_say_what(void **state)
{
    fx *f = *state;
    svcq__json_doc *doc;
    assert_int_equal(svcq__json_parse(f->ctx, "[1,]", 4, NULL, &doc), SVCQ_EPARSE);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), "line 1, column 4: trailing comma before ']'");
    assert_int_equal(svcq__json_parse(f->ctx, "{\"id\":1,\"id\":2}", 15, NULL, &doc), SVCQ_EPARSE);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), "line 1, column 9: duplicate key \"id\"");
    assert_int_equal(svcq__json_parse(f->ctx, "01", 2, NULL, &doc), SVCQ_EPARSE);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), "line 1, column 1: leading zero in a number");
    assert_int_equal(svcq__json_parse(f->ctx, "\"\\ud800\"", 8, NULL, &doc), SVCQ_EPARSE);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), "line 1, column 2: lone high surrogate \\uD800");
    assert_int_equal(svcq__json_parse(f->ctx, "1e999", 5, NULL, &doc), SVCQ_ERANGE);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), "line 1, column 1: number 1e999 is too large for a double");
    assert_int_equal(svcq__json_parse(f->ctx, "", 0, NULL, &doc), SVCQ_EPARSE);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), "line 1, column 1: unexpected end of input, expected a value");
}

static void bad_arguments(void **state)
{
    fx *f = *state;
    svcq__json_doc *doc = (svcq__json_doc *)0x1;
    assert_int_equal(svcq__json_parse(NULL, "1", 1, NULL, &doc), SVCQ_EINVAL);
    assert_null(doc);
    assert_int_equal(svcq__json_parse(f->ctx, "1", 1, NULL, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq__json_parse(f->ctx, NULL, 1, NULL, &doc), SVCQ_EINVAL);
    assert_int_equal(svcq__json_parse(f->ctx, NULL, 0, NULL, &doc), SVCQ_EPARSE);
    svcq__json_doc_free(NULL);
    assert_null(svcq__json_root(NULL));
    /* The text need not be NUL-terminated: only len bytes are read. */
    char buf[3] = { '4', '2', '7' };
    doc = parse_ok_n(f->ctx, buf, 2);
    int64_t i = 0;
    assert_true(svcq__json_as_int(svcq__json_root(doc), &i));
    assert_int_equal(i, 42);
    svcq__json_doc_free(doc);
}

/* ---- numbers --------------------------------------------------------- */

static double parse_double(svcq_ctx *ctx, const char *s)
{
    svcq__json_doc *doc = parse_ok(ctx, s);
    const svcq__json *r = svcq__json_root(doc);
    assert_int_equal(svcq__json_typeof(r), SVCQ__JSON_DOUBLE);
    double d = 0;
    assert_true(svcq__json_as_double(r, &d));
    svcq__json_doc_free(doc);
    return d;
}

static double parse_long_double(svcq_ctx *ctx, const char *s)
{
    svcq__json_limits lim = { 0 };
    lim.max_number = 4096;
    svcq__json_doc *doc = NULL;
    assert_int_equal(svcq__json_parse(ctx, s, strlen(s), &lim, &doc), SVCQ_OK);
    double d = 0;
    assert_int_equal(svcq__json_typeof(svcq__json_root(doc)), SVCQ__JSON_DOUBLE);
    assert_true(svcq__json_as_double(svcq__json_root(doc), &d));
    svcq__json_doc_free(doc);
    return d;
}

static void same_bits(double a, double b)
{
    if (memcmp(&a, &b, sizeof(a)) != 0)
        fail_msg("%.17g != %.17g", a, b);
}

static void numbers(void **state)
{
    fx *f = *state;
    struct {
        const char *in;
        int64_t want;
    } ints[] = {
        { "0", 0 }, { "-0", 0 }, { "7", 7 }, { "-7", -7 },
        { "9223372036854775807", INT64_MAX }, { "-9223372036854775808", INT64_MIN },
        { "9007199254740993", INT64_C(9007199254740993) },
        { "1000000000000000000", INT64_C(1000000000000000000) },
    };
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        svcq__json_doc *doc = parse_ok(f->ctx, ints[i].in);
        int64_t v = 1;
        assert_int_equal(svcq__json_typeof(svcq__json_root(doc)), SVCQ__JSON_INT);
        assert_true(svcq__json_as_int(svcq__json_root(doc), &v));
        assert_true(v == ints[i].want);
        svcq__json_doc_free(doc);
    }
    same_bits(parse_double(f->ctx, "-0.0"), -0.0);
    same_bits(parse_double(f->ctx, "-0e5"), -0.0);
    same_bits(parse_double(f->ctx, "0.0"), 0.0);
    same_bits(parse_double(f->ctx, "1e-400"), 0.0);
    same_bits(parse_double(f->ctx, "-1e-400"), -0.0);
    same_bits(parse_double(f->ctx, "0e99999999999999999999"), 0.0);
    same_bits(parse_double(f->ctx, "9223372036854775808"), 9223372036854775808.0);
    same_bits(parse_double(f->ctx, "-9223372036854775809"), -9223372036854775808.0);
    same_bits(parse_double(f->ctx, "0.1"), 0.1);
    same_bits(parse_double(f->ctx, "1.7976931348623157e308"), DBL_MAX);
    same_bits(parse_double(f->ctx, "2.2250738585072014e-308"), DBL_MIN);
    same_bits(parse_double(f->ctx, "4.9406564584124654e-324"), 4.9406564584124654e-324);
    same_bits(parse_double(f->ctx, "2.4703282292062327e-324"), 0.0);      /* just below half the minimum */
    same_bits(parse_double(f->ctx, "2.4703282292062328e-324"), 4.9406564584124654e-324);
    same_bits(parse_double(f->ctx, "1e308"), 1e308);
    same_bits(parse_double(f->ctx, "123456789012345678901234567890"), 123456789012345678901234567890.0);
    same_bits(parse_double(f->ctx, "0.000000000000000000000000000000000000001"), 1e-39);
    same_bits(parse_double(f->ctx, "100e-2"), 1.0);
    /* Halfway cases: ties to even, and a far digit breaking the tie. */
    same_bits(parse_double(f->ctx, "9007199254740993.0"), 9007199254740992.0);
    same_bits(parse_double(f->ctx, "9007199254740995.0"), 9007199254740996.0);
    char buf[1200];
    snprintf(buf, sizeof(buf), "9007199254740993.%0900d1", 0);
    same_bits(parse_long_double(f->ctx, buf), 9007199254740994.0);
    snprintf(buf, sizeof(buf), "9007199254740993.%0900d", 0);
    same_bits(parse_long_double(f->ctx, buf), 9007199254740992.0);
    snprintf(buf, sizeof(buf), "9007199254740993%0900d1e-901", 0);
    same_bits(parse_long_double(f->ctx, buf), 9007199254740994.0);
    /* The exact decimal expansion of a halfway point between two
     * subnormals has hundreds of digits: a long literal still rounds right. */
    snprintf(buf, sizeof(buf), "0.%0323d%s", 0,
             "7411237596535048024466110771053292813456010521963616604416069306545300862158706406012680210"
             "5148658547695447658838050015893047124981719099006779217548302669405524349519424467021963766"
             "4218749999999999999999999999999999999999999999999999999999999999999");
    double below = strtod(buf, NULL);
    same_bits(parse_long_double(f->ctx, buf), below);

    /* Overflow is an error, not infinity. */
    check_error(f->ctx, "1e309", 5, SVCQ_ERANGE, 1, 1);
    check_error(f->ctx, "-1e309", 6, SVCQ_ERANGE, 1, 1);
    snprintf(buf, sizeof(buf), "1%0400d", 0);
    check_error(f->ctx, buf, strlen(buf), SVCQ_ERANGE, 1, 1);
    check_error(f->ctx, "1e99999999999999999999999", 25, SVCQ_ERANGE, 1, 1);
}

/* Doubles written and read back give the same bits, in the shortest form. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static void doubles_round_trip(void **state)
{
    fx *f = *state;
    rng_state = 12345;
    for (int i = 0; i < 4000; i++) {
        double d;
        uint64_t bits = rnd();
        if (i % 4 == 1)
            bits &= 0x800FFFFFFFFFFFFFull; /* subnormals */
        else if (i % 4 == 2)
            bits = (bits & 0x800FFFFFFFFFFFFFull) | ((uint64_t)(1023 + (int)(rnd() % 120) - 60) << 52);
        memcpy(&d, &bits, sizeof(d));
        if (!isfinite(d))
            continue;
        char out[32];
        size_t n = svcq__json_format_double(d, out);
        assert_true(n > 0 && n < 26);
        assert_int_equal(strlen(out), n);
        svcq__json_doc *doc = parse_ok_n(f->ctx, out, n);
        assert_int_equal(svcq__json_typeof(svcq__json_root(doc)), SVCQ__JSON_DOUBLE);
        double back = 0;
        assert_true(svcq__json_as_double(svcq__json_root(doc), &back));
        same_bits(back, d);
        svcq__json_doc_free(doc);
        /* The C library agrees (this test runs in the C locale). */
        same_bits(strtod(out, NULL), d);
        /* Shortest: no %.*e with fewer significant digits reads back. */
        char sig[40];
        size_t ns = 0;
        for (const char *p = out; *p && *p != 'e'; p++)
            if (*p >= '0' && *p <= '9' && (ns || *p != '0'))
                sig[ns++] = *p;
        while (ns > 1 && sig[ns - 1] == '0')
            ns--;
        size_t digits = ns ? ns : 1;
        for (size_t prec = 1; prec < digits; prec++) {
            char alt[64];
            snprintf(alt, sizeof(alt), "%.*e", (int)prec - 1, d);
            if (strtod(alt, NULL) == d)
                fail_msg("%s is not shortest: %s reads back too", out, alt);
        }
    }
    char out[32];
    assert_int_equal(svcq__json_format_double(NAN, out), 0);
    assert_int_equal(svcq__json_format_double(INFINITY, out), 0);
    assert_int_equal(svcq__json_format_double(-INFINITY, out), 0);
    struct {
        double d;
        const char *s;
    } known[] = {
        { 0.0, "0.0" }, { -0.0, "-0.0" }, { 1.0, "1.0" }, { -1.0, "-1.0" }, { 0.1, "0.1" },
        { 1e23, "1e23" }, { 1e21, "1e21" }, { 1e20, "100000000000000000000.0" }, { 1.5e-7, "1.5e-7" },
        { 0.000001, "0.000001" }, { 123.456, "123.456" }, { DBL_MAX, "1.7976931348623157e308" },
        { 5e-324, "5e-324" }, { 0.30000000000000004, "0.30000000000000004" }, { 2.5, "2.5" },
        { 9007199254740993.0, "9007199254740992.0" }, { 1e-5, "0.00001" }, { 123e18, "123000000000000000000.0" },
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        svcq__json_format_double(known[i].d, out);
        assert_string_equal(out, known[i].s);
    }
}

/* ---- strings --------------------------------------------------------- */

static void strings(void **state)
{
    fx *f = *state;
    svcq__json_doc *doc = parse_ok(f->ctx, "\"a\\u0000b\\ud83d\\ude00\\\"\"");
    size_t len = 0;
    const char *s = svcq__json_as_string(svcq__json_root(doc), &len);
    assert_int_equal(len, 8);
    assert_memory_equal(s, "a\0b\xf0\x9f\x98\x80\"", 9); /* NUL-terminated too */
    assert_non_null(svcq__json_as_string(svcq__json_root(doc), NULL));
    svcq__json_doc_free(doc);

    /* Every escape of every BMP scalar reads back as its UTF-8. */
    char in[16], want[4];
    for (uint32_t cp = 1; cp < 0x10000; cp += (cp < 0x800 ? 1 : 7)) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        snprintf(in, sizeof(in), "\"\\u%04X\"", (unsigned)cp);
        doc = parse_ok(f->ctx, in);
        s = svcq__json_as_string(svcq__json_root(doc), &len);
        size_t n = svcq__utf8_encode(cp, want);
        assert_int_equal(len, n);
        assert_memory_equal(s, want, n);
        svcq__json_doc_free(doc);
    }
    /* Surrogate pairs: every high surrogate with a few lows. */
    for (uint32_t hi = 0xD800; hi <= 0xDBFF; hi++) {
        uint32_t lo = 0xDC00 + (hi * 7) % 0x400;
        snprintf(in, sizeof(in), "\"\\u%04x\\u%04x\"", (unsigned)hi, (unsigned)lo);
        doc = parse_ok(f->ctx, in);
        s = svcq__json_as_string(svcq__json_root(doc), &len);
        uint32_t cp = 0;
        assert_int_equal(len, 4);
        assert_int_equal(svcq__utf8_decode((const unsigned char *)s, len, &cp), 4);
        assert_int_equal(cp, 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
        svcq__json_doc_free(doc);
    }
    /* Control characters: each refused raw, accepted escaped. */
    for (int c = 0; c < 0x20; c++) {
        char raw[3] = { '"', (char)c, '"' };
        check_error(f->ctx, raw, 3, SVCQ_EPARSE, 1, 2);
        snprintf(in, sizeof(in), "\"\\u%04x\"", c);
        doc = parse_ok(f->ctx, in);
        s = svcq__json_as_string(svcq__json_root(doc), &len);
        assert_int_equal(len, 1);
        assert_int_equal((unsigned char)s[0], c);
        svcq__json_doc_free(doc);
    }
}

/* ---- nesting and limits ---------------------------------------------- */

static void nesting_and_limits(void **state)
{
    fx *f = *state;
    char buf[600];
    /* 64 levels by default, 65 is too deep. */
    memset(buf, '[', 64);
    memset(buf + 64, ']', 64);
    svcq__json_doc *doc = parse_ok_n(f->ctx, buf, 128);
    svcq__json_doc_free(doc);
    memset(buf, '[', 65);
    memset(buf + 65, ']', 65);
    check_error(f->ctx, buf, 130, SVCQ_ELIMIT, 1, 65);
    /* Mixed objects count too. */
    size_t n = 0;
    for (int i = 0; i < 65; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "{\"k\":");
    buf[n++] = '1';
    memset(buf + n, '}', 65);
    check_error(f->ctx, buf, n + 65, SVCQ_ELIMIT, 1, 5 * 64 + 1);

    svcq__json_limits lim = { 0 };
    lim.max_depth = 2;
    assert_int_equal(svcq__json_parse(f->ctx, "[[1]]", 5, &lim, &doc), SVCQ_OK);
    svcq__json_doc_free(doc);
    assert_int_equal(svcq__json_parse(f->ctx, "[[[1]]]", 7, &lim, &doc), SVCQ_ELIMIT);
    assert_null(doc);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), "line 1, column 3: nesting deeper than the limit of 2");
    /* A deep document with a raised limit: no recursion in the parser. */
    lim.max_depth = 100000;
    size_t deep = 100000;
    char *big = malloc(2 * deep);
    memset(big, '[', deep);
    memset(big + deep, ']', deep);
    assert_int_equal(svcq__json_parse(f->ctx, big, 2 * deep, &lim, &doc), SVCQ_OK);
    const svcq__json *v = svcq__json_root(doc);
    for (size_t i = 1; i < deep; i++)
        v = svcq__json_array_get(v, 0);
    assert_int_equal(svcq__json_typeof(v), SVCQ__JSON_ARRAY);
    assert_int_equal(svcq__json_array_size(v), 0);
    svcq__json_doc_free(doc);
    free(big);

    /* Total size. */
    memset(&lim, 0, sizeof(lim));
    lim.max_size = 5;
    assert_int_equal(svcq__json_parse(f->ctx, "12345", 5, &lim, &doc), SVCQ_OK);
    svcq__json_doc_free(doc);
    assert_int_equal(svcq__json_parse(f->ctx, "123456", 6, &lim, &doc), SVCQ_ELIMIT);
    assert_null(doc);

    /* String length counts unescaped bytes. */
    memset(&lim, 0, sizeof(lim));
    lim.max_string = 4;
    assert_int_equal(svcq__json_parse(f->ctx, "\"abcd\"", 6, &lim, &doc), SVCQ_OK);
    svcq__json_doc_free(doc);
    assert_int_equal(svcq__json_parse(f->ctx, "\"\\u0041\\u0042\\u0043\\u0044\"", 26, &lim, &doc), SVCQ_OK);
    svcq__json_doc_free(doc);
    assert_int_equal(svcq__json_parse(f->ctx, "\"\xf0\x9f\x98\x80\"", 6, &lim, &doc), SVCQ_OK);
    svcq__json_doc_free(doc);
    assert_int_equal(svcq__json_parse(f->ctx, "\"abcde\"", 7, &lim, &doc), SVCQ_ELIMIT);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), "line 1, column 1: string of 5 bytes exceeds the limit of 4");
    assert_int_equal(svcq__json_parse(f->ctx, "[\"abcde\"]", 9, &lim, &doc), SVCQ_ELIMIT);
    assert_int_equal(svcq__json_parse(f->ctx, "{\"abcde\":1}", 11, &lim, &doc), SVCQ_ELIMIT);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), "line 1, column 2: string of 5 bytes exceeds the limit of 4");

    /* Number literal length. */
    memset(&lim, 0, sizeof(lim));
    lim.max_number = 4;
    assert_int_equal(svcq__json_parse(f->ctx, "-1.5", 4, &lim, &doc), SVCQ_OK);
    svcq__json_doc_free(doc);
    assert_int_equal(svcq__json_parse(f->ctx, "[12345]", 7, &lim, &doc), SVCQ_ELIMIT);
    assert_string_equal(svcq_ctx_errmsg(f->ctx),
                        "line 1, column 2: number literal of 5 bytes exceeds the limit of 4");
    /* Default: 512 bytes. */
    memset(buf, '1', 513);
    buf[0] = '0';
    buf[1] = '.';
    assert_int_equal(svcq__json_parse(f->ctx, buf, 512, NULL, &doc), SVCQ_OK);
    svcq__json_doc_free(doc);
    assert_int_equal(svcq__json_parse(f->ctx, buf, 513, NULL, &doc), SVCQ_ELIMIT);
}

/* ---- duplicates and lookups ------------------------------------------ */

static void objects(void **state)
{
    fx *f = *state;
    /* A large object (hash-indexed) and a small one (scanned). */
    for (int size = 1; size <= 300; size += (size < 20 ? 1 : 37)) {
        char *text = malloc(64 * (size_t)size + 16);
        size_t n = 0;
        text[n++] = '{';
        for (int i = 0; i < size; i++)
            n += (size_t)sprintf(text + n, "%s\"key%d\":%d", i ? "," : "", (i * 7919) % size, i);
        text[n++] = '}';
        svcq__json_doc *doc = parse_ok_n(f->ctx, text, n);
        const svcq__json *o = svcq__json_root(doc);
        assert_int_equal(svcq__json_object_size(o), size);
        for (int i = 0; i < size; i++) {
            char key[16];
            snprintf(key, sizeof(key), "key%d", (i * 7919) % size);
            int64_t v = -1;
            assert_true(svcq__json_as_int(svcq__json_get(o, key), &v));
            assert_int_equal(v, i);
            const char *k = NULL;
            size_t kl = 0;
            const svcq__json *m = svcq__json_object_member(o, (size_t)i, &k, &kl);
            assert_ptr_equal(m, svcq__json_get(o, key));
            assert_int_equal(kl, strlen(key));
            assert_string_equal(k, key);
        }
        assert_null(svcq__json_get(o, "key"));
        assert_null(svcq__json_get(o, "nope"));
        assert_null(svcq__json_getn(o, "key1", 3));
        assert_null(svcq__json_object_member(o, (size_t)size, NULL, NULL));
        svcq__json_doc_free(doc);
        /* The same object with its last key repeated is refused. */
        {
            n--;
            n += (size_t)sprintf(text + n, ",\"key%d\":0}", 0);
            svcq__json_doc *bad = NULL;
            assert_int_equal(svcq__json_parse(f->ctx, text, n, NULL, &bad), SVCQ_EPARSE);
            assert_null(bad);
            assert_non_null(strstr(svcq_ctx_errmsg(f->ctx), "duplicate key \"key0\""));
        }
        free(text);
    }
    /* Keys with NULs are compared by length. */
    svcq__json_doc *doc = parse_ok(f->ctx, "{\"a\\u0000b\":1,\"a\":2,\"a\\u0000\":3}");
    int64_t v = 0;
    assert_true(svcq__json_as_int(svcq__json_getn(svcq__json_root(doc), "a\0b", 3), &v));
    assert_int_equal(v, 1);
    assert_true(svcq__json_as_int(svcq__json_get(svcq__json_root(doc), "a"), &v));
    assert_int_equal(v, 2);
    assert_true(svcq__json_as_int(svcq__json_getn(svcq__json_root(doc), "a\0", 2), &v));
    assert_int_equal(v, 3);
    assert_null(svcq__json_get(svcq__json_root(doc), NULL));
    svcq__json_doc_free(doc);
    check_error(f->ctx, "{\"a\\u0000\":1,\"a\\u0000\":2}", 25, SVCQ_EPARSE, 1, 14);
    /* A long duplicate key is cut (on a character boundary) in the message. */
    char text[600];
    char key[200];
    for (int i = 0; i < 100; i++)
        memcpy(key + 2 * i, "\xc3\xa9", 2);
    key[199] = '\0';
    snprintf(text, sizeof(text), "{\"%.*s\":1,\"%.*s\":2}", 198, key, 198, key);
    check_error(f->ctx, text, strlen(text), SVCQ_EPARSE, 1, 205);
}

static void accessors(void **state)
{
    fx *f = *state;
    svcq__json_doc *doc = parse_ok(f->ctx, "[null,true,false,-5,2.5,\"s\",[1],{\"k\":1},1e3,1.5e300]");
    const svcq__json *a = svcq__json_root(doc);
    assert_int_equal(svcq__json_typeof(a), SVCQ__JSON_ARRAY);
    assert_int_equal(svcq__json_array_size(a), 10);
    svcq__json_type types[] = { SVCQ__JSON_NULL, SVCQ__JSON_TRUE, SVCQ__JSON_FALSE, SVCQ__JSON_INT, SVCQ__JSON_DOUBLE,
                             SVCQ__JSON_STRING, SVCQ__JSON_ARRAY, SVCQ__JSON_OBJECT, SVCQ__JSON_DOUBLE, SVCQ__JSON_DOUBLE };
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(svcq__json_typeof(svcq__json_array_get(a, i)), types[i]);
    assert_null(svcq__json_array_get(a, 10));
    assert_int_equal(svcq__json_typeof(NULL), SVCQ__JSON_NULL);
    bool b = false;
    int64_t i = 0;
    double d = 0;
    size_t len = 99;
    assert_true(svcq__json_as_bool(svcq__json_array_get(a, 1), &b));
    assert_true(b);
    assert_true(svcq__json_as_bool(svcq__json_array_get(a, 2), &b));
    assert_false(b);
    assert_false(svcq__json_as_bool(svcq__json_array_get(a, 0), &b));
    assert_false(svcq__json_as_bool(NULL, &b));
    assert_true(svcq__json_as_int(svcq__json_array_get(a, 3), &i));
    assert_int_equal(i, -5);
    assert_true(svcq__json_as_double(svcq__json_array_get(a, 3), &d));
    assert_true(d == -5.0);
    assert_false(svcq__json_as_int(svcq__json_array_get(a, 4), &i)); /* 2.5 */
    assert_true(svcq__json_as_int(svcq__json_array_get(a, 8), &i));  /* 1e3 */
    assert_int_equal(i, 1000);
    assert_false(svcq__json_as_int(svcq__json_array_get(a, 9), &i)); /* 1.5e300 */
    assert_false(svcq__json_as_int(svcq__json_array_get(a, 5), &i));
    assert_false(svcq__json_as_int(NULL, &i));
    assert_false(svcq__json_as_double(svcq__json_array_get(a, 5), &d));
    assert_false(svcq__json_as_double(NULL, &d));
    assert_null(svcq__json_as_string(svcq__json_array_get(a, 3), &len));
    assert_int_equal(len, 99);
    assert_int_equal(svcq__json_array_size(svcq__json_array_get(a, 7)), 0);
    assert_int_equal(svcq__json_object_size(a), 0);
    assert_null(svcq__json_get(a, "k"));
    assert_null(svcq__json_object_member(a, 0, NULL, NULL));
    assert_null(svcq__json_array_get(NULL, 0));
    assert_string_equal(svcq__json_type_name(SVCQ__JSON_INT), "an integer");
    assert_string_equal(svcq__json_type_name(SVCQ__JSON_TRUE), "a boolean");
    assert_string_equal(svcq__json_type_name((svcq__json_type)42), "an unknown type");
    svcq__json_doc_free(doc);
    /* int64 edges through doubles. */
    doc = parse_ok(f->ctx, "[-9223372036854775808.0, 9223372036854775808.0, -9223372036854777856.0]");
    assert_true(svcq__json_as_int(svcq__json_array_get(svcq__json_root(doc), 0), &i));
    assert_true(i == INT64_MIN);
    assert_false(svcq__json_as_int(svcq__json_array_get(svcq__json_root(doc), 1), &i));
    assert_false(svcq__json_as_int(svcq__json_array_get(svcq__json_root(doc), 2), &i));
    svcq__json_doc_free(doc);
}

static void equality(void **state)
{
    fx *f = *state;
    const char *pairs[][2] = {
        { "{\"a\":1,\"b\":[1,2]}", "{\"b\":[1,2],\"a\":1}" },
        { "0.5", "5e-1" },
        { "\"\\u00e9\"", "\"\xc3\xa9\"" },
        { "[]", "[ ]" },
    };
    const char *differ[][2] = {
        { "1", "1.0" }, { "0.0", "-0.0" }, { "[1,2]", "[2,1]" }, { "{\"a\":1}", "{\"a\":1,\"b\":2}" },
        { "{\"a\":1}", "{\"b\":1}" }, { "\"a\"", "\"a\\u0000\"" }, { "true", "false" }, { "null", "false" },
        { "{\"a\":[1]}", "{\"a\":[1.0]}" }, { "[1]", "[1,2]" }, { "\"ab\"", "\"ac\"" }, { "2", "3" },
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        svcq__json_doc *a = parse_ok(f->ctx, pairs[i][0]), *b = parse_ok(f->ctx, pairs[i][1]);
        assert_true(svcq__json_equal(svcq__json_root(a), svcq__json_root(b)));
        svcq__json_doc_free(a);
        svcq__json_doc_free(b);
    }
    for (size_t i = 0; i < sizeof(differ) / sizeof(differ[0]); i++) {
        svcq__json_doc *a = parse_ok(f->ctx, differ[i][0]), *b = parse_ok(f->ctx, differ[i][1]);
        assert_false(svcq__json_equal(svcq__json_root(a), svcq__json_root(b)));
        assert_false(svcq__json_equal(svcq__json_root(b), svcq__json_root(a)));
        assert_false(svcq__json_equal(svcq__json_root(a), NULL));
        svcq__json_doc_free(a);
        svcq__json_doc_free(b);
    }
    assert_true(svcq__json_equal(NULL, NULL));
}

/* ---- record getters -------------------------------------------------- */

static void getters(void **state)
{
    fx *f = *state;
    svcq__json_doc *doc = parse_ok(f->ctx,
                                "{\"schema\":\"svcq.incident/1\",\"id\":42,\"score\":87.5,\"open\":true,"
                                "\"none\":null,\"tags\":[\"a\"],\"sub\":{\"x\":1},\"nul\":\"a\\u0000b\","
                                "\"frac\":1.5,\"huge\":1e300,\"round\":3.0}");
    const svcq__json *r = svcq__json_root(doc);
    int64_t i = -1;
    double d = -1;
    bool b = false;
    const char *s = NULL;
    size_t len = 0;
    const svcq__json *node = NULL;

    assert_int_equal(svcq__json_get_int(f->ctx, r, "id", true, &i), SVCQ_OK);
    assert_int_equal(i, 42);
    assert_int_equal(svcq__json_get_int(f->ctx, r, "round", true, &i), SVCQ_OK);
    assert_int_equal(i, 3);
    assert_int_equal(svcq__json_get_double(f->ctx, r, "score", true, &d), SVCQ_OK);
    assert_true(d == 87.5);
    assert_int_equal(svcq__json_get_double(f->ctx, r, "id", true, &d), SVCQ_OK);
    assert_true(d == 42.0);
    assert_int_equal(svcq__json_get_bool(f->ctx, r, "open", true, &b), SVCQ_OK);
    assert_true(b);
    assert_int_equal(svcq__json_get_string(f->ctx, r, "schema", true, &s, NULL), SVCQ_OK);
    assert_string_equal(s, "svcq.incident/1");
    assert_int_equal(svcq__json_get_string(f->ctx, r, "nul", true, &s, &len), SVCQ_OK);
    assert_int_equal(len, 3);
    assert_int_equal(svcq__json_get_array(f->ctx, r, "tags", true, &node), SVCQ_OK);
    assert_int_equal(svcq__json_array_size(node), 1);
    assert_int_equal(svcq__json_get_object(f->ctx, r, "sub", true, &node), SVCQ_OK);
    assert_int_equal(svcq__json_object_size(node), 1);

    /* Optional and absent (or null): OK, outputs untouched. */
    i = 7;
    assert_int_equal(svcq__json_get_int(f->ctx, r, "missing", false, &i), SVCQ_OK);
    assert_int_equal(svcq__json_get_int(f->ctx, r, "none", false, &i), SVCQ_OK);
    assert_int_equal(i, 7);
    s = "default";
    assert_int_equal(svcq__json_get_string(f->ctx, r, "missing", false, &s, NULL), SVCQ_OK);
    assert_string_equal(s, "default");
    node = NULL;
    assert_int_equal(svcq__json_get_object(f->ctx, r, "none", false, &node), SVCQ_OK);
    assert_null(node);
    d = 1.25;
    assert_int_equal(svcq__json_get_double(f->ctx, r, "missing", false, &d), SVCQ_OK);
    assert_true(d == 1.25);
    b = false;
    assert_int_equal(svcq__json_get_bool(f->ctx, r, "missing", false, &b), SVCQ_OK);
    assert_false(b);
    assert_int_equal(svcq__json_get_array(f->ctx, r, "missing", false, &node), SVCQ_OK);
    assert_null(node);

    /* Errors, each naming the field. */
    struct {
        int rc;
        const char *msg;
    } errs[] = {
        { svcq__json_get_int(f->ctx, r, "missing", true, &i), "field \"missing\": missing" },
        { svcq__json_get_int(f->ctx, r, "none", true, &i), "field \"none\": missing" },
        { svcq__json_get_int(f->ctx, r, "schema", true, &i), "field \"schema\": expected an integer, found a string" },
        { svcq__json_get_int(f->ctx, r, "frac", false, &i),
          "field \"frac\": expected an integer, found a number with a fraction" },
        { svcq__json_get_int(f->ctx, r, "huge", false, &i),
          "field \"huge\": expected an integer, found a number out of range" },
        { svcq__json_get_double(f->ctx, r, "open", true, &d), "field \"open\": expected a number, found a boolean" },
        { svcq__json_get_bool(f->ctx, r, "id", true, &b), "field \"id\": expected a boolean, found an integer" },
        { svcq__json_get_string(f->ctx, r, "tags", true, &s, NULL),
          "field \"tags\": expected a string, found an array" },
        { svcq__json_get_string(f->ctx, r, "nul", true, &s, NULL), "field \"nul\": string contains a NUL character" },
        { svcq__json_get_array(f->ctx, r, "sub", true, &node), "field \"sub\": expected an array, found an object" },
        { svcq__json_get_object(f->ctx, r, "tags", true, &node), "field \"tags\": expected an object, found an array" },
        { svcq__json_get_object(f->ctx, r, "score", true, &node), "field \"score\": expected an object, found a number" },
        { svcq__json_get_int(f->ctx, svcq__json_get(r, "tags"), "id", false, &i),
          "field \"id\": expected an object holding it, found an array" },
        { svcq__json_get_int(f->ctx, NULL, "id", false, &i), "field \"id\": expected an object holding it, found null" },
    };
    for (size_t k = 0; k < sizeof(errs) / sizeof(errs[0]); k++) {
        assert_int_equal(errs[k].rc, SVCQ_ECORRUPT);
    }
    /* Messages: re-run each to read its message right after. */
    assert_int_equal(svcq__json_get_int(f->ctx, r, "missing", true, &i), SVCQ_ECORRUPT);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), errs[0].msg);
    assert_int_equal(svcq__json_get_int(f->ctx, r, "schema", true, &i), SVCQ_ECORRUPT);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), errs[2].msg);
    assert_int_equal(svcq__json_get_int(f->ctx, r, "frac", false, &i), SVCQ_ECORRUPT);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), errs[3].msg);
    assert_int_equal(svcq__json_get_int(f->ctx, r, "huge", false, &i), SVCQ_ECORRUPT);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), errs[4].msg);
    assert_int_equal(svcq__json_get_double(f->ctx, r, "open", true, &d), SVCQ_ECORRUPT);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), errs[5].msg);
    assert_int_equal(svcq__json_get_bool(f->ctx, r, "id", true, &b), SVCQ_ECORRUPT);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), errs[6].msg);
    assert_int_equal(svcq__json_get_string(f->ctx, r, "tags", true, &s, NULL), SVCQ_ECORRUPT);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), errs[7].msg);
    assert_int_equal(svcq__json_get_string(f->ctx, r, "nul", true, &s, NULL), SVCQ_ECORRUPT);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), errs[8].msg);
    assert_int_equal(svcq__json_get_array(f->ctx, r, "sub", true, &node), SVCQ_ECORRUPT);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), errs[9].msg);
    assert_int_equal(svcq__json_get_object(f->ctx, r, "score", true, &node), SVCQ_ECORRUPT);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), errs[11].msg);
    assert_int_equal(svcq__json_get_int(f->ctx, NULL, "id", false, &i), SVCQ_ECORRUPT);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), errs[13].msg);
    /* Failed getters leave outputs alone. */
    assert_int_equal(i, 7);
    assert_false(b);
    svcq__json_doc_free(doc);
}

/* ---- writer ---------------------------------------------------------- */

typedef struct wfx {
    svcq__buf buf;
    svcq__jw w;
} wfx;

static void w_start(wfx *x, svcq_ctx *ctx)
{
    svcq__buf_init(&x->buf, ctx);
    svcq__jw_init_buf(&x->w, ctx, &x->buf);
}

static void w_expect(wfx *x, const char *want)
{
    assert_int_equal(svcq__jw_finish(&x->w), SVCQ_OK);
    assert_string_equal(x->buf.data, want);
    svcq__buf_free(&x->buf);
}

static void writer_escaping(void **state)
{
    fx *f = *state;
    wfx x;
    w_start(&x, f->ctx);
    static const char lit[] = "q\" b\\ s/ \b\f\n\r\t \x01\x1f\x7f \0 \xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xa7 \xc3\xa9 "
                              "\xf0\x9f\x98\x80";
    svcq__jw_stringn(&x.w, lit, sizeof(lit) - 1);
    w_expect(&x, "\"q\\\" b\\\\ s/ \\b\\f\\n\\r\\t \\u0001\\u001f\x7f \\u0000 \\u2028\\u2029\xe2\x80\xa7 \xc3\xa9 "
                 "\xf0\x9f\x98\x80\"");
    /* Every control character, escaped and read back. */
    for (int c = 0; c < 0x20; c++) {
        char s[1] = { (char)c };
        w_start(&x, f->ctx);
        svcq__jw_stringn(&x.w, s, 1);
        assert_int_equal(svcq__jw_finish(&x.w), SVCQ_OK);
        assert_int_equal(x.buf.data[1], '\\');
        for (size_t i = 0; i < x.buf.len; i++)
            assert_true((unsigned char)x.buf.data[i] >= 0x20);
        svcq__json_doc *doc = parse_ok_n(f->ctx, x.buf.data, x.buf.len);
        size_t len;
        const char *back = svcq__json_as_string(svcq__json_root(doc), &len);
        assert_int_equal(len, 1);
        assert_int_equal(back[0], c);
        svcq__json_doc_free(doc);
        svcq__buf_free(&x.buf);
    }
    /* Keys are escaped the same way. */
    w_start(&x, f->ctx);
    svcq__jw_object_begin(&x.w);
    svcq__jw_keyn(&x.w, "a\"\n\0", 4);
    svcq__jw_int(&x.w, 1);
    svcq__jw_key(&x.w, "");
    svcq__jw_stringn(&x.w, NULL, 0);
    svcq__jw_object_end(&x.w);
    w_expect(&x, "{\"a\\\"\\n\\u0000\":1,\"\":\"\"}");
}

static void writer_values(void **state)
{
    fx *f = *state;
    wfx x;
    w_start(&x, f->ctx);
    svcq__jw_array_begin(&x.w);
    svcq__jw_int(&x.w, 0);
    svcq__jw_int(&x.w, INT64_MIN);
    svcq__jw_int(&x.w, INT64_MAX);
    svcq__jw_int(&x.w, -1);
    svcq__jw_double(&x.w, 0.5);
    svcq__jw_double(&x.w, -0.0);
    svcq__jw_double(&x.w, 3.0);
    svcq__jw_bool(&x.w, true);
    svcq__jw_bool(&x.w, false);
    svcq__jw_null(&x.w);
    svcq__jw_string(&x.w, "s");
    svcq__jw_array_begin(&x.w);
    svcq__jw_array_end(&x.w);
    svcq__jw_object_begin(&x.w);
    svcq__jw_object_end(&x.w);
    svcq__jw_array_end(&x.w);
    w_expect(&x, "[0,-9223372036854775808,9223372036854775807,-1,0.5,-0.0,3.0,true,false,null,\"s\",[],{}]");
    /* A scalar alone is a document. */
    w_start(&x, f->ctx);
    svcq__jw_string(&x.w, "only");
    w_expect(&x, "\"only\"");
    /* The buffer's earlier content is kept. */
    svcq__buf_init(&x.buf, f->ctx);
    assert_int_equal(svcq__buf_puts(&x.buf, "prefix:"), SVCQ_OK);
    svcq__jw_init_buf(&x.w, f->ctx, &x.buf);
    svcq__jw_int(&x.w, 5);
    w_expect(&x, "prefix:5");
}

static void writer_pretty(void **state)
{
    fx *f = *state;
    wfx x;
    w_start(&x, f->ctx);
    assert_int_equal(svcq__jw_set_pretty(&x.w, true), SVCQ_OK);
    svcq__jw_object_begin(&x.w);
    svcq__jw_key(&x.w, "schema");
    svcq__jw_string(&x.w, "svcq.incident/1");
    svcq__jw_key(&x.w, "tags");
    svcq__jw_array_begin(&x.w);
    svcq__jw_int(&x.w, 1);
    svcq__jw_object_begin(&x.w);
    svcq__jw_key(&x.w, "k");
    svcq__jw_null(&x.w);
    svcq__jw_object_end(&x.w);
    svcq__jw_array_end(&x.w);
    svcq__jw_key(&x.w, "empty");
    svcq__jw_array_begin(&x.w);
    svcq__jw_array_end(&x.w);
    svcq__jw_key(&x.w, "e");
    svcq__jw_object_begin(&x.w);
    svcq__jw_object_end(&x.w);
    svcq__jw_object_end(&x.w);
    w_expect(&x, "{\n"
                 "  \"schema\": \"svcq.incident/1\",\n"
                 "  \"tags\": [\n"
                 "    1,\n"
                 "    {\n"
                 "      \"k\": null\n"
                 "    }\n"
                 "  ],\n"
                 "  \"empty\": [],\n"
                 "  \"e\": {}\n"
                 "}\n");
    w_start(&x, f->ctx);
    svcq__jw_set_pretty(&x.w, true);
    svcq__jw_int(&x.w, 1);
    w_expect(&x, "1\n");
    /* Deep indentation (past the 32-space run used for it). */
    w_start(&x, f->ctx);
    svcq__jw_set_pretty(&x.w, true);
    for (int i = 0; i < 40; i++)
        svcq__jw_array_begin(&x.w);
    for (int i = 0; i < 40; i++)
        svcq__jw_array_end(&x.w);
    assert_int_equal(svcq__jw_finish(&x.w), SVCQ_OK);
    char deepest[100];
    deepest[0] = '\n';
    memset(deepest + 1, ' ', 78);
    memcpy(deepest + 79, "[]\n", 4);
    deepest[83] = '\0';
    assert_non_null(strstr(x.buf.data, deepest));
    svcq__json_doc *doc = parse_ok_n(f->ctx, x.buf.data, x.buf.len);
    svcq__json_doc_free(doc);
    svcq__buf_free(&x.buf);
}

typedef void (*misuse_fn)(svcq__jw *w);
static void m_two_values(svcq__jw *w) { svcq__jw_int(w, 1); svcq__jw_int(w, 2); }
static void m_value_for_key(svcq__jw *w) { svcq__jw_object_begin(w); svcq__jw_int(w, 1); }
static void m_key_outside(svcq__jw *w) { svcq__jw_key(w, "k"); }
static void m_key_in_array(svcq__jw *w) { svcq__jw_array_begin(w); svcq__jw_key(w, "k"); }
static void m_two_keys(svcq__jw *w) { svcq__jw_object_begin(w); svcq__jw_key(w, "a"); svcq__jw_key(w, "b"); }
static void m_end_after_key(svcq__jw *w) { svcq__jw_object_begin(w); svcq__jw_key(w, "a"); svcq__jw_object_end(w); }
static void m_wrong_end(svcq__jw *w) { svcq__jw_object_begin(w); svcq__jw_array_end(w); }
static void m_wrong_end2(svcq__jw *w) { svcq__jw_array_begin(w); svcq__jw_object_end(w); }
static void m_end_nothing(svcq__jw *w) { svcq__jw_array_end(w); }
static void m_unclosed(svcq__jw *w) { svcq__jw_array_begin(w); svcq__jw_int(w, 1); }
static void m_nothing(svcq__jw *w) { (void)w; }
static void m_bad_utf8(svcq__jw *w) { svcq__jw_string(w, "a\xc3("); }
static void m_bad_utf8_key(svcq__jw *w) { svcq__jw_object_begin(w); svcq__jw_keyn(w, "\xed\xa0\x80", 3); }
static void m_surrogate(svcq__jw *w) { svcq__jw_stringn(w, "\xed\xb0\x80", 3); }
static void m_null_string(svcq__jw *w) { svcq__jw_string(w, NULL); }
static void m_null_stringn(svcq__jw *w) { svcq__jw_stringn(w, NULL, 2); }
static void m_null_key(svcq__jw *w) { svcq__jw_object_begin(w); svcq__jw_key(w, NULL); }
static void m_null_keyn(svcq__jw *w) { svcq__jw_object_begin(w); svcq__jw_keyn(w, NULL, 1); }
static void m_nan(svcq__jw *w) { svcq__jw_array_begin(w); svcq__jw_double(w, NAN); }
static void m_inf(svcq__jw *w) { svcq__jw_double(w, -INFINITY); }
static void m_pretty_late(svcq__jw *w) { svcq__jw_array_begin(w); svcq__jw_set_pretty(w, true); }
static void m_value_null(svcq__jw *w) { svcq__jw_value(w, NULL); }
static void m_after_done_array(svcq__jw *w) { svcq__jw_array_begin(w); svcq__jw_array_end(w); svcq__jw_array_begin(w); }

static void writer_misuse(void **state)
{
    fx *f = *state;
    misuse_fn fns[] = { m_two_values, m_value_for_key, m_key_outside, m_key_in_array, m_two_keys,
                        m_end_after_key, m_wrong_end, m_wrong_end2, m_end_nothing, m_unclosed, m_nothing,
                        m_bad_utf8, m_bad_utf8_key, m_surrogate, m_null_string, m_null_stringn, m_null_key,
                        m_null_keyn, m_nan, m_inf, m_pretty_late, m_value_null, m_after_done_array };
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        svcq__buf b;
        svcq__buf_init(&b, f->ctx);
        assert_int_equal(svcq__buf_puts(&b, "keep"), SVCQ_OK);
        svcq__jw w;
        svcq__jw_init_buf(&w, f->ctx, &b);
        fns[i](&w);
        /* Sticky: later calls do nothing and report the same error. */
        int first = w.err;
        if (first) {
            assert_int_equal(first, SVCQ_EINVAL);
            assert_int_equal(svcq__jw_int(&w, 1), first);
            assert_int_equal(svcq__jw_null(&w), first);
            assert_int_equal(svcq__jw_object_begin(&w), first);
            assert_int_equal(svcq__jw_key(&w, "k"), first);
        }
        if (svcq__jw_finish(&w) != SVCQ_EINVAL)
            fail_msg("misuse case %zu: %d (%s)", i, w.err, svcq_ctx_errmsg(f->ctx));
        assert_non_null(strstr(svcq_ctx_errmsg(f->ctx), "JSON writer: "));
        /* The buffer is back to what it held before. */
        assert_string_equal(b.data, "keep");
        assert_int_equal(b.len, 4);
        svcq__buf_free(&b);
    }
    /* The first error's message is kept. */
    wfx x;
    w_start(&x, f->ctx);
    svcq__jw_key(&x.w, "k");
    svcq__jw_string(&x.w, "\xff");
    assert_int_equal(svcq__jw_finish(&x.w), SVCQ_EINVAL);
    assert_string_equal(svcq_ctx_errmsg(f->ctx), "JSON writer: a key outside an object");
    assert_null(x.buf.data);
    svcq__buf_free(&x.buf);
    /* Depth: SVCQ__JW_MAX_DEPTH levels, and one more is a limit error. */
    w_start(&x, f->ctx);
    for (int i = 0; i < SVCQ__JW_MAX_DEPTH; i++)
        assert_int_equal(svcq__jw_array_begin(&x.w), SVCQ_OK);
    assert_int_equal(svcq__jw_object_begin(&x.w), SVCQ_ELIMIT);
    assert_int_equal(svcq__jw_finish(&x.w), SVCQ_ELIMIT);
    svcq__buf_free(&x.buf);
    /* A NULL buffer. */
    svcq__jw w;
    svcq__jw_init_buf(&w, f->ctx, NULL);
    assert_int_equal(svcq__jw_int(&w, 1), SVCQ_EINVAL);
    assert_int_equal(svcq__jw_finish(&w), SVCQ_EINVAL);
    /* Out of memory while writing: ENOMEM, buffer restored. */
    w_start(&x, f->ctx);
    assert_int_equal(svcq__buf_puts(&x.buf, "ab"), SVCQ_OK);
    svcq__jw_init_buf(&x.w, f->ctx, &x.buf);
    test_alloc_arm(&f->alloc, 1, true);
    svcq__jw_array_begin(&x.w);
    for (int i = 0; i < 100; i++)
        svcq__jw_string(&x.w, "a string long enough to need more room");
    svcq__jw_array_end(&x.w);
    assert_int_equal(svcq__jw_finish(&x.w), SVCQ_ENOMEM);
    test_alloc_arm(&f->alloc, 0, false);
    assert_string_equal(x.buf.data, "ab");
    svcq__buf_free(&x.buf);
}

/* ---- sinks ----------------------------------------------------------- */

typedef struct sink_state {
    svcq__buf got;
    size_t calls;
    size_t max_chunk;
    size_t fail_on; /* 1-based call that fails; 0 = never */
    int fail_rc;
} sink_state;

static int sink_fn(const char *data, size_t size, void *user)
{
    sink_state *s = user;
    s->calls++;
    if (s->fail_on && s->calls >= s->fail_on)
        return s->fail_rc;
    if (size > s->max_chunk)
        s->max_chunk = size;
    return svcq__buf_append(&s->got, data, size);
}

/* A document of about n bytes, written by the same calls to any writer. */
static void write_big(svcq__jw *w, int n)
{
    svcq__jw_object_begin(w);
    svcq__jw_key(w, "items");
    svcq__jw_array_begin(w);
    for (int i = 0; i < n / 40; i++) {
        svcq__jw_object_begin(w);
        svcq__jw_key(w, "id");
        svcq__jw_int(w, i);
        svcq__jw_key(w, "text");
        svcq__jw_string(w, "\xe4\xb8\xad text \"quoted\"\n");
        svcq__jw_object_end(w);
    }
    svcq__jw_array_end(w);
    svcq__jw_object_end(w);
}

static void writer_sink(void **state)
{
    fx *f = *state;
    for (int pretty = 0; pretty < 2; pretty++) {
        /* Reference: buffer mode. */
        svcq__buf ref;
        svcq__buf_init(&ref, f->ctx);
        svcq__jw w;
        svcq__jw_init_buf(&w, f->ctx, &ref);
        svcq__jw_set_pretty(&w, pretty);
        write_big(&w, 20000);
        assert_int_equal(svcq__jw_finish(&w), SVCQ_OK);

        sink_state s = { .max_chunk = 0 };
        svcq__buf_init(&s.got, f->ctx);
        svcq_writer sink = SVCQ_WRITER_INIT;
        sink.write = sink_fn;
        sink.user_data = &s;
        svcq__jw_init_writer(&w, f->ctx, &sink);
        svcq__jw_set_pretty(&w, pretty);
        write_big(&w, 20000);
        assert_int_equal(svcq__jw_finish(&w), SVCQ_OK);
        assert_int_equal(s.got.len, ref.len);
        assert_memory_equal(s.got.data, ref.data, ref.len);
        assert_int_equal(s.max_chunk, SVCQ__JW_CHUNK);
        assert_int_equal(s.calls, (ref.len + SVCQ__JW_CHUNK - 1) / SVCQ__JW_CHUNK);
        svcq__buf_free(&s.got);

        /* A sink failing at each call stops the writer with its code. */
        for (size_t fail_on = 1; fail_on <= s.calls; fail_on++) {
            sink_state t = { .fail_on = fail_on, .fail_rc = SVCQ_EIO };
            svcq__buf_init(&t.got, f->ctx);
            sink.user_data = &t;
            svcq__jw_init_writer(&w, f->ctx, &sink);
            svcq__jw_set_pretty(&w, pretty);
            write_big(&w, 20000);
            assert_int_equal(svcq__jw_finish(&w), SVCQ_EIO);
            assert_int_equal(t.calls, fail_on); /* no call after the failure */
            assert_int_equal(t.got.len, (fail_on - 1) * SVCQ__JW_CHUNK);
            assert_string_equal(svcq_ctx_errmsg(f->ctx), "JSON writer: the sink failed: input/output error");
            svcq__buf_free(&t.got);
        }
        svcq__buf_free(&ref);
    }
    /* A positive result aborts; small output goes out in finish only. */
    sink_state t = { .fail_on = 1, .fail_rc = 3 };
    svcq__buf_init(&t.got, f->ctx);
    svcq_writer sink = SVCQ_WRITER_INIT;
    sink.write = sink_fn;
    sink.user_data = &t;
    svcq__jw w;
    svcq__jw_init_writer(&w, f->ctx, &sink);
    assert_int_equal(svcq__jw_int(&w, 5), SVCQ_OK);
    assert_int_equal(t.calls, 0);
    assert_int_equal(svcq__jw_finish(&w), SVCQ_EABORTED);
    assert_int_equal(t.calls, 1);
    svcq__buf_free(&t.got);
    /* A misuse in sink mode sends nothing. */
    t = (sink_state){ .fail_on = 0 };
    svcq__buf_init(&t.got, f->ctx);
    sink.user_data = &t;
    svcq__jw_init_writer(&w, f->ctx, &sink);
    svcq__jw_array_begin(&w);
    assert_int_equal(svcq__jw_finish(&w), SVCQ_EINVAL);
    assert_int_equal(t.calls, 0);
    svcq__buf_free(&t.got);
    /* Bad sinks. */
    svcq__jw_init_writer(&w, f->ctx, NULL);
    assert_int_equal(svcq__jw_null(&w), SVCQ_EINVAL);
    assert_int_equal(svcq__jw_finish(&w), SVCQ_EINVAL);
    svcq_writer empty = SVCQ_WRITER_INIT;
    svcq__jw_init_writer(&w, f->ctx, &empty);
    assert_int_equal(svcq__jw_finish(&w), SVCQ_EINVAL);
    svcq_writer future = SVCQ_WRITER_INIT;
    future.write = sink_fn;
    future.user_data = &t;
    future.version = 99;
    svcq__jw_init_writer(&w, f->ctx, &future);
    svcq__jw_int(&w, 1);
    assert_int_equal(svcq__jw_finish(&w), SVCQ_EVERSION);
    /* No memory is used in sink mode. */
    test_alloc_arm(&f->alloc, 1, true);
    t = (sink_state){ .fail_on = 0 };
    sink_state *tp = &t;
    svcq_writer counting = SVCQ_WRITER_INIT;
    counting.write = sink_fn;
    counting.user_data = tp;
    svcq__jw_init_writer(&w, f->ctx, &counting);
    svcq__jw_array_begin(&w);
    for (int i = 0; i < 10; i++)
        svcq__jw_int(&w, i);
    svcq__jw_array_end(&w);
    /* the collecting sink itself cannot allocate here, so stop it first */
    t.fail_on = 1;
    t.fail_rc = SVCQ_EIO;
    assert_int_equal(svcq__jw_finish(&w), SVCQ_EIO);
    assert_int_equal(f->alloc.calls, 0);
    test_alloc_arm(&f->alloc, 0, false);
}

/* ---- locale ---------------------------------------------------------- */

static void locale_independent(void **state)
{
    fx *f = *state;
    const char *names[] = { "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "ru_RU.UTF-8",
                            "nl_NL.UTF-8", "es_ES.UTF-8", "it_IT.UTF-8", "pt_BR.UTF-8", "de_DE" };
    const char *got = NULL;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !got; i++) {
        if (setlocale(LC_NUMERIC, names[i])) {
            char probe[16];
            snprintf(probe, sizeof(probe), "%.1f", 1.5);
            if (strcmp(probe, "1,5") == 0)
                got = names[i];
        }
    }
    if (!got) {
        setlocale(LC_NUMERIC, "C");
        skip(); /* no comma-decimal locale installed on this machine */
    }
    /* Reading: the fast path and the strtod path. */
    const char *texts[] = { "1.5", "0.1", "123456789012345678901234.5", "2.2250738585072014e-308",
                            "4.9406564584124654e-324", "9007199254740993.5" };
    double want[] = { 1.5, 0.1, 123456789012345678901234.5, DBL_MIN, 4.9406564584124654e-324,
                      9007199254740994.0 };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        same_bits(parse_double(f->ctx, texts[i]), want[i]);
    /* Writing. */
    char out[32];
    svcq__json_format_double(1.5, out);
    assert_string_equal(out, "1.5");
    svcq__json_format_double(0.30000000000000004, out);
    assert_string_equal(out, "0.30000000000000004");
    svcq__json_format_double(1.5e-7, out);
    assert_string_equal(out, "1.5e-7");
    rng_state = 777;
    for (int i = 0; i < 2000; i++) {
        uint64_t bits = rnd();
        double d;
        memcpy(&d, &bits, sizeof(d));
        if (!isfinite(d))
            continue;
        size_t n = svcq__json_format_double(d, out);
        assert_null(strchr(out, ','));
        svcq__json_doc *doc = parse_ok_n(f->ctx, out, n);
        double back = 0;
        assert_true(svcq__json_as_double(svcq__json_root(doc), &back));
        same_bits(back, d);
        svcq__json_doc_free(doc);
    }
    setlocale(LC_NUMERIC, "C");
}

/* ---- round-trip property --------------------------------------------- */

/* An independent model of a document: what the generator meant to write. */
typedef struct model {
    int type;
    int64_t i;
    double d;
    char *s;
    size_t len;
    struct model *kids;
    char **keys;
    size_t *keylens;
    size_t n;
} model;

static void rand_string(char **out, size_t *outlen, size_t tag)
{
    size_t n = rnd() % 12;
    char *s = malloc(n * 4 + 24);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t cp;
        switch (rnd() % 8) {
        case 0: cp = (uint32_t)(rnd() % 0x20); break;                     /* controls, NUL */
        case 1: cp = "\"\\/ \x7f"[rnd() % 5]; break;
        case 2: cp = 0x2028 + (uint32_t)(rnd() % 2); break;
        case 3: cp = 0x80 + (uint32_t)(rnd() % 0x780); break;             /* 2 bytes */
        case 4: cp = 0x800 + (uint32_t)(rnd() % 0xF800); break;           /* 3 bytes */
        case 5: cp = 0x10000 + (uint32_t)(rnd() % 0x100000); break;       /* 4 bytes */
        default: cp = 0x20 + (uint32_t)(rnd() % 0x5F); break;
        }
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = 0xFFFD;
        len += svcq__utf8_encode(cp, s + len);
    }
    if (tag != SIZE_MAX)
        len += (size_t)sprintf(s + len, "#%zu", tag); /* unique keys */
    *out = s;
    *outlen = len;
}

static double rand_double(void)
{
    double d;
    switch (rnd() % 4) {
    case 0: {
        uint64_t bits = rnd();
        memcpy(&d, &bits, sizeof(d));
        if (!isfinite(d))
            d = -0.0;
        return d;
    }
    case 1: return (double)(int64_t)(rnd() % 2000000) / 100.0 - 10000.0;
    case 2: return (double)(int64_t)rnd(); /* integral */
    default: {
        uint64_t bits = rnd() & 0x800FFFFFFFFFFFFFull; /* subnormal or zero */
        memcpy(&d, &bits, sizeof(d));
        return d;
    }
    }
}

static void rand_model(model *m, int depth)
{
    memset(m, 0, sizeof(*m));
    int pick = (int)(rnd() % (depth > 0 ? 8 : 6));
    switch (pick) {
    case 0: m->type = (int)(rnd() % 3); break; /* null, false, true */
    case 1:
        m->type = SVCQ__JSON_INT;
        m->i = rnd() % 3 ? (int64_t)(rnd() % 2000) - 1000 : (int64_t)rnd();
        if (rnd() % 16 == 0)
            m->i = rnd() % 2 ? INT64_MIN : INT64_MAX;
        break;
    case 2: m->type = SVCQ__JSON_DOUBLE; m->d = rand_double(); break;
    case 3:
    case 4:
    case 5: m->type = SVCQ__JSON_STRING; rand_string(&m->s, &m->len, SIZE_MAX); break;
    case 6:
        m->type = SVCQ__JSON_ARRAY;
        m->n = rnd() % 6;
        m->kids = calloc(m->n + 1, sizeof(model));
        for (size_t i = 0; i < m->n; i++)
            rand_model(&m->kids[i], depth - 1);
        break;
    default:
        m->type = SVCQ__JSON_OBJECT;
        m->n = rnd() % (rnd() % 8 == 0 ? 30 : 6); /* sometimes past the index threshold */
        m->kids = calloc(m->n + 1, sizeof(model));
        m->keys = calloc(m->n + 1, sizeof(char *));
        m->keylens = calloc(m->n + 1, sizeof(size_t));
        for (size_t i = 0; i < m->n; i++) {
            rand_string(&m->keys[i], &m->keylens[i], i);
            rand_model(&m->kids[i], depth - 1);
        }
    }
}

static void model_free(model *m)
{
    free(m->s);
    for (size_t i = 0; i < m->n; i++) {
        model_free(&m->kids[i]);
        if (m->keys)
            free(m->keys[i]);
    }
    free(m->kids);
    free(m->keys);
    free(m->keylens);
}

static void model_write(svcq__jw *w, const model *m)
{
    switch (m->type) {
    case SVCQ__JSON_NULL: svcq__jw_null(w); break;
    case SVCQ__JSON_FALSE: svcq__jw_bool(w, false); break;
    case SVCQ__JSON_TRUE: svcq__jw_bool(w, true); break;
    case SVCQ__JSON_INT: svcq__jw_int(w, m->i); break;
    case SVCQ__JSON_DOUBLE: svcq__jw_double(w, m->d); break;
    case SVCQ__JSON_STRING: svcq__jw_stringn(w, m->s, m->len); break;
    case SVCQ__JSON_ARRAY:
        svcq__jw_array_begin(w);
        for (size_t i = 0; i < m->n; i++)
            model_write(w, &m->kids[i]);
        svcq__jw_array_end(w);
        break;
    default:
        svcq__jw_object_begin(w);
        for (size_t i = 0; i < m->n; i++) {
            svcq__jw_keyn(w, m->keys[i], m->keylens[i]);
            model_write(w, &m->kids[i]);
        }
        svcq__jw_object_end(w);
    }
}

static bool model_matches(const model *m, const svcq__json *v)
{
    if ((int)svcq__json_typeof(v) != m->type)
        return false;
    switch (m->type) {
    case SVCQ__JSON_INT: {
        int64_t i;
        return svcq__json_as_int(v, &i) && i == m->i;
    }
    case SVCQ__JSON_DOUBLE: {
        double d;
        return svcq__json_as_double(v, &d) && memcmp(&d, &m->d, sizeof(d)) == 0;
    }
    case SVCQ__JSON_STRING: {
        size_t len;
        const char *s = svcq__json_as_string(v, &len);
        return len == m->len && memcmp(s, m->s, len) == 0 && s[len] == '\0';
    }
    case SVCQ__JSON_ARRAY:
        if (svcq__json_array_size(v) != m->n)
            return false;
        for (size_t i = 0; i < m->n; i++)
            if (!model_matches(&m->kids[i], svcq__json_array_get(v, i)))
                return false;
        return true;
    case SVCQ__JSON_OBJECT:
        if (svcq__json_object_size(v) != m->n)
            return false;
        for (size_t i = 0; i < m->n; i++) {
            const char *k;
            size_t kl;
            const svcq__json *mv = svcq__json_object_member(v, i, &k, &kl);
            if (kl != m->keylens[i] || memcmp(k, m->keys[i], kl) != 0 || !model_matches(&m->kids[i], mv))
                return false;
            if (svcq__json_getn(v, m->keys[i], m->keylens[i]) != mv)
                return false;
        }
        return true;
    default:
        return true;
    }
}

static void round_trip_property(void **state)
{
    fx *f = *state;
    rng_state = 20240601;
    for (int iter = 0; iter < 2000; iter++) {
        model m;
        rand_model(&m, (int)(rnd() % 7));
        bool pretty = iter % 3 == 0;
        svcq__buf t1;
        svcq__buf_init(&t1, f->ctx);
        svcq__jw w;
        svcq__jw_init_buf(&w, f->ctx, &t1);
        svcq__jw_set_pretty(&w, pretty);
        model_write(&w, &m);
        assert_int_equal(svcq__jw_finish(&w), SVCQ_OK);
        /* read(write(x)) is x */
        svcq__json_doc *d1 = parse_ok_n(f->ctx, t1.data, t1.len);
        if (!model_matches(&m, svcq__json_root(d1)))
            fail_msg("iteration %d: read back differs from what was written: %s", iter, t1.data);
        assert_true(svcq__json_equal(svcq__json_root(d1), svcq__json_root(d1)));
        /* write(read(write(x))) == write(x), in both modes */
        char *t2 = write_compact(f->ctx, svcq__json_root(d1), pretty);
        assert_int_equal(strlen(t2), t1.len);
        assert_memory_equal(t2, t1.data, t1.len);
        char *c1 = write_compact(f->ctx, svcq__json_root(d1), !pretty);
        svcq__json_doc *d2 = parse_ok(f->ctx, c1);
        assert_true(svcq__json_equal(svcq__json_root(d1), svcq__json_root(d2)));
        char *c2 = write_compact(f->ctx, svcq__json_root(d2), !pretty);
        assert_string_equal(c1, c2);
        /* Output is plain: no raw control characters, U+2028/9 escaped. */
        for (size_t i = 0; i < t1.len; i++)
            assert_true((unsigned char)t1.data[i] >= 0x20 || t1.data[i] == '\n');
        assert_null(strstr(t1.data, "\xe2\x80\xa8"));
        assert_null(strstr(t1.data, "\xe2\x80\xa9"));
        free(t2);
        free(c1);
        free(c2);
        svcq__json_doc_free(d1);
        svcq__json_doc_free(d2);
        svcq__buf_free(&t1);
        model_free(&m);
    }
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(accepts),          T(refuses),        T(messages_say_what),  T(bad_arguments),
        T(numbers),          T(doubles_round_trip), T(strings),        T(nesting_and_limits),
        T(objects),          T(accessors),      T(equality),           T(getters),
        T(writer_escaping),  T(writer_values),  T(writer_pretty),      T(writer_misuse),
        T(writer_sink),      T(locale_independent), T(round_trip_property),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
