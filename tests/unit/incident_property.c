/* A property test of the incident lifecycle: random sequences of valid and
 * invalid calls (fixed seeds, thousands of steps over several incidents
 * that come and go) against an independent shadow model kept by the test.
 *
 * After every call:
 * - a refused call left the handle's JSON and revision, the analyses, and
 *   the store as they were (no committed write, counted by a wrapping
 *   store; every 16th refusal the whole store is also compared byte for
 *   byte);
 * - an accepted call moved the incident where the shadow says, and the
 *   guard of every move held by the shadow's own account: CONFIRMED only
 *   with a supervisor and a quality member in the group, a category and a
 *   unit (and both tracks for human error); PLANNING only with an attached
 *   analysis holding a confirmed root cause with evidence; EXECUTING only
 *   with every root cause addressed by a measure and every measure
 *   complete; VERIFYING only with every measure done or cancelled; CLOSED
 *   only with an effective verification of the current loop and at least
 *   one improvement;
 * - the verdict and the recurrence count of svcq_incident_evaluate() and
 *   svcq_incident_verify() equal the shadow's (indicators against targets,
 *   similar incidents — same similarity key — reported in the window),
 *   on a store that keeps index terms and on a version-1 store (the
 *   library's fallback of the term scans);
 * - the audit count went up by one per accepted call, and the chain
 *   verifies.
 * At the end of a run the archive queries (list by state, type, client and
 * stage, period, overdue measures: term scans) answer as a full read of
 * the stored incidents does. codec_pieces checks the record writer's
 * string and the audit entry id against their definitions. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>

#include <cmocka.h>

#include "incident_fixture.h"
#include "core/jenc.h"
#include "core/json.h"
#include "incident/incident_internal.h"
#include "store/store.h"
#include "test_alloc.h"

/* ---- a store that counts committed writes ---------------------------------------------- */

typedef struct counting {
    svcq_store_methods inner;
    size_t pending, committed;
    char terms[1024]; /* of the last incident record put: "name=value\n"... */
    bool put2_seen;   /* the library writes terms (not a version-1 store) */
} counting;

/* Terms as text, one "name=value" line each. */
static void terms_text(const svcq_store_term *t, size_t n, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && len < size; i++)
        len += t[i].type == SVCQ_STORE_TERM_STRING
                   ? (size_t)snprintf(out + len, size - len, "%s=%s\n", t[i].name, t[i].s)
                   : (size_t)snprintf(out + len, size - len, "%s=%lld\n", t[i].name, (long long)t[i].i);
}

static int c_begin(void *ud)
{
    counting *c = ud;
    c->pending = 0;
    return c->inner.begin(c->inner.user_data);
}
static int c_commit(void *ud)
{
    counting *c = ud;
    int rc = c->inner.commit(c->inner.user_data);
    if (!rc)
        c->committed += c->pending;
    c->pending = 0;
    return rc;
}
static int c_rollback(void *ud)
{
    counting *c = ud;
    c->pending = 0;
    return c->inner.rollback(c->inner.user_data);
}
static int c_get(const char *kind, const char *id, svcq_store_visit_fn visit, void *vud, void *ud)
{
    counting *c = ud;
    return c->inner.get(kind, id, visit, vud, c->inner.user_data);
}
static int c_put(const char *kind, const char *id, uint64_t expected, const void *bytes, size_t size, uint64_t *rev,
                 void *ud)
{
    counting *c = ud;
    c->pending++;
    return c->inner.put(kind, id, expected, bytes, size, rev, c->inner.user_data);
}
static int c_put2(const char *kind, const char *id, uint64_t expected, const void *bytes, size_t size,
                  const svcq_store_term *terms, size_t n_terms, uint64_t *rev, void *ud)
{
    counting *c = ud;
    c->pending++;
    c->put2_seen = true;
    if (strcmp(kind, "incident") == 0)
        terms_text(terms, n_terms, c->terms, sizeof(c->terms));
    return c->inner.put2(kind, id, expected, bytes, size, terms, n_terms, rev, c->inner.user_data);
}
static int c_remove(const char *kind, const char *id, uint64_t expected, void *ud)
{
    counting *c = ud;
    c->pending++;
    return c->inner.remove(kind, id, expected, c->inner.user_data);
}
static int c_scan(const char *kind, svcq_store_visit_fn visit, void *vud, void *ud)
{
    counting *c = ud;
    return c->inner.scan(kind, visit, vud, c->inner.user_data);
}
static int c_scan_range(const char *kind, const char *after, uint32_t limit, svcq_store_visit_fn visit, void *vud,
                        void *ud)
{
    counting *c = ud;
    return c->inner.scan_range(kind, after, limit, visit, vud, c->inner.user_data);
}
static int c_scan_term(const char *kind, const char *name, int32_t type, const svcq_store_term *lo,
                       const svcq_store_term *hi, const svcq_store_term *after, const char *after_id, uint32_t limit,
                       svcq_store_term_visit_fn visit, void *vud, void *ud)
{
    counting *c = ud;
    return c->inner.scan_term(kind, name, type, lo, hi, after, after_id, limit, visit, vud, c->inner.user_data);
}
static void c_destroy(void *ud)
{
    counting *c = ud;
    if (c->inner.destroy)
        c->inner.destroy(c->inner.user_data);
}

/* ---- the shadow model -------------------------------------------------------------------- */

#define SLOTS 4
#define MAX_MEASURES SVCQ_INCIDENT_MAX_ITEMS
#define MAX_EVER 512

/* Every incident ever reported in the run (for the recurrence oracle). */
typedef struct ever {
    char id[32];
    svcq_time reported_at;
    const char *type, *stage;
    char category[32];
    char hostkey[8]; /* "" for the default key */
} ever;

typedef struct smeasure {
    char id[16];
    char root[48];
    bool complete;
    int32_t state;
    uint32_t loop;
    int32_t direction;
    int64_t target;
    bool has_measured;
    int64_t measured;
} smeasure;

