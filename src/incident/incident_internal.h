/* Internal model of an incident (svcq/incident.h), shared by the model and
 * its journal (model.c), the record codec (codec.c), the audit chain
 * (audit.c), the lifecycle calls and guards (lifecycle.c) and the archive
 * scans (archive.c).
 *
 * Atomicity: a mutating call changes the model in place through a
 * per-call journal (svcq__inc_journal) that remembers every overwritten
 * byte range and every new allocation. When the call fails before its
 * writes are done the journal is rolled back at once; once they are done it
 * becomes one undo entry of the store transaction (svcq__undo_push_for), so
 * a failing commit or a host batch that rolls back restores the handle
 * exactly. */
#ifndef SVCQ__INCIDENT_INTERNAL_H
#define SVCQ__INCIDENT_INTERNAL_H

#include "core/buf.h"
#include "core/core.h"
#include "core/json.h"
#include "core/sha256.h"
#include "svcq/incident.h"
#include "svcq/store.h"

#define SVCQ__INC_KIND "incident"
#define SVCQ__INC_AUDIT_KIND "incident_audit"
#define SVCQ__INC_SCHEMA_MAJOR 1
#define SVCQ__INC_AUDIT_MAJOR 1
#define SVCQ__INC_VOCABS 7
/* "m4294967295" and a NUL. */
#define SVCQ__INC_MID_SIZE 12
/* Longest name, role, label, key-like text. */
#define SVCQ__INC_MAX_NAME 255

typedef struct svcq__inc_attachment {
    char *kind, *uri, *note, *by;
    svcq_time at;
} svcq__inc_attachment;

typedef struct svcq__inc_member {
    char *name, *role;
} svcq__inc_member;

typedef struct svcq__inc_measure {
    char id[SVCQ__INC_MID_SIZE];
    int32_t state;
    int32_t direction;
    uint32_t loop;   /* the loop it was planned in */
    int32_t percent; /* last progress */
    char *kind, *what, *root_cause, *owner, *indicator, *unit, *feasibility, *expected_effect, *approved_by;
    char *state_note; /* reason of a cancel, note of done */
    svcq_time deadline;
    int64_t baseline, target;
    bool has_measured;
    int64_t measured;
} svcq__inc_measure;

typedef struct svcq__inc_ledger {
    int32_t kind;
    int32_t percent;
    char measure[SVCQ__INC_MID_SIZE];
    svcq_time at;
    char *actor, *note, *reason, *new_owner, *approver;
    svcq_time new_deadline;
} svcq__inc_ledger;

typedef struct svcq__inc_verification {
    svcq_time at, window_from, window_to;
    uint32_t loop;
    uint32_t recurrences;
    int32_t verdict;
    int64_t csat_before, csat_after;
    int64_t per_30_days; /* recurrences per 30 days, thousandths */
    char *by, *role, *note, *findings;
} svcq__inc_verification;

typedef struct svcq__inc_improvement {
    char *kind, *reference, *note, *by;
    svcq_time at;
} svcq__inc_improvement;

/* A growable array of T: data, len, cap. */
#define SVCQ__INC_ARRAY(T) \
    struct {               \
        T *v;              \
        size_t len, cap;   \
    }

typedef SVCQ__INC_ARRAY(char *) svcq__inc_strs;

/* A block of the model's texts (model.c): every text of a model is a
 * NUL-terminated copy in the model's chain of blocks, appended and never
 * freed alone, so a call's texts cost no allocation of their own and a
 * rollback gives their room back. A replaced text stays until the model is
 * freed or loaded again (texts are replaced rarely: lessons, an owner). */
typedef struct svcq__inc_texts {
    struct svcq__inc_texts *prev;
    size_t used, cap;
    char data[];
} svcq__inc_texts;

