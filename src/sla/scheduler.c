/* The scheduler: clocks queued by the instant of their next undelivered
 * notice in a hashed timing wheel.
 *
 * A binary heap over a million clocks costs a cache miss at nearly every
 * level of every sift, and each move writes the moved clock's index (one
 * more miss). The wheel touches only the clock being queued: slot s holds
 * the clocks whose next notice falls in [64 s, 64 s + 64) as an intrusive
 * doubly-linked list; 65,536 slots span about 48 days, and later notices
 * wait on an overflow list that is folded in as time comes near. Advancing
 * moves the due clocks of one slot into a small heap (the "ready" heap)
 * that orders them by instant and, for equal instants, by subject and
 * policy name, so that notices still come out in exact time order. */
#include <stdlib.h>
#include <string.h>

#include "calendar/civil.h"
#include "core/map.h"
#include "sla/sla_internal.h"

#define NEVER SVCQ_SLA_NEVER
#define WHEEL_SHIFT 6
#define WHEEL_SIZE 65536
#define WHEEL_MASK (WHEEL_SIZE - 1)
#define WORDS (WHEEL_SIZE / 64)

struct svcq_sla_scheduler {
    svcq_ctx *ctx;
    svcq_sla_notify_fn notify;
    void *user_data;
    svcq__map clocks; /* key (subject '\0' policy name) -> clock */
    svcq_sla_clock **wheel; /* WHEEL_SIZE list heads */
    uint32_t *count;        /* clocks per slot */
    uint64_t used[WORDS];   /* bit per non-empty slot */
    int64_t cursor;         /* every queued clock's slot is >= cursor */
    svcq_sla_clock *overflow;
    int64_t overflow_min;   /* smallest slot on the overflow list */
    /* Clocks due in the slot being advanced, as a binary heap ordered by
     * instant, then subject prefix (inline, so ties rarely touch a clock),
     * then the full subject and policy name. */
    struct ready *ready;
    size_t nready, ready_cap;
    svcq__sla_failures failures; /* clocks the last save could not write */
};

typedef struct ready {
    svcq_time at;
    uint64_t p0, p1; /* the key's first 16 bytes, big-endian */
    svcq_sla_clock *clock;
} ready;

int svcq_sla_notice_init(svcq_sla_notice *notice, uint32_t version)
{
    return svcq__table_init(notice, sizeof(*notice), version, SVCQ_SLA_NOTICE_VERSION);
}

static size_t key_len(const svcq_sla_clock *c)
{
    return c->subject_len + 1 + strlen(c->key + c->subject_len + 1);
}

/* Equal instants: by subject, then policy name. */
static int by_subject(const void *a, const void *b)
{
    const svcq_sla_clock *x = a, *y = b;
    int d = strcmp(x->key, y->key);
    if (d)
        return d;
    return strcmp(x->key + x->subject_len + 1, y->key + y->subject_len + 1);
}

static uint64_t be64(const char *s, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 8; i++)
        v = (v << 8) | (i < n ? (unsigned char)s[i] : 0);
    return v;
}

static ready make_ready(svcq_sla_clock *c, svcq_time at)
{
    /* The prefix covers the subject and its NUL when short, so prefix
     * order is key order. */
    size_t n = c->subject_len + 1;
    return (ready){ at, be64(c->key, n), n > 8 ? be64(c->key + 8, n - 8) : 0, c };
}

static inline bool ready_less(const ready *a, const ready *b)
{
    if (a->at != b->at)
        return a->at < b->at;
    if (a->p0 != b->p0)
        return a->p0 < b->p0;
    if (a->p1 != b->p1)
        return a->p1 < b->p1;
    return by_subject(a->clock, b->clock) < 0;
}

/* Room must have been reserved. */
static void ready_push(svcq_sla_scheduler *s, ready x)
{
    size_t i = s->nready++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!ready_less(&x, &s->ready[parent]))
            break;
        s->ready[i] = s->ready[parent];
        i = parent;
    }
    s->ready[i] = x;
    x.clock->wslot = SVCQ__SLOT_READY;
}

