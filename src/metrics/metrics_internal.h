/* Internals of the metrics module: facts, rollups, their tables.
 *
 * Layout: metrics.c (the set, facts, rollups, put with undo, KPIs),
 * metrics_json.c (fact and rollup records, the canonical rollup dump),
 * report.c (KPI exports, the weekly report, its charts, cycles, risk
 * points), import.c (JSON lines and CSV). */
#ifndef SVCQ__METRICS_INTERNAL_H
#define SVCQ__METRICS_INTERNAL_H

#include "core/buf.h"
#include "core/core.h"
#include "core/map.h"
#include "svcq/metrics.h"

#define SVCQ__MX_NPERIOD 7 /* kinds 1..6 */
#define SVCQ__MX_NDIM 9    /* dims 0..8 */
#define SVCQ__MX_NSTR 8    /* client tier channel category agent complaint location stage */

/* Indexes of a fact's strings. */
enum { MXS_CLIENT = 0, MXS_TIER, MXS_CHANNEL, MXS_CATEGORY, MXS_AGENT, MXS_COMPLAINT, MXS_LOCATION, MXS_STAGE };

/* A slot of a counting table: key and count side by side, so a probe and
 * its update touch one cache line. */
typedef struct svcq__mx_slot {
    int64_t key;
    int64_t count;
} svcq__mx_slot;

/* An exact counting table: int64 key -> int64 count, open addressing,
 * linear probing. Keys are never removed (a count may drop to 0, which is
 * the same as absent for every reader). Empty slots hold key INT64_MIN. */
typedef struct svcq__mx_ctab {
    svcq__mx_slot *slots;
    uint32_t cap;  /* 0 or a power of two */
    uint32_t used; /* keys present */
} svcq__mx_ctab;

/* A multiset of int64 values in no order (a day rollup's response times or
 * clients, one entry per fact): the entries v[0, n) plus the counts of base.
 * A put appends one entry (one cache line instead of a hash probe); a
 * removal (the old version of an updated fact) subtracts 1 from base (a
 * count may go negative while its entry sits in v), so it costs one probe,
 * not a scan of the day. When removals since the last compaction reach
 * half of the multiset the entries are folded into base (amortised O(1));
 * base never loses a key, so undoing a removal never allocates. */
typedef struct svcq__mx_log {
    /* The entries: while narrow, 32-bit offsets from origin (the first
     * key logged; a day's response seconds and pooled client addresses
     * stay within 2^31 of it, and half the bytes are half the page
     * faults); widened to int64 keys for good when a key does not fit. */
    void *v;
    int64_t origin;
    uint32_t n, cap;
    uint32_t nrem; /* removals since the last compaction */
    bool wide;
    svcq__mx_ctab base;
} svcq__mx_log;

/* A rollup: the sums of one (period kind, period start, dim, value).
 * Only day rollups are kept up to date by the puts (and stored); a rollup
 * of a longer period is derived on demand from the day rollups it covers
 * (its parts): the counters when the period is derived, the exact tables
 * only when a reader needs them (svcq__mx_tables). */
typedef struct svcq__mx_rollup {
    uint8_t key[16]; /* period(1) dim(1) pad(2) start day(4) value pointer(8) */
    int32_t start;   /* local day number of the period's first day */
    uint8_t period, dim;
    bool clients_on;   /* counts distinct clients (not with SVCQ_METRICS_CLIENTS_ALL_TIER) */
    const char *value; /* pooled; "" for ALL */
    uint64_t revision; /* of its record */
    uint64_t mark;     /* dedupe of touched rollups per put */
    /* Counters. */
    int64_t raised, resolved, rated, satisfied, csat_sum, unrated;
    int64_t fcr[5];          /* by svcq_metrics_fcr (index 1..4) */
    int64_t responded, resp_sum, resp_biz_sum;
    int64_t complaints, repeats, measures_due, measures_on_time;
    int64_t sla_met, sla_decided;
    int64_t clients_distinct;     /* with the tables */
    /* Day rollups: the multisets the puts keep (lclients when clients_on). */
    svcq__mx_log lresp, lresp_biz, lclients;
    /* The exact tables readers use, made from the logs by svcq__mx_tables
     * (valid while tables_ok), except sla, which day rollups keep up to
     * date. */
    svcq__mx_ctab resp, resp_biz; /* seconds -> count */
    svcq__mx_ctab clients;        /* pooled client pointer -> facts */
    svcq__mx_ctab sla;            /* pooled target pointer | breached bit -> count */
    /* Derived rollups only. */
    struct svcq__mx_rollup **parts; /* the day rollups summed */
    uint32_t nparts, capparts;
    bool derived, tables_ok;
} svcq__mx_rollup;

