/* Analyses as JSON documents ("svcq.analysis/1", docs/format.md) and as
 * records of kind "analysis" in the context's store.
 *
 * The document lists the nodes flat, in document order (the effect first,
 * then depth first), each naming its parent, so the JSON nesting stays
 * shallow whatever the depth of the tree and the reader needs no
 * recursion. The writer is deterministic: export, import, export gives the
 * same bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "core/jenc.h"
#include "core/json.h"
#include "core/map.h"
#include "core/str.h"
#include "store/record.h"
#include "store/store.h"

/* ---- writing --------------------------------------------------------------- */

/* The record is written with the record writer (core/jenc.h); the pretty
 * form re-indents it. Every text was checked as UTF-8 when it was set or
 * parsed. */
#define K(name) SVCQ__JE_K(name)

_Static_assert(SVCQ_ANALYSIS_EFFECT == 1 && SVCQ_ANALYSIS_CATEGORY == 2 && SVCQ_ANALYSIS_CAUSE == 3 &&
                   SVCQ_ANALYSIS_WHY == 4, "kind_lit is indexed by kind");
_Static_assert(SVCQ_ANALYSIS_HYPOTHESIS == 0 && SVCQ_ANALYSIS_CONFIRMED == 1 && SVCQ_ANALYSIS_REFUTED == 2,
               "status_lit is indexed by status");
_Static_assert(SVCQ_ANALYSIS_EV_PHOTO == 1 && SVCQ_ANALYSIS_EV_OTHER == 6, "ev_lit is indexed by evidence kind");

/* A literal and its length. */
typedef struct lit {
    const char *s;
    size_t n;
} lit;
#define LIT(s) { s, sizeof(s) - 1 }

/* The fixed bytes around a node's id, kind and status (ids, kinds and
 * statuses never need an escape), so a node is a few copies into a local
 * buffer and one append, plus the texts. Indexed by kind and status. */
static const lit kind_lit[] = {
    LIT(""), LIT("\",\"kind\":\"effect\",\"text\":"), LIT("\",\"kind\":\"category\",\"text\":"),
    LIT("\",\"kind\":\"cause\",\"text\":"), LIT("\",\"kind\":\"why\",\"text\":"),
};
static const lit status_lit[] = {
    LIT(",\"status\":\"hypothesis\",\"weight\":"),
    LIT(",\"status\":\"confirmed\",\"weight\":"),
    LIT(",\"status\":\"refuted\",\"weight\":"),
};
static const lit ev_lit[] = {
    LIT(""),
    LIT("{\"kind\":\"photo\""),
    LIT("{\"kind\":\"system_log\""),
    LIT("{\"kind\":\"surveillance_video\""),
    LIT("{\"kind\":\"staff_interview\""),
    LIT("{\"kind\":\"document\""),
    LIT("{\"kind\":\"other\""),
};

static char *put(char *d, const char *s, size_t n)
{
    memcpy(d, s, n);
    return d + n;
}

/* Appends v in decimal. */
static char *put_uint(char *d, uint32_t v)
{
    char t[24];
    const char *p = svcq__u64_text(t, v);
    return put(d, p, (size_t)(t + sizeof(t) - p));
}

