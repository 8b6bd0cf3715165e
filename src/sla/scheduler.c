/* The scheduler: clocks in a min-heap keyed by their next undelivered
 * notice, delivered in time order. */
#include <stdlib.h>
#include <string.h>

#include "core/heap.h"
#include "core/map.h"
#include "sla/sla_internal.h"

#define NEVER SVCQ_SLA_NEVER

struct svcq_sla_scheduler {
    svcq_ctx *ctx;
    svcq_sla_notify_fn notify;
    void *user_data;
    sq_heap heap; /* clocks with a notice to come */
    sq_map clocks; /* key (subject '\0' policy name) -> clock */
    svcq_sla_clock **batch; /* clocks due at one instant, while advancing */
    size_t batch_cap;
};

int svcq_sla_notice_init(svcq_sla_notice *notice, uint32_t version)
{
    if (!notice)
        return SVCQ_EINVAL;
    if (version == 0 || version > SVCQ_SLA_NOTICE_VERSION)
        return SVCQ_EVERSION;
    memset(notice, 0, sizeof(*notice));
    notice->version = version;
    return SVCQ_OK;
}

static size_t key_len(const svcq_sla_clock *c)
{
    return c->subject_len + 1 + strlen(c->key + c->subject_len + 1);
}

/* Equal instants: by subject, then policy name. */
static int by_subject(const void *a, const void *b)
{
    const svcq_sla_clock *x = *(svcq_sla_clock *const *)a, *y = *(svcq_sla_clock *const *)b;
    int d = strcmp(x->key, y->key);
    if (d)
        return d;
    return strcmp(x->key + x->subject_len + 1, y->key + y->subject_len + 1);
}

static void set_index(void *item, size_t index)
{
    ((svcq_sla_clock *)item)->heap_index = index;
}

int svcq_sla_scheduler_new(svcq_sla_scheduler **out, svcq_ctx *ctx, svcq_sla_notify_fn notify, void *user_data)
{
    if (!out || !ctx || !notify)
        return SVCQ_EINVAL;
    *out = NULL;
    svcq_sla_scheduler *s = sq_calloc(ctx, 1, sizeof(*s));
    if (!s)
        return sq_enomem(ctx);
    s->ctx = ctx;
    s->notify = notify;
    s->user_data = user_data;
    sq_heap_init(&s->heap, ctx, NULL, set_index);
    sq_map_init(&s->clocks, ctx);
    *out = s;
    return SVCQ_OK;
}

void svcq_sla_scheduler_free(svcq_sla_scheduler *scheduler)
{
    if (!scheduler)
        return;
    size_t iter = 0;
    void *value;
    while (sq_map_next(&scheduler->clocks, &iter, NULL, NULL, &value))
        sq_sla_clock_destroy(value);
    sq_map_free(&scheduler->clocks);
    sq_heap_free(&scheduler->heap);
    sq_free(scheduler->ctx, scheduler->batch);
    sq_free(scheduler->ctx, scheduler);
}

static svcq_time clock_key(const svcq_sla_clock *c)
{
    const svcq_sla_policy *P = sq_sla_clock_policy(c);
    svcq_time best = NEVER;
    for (uint32_t j = 0; j < P->ntargets; j++)
        if (c->t[j].next_notice < best)
            best = c->t[j].next_notice;
    return best;
}

void sq_sla_sched_rekey(svcq_sla_clock *c)
{
    svcq_sla_scheduler *s = c->sched;
    svcq_time key = clock_key(c);
    c->next_notice = key;
    if (c->heap_index != SQ_HEAP_NONE) {
        if (key == NEVER)
            sq_heap_remove(&s->heap, c->heap_index);
        else
            sq_heap_update(&s->heap, c->heap_index, key);
    } else if (key != NEVER) {
        /* Room for every clock was reserved when it was added. */
        int rc = sq_heap_push(&s->heap, key, c);
        (void)rc;
    }
}

void sq_sla_sched_detach(svcq_sla_clock *c)
{
    svcq_sla_scheduler *s = c->sched;
    if (c->heap_index != SQ_HEAP_NONE)
        sq_heap_remove(&s->heap, c->heap_index);
    sq_map_remove(&s->clocks, c->key, key_len(c));
    c->sched = NULL;
}

int svcq_sla_scheduler_add(svcq_sla_scheduler *scheduler, svcq_sla_clock *clock)
{
    if (!scheduler || !clock)
        return SVCQ_EINVAL;
    svcq_sla_scheduler *s = scheduler;
    svcq_ctx *ctx = s->ctx;
    if (clock->ctx != ctx)
        return sq_error(ctx, SVCQ_EINVAL, "clock belongs to another context");
    if (clock->sched)
        return sq_error(ctx, SVCQ_EEXIST, "clock %s already belongs to a scheduler", clock->key);
    size_t klen = key_len(clock);
    if (sq_map_get(&s->clocks, clock->key, klen))
        return sq_error(ctx, SVCQ_EEXIST, "the scheduler has a clock for %s on policy %s already", clock->key,
                        clock->key + clock->subject_len + 1);

    const svcq_sla_policy *P = sq_sla_clock_policy(clock);
    sq_sla_tstate *t = sq_malloc(ctx, P->ntargets * sizeof(*t));
    if (!t)
        return sq_enomem(ctx);
    memcpy(t, clock->t, P->ntargets * sizeof(*t));
    int rc = SVCQ_OK;
    for (uint32_t j = 0; j < P->ntargets && rc == SVCQ_OK; j++)
        rc = sq_sla_refresh_next(clock, j, &t[j]);
    if (rc == SVCQ_OK && (rc = sq_heap_reserve(&s->heap, s->clocks.count + 1)) != SVCQ_OK)
        rc = sq_enomem(ctx);
    if (rc == SVCQ_OK && (rc = sq_map_put(&s->clocks, clock->key, klen, clock, NULL)) != SVCQ_OK)
        rc = sq_enomem(ctx);
    if (rc) {
        sq_free(ctx, t);
        return rc;
    }
    sq_free(ctx, clock->t);
    clock->t = t;
    clock->sched = s;
    clock->heap_index = SQ_HEAP_NONE;
    sq_sla_sched_rekey(clock);
    return SVCQ_OK;
}