typedef struct slot {
    svcq_incident *inc;
    size_t ever; /* index in the run's ever[] */
    svcq_analysis *good, *empty;
    bool good_attached, empty_attached;
    bool sup, qa; /* confirmation group roles present */
    int32_t state;
    uint32_t loop;
    svcq_time since, closed_at;
    smeasure m[MAX_MEASURES];
    size_t nm;
    bool verified;
    int32_t last_verdict;
    uint32_t last_loop;
    size_t improvements;
    size_t recurrences;
    uint64_t audit;
} slot;

typedef struct run {
    test_alloc alloc;
    svcq_ctx *ctx;
    counting store;
    slot s[SLOTS];
    ever e[MAX_EVER];
    size_t ne;
    uint64_t rng;
    uint32_t max_recurrences;
    size_t refusals, accepted, full_checks, moves[10];
} run;

static uint32_t rnd(run *r, uint32_t n)
{
    r->rng ^= r->rng << 13;
    r->rng ^= r->rng >> 7;
    r->rng ^= r->rng << 17;
    return (uint32_t)(r->rng % n);
}
static bool chance(run *r, uint32_t percent)
{
    return rnd(r, 100) < percent;
}

/* ---- snapshots ----------------------------------------------------------------------------- */

typedef struct text {
    char *s;
    size_t len;
} text;

static int collect(const char *data, size_t size, void *user)
{
    text *t = user;
    t->s = realloc(t->s, t->len + size + 1);
    memcpy(t->s + t->len, data, size);
    t->len += size;
    t->s[t->len] = '\0';
    return 0;
}
static void put_text(text *t, const char *s)
{
    collect(s, strlen(s), t);
}

static void inc_json(text *t, const svcq_incident *inc)
{
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = collect;
    w.user_data = t;
    if (!inc) {
        put_text(t, "(none)");
        return;
    }
    assert_int_equal(svcq_incident_export_json(inc, &w, 0), SVCQ_OK);
    char rev[48];
    snprintf(rev, sizeof(rev), " @%llu\n", (unsigned long long)svcq_incident_revision(inc));
    put_text(t, rev);
}

static void analysis_json(text *t, const svcq_analysis *a)
{
    svcq_writer w = SVCQ_WRITER_INIT;
    w.write = collect;
    w.user_data = t;
    assert_int_equal(svcq_analysis_export_json(a, &w, 0), SVCQ_OK);
    char rev[48];
    snprintf(rev, sizeof(rev), " @%llu\n", (unsigned long long)svcq_analysis_revision(a));
    put_text(t, rev);
}

typedef struct lines {
    char **v;
    size_t n;
} lines;

static int dump_one(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes, size_t size, void *user)
{
    (void)ctx;
    lines *l = user;
    char *line = malloc(strlen(id) + size + 40);
    sprintf(line, "%s@%llu %.*s\n", id, (unsigned long long)revision, (int)size, bytes);
    l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
    l->v[l->n++] = line;
    return 0;
}
static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every stored record, sorted. */
static void store_dump(run *r, text *t)
{
    static const char *const kinds[] = { "incident", "incident_audit", "analysis" };
    for (size_t k = 0; k < 3; k++) {
        lines l = { 0 };
        assert_int_equal(svcq__store_scan(r->ctx, kinds[k], dump_one, &l), SVCQ_OK);
        if (l.n > 1)
            qsort(l.v, l.n, sizeof(*l.v), by_str);
        put_text(t, kinds[k]);
        put_text(t, ":\n");
        for (size_t i = 0; i < l.n; i++) {
            put_text(t, l.v[i]);
            free(l.v[i]);
        }
        free(l.v);
    }
}

/* Everything a call on slot k may touch, as one text. */
static void snapshot(run *r, text *t, bool whole_store)
{
    for (size_t k = 0; k < SLOTS; k++) {
        inc_json(t, r->s[k].inc);
        analysis_json(t, r->s[k].good);
        analysis_json(t, r->s[k].empty);
    }
    if (whole_store)
        store_dump(r, t);
}

/* ---- slots ---------------------------------------------------------------------------------- */

static const char *const TYPES[] = { SVCQ_INCIDENT_TYPE_SERVICE_DELAY, SVCQ_INCIDENT_TYPE_STAFF_ERROR,
                                     SVCQ_INCIDENT_TYPE_CUSTOMER_COMPLAINT, SVCQ_INCIDENT_TYPE_QUALITY_BELOW_STANDARD };

static void simkey(const ever *e, char *out, size_t size)
{
    if (e->hostkey[0])
        snprintf(out, size, "%s", e->hostkey);
    else
        snprintf(out, size, "%s|%s|%s", e->type, e->stage, e->category);
}

/* The oracle of recurrences: other incidents with the same key reported in [from, to). */
static uint32_t similar_in(run *r, size_t self, svcq_time from, svcq_time to)
{
    char key[128], other[128];
    simkey(&r->e[self], key, sizeof(key));
    uint32_t n = 0;
    for (size_t i = 0; i < r->ne; i++) {
        if (i == self)
            continue;
        simkey(&r->e[i], other, sizeof(other));
        if (strcmp(key, other) == 0 && r->e[i].reported_at >= from && r->e[i].reported_at < to)
            n++;
    }
    return n;
}

static void slot_free(slot *s)
{
    svcq_incident_free(s->inc);
    svcq_analysis_free(s->good);
    svcq_analysis_free(s->empty);
    memset(s, 0, sizeof(*s));
}

/* A fresh incident in slot k (reported: always accepted). */
static void slot_new(run *r, size_t k)
{
    slot *s = &r->s[k];
    slot_free(s);
    assert_true(r->ne < MAX_EVER);
    ever *e = &r->e[r->ne];
    memset(e, 0, sizeof(*e));
    snprintf(e->id, sizeof(e->id), "INC-%zu", r->ne);
    e->type = TYPES[rnd(r, 4)];
    e->stage = SVCQ_INCIDENT_STAGE_TECHNICAL_SUPPORT;
    e->reported_at = fx_now_value;
    s->ever = r->ne++;
    char aid[48];
    snprintf(aid, sizeof(aid), "a-%s", e->id);
    assert_int_equal(fx_analysis(&s->good, r->ctx, aid), SVCQ_OK);
    snprintf(aid, sizeof(aid), "e-%s", e->id);
    const char *c = NULL;
    assert_int_equal(svcq_analysis_new(&s->empty, r->ctx, aid, "Nothing found yet", SVCQ_ANALYSIS_6M), SVCQ_OK);
    assert_int_equal(svcq_analysis_add(&c, s->empty, "k1", SVCQ_ANALYSIS_CAUSE, "A guess"), SVCQ_OK);
    svcq_incident_report_spec sp = SVCQ_INCIDENT_REPORT_SPEC_INIT;
    sp.type = e->type;
    sp.stage = e->stage;
    sp.channel = SVCQ_INCIDENT_CHANNEL_PHONE;
    sp.observed = "Late callback";
    sp.reporter_name = "Li Na";
    sp.client = "client-42";
    assert_int_equal(svcq_incident_report(&s->inc, r->ctx, e->id, &sp, "Li Na", "agent"), SVCQ_OK);
    s->state = SVCQ_INCIDENT_REPORTED;
    s->since = fx_now_value;
    s->audit = 1;
}

