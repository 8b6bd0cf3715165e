/* SLA clocks in the store: kind "sla_clock", schema svcq.sla_clock/2
 * (version 1 records, without fingerprints, are still read).
 *
 * A record holds what the clock's state is a function of (the policy
 * versions it ran under and its event log) plus what a scheduler delivered
 * (per target: cycle and count), so that a load after a restart neither
 * repeats nor loses a notice. Policies are code, not data: the host hands
 * the versions it has to the load functions, and the record's fingerprint
 * of each version (fingerprint.c) makes sure they are the ones the clock
 * ran under. The format is in docs/format.md.
 *
 * Index terms (storage contract version 2): each record declares "state"
 * ("live" while some target is pending, running or paused or a notice is
 * still to be delivered, else "done") and, for a live clock, "next_notice"
 * (the instant of its next undelivered notice, SVCQ_SLA_NEVER when none is
 * due yet). The scheduler load reads only the records that have
 * next_notice, in its order. The record repeats both as members, from
 * which the library derives them for a store without terms. */
#include <stdio.h>
#include <string.h>

#include "core/intern.h"
#include "core/sha256.h"
#include "sla/sla_internal.h"
#include "store/record.h"
#include "store/store.h"

#define KIND "sla_clock"
/* The newest schema read. A clock written as /3 has an event that carries
 * a due (a fourth element); every other clock is written as /2, byte for
 * byte as before, so older readers refuse only what they cannot time. */
#define MAJOR 3
#define MAJOR_PLAIN 2
/* Hex digits of the per-target digests kept for messages (the policy's
 * full fingerprint is what decides). */
#define SHORT_HEX 16

/* Record id: "<length of the policy name>:<policy name>/<subject>", which
 * no two (policy, subject) pairs share. */
static int record_id(const svcq_sla_clock *c, char *out, size_t cap)
{
    const char *policy = c->key + c->subject_len + 1;
    int n = snprintf(out, cap, "%zu:%s/%s", strlen(policy), policy, c->key);
    return n > 0 && (size_t)n < cap ? SVCQ_OK : SVCQ_ELIMIT;
}

static const char *mode_name(int32_t mode)
{
    return mode == SVCQ_SLA_CHANGE_CARRY ? "carry" : "recompute";
}

/* The clock's index terms: whether it is live, and its next notice. */
static int clock_liveness(const svcq_sla_clock *c, bool *live, svcq_time *next)
{
    *live = false;
    *next = SVCQ_SLA_NEVER;
    const svcq_sla_policy *P = svcq__sla_clock_policy(c);
    for (uint32_t j = 0; j < P->ntargets; j++) {
        svcq__sla_tstate S = *svcq__sla_t(c, j); /* a target not started reads as pending */
        int rc = svcq__sla_refresh_next(c, j, &S);
        if (rc)
            return rc;
        if (S.next_notice < *next)
            *next = S.next_notice;
        if (S.state == SVCQ__T_PENDING || S.state == SVCQ__T_RUNNING || S.state == SVCQ__T_PAUSED)
            *live = true;
    }
    if (*next != SVCQ_SLA_NEVER)
        *live = true;
    return SVCQ_OK;
}

