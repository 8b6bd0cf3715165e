/* TEMPORARY (engine helper, issue 8): the declaration of
 * svcq_calendar_add_days, which the calendar helper adds to svcq/calendar.h.
 * The lead deletes this file, tmp_add_days.c and its include in fold.c at
 * merge. */
#ifndef SVCQ__SLA_TMP_ADD_DAYS_H
#define SVCQ__SLA_TMP_ADD_DAYS_H

#include "svcq/calendar.h"

int svcq_calendar_add_days(svcq_time *out, svcq_calendar *cal, svcq_time start, int32_t days);

#endif