static int enc_node(const svcq__an_node *n, void *user)
{
    svcq__je *e = user;
    /* ,{"id":"w12","parent":"w11","kind":"category","text": */
    char head[8 + SVCQ__AN_ID_SIZE + 12 + SVCQ__AN_ID_SIZE + 32], *d = head;
    if (e->comma)
        *d++ = ',';
    d = put(d, "{\"id\":\"", 7);
    d = put(d, n->id, strlen(n->id));
    if (n->parent) {
        d = put(d, "\",\"parent\":\"", 12);
        d = put(d, n->parent->id, strlen(n->parent->id));
    }
    d = put(d, kind_lit[n->kind].s, kind_lit[n->kind].n);
    svcq__je_raw(e, head, (size_t)(d - head));
    e->comma = false;
    svcq__je_str(e, n->text);
    /* ,"status":"hypothesis","weight":1000000 */
    char mid[40 + 10], *m = mid;
    m = put(m, status_lit[n->status].s, status_lit[n->status].n);
    m = put_uint(m, (uint32_t)n->weight);
    svcq__je_raw(e, mid, (size_t)(m - mid));
    svcq__je_kv_str(e, K("owner"), n->owner);
    if (n->root)
        svcq__je_raw(e, ",\"root_cause\":true,\"evidence\":[", 31);
    else
        svcq__je_raw(e, ",\"root_cause\":false,\"evidence\":[", 32);
    e->comma = false;
    for (size_t i = 0; i < n->nev; i++) {
        const svcq__an_evidence *v = &n->ev[i];
        if (e->comma)
            svcq__je_raw(e, ",", 1);
        svcq__je_raw(e, ev_lit[v->kind].s, ev_lit[v->kind].n);
        e->comma = true;
        svcq__je_kv_str(e, K("uri"), v->uri);
        svcq__je_kv_str(e, K("note"), v->note);
        svcq__je_kv_str(e, K("collected_by"), v->by);
        if (v->at)
            svcq__je_kv_int(e, K("collected_at"), v->at);
        svcq__je_end(e, '}');
    }
    svcq__je_raw(e, "]}", 2);
    e->comma = true;
    return 0; /* the writer's error is sticky: finish reports it */
}

_Static_assert(SVCQ__ANALYSIS_SCHEMA_MAJOR == 1, "the schema literal below names major 1");

static int encode(const svcq_analysis *a, svcq__buf *out)
{
    svcq__je enc, *e = &enc;
    svcq__je_init(e, a->ctx, out);
    svcq__je_raw(e, "{\"schema\":\"svcq." SVCQ__ANALYSIS_KIND "/1\"",
                 sizeof("{\"schema\":\"svcq." SVCQ__ANALYSIS_KIND "/1\"") - 1);
    e->comma = true;
    svcq__je_kv_str(e, K("id"), a->id);
    svcq__je_kv_str(e, K("template"), svcq_analysis_template_name(a->m.template_));
    svcq__je_kv_int(e, K("why_depth"), a->m.why_depth);
    svcq__je_kv_str(e, K("incident"), a->m.incident);
    svcq__je_key(e, K("next"));
    svcq__je_begin(e, '{');
    svcq__je_kv_int(e, K("k"), a->m.next[0]);
    svcq__je_kv_int(e, K("c"), a->m.next[1]);
    svcq__je_kv_int(e, K("w"), a->m.next[2]);
    svcq__je_end(e, '}');
    svcq__je_key(e, K("nodes"));
    svcq__je_begin(e, '[');
    (void)svcq__an_walk(a->m.root, enc_node, e);
    svcq__je_end(e, ']');
    svcq__je_end(e, '}');
    return svcq__je_finish(e);
}

static int encode_any(const void *obj, svcq__buf *out)
{
    return encode(obj, out);
}

int svcq__an_encode(const svcq_analysis *a, svcq__buf *out, bool pretty)
{
    return svcq__je_export(a->ctx, encode_any, a, out, pretty);
}

int svcq__an_flush(const svcq_writer *w, const svcq__buf *b)
{
    return svcq_writer_write(w, b->data ? b->data : "", b->len);
}

int svcq_analysis_export_json(const svcq_analysis *a, const svcq_writer *writer, uint32_t flags)
{
    if (!a || !writer)
        return svcq__error(a ? a->ctx : NULL, SVCQ_EINVAL, "svcq_analysis_export_json: NULL %s",
                           a ? "writer" : "analysis");
    if (flags & ~SVCQ_ANALYSIS_JSON_PRETTY)
        return svcq__error(a->ctx, SVCQ_EINVAL, "analysis %s: export: unknown flags 0x%x", a->id,
                           (unsigned)(flags & ~SVCQ_ANALYSIS_JSON_PRETTY));
    svcq__buf b;
    svcq__buf_init(&b, a->ctx);
    int rc = svcq__an_encode(a, &b, (flags & SVCQ_ANALYSIS_JSON_PRETTY) != 0);
    if (rc == SVCQ_OK)
        rc = svcq__an_flush(writer, &b);
    svcq__buf_free(&b);
    return rc;
}