static bool ready_pop(svcq_sla_scheduler *s, ready *out)
{
    if (!s->nready)
        return false;
    *out = s->ready[0];
    ready x = s->ready[--s->nready];
    size_t i = 0, n = s->nready;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= n)
            break;
        if (child + 1 < n && ready_less(&s->ready[child + 1], &s->ready[child]))
            child++;
        if (!ready_less(&s->ready[child], &x))
            break;
        s->ready[i] = s->ready[child];
        i = child;
    }
    if (n)
        s->ready[i] = x;
    out->clock->wslot = SVCQ__SLOT_NONE;
    return true;
}

static inline int64_t slot_of(svcq_time t)
{
    return svcq__floor_div(t, (int64_t)1 << WHEEL_SHIFT);
}

static svcq_sla_clock **head_of(svcq_sla_scheduler *s, const svcq_sla_clock *c)
{
    return c->wslot == SVCQ__SLOT_OVERFLOW ? &s->overflow : &s->wheel[c->wslot & WHEEL_MASK];
}

static void unlink_clock(svcq_sla_scheduler *s, svcq_sla_clock *c)
{
    if (c->wslot == SVCQ__SLOT_NONE || c->wslot == SVCQ__SLOT_READY)
        return;
    svcq_sla_clock **head = head_of(s, c);
    if (c->wprev)
        c->wprev->wnext = c->wnext;
    else
        *head = c->wnext;
    if (c->wnext)
        c->wnext->wprev = c->wprev;
    if (c->wslot != SVCQ__SLOT_OVERFLOW)
        s->count[c->wslot & WHEEL_MASK]--;
    if (!*head && c->wslot != SVCQ__SLOT_OVERFLOW) {
        size_t b = (size_t)(c->wslot & WHEEL_MASK);
        s->used[b / 64] &= ~((uint64_t)1 << (b % 64));
    }
    c->wprev = c->wnext = NULL;
    c->wslot = SVCQ__SLOT_NONE;
}

static void link_clock(svcq_sla_scheduler *s, svcq_sla_clock *c, svcq_time key)
{
    int64_t slot = slot_of(key);
    if (slot < s->cursor)
        slot = s->cursor;
    svcq_sla_clock **head;
    if (slot - s->cursor >= WHEEL_SIZE) {
        c->wslot = SVCQ__SLOT_OVERFLOW;
        head = &s->overflow;
        if (slot < s->overflow_min)
            s->overflow_min = slot;
    } else {
        c->wslot = slot;
        size_t b = (size_t)(slot & WHEEL_MASK);
        head = &s->wheel[b];
        s->count[b]++;
        s->used[b / 64] |= (uint64_t)1 << (b % 64);
    }
    c->wprev = NULL;
    c->wnext = *head;
    if (*head)
        (*head)->wprev = c;
    *head = c;
}

/* Brings overflow clocks that came within the wheel's span into it. */
static void fold_overflow(svcq_sla_scheduler *s)
{
    if (!s->overflow || s->overflow_min - s->cursor >= WHEEL_SIZE)
        return;
    svcq_sla_clock *c = s->overflow;
    s->overflow = NULL;
    s->overflow_min = INT64_MAX;
    while (c) {
        svcq_sla_clock *next = c->wnext;
        c->wslot = SVCQ__SLOT_NONE;
        link_clock(s, c, c->next_notice);
        c = next;
    }
}

static svcq_time clock_key(const svcq_sla_clock *c)
{
    if (!c->t)
        return NEVER;
    const svcq_sla_policy *P = svcq__sla_clock_policy(c);
    svcq_time best = NEVER;
    for (uint32_t j = 0; j < P->ntargets; j++)
        if (c->t[j].next_notice < best)
            best = c->t[j].next_notice;
    return best;
}

void svcq__sla_sched_rekey(svcq_sla_clock *c)
{
    svcq_sla_scheduler *s = c->sched;
    svcq_time key = clock_key(c);
    if (key == c->next_notice && c->wslot != SVCQ__SLOT_NONE)
        return;
    c->next_notice = key;
    if (c->wslot == SVCQ__SLOT_READY)
        return; /* the advance in progress places it afterwards */
    int64_t slot = key == NEVER ? SVCQ__SLOT_NONE : slot_of(key);
    if (slot != SVCQ__SLOT_NONE && slot == c->wslot && slot >= s->cursor)
        return;
    unlink_clock(s, c);
    if (key != NEVER)
        link_clock(s, c, key);
}

