/* Time zones: the TZif reader (RFC 8536 and its version 4 update), POSIX TZ
 * strings, fixed offsets, offset lookup and local-to-UTC resolution. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calendar/civil.h"
#include "calendar/tz.h"
#include "core/utf8.h"

#define TZ_MAX_FILE (1u << 20)
#define TZ_ABBR_MIN 3
#define TZ_ABBR_MAX 31
#define TZ_OFF_MIN (-89999)
#define TZ_OFF_MAX 93599
/* The cycle table covers [0, SVCQ__CYCLE_SECONDS), i.e. 1970 to 2370; rule
 * events are generated for a margin of years on both sides. */
#define CYC_YEAR_FIRST 1968
#define CYC_YEAR_LAST 2372

const char *svcq_tz_default_dir(void)
{
    return SVCQ_TZ_DEFAULT_DIR;
}

/* ---- the block ---------------------------------------------------------- */

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

typedef struct tz_layout {
    size_t types, trans, cyc, trans_type, cyc_type, chars, name, total;
} tz_layout;

static bool tz_layout_of(tz_layout *l, uint32_t ntypes, uint32_t ntrans, uint32_t ncyc,
                         uint32_t nchars, size_t name_len)
{
    /* Counts are bounded by the input size, so only the sum can overflow on
     * 32-bit machines; check it in 64 bits. */
    uint64_t off = align8(sizeof(svcq_tz));
    l->types = (size_t)off;
    off += align8((uint64_t)ntypes * sizeof(svcq__tz_type));
    l->trans = (size_t)off;
    off += (uint64_t)ntrans * 8;
    l->cyc = (size_t)off;
    off += (uint64_t)ncyc * 8;
    l->trans_type = (size_t)off;
    off += (uint64_t)ntrans * 2;
    l->cyc_type = (size_t)off;
    off += (uint64_t)ncyc * 2;
    l->chars = (size_t)off;
    off += nchars;
    l->name = (size_t)off;
    off += (uint64_t)name_len + 1;
    l->total = (size_t)off;
    return off <= SIZE_MAX / 2;
}

static void tz_point(svcq_tz *z, const tz_layout *l)
{
    char *b = (char *)z;
    z->types = (svcq__tz_type *)(void *)(b + l->types);
    z->trans = (int64_t *)(void *)(b + l->trans);
    z->cyc = (int64_t *)(void *)(b + l->cyc);
    z->trans_type = (uint16_t *)(void *)(b + l->trans_type);
    z->cyc_type = (uint16_t *)(void *)(b + l->cyc_type);
    z->chars = b + l->chars;
    z->name = b + l->name;
}

static int tz_alloc(svcq_ctx *ctx, uint32_t ntypes, uint32_t ntrans, uint32_t ncyc,
                    uint32_t nchars, const char *name, svcq_tz **out)
{
    size_t name_len = name ? strlen(name) : 0;
    tz_layout l;
    if (!tz_layout_of(&l, ntypes, ntrans, ncyc, nchars, name_len))
        return svcq__enomem(ctx);
    svcq_tz *z = svcq__malloc(ctx, l.total);
    if (!z)
        return svcq__enomem(ctx);
    memset(z, 0, l.total);
    z->ctx = ctx;
    z->size = l.total;
    z->ntypes = ntypes;
    z->ntrans = ntrans;
    z->ncyc = ncyc;
    z->nchars = nchars;
    tz_point(z, &l);
    if (name_len)
        memcpy((char *)z->name, name, name_len);
    *out = z;
    return SVCQ_OK;
}

int svcq__tz_clone(svcq_ctx *ctx, const svcq_tz *z, svcq_tz **out)
{
    svcq_tz *c = svcq__malloc(ctx, z->size);
    if (!c)
        return svcq__enomem(ctx);
    memcpy(c, z, z->size);
    c->ctx = ctx;
    tz_layout l;
    tz_layout_of(&l, z->ntypes, z->ntrans, z->ncyc, z->nchars, strlen(z->name));
    tz_point(c, &l);
    *out = c;
    return SVCQ_OK;
}

void svcq_tz_free(svcq_tz *tz)
{
    if (tz)
        svcq__free(tz->ctx, tz);
}

const char *svcq_tz_name(const svcq_tz *tz)
{
    return tz ? tz->name : "";
}

/* ---- lookup ------------------------------------------------------------- */

static uint16_t rule_type_at(const svcq_tz *z, int64_t t)
{
    int64_t r = svcq__floor_mod(t, SVCQ__CYCLE_SECONDS);
    uint32_t lo = 0, hi = z->ncyc; /* count of cycle transitions <= r */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (z->cyc[mid] <= r)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? z->cyc_type[lo - 1] : z->cyc_type0;
}

