/* The scheduler: clocks queued by the instant of their next undelivered
 * notice in a hashed timing wheel.
 *
 * A binary heap over a million clocks costs a cache miss at nearly every
 * level of every sift, and each move writes the moved clock's index (one
 * more miss). The wheel touches only the clock being queued: slot s holds
 * the clocks whose next notice falls in [64 s, 64 s + 64); 65,536 slots
 * span about 48 days, and later notices wait in an overflow array that is
 * folded in as time comes near.
 *
 * A slot is an array of {instant, clock} entries (an intrusive list cost
 * one dependent cache miss per clock at every advance). A clock knows its
 * entry (wslot, wpos): it leaves by making a hole, touching no other clock;
 * holes at the end go at once, the others when the array would grow. The
 * entry's instant is kept up to date by every re-key, so an advance takes
 * a slot's due clocks into the "ready" array and orders them by instant
 * (an in-place distribution by second) reading only the slot's array; the
 * keys of the clocks that share an instant (prefetched) order each tie by
 * subject and policy name, so notices still come out in exact time order.
 * A clock due again within the slot goes into a small heap merged with the
 * sorted run. The delivery pass prefetches the clocks ahead of it.
 *
 * Re-keying cannot fail and never allocates: room in the slot a clock
 * will go to is reserved while its change can still fail (clock.c's
 * refresh_all, a delivery before its callback, add, load). A clock that
 * still finds none (a rollback after an advance drained slots) is marked
 * pending and queued by the next advance, before anything after it is
 * delivered; finding those walks the index, which costs no memory per
 * clock and happens only then.
 *
 * Clocks are found by key in an open-addressing table of clock pointers,
 * 8 bytes a slot (hashes are computed again from the keys): a general map
 * with the key and hash in each slot cost 64 bytes per clock at a million.
 * The clocks changed since they were last stored are listed, so a save
 * costs what changed, not what is held. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "calendar/civil.h"
#include "core/map.h"
#include "sla/sla_internal.h"
#include "store/store.h"

#define NEVER SVCQ_SLA_NEVER
#define WHEEL_SHIFT 6
#define WHEEL_SIZE 65536
#define WHEEL_MASK (WHEEL_SIZE - 1)
#define WORDS (WHEEL_SIZE / 64)

/* A queued clock and the instant it is queued for (its earliest next
 * notice, kept up to date by every re-key): an advance sorts and picks
 * the due ones without reading the clocks. */
typedef struct went {
    svcq_time at;
    svcq_sla_clock *c;
} went;

/* The clocks queued in one slot: e[0, len) with holes (c NULL) where a
 * clock left, live of them clocks. A clock knows its entry (wslot, wpos),
 * so it leaves in O(1) without touching any other clock. */
typedef struct wheel_slot {
    went *e;
    uint32_t len, cap, live;
} wheel_slot;

