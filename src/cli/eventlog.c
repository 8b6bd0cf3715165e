/* Reading the event log of svcq replay: CSV (RFC 4180 quoting, a header
 * naming the columns) or JSON lines (flat objects of strings), each error
 * reported with its line and column. Fuzzed by tests/fuzz/fuzz_cli_eventlog.c. */
#include "eventlog.h"

#include <stdlib.h>
#include <string.h>
void cli_eventlog_free(cli_eventlog *log)
{
    for (size_t i = 0; i < log->n; i++) {
        free(log->ev[i].subject);
        free(log->ev[i].name);
        free(log->ev[i].reason);
    }
    free(log->ev);
}

char *cli_strndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* ---- one line of CSV: fields with RFC 4180 quoting */

typedef struct fields {
    char *f[8];
    size_t col[8]; /* 1-based column of each field */
    size_t n;
} fields;

static void fields_free(fields *fs)
{
    for (size_t i = 0; i < fs->n; i++)
        free(fs->f[i]);
    fs->n = 0;
}

/* Returns 0, or the column of the error with @p why filled. */
static size_t csv_split(fields *fs, const char *line, size_t len, const char **why)
{
    size_t i = 0;
    fs->n = 0;
    for (;;) {
        if (fs->n == 8) {
            *why = "more than 8 fields";
            return i + 1;
        }
        size_t start = i;
        char *val;
        if (i < len && line[i] == '"') {
            val = malloc(len - i + 1);
            if (!val) {
                *why = "out of memory";
                return i + 1;
            }
            size_t o = 0;
            i++;
            for (;;) {
                if (i >= len) {
                    free(val);
                    *why = "unterminated quoted field";
                    return start + 1;
                }
                if (line[i] == '"') {
                    if (i + 1 < len && line[i + 1] == '"') {
                        val[o++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                val[o++] = line[i++];
            }
            val[o] = '\0';
            if (i < len && line[i] != ',') {
                free(val);
                *why = "text after a closing quote";
                return i + 1;
            }
        } else {
            while (i < len && line[i] != ',')
                i++;
            val = cli_strndup(line + start, i - start);
            if (!val) {
                *why = "out of memory";
                return start + 1;
            }
        }
        fs->col[fs->n] = start + 1;
        fs->f[fs->n++] = val;
        if (i >= len)
            return 0;
        i++; /* the comma */
    }
}

/* ---- one line of JSON: a flat object of strings (and nulls) */

static void skip_ws(const char *s, size_t len, size_t *i)
{
    while (*i < len && (s[*i] == ' ' || s[*i] == '\t'))
        (*i)++;
}

static size_t json_string(char **out, const char *s, size_t len, size_t *i, const char **why)
{
    size_t start = *i;
    if (*i >= len || s[*i] != '"') {
        *why = "expected a string";
        return *i + 1;
    }
    char *val = malloc(len - *i + 1);
    if (!val) {
        *why = "out of memory";
        return *i + 1;
    }
    size_t o = 0;
    (*i)++;
    for (;;) {
        if (*i >= len) {
            free(val);
            *why = "unterminated string";
            return start + 1;
        }
        char c = s[(*i)++];
        if (c == '"')
            break;
        if ((unsigned char)c < 0x20) {
            free(val);
            *why = "control character in a string";
            return *i;
        }
        if (c == '\\') {
            if (*i >= len) {
                free(val);
                *why = "unterminated string";
                return start + 1;
            }
            char e = s[(*i)++];
            if (e == 'u') {
                unsigned v = 0;
                for (int k = 0; k < 4; k++) {
                    char h = *i < len ? s[(*i)++] : 0;
                    int d = h >= '0' && h <= '9' ? h - '0'
                          : h >= 'a' && h <= 'f' ? h - 'a' + 10
                          : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
                    if (d < 0) {
                        free(val);
                        *why = "bad \\u escape";
                        return *i;
                    }
                    v = v * 16 + (unsigned)d;
                }
                if (v >= 0xD800 && v <= 0xDFFF) { /* keep it simple: no surrogate pairs in ids */
                    free(val);
                    *why = "surrogate \\u escapes are not supported here";
                    return *i - 5;
                }
                if (v < 0x80) {
                    val[o++] = (char)v;
                } else if (v < 0x800) {
                    val[o++] = (char)(0xC0 | (v >> 6));
                    val[o++] = (char)(0x80 | (v & 0x3F));
                } else {
                    val[o++] = (char)(0xE0 | (v >> 12));
                    val[o++] = (char)(0x80 | ((v >> 6) & 0x3F));
                    val[o++] = (char)(0x80 | (v & 0x3F));
                }
            } else if (e == '"' || e == '\\' || e == '/') {
                val[o++] = e;
            } else if (e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
                val[o++] = e == 'b' ? '\b' : e == 'f' ? '\f' : e == 'n' ? '\n' : e == 'r' ? '\r' : '\t';
            } else {
                free(val);
                *why = "bad escape";
                return *i - 1;
            }
            continue;
        }
        val[o++] = c;
    }
    val[o] = '\0';
    *out = val;
    return 0;
}

static const char *const keys[] = { "subject", "event", "at", "reason" };

/* Fills fs->f[0..3] by key (NULL when absent). Returns 0 or an error column. */
static size_t json_split(fields *fs, const char *s, size_t len, const char **why)
{
    size_t i = 0;
    fs->n = 4;
    for (int k = 0; k < 4; k++) {
        fs->f[k] = NULL;
        fs->col[k] = 1;
    }
    skip_ws(s, len, &i);
    if (i >= len || s[i] != '{') {
        *why = "expected a JSON object";
        return i + 1;
    }
    i++;
    skip_ws(s, len, &i);
    if (i < len && s[i] == '}') {
        i++;
        goto end;
    }
    for (;;) {
        char *key = NULL, *val = NULL;
        size_t at;
        skip_ws(s, len, &i);
        if ((at = json_string(&key, s, len, &i, why)) != 0)
            return at;
        skip_ws(s, len, &i);
        if (i >= len || s[i] != ':') {
            free(key);
            *why = "expected ':'";
            return i + 1;
        }
        i++;
        skip_ws(s, len, &i);
        size_t vcol = i + 1;
        if (len - i >= 4 && memcmp(s + i, "null", 4) == 0) {
            i += 4;
        } else if ((at = json_string(&val, s, len, &i, why)) != 0) {
            free(key);
            if (strcmp(*why, "expected a string") == 0)
                *why = "expected a string value";
            return at;
        }
        int k = 0;
        while (k < 4 && strcmp(key, keys[k]) != 0)
            k++;
        free(key);
        if (k == 4) {
            free(val); /* other fields are the host's business: ignored */
        } else {
            if (fs->f[k]) {
                free(val);
                *why = "duplicate key";
                return vcol;
            }
            fs->f[k] = val;
            fs->col[k] = vcol;
        }
        skip_ws(s, len, &i);
        if (i < len && s[i] == ',') {
            i++;
            continue;
        }
        if (i < len && s[i] == '}') {
            i++;
            break;
        }
        *why = "expected ',' or '}'";
        return i + 1;
    }
end:
    skip_ws(s, len, &i);
    if (i < len && s[i] != '\r') {
        *why = "text after the object";
        return i + 1;
    }
    return 0;
}

static int log_add(cli_eventlog *log, fields *fs, int idx_subject, int idx_event, int idx_at, int idx_reason,
                   unsigned long line, const char *file, const svcq_tz *zone)
{
    const char *need[] = { "subject", "event", "at" };
    int idx[] = { idx_subject, idx_event, idx_at };
    for (int k = 0; k < 3; k++) {
        if (idx[k] >= (int)fs->n || !fs->f[idx[k]] || !fs->f[idx[k]][0]) {
            cli_fail_at(file, line, 0, "missing \"%s\"", need[k]);
            return -1;
        }
    }
    svcq_time at;
    char why[200];
    if (cli_parse_time(&at, fs->f[idx_at], zone, why, sizeof why) != 0) {
        cli_fail_at(file, line, fs->col[idx_at], "%s", why);
        return -1;
    }
    if (log->n == log->cap) {
        size_t cap = log->cap ? log->cap * 2 : 1024;
        cli_event *ev = realloc(log->ev, cap * sizeof *ev);
        if (!ev) {
            cli_fail("out of memory");
            return -1;
        }
        log->ev = ev;
        log->cap = cap;
    }
    cli_event *e = &log->ev[log->n];
    e->subject = fs->f[idx_subject];
    e->name = fs->f[idx_event];
    e->reason = idx_reason >= 0 && idx_reason < (int)fs->n && fs->f[idx_reason] && fs->f[idx_reason][0]
                    ? fs->f[idx_reason] : NULL;
    e->at = at;
    e->line = line;
    e->order = log->n;
    /* The log owns what it keeps; free the rest. */
    for (size_t k = 0; k < fs->n; k++)
        if ((int)k != idx_subject && (int)k != idx_event && fs->f[k] != e->reason)
            free(fs->f[k]);
    fs->n = 0;
    log->n++;
    return 0;
}

int cli_eventlog_read(cli_eventlog *log, const char *file, const char *data, size_t len, const svcq_tz *zone)
{
    size_t pos = 0;
    unsigned long line = 0;
    int csv = -1, idx[4] = { -1, -1, -1, -1 };
    cli_progress prog;
    cli_progress_start(&prog, "reading events");
    while (pos < len) {
        size_t end = pos;
        while (end < len && data[end] != '\n')
            end++;
        const char *s = data + pos;
        size_t n = end - pos;
        if (n && s[n - 1] == '\r')
            n--;
        pos = end + 1;
        line++;
        size_t lead = 0;
        while (lead < n && (s[lead] == ' ' || s[lead] == '\t'))
            lead++;
        if (lead == n)
            continue; /* blank lines are allowed anywhere */
        if (csv < 0) {
            csv = s[lead] != '{';
            if (csv) { /* the header names the columns */
                fields hdr;
                const char *why;
                size_t col = csv_split(&hdr, s, n, &why);
                if (col) {
                    fields_free(&hdr);
                    cli_fail_at(file, line, col, "%s", why);
                    return -1;
                }
                for (size_t k = 0; k < hdr.n; k++)
                    for (int j = 0; j < 4; j++)
                        if (strcmp(hdr.f[k], keys[j]) == 0)
                            idx[j] = (int)k;
                fields_free(&hdr);
                for (int j = 0; j < 3; j++) {
                    if (idx[j] < 0) {
                        cli_fail_at(file, line, 0, "the header has no column \"%s\" (it needs subject, event, at)",
                                    keys[j]);
                        return -1;
                    }
                }
                continue;
            }
        }
        fields fs;
        const char *why;
        size_t col = csv ? csv_split(&fs, s, n, &why) : json_split(&fs, s, n, &why);
        if (col) {
            fields_free(&fs); /* the fields before the error */
            cli_fail_at(file, line, col, "%s", why);
            return -1;
        }
        int rc = csv ? log_add(log, &fs, idx[0], idx[1], idx[2], idx[3], line, file, zone)
                     : log_add(log, &fs, 0, 1, 2, 3, line, file, zone);
        if (rc != 0) {
            fields_free(&fs);
            return -1;
        }
        cli_progress_tick(&prog, log->n);
    }
    cli_progress_end(&prog);
    if (log->n == 0) {
        cli_fail_at(file, 0, 0, "no events");
        return -1;
    }
    return 0;
}