static int encode(const svcq_sla_clock *c, bool live, svcq_time next, svcq__buf *out)
{
    svcq_ctx *ctx = c->ctx;
    svcq__jw w;
    svcq__jw_init_buf(&w, ctx, out);
    const svcq_time *dues = svcq__sla_dues(c);
    bool carried = false;
    for (uint32_t i = 0; dues && i < c->nevents && !carried; i++)
        carried = dues[i] != SVCQ_SLA_NEVER;
    svcq__record_begin(&w, KIND, carried ? MAJOR : MAJOR_PLAIN);
    svcq__jw_key(&w, "subject");
    svcq__jw_stringn(&w, c->key, c->subject_len);
    svcq__jw_key(&w, "policy");
    svcq__jw_string(&w, c->key + c->subject_len + 1);
    svcq__jw_key(&w, "versions");
    svcq__jw_array_begin(&w);
    for (uint32_t i = 0; i < c->nversions; i++) {
        svcq__jw_object_begin(&w);
        /* A clock transferred from another policy (svcq_sla_clock_transfer)
         * names the versions of that policy. */
        if (strcmp(c->versions[i].policy->name, c->key + c->subject_len + 1) != 0) {
            svcq__jw_key(&w, "policy");
            svcq__jw_string(&w, c->versions[i].policy->name);
        }
        svcq__jw_key(&w, "version");
        svcq__jw_int(&w, c->versions[i].policy->version);
        svcq__jw_key(&w, "from");
        if (i == 0)
            svcq__jw_null(&w);
        else
            svcq__jw_int(&w, c->versions[i].from);
        svcq__jw_key(&w, "mode");
        svcq__jw_string(&w, mode_name(c->versions[i].mode));
        const svcq_sla_policy *vp = c->versions[i].policy;
        svcq__sla_fingerprint(vp);
        svcq__jw_key(&w, "fingerprint");
        svcq__jw_string(&w, vp->fp_hex);
        svcq__jw_key(&w, "targets");
        svcq__jw_array_begin(&w);
        for (uint32_t j = 0; j < vp->ntargets; j++) {
            char hex[SVCQ__SHA256_HEX + 1];
            svcq__jw_array_begin(&w);
            svcq__jw_string(&w, vp->targets[j].metric);
            svcq__sha256_hex(vp->targets[j].fp_spec, hex);
            svcq__jw_stringn(&w, hex, SHORT_HEX);
            svcq__sha256_hex(vp->targets[j].fp_cal, hex);
            svcq__jw_stringn(&w, hex, SHORT_HEX);
            svcq__jw_array_end(&w);
        }
        svcq__jw_array_end(&w);
        svcq__jw_object_end(&w);
    }
    svcq__jw_array_end(&w);
    svcq__jw_key(&w, "events");
    svcq__jw_array_begin(&w);
    for (uint32_t i = 0; i < c->nevents; i++) {
        const svcq__sla_event *e = &c->events[i];
        svcq__jw_array_begin(&w);
        svcq__jw_int(&w, e->at);
        svcq__jw_string(&w, svcq__intern_str(ctx, e->name));
        bool due = dues && dues[i] != SVCQ_SLA_NEVER;
        if (e->reason || due)
            svcq__jw_string(&w, svcq__sla_clock_reason(c, e->reason));
        if (due)
            svcq__jw_int(&w, dues[i]);
        svcq__jw_array_end(&w);
    }
    svcq__jw_array_end(&w);
    svcq__jw_key(&w, "delivered");
    svcq__jw_array_begin(&w);
    const svcq_sla_policy *P = svcq__sla_clock_policy(c);
    for (uint32_t j = 0; j < P->ntargets; j++) {
        const svcq__sla_tstate *S = svcq__sla_t(c, j);
        /* An empty count past cycle 0 says the earlier cycles are done. */
        if (!S->delivered && !S->delivered_cycle)
            continue;
        svcq__jw_object_begin(&w);
        svcq__jw_key(&w, "metric");
        svcq__jw_string(&w, P->targets[j].metric);
        svcq__jw_key(&w, "cycle");
        svcq__jw_int(&w, S->delivered_cycle);
        svcq__jw_key(&w, "count");
        svcq__jw_int(&w, S->delivered);
        svcq__jw_object_end(&w);
    }
    svcq__jw_array_end(&w);
    /* The index terms, repeated for stores without them. */
    svcq__jw_key(&w, "state");
    svcq__jw_string(&w, live ? "live" : "done");
    if (live) {
        svcq__jw_key(&w, "next_notice");
        svcq__jw_int(&w, next);
    }
    return svcq__record_end(&w);
}

/* Writes one clock inside an open scope. */
static int put_clock(svcq_sla_clock *c)
{
    char id[SVCQ_STORE_MAX_ID + 1];
    int rc = record_id(c, id, sizeof(id));
    if (rc)
        return svcq__error(c->ctx, rc, "clock %s of policy %s: its record id is too long for the store", c->key,
                           c->key + c->subject_len + 1);
    bool live;
    svcq_time next;
    rc = clock_liveness(c, &live, &next);
    if (rc)
        return rc;
    svcq_store_term terms[2] = {
        { SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_STRING, "state", live ? "live" : "done", 0, { 0 } },
        { SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_INT64, "next_notice", NULL, next, { 0 } },
    };
    svcq__buf b;
    svcq__buf_init(&b, c->ctx);
    rc = encode(c, live, next, &b);
    if (rc == SVCQ_ENOMEM)
        rc = svcq__enomem(c->ctx);
    else if (rc)
        rc = svcq__error(c->ctx, rc, "clock %s of policy %s: encoding its record failed: %s", c->key,
                         c->key + c->subject_len + 1, svcq_strerror(rc));
    if (rc == SVCQ_OK)
        rc = svcq__undo_reserve(c->ctx, 1);
    if (rc == SVCQ_OK)
        rc = svcq__record_put_terms(c->ctx, c, KIND, id, &c->revision, &b, terms, live ? 2 : 1);
    if (rc == SVCQ_OK)
        rc = svcq__undo_set_u64(c->ctx, c, &c->saved, c->changes);
    svcq__buf_free(&b);
    return rc;
}

