/* svcq replay: runs a recorded event log through one or more SLA policies
 * and counts, per target, the cycles met, breached and still open: "what
 * if tier 2 had had a 45-minute response target?" */
#include "cli.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char replay_usage[] =
    "usage: svcq replay --policy FILE [--policy FILE ...] [options] <log>\n"
    "\n"
    "Runs every subject's events through each policy and prints, per target, the\n"
    "cycles met on time, breached and still open. The log is CSV with the header\n"
    "subject,event,at[,reason] or JSON lines {\"subject\":..,\"event\":..,\"at\":..,\"reason\":..};\n"
    "times are YYYY-MM-DD HH:MM[:SS] with an offset (+08:00, Z) or local in --tz.\n"
    "  --policy FILE    an SLA policy JSON file (up to 8, compared side by side)\n"
    "  --until TIME     judge open cycles at this instant (default: the last event)\n"
    "  --tz ZONE        zone of times without an offset and of the output (default:\n"
    "                   the first policy's first calendar; without either,\n"
    "                   times need an offset and the output is in UTC)\n"
    "  --zoneinfo DIR   where zones are read (default /usr/share/zoneinfo)\n"
    "  --format F       md (default), json or csv\n"
    "  -o FILE          write there instead of standard output\n";

#define MAX_POLICIES 8

typedef struct event {
    char *subject;
    char *name;
    char *reason; /* NULL when none */
    svcq_time at;
    unsigned long line;
    size_t order;
} event;

typedef struct log {
    event *ev;
    size_t n, cap;
} log_t;

static void log_free(log_t *log)
{
    for (size_t i = 0; i < log->n; i++) {
        free(log->ev[i].subject);
        free(log->ev[i].name);
        free(log->ev[i].reason);
    }
    free(log->ev);
}

