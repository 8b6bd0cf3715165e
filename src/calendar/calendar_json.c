/* Calendars as JSON documents, schema "svcq.calendar/1" (docs/format.md):
 *
 *   {"schema": "svcq.calendar/1",
 *    "zone": {"name": "Asia/Shanghai"}   or {"posix": "..."} or {"utc_offset": 28800},
 *    "options": {"rt_next_opening": false},
 *    "week": {"monday": [["09:00", "12:00"], ["13:00", "18:00"]], ..., "sunday": []},
 *    "dates": [{"date": "2025-10-01", "closed": true},
 *              {"date": "2025-09-28", "like": "monday"},
 *              {"date": "2025-12-31", "hours": [["09:00", "12:00"]]}]}
 *
 * Times are "H:MM", "HH:MM" or "HH:MM:SS" after local midnight, up to
 * "48:00" for intervals that cross midnight; the reader also takes plain
 * integers (seconds). */
#include <stdio.h>
#include <string.h>

#include "calendar/calendar_internal.h"
#include "calendar/tz.h"
#include "core/json.h"
#include "core/utf8.h"
#include "store/record.h"

#define SCHEMA_PREFIX "svcq.calendar/"
#define SCHEMA_VERSION 1

static const char *const day_keys[7] = { "monday", "tuesday", "wednesday", "thursday",
                                         "friday", "saturday", "sunday" };

/* ---- export ------------------------------------------------------------- */