int svcq_sla_clock_save(svcq_sla_clock *clock)
{
    if (!clock)
        return SVCQ_EINVAL;
    svcq__tx tx;
    int rc = svcq__tx_begin(clock->ctx, &tx);
    if (rc == SVCQ_OK)
        rc = put_clock(clock);
    return svcq__tx_end(clock->ctx, &tx, rc);
}

int svcq_sla_clock_remove(svcq_sla_clock *clock)
{
    if (!clock)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = clock->ctx;
    if (!clock->revision)
        return svcq__error(ctx, SVCQ_ENOTFOUND, "clock %s of policy %s was never saved (or was removed)", clock->key,
                           clock->key + clock->subject_len + 1);
    char id[SVCQ_STORE_MAX_ID + 1];
    int rc = record_id(clock, id, sizeof(id));
    if (rc)
        return svcq__error(ctx, rc, "clock %s: its record id is too long for the store", clock->key);
    svcq__tx tx;
    rc = svcq__tx_begin(ctx, &tx);
    if (rc == SVCQ_OK)
        rc = svcq__record_remove(ctx, clock, KIND, id, &clock->revision);
    rc = svcq__tx_end(ctx, &tx, rc);
    if (rc == SVCQ_OK && clock->sched)
        svcq__sla_sched_touch(clock); /* the next scheduler save writes it again */
    return rc;
}

/* Whether a failed put concerns that clock alone: the store refused it by
 * compare-and-swap, or the clock cannot become a record. The transaction
 * is intact and the other clocks can still be written. */
static bool per_clock_failure(int rc)
{
    return rc == SVCQ_ECONFLICT || rc == SVCQ_ELIMIT;
}

int svcq_sla_scheduler_save(uint64_t *failed, svcq_sla_scheduler *scheduler)
{
    if (failed)
        *failed = 0;
    if (!scheduler)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = svcq__sla_sched_ctx(scheduler);
    if (!failed)
        return svcq__error(ctx, SVCQ_EINVAL, "scheduler save: failed is NULL (it tells which clocks were not saved)");
    svcq__sla_failures fl = { NULL, NULL, 0, 0 };
    svcq__tx tx;
    int rc = svcq__tx_begin(ctx, &tx);
    size_t iter = 0;
    svcq_sla_clock *c;
    while (rc == SVCQ_OK && (c = svcq__sla_sched_next_dirty(scheduler, &iter)) != NULL) {
        if (c->changes == c->saved && c->revision)
            continue;
        int crc = put_clock(c);
        if (crc && per_clock_failure(crc))
            crc = svcq__sla_failures_add(ctx, &fl, c, crc);
        rc = crc;
    }
    rc = svcq__tx_end(ctx, &tx, rc);
    if (rc) {
        svcq__sla_failures_free(ctx, &fl);
        return rc;
    }
    svcq__sla_sched_set_failures(scheduler, &fl);
    svcq__sla_sched_saved(scheduler);
    *failed = fl.n;
    if (fl.n) {
        const svcq_sla_clock *f0 = fl.clocks[0];
        (void)svcq__error(ctx, fl.codes[0], "scheduler save: %zu clock%s not saved, the rest saved; first: clock %s of policy %s: %s",
                    fl.n, fl.n == 1 ? "" : "s", f0->key, f0->key + f0->subject_len + 1,
                    fl.codes[0] == SVCQ_ECONFLICT ? "the stored record changed since it was loaded or saved"
                                                  : "it does not fit in a record");
    }
    return SVCQ_OK;
}