struct svcq_sla_scheduler {
    svcq_ctx *ctx;
    svcq_sla_notify_fn notify;
    void *user_data;
    /* Index of the clocks by key (subject '\0' policy name): linear
     * probing, power-of-two capacity, at most 3/4 full, backward-shift
     * deletion. */
    svcq_sla_clock **index;
    size_t index_cap, nclocks;
    /* Changed clocks (svcq__sla_sched_touch), room for every clock held. */
    svcq_sla_clock **dirty;
    size_t ndirty, dirty_cap;
    uint32_t part_index, part_count; /* partition; count 0: every subject */
    struct wheel_slot *wheel; /* WHEEL_SIZE arrays */
    uint64_t used[WORDS];   /* bit per slot holding a clock */
    int64_t cursor;         /* every queued clock's slot is >= cursor */
    struct wheel_slot over; /* clocks beyond the wheel's span */
    int64_t overflow_min;   /* no overflow clock's slot is smaller */
    size_t npending;        /* clocks that found no room (SVCQ__SLOT_PENDING) */
    /* Clocks due in the slot being advanced, as a binary heap ordered by
     * instant, then subject prefix (inline, so ties rarely touch a clock),
     * then the full subject and policy name. */
    struct ready *ready;
    size_t nready, ready_cap; /* the heap: ready[0, nready) */
    size_t rhead, rend;       /* the sorted run: ready[rhead, rend) */
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

static uint32_t key_hash(const char *key, size_t len)
{
    return (uint32_t)svcq__hash(key, len);
}

static uint32_t clock_hash(const svcq_sla_clock *c)
{
    return key_hash(c->key, key_len(c));
}

static bool key_equal(const svcq_sla_clock *c, const char *key, size_t len)
{
    return key_len(c) == len && memcmp(c->key, key, len) == 0;
}

/* The index slot of the clock with this key, or of the empty slot that
 * ends its probe sequence. */
static size_t index_find(const svcq_sla_scheduler *s, const char *key, size_t len, uint32_t h)
{
    size_t mask = s->index_cap - 1;
    size_t i = h & mask;
    while (s->index[i] && !key_equal(s->index[i], key, len))
        i = (i + 1) & mask;
    return i;
}

static svcq_sla_clock *index_get(const svcq_sla_scheduler *s, const char *key, size_t len)
{
    if (!s->index_cap)
        return NULL;
    return s->index[index_find(s, key, len, key_hash(key, len))];
}

/* Room for count clocks in the index and the list of changed ones; on
 * failure nothing changes. */
static int index_reserve(svcq_sla_scheduler *s, size_t count)
{
    if (count > s->dirty_cap) {
        size_t cap = s->dirty_cap ? s->dirty_cap : 8;
        while (cap < count)
            cap *= 2;
        svcq_sla_clock **grown = svcq__reallocarray(s->ctx, s->dirty, cap, sizeof(*grown));
        if (!grown)
            return svcq__enomem(s->ctx);
        s->dirty = grown;
        s->dirty_cap = cap;
    }
    size_t cap = s->index_cap ? s->index_cap : 16;
    while (count > cap / 4 * 3) {
        if (cap > SIZE_MAX / 2 / sizeof(*s->index))
            return svcq__enomem(s->ctx);
        cap *= 2;
    }
    if (cap == s->index_cap)
        return SVCQ_OK;
    svcq_sla_clock **index = svcq__calloc(s->ctx, cap, sizeof(*index));
    if (!index)
        return svcq__enomem(s->ctx);
    for (size_t i = 0; i < s->index_cap; i++) {
        svcq_sla_clock *c = s->index[i];
        if (!c)
            continue;
        size_t k = clock_hash(c) & (cap - 1);
        while (index[k])
            k = (k + 1) & (cap - 1);
        index[k] = c;
    }
    svcq__free(s->ctx, s->index);
    s->index = index;
    s->index_cap = cap;
    return SVCQ_OK;
}

/* Adds a clock whose key is not in the index; room must be reserved. */
static void index_put(svcq_sla_scheduler *s, svcq_sla_clock *c)
{
    size_t len = key_len(c);
    s->index[index_find(s, c->key, len, key_hash(c->key, len))] = c;
    s->nclocks++;
}

static void index_remove(svcq_sla_scheduler *s, svcq_sla_clock *c)
{
    size_t mask = s->index_cap - 1;
    size_t i = index_find(s, c->key, key_len(c), clock_hash(c));
    if (s->index[i] != c)
        return;
    s->index[i] = NULL;
    s->nclocks--;
    /* Backward shift: move up every entry of the run that may no longer
     * be found past the hole. */
    for (size_t j = (i + 1) & mask; s->index[j]; j = (j + 1) & mask) {
        size_t home = clock_hash(s->index[j]) & mask;
        /* Entry j stays when its home lies cyclically in (i, j]. */
        if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
            continue;
        s->index[i] = s->index[j];
        s->index[j] = NULL;
        i = j;
    }
}

/* ---- the list of changed clocks ---------------------------------------- */

void svcq__sla_sched_touch(svcq_sla_clock *c)
{
    svcq_sla_scheduler *s = c->sched;
    if (!s || c->dirty_pos)
        return;
    s->dirty[s->ndirty++] = c; /* room for every clock held */
    c->dirty_pos = (uint32_t)s->ndirty;
}

static void unlist(svcq_sla_scheduler *s, svcq_sla_clock *c)
{
    if (!c->dirty_pos)
        return;
    size_t i = c->dirty_pos - 1;
    svcq_sla_clock *last = s->dirty[--s->ndirty];
    s->dirty[i] = last;
    last->dirty_pos = (uint32_t)(i + 1);
    c->dirty_pos = 0;
}

static bool is_stored(const svcq_sla_clock *c)
{
    return c->revision && c->changes == c->saved;
}

svcq_sla_clock *svcq__sla_sched_next_dirty(const svcq_sla_scheduler *s, size_t *iter)
{
    return *iter < s->ndirty ? s->dirty[(*iter)++] : NULL;
}

void svcq__sla_sched_saved(svcq_sla_scheduler *s)
{
    /* Inside a host batch, a rollback would make saved clocks changed
     * again: they stay listed until a save outside any batch. */
    if (svcq__tx_active(s->ctx))
        return;
    for (size_t i = 0; i < s->ndirty;) {
        svcq_sla_clock *c = s->dirty[i];
        if (is_stored(c))
            unlist(s, c); /* the last one moves to i */
        else
            i++;
    }
}

/* ---- partitions ---------------------------------------------------------- */

uint32_t svcq__sla_partition_of(const char *subject, size_t len, uint32_t count)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)subject[i];
        h *= UINT64_C(0x100000001b3);
    }
    return count ? (uint32_t)(h % count) : 0;
}

bool svcq__sla_sched_accepts(const svcq_sla_scheduler *s, const char *subject, size_t len)
{
    return s->part_count <= 1 || svcq__sla_partition_of(subject, len, s->part_count) == s->part_index;
}

int svcq_sla_subject_partition(uint32_t *out, const char *subject, uint32_t count)
{
    if (out)
        *out = 0;
    if (!out || !subject || count == 0)
        return SVCQ_EINVAL;
    *out = svcq__sla_partition_of(subject, strlen(subject), count);
    return SVCQ_OK;
}