/* The rollups of one (period, start, dim): for listings. */
typedef struct svcq__mx_group {
    uint8_t key[8];
    svcq__mx_rollup **items;
    size_t n, cap;
} svcq__mx_group;

typedef struct svcq__mx_sla {
    const char *target; /* pooled */
    int32_t outcome;
} svcq__mx_sla;

/* Ids up to this length (with the NUL) live inside the fact. */
#define SVCQ__MX_ID_INLINE 16

/* A fact's times after received, as offsets (svcq__mx_ftime). */
enum { MXT_FIRST_REPLY = 0, MXT_RESOLVED, MXT_CLOSED, MXT_REOPENED };
/* An offset meaning "no such time". */
#define SVCQ__MX_T_NONE UINT32_MAX

/* A fact as the set keeps it, in the set's fact slab: 128 bytes, two
 * cache lines (the facts' memory is much of a big set's, and its page
 * faults much of the ingest's time): strings as 32-bit indexes into the
 * set's pool, the times after received as 32-bit offsets from it. A fact
 * whose offsets or business response do not fit in 32 bits is wide: its
 * exact times are kept after its SLA outcomes (svcq__mx_ftime). */
typedef struct svcq__mx_fact {
    svcq_time received;
    svcq__mx_sla *sla;  /* owned: nsla outcomes, then when wide 5 int64: the 4 times and resp_biz */
    uint64_t revision;  /* of its record */
    uint32_t t[4];      /* MXT_* - received, SVCQ__MX_T_NONE for none (not wide) */
    uint32_t resp_biz;  /* business response seconds, with a first reply (not wide) */
    uint32_t s[SVCQ__MX_NSTR]; /* pool indexes (svcq__mx_str), 0 for none */
    uint32_t pend;      /* 1 + its index in the set's pending facts; 0: in the rollups */
    uint32_t ix;        /* its place in the slab (chunk ix >> 10, slot ix & 1023), for the fact table */
    int32_t contacts, agent_replies, customer_replies; /* 0 to 1000000 */
    int32_t measures_due, measures_on_time;
    uint16_t idlen;     /* at most SVCQ_METRICS_MAX_STRING */
    uint8_t nsla;       /* at most SVCQ_METRICS_MAX_SLA */
    int8_t csat;        /* 0 to 5 */
    uint8_t complaint, repeat; /* 0 or 1 */
    bool reopened_soon; /* no reopen within N business days (FCR_NO_REOPEN) */
    bool wide;          /* times kept after the SLA outcomes */
    union {
        char buf[SVCQ__MX_ID_INLINE]; /* idlen < SVCQ__MX_ID_INLINE */
        char *ptr;                    /* owned, longer ids */
    } id;
} svcq__mx_fact;

/* The fact's id. */
static inline const char *svcq__mx_fid(const svcq__mx_fact *f)
{
    return f->idlen < SVCQ__MX_ID_INLINE ? f->id.buf : f->id.ptr;
}

/* Time k (MXT_*) of fact f, SVCQ_METRICS_NO_TIME for none. */
static inline svcq_time svcq__mx_ftime(const svcq__mx_fact *f, int k)
{
    if (f->wide)
        return ((const int64_t *)(const void *)(f->sla + f->nsla))[k];
    return f->t[k] == SVCQ__MX_T_NONE ? SVCQ_METRICS_NO_TIME : f->received + (svcq_time)f->t[k];
}

/* Calendar seconds from receipt to first reply (a first reply present). */
static inline int64_t svcq__mx_fresp(const svcq__mx_fact *f)
{
    return f->wide ? svcq__mx_ftime(f, MXT_FIRST_REPLY) - f->received : (int64_t)f->t[MXT_FIRST_REPLY];
}

/* Business response seconds, -1 without a first reply. */
static inline int64_t svcq__mx_fresp_biz(const svcq__mx_fact *f)
{
    if (f->wide)
        return ((const int64_t *)(const void *)(f->sla + f->nsla))[4];
    return f->t[MXT_FIRST_REPLY] == SVCQ__MX_T_NONE ? -1 : (int64_t)f->resp_biz;
}

/* True when the fact has a first reply / a resolution. */
static inline bool svcq__mx_fhas(const svcq__mx_fact *f, int k)
{
    return f->wide ? svcq__mx_ftime(f, k) != SVCQ_METRICS_NO_TIME : f->t[k] != SVCQ__MX_T_NONE;
}

/* A slot of the fact table, 8 bytes: 0 when empty, else the id hash's
 * 32-bit tag (which also gives the home slot) << 32 | (the fact's ix + 1). */
typedef uint64_t svcq__mx_fslot;

#define SVCQ__MX_FCHUNK_BITS 10 /* 1024 facts per slab chunk */

