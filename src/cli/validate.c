/* svcq validate: reads a configuration file the way a host would load it
 * and says what it is, or where it is wrong. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char validate_usage[] =
    "usage: svcq validate [--zoneinfo DIR] <kind> <file>\n"
    "\n"
    "Kinds: calendar, policy (an SLA policy), scheme (a tier scheme), profiles (tier\n"
    "service profiles), template (a scorecard template), analysis (a fishbone/5-Why).\n"
    "The file is JSON as the library exports it (docs/format.md); \"-\" reads standard\n"
    "input. Prints one line describing the object; exit status 1 and FILE:LINE:COL on error.\n"
    "  --zoneinfo DIR   where calendars and policies find their time zones\n"
    "                   (default /usr/share/zoneinfo)\n";

typedef int (*check_fn)(cli_out *out, svcq_ctx *ctx, const char *data, size_t len, const char *zdir);

static int check_calendar(cli_out *out, svcq_ctx *ctx, const char *data, size_t len, const char *zdir)
{
    svcq_calendar *cal = NULL;
    int rc = svcq_calendar_import_json(&cal, ctx, data, len, zdir, NULL);
    if (rc != SVCQ_OK)
        return rc;
    cli_out_printf(out, "calendar in %s\n", svcq_tz_name(svcq_calendar_tz(cal)));
    svcq_calendar_free(cal);
    return SVCQ_OK;
}

static int check_policy(cli_out *out, svcq_ctx *ctx, const char *data, size_t len, const char *zdir)
{
    svcq_sla_policy *pol = NULL;
    int rc = svcq_sla_policy_import_json(&pol, ctx, data, len, zdir);
    if (rc != SVCQ_OK)
        return rc;
    uint32_t n = svcq_sla_policy_target_count(pol);
    cli_out_printf(out, "SLA policy %s version %u, %u target%s:", svcq_sla_policy_name(pol),
                   svcq_sla_policy_version(pol), n, n == 1 ? "" : "s");
    for (uint32_t i = 0; i < n; i++) {
        svcq_sla_target_spec spec = SVCQ_SLA_TARGET_SPEC_INIT;
        if (svcq_sla_policy_target(&spec, pol, i) == SVCQ_OK)
            cli_out_printf(out, "%s %s", i ? "," : "", spec.metric);
    }
    cli_out_printf(out, "\n");
    svcq_sla_policy_free(pol);
    return SVCQ_OK;
}

static int check_scheme(cli_out *out, svcq_ctx *ctx, const char *data, size_t len, const char *zdir)
{
    svcq_tier_scheme *s = NULL;
    int rc = svcq_tier_scheme_import_json(&s, ctx, data, len);
    if (rc != SVCQ_OK)
        return rc;
    cli_out_printf(out, "tier scheme %s version %u, %u tiers, %u factors\n", svcq_tier_scheme_name(s),
                   svcq_tier_scheme_version(s), svcq_tier_scheme_tier_count(s),
                   svcq_tier_scheme_factor_count(s));
    svcq_tier_scheme_free(s);
    return SVCQ_OK;
}

static int check_profiles(cli_out *out, svcq_ctx *ctx, const char *data, size_t len, const char *zdir)
{
    svcq_tier_profiles *p = NULL;
    int rc = svcq_tier_profiles_import_json(&p, ctx, data, len);
    if (rc != SVCQ_OK)
        return rc;
    cli_out_printf(out, "tier service profiles\n");
    svcq_tier_profiles_free(p);
    return SVCQ_OK;
}

static int check_template(cli_out *out, svcq_ctx *ctx, const char *data, size_t len, const char *zdir)
{
    svcq_scorecard_template *t = NULL;
    int rc = svcq_scorecard_template_import(&t, ctx, data, len);
    if (rc != SVCQ_OK)
        return rc;
    int64_t max = svcq_scorecard_template_max_points(t);
    uint32_t items = svcq_scorecard_template_item_count(t), vetoes = svcq_scorecard_template_veto_count(t);
    cli_out_printf(out, "scorecard template %s version %u, %u item%s, %lld.%03lld points, %u veto rule%s\n",
                   svcq_scorecard_template_name(t), svcq_scorecard_template_version(t), items,
                   items == 1 ? "" : "s", (long long)(max / 1000), (long long)(max % 1000), vetoes,
                   vetoes == 1 ? "" : "s");
    svcq_scorecard_template_free(t);
    return SVCQ_OK;
}

static int check_analysis(cli_out *out, svcq_ctx *ctx, const char *data, size_t len, const char *zdir)
{
    svcq_analysis *a = NULL;
    int rc = svcq_analysis_import_json(&a, ctx, data, len);
    if (rc != SVCQ_OK)
        return rc;
    cli_out_printf(out, "analysis %s, %zu nodes, %zu root causes\n", svcq_analysis_id(a),
                   svcq_analysis_node_count(a), svcq_analysis_root_cause_count(a));
    svcq_analysis_free(a);
    return SVCQ_OK;
}

static const struct {
    const char *kind;
    check_fn check;
} kinds[] = {
    { "calendar", check_calendar }, { "policy", check_policy },     { "scheme", check_scheme },
    { "profiles", check_profiles }, { "template", check_template }, { "analysis", check_analysis },
};

int cli_validate(int argc, char **argv)
{
    const char *zdir = NULL;
    const char *positional[3];
    int npos = 0, options_done = 0;
    for (int i = 1; i < argc; i++) {
        if (options_done || argv[i][0] != '-' || argv[i][1] == '\0') {
            if (npos == 3) {
                fputs(validate_usage, stderr);
                return CLI_USAGE;
            }
            positional[npos++] = argv[i];
        } else if (strcmp(argv[i], "--") == 0) {
            options_done = 1;
        } else if (strcmp(argv[i], "--help") == 0) {
            fputs(validate_usage, stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "--zoneinfo") == 0 && i + 1 < argc) {
            zdir = argv[++i];
        } else {
            cli_fail("validate: unknown option \"%s\" (see svcq help validate)", argv[i]);
            return CLI_USAGE;
        }
    }
    if (npos != 2) {
        fputs(validate_usage, stderr);
        return CLI_USAGE;
    }
    const char *kind = positional[0], *file = positional[1];
    check_fn check = NULL;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (strcmp(kinds[k].kind, kind) == 0)
            check = kinds[k].check;
    if (!check) {
        cli_fail("validate: no kind \"%s\": calendar, policy, scheme, profiles, template or analysis", kind);
        return CLI_USAGE;
    }
    char *data;
    size_t len;
    if (cli_read_file(file, &data, &len) != 0)
        return CLI_FAILED;
    svcq_ctx *ctx = cli_ctx();
    if (!ctx) {
        free(data);
        return CLI_FAILED;
    }
    cli_out out = { 0 };
    cli_out_printf(&out, "%s: ", file);
    int rc = check(&out, ctx, data, len, zdir);
    int status = CLI_OK;
    if (rc != SVCQ_OK) {
        cli_fail_lib(file, ctx, rc);
        status = CLI_FAILED;
    } else {
        status = cli_out_commit(&out, NULL);
    }
    cli_out_free(&out);
    svcq_ctx_free(ctx);
    free(data);
    return status;
}