int svcq__sla_failures_add(svcq_ctx *ctx, svcq__sla_failures *f, svcq_sla_clock *c, int32_t code)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 8;
        svcq_sla_clock **clocks = svcq__reallocarray(ctx, f->clocks, cap, sizeof(*clocks));
        if (!clocks)
            return svcq__enomem(ctx);
        f->clocks = clocks;
        int32_t *codes = svcq__reallocarray(ctx, f->codes, cap, sizeof(*codes));
        if (!codes)
            return svcq__enomem(ctx);
        f->codes = codes;
        f->cap = cap;
    }
    f->clocks[f->n] = c;
    f->codes[f->n++] = code;
    return SVCQ_OK;
}

void svcq__sla_failures_free(svcq_ctx *ctx, svcq__sla_failures *f)
{
    svcq__free(ctx, f->clocks);
    svcq__free(ctx, f->codes);
    *f = (svcq__sla_failures){ NULL, NULL, 0, 0 };
}

void svcq__sla_sched_set_failures(svcq_sla_scheduler *s, svcq__sla_failures *f)
{
    svcq__sla_failures_free(s->ctx, &s->failures);
    s->failures = *f;
}

int svcq_sla_scheduler_failed(svcq_sla_clock **clock, int32_t *code, const svcq_sla_scheduler *scheduler,
                              uint64_t index)
{
    if (clock)
        *clock = NULL;
    if (code)
        *code = SVCQ_OK;
    if (!scheduler)
        return SVCQ_EINVAL;
    if (index >= scheduler->failures.n)
        return svcq__error(scheduler->ctx, SVCQ_ENOTFOUND,
                           "scheduler: failure %llu of the last save does not exist (it had %zu)",
                           (unsigned long long)index, scheduler->failures.n);
    if (clock)
        *clock = scheduler->failures.clocks[index];
    if (code)
        *code = scheduler->failures.codes[index];
    return SVCQ_OK;
}

void svcq__sla_sched_detach(svcq_sla_clock *c)
{
    svcq_sla_scheduler *s = c->sched;
    /* A clock freed by the host leaves the list of the last save. */
    svcq__sla_failures *f = &s->failures;
    for (size_t i = 0; i < f->n;) {
        if (f->clocks[i] == c) {
            memmove(f->clocks + i, f->clocks + i + 1, (f->n - i - 1) * sizeof(*f->clocks));
            memmove(f->codes + i, f->codes + i + 1, (f->n - i - 1) * sizeof(*f->codes));
            f->n--;
        } else {
            i++;
        }
    }
    unlink_clock(s, c);
    svcq__map_remove(&s->clocks, c->key, key_len(c));
    c->sched = NULL;
}

int svcq_sla_scheduler_new(svcq_sla_scheduler **out, svcq_ctx *ctx, svcq_sla_notify_fn notify, void *user_data)
{
    if (out)
        *out = NULL;
    if (!ctx)
        return SVCQ_EINVAL;
    if (!out || !notify)
        return svcq__error(ctx, SVCQ_EINVAL, "scheduler: %s is NULL", !out ? "out" : "the notify callback");
    svcq_sla_scheduler *s = svcq__calloc(ctx, 1, sizeof(*s));
    svcq_sla_clock **wheel = svcq__calloc(ctx, WHEEL_SIZE, sizeof(*wheel));
    uint32_t *count = svcq__calloc(ctx, WHEEL_SIZE, sizeof(*count));
    if (!s || !wheel || !count) {
        svcq__free(ctx, s);
        svcq__free(ctx, wheel);
        svcq__free(ctx, count);
        return svcq__enomem(ctx);
    }
    s->count = count;
    s->ctx = ctx;
    s->notify = notify;
    s->user_data = user_data;
    s->wheel = wheel;
    s->cursor = INT64_MIN / 2; /* set by the first clock queued or advance */
    s->overflow_min = INT64_MAX;
    svcq__map_init(&s->clocks, ctx);
    *out = s;
    return SVCQ_OK;
}