/* ---- the invariants of an accepted move ----------------------------------------------------- */

static bool measures_address(const slot *s, const char *root)
{
    for (size_t i = 0; i < s->nm; i++)
        if (s->m[i].state != SVCQ_INCIDENT_MEASURE_CANCELLED && strcmp(s->m[i].root, root) == 0)
            return true;
    return false;
}

/* The guard of moving slot s from its shadow state to `to` held. */
static void check_guard(run *r, const slot *s, int32_t to)
{
    const ever *e = &r->e[s->ever];
    switch (to) {
    case SVCQ_INCIDENT_PLANNING:
        assert_int_equal(s->state, SVCQ_INCIDENT_ANALYSING);
        assert_true(s->good_attached); /* the only analysis with a confirmed root cause */
        break;
    case SVCQ_INCIDENT_EXECUTING: {
        assert_int_equal(s->state, SVCQ_INCIDENT_PLANNING);
        bool current = false;
        for (size_t i = 0; i < s->nm; i++) {
            if (s->m[i].state == SVCQ_INCIDENT_MEASURE_CANCELLED)
                continue;
            assert_true(s->m[i].complete);
            current |= s->m[i].loop == s->loop;
        }
        assert_true(current);
        char root[64];
        snprintf(root, sizeof(root), "a-%s:c1", e->id);
        if (s->good_attached)
            assert_true(measures_address(s, root));
        break;
    }
    case SVCQ_INCIDENT_VERIFYING:
        assert_int_equal(s->state, SVCQ_INCIDENT_EXECUTING);
        for (size_t i = 0; i < s->nm; i++)
            assert_true(s->m[i].state == SVCQ_INCIDENT_MEASURE_DONE || s->m[i].state == SVCQ_INCIDENT_MEASURE_CANCELLED);
        break;
    case SVCQ_INCIDENT_CLOSED:
        assert_int_equal(s->state, SVCQ_INCIDENT_VERIFYING);
        assert_true(s->verified);
        assert_int_equal(s->last_loop, s->loop);
        assert_int_equal(s->last_verdict, SVCQ_INCIDENT_EFFECTIVE);
        assert_true(s->improvements >= 1);
        break;
    case SVCQ_INCIDENT_ANALYSING:
        assert_int_equal(s->state, SVCQ_INCIDENT_CONFIRMED);
        break;
    case SVCQ_INCIDENT_CANCELLED:
        assert_true(s->state != SVCQ_INCIDENT_CLOSED && s->state != SVCQ_INCIDENT_REJECTED &&
                    s->state != SVCQ_INCIDENT_CANCELLED);
        break;
    default:
        fail_msg("move to %d accepted by svcq_incident_transition", (int)to);
    }
}

/* The shadow's verdict of slot s now. */
static int32_t oracle_verdict(run *r, const slot *s, uint32_t *recurrences)
{
    bool ok = true, any = false;
    for (size_t i = 0; i < s->nm; i++) {
        const smeasure *x = &s->m[i];
        if (x->loop != s->loop || x->state == SVCQ_INCIDENT_MEASURE_CANCELLED)
            continue;
        any = true;
        if (!x->has_measured)
            ok = false;
        else if (x->direction == SVCQ_INCIDENT_LOWER_IS_BETTER ? x->measured > x->target : x->measured < x->target)
            ok = false;
    }
    *recurrences = similar_in(r, s->ever, s->since, s->since + 30 * FX_DAY);
    if (!any || *recurrences > r->max_recurrences)
        ok = false;
    return ok ? SVCQ_INCIDENT_EFFECTIVE : SVCQ_INCIDENT_NOT_EFFECTIVE;
}

/* ---- one random call ------------------------------------------------------------------------ */

static const char *pick(run *r, const char *const *v, size_t n)
{
    return v[rnd(r, (uint32_t)n)];
}
#define PICK(r, ...) pick((r), (const char *const[]){ __VA_ARGS__ }, sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

static smeasure *smeasure_find(slot *s, const char *id)
{
    for (size_t i = 0; id && i < s->nm; i++)
        if (strcmp(s->m[i].id, id) == 0)
            return &s->m[i];
    return NULL;
}

/* Makes one random call on slot k; returns its rc and applies an accepted
 * call to the shadow (after checking the guard it needed). */