/* ---- reading ---------------------------------------------------------------- */

/* Re-reports the context's message with a place in front (not ENOMEM). */
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

/* A text field: required or not; checked like the edits check it. */
static int get_text(svcq_ctx *ctx, const char *place, const svcq__json *o, const char *key, bool required,
                    char **out)
{
    const char *s = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = svcq__json_get_string(ctx, o, key, required, &s, &len);
    if (rc)
        return at_place(ctx, rc, place);
    if (!s)
        return SVCQ_OK;
    char what[96];
    snprintf(what, sizeof(what), "%s: %s", place, key);
    if (memchr(s, '\0', len))
        return svcq__error(ctx, SVCQ_EINVAL, "%s: contains a NUL character", what);
    rc = svcq__an_check_text(ctx, what, s, len);
    if (rc == SVCQ_OK)
        rc = svcq__strndup(ctx, what, s, len, out);
    return rc;
}

/* Parses "<letter><n>" (n from 1, no leading zero, below UINT32_MAX). */
static bool parse_id(const char *s, char *letter, uint32_t *num)
{
    if (strcmp(s, "e") == 0) {
        *letter = 'e';
        *num = 0;
        return true;
    }
    if (svcq__an_letter_index(s[0]) < 0 || s[1] < '1' || s[1] > '9')
        return false;
    uint64_t v = 0;
    for (const char *p = s + 1; *p; p++) {
        if (*p < '0' || *p > '9' || p - s > 10)
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (v >= UINT32_MAX)
        return false;
    *letter = s[0];
    *num = (uint32_t)v;
    return true;
}

static int dec_evidence(svcq_ctx *ctx, const char *place, const svcq__json *o, svcq__an_evidence *e)
{
    const char *kind;
    int rc = svcq__json_get_string(ctx, o, "kind", true, &kind, NULL);
    if (rc)
        return at_place(ctx, rc, place);
    rc = name_value(ctx, place, "kind", kind, svcq_analysis_evidence_kind_name, 1, 6, &e->kind);
    if (rc == SVCQ_OK)
        rc = get_text(ctx, place, o, "uri", false, &e->uri);
    if (rc == SVCQ_OK)
        rc = get_text(ctx, place, o, "note", false, &e->note);
    if (rc == SVCQ_OK)
        rc = get_text(ctx, place, o, "collected_by", false, &e->by);
    int64_t at = 0;
    if (rc == SVCQ_OK)
        rc = at_place(ctx, svcq__json_get_int(ctx, o, "collected_at", false, &at), place);
    if (rc)
        return rc;
    if (!e->uri && !e->note)
        return svcq__error(ctx, SVCQ_EINVAL, "%s: evidence needs a uri or a note", place);
    if (at != 0 && (at < -2208988800LL || at > 253402300799LL))
        return svcq__error(ctx, SVCQ_ERANGE, "%s: collected_at %lld is outside 1900..9999 (omit it when unknown)",
                           place, (long long)at);
    e->at = at;
    return SVCQ_OK;
}

/* Decodes node i of the document into a fresh node (not linked). */
static int dec_node(svcq_ctx *ctx, const svcq__json *o, size_t i, svcq__an_node **out, const char **parent_id)
{
    char place[64];
    snprintf(place, sizeof(place), "nodes[%zu]", i);
    if (svcq__json_typeof(o) != SVCQ__JSON_OBJECT)
        return svcq__error(ctx, SVCQ_ECORRUPT, "%s: expected an object, found %s", place,
                           svcq__json_type_name(svcq__json_typeof(o)));
    const char *id, *kind_s, *status_s = "hypothesis";
    int rc = svcq__json_get_string(ctx, o, "id", true, &id, NULL);
    if (rc)
        return at_place(ctx, rc, place);
    snprintf(place, sizeof(place), "nodes[%zu] (%.16s)", i, id);
    *parent_id = NULL;
    rc = svcq__json_get_string(ctx, o, "parent", false, parent_id, NULL);
    if (rc == SVCQ_OK)
        rc = svcq__json_get_string(ctx, o, "kind", true, &kind_s, NULL);
    if (rc == SVCQ_OK)
        rc = svcq__json_get_string(ctx, o, "status", false, &status_s, NULL);
    int64_t weight = 0;
    bool root = false;
    const svcq__json *ev = NULL;
    if (rc == SVCQ_OK)
        rc = svcq__json_get_int(ctx, o, "weight", false, &weight);
    if (rc == SVCQ_OK)
        rc = svcq__json_get_bool(ctx, o, "root_cause", false, &root);
    if (rc == SVCQ_OK)
        rc = svcq__json_get_array(ctx, o, "evidence", false, &ev);
    if (rc)
        return at_place(ctx, rc, place);
    int32_t kind = 0, status = 0;
    rc = name_value(ctx, place, "kind", kind_s, svcq_analysis_node_kind_name, 1, 4, &kind);
    if (rc == SVCQ_OK)
        rc = name_value(ctx, place, "status", status_s, svcq_analysis_status_name, 0, 2, &status);
    if (rc)
        return rc;
    char letter;
    uint32_t num;
    if (!parse_id(id, &letter, &num) || letter != svcq__an_letter(kind))
        return svcq__error(ctx, SVCQ_EINVAL, "%s: \"%.16s\" is not an id of a %s (\"%c\" and a number from 1)",
                           place, id, svcq_analysis_node_kind_name(kind), svcq__an_letter(kind));
    if (weight < 0 || weight > SVCQ_ANALYSIS_MAX_WEIGHT)
        return svcq__error(ctx, SVCQ_ERANGE, "%s: weight %lld is not between 0 and %d", place, (long long)weight,
                           SVCQ_ANALYSIS_MAX_WEIGHT);
    size_t nev = svcq__json_array_size(ev);
    if (nev > SVCQ_ANALYSIS_MAX_EVIDENCE)
        return svcq__error(ctx, SVCQ_ELIMIT, "%s: %zu evidence references, more than %d", place, nev,
                           SVCQ_ANALYSIS_MAX_EVIDENCE);
    char *text;
    rc = get_text(ctx, place, o, "text", true, &text);
    if (rc)
        return rc;
    svcq__an_node *n = svcq__calloc(ctx, 1, sizeof(*n));
    if (!n) {
        svcq__free(ctx, text);
        return svcq__enomem(ctx);
    }
    n->text = text;
    n->kind = kind;
    n->status = status;
    n->weight = (int32_t)weight;
    n->root = root;
    snprintf(n->id, sizeof(n->id), "%s", id);
    rc = get_text(ctx, place, o, "owner", false, &n->owner);
    if (rc == SVCQ_OK && nev) {
        n->ev = svcq__calloc(ctx, nev, sizeof(*n->ev));
        if (!n->ev)
            rc = svcq__enomem(ctx);
        else
            n->capev = nev;
    }
    for (size_t k = 0; rc == SVCQ_OK && k < nev; k++) {
        char eplace[96];
        snprintf(eplace, sizeof(eplace), "%s.evidence[%zu]", place, k);
        const svcq__json *eo = svcq__json_array_get(ev, k);
        n->nev = k + 1;
        if (svcq__json_typeof(eo) != SVCQ__JSON_OBJECT)
            rc = svcq__error(ctx, SVCQ_ECORRUPT, "%s: expected an object", eplace);
        else
            rc = dec_evidence(ctx, eplace, eo, &n->ev[k]);
    }
    if (rc == SVCQ_OK && root) {
        if (kind != SVCQ_ANALYSIS_CAUSE && kind != SVCQ_ANALYSIS_WHY)
            rc = svcq__error(ctx, SVCQ_EINVAL, "%s: a %s cannot be a root cause", place,
                             svcq_analysis_node_kind_name(kind));
        else if (status != SVCQ_ANALYSIS_CONFIRMED || n->nev == 0)
            rc = svcq__error(ctx, SVCQ_EINVAL, "%s: a root cause must be confirmed and hold evidence (it is %s "
                             "with %zu references)", place, status_s, n->nev);
    }
    if (rc) {
        svcq__an_node_free(ctx, n);
        return rc;
    }
    *out = n;
    return SVCQ_OK;
}

int svcq__an_decode(svcq_ctx *ctx, const svcq__json *root, svcq__an_model *m, const char **id_out)
{
    memset(m, 0, sizeof(*m));
    const char *id, *tmpl;
    const svcq__json *nodes, *next = NULL;
    int64_t depth = SVCQ_ANALYSIS_DEFAULT_WHY_DEPTH;
    int rc = svcq__json_get_string(ctx, root, "id", true, &id, NULL);
    if (rc == SVCQ_OK)
        rc = svcq__json_get_string(ctx, root, "template", true, &tmpl, NULL);
    if (rc == SVCQ_OK)
        rc = svcq__json_get_int(ctx, root, "why_depth", false, &depth);
    if (rc == SVCQ_OK)
        rc = svcq__json_get_object(ctx, root, "next", false, &next);
    if (rc == SVCQ_OK)
        rc = svcq__json_get_array(ctx, root, "nodes", true, &nodes);
    if (rc)
        return rc;
    rc = svcq__store_check_id(ctx, id);
    if (rc)
        return at_place(ctx, rc, "id");
    rc = name_value(ctx, "template", "template", tmpl, svcq_analysis_template_name, 0, 3, &m->template_);
    if (rc)
        return rc;
    if (depth < 1 || depth > SVCQ_ANALYSIS_MAX_DEPTH)
        return svcq__error(ctx, SVCQ_ERANGE, "why_depth: %lld is not between 1 and %d", (long long)depth,
                           SVCQ_ANALYSIS_MAX_DEPTH);
    m->why_depth = (uint32_t)depth;
    rc = get_text(ctx, "analysis", root, "incident", false, &m->incident);
    if (rc == SVCQ_OK && m->incident) {
        rc = svcq__store_check_id(ctx, m->incident);
        rc = at_place(ctx, rc, "incident");
    }
    if (rc)
        goto fail;
    size_t count = svcq__json_array_size(nodes);
    if (count == 0) {
        rc = svcq__error(ctx, SVCQ_EINVAL, "nodes: empty; the first node is the effect \"e\"");
        goto fail;
    }
    if (count > SVCQ_ANALYSIS_MAX_NODES) {
        rc = svcq__error(ctx, SVCQ_ELIMIT, "nodes: %zu, more than the %d an analysis holds", count,
                         SVCQ_ANALYSIS_MAX_NODES);
        goto fail;
    }
    svcq__map index;
    svcq__map_init(&index, ctx);
    rc = svcq__map_reserve(&index, count);
    uint32_t maxnum[3] = { 0, 0, 0 };
    for (size_t i = 0; rc == SVCQ_OK && i < count; i++) {
        svcq__an_node *n = NULL;
        const char *parent_id;
        rc = dec_node(ctx, svcq__json_array_get(nodes, i), i, &n, &parent_id);
        if (rc)
            break;
        char place[64];
        snprintf(place, sizeof(place), "nodes[%zu] (%s)", i, n->id);
        if (i == 0) {
            if (n->kind != SVCQ_ANALYSIS_EFFECT || parent_id)
                rc = svcq__error(ctx, SVCQ_EINVAL, "%s: the first node must be the effect \"e\", without parent",
                                 place);
            else
                m->root = n;
        } else if (n->kind == SVCQ_ANALYSIS_EFFECT) {
            rc = svcq__error(ctx, SVCQ_EINVAL, "%s: a second effect", place);
        } else if (!parent_id) {
            rc = svcq__error(ctx, SVCQ_ECORRUPT, "%s: field \"parent\": missing", place);
        } else if (svcq__map_get(&index, n->id, strlen(n->id))) {
            rc = svcq__error(ctx, SVCQ_EINVAL, "%s: the id is used twice", place);
        } else {
            svcq__an_node *p = svcq__map_get(&index, parent_id, strlen(parent_id));
            if (!p)
                rc = svcq__error(ctx, SVCQ_EINVAL, "%s: parent \"%.16s\" is not an earlier node", place, parent_id);
            else if (!svcq__an_kind_fits(p->kind, n->kind))
                rc = svcq__error(ctx, SVCQ_EINVAL, "%s: a %s cannot go under %s, which is a %s", place,
                                 svcq_analysis_node_kind_name(n->kind), p->id, svcq_analysis_node_kind_name(p->kind));
            else if (svcq__an_depth(p) + 1 > SVCQ_ANALYSIS_MAX_DEPTH)
                rc = svcq__error(ctx, SVCQ_ELIMIT, "%s: more than %d levels below the effect", place,
                                 SVCQ_ANALYSIS_MAX_DEPTH);
            else
                rc = svcq__an_node_reserve(ctx, p, 1);
            if (rc == SVCQ_OK)
                svcq__an_node_link(p, n);
        }
        if (rc == SVCQ_OK)
            rc = svcq__map_put(&index, n->id, strlen(n->id), n, NULL);
        if (rc) {
            if (n != m->root && !n->parent)
                svcq__an_node_free(ctx, n);
            break;
        }
        m->count++;
        int li = svcq__an_letter_index(n->id[0]);
        if (li >= 0) {
            uint32_t num = (uint32_t)strtoul(n->id + 1, NULL, 10);
            if (num > maxnum[li])
                maxnum[li] = num;
        }
    }
    svcq__map_free(&index);
    static const char *const letters[3] = { "k", "c", "w" };
    for (int li = 0; rc == SVCQ_OK && li < 3; li++) {
        int64_t v = (int64_t)maxnum[li] + 1;
        char place[32];
        snprintf(place, sizeof(place), "next.%s", letters[li]);
        if (next)
            rc = at_place(ctx, svcq__json_get_int(ctx, next, letters[li], false, &v), place);
        if (rc == SVCQ_OK && (v <= (int64_t)maxnum[li] || v < 1 || v > UINT32_MAX))
            rc = svcq__error(ctx, SVCQ_EINVAL, "%s: %lld must be above %s%u, the highest id in use", place,
                             (long long)v, letters[li], (unsigned)maxnum[li]);
        if (rc == SVCQ_OK)
            m->next[li] = (uint32_t)v;
    }
    if (rc)
        goto fail;
    *id_out = id;
    return SVCQ_OK;
fail:
    svcq__an_model_free(ctx, m);
    return rc;
}

int svcq_analysis_import_json(svcq_analysis **out, svcq_ctx *ctx, const char *json, size_t size)
{
    if (out)
        *out = NULL;
    if (!out || !ctx || (!json && size))
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_analysis_import_json: NULL %s",
                           !out ? "out" : !ctx ? "ctx" : "json");
    svcq__json_doc *doc = NULL;
    uint32_t major;
    int rc = svcq__json_parse(ctx, json, size, NULL, &doc);
    if (rc == SVCQ_OK)
        rc = svcq__record_check(ctx, svcq__json_root(doc), SVCQ__ANALYSIS_KIND, SVCQ__ANALYSIS_SCHEMA_MAJOR, &major);
    svcq__an_model m;
    const char *id;
    if (rc == SVCQ_OK)
        rc = svcq__an_decode(ctx, svcq__json_root(doc), &m, &id);
    if (rc == SVCQ_OK) {
        rc = svcq__an_handle_new(out, ctx, id, &m);
        svcq__an_model_free(ctx, &m);
    }
    svcq__json_doc_free(doc);
    return rc;
}