uint16_t svcq__tz_type_at(const svcq_tz *z, int64_t t)
{
    uint32_t n = z->ntrans;
    if (n == 0)
        return z->has_rule ? rule_type_at(z, t) : 0;
    if (t < z->trans[0])
        return 0;
    if (t >= z->trans[n - 1])
        return z->has_rule ? rule_type_at(z, t) : z->trans_type[n - 1];
    uint32_t lo = 0, hi = n - 1; /* last i with trans[i] <= t lies in [0, n-2] */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (z->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return z->trans_type[lo];
}

int svcq_tz_lookup(int32_t *utc_offset, int32_t *is_dst, const char **abbreviation,
                   const svcq_tz *tz, svcq_time t)
{
    if (!tz)
        return SVCQ_EINVAL;
    const svcq__tz_type *ty = &tz->types[svcq__tz_type_at(tz, t)];
    if (utc_offset)
        *utc_offset = ty->off;
    if (is_dst)
        *is_dst = ty->dst;
    if (abbreviation)
        *abbreviation = tz->chars + ty->abbr;
    return SVCQ_OK;
}

/* ---- formatting --------------------------------------------------------- */

#define FORMAT_FLAGS                                                                          \
    (SVCQ_TIME_FORMAT_NO_SECONDS | SVCQ_TIME_FORMAT_WEEKDAY | SVCQ_TIME_FORMAT_UTC_Z |        \
     SVCQ_TIME_FORMAT_SPACE | SVCQ_TIME_FORMAT_ABBREVIATION)

static size_t put_2(char *p, int64_t v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return 2;
}

/* The text of t in z without the abbreviation into tmp (at least 40
 * bytes); false when the local date is outside the years 1 to 9999. */
static bool format_core(const svcq_tz *z, int64_t t, uint32_t flags, char *tmp, size_t *len,
                        const svcq__tz_type **type)
{
    static const char wd[7][4] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
    /* The local date must be in the years 1 to 9999 (four digits). Checked
     * before adding the offset, so that nothing overflows. */
    const int64_t lo = INT64_C(-62135596800), hi = INT64_C(253402300800);
    if (t <= lo - 2 * SVCQ__DAY || t >= hi + 2 * SVCQ__DAY)
        return false;
    const svcq__tz_type *ty = &z->types[svcq__tz_type_at(z, t)];
    int64_t local = t + ty->off;
    if (local < lo || local >= hi)
        return false;
    int64_t days = svcq__floor_div(local, SVCQ__DAY), sod = local - days * SVCQ__DAY, y;
    int32_t m, d;
    svcq__civil_from_days(days, &y, &m, &d);
    size_t n = 0;
    if (flags & SVCQ_TIME_FORMAT_WEEKDAY) {
        memcpy(tmp, wd[svcq__weekday(days) - 1], 3);
        tmp[3] = ' ';
        n = 4;
    }
    n += put_2(tmp + n, y / 100);
    n += put_2(tmp + n, y % 100);
    tmp[n++] = '-';
    n += put_2(tmp + n, m);
    tmp[n++] = '-';
    n += put_2(tmp + n, d);
    tmp[n++] = (flags & SVCQ_TIME_FORMAT_SPACE) ? ' ' : 'T';
    n += put_2(tmp + n, sod / 3600);
    tmp[n++] = ':';
    n += put_2(tmp + n, sod / 60 % 60);
    if (!(flags & SVCQ_TIME_FORMAT_NO_SECONDS)) {
        tmp[n++] = ':';
        n += put_2(tmp + n, sod % 60);
    }
    int32_t off = ty->off;
    if (off == 0 && (flags & SVCQ_TIME_FORMAT_UTC_Z)) {
        tmp[n++] = 'Z';
    } else {
        int32_t a = off < 0 ? -off : off;
        tmp[n++] = off < 0 ? '-' : '+';
        n += put_2(tmp + n, a / 3600);
        tmp[n++] = ':';
        n += put_2(tmp + n, a / 60 % 60);
        if (a % 60) { /* local mean time of old data: seconds too */
            tmp[n++] = ':';
            n += put_2(tmp + n, a % 60);
        }
    }
    tmp[n] = '\0';
    *len = n;
    *type = ty;
    return true;
}

const char *svcq__tz_describe(const svcq_tz *z, int64_t t, char *buf, size_t size)
{
    char tmp[48];
    size_t n;
    const svcq__tz_type *ty;
    if (format_core(z, t, SVCQ_TIME_FORMAT_WEEKDAY, tmp, &n, &ty))
        snprintf(buf, size, "%s", tmp);
    else
        snprintf(buf, size, "instant %lld", (long long)t);
    return buf;
}

int svcq_tz_format(char *buf, size_t size, size_t *needed, const svcq_tz *tz, svcq_time t,
                   uint32_t flags)
{
    if (needed)
        *needed = 0;
    if (!tz)
        return SVCQ_EINVAL; /* no context to write to */
    if (!buf && size)
        return svcq__error(tz->ctx, SVCQ_EINVAL,
                           "svcq_tz_format (zone %s): NULL buffer with size %zu", tz->name, size);
    if (flags & ~(uint32_t)FORMAT_FLAGS)
        return svcq__error(tz->ctx, SVCQ_EINVAL, "svcq_tz_format (zone %s): unknown flags 0x%x",
                           tz->name, flags & ~(uint32_t)FORMAT_FLAGS);
    char tmp[48];
    size_t n;
    const svcq__tz_type *ty;
    if (!format_core(tz, t, flags, tmp, &n, &ty))
        return svcq__error(tz->ctx, SVCQ_ERANGE,
                           "zone %s: instant %lld is not in the local years 1 to 9999, "
                           "which is all ISO 8601 can write in four digits",
                           tz->name[0] ? tz->name : "(unnamed)", (long long)t);
    const char *abbr = (flags & SVCQ_TIME_FORMAT_ABBREVIATION) ? tz->chars + ty->abbr : NULL;
    size_t na = abbr ? strlen(abbr) : 0;
    size_t total = n + (na ? 1 + na : 0);
    if (needed)
        *needed = total;
    if (size > total) {
        memcpy(buf, tmp, n);
        if (na) {
            buf[n] = ' ';
            memcpy(buf + n + 1, abbr, na);
        }
        buf[total] = '\0';
        return SVCQ_OK;
    }
    if (size) { /* as much as fits, NUL-terminated (all of it is ASCII but
                 * the abbreviation, which is cut at a character boundary) */
        size_t keep = size - 1;
        size_t a = keep < n ? keep : n;
        memcpy(buf, tmp, a);
        if (keep > n) {
            buf[n] = ' ';
            memcpy(buf + n + 1, abbr, keep - n - 1);
            keep = n + 1 + svcq__utf8_trim(buf + n + 1, keep - n - 1);
        }
        buf[keep] = '\0';
    }
    return svcq__error(tz->ctx, SVCQ_ELIMIT,
                       "svcq_tz_format (zone %s): the text needs %zu bytes and a NUL, the buffer "
                       "has %zu",
                       tz->name, total, size);
}

/* ---- the segment cursor ------------------------------------------------- */

static void cur_rule_at(svcq__tz_cursor *c, int64_t t)
{
    const svcq_tz *z = c->z;
    c->rule = 1;
    if (z->ncyc == 0) {
        c->start = INT64_MIN;
        c->end = INT64_MAX;
        c->off = z->types[z->cyc_type0].off;
        c->idx = 0;
        c->base = 0;
        return;
    }
    int64_t r = svcq__floor_mod(t, SVCQ__CYCLE_SECONDS);
    int64_t base = t - r;
    uint32_t lo = 0, hi = z->ncyc;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (z->cyc[mid] <= r)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) {
        base -= SVCQ__CYCLE_SECONDS;
        lo = z->ncyc;
    }
    c->idx = lo - 1;
    c->base = base;
    c->start = base + z->cyc[c->idx];
    c->end = c->idx + 1 < z->ncyc ? base + z->cyc[c->idx + 1] : base + SVCQ__CYCLE_SECONDS + z->cyc[0];
    c->off = z->types[z->cyc_type[c->idx]].off;
}