static void fmt_time(char *buf, size_t size, int32_t s)
{
    if (s % 60)
        snprintf(buf, size, "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, size, "%02d:%02d", s / 3600, s / 60 % 60);
}

static int write_intervals(svcq__jw *w, const int32_t *iv, size_t n)
{
    int rc = svcq__jw_array_begin(w);
    for (size_t i = 0; i < n && rc == SVCQ_OK; i++) {
        char a[16], b[16];
        fmt_time(a, sizeof(a), iv[2 * i]);
        fmt_time(b, sizeof(b), iv[2 * i + 1]);
        rc = svcq__jw_array_begin(w);
        if (rc == SVCQ_OK)
            rc = svcq__jw_string(w, a);
        if (rc == SVCQ_OK)
            rc = svcq__jw_string(w, b);
        if (rc == SVCQ_OK)
            rc = svcq__jw_array_end(w);
    }
    if (rc == SVCQ_OK)
        rc = svcq__jw_array_end(w);
    return rc;
}

/* Whether the calendar's zone can be written: by name, POSIX string or
 * offset. */
static int check_exportable(svcq_ctx *ctx, const svcq_calendar *cal)
{
    const svcq_tz *tz = svcq_calendar_tz(cal);
    char who[SVCQ__ERRMSG_SIZE];
    if (tz->kind == SVCQ__TZ_TZIF && tz->name[0] == '\0')
        return svcq__error(ctx, SVCQ_ESTATE,
                        "%s: its zone was made from TZif data without a name; "
                        "give svcq_tz_from_tzif() a name to export or save it",
                        svcq__calendar_label(cal, who, sizeof(who)));
    return SVCQ_OK;
}

/* The members after "schema" (the object stays open). */
static int write_members(svcq__jw *w, const svcq_calendar *cal)
{
    const svcq_tz *tz = svcq_calendar_tz(cal);
    int rc = svcq__jw_key(w, "zone");
    if (rc == SVCQ_OK)
        rc = svcq__jw_object_begin(w);
    if (rc == SVCQ_OK) {
        if (tz->kind == SVCQ__TZ_FIXED) {
            rc = svcq__jw_key(w, "utc_offset");
            if (rc == SVCQ_OK)
                rc = svcq__jw_int(w, tz->fixed_off);
        } else {
            rc = svcq__jw_key(w, tz->kind == SVCQ__TZ_POSIX ? "posix" : "name");
            if (rc == SVCQ_OK)
                rc = svcq__jw_string(w, tz->name);
        }
    }
    if (rc == SVCQ_OK)
        rc = svcq__jw_object_end(w);
    svcq_calendar_options o;
    if (rc == SVCQ_OK)
        rc = svcq_calendar_get_options(&o, cal);
    if (rc == SVCQ_OK)
        rc = svcq__jw_key(w, "options");
    if (rc == SVCQ_OK)
        rc = svcq__jw_object_begin(w);
    if (rc == SVCQ_OK)
        rc = svcq__jw_key(w, "rt_next_opening");
    if (rc == SVCQ_OK)
        rc = svcq__jw_bool(w, (o.flags & SVCQ_CALENDAR_RT_NEXT_OPENING) != 0);
    if (rc == SVCQ_OK)
        rc = svcq__jw_object_end(w);
    if (rc == SVCQ_OK)
        rc = svcq__jw_key(w, "week");
    if (rc == SVCQ_OK)
        rc = svcq__jw_object_begin(w);
    for (int32_t d = 1; d <= 7 && rc == SVCQ_OK; d++) {
        const int32_t *iv;
        size_t n;
        rc = svcq_calendar_get_weekday(&iv, &n, cal, d);
        if (rc == SVCQ_OK)
            rc = svcq__jw_key(w, day_keys[d - 1]);
        if (rc == SVCQ_OK)
            rc = write_intervals(w, iv, n);
    }
    if (rc == SVCQ_OK)
        rc = svcq__jw_object_end(w);
    if (rc == SVCQ_OK)
        rc = svcq__jw_key(w, "dates");
    if (rc == SVCQ_OK)
        rc = svcq__jw_array_begin(w);
    size_t nd = svcq_calendar_date_count(cal);
    for (size_t i = 0; i < nd && rc == SVCQ_OK; i++) {
        int32_t y = 0, m = 0, d = 0, kind = 0, like = 0;
        const int32_t *iv;
        size_t n;
        rc = svcq_calendar_date_at(&y, &m, &d, &kind, &like, &iv, &n, cal, i);
        char date[16];
        snprintf(date, sizeof(date), "%04d-%02d-%02d", y, m, d);
        if (rc == SVCQ_OK)
            rc = svcq__jw_object_begin(w);
        if (rc == SVCQ_OK)
            rc = svcq__jw_key(w, "date");
        if (rc == SVCQ_OK)
            rc = svcq__jw_string(w, date);
        if (rc == SVCQ_OK) {
            if (kind == SVCQ_DATE_CLOSED) {
                rc = svcq__jw_key(w, "closed");
                if (rc == SVCQ_OK)
                    rc = svcq__jw_bool(w, true);
            } else if (kind == SVCQ_DATE_LIKE) {
                rc = svcq__jw_key(w, "like");
                if (rc == SVCQ_OK)
                    rc = svcq__jw_string(w, day_keys[like - 1]);
            } else {
                rc = svcq__jw_key(w, "hours");
                if (rc == SVCQ_OK)
                    rc = write_intervals(w, iv, n);
            }
        }
        if (rc == SVCQ_OK)
            rc = svcq__jw_object_end(w);
    }
    if (rc == SVCQ_OK)
        rc = svcq__jw_array_end(w);
    return rc;
}

int svcq_calendar_export_json(const svcq_calendar *cal, const svcq_writer *writer, uint32_t flags)
{
    if (!cal || !writer)
        return svcq__error(cal ? svcq__calendar_ctx(cal) : NULL, SVCQ_EINVAL,
                        "svcq_calendar_export_json: NULL argument");
    svcq_ctx *ctx = svcq__calendar_ctx(cal);
    if (flags & ~SVCQ_CALENDAR_JSON_PRETTY) {
        char who[SVCQ__ERRMSG_SIZE];
        return svcq__error(ctx, SVCQ_EINVAL, "%s: svcq_calendar_export_json: unknown flags 0x%x",
                           svcq__calendar_label(cal, who, sizeof(who)), flags);
    }
    int rc = check_exportable(ctx, cal);
    if (rc)
        return rc;
    /* The writer state is large (it buffers a chunk): keep it off small
     * stacks by allocating it. */
    svcq__jw *w = svcq__malloc(ctx, sizeof(*w));
    if (!w)
        return svcq__enomem(ctx);
    svcq__jw_init_writer(w, ctx, writer);
    rc = svcq__jw_set_pretty(w, (flags & SVCQ_CALENDAR_JSON_PRETTY) != 0);
    if (rc == SVCQ_OK)
        rc = svcq__record_begin(w, SVCQ__CALENDAR_KIND, SCHEMA_VERSION);
    if (rc == SVCQ_OK)
        rc = write_members(w, cal);
    if (rc == SVCQ_OK)
        rc = svcq__jw_object_end(w);
    int frc = svcq__jw_finish(w);
    svcq__free(ctx, w);
    return rc ? rc : frc;
}

int svcq__calendar_encode(const svcq_calendar *cal, svcq__buf *out)
{
    svcq_ctx *ctx = svcq__calendar_ctx(cal);
    int rc = check_exportable(ctx, cal);
    if (rc)
        return rc;
    svcq__jw *w = svcq__malloc(ctx, sizeof(*w));
    if (!w)
        return svcq__enomem(ctx);
    svcq__jw_init_buf(w, ctx, out);
    rc = svcq__record_begin(w, SVCQ__CALENDAR_KIND, SCHEMA_VERSION);
    if (rc == SVCQ_OK)
        rc = write_members(w, cal);
    int frc = svcq__record_end(w);
    svcq__free(ctx, w);
    return rc ? rc : frc;
}

/* ---- import ------------------------------------------------------------- */

#define BAD(...) svcq__error(ctx, SVCQ_ECORRUPT, __VA_ARGS__)

/* Up to 24 bytes of s for a message, cut on a UTF-8 boundary. */
static const char *excerpt(char buf[32], const char *s)
{
    size_t n = strlen(s);
    if (n > 24)
        n = svcq__utf8_trim(s, 24);
    memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

static int weekday_of(const char *s)
{
    for (int i = 0; i < 7; i++)
        if (strcmp(s, day_keys[i]) == 0)
            return i + 1;
    return 0;
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* "H:MM", "HH:MM" or "HH:MM:SS" (hours up to 48), or integer seconds. */
static int read_time(svcq_ctx *ctx, const svcq__json *v, const char *where, int32_t *out)
{
    int64_t i;
    if (svcq__json_typeof(v) == SVCQ__JSON_INT && svcq__json_as_int(v, &i)) {
        if (i < 0 || i > 2 * 86400)
            return BAD("%s: time %lld is outside 0 to 172800 seconds", where, (long long)i);
        *out = (int32_t)i;
        return SVCQ_OK;
    }
    size_t n;
    const char *s = svcq__json_as_string(v, &n);
    if (!s)
        return BAD("%s: a time must be a string like \"09:30\" or seconds, found %s", where,
                    svcq__json_type_name(svcq__json_typeof(v)));
    size_t h = n >= 2 && s[1] == ':' ? 1 : 2; /* digits of the hour */
    bool ok = (n == h + 3 || n == h + 6) && digits(s, h) && s[h] == ':' && digits(s + h + 1, 2) &&
              (n == h + 3 || (s[h + 3] == ':' && digits(s + h + 4, 2)));
    char ex[32];
    if (!ok || memchr(s, '\0', n))
        return BAD("%s: \"%s\" is not a time like \"09:30\" or \"09:30:15\"", where,
                   memchr(s, '\0', n) ? "" : excerpt(ex, s));
    int hh = num(s, h), mm = num(s + h + 1, 2), ss = n == h + 6 ? num(s + h + 4, 2) : 0;
    if (hh > 48 || mm > 59 || ss > 59 || (hh == 48 && (mm || ss)))
        return BAD("%s: \"%s\" is not a time from 00:00 to 48:00", where, excerpt(ex, s));
    *out = hh * 3600 + mm * 60 + ss;
    return SVCQ_OK;
}

/* An array of [start, end] pairs into iv (room for max pairs). */
static int read_intervals(svcq_ctx *ctx, const svcq__json *arr, const char *where, int32_t *iv,
                          size_t max, size_t *count)
{
    if (svcq__json_typeof(arr) != SVCQ__JSON_ARRAY)
        return BAD("%s: expected an array of [start, end] pairs, found %s", where,
                   svcq__json_type_name(svcq__json_typeof(arr)));
    size_t n = svcq__json_array_size(arr);
    if (n > max)
        return svcq__error(ctx, SVCQ_ELIMIT, "%s: %zu intervals (at most %d)", where, n,
                        SVCQ_CALENDAR_MAX_INTERVALS);
    for (size_t i = 0; i < n; i++) {
        const svcq__json *p = svcq__json_array_get(arr, i);
        if (svcq__json_typeof(p) != SVCQ__JSON_ARRAY || svcq__json_array_size(p) != 2)
            return BAD("%s: interval %zu must be a [start, end] pair", where, i);
        int rc = read_time(ctx, svcq__json_array_get(p, 0), where, &iv[2 * i]);
        if (rc == SVCQ_OK)
            rc = read_time(ctx, svcq__json_array_get(p, 1), where, &iv[2 * i + 1]);
        if (rc)
            return rc;
    }
    *count = n;
    return SVCQ_OK;
}

static int read_zone(svcq_ctx *ctx, const svcq__json *root, const char *dir, const svcq_tz *hint,
                     svcq_tz **out)
{
    const svcq__json *z;
    int rc = svcq__json_get_object(ctx, root, "zone", true, &z);
    if (rc)
        return rc;
    const svcq__json *name = svcq__json_get(z, "name"), *posix = svcq__json_get(z, "posix"),
                  *fixed = svcq__json_get(z, "utc_offset");
    if ((name != NULL) + (posix != NULL) + (fixed != NULL) != 1)
        return BAD("field \"zone\": needs exactly one of \"name\", \"posix\", \"utc_offset\"");
    if (fixed) {
        int64_t off = 0;
        rc = svcq__json_get_int(ctx, z, "utc_offset", true, &off);
        if (rc)
            return rc;
        if (off < -86399 || off > 86399)
            return BAD("field \"utc_offset\": %lld is outside [-86399, 86399]", (long long)off);
        return svcq_tz_fixed(out, ctx, (int32_t)off);
    }
    const char *s = NULL;
    rc = svcq__json_get_string(ctx, z, posix ? "posix" : "name", true, &s, NULL);
    if (rc)
        return rc;
    if (posix)
        return svcq_tz_from_posix(out, ctx, s);
    if (hint && strcmp(svcq_tz_name(hint), s) == 0)
        return svcq__tz_clone(ctx, hint, out);
    return svcq_tz_load(out, ctx, s, dir);
}

static int read_date(svcq_ctx *ctx, const char *s, int32_t *y, int32_t *m, int32_t *d)
{
    if (strlen(s) != 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
        !digits(s + 8, 2))
    {
        char ex[32];
        return BAD("field \"date\": \"%s\" is not a date like \"2025-10-01\"", excerpt(ex, s));
    }
    *y = num(s, 4);
    *m = num(s + 5, 2);
    *d = num(s + 8, 2);
    return SVCQ_OK;
}

static int read_dates(svcq_ctx *ctx, const svcq__json *root, svcq_calendar *cal)
{
    const svcq__json *arr = NULL;
    int rc = svcq__json_get_array(ctx, root, "dates", false, &arr);
    if (rc || !arr)
        return rc;
    int32_t iv[2 * SVCQ_CALENDAR_MAX_INTERVALS];
    for (size_t i = 0; i < svcq__json_array_size(arr); i++) {
        const svcq__json *e = svcq__json_array_get(arr, i);
        if (svcq__json_typeof(e) != SVCQ__JSON_OBJECT)
            return BAD("field \"dates\": entry %zu is not an object", i);
        const char *ds;
        int32_t y = 0, m = 0, d = 0;
        rc = svcq__json_get_string(ctx, e, "date", true, &ds, NULL);
        if (rc == SVCQ_OK)
            rc = read_date(ctx, ds, &y, &m, &d);
        if (rc)
            return rc;
        const svcq__json *closed = svcq__json_get(e, "closed"), *like = svcq__json_get(e, "like"),
                      *hours = svcq__json_get(e, "hours");
        if ((closed != NULL) + (like != NULL) + (hours != NULL) != 1)
            return BAD("date %s: needs exactly one of \"closed\", \"like\", \"hours\"", ds);
        if (closed) {
            bool c = false;
            rc = svcq__json_get_bool(ctx, e, "closed", true, &c);
            if (rc == SVCQ_OK && !c)
                rc = BAD("date %s: \"closed\" must be true", ds);
            if (rc == SVCQ_OK)
                rc = svcq_calendar_set_closed(cal, y, m, d);
        } else if (like) {
            const char *wd;
            rc = svcq__json_get_string(ctx, e, "like", true, &wd, NULL);
            char ex[32];
            if (rc == SVCQ_OK && !weekday_of(wd))
                rc = BAD("date %s: \"like\": \"%s\" is not a weekday (\"monday\" to "
                         "\"sunday\")", ds, excerpt(ex, wd));
            if (rc == SVCQ_OK)
                rc = svcq_calendar_set_date_like(cal, y, m, d, weekday_of(wd));
        } else {
            char where[32];
            snprintf(where, sizeof(where), "date %s", ds);
            size_t n = 0;
            rc = read_intervals(ctx, hours, where, iv, SVCQ_CALENDAR_MAX_INTERVALS, &n);
            if (rc == SVCQ_OK)
                rc = svcq_calendar_set_date_hours(cal, y, m, d, iv, n);
        }
        if (rc)
            return rc;
        /* Each entry adds a date: one that did not was listed twice. */
        if (svcq_calendar_date_count(cal) != i + 1)
            return BAD("field \"dates\": %s is listed twice", ds);
    }
    return SVCQ_OK;
}

int svcq__calendar_decode(svcq_ctx *ctx, const svcq__json *root, const char *dir, const svcq_tz *hint,
                       svcq_calendar **out)
{
    if (svcq__json_typeof(root) != SVCQ__JSON_OBJECT)
        return BAD("a calendar document is an object, found %s",
                   svcq__json_type_name(svcq__json_typeof(root)));
    const char *schema;
    int rc = svcq__json_get_string(ctx, root, "schema", true, &schema, NULL);
    if (rc)
        return rc;
    size_t pl = strlen(SCHEMA_PREFIX), sl = strlen(schema);
    if (sl <= pl || sl > pl + 9 || strncmp(schema, SCHEMA_PREFIX, pl) != 0 ||
        !digits(schema + pl, sl - pl) || schema[pl] == '0')
    {
        char ex[32];
        return BAD("field \"schema\": \"%s\" is not \"svcq.calendar/<version>\"",
                   excerpt(ex, schema));
    }
    int version = num(schema + pl, sl - pl);
    if (version > SCHEMA_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION,
                        "calendar schema version %d is newer than this library reads (%d)",
                        version, SCHEMA_VERSION);

    svcq_calendar_options o = SVCQ_CALENDAR_OPTIONS_INIT;
    const svcq__json *opts = NULL;
    rc = svcq__json_get_object(ctx, root, "options", false, &opts);
    if (rc)
        return rc;
    if (opts) {
        bool rt = false;
        rc = svcq__json_get_bool(ctx, opts, "rt_next_opening", false, &rt);
        if (rc)
            return rc;
        if (rt)
            o.flags |= SVCQ_CALENDAR_RT_NEXT_OPENING;
    }
    const svcq__json *week = NULL;
    rc = svcq__json_get_object(ctx, root, "week", false, &week);
    if (rc)
        return rc;
    /* Check the week's keys before loading the zone (cheap errors first). */
    for (size_t i = 0; i < svcq__json_object_size(week); i++) {
        const char *key;
        size_t kl;
        svcq__json_object_member(week, i, &key, &kl);
        char ex[32];
        if (strlen(key) != kl || !weekday_of(key))
            return BAD("field \"week\": \"%s\" is not a weekday (\"monday\" to \"sunday\")",
                       excerpt(ex, key));
    }

    svcq_tz *tz;
    rc = read_zone(ctx, root, dir, hint, &tz);
    if (rc)
        return rc;
    svcq_calendar *cal;
    rc = svcq_calendar_new(&cal, ctx, tz, &o);
    svcq_tz_free(tz);
    if (rc)
        return rc;
    int32_t iv[2 * SVCQ_CALENDAR_MAX_INTERVALS];
    for (size_t i = 0; i < svcq__json_object_size(week) && rc == SVCQ_OK; i++) {
        const char *key;
        const svcq__json *v = svcq__json_object_member(week, i, &key, NULL);
        char where[32];
        snprintf(where, sizeof(where), "week %s", key);
        size_t n = 0;
        rc = read_intervals(ctx, v, where, iv, SVCQ_CALENDAR_MAX_INTERVALS, &n);
        if (rc == SVCQ_OK)
            rc = svcq_calendar_set_weekday(cal, weekday_of(key), iv, n);
    }
    if (rc == SVCQ_OK)
        rc = read_dates(ctx, root, cal);
    if (rc) {
        svcq_calendar_free(cal);
        return rc;
    }
    *out = cal;
    return SVCQ_OK;
}

int svcq_calendar_import_json(svcq_calendar **out, svcq_ctx *ctx, const char *json, size_t size,
                              const char *zoneinfo_dir, const svcq_tz *zone)
{
    if (out)
        *out = NULL;
    if (!out || !ctx || (!json && size))
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_calendar_import_json: NULL argument");
    svcq__json_doc *doc;
    int rc = svcq__json_parse(ctx, json, size, NULL, &doc);
    if (rc)
        return rc;
    rc = svcq__calendar_decode(ctx, svcq__json_root(doc), zoneinfo_dir, zone, out);
    svcq__json_doc_free(doc);
    return rc;
}
