/* A complaint's root-cause analysis: a 6M fishbone, a branching 5-Why tree
 * under the cause the team suspected, evidence, the root cause marked, and
 * the pictures and the cause report written to files.
 *
 *     analysis [directory]     (default: the current directory)
 *
 * writes complaint-fishbone.svg, complaint-why.svg and complaint-report.md
 * there and prints the root causes. */
#include <stdio.h>
#include <string.h>

#include <svcq.h>

/* Monday 2026-01-05 10:00 Shanghai time. */
#define T0 ((svcq_time)1767578400)

static int write_file(const char *dir, const char *name, const svcq_buffer *b)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t n = fwrite(svcq_buffer_data(b), 1, svcq_buffer_size(b), f);
    int rc = fclose(f);
    if (n != svcq_buffer_size(b) || rc != 0) {
        perror(path);
        return -1;
    }
    printf("wrote %s\n", path);
    return 0;
}

/* Adds a node and remembers its id; stops at the first error. */
static const char *add(int *rc, svcq_analysis *a, const char *parent, int32_t kind, const char *text)
{
    const char *id = NULL;
    if (*rc == SVCQ_OK)
        *rc = svcq_analysis_add(&id, a, parent, kind, text);
    return id ? id : "";
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
        return 1;
    svcq_analysis *a;
    int rc = svcq_analysis_new(&a, ctx, "CMP-2026-0042",
                               "Customer waited 3 days for the promised call-back", SVCQ_ANALYSIS_6M);
    if (rc != SVCQ_OK) {
        fprintf(stderr, "%s\n", svcq_ctx_errmsg(ctx));
        svcq_ctx_free(ctx);
        return 1;
    }
    /* Template 6M: k1 People, k2 Machine, k3 Method, k4 Material,
     * k5 Measurement, k6 Environment. */
    if (rc == SVCQ_OK)
        rc = svcq_analysis_set_incident(a, "INC-2026-0107");
    const char *c_shift = add(&rc, a, "k1", SVCQ_ANALYSIS_CAUSE, "Agent on leave, no hand-over");
    add(&rc, a, c_shift, SVCQ_ANALYSIS_CAUSE, "Hand-over checklist not used");
    add(&rc, a, "k1", SVCQ_ANALYSIS_CAUSE, "New agents not trained on call-back queue");
    const char *c_crm = add(&rc, a, "k2", SVCQ_ANALYSIS_CAUSE, "CRM call-back reminder did not fire");
    add(&rc, a, "k2", SVCQ_ANALYSIS_CAUSE, "Phone system dropped the transfer");
    const char *c_queue = add(&rc, a, "k3", SVCQ_ANALYSIS_CAUSE, "Call-backs kept in a personal queue");
    add(&rc, a, "k3", SVCQ_ANALYSIS_CAUSE, "No deadline on call-back tasks");
    add(&rc, a, "k4", SVCQ_ANALYSIS_CAUSE, "Customer's number mistyped in the ticket");
    add(&rc, a, "k5", SVCQ_ANALYSIS_CAUSE, "Call-back time not measured in the weekly report");
    add(&rc, a, "k6", SVCQ_ANALYSIS_CAUSE, "Holiday week with half the team away");

    /* The 5-Why tree under the personal queue, branching at why 2. */
    const char *w1 = add(&rc, a, c_queue, SVCQ_ANALYSIS_WHY, "Only the agent who took the call saw the task");
    const char *w2 = add(&rc, a, w1, SVCQ_ANALYSIS_WHY, "Tasks are assigned to a person, not to the team");
    const char *w2b = add(&rc, a, w1, SVCQ_ANALYSIS_WHY, "Supervisors do not review open call-backs");
    const char *w3 = add(&rc, a, w2, SVCQ_ANALYSIS_WHY, "The CRM default for new tasks is \"assign to me\"");
    const char *w4 = add(&rc, a, w3, SVCQ_ANALYSIS_WHY, "Nobody owns the CRM configuration after the 2024 migration");
    const char *w5 = add(&rc, a, w4, SVCQ_ANALYSIS_WHY, "The service-desk RACI has no system-owner role");
    add(&rc, a, w2b, SVCQ_ANALYSIS_WHY, "No report lists call-backs older than 24 h");

    /* Evidence, statuses, the root cause. */
    if (rc == SVCQ_OK)
        rc = svcq_analysis_add_evidence(a, w3, SVCQ_ANALYSIS_EV_SYSTEM_LOG, "crm://audit/task-defaults/2025-12",
                                        "Default assignee = creator since 2024-03", "Wang Lei", T0 + 3600);
    if (rc == SVCQ_OK)
        rc = svcq_analysis_add_evidence(a, w5, SVCQ_ANALYSIS_EV_DOCUMENT, "https://intranet.example/raci-v7.pdf",
                                        "No system-owner row", "Li Na", T0 + 7200);
    if (rc == SVCQ_OK)
        rc = svcq_analysis_add_evidence(a, w5, SVCQ_ANALYSIS_EV_INTERVIEW, NULL,
                                        "Team lead: \"we thought IT owned it\"", "Li Na", T0 + 9000);
    if (rc == SVCQ_OK)
        rc = svcq_analysis_add_evidence(a, c_crm, SVCQ_ANALYSIS_EV_SYSTEM_LOG, "crm://jobs/reminders/2026-01-05",
                                        "Reminder job ran on time", "Wang Lei", T0);
    const char *confirmed[] = { c_queue, w1, w2, w3, w4, w5 };
    for (size_t i = 0; rc == SVCQ_OK && i < sizeof(confirmed) / sizeof(confirmed[0]); i++)
        rc = svcq_analysis_set_status(a, confirmed[i], SVCQ_ANALYSIS_CONFIRMED);
    if (rc == SVCQ_OK)
        rc = svcq_analysis_set_status(a, c_crm, SVCQ_ANALYSIS_REFUTED);
    if (rc == SVCQ_OK)
        rc = svcq_analysis_set_root_cause(a, w5, 1);
    if (rc == SVCQ_OK)
        rc = svcq_analysis_set_weight(a, c_queue, 5);
    if (rc == SVCQ_OK)
        rc = svcq_analysis_set_owner(a, w5, "Li Na (service manager)");
    if (rc == SVCQ_OK)
        rc = svcq_analysis_save(a); /* the memory store here; a host's store in production */

    svcq_tz *tz = NULL;
    svcq_buffer *svg = NULL, *tree = NULL, *report = NULL;
    svcq_writer w;
    if (rc == SVCQ_OK && svcq_tz_load(&tz, ctx, "Asia/Shanghai", NULL) != SVCQ_OK)
        rc = svcq_tz_fixed(&tz, ctx, 8 * 3600);
    if (rc == SVCQ_OK)
        rc = svcq_buffer_new(&svg, ctx);
    if (rc == SVCQ_OK)
        rc = svcq_writer_to_buffer(&w, svg);
    if (rc == SVCQ_OK)
        rc = svcq_analysis_export_svg(a, &w, NULL);
    if (rc == SVCQ_OK)
        rc = svcq_buffer_new(&tree, ctx);
    if (rc == SVCQ_OK)
        rc = svcq_writer_to_buffer(&w, tree);
    if (rc == SVCQ_OK)
        rc = svcq_analysis_export_svg(a, &w, c_queue);
    if (rc == SVCQ_OK)
        rc = svcq_buffer_new(&report, ctx);
    if (rc == SVCQ_OK)
        rc = svcq_writer_to_buffer(&w, report);
    if (rc == SVCQ_OK)
        rc = svcq_analysis_export_report(a, &w, tz);
    if (rc != SVCQ_OK)
        fprintf(stderr, "%s: %s\n", svcq_strerror(rc), svcq_ctx_errmsg(ctx));
    int status = rc == SVCQ_OK ? 0 : 1;
    if (status == 0 && (write_file(dir, "complaint-fishbone.svg", svg) || write_file(dir, "complaint-why.svg", tree) ||
                        write_file(dir, "complaint-report.md", report)))
        status = 1;
    for (size_t i = 0; status == 0 && i < svcq_analysis_root_cause_count(a); i++) {
        const char *id = svcq_analysis_root_cause(a, i);
        printf("root cause %s: %s\n", id, svcq_analysis_node_text(a, id));
    }
    for (size_t i = 0; status == 0 && i < svcq_analysis_short_branch_count(a); i++) {
        uint32_t level;
        const char *id = svcq_analysis_short_branch(a, i, &level);
        printf("warning: the 5-Why branch ending at %s stops at why %u of %u\n", id, (unsigned)level,
               (unsigned)svcq_analysis_why_depth(a));
    }
    svcq_buffer_free(svg);
    svcq_buffer_free(tree);
    svcq_buffer_free(report);
    svcq_tz_free(tz);
    svcq_analysis_free(a);
    svcq_ctx_free(ctx);
    return status;
}
