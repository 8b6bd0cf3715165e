/* svcq kpi and svcq report: KPIs and the weekly report from a file of
 * tickets (the metrics module's CSV or JSON lines), on a business calendar. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define COMMON_OPTIONS \
    "  --calendar FILE  business calendar JSON (svcq.calendar/1): business time\n" \
    "                   and the zone of the periods (default: 7x24 in UTC)\n" \
    "  --tz ZONE        zone of the periods instead of the calendar's\n" \
    "  --zoneinfo DIR   where zones are read (default /usr/share/zoneinfo)\n" \
    "  --fcr DEF        first-contact resolution: one_agent_reply (default),\n" \
    "                   no_customer_reply, no_reopen or one_contact\n" \
    "  --reopen-days N  business days of the no_reopen definition (default 7)\n" \
    "  --attribution A  cohort (default: by receipt) or throughput (by resolution)\n" \
    "  -o FILE          write there instead of standard output\n" \
    "Any ticket line the library refuses is reported as FILE:LINE:COLUMN and\n" \
    "nothing is written (exit status 1).\n"

static const char kpi_usage[] =
    "usage: svcq kpi --at TIME [options] <tickets>\n"
    "\n"
    "Every KPI of one period (and one dimension value), each with the definition it\n"
    "used. The tickets are the metrics module's CSV (a header row naming the fields,\n"
    "id and received required) or JSON lines (docs/format.md, \"Import\").\n"
    "  --at TIME        any instant of the period (YYYY-MM-DD HH:MM[:SS], with an\n"
    "                   offset or local in the periods' zone)\n"
    "  --period P       day, week (default), month, quarter, half or year\n"
    "  --by DIM         tier, channel, category, agent, client, complaint, location\n"
    "                   or stage (default: all tickets); needs --value\n"
    "  --value V        the dimension's value, e.g. tier.1\n"
    "  --format F       md (default), json or csv\n" COMMON_OPTIONS;

static const char report_usage[] =
    "usage: svcq report --week TIME [options] <tickets>\n"
    "\n"
    "The weekly report: the top complaint categories against the previous week,\n"
    "the KPIs against their targets, SLA breaches by tier and the trend.\n"
    "  --week TIME      any instant of the week reported\n"
    "  --top N          complaint categories listed (default 3)\n"
    "  --trend-weeks N  weeks of the trend (default 8)\n"
    "  --trend-kpi KPI  the KPI of the trend (default fcr; see svcq kpi's output)\n"
    "  --format F       md (default), json, csv, svg-top (this week's top categories\n"
    "                   against last week's) or svg-trend (the trend as a line)\n" COMMON_OPTIONS;

/* An enum value by its name, through the library's own name function:
 * the tool never keeps a copy of the lists. */
