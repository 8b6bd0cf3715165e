/* The responsibility matrix (roles × the seven stages) and the process
 * flow chart drawn from it (svcq/incident.h, "The responsibility matrix
 * and the process flow chart"). */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "incident/loop_internal.h"

static const int32_t stage_state[SVCQ__LOOP_STAGES] = {
    SVCQ_INCIDENT_REPORTED, SVCQ_INCIDENT_CONFIRMED, SVCQ_INCIDENT_ANALYSING, SVCQ_INCIDENT_PLANNING,
    SVCQ_INCIDENT_EXECUTING, SVCQ_INCIDENT_VERIFYING, SVCQ_INCIDENT_CLOSED,
};
static const char *const stage_key[SVCQ__LOOP_STAGES] = {
    "report", "confirm", "analyse", "plan", "execute", "verify", "close",
};
static const char *const stage_title[SVCQ__LOOP_STAGES] = {
    "Identify and report", "Confirm responsibility", "Analyse the cause", "Plan measures",
    "Track execution",     "Verify the effect",      "Improve and close",
};
/* Stages whose work someone approves: the confirmation, the plan, the
 * verdict, the closing. */
static const bool needs_approval[SVCQ__LOOP_STAGES] = { false, true, false, true, false, true, true };

enum { N = SVCQ_INCIDENT_RACI_NONE, R = SVCQ_INCIDENT_RACI_RESPONSIBLE, A = SVCQ_INCIDENT_RACI_APPROVES,
       C = SVCQ_INCIDENT_RACI_CONSULTED, I = SVCQ_INCIDENT_RACI_INFORMED };

static const struct {
    const char *role;
    uint8_t raci[SVCQ__LOOP_STAGES];
} defaults[] = {
    /*                       report confirm analyse plan execute verify close */
    { "frontline_staff", { R, C, C, N, N, N, I } },
    { "service_supervisor", { I, R, I, I, I, C, I } },
    { "quality_staff", { I, C, R, C, C, R, R } },
    { "quality_manager", { N, A, A, A, I, A, A } },
    { "responsible_unit", { N, I, C, R, A, I, I } },
    { "measure_owner", { N, N, N, C, R, I, I } },
};
#define NDEFAULTS (sizeof(defaults) / sizeof(defaults[0]))

int svcq__loop_stage_index(int32_t state)
{
    for (int i = 0; i < SVCQ__LOOP_STAGES; i++)
        if (stage_state[i] == state)
            return i;
    return -1;
}

const char *svcq_incident_raci_name(int32_t raci)
{
    static const char *const names[] = { "none", "responsible", "approves", "consulted", "informed" };
    return raci >= 0 && raci <= 4 ? names[raci] : NULL;
}

/* A read-only view of the matrix in force. */
typedef struct view {
    size_t n;
    const char *role[SVCQ__LOOP_MAX_ROLES];
    const uint8_t *raci[SVCQ__LOOP_MAX_ROLES];
} view;

static void get_view(const svcq_ctx *ctx, view *v)
{
    const svcq__loop_state *L = svcq__ctx_slot(ctx, SVCQ__SLOT_INCIDENT_LOOP);
    v->n = 0;
    if (L && L->custom) {
        for (size_t i = 0; i < L->nroles; i++) {
            v->role[v->n] = L->roles[i];
            v->raci[v->n++] = L->raci[i];
        }
    } else {
        for (size_t i = 0; i < NDEFAULTS; i++) {
            v->role[v->n] = defaults[i].role;
            v->raci[v->n++] = defaults[i].raci;
        }
    }
}

const char *svcq__loop_role_with(const svcq_ctx *ctx, int32_t state, int32_t raci)
{
    int k = svcq__loop_stage_index(state);
    if (k < 0)
        return NULL;
    view v;
    get_view(ctx, &v);
    for (size_t i = 0; i < v.n; i++)
        if (v.raci[i][k] == raci)
            return v.role[i];
    return NULL;
}

static void free_custom(svcq_ctx *ctx, svcq__loop_state *L)
{
    for (size_t i = 0; i < L->nroles; i++)
        svcq__free(ctx, L->roles[i]);
    svcq__free(ctx, L->roles);
    svcq__free(ctx, L->raci);
    L->roles = NULL;
    L->raci = NULL;
    L->nroles = 0;
    L->custom = false;
}