typedef struct svcq__inc_model {
    svcq__inc_texts *texts; /* the newest block; NULL before the first text */
    int32_t state;
    uint32_t loop;
    svcq_time reported_at, occurred_at, state_since, closed_at;
    char *type, *stage, *channel, *location, *observed, *impact;
    char *reporter_name, *reporter_contact, *reporter_role;
    char *client, *ticket, *containment, *touchpoint;
    char *similarity_key; /* the host's, NULL for the default */
    /* stage 2 */
    char *judged_by, *category, *resp_unit, *resp_person, *person_assessment, *process_assessment, *confirm_note;
    char *reject_reason, *cancel_reason, *cancel_role;
    int32_t cancelled_from;
    /* stage 7 */
    char *lessons;
    /* the periodic review (review.c): a typical case when typical_note is set */
    char *typical_note, *typical_by;
    svcq_time typical_at;
    uint32_t next_measure;
    uint64_t audit_seq;
    /* Hex, "" before the first entry. Inline: every call replaces it (a
     * text in the blocks would leave 65 bytes behind per call). */
    _Alignas(8) char audit_head[SVCQ__SHA256_HEX + 1];
    SVCQ__INC_ARRAY(svcq__inc_attachment) attachments;
    SVCQ__INC_ARRAY(svcq__inc_member) members;
    svcq__inc_strs analyses;
    SVCQ__INC_ARRAY(svcq__inc_measure) measures;
    SVCQ__INC_ARRAY(svcq__inc_ledger) ledger;
    SVCQ__INC_ARRAY(svcq__inc_verification) verifications;
    SVCQ__INC_ARRAY(svcq__inc_improvement) improvements;
    svcq__inc_strs recurrences;
} svcq__inc_model;

/* The longest similarity key: a host key (255 bytes) or three keys and two bars. */
#define SVCQ__INC_MAX_SIMKEY (3 * SVCQ_INCIDENT_MAX_KEY + 2 > SVCQ__INC_MAX_NAME ? 3 * SVCQ_INCIDENT_MAX_KEY + 2 \
                                                                                : SVCQ__INC_MAX_NAME)

/* The hash of the last similarity key an index term was made of (the
 * "similar" term of every write; the key rarely changes). */
typedef struct svcq__inc_simcache {
    size_t len; /* 0: empty (a key is never empty) */
    char key[SVCQ__INC_MAX_SIMKEY + 1];
    char hex[SVCQ__SHA256_HEX + 1];
} svcq__inc_simcache;

/* The sections of the record (codec.c), in record order. */
enum {
    SVCQ__INC_SEC_HEAD, /* id, state and times */
    SVCQ__INC_SEC_REPORT,
    SVCQ__INC_SEC_ATTACHMENTS,
    SVCQ__INC_SEC_GROUP,
    SVCQ__INC_SEC_CONFIRMATION,
    SVCQ__INC_SEC_ANALYSES,
    SVCQ__INC_SEC_MEASURES,
    SVCQ__INC_SEC_LEDGER,
    SVCQ__INC_SEC_VERIFICATIONS,
    SVCQ__INC_SEC_IMPROVEMENTS,
    SVCQ__INC_SEC_TAIL, /* the audit count and head: encoded by every call */
    SVCQ__INC_SECTIONS
};

/* Where each element of an array section lies in a record (codec.c):
 * at[2i] and at[2i + 1] are the first byte of element i and the byte after
 * it. A call that changed some elements of the array, or added some,
 * encodes just those and copies the others. */
typedef struct svcq__inc_elems {
    uint32_t *at;
    size_t len;  /* elements recorded */
    size_t cap;  /* elements at has room for */
} svcq__inc_elems;

/* The array sections with elements recorded: measures, ledger. */
#define SVCQ__INC_ELEM_ARRAYS 2

/* The record the handle stored last, with where each section starts: a
 * call copies the sections it did not change instead of encoding them.
 * valid says which sections of last are the model's bytes; any rollback
 * of the model clears it. */
typedef struct svcq__inc_cache {
    svcq__buf last;
    svcq__buf spare; /* where a call writes its audit entry, then its record */
    uint32_t off[SVCQ__INC_SECTIONS + 1];
    uint32_t next_off[SVCQ__INC_SECTIONS + 1]; /* of the record being stored */
    uint32_t valid;
    uint32_t stale; /* the sections the record being stored encoded anew */
    svcq__inc_elems el[SVCQ__INC_ELEM_ARRAYS], next_el[SVCQ__INC_ELEM_ARRAYS];
} svcq__inc_cache;



/* ---- per-context state (slot SVCQ__SLOT_INCIDENT) ---- */

