/* The incident in the service loop (issue 12): per-context state shared by
 * the incident's SLA (sla_link.c), the breach rule (breach_rule.c), and the
 * responsibility matrix and flow chart (matrix.c). Kept in the context slot
 * SVCQ__SLOT_INCIDENT_LOOP. */
#ifndef SVCQ__INCIDENT_LOOP_INTERNAL_H
#define SVCQ__INCIDENT_LOOP_INTERNAL_H

#include "incident/incident_internal.h"

#define SVCQ__LOOP_STAGES 7
#define SVCQ__LOOP_MAX_RULES 64
#define SVCQ__LOOP_MAX_ROLES 32

typedef struct svcq__loop_rule {
    char *policy, *metric, *stage, *prefix;
} svcq__loop_rule;

typedef struct svcq__loop_state {
    /* the incident's SLA */
    svcq_sla_scheduler *sched; /* NULL: disabled */
    svcq_sla_policy *policy;
    svcq_sla_policy *mpolicy; /* quality.measure */
    svcq_incident_tier_policy_fn tier_fn;
    void *tier_data;
    /* breach rules */
    svcq__loop_rule *rules;
    size_t nrules;
    svcq_incident_subject_fn lookup;
    void *lookup_data;
    /* the matrix; custom false: the default */
    bool custom;
    char **roles;
    uint8_t (*raci)[SVCQ__LOOP_STAGES];
    size_t nroles;
} svcq__loop_state;

/* The state, made on first use; NULL with SVCQ_ENOMEM recorded. */
svcq__loop_state *svcq__loop_state_get(svcq_ctx *ctx);

/* The stage index 0..6 of a state that names a stage, or -1. */
int svcq__loop_stage_index(int32_t state);

/* The first role of the matrix in force with part raci in the stage held by
 * state (owned by the context's matrix, valid until it changes), or NULL. */
const char *svcq__loop_role_with(const svcq_ctx *ctx, int32_t state, int32_t raci);

#endif
