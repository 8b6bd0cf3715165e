/* Binary min-heap of (int64 key, item) pairs. Keys sit inline so the hot
 * comparisons touch no item memory; equal keys are ordered by an optional
 * tie-break so that the order of events is deterministic. An optional index
 * callback tells each item where it sits, which makes update and remove of
 * an arbitrary item O(log n). */
#ifndef SQ_HEAP_H
#define SQ_HEAP_H

#include "core/core.h"

#define SQ_HEAP_NONE SIZE_MAX

/* Negative, zero or positive like strcmp; called only for equal keys. */
typedef int (*sq_heap_tie_fn)(const void *a, const void *b);
/* Told the item's new index, or SQ_HEAP_NONE when it leaves the heap. */
typedef void (*sq_heap_index_fn)(void *item, size_t index);

typedef struct sq_heap_entry {
    int64_t key;
    void *item;
} sq_heap_entry;

typedef struct sq_heap {
    svcq_ctx *ctx;
    sq_heap_entry *entries;
    size_t len;
    size_t cap;
    sq_heap_tie_fn tie;
    sq_heap_index_fn set_index;
} sq_heap;

void sq_heap_init(sq_heap *h, svcq_ctx *ctx, sq_heap_tie_fn tie, sq_heap_index_fn set_index);
void sq_heap_free(sq_heap *h);
/* Makes room for count entries in total; on failure the heap is unchanged. */
int sq_heap_reserve(sq_heap *h, size_t count);
/* SVCQ_ENOMEM leaves the heap unchanged. */
int sq_heap_push(sq_heap *h, int64_t key, void *item);
/* The smallest entry, or NULL when empty. */
const sq_heap_entry *sq_heap_peek(const sq_heap *h);
/* Removes the smallest entry into *out; false when empty. */
bool sq_heap_pop(sq_heap *h, sq_heap_entry *out);
/* Removes the entry at index (as told by the index callback). */
void sq_heap_remove(sq_heap *h, size_t index);
/* Gives the entry at index a new key and restores the heap order. */
void sq_heap_update(sq_heap *h, size_t index, int64_t key);

#endif
