/* Blueprints as JSON documents ("svcq.blueprint/1", docs/format.md) and as
 * records of kind "blueprint": "<service>" (the current blueprint, written
 * in place with compare-and-swap) and "<service>@<version>" (each saved
 * version, immutable).
 *
 * The writer is deterministic (fields in a fixed order, absent optional
 * fields left out), so export, import, export gives the same bytes. The
 * reader builds the model through the same checks as the edits. */
#include <stdio.h>
#include <string.h>

#include "blueprint/blueprint_internal.h"
#include "core/json.h"
#include "core/str.h"
#include "store/record.h"
#include "store/store.h"

/* ---- writing ----------------------------------------------------------------- */

static void opt(svcq__jw *w, const char *key, const char *s)
{
    if (s) {
        svcq__jw_key(w, key);
        svcq__jw_string(w, s);
    }
}

static int encode_v(const svcq_blueprint *bp, uint64_t version, svcq__buf *out, bool pretty)
{
    svcq__jw w;
    svcq__jw_init_buf(&w, bp->ctx, out);
    if (pretty)
        (void)svcq__jw_set_pretty(&w, true);
    svcq__record_begin(&w, SVCQ__BP_KIND, SVCQ__BP_SCHEMA_MAJOR);
    svcq__jw_key(&w, "service");
    svcq__jw_string(&w, bp->service);
    svcq__jw_key(&w, "title");
    svcq__jw_string(&w, bp->m.title);
    svcq__jw_key(&w, "version");
    svcq__jw_int(&w, (int64_t)version);
    svcq__jw_key(&w, "steps");
    svcq__jw_array_begin(&w);
    for (size_t i = 0; i < bp->m.nsteps; i++) {
        const svcq__bp_step *s = &bp->m.steps[i];
        svcq__jw_object_begin(&w);
        opt(&w, "key", s->key);
        opt(&w, "title", s->title);
        opt(&w, "stage", s->stage);
        opt(&w, "channel", s->channel);
        opt(&w, "customer", s->customer);
        opt(&w, "front", s->front);
        opt(&w, "back", s->back);
        opt(&w, "support", s->support);
        svcq__jw_object_end(&w);
    }
    svcq__jw_array_end(&w);
    svcq__jw_key(&w, "risks");
    svcq__jw_array_begin(&w);
    for (size_t i = 0; i < bp->m.nrisks; i++) {
        const svcq__bp_risk *r = &bp->m.risks[i];
        svcq__jw_object_begin(&w);
        opt(&w, "key", r->key);
        opt(&w, "step", r->step);
        opt(&w, "failure", r->failure);
        opt(&w, "severity", svcq_blueprint_severity_name(r->severity));
        opt(&w, "contingency", r->contingency);
        opt(&w, "owner", r->owner);
        opt(&w, "watch", svcq_blueprint_watch_name(r->watch));
        opt(&w, "watch_name", r->watch_name);
        svcq__jw_object_end(&w);
    }
    svcq__jw_array_end(&w);
    return svcq__record_end(&w);
}

int svcq__bp_encode(const svcq_blueprint *bp, svcq__buf *out, bool pretty)
{
    return encode_v(bp, bp->version, out, pretty);
}

int svcq__bp_flush(const svcq_blueprint *bp, const char *what, const svcq_writer *w, const svcq__buf *b)
{
    int rc = svcq_writer_write(w, b->data ? b->data : "", b->len);
    if (rc)
        return svcq__error(bp->ctx, rc, "blueprint %s: %s export: the writer refused the text (%s)", bp->service,
                           what, svcq_strerror(rc));
    return SVCQ_OK;
}

int svcq_blueprint_export_json(const svcq_blueprint *bp, const svcq_writer *writer, uint32_t flags)
{
    if (!bp || !writer)
        return svcq__error(bp ? bp->ctx : NULL, SVCQ_EINVAL, "svcq_blueprint_export_json: NULL %s",
                           bp ? "writer" : "blueprint");
    if (flags & ~SVCQ_BLUEPRINT_JSON_PRETTY)
        return svcq__error(bp->ctx, SVCQ_EINVAL, "blueprint %s: export: unknown flags 0x%x", bp->service,
                           (unsigned)(flags & ~SVCQ_BLUEPRINT_JSON_PRETTY));
    svcq__buf b;
    svcq__buf_init(&b, bp->ctx);
    int rc = svcq__bp_encode(bp, &b, (flags & SVCQ_BLUEPRINT_JSON_PRETTY) != 0);
    if (rc == SVCQ_OK)
        rc = svcq__bp_flush(bp, "JSON", writer, &b);
    svcq__buf_free(&b);
    return rc;
}