/* ---- loading ------------------------------------------------------------ */

static svcq_sla_policy *find_policy(svcq_sla_policy *const *policies, size_t n, const char *name, int64_t version)
{
    for (size_t i = 0; i < n; i++)
        if (policies[i] && strcmp(policies[i]->name, name) == 0 && (int64_t)policies[i]->version == version)
            return policies[i];
    return NULL;
}

/* Appends "; " and text to out (cap bytes), cutting when full. */
static void add_reason(char *out, size_t cap, const char *text, const char *metric, const char *verb)
{
    size_t n = strlen(out);
    if (n >= 5 && strcmp(out + n - 5, "; ...") == 0)
        return; /* full already */
    char item[320];
    snprintf(item, sizeof(item), "%s%s%s%s", n ? "; " : "", text, metric, verb);
    size_t k = strlen(item);
    if (n + k + 6 <= cap)
        memcpy(out + n, item, k + 1);
    else if (n + 6 <= cap)
        memcpy(out + n, "; ...", 6);
}

static bool hex_prefix_equal(const uint8_t digest[SVCQ__SHA256_SIZE], const char *stored, size_t len)
{
    char hex[SVCQ__SHA256_HEX + 1];
    svcq__sha256_hex(digest, hex);
    return len == SHORT_HEX && memcmp(hex, stored, SHORT_HEX) == 0;
}

/* What differs between policy p and the version a record describes by its
 * per-target digests (stored: array of [metric, timing, calendar]). */
static void describe_difference(char *out, size_t cap, const svcq_sla_policy *p, const svcq__json *stored)
{
    out[0] = '\0';
    size_t ns = svcq__json_array_size(stored);
    for (size_t i = 0; i < ns; i++) {
        const svcq__json *e = svcq__json_array_get(stored, i);
        size_t ml, sl, cl;
        const char *metric = svcq__json_as_string(svcq__json_array_get(e, 0), &ml);
        const char *spec = svcq__json_as_string(svcq__json_array_get(e, 1), &sl);
        const char *cal = svcq__json_as_string(svcq__json_array_get(e, 2), &cl);
        if (!metric || !spec || !cal)
            continue;
        int j = svcq__sla_policy_find_metric(p, metric);
        if (j < 0) {
            add_reason(out, cap, "target ", metric, " is missing");
            continue;
        }
        if (!hex_prefix_equal(p->targets[j].fp_cal, cal, cl))
            add_reason(out, cap, "calendar of target ", metric, " differs");
        if (!hex_prefix_equal(p->targets[j].fp_spec, spec, sl))
            add_reason(out, cap, "events, duration or levels of target ", metric, " differ");
    }
    for (uint32_t j = 0; j < p->ntargets; j++) {
        bool seen = false;
        for (size_t i = 0; i < ns && !seen; i++) {
            const char *metric = svcq__json_as_string(svcq__json_array_get(svcq__json_array_get(stored, i), 0), NULL);
            seen = metric && strcmp(metric, p->targets[j].metric) == 0;
        }
        if (!seen)
            add_reason(out, cap, "target ", p->targets[j].metric, " is new");
    }
    if (!out[0])
        add_reason(out, cap, ns ? "close event, change mode or target order" : "targets", "", " differ");
}

/* KEEP and CARRY re-base: what fell due up to `now` under the policy
 * given counts as delivered, so the new timing applies from the load on
 * without a burst of notices for a past the clock already told. */
static int mark_past_delivered(svcq_sla_clock *c, svcq_time now)
{
    const svcq_sla_policy *P = svcq__sla_clock_policy(c);
    for (uint32_t j = 0; j < P->ntargets; j++) {
        svcq__sla_tstate *S = svcq__sla_t_mut(c, j);
        if (!S)
            continue; /* pending, nothing delivered: nothing to mark */
        if (S->delivered_cycle != S->cycle) {
            S->delivered_cycle = S->cycle;
            S->delivered = 0;
        }
        for (;;) {
            int rc = svcq__sla_refresh_next(c, j, S);
            if (rc)
                return rc;
            if (S->delivered >= P->targets[j].nnotices || S->next_notice == SVCQ_SLA_NEVER || S->next_notice > now)
                break;
            S->delivered++;
        }
    }
    return SVCQ_OK;
}