svcq_sla_clock *svcq_sla_scheduler_find(const svcq_sla_scheduler *scheduler, const char *subject,
                                        const char *policy_name)
{
    if (!scheduler || !subject || !policy_name)
        return NULL;
    size_t a = strlen(subject), b = strlen(policy_name);
    char key[2 * (SQ_SLA_NAME_MAX + 1)];
    if (a > SQ_SLA_NAME_MAX || b > SQ_SLA_NAME_MAX)
        return NULL;
    memcpy(key, subject, a + 1);
    memcpy(key + a + 1, policy_name, b);
    return sq_map_get(&scheduler->clocks, key, a + 1 + b);
}

uint64_t svcq_sla_scheduler_count(const svcq_sla_scheduler *scheduler)
{
    return scheduler ? scheduler->clocks.count : 0;
}

int svcq_sla_scheduler_next_at(svcq_time *out, const svcq_sla_scheduler *scheduler)
{
    if (!out || !scheduler)
        return SVCQ_EINVAL;
    const sq_heap_entry *top = sq_heap_peek(&scheduler->heap);
    *out = top ? top->key : NEVER;
    return SVCQ_OK;
}

/* Delivers the notices of clock c that fall due at instant `at`, in target
 * order, then re-keys the clock. */
static int deliver_clock(svcq_sla_scheduler *s, svcq_sla_clock *c, svcq_time at, uint64_t *count)
{
    const svcq_sla_policy *P = sq_sla_clock_policy(c);
    for (uint32_t j = 0; j < P->ntargets; j++) {
        while (c->t[j].next_notice == at) {
            const sq_sla_target *T = &P->targets[j];
            sq_sla_tstate S = c->t[j];
            if (S.delivered_cycle != S.cycle) {
                S.delivered_cycle = S.cycle;
                S.delivered = 0;
            }
            uint32_t k = S.delivered;
            svcq_sla_notice n = {
                .version = SVCQ_SLA_NOTICE_VERSION,
                .kind = T->notice_kind[k],
                .at = at,
                .subject = c->key,
                .policy = P->name,
                .metric = T->metric,
                .target = j,
                .level = T->notice_level[k],
                .cycle = S.cycle,
                .clock = c,
            };
            S.delivered++;
            int rc = sq_sla_refresh_next(c, j, &S);
            if (rc)
                return rc;
            int answer = s->notify(&n, s->user_data);
            if (answer) {
                rc = answer < 0 && answer >= SQ_ERROR_MIN ? answer : SVCQ_EABORTED;
                return sq_error(s->ctx, rc, "the notice callback stopped the advance");
            }
            c->t[j] = S;
            (*count)++;
        }
    }
    return SVCQ_OK;
}

int svcq_sla_scheduler_advance(svcq_sla_scheduler *scheduler, svcq_time now, uint64_t *delivered)
{
    if (delivered)
        *delivered = 0;
    if (!scheduler)
        return SVCQ_EINVAL;
    svcq_sla_scheduler *s = scheduler;
    uint64_t count = 0;
    int rc = SVCQ_OK;
    const sq_heap_entry *top;
    while (rc == SVCQ_OK && (top = sq_heap_peek(&s->heap)) != NULL && top->key <= now) {
        svcq_time at = top->key;
        svcq_sla_clock *c = top->item;
        /* Several clocks due at the same instant go by subject and policy
         * name; the heap orders by time only, so ties cost no string
         * comparisons on the way. */
        uint32_t ties = 0;
        for (size_t child = 1; child <= 2 && child < s->heap.len; child++)
            ties += s->heap.entries[child].key == at;
        if (ties == 0) {
            rc = deliver_clock(s, c, at, &count);
            sq_sla_sched_rekey(c);
            continue;
        }
        /* Take every clock due at `at` out, order them, deliver, put back. */
        size_t n = 0;
        sq_heap_entry e;
        while ((top = sq_heap_peek(&s->heap)) != NULL && top->key == at) {
            if (n == s->batch_cap) {
                size_t cap = s->batch_cap ? s->batch_cap * 2 : 64;
                svcq_sla_clock **grown = sq_reallocarray(s->ctx, s->batch, cap, sizeof(*grown));
                if (!grown) {
                    rc = sq_enomem(s->ctx);
                    break;
                }
                s->batch = grown;
                s->batch_cap = cap;
            }
            sq_heap_pop(&s->heap, &e);
            s->batch[n++] = e.item;
        }
        qsort(s->batch, n, sizeof(*s->batch), by_subject);
        for (size_t i = 0; i < n; i++) {
            if (rc == SVCQ_OK)
                rc = deliver_clock(s, s->batch[i], at, &count);
            /* Room was reserved for every clock: re-keying cannot fail. */
            sq_sla_sched_rekey(s->batch[i]);
        }
    }
    if (delivered)
        *delivered = count;
    return rc;
}
