/* The incident archive on the blueprint: every stored incident reported in
 * the overlay's period becomes an observation, read through the public
 * incident API (the incident module sits above this one). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blueprint/blueprint_internal.h"
#include "core/str.h"
#include "svcq/incident.h"

/* One incident as the overlay needs it. */
typedef struct arch_inc {
    char *id;
    char *similar;    /* its similarity key */
    char *touchpoint; /* NULL when none */
    char *stage;
    svcq_time at;
    int32_t state;    /* svcq_blueprint_obs_state */
    uint32_t open_actions;
    uint32_t recurrence;
} arch_inc;

typedef struct arch {
    svcq_ctx *ctx;
    arch_inc *v;
    size_t n, cap;
    int rc;
} arch;

static char *dup_or_null(svcq_ctx *ctx, const char *s, int *rc)
{
    char *d = NULL;
    if (s && *s && *rc == SVCQ_OK)
        *rc = svcq__strdup(ctx, "blueprint overlay: incident", s, &d);
    return d;
}

static void arch_free(arch *a)
{
    for (size_t i = 0; i < a->n; i++) {
        svcq__free(a->ctx, a->v[i].id);
        svcq__free(a->ctx, a->v[i].similar);
        svcq__free(a->ctx, a->v[i].touchpoint);
        svcq__free(a->ctx, a->v[i].stage);
    }
    svcq__free(a->ctx, a->v);
}

static int read_one(const char *incident_id, void *user_data)
{
    arch *a = user_data;
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 32;
        arch_inc *v = svcq__reallocarray(a->ctx, a->v, cap, sizeof(*v));
        if (!v)
            return svcq__enomem(a->ctx);
        a->v = v;
        a->cap = cap;
    }
    svcq_incident *inc = NULL;
    int rc = svcq_incident_load(&inc, a->ctx, incident_id);
    if (rc)
        return rc;
    arch_inc e = { 0 };
    e.at = svcq_incident_reported_at(inc);
    int32_t st = svcq_incident_state_of(inc);
    e.state = st == SVCQ_INCIDENT_CLOSED || st == SVCQ_INCIDENT_REJECTED || st == SVCQ_INCIDENT_CANCELLED
                  ? SVCQ_BLUEPRINT_OBS_CLOSED
                  : SVCQ_BLUEPRINT_OBS_OPEN;
    for (size_t m = 0; m < svcq_incident_measure_count(inc); m++) {
        int32_t ms = svcq_incident_measure_state_of(inc, svcq_incident_measure_at(inc, m));
        e.open_actions += ms == SVCQ_INCIDENT_MEASURE_PLANNED || ms == SVCQ_INCIDENT_MEASURE_IN_PROGRESS;
    }
    e.id = dup_or_null(a->ctx, incident_id, &rc);
    e.similar = dup_or_null(a->ctx, svcq_incident_similarity_key(inc), &rc);
    e.touchpoint = dup_or_null(a->ctx, svcq_incident_touchpoint(inc), &rc);
    e.stage = dup_or_null(a->ctx, svcq_incident_stage(inc), &rc);
    svcq_incident_free(inc);
    a->v[a->n++] = e; /* freed by arch_free even when a copy failed */
    return rc;
}

/* By similarity key, then time, then id: an incident is a recurrence when
 * an earlier one of its key exists. */
static int by_key_time(const void *x, const void *y)
{
    const arch_inc *a = x, *b = y;
    int c = strcmp(a->similar ? a->similar : "", b->similar ? b->similar : "");
    if (c)
        return c;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    return strcmp(a->id, b->id);
}

int svcq_blueprint_overlay_add_archive(size_t *added, svcq_blueprint_overlay *ov)
{
    if (added)
        *added = 0;
    if (!ov)
        return svcq__error(NULL, SVCQ_EINVAL, "svcq_blueprint_overlay_add_archive: NULL overlay");
    svcq_ctx *ctx = ov->ctx;
    arch a = { ctx, NULL, 0, 0, SVCQ_OK };
    svcq_incident_query q;
    int rc = svcq_incident_query_init(&q, SVCQ_INCIDENT_QUERY_VERSION);
    /* Every incident, the earlier ones too: they make later ones recurrences. */
    if (rc == SVCQ_OK)
        rc = svcq_incident_list(ctx, &q, read_one, &a);
    if (rc) {
        arch_free(&a);
        return svcq__error_prefix(ctx, rc, "blueprint overlay: the incident archive");
    }
    if (a.n)
        qsort(a.v, a.n, sizeof(*a.v), by_key_time);
    for (size_t i = 1; i < a.n; i++)
        a.v[i].recurrence = a.v[i - 1].similar && a.v[i].similar && strcmp(a.v[i - 1].similar, a.v[i].similar) == 0;
    /* All or nothing: what this call added goes again on a failure. */
    size_t old_n = ov->nobs, old_skipped = ov->skipped, count = 0;
    for (size_t i = 0; i < a.n && rc == SVCQ_OK; i++) {
        const arch_inc *e = &a.v[i];
        if (e->at < ov->from || e->at >= ov->to)
            continue; /* outside the period: not this overlay's, and not skipped by it */
        svcq_blueprint_observation obs = SVCQ_BLUEPRINT_OBSERVATION_INIT;
        obs.state = e->state;
        obs.step = e->touchpoint;
        obs.incident = e->id;
        obs.stage = e->stage;
        obs.at = e->at;
        obs.recurrence = e->recurrence;
        obs.open_actions = e->open_actions;
        rc = svcq_blueprint_overlay_add(ov, &obs);
        count += rc == SVCQ_OK;
    }
    if (rc)
        svcq__bp_overlay_truncate(ov, old_n, old_skipped);
    else if (added)
        *added = count;
    arch_free(&a);
    return rc;
}
