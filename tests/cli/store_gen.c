/* Writes a small file store for the svcq store tests: a calendar, two
 * incidents with their audit trails (one confirmed), and nothing else.
 *
 *   store_gen FILE */
#include <stdio.h>

#include <svcq.h>

static int report(svcq_ctx *ctx, const char *id, int confirm)
{
    svcq_incident_report_spec r;
    int rc = svcq_incident_report_spec_init(&r, SVCQ_INCIDENT_REPORT_SPEC_VERSION);
    r.type = SVCQ_INCIDENT_TYPE_CUSTOMER_COMPLAINT;
    r.stage = SVCQ_INCIDENT_STAGE_RECEPTION;
    r.channel = SVCQ_INCIDENT_CHANNEL_PHONE;
    r.observed = "Caller waited 20 minutes on hold";
    r.reporter_name = "Li Na";
    svcq_incident *inc = NULL;
    if (rc == SVCQ_OK)
        rc = svcq_incident_report(&inc, ctx, id, &r, "Li Na", "frontline_staff");
    if (rc == SVCQ_OK && confirm)
        rc = svcq_incident_add_confirmer(inc, "Zhou Min", "service_supervisor", "Zhou Min", "service_supervisor");
    if (rc == SVCQ_OK && confirm)
        rc = svcq_incident_add_confirmer(inc, "Zhou Min", "service_supervisor", "Chen Jie", "quality_staff");
    svcq_incident_confirmation c;
    if (rc == SVCQ_OK && confirm)
        rc = svcq_incident_confirmation_init(&c, SVCQ_INCIDENT_CONFIRMATION_VERSION);
    if (rc == SVCQ_OK && confirm) {
        c.real = 1;
        c.category = SVCQ_INCIDENT_RESP_PROCESS_GAP;
        c.responsible_unit = "Hotline";
        rc = svcq_incident_confirm(inc, "Zhou Min", "service_supervisor", &c);
    }
    svcq_incident_free(inc);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    svcq_ctx *ctx = NULL;
    svcq_store_file *fs = NULL;
    svcq_store_methods m;
    svcq_calendar *cal = NULL;
    int rc = svcq_ctx_new(&ctx, NULL);
    if (rc == SVCQ_OK)
        rc = svcq_store_file_open(&fs, ctx, argv[1], NULL);
    if (rc == SVCQ_OK && (rc = svcq_store_file_methods(&m, fs)) == SVCQ_OK &&
        (rc = svcq_ctx_set_store(ctx, &m)) != SVCQ_OK)
        svcq_store_file_close(fs);
    if (rc == SVCQ_OK)
        rc = svcq_calendar_new_24x7(&cal, ctx);
    if (rc == SVCQ_OK)
        rc = svcq_calendar_save(cal, "always");
    if (rc == SVCQ_OK)
        rc = report(ctx, "INC-1", 1);
    if (rc == SVCQ_OK)
        rc = report(ctx, "INC-2", 0);
    if (rc != SVCQ_OK)
        fprintf(stderr, "store_gen: %s\n", ctx ? svcq_ctx_errmsg(ctx) : "no context");
    svcq_calendar_free(cal);
    svcq_ctx_free(ctx);
    return rc == SVCQ_OK ? 0 : 1;
}