static int by_name(int32_t *out, const char *(*name_of)(int32_t), int32_t first, const char *text)
{
    for (int32_t v = first; v < first + 64; v++) {
        const char *n = name_of(v);
        if (n && strcmp(n, text) == 0) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

/* "a, b or c" for a message. */
static void names_list(char *buf, size_t size, const char *(*name_of)(int32_t), int32_t first)
{
    size_t used = 0;
    int32_t last = first;
    for (int32_t v = first; v < first + 64; v++)
        if (name_of(v))
            last = v;
    buf[0] = '\0';
    int32_t seen = 0;
    for (int32_t v = first; v < first + 64 && used < size; v++) {
        const char *n = name_of(v);
        if (!n)
            continue;
        seen++;
        const char *sep = seen == 1 ? "" : v == last ? " or " : ", ";
        int k = snprintf(buf + used, size - used, "%s%s", sep, n);
        if (k < 0)
            break;
        used += (size_t)k;
    }
}

typedef struct common {
    const char *calendar_file, *tz_name, *zdir, *output, *tickets;
    int32_t fcr, attribution, reopen_days;
} common;

/* Parses one option shared by both commands: 1 when it was one (consuming
 * its value), 0 when not, -1 after a message. */
static int common_option(common *c, const char *cmd, const char *opt, const char *val)
{
    char names[256];
    if (strcmp(opt, "--calendar") == 0) {
        c->calendar_file = val;
    } else if (strcmp(opt, "--tz") == 0) {
        c->tz_name = val;
    } else if (strcmp(opt, "--zoneinfo") == 0) {
        c->zdir = val;
    } else if (strcmp(opt, "-o") == 0) {
        c->output = val;
    } else if (strcmp(opt, "--fcr") == 0) {
        if (by_name(&c->fcr, svcq_metrics_fcr_name, 1, val) != 0) {
            names_list(names, sizeof names, svcq_metrics_fcr_name, 1);
            cli_fail("%s: no FCR definition \"%s\": %s", cmd, val, names);
            return -1;
        }
    } else if (strcmp(opt, "--attribution") == 0) {
        if (by_name(&c->attribution, svcq_metrics_attribution_name, 1, val) != 0) {
            names_list(names, sizeof names, svcq_metrics_attribution_name, 1);
            cli_fail("%s: no attribution \"%s\": %s", cmd, val, names);
            return -1;
        }
    } else if (strcmp(opt, "--reopen-days") == 0) {
        char *end;
        long n = strtol(val, &end, 10);
        if (*end || end == val || n < 0 || n > 365) {
            cli_fail("%s: --reopen-days %s: expected 0 to 365", cmd, val);
            return -1;
        }
        c->reopen_days = (int32_t)n;
    } else {
        return 0;
    }
    return 1;
}

typedef struct reject_state {
    const char *file;
    uint64_t shown;
} reject_state;

static int on_reject(uint64_t line, uint64_t column, int code, const char *message, void *user_data)
{
    reject_state *rs = user_data;
    (void)code;
    /* The library's message starts with "line N, column M: "; the position
     * goes in front, where editors look for it. */
    const char *text = message;
    unsigned long l, c;
    int used = 0;
    if (sscanf(message, "line %lu, column %lu: %n", &l, &c, &used) == 2 && used > 0)
        text = message + used;
    if (rs->shown++ < 20)
        cli_fail_at(rs->file, (unsigned long)line, (unsigned long)column, "%s", text);
    return 0;
}

/* Builds the set and imports the tickets; NULL after a message. */
static svcq_metrics *load(svcq_ctx *ctx, const common *c, svcq_calendar **cal, svcq_tz **zone)
{
    svcq_metrics_options o;
    if (svcq_metrics_options_init(&o, SVCQ_METRICS_OPTIONS_VERSION) != SVCQ_OK)
        return NULL;
    if (c->calendar_file) {
        char *text;
        size_t len;
        if (cli_read_file(c->calendar_file, &text, &len) != 0)
            return NULL;
        int rc = svcq_calendar_import_json(cal, ctx, text, len, c->zdir, NULL);
        free(text);
        if (rc != SVCQ_OK) {
            cli_fail_lib(c->calendar_file, ctx, rc);
            return NULL;
        }
        o.calendar = *cal;
    }
    if (c->tz_name) {
        if (svcq_tz_load(zone, ctx, c->tz_name, c->zdir) != SVCQ_OK) {
            cli_fail("--tz %s: %s", c->tz_name, svcq_ctx_errmsg(ctx));
            return NULL;
        }
        o.tz = *zone;
    }
    if (c->fcr)
        o.fcr_definition = c->fcr;
    if (c->attribution)
        o.attribution = c->attribution;
    if (c->reopen_days >= 0)
        o.fcr_reopen_days = c->reopen_days;
    svcq_metrics *m = NULL;
    int rc = svcq_metrics_new(&m, ctx, &o);
    if (rc != SVCQ_OK) {
        cli_fail("%s", svcq_ctx_errmsg(ctx));
        return NULL;
    }
    char *data;
    size_t len;
    if (cli_read_file(c->tickets, &data, &len) != 0) {
        svcq_metrics_free(m);
        return NULL;
    }
    /* JSON lines start with '{' (after blank lines); anything else is CSV. */
    size_t i = 0;
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i == len) {
        cli_fail_at(c->tickets, 0, 0, "no tickets");
        free(data);
        svcq_metrics_free(m);
        return NULL;
    }
    int32_t format = data[i] == '{' ? SVCQ_METRICS_IMPORT_JSONL : SVCQ_METRICS_IMPORT_CSV;
    reject_state rs = { c->tickets, 0 };
    uint64_t accepted = 0, rejected = 0;
    rc = svcq_metrics_import(&accepted, &rejected, m, format, data, len, on_reject, &rs);
    free(data);
    if (rc != SVCQ_OK) {
        cli_fail_lib(c->tickets, ctx, rc);
        svcq_metrics_free(m);
        return NULL;
    }
    if (rejected) {
        if (rejected > 20)
            cli_fail_at(c->tickets, 0, 0, "%llu more lines refused", (unsigned long long)(rejected - 20));
        cli_fail_at(c->tickets, 0, 0, "%llu of %llu tickets refused; nothing written",
                    (unsigned long long)rejected, (unsigned long long)(accepted + rejected));
        svcq_metrics_free(m);
        return NULL;
    }
    if (accepted == 0) {
        cli_fail_at(c->tickets, 0, 0, "no tickets");
        svcq_metrics_free(m);
        return NULL;
    }
    return m;
}

static const svcq_tz *periods_zone(const svcq_calendar *cal, const svcq_tz *zone)
{
    return zone ? zone : cal ? svcq_calendar_tz(cal) : NULL;
}

/* Parses a --at/--week time: local times in the periods' zone, else with
 * an offset. */
static int parse_at(svcq_time *out, const char *opt, const char *text, const svcq_tz *zone)
{
    char why[200];
    if (cli_parse_time(out, text, zone, why, sizeof why) != 0) {
        cli_fail("%s: %s", opt, why);
        return -1;
    }
    return 0;
}

static int metrics_format(int32_t *out, cli_format fmt)
{
    *out = fmt == CLI_FORMAT_JSON ? SVCQ_METRICS_JSON : fmt == CLI_FORMAT_CSV ? SVCQ_METRICS_CSV
                                                                               : SVCQ_METRICS_MARKDOWN;
    return 0;
}

typedef int (*run_fn)(cli_out *out, svcq_metrics *m, svcq_ctx *ctx, const svcq_tz *zone, void *args);

static int run(const common *c, run_fn fn, void *args)
{
    svcq_ctx *ctx = cli_ctx();
    if (!ctx)
        return CLI_FAILED;
    svcq_calendar *cal = NULL;
    svcq_tz *zone = NULL;
    cli_out out = { 0 };
    int status = CLI_FAILED;
    svcq_metrics *m = load(ctx, c, &cal, &zone);
    if (m) {
        int rc = fn(&out, m, ctx, periods_zone(cal, zone), args);
        if (rc == CLI_OK)
            status = cli_out_commit(&out, c->output);
        else
            status = rc;
    }
    cli_out_free(&out);
    svcq_metrics_free(m);
    svcq_calendar_free(cal);
    svcq_tz_free(zone);
    svcq_ctx_free(ctx);
    return status;
}

typedef struct kpi_args {
    const char *at_text, *by_text, *value;
    int32_t period, dim;
    int32_t format;
} kpi_args;

static int kpi_run(cli_out *out, svcq_metrics *m, svcq_ctx *ctx, const svcq_tz *zone, void *args)
{
    kpi_args *a = args;
    svcq_time at;
    if (parse_at(&at, "--at", a->at_text, zone) != 0)
        return CLI_USAGE;
    svcq_writer w = cli_out_writer(out);
    int rc = svcq_metrics_kpis_export(m, a->period, at, a->dim, a->value ? a->value : "", a->format, &w);
    if (rc != SVCQ_OK) {
        cli_fail("%s", svcq_ctx_errmsg(ctx));
        return CLI_FAILED;
    }
    return CLI_OK;
}

/* Walks the options of one command: calls @p own for those it does not
 * share; collects the one positional argument. */
typedef int (*own_fn)(void *args, const char *cmd, const char *opt, const char *val);

static int parse_args(common *c, int argc, char **argv, const char *cmd, const char *usage, own_fn own,
                      void *args)
{
    int options_done = 0;
    c->reopen_days = -1;
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (options_done || opt[0] != '-' || opt[1] == '\0') {
            if (c->tickets) {
                fputs(usage, stderr);
                return CLI_USAGE;
            }
            c->tickets = opt;
            continue;
        }
        if (strcmp(opt, "--") == 0) {
            options_done = 1;
            continue;
        }
        if (strcmp(opt, "--help") == 0) {
            fputs(usage, stdout);
            return -1;
        }
        if (i + 1 >= argc) {
            cli_fail("%s: option %s needs a value", cmd, opt);
            return CLI_USAGE;
        }
        const char *val = argv[++i];
        int r = common_option(c, cmd, opt, val);
        if (r < 0)
            return CLI_USAGE;
        if (r == 0) {
            r = own(args, cmd, opt, val);
            if (r < 0)
                return CLI_USAGE;
            if (r == 0) {
                cli_fail("%s: unknown option \"%s\" (see svcq help %s)", cmd, opt, cmd);
                return CLI_USAGE;
            }
        }
    }
    if (!c->tickets) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    return CLI_OK;
}

