/* Internal header of the service profiles, agents, teams and assignment
 * (src/tier/profile*.c, agent*.c, team*.c, assign*.c).
 *
 * The assigner owns its agents and teams. Agents and teams are kept in
 * arrays sorted by id (byte order: the order every decision walks, and the
 * tie-break) and in hash maps by id. A team's members point at the agents.
 *
 * Every mutating call follows one pattern: check and allocate everything
 * first, then change the assigner (which cannot fail), recording an undo
 * entry owned by the assigner when a store transaction is open, then (when
 * bound) write the records the change touched. Unbound and outside a batch
 * nothing is recorded, so a failure before the change leaves the assigner
 * as it was, and nothing after the change can fail. */
#ifndef SVCQ__TIER_ASSIGN_INTERNAL_H
#define SVCQ__TIER_ASSIGN_INTERNAL_H

#include "core/buf.h"
#include "core/core.h"
#include "core/json.h"
#include "core/map.h"
#include "store/store.h"
#include "svcq/tier.h"

#define SVCQ__PROFILES_KIND "tier_profiles"
#define SVCQ__AGENT_KIND "agent"
#define SVCQ__TEAM_KIND "team"
#define SVCQ__ASSIGNER_KIND "assigner"

#define SVCQ__TIER_NAME_MAX 128   /* roles, skills */
#define SVCQ__TIER_NOTE_MAX 4096
#define SVCQ__TEAM_MAX_MEMBERS 100000
#define SVCQ__AGENT_MAX_CAPACITY 1000000
#define SVCQ__AGENT_MAX_WEIGHT 1000
#define SVCQ__RESOURCE_MAX_COUNT 1000000u

/* ---- profiles --------------------------------------------------------- */

typedef struct svcq__resource {
    char *role;
    uint32_t count;
} svcq__resource;

typedef struct svcq__profile {
    char *policy;
    uint32_t policy_version;
    uint32_t channels;
    int32_t strategy;
    char *team;         /* NULL: none */
    svcq__resource *resources;
    size_t nresources;
    int32_t report;
    int32_t eval[SVCQ_EVAL_METRIC_COUNT];
    char *note;         /* never NULL */
} svcq__profile;

struct svcq_tier_profiles {
    svcq_ctx *ctx;
    uint32_t levels;
    svcq__profile level[SVCQ_TIER_MAX_LEVELS];
    char *id;           /* record id; NULL unbound */
    uint64_t revision;
};

int svcq__profiles_encode(const svcq_tier_profiles *p, svcq__jw *w);
int svcq__profiles_decode(svcq_ctx *ctx, const svcq__json *root, svcq_tier_profiles **out);

/* ---- agents, teams, assigner ------------------------------------------- */

/* What svcq_assigner_put_agent replaces as a whole. */
typedef struct svcq__agent_conf {
    char *name;
    int64_t capacity;   /* 0: unlimited */
    int64_t weight;     /* >= 1 */
    char **skills;      /* sorted, distinct */
    uint32_t nskills;
    svcq_calendar *cal; /* NULL: always on shift */
} svcq__agent_conf;

typedef struct svcq__agent {
    char *id;
    svcq__agent_conf conf;
    svcq_time absent_until; /* absent while at < absent_until */
    uint64_t load;          /* open items */
    uint32_t teams;         /* teams that have it */
    uint32_t named;         /* clients that name it */
    uint64_t revision;      /* of its agent record */
    /* Shift cache: open (or closed) for instants in [from, to). */
    bool shift_valid;
    bool shift_open;
    svcq_time shift_from, shift_to;
} svcq__agent;

typedef struct svcq__team_conf {
    char *name;
    int32_t kind;
    svcq__agent **members; /* sorted by id */
    size_t n;
    int64_t *cw;           /* smooth weighted round-robin: current weight per member */
    size_t rr;             /* round-robin: the member to try first */
} svcq__team_conf;

typedef struct svcq__team {
    char *id;
    svcq__team_conf conf;
    uint64_t revision; /* of its team record */
} svcq__team;

typedef struct svcq__route {
    int32_t strategy;   /* -1: none */
    svcq__team *team;
} svcq__route;

typedef struct svcq__item {
    char *id;
    svcq__agent *agent;
} svcq__item;

typedef struct svcq__named {
    char *client;
    svcq__agent *agent;
} svcq__named;

struct svcq_assigner {
    svcq_ctx *ctx;
    svcq__agent **agents; /* sorted by id */
    size_t nagents, agents_cap;
    svcq__map agent_map;
    svcq__team **teams;   /* sorted by id */
    size_t nteams, teams_cap;
    svcq__map team_map;
    svcq__route routes[SVCQ_TIER_MAX_LEVELS];
    svcq__map items;      /* id -> svcq__item */
    svcq__map named;      /* client -> svcq__named */
    char *id;             /* assigner record id; NULL unbound */
    uint64_t revision;
};

typedef struct svcq__skip {
    size_t agent_off;     /* into the decision's text */
    int32_t reason;
    size_t detail_off;
} svcq__skip;

#define SVCQ__NONE SIZE_MAX

struct svcq_assignment {
    svcq_ctx *ctx;
    svcq__buf text;       /* copies of the names, NUL-terminated each */
    bool filled, found, fallback, named_new;
    int32_t strategy, tier;
    size_t agent_off, team_off, item_off, client_off, named_off; /* SVCQ__NONE: none */
    int32_t named_reason; /* why the named agent was passed over, or -1 */
    uint64_t agent_load;  /* the chosen agent's open items before the decision */
    svcq_time at;
    svcq__skip *skips;
    size_t nskips, skips_cap;
    /* For applying the decision: the chosen member's index in the team
     * (SVCQ__NONE for a named agent), the weighted round-robin total, and
     * which members were available. */
    size_t pos;
    int64_t total;
    uint8_t *avail;
    size_t avail_cap;
};