static int step(run *r, size_t k, int *op_out)
{
    slot *s = &r->s[k];
    ever *e = &r->e[s->ever];
    svcq_incident *inc = s->inc;
    const char *actor = chance(r, 3) ? NULL : "Zhao Min";
    const char *role = "supervisor";
    char buf[128];
    /* Mostly a call of the incident's stage (so runs get far), else any. */
    static const int forward[10][5] = {
        [SVCQ_INCIDENT_REPORTED] = { 1, 1, 2, 0, 3 },  [SVCQ_INCIDENT_CONFIRMED] = { 4, 5, 5, 2, 4 },
        [SVCQ_INCIDENT_ANALYSING] = { 5, 4, 4, 5, 6 }, [SVCQ_INCIDENT_PLANNING] = { 6, 4, 8, 4, 6 },
        [SVCQ_INCIDENT_EXECUTING] = { 7, 8, 8, 4, 8 }, [SVCQ_INCIDENT_VERIFYING] = { 16, 9, 9, 10, 11 },
        [0] = { 11, 4, 4, 11, 12 }, /* verifying, verified effective */
        [SVCQ_INCIDENT_CLOSED] = { 13, 11, 4, 16, 13 },  [SVCQ_INCIDENT_REJECTED] = { 4, 13, 12, 3, 0 },
        [SVCQ_INCIDENT_CANCELLED] = { 4, 13, 12, 11, 0 },
    };
    bool effective = s->state == SVCQ_INCIDENT_VERIFYING && s->verified && s->last_loop == s->loop &&
                     s->last_verdict == SVCQ_INCIDENT_EFFECTIVE;
    int op = chance(r, 85) ? forward[effective ? 0 : s->state][rnd(r, 5)] : (int)rnd(r, 17);
    *op_out = op;
    int rc;
    switch (op) {
    case 0:
        rc = svcq_incident_add_attachment(inc, actor, role, PICK(r, "photo", "log", "selfie"),
                                          chance(r, 10) ? NULL : "file://x.jpg", NULL);
        break;
    case 1: {
        const char *mrole = PICK(r, "service_supervisor", "quality_staff", "driver");
        rc = svcq_incident_add_confirmer(inc, actor, role, chance(r, 10) ? "" : "Sun Li", mrole);
        if (!rc) {
            s->sup |= strcmp(mrole, "service_supervisor") == 0;
            s->qa |= strcmp(mrole, "quality_staff") == 0;
        }
        break;
    }
    case 2: {
        svcq_incident_confirmation c = SVCQ_INCIDENT_CONFIRMATION_INIT;
        c.real = !chance(r, 10);
        c.category = PICK(r, SVCQ_INCIDENT_RESP_PROCESS_GAP, SVCQ_INCIDENT_RESP_HUMAN_ERROR,
                          SVCQ_INCIDENT_RESP_EQUIPMENT_FAILURE, "bogus", "");
        c.responsible_unit = chance(r, 15) ? NULL : "Support tier 1";
        c.person_assessment = chance(r, 40) ? NULL : "briefed";
        c.process_assessment = chance(r, 40) ? NULL : "checklist added";
        rc = svcq_incident_confirm(inc, actor, role, &c);
        if (!rc) {
            assert_int_equal(s->state, SVCQ_INCIDENT_REPORTED);
            assert_true(c.real && s->sup && s->qa && c.responsible_unit && c.category[0]);
            if (strcmp(c.category, SVCQ_INCIDENT_RESP_HUMAN_ERROR) == 0)
                assert_true(c.person_assessment && c.process_assessment);
            snprintf(e->category, sizeof(e->category), "%s", c.category);
            s->state = SVCQ_INCIDENT_CONFIRMED;
        }
        break;
    }
    case 3:
        rc = svcq_incident_reject(inc, actor, role, chance(r, 30) ? NULL : "not real");
        if (!rc) {
            assert_int_equal(s->state, SVCQ_INCIDENT_REPORTED);
            s->state = SVCQ_INCIDENT_REJECTED;
        }
        break;
    case 4: {
        /* Mostly the next stage, sometimes anything. */
        int32_t to;
        switch (s->state) {
        case SVCQ_INCIDENT_CONFIRMED: to = SVCQ_INCIDENT_ANALYSING; break;
        case SVCQ_INCIDENT_ANALYSING: to = SVCQ_INCIDENT_PLANNING; break;
        case SVCQ_INCIDENT_PLANNING: to = SVCQ_INCIDENT_EXECUTING; break;
        case SVCQ_INCIDENT_EXECUTING: to = SVCQ_INCIDENT_VERIFYING; break;
        default: to = SVCQ_INCIDENT_CLOSED; break;
        }
        if (chance(r, 25))
            to = (int32_t)rnd(r, 11);
        const char *note = to == SVCQ_INCIDENT_CANCELLED && chance(r, 50) ? "dropped" : NULL;
        rc = svcq_incident_transition(inc, actor, role, to, note);
        if (!rc) {
            check_guard(r, s, to);
            r->moves[to]++;
            s->state = to;
            s->since = fx_now_value;
            if (to == SVCQ_INCIDENT_CLOSED)
                s->closed_at = fx_now_value;
        }
        break;
    }
    case 5: {
        /* Its own analyses, or one attached to another incident already. */
        int which = (int)rnd(r, 3);
        if (which == 2 && !r->s[(k + 1) % SLOTS].good_attached)
            which = 0;
        svcq_analysis *a = which == 0 ? s->good : which == 1 ? s->empty : r->s[(k + 1) % SLOTS].good;
        rc = svcq_incident_attach_analysis(inc, actor, role, a);
        if (!rc) {
            assert_true(s->state == SVCQ_INCIDENT_CONFIRMED || s->state == SVCQ_INCIDENT_ANALYSING);
            assert_true(which < 2); /* another incident's analysis is refused */
            if (which == 0) {
                assert_false(s->good_attached);
                s->good_attached = true;
            } else {
                assert_false(s->empty_attached);
                s->empty_attached = true;
            }
        }
        break;
    }
    case 6: {
        svcq_incident_measure_spec m = SVCQ_INCIDENT_MEASURE_SPEC_INIT;
        char root[64];
        switch (rnd(r, 8)) {
        case 0: snprintf(root, sizeof(root), "e-%s:c1", e->id); break; /* not a root cause */
        case 1: root[0] = '\0'; break;
        case 2: snprintf(root, sizeof(root), "a-%s:c9", e->id); break; /* no such node */
        default: snprintf(root, sizeof(root), "a-%s:c1", e->id); break;
        }
        m.kind = chance(r, 5) ? "bogus" : SVCQ_INCIDENT_MEASURE_TRAINING;
        m.what = "Train the shift";
        m.root_cause = root;
        m.owner = chance(r, 4) ? NULL : "Wang Wei";
        m.deadline = chance(r, 4) ? 0 : fx_now_value + (svcq_time)rnd(r, 20) * FX_DAY;
        m.indicator = chance(r, 4) ? NULL : "delay";
        m.unit = chance(r, 4) ? NULL : "h";
        m.direction = chance(r, 4) ? 0 : chance(r, 50) ? SVCQ_INCIDENT_LOWER_IS_BETTER : SVCQ_INCIDENT_HIGHER_IS_BETTER;
        m.baseline = 3000;
        m.target = 1000 + (int64_t)rnd(r, 3) * 500;
        m.feasibility = chance(r, 4) ? NULL : "fits";
        m.expected_effect = chance(r, 4) ? NULL : "faster";
        m.approved_by = chance(r, 4) ? NULL : "Zhao Min";
        const char *id = NULL;
        rc = svcq_incident_add_measure(&id, inc, actor, role, &m);
        if (!rc) {
            assert_int_equal(s->state, SVCQ_INCIDENT_PLANNING);
            assert_true(strncmp(root, "a-", 2) == 0 || !root[0]);
            assert_true(s->good_attached || !root[0]);
            assert_true(s->nm < MAX_MEASURES);
            smeasure *x = &s->m[s->nm++];
            memset(x, 0, sizeof(*x));
            snprintf(x->id, sizeof(x->id), "%s", id);
            snprintf(x->root, sizeof(x->root), "%s", root);
            x->complete = root[0] && m.owner && m.deadline && m.indicator && m.unit && m.direction && m.feasibility &&
                          m.expected_effect && m.approved_by;
            x->state = SVCQ_INCIDENT_MEASURE_PLANNED;
            x->loop = s->loop;
            x->direction = m.direction;
            x->target = m.target;
        }
        break;
    }
    case 7: {
        svcq_incident_ledger_spec l = SVCQ_INCIDENT_LEDGER_SPEC_INIT;
        snprintf(buf, sizeof(buf), "m%u", rnd(r, (uint32_t)s->nm + 2));
        l.measure = buf;
        l.kind = (int32_t)rnd(r, 4);
        l.percent = (int32_t)rnd(r, 120);
        l.note = chance(r, 30) ? NULL : "note";
        l.reason = chance(r, 30) ? NULL : "reason";
        l.new_owner = chance(r, 50) ? NULL : "Chen Jie";
        l.approver = chance(r, 30) ? NULL : "Zhao Min";
        rc = svcq_incident_ledger_add(inc, actor, role, &l);
        if (!rc) {
            assert_int_equal(s->state, SVCQ_INCIDENT_EXECUTING);
            smeasure *x = smeasure_find(s, buf);
            assert_non_null(x);
            assert_true(x->state == SVCQ_INCIDENT_MEASURE_PLANNED || x->state == SVCQ_INCIDENT_MEASURE_IN_PROGRESS);
            if (l.kind == SVCQ_INCIDENT_LEDGER_PROGRESS)
                x->state = SVCQ_INCIDENT_MEASURE_IN_PROGRESS;
        }
        break;
    }
    case 8: {
        snprintf(buf, sizeof(buf), "m%u", rnd(r, (uint32_t)s->nm + 2));
        int32_t st = chance(r, s->state == SVCQ_INCIDENT_PLANNING ? 15 : 70) ? SVCQ_INCIDENT_MEASURE_DONE : chance(r, 80) ? SVCQ_INCIDENT_MEASURE_CANCELLED : 2;
        rc = svcq_incident_set_measure_state(inc, actor, role, buf, st, chance(r, 30) ? NULL : "because");
        if (!rc) {
            smeasure *x = smeasure_find(s, buf);
            assert_non_null(x);
            assert_true(x->state == SVCQ_INCIDENT_MEASURE_PLANNED || x->state == SVCQ_INCIDENT_MEASURE_IN_PROGRESS);
            assert_true(s->state == SVCQ_INCIDENT_EXECUTING ||
                        (s->state == SVCQ_INCIDENT_PLANNING && st == SVCQ_INCIDENT_MEASURE_CANCELLED));
            x->state = st;
        }
        break;
    }
    case 9: {
        snprintf(buf, sizeof(buf), "m%u", rnd(r, (uint32_t)s->nm + 2));
        int64_t v = 500 + (int64_t)rnd(r, 5) * 500;
        rc = svcq_incident_record_indicator(inc, actor, role, buf, v);
        if (!rc) {
            assert_int_equal(s->state, SVCQ_INCIDENT_VERIFYING);
            smeasure *x = smeasure_find(s, buf);
            assert_non_null(x);
            assert_true(x->state != SVCQ_INCIDENT_MEASURE_CANCELLED);
            x->has_measured = true;
            x->measured = v;
        }
        break;
    }
    case 10: {
        int32_t verdict = 0;
        uint32_t expect_rec = 0;
        int32_t expect = s->state == SVCQ_INCIDENT_VERIFYING ? oracle_verdict(r, s, &expect_rec) : 0;
        rc = svcq_incident_verify(&verdict, inc, actor, role, 4000, 4500, NULL);
        if (!rc) {
            assert_int_equal(s->state, SVCQ_INCIDENT_VERIFYING);
            assert_true(fx_now_value >= s->since + 30 * FX_DAY);
            assert_int_equal(verdict, expect);
            s->verified = true;
            s->last_verdict = verdict;
            s->last_loop = s->loop;
            if (verdict != SVCQ_INCIDENT_EFFECTIVE) {
                s->loop++;
                s->state = SVCQ_INCIDENT_ANALYSING;
                s->since = fx_now_value;
            }
        } else if (s->state == SVCQ_INCIDENT_VERIFYING && actor) {
            assert_int_equal(rc, SVCQ_ESTATE);
            assert_true(fx_now_value < s->since + 30 * FX_DAY);
        }
        break;
    }
    case 11:
        rc = svcq_incident_add_improvement(inc, actor, role, PICK(r, "operating_manual", "form", "poster"),
                                           chance(r, 10) ? NULL : "doc://manual#4", NULL);
        if (!rc) {
            assert_true(s->state == SVCQ_INCIDENT_VERIFYING || s->state == SVCQ_INCIDENT_CLOSED);
            s->improvements++;
        }
        break;
    case 12:
        rc = svcq_incident_set_lessons(inc, actor, role, chance(r, 10) ? "" : "Write the handover down");
        break;
    case 13: {
        size_t other = rnd(r, (uint32_t)r->ne + 1);
        const char *oid = other == r->ne ? "INC-none" : r->e[other].id;
        rc = svcq_incident_link_recurrence(inc, actor, role, oid);
        if (!rc) {
            assert_true(other < r->ne && other != s->ever);
            assert_true(s->recurrences < 256);
            s->recurrences++;
            if (s->state == SVCQ_INCIDENT_CLOSED && fx_now_value - s->closed_at <= 90 * FX_DAY) {
                s->loop++;
                s->state = SVCQ_INCIDENT_ANALYSING;
                s->since = fx_now_value;
            }
        }
        break;
    }
    case 14: {
        const char *key = PICK(r, "k1", "k2", "", NULL);
        rc = svcq_incident_set_similarity_key(inc, actor, role, key);
        if (!rc)
            snprintf(e->hostkey, sizeof(e->hostkey), "%s", key ? key : "");
        break;
    }
    case 15: {
        /* Read-only: the evaluation agrees with the oracle. */
        int32_t verdict = 0;
        uint32_t rec = 0, expect_rec = 0;
        rc = svcq_incident_evaluate(&verdict, &rec, inc);
        if (!rc) {
            assert_int_equal(s->state, SVCQ_INCIDENT_VERIFYING);
            assert_int_equal(verdict, oracle_verdict(r, s, &expect_rec));
            assert_int_equal(rec, expect_rec);
        }
        return rc ? rc : 1; /* not a change */
    }
    default:
        fx_now_value += (svcq_time)rnd(r, 20) * FX_DAY + (svcq_time)rnd(r, 3600);
        return 1;
    }
    return rc;
}