/* ---- the store ------------------------------------------------------------- */

int svcq_analysis_save(svcq_analysis *a)
{
    if (!a)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = a->ctx;
    svcq__buf json;
    svcq__buf_init(&json, ctx);
    /* Room for a typical record at once (about 200 bytes a node), rather
     * than growing from 64 bytes by doubling. */
    int rc = svcq__buf_reserve(&json, 256 + 224 * a->m.count) ? svcq__enomem(ctx) : SVCQ_OK;
    if (rc == SVCQ_OK)
        rc = svcq__an_encode(a, &json, false);
    svcq__tx tx;
    tx.began = false;
    if (rc == SVCQ_OK)
        rc = svcq__tx_begin(ctx, &tx);
    if (rc == SVCQ_OK)
        rc = svcq__record_put(ctx, a, SVCQ__ANALYSIS_KIND, a->id, &a->revision, &json);
    if (rc == SVCQ_ECONFLICT) {
        rc = svcq__error_prefix(ctx, rc, "analysis %s: saved by another writer since revision %llu (reload it)",
                                a->id, (unsigned long long)a->revision);
    }
    svcq__buf_free(&json);
    rc = svcq__tx_end(ctx, &tx, rc);
    if (rc == SVCQ_OK) {
        uint32_t level;
        for (size_t i = 0; svcq_analysis_short_branch(a, i, &level); i++)
            svcq__log(ctx, SVCQ_LOG_WARN, "analysis %s: the 5-Why branch ending at %s stops at why %u of %u", a->id,
                      svcq_analysis_short_branch(a, i, NULL), (unsigned)level, (unsigned)a->m.why_depth);
    }
    return rc;
}