/* Builds a clock from a decoded record of schema major `major`. */
static int decode(svcq_ctx *ctx, const char *id, uint64_t revision, const svcq__json *root, uint32_t major,
                  svcq_sla_policy *const *policies, size_t npolicies, uint32_t flags, svcq_sla_clock **out)
{
    const char *subject, *policy_name;
    const svcq__json *versions, *events, *delivered;
    int rc;
    if ((rc = svcq__json_get_string(ctx, root, "subject", true, &subject, NULL)) ||
        (rc = svcq__json_get_string(ctx, root, "policy", true, &policy_name, NULL)) ||
        (rc = svcq__json_get_array(ctx, root, "versions", true, &versions)) ||
        (rc = svcq__json_get_array(ctx, root, "events", true, &events)) ||
        (rc = svcq__json_get_array(ctx, root, "delivered", false, &delivered)))
        return rc;
    size_t nv = svcq__json_array_size(versions);
    if (nv == 0 || nv > UINT32_MAX / 2)
        return svcq__error(ctx, SVCQ_ECORRUPT, "sla_clock %s: no policy version", id);

    svcq_sla_clock *c = NULL;
    bool rebased = false;
    for (size_t i = 0; i < nv; i++) {
        const svcq__json *v = svcq__json_array_get(versions, i), *targets = NULL;
        int64_t version, from = INT64_MIN;
        const char *mode = "recompute", *fp = NULL, *vname = policy_name;
        size_t fplen = 0;
        if ((rc = svcq__json_get_string(ctx, v, "policy", false, &vname, NULL)) ||
            (rc = svcq__json_get_int(ctx, v, "version", true, &version)) ||
            (rc = svcq__json_get_int(ctx, v, "from", i > 0, &from)) ||
            (rc = svcq__json_get_string(ctx, v, "mode", false, &mode, NULL)) ||
            (rc = svcq__json_get_string(ctx, v, "fingerprint", major >= 2, &fp, &fplen)) ||
            (rc = svcq__json_get_array(ctx, v, "targets", false, &targets)))
            goto fail;
        if (fp && fplen != SVCQ__SHA256_HEX) {
            rc = svcq__error(ctx, SVCQ_ECORRUPT, "sla_clock %s: fingerprint of version %lld is damaged", id,
                             (long long)version);
            goto fail;
        }
        svcq_sla_policy *p = find_policy(policies, npolicies, vname, version);
        if (!p) {
            rc = svcq__error(ctx, SVCQ_ENOTFOUND, "sla_clock %s: policy %s v%lld was not given to the load", id,
                          vname, (long long)version);
            goto fail;
        }
        if (fp) {
            svcq__sla_fingerprint(p);
            if (strcmp(fp, p->fp_hex) != 0) {
                if (!(flags & SVCQ_SLA_LOAD_REBASE)) {
                    char why[240];
                    describe_difference(why, sizeof(why), p, targets);
                    rc = svcq__error(ctx, SVCQ_ECONFLICT,
                                     "clock %s: policy %s v%lld is not the one it was saved under (%s; "
                                     "fingerprint %.12s, saved %.12s): load with SVCQ_SLA_LOAD_REBASE to re-time it",
                                     subject, vname, (long long)version, why, p->fp_hex, fp);
                    goto fail;
                }
                rebased = true;
            }
        }
        int32_t m = strcmp(mode, "carry") == 0 ? SVCQ_SLA_CHANGE_CARRY : SVCQ_SLA_CHANGE_RECOMPUTE;
        if (i == 0) {
            if ((rc = svcq_sla_clock_new(&c, p, subject)) == SVCQ_OK && strcmp(vname, policy_name) != 0) {
                /* Found and stored under the policy it was transferred to. */
                svcq_sla_clock_free(c);
                c = NULL;
                rc = svcq__sla_clock_new_named(&c, p, subject, policy_name);
            }
            if (rc)
                goto fail;
            continue;
        }
        const svcq_sla_policy *prev = svcq__sla_clock_policy(c);
        if (from < c->versions[c->nversions - 1].from ||
            (strcmp(prev->name, p->name) == 0 && p->version <= prev->version)) {
            rc = svcq__error(ctx, SVCQ_ECORRUPT, "sla_clock %s: policy versions out of order", id);
            goto fail;
        }
        bool shared = svcq__sla_versions_shared(c);
        svcq__sla_version *grown = svcq__reallocarray(ctx, shared ? NULL : c->versions,
                                                c->nversions + 1, sizeof(*grown));
        if (!grown) {
            rc = svcq__enomem(ctx);
            goto fail;
        }
        if (shared)
            grown[0] = c->versions[0];
        c->versions = grown;
        svcq__sla_policy_retain(p);
        c->versions[c->nversions++] = (svcq__sla_version){ p, from, m };
        c->policy = p;
    }
    if (strcmp(svcq__sla_clock_policy(c)->name, policy_name) != 0) {
        rc = svcq__error(ctx, SVCQ_ECORRUPT, "sla_clock %s: its last version is of policy %s, not %s", id,
                         svcq__sla_clock_policy(c)->name, policy_name);
        goto fail;
    }

    size_t ne = svcq__json_array_size(events);
    if (ne > UINT32_MAX / 2) {
        rc = svcq__error(ctx, SVCQ_ECORRUPT, "sla_clock %s: too many events", id);
        goto fail;
    }
    if (ne) {
        c->events = svcq__reallocarray(ctx, NULL, ne, sizeof(*c->events));
        if (!c->events) {
            rc = svcq__enomem(ctx);
            goto fail;
        }
        c->events_cap = (uint32_t)ne;
    }
    for (size_t i = 0; i < ne; i++) {
        const svcq__json *e = svcq__json_array_get(events, i);
        size_t n = svcq__json_array_size(e), nlen, rlen = 0;
        int64_t at, due = SVCQ_SLA_NEVER;
        const char *name = svcq__json_as_string(svcq__json_array_get(e, 1), &nlen);
        const char *reason = n > 2 ? svcq__json_as_string(svcq__json_array_get(e, 2), &rlen) : "";
        if (n < 2 || n > (major >= 3 ? 4u : 3u) || !svcq__json_as_int(svcq__json_array_get(e, 0), &at) || !name ||
            !reason || nlen == 0 || strlen(name) != nlen || strlen(reason) != rlen || at == INT64_MIN ||
            at == SVCQ_SLA_NEVER || (i > 0 && at < c->events[i - 1].at) ||
            (n > 3 && (!svcq__json_as_int(svcq__json_array_get(e, 3), &due) || due < at || due == SVCQ_SLA_NEVER))) {
            rc = svcq__error(ctx, SVCQ_ECORRUPT, "sla_clock %s: event %zu is damaged", id, i);
            goto fail;
        }
        svcq__sla_event ev = { at, 0, 0 };
        if ((rc = svcq__intern(ctx, name, nlen, &ev.name)) || (rc = svcq__sla_clock_reason_add(c, reason, rlen, &ev.reason))) {
            rc = svcq__enomem(ctx);
            goto fail;
        }
        if (due != SVCQ_SLA_NEVER && !svcq__sla_dues(c)) {
            /* The dues table, with room for the whole log. */
            if (!c->x && !(c->x = svcq__calloc(ctx, 1, sizeof(*c->x)))) {
                rc = svcq__enomem(ctx);
                goto fail;
            }
            if (!(c->x->dues = svcq__reallocarray(ctx, NULL, c->events_cap, sizeof(*c->x->dues)))) {
                rc = svcq__enomem(ctx);
                goto fail;
            }
            c->x->dues_cap = c->events_cap;
            for (uint32_t k = 0; k < c->nevents; k++)
                c->x->dues[k] = SVCQ_SLA_NEVER;
        }
        if (svcq__sla_dues(c))
            c->x->dues[c->nevents] = due;
        c->events[c->nevents++] = ev;
    }

    svcq__sla_fold f;
    if ((rc = svcq__sla_fold_all(ctx, c->versions, c->nversions, c->events, svcq__sla_dues(c), c->nevents, &f)))
        goto fail;
    const svcq_sla_policy *P = svcq__sla_clock_policy(c);
    for (size_t i = 0; i < svcq__json_array_size(delivered); i++) {
        const svcq__json *d = svcq__json_array_get(delivered, i);
        const char *metric;
        int64_t cycle, count;
        if ((rc = svcq__json_get_string(ctx, d, "metric", true, &metric, NULL)) ||
            (rc = svcq__json_get_int(ctx, d, "cycle", true, &cycle)) ||
            (rc = svcq__json_get_int(ctx, d, "count", true, &count))) {
            svcq__sla_fold_free(ctx, &f);
            goto fail;
        }
        int j = svcq__sla_policy_find_metric(P, metric);
        if (j >= 0 && cycle >= 0 && cycle <= UINT32_MAX && count >= 0 && count <= SVCQ__SLA_MAX_NOTICES) {
            f.t[j].delivered_cycle = (uint32_t)cycle;
            f.t[j].delivered = (uint16_t)count;
        }
    }
    if ((rc = svcq__sla_clock_adopt(c, &f)))
        goto fail;
    c->revision = revision;
    if (rebased) {
        /* The record no longer says what the clock runs under: the next
         * save writes the new fingerprints. */
        c->changes++;
        if (P->change_mode != SVCQ_SLA_CHANGE_RECOMPUTE && (rc = mark_past_delivered(c, svcq_ctx_now(ctx))))
            goto fail;
    }
    *out = c;
    return SVCQ_OK;
fail:
    if (c)
        svcq__sla_clock_destroy(c);
    return rc;
}