static void check_accepted(run *r, size_t k)
{
    slot *s = &r->s[k];
    assert_int_equal(svcq_incident_state_of(s->inc), s->state);
    assert_int_equal(svcq_incident_loop_count(s->inc), s->loop);
    s->audit++;
    assert_int_equal(svcq_incident_audit_count(s->inc), s->audit);
    uint64_t n = 0;
    int rc = svcq_incident_audit_verify(&n, r->ctx, svcq_incident_id(s->inc));
    if (rc)
        fail_msg("audit of %s: %s", svcq_incident_id(s->inc), svcq_ctx_errmsg(r->ctx));
    assert_int_equal(n, s->audit);
    /* The stored record is the handle encoded whole (a call copies the
     * sections it did not change from the record it stored last). */
    text whole = { 0 };
    inc_json(&whole, s->inc);
    char *stored = NULL;
    size_t size = 0;
    uint64_t rev = 0;
    assert_int_equal(svcq__store_get(r->ctx, "incident", svcq_incident_id(s->inc), &stored, &size, &rev), SVCQ_OK);
    assert_true(size < strlen(whole.s));
    assert_memory_equal(stored, whole.s, size);
    assert_int_equal(whole.s[size], ' '); /* then " @<revision>" */
    svcq__free(r->ctx, stored);
    free(whole.s);
    /* Its terms are those of the model now (a call that changed none of
     * their sections puts the last ones again). */
    if (r->store.put2_seen) {
        svcq__inc_terms fresh;
        svcq__inc_terms_of(&s->inc->m, &fresh, NULL);
        char want[sizeof(r->store.terms)];
        terms_text(fresh.t, fresh.n, want, sizeof(want));
        assert_string_equal(r->store.terms, want);
    }
}


