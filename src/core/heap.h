/* Binary min-heap of (int64 key, item) pairs. Keys sit inline so the hot
 * comparisons touch no item memory; equal keys are ordered by an optional
 * tie-break so that the order of events is deterministic. An optional index
 * callback tells each item where it sits, which makes update and remove of
 * an arbitrary item O(log n). */
#ifndef SVCQ__HEAP_H
#define SVCQ__HEAP_H

#include "core/core.h"

#define SVCQ__HEAP_NONE SIZE_MAX

/* Negative, zero or positive like strcmp; called only for equal keys. */
typedef int (*svcq__heap_tie_fn)(const void *a, const void *b);
/* Told the item's new index, or SVCQ__HEAP_NONE when it leaves the heap. */
typedef void (*svcq__heap_index_fn)(void *item, size_t index);

typedef struct svcq__heap_entry {
    int64_t key;
    void *item;
} svcq__heap_entry;

typedef struct svcq__heap {
    svcq_ctx *ctx;
    svcq__heap_entry *entries;
    size_t len;
    size_t cap;
    svcq__heap_tie_fn tie;
    svcq__heap_index_fn set_index;
} svcq__heap;

void svcq__heap_init(svcq__heap *h, svcq_ctx *ctx, svcq__heap_tie_fn tie, svcq__heap_index_fn set_index);
void svcq__heap_free(svcq__heap *h);
/* Makes room for count entries in total; on failure the heap is unchanged. */
int svcq__heap_reserve(svcq__heap *h, size_t count);
/* SVCQ_ENOMEM leaves the heap unchanged. */
int svcq__heap_push(svcq__heap *h, int64_t key, void *item);
/* The smallest entry, or NULL when empty. */
const svcq__heap_entry *svcq__heap_peek(const svcq__heap *h);
/* Removes the smallest entry into *out; false when empty. */
bool svcq__heap_pop(svcq__heap *h, svcq__heap_entry *out);
/* Removes the entry at index (as told by the index callback). */
void svcq__heap_remove(svcq__heap *h, size_t index);
/* Gives the entry at index a new key and restores the heap order. */
void svcq__heap_update(svcq__heap *h, size_t index, int64_t key);

#endif
