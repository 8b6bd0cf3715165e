/* Calendars in the context's store: records of kind "calendar", the JSON
 * document of calendar_json.c, saved and deleted with compare-and-swap on
 * the revision the handle last saw. */
#include <stdio.h>
#include <string.h>

#include "calendar/calendar_internal.h"
#include "core/str.h"
#include "store/record.h"
#include "store/store.h"

const char *svcq_calendar_id(const svcq_calendar *cal)
{
    return cal ? svcq__calendar_id_of(cal) : NULL;
}

uint64_t svcq_calendar_revision(const svcq_calendar *cal)
{
    return cal ? svcq__calendar_revision_of(cal) : 0;
}

/* Undo of the id: put the old one back and free the new one; release: free
 * the old one. */
static void restore_id(svcq_ctx *ctx, void *data, uint64_t arg)
{
    char **slot = svcq__calendar_id_slot(data);
    svcq__free(ctx, *slot);
    *slot = (char *)(uintptr_t)arg;
}

static void free_old_id(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)data;
    svcq__free(ctx, (char *)(uintptr_t)arg);
}

int svcq_calendar_save(svcq_calendar *cal, const char *id)
{
    if (!cal)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = svcq__calendar_ctx(cal);
    if (!id) {
        char who[SVCQ__ERRMSG_SIZE];
        return svcq__error(ctx, SVCQ_EINVAL, "%s: svcq_calendar_save: NULL id",
                           svcq__calendar_label(cal, who, sizeof(who)));
    }
    int rc = svcq__store_check_id(ctx, id);
    if (rc)
        return rc;
    char **id_slot = svcq__calendar_id_slot(cal);
    uint64_t *rev_slot = svcq__calendar_revision_slot(cal);
    bool same = *id_slot && strcmp(*id_slot, id) == 0;
    char *copy = NULL;
    if (!same) {
        rc = svcq__strdup(ctx, "calendar id", id, &copy);
        if (rc)
            return rc;
    }
    svcq__buf json;
    svcq__buf_init(&json, ctx);
    rc = svcq__calendar_encode(cal, &json);
    svcq__tx tx;
    tx.began = false;
    if (rc == SVCQ_OK)
        rc = svcq__tx_begin(ctx, &tx);
    if (rc == SVCQ_OK)
        rc = svcq__undo_reserve(ctx, 2);
    /* Another id is a new record: it must not exist yet. */
    if (rc == SVCQ_OK && !same)
        rc = svcq__undo_set_u64(ctx, cal, rev_slot, 0);
    if (rc == SVCQ_OK)
        rc = svcq__record_put(ctx, cal, SVCQ__CALENDAR_KIND, id, rev_slot, &json);
    if (rc == SVCQ_OK && !same) {
        (void)svcq__undo_push_for(ctx, cal, restore_id, free_old_id, cal, (uint64_t)(uintptr_t)*id_slot);
        *id_slot = copy;
        copy = NULL;
    }
    svcq__free(ctx, copy);
    svcq__buf_free(&json);
    return svcq__tx_end(ctx, &tx, rc);
}

int svcq_calendar_load(svcq_calendar **out, svcq_ctx *ctx, const char *id,
                       const char *zoneinfo_dir, const svcq_tz *zone)
{
    if (out)
        *out = NULL;
    if (!out || !ctx || !id)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_calendar_load: NULL argument");
    int rc = svcq__store_check_id(ctx, id);
    if (rc)
        return rc;
    char *copy;
    rc = svcq__strdup(ctx, "calendar id", id, &copy);
    if (rc)
        return rc;
    svcq__json_doc *doc = NULL;
    uint32_t major;
    uint64_t revision;
    svcq_calendar *cal = NULL;
    rc = svcq__record_load(ctx, SVCQ__CALENDAR_KIND, id, 1, &doc, &major, &revision);
    if (rc == SVCQ_OK)
        rc = svcq__calendar_decode(ctx, svcq__json_root(doc), zoneinfo_dir, zone, &cal);
    svcq__json_doc_free(doc);
    /* Stored data the setters refuse is damaged data. */
    rc = svcq__record_damaged(ctx, SVCQ__CALENDAR_KIND, copy, rc);
    if (rc) {
        svcq__free(ctx, copy);
        return rc;
    }
    *svcq__calendar_id_slot(cal) = copy;
    *svcq__calendar_revision_slot(cal) = revision;
    *out = cal;
    return SVCQ_OK;
}

int svcq_calendar_delete(svcq_calendar *cal)
{
    if (!cal)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = svcq__calendar_ctx(cal);
    char **id_slot = svcq__calendar_id_slot(cal);
    if (!*id_slot) {
        char who[SVCQ__ERRMSG_SIZE];
        return svcq__error(ctx, SVCQ_ESTATE, "%s was never saved or loaded: no record to delete",
                           svcq__calendar_label(cal, who, sizeof(who)));
    }
    svcq__tx tx;
    int rc = svcq__tx_begin(ctx, &tx);
    if (rc == SVCQ_OK)
        rc = svcq__undo_reserve(ctx, 1);
    if (rc == SVCQ_OK)
        rc = svcq__record_remove(ctx, cal, SVCQ__CALENDAR_KIND, *id_slot, svcq__calendar_revision_slot(cal));
    if (rc == SVCQ_OK) {
        (void)svcq__undo_push_for(ctx, cal, restore_id, free_old_id, cal, (uint64_t)(uintptr_t)*id_slot);
        *id_slot = NULL;
    }
    return svcq__tx_end(ctx, &tx, rc);
}