/* ---- the archive queries against a full read ---------------------------------------------- */

typedef struct idlist {
    char buf[64 * 1024];
    size_t len;
} idlist;

static int add_id(const char *id, void *user)
{
    idlist *l = user;
    l->len += (size_t)snprintf(l->buf + l->len, sizeof(l->buf) - l->len, "%s\n", id);
    assert_true(l->len < sizeof(l->buf));
    return 0;
}

static int add_overdue(const char *id, const char *measure, svcq_time deadline, void *user)
{
    idlist *l = user;
    l->len += (size_t)snprintf(l->buf + l->len, sizeof(l->buf) - l->len, "%s %s %lld\n", id, measure,
                               (long long)deadline);
    assert_true(l->len < sizeof(l->buf));
    return 0;
}

typedef struct brute {
    const svcq_incident_query *q;
    svcq_time at; /* overdue mode when non-zero */
    idlist *out;
} brute;

/* The answer of a query from every stored record (svcq__inc_scan reads the
 * kind in id order, without terms). */
static int brute_one(svcq_ctx *ctx, const svcq__inc_summary *s, void *user)
{
    (void)ctx;
    brute *b = user;
    if (b->at) {
        if (s->state == SVCQ_INCIDENT_CLOSED || s->state == SVCQ_INCIDENT_REJECTED ||
            s->state == SVCQ_INCIDENT_CANCELLED)
            return 0;
        const svcq__json *a = svcq__json_get(s->root, "measures");
        for (size_t i = 0; i < svcq__json_array_size(a); i++) {
            const svcq__json *m = svcq__json_array_get(a, i);
            const char *id = svcq__json_as_string(svcq__json_get(m, "id"), NULL);
            const char *st = svcq__json_as_string(svcq__json_get(m, "state"), NULL);
            int64_t d = 0;
            if (!svcq__json_as_int(svcq__json_get(m, "deadline"), &d) || !d || strcmp(st, "done") == 0 ||
                strcmp(st, "cancelled") == 0 || d >= b->at)
                continue;
            add_overdue(s->id, id, d, b->out);
        }
        return 0;
    }
    const svcq_incident_query *q = b->q;
    if ((q->state && s->state != q->state) || (q->type && strcmp(q->type, s->type) != 0) ||
        (q->stage && strcmp(q->stage, s->stage) != 0) || (q->client && (!s->client || strcmp(q->client, s->client))) ||
        (q->from && s->reported_at < q->from) || (q->to && s->reported_at >= q->to))
        return 0;
    return add_id(s->id, b->out);
}

