/* libFuzzer target for the event log the svcq tool's replay reads (CSV with
 * a header, or JSON lines): whatever the input, no crash, leak or UB; an
 * accepted log has at least one event, each with a subject, a name and a
 * line number within the input, and reading the same bytes twice gives
 * the same events. Times without an offset are read in UTC+08:00. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/eventlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cli_quiet = 1;
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
        return 0;
    svcq_tz *zone;
    if (svcq_tz_fixed(&zone, ctx, 8 * 3600) != SVCQ_OK) {
        svcq_ctx_free(ctx);
        return 0;
    }
    /* The reader gets a NUL-terminated copy, as cli_read_file() gives it. */
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    unsigned long lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += text[i] == '\n';

    cli_eventlog a = { 0 }, b = { 0 };
    int rc = cli_eventlog_read(&a, "fuzz", text, size, zone);
    if (rc == 0) {
        if (a.n == 0)
            abort();
        for (size_t i = 0; i < a.n; i++)
            if (!a.ev[i].subject[0] || !a.ev[i].name[0] || a.ev[i].line < 1 || a.ev[i].line > lines ||
                a.ev[i].order != i)
                abort();
        if (cli_eventlog_read(&b, "fuzz", text, size, zone) != 0 || b.n != a.n)
            abort();
        for (size_t i = 0; i < a.n; i++)
            if (strcmp(a.ev[i].subject, b.ev[i].subject) || strcmp(a.ev[i].name, b.ev[i].name) ||
                a.ev[i].at != b.ev[i].at || !a.ev[i].reason != !b.ev[i].reason ||
                (a.ev[i].reason && strcmp(a.ev[i].reason, b.ev[i].reason)))
                abort();
    }
    cli_eventlog_free(&a);
    cli_eventlog_free(&b);
    free(text);
    svcq_tz_free(zone);
    svcq_ctx_free(ctx);
    return 0;
}
