/* Helpers shared by the svcq subcommands: buffered output, messages,
 * files, times, progress. */
#include "cli.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void out_reserve(cli_out *out, size_t more)
{
    if (out->failed)
        return;
    if (out->len + more + 1 <= out->cap)
        return;
    size_t cap = out->cap ? out->cap : 4096;
    while (cap < out->len + more + 1)
        cap *= 2;
    char *data = realloc(out->data, cap);
    if (!data) {
        out->failed = 1;
        return;
    }
    out->data = data;
    out->cap = cap;
}

void cli_out_write(cli_out *out, const char *data, size_t len)
{
    out_reserve(out, len);
    if (out->failed)
        return;
    memcpy(out->data + out->len, data, len);
    out->len += len;
    out->data[out->len] = '\0';
}

void cli_out_printf(cli_out *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        out->failed = 1;
        return;
    }
    out_reserve(out, (size_t)n);
    if (out->failed)
        return;
    va_start(ap, fmt);
    vsnprintf(out->data + out->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    out->len += (size_t)n;
}

static int out_write_cb(const char *data, size_t size, void *user_data)
{
    cli_out *out = user_data;
    cli_out_write(out, data, size);
    return out->failed ? SVCQ_ENOMEM : 0;
}

svcq_writer cli_out_writer(cli_out *out)
{
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = out_write_cb;
    w.user_data = out;
    return w;
}

void cli_out_free(cli_out *out)
{
    free(out->data);
    memset(out, 0, sizeof *out);
}

static int write_all(FILE *f, const char *data, size_t len)
{
    return len == 0 || fwrite(data, 1, len, f) == len ? 0 : -1;
}

int cli_out_commit(cli_out *out, const char *path)
{
    if (out->failed) {
        cli_fail("out of memory while writing the output");
        return CLI_FAILED;
    }
    if (!path || strcmp(path, "-") == 0) {
        if (write_all(stdout, out->data, out->len) != 0 || fflush(stdout) != 0) {
            cli_fail("standard output: %s", strerror(errno));
            return CLI_FAILED;
        }
        return CLI_OK;
    }
    /* A temporary file next to the target, renamed over it: readers see
     * the old file or the whole new one. */
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp) {
        cli_fail("out of memory");
        return CLI_FAILED;
    }
    snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        cli_fail("%s: %s", tmp, strerror(errno));
        free(tmp);
        return CLI_FAILED;
    }
    int bad = write_all(f, out->data, out->len) != 0 || fflush(f) != 0 || fsync(fileno(f)) != 0;
    int saved = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    if (!bad && rename(tmp, path) != 0) {
        bad = 1;
        saved = errno;
    }
    if (bad) {
        cli_fail("%s: %s", path, strerror(saved));
        remove(tmp);
    }
    free(tmp);
    return bad ? CLI_FAILED : CLI_OK;
}

int cli_quiet;