/* The policies must all come from ctx: a clock made on a foreign policy
 * would allocate through and outlive another context. */
static int check_policies(svcq_ctx *ctx, const char *what, svcq_sla_policy *const *policies, size_t n, uint32_t flags)
{
    if (flags & ~(uint32_t)SVCQ_SLA_LOAD_REBASE)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: unknown flags 0x%x", what, flags & ~(uint32_t)SVCQ_SLA_LOAD_REBASE);
    for (size_t i = 0; i < n; i++)
        if (policies[i] && policies[i]->ctx != ctx)
            return svcq__error(ctx, SVCQ_EINVAL, "%s: policy %s v%u (policies[%zu]) belongs to another context", what,
                               policies[i]->name, policies[i]->version, i);
    return SVCQ_OK;
}

int svcq_sla_clock_load(svcq_sla_clock **out, svcq_sla_policy *const *policies, size_t npolicies,
                        const char *policy_name, const char *subject, uint32_t flags)
{
    if (out)
        *out = NULL;
    if (!policies || npolicies == 0 || !policies[0])
        return SVCQ_EINVAL; /* no context to report on */
    svcq_ctx *ctx = policies[0]->ctx;
    if (!out || !policy_name || !subject)
        return svcq__error(ctx, SVCQ_EINVAL, "clock load: %s is NULL",
                           !out ? "out" : !policy_name ? "policy_name" : "subject");
    int rc = check_policies(ctx, "clock load", policies, npolicies, flags);
    if (rc)
        return rc;
    char id[SVCQ_STORE_MAX_ID + 16];
    int n = snprintf(id, sizeof(id), "%zu:%s/%s", strlen(policy_name), policy_name, subject);
    if (n < 0 || (size_t)n >= SVCQ_STORE_MAX_ID)
        return svcq__error(ctx, SVCQ_EINVAL, "clock load: policy name %.40s and subject %.40s too long for a store id",
                           policy_name, subject);
    svcq__json_doc *doc;
    uint32_t major;
    uint64_t revision;
    rc = svcq__record_load(ctx, KIND, id, MAJOR, &doc, &major, &revision);
    if (rc == SVCQ_ENOTFOUND)
        return svcq__error(ctx, rc, "clock %s of policy %s: no stored record", subject, policy_name);
    if (rc)
        return rc;
    rc = decode(ctx, id, revision, svcq__json_root(doc), major, policies, npolicies, flags, out);
    svcq__json_doc_free(doc);
    return rc;
}