int svcq_analysis_load(svcq_analysis **out, svcq_ctx *ctx, const char *id)
{
    if (out)
        *out = NULL;
    if (!out || !ctx || !id)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_analysis_load: NULL argument");
    int rc = svcq__store_check_id(ctx, id);
    if (rc)
        return rc;
    svcq__json_doc *doc = NULL;
    uint32_t major;
    uint64_t revision = 0;
    svcq__an_model m;
    const char *doc_id = NULL;
    rc = svcq__record_load(ctx, SVCQ__ANALYSIS_KIND, id, SVCQ__ANALYSIS_SCHEMA_MAJOR, &doc, &major, &revision);
    if (rc == SVCQ_OK) {
        rc = svcq__an_decode(ctx, svcq__json_root(doc), &m, &doc_id);
        if (rc == SVCQ_OK && strcmp(doc_id, id) != 0) {
            svcq__an_model_free(ctx, &m);
            rc = svcq__error(ctx, SVCQ_ECORRUPT, "holds analysis \"%.64s\"", doc_id);
        }
        if (rc && rc != SVCQ_ENOMEM) {
            rc = svcq__error_prefix(ctx, SVCQ_ECORRUPT, "analysis record \"%s\"", id);
        }
    }
    if (rc == SVCQ_OK) {
        rc = svcq__an_handle_new(out, ctx, id, &m);
        svcq__an_model_free(ctx, &m);
        if (rc == SVCQ_OK)
            (*out)->revision = revision;
    }
    svcq__json_doc_free(doc);
    return rc;
}

int svcq_analysis_delete(svcq_analysis *a)
{
    if (!a)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = a->ctx;
    if (a->revision == 0)
        return svcq__error(ctx, SVCQ_ESTATE, "analysis %s was never saved or loaded: no record to delete", a->id);
    svcq__tx tx;
    int rc = svcq__tx_begin(ctx, &tx);
    if (rc == SVCQ_OK)
        rc = svcq__record_remove(ctx, a, SVCQ__ANALYSIS_KIND, a->id, &a->revision);
    return svcq__tx_end(ctx, &tx, rc);
}