/* The lifecycle hook point for issue 12 (SLA clocks on the incident): every
 * transition calls it inside its transaction, after the incident was
 * written, with the event name ("reported", "confirmed", "rejected",
 * "analysis_started", "analysis_done", "plan_approved",
 * "execution_started", "measures_done", "verified", "verification_failed",
 * "closed", "reopened", "cancelled"). A non-zero return fails the call
 * (everything is undone). */
typedef int (*svcq__inc_event_fn)(svcq_ctx *ctx, svcq_incident *inc, const char *event, void *user_data);

/* Handles whose record buffers a context keeps for the next ones. */
#define SVCQ__INC_BUF_POOL 2
/* Buffers larger than this are freed rather than kept. */
#define SVCQ__INC_BUF_KEEP (256 * 1024)

/* Analyses the guards keep parsed per context. */
#define SVCQ__INC_ANALYSIS_CACHE 4

/* What the guards need of an analysis: its root causes (node ids, in the
 * analysis's order) at one stored revision. */
typedef struct svcq__inc_an_summary {
    char *id; /* NULL: an empty slot */
    uint64_t revision;
    char **roots;
    size_t nroots;
    void *block; /* the one allocation roots, id and the roots' texts live in */
} svcq__inc_an_summary;
void svcq__inc_an_summary_clear(svcq_ctx *ctx, svcq__inc_an_summary *s);

typedef struct svcq__inc_vocab {
    char **keys, **labels;
    size_t len, cap;
} svcq__inc_vocab;

typedef struct svcq__inc_state {
    svcq__inc_vocab vocab[SVCQ__INC_VOCABS];
    uint32_t window_days;
    svcq_calendar *calendar;
    uint32_t max_recurrences;
    int64_t reopen_period;
    char **roles; /* required group roles */
    size_t nroles;
    svcq__inc_event_fn on_event;
    void *on_event_data;
    /* Attached analyses as the guards last saw them (lifecycle.c): the
     * root causes of the stored revision, reused while the stored revision
     * is the same (revisions are never reused). Filled when an analysis is
     * attached (from the handle just saved) or read anew. */
    svcq__inc_an_summary analyses[SVCQ__INC_ANALYSIS_CACHE];
    unsigned analyses_next;
    /* Record buffers of freed handles, for the next handle's cache (model.c):
     * a handle per incident would otherwise grow two buffers from nothing. */
    svcq__buf bufs[2 * SVCQ__INC_BUF_POOL];
    unsigned nbufs;
} svcq__inc_state;

/* The state, made on first use; NULL with ENOMEM recorded. */
svcq__inc_state *svcq__inc_state_get(svcq_ctx *ctx);
/* Sets the hook (NULL to remove). SVCQ_ENOMEM. */
int svcq__inc_set_event_hook(svcq_ctx *ctx, svcq__inc_event_fn fn, void *user_data);
/* Whether key is in vocab (built-in or added); SVCQ_EINVAL with a message
 * naming what, the key and the vocabulary otherwise. NULL key: "missing". */
int svcq__inc_check_key(svcq_ctx *ctx, const char *inc_id, const char *what, int32_t vocab, const char *key);

/* ---- model.c: texts ---- */

/* Checks a text (UTF-8, no control characters but tab and LF, 1..max
 * bytes, not blank): SVCQ_EINVAL / SVCQ_ELIMIT naming what. NULL or "" is
 * SVCQ_EINVAL "missing" when required, else OK. */
int svcq__inc_check_text(svcq_ctx *ctx, const char *inc_id, const char *what, const char *s, size_t max,
                         bool required);
/* The actor and role of a mutating call. */
int svcq__inc_check_actor(svcq_ctx *ctx, const char *inc_id, const char *actor, const char *role);
/* NULL for NULL or "". */
static inline const char *svcq__inc_opt(const char *s)
{
    return s && *s ? s : NULL;
}

/* ---- model.c: the model ---- */

/* A copy of s (n bytes, valid UTF-8 without NUL: SVCQ_EINVAL naming what
 * otherwise) among m's texts, for a model being built (no journal). */
int svcq__inc_text_copy(svcq_ctx *ctx, svcq__inc_model *m, const char *what, const char *s, size_t n, char **out);

void svcq__inc_model_free(svcq_ctx *ctx, svcq__inc_model *m);
int svcq__inc_handle_new(svcq_incident **out, svcq_ctx *ctx, const char *id, const svcq__inc_model *m);
svcq__inc_measure *svcq__inc_find_measure(const svcq__inc_model *m, const char *id);
bool svcq__inc_final(int32_t state);
/* The similarity key of a model ("type|stage|category" or the host's) into
 * b. */
