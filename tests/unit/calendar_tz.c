/* Time zones: TZif offsets of every transition of real zones against
 * `zdump -v` output captured in tests/data, leap-second and version 1 data,
 * POSIX TZ strings, fixed offsets, local time conversion, and every error of
 * the TZif reader on damaged and synthetic data. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>

#include <cmocka.h>

#include "svcq.h"
#include "test_alloc.h"

#ifndef SVCQ_TEST_DATA
#error "SVCQ_TEST_DATA must name the tests/data directory"
#endif
#define ZONEINFO SVCQ_TEST_DATA "/zoneinfo"

static svcq_ctx *ctx_new(void)
{
    svcq_ctx *ctx;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    return ctx;
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    size_t cap = 1 << 16, n = 0;
    unsigned char *b = malloc(cap);
    size_t r;
    while ((r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap)
            b = realloc(b, cap *= 2);
    }
    fclose(f);
    *len = n;
    return b;
}

/* Days from 1970-01-01, written independently of the library. */
static int64_t days_of(int64_t y, int m, int d)
{
    static const int cum[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
    int64_t days = 0;
    for (int64_t yy = 1970; yy < y; yy++)
        days += 365 + ((yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0);
    for (int64_t yy = y; yy < 1970; yy++)
        days -= 365 + ((yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0);
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return days + cum[m - 1] + (leap && m > 2) + d - 1;
}

static int month_of(const char *s)
{
    static const char *const names[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    for (int i = 0; i < 12; i++)
        if (strcmp(s, names[i]) == 0)
            return i + 1;
    fail_msg("bad month %s", s);
    return 0;
}

typedef struct zline {
    int64_t t;       /* the UT instant */
    int64_t local;   /* its local reading, as seconds since 1970 */
    int32_t gmtoff, isdst;
    char abbr[16];
} zline;

/* Parses one `zdump -v` line; returns false for the NULL lines. */
static bool parse_zline(const char *line, zline *z)
{
    char zone[64], wd1[8], mon1[8], wd2[8], mon2[8];
    int d1, h1, mi1, s1, d2, h2, mi2, s2, y1, y2, isdst, gmtoff;
    if (strstr(line, "= NULL"))
        return false;
    int n = sscanf(line, "%63s %7s %7s %d %d:%d:%d %d UT = %7s %7s %d %d:%d:%d %d %15s isdst=%d gmtoff=%d",
                   zone, wd1, mon1, &d1, &h1, &mi1, &s1, &y1, wd2, mon2, &d2, &h2, &mi2, &s2, &y2,
                   z->abbr, &isdst, &gmtoff);
    if (n != 18)
        fail_msg("unparsable zdump line: %s", line);
    z->t = days_of(y1, month_of(mon1), d1) * 86400 + h1 * 3600 + mi1 * 60 + s1;
    z->local = days_of(y2, month_of(mon2), d2) * 86400 + h2 * 3600 + mi2 * 60 + s2;
    z->gmtoff = gmtoff;
    z->isdst = isdst;
    return true;
}

static const char *const zones[] = {
    "Africa/Casablanca", "America/New_York", "America/Nuuk",      "America/Santiago",
    "America/Sao_Paulo", "America/St_Johns", "Antarctica/Troll",  "Asia/Jerusalem",
    "Asia/Kathmandu",    "Asia/Kolkata",     "Asia/Shanghai",     "Australia/Lord_Howe",
    "Australia/Sydney",  "Europe/Berlin",    "Europe/Dublin",     "Europe/London",
    "Pacific/Apia",      "Pacific/Chatham",  "UTC",
};
#define NZONES (sizeof(zones) / sizeof(zones[0]))

/* Calls fn for every instant zdump listed for zone. Returns the count. */
static size_t for_each_zline(const char *zone, void (*fn)(const zline *, void *), void *ud)
{
    char path[512], fname[128];
    snprintf(fname, sizeof(fname), "%s", zone);
    for (char *p = fname; *p; p++)
        if (*p == '/')
            *p = '_';
    snprintf(path, sizeof(path), SVCQ_TEST_DATA "/zdump/%s.txt", fname);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    char line[512];
    size_t n = 0;
    while (fgets(line, sizeof(line), f)) {
        zline z;
        if (parse_zline(line, &z)) {
            fn(&z, ud);
            n++;
        }
    }
    fclose(f);
    return n;
}

typedef struct zcheck {
    const svcq_tz *tz;
    const char *zone;
} zcheck;

static void check_zline(const zline *z, void *ud)
{
    const zcheck *c = ud;
    int32_t off, dst;
    const char *abbr;
    assert_int_equal(svcq_tz_lookup(&off, &dst, &abbr, c->tz, z->t), SVCQ_OK);
    if (off != z->gmtoff || dst != z->isdst || strcmp(abbr, z->abbr) != 0)
        fail_msg("%s at %lld: got %d %d %s, zdump says %d %d %s", c->zone, (long long)z->t, off,
                 dst, abbr, z->gmtoff, z->isdst, z->abbr);
    int32_t y, m, d, sod;
    assert_int_equal(svcq_tz_utc_to_local(&y, &m, &d, &sod, c->tz, z->t), SVCQ_OK);
    assert_int_equal(days_of(y, m, d) * 86400 + sod, z->local);
}

/* Every instant zdump lists (both sides of every transition from 1800 to
 * 2101, so the footer rules too) has zdump's offset, DST flag, abbreviation
 * and local time. */
static void zdump_agrees(void **state)
{
    (void)state;
    svcq_ctx *ctx = ctx_new();
    size_t total = 0;
    for (size_t i = 0; i < NZONES; i++) {
        svcq_tz *tz;
        if (svcq_tz_load(&tz, ctx, zones[i], ZONEINFO) != SVCQ_OK)
            fail_msg("%s: %s", zones[i], svcq_ctx_errmsg(ctx));
        assert_string_equal(svcq_tz_name(tz), zones[i]);
        zcheck c = { tz, zones[i] };
        size_t n = for_each_zline(zones[i], check_zline, &c);
        /* UTC lists nothing; every other zone has transitions. */
        if (strcmp(zones[i], "UTC") != 0)
            assert_true(n >= 2);
        total += n;
        svcq_tz_free(tz);
    }
    assert_true(total > 7000);
    svcq_ctx_free(ctx);
}

typedef struct zpair {
    const svcq_tz *a, *b;
} zpair;

static void same_offset(const zline *z, void *ud)
{
    const zpair *p = ud;
    /* Leap-second data has no footer rule (its table ends in 2026). */
    if (z->t >= 1767225600)
        return;
    int32_t oa, ob, da, db;
    const char *aa, *ab;
    assert_int_equal(svcq_tz_lookup(&oa, &da, &aa, p->a, z->t), SVCQ_OK);
    assert_int_equal(svcq_tz_lookup(&ob, &db, &ab, p->b, z->t), SVCQ_OK);
    assert_int_equal(oa, ob);
    assert_int_equal(da, db);
    assert_string_equal(aa, ab);
}

/* "right/" data counts leap seconds in its transition times; converted to
 * svcq_time they must fall where the plain zone's do. */
static void leap_second_data(void **state)
{
    (void)state;
    svcq_ctx *ctx = ctx_new();
    const char *names[2] = { "Asia/Shanghai", "America/New_York" };
    for (int i = 0; i < 2; i++) {
        char right[64];
        snprintf(right, sizeof(right), "right/%s", names[i]);
        svcq_tz *plain, *r;
        assert_int_equal(svcq_tz_load(&plain, ctx, names[i], ZONEINFO), SVCQ_OK);
        if (svcq_tz_load(&r, ctx, right, ZONEINFO) != SVCQ_OK)
            fail_msg("%s: %s", right, svcq_ctx_errmsg(ctx));
        zpair p = { plain, r };
        assert_true(for_each_zline(names[i], same_offset, &p) > 0);
        svcq_tz_free(plain);
        svcq_tz_free(r);
    }
    svcq_ctx_free(ctx);
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static size_t v1_size(const unsigned char *h)
{
    return 44 + get32(h + 32) * 5 + get32(h + 36) * 6 + get32(h + 40) + get32(h + 28) * 8 +
           get32(h + 24) + get32(h + 20);
}

static void v1_check(const zline *z, void *ud)
{
    /* 32-bit times reach 1901-12-13 to 2038-01-19. */
    if (z->t < -2147483648LL || z->t > 2147483647LL)
        return;
    check_zline(z, ud);
}

/* The version 1 block of a real file, alone as a version 1 file, gives the
 * same answers within its 32-bit range. */
static void version1_data(void **state)
{
    (void)state;
    svcq_ctx *ctx = ctx_new();
    const char *names[3] = { "America/New_York", "Europe/Berlin", "Australia/Sydney" };
    for (int i = 0; i < 3; i++) {
        char path[256];
        snprintf(path, sizeof(path), ZONEINFO "/%s", names[i]);
        size_t len;
        unsigned char *b = read_file(path, &len);
        size_t n1 = v1_size(b);
        assert_true(n1 < len);
        b[4] = 0;
        svcq_tz *tz;
        if (svcq_tz_from_tzif(&tz, ctx, b, n1, names[i]) != SVCQ_OK)
            fail_msg("%s v1: %s", names[i], svcq_ctx_errmsg(ctx));
        zcheck c = { tz, names[i] };
        for_each_zline(names[i], v1_check, &c);
        svcq_tz_free(tz);
        /* Version 1 data followed by anything is refused. */
        assert_int_equal(svcq_tz_from_tzif(&tz, ctx, b, n1 + 1, NULL), SVCQ_ECORRUPT);
        assert_null(tz);
        free(b);
    }
    svcq_ctx_free(ctx);
}

/* Every TZif file of the system's zoneinfo loads (when there is one). */
static svcq_ctx *walk_ctx;
static size_t walk_loaded;

static int walk_fn(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type != FTW_F)
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char magic[4] = { 0 };
    size_t got = fread(magic, 1, 4, f);
    fclose(f);
    if (got != 4 || memcmp(magic, "TZif", 4) != 0)
        return 0;
    size_t len;
    unsigned char *b = read_file(path, &len);
    svcq_tz *tz;
    if (svcq_tz_from_tzif(&tz, walk_ctx, b, len, path) != SVCQ_OK)
        fail_msg("%s: %s", path, svcq_ctx_errmsg(walk_ctx));
    /* Lookups anywhere, including far beyond the table, are defined. */
    int32_t off;
    assert_int_equal(svcq_tz_lookup(&off, NULL, NULL, tz, INT64_MIN), SVCQ_OK);
    assert_int_equal(svcq_tz_lookup(&off, NULL, NULL, tz, INT64_MAX), SVCQ_OK);
    assert_int_equal(svcq_tz_lookup(&off, NULL, NULL, tz, 1767225600), SVCQ_OK);
    svcq_tz_free(tz);
    free(b);
    walk_loaded++;
    return 0;
}

static void system_zoneinfo_loads(void **state)
{
    (void)state;
    FILE *probe = fopen(SVCQ_TZ_DEFAULT_DIR "/UTC", "rb");
    if (!probe)
        skip();
    fclose(probe);
    walk_ctx = ctx_new();
    walk_loaded = 0;
    assert_int_equal(nftw(SVCQ_TZ_DEFAULT_DIR, walk_fn, 16, FTW_PHYS), 0);
    assert_true(walk_loaded >= 300);
    /* Loading by name from the default directory. */
    svcq_tz *tz;
    assert_int_equal(svcq_tz_load(&tz, walk_ctx, "Asia/Shanghai", NULL), SVCQ_OK);
    int32_t off;
    assert_int_equal(svcq_tz_lookup(&off, NULL, NULL, tz, 1767225600), SVCQ_OK);
    assert_int_equal(off, 28800);
    svcq_tz_free(tz);
    svcq_ctx_free(walk_ctx);
}

/* ---- a writer of synthetic TZif data ------------------------------------ */

typedef struct tzw {
    int version;       /* 1..4 */
    int raw_byte;      /* when non-zero, the version byte written instead */
    int64_t times[8];
    uint8_t idx[8];
    uint32_t ntimes;
    int32_t off[4];
    uint8_t dst[4], desig[4];
    uint32_t ntypes;
    const char *chars;  /* designations, NULs written as '|' */
    uint32_t nchars;
    int64_t leap_occ[4];
    int32_t leap_corr[4];
    uint32_t nleap;
    uint8_t isstd[4], isut[4];
    uint32_t nisstd, nisut;
    const char *footer; /* NULL: no footer bytes at all */
} tzw;

static size_t put_block(unsigned char *p, const tzw *w, int tsize)
{
    size_t n = 0;
    memcpy(p, "TZif", 4);
    p[4] = (unsigned char)(w->raw_byte ? w->raw_byte : w->version == 1 ? 0 : '0' + w->version);
    memset(p + 5, 0, 15);
    put32(p + 20, w->nisut);
    put32(p + 24, w->nisstd);
    put32(p + 28, w->nleap);
    put32(p + 32, w->ntimes);
    put32(p + 36, w->ntypes);
    put32(p + 40, w->nchars);
    n = 44;
    for (uint32_t i = 0; i < w->ntimes; i++) {
        if (tsize == 8) {
            put32(p + n, (uint32_t)((uint64_t)w->times[i] >> 32));
            put32(p + n + 4, (uint32_t)w->times[i]);
        } else {
            put32(p + n, (uint32_t)w->times[i]);
        }
        n += (size_t)tsize;
    }
    for (uint32_t i = 0; i < w->ntimes; i++)
        p[n++] = w->idx[i];
    for (uint32_t i = 0; i < w->ntypes; i++) {
        put32(p + n, (uint32_t)w->off[i]);
        p[n + 4] = w->dst[i];
        p[n + 5] = w->desig[i];
        n += 6;
    }
    for (uint32_t i = 0; i < w->nchars; i++)
        p[n++] = w->chars[i] == '|' ? 0 : (unsigned char)w->chars[i];
    for (uint32_t i = 0; i < w->nleap; i++) {
        if (tsize == 8) {
            put32(p + n, (uint32_t)((uint64_t)w->leap_occ[i] >> 32));
            put32(p + n + 4, (uint32_t)w->leap_occ[i]);
        } else {
            put32(p + n, (uint32_t)w->leap_occ[i]);
        }
        put32(p + n + (size_t)tsize, (uint32_t)w->leap_corr[i]);
        n += (size_t)tsize + 4;
    }
    for (uint32_t i = 0; i < w->nisstd; i++)
        p[n++] = w->isstd[i];
    for (uint32_t i = 0; i < w->nisut; i++)
        p[n++] = w->isut[i];
    return n;
}

static size_t tzw_write(unsigned char *p, const tzw *w)
{
    size_t n = put_block(p, w, 4);
    if (w->version == 1)
        return n;
    n += put_block(p + n, w, 8);
    if (w->footer) {
        p[n++] = '\n';
        size_t fl = strlen(w->footer);
        memcpy(p + n, w->footer, fl);
        n += fl;
        p[n++] = '\n';
    }
    return n;
}

/* A small valid zone: LMT until 1900, then CST (+8) with DST in 1990 and a
 * footer "CST-8". */
static tzw base_zone(void)
{
    tzw w;
    memset(&w, 0, sizeof(w));
    w.version = 2;
    w.ntimes = 3;
    w.times[0] = -2000000000;
    w.times[1] = 641232000;
    w.times[2] = 652291200;
    w.idx[0] = 1;
    w.idx[1] = 2;
    w.idx[2] = 1;
    w.ntypes = 3;
    w.off[0] = 29143;
    w.off[1] = 28800;
    w.off[2] = 32400;
    w.dst[2] = 1;
    w.desig[0] = 0;
    w.desig[1] = 4;
    w.desig[2] = 8;
    w.chars = "LMT|CST|CDT|";
    w.nchars = 12;
    w.footer = "CST-8";
    return w;
}

static int load_w(svcq_ctx *ctx, const tzw *w, svcq_tz **out)
{
    unsigned char buf[2048];
    size_t n = tzw_write(buf, w);
    return svcq_tz_from_tzif(out, ctx, buf, n, "synthetic");
}

static void expect_w(svcq_ctx *ctx, const tzw *w, int rc, const char *msg_part)
{
    svcq_tz *tz = (svcq_tz *)0x1;
    int got = load_w(ctx, w, &tz);
    if (got != rc)
        fail_msg("expected %d, got %d (%s)", rc, got, svcq_ctx_errmsg(ctx));
    if (rc) {
        assert_null(tz);
        if (msg_part && !strstr(svcq_ctx_errmsg(ctx), msg_part))
            fail_msg("message \"%s\" lacks \"%s\"", svcq_ctx_errmsg(ctx), msg_part);
    } else {
        svcq_tz_free(tz);
    }
}

static void synthetic_valid(void **state)
{
    (void)state;
    svcq_ctx *ctx = ctx_new();
    for (int version = 1; version <= 4; version++) {
        tzw w = base_zone();
        w.version = version;
        svcq_tz *tz;
        assert_int_equal(load_w(ctx, &w, &tz), SVCQ_OK);
        int32_t off, dst;
        const char *abbr;
        /* Before the first transition: type 0. */
        assert_int_equal(svcq_tz_lookup(&off, &dst, &abbr, tz, -2000000001), SVCQ_OK);
        assert_int_equal(off, 29143);
        assert_string_equal(abbr, "LMT");
        assert_int_equal(svcq_tz_lookup(&off, &dst, &abbr, tz, 641232000), SVCQ_OK);
        assert_int_equal(off, 32400);
        assert_int_equal(dst, 1);
        assert_string_equal(abbr, "CDT");
        assert_int_equal(svcq_tz_lookup(&off, &dst, &abbr, tz, 652291199), SVCQ_OK);
        assert_int_equal(off, 32400);
        assert_int_equal(svcq_tz_lookup(&off, &dst, &abbr, tz, 4102444800), SVCQ_OK);
        assert_int_equal(off, 28800);
        assert_int_equal(dst, 0);
        assert_string_equal(abbr, "CST");
        svcq_tz_free(tz);
    }
    /* A future version byte has the version 2 layout. */
    tzw w = base_zone();
    w.raw_byte = '7';
    expect_w(ctx, &w, SVCQ_OK, NULL);
    /* An empty footer: the last type applies for ever. */
    w = base_zone();
    w.footer = "";
    expect_w(ctx, &w, SVCQ_OK, NULL);
    /* No transitions, a DST footer: the rule applies everywhere. */
    w = base_zone();
    w.ntimes = 0;
    w.ntypes = 1;
    w.off[0] = -18000;
    w.desig[0] = 4;
    w.footer = "EST5EDT,M3.2.0,M11.1.0";
    svcq_tz *tz;
    assert_int_equal(load_w(ctx, &w, &tz), SVCQ_OK);
    int32_t off;
    assert_int_equal(svcq_tz_lookup(&off, NULL, NULL, tz, 1751328000), SVCQ_OK); /* 2025-07-01 */
    assert_int_equal(off, -14400);
    assert_int_equal(svcq_tz_lookup(&off, NULL, NULL, tz, -5000000000), SVCQ_OK); /* 1811-07 */
    assert_int_equal(off, -14400);
    svcq_tz_free(tz);
    /* Version 4: a truncated leap table may start at any correction, and the
     * last record may repeat the correction (expiry). */
    w = base_zone();
    w.version = 4;
    w.nleap = 3;
    w.leap_occ[0] = 78796800;
    w.leap_corr[0] = 10;
    w.leap_occ[1] = 94694401;
    w.leap_corr[1] = 11;
    w.leap_occ[2] = 126230402;
    w.leap_corr[2] = 11;
    expect_w(ctx, &w, SVCQ_OK, NULL);
    /* Indicators present and consistent. */
    w = base_zone();
    w.nisstd = w.nisut = 3;
    w.isstd[1] = w.isut[1] = 1;
    expect_w(ctx, &w, SVCQ_OK, NULL);
    svcq_ctx_free(ctx);
}

static void synthetic_corrupt(void **state)
{
    (void)state;
    svcq_ctx *ctx = ctx_new();
    tzw w;
#define BAD(mutation, code, msg)  \
    do {                          \
        w = base_zone();          \
        mutation;                 \
        expect_w(ctx, &w, code, msg); \
    } while (0)
    BAD(w.version = 1; w.ntimes = 3; w.times[1] = w.times[0], SVCQ_ECORRUPT, "not after");
    BAD(w.times[2] = w.times[1], SVCQ_ECORRUPT, "not after");
    BAD(w.idx[1] = 3, SVCQ_ECORRUPT, "names type 3");
    BAD(w.ntypes = 0; w.ntimes = 0, SVCQ_ECORRUPT, "no local time types");
    BAD(w.nchars = 0; w.desig[0] = w.desig[1] = w.desig[2] = 0, SVCQ_ECORRUPT, "empty designation");
    BAD(w.off[1] = 93600, SVCQ_ECORRUPT, "UT offset");
    BAD(w.off[1] = -90000, SVCQ_ECORRUPT, "UT offset");
    BAD(w.off[1] = INT32_MIN, SVCQ_ECORRUPT, "UT offset");
    BAD(w.dst[1] = 2, SVCQ_ECORRUPT, "DST flag");
    BAD(w.desig[1] = 12, SVCQ_ECORRUPT, "designation index");
    BAD(w.chars = "LMT|CST|CDTX"; w.desig[2] = 8, SVCQ_ECORRUPT, "designation index");
    BAD(w.nisstd = 2, SVCQ_ECORRUPT, "standard/wall indicator count");
    BAD(w.nisut = 1, SVCQ_ECORRUPT, "UT/local indicator count");
    BAD(w.nisstd = 3; w.isstd[0] = 2, SVCQ_ECORRUPT, "standard/wall indicator 0");
    BAD(w.nisstd = w.nisut = 3; w.isut[2] = 2; w.isstd[2] = 1, SVCQ_ECORRUPT, "UT/local indicator 2");
    BAD(w.nisstd = w.nisut = 3; w.isut[2] = 1, SVCQ_ECORRUPT, "UT but not standard");
    BAD(w.nisut = 3; w.isut[2] = 1, SVCQ_ECORRUPT, "UT but not standard");
    BAD(w.nleap = 1; w.leap_occ[0] = -1; w.leap_corr[0] = 1, SVCQ_ECORRUPT, "negative");
    BAD(w.nleap = 1; w.leap_occ[0] = 1000; w.leap_corr[0] = 2, SVCQ_ECORRUPT, "not +-1");
    BAD(w.nleap = 2; w.leap_occ[0] = 1000; w.leap_corr[0] = 1; w.leap_occ[1] = 2000;
        w.leap_corr[1] = 2, SVCQ_ECORRUPT, "28 days");
    BAD(w.nleap = 2; w.leap_occ[0] = 1000; w.leap_corr[0] = 1; w.leap_occ[1] = 1000;
        w.leap_corr[1] = 2, SVCQ_ECORRUPT, "28 days");
    BAD(w.nleap = 2; w.leap_occ[0] = 1000; w.leap_corr[0] = 1; w.leap_occ[1] = 3000000;
        w.leap_corr[1] = 3, SVCQ_ECORRUPT, "jumps");
    /* Expiry (a repeated correction) is a version 4 feature. */
    BAD(w.nleap = 2; w.leap_occ[0] = 1000; w.leap_corr[0] = 1; w.leap_occ[1] = 3000000;
        w.leap_corr[1] = 1, SVCQ_ECORRUPT, "jumps");
    BAD(w.footer = NULL, SVCQ_ECORRUPT, "missing footer");
    BAD(w.footer = "CST", SVCQ_ECORRUPT, "footer TZ string");
    BAD(w.footer = "CST-8CDT", SVCQ_ECORRUPT, "start and end rules");
    BAD(w.footer = "CST-8CDT,M3.2.0", SVCQ_ECORRUPT, "end rule");
    BAD(w.footer = "CST-8CDT,M13.2.0,M11.1.0", SVCQ_ECORRUPT, "month");
    BAD(w.footer = "CST-8CDT,M3.6.0,M11.1.0", SVCQ_ECORRUPT, "week");
    BAD(w.footer = "CST-8CDT,M3.2.7,M11.1.0", SVCQ_ECORRUPT, "weekday");
    BAD(w.footer = "CST-8CDT,J0,J365", SVCQ_ECORRUPT, "Jn day");
    BAD(w.footer = "CST-8CDT,366,J365", SVCQ_ECORRUPT, "day of year");
    BAD(w.footer = "CST-8CDT,M3.2.0/168,M11.1.0", SVCQ_ECORRUPT, "hours");
    BAD(w.footer = "CST-25", SVCQ_ECORRUPT, "hours");
    BAD(w.footer = "CST-8:60", SVCQ_ECORRUPT, "minutes");
    BAD(w.footer = "CST-8:00:60", SVCQ_ECORRUPT, "seconds");
    BAD(w.footer = "CS-8", SVCQ_ECORRUPT, "shorter than 3");
    BAD(w.footer = "<CS>-8", SVCQ_ECORRUPT, "shorter than 3");
    BAD(w.footer = "<CST-8", SVCQ_ECORRUPT, "unterminated");
    BAD(w.footer = "<C*T>-8", SVCQ_ECORRUPT, "quoted");
    BAD(w.footer = "CSTABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG-8", SVCQ_ECORRUPT, "too long");
    BAD(w.footer = "CST-8CDT,M3.2.0,M11.1.0x", SVCQ_ECORRUPT, "after the end rule");
    BAD(w.footer = "CST-8CDT;M3.2.0,M11.1.0", SVCQ_ECORRUPT, "hours");
    BAD(w.footer = "CST-8CDT-9;M3.2.0,M11.1.0", SVCQ_ECORRUPT, "expected ','");
    BAD(w.footer = "CST-8CDT,M3x2.0,M11.1.0", SVCQ_ECORRUPT, "expected '.'");
    BAD(w.footer = "CST-8CDT,M3.2x0,M11.1.0", SVCQ_ECORRUPT, "expected '.'");
    BAD(w.footer = "CST-8CDT,M3.2.0x,M11.1.0", SVCQ_ECORRUPT, "end rule");
    BAD(w.footer = "CST-", SVCQ_ECORRUPT, "hours");
    BAD(w.footer = "CST-8:", SVCQ_ECORRUPT, "minutes");
    /* The footer must agree with the last transition. */
    BAD(w.footer = "JST-9", SVCQ_ECORRUPT, "disagrees");
    BAD(w.version = 3; w.footer = "CST-8CDT,J1/0,J365/25", SVCQ_ECORRUPT, "disagrees");
    BAD(w.raw_byte = 0x01, SVCQ_EVERSION, "version");
    BAD(w.raw_byte = '1', SVCQ_EVERSION, "version");
#undef BAD
    /* Structural damage on a real file. */
    size_t len;
    unsigned char *b = read_file(ZONEINFO "/America/New_York", &len);
    unsigned char *c = malloc(len + 16);
    svcq_tz *tz = (svcq_tz *)0x1;
    /* Every truncation is refused with ECORRUPT. */
    for (size_t n = 0; n < len; n++) {
        memcpy(c, b, n);
        if (svcq_tz_from_tzif(&tz, ctx, c, n, NULL) != SVCQ_ECORRUPT)
            fail_msg("truncation at %zu: %s", n, svcq_ctx_errmsg(ctx));
        assert_null(tz);
    }
    memcpy(c, b, len);
    c[len] = 'x';
    assert_int_equal(svcq_tz_from_tzif(&tz, ctx, c, len + 1, NULL), SVCQ_ECORRUPT);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "after the footer"));
    memcpy(c, b, len);
    c[0] = 'X';
    assert_int_equal(svcq_tz_from_tzif(&tz, ctx, c, len, NULL), SVCQ_ECORRUPT);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "magic"));
    memcpy(c, b, len);
    size_t second = v1_size(b);
    c[second + 4] = '3'; /* second header's version differs */
    assert_int_equal(svcq_tz_from_tzif(&tz, ctx, c, len, NULL), SVCQ_ECORRUPT);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "second header"));
    memcpy(c, b, len);
    put32(c + second + 32, 0x10000000); /* huge transition count */
    assert_int_equal(svcq_tz_from_tzif(&tz, ctx, c, len, NULL), SVCQ_ECORRUPT);
    memcpy(c, b, len);
    put32(c + 32, 0xFFFFFFFF); /* huge version 1 count */
    assert_int_equal(svcq_tz_from_tzif(&tz, ctx, c, len, NULL), SVCQ_ECORRUPT);
    memcpy(c, b, len);
    c[len - 1] = 'x'; /* footer not terminated */
    assert_int_equal(svcq_tz_from_tzif(&tz, ctx, c, len, NULL), SVCQ_ECORRUPT);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "unterminated footer"));
    free(b);
    free(c);
    /* Argument errors. */
    assert_int_equal(svcq_tz_from_tzif(NULL, ctx, "TZif", 4, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_from_tzif(&tz, NULL, "TZif", 4, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_from_tzif(&tz, ctx, NULL, 4, NULL), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_from_tzif(&tz, ctx, NULL, 0, NULL), SVCQ_ECORRUPT);
    tzw w2 = base_zone();
    unsigned char buf[2048];
    size_t n = tzw_write(buf, &w2);
    assert_int_equal(svcq_tz_from_tzif(&tz, ctx, buf, n, "bad\xff name"), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_from_tzif(&tz, ctx, buf, n, NULL), SVCQ_OK);
    assert_string_equal(svcq_tz_name(tz), "");
    svcq_tz_free(tz);
    svcq_ctx_free(ctx);
}

static void load_errors(void **state)
{
    (void)state;
    svcq_ctx *ctx = ctx_new();
    svcq_tz *tz = (svcq_tz *)0x1;
    const char *bad[] = { "", "/etc/passwd", "../zoneinfo/UTC", "Asia/../UTC", "Asia//Shanghai",
                          "Asia/", "./UTC", "Asia/Shang hai", "Asia/Shanghai\xc3\xa9", "a\\b" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(svcq_tz_load(&tz, ctx, bad[i], ZONEINFO), SVCQ_EINVAL);
        assert_null(tz);
    }
    char longname[300];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(svcq_tz_load(&tz, ctx, longname, ZONEINFO), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_load(&tz, ctx, "Asia/Nowhere", ZONEINFO), SVCQ_ENOTFOUND);
    assert_non_null(strstr(svcq_ctx_errmsg(ctx), "unknown time zone"));
    assert_int_equal(svcq_tz_load(&tz, ctx, "UTC/x", ZONEINFO), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_tz_load(&tz, ctx, "Asia", ZONEINFO), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_tz_load(&tz, ctx, "UTC", SVCQ_TEST_DATA "/no-such-dir"), SVCQ_ENOTFOUND);
    /* A file that is not TZif. */
    assert_int_equal(svcq_tz_load(&tz, ctx, "SOURCE", ZONEINFO), SVCQ_ECORRUPT);
    assert_int_equal(svcq_tz_load(NULL, ctx, "UTC", ZONEINFO), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_load(&tz, NULL, "UTC", ZONEINFO), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_load(&tz, ctx, NULL, ZONEINFO), SVCQ_EINVAL);
    /* A directory that cannot be opened as a file at all. */
    assert_int_equal(svcq_tz_load(&tz, ctx, "zoneinfo", SVCQ_TEST_DATA), SVCQ_ENOTFOUND);
    assert_int_equal(svcq_tz_load(&tz, ctx, "UTC", ZONEINFO), SVCQ_OK);
    assert_string_equal(svcq_tz_name(tz), "UTC");
    svcq_tz_free(tz);
    assert_string_equal(svcq_tz_default_dir(), "/usr/share/zoneinfo");
    svcq_tz_free(NULL);
    assert_string_equal(svcq_tz_name(NULL), "");
    assert_int_equal(svcq_tz_lookup(NULL, NULL, NULL, NULL, 0), SVCQ_EINVAL);
    svcq_ctx_free(ctx);
}

static void posix_strings(void **state)
{
    (void)state;
    svcq_ctx *ctx = ctx_new();
    svcq_tz *tz, *file;
    int32_t off, dst;
    const char *abbr;
    /* The footers of real zones reproduce zdump beyond 2037. */
    struct {
        const char *zone, *spec;
    } cases[] = {
        { "America/New_York", "EST5EDT,M3.2.0,M11.1.0" },
        { "Australia/Sydney", "AEST-10AEDT,M10.1.0,M4.1.0/3" },
        { "Asia/Jerusalem", "IST-2IDT,M3.4.4/26,M10.5.0" },
        { "America/Nuuk", "<-02>2<-01>,M3.5.0/-1,M10.5.0/0" },
        { "Pacific/Chatham", "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (svcq_tz_from_posix(&tz, ctx, cases[i].spec) != SVCQ_OK)
            fail_msg("%s: %s", cases[i].spec, svcq_ctx_errmsg(ctx));
        assert_string_equal(svcq_tz_name(tz), cases[i].spec);
        assert_int_equal(svcq_tz_load(&file, ctx, cases[i].zone, ZONEINFO), SVCQ_OK);
        /* Every 6 hours from 2040 to 2100. */
        for (int64_t t = 2208988800; t < 4102444800; t += 21600) {
            int32_t o2, d2;
            const char *a2;
            assert_int_equal(svcq_tz_lookup(&off, &dst, &abbr, tz, t), SVCQ_OK);
            assert_int_equal(svcq_tz_lookup(&o2, &d2, &a2, file, t), SVCQ_OK);
            if (off != o2 || dst != d2 || strcmp(abbr, a2) != 0)
                fail_msg("%s at %lld: %d %s vs %d %s", cases[i].spec, (long long)t, off, abbr, o2, a2);
        }
        svcq_tz_free(tz);
        svcq_tz_free(file);
    }
    /* Daylight saving time all year (version 3 idiom). */
    assert_int_equal(svcq_tz_from_posix(&tz, ctx, "EST5EDT,0/0,J365/25"), SVCQ_OK);
    for (int64_t t = 0; t < 4102444800; t += 86400 * 7 + 3601) {
        assert_int_equal(svcq_tz_lookup(&off, &dst, &abbr, tz, t), SVCQ_OK);
        assert_int_equal(off, -14400);
        assert_int_equal(dst, 1);
    }
    svcq_tz_free(tz);
    /* Jn skips Feb 29, n counts it: in 2024 (leap) J60 is Mar 1, 59 is Feb 29. */
    assert_int_equal(svcq_tz_from_posix(&tz, ctx, "AAA0BBB,J60/0,J300/0"), SVCQ_OK);
    assert_int_equal(svcq_tz_lookup(&off, NULL, NULL, tz, 1709164800 - 1), SVCQ_OK); /* Feb 29 2024 23:59:59 */
    assert_int_equal(off, 0);
    assert_int_equal(svcq_tz_lookup(&off, NULL, NULL, tz, 1709251200), SVCQ_OK); /* Mar 1 2024 */
    assert_int_equal(off, 3600);
    svcq_tz_free(tz);
    assert_int_equal(svcq_tz_from_posix(&tz, ctx, "AAA0BBB,59/0,J300/0"), SVCQ_OK);
    assert_int_equal(svcq_tz_lookup(&off, NULL, NULL, tz, 1709164800), SVCQ_OK); /* Feb 29 2024 */
    assert_int_equal(off, 3600);
    assert_int_equal(svcq_tz_lookup(&off, NULL, NULL, tz, 1709164799), SVCQ_OK);
    assert_int_equal(off, 0);
    svcq_tz_free(tz);
    /* Explicit DST offset and a no-DST zone. */
    assert_int_equal(svcq_tz_from_posix(&tz, ctx, "XXX-1YYY-3,M3.5.0,M10.5.0/3"), SVCQ_OK);
    assert_int_equal(svcq_tz_lookup(&off, NULL, &abbr, tz, 1751328000), SVCQ_OK);
    assert_int_equal(off, 10800);
    assert_string_equal(abbr, "YYY");
    svcq_tz_free(tz);
    assert_int_equal(svcq_tz_from_posix(&tz, ctx, "<+0545>-5:45"), SVCQ_OK);
    assert_int_equal(svcq_tz_lookup(&off, &dst, &abbr, tz, 0), SVCQ_OK);
    assert_int_equal(off, 20700);
    assert_string_equal(abbr, "+0545");
    svcq_tz_free(tz);
    tz = (svcq_tz *)0x1;
    const char *bad[] = { "", "EST", "EST5EDT", "EST5EDT,M3.2.0", "E5", "EST5EDT,M3.2.0,M11.1.0,",
                          "EST+", "EST5:99", "EST5EDT,J366,J1" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (svcq_tz_from_posix(&tz, ctx, bad[i]) != SVCQ_EPARSE)
            fail_msg("\"%s\" was accepted", bad[i]);
        assert_null(tz);
        assert_non_null(strstr(svcq_ctx_errmsg(ctx), "TZ string"));
    }
    assert_int_equal(svcq_tz_from_posix(NULL, ctx, "UTC0"), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_from_posix(&tz, NULL, "UTC0"), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_from_posix(&tz, ctx, NULL), SVCQ_EINVAL);
    svcq_ctx_free(ctx);
}

static void fixed_offsets(void **state)
{
    (void)state;
    svcq_ctx *ctx = ctx_new();
    struct {
        int32_t off;
        const char *name;
    } cases[] = { { 0, "UTC" },          { 28800, "UTC+08:00" },   { -12600, "UTC-03:30" },
                  { 86399, "UTC+23:59:59" }, { -86399, "UTC-23:59:59" }, { 20700, "UTC+05:45" } };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        svcq_tz *tz;
        assert_int_equal(svcq_tz_fixed(&tz, ctx, cases[i].off), SVCQ_OK);
        assert_string_equal(svcq_tz_name(tz), cases[i].name);
        int32_t off, dst;
        const char *abbr;
        assert_int_equal(svcq_tz_lookup(&off, &dst, &abbr, tz, INT64_MIN), SVCQ_OK);
        assert_int_equal(off, cases[i].off);
        assert_int_equal(dst, 0);
        assert_string_equal(abbr, cases[i].name);
        svcq_time t;
        assert_int_equal(svcq_tz_local_to_utc(&t, tz, 2025, 1, 1, 0), SVCQ_OK);
        assert_int_equal(t, 1735689600 - cases[i].off);
        svcq_tz_free(tz);
    }
    svcq_tz *tz = (svcq_tz *)0x1;
    assert_int_equal(svcq_tz_fixed(&tz, ctx, 86400), SVCQ_EINVAL);
    assert_null(tz);
    assert_int_equal(svcq_tz_fixed(&tz, ctx, -86400), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_fixed(NULL, ctx, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_fixed(&tz, NULL, 0), SVCQ_EINVAL);
    svcq_ctx_free(ctx);
}

/* The documented gap and overlap rule on New York's 2025 changes. */
static void local_conversion(void **state)
{
    (void)state;
    svcq_ctx *ctx = ctx_new();
    svcq_tz *tz;
    assert_int_equal(svcq_tz_load(&tz, ctx, "America/New_York", ZONEINFO), SVCQ_OK);
    svcq_time t;
    const int64_t spring = 1741503600; /* 2025-03-09 07:00Z = 03:00 EDT */
    const int64_t fall = 1762063200;   /* 2025-11-02 06:00Z = 01:00 EST */
    assert_int_equal(svcq_tz_local_to_utc(&t, tz, 2025, 3, 9, 3600 + 3599), SVCQ_OK);
    assert_int_equal(t, spring - 1);
    assert_int_equal(svcq_tz_local_to_utc(&t, tz, 2025, 3, 9, 7200), SVCQ_OK);
    assert_int_equal(t, spring); /* 02:00 does not exist: the change */
    assert_int_equal(svcq_tz_local_to_utc(&t, tz, 2025, 3, 9, 9000), SVCQ_OK);
    assert_int_equal(t, spring); /* nor 02:30 */
    assert_int_equal(svcq_tz_local_to_utc(&t, tz, 2025, 3, 9, 10800), SVCQ_OK);
    assert_int_equal(t, spring);
    assert_int_equal(svcq_tz_local_to_utc(&t, tz, 2025, 3, 9, 10801), SVCQ_OK);
    assert_int_equal(t, spring + 1);
    assert_int_equal(svcq_tz_local_to_utc(&t, tz, 2025, 11, 2, 3600), SVCQ_OK);
    assert_int_equal(t, fall - 3600); /* 01:00 EDT, the first occurrence */
    assert_int_equal(svcq_tz_local_to_utc(&t, tz, 2025, 11, 2, 5400), SVCQ_OK);
    assert_int_equal(t, fall - 1800);
    assert_int_equal(svcq_tz_local_to_utc(&t, tz, 2025, 11, 2, 7199), SVCQ_OK);
    assert_int_equal(t, fall - 1);
    assert_int_equal(svcq_tz_local_to_utc(&t, tz, 2025, 11, 2, 7200), SVCQ_OK);
    assert_int_equal(t, fall + 3600); /* 02:00 EST */
    int32_t y, m, d, sod;
    assert_int_equal(svcq_tz_utc_to_local(&y, &m, &d, &sod, tz, fall), SVCQ_OK);
    assert_int_equal(y, 2025);
    assert_int_equal(m, 11);
    assert_int_equal(d, 2);
    assert_int_equal(sod, 3600);
    assert_int_equal(svcq_tz_utc_to_local(NULL, NULL, NULL, NULL, tz, fall), SVCQ_OK);
    /* Range and argument errors. */
    assert_int_equal(svcq_tz_local_to_utc(&t, tz, 2025, 2, 29, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_local_to_utc(&t, tz, 2024, 2, 30, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_local_to_utc(&t, tz, 2024, 13, 1, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_local_to_utc(&t, tz, 2024, 0, 1, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_local_to_utc(&t, tz, 0, 1, 1, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_local_to_utc(&t, tz, 10000, 1, 1, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_local_to_utc(&t, tz, 2024, 1, 1, 86400), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_local_to_utc(&t, tz, 2024, 1, 1, -1), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_local_to_utc(NULL, tz, 2024, 1, 1, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_local_to_utc(&t, NULL, 2024, 1, 1, 0), SVCQ_EINVAL);
    assert_int_equal(svcq_tz_local_to_utc(&t, tz, 1, 1, 1, 0), SVCQ_OK);
    assert_int_equal(svcq_tz_utc_to_local(&y, &m, &d, &sod, tz, t), SVCQ_OK);
    assert_int_equal(y, 1);
    assert_int_equal(svcq_tz_local_to_utc(&t, tz, 9999, 12, 31, 86399), SVCQ_OK);
    assert_int_equal(svcq_tz_utc_to_local(&y, &m, &d, &sod, tz, t), SVCQ_OK);
    assert_int_equal(y, 9999);
    assert_int_equal(svcq_tz_utc_to_local(&y, &m, &d, &sod, tz, t + 86400), SVCQ_ERANGE);
    assert_int_equal(svcq_tz_utc_to_local(&y, &m, &d, &sod, tz, INT64_MAX), SVCQ_ERANGE);
    assert_int_equal(svcq_tz_utc_to_local(&y, &m, &d, &sod, tz, INT64_MIN), SVCQ_ERANGE);
    assert_int_equal(svcq_tz_utc_to_local(&y, &m, &d, &sod, tz, -62135596800 - 86400), SVCQ_ERANGE);
    assert_int_equal(svcq_tz_utc_to_local(&y, &m, &d, &sod, NULL, 0), SVCQ_EINVAL);
    svcq_tz_free(tz);
    svcq_ctx_free(ctx);
}

/* Every zone's local conversion is consistent with its lookups: for random
 * local times, the result shows that time (or the gap was skipped), and
 * one second earlier shows an earlier time. */
static void local_conversion_consistent(void **state)
{
    (void)state;
    svcq_ctx *ctx = ctx_new();
    uint64_t seed = 0x9E3779B97F4A7C15u;
    for (size_t i = 0; i < NZONES; i++) {
        svcq_tz *tz;
        assert_int_equal(svcq_tz_load(&tz, ctx, zones[i], ZONEINFO), SVCQ_OK);
        for (int k = 0; k < 3000; k++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            int32_t y = 1900 + (int32_t)((seed >> 33) % 200), m = 1 + (int32_t)((seed >> 20) % 12);
            int32_t d = 1 + (int32_t)((seed >> 12) % 28), sod = (int32_t)((seed >> 40) % 86400);
            svcq_time t;
            assert_int_equal(svcq_tz_local_to_utc(&t, tz, y, m, d, sod), SVCQ_OK);
            int64_t want = days_of(y, m, d) * 86400 + sod;
            int32_t off, off1;
            assert_int_equal(svcq_tz_lookup(&off, NULL, NULL, tz, t), SVCQ_OK);
            assert_int_equal(svcq_tz_lookup(&off1, NULL, NULL, tz, t - 1), SVCQ_OK);
            assert_true(t + off >= want);              /* shows that time or later */
            if (t + off > want)                        /* only when a gap was skipped */
                assert_true(off > off1);
            assert_true(t - 1 + off1 < want);          /* earliest such instant */
        }
        svcq_tz_free(tz);
    }
    svcq_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(zdump_agrees),
        cmocka_unit_test(leap_second_data),
        cmocka_unit_test(version1_data),
        cmocka_unit_test(system_zoneinfo_loads),
        cmocka_unit_test(synthetic_valid),
        cmocka_unit_test(synthetic_corrupt),
        cmocka_unit_test(load_errors),
        cmocka_unit_test(posix_strings),
        cmocka_unit_test(fixed_offsets),
        cmocka_unit_test(local_conversion),
        cmocka_unit_test(local_conversion_consistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