/* ---- reading ------------------------------------------------------------------- */

static int at_place(svcq_ctx *ctx, int rc, const char *place)
{
    if (rc == SVCQ_OK || rc == SVCQ_ENOMEM)
        return rc;
    return svcq__error_prefix(ctx, rc, "%s", place);
}

static int name_value(svcq_ctx *ctx, const char *place, const char *field, const char *s,
                      const char *(*name)(int32_t), int32_t lo, int32_t hi, int32_t *out)
{
    for (int32_t v = lo; v <= hi; v++) {
        const char *n = name(v);
        if (n && strcmp(n, s) == 0) {
            *out = v;
            return SVCQ_OK;
        }
    }
    return svcq__error(ctx, SVCQ_ECORRUPT, "%s: %s \"%.40s\" is unknown", place, field, s);
}

static int get_strings(svcq_ctx *ctx, const char *place, const svcq__json *o, const char *const *keys,
                       const char **out[], size_t n)
{
    if (svcq__json_typeof(o) != SVCQ__JSON_OBJECT)
        return svcq__error(ctx, SVCQ_ECORRUPT, "%s: expected an object, found %s", place,
                           svcq__json_type_name(svcq__json_typeof(o)));
    for (size_t i = 0; i < n; i++) {
        *out[i] = NULL;
        int rc = svcq__json_get_string(ctx, o, keys[i], false, out[i], NULL);
        if (rc)
            return at_place(ctx, rc, place);
    }
    return SVCQ_OK;
}

static int decode(svcq_ctx *ctx, const svcq__json *root, svcq__bp_model *m, const char **service,
                  uint64_t *version)
{
    memset(m, 0, sizeof(*m));
    const char *title;
    const svcq__json *steps, *risks = NULL;
    int64_t v = 0;
    int rc = svcq__json_get_string(ctx, root, "service", true, service, NULL);
    if (!rc)
        rc = svcq__json_get_string(ctx, root, "title", true, &title, NULL);
    if (!rc)
        rc = svcq__json_get_int(ctx, root, "version", false, &v);
    if (!rc)
        rc = svcq__json_get_array(ctx, root, "steps", true, &steps);
    if (!rc)
        rc = svcq__json_get_array(ctx, root, "risks", false, &risks);
    if (rc)
        return rc;
    rc = svcq__bp_check_key(ctx, "service", *service, strnlen(*service, SVCQ_BLUEPRINT_MAX_KEY + 1), true);
    if (rc)
        return rc;
    if (v < 0 || v >= (int64_t)UINT32_MAX)
        return svcq__error(ctx, SVCQ_ERANGE, "version: %lld is outside 0..%u", (long long)v,
                           (unsigned)(UINT32_MAX - 1));
    *version = (uint64_t)v;
    rc = svcq__bp_check_text(ctx, "title", title, strlen(title));
    if (!rc)
        rc = svcq__strdup(ctx, "title", title, &m->title);
    size_t ns = svcq__json_array_size(steps), nr = svcq__json_array_size(risks);
    if (!rc && ns > SVCQ_BLUEPRINT_MAX_STEPS)
        rc = svcq__error(ctx, SVCQ_ELIMIT, "steps: %zu, more than the %d a blueprint holds", ns,
                         SVCQ_BLUEPRINT_MAX_STEPS);
    if (!rc && nr > SVCQ_BLUEPRINT_MAX_RISKS)
        rc = svcq__error(ctx, SVCQ_ELIMIT, "risks: %zu, more than the %d a blueprint holds", nr,
                         SVCQ_BLUEPRINT_MAX_RISKS);
    static const char *const skeys[] = { "key", "title", "stage", "channel", "customer", "front", "back",
                                         "support" };
    for (size_t i = 0; !rc && i < ns; i++) {
        char place[48];
        snprintf(place, sizeof(place), "steps[%zu]", i);
        svcq_blueprint_step_spec sp = SVCQ_BLUEPRINT_STEP_SPEC_INIT;
        const char **outs[] = { &sp.key, &sp.title, &sp.stage, &sp.channel, &sp.customer, &sp.front, &sp.back,
                                &sp.support };
        rc = get_strings(ctx, place, svcq__json_array_get(steps, i), skeys, outs, 8);
        if (!rc)
            rc = svcq__bp_model_add_step(ctx, place, m, &sp);
    }
    static const char *const rkeys[] = { "key", "step", "failure", "severity", "contingency", "owner", "watch",
                                         "watch_name" };
    for (size_t i = 0; !rc && i < nr; i++) {
        char place[48];
        snprintf(place, sizeof(place), "risks[%zu]", i);
        svcq_blueprint_risk_spec sp = SVCQ_BLUEPRINT_RISK_SPEC_INIT;
        const char *sev = NULL, *watch = NULL;
        const char **outs[] = { &sp.key, &sp.step, &sp.failure, &sev, &sp.contingency, &sp.owner, &watch,
                                &sp.watch_name };
        rc = get_strings(ctx, place, svcq__json_array_get(risks, i), rkeys, outs, 8);
        if (!rc && !sev)
            rc = svcq__error(ctx, SVCQ_ECORRUPT, "%s: field \"severity\": missing", place);
        if (!rc)
            rc = name_value(ctx, place, "severity", sev, svcq_blueprint_severity_name, 1, 4, &sp.severity);
        if (!rc && watch)
            rc = name_value(ctx, place, "watch", watch, svcq_blueprint_watch_name, 0, 2, &sp.watch);
        if (!rc)
            rc = svcq__bp_model_add_risk(ctx, place, m, &sp);
    }
    if (rc)
        svcq__bp_model_free(ctx, m);
    return rc;
}

