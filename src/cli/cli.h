/* The svcq command-line tool: shared helpers of its subcommands.
 *
 * The tool is a host like any other: it uses the public API only (it
 * links the shared library, never the internals), so what it does a host
 * can do too. */
#ifndef SVCQ_CLI_H
#define SVCQ_CLI_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "svcq.h"

/* Exit statuses: documented in docs/cli.md. */
enum {
    CLI_OK = 0,
    CLI_FAILED = 1, /* bad input or a failed check */
    CLI_USAGE = 2   /* bad command line */
};

/* Output is collected in memory and written only when the command
 * succeeded, so a failure never leaves half a report behind. */
typedef struct cli_out {
    char *data;
    size_t len;
    size_t cap;
    int failed; /* out of memory while appending */
} cli_out;

void cli_out_printf(cli_out *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_out_write(cli_out *out, const char *data, size_t len);
/* A svcq_writer that appends to @p out. */
svcq_writer cli_out_writer(cli_out *out);
/* Writes @p out to @p path (through a temporary file renamed into place)
 * or to standard output when @p path is NULL or "-". */
int cli_out_commit(cli_out *out, const char *path);
void cli_out_free(cli_out *out);

/* Set by the fuzz target: messages are dropped (they would flood its log). */
extern int cli_quiet;

/* Messages to standard error, prefixed "svcq: " (cli_fail) or with the
 * file name (cli_fail_at). */
void cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_fail_at(const char *file, unsigned long line, unsigned long column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Reports a failed library call on @p file: a message of the form
 * "line N, column M: what" becomes "file:N:M: what". */
void cli_fail_lib(const char *file, const svcq_ctx *ctx, int rc);

/* Reads a whole file (or standard input for "-"); NUL-terminated. */
int cli_read_file(const char *path, char **data, size_t *len);

/* A new context on the system allocator and clock. */
svcq_ctx *cli_ctx(void);

/* Parses "YYYY-MM-DD[T ]HH:MM[:SS][Z|+hh:mm|-hh:mm]". Without an offset
 * the time is local in @p zone (NULL: refused). On failure writes why
 * into @p why and returns -1. */
int cli_parse_time(svcq_time *out, const char *text, const svcq_tz *zone, char *why, size_t why_size);
/* Formats @p t in @p zone as "2026-03-02 09:00 CST" (or RFC 3339 when
 * @p machine is set) into @p buf. */
const char *cli_time(char *buf, size_t size, const svcq_tz *zone, svcq_time t, int machine);

/* Progress on standard error, only when it is a terminal. */
typedef struct cli_progress {
    int tty;
    unsigned long long last;
    const char *what;
} cli_progress;
void cli_progress_start(cli_progress *p, const char *what);
void cli_progress_tick(cli_progress *p, unsigned long long done);
void cli_progress_end(cli_progress *p);

/* Output formats shared by the reporting commands. */
typedef enum cli_format { CLI_FORMAT_MARKDOWN, CLI_FORMAT_JSON, CLI_FORMAT_CSV } cli_format;
int cli_parse_format(cli_format *out, const char *text);
/* Appends @p s as a JSON string literal / a CSV field. */
void cli_out_json_string(cli_out *out, const char *s);
void cli_out_csv_field(cli_out *out, const char *s);

/* Subcommands: argv[0] is the subcommand's name. */
int cli_validate(int argc, char **argv);
int cli_replay(int argc, char **argv);
int cli_kpi(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_store(int argc, char **argv);

#endif
