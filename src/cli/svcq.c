/* svcq: the command-line face of libsvcq. See docs/cli.md. */
#include "cli.h"

#include <string.h>

static const char usage[] =
    "usage: svcq [--version] [--help] <command> [<args>]\n"
    "\n"
    "Commands:\n"
    "  validate <kind> <file>   check a calendar, SLA policy, tier scheme, tier profiles,\n"
    "                           scorecard template or analysis JSON file\n"
    "  replay [options] <log>   run a recorded event log through an SLA policy (what-if)\n"
    "  kpi [options] <tickets>  the KPIs of one period from a CSV or JSON-lines ticket file\n"
    "  report [options] <tickets>  the weekly report (Markdown, JSON, CSV or SVG charts)\n"
    "  store <action> <file>    inspect a file store (info, list, get, verify, compact)\n"
    "  help <command>           the options of one command\n"
    "\n"
    "Every command writes its result to standard output (or -o FILE) only when it\n"
    "succeeds; errors go to standard error as FILE:LINE:COLUMN: message. Exit status:\n"
    "0 success, 1 bad input or a failed check, 2 bad command line. See docs/cli.md.\n";

static int help(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    char *sub[] = { argv[1], "--help", NULL };
    if (strcmp(argv[1], "validate") == 0)
        return cli_validate(2, sub);
    if (strcmp(argv[1], "replay") == 0)
        return cli_replay(2, sub);
    if (strcmp(argv[1], "kpi") == 0)
        return cli_kpi(2, sub);
    if (strcmp(argv[1], "report") == 0)
        return cli_report(2, sub);
    if (strcmp(argv[1], "store") == 0)
        return cli_store(2, sub);
    cli_fail("no command \"%s\" (see svcq --help)", argv[1]);
    return CLI_USAGE;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        return help(1, argv + 1);
    if (strcmp(cmd, "--version") == 0) {
        printf("svcq %s (libsvcq %s)\n", SVCQ_VERSION_STRING, svcq_version_string());
        return CLI_OK;
    }
    if (strcmp(cmd, "help") == 0)
        return help(argc - 1, argv + 1);
    if (strcmp(cmd, "validate") == 0)
        return cli_validate(argc - 1, argv + 1);
    if (strcmp(cmd, "replay") == 0)
        return cli_replay(argc - 1, argv + 1);
    if (strcmp(cmd, "kpi") == 0)
        return cli_kpi(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return cli_report(argc - 1, argv + 1);
    if (strcmp(cmd, "store") == 0)
        return cli_store(argc - 1, argv + 1);
    cli_fail("no command \"%s\" (see svcq --help)", cmd);
    return CLI_USAGE;
}