int svcq_blueprint_import_json(svcq_blueprint **out, svcq_ctx *ctx, const char *json, size_t size)
{
    if (out)
        *out = NULL;
    if (!out || !ctx || (!json && size))
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_blueprint_import_json: NULL %s",
                           !out ? "out" : !ctx ? "ctx" : "json");
    svcq__json_doc *doc = NULL;
    uint32_t major;
    int rc = svcq__json_parse(ctx, json ? json : "", size, NULL, &doc);
    if (rc == SVCQ_OK)
        rc = svcq__record_check(ctx, svcq__json_root(doc), SVCQ__BP_KIND, SVCQ__BP_SCHEMA_MAJOR, &major);
    svcq__bp_model m;
    const char *service = NULL;
    uint64_t version = 0;
    if (rc == SVCQ_OK)
        rc = decode(ctx, svcq__json_root(doc), &m, &service, &version);
    if (rc == SVCQ_OK) {
        rc = svcq__bp_handle_new(out, ctx, service, &m);
        svcq__bp_model_free(ctx, &m);
        if (rc == SVCQ_OK)
            (*out)->version = version;
    }
    svcq__json_doc_free(doc);
    return rc;
}

/* ---- the store --------------------------------------------------------------------- */

int svcq_blueprint_save(svcq_blueprint *bp)
{
    if (!bp)
        return svcq__error(NULL, SVCQ_EINVAL, "svcq_blueprint_save: NULL blueprint");
    svcq_ctx *ctx = bp->ctx;
    if (bp->history)
        return svcq__error(ctx, SVCQ_ESTATE, "blueprint %s: loaded as version %u, which is history: load the "
                           "current blueprint to change it", bp->service, (unsigned)bp->version);
    if (!bp->changed && bp->revision)
        return SVCQ_OK;
    if (bp->version + 1 >= UINT32_MAX)
        return svcq__error(ctx, SVCQ_ERANGE, "blueprint %s: no version after %u", bp->service, (unsigned)bp->version);
    uint64_t next = bp->version + 1;
    svcq__buf json;
    svcq__buf_init(&json, ctx);
    int rc = encode_v(bp, next, &json, false);
    char vid[SVCQ_BLUEPRINT_MAX_KEY + 16];
    snprintf(vid, sizeof(vid), "%s@%u", bp->service, (unsigned)next);
    char what[SVCQ_BLUEPRINT_MAX_KEY + 40];
    snprintf(what, sizeof(what), "blueprint %s version %u", bp->service, (unsigned)next);
    svcq__tx tx;
    tx.began = false;
    if (rc == SVCQ_OK)
        rc = svcq__tx_begin(ctx, &tx);
    uint64_t old_rev = bp->revision;
    if (rc == SVCQ_OK) {
        rc = svcq__record_put(ctx, bp, SVCQ__BP_KIND, bp->service, &bp->revision, &json);
        if (rc == SVCQ_ECONFLICT)
            rc = svcq__error_prefix(ctx, rc, "blueprint %s: saved by another writer since revision %llu (reload it)",
                                    bp->service, (unsigned long long)old_rev);
    }
    uint64_t vrev = 0;
    if (rc == SVCQ_OK)
        rc = svcq__record_publish(ctx, SVCQ__BP_KIND, vid, &json, what, &vrev);
    if (rc == SVCQ_OK)
        rc = svcq__undo_reserve(ctx, 2);
    if (rc == SVCQ_OK) {
        (void)svcq__undo_set_u64(ctx, bp, &bp->version, next);
        (void)svcq__undo_set_u64(ctx, bp, &bp->changed, 0);
    }
    svcq__buf_free(&json);
    return svcq__tx_end(ctx, &tx, rc);
}

