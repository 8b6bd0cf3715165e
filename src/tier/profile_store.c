/* Profile sets in the context's store: records of kind "tier_profiles",
 * the document of profile_json.c, saved and deleted with compare-and-swap
 * on the revision the handle last saw (the pattern of calendar_store.c). */
#include <stdio.h>
#include <string.h>

#include "core/str.h"
#include "store/record.h"
#include "store/store.h"
#include "tier/assign_internal.h"

const char *svcq_tier_profiles_id(const svcq_tier_profiles *p)
{
    return p ? p->id : NULL;
}

uint64_t svcq_tier_profiles_revision(const svcq_tier_profiles *p)
{
    return p ? p->revision : 0;
}

static void restore_id(svcq_ctx *ctx, void *data, uint64_t arg)
{
    svcq_tier_profiles *p = data;
    svcq__free(ctx, p->id);
    p->id = (char *)(uintptr_t)arg;
}

static void free_old_id(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)data;
    svcq__free(ctx, (char *)(uintptr_t)arg);
}

static int encode(const svcq_tier_profiles *p, svcq__buf *json)
{
    svcq__jw *w = svcq__malloc(p->ctx, sizeof(*w));
    if (!w)
        return svcq__enomem(p->ctx);
    svcq__jw_init_buf(w, p->ctx, json);
    int rc = svcq__profiles_encode(p, w);
    svcq__free(p->ctx, w);
    return rc;
}

int svcq_tier_profiles_save(svcq_tier_profiles *p, const char *id)
{
    if (!p)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = p->ctx;
    int rc = svcq__tier_check_id(ctx, "tier_profiles record id", id);
    if (rc)
        return rc;
    bool same = p->id && strcmp(p->id, id) == 0;
    char *copy = NULL;
    if (!same) {
        rc = svcq__strdup(ctx, "tier_profiles record id", id, &copy);
        if (rc)
            return rc;
    }
    svcq__buf json;
    svcq__buf_init(&json, ctx);
    rc = encode(p, &json);
    svcq__tx tx;
    tx.began = false;
    if (rc == SVCQ_OK)
        rc = svcq__tx_begin(ctx, &tx);
    if (rc == SVCQ_OK)
        rc = svcq__undo_reserve(ctx, 2);
    /* Another id is a new record: it must not exist yet. */
    if (rc == SVCQ_OK && !same)
        rc = svcq__undo_set_u64(ctx, p, &p->revision, 0);
    if (rc == SVCQ_OK)
        rc = svcq__record_put(ctx, p, SVCQ__PROFILES_KIND, id, &p->revision, &json);
    if (rc == SVCQ_ECONFLICT)
        rc = svcq__error(ctx, rc, "tier profiles \"%s\": %s (compare-and-swap on revision %llu)", id,
                         same ? "the record changed since it was last saved or loaded"
                              : "a record with this id exists already",
                         (unsigned long long)p->revision);
    if (rc == SVCQ_OK && !same) {
        (void)svcq__undo_push_for(ctx, p, restore_id, free_old_id, p, (uint64_t)(uintptr_t)p->id);
        p->id = copy;
        copy = NULL;
    }
    svcq__free(ctx, copy);
    svcq__buf_free(&json);
    return svcq__tx_end(ctx, &tx, rc);
}

int svcq_tier_profiles_load(svcq_tier_profiles **out, svcq_ctx *ctx, const char *id)
{
    if (out)
        *out = NULL;
    if (!out || !ctx)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_tier_profiles_load: NULL argument");
    int rc = svcq__tier_check_id(ctx, "tier_profiles record id", id);
    if (rc)
        return rc;
    char *copy;
    rc = svcq__strdup(ctx, "tier_profiles record id", id, &copy);
    if (rc)
        return rc;
    svcq__json_doc *doc = NULL;
    uint32_t major;
    uint64_t revision;
    svcq_tier_profiles *p = NULL;
    rc = svcq__record_load(ctx, SVCQ__PROFILES_KIND, id, 1, &doc, &major, &revision);
    if (rc == SVCQ_ENOTFOUND)
        rc = svcq__error(ctx, rc, "tier profiles \"%s\" are not stored (no record tier_profiles \"%s\")", id, id);
    if (rc == SVCQ_OK)
        rc = svcq__profiles_decode(ctx, svcq__json_root(doc), &p);
    svcq__json_doc_free(doc);
    rc = svcq__record_damaged(ctx, SVCQ__PROFILES_KIND, copy, rc);
    if (rc) {
        svcq__free(ctx, copy);
        return rc;
    }
    p->id = copy;
    p->revision = revision;
    *out = p;
    return SVCQ_OK;
}

int svcq_tier_profiles_delete(svcq_tier_profiles *p)
{
    if (!p)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = p->ctx;
    if (!p->id)
        return svcq__error(ctx, SVCQ_ESTATE, "tier profiles were never saved or loaded: no record to delete");
    svcq__tx tx;
    int rc = svcq__tx_begin(ctx, &tx);
    if (rc == SVCQ_OK)
        rc = svcq__undo_reserve(ctx, 1);
    if (rc == SVCQ_OK)
        rc = svcq__record_remove(ctx, p, SVCQ__PROFILES_KIND, p->id, &p->revision);
    if (rc == SVCQ_OK) {
        (void)svcq__undo_push_for(ctx, p, restore_id, free_old_id, p, (uint64_t)(uintptr_t)p->id);
        p->id = NULL;
    }
    return svcq__tx_end(ctx, &tx, rc);
}
