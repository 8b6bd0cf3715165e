/* The monthly service-quality assessment of a telecom operator's branches
 * (docs/scorecard.md): the built-in 94-point template, one month for three
 * branches, the general manager's orders on their 24-hour reply clock
 * (branch-b's head leaves three unanswered: one-vote veto), the ranking
 * printed as Markdown, and its bar chart written as SVG.
 *
 *   ./scorecard [chart.svg]      (default: scorecard-ranking.svg) */
#include <stdio.h>

#include "svcq.h"

#define DAY 86400
#define JAN1 ((svcq_time)1767225600) /* 2026-01-01T00:00:00Z */
#define FEB1 ((svcq_time)1769904000) /* 2026-02-01T00:00:00Z */

static int fail(svcq_ctx *ctx, const char *what, int rc)
{
    fprintf(stderr, "%s: %s: %s\n", what, svcq_strerror(rc), ctx ? svcq_ctx_errmsg(ctx) : "");
    return 1;
}

int main(int argc, char **argv)
{
    const char *svg_path = argc > 1 ? argv[1] : "scorecard-ranking.svg";
    svcq_ctx *ctx;
    int rc = svcq_ctx_new(&ctx, NULL);
    if (rc)
        return fail(NULL, "context", rc);
    svcq_scorecard_template *tpl = NULL;
    svcq_scorecard_period *jan = NULL;
    svcq_scorecard_ranking *rank = NULL;
    int status = 1;
    if ((rc = svcq_scorecard_template_builtin(&tpl, ctx, SVCQ_SCORECARD_BUILTIN_TELECOM)) ||
        (rc = svcq_scorecard_template_save(tpl))) {
        fail(ctx, "template", rc);
        goto out;
    }
    /* Values in thousandths: points for manual items, % for the timeliness
     * rate, complaints per 10,000 subscribers, events for the deduction. */
    static const char *const items[9] = { "hotline_quality", "key_accounts", "halls_and_agents",
                                          "complaint_timeliness", "mobile_complaint_rate", "hotline_test_calls",
                                          "coordination_meeting", "public_supervisors", "gm_hotline_escalations" };
    static const char *const branches[3] = { "branch-a", "branch-b", "branch-c" };
    static const int64_t values[3][9] = {
        { 32000, 9000, 8000, 96000, 1500, 3500, 9000, 3000, 1000 },
        { 34000, 10000, 9000, 99000, 800, 4000, 10000, 3000, 0 },
        { 30000, 0, 9500, 92000, 2200, 3000, 8000, 2000, 6000 },
    };
    if ((rc = svcq_scorecard_period_new(&jan, tpl, "2026-01", JAN1, FEB1))) {
        fail(ctx, "period", rc);
        goto out;
    }
    for (int b = 0; b < 3; b++) {
        if ((rc = svcq_scorecard_period_add_unit(jan, branches[b])) ||
            (rc = svcq_scorecard_set_values(jan, branches[b], items, values[b], 9))) {
            fail(ctx, branches[b], rc);
            goto out;
        }
    }
    /* branch-c has no key accounts: not applicable, its maximum is 84. */
    if ((rc = svcq_scorecard_set_na(jan, "branch-c", "key_accounts", "no key accounts in this branch"))) {
        fail(ctx, "n/a", rc);
        goto out;
    }
    /* The general manager's orders: Li (branch-b) answers one 24 h + 1 s
     * late and two never; Zhao (branch-a) answers at 23 h 59 min. */
    svcq_time t0 = JAN1 + 4 * DAY + 9 * 3600;
    if ((rc = svcq_scorecard_order_issue(ctx, "gm-1", "branch-b", "Li", t0, 0)) ||
        (rc = svcq_scorecard_order_answer(ctx, "gm-1", t0 + DAY + 1)) ||
        (rc = svcq_scorecard_order_issue(ctx, "gm-2", "branch-b", "Li", t0 + 5 * DAY, 0)) ||
        (rc = svcq_scorecard_order_issue(ctx, "gm-3", "branch-b", "Li", t0 + 15 * DAY, 0)) ||
        (rc = svcq_scorecard_order_issue(ctx, "gm-4", "branch-a", "Zhao", t0, 0)) ||
        (rc = svcq_scorecard_order_answer(ctx, "gm-4", t0 + DAY - 60))) {
        fail(ctx, "orders", rc);
        goto out;
    }
    /* Close on 2 February, once every January reply has fallen due. */
    if ((rc = svcq_scorecard_period_close(jan, FEB1 + DAY))) {
        fail(ctx, "close", rc);
        goto out;
    }
    svcq_writer out;
    if ((rc = svcq_writer_to_file(&out, stdout)) ||
        (rc = svcq_scorecard_card_export(jan, "branch-c", &out, SVCQ_SCORECARD_MARKDOWN))) {
        fail(ctx, "card", rc);
        goto out;
    }
    printf("\n");
    if ((rc = svcq_scorecard_ranking_new(&rank, tpl, "2026-01", SVCQ_SCORECARD_BASIS_CARD)) ||
        (rc = svcq_scorecard_ranking_add_period(rank, jan)) || (rc = svcq_scorecard_ranking_compute(rank)) ||
        (rc = svcq_scorecard_ranking_export(rank, &out, SVCQ_SCORECARD_MARKDOWN))) {
        fail(ctx, "ranking", rc);
        goto out;
    }
    FILE *f = fopen(svg_path, "wb");
    svcq_writer svg;
    if (!f) {
        perror(svg_path);
        goto out;
    }
    rc = svcq_writer_to_file(&svg, f);
    if (!rc)
        rc = svcq_scorecard_ranking_export(rank, &svg, SVCQ_SCORECARD_SVG);
    if (fclose(f) != 0 && !rc)
        rc = SVCQ_EIO;
    if (rc) {
        fail(ctx, "svg", rc);
        goto out;
    }
    printf("\nChart written to %s\n", svg_path);
    status = 0;
out:
    svcq_scorecard_ranking_free(rank);
    svcq_scorecard_period_free(jan);
    svcq_scorecard_template_free(tpl);
    svcq_ctx_free(ctx);
    return status;
}