/* A slot of a day's index: a dimension value (pooled pointer, NULL for
 * ALL) and its rollup (NULL: empty). */
typedef struct svcq__mx_rslot {
    const char *v;
    svcq__mx_rollup *r;
} svcq__mx_rslot;

/* The day rollups of one day by dimension and value: a put finds its day
 * once, then each rollup by one probe of a small table keyed by the pooled
 * value's address (no 16-byte key to hash). */
typedef struct svcq__mx_dayix {
    int32_t day;
    struct {
        svcq__mx_rslot *slots;
        uint32_t cap, used; /* cap 0 or a power of two */
    } dim[SVCQ__MX_NDIM];
} svcq__mx_dayix;

/* Strings a put looked up lately, by the caller's pointer: a hit is
 * checked by comparing the bytes, so a pointer reused for another string
 * only misses. */
#define SVCQ__MX_SCACHE 8192
typedef struct svcq__mx_scache {
    const char *src;    /* the caller's pointer (compared, never read) */
    const char *pooled; /* the pooled copy */
} svcq__mx_scache;

struct svcq_metrics {
    svcq_ctx *ctx;
    char name[65];
    uint32_t flags;
    svcq_calendar *cal; /* business time, owned */
    svcq_tz *tz;        /* periods, owned */
    int32_t fcr_def, fcr_days, attribution;
    uint32_t periods, dims, target_mask;
    uint8_t dimv[SVCQ__MX_NDIM], ndimv; /* the dimensions offered, in order */
    int64_t targets[16];
    svcq__map pool;    /* string -> owned copy (value is the copy; key inside it) */
    /* The pooled strings by index (pstr[0] NULL: none); a pooled copy
     * keeps its index in the 4 bytes before it. */
    const char **pstr;
    uint32_t npstr, cappstr;
    svcq__mx_scache scache[SVCQ__MX_SCACHE];
    /* Facts: an open-addressing table by id (one probe finds the fact or
     * the slot for it), the facts in slabs with a free list. */
    svcq__mx_fslot *fslots;
    size_t fcap, fcount;
    svcq__mx_fact *ffree;
    void **fchunks;
    size_t nfchunks, capfchunks;
    svcq__mx_fact *fbump;
    size_t fleft;
    /* Pending facts (sets without SVCQ_METRICS_PERSIST): a put of a new fact
     * (or of one still pending) only keeps the fact; svcq__mx_flush adds
     * the pending facts to the day rollups in day order before anything
     * reads them. */
    svcq__mx_fact **pend;
    size_t npend, cappend;
    size_t flush_at; /* pending facts that make a put add them first */
    /* The day index: day -> svcq__mx_dayix, open addressing. */
    svcq__mx_dayix **dslots;
    uint32_t dcap, dused;
    svcq__map rollups; /* key[16] -> svcq__mx_rollup */
    svcq__map groups;  /* key[8] -> svcq__mx_group */
    uint64_t mark;
    /* Rollups of periods longer than a day, derived from the day rollups
     * (svcq__mx_derive) and valid while gen == dgen; every change of the
     * facts bumps gen. */
    svcq__map dcache;   /* key[16] -> derived svcq__mx_rollup */
    svcq__map dgroups;  /* key[8] -> svcq__mx_group of derived rollups */
    svcq__map dperiods; /* key[8] (period, start) -> the set: periods derived */
    uint64_t gen, dgen;
};

/* The first fact of a slab chunk: chunks are allocated 64 bytes larger
 * and their facts start on a cache line. */
static inline svcq__mx_fact *svcq__mx_chunk_base(void *chunk)
{
    return (svcq__mx_fact *)(((uintptr_t)chunk + 63) & ~(uintptr_t)63);
}

/* The fact of slot i of the fact table, or NULL. */
static inline svcq__mx_fact *svcq__mx_fact_at(const svcq_metrics *m, size_t i)
{
    uint64_t e = m->fslots[i];
    if (!e)
        return NULL;
    uint32_t ix = (uint32_t)e - 1;
    return svcq__mx_chunk_base(m->fchunks[ix >> SVCQ__MX_FCHUNK_BITS]) + (ix & ((1u << SVCQ__MX_FCHUNK_BITS) - 1));
}

/* String i (MXS_*) of fact f, pooled, or NULL. */
static inline const char *svcq__mx_str(const svcq_metrics *m, const svcq__mx_fact *f, int i)
{
    return m->pstr[f->s[i]];
}

/* The local day number of instant t in the set's zone. */
int64_t svcq__mx_day(const svcq_metrics *m, svcq_time t);
/* The first day of the period of kind holding day. */
int64_t svcq__mx_period_start(int32_t kind, int64_t day);
/* The first day of the next period. */
int64_t svcq__mx_period_next(int32_t kind, int64_t start);
/* Label of the period starting on day start ("2026-W53"). */
void svcq__mx_period_label(int32_t kind, int64_t start, char out[16]);
/* First instant of local day. */
int svcq__mx_day_instant(svcq_metrics *m, int64_t day, svcq_time *out);