static void check_queries(run *r)
{
    static idlist got, want;
    int nonempty = 0;
    for (int i = 0; i < 60; i++) {
        svcq_incident_query q = SVCQ_INCIDENT_QUERY_INIT;
        svcq_time at = 0;
        switch (i % 6) {
        case 0: q.state = (int32_t)(i / 6 % 9) + 1; break;
        case 1: q.type = TYPES[i / 6 % 4]; break;
        case 2: q.client = i % 12 ? "client-42" : "client-0"; q.stage = SVCQ_INCIDENT_STAGE_TECHNICAL_SUPPORT; break;
        case 3: q.from = r->e[(size_t)i * 7 % r->ne].reported_at; q.to = q.from + (svcq_time)(i % 5) * 20 * FX_DAY; break;
        case 4: q.type = TYPES[i % 4]; q.state = SVCQ_INCIDENT_ANALYSING; q.to = fx_now_value - (svcq_time)i * FX_DAY; break;
        default: at = r->e[(size_t)i * 5 % r->ne].reported_at + (svcq_time)(i % 4) * 10 * FX_DAY; break;
        }
        got.len = want.len = 0;
        got.buf[0] = want.buf[0] = '\0';
        brute b = { &q, at, &want };
        assert_int_equal(svcq__inc_scan(r->ctx, brute_one, &b), SVCQ_OK);
        if (at)
            assert_int_equal(svcq_incident_list_overdue(r->ctx, at, add_overdue, &got), SVCQ_OK);
        else
            assert_int_equal(svcq_incident_list(r->ctx, &q, add_id, &got), SVCQ_OK);
        if (strcmp(got.buf, want.buf) != 0)
            fail_msg("query %d: got\n%s\nwant\n%s", i, got.buf, want.buf);
        nonempty += got.len > 0;
    }
    assert_true(nonempty >= 30); /* the queries find something */
}

static void run_seed(uint64_t seed, size_t steps, uint32_t max_recurrences, bool v1)
{
    run *r = calloc(1, sizeof(*r));
    r->rng = seed;
    r->max_recurrences = max_recurrences;
    test_alloc_init(&r->alloc);
    svcq_ctx_options o;
    assert_int_equal(svcq_ctx_options_init(&o, SVCQ_CTX_OPTIONS_VERSION), SVCQ_OK);
    test_alloc_hook(&r->alloc, &o);
    fx_options(&o);
    fx_now_value = FX_T0;
    assert_int_equal(svcq_ctx_new(&r->ctx, &o), SVCQ_OK);
    assert_int_equal(svcq__memstore_new(r->ctx, &r->store.inner), SVCQ_OK);
    svcq_store_methods m = SVCQ_STORE_METHODS_INIT;
    m.user_data = &r->store;
    m.begin = c_begin;
    m.commit = c_commit;
    m.rollback = c_rollback;
    m.get = c_get;
    m.put = c_put;
    m.remove = c_remove;
    m.scan = c_scan;
    m.destroy = c_destroy;
    if (v1) {
        /* A version-1 table: the queries go through the library's fallback. */
        m.version = 1;
    } else {
        m.put2 = r->store.inner.put2 ? c_put2 : NULL;
        m.scan_range = r->store.inner.scan_range ? c_scan_range : NULL;
        m.scan_term = r->store.inner.scan_term ? c_scan_term : NULL;
    }
    assert_int_equal(svcq_ctx_set_store(r->ctx, &m), SVCQ_OK);
    if (max_recurrences) {
        svcq_incident_options io = SVCQ_INCIDENT_OPTIONS_INIT;
        io.max_recurrences = max_recurrences;
        assert_int_equal(svcq_incident_configure(r->ctx, &io), SVCQ_OK);
    }
    for (size_t k = 0; k < SLOTS; k++)
        slot_new(r, k);
    for (size_t i = 0; i < steps; i++) {
        size_t k = rnd(r, SLOTS);
        slot *s = &r->s[k];
        /* Incidents come and go: a final or long one is replaced now and then. */
        bool done = s->state == SVCQ_INCIDENT_REJECTED || s->state == SVCQ_INCIDENT_CANCELLED ||
                    s->state == SVCQ_INCIDENT_CLOSED;
        if ((done && chance(r, 20)) || s->audit > 150 || rnd(r, 1000) < 2) {
            if (r->ne < MAX_EVER) {
                slot_new(r, k);
                continue;
            }
        }
        bool whole = r->refusals % 16 == 0;
        text before = { 0 }, after = { 0 };
        snapshot(r, &before, whole);
        size_t committed = r->store.committed;
        int op = 0;
        int rc = step(r, k, &op);
        if (rc == 1) { /* no change was asked for */
            free(before.s);
            continue;
        }
        if (rc == SVCQ_OK) {
            r->accepted++;
            check_accepted(r, k);
        } else {
            r->refusals++;
            assert_true(rc < 0);
            assert_true(svcq_ctx_errmsg(r->ctx)[0] != '\0');
            assert_int_equal(r->store.committed, committed);
            snapshot(r, &after, whole);
            if (strcmp(before.s, after.s) != 0)
                fail_msg("seed %llu step %zu op %d refused (%s) but changed the state",
                         (unsigned long long)seed, i, op, svcq_ctx_errmsg(r->ctx));
            if (whole)
                r->full_checks++;
        }
        free(before.s);
        free(after.s);
    }
    /* The archive queries (term scans) answer as a full read does. */
    check_queries(r);
    /* Every chain of the run verifies, and every incident loads back to its bytes. */
    for (size_t i = 0; i < r->ne; i++) {
        uint64_t n = 0;
        if (svcq_incident_audit_verify(&n, r->ctx, r->e[i].id))
            fail_msg("audit of %s: %s", r->e[i].id, svcq_ctx_errmsg(r->ctx));
    }
    for (size_t k = 0; k < SLOTS; k++) {
        svcq_incident *l = NULL;
        assert_int_equal(svcq_incident_load(&l, r->ctx, svcq_incident_id(r->s[k].inc)), SVCQ_OK);
        text a = { 0 }, b = { 0 };
        inc_json(&a, l);
        inc_json(&b, r->s[k].inc);
        assert_string_equal(a.s, b.s);
        free(a.s), free(b.s);
        svcq_incident_free(l);
    }
    /* The run reached every stage (else the seed is too weak to prove much). */
    print_message("seed %llu: %zu steps, %zu accepted, %zu refused (%zu with the whole store compared), %zu "
                  "incidents; moves: analysing %zu planning %zu executing %zu verifying %zu closed %zu cancelled %zu\n",
                  (unsigned long long)seed, steps, r->accepted, r->refusals, r->full_checks, r->ne,
                  r->moves[SVCQ_INCIDENT_ANALYSING], r->moves[SVCQ_INCIDENT_PLANNING],
                  r->moves[SVCQ_INCIDENT_EXECUTING], r->moves[SVCQ_INCIDENT_VERIFYING],
                  r->moves[SVCQ_INCIDENT_CLOSED], r->moves[SVCQ_INCIDENT_CANCELLED]);
    if (!getenv("SVCQ_TEST_QUICK")) { /* the short valgrind run looks for memory errors, not coverage */
        assert_true(r->moves[SVCQ_INCIDENT_PLANNING] > 0);
        assert_true(r->moves[SVCQ_INCIDENT_EXECUTING] > 0);
        assert_true(r->moves[SVCQ_INCIDENT_VERIFYING] > 0);
        assert_true(r->moves[SVCQ_INCIDENT_CLOSED] > 0);
    }
    for (size_t k = 0; k < SLOTS; k++)
        slot_free(&r->s[k]);
    svcq_ctx_free(r->ctx);
    assert_int_equal(r->alloc.live_blocks, 0);
    free(r);
}

