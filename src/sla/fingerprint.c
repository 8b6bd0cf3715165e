/* The fingerprint of a policy version: SHA-256 over a canonical binary
 * encoding of everything that decides when a clock's notices fall due.
 *
 * A target's digest covers its metric, its event names (start, meet, stop,
 * pause, resume, restart; an absent one is distinct from any name), its
 * duration and unit, warning and escalation percents, whether it recurs,
 * and its calendar: options, weekly hours, dated exceptions and the zone's
 * offsets over the whole range calendars support (the zone's rules, not
 * its name: a zone read from fat or slim TZif data, or from another copy
 * of the same rules, gives the same digest; a zone whose rules differ
 * anywhere in 1900-9999 does not). The policy's digest covers the close
 * event, the change mode and both digests of each target in order. The policy's
 * name and version are not part of it: they are stored beside it.
 *
 * The calendar is encoded from its getters rather than its JSON export:
 * the export names a TZif zone without its rules and refuses a zone
 * without a name. A calendar feature added later must be added here too
 * (and the encoding's tag bumped), or two calendars differing only in it
 * would share a fingerprint.
 *
 * Encoding: integers big-endian (u32 or i64), strings as u32 length and
 * bytes, an absent string as length 0xFFFFFFFF. */
#include <string.h>

#include "calendar/tz.h"
#include "core/sha256.h"
#include "sla/sla_internal.h"

static void put_u32(svcq__sha256_ctx *h, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    svcq__sha256_update(h, b, 4);
}

static void put_i64(svcq__sha256_ctx *h, int64_t v)
{
    uint64_t u = (uint64_t)v;
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(u >> (56 - 8 * i));
    svcq__sha256_update(h, b, 8);
}

static void put_str(svcq__sha256_ctx *h, const char *s)
{
    if (!s) {
        put_u32(h, UINT32_MAX);
        return;
    }
    size_t n = strlen(s);
    put_u32(h, (uint32_t)n);
    svcq__sha256_update(h, s, n);
}

static void put_intervals(svcq__sha256_ctx *h, const int32_t *iv, size_t n)
{
    put_u32(h, (uint32_t)n);
    for (size_t i = 0; i < 2 * n; i++)
        put_u32(h, (uint32_t)iv[i]);
}

/* The zone's offset as a function of time over the calendar range (with
 * two days either side, which local-time arithmetic at the edges reads):
 * the first instant and offset of each run of one offset. */
static void put_zone(svcq__sha256_ctx *h, const svcq_tz *z)
{
    svcq_time min, max;
    svcq_calendar_range(&min, &max);
    min -= 2 * 86400;
    max += 2 * 86400;
    put_str(h, "zone");
    if (!z) {
        put_u32(h, 0);
        return;
    }
    svcq__tz_cursor c;
    svcq__tz_cursor_init(&c, z, min);
    int64_t last_off = INT64_MIN;
    for (;;) {
        if (c.off != last_off) {
            put_i64(h, c.start > min ? c.start : min);
            put_i64(h, c.off);
            last_off = c.off;
        }
        if (c.end == INT64_MAX || c.end >= max)
            break;
        svcq__tz_cursor_next(&c);
    }
}

static void put_calendar(svcq__sha256_ctx *h, const svcq_calendar *cal)
{
    if (!cal) {
        put_str(h, "7x24 UTC");
        return;
    }
    put_str(h, "svcq.calendar/1");
    svcq_calendar_options o = SVCQ_CALENDAR_OPTIONS_INIT;
    if (svcq_calendar_get_options(&o, cal) == SVCQ_OK) {
        put_u32(h, o.flags);
        for (size_t i = 0; i < sizeof(o.reserved) / sizeof(o.reserved[0]); i++)
            put_i64(h, (int64_t)o.reserved[i]);
    }
    for (int32_t wd = 1; wd <= 7; wd++) {
        const int32_t *iv = NULL;
        size_t n = 0;
        if (svcq_calendar_get_weekday(&iv, &n, cal, wd) != SVCQ_OK)
            n = 0;
        put_intervals(h, iv, n);
    }
    size_t nd = svcq_calendar_date_count(cal);
    put_u32(h, (uint32_t)nd);
    for (size_t i = 0; i < nd; i++) {
        int32_t y = 0, m = 0, d = 0, kind = 0, wd = 0;
        const int32_t *iv = NULL;
        size_t n = 0;
        if (svcq_calendar_date_at(&y, &m, &d, &kind, &wd, &iv, &n, cal, i) != SVCQ_OK)
            n = 0;
        put_u32(h, (uint32_t)y);
        put_u32(h, (uint32_t)m);
        put_u32(h, (uint32_t)d);
        put_u32(h, (uint32_t)kind);
        put_u32(h, (uint32_t)wd);
        put_intervals(h, iv, n);
    }
    put_zone(h, svcq_calendar_tz(cal));
}

static void target_digest(const svcq__sla_target *t, uint8_t out[SVCQ__SHA256_SIZE])
{
    svcq__sha256_ctx h;
    svcq__sha256_init(&h);
    put_str(&h, "svcq.sla_target/1");
    put_str(&h, t->metric);
    put_str(&h, t->start_name);
    put_str(&h, t->meet_name);
    put_str(&h, t->stop_name);
    put_str(&h, t->pause_name);
    put_str(&h, t->resume_name);
    put_str(&h, t->restart_name);
    put_i64(&h, t->duration);
    put_u32(&h, (uint32_t)t->duration_unit);
    put_u32(&h, t->nwarn);
    for (uint32_t i = 0; i < t->nwarn; i++)
        put_u32(&h, t->warn_pct[i]);
    put_u32(&h, t->nesc);
    for (uint32_t i = 0; i < t->nesc; i++)
        put_u32(&h, t->esc_pct[i]);
    put_u32(&h, t->recurring ? 1 : 0);
    svcq__sha256_final(&h, out);
}

static void calendar_digest(const svcq_calendar *cal, uint8_t out[SVCQ__SHA256_SIZE])
{
    svcq__sha256_ctx h;
    svcq__sha256_init(&h);
    put_calendar(&h, cal);
    svcq__sha256_final(&h, out);
}

void svcq__sla_fingerprint(const svcq_sla_policy *policy)
{
    /* The cache is not part of the policy's value: a frozen policy never
     * changes, so its digests are computed once; an unfrozen one is
     * computed again at each call. Policies are always allocated, never
     * const objects, so writing the cache through this cast is defined. */
    svcq_sla_policy *p = (svcq_sla_policy *)policy;
    if (p->fp_ready)
        return;
    svcq__sha256_ctx h;
    svcq__sha256_init(&h);
    put_str(&h, "svcq.sla_policy/1");
    put_str(&h, p->close_name);
    put_u32(&h, (uint32_t)p->change_mode);
    put_u32(&h, p->ntargets);
    for (uint32_t j = 0; j < p->ntargets; j++) {
        svcq__sla_target *t = &p->targets[j];
        target_digest(t, t->fp_spec);
        calendar_digest(t->cal, t->fp_cal);
        svcq__sha256_update(&h, t->fp_spec, SVCQ__SHA256_SIZE);
        svcq__sha256_update(&h, t->fp_cal, SVCQ__SHA256_SIZE);
    }
    uint8_t d[SVCQ__SHA256_SIZE];
    svcq__sha256_final(&h, d);
    svcq__sha256_hex(d, p->fp_hex);
    p->fp_ready = p->frozen;
}

const char *svcq_sla_policy_fingerprint(const svcq_sla_policy *policy)
{
    if (!policy)
        return "";
    svcq__sla_fingerprint(policy);
    return policy->fp_hex;
}