/* Makes the default matrix a custom one (to be changed), all or nothing. */
static int make_custom(svcq_ctx *ctx, svcq__loop_state *L)
{
    if (L->custom)
        return SVCQ_OK;
    char **roles = svcq__calloc(ctx, SVCQ__LOOP_MAX_ROLES, sizeof(*roles));
    uint8_t(*raci)[SVCQ__LOOP_STAGES] = svcq__calloc(ctx, SVCQ__LOOP_MAX_ROLES, sizeof(*raci));
    int rc = roles && raci ? SVCQ_OK : svcq__enomem(ctx);
    for (size_t i = 0; !rc && i < NDEFAULTS; i++) {
        size_t len = strlen(defaults[i].role);
        roles[i] = svcq__malloc(ctx, len + 1);
        if (!roles[i])
            rc = svcq__enomem(ctx);
        else
            memcpy(roles[i], defaults[i].role, len + 1);
        memcpy(raci[i], defaults[i].raci, SVCQ__LOOP_STAGES);
    }
    if (rc) {
        for (size_t i = 0; roles && i < NDEFAULTS; i++)
            svcq__free(ctx, roles[i]);
        svcq__free(ctx, roles);
        svcq__free(ctx, raci);
        return rc;
    }
    L->roles = roles;
    L->raci = raci;
    L->nroles = NDEFAULTS;
    L->custom = true;
    return SVCQ_OK;
}

static bool role_key_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > SVCQ_INCIDENT_MAX_KEY)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

int svcq_incident_matrix_set(svcq_ctx *ctx, const char *role, int32_t stage, int32_t raci)
{
    if (!ctx)
        return SVCQ_EINVAL;
    if (!role)
        return svcq__error(ctx, SVCQ_EINVAL, "responsibility matrix: NULL role");
    if (!role_key_ok(role))
        return svcq__error(ctx, SVCQ_EINVAL, "responsibility matrix: role \"%s\" is not 1 to %d bytes of [a-z0-9_]",
                           role, SVCQ_INCIDENT_MAX_KEY);
    int si = svcq__loop_stage_index(stage);
    if (si < 0)
        return svcq__error(ctx, SVCQ_EINVAL, "responsibility matrix: role %s: state %d is not a stage", role,
                           (int)stage);
    if (!svcq_incident_raci_name(raci))
        return svcq__error(ctx, SVCQ_EINVAL, "responsibility matrix: role %s, stage %s: unknown part %d", role,
                           stage_key[si], (int)raci);
    svcq__loop_state *L = svcq__loop_state_get(ctx);
    if (!L)
        return SVCQ_ENOMEM;
    view v;
    get_view(ctx, &v);
    size_t at = v.n;
    for (size_t i = 0; i < v.n; i++)
        if (!strcmp(v.role[i], role))
            at = i;
    if (at == v.n && raci == SVCQ_INCIDENT_RACI_NONE)
        return SVCQ_OK;
    if (at == v.n && v.n >= SVCQ__LOOP_MAX_ROLES)
        return svcq__error(ctx, SVCQ_ELIMIT, "responsibility matrix: role %s: more than %d roles", role,
                           SVCQ__LOOP_MAX_ROLES);
    char *copy = NULL;
    if (at == v.n) {
        size_t len = strlen(role);
        copy = svcq__malloc(ctx, len + 1);
        if (!copy)
            return svcq__enomem(ctx);
        memcpy(copy, role, len + 1);
    }
    int rc = make_custom(ctx, L);
    if (rc) {
        svcq__free(ctx, copy);
        return rc;
    }
    if (copy) {
        L->roles[at] = copy;
        memset(L->raci[at], 0, SVCQ__LOOP_STAGES);
        L->nroles++;
    }
    L->raci[at][si] = (uint8_t)raci;
    bool any = false;
    for (int k = 0; k < SVCQ__LOOP_STAGES; k++)
        any |= L->raci[at][k] != SVCQ_INCIDENT_RACI_NONE;
    if (!any) {
        svcq__free(ctx, L->roles[at]);
        memmove(&L->roles[at], &L->roles[at + 1], (L->nroles - at - 1) * sizeof(*L->roles));
        memmove(&L->raci[at], &L->raci[at + 1], (L->nroles - at - 1) * sizeof(*L->raci));
        L->nroles--;
    }
    return SVCQ_OK;
}

