/* Internal calendar helpers shared by the files of src/calendar/. */
#ifndef SQ_CALENDAR_INTERNAL_H
#define SQ_CALENDAR_INTERNAL_H

#include "core/core.h"
#include "svcq/calendar.h"

/* The context a calendar was made from. */
svcq_ctx *sq_calendar_ctx(const svcq_calendar *cal);

#endif