/* Names and checks shared by the files. */
int svcq__tier_check_id(svcq_ctx *ctx, const char *what, const char *id);
int svcq__tier_check_label(svcq_ctx *ctx, const char *what, const char *s, size_t max);
svcq__agent *svcq__assigner_agent(const svcq_assigner *a, const char *id);
svcq__team *svcq__assigner_team(const svcq_assigner *a, const char *id);

/* Frees an agent's configuration / a team's configuration. */
void svcq__agent_conf_free(svcq_ctx *ctx, svcq__agent_conf *c);
void svcq__team_conf_free(svcq_ctx *ctx, svcq__team_conf *c);
void svcq__agent_free(svcq_ctx *ctx, svcq__agent *ag);
void svcq__team_free(svcq_ctx *ctx, svcq__team *t);

/* Builds an agent configuration from a spec (checked). */
int svcq__agent_conf_make(svcq_ctx *ctx, const svcq_agent_spec *spec, svcq__agent_conf *out);
/* Inserts a new agent / team into the sorted arrays and maps (room reserved
 * by svcq__assigner_reserve). */
int svcq__assigner_reserve(svcq_assigner *a, size_t agents, size_t teams);
void svcq__assigner_insert_agent(svcq_assigner *a, svcq__agent *ag);
void svcq__assigner_insert_team(svcq_assigner *a, svcq__team *t);
void svcq__assigner_unlink_agent(svcq_assigner *a, svcq__agent *ag);

/* The record JSON of an agent, a team and the assigner's own record; and
 * the whole export document. */
int svcq__agent_encode(const svcq__agent *ag, svcq__jw *w, bool record);
int svcq__team_encode(const svcq__team *t, svcq__jw *w, bool record);
int svcq__assigner_state_encode(const svcq_assigner *a, svcq__jw *w, bool record);

/* Which records a change touches, for the write-through. */
#define SVCQ__WRITE_ASSIGNER 0x1u
/* Writes the touched records of a bound assigner inside the open scope:
 * agent ag and team t when not NULL, the assigner record when flags has
 * SVCQ__WRITE_ASSIGNER. Does nothing when unbound. */
int svcq__assigner_write(svcq_assigner *a, svcq__agent *ag, svcq__team *t, uint32_t flags);

/* ---- changes and their undo (agent.c) ----------------------------------- */

enum {
    SVCQ__CH_AGENT_NEW = 1,
    SVCQ__CH_AGENT_CONF,
    SVCQ__CH_AGENT_REMOVE,
    SVCQ__CH_ABSENT,
    SVCQ__CH_TEAM_NEW,
    SVCQ__CH_TEAM_CONF,
    SVCQ__CH_ROUTES,
    SVCQ__CH_NAMED,
    SVCQ__CH_ASSIGN,
    SVCQ__CH_RELEASE
};

/* One change of an assigner: what undo needs to reverse it, and what the
 * change replaced (freed when it is released: committed, or applied with
 * nothing to roll back). On the stack when nothing is recorded. */
typedef struct svcq__change {
    int kind;
    bool heap;
    svcq_assigner *a;
    svcq__agent *agent;
    svcq__team *team;
    svcq__agent_conf aconf; /* the replaced configuration */
    svcq__team_conf tconf;
    svcq__route routes[SVCQ_TIER_MAX_LEVELS];
    svcq_time absent;
    svcq__named *named;
    svcq__agent *named_old;
    bool named_added, named_removed, free_named;
    svcq__item *item;
    bool free_item;
    int64_t *old_cw;        /* the team's weights before (recorded changes) */
    size_t old_rr;
} svcq__change;

/* A change's scope: a store scope when the assigner is bound or a
 * transaction is open (then the change is recorded). */
typedef struct svcq__change_scope {
    svcq__tx tx;
    bool scoped;
    bool record;
} svcq__change_scope;

int svcq__change_begin(svcq_assigner *a, svcq__change_scope *s);
int svcq__change_new(svcq_assigner *a, const svcq__change_scope *s, svcq__change *local, svcq__change **out);
/* After the change was applied: records it, or releases it at once. */
void svcq__change_done(svcq_assigner *a, const svcq__change_scope *s, svcq__change *c);
int svcq__change_end(svcq_assigner *a, svcq__change_scope *s, int rc);
void svcq__change_release(svcq_ctx *ctx, void *data, uint64_t arg);

/* Named agents: the entry of a client (made, with room in the map, when
 * add and absent: returns 1), applying and reverting a change of it. */
int svcq__named_prepare(svcq_assigner *a, const char *client, bool add, svcq__named **out);
void svcq__named_apply(svcq_assigner *a, svcq__change *c, svcq__agent *agent);
void svcq__named_revert(svcq_assigner *a, svcq__change *c);
/* Reverts an assign or release (assign.c). */
void svcq__work_revert(svcq_assigner *a, svcq__change *c);

/* Fills the decision (no change to the assigner but shift caches). */
int svcq__assign_decide(svcq_assignment *d, svcq_assigner *a, const svcq_assign_request *req,
                        svcq__agent **chosen, svcq__team **team);

#endif