void svcq_sla_scheduler_free(svcq_sla_scheduler *scheduler)
{
    if (!scheduler)
        return;
    size_t iter = 0;
    void *value;
    while (svcq__map_next(&scheduler->clocks, &iter, NULL, NULL, &value))
        svcq__sla_clock_destroy(value);
    svcq__map_free(&scheduler->clocks);
    svcq__sla_failures_free(scheduler->ctx, &scheduler->failures);
    svcq__free(scheduler->ctx, scheduler->ready);
    svcq__free(scheduler->ctx, scheduler->wheel);
    svcq__free(scheduler->ctx, scheduler->count);
    svcq__free(scheduler->ctx, scheduler);
}

int svcq_sla_scheduler_add(svcq_sla_scheduler *scheduler, svcq_sla_clock *clock)
{
    if (!scheduler)
        return SVCQ_EINVAL;
    svcq_sla_scheduler *s = scheduler;
    svcq_ctx *ctx = s->ctx;
    if (!clock)
        return svcq__error(ctx, SVCQ_EINVAL, "scheduler add: clock is NULL");
    /* Nothing of a foreign clock is read beyond this pointer comparison:
     * its context may be gone. */
    if (clock->ctx != ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "scheduler add: the clock belongs to another context");
    if (clock->sched)
        return svcq__error(ctx, SVCQ_EEXIST, "clock %s already belongs to a scheduler", clock->key);
    size_t klen = key_len(clock);
    if (svcq__map_get(&s->clocks, clock->key, klen))
        return svcq__error(ctx, SVCQ_EEXIST, "the scheduler has a clock for %s on policy %s already", clock->key,
                        clock->key + clock->subject_len + 1);

    const svcq_sla_policy *P = svcq__sla_clock_policy(clock);
    svcq__sla_tstate *t = NULL;
    int rc = SVCQ_OK;
    if (clock->t) {
        t = svcq__malloc(ctx, P->ntargets * sizeof(*t));
        if (!t)
            return svcq__enomem(ctx);
        memcpy(t, clock->t, P->ntargets * sizeof(*t));
        for (uint32_t j = 0; j < P->ntargets && rc == SVCQ_OK; j++)
            rc = svcq__sla_refresh_next(clock, j, &t[j]);
    }
    if (rc == SVCQ_OK && (rc = svcq__map_put(&s->clocks, clock->key, klen, clock, NULL)) != SVCQ_OK)
        rc = svcq__enomem(ctx);
    if (rc) {
        svcq__free(ctx, t);
        return rc;
    }
    if (t) {
        svcq__free(ctx, clock->t);
        clock->t = t;
    }
    clock->sched = s;
    clock->wslot = SVCQ__SLOT_NONE;
    clock->next_notice = NEVER;
    if (s->clocks.count == 1 && s->cursor == INT64_MIN / 2 && !s->overflow) {
        svcq_time key = clock_key(clock);
        if (key != NEVER)
            s->cursor = slot_of(key);
    }
    svcq__sla_sched_rekey(clock);
    return SVCQ_OK;
}

svcq_ctx *svcq__sla_sched_ctx(const svcq_sla_scheduler *s)
{
    return s->ctx;
}

svcq_sla_clock *svcq__sla_sched_next_clock(const svcq_sla_scheduler *s, size_t *iter)
{
    void *value;
    return svcq__map_next(&s->clocks, iter, NULL, NULL, &value) ? value : NULL;
}