static void cur_table_seg(svcq__tz_cursor *c, uint32_t k)
{
    const svcq_tz *z = c->z;
    uint32_t n = z->ntrans;
    c->rule = 0;
    c->idx = k;
    c->start = k == 0 ? INT64_MIN : z->trans[k - 1];
    c->end = k == n ? INT64_MAX : z->trans[k];
    c->off = z->types[k == 0 ? 0 : z->trans_type[k - 1]].off;
}

static void cur_enter_rule(svcq__tz_cursor *c, int64_t t)
{
    const svcq_tz *z = c->z;
    cur_rule_at(c, t);
    if (z->ntrans && c->start < z->trans[z->ntrans - 1])
        c->start = z->trans[z->ntrans - 1];
}

void svcq__tz_cursor_init(svcq__tz_cursor *c, const svcq_tz *z, int64_t t)
{
    c->z = z;
    uint32_t n = z->ntrans;
    if (n && (t < z->trans[n - 1] || !z->has_rule)) {
        uint32_t lo = 0, hi = n; /* number of transitions <= t */
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (z->trans[mid] <= t)
                lo = mid + 1;
            else
                hi = mid;
        }
        cur_table_seg(c, lo);
        return;
    }
    if (!z->has_rule) { /* no transitions, no rule: one type for ever */
        cur_table_seg(c, 0);
        return;
    }
    cur_enter_rule(c, t);
}

void svcq__tz_cursor_next(svcq__tz_cursor *c)
{
    const svcq_tz *z = c->z;
    if (c->end == INT64_MAX)
        return;
    if (!c->rule) {
        if (c->idx + 1 == z->ntrans && z->has_rule) {
            cur_enter_rule(c, z->trans[z->ntrans - 1]);
            return;
        }
        cur_table_seg(c, c->idx + 1);
        return;
    }
    c->idx++;
    if (c->idx == z->ncyc) {
        c->idx = 0;
        c->base += SVCQ__CYCLE_SECONDS;
    }
    c->start = c->end;
    c->end = c->idx + 1 < z->ncyc ? c->base + z->cyc[c->idx + 1]
                                  : c->base + SVCQ__CYCLE_SECONDS + z->cyc[0];
    c->off = z->types[z->cyc_type[c->idx]].off;
}

int64_t svcq__tz_cursor_resolve(svcq__tz_cursor *c, int64_t local)
{
    /* Within a segment the local reading t + off grows with t and reaches
     * the values [start + off, end + off). The answer lies in the first
     * segment whose readings reach local. */
    for (;;) {
        if (c->end == INT64_MAX || c->end > local - c->off) {
            int64_t t = local - c->off;
            return t > c->start ? t : c->start;
        }
        svcq__tz_cursor_next(c);
    }
}

int64_t svcq__tz_resolve(const svcq_tz *z, int64_t local)
{
    svcq__tz_cursor c;
    svcq__tz_cursor_init(&c, z, local - 2 * SVCQ__DAY);
    return svcq__tz_cursor_resolve(&c, local);
}

int svcq_tz_local_to_utc(svcq_time *out, const svcq_tz *tz, int32_t year, int32_t month,
                         int32_t day, int32_t second_of_day)
{
    if (!tz)
        return SVCQ_EINVAL; /* no context to write to */
    if (!out)
        return svcq__error(tz->ctx, SVCQ_EINVAL, "svcq_tz_local_to_utc (zone %s): NULL out",
                           tz->name);
    if (!svcq__valid_date(year, month, day, 1, 9999) || second_of_day < 0 || second_of_day >= SVCQ__DAY)
        return svcq__error(tz->ctx, SVCQ_EINVAL, "zone %s: impossible local time %d-%02d-%02d +%ds",
                           tz->name, year, month, day, second_of_day);
    *out = svcq__tz_resolve(tz, svcq__days_from_civil(year, month, day) * SVCQ__DAY + second_of_day);
    return SVCQ_OK;
}

int svcq_tz_utc_to_local(int32_t *year, int32_t *month, int32_t *day, int32_t *second_of_day,
                         const svcq_tz *tz, svcq_time t)
{
    if (!tz)
        return SVCQ_EINVAL;
    /* Years 1 to 9999 of local time, with room for the offset. */
    const int64_t lo = -62135596800 + 2 * SVCQ__DAY, hi = 253402300800 - 2 * SVCQ__DAY;
    if (t < lo - 4 * SVCQ__DAY || t > hi + 4 * SVCQ__DAY)
        return svcq__error(tz->ctx, SVCQ_ERANGE, "zone %s: instant %lld is outside the years 1 to 9999",
                           tz->name, (long long)t);
    int64_t local = t + svcq__tz_offset_at(tz, t);
    int64_t days = svcq__floor_div(local, SVCQ__DAY);
    int64_t y;
    int32_t m, d;
    svcq__civil_from_days(days, &y, &m, &d);
    if (y < 1 || y > 9999)
        return svcq__error(tz->ctx, SVCQ_ERANGE, "zone %s: instant %lld is outside the years 1 to 9999",
                           tz->name, (long long)t);
    if (year)
        *year = (int32_t)y;
    if (month)
        *month = m;
    if (day)
        *day = d;
    if (second_of_day)
        *second_of_day = (int32_t)(local - days * SVCQ__DAY);
    return SVCQ_OK;
}