int32_t svcq_incident_matrix_get(const svcq_ctx *ctx, const char *role, int32_t stage)
{
    int si = svcq__loop_stage_index(stage);
    if (!ctx || !role || si < 0)
        return SVCQ_INCIDENT_RACI_NONE;
    view v;
    get_view(ctx, &v);
    for (size_t i = 0; i < v.n; i++)
        if (!strcmp(v.role[i], role))
            return v.raci[i][si];
    return SVCQ_INCIDENT_RACI_NONE;
}

int svcq_incident_matrix_reset(svcq_ctx *ctx)
{
    if (!ctx)
        return SVCQ_EINVAL;
    svcq__loop_state *L = svcq__ctx_slot(ctx, SVCQ__SLOT_INCIDENT_LOOP);
    if (L)
        free_custom(ctx, L);
    return SVCQ_OK;
}

/* The responsible role of stage si (the check passed). */
static const char *responsible(const view *v, int si)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->raci[i][si] == SVCQ_INCIDENT_RACI_RESPONSIBLE)
            return v->role[i];
    return "?";
}

static int check(svcq_ctx *ctx, const view *v)
{
    for (int si = 0; si < SVCQ__LOOP_STAGES; si++) {
        size_t r = 0, a = 0;
        const char *first = NULL;
        for (size_t i = 0; i < v->n; i++) {
            if (v->raci[i][si] == SVCQ_INCIDENT_RACI_RESPONSIBLE) {
                if (r++ == 1)
                    return svcq__error(ctx, SVCQ_ESTATE,
                                       "responsibility matrix: stage %s has two responsible roles, %s and %s",
                                       stage_key[si], first, v->role[i]);
                first = v->role[i];
            }
            a += v->raci[i][si] == SVCQ_INCIDENT_RACI_APPROVES;
        }
        if (!r)
            return svcq__error(ctx, SVCQ_ESTATE, "responsibility matrix: stage %s has no responsible role",
                               stage_key[si]);
        if (needs_approval[si] && !a)
            return svcq__error(ctx, SVCQ_ESTATE, "responsibility matrix: stage %s has no role that approves it",
                               stage_key[si]);
    }
    return SVCQ_OK;
}

int svcq_incident_matrix_check(svcq_ctx *ctx)
{
    if (!ctx)
        return SVCQ_EINVAL;
    view v;
    get_view(ctx, &v);
    return check(ctx, &v);
}

static int emit(svcq_ctx *ctx, const svcq_writer *w, svcq__buf *b, int rc)
{
    if (!rc) {
        rc = svcq_writer_write(w, b->data, b->len);
        if (rc)
            rc = svcq__error(ctx, rc, "export: the writer failed (%s)", svcq_strerror(rc));
    }
    svcq__buf_free(b);
    return rc;
}

int svcq_incident_matrix_export_markdown(svcq_ctx *ctx, const svcq_writer *writer)
{
    if (!ctx)
        return SVCQ_EINVAL;
    if (!writer || !writer->write)
        return svcq__error(ctx, SVCQ_EINVAL, "responsibility matrix: NULL writer");
    view v;
    get_view(ctx, &v);
    int rc = check(ctx, &v);
    if (rc)
        return rc;
    static const char letter[] = { ' ', 'R', 'A', 'C', 'I' };
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    rc = svcq__buf_puts(&b, "| role |");
    for (int si = 0; !rc && si < SVCQ__LOOP_STAGES; si++)
        rc = svcq__buf_printf(&b, " %d. %s |", si + 1, stage_title[si]);
    if (!rc)
        rc = svcq__buf_puts(&b, "\n|---|");
    for (int si = 0; !rc && si < SVCQ__LOOP_STAGES; si++)
        rc = svcq__buf_puts(&b, ":-:|");
    if (!rc)
        rc = svcq__buf_putc(&b, '\n');
    for (size_t i = 0; !rc && i < v.n; i++) {
        rc = svcq__buf_printf(&b, "| %s |", v.role[i]);
        for (int si = 0; !rc && si < SVCQ__LOOP_STAGES; si++)
            rc = v.raci[i][si] ? svcq__buf_printf(&b, " %c |", letter[v.raci[i][si]]) : svcq__buf_puts(&b, "  |");
        if (!rc)
            rc = svcq__buf_putc(&b, '\n');
    }
    if (!rc)
        rc = svcq__buf_puts(&b, "\nR responsible, A approves, C consulted, I informed.\n");
    return emit(ctx, writer, &b, rc);
}

