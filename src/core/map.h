/* Open-addressing hash map from byte-string keys to non-NULL pointers.
 * Linear probing with backward-shift deletion (no tombstones), power-of-two
 * capacity, load factor at most 3/4, fixed hash seed so iteration order is
 * reproducible. Keys are borrowed: the memory a key points at must stay
 * valid while the entry is in the map (keep it inside the value). */
#ifndef SVCQ__MAP_H
#define SVCQ__MAP_H

#include "core/core.h"

typedef struct svcq__map_slot {
    uint64_t hash; /* 0 marks an empty slot */
    const void *key;
    size_t keylen;
    void *value;
} svcq__map_slot;

typedef struct svcq__map {
    svcq_ctx *ctx;
    svcq__map_slot *slots;
    size_t cap;   /* 0 or a power of two */
    size_t count;
} svcq__map;

uint64_t svcq__hash(const void *data, size_t n);

void svcq__map_init(svcq__map *m, svcq_ctx *ctx);
/* Frees the table only; keys and values belong to the caller. */
void svcq__map_free(svcq__map *m);
/* Makes room for count entries in total so that later puts of new keys up
 * to that count cannot fail. On failure the map is unchanged. */
int svcq__map_reserve(svcq__map *m, size_t count);
void *svcq__map_get(const svcq__map *m, const void *key, size_t keylen);
/* Inserts or replaces. value must not be NULL. *old receives the replaced
 * value or NULL (old may be NULL). SVCQ_ENOMEM leaves the map unchanged. */
int svcq__map_put(svcq__map *m, const void *key, size_t keylen, void *value, void **old);
/* One probe for a caller that may then insert without probing again:
 * the slot holding key (*found true) or the empty slot where a put of key
 * would go (*found false). m->cap must not be 0. h is svcq__hash(key). */
size_t svcq__map_probe(const svcq__map *m, const void *key, size_t keylen, uint64_t h, bool *found);
/* Whether a new key fits without the table growing. */
static inline bool svcq__map_has_room(const svcq__map *m)
{
    return m->cap && m->count + 1 <= m->cap / 4 * 3;
}
/* Puts key (hash h) and value into the empty slot i that svcq__map_probe
 * returned, with no change to the map in between and svcq__map_has_room
 * true. Never fails. */
void svcq__map_fill(svcq__map *m, size_t i, uint64_t h, const void *key, size_t keylen, void *value);
/* Points the occupied slot i (from svcq__map_probe) at value, under key
 * (the same bytes as the key there, possibly elsewhere in memory). */
static inline void svcq__map_set_at(svcq__map *m, size_t i, const void *key, void *value)
{
    m->slots[i].key = key;
    m->slots[i].value = value;
}
/* Removes and returns the value, or NULL when absent. Never fails. */
void *svcq__map_remove(svcq__map *m, const void *key, size_t keylen);
/* Iteration: start with *iter = 0; returns false at the end. The map must
 * not change during an iteration. */
bool svcq__map_next(const svcq__map *m, size_t *iter, const void **key, size_t *keylen, void **value);

#endif
