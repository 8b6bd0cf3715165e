/* Writes the SVG bar chart of a ranking whose unit names and label need
 * escaping (<, >, &, quotes, non-ASCII) to the file named by argv[1], for
 * scorecard_svg.py, which parses it with Python's xml.etree: the chart
 * must be well-formed XML whatever the names. With "cap" as argv[2], the
 * composite ranking (satisfaction set, a veto caps the score instead of
 * excluding the unit), so the two charts together draw every kind of bar
 * (ranked, vetoed and ranked, excluded) and both titles. */
#include <stdio.h>
#include <string.h>

#include "svcq.h"

#define JAN1 ((svcq_time)1767225600)
#define FEB1 ((svcq_time)1769904000)

static int check(int rc, const char *what, svcq_ctx *ctx)
{
    if (rc)
        fprintf(stderr, "%s: %s (%s)\n", what, svcq_strerror(rc), ctx ? svcq_ctx_errmsg(ctx) : "");
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2 && !(argc == 3 && strcmp(argv[2], "cap") == 0))
        return 2;
    int cap = argc == 3;
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL))
        return 1;
    svcq_scorecard_template *t = NULL;
    svcq_scorecard_period *p = NULL;
    svcq_scorecard_ranking *r = NULL;
    int rc = check(svcq_scorecard_template_new(&t, ctx, "q&a <\"test\">", 1), "template", ctx);
    if (!rc)
        rc = svcq_scorecard_template_add_section(t, "s", "S");
    svcq_scorecard_item_spec s = SVCQ_SCORECARD_ITEM_SPEC_INIT;
    s.section = "s";
    s.key = "x";
    s.name = "X";
    s.max_points = 100000;
    if (!rc)
        rc = svcq_scorecard_template_add_item(t, &s);
    svcq_scorecard_veto_spec v = SVCQ_SCORECARD_VETO_SPEC_INIT;
    v.key = "v";
    v.name = "Veto";
    if (!rc)
        rc = svcq_scorecard_template_add_veto(t, &v);
    if (!rc)
        rc = cap ? svcq_scorecard_template_set_composite(t, 60, 40, SVCQ_SCORECARD_EFFECT_CAP, 50000)
                 : svcq_scorecard_template_set_composite(t, 60, 40, SVCQ_SCORECARD_EFFECT_EXCLUDE, 0);
    if (!rc)
        rc = check(svcq_scorecard_period_new(&p, t, "2026-01", JAN1, FEB1), "period", ctx);
    const char *units[] = { "<script>alert('x')</script>", "Tom & Jerry", "\"quoted\" branch", "南京分公司",
                            "]]> end" };
    const int64_t vals[] = { 91000, 75500, 100000, 42000, 12000 };
    for (int i = 0; !rc && i < 5; i++) {
        rc = svcq_scorecard_period_add_unit(p, units[i]);
        if (!rc)
            rc = svcq_scorecard_set_value(p, units[i], "x", vals[i]);
    }
    if (!rc)
        rc = svcq_scorecard_veto(p, units[1], "v", "a <b>reason</b> & more");
    if (!rc)
        rc = check(svcq_scorecard_ranking_new(&r, t, "H1 <2026> & \"co\"",
                              cap ? SVCQ_SCORECARD_BASIS_COMPOSITE : SVCQ_SCORECARD_BASIS_CARD), "ranking", ctx);
    if (!rc)
        rc = svcq_scorecard_ranking_add_period(r, p);
    for (int i = 0; cap && !rc && i < 5; i++)
        rc = check(svcq_scorecard_ranking_set_satisfaction(r, units[i], 80000 + 4000 * i), "satisfaction", ctx);
    if (!rc)
        rc = svcq_scorecard_ranking_compute(r);
    FILE *f = rc ? NULL : fopen(argv[1], "wb");
    svcq_writer w;
    if (!rc && !f)
        rc = 1;
    if (!rc)
        rc = svcq_writer_to_file(&w, f);
    if (!rc)
        rc = check(svcq_scorecard_ranking_export(r, &w, SVCQ_SCORECARD_SVG), "export", ctx);
    if (f && fclose(f))
        rc = 1;
    svcq_scorecard_ranking_free(r);
    svcq_scorecard_period_free(p);
    svcq_scorecard_template_free(t);
    svcq_ctx_free(ctx);
    return rc ? 1 : 0;
}
