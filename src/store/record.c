#include <stdio.h>
#include <string.h>

#include "store/record.h"

int svcq__record_begin(svcq__jw *w, const char *kind, uint32_t major)
{
    if (!svcq__store_kind_valid(kind, strnlen(kind, SVCQ_STORE_MAX_KIND + 1)) || major == 0)
        return svcq__error(w->ctx, SVCQ_EINVAL, "record schema: bad kind or major 0");
    char schema[SVCQ__RECORD_SCHEMA_MAX + 1];
    snprintf(schema, sizeof(schema), "svcq.%s/%u", kind, (unsigned)major);
    int rc = svcq__jw_object_begin(w);
    if (!rc)
        rc = svcq__jw_key(w, "schema");
    if (!rc)
        rc = svcq__jw_string(w, schema);
    return rc;
}

int svcq__record_end(svcq__jw *w)
{
    (void)svcq__jw_object_end(w);
    return svcq__jw_finish(w);
}

int svcq__record_check(svcq_ctx *ctx, const svcq__json *root, const char *kind, uint32_t newest, uint32_t *major)
{
    if (svcq__json_typeof(root) != SVCQ__JSON_OBJECT)
        return svcq__error(ctx, SVCQ_ECORRUPT, "record of kind %s: not a JSON object", kind);
    size_t len;
    const char *schema = svcq__json_as_string(svcq__json_get(root, "schema"), &len);
    if (!schema)
        return svcq__error(ctx, SVCQ_ECORRUPT, "record of kind %s: no \"schema\" string", kind);
    size_t klen = strlen(kind);
    if (len < 5 + klen + 2 || memcmp(schema, "svcq.", 5) != 0 || memcmp(schema + 5, kind, klen) != 0 ||
        schema[5 + klen] != '/')
        return svcq__error(ctx, SVCQ_ECORRUPT, "record of kind %s: schema \"%.*s\" is not svcq.%s/<major>", kind,
                        (int)(len > 64 ? 64 : len), schema, kind);
    /* The major: decimal digits, no leading zero, at least 1. */
    const char *d = schema + 5 + klen + 1;
    size_t nd = len - (size_t)(d - schema);
    uint64_t m = 0;
    bool ok = nd >= 1 && nd <= 10 && d[0] != '0';
    for (size_t i = 0; ok && i < nd; i++) {
        ok = d[i] >= '0' && d[i] <= '9';
        m = m * 10 + (uint64_t)(d[i] - '0');
    }
    if (!ok || m > UINT32_MAX)
        return svcq__error(ctx, SVCQ_ECORRUPT, "record of kind %s: schema \"%.*s\" has no valid major version", kind,
                        (int)(len > 64 ? 64 : len), schema);
    if (m > newest)
        return svcq__error(ctx, SVCQ_EVERSION,
                        "record of kind %s has format %s/%llu; this library reads up to %s/%u", kind, kind,
                        (unsigned long long)m, kind, (unsigned)newest);
    *major = (uint32_t)m;
    return SVCQ_OK;
}

int svcq__record_parse(svcq_ctx *ctx, const char *kind, const char *id, uint32_t newest, const char *bytes,
                    size_t size, svcq__json_doc **doc, uint32_t *major)
{
    svcq__json_doc *d = NULL;
    int rc = svcq__json_parse(ctx, bytes, size, NULL, &d);
    if (rc == SVCQ_ENOMEM)
        return rc;
    if (rc) {
        return svcq__error_prefix(ctx, SVCQ_ECORRUPT, "record %s/%s is not valid JSON", kind, id);
    }
    rc = svcq__record_check(ctx, svcq__json_root(d), kind, newest, major);
    if (rc) {
        svcq__json_doc_free(d);
        return rc;
    }
    *doc = d;
    return SVCQ_OK;
}

int svcq__record_load(svcq_ctx *ctx, const char *kind, const char *id, uint32_t newest, svcq__json_doc **doc,
                   uint32_t *major, uint64_t *revision)
{
    char *bytes;
    size_t size;
    uint64_t rev;
    int rc = svcq__store_get(ctx, kind, id, &bytes, &size, &rev);
    if (rc)
        return rc;
    rc = svcq__record_parse(ctx, kind, id, newest, bytes, size, doc, major);
    svcq__free(ctx, bytes);
    if (rc == SVCQ_OK)
        *revision = rev;
    return rc;
}

int svcq__record_put(svcq_ctx *ctx, const void *owner, const char *kind, const char *id, uint64_t *revision,
                     const svcq__buf *json)
{
    int rc = svcq__undo_reserve(ctx, 1);
    if (rc)
        return rc;
    uint64_t rev;
    rc = svcq__store_put(ctx, kind, id, *revision, json->data, json->len, &rev);
    if (rc)
        return rc;
    return svcq__undo_set_u64(ctx, owner, revision, rev);
}

int svcq__record_publish(svcq_ctx *ctx, const char *kind, const char *id, const svcq__buf *json, const char *what,
                         uint64_t *revision)
{
    char *stored = NULL;
    size_t size = 0;
    uint64_t rev = 0;
    int rc = svcq__store_get(ctx, kind, id, &stored, &size, &rev);
    if (rc == SVCQ_ENOTFOUND)
        rc = svcq__store_put(ctx, kind, id, 0, json->data, json->len, &rev);
    else if (rc == SVCQ_OK && (size != json->len || memcmp(stored, json->data, size) != 0))
        rc = svcq__error(ctx, SVCQ_EEXIST,
                         "%s: the store holds this version (record %s \"%s\") with other content; a saved "
                         "version is immutable: make a new version",
                         what, kind, id);
    svcq__free(ctx, stored);
    if (rc == SVCQ_OK)
        *revision = rev;
    return rc;
}

int svcq__record_damaged(svcq_ctx *ctx, const char *kind, const char *id, int rc)
{
    if (rc != SVCQ_EINVAL && rc != SVCQ_EPARSE && rc != SVCQ_ELIMIT && rc != SVCQ_ERANGE)
        return rc;
    return svcq__error_prefix(ctx, SVCQ_ECORRUPT, "record %s \"%s\"", kind, id);
}

int svcq__record_remove(svcq_ctx *ctx, const void *owner, const char *kind, const char *id, uint64_t *revision)
{
    int rc = svcq__undo_reserve(ctx, 1);
    if (rc)
        return rc;
    rc = svcq__store_remove(ctx, kind, id, *revision);
    if (rc)
        return rc;
    return svcq__undo_set_u64(ctx, owner, revision, 0);
}

typedef struct scan_state {
    const char *kind;
    uint32_t newest;
    svcq__record_visit_fn visit;
    void *user_data;
} scan_state;

static int scan_visit(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes, size_t size, void *ud)
{
    scan_state *s = ud;
    svcq__json_doc *doc = NULL;
    uint32_t major;
    int rc = svcq__record_parse(ctx, s->kind, id, s->newest, bytes, size, &doc, &major);
    if (rc)
        return rc;
    rc = s->visit(ctx, id, revision, svcq__json_root(doc), major, s->user_data);
    svcq__json_doc_free(doc);
    return rc;
}

int svcq__record_scan(svcq_ctx *ctx, const char *kind, uint32_t newest, svcq__record_visit_fn visit, void *user_data)
{
    scan_state s = { kind, newest, visit, user_data };
    return svcq__store_scan(ctx, kind, scan_visit, &s);
}