static int format_option(cli_format *fmt, const char *cmd, const char *val)
{
    if (cli_parse_format(fmt, val) != 0) {
        cli_fail("%s: no format \"%s\": md, json or csv", cmd, val);
        return -1;
    }
    return 1;
}

static int kpi_option(void *args, const char *cmd, const char *opt, const char *val)
{
    kpi_args *a = args;
    char names[256];
    if (strcmp(opt, "--at") == 0) {
        a->at_text = val;
    } else if (strcmp(opt, "--period") == 0) {
        if (by_name(&a->period, svcq_metrics_period_name, 1, val) != 0) {
            names_list(names, sizeof names, svcq_metrics_period_name, 1);
            cli_fail("%s: no period \"%s\": %s", cmd, val, names);
            return -1;
        }
    } else if (strcmp(opt, "--by") == 0) {
        if (by_name(&a->dim, svcq_metrics_dim_name, 1, val) != 0) {
            names_list(names, sizeof names, svcq_metrics_dim_name, 1);
            cli_fail("%s: no dimension \"%s\": %s", cmd, val, names);
            return -1;
        }
        a->by_text = val;
    } else if (strcmp(opt, "--value") == 0) {
        a->value = val;
    } else if (strcmp(opt, "--format") == 0) {
        cli_format f;
        if (format_option(&f, cmd, val) < 0)
            return -1;
        metrics_format(&a->format, f);
    } else {
        return 0;
    }
    return 1;
}

