#include <string.h>

#include "core/map.h"

/* 64-bit hash: FNV-1a's simplicity with 8-byte strides and a strong final
 * mix (from splitmix64), good enough for ids and short names. */
static inline uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

uint64_t svcq__hash(const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = mix(h ^ w);
        p += 8;
        n -= 8;
    }
    uint64_t tail = 0;
    for (size_t i = 0; i < n; i++)
        tail |= (uint64_t)p[i] << (8 * i);
    h = mix(h ^ tail ^ UINT64_C(0x5851f42d4c957f2d));
    return h ? h : 1;
}

void svcq__map_init(svcq__map *m, svcq_ctx *ctx)
{
    m->ctx = ctx;
    m->slots = NULL;
    m->cap = 0;
    m->count = 0;
}

void svcq__map_free(svcq__map *m)
{
    svcq__free(m->ctx, m->slots);
    m->slots = NULL;
    m->cap = 0;
    m->count = 0;
}

static void insert_slot(svcq__map_slot *slots, size_t cap, const svcq__map_slot *e)
{
    size_t mask = cap - 1;
    size_t i = (size_t)e->hash & mask;
    while (slots[i].hash)
        i = (i + 1) & mask;
    slots[i] = *e;
}

static int rehash(svcq__map *m, size_t cap)
{
    svcq__map_slot *slots = svcq__calloc(m->ctx, cap, sizeof(*slots));
    if (!slots)
        return SVCQ_ENOMEM;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].hash)
            insert_slot(slots, cap, &m->slots[i]);
    svcq__free(m->ctx, m->slots);
    m->slots = slots;
    m->cap = cap;
    return SVCQ_OK;
}

int svcq__map_reserve(svcq__map *m, size_t count)
{
    size_t cap = m->cap ? m->cap : 8;
    /* count <= 3/4 cap */
    while (count > cap / 4 * 3) {
        if (cap > SIZE_MAX / 2 / sizeof(svcq__map_slot))
            return SVCQ_ENOMEM;
        cap *= 2;
    }
    if (cap == m->cap)
        return SVCQ_OK;
    return rehash(m, cap);
}

size_t svcq__map_probe(const svcq__map *m, const void *key, size_t keylen, uint64_t h, bool *found)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        const svcq__map_slot *s = &m->slots[i];
        if (!s->hash) {
            *found = false;
            return i;
        }
        if (s->hash == h && s->keylen == keylen && memcmp(s->key, key, keylen) == 0) {
            *found = true;
            return i;
        }
    }
}

/* The slot of key, or SIZE_MAX (m->cap not 0). */
static size_t find(const svcq__map *m, const void *key, size_t keylen, uint64_t h)
{
    bool found;
    size_t i = svcq__map_probe(m, key, keylen, h, &found);
    return found ? i : SIZE_MAX;
}

void svcq__map_fill(svcq__map *m, size_t i, uint64_t h, const void *key, size_t keylen, void *value)
{
    m->slots[i] = (svcq__map_slot){ h, key, keylen, value };
    m->count++;
}

void *svcq__map_get(const svcq__map *m, const void *key, size_t keylen)
{
    if (!m->count)
        return NULL;
    size_t i = find(m, key, keylen, svcq__hash(key, keylen));
    return i == SIZE_MAX ? NULL : m->slots[i].value;
}

int svcq__map_put(svcq__map *m, const void *key, size_t keylen, void *value, void **old)
{
    uint64_t h = svcq__hash(key, keylen);
    if (old)
        *old = NULL;
    if (m->count) {
        size_t i = find(m, key, keylen, h);
        if (i != SIZE_MAX) {
            if (old)
                *old = m->slots[i].value;
            m->slots[i].key = key;
            m->slots[i].value = value;
            return SVCQ_OK;
        }
    }
    int rc = svcq__map_reserve(m, m->count + 1);
    if (rc)
        return rc;
    svcq__map_slot e = { h, key, keylen, value };
    insert_slot(m->slots, m->cap, &e);
    m->count++;
    return SVCQ_OK;
}

void *svcq__map_remove(svcq__map *m, const void *key, size_t keylen)
{
    if (!m->count)
        return NULL;
    size_t i = find(m, key, keylen, svcq__hash(key, keylen));
    if (i == SIZE_MAX)
        return NULL;
    void *value = m->slots[i].value;
    /* Backward shift: pull later entries of the probe run into the hole
     * when their home slot does not lie cyclically in (hole, j]. */
    size_t mask = m->cap - 1;
    size_t hole = i;
    for (size_t j = (i + 1) & mask; m->slots[j].hash; j = (j + 1) & mask) {
        size_t home = (size_t)m->slots[j].hash & mask;
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            m->slots[hole] = m->slots[j];
            hole = j;
        }
    }
    m->slots[hole].hash = 0;
    m->count--;
    return value;
}

bool svcq__map_next(const svcq__map *m, size_t *iter, const void **key, size_t *keylen, void **value)
{
    for (size_t i = *iter; i < m->cap; i++) {
        if (m->slots[i].hash) {
            if (key)
                *key = m->slots[i].key;
            if (keylen)
                *keylen = m->slots[i].keylen;
            if (value)
                *value = m->slots[i].value;
            *iter = i + 1;
            return true;
        }
    }
    *iter = m->cap;
    return false;
}