void cli_fail(const char *fmt, ...)
{
    if (cli_quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("svcq: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void cli_fail_at(const char *file, unsigned long line, unsigned long column, const char *fmt, ...)
{
    if (cli_quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (column)
        fprintf(stderr, "%s:%lu:%lu: ", file, line, column);
    else if (line)
        fprintf(stderr, "%s:%lu: ", file, line);
    else
        fprintf(stderr, "%s: ", file);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void cli_fail_lib(const char *file, const svcq_ctx *ctx, int rc)
{
    const char *msg = svcq_ctx_errmsg(ctx);
    if (!msg || !*msg)
        msg = svcq_strerror(rc);
    /* The JSON readers say where: "... line 3, column 14: expected ...".
     * Move the position to the front, where editors look for it. */
    const char *at = strstr(msg, "line ");
    unsigned long line = 0, column = 0;
    int used = 0;
    if (at && sscanf(at, "line %lu, column %lu: %n", &line, &column, &used) == 2 && used > 0) {
        if (at == msg)
            cli_fail_at(file, line, column, "%s", at + used);
        else /* keep the object the library named before the position */
            cli_fail_at(file, line, column, "%.*s%s", (int)(at - msg), msg, at + used);
        return;
    }
    cli_fail_at(file, 0, 0, "%s", msg);
}

int cli_read_file(const char *path, char **data, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        cli_fail_at(path, 0, 0, "%s", strerror(errno));
        return -1;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n + 1 < cap)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int err = ferror(f);
    if (f != stdin)
        fclose(f);
    if (!buf) {
        cli_fail_at(path, 0, 0, "out of memory");
        return -1;
    }
    if (err) {
        cli_fail_at(path, 0, 0, "read error");
        free(buf);
        return -1;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

svcq_ctx *cli_ctx(void)
{
    svcq_ctx *ctx = NULL;
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK) {
        cli_fail("cannot create a context (out of memory)");
        return NULL;
    }
    return ctx;
}

static int digits(const char **p, int n, int *value)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if ((*p)[i] < '0' || (*p)[i] > '9')
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *value = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int cli_parse_time(svcq_time *out, const char *text, const svcq_tz *zone, char *why, size_t why_size)
{
    const char *p = text;
    int y, mo, d, h, mi, s = 0;
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d) ||
        (*p != 'T' && *p != ' ') || (++p, digits(&p, 2, &h)) || *p++ != ':' || digits(&p, 2, &mi)) {
        snprintf(why, why_size, "bad time \"%s\": expected YYYY-MM-DD HH:MM[:SS] with an optional offset",
                 text);
        return -1;
    }
    if (*p == ':' && (++p, digits(&p, 2, &s))) {
        snprintf(why, why_size, "bad time \"%s\": seconds need two digits", text);
        return -1;
    }
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59) {
        snprintf(why, why_size, "bad time \"%s\": no such date or time of day", text);
        return -1;
    }
    int32_t sod = h * 3600 + mi * 60 + s;
    if (*p == '\0') {
        if (!zone) {
            snprintf(why, why_size, "time \"%s\" has no UTC offset and no --tz was given", text);
            return -1;
        }
        svcq_time t;
        if (svcq_tz_local_to_utc(&t, zone, y, mo, d, sod) != SVCQ_OK) {
            snprintf(why, why_size, "bad time \"%s\" in %s", text, svcq_tz_name(zone));
            return -1;
        }
        *out = t;
        return 0;
    }
    int offset = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om;
        if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) || oh > 23 || om > 59) {
            snprintf(why, why_size, "bad time \"%s\": the offset must be +hh:mm or -hh:mm", text);
            return -1;
        }
        offset = sign * (oh * 3600 + om * 60);
    }
    if (*p != '\0') {
        snprintf(why, why_size, "bad time \"%s\": unexpected \"%s\" at the end", text, p);
        return -1;
    }
    *out = (svcq_time)(days_from_civil(y, mo, d) * 86400 + sod - offset);
    return 0;
}

const char *cli_time(char *buf, size_t size, const svcq_tz *zone, svcq_time t, int machine)
{
    uint32_t flags = machine ? SVCQ_TIME_FORMAT_DEFAULT
                             : SVCQ_TIME_FORMAT_SPACE | SVCQ_TIME_FORMAT_NO_SECONDS | SVCQ_TIME_FORMAT_WEEKDAY;
    if (!zone || svcq_tz_format(buf, size, NULL, zone, t, flags) != SVCQ_OK) {
        time_t tt = (time_t)t;
        struct tm tm;
        if (gmtime_r(&tt, &tm) == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
            snprintf(buf, size, "@%lld", (long long)t);
    }
    return buf;
}

void cli_progress_start(cli_progress *p, const char *what)
{
    p->tty = isatty(2);
    p->last = 0;
    p->what = what;
}

void cli_progress_tick(cli_progress *p, unsigned long long done)
{
    if (p->tty && done - p->last >= 100000) {
        p->last = done;
        fprintf(stderr, "\r%s: %llu", p->what, done);
        fflush(stderr);
    }
}

void cli_progress_end(cli_progress *p)
{
    if (p->tty && p->last)
        fputs("\r\033[K", stderr);
}

int cli_parse_format(cli_format *out, const char *text)
{
    if (strcmp(text, "md") == 0 || strcmp(text, "markdown") == 0)
        *out = CLI_FORMAT_MARKDOWN;
    else if (strcmp(text, "json") == 0)
        *out = CLI_FORMAT_JSON;
    else if (strcmp(text, "csv") == 0)
        *out = CLI_FORMAT_CSV;
    else
        return -1;
    return 0;
}

void cli_out_json_string(cli_out *out, const char *s)
{
    cli_out_write(out, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char esc[2] = { '\\', (char)c };
            cli_out_write(out, esc, 2);
        } else if (c < 0x20) {
            cli_out_printf(out, "\\u%04x", c);
        } else {
            cli_out_write(out, s, 1);
        }
    }
    cli_out_write(out, "\"", 1);
}

void cli_out_csv_field(cli_out *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        cli_out_write(out, s, strlen(s));
        return;
    }
    cli_out_write(out, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            cli_out_write(out, "\"", 1);
        cli_out_write(out, s, 1);
    }
    cli_out_write(out, "\"", 1);
}