int svcq__sla_sched_add_all(svcq_sla_scheduler *s, svcq_sla_clock **clocks, size_t n)
{
    svcq_ctx *ctx = s->ctx;
    for (size_t i = 0; i < n; i++) {
        svcq_sla_clock *c = clocks[i];
        if (svcq__map_get(&s->clocks, c->key, key_len(c)))
            return svcq__error(ctx, SVCQ_EEXIST, "the scheduler has a clock for %s on policy %s already", c->key,
                            c->key + c->subject_len + 1);
        /* Next notices first: the only step that can fail besides memory. */
        const svcq_sla_policy *P = svcq__sla_clock_policy(c);
        for (uint32_t j = 0; c->t && j < P->ntargets; j++) {
            int rc = svcq__sla_refresh_next(c, j, &c->t[j]);
            if (rc)
                return rc;
        }
    }
    if (svcq__map_reserve(&s->clocks, s->clocks.count + n))
        return svcq__enomem(ctx);
    for (size_t i = 0; i < n; i++) {
        svcq_sla_clock *c = clocks[i];
        void *old = NULL;
        /* Cannot fail after the reservation; a key twice in the list is
         * caught here. */
        (void)svcq__map_put(&s->clocks, c->key, key_len(c), c, &old);
        if (old) {
            for (size_t k = 0; k <= i; k++)
                svcq__map_remove(&s->clocks, clocks[k]->key, key_len(clocks[k]));
            return svcq__error(ctx, SVCQ_EEXIST, "two records hold the clock of %s on policy %s", c->key,
                            c->key + c->subject_len + 1);
        }
    }
    for (size_t i = 0; i < n; i++) {
        clocks[i]->sched = s;
        clocks[i]->wslot = SVCQ__SLOT_NONE;
        clocks[i]->next_notice = NEVER;
        svcq__sla_sched_rekey(clocks[i]);
    }
    return SVCQ_OK;
}

svcq_sla_clock *svcq_sla_scheduler_find(const svcq_sla_scheduler *scheduler, const char *subject,
                                        const char *policy_name)
{
    if (!scheduler || !subject || !policy_name)
        return NULL;
    size_t a = strlen(subject), b = strlen(policy_name);
    char key[2 * (SVCQ__SLA_NAME_MAX + 1)];
    if (a > SVCQ__SLA_NAME_MAX || b > SVCQ__SLA_NAME_MAX)
        return NULL;
    memcpy(key, subject, a + 1);
    memcpy(key + a + 1, policy_name, b);
    return svcq__map_get(&scheduler->clocks, key, a + 1 + b);
}

uint64_t svcq_sla_scheduler_count(const svcq_sla_scheduler *scheduler)
{
    return scheduler ? scheduler->clocks.count : 0;
}

/* First non-empty slot in [from, to] (absolute slots), or INT64_MAX. */
static int64_t next_used(const svcq_sla_scheduler *s, int64_t from, int64_t to)
{
    if (to - from >= WHEEL_SIZE)
        to = from + WHEEL_SIZE - 1;
    int64_t slot = from;
    while (slot <= to) {
        size_t b = (size_t)(slot & WHEEL_MASK);
        uint64_t word = s->used[b / 64] >> (b % 64);
        if (word)
            return slot + __builtin_ctzll(word) <= to ? slot + __builtin_ctzll(word) : INT64_MAX;
        slot += 64 - (int64_t)(b % 64);
    }
    return INT64_MAX;
}

int svcq_sla_scheduler_next_at(svcq_time *out, const svcq_sla_scheduler *scheduler)
{
    if (!scheduler)
        return SVCQ_EINVAL;
    if (!out)
        return svcq__error(scheduler->ctx, SVCQ_EINVAL, "scheduler next_at: out is NULL");
    const svcq_sla_scheduler *s = scheduler;
    svcq_time best = NEVER;
    int64_t slot = next_used(s, s->cursor, s->cursor + WHEEL_SIZE - 1);
    if (slot != INT64_MAX)
        for (const svcq_sla_clock *c = s->wheel[slot & WHEEL_MASK]; c; c = c->wnext)
            if (c->next_notice < best)
                best = c->next_notice;
    for (const svcq_sla_clock *c = s->overflow; c; c = c->wnext)
        if (c->next_notice < best)
            best = c->next_notice;
    *out = best;
    return SVCQ_OK;
}

/* Delivers the notices of clock c that fall due at instant `at`, in target
 * order. On failure the clock is as it was before the failing notice.
 * Inside a store transaction the clock's states are snapshot before the
 * first delivery changes them, so a rollback takes the deliveries back
 * (they come again at the next advance). */