/* ---- POSIX TZ strings --------------------------------------------------- */

enum { RULE_JULIAN = 1, RULE_ZERO = 2, RULE_MONTH = 3 };

typedef struct tz_date_rule {
    int32_t kind;
    int32_t a, b, c; /* J: a = n; n: a = n; M: a = month, b = week, c = weekday */
    int32_t time;    /* seconds after local midnight, -167h..167h */
} tz_date_rule;

typedef struct tz_rule {
    char std_name[TZ_ABBR_MAX + 1];
    char dst_name[TZ_ABBR_MAX + 1];
    int32_t std_off, dst_off; /* east of UTC */
    int32_t has_dst;
    tz_date_rule start, end;
} tz_rule;

typedef struct tz_parser {
    const char *s;
    size_t n, i;
    const char *err;
} tz_parser;

static bool p_fail(tz_parser *p, const char *what)
{
    if (!p->err)
        p->err = what;
    return false;
}

static bool p_digit(const tz_parser *p)
{
    return p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9';
}

static bool p_num(tz_parser *p, int32_t lo, int32_t hi, int32_t *out, const char *what)
{
    if (!p_digit(p))
        return p_fail(p, what);
    int32_t v = 0;
    while (p_digit(p)) {
        v = v * 10 + (p->s[p->i++] - '0');
        if (v > hi)
            return p_fail(p, what);
    }
    if (v < lo)
        return p_fail(p, what);
    *out = v;
    return true;
}

static bool p_name(tz_parser *p, char *out)
{
    size_t len = 0;
    if (p->i < p->n && p->s[p->i] == '<') {
        p->i++;
        while (p->i < p->n && p->s[p->i] != '>') {
            char ch = p->s[p->i];
            bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                      (ch >= '0' && ch <= '9') || ch == '+' || ch == '-';
            if (!ok || len == TZ_ABBR_MAX)
                return p_fail(p, "bad character or length in a quoted zone abbreviation");
            out[len++] = ch;
            p->i++;
        }
        if (p->i == p->n)
            return p_fail(p, "unterminated quoted zone abbreviation");
        p->i++;
    } else {
        while (p->i < p->n && ((p->s[p->i] >= 'A' && p->s[p->i] <= 'Z') ||
                               (p->s[p->i] >= 'a' && p->s[p->i] <= 'z'))) {
            if (len == TZ_ABBR_MAX)
                return p_fail(p, "zone abbreviation too long");
            out[len++] = p->s[p->i++];
        }
    }
    if (len < TZ_ABBR_MIN)
        return p_fail(p, "zone abbreviation shorter than 3 characters");
    out[len] = '\0';
    return true;
}