/* Valgrind runs the suite with SVCQ_TEST_QUICK set (tests/meson.build):
 * a tenth of the steps, for memory errors on the paths they take; the
 * full runs, which must reach every stage, are native and under ASan. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif

static size_t steps(size_t full)
{
    if (getenv("SVCQ_TEST_QUICK"))
        return full / 10;
#ifdef SANITIZED
    return full / 2; /* the sanitizers make the store copies of each check ~30 times slower */
#else
    return full;
#endif
}

static void seed_1(void **state)
{
    (void)state;
    run_seed(0x9e3779b97f4a7c15ull, steps(4000), 2, false);
}
static void seed_2(void **state)
{
    (void)state;
    run_seed(0x2545f4914f6cdd1dull, steps(4000), 1, false);
}
static void seed_3(void **state)
{
    (void)state;
    run_seed(0x5851f42d4c957f2dull, steps(4000), 0, false);
}
/* The same on a store without index terms (the fallback of the term scans). */
static void seed_3_v1(void **state)
{
    (void)state;
    run_seed(0x5851f42d4c957f2dull, steps(4000), 0, true);
}

/* The record writer's string and the audit entry id against their
 * definitions: svcq__je_str gives the generic JSON writer's bytes
 * (escapes included) for random strings of bytes near every escape
 * boundary at every offset from a word, and svcq__inc_entry_id gives
 * "%s/%010" PRIu64 and refuses what does not fit. */
static void codec_pieces(void **state)
{
    (void)state;
    svcq_ctx *ctx = NULL;
    assert_int_equal(svcq_ctx_new(&ctx, NULL), SVCQ_OK);
    static const char *const pool[] = { "a", "Z", " ", "~", "\"", "\\", "\x01", "\x1f", "\x7f", "/",
                                        "\xc3\xa9", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x82\xac",
                                        "\xf0\x9f\x98\x80", "\t", "\n" };
    uint64_t r = 0x2545f4914f6cdd1du;
    char s[200];
    for (int n = 0; n < 20000; n++) {
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        size_t len = 0, parts = (size_t)(r % 40);
        /* Half the strings plain ASCII but for their last few pieces. */
        uint64_t x = r;
        for (size_t i = 0; i < parts; i++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            size_t k = (r & 1) && i + 3 < parts ? (x >> 40) % 4 : (x >> 40) % (sizeof(pool) / sizeof(pool[0]));
            size_t pl = strlen(pool[k]);
            memcpy(s + len, pool[k], pl);
            len += pl;
        }
        s[len] = '\0';
        svcq__buf want, got;
        svcq__buf_init(&want, ctx);
        svcq__buf_init(&got, ctx);
        svcq__jw w;
        svcq__jw_init_buf(&w, ctx, &want);
        assert_int_equal(svcq__jw_string(&w, s), SVCQ_OK);
        svcq__je e;
        svcq__je_init(&e, ctx, &got);
        svcq__je_str(&e, s);
        assert_int_equal(svcq__je_finish(&e), SVCQ_OK);
        assert_int_equal(got.len, want.len);
        assert_memory_equal(got.data, want.data, want.len);
        svcq__buf_free(&want);
        svcq__buf_free(&got);
    }
    static const uint64_t seqs[] = { 0, 1, 9, 10, 99, 1234567890, 9999999999u, 10000000000u, UINT64_MAX };
    for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
        char got[SVCQ_STORE_MAX_ID + 2], want[64];
        snprintf(want, sizeof(want), "%s/%010" PRIu64, "INC-7", seqs[i]);
        assert_int_equal(svcq__inc_entry_id(ctx, "INC-7", seqs[i], got, sizeof(got)), SVCQ_OK);
        assert_string_equal(got, want);
        /* Exactly as long as the buffer allows, and one byte too long. */
        assert_int_equal(svcq__inc_entry_id(ctx, "INC-7", seqs[i], got, strlen(want) + 1), SVCQ_OK);
        assert_string_equal(got, want);
        assert_int_equal(svcq__inc_entry_id(ctx, "INC-7", seqs[i], got, strlen(want)), SVCQ_ELIMIT);
        assert_non_null(strstr(svcq_ctx_errmsg(ctx), "INC-7: the audit entry id is too long"));
    }
    char id[SVCQ_STORE_MAX_ID + 1], out[2 * SVCQ_STORE_MAX_ID];
    memset(id, 'i', sizeof(id) - 1);
    id[SVCQ_STORE_MAX_ID - 11] = '\0'; /* the longest id an incident may have */
    assert_int_equal(svcq__inc_entry_id(ctx, id, 5, out, sizeof(out)), SVCQ_OK);
    assert_int_equal(strlen(out), SVCQ_STORE_MAX_ID);
    id[SVCQ_STORE_MAX_ID - 11] = 'i';
    id[SVCQ_STORE_MAX_ID - 10] = '\0';
    assert_int_equal(svcq__inc_entry_id(ctx, id, 5, out, sizeof(out)), SVCQ_ELIMIT);
    svcq_ctx_free(ctx);
}

int main(void)
{
    (void)fx_step; /* the fixture's scripted lifecycle is not used here */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seed_1),
        cmocka_unit_test(seed_2),
        cmocka_unit_test(seed_3),
        cmocka_unit_test(seed_3_v1),
        cmocka_unit_test(codec_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