typedef struct load_state {
    svcq_sla_policy *const *policies;
    size_t npolicies;
    uint32_t flags;
    svcq_sla_clock **clocks;
    size_t n, cap;
} load_state;

static int load_one(svcq_ctx *ctx, const char *id, uint64_t revision, const svcq__json *root, uint32_t major,
                    void *user_data)
{
    load_state *ls = user_data;
    if (ls->n == ls->cap) {
        size_t cap = ls->cap ? ls->cap * 2 : 64;
        svcq_sla_clock **grown = svcq__reallocarray(ctx, ls->clocks, cap, sizeof(*grown));
        if (!grown)
            return svcq__enomem(ctx);
        ls->clocks = grown;
        ls->cap = cap;
    }
    svcq_sla_clock *c;
    int rc = decode(ctx, id, revision, root, major, ls->policies, ls->npolicies, ls->flags, &c);
    if (rc)
        return rc;
    ls->clocks[ls->n++] = c;
    return SVCQ_OK;
}

/* The terms of a stored clock, from its members (for a store without
 * terms). A record written before terms existed has neither member: it
 * counts as live, due at once, and its decoded state decides. */
static int clock_terms(svcq_ctx *ctx, const char *id, const svcq__json *root, uint32_t major, svcq_store_term *terms,
                       size_t *n, void *data)
{
    (void)ctx;
    (void)id;
    (void)major;
    (void)data;
    const char *state = svcq__json_as_string(svcq__json_get(root, "state"), NULL);
    int64_t next = INT64_MIN;
    if (state && strcmp(state, "live") != 0) {
        terms[0] = (svcq_store_term){ SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_STRING, "state", state, 0, { 0 } };
        *n = 1;
        return SVCQ_OK;
    }
    if (state && !svcq__json_as_int(svcq__json_get(root, "next_notice"), &next))
        next = INT64_MIN;
    terms[0] = (svcq_store_term){ SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_STRING, "state", "live", 0, { 0 } };
    terms[1] = (svcq_store_term){ SVCQ_STORE_TERM_VERSION, SVCQ_STORE_TERM_INT64, "next_notice", NULL, next, { 0 } };
    *n = 2;
    return SVCQ_OK;
}