static int deliver_clock(svcq_sla_scheduler *s, svcq_sla_clock *c, svcq_time at, uint64_t *count)
{
    const svcq_sla_policy *P = svcq__sla_clock_policy(c);
    bool snapped = false;
    for (uint32_t j = 0; j < P->ntargets; j++) {
        while (c->t[j].next_notice == at) {
            const svcq__sla_target *T = &P->targets[j];
            svcq__sla_tstate S = c->t[j];
            /* The next notice is (delivered_cycle, delivered): of the
             * current cycle, or of an ended one that reached it before
             * the scheduler came (svcq__sla_refresh_next). */
            if (S.delivered_cycle > S.cycle) {
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
                .cycle = S.delivered_cycle,
                .clock = c,
            };
            S.delivered++;
            int rc = svcq__sla_refresh_next(c, j, &S);
            if (rc == SVCQ_OK && !snapped) {
                rc = svcq__sla_clock_snapshot(c); /* nothing outside a transaction */
                snapped = rc == SVCQ_OK;
            }
            if (rc)
                return rc;
            int answer = s->notify(&n, s->user_data);
            if (answer) {
                rc = answer < 0 && answer >= SVCQ__ERROR_MIN ? answer : SVCQ_EABORTED;
                return svcq__error(s->ctx, rc, "the notice callback stopped the advance");
            }
            c->t[j] = S;
            c->changes++;
            (*count)++;
        }
    }
    return SVCQ_OK;
}

/* Delivers the ready clocks of the slot at the cursor, in time order. */
static int drain_ready(svcq_sla_scheduler *s, svcq_time now, uint64_t *count)
{
    ready e;
    while (ready_pop(s, &e)) {
        svcq_sla_clock *c = e.clock;
        int rc = deliver_clock(s, c, e.at, count);
        svcq_time key = clock_key(c);
        c->next_notice = key;
        if (rc == SVCQ_OK && key != NEVER && key <= now && slot_of(key) <= s->cursor) {
            /* It was popped just now, so there is room. */
            ready_push(s, make_ready(c, key));
            continue;
        }
        if (key != NEVER)
            link_clock(s, c, key);
        if (rc) {
            /* Put back what was not delivered; it comes at the next advance. */
            while (ready_pop(s, &e))
                link_clock(s, e.clock, e.at);
            return rc;
        }
    }
    return SVCQ_OK;
}

int svcq_sla_scheduler_advance(uint64_t *delivered, svcq_sla_scheduler *scheduler, svcq_time now)
{
    if (delivered)
        *delivered = 0;
    if (!scheduler)
        return SVCQ_EINVAL;
    svcq_sla_scheduler *s = scheduler;
    uint64_t count = 0;
    int rc = SVCQ_OK;
    int64_t last = slot_of(now);
    fold_overflow(s);
    while (rc == SVCQ_OK && s->cursor <= last) {
        int64_t slot = next_used(s, s->cursor, last);
        if (slot == INT64_MAX) {
            if (last - s->cursor < WHEEL_SIZE) {
                s->cursor = last; /* nothing due up to `now` */
                break;
            }
            /* The wheel is empty: the next thing is on the overflow list. */
            s->cursor = s->overflow_min < last ? s->overflow_min : last;
            fold_overflow(s);
            continue;
        }
        s->cursor = slot;
        fold_overflow(s);
        /* Move the clocks of this slot that are due into the ready heap,
         * after making room for them (the only allocation of an advance). */
        size_t due = s->count[slot & WHEEL_MASK];
        if (due > s->ready_cap) {
            ready *grown = svcq__reallocarray(s->ctx, s->ready, due, sizeof(*grown));
            if (!grown) {
                rc = svcq__enomem(s->ctx);
                break;
            }
            s->ready = grown;
            s->ready_cap = due;
        }
        svcq_sla_clock *c = s->wheel[slot & WHEEL_MASK];
        while (c) {
            svcq_sla_clock *next = c->wnext;
            if (c->next_notice <= now) {
                unlink_clock(s, c);
                ready_push(s, make_ready(c, c->next_notice));
            }
            c = next;
        }
        rc = drain_ready(s, now, &count);
        if (slot == last)
            break;
        if (rc == SVCQ_OK)
            s->cursor = slot + 1;
    }
    if (delivered)
        *delivered = count;
    return rc;
}
