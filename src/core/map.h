/* Open-addressing hash map from byte-string keys to non-NULL pointers.
 * Linear probing with backward-shift deletion (no tombstones), power-of-two
 * capacity, load factor at most 3/4, fixed hash seed so iteration order is
 * reproducible. Keys are borrowed: the memory a key points at must stay
 * valid while the entry is in the map (keep it inside the value). */
#ifndef SQ_MAP_H
#define SQ_MAP_H

#include "core/core.h"

typedef struct sq_map_slot {
    uint64_t hash; /* 0 marks an empty slot */
    const void *key;
    size_t keylen;
    void *value;
} sq_map_slot;

typedef struct sq_map {
    svcq_ctx *ctx;
    sq_map_slot *slots;
    size_t cap;   /* 0 or a power of two */
    size_t count;
} sq_map;

uint64_t sq_hash(const void *data, size_t n);

void sq_map_init(sq_map *m, svcq_ctx *ctx);
/* Frees the table only; keys and values belong to the caller. */
void sq_map_free(sq_map *m);
/* Makes room for count entries in total so that later puts of new keys up
 * to that count cannot fail. On failure the map is unchanged. */
int sq_map_reserve(sq_map *m, size_t count);
void *sq_map_get(const sq_map *m, const void *key, size_t keylen);
/* Inserts or replaces. value must not be NULL. *old receives the replaced
 * value or NULL (old may be NULL). SVCQ_ENOMEM leaves the map unchanged. */
int sq_map_put(sq_map *m, const void *key, size_t keylen, void *value, void **old);
/* Removes and returns the value, or NULL when absent. Never fails. */
void *sq_map_remove(sq_map *m, const void *key, size_t keylen);
/* Iteration: start with *iter = 0; returns false at the end. The map must
 * not change during an iteration. */
bool sq_map_next(const sq_map *m, size_t *iter, const void **key, size_t *keylen, void **value);

#endif
