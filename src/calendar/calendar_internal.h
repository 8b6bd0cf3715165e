/* Internal calendar helpers shared by the files of src/calendar/. */
#ifndef SVCQ__CALENDAR_INTERNAL_H
#define SVCQ__CALENDAR_INTERNAL_H

#include "core/buf.h"
#include "core/core.h"
#include "core/json.h"
#include "svcq/calendar.h"

/* The record kind of calendars in the store. */
#define SVCQ__CALENDAR_KIND "calendar"

/* "calendar ID" (bound to a record) or "calendar (zone NAME)", for
 * messages; returns buf. */
const char *svcq__calendar_label(const svcq_calendar *cal, char *buf, size_t size);

/* The context a calendar was made from. */
svcq_ctx *svcq__calendar_ctx(const svcq_calendar *cal);

/* The store binding of a calendar: its record id (NULL when unsaved) and
 * the revision last read or written. */
char **svcq__calendar_id_slot(svcq_calendar *cal);
uint64_t *svcq__calendar_revision_slot(svcq_calendar *cal);
/* The same, read-only (no const is cast away anywhere in the module). */
const char *svcq__calendar_id_of(const svcq_calendar *cal);
uint64_t svcq__calendar_revision_of(const svcq_calendar *cal);

/* The calendar as a whole JSON record (schema "svcq.calendar/1"), appended
 * to out; SVCQ_ESTATE when its zone has no name to write. */
int svcq__calendar_encode(const svcq_calendar *cal, svcq__buf *out);
/* A calendar from a parsed document (the schema is checked again). */
int svcq__calendar_decode(svcq_ctx *ctx, const svcq__json *root, const char *dir, const svcq_tz *hint,
                       svcq_calendar **out);

#endif
