/* TEMPORARY (engine helper, issue 8): a stand-in for
 * svcq_calendar_add_days, which the calendar helper writes in parallel.
 * Delete at merge (with tmp_add_days.h and its include in fold.c).
 *
 * Correct for plain weekly calendars (no dated exceptions, no interval
 * crossing midnight): a start outside business hours first moves to the
 * next opening; the result is the same local wall-clock time on the Nth
 * following day that has opening hours, clamped into that day's hours
 * (the first opening when earlier, the end of the interval before it when
 * in a break or after the close). Days are stepped one by one: slow for
 * large N, fine for tests. */
#include "sla/tmp_add_days.h"

#include "calendar/civil.h"

int svcq_calendar_add_days(svcq_time *out, svcq_calendar *cal, svcq_time start, int32_t days)
{
    if (!out || !cal || days < 0)
        return SVCQ_EINVAL;
    int32_t open;
    int rc = svcq_calendar_is_open(&open, cal, start);
    if (rc)
        return rc;
    if (!open && (rc = svcq_calendar_next_open(&start, cal, start)))
        return rc == SVCQ_ENOTFOUND ? SVCQ_ERANGE : rc;
    if (days == 0) {
        *out = start;
        return SVCQ_OK;
    }
    const svcq_tz *tz = svcq_calendar_tz(cal);
    int32_t y, m, d, sod;
    if ((rc = svcq_tz_utc_to_local(&y, &m, &d, &sod, tz, start)))
        return rc;
    int64_t z = svcq__days_from_civil(y, m, d);
    const int32_t *iv = NULL;
    size_t n = 0;
    for (int32_t left = days, guard = 0; left > 0; guard++) {
        if (guard > 8 * (days + 7))
            return SVCQ_ERANGE; /* never opens */
        z++;
        if ((rc = svcq_calendar_get_weekday(&iv, &n, cal, svcq__weekday(z))))
            return rc;
        if (n)
            left--;
    }
    int32_t at = iv[0] > sod ? iv[0] : sod;
    for (size_t i = 0; i < n; i++) {
        if (sod >= iv[2 * i] && sod < iv[2 * i + 1]) {
            at = sod;
            break;
        }
        if (sod >= iv[2 * i + 1])
            at = iv[2 * i + 1];
    }
    int64_t ny;
    int32_t nm, nd;
    svcq__civil_from_days(z, &ny, &nm, &nd);
    if (at >= 86400)
        return SVCQ_ERANGE;
    return svcq_tz_local_to_utc(out, tz, (int32_t)ny, nm, nd, at);
}
