/* Internal core API: the context, allocation through its hooks, errors, log.
 * Nothing here is exported; every module of src/ includes it. */
#ifndef SVCQ__CORE_H
#define SVCQ__CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svcq/context.h"

#if defined(__GNUC__) || defined(__clang__)
#define SVCQ__PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define SVCQ__LIKELY(x) __builtin_expect(!!(x), 1)
#define SVCQ__UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define SVCQ__PRINTF(fmt, args)
#define SVCQ__LIKELY(x) (x)
#define SVCQ__UNLIKELY(x) (x)
#endif

#define SVCQ__ERRMSG_SIZE 512
/* The most negative error code this build names (svcq_strerror); it moves
 * when codes are added, so nothing but tests of svcq_strerror may use it. */
#define SVCQ__ERROR_LAST SVCQ_EABORTED
/* The stable bound of the reserved error range (svcq/common.h): what a host
 * callback may pass through. Kept under this name for the callers in store
 * and sla; new code calls svcq__callback_rc(). */
#define SVCQ__ERROR_MIN SVCQ_ERROR_RESERVED_MIN

/* Module slots: core knows no module above it. A module keeps its
 * per-context state in its slot, made when the module is first used on the
 * context; svcq_ctx_free runs the registered teardowns in reverse slot
 * order (the store, lowest, last: the modules above it may still release
 * undo entries into it). Add a module here, in layering order. */
enum {
    SVCQ__SLOT_STORE = 0,
    SVCQ__SLOT_CALENDAR,
    SVCQ__SLOT_SLA,
    SVCQ__SLOT_TIER,
    SVCQ__SLOT_ANALYSIS,
    SVCQ__SLOT_INCIDENT,
    SVCQ__SLOT_INCIDENT_LOOP, /* the incident's SLA, breach rules, matrix (src/incident/sla_link.c) */
    SVCQ__SLOT_SCORECARD,
    SVCQ__SLOT_METRICS,
    SVCQ__SLOT_COUNT
};

/* Releases a module's state when the context is freed. */
typedef void (*svcq__slot_teardown_fn)(svcq_ctx *ctx, void *state);

struct svcq_ctx {
    svcq_malloc_fn malloc_fn;
    svcq_realloc_fn realloc_fn;
    svcq_free_fn free_fn;
    void *alloc_user_data;
    svcq_clock_fn clock_fn;
    void *clock_user_data;
    svcq_log_fn log_fn;
    void *log_user_data;
    int32_t log_min_level;
    /* Names shared by the modules (SLA event names), see core/intern.h. */
    struct svcq__interner *interner;
    /* Fixed size so that reporting ENOMEM never needs memory. */
    char errmsg[SVCQ__ERRMSG_SIZE];

    /* Per-context state of the modules above core, one slot each (see
     * svcq__ctx_slot below). */
    void *slots[SVCQ__SLOT_COUNT];
    svcq__slot_teardown_fn slot_teardown[SVCQ__SLOT_COUNT];
};

/* The state a module registered in slot id (NULL when none): one load, for
 * hot paths. id must be a SVCQ__SLOT_* value. */
static inline void *svcq__ctx_slot(const svcq_ctx *ctx, int id)
{
    return ctx->slots[id];
}
/* Registers state (owned by the module) in slot id with the teardown that
 * svcq_ctx_free will call on it (may be NULL). state NULL empties the slot
 * without calling anything. SVCQ_EINVAL for a bad id; SVCQ_ESTATE if the
 * slot is taken (a module registers once; empty it first to replace). */
int svcq__ctx_slot_set(svcq_ctx *ctx, int id, void *state, svcq__slot_teardown_fn teardown);

/* Allocation through the context's hooks. All return NULL on failure (and on
 * size overflow); none records an error message, callers do. */
void *svcq__malloc(svcq_ctx *ctx, size_t size);
void *svcq__calloc(svcq_ctx *ctx, size_t count, size_t size);
void *svcq__realloc(svcq_ctx *ctx, void *ptr, size_t size);
/* realloc of count * size bytes, failing on overflow. */
void *svcq__reallocarray(svcq_ctx *ctx, void *ptr, size_t count, size_t size);
void svcq__free(svcq_ctx *ctx, void *ptr);

/* Records a detailed message on ctx (if not NULL) and returns code, so that
 * error paths read `return svcq__error(ctx, SVCQ_EINVAL, "...")`. */
int svcq__error(svcq_ctx *ctx, int code, const char *fmt, ...) SVCQ__PRINTF(3, 4);
/* The same, keeping the message already on ctx after the new text and ": "
 * ("record calendar \"x\": <what the decoder said>"): how a caller adds
 * which object a lower layer's failure concerns. */
int svcq__error_prefix(svcq_ctx *ctx, int code, const char *fmt, ...) SVCQ__PRINTF(3, 4);
/* The common ENOMEM report. */
int svcq__enomem(svcq_ctx *ctx);

/* Sends a formatted message to the log hook when one is set and the level
 * passes the filter. Long messages are cut at 1 KiB. */
void svcq__log(svcq_ctx *ctx, int32_t level, const char *fmt, ...) SVCQ__PRINTF(3, 4);

/* What a host callback's return becomes (the rule of svcq/common.h): 0 goes
 * on, a value in SVCQ_ERROR_RESERVED_MIN..-1 passes through unchanged, any
 * other value is SVCQ_EABORTED. */
static inline int svcq__callback_rc(int rc)
{
    if (rc == 0)
        return SVCQ_OK;
    return rc < 0 && rc >= SVCQ_ERROR_RESERVED_MIN ? rc : SVCQ_EABORTED;
}

/* Every versioned table of the API starts with uint32_t version. Its init
 * function zeroes the table and sets the version, after checking the
 * version is one this build knows (1 to newest): SVCQ_EINVAL for NULL,
 * SVCQ_EVERSION otherwise. */
int svcq__table_init(void *table, size_t size, uint32_t version, uint32_t newest);
/* Whether n bytes at p are all zero (reserved fields must be). */
bool svcq__all_zero(const void *p, size_t n);

/* Overflow-checked arithmetic used by sizes throughout. */
static inline bool svcq__size_mul(size_t a, size_t b, size_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}
static inline bool svcq__size_add(size_t a, size_t b, size_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}

#endif