/* [+-]hh[:mm[:ss]] with hh in 0..max_h; returns seconds (signed as written). */
static bool p_hms(tz_parser *p, int32_t max_h, int32_t *out)
{
    int32_t sign = 1, h, m = 0, s = 0;
    if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
        sign = p->s[p->i++] == '-' ? -1 : 1;
    if (!p_num(p, 0, max_h, &h, "bad hours in a TZ offset or time"))
        return false;
    if (p->i < p->n && p->s[p->i] == ':') {
        p->i++;
        if (!p_num(p, 0, 59, &m, "bad minutes in a TZ offset or time"))
            return false;
        if (p->i < p->n && p->s[p->i] == ':') {
            p->i++;
            if (!p_num(p, 0, 59, &s, "bad seconds in a TZ offset or time"))
                return false;
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return true;
}

static bool p_date(tz_parser *p, tz_date_rule *r)
{
    memset(r, 0, sizeof(*r));
    if (p->i < p->n && p->s[p->i] == 'J') {
        p->i++;
        r->kind = RULE_JULIAN;
        if (!p_num(p, 1, 365, &r->a, "bad Jn day (1 to 365)"))
            return false;
    } else if (p->i < p->n && p->s[p->i] == 'M') {
        p->i++;
        r->kind = RULE_MONTH;
        if (!p_num(p, 1, 12, &r->a, "bad month in an Mm.w.d rule"))
            return false;
        if (p->i >= p->n || p->s[p->i] != '.')
            return p_fail(p, "expected '.' in an Mm.w.d rule");
        p->i++;
        if (!p_num(p, 1, 5, &r->b, "bad week in an Mm.w.d rule"))
            return false;
        if (p->i >= p->n || p->s[p->i] != '.')
            return p_fail(p, "expected '.' in an Mm.w.d rule");
        p->i++;
        if (!p_num(p, 0, 6, &r->c, "bad weekday in an Mm.w.d rule"))
            return false;
    } else {
        r->kind = RULE_ZERO;
        if (!p_num(p, 0, 365, &r->a, "bad day of year (0 to 365)"))
            return false;
    }
    r->time = 2 * 3600;
    if (p->i < p->n && p->s[p->i] == '/') {
        p->i++;
        if (!p_hms(p, 167, &r->time))
            return false;
    }
    return true;
}

static bool tz_parse_posix(const char *s, size_t n, tz_rule *r, tz_parser *p)
{
    memset(r, 0, sizeof(*r));
    p->s = s;
    p->n = n;
    p->i = 0;
    p->err = NULL;
    int32_t off;
    if (!p_name(p, r->std_name))
        return false;
    if (!p_hms(p, 24, &off))
        return false;
    r->std_off = -off; /* POSIX offsets count west */
    if (p->i == p->n)
        return true;
    r->has_dst = 1;
    if (!p_name(p, r->dst_name))
        return false;
    r->dst_off = r->std_off + 3600;
    if (p->i < p->n && p->s[p->i] != ',') {
        if (!p_hms(p, 24, &off))
            return false;
        r->dst_off = -off;
    }
    if (p->i == p->n)
        return p_fail(p, "a zone with daylight saving time needs start and end rules");
    if (p->s[p->i] != ',')
        return p_fail(p, "expected ',' before the start rule");
    p->i++;
    if (!p_date(p, &r->start))
        return false;
    if (p->i >= p->n || p->s[p->i] != ',')
        return p_fail(p, "expected ',' before the end rule");
    p->i++;
    if (!p_date(p, &r->end))
        return false;
    if (p->i != p->n)
        return p_fail(p, "unexpected characters after the end rule");
    return true;
}

/* Local seconds (days since 1970 * 86400 + time) of a rule date in year y. */
static int64_t rule_local(const tz_date_rule *r, int64_t y)
{
    int64_t day;
    switch (r->kind) {
    case RULE_JULIAN:
        day = svcq__days_from_civil(y, 1, 1) + r->a - 1 + (svcq__is_leap(y) && r->a >= 60);
        break;
    case RULE_ZERO:
        day = svcq__days_from_civil(y, 1, 1) + r->a;
        break;
    default: {
        int64_t first = svcq__days_from_civil(y, r->a, 1);
        int32_t wd0 = svcq__weekday(first) % 7; /* 0 = Sunday */
        int32_t dom = 1 + (r->c - wd0 + 7) % 7 + (r->b - 1) * 7;
        int32_t dim = svcq__days_in_month(y, r->a);
        while (dom > dim)
            dom -= 7;
        day = first + dom - 1;
        break;
    }
    }
    return day * SVCQ__DAY + r->time;
}

typedef struct rule_event {
    int64_t t;
    uint8_t dst;
} rule_event;

/* Expands a DST rule over one 400-year cycle: transitions in
 * [0, SVCQ__CYCLE_SECONDS) and the state at 0. Types: 0 = std, 1 = dst
 * (relative to the zone's rule types). */
static int rule_cycle(svcq_ctx *ctx, const tz_rule *r, int64_t **times, uint8_t **states,
                      uint32_t *count, uint8_t *state0)
{
    size_t nev = (size_t)(CYC_YEAR_LAST - CYC_YEAR_FIRST + 1) * 2;
    rule_event *ev = svcq__calloc(ctx, nev, sizeof(*ev));
    if (!ev)
        return svcq__enomem(ctx);
    size_t k = 0;
    for (int64_t y = CYC_YEAR_FIRST; y <= CYC_YEAR_LAST; y++) {
        rule_event a = { rule_local(&r->start, y) - r->std_off, 1 };
        rule_event b = { rule_local(&r->end, y) - r->dst_off, 0 };
        /* Insertion keeps the sort stable: for equal times, the event
         * generated later (a later year) wins. */
        rule_event both[2] = { a, b };
        if (b.t < a.t) {
            both[0] = b;
            both[1] = a;
        }
        for (int j = 0; j < 2; j++) {
            size_t i = k++;
            while (i > 0 && ev[i - 1].t > both[j].t) {
                ev[i] = ev[i - 1];
                i--;
            }
            ev[i] = both[j];
        }
    }
    uint8_t st = 0;
    size_t i = 0;
    while (i < nev && ev[i].t <= 0)
        st = ev[i++].dst;
    *state0 = st;
    /* At most one transition per event. */
    int64_t *ts = svcq__calloc(ctx, nev, sizeof(*ts));
    uint8_t *ss = svcq__calloc(ctx, nev, 1);
    if (!ts || !ss) {
        svcq__free(ctx, ev);
        svcq__free(ctx, ts);
        svcq__free(ctx, ss);
        return svcq__enomem(ctx);
    }
    uint32_t n = 0;
    while (i < nev && ev[i].t < SVCQ__CYCLE_SECONDS) {
        int64_t t = ev[i].t;
        uint8_t s = st;
        while (i < nev && ev[i].t == t)
            s = ev[i++].dst;
        if (s != st) {
            ts[n] = t;
            ss[n] = s;
            n++;
            st = s;
        }
    }
    svcq__free(ctx, ev);
    *times = ts;
    *states = ss;
    *count = n;
    return SVCQ_OK;
}

/* Fills the rule part of z: types base and base+1, the cycle table and the
 * names, which are written into chars at chars_at. */
static void tz_fill_rule(svcq_tz *z, const tz_rule *r, uint16_t base, uint32_t chars_at,
                         const int64_t *times, const uint8_t *states, uint32_t n, uint8_t state0)
{
    size_t ls = strlen(r->std_name);
    memcpy(z->chars + chars_at, r->std_name, ls + 1);
    z->types[base].off = r->std_off;
    z->types[base].dst = 0;
    z->types[base].abbr = chars_at;
    if (r->has_dst) {
        memcpy(z->chars + chars_at + ls + 1, r->dst_name, strlen(r->dst_name) + 1);
        z->types[base + 1].off = r->dst_off;
        z->types[base + 1].dst = 1;
        z->types[base + 1].abbr = chars_at + (uint32_t)ls + 1;
    }
    z->has_rule = 1;
    z->cyc_type0 = (uint16_t)(base + state0);
    for (uint32_t i = 0; i < n; i++) {
        z->cyc[i] = times[i];
        z->cyc_type[i] = (uint16_t)(base + states[i]);
    }
}

static uint32_t rule_chars(const tz_rule *r)
{
    return (uint32_t)(strlen(r->std_name) + 1 + (r->has_dst ? strlen(r->dst_name) + 1 : 0));
}

static int tz_from_rule(svcq_tz **out, svcq_ctx *ctx, const tz_rule *r, const char *name)
{
    int64_t *times = NULL;
    uint8_t *states = NULL;
    uint32_t n = 0;
    uint8_t st0 = 0;
    if (r->has_dst) {
        int rc = rule_cycle(ctx, r, &times, &states, &n, &st0);
        if (rc)
            return rc;
    }
    svcq_tz *z;
    int rc = tz_alloc(ctx, r->has_dst ? 2 : 1, 0, n, rule_chars(r), name, &z);
    if (rc == SVCQ_OK) {
        z->kind = SVCQ__TZ_POSIX;
        tz_fill_rule(z, r, 0, 0, times, states, n, st0);
        *out = z;
    }
    svcq__free(ctx, times);
    svcq__free(ctx, states);
    return rc;
}

int svcq_tz_from_posix(svcq_tz **out, svcq_ctx *ctx, const char *spec)
{
    if (out)
        *out = NULL;
    if (!out || !ctx || !spec)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_tz_from_posix: NULL argument");
    tz_rule r;
    tz_parser p;
    size_t n = strlen(spec);
    if (!tz_parse_posix(spec, n, &r, &p)) {
        bool plain = n <= 64;
        for (size_t i = 0; i < n && plain; i++)
            plain = spec[i] >= 0x20 && spec[i] < 0x7f;
        return svcq__error(ctx, SVCQ_EPARSE, "TZ string \"%s\", at offset %zu: %s",
                           plain ? spec : "(not shown)", p.i, p.err);
    }
    return tz_from_rule(out, ctx, &r, spec);
}

int svcq_tz_fixed(svcq_tz **out, svcq_ctx *ctx, int32_t offset_seconds)
{
    if (out)
        *out = NULL;
    if (!out || !ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_tz_fixed: NULL argument");
    if (offset_seconds < -86399 || offset_seconds > 86399)
        return svcq__error(ctx, SVCQ_EINVAL, "fixed UTC offset %d is outside [-86399, 86399]",
                        offset_seconds);
    char name[32];
    int32_t a = offset_seconds < 0 ? -offset_seconds : offset_seconds;
    if (offset_seconds == 0)
        snprintf(name, sizeof(name), "UTC");
    else if (a % 60)
        snprintf(name, sizeof(name), "UTC%c%02d:%02d:%02d", offset_seconds < 0 ? '-' : '+',
                 a / 3600, a / 60 % 60, a % 60);
    else
        snprintf(name, sizeof(name), "UTC%c%02d:%02d", offset_seconds < 0 ? '-' : '+', a / 3600,
                 a / 60 % 60);
    svcq_tz *z;
    size_t len = strlen(name);
    int rc = tz_alloc(ctx, 1, 0, 0, (uint32_t)len + 1, name, &z);
    if (rc)
        return rc;
    memcpy(z->chars, name, len + 1);
    z->types[0].off = offset_seconds;
    z->kind = SVCQ__TZ_FIXED;
    z->fixed_off = offset_seconds;
    *out = z;
    return SVCQ_OK;
}

/* ---- TZif --------------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64s(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

typedef struct tzif_hdr {
    uint32_t isut, isstd, leap, time, type, chars;
} tzif_hdr;

static void read_hdr(const unsigned char *p, tzif_hdr *h)
{
    h->isut = be32(p + 20);
    h->isstd = be32(p + 24);
    h->leap = be32(p + 28);
    h->time = be32(p + 32);
    h->type = be32(p + 36);
    h->chars = be32(p + 40);
}

static uint64_t block_size(const tzif_hdr *h, unsigned tsize)
{
    return (uint64_t)h->time * (tsize + 1) + (uint64_t)h->type * 6 + h->chars +
           (uint64_t)h->leap * (tsize + 4) + h->isstd + h->isut;
}

typedef struct tzif_view {
    tzif_hdr h;
    unsigned tsize;
    const unsigned char *times, *idx, *types, *chars, *leaps, *isstd, *isut;
} tzif_view;

static int64_t view_time(const tzif_view *v, uint32_t i)
{
    return v->tsize == 8 ? be64s(v->times + 8 * (size_t)i) : (int32_t)be32(v->times + 4 * (size_t)i);
}

static int64_t view_leap_occ(const tzif_view *v, uint32_t i)
{
    const unsigned char *p = v->leaps + (size_t)i * (v->tsize + 4);
    return v->tsize == 8 ? be64s(p) : (int32_t)be32(p);
}

static int32_t view_leap_corr(const tzif_view *v, uint32_t i)
{
    return (int32_t)be32(v->leaps + (size_t)i * (v->tsize + 4) + v->tsize);
}

#define CORRUPT(...) svcq__error(ctx, SVCQ_ECORRUPT, __VA_ARGS__)

static int check_block(svcq_ctx *ctx, const tzif_view *v, int version)
{
    const tzif_hdr *h = &v->h;
    if (h->type == 0)
        return CORRUPT("TZif: no local time types");
    if (h->type > 256)
        return CORRUPT("TZif: %u local time types (at most 256)", h->type);
    if (h->chars == 0)
        return CORRUPT("TZif: empty designation table");
    if (h->isstd != 0 && h->isstd != h->type)
        return CORRUPT("TZif: standard/wall indicator count %u differs from type count %u",
                       h->isstd, h->type);
    if (h->isut != 0 && h->isut != h->type)
        return CORRUPT("TZif: UT/local indicator count %u differs from type count %u", h->isut,
                       h->type);
    for (uint32_t i = 0; i < h->time; i++) {
        if (i && view_time(v, i) <= view_time(v, i - 1))
            return CORRUPT("TZif: transition %u is not after transition %u", i, i - 1);
        if (v->idx[i] >= h->type)
            return CORRUPT("TZif: transition %u names type %u of %u", i, v->idx[i], h->type);
    }
    for (uint32_t i = 0; i < h->type; i++) {
        const unsigned char *t = v->types + 6 * (size_t)i;
        int32_t off = (int32_t)be32(t);
        if (off < TZ_OFF_MIN || off > TZ_OFF_MAX)
            return CORRUPT("TZif: type %u has UT offset %d outside [-89999, 93599]", i, off);
        if (t[4] > 1)
            return CORRUPT("TZif: type %u has DST flag %u", i, t[4]);
        if (t[5] >= h->chars || !memchr(v->chars + t[5], '\0', h->chars - t[5]))
            return CORRUPT("TZif: type %u has a designation index out of the table", i);
    }
    for (uint32_t i = 0; i < h->leap; i++) {
        int64_t occ = view_leap_occ(v, i);
        int32_t corr = view_leap_corr(v, i);
        if (i == 0) {
            if (occ < 0)
                return CORRUPT("TZif: first leap second at a negative time");
            if (version < 4 && corr != 1 && corr != -1)
                return CORRUPT("TZif: first leap second correction %d is not +-1", corr);
            continue;
        }
        int64_t prev = view_leap_occ(v, i - 1);
        int32_t pc = view_leap_corr(v, i - 1);
        if (occ <= prev || (uint64_t)occ - (uint64_t)prev < 2419199)
            return CORRUPT("TZif: leap second records %u and %u are less than 28 days apart",
                           i - 1, i);
        int64_t d = (int64_t)corr - pc;
        bool expiry = version >= 4 && i + 1 == h->leap && d == 0;
        if (d != 1 && d != -1 && !expiry)
            return CORRUPT("TZif: leap second correction jumps from %d to %d", pc, corr);
    }
    for (uint32_t i = 0; i < h->isstd; i++)
        if (v->isstd[i] > 1)
            return CORRUPT("TZif: standard/wall indicator %u is %u", i, v->isstd[i]);
    for (uint32_t i = 0; i < h->isut; i++) {
        if (v->isut[i] > 1)
            return CORRUPT("TZif: UT/local indicator %u is %u", i, v->isut[i]);
        if (v->isut[i] && (!h->isstd || !v->isstd[i]))
            return CORRUPT("TZif: type %u is UT but not standard time", i);
    }
    return SVCQ_OK;
}

static void make_view(tzif_view *v, const unsigned char *p, const tzif_hdr *h, unsigned tsize)
{
    v->h = *h;
    v->tsize = tsize;
    v->times = p;
    v->idx = v->times + (size_t)h->time * tsize;
    v->types = v->idx + h->time;
    v->chars = v->types + (size_t)h->type * 6;
    v->leaps = v->chars + h->chars;
    v->isstd = v->leaps + (size_t)h->leap * (tsize + 4);
    v->isut = v->isstd + h->isstd;
}

static int tzif_make(svcq_tz **out, svcq_ctx *ctx, const void *data, size_t size,
                     const char *name)
{
    if (out)
        *out = NULL;
    if (!out || !ctx || (!data && size))
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_tz_from_tzif: NULL argument");
    if (name && !svcq__utf8_valid(name, strlen(name)))
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_tz_from_tzif: name is not UTF-8");
    const unsigned char *b = data;
    if (size < 44)
        return CORRUPT("TZif: truncated header (%zu bytes)", size);
    if (memcmp(b, "TZif", 4) != 0)
        return CORRUPT("TZif: bad magic, not TZif data");
    unsigned char vb = b[4];
    if (vb != 0 && vb < '2')
        return svcq__error(ctx, SVCQ_EVERSION, "TZif: unknown version byte 0x%02x", vb);
    int version = vb == 0 ? 1 : vb - '0';
    tzif_hdr h;
    read_hdr(b, &h);
    uint64_t v1 = block_size(&h, 4);
    if (v1 > size - 44)
        return CORRUPT("TZif: truncated version 1 data (needs %llu bytes, has %zu)",
                       (unsigned long long)v1, size - 44);
    tzif_view v;
    size_t end;
    if (version == 1) {
        make_view(&v, b + 44, &h, 4);
        end = 44 + (size_t)v1;
    } else {
        size_t at = 44 + (size_t)v1;
        if (size - at < 44)
            return CORRUPT("TZif: truncated version 2+ header at byte %zu", at);
        if (memcmp(b + at, "TZif", 4) != 0 || b[at + 4] != vb)
            return CORRUPT("TZif: bad second header at byte %zu", at);
        tzif_hdr h2;
        read_hdr(b + at, &h2);
        uint64_t v2 = block_size(&h2, 8);
        if (v2 > size - at - 44)
            return CORRUPT("TZif: truncated version 2+ data (needs %llu bytes, has %zu)",
                           (unsigned long long)v2, size - at - 44);
        make_view(&v, b + at + 44, &h2, 8);
        end = at + 44 + (size_t)v2;
    }
    int rc = check_block(ctx, &v, version);
    if (rc)
        return rc;

    tz_rule rule;
    bool has_rule = false;
    if (version == 1) {
        if (end != size)
            return CORRUPT("TZif: %zu bytes after the version 1 data", size - end);
    } else {
        if (end >= size || b[end] != '\n')
            return CORRUPT("TZif: missing footer at byte %zu", end);
        const unsigned char *nl = memchr(b + end + 1, '\n', size - end - 1);
        if (!nl)
            return CORRUPT("TZif: unterminated footer");
        size_t flen = (size_t)(nl - (b + end + 1));
        if ((size_t)(nl - b) + 1 != size)
            return CORRUPT("TZif: %zu bytes after the footer", size - (size_t)(nl - b) - 1);
        if (flen) {
            tz_parser p;
            if (!tz_parse_posix((const char *)b + end + 1, flen, &rule, &p))
                return CORRUPT("TZif: footer TZ string, at offset %zu: %s", p.i, p.err);
            has_rule = true;
        }
    }

    int64_t *ctimes = NULL;
    uint8_t *cstates = NULL;
    uint32_t ncyc = 0;
    uint8_t st0 = 0;
    if (has_rule && rule.has_dst) {
        rc = rule_cycle(ctx, &rule, &ctimes, &cstates, &ncyc, &st0);
        if (rc)
            return rc;
    }
    uint32_t ntypes = v.h.type + (has_rule ? 1u + (uint32_t)rule.has_dst : 0u);
    uint32_t nchars = v.h.chars + (has_rule ? rule_chars(&rule) : 0u);
    svcq_tz *z;
    rc = tz_alloc(ctx, ntypes, v.h.time, ncyc, nchars, name, &z);
    if (rc)
        goto done;
    memcpy(z->chars, v.chars, v.h.chars);
    for (uint32_t i = 0; i < v.h.type; i++) {
        const unsigned char *t = v.types + 6 * (size_t)i;
        z->types[i].off = (int32_t)be32(t);
        z->types[i].dst = t[4];
        z->types[i].abbr = t[5];
    }
    /* Leap-second data counts leap seconds in its times; svcq_time does not:
     * subtract the correction in effect at each transition. */
    uint32_t li = 0;
    int32_t corr = 0;
    for (uint32_t i = 0; i < v.h.time; i++) {
        int64_t t = view_time(&v, i);
        while (li < v.h.leap && view_leap_occ(&v, li) <= t)
            corr = view_leap_corr(&v, li++);
        z->trans_type[i] = v.idx[i];
        if (__builtin_sub_overflow(t, (int64_t)corr, &z->trans[i]) ||
            (i && z->trans[i] <= z->trans[i - 1])) {
            svcq_tz_free(z);
            rc = CORRUPT("TZif: transition %u is out of order after leap-second correction", i);
            goto done;
        }
    }
    if (has_rule) {
        tz_fill_rule(z, &rule, (uint16_t)v.h.type, v.h.chars, ctimes, cstates, ncyc, st0);
        if (v.h.time) {
            svcq__tz_type last = z->types[z->trans_type[v.h.time - 1]];
            svcq__tz_type ru = z->types[rule_type_at(z, z->trans[v.h.time - 1])];
            if (last.off != ru.off || last.dst != ru.dst) {
                svcq_tz_free(z);
                rc = CORRUPT("TZif: footer (offset %d, dst %u) disagrees with the last "
                             "transition (offset %d, dst %u)",
                             ru.off, ru.dst, last.off, last.dst);
                goto done;
            }
        }
    }
    *out = z;
done:
    svcq__free(ctx, ctimes);
    svcq__free(ctx, cstates);
    return rc;
}

/* ---- loading by name ---------------------------------------------------- */

int svcq_tz_from_tzif(svcq_tz **out, svcq_ctx *ctx, const void *data, size_t size,
                      const char *name)
{
    int rc = tzif_make(out, ctx, data, size, name);
    /* Name the zone in what the reader found wrong with its data. */
    if ((rc == SVCQ_ECORRUPT || rc == SVCQ_EVERSION) && name && name[0]) {
        rc = svcq__error_prefix(ctx, rc, "zone %s", name);
    }
    return rc;
}

static bool valid_zone_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 255 || name[0] == '/')
        return false;
    size_t comp = 0; /* length of the current component */
    bool dots_only = true;
    for (size_t i = 0; i <= n; i++) {
        char ch = name[i];
        if (ch == '/' || ch == '\0') {
            if (comp == 0 || (dots_only && comp <= 2))
                return false;
            comp = 0;
            dots_only = true;
            continue;
        }
        bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                  (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '+' || ch == '.';
        if (!ok)
            return false;
        if (ch != '.')
            dots_only = false;
        comp++;
    }
    return true;
}

int svcq_tz_load(svcq_tz **out, svcq_ctx *ctx, const char *name, const char *zoneinfo_dir)
{
    if (out)
        *out = NULL;
    if (!out || !ctx || !name)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_tz_load: NULL argument");
    if (!valid_zone_name(name))
        return svcq__error(ctx, SVCQ_EINVAL, "not a valid time zone name (ASCII letters, digits, "
                                          "'_', '-', '+', '.' in '/'-separated components)");
    const char *dir = zoneinfo_dir ? zoneinfo_dir : SVCQ_TZ_DEFAULT_DIR;
    size_t dl = strlen(dir), nl = strlen(name);
    char *path = svcq__malloc(ctx, dl + nl + 2);
    if (!path)
        return svcq__enomem(ctx);
    memcpy(path, dir, dl);
    path[dl] = '/';
    memcpy(path + dl + 1, name, nl + 1);

    int rc;
    unsigned char *buf = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            rc = svcq__error(ctx, SVCQ_ENOTFOUND, "unknown time zone \"%s\" (no file %s)", name, path);
        else
            rc = svcq__error(ctx, SVCQ_EIO, "cannot open %s: %s", path, strerror(errno));
        goto done;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = svcq__error(ctx, SVCQ_EIO, "cannot stat %s: %s", path, strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = svcq__error(ctx, SVCQ_ENOTFOUND, "unknown time zone \"%s\" (%s is not a file)", name,
                      path);
        goto done;
    }
    if (st.st_size > (off_t)TZ_MAX_FILE) {
        rc = svcq__error(ctx, SVCQ_ELIMIT, "%s is larger than 1 MiB", path);
        goto done;
    }
    size_t cap = (size_t)st.st_size + 1, len = 0;
    buf = svcq__malloc(ctx, cap);
    if (!buf) {
        rc = svcq__enomem(ctx);
        goto done;
    }
    /* Read to the end; a file that grows past its stat size is refused. */
    for (;;) {
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            rc = svcq__error(ctx, SVCQ_EIO, "cannot read %s: %s", path, strerror(errno));
            goto done;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len == cap) {
            rc = svcq__error(ctx, SVCQ_ELIMIT, "%s grew while being read", path);
            goto done;
        }
    }
    rc = svcq_tz_from_tzif(out, ctx, buf, len, name);
done:
    if (fd >= 0)
        close(fd);
    svcq__free(ctx, buf);
    svcq__free(ctx, path);
    return rc;
}
