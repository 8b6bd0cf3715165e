#include "core/heap.h"

void svcq__heap_init(svcq__heap *h, svcq_ctx *ctx, svcq__heap_tie_fn tie, svcq__heap_index_fn set_index)
{
    h->ctx = ctx;
    h->entries = NULL;
    h->len = 0;
    h->cap = 0;
    h->tie = tie;
    h->set_index = set_index;
}

void svcq__heap_free(svcq__heap *h)
{
    svcq__free(h->ctx, h->entries);
    h->entries = NULL;
    h->len = 0;
    h->cap = 0;
}

int svcq__heap_reserve(svcq__heap *h, size_t count)
{
    if (count <= h->cap)
        return SVCQ_OK;
    size_t cap = h->cap ? h->cap : 16;
    while (cap < count) {
        if (cap > SIZE_MAX / 2 / sizeof(svcq__heap_entry))
            return SVCQ_ENOMEM;
        cap *= 2;
    }
    svcq__heap_entry *e = svcq__reallocarray(h->ctx, h->entries, cap, sizeof(*e));
    if (!e)
        return SVCQ_ENOMEM;
    h->entries = e;
    h->cap = cap;
    return SVCQ_OK;
}

static inline bool less(const svcq__heap *h, const svcq__heap_entry *a, const svcq__heap_entry *b)
{
    if (a->key != b->key)
        return a->key < b->key;
    return h->tie && h->tie(a->item, b->item) < 0;
}

static inline void place(svcq__heap *h, size_t i, svcq__heap_entry e)
{
    h->entries[i] = e;
    if (h->set_index)
        h->set_index(e.item, i);
}

static void sift_up(svcq__heap *h, size_t i)
{
    svcq__heap_entry e = h->entries[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!less(h, &e, &h->entries[parent]))
            break;
        place(h, i, h->entries[parent]);
        i = parent;
    }
    place(h, i, e);
}

static void sift_down(svcq__heap *h, size_t i)
{
    svcq__heap_entry e = h->entries[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= h->len)
            break;
        if (child + 1 < h->len && less(h, &h->entries[child + 1], &h->entries[child]))
            child++;
        if (!less(h, &h->entries[child], &e))
            break;
        place(h, i, h->entries[child]);
        i = child;
    }
    place(h, i, e);
}

int svcq__heap_push(svcq__heap *h, int64_t key, void *item)
{
    int rc = svcq__heap_reserve(h, h->len + 1);
    if (rc)
        return rc;
    h->entries[h->len] = (svcq__heap_entry){ key, item };
    sift_up(h, h->len++);
    return SVCQ_OK;
}

const svcq__heap_entry *svcq__heap_peek(const svcq__heap *h)
{
    return h->len ? &h->entries[0] : NULL;
}

void svcq__heap_remove(svcq__heap *h, size_t index)
{
    if (index >= h->len)
        return;
    void *gone = h->entries[index].item;
    h->len--;
    if (index != h->len) {
        h->entries[index] = h->entries[h->len];
        if (index > 0 && less(h, &h->entries[index], &h->entries[(index - 1) / 2]))
            sift_up(h, index);
        else
            sift_down(h, index);
    }
    if (h->set_index)
        h->set_index(gone, SVCQ__HEAP_NONE);
}

bool svcq__heap_pop(svcq__heap *h, svcq__heap_entry *out)
{
    if (!h->len)
        return false;
    *out = h->entries[0];
    svcq__heap_remove(h, 0);
    return true;
}

void svcq__heap_update(svcq__heap *h, size_t index, int64_t key)
{
    if (index >= h->len)
        return;
    int64_t old = h->entries[index].key;
    h->entries[index].key = key;
    if (key < old)
        sift_up(h, index);
    else
        sift_down(h, index);
}