int svcq_sla_scheduler_set_partition(svcq_sla_scheduler *scheduler, uint32_t index, uint32_t count)
{
    if (!scheduler)
        return SVCQ_EINVAL;
    svcq_sla_scheduler *s = scheduler;
    if (count == 0 || index >= count)
        return svcq__error(s->ctx, SVCQ_EINVAL, "scheduler: partition %u of %u does not exist (0 to count - 1, count >= 1)",
                           index, count);
    if (s->nclocks)
        return svcq__error(s->ctx, SVCQ_ESTATE,
                           "scheduler: the partition is set before clocks are added or loaded (it holds %zu)",
                           s->nclocks);
    s->part_index = index;
    s->part_count = count;
    return SVCQ_OK;
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

/* The big-endian value of 8 bytes. */
static uint64_t be64(const unsigned char *b)
{
    uint64_t v;
    memcpy(&v, b, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return __builtin_bswap64(v);
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return v;
#else
    v = 0;
    for (size_t i = 0; i < 8; i++)
        v = (v << 8) | b[i];
    return v;
#endif
}

static ready make_ready(svcq_sla_clock *c, svcq_time at)
{
    /* The prefix is the subject's first 16 bytes, zeros after its end, so
     * prefix order is key order. It reads the key only (not subject_len,
     * on another line of the clock). */
    unsigned char b[16] = { 0 };
    for (size_t i = 0; i < 16 && c->key[i]; i++)
        b[i] = (unsigned char)c->key[i];
    return (ready){ at, be64(b), be64(b + 8), c };
}

/* A due clock before its key is read: ties of instants are broken by
 * address (p0) until the key is needed (ready_run, ready_pop). */
static ready make_unkeyed(svcq_sla_clock *c, svcq_time at)
{
    return (ready){ at, (uint64_t)(uintptr_t)c, UINT64_MAX, c };
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

/* Software pipelining over a slot's clocks, which at an opening hour are
 * far more than the caches hold: the clock's fields are fetched PREFETCH
 * entries ahead, its states and key half as far (reading the pointer to the
 * states from the line fetched before). */
#define PREFETCH 32

static void prefetch_clock(const svcq_sla_clock *c)
{
    /* The fields before the key span two or three lines. */
    __builtin_prefetch(c);
    __builtin_prefetch((const char *)c + 64);
    __builtin_prefetch((const char *)c + offsetof(svcq_sla_clock, key) - 1);
}

/* The subject's first 16 bytes (the key's address needs no load). */
static void prefetch_key(const svcq_sla_clock *c)
{
    __builtin_prefetch(c->key);
    __builtin_prefetch(c->key + 15);
}

static void prefetch_states(const svcq_sla_clock *c)
{
    __builtin_prefetch(c->key);
    const svcq__sla_tstate *t = c->t;
    for (uint64_t m = c->tmask; m; m &= m - 1, t++)
        __builtin_prefetch(t); /* each state's next notice comes first */
}

static void ready_swap(ready *a, ready *b)
{
    ready t = *a;
    *a = *b;
    *b = t;
}

/* Max-heap sift for the heapsort fallback of ready_sort. */
static void sort_sift(ready *a, size_t n, size_t i)
{
    ready x = a[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= n)
            break;
        if (child + 1 < n && ready_less(&a[child], &a[child + 1]))
            child++;
        if (!ready_less(&x, &a[child]))
            break;
        a[i] = a[child];
        i = child;
    }
    a[i] = x;
}

/* Sorts a slot's due clocks (introsort: quicksort with Hoare's partition
 * around a median of three, heapsort past a depth limit, insertion sort for
 * short ranges). No allocation; keys are unique. */
static void ready_sort(ready *a, size_t n, unsigned depth)
{
    while (n > 16) {
        if (depth-- == 0) {
            for (size_t k = n / 2; k-- > 0;)
                sort_sift(a, n, k);
            for (size_t m = n; m > 1; m--) {
                ready_swap(&a[0], &a[m - 1]);
                sort_sift(a, m - 1, 0);
            }
            return;
        }
        size_t mid = (n - 1) / 2;
        if (ready_less(&a[mid], &a[0]))
            ready_swap(&a[mid], &a[0]);
        if (ready_less(&a[n - 1], &a[0]))
            ready_swap(&a[n - 1], &a[0]);
        if (ready_less(&a[n - 1], &a[mid]))
            ready_swap(&a[n - 1], &a[mid]);
        ready pivot = a[mid];
        size_t i = SIZE_MAX, j = n;
        for (;;) {
            do
                i++;
            while (ready_less(&a[i], &pivot));
            do
                j--;
            while (ready_less(&pivot, &a[j]));
            if (i >= j)
                break;
            ready_swap(&a[i], &a[j]);
        }
        size_t left = j + 1; /* [0, left) <= pivot <= [left, n) */
        if (left < n - left) {
            ready_sort(a, left, depth);
            a += left;
            n -= left;
        } else {
            ready_sort(a + left, n - left, depth);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {
        ready x = a[i];
        size_t j = i;
        while (j > 0 && ready_less(&x, &a[j - 1])) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

/* Makes the n clocks at the front of the ready array the sorted run. A
 * slot can hold thousands of clocks (every warning that fell due overnight
 * comes at the opening hour): sorted once and read in order, they cost far
 * less than as many pops from a heap of that size. */
static unsigned sort_depth(size_t n)
{
    unsigned depth = 0;
    for (size_t k = n; k > 1; k >>= 1)
        depth += 2;
    return depth;
}

/* Whether entry i of the n sorted by instant shares its instant. */
static inline bool tied(const ready *r, size_t n, size_t i)
{
    return (i > 0 && r[i - 1].at == r[i].at) || (i + 1 < n && r[i + 1].at == r[i].at);
}

/* Buckets of the ready entries of a slot: one per second of the slot's
 * span, after one for past instants (clocks queued late, at the cursor)
 * and before one for anything later (none expected). */
#define BUCKETS ((1 << WHEEL_SHIFT) + 2)

static size_t bucket_of(svcq_time at, svcq_time base)
{
    if (at < base)
        return 0;
    if (at - base >= (1 << WHEEL_SHIFT))
        return BUCKETS - 1;
    return 1 + (size_t)(at - base);
}

/* Orders r[0, n) by instant in linear time: an in-place distribution by
 * second from base (each swap puts one entry in its final bucket), then
 * a sort of the two outer buckets, whose instants differ. Equal instants
 * stay in any order. */
static void by_instant(ready *r, size_t n, svcq_time base)
{
    size_t next[BUCKETS] = { 0 }, end[BUCKETS];
    for (size_t i = 0; i < n; i++)
        next[bucket_of(r[i].at, base)]++;
    for (size_t b = 0, pos = 0; b < BUCKETS; b++) {
        size_t count = next[b];
        next[b] = pos;
        pos += count;
        end[b] = pos;
    }
    for (size_t b = 0; b < BUCKETS; b++) {
        while (next[b] < end[b]) {
            size_t k = bucket_of(r[next[b]].at, base);
            if (k == b)
                next[b]++;
            else
                ready_swap(&r[next[b]], &r[next[k]++]);
        }
    }
    ready_sort(r, end[0], sort_depth(end[0]));
    size_t late = end[BUCKETS - 2];
    ready_sort(r + late, n - late, sort_depth(n - late));
}

static void ready_run(svcq_sla_scheduler *s, size_t n, svcq_time base)
{
    ready *r = s->ready;
    /* By instant first, reading no clock; then the keys of the clocks
     * that share an instant (prefetched ahead) order each tie. */
    by_instant(r, n, base);
    for (size_t i = 0; i < n && i < PREFETCH; i++)
        if (tied(r, n, i))
            prefetch_key(r[i].clock);
    for (size_t i = 0; i < n; i++) {
        if (i + PREFETCH < n && tied(r, n, i + PREFETCH))
            prefetch_key(r[i + PREFETCH].clock);
        if (tied(r, n, i))
            r[i] = make_ready(r[i].clock, r[i].at);
    }
    for (size_t a = 0, b; a < n; a = b) {
        for (b = a + 1; b < n && r[b].at == r[a].at; b++)
            ;
        if (b - a > 1)
            ready_sort(r + a, b - a, sort_depth(b - a));
    }
    s->nready = 0;
    s->rhead = 0;
    s->rend = n;
    for (size_t i = 0; i < n && i < PREFETCH; i++)
        prefetch_clock(s->ready[i].clock);
    for (size_t i = 0; i < n && i < PREFETCH / 2; i++)
        prefetch_states(s->ready[i].clock);
}

/* The next clock in time order: the head of the sorted run or the top of
 * the heap of clocks due again within the slot. The heap lives in the
 * part of the array the run has consumed: each push follows a pop. */
static bool ready_pop(svcq_sla_scheduler *s, ready *out)
{
    bool run = s->rhead < s->rend;
    if (!s->nready && !run) {
        s->rhead = s->rend = 0;
        return false;
    }
    /* A run entry that ties with the heap's top needs its key now (the
     * heap's entries have theirs). */
    if (run && s->nready && s->ready[s->rhead].at == s->ready[0].at)
        s->ready[s->rhead] = make_ready(s->ready[s->rhead].clock, s->ready[s->rhead].at);
    if (run && (!s->nready || ready_less(&s->ready[s->rhead], &s->ready[0]))) {
        *out = s->ready[s->rhead++];
        if (s->rhead + PREFETCH < s->rend)
            prefetch_clock(s->ready[s->rhead + PREFETCH].clock);
        if (s->rhead + PREFETCH / 2 < s->rend)
            prefetch_states(s->ready[s->rhead + PREFETCH / 2].clock);
        out->clock->wslot = SVCQ__SLOT_NONE;
        return true;
    }
    *out = s->ready[0];
    ready x = s->ready[--s->nready];
    size_t i = 0, n = s->nready;
    /* Bottom-up (Floyd): the hole goes down to a leaf along the smaller
     * children, then the last entry, which belongs near the bottom, rises
     * from there: about half the comparisons of a plain sift-down. */
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= n)
            break;
        if (child + 1 < n && ready_less(&s->ready[child + 1], &s->ready[child]))
            child++;
        s->ready[i] = s->ready[child];
        i = child;
    }
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!ready_less(&x, &s->ready[parent]))
            break;
        s->ready[i] = s->ready[parent];
        i = parent;
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

/* The earliest next notice of the stored states (a pending target has
 * none). */
static svcq_time clock_key(const svcq_sla_clock *c)
{
    svcq_time best = NEVER;
    const svcq__sla_tstate *t = c->t;
    for (uint64_t m = c->tmask; m; m &= m - 1, t++) /* one state per bit, no popcount */
        if (t->next_notice < best)
            best = t->next_notice;
    return best;
}

/* Where a clock due at key goes: the slot of key (the cursor's for a past
 * key), or the overflow array beyond the wheel's span. *b is the slot's
 * index or SVCQ__SLOT_OVERFLOW; *slot the absolute slot. */
static wheel_slot *place_of(svcq_sla_scheduler *s, svcq_time key, uint32_t *b, int64_t *slot)
{
    int64_t at = slot_of(key);
    if (at < s->cursor)
        at = s->cursor;
    *slot = at;
    if (at - s->cursor >= WHEEL_SIZE) {
        *b = SVCQ__SLOT_OVERFLOW;
        return &s->over;
    }
    *b = (uint32_t)(at & WHEEL_MASK);
    return &s->wheel[*b];
}

/* Whether clock c is in the ready array of the advance in progress: put
 * there by ready_push, or taken from its slot by take_due (its entry is
 * no longer where the clock says). */
static bool taken(const svcq_sla_scheduler *s, const svcq_sla_clock *c)
{
    if (c->wslot == SVCQ__SLOT_READY)
        return true;
    if (c->wslot == SVCQ__SLOT_NONE || c->wslot == SVCQ__SLOT_PENDING)
        return false;
    const wheel_slot *w = c->wslot == SVCQ__SLOT_OVERFLOW ? &s->over : &s->wheel[c->wslot];
    return c->wpos >= w->len || w->e[c->wpos].c != c;
}

/* Whether a queued clock is already where key puts it (its wheel slot, or
 * the overflow array while key stays beyond the span). */
static bool placed_at(svcq_sla_scheduler *s, const svcq_sla_clock *c, svcq_time key)
{
    if (key == NEVER || c->wslot == SVCQ__SLOT_NONE || c->wslot == SVCQ__SLOT_PENDING || taken(s, c))
        return false;
    uint32_t b;
    int64_t slot;
    place_of(s, key, &b, &slot);
    return b == c->wslot;
}

/* Drops the holes of a slot's array, moving each clock after a hole down
 * (and telling it its new place). */
static void slot_compact(wheel_slot *w)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < w->len; i++) {
        svcq_sla_clock *c = w->e[i].c;
        if (!c)
            continue;
        if (k != i) {
            w->e[k] = w->e[i];
            c->wpos = k;
        }
        k++;
    }
    w->len = k;
}

/* Room for one more entry without allocating: the array's end, or a hole
 * a compaction gathers there. */
static bool slot_room(wheel_slot *w)
{
    if (w->len < w->cap)
        return true;
    if (w->live < w->len) {
        slot_compact(w);
        return true;
    }
    return false;
}

/* Makes room for one more entry: compacts when a quarter or more of the
 * array are holes (amortized, so that one clock moving back and forth
 * cannot make every push compact), else grows it by half. SVCQ_ENOMEM
 * leaves the array as it was. */
static int slot_reserve(svcq_sla_scheduler *s, wheel_slot *w)
{
    if (w->len < w->cap)
        return SVCQ_OK;
    if (w->len - w->live >= w->len / 4 && w->live < w->len) {
        slot_compact(w);
        return SVCQ_OK;
    }
    if (w->cap > UINT32_MAX / 2)
        return svcq__enomem(s->ctx);
    uint32_t cap = w->cap < 4 ? w->cap + 1 : w->cap + w->cap / 2; /* most slots hold a few */
    went *grown = svcq__reallocarray(s->ctx, w->e, cap, sizeof(*grown));
    if (!grown)
        return svcq__enomem(s->ctx);
    w->e = grown;
    w->cap = cap;
    return SVCQ_OK;
}

/* Appends clock c, due at key, to slot w (index b); room must be there. */
static void slot_put(svcq_sla_scheduler *s, wheel_slot *w, uint32_t b, int64_t slot, svcq_sla_clock *c,
                     svcq_time key)
{
    c->wslot = b;
    c->wpos = w->len;
    w->e[w->len++] = (went){ key, c };
    w->live++;
    if (b == SVCQ__SLOT_OVERFLOW) {
        if (slot < s->overflow_min)
            s->overflow_min = slot;
    } else {
        s->used[b / 64] |= (uint64_t)1 << (b % 64);
    }
}

/* Frees the array of a slot that holds no clock. */
static void slot_release(svcq_sla_scheduler *s, wheel_slot *w)
{
    svcq__free(s->ctx, w->e);
    w->e = NULL;
    w->len = w->cap = w->live = 0;
}

/* Takes a clock out of the queue: its entry becomes a hole (trailing holes
 * are dropped at once), touching no other clock. */
static void unlink_clock(svcq_sla_scheduler *s, svcq_sla_clock *c)
{
    if (c->wslot == SVCQ__SLOT_NONE || taken(s, c))
        return;
    if (c->wslot == SVCQ__SLOT_PENDING) {
        s->npending--;
    } else {
        wheel_slot *w = c->wslot == SVCQ__SLOT_OVERFLOW ? &s->over : &s->wheel[c->wslot];
        w->e[c->wpos].c = NULL;
        w->live--;
        if (!w->live) {
            w->len = 0;
            if (c->wslot != SVCQ__SLOT_OVERFLOW)
                s->used[c->wslot / 64] &= ~((uint64_t)1 << (c->wslot % 64));
        } else {
            while (!w->e[w->len - 1].c)
                w->len--;
        }
    }
    c->wslot = SVCQ__SLOT_NONE;
}

/* Queues an unqueued clock at key (not NEVER) without allocating; with no
 * room it waits as pending (place_pending). */
static void link_clock(svcq_sla_scheduler *s, svcq_sla_clock *c, svcq_time key)
{
    uint32_t b;
    int64_t slot;
    wheel_slot *w = place_of(s, key, &b, &slot);
    if (!slot_room(w)) {
        c->wslot = SVCQ__SLOT_PENDING;
        s->npending++;
        return;
    }
    slot_put(s, w, b, slot, c, key);
}

/* Queues an unqueued clock at key (not NEVER), making room; SVCQ_ENOMEM
 * leaves it unqueued. */
static int link_alloc(svcq_sla_scheduler *s, svcq_sla_clock *c, svcq_time key)
{
    uint32_t b;
    int64_t slot;
    wheel_slot *w = place_of(s, key, &b, &slot);
    int rc = slot_reserve(s, w);
    if (rc)
        return rc;
    slot_put(s, w, b, slot, c, key);
    return SVCQ_OK;
}

/* Queues the clocks that found no room (after a rollback, or an advance
 * that failed), by a walk of the index: rare, so they cost no memory.
 * SVCQ_ENOMEM leaves the rest pending. */
static int place_pending(svcq_sla_scheduler *s)
{
    for (size_t i = 0; i < s->index_cap && s->npending; i++) {
        svcq_sla_clock *c = s->index[i];
        if (!c || c->wslot != SVCQ__SLOT_PENDING)
            continue;
        int rc = link_alloc(s, c, clock_key(c));
        if (rc)
            return svcq__error(s->ctx, rc, "scheduler: no memory to queue clock %s (policy %s) again", c->key,
                               c->key + c->subject_len + 1);
        s->npending--;
    }
    return SVCQ_OK;
}

/* Brings overflow clocks that came within the wheel's span into it.
 * SVCQ_ENOMEM leaves the rest on the overflow array. */
static int fold_overflow(svcq_sla_scheduler *s)
{
    wheel_slot *o = &s->over;
    if (!o->live || s->overflow_min - s->cursor >= WHEEL_SIZE)
        return SVCQ_OK;
    int64_t min = INT64_MAX;
    uint32_t k = 0;
    int rc = SVCQ_OK;
    for (uint32_t i = 0; i < o->len; i++) {
        went x = o->e[i];
        if (!x.c)
            continue;
        uint32_t b;
        int64_t slot;
        wheel_slot *w = place_of(s, x.at, &b, &slot);
        if (b != SVCQ__SLOT_OVERFLOW && rc == SVCQ_OK && (rc = slot_reserve(s, w)) == SVCQ_OK) {
            slot_put(s, w, b, slot, x.c, x.at);
            continue;
        }
        if (slot < min)
            min = slot;
        o->e[k] = x;
        x.c->wpos = k++;
    }
    o->len = o->live = k;
    s->overflow_min = min;
    if (!k)
        slot_release(s, o);
    return rc;
}

int svcq__sla_sched_reserve(const svcq_sla_clock *c, const svcq__sla_tstate *t, uint32_t n)
{
    svcq_sla_scheduler *s = c->sched;
    if (!s)
        return SVCQ_OK;
    svcq_time key = NEVER;
    for (uint32_t i = 0; i < n; i++)
        if (t[i].next_notice < key)
            key = t[i].next_notice;
    if (key == NEVER || placed_at(s, c, key))
        return SVCQ_OK;
    uint32_t b;
    int64_t slot;
    return slot_reserve(s, place_of(s, key, &b, &slot));
}

void svcq__sla_sched_rekey(svcq_sla_clock *c)
{
    svcq_sla_scheduler *s = c->sched;
    if (taken(s, c))
        return; /* the advance in progress places it afterwards */
    svcq_time key = clock_key(c);
    if (placed_at(s, c, key)) {
        wheel_slot *w = c->wslot == SVCQ__SLOT_OVERFLOW ? &s->over : &s->wheel[c->wslot];
        w->e[c->wpos].at = key;
        if (c->wslot == SVCQ__SLOT_OVERFLOW && slot_of(key) < s->overflow_min)
            s->overflow_min = slot_of(key);
        return;
    }
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
    unlist(s, c);
    index_remove(s, c);
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
    wheel_slot *wheel = svcq__calloc(ctx, WHEEL_SIZE, sizeof(*wheel));
    if (!s || !wheel) {
        svcq__free(ctx, s);
        svcq__free(ctx, wheel);
        return svcq__enomem(ctx);
    }
    s->ctx = ctx;
    s->notify = notify;
    s->user_data = user_data;
    s->wheel = wheel;
    s->cursor = INT64_MIN / 2; /* set by the first clock queued or advance */
    s->overflow_min = INT64_MAX;
    *out = s;
    return SVCQ_OK;
}

void svcq_sla_scheduler_free(svcq_sla_scheduler *scheduler)
{
    if (!scheduler)
        return;
    for (size_t i = 0; i < scheduler->index_cap; i++)
        if (scheduler->index[i])
            svcq__sla_clock_destroy(scheduler->index[i]);
    svcq__free(scheduler->ctx, scheduler->index);
    svcq__free(scheduler->ctx, scheduler->dirty);
    svcq__sla_failures_free(scheduler->ctx, &scheduler->failures);
    svcq__free(scheduler->ctx, scheduler->ready);
    for (size_t b = 0; b < WHEEL_SIZE; b++)
        svcq__free(scheduler->ctx, scheduler->wheel[b].e);
    svcq__free(scheduler->ctx, scheduler->over.e);
    svcq__free(scheduler->ctx, scheduler->wheel);
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
    if (index_get(s, clock->key, klen))
        return svcq__error(ctx, SVCQ_EEXIST, "the scheduler has a clock for %s on policy %s already", clock->key,
                        clock->key + clock->subject_len + 1);
    if (!svcq__sla_sched_accepts(s, clock->key, clock->subject_len))
        return svcq__error(ctx, SVCQ_EINVAL, "clock %s (policy %s) is in partition %u of %u; this scheduler holds %u",
                           clock->key, clock->key + clock->subject_len + 1,
                           svcq__sla_partition_of(clock->key, clock->subject_len, s->part_count), s->part_count,
                           s->part_index);

    uint32_t n = svcq__sla_nstates(clock);
    svcq__sla_tstate *t = NULL;
    int rc = SVCQ_OK;
    if (n) {
        t = svcq__malloc(ctx, n * sizeof(*t));
        if (!t)
            return svcq__enomem(ctx);
        memcpy(t, clock->t, n * sizeof(*t));
        const svcq_sla_policy *P = svcq__sla_clock_policy(clock);
        for (uint32_t j = 0, i = 0; j < P->ntargets && rc == SVCQ_OK; j++)
            if ((clock->tmask >> j) & 1)
                rc = svcq__sla_refresh_next(clock, j, &t[i++]);
    }
    svcq_time key = NEVER;
    for (uint32_t i = 0; i < n; i++)
        if (t[i].next_notice < key)
            key = t[i].next_notice;
    /* The first clock queued sets the cursor (the scheduler is empty, so
     * nothing else depends on it). */
    if (rc == SVCQ_OK && key != NEVER && s->nclocks == 0 && s->cursor == INT64_MIN / 2)
        s->cursor = slot_of(key);
    if (rc == SVCQ_OK)
        rc = index_reserve(s, s->nclocks + 1);
    clock->wslot = SVCQ__SLOT_NONE;
    if (rc == SVCQ_OK && key != NEVER)
        rc = link_alloc(s, clock, key);
    if (rc) {
        svcq__free(ctx, t);
        return rc;
    }
    index_put(s, clock);
    if (t) {
        svcq__free(ctx, clock->t);
        clock->t = t;
    }
    clock->sched = s;
    clock->dirty_pos = 0;
    if (!is_stored(clock))
        svcq__sla_sched_touch(clock);
    return SVCQ_OK;
}

svcq_ctx *svcq__sla_sched_ctx(const svcq_sla_scheduler *s)
{
    return s->ctx;
}

svcq_sla_clock *svcq__sla_sched_next_clock(const svcq_sla_scheduler *s, size_t *iter)
{
    while (*iter < s->index_cap) {
        svcq_sla_clock *c = s->index[(*iter)++];
        if (c)
            return c;
    }
    return NULL;
}

int svcq__sla_sched_add_all(svcq_sla_scheduler *s, svcq_sla_clock **clocks, size_t n)
{
    svcq_ctx *ctx = s->ctx;
    size_t taken = 0;
    for (size_t i = 0; i < n; i++) {
        svcq_sla_clock *c = clocks[i];
        if (!svcq__sla_sched_accepts(s, c->key, c->subject_len))
            continue;
        taken++;
        if (index_get(s, c->key, key_len(c)))
            return svcq__error(ctx, SVCQ_EEXIST, "the scheduler has a clock for %s on policy %s already", c->key,
                            c->key + c->subject_len + 1);
        /* Next notices first: the only step that can fail besides memory. */
        const svcq_sla_policy *P = svcq__sla_clock_policy(c);
        for (uint32_t j = 0, k = 0; j < P->ntargets; j++) {
            if (!((c->tmask >> j) & 1))
                continue;
            int rc = svcq__sla_refresh_next(c, j, &c->t[k++]);
            if (rc)
                return rc;
        }
    }
    if (index_reserve(s, s->nclocks + taken))
        return svcq__enomem(ctx);
    for (size_t i = 0; i < n; i++) {
        svcq_sla_clock *c = clocks[i];
        if (!svcq__sla_sched_accepts(s, c->key, c->subject_len))
            continue;
        /* A key twice in the list is caught here. */
        if (index_get(s, c->key, key_len(c))) {
            for (size_t k = 0; k < i; k++)
                if (svcq__sla_sched_accepts(s, clocks[k]->key, clocks[k]->subject_len))
                    index_remove(s, clocks[k]);
            return svcq__error(ctx, SVCQ_EEXIST, "two records hold the clock of %s on policy %s", c->key,
                            c->key + c->subject_len + 1);
        }
        index_put(s, c);
    }
    /* An empty scheduler starts its cursor at the earliest notice (the
     * loader gives clocks in that order, but any order works). */
    if (s->nclocks == taken && s->cursor == INT64_MIN / 2) {
        svcq_time first = NEVER;
        for (size_t i = 0; i < n; i++)
            if (svcq__sla_sched_accepts(s, clocks[i]->key, clocks[i]->subject_len) && clock_key(clocks[i]) < first)
                first = clock_key(clocks[i]);
        if (first != NEVER)
            s->cursor = slot_of(first);
    }
    /* Queue them, making room; on failure take every one out again. */
    int rc = SVCQ_OK;
    size_t i = 0;
    for (; i < n && rc == SVCQ_OK; i++) {
        svcq_sla_clock *c = clocks[i];
        if (!svcq__sla_sched_accepts(s, c->key, c->subject_len))
            continue;
        c->wslot = SVCQ__SLOT_NONE;
        svcq_time key = clock_key(c);
        if (key != NEVER)
            rc = link_alloc(s, c, key);
    }
    if (rc) {
        for (size_t k = 0; k < n; k++) {
            svcq_sla_clock *c = clocks[k];
            if (!svcq__sla_sched_accepts(s, c->key, c->subject_len))
                continue;
            if (k < i)
                unlink_clock(s, c);
            index_remove(s, c);
        }
        return rc;
    }
    for (i = 0; i < n; i++) {
        svcq_sla_clock *c = clocks[i];
        if (!svcq__sla_sched_accepts(s, c->key, c->subject_len)) {
            svcq__sla_clock_destroy(c); /* another server's */
            clocks[i] = NULL;
            continue;
        }
        c->sched = s;
        c->dirty_pos = 0;
        if (!is_stored(c))
            svcq__sla_sched_touch(c);
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
    return index_get(scheduler, key, a + 1 + b);
}

uint64_t svcq_sla_scheduler_count(const svcq_sla_scheduler *scheduler)
{
    return scheduler ? scheduler->nclocks : 0;
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
    const wheel_slot *ws[2] = { slot != INT64_MAX ? &s->wheel[slot & WHEEL_MASK] : NULL, &s->over };
    for (int k = 0; k < 2; k++)
        for (uint32_t i = 0; ws[k] && i < ws[k]->len; i++)
            if (ws[k]->e[i].c && ws[k]->e[i].at < best)
                best = ws[k]->e[i].at;
    /* Clocks that found no room (rare): a walk of the index. */
    for (size_t i = 0; s->npending && i < s->index_cap; i++)
        if (s->index[i] && s->index[i]->wslot == SVCQ__SLOT_PENDING && clock_key(s->index[i]) < best)
            best = clock_key(s->index[i]);
    *out = best;
    return SVCQ_OK;
}

/* Delivers the notices of clock c that fall due at instant `at`, in target
 * order. On failure the clock is as it was before the failing notice.
 * Inside a store transaction the clock's states are snapshot before the
 * first delivery changes them, so a rollback takes the deliveries back
 * (they come again at the next advance). */
/* Room in the queue for clock c once its state i is S, unless it then
 * stays in the ready array (due again within the slot at the cursor). */
static int reserve_after(svcq_sla_scheduler *s, const svcq_sla_clock *c, uint32_t i, const svcq__sla_tstate *S,
                         svcq_time now)
{
    svcq_time key = S->next_notice;
    uint32_t k = 0;
    for (uint64_t m = c->tmask; m; m &= m - 1, k++)
        if (k != i && c->t[k].next_notice < key)
            key = c->t[k].next_notice;
    if (key == NEVER || (key <= now && slot_of(key) <= s->cursor))
        return SVCQ_OK;
    uint32_t b;
    int64_t slot;
    return slot_reserve(s, place_of(s, key, &b, &slot));
}

static int deliver_clock(svcq_sla_scheduler *s, svcq_sla_clock *c, svcq_time at, svcq_time now, uint64_t *count)
{
    const svcq_sla_policy *P = svcq__sla_clock_policy(c);
    bool snapped = false;
    uint32_t i = 0;
    for (uint64_t m = c->tmask; m; m &= m - 1, i++) {
        uint32_t j = (uint32_t)__builtin_ctzll(m);
        while (c->t[i].next_notice == at) {
            const svcq__sla_target *T = &P->targets[j];
            svcq__sla_tstate S = c->t[i];
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
            if (rc == SVCQ_OK)
                rc = reserve_after(s, c, i, &S, now);
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
            c->t[i] = S;
            c->changes++;
            svcq__sla_sched_touch(c);
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
        int rc = deliver_clock(s, c, e.at, now, count);
        svcq_time key = clock_key(c);
        if (rc == SVCQ_OK && key != NEVER && key <= now && slot_of(key) <= s->cursor) {
            /* It was popped just now, so there is room. */
            ready_push(s, make_ready(c, key));
            continue;
        }
        if (key != NEVER)
            link_clock(s, c, key); /* room was reserved before the notice */
        if (rc) {
            /* Put back what was not delivered; it comes at the next advance
             * (the slot's array kept its room for them). */
            while (ready_pop(s, &e))
                if ((key = clock_key(e.clock)) != NEVER)
                    link_clock(s, e.clock, key);
            return rc;
        }
    }
    return SVCQ_OK;
}

/* Moves the clocks of slot b that are due at `now` into the ready array
 * (room reserved) and returns how many; the others stay, packed. Only the
 * slot's entries are read: a taken clock keeps its stale place (wslot,
 * wpos), which taken() recognizes, until ready_pop hands it out. */
static size_t take_due(svcq_sla_scheduler *s, uint32_t b, svcq_time now)
{
    wheel_slot *w = &s->wheel[b];
    went *e = w->e;
    uint32_t len = w->len, k = 0;
    size_t m = 0;
    for (uint32_t i = 0; i < len; i++) {
        went x = e[i];
        if (!x.c)
            continue;
        if (x.at <= now) {
            s->ready[m++] = make_unkeyed(x.c, x.at);
        } else {
            e[k] = x;
            x.c->wpos = k++;
        }
    }
    w->len = w->live = k;
    if (!k)
        s->used[b / 64] &= ~((uint64_t)1 << (b % 64));
    return m;
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
    rc = fold_overflow(s);
    while (rc == SVCQ_OK && s->cursor <= last) {
        /* Clocks that found no room earlier are queued before anything
         * after them is delivered. */
        if (s->npending && (rc = place_pending(s)))
            break;
        int64_t slot = next_used(s, s->cursor, last);
        if (slot == INT64_MAX) {
            if (last - s->cursor < WHEEL_SIZE) {
                s->cursor = last; /* nothing due up to `now` */
                break;
            }
            /* The wheel is empty: the next thing is on the overflow array. */
            s->cursor = s->overflow_min < last ? s->overflow_min : last;
            rc = fold_overflow(s);
            continue;
        }
        s->cursor = slot;
        if ((rc = fold_overflow(s)))
            break;
        /* Room in the ready array for the clocks of this slot (with the
         * reservations of their next places, the only allocations of an
         * advance). */
        uint32_t b = (uint32_t)(slot & WHEEL_MASK);
        size_t due = s->wheel[b].live;
        if (due > s->ready_cap) {
            ready *grown = svcq__reallocarray(s->ctx, s->ready, due, sizeof(*grown));
            if (!grown) {
                rc = svcq__enomem(s->ctx);
                break;
            }
            s->ready = grown;
            s->ready_cap = due;
        }
        ready_run(s, take_due(s, b, now), slot * ((int64_t)1 << WHEEL_SHIFT));
        rc = drain_ready(s, now, &count);
        /* The slot comes round again only after a turn of the wheel. */
        if (!s->wheel[b].live && s->wheel[b].cap)
            slot_release(s, &s->wheel[b]);
        if (slot == last)
            break;
        if (rc == SVCQ_OK)
            s->cursor = slot + 1;
    }
    if (delivered)
        *delivered = count;
    return rc;
}