int cli_kpi(int argc, char **argv)
{
    common c = { 0 };
    kpi_args a = { 0 };
    a.period = SVCQ_METRICS_WEEK;
    a.dim = SVCQ_METRICS_DIM_ALL;
    a.format = SVCQ_METRICS_MARKDOWN;
    int rc = parse_args(&c, argc, argv, "kpi", kpi_usage, kpi_option, &a);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (!a.at_text) {
        cli_fail("kpi: --at is required (any instant of the period)");
        return CLI_USAGE;
    }
    if (!a.by_text != !a.value) {
        cli_fail("kpi: --by and --value go together");
        return CLI_USAGE;
    }
    return run(&c, kpi_run, &a);
}

typedef struct report_args {
    const char *week_text;
    svcq_metrics_report req;
    int32_t format;
} report_args;

static int report_run(cli_out *out, svcq_metrics *m, svcq_ctx *ctx, const svcq_tz *zone, void *args)
{
    report_args *a = args;
    if (parse_at(&a->req.week_of, "--week", a->week_text, zone) != 0)
        return CLI_USAGE;
    svcq_writer w = cli_out_writer(out);
    int rc = svcq_metrics_weekly_report(m, &a->req, a->format, &w);
    if (rc != SVCQ_OK) {
        cli_fail("%s", svcq_ctx_errmsg(ctx));
        return CLI_FAILED;
    }
    return CLI_OK;
}

static int count_option(uint32_t *out, const char *cmd, const char *opt, const char *val, long lo, long hi)
{
    char *end;
    long n = strtol(val, &end, 10);
    if (*end || end == val || n < lo || n > hi) {
        cli_fail("%s: %s %s: expected %ld to %ld", cmd, opt, val, lo, hi);
        return -1;
    }
    *out = (uint32_t)n;
    return 1;
}

static int report_option(void *args, const char *cmd, const char *opt, const char *val)
{
    report_args *a = args;
    char names[400];
    if (strcmp(opt, "--week") == 0) {
        a->week_text = val;
    } else if (strcmp(opt, "--top") == 0) {
        return count_option(&a->req.top, cmd, opt, val, 1, 20);
    } else if (strcmp(opt, "--trend-weeks") == 0) {
        return count_option(&a->req.trend_weeks, cmd, opt, val, 1, 52);
    } else if (strcmp(opt, "--trend-kpi") == 0) {
        if (by_name(&a->req.trend_kpi, svcq_metrics_kpi_name, 1, val) != 0) {
            names_list(names, sizeof names, svcq_metrics_kpi_name, 1);
            cli_fail("%s: no KPI \"%s\": %s", cmd, val, names);
            return -1;
        }
    } else if (strcmp(opt, "--format") == 0) {
        if (strcmp(val, "svg-top") == 0) {
            a->format = SVCQ_METRICS_SVG_TOP;
        } else if (strcmp(val, "svg-trend") == 0) {
            a->format = SVCQ_METRICS_SVG_TREND;
        } else {
            cli_format f;
            if (cli_parse_format(&f, val) != 0) {
                cli_fail("%s: no format \"%s\": md, json, csv, svg-top or svg-trend", cmd, val);
                return -1;
            }
            metrics_format(&a->format, f);
        }
    } else {
        return 0;
    }
    return 1;
}

int cli_report(int argc, char **argv)
{
    common c = { 0 };
    report_args a = { 0 };
    if (svcq_metrics_report_init(&a.req, SVCQ_METRICS_REPORT_VERSION) != SVCQ_OK)
        return CLI_FAILED;
    a.format = SVCQ_METRICS_MARKDOWN;
    int rc = parse_args(&c, argc, argv, "report", report_usage, report_option, &a);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (!a.week_text) {
        cli_fail("report: --week is required (any instant of the week)");
        return CLI_USAGE;
    }
    return run(&c, report_run, &a);
}