/* Adds the decoded clock when it is live; a record without terms (written
 * before them) counts as changed, so the next save gives it its terms. */
static int load_live(svcq_ctx *ctx, const char *id, uint64_t revision, const svcq__json *root, uint32_t major,
                     void *user_data)
{
    load_state *ls = user_data;
    size_t before = ls->n;
    int rc = load_one(ctx, id, revision, root, major, user_data);
    if (rc || ls->n == before)
        return rc;
    svcq_sla_clock *c = ls->clocks[ls->n - 1];
    bool live;
    svcq_time next;
    rc = clock_liveness(c, &live, &next);
    if (rc || !live) {
        ls->n--;
        svcq__sla_clock_destroy(c);
        return rc;
    }
    if (!svcq__json_get(root, "state"))
        c->changes++;
    return SVCQ_OK;
}

static int load_term(svcq_ctx *ctx, const char *id, uint64_t revision, const svcq__json *root, uint32_t major,
                     const svcq_store_term *term, void *user_data)
{
    (void)term;
    return load_live(ctx, id, revision, root, major, user_data);
}

int svcq_sla_scheduler_load(svcq_sla_scheduler *scheduler, svcq_sla_policy *const *policies, size_t npolicies,
                            uint32_t flags)
{
    if (!scheduler)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = svcq__sla_sched_ctx(scheduler);
    if (!policies && npolicies)
        return svcq__error(ctx, SVCQ_EINVAL, "scheduler load: policies is NULL with npolicies %zu", npolicies);
    int rc = check_policies(ctx, "scheduler load", policies, npolicies, flags & ~(uint32_t)SVCQ_SLA_LOAD_FULL_SCAN);
    if (rc)
        return rc;
    load_state ls = { policies, npolicies, flags & ~(uint32_t)SVCQ_SLA_LOAD_FULL_SCAN, NULL, 0, 0 };
    if (flags & SVCQ_SLA_LOAD_FULL_SCAN) {
        rc = svcq__record_scan(ctx, KIND, MAJOR, load_live, &ls);
    } else {
        /* Only the live clocks, by their next notice (those without one
         * last): the store's index, or the one fallback for a store
         * without terms. */
        svcq__term_query q = { "next_notice", SVCQ_STORE_TERM_INT64, NULL, NULL, NULL, NULL, 0 };
        rc = svcq__record_scan_term(ctx, KIND, MAJOR, &q, clock_terms, NULL, load_term, &ls);
    }
    if (rc == SVCQ_OK)
        rc = svcq__sla_sched_add_all(scheduler, ls.clocks, ls.n);
    if (rc) {
        for (size_t i = 0; i < ls.n; i++)
            svcq__sla_clock_destroy(ls.clocks[i]);
    }
    svcq__free(ctx, ls.clocks);
    return rc;
}