int svcq__inc_simkey(const svcq__inc_model *m, svcq__buf *b);

/* ---- model.c: the journal ---- */

typedef struct svcq__inc_jent {
    void *addr;
    uint64_t old; /* the old bytes; for a width above 8 where they are in the journal's wide */
    uint8_t width;
    /* 0 restore, 1 restore and free old on release, 2 new allocation,
     * 3 restore bookkeeping of the texts (no field of the record) */
    uint8_t mode;
} svcq__inc_jent;

/* Entries most calls fit in without an allocation of their own. */
#define SVCQ__INC_J_INLINE 32
/* The model's audit count and head hash, side by side: what every call
 * replaces, saved as one entry. */
#define SVCQ__INC_AUDIT_BYTES (sizeof(uint64_t) + SVCQ__SHA256_HEX)
/* Room for the old bytes of saves wider than a word (one audit append). */
#define SVCQ__INC_J_WIDE SVCQ__INC_AUDIT_BYTES

typedef struct svcq__inc_journal {
    svcq_ctx *ctx;
    svcq__inc_model *m; /* whose texts the journal's copies go to */
    svcq__inc_jent *e; /* inline_e until it outgrows it */
    size_t len, cap;
    size_t wide_used;
    svcq__inc_jent inline_e[SVCQ__INC_J_INLINE];
    _Alignas(8) unsigned char wide[SVCQ__INC_J_WIDE];
} svcq__inc_journal;

void svcq__inc_j_init(svcq__inc_journal *j, svcq_ctx *ctx, svcq__inc_model *m);
/* Remembers width bytes at addr (restored on rollback): up to a word in
 * the entry, wider in the journal's wide bytes while they have room (else
 * as one entry a word). */
int svcq__inc_j_save(svcq__inc_journal *j, void *addr, size_t width);
/* *slot = a copy of s (NULL or "" stores NULL); the old string is freed when
 * the change stays. */
int svcq__inc_j_str(svcq__inc_journal *j, char **slot, const char *s);
/* A new allocation, freed on rollback. */
int svcq__inc_j_new(svcq__inc_journal *j, void *p);
/* A copy of s (NULL for NULL or "") in *out, registered as new. */
int svcq__inc_j_dup(svcq__inc_journal *j, const char *s, char **out);
/* Makes room for one more element of size elem in the array (*v, *len,
 * *cap): on return (*v)[*len] is zeroed and *len was increased by one;
 * *out points at it. */
int svcq__inc_j_push(svcq__inc_journal *j, void **v, size_t *len, size_t *cap, size_t elem, void **out);
#define SVCQ__INC_J_PUSH(j, arr, out) \
    svcq__inc_j_push((j), (void **)&(arr).v, &(arr).len, &(arr).cap, sizeof(*(arr).v), (void **)(out))
#define SVCQ__INC_J_SET(j, field, value) \
    ((rc = svcq__inc_j_save((j), &(field), sizeof(field))) ? rc : ((field) = (value), 0))
/* Restores everything and frees the journal's memory. */
void svcq__inc_j_rollback(svcq__inc_journal *j);
/* Keeps the changes: frees what they replaced and the journal's memory. */
void svcq__inc_j_commit(svcq__inc_journal *j);

/* ---- lifecycle.c: the call pattern for other files ---- */

/* Makes the changes of fn inside one mutating call (actor check, scope,
 * journal, audit entry with action/before/after, put under
 * compare-and-swap, undo entry): fn changes inc->m only through j. */
typedef int (*svcq__inc_change_fn)(svcq_incident *inc, svcq__inc_journal *j, void *user);
int svcq__inc_mutate(svcq_incident *inc, const char *actor, const char *role, svcq__inc_change_fn fn, void *user,
                     const char *action, const char *before, const char *after);

/* ---- codec.c ---- */

/* The record (compact: the stored bytes; pretty: the same, indented). */
int svcq__inc_encode(const svcq_incident *inc, svcq__buf *out, bool pretty);
/* The record a mutating call stores, into the empty buffer out: the
 * sections the call's journal j touched are encoded, the others copied
 * from the handle's cache. The same bytes as svcq__inc_encode. */