/* ---- the flow chart --------------------------------------------------------------------- */

/* Nodes: the seven stages, then the exits. */
enum { N_REJECTED = SVCQ__LOOP_STAGES, N_CANCELLED, N_CLOSED, N_NODES };
static const char *const node_key[N_NODES] = {
    "report", "confirm", "analyse", "plan", "execute", "verify", "close", "rejected", "cancelled", "closed",
};

/* Edges in the order written (their linkStyle index). */
static const struct {
    int from, to;
    const char *label;
    bool dotted;
} edges[] = {
    { 0, 1, NULL, false },                                   /* 0 */
    { 1, 2, "real", false },                                 /* 1 */
    { 1, N_REJECTED, "not real", false },                    /* 2 */
    { 2, 3, "root cause confirmed", false },                 /* 3 */
    { 3, 4, "plan approved", false },                        /* 4 */
    { 4, 5, "measures done", false },                        /* 5 */
    { 5, 6, "effective", false },                            /* 6 */
    { 5, 2, "not effective: loop back", false },             /* 7 */
    { 6, N_CLOSED, NULL, false },                            /* 8 */
    { N_CLOSED, 2, "recurrence: reopen", true },             /* 9 */
    { 1, N_CANCELLED, "cancel", true }, /* 10..14: cancel where open work waits (REPORTED..VERIFYING) */
    { 2, N_CANCELLED, "cancel", true },
    { 3, N_CANCELLED, "cancel", true },
    { 4, N_CANCELLED, "cancel", true },
    { 5, N_CANCELLED, "cancel", true },
};
#define NEDGES (sizeof(edges) / sizeof(edges[0]))

/* The node where the work of a state happens: an incident REPORTED awaits
 * its confirmation, CONFIRMED its analysis. */
static int work_node(int32_t state)
{
    switch (state) {
    case SVCQ_INCIDENT_REPORTED: return 1;
    case SVCQ_INCIDENT_CONFIRMED:
    case SVCQ_INCIDENT_ANALYSING: return 2;
    case SVCQ_INCIDENT_PLANNING: return 3;
    case SVCQ_INCIDENT_EXECUTING: return 4;
    case SVCQ_INCIDENT_VERIFYING: return 5;
    case SVCQ_INCIDENT_CLOSED: return N_CLOSED;
    case SVCQ_INCIDENT_REJECTED: return N_REJECTED;
    case SVCQ_INCIDENT_CANCELLED: return N_CANCELLED;
    default: return 0;
    }
}

