/* SLA policies in the context's store: records of kind "sla_policy" under
 * the id "<name>@<version>", holding the document of policy_json.c. A
 * saved version is immutable: a save creates the record, finds it equal
 * (nothing to do), or refuses other content with SVCQ_EEXIST. The handle
 * keeps the revision it last saw; its changes (revision, frozen) are undone
 * when the store transaction rolls back, through entries owned by the
 * handle so that freeing it detaches them. */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "sla/sla_internal.h"
#include "store/record.h"
#include "store/store.h"

/* "<name>@<version>": a policy name of at most 252 bytes keeps it far
 * below SVCQ_STORE_MAX_ID. */
static void record_id(char *out, size_t size, const char *name, uint32_t version)
{
    snprintf(out, size, "%s@%u", name, version);
}

#define ID_SIZE (SVCQ__SLA_NAME_MAX + 16)

static void restore_revision(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    ((svcq_sla_policy *)data)->revision = arg;
}

static void restore_frozen(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    ((svcq_sla_policy *)data)->frozen = arg != 0;
}

/* Sets the handle's revision and freezes it, each undone on rollback
 * (two entries reserved by the caller). */
static void bind(svcq_ctx *ctx, svcq_sla_policy *p, uint64_t revision, bool freeze)
{
    (void)svcq__undo_push_for(ctx, p, restore_revision, NULL, p, p->revision);
    p->revision = revision;
    if (freeze) {
        (void)svcq__undo_push_for(ctx, p, restore_frozen, NULL, p, p->frozen);
        p->frozen = true;
    }
}

int svcq_sla_policy_save(svcq_sla_policy *policy)
{
    if (!policy)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = policy->ctx;
    char id[ID_SIZE];
    record_id(id, sizeof(id), policy->name, policy->version);
    svcq__buf json;
    svcq__buf_init(&json, ctx);
    int rc = svcq__sla_policy_encode(policy, &json, false);
    svcq__tx tx;
    tx.began = false;
    if (rc == SVCQ_OK)
        rc = svcq__tx_begin(ctx, &tx);
    if (rc == SVCQ_OK)
        rc = svcq__undo_reserve(ctx, 2);
    uint64_t rev = 0;
    if (rc == SVCQ_OK) {
        char what[SVCQ__SLA_NAME_MAX + 32];
        snprintf(what, sizeof(what), "policy %s v%u", policy->name, policy->version);
        rc = svcq__record_publish(ctx, SVCQ__SLA_POLICY_KIND, id, &json, what, &rev);
    }
    if (rc == SVCQ_OK)
        bind(ctx, policy, rev, true);
    svcq__buf_free(&json);
    return svcq__tx_end(ctx, &tx, rc);
}

int svcq_sla_policy_load(svcq_sla_policy **out, svcq_ctx *ctx, const char *name, uint32_t version,
                         const char *zoneinfo_dir)
{
    if (out)
        *out = NULL;
    if (!out || !ctx || !name)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_sla_policy_load: NULL %s", !out ? "out" : !ctx ? "ctx" : "name");
    int rc = svcq__sla_check_policy_name(ctx, name);
    if (rc)
        return rc;
    if (version == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "policy %s: version must be at least 1", name);
    char id[ID_SIZE];
    record_id(id, sizeof(id), name, version);
    svcq__json_doc *doc = NULL;
    uint32_t major;
    uint64_t revision;
    svcq_sla_policy *p = NULL;
    rc = svcq__record_load(ctx, SVCQ__SLA_POLICY_KIND, id, SVCQ__SLA_POLICY_SCHEMA, &doc, &major, &revision);
    if (rc == SVCQ_ENOTFOUND)
        rc = svcq__error(ctx, rc, "policy %s v%u is not stored (no record sla_policy \"%s\")", name, version, id);
    if (rc == SVCQ_OK)
        rc = svcq__sla_policy_decode(ctx, svcq__json_root(doc), zoneinfo_dir, &p);
    svcq__json_doc_free(doc);
    rc = svcq__record_damaged(ctx, SVCQ__SLA_POLICY_KIND, id, rc);
    if (rc == SVCQ_OK && (strcmp(p->name, name) != 0 || p->version != version))
        rc = svcq__error(ctx, SVCQ_ECORRUPT, "record sla_policy \"%s\" holds policy %s v%u", id, p->name,
                         p->version);
    if (rc) {
        svcq_sla_policy_free(p);
        return rc;
    }
    p->revision = revision;
    p->frozen = true;
    *out = p;
    return SVCQ_OK;
}

int svcq_sla_policy_delete(svcq_sla_policy *policy)
{
    if (!policy)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = policy->ctx;
    if (!policy->revision)
        return svcq__error(ctx, SVCQ_ESTATE, "policy %s v%u was never saved or loaded: no record to delete",
                           policy->name, policy->version);
    char id[ID_SIZE];
    record_id(id, sizeof(id), policy->name, policy->version);
    svcq__tx tx;
    int rc = svcq__tx_begin(ctx, &tx);
    if (rc == SVCQ_OK)
        rc = svcq__undo_reserve(ctx, 1);
    if (rc == SVCQ_OK)
        rc = svcq__store_remove(ctx, SVCQ__SLA_POLICY_KIND, id, policy->revision);
    if (rc == SVCQ_OK)
        bind(ctx, policy, 0, false);
    return svcq__tx_end(ctx, &tx, rc);
}