static char *dup_range(const char *s, size_t n)
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
            val = dup_range(line + start, i - start);
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
            const char *map = strchr("\"\"\\\\//b\bf\fn\nr\rt\t", e);
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
            } else if (map && ((map - "\"\"\\\\//b\bf\fn\nr\rt\t") % 2) == 0) {
                val[o++] = map[1];
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

static int log_add(log_t *log, fields *fs, int idx_subject, int idx_event, int idx_at, int idx_reason,
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
        event *ev = realloc(log->ev, cap * sizeof *ev);
        if (!ev) {
            cli_fail("out of memory");
            return -1;
        }
        log->ev = ev;
        log->cap = cap;
    }
    event *e = &log->ev[log->n];
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

static int read_log(log_t *log, const char *file, const char *data, size_t len, const svcq_tz *zone)
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

static int by_subject_time(const void *a, const void *b)
{
    const event *x = a, *y = b;
    int c = strcmp(x->subject, y->subject);
    if (c)
        return c;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Events a policy does not use, by name, for the report. */
typedef struct skipped {
    char *name;
    uint64_t count;
} skipped;

typedef struct result {
    svcq_sla_policy *policy;
    const char *file;
    svcq_sla_replay *replay;
    skipped *skip;
    size_t nskip;
} result;

static int note_skip(result *r, const char *name)
{
    for (size_t i = 0; i < r->nskip; i++)
        if (strcmp(r->skip[i].name, name) == 0) {
            r->skip[i].count++;
            return 0;
        }
    skipped *s = realloc(r->skip, (r->nskip + 1) * sizeof *s);
    if (!s)
        return -1;
    r->skip = s;
    s[r->nskip].name = dup_range(name, strlen(name));
    if (!s[r->nskip].name)
        return -1;
    s[r->nskip++].count = 1;
    return 0;
}

static int run_policy(result *r, const log_t *log, const char *file, svcq_time until, svcq_ctx *ctx)
{
    if (svcq_sla_replay_new(&r->replay, r->policy) != SVCQ_OK) {
        cli_fail_lib(r->file, ctx, SVCQ_ENOMEM);
        return -1;
    }
    cli_progress prog;
    cli_progress_start(&prog, svcq_sla_policy_name(r->policy));
    for (size_t i = 0; i < log->n;) {
        size_t j = i;
        while (j < log->n && strcmp(log->ev[j].subject, log->ev[i].subject) == 0)
            j++;
        svcq_sla_clock *clock = NULL;
        int rc = svcq_sla_clock_new(&clock, r->policy, log->ev[i].subject);
        if (rc != SVCQ_OK) {
            cli_fail_at(file, log->ev[i].line, 0, "%s", svcq_ctx_errmsg(ctx));
            return -1;
        }
        for (size_t k = i; k < j; k++) {
            const event *e = &log->ev[k];
            int32_t used = 0;
            if (svcq_sla_policy_uses_event(&used, r->policy, e->name) == SVCQ_OK && !used) {
                if (note_skip(r, e->name) != 0) {
                    svcq_sla_clock_free(clock);
                    cli_fail("out of memory");
                    return -1;
                }
                continue;
            }
            if (e->at > until)
                continue; /* after the judgement instant: not yet happened */
            rc = svcq_sla_clock_event(clock, e->name, e->at, e->reason);
            if (rc != SVCQ_OK) {
                cli_fail_at(file, e->line, 0, "policy %s: %s", svcq_sla_policy_name(r->policy),
                            svcq_ctx_errmsg(ctx));
                svcq_sla_clock_free(clock);
                return -1;
            }
        }
        rc = svcq_sla_replay_add_clock(r->replay, clock, until);
        svcq_sla_clock_free(clock);
        if (rc != SVCQ_OK) {
            cli_fail_at(file, log->ev[i].line, 0, "policy %s: %s", svcq_sla_policy_name(r->policy),
                        svcq_ctx_errmsg(ctx));
            return -1;
        }
        cli_progress_tick(&prog, j);
        i = j;
    }
    cli_progress_end(&prog);
    return 0;
}

static int by_count(const void *a, const void *b)
{
    const skipped *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void percent(char *buf, size_t size, uint64_t part, uint64_t whole)
{
    if (whole == 0)
        snprintf(buf, size, "–");
    else /* rounded to a tenth, half up, in integers */
        snprintf(buf, size, "%llu.%llu %%", (unsigned long long)((part * 1000 + whole / 2) / whole / 10),
                 (unsigned long long)((part * 1000 + whole / 2) / whole % 10));
}

static void render(cli_out *out, cli_format fmt, result *res, size_t nres, const log_t *log, const char *file,
                   svcq_time until, const svcq_tz *zone)
{
    size_t subjects = 0;
    for (size_t i = 0; i < log->n; i++)
        subjects += i == 0 || strcmp(log->ev[i].subject, log->ev[i - 1].subject) != 0;
    svcq_time first = log->ev[0].at, last = log->ev[0].at;
    for (size_t i = 1; i < log->n; i++) {
        if (log->ev[i].at < first)
            first = log->ev[i].at;
        if (log->ev[i].at > last)
            last = log->ev[i].at;
    }
    char t1[64], t2[64], t3[64];
    if (fmt == CLI_FORMAT_JSON) {
        cli_out_printf(out, "{\"schema\":\"svcq.replay/1\",\"log\":");
        cli_out_json_string(out, file);
        cli_out_printf(out, ",\"events\":%zu,\"subjects\":%zu,\"first\":\"%s\",\"last\":\"%s\",\"until\":\"%s\","
                            "\"policies\":[",
                       log->n, subjects, cli_time(t1, sizeof t1, zone, first, 1),
                       cli_time(t2, sizeof t2, zone, last, 1), cli_time(t3, sizeof t3, zone, until, 1));
    } else if (fmt == CLI_FORMAT_CSV) {
        cli_out_printf(out, "policy,version,target,met,breached,open\n");
    } else {
        cli_out_printf(out, "# What-if replay of %s\n\n", file);
        cli_out_printf(out, "%zu event%s of %zu subject%s, from %s to %s (%s); open cycles judged at %s.\n",
                       log->n, log->n == 1 ? "" : "s", subjects, subjects == 1 ? "" : "s", cli_time(t1, sizeof t1, zone, first, 0),
                       cli_time(t2, sizeof t2, zone, last, 0), svcq_tz_name(zone),
                       cli_time(t3, sizeof t3, zone, until, 0));
    }
    for (size_t p = 0; p < nres; p++) {
        result *r = &res[p];
        const char *name = svcq_sla_policy_name(r->policy);
        uint32_t version = svcq_sla_policy_version(r->policy);
        uint32_t n = svcq_sla_policy_target_count(r->policy);
        qsort(r->skip, r->nskip, sizeof *r->skip, by_count);
        if (fmt == CLI_FORMAT_JSON) {
            cli_out_printf(out, "%s{\"policy\":", p ? "," : "");
            cli_out_json_string(out, name);
            cli_out_printf(out, ",\"version\":%u,\"fingerprint\":\"%s\",\"targets\":[", version,
                           svcq_sla_policy_fingerprint(r->policy));
        } else if (fmt == CLI_FORMAT_MARKDOWN) {
            cli_out_printf(out, "\n## %s version %u (`%s`)\n\n", name, version, r->file);
            cli_out_printf(out, "| target | met | breached | open | on time |\n|---|---:|---:|---:|---:|\n");
        }
        for (uint32_t t = 0; t < n; t++) {
            svcq_sla_target_spec spec = SVCQ_SLA_TARGET_SPEC_INIT;
            uint64_t met = 0, breached = 0, open = 0;
            if (svcq_sla_policy_target(&spec, r->policy, t) != SVCQ_OK ||
                svcq_sla_replay_totals(&met, &breached, &open, r->replay, t) != SVCQ_OK)
                continue;
            if (fmt == CLI_FORMAT_JSON) {
                cli_out_printf(out, "%s{\"metric\":", t ? "," : "");
                cli_out_json_string(out, spec.metric);
                cli_out_printf(out, ",\"met\":%llu,\"breached\":%llu,\"open\":%llu}", (unsigned long long)met,
                               (unsigned long long)breached, (unsigned long long)open);
            } else if (fmt == CLI_FORMAT_CSV) {
                cli_out_csv_field(out, name);
                cli_out_printf(out, ",%u,", version);
                cli_out_csv_field(out, spec.metric);
                cli_out_printf(out, ",%llu,%llu,%llu\n", (unsigned long long)met, (unsigned long long)breached,
                               (unsigned long long)open);
            } else {
                char pct[32];
                percent(pct, sizeof pct, met, met + breached);
                cli_out_printf(out, "| %s | %llu | %llu | %llu | %s |\n", spec.metric, (unsigned long long)met,
                               (unsigned long long)breached, (unsigned long long)open, pct);
            }
        }
        if (fmt == CLI_FORMAT_JSON) {
            cli_out_printf(out, "],\"skipped\":{");
            for (size_t s = 0; s < r->nskip; s++) {
                cli_out_printf(out, "%s", s ? "," : "");
                cli_out_json_string(out, r->skip[s].name);
                cli_out_printf(out, ":%llu", (unsigned long long)r->skip[s].count);
            }
            cli_out_printf(out, "}}");
        } else if (fmt == CLI_FORMAT_MARKDOWN && r->nskip) {
            cli_out_printf(out, "\nEvents this policy does not use, skipped:");
            for (size_t s = 0; s < r->nskip; s++)
                cli_out_printf(out, "%s %s (%llu)", s ? "," : "", r->skip[s].name,
                               (unsigned long long)r->skip[s].count);
            cli_out_printf(out, ".\n");
        }
    }
    if (fmt == CLI_FORMAT_JSON)
        cli_out_printf(out, "]}\n");
}

int cli_replay(int argc, char **argv)
{
    const char *policy_files[MAX_POLICIES], *until_text = NULL, *tz_name = NULL, *zdir = NULL, *output = NULL;
    size_t npol = 0;
    cli_format fmt = CLI_FORMAT_MARKDOWN;
    const char *positional[2];
    int npos = 0, options_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (options_done || opt[0] != '-' || opt[1] == '\0') {
            if (npos == 2) {
                fputs(replay_usage, stderr);
                return CLI_USAGE;
            }
            positional[npos++] = opt;
            continue;
        }
        if (strcmp(opt, "--") == 0) {
            options_done = 1;
            continue;
        }
        if (strcmp(opt, "--help") == 0) {
            fputs(replay_usage, stdout);
            return CLI_OK;
        }
        if (i + 1 >= argc) {
            cli_fail("replay: option %s needs a value", opt);
            return CLI_USAGE;
        }
        const char *val = argv[++i];
        if (strcmp(opt, "--policy") == 0) {
            if (npol == MAX_POLICIES) {
                cli_fail("replay: at most %d policies", MAX_POLICIES);
                return CLI_USAGE;
            }
            policy_files[npol++] = val;
        } else if (strcmp(opt, "--until") == 0) {
            until_text = val;
        } else if (strcmp(opt, "--tz") == 0) {
            tz_name = val;
        } else if (strcmp(opt, "--zoneinfo") == 0) {
            zdir = val;
        } else if (strcmp(opt, "--format") == 0) {
            if (cli_parse_format(&fmt, val) != 0) {
                cli_fail("replay: no format \"%s\": md, json or csv", val);
                return CLI_USAGE;
            }
        } else if (strcmp(opt, "-o") == 0) {
            output = val;
        } else {
            cli_fail("replay: unknown option \"%s\" (see svcq help replay)", opt);
            return CLI_USAGE;
        }
    }
    if (npos != 1 || npol == 0) {
        fputs(replay_usage, stderr);
        return CLI_USAGE;
    }
    const char *file = positional[0];
    int status = CLI_FAILED;
    svcq_ctx *ctx = cli_ctx();
    if (!ctx)
        return CLI_FAILED;
    result res[MAX_POLICIES];
    memset(res, 0, sizeof res);
    log_t log = { 0 };
    char *data = NULL;
    size_t len;
    svcq_tz *own_zone = NULL;
    const svcq_tz *zone = NULL;
    cli_out out = { 0 };

    for (size_t p = 0; p < npol; p++) {
        char *text;
        size_t n;
        if (cli_read_file(policy_files[p], &text, &n) != 0)
            goto done;
        int rc = svcq_sla_policy_import_json(&res[p].policy, ctx, text, n, zdir);
        free(text);
        if (rc != SVCQ_OK) {
            cli_fail_lib(policy_files[p], ctx, rc);
            goto done;
        }
        res[p].file = policy_files[p];
    }
    if (tz_name) {
        if (svcq_tz_load(&own_zone, ctx, tz_name, zdir) != SVCQ_OK) {
            cli_fail("--tz %s: %s", tz_name, svcq_ctx_errmsg(ctx));
            status = CLI_USAGE;
            goto done;
        }
        zone = own_zone;
    } else {
        for (uint32_t t = 0; !zone && t < svcq_sla_policy_target_count(res[0].policy); t++) {
            svcq_sla_target_spec spec = SVCQ_SLA_TARGET_SPEC_INIT;
            if (svcq_sla_policy_target(&spec, res[0].policy, t) == SVCQ_OK && spec.calendar)
                zone = svcq_calendar_tz(spec.calendar);
        }
        if (!zone) {
            if (svcq_tz_fixed(&own_zone, ctx, 0) != SVCQ_OK) {
                cli_fail("out of memory");
                goto done;
            }
            zone = own_zone;
        }
    }
    /* Local times need a zone someone chose: the UTC fallback only labels the output. */
    const svcq_tz *parse_zone = zone == own_zone && !tz_name ? NULL : zone;
    if (cli_read_file(file, &data, &len) != 0 || read_log(&log, file, data, len, parse_zone) != 0)
        goto done;
    qsort(log.ev, log.n, sizeof *log.ev, by_subject_time);
    svcq_time until = log.ev[0].at;
    for (size_t k = 1; k < log.n; k++)
        if (log.ev[k].at > until)
            until = log.ev[k].at;
    if (until_text) {
        char why[200];
        if (cli_parse_time(&until, until_text, parse_zone, why, sizeof why) != 0) {
            cli_fail("--until: %s", why);
            status = CLI_USAGE;
            goto done;
        }
    }
    for (size_t p = 0; p < npol; p++)
        if (run_policy(&res[p], &log, file, until, ctx) != 0)
            goto done;
    render(&out, fmt, res, npol, &log, file, until, zone);
    status = cli_out_commit(&out, output);
done:
    cli_out_free(&out);
    for (size_t p = 0; p < npol; p++) {
        svcq_sla_replay_free(res[p].replay);
        svcq_sla_policy_free(res[p].policy);
        for (size_t s = 0; s < res[p].nskip; s++)
            free(res[p].skip[s].name);
        free(res[p].skip);
    }
    log_free(&log);
    free(data);
    svcq_tz_free(own_zone);
    svcq_ctx_free(ctx);
    return status;
}