int svcq_incident_flow_mermaid(svcq_ctx *ctx, const svcq_incident *inc, const svcq_writer *writer)
{
    if (!ctx)
        return SVCQ_EINVAL;
    if (!writer || !writer->write)
        return svcq__error(ctx, SVCQ_EINVAL, "flow chart: NULL writer");
    if (inc && inc->ctx != ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "flow chart: incident %s belongs to another context", inc->id);
    view v;
    get_view(ctx, &v);
    int rc = check(ctx, &v);
    if (rc)
        return svcq__error_prefix(ctx, rc, "flow chart");
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    if (inc)
        rc = svcq__buf_printf(&b, "---\ntitle: \"Incident %s: %s, loop %u\"\n---\n", inc->id,
                              svcq_incident_state_name(inc->m.state), (unsigned)inc->m.loop);
    if (!rc)
        rc = svcq__buf_puts(&b, "flowchart TD\n");
    for (int si = 0; !rc && si < SVCQ__LOOP_STAGES; si++) {
        bool decision = si == 1 || si == 5;
        rc = svcq__buf_printf(&b, "    %s%s\"%d. %s<br/>R: %s\"%s\n", stage_key[si], decision ? "{" : "[", si + 1,
                              stage_title[si], responsible(&v, si), decision ? "}" : "]");
    }
    if (!rc)
        rc = svcq__buf_puts(&b, "    rejected([\"Rejected\"])\n    cancelled([\"Cancelled\"])\n"
                                "    closed([\"Closed and archived\"])\n");
    for (size_t e = 0; !rc && e < NEDGES; e++) {
        const char *arrow = edges[e].dotted ? "-." : "--";
        const char *head = edges[e].dotted ? ".->" : "-->";
        if (edges[e].label)
            rc = svcq__buf_printf(&b, "    %s %s %s %s %s\n", node_key[edges[e].from], arrow, edges[e].label, head,
                                  node_key[edges[e].to]);
        else
            rc = svcq__buf_printf(&b, "    %s --> %s\n", node_key[edges[e].from], node_key[edges[e].to]);
    }
    if (!rc && inc) {
        const svcq__inc_model *m = &inc->m;
        int cur = work_node(m->state);
        /* The furthest stage reached along the main line. */
        int reached = cur;
        if (m->state == SVCQ_INCIDENT_REJECTED)
            reached = 1;
        else if (m->state == SVCQ_INCIDENT_CANCELLED)
            reached = work_node(m->cancelled_from);
        else if (m->state == SVCQ_INCIDENT_CLOSED)
            reached = 6;
        if (m->loop > 0 && reached >= 2 && reached < 5)
            reached = 5; /* looped back: verification was reached before */
        bool done[N_NODES] = { 0 };
        for (int k = 0; k <= reached && k < SVCQ__LOOP_STAGES; k++)
            done[k] = k != cur;
        uint32_t failed = 0;
        for (size_t i = 0; i < m->verifications.len; i++)
            failed += m->verifications.v[i].verdict == SVCQ_INCIDENT_NOT_EFFECTIVE;
        bool reopened = m->loop > failed;
        if (reopened) {
            done[5] = done[6] = true;
            done[N_CLOSED] = cur != N_CLOSED;
        }
        bool path[NEDGES] = { 0 };
        for (size_t e = 0; e < NEDGES; e++) {
            int f = edges[e].from, t = edges[e].to;
            if (e <= 6 && t < SVCQ__LOOP_STAGES)
                path[e] = (done[f] || f == cur) && (done[t] || t == cur) && t == f + 1;
        }
        path[2] = m->state == SVCQ_INCIDENT_REJECTED;
        path[7] = failed > 0;
        path[8] = m->state == SVCQ_INCIDENT_CLOSED || reopened;
        path[9] = reopened;
        if (m->state == SVCQ_INCIDENT_CANCELLED) {
            int from = work_node(m->cancelled_from);
            if (from >= 1 && from <= 5)
                path[10 + from - 1] = true;
        }
        rc = svcq__buf_puts(&b, "    classDef done fill:#d9f2d9,stroke:#2e7d32\n"
                                "    classDef current fill:#fff2cc,stroke:#e65100,stroke-width:3px\n");
        bool first = true;
        for (int k = 0; !rc && k < N_NODES; k++)
            if (done[k] && k != cur) {
                rc = svcq__buf_printf(&b, "%s%s", first ? "    class " : ",", node_key[k]);
                first = false;
            }
        if (!rc && !first)
            rc = svcq__buf_puts(&b, " done\n");
        if (!rc)
            rc = svcq__buf_printf(&b, "    class %s current\n", node_key[cur]);
        first = true;
        for (size_t e = 0; !rc && e < NEDGES; e++)
            if (path[e]) {
                rc = svcq__buf_printf(&b, "%s%zu", first ? "    linkStyle " : ",", e);
                first = false;
            }
        if (!rc && !first)
            rc = svcq__buf_puts(&b, " stroke:#2e7d32,stroke-width:3px\n");
    }
    return emit(ctx, writer, &b, rc);
}
