/* The analyses the analysis tests share (unit, fault): built through the
 * public API only, so that their exports can be compared byte for byte with
 * the fixtures in tests/data/analysis/.
 *
 * - "six":       the 6M template, causes in all six categories, nested to
 *                three levels, statuses, weights, owners, evidence, a root
 *                cause among the causes;
 * - "branching": custom categories and a 5-Why tree hanging from the effect
 *                that branches twice, with a refuted branch, a short branch
 *                and a root cause at why 5, plus a 5-Why under a cause;
 * - "names":     texts with quotes, angle brackets, ampersands, line feeds,
 *                tabs, backslashes, '#', a leading "%%" and "ishikawa",
 *                and CJK text. */
#ifndef TEST_ANALYSIS_FIXTURES_H
#define TEST_ANALYSIS_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svcq.h"

/* Monday 2026-01-05 09:00 UTC. */
#define AF_T0 ((svcq_time)1767603600)

typedef struct af_builder {
    svcq_analysis *a;
    int rc;
} af_builder;

static inline const char *af_add(af_builder *b, const char *parent, int32_t kind, const char *text)
{
    const char *id = NULL;
    if (b->rc == SVCQ_OK)
        b->rc = svcq_analysis_add(&id, b->a, parent, kind, text);
    return id ? id : "?";
}

static inline void af_ev(af_builder *b, const char *id, int32_t kind, const char *uri, const char *note, const char *by,
                  svcq_time at)
{
    if (b->rc == SVCQ_OK)
        b->rc = svcq_analysis_add_evidence(b->a, id, kind, uri, note, by, at);
}

static inline void af_status(af_builder *b, const char *id, int32_t status)
{
    if (b->rc == SVCQ_OK)
        b->rc = svcq_analysis_set_status(b->a, id, status);
}

static inline void af_root(af_builder *b, const char *id)
{
    if (b->rc == SVCQ_OK)
        b->rc = svcq_analysis_set_root_cause(b->a, id, 1);
}

static inline int af_six(svcq_analysis **out, svcq_ctx *ctx)
{
    af_builder b = { NULL, svcq_analysis_new(&b.a, ctx, "six", "Complaints about late repairs doubled in March",
                                             SVCQ_ANALYSIS_6M) };
    static const char *const causes[6][3] = {
        { "Technicians not trained on the new model", "Overtime fatigue in the field team", "Dispatcher new to the role" },
        { "Diagnostic tablet crashes on start", "Van breakdowns", "Spare-part scanner offline" },
        { "No priority rule for repeat visits", "Parts ordered only after the first visit",
          "Appointment window of a whole day" },
        { "Spare parts out of stock", "Wrong part numbers in the catalogue", "Supplier packaging damaged" },
        { "Repair time counted from dispatch, not from the call", "No first-time-fix rate tracked",
          "Survey sent before the repair closed" },
        { "Snow closed two depots", "City centre parking restrictions", "Holiday season demand" },
    };
    char kid[8];
    for (int k = 0; k < 6; k++) {
        snprintf(kid, sizeof(kid), "k%d", k + 1);
        for (int c = 0; c < 3; c++)
            af_add(&b, kid, SVCQ_ANALYSIS_CAUSE, causes[k][c]);
    }
    /* Nesting to three levels under k3 and k4. */
    const char *sub = af_add(&b, "c8", SVCQ_ANALYSIS_CAUSE, "Stock levels only visible at the depot");
    af_add(&b, sub, SVCQ_ANALYSIS_CAUSE, "Warehouse system not linked to the CRM");
    af_add(&b, "c8", SVCQ_ANALYSIS_CAUSE, "Order approval needs a manager");
    const char *sub2 = af_add(&b, "c10", SVCQ_ANALYSIS_CAUSE, "Reorder point set for last year's volume");
    af_add(&b, sub2, SVCQ_ANALYSIS_CAUSE, "Forecast not updated after the new model launch");
    af_status(&b, "c10", SVCQ_ANALYSIS_CONFIRMED);
    af_status(&b, sub2, SVCQ_ANALYSIS_CONFIRMED);
    af_status(&b, "c5", SVCQ_ANALYSIS_REFUTED);
    af_ev(&b, "c10", SVCQ_ANALYSIS_EV_SYSTEM_LOG, "erp://stock/2026-03", "42 stock-outs of part 7731", "Zhao Min",
          AF_T0 + 86400);
    af_ev(&b, sub2, SVCQ_ANALYSIS_EV_DOCUMENT, "https://example.com/reorder.xlsx", NULL, "Zhao Min", 0);
    af_ev(&b, "c5", SVCQ_ANALYSIS_EV_PHOTO, "file:///evidence/van-17.jpg", "Van 17 at the depot", NULL, AF_T0);
    af_root(&b, "c10");
    af_root(&b, sub2);
    if (b.rc == SVCQ_OK)
        b.rc = svcq_analysis_set_weight(b.a, "c10", 7);
    if (b.rc == SVCQ_OK)
        b.rc = svcq_analysis_set_owner(b.a, "c10", "Zhao Min");
    if (b.rc == SVCQ_OK)
        b.rc = svcq_analysis_set_incident(b.a, "INC-17");
    if (b.rc) {
        svcq_analysis_free(b.a);
        b.a = NULL;
    }
    *out = b.a;
    return b.rc;
}