/* Adds the pending facts to the day rollups, in day order (the rollups of
 * one day stay in cache). SVCQ_ENOMEM: the facts not added stay pending,
 * and the set means the same. Every reader of rollups calls it first
 * (svcq__mx_derive, svcq__mx_dump and the loading do). */
int svcq__mx_flush(svcq_metrics *m);
/* Derives the rollups of (period, start) from the day rollups when they
 * are not derived yet or the facts changed since; no-op for days.
 * SVCQ_ENOMEM. Readers call it before svcq__mx_find / svcq__mx_group_find
 * of a longer period. */
int svcq__mx_derive(svcq_metrics *m, int32_t period, int64_t start);
/* Makes the exact tables of a rollup (resp, resp_biz, clients and
 * clients_distinct from the day logs; a derived rollup's sla merged from
 * its parts) unless they are current. SVCQ_ENOMEM (r left without them).
 * Every reader of those members calls it first. */
int svcq__mx_tables(svcq_metrics *m, svcq__mx_rollup *r);
/* Finds a rollup (NULL when absent). value NULL means "". A rollup of a
 * period longer than a day is found only once svcq__mx_derive made it. */
svcq__mx_rollup *svcq__mx_find(const svcq_metrics *m, int32_t period, int64_t start, int32_t dim, const char *value);
/* The group of (period, start, dim) or NULL. */
const svcq__mx_group *svcq__mx_group_find(const svcq_metrics *m, int32_t period, int64_t start, int32_t dim);
/* The pooled copy of s if pooled already, else NULL. */
const char *svcq__mx_pool_find(const svcq_metrics *m, const char *s);

/* KPI of a rollup (r may be NULL: an empty period). target == NULL for
 * all SLA targets. */
int svcq__mx_value(svcq_metrics *m, const svcq__mx_rollup *r, int32_t kpi, const char *sla_target,
                   svcq_metrics_value *out);
/* Exact nearest-rank quantile num/den (0 < num <= den) of a counting table
 * with total n; SVCQ_ENOMEM. */
int svcq__mx_quantile(svcq_ctx *ctx, const svcq__mx_ctab *t, int64_t n, int64_t num, int64_t den, int64_t *out);
/* Rounded a * scale / b, half away from zero (b > 0, a >= 0). */
int64_t svcq__mx_ratio(int64_t a, int64_t b, int64_t scale);

/* Records. */
int svcq__mx_fact_json(const svcq_metrics *m, const svcq__mx_fact *f, svcq__buf *out);
int svcq__mx_rollup_json(const svcq_metrics *m, const svcq__mx_rollup *r, svcq__buf *out);
/* The rollup's record id: "<name>/<period>/<label>/<dim>/<value>". */
int svcq__mx_rollup_id(const svcq_metrics *m, const svcq__mx_rollup *r, svcq__buf *out);
/* Every non-empty rollup as its JSON, one per line, sorted: the day
 * rollups and the derived rollups of every period offered; the canonical
 * state the property test compares. */
int svcq__mx_dump(svcq_metrics *m, svcq__buf *out);

/* Loading: puts a fact read from its record (revision) without storing
 * it; finds or makes the rollup of (period, start, dim, value). */
int svcq__mx_put_loaded(svcq_metrics *m, const svcq_metrics_fact *fact, uint64_t revision);
int svcq__mx_rollup_adopt(svcq_metrics *m, int32_t period, int64_t start, int32_t dim, const char *value,
                          svcq__mx_rollup **out);

/* The weekly report's inputs from the incident archive (incidents.c). */
typedef struct svcq__mx_archive_in {
    int64_t open, overdue;
    char **names; /* reporters, owned */
    int64_t *counts;
    uint32_t n, cap;
} svcq__mx_archive_in;
/* Fills a with what the SVCQ_METRICS_ARCHIVE_* bits of what ask for, over
 * the week [start, end); on failure a is empty. */
int svcq__mx_archive(svcq_metrics *m, uint32_t what, svcq_time start, svcq_time end, svcq__mx_archive_in *a);
void svcq__mx_archive_free(svcq_metrics *m, svcq__mx_archive_in *a);

/* Parses "2026-01-05T09:00:00Z" / "+08:00" offsets, or an integer. */
bool svcq__mx_parse_time(const char *s, size_t len, svcq_time *out);
/* Formats an instant in the set's zone (RFC 3339 with offset). */
int svcq__mx_fmt_time(svcq_metrics *m, svcq_time t, char out[40]);

#endif
