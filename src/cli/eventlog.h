/* The event log svcq replay reads: CSV with a header, or JSON lines. */
#ifndef SVCQ_CLI_EVENTLOG_H
#define SVCQ_CLI_EVENTLOG_H

#include "cli.h"

typedef struct cli_event {
    char *subject;
    char *name;
    char *reason; /* NULL when none */
    svcq_time at;
    unsigned long line; /* in the file, from 1 */
    size_t order;       /* in the file, from 0 */
} cli_event;

typedef struct cli_eventlog {
    cli_event *ev;
    size_t n, cap;
} cli_eventlog;

/* Reads every event of @p data (@p len bytes; @p file names it in
 * messages) into @p log, which starts zeroed. Times without an offset are
 * local in @p zone (NULL: refused). On failure prints FILE:LINE:COL: why
 * to standard error and returns -1; what was read stays in @p log, for
 * cli_eventlog_free(). */
int cli_eventlog_read(cli_eventlog *log, const char *file, const char *data, size_t len, const svcq_tz *zone);
void cli_eventlog_free(cli_eventlog *log);

char *cli_strndup(const char *s, size_t n);

#endif
