/* svcq replay: runs a recorded event log through one or more SLA policies
 * and counts, per target, the cycles met, breached and still open: "what
 * if tier 2 had had a 45-minute response target?" */
#include "eventlog.h"

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

static int by_subject_time(const void *a, const void *b)
{
    const cli_event *x = a, *y = b;
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
    s[r->nskip].name = cli_strndup(name, strlen(name));
    if (!s[r->nskip].name)
        return -1;
    s[r->nskip++].count = 1;
    return 0;
}

static int run_policy(result *r, const cli_eventlog *log, const char *file, svcq_time until, svcq_ctx *ctx)
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
            const cli_event *e = &log->ev[k];
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

static void render(cli_out *out, cli_format fmt, result *res, size_t nres, const cli_eventlog *log, const char *file,
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
    cli_eventlog log = { 0 };
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
    if (cli_read_file(file, &data, &len) != 0 || cli_eventlog_read(&log, file, data, len, parse_zone) != 0)
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
    cli_eventlog_free(&log);
    free(data);
    svcq_tz_free(own_zone);
    svcq_ctx_free(ctx);
    return status;
}