int svcq__inc_encode_call(svcq_incident *inc, const svcq__inc_journal *j, svcq__buf *out);
/* Makes the record in the spare buffer (encoded by svcq__inc_encode_call
 * and stored) the cache; the old one's buffer becomes the spare. */
void svcq__inc_cache_keep(svcq_incident *inc);

/* Decodes a record root into *m (freed with svcq__inc_model_free also on
 * failure) and the id (borrowed). */
int svcq__inc_decode(svcq_ctx *ctx, const svcq__json *root, svcq__inc_model *m, const char **id);

/* ---- audit.c ---- */

typedef struct svcq__inc_entry {
    uint64_t seq;
    svcq_time time;
    const char *actor, *role, *action, *before, *after;
    char prev[SVCQ__SHA256_HEX + 1];
    char hash[SVCQ__SHA256_HEX + 1];
} svcq__inc_entry;

/* Computes e->hash from the other fields (incident id included). */
void svcq__inc_entry_hash(const char *incident_id, svcq__inc_entry *e);
/* The record id "<incident>/<seq as 10 digits>" into out (size >= SVCQ_STORE_MAX_ID + 1). */
int svcq__inc_entry_id(svcq_ctx *ctx, const char *incident_id, uint64_t seq, char *out, size_t size);
/* Inside a scope: appends the entry that follows the model's head (sets
 * the model's audit_seq and audit_head through the journal) and puts it
 * create-only. */
int svcq__inc_audit_append(svcq_incident *inc, svcq__inc_journal *j, const char *actor, const char *role,
                           const char *action, const char *before, const char *after);

/* ---- archive.c ---- */

/* A summary of a stored incident, borrowed from the scanned document. */
typedef struct svcq__inc_summary {
    const char *id;
    int32_t state;
    svcq_time reported_at;
    const char *type, *stage, *category, *client, *simkey;
    const svcq__json *root;
} svcq__inc_summary;
typedef int (*svcq__inc_scan_fn)(svcq_ctx *ctx, const svcq__inc_summary *s, void *user);
/* Every stored incident, in id order (a full read of the kind: the
 * queries below use the index terms instead). */
int svcq__inc_scan(svcq_ctx *ctx, svcq__inc_scan_fn visit, void *user);
/* Similar incidents of (simkey, excluding id) reported in [from, to) (to 0:
 * any time): a term scan of "similar". */
int svcq__inc_count_similar(svcq_ctx *ctx, const char *id, const char *simkey, svcq_time from, svcq_time to,
                            uint32_t *count);

/* The index terms of an incident record (docs/storage.md): client (when it
 * can be a term), next_deadline (open incidents with an open measure that
 * has a deadline: the earliest), reported_at, similar ("<128-bit hash of
 * the similarity key in hex>:<reported_at, 20 digits, sign-offset>"),
 * stage, state, type. */
#define SVCQ__INC_SIMILAR_SIZE (32 + 1 + 20 + 1)
typedef struct svcq__inc_terms {
    svcq_store_term t[7];
    size_t n;
    char similar[SVCQ__INC_SIMILAR_SIZE];
    char key[SVCQ__INC_MAX_SIMKEY + 1];
} svcq__inc_terms;
/* The terms of the model, into x (strings borrowed from m and x); cache
 * (NULL for none) keeps the hash of the similarity key between calls. */
void svcq__inc_terms_of(const svcq__inc_model *m, svcq__inc_terms *x, svcq__inc_simcache *cache);

/* The sections of the record the terms are made of. */
#define SVCQ__INC_TERM_SECTIONS                                                                 \
    ((1u << SVCQ__INC_SEC_HEAD) | (1u << SVCQ__INC_SEC_REPORT) | (1u << SVCQ__INC_SEC_CONFIRMATION) | \
     (1u << SVCQ__INC_SEC_MEASURES))

struct svcq_incident {
    svcq_ctx *ctx;
    char *id;
    uint64_t revision;
    svcq__inc_model m;
    char *simkey; /* cache for svcq_incident_similarity_key() */
    svcq__inc_simcache simc;
    svcq__inc_cache cache;
    /* The terms of the record stored last: a call that encoded none of
     * their sections anew (cache.stale) puts them again. */
    svcq__inc_terms terms;
};

#endif