static int load_id(svcq_blueprint **out, svcq_ctx *ctx, const char *service, const char *id, uint64_t want_version)
{
    svcq__json_doc *doc = NULL;
    uint32_t major;
    uint64_t revision = 0, version = 0;
    svcq__bp_model m;
    const char *doc_service = NULL;
    int rc = svcq__record_load(ctx, SVCQ__BP_KIND, id, SVCQ__BP_SCHEMA_MAJOR, &doc, &major, &revision);
    if (rc == SVCQ_ENOTFOUND)
        rc = svcq__error(ctx, rc, "no blueprint record \"%s\"", id);
    if (rc == SVCQ_OK) {
        rc = decode(ctx, svcq__json_root(doc), &m, &doc_service, &version);
        if (rc == SVCQ_OK && (strcmp(doc_service, service) != 0 || (want_version && version != want_version))) {
            svcq__bp_model_free(ctx, &m);
            rc = svcq__error(ctx, SVCQ_EINVAL, "holds blueprint %.64s version %u", doc_service, (unsigned)version);
        }
        rc = svcq__record_damaged(ctx, SVCQ__BP_KIND, id, rc);
    }
    if (rc == SVCQ_OK) {
        rc = svcq__bp_handle_new(out, ctx, service, &m);
        svcq__bp_model_free(ctx, &m);
        if (rc == SVCQ_OK) {
            (*out)->version = version;
            (*out)->changed = 0;
            (*out)->history = want_version != 0;
            (*out)->revision = want_version ? 0 : revision;
        }
    }
    svcq__json_doc_free(doc);
    return rc;
}

int svcq_blueprint_load(svcq_blueprint **out, svcq_ctx *ctx, const char *service)
{
    if (out)
        *out = NULL;
    if (!out || !ctx || !service)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_blueprint_load: NULL %s",
                           !out ? "out" : !ctx ? "ctx" : "service");
    int rc = svcq__bp_check_key(ctx, "blueprint service id", service,
                                strnlen(service, SVCQ_BLUEPRINT_MAX_KEY + 1), true);
    return rc ? rc : load_id(out, ctx, service, service, 0);
}

int svcq_blueprint_load_version(svcq_blueprint **out, svcq_ctx *ctx, const char *service, uint32_t version)
{
    if (out)
        *out = NULL;
    if (!out || !ctx || !service)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_blueprint_load_version: NULL %s",
                           !out ? "out" : !ctx ? "ctx" : "service");
    int rc = svcq__bp_check_key(ctx, "blueprint service id", service,
                                strnlen(service, SVCQ_BLUEPRINT_MAX_KEY + 1), true);
    if (rc)
        return rc;
    if (version == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "blueprint %s: versions start at 1", service);
    char id[SVCQ_BLUEPRINT_MAX_KEY + 16];
    snprintf(id, sizeof(id), "%s@%u", service, (unsigned)version);
    return load_id(out, ctx, service, id, version);
}