static inline int af_branching(svcq_analysis **out, svcq_ctx *ctx)
{
    af_builder b = { NULL, svcq_analysis_new(&b.a, ctx, "branching", "The nightly invoice run failed",
                                             SVCQ_ANALYSIS_CUSTOM) };
    const char *k = af_add(&b, "e", SVCQ_ANALYSIS_CATEGORY, "Systems");
    const char *c = af_add(&b, k, SVCQ_ANALYSIS_CAUSE, "Database disk full");
    const char *w1 = af_add(&b, "e", SVCQ_ANALYSIS_WHY, "The job could not write its output");
    const char *w2a = af_add(&b, w1, SVCQ_ANALYSIS_WHY, "The disk was full");
    const char *w2b = af_add(&b, w1, SVCQ_ANALYSIS_WHY, "The output folder was read-only");
    const char *w3a = af_add(&b, w2a, SVCQ_ANALYSIS_WHY, "Old exports were never deleted");
    const char *w3b = af_add(&b, w2a, SVCQ_ANALYSIS_WHY, "Disk alerts went to a retired mailbox");
    const char *w4 = af_add(&b, w3a, SVCQ_ANALYSIS_WHY, "The clean-up job was disabled during the migration");
    const char *w5 = af_add(&b, w4, SVCQ_ANALYSIS_WHY, "Migration checklists have no re-enable step");
    af_add(&b, w3b, SVCQ_ANALYSIS_WHY, "Alert recipients are not reviewed");
    af_add(&b, w2b, SVCQ_ANALYSIS_WHY, "A permission script ran on the wrong folder");
    af_add(&b, c, SVCQ_ANALYSIS_WHY, "Exports are kept forever");
    af_status(&b, w1, SVCQ_ANALYSIS_CONFIRMED);
    af_status(&b, w2a, SVCQ_ANALYSIS_CONFIRMED);
    af_status(&b, w3a, SVCQ_ANALYSIS_CONFIRMED);
    af_status(&b, w4, SVCQ_ANALYSIS_CONFIRMED);
    af_status(&b, w5, SVCQ_ANALYSIS_CONFIRMED);
    af_status(&b, w2b, SVCQ_ANALYSIS_REFUTED);
    af_ev(&b, w4, SVCQ_ANALYSIS_EV_SYSTEM_LOG, "cron://cleanup/history", "Disabled 2025-11-02", "Ops", AF_T0 - 86400);
    af_ev(&b, w5, SVCQ_ANALYSIS_EV_INTERVIEW, NULL, "Migration lead confirmed", "Chen Jie", AF_T0);
    af_ev(&b, w5, SVCQ_ANALYSIS_EV_VIDEO, "https://example.com/review.mp4", "Review meeting", "Chen Jie", AF_T0 + 60);
    af_root(&b, w5);
    if (b.rc == SVCQ_OK)
        b.rc = svcq_analysis_set_owner(b.a, w5, "Chen Jie");
    if (b.rc == SVCQ_OK)
        b.rc = svcq_analysis_set_weight(b.a, w3b, 3);
    if (b.rc) {
        svcq_analysis_free(b.a);
        b.a = NULL;
    }
    *out = b.a;
    return b.rc;
}

static inline int af_names(svcq_analysis **out, svcq_ctx *ctx)
{
    af_builder b = { NULL, svcq_analysis_new(&b.a, ctx, "names",
                                             "Customer \"VIP\" <gold> & co.\nsaid: 服务太慢了 (service too slow)",
                                             SVCQ_ANALYSIS_4S) };
    const char *c1 = af_add(&b, "k1", SVCQ_ANALYSIS_CAUSE, "Queue > 30 & wait < 5 min \"promised\"");
    af_add(&b, "k1", SVCQ_ANALYSIS_CAUSE, "%% not a comment");
    af_add(&b, "k2", SVCQ_ANALYSIS_CAUSE, "ishikawa is a word, not the keyword");
    af_add(&b, "k3", SVCQ_ANALYSIS_CAUSE, "C:\\temp\\logs full\tand #hash #35; entity");
    const char *c5 = af_add(&b, "k4", SVCQ_ANALYSIS_CAUSE, "客服人员培训不足，新员工不熟悉退款流程和系统操作");
    af_add(&b, c5, SVCQ_ANALYSIS_CAUSE, "Line one\nLine two\nLine three");
    af_add(&b, c5, SVCQ_ANALYSIS_CAUSE,
           "Averyveryveryverylongwordthatcannotwrapanywhereatallbecauseithasnospacesinsideitwhatsoever");
    const char *w1 = af_add(&b, c1, SVCQ_ANALYSIS_WHY, "<script>alert('x')</script>");
    af_add(&b, w1, SVCQ_ANALYSIS_WHY, "为什么？因为 \"系统\" 没有提醒 & 没有人负责");
    af_status(&b, w1, SVCQ_ANALYSIS_CONFIRMED);
    af_ev(&b, w1, SVCQ_ANALYSIS_EV_OTHER, "https://example.com/?a=1&b=<2>", "note with | pipe and *stars*",
          "李娜 \"Lina\"", AF_T0);
    af_root(&b, w1);
    if (b.rc == SVCQ_OK)
        b.rc = svcq_analysis_set_owner(b.a, c1, "O'Brien & <Sons>");
    if (b.rc) {
        svcq_analysis_free(b.a);
        b.a = NULL;
    }
    *out = b.a;
    return b.rc;
}

#endif
