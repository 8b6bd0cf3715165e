/* Proleptic Gregorian date arithmetic on day numbers (days since
 * 1970-01-01), after Howard Hinnant's "chrono-compatible low-level date
 * algorithms". Pure functions; valid for any year whose day number fits
 * comfortably in int64_t. */
#ifndef SVCQ__CIVIL_H
#define SVCQ__CIVIL_H

#include <stdbool.h>
#include <stdint.h>

#define SVCQ__DAY 86400
/* 400 Gregorian years: 146097 days, exactly 20871 weeks. */
#define SVCQ__CYCLE_DAYS 146097
#define SVCQ__CYCLE_SECONDS ((int64_t)SVCQ__CYCLE_DAYS * SVCQ__DAY)

static inline int64_t svcq__floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static inline int64_t svcq__floor_mod(int64_t a, int64_t b)
{
    int64_t r = a % b;
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

static inline bool svcq__is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static inline int32_t svcq__days_in_month(int64_t y, int32_t m)
{
    static const int8_t len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && svcq__is_leap(y) ? 29 : len[m - 1];
}

/* Day number of y-m-d (m 1..12, d 1..31). */
static inline int64_t svcq__days_from_civil(int64_t y, int32_t m, int32_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static inline void svcq__civil_from_days(int64_t z, int64_t *y, int32_t *m, int32_t *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int32_t)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int32_t)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* ISO weekday (1 = Monday .. 7 = Sunday) of a day number. */
static inline int32_t svcq__weekday(int64_t z)
{
    return (int32_t)svcq__floor_mod(z + 3, 7) + 1;
}

static inline bool svcq__valid_date(int64_t y, int32_t m, int32_t d, int64_t ymin, int64_t ymax)
{
    return y >= ymin && y <= ymax && m >= 1 && m <= 12 && d >= 1 && d <= svcq__days_in_month(y, m);
}

#endif
