/* The analysis model: a tree of nodes (effect, categories, causes, whys),
 * its edits and getters.
 *
 * Every edit checks everything, then allocates what it needs, then changes
 * the tree, so a failing edit changes nothing. While a store transaction is
 * open (a host batch, or an incident call that saves the analysis) an edit
 * also records an undo entry owned by the handle with just what it changed
 * (see "undo entries" below); a rollback puts it back without allocating,
 * a commit frees what the entry held. */
#include <stdio.h>
#include <string.h>

#include "analysis/analysis_internal.h"
#include "core/str.h"
#include "core/utf8.h"
#include "store/store.h"

/* ---- names ------------------------------------------------------------- */

static const char *const template_names[] = { "custom", "6m", "8p", "4s" };
static const char *const cat_6m[] = { "People", "Machine", "Method", "Material", "Measurement", "Environment", NULL };
static const char *const cat_8p[] = { "Product", "Price", "Place", "Promotion", "People", "Process",
                                      "Physical evidence", "Productivity and quality", NULL };
static const char *const cat_4s[] = { "Surroundings", "Suppliers", "Systems", "Skills", NULL };
static const char *const *const template_cats[] = { NULL, cat_6m, cat_8p, cat_4s };
static const char *const kind_names[] = { NULL, "effect", "category", "cause", "why" };
static const char *const status_names[] = { "hypothesis", "confirmed", "refuted" };
static const char *const ev_names[] = { NULL, "photo", "system_log", "surveillance_video", "staff_interview",
                                        "document", "other" };

const char *svcq_analysis_template_name(int32_t t)
{
    return t >= 0 && t <= SVCQ_ANALYSIS_4S ? template_names[t] : NULL;
}

const char *svcq_analysis_template_category(int32_t t, uint32_t i)
{
    if (t <= 0 || t > SVCQ_ANALYSIS_4S)
        return NULL;
    const char *const *c = template_cats[t];
    for (uint32_t k = 0; c[k]; k++)
        if (k == i)
            return c[k];
    return NULL;
}

const char *svcq_analysis_node_kind_name(int32_t kind)
{
    return kind >= SVCQ_ANALYSIS_EFFECT && kind <= SVCQ_ANALYSIS_WHY ? kind_names[kind] : NULL;
}

const char *svcq_analysis_status_name(int32_t status)
{
    return status >= 0 && status <= SVCQ_ANALYSIS_REFUTED ? status_names[status] : NULL;
}

const char *svcq_analysis_evidence_kind_name(int32_t kind)
{
    return kind >= SVCQ_ANALYSIS_EV_PHOTO && kind <= SVCQ_ANALYSIS_EV_OTHER ? ev_names[kind] : NULL;
}

/* ---- tree helpers ---------------------------------------------------------- */

char svcq__an_letter(int32_t kind)
{
    switch (kind) {
    case SVCQ_ANALYSIS_EFFECT: return 'e';
    case SVCQ_ANALYSIS_CATEGORY: return 'k';
    case SVCQ_ANALYSIS_CAUSE: return 'c';
    case SVCQ_ANALYSIS_WHY: return 'w';
    default: return 0;
    }
}

int svcq__an_letter_index(char letter)
{
    return letter == 'k' ? 0 : letter == 'c' ? 1 : letter == 'w' ? 2 : -1;
}

bool svcq__an_kind_fits(int32_t parent_kind, int32_t kind)
{
    switch (kind) {
    case SVCQ_ANALYSIS_CATEGORY: return parent_kind == SVCQ_ANALYSIS_EFFECT;
    case SVCQ_ANALYSIS_CAUSE: return parent_kind == SVCQ_ANALYSIS_CATEGORY || parent_kind == SVCQ_ANALYSIS_CAUSE;
    case SVCQ_ANALYSIS_WHY:
        return parent_kind == SVCQ_ANALYSIS_EFFECT || parent_kind == SVCQ_ANALYSIS_CAUSE ||
               parent_kind == SVCQ_ANALYSIS_WHY;
    default: return false;
    }
}

uint32_t svcq__an_depth(const svcq__an_node *n)
{
    uint32_t d = 0;
    for (; n->parent; n = n->parent)
        d++;
    return d;
}

uint32_t svcq__an_height(const svcq__an_node *n)
{
    uint32_t h = 0;
    for (size_t i = 0; i < n->nkids; i++) {
        uint32_t k = svcq__an_height(n->kids[i]) + 1;
        if (k > h)
            h = k;
    }
    return h;
}

uint32_t svcq__an_why_level(const svcq__an_node *n)
{
    uint32_t l = 0;
    for (; n && n->kind == SVCQ_ANALYSIS_WHY; n = n->parent)
        l++;
    return l;
}

bool svcq__an_is_short(const svcq__an_node *n, uint32_t why_depth)
{
    if (n->kind != SVCQ_ANALYSIS_WHY || n->status == SVCQ_ANALYSIS_REFUTED)
        return false;
    for (size_t i = 0; i < n->nkids; i++)
        if (n->kids[i]->kind == SVCQ_ANALYSIS_WHY)
            return false;
    return svcq__an_why_level(n) < why_depth;
}

int svcq__an_walk(const svcq__an_node *n, svcq__an_visit_fn visit, void *user)
{
    int rc = visit(n, user);
    for (size_t i = 0; !rc && i < n->nkids; i++)
        rc = svcq__an_walk(n->kids[i], visit, user);
    return rc;
}

typedef struct find_ctx {
    const char *id;
    const svcq__an_node *found;
} find_ctx;

static int find_visit(const svcq__an_node *n, void *user)
{
    find_ctx *f = user;
    if (strcmp(n->id, f->id) == 0) {
        f->found = n;
        return 1;
    }
    return 0;
}

svcq__an_node *svcq__an_find(const svcq__an_model *m, const char *id)
{
    if (!m->root || !id)
        return NULL;
    /* Only ids of the right shape can exist: skip the walk otherwise. */
    size_t len = strnlen(id, SVCQ__AN_ID_SIZE);
    if (len == 0 || len >= SVCQ__AN_ID_SIZE)
        return NULL;
    find_ctx f = { id, NULL };
    (void)svcq__an_walk(m->root, find_visit, &f);
    return (svcq__an_node *)f.found;
}

enum { TEXT_OK, TEXT_LONG, TEXT_UTF8, TEXT_CONTROL, TEXT_NONCHAR, TEXT_BLANK };

/* What is wrong with a text (TEXT_OK when nothing); *cp and *at name the
 * offending code point and its byte. Printable ASCII, the common case, is
 * one test per byte. */
static int text_fault(const char *s, size_t len, uint32_t *cp, size_t *at)
{
    if (len > SVCQ_ANALYSIS_MAX_TEXT)
        return TEXT_LONG;
    const unsigned char *u = (const unsigned char *)s;
    bool nonspace = false;
    size_t i = svcq__ascii_run(s, len, &nonspace);
    bool blank = !nonspace;
    if (i == len)
        return blank ? TEXT_BLANK : TEXT_OK;
    if (!svcq__utf8_valid(s + i, len - i))
        return TEXT_UTF8;
    while (i < len) {
        size_t k = svcq__utf8_decode(u + i, len - i, cp);
        *at = i;
        if (k == 0)
            return TEXT_UTF8;
        if ((*cp < 0x20 && *cp != '\t' && *cp != '\n') || *cp == 0x7f)
            return TEXT_CONTROL;
        if (*cp == 0xfffe || *cp == 0xffff)
            return TEXT_NONCHAR;
        if (*cp != ' ' && *cp != '\t' && *cp != '\n')
            blank = false;
        i += k;
    }
    return blank ? TEXT_BLANK : TEXT_OK;
}

bool svcq__an_text_ok(const char *s, size_t len)
{
    uint32_t cp;
    size_t at;
    return text_fault(s, len, &cp, &at) == TEXT_OK;
}

int svcq__an_check_text(svcq_ctx *ctx, const char *what, const char *s, size_t len)
{
    uint32_t cp = 0;
    size_t at = 0;
    switch (text_fault(s, len, &cp, &at)) {
    case TEXT_OK: return SVCQ_OK;
    case TEXT_LONG:
        return svcq__error(ctx, SVCQ_ELIMIT, "%s: %zu bytes, more than the %d allowed", what, len,
                           SVCQ_ANALYSIS_MAX_TEXT);
    case TEXT_UTF8: return svcq__error(ctx, SVCQ_EINVAL, "%s: not valid UTF-8", what);
    case TEXT_CONTROL:
        return svcq__error(ctx, SVCQ_EINVAL, "%s: control character U+%04X at byte %zu (only tab and line "
                           "feed are allowed)", what, (unsigned)cp, at);
    case TEXT_NONCHAR:
        return svcq__error(ctx, SVCQ_EINVAL, "%s: non-character U+%04X at byte %zu", what, (unsigned)cp, at);
    default: return svcq__error(ctx, SVCQ_EINVAL, "%s: empty or blank", what);
    }
}

/* Checks a text of node n (NULL: of the analysis) for an edit; the message
 * names "analysis <id>: <node>: <field>", formatted only on failure. */
static int check_field(svcq_analysis *a, const svcq__an_node *n, const char *field, const char *s, size_t len)
{
    if (SVCQ__LIKELY(svcq__an_text_ok(s, len)))
        return SVCQ_OK;
    char what[64 + SVCQ_STORE_MAX_ID];
    if (n)
        snprintf(what, sizeof(what), "analysis %s: %s: %s", a->id, n->id, field);
    else
        snprintf(what, sizeof(what), "analysis %s: %s", a->id, field);
    return svcq__an_check_text(a->ctx, what, s, len);
}

/* A copy of len bytes of a checked text (ENOMEM only). */
static char *text_dup(svcq_ctx *ctx, const char *s, size_t len)
{
    char *c = svcq__malloc(ctx, len + 1);
    if (c) {
        memcpy(c, s, len);
        c[len] = '\0';
    } else {
        (void)svcq__enomem(ctx);
    }
    return c;
}

/* A checked copy of an optional text of node n: NULL or "" gives *out NULL. */
static int opt_copy(svcq_analysis *a, const svcq__an_node *n, const char *field, const char *s, char **out)
{
    *out = NULL;
    if (!s || !*s)
        return SVCQ_OK;
    size_t len = strlen(s);
    int rc = check_field(a, n, field, s, len);
    if (rc)
        return rc;
    *out = text_dup(a->ctx, s, len);
    return *out ? SVCQ_OK : SVCQ_ENOMEM;
}

/* The id of the num-th node of a letter ("k1", "w12"), without printf. */
static void make_id(char out[SVCQ__AN_ID_SIZE], char letter, uint32_t num)
{
    char t[24];
    const char *p = svcq__u64_text(t, num);
    size_t n = (size_t)(t + sizeof(t) - p);
    out[0] = letter;
    memcpy(out + 1, p, n);
    out[1 + n] = '\0';
}

svcq__an_node *svcq__an_node_new(svcq_ctx *ctx, int32_t kind, const char *id, const char *text, size_t len)
{
    /* len is at most SVCQ_ANALYSIS_MAX_TEXT: no overflow. */
    svcq__an_node *n = svcq__calloc(ctx, 1, sizeof(*n) + len + 1);
    if (!n)
        return NULL;
    n->text = n->buf;
    n->text_inline = true;
    memcpy(n->text, text, len);
    n->text[len] = '\0';
    n->kind = kind;
    size_t idlen = strnlen(id, sizeof(n->id) - 1);
    memcpy(n->id, id, idlen);
    n->id[idlen] = '\0';
    return n;
}

static void evidence_free(svcq_ctx *ctx, svcq__an_evidence *e)
{
    svcq__free(ctx, e->uri);
    svcq__free(ctx, e->note);
    svcq__free(ctx, e->by);
}

void svcq__an_node_free(svcq_ctx *ctx, svcq__an_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nkids; i++)
        svcq__an_node_free(ctx, n->kids[i]);
    for (size_t i = 0; i < n->nev; i++)
        evidence_free(ctx, &n->ev[i]);
    svcq__free(ctx, n->kids);
    svcq__free(ctx, n->ev);
    if (!n->text_inline)
        svcq__free(ctx, n->text);
    svcq__free(ctx, n->owner);
    svcq__free(ctx, n);
}

int svcq__an_node_reserve(svcq_ctx *ctx, svcq__an_node *parent, size_t extra)
{
    if (parent->nkids + extra <= parent->capkids)
        return SVCQ_OK;
    size_t cap = parent->capkids ? parent->capkids * 2 : 4;
    while (cap < parent->nkids + extra)
        cap *= 2;
    svcq__an_node **k = svcq__reallocarray(ctx, parent->kids, cap, sizeof(*k));
    if (!k)
        return svcq__enomem(ctx);
    parent->kids = k;
    parent->capkids = cap;
    return SVCQ_OK;
}

void svcq__an_node_link(svcq__an_node *parent, svcq__an_node *child)
{
    parent->kids[parent->nkids++] = child;
    child->parent = parent;
}

void svcq__an_model_free(svcq_ctx *ctx, svcq__an_model *m)
{
    svcq__an_node_free(ctx, m->root);
    svcq__free(ctx, m->incident);
    memset(m, 0, sizeof(*m));
}

/* ---- undo entries ----------------------------------------------------------- */

/* While a store transaction is open every edit records, in one undo entry
 * owned by the handle, what it takes to take the edit back: the old value
 * of the one field it changed, or where a node or an evidence reference
 * was. Entries run newest first, so when one runs the tree is exactly as
 * its edit left it: the nodes and arrays it names are still there, and the
 * arrays still have the room they had (child and evidence arrays never
 * shrink). A release frees only what the entry holds (an old string, a
 * removed subtree), never anything of the handle. Only a move, a removal
 * and the removal of an evidence reference allocate their entry. */

_Static_assert(sizeof(uintptr_t) <= sizeof(uint64_t), "undo entries keep a pointer in their u64 argument");

#define AN_PTR(arg) ((void *)(uintptr_t)(arg))
#define AN_ARG(ptr) ((uint64_t)(uintptr_t)(ptr))

/* Reserves the edit's entry when a transaction is open (*on says so). */
static int undo_begin(svcq_analysis *a, bool *on)
{
    *on = svcq__tx_active(a->ctx);
    return *on ? svcq__undo_reserve(a->ctx, 1) : SVCQ_OK;
}

/* Records the reserved entry; cannot fail. */
static void undo_push(svcq_analysis *a, svcq__undo_fn undo, svcq__undo_fn release, void *data, uint64_t arg)
{
    (void)svcq__undo_push_for(a->ctx, a, undo, release, data, arg);
}

static void undo_i32(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    *(int32_t *)data = (int32_t)(uint32_t)arg;
}

static void undo_u32(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    *(uint32_t *)data = (uint32_t)arg;
}

static void undo_bool(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    *(bool *)data = arg != 0;
}

/* data: the field; arg: its old value, which the entry owns. */
static void undo_str(svcq_ctx *ctx, void *data, uint64_t arg)
{
    char **field = data;
    svcq__free(ctx, *field);
    *field = AN_PTR(arg);
}

static void release_str(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)data;
    svcq__free(ctx, AN_PTR(arg));
}

/* A node's text: data the node; arg its old text, which the entry owns, or
 * 0 when that was the text in the node's block. */
static void undo_text(svcq_ctx *ctx, void *data, uint64_t arg)
{
    svcq__an_node *n = data;
    svcq__free(ctx, n->text);
    n->text_inline = arg == 0;
    n->text = n->text_inline ? n->buf : AN_PTR(arg);
}

/* One edit of an int32_t, uint32_t or bool field. */
static int edit_i32(svcq_analysis *a, int32_t *field, int32_t value)
{
    bool on;
    int rc = undo_begin(a, &on);
    if (rc)
        return rc;
    if (on)
        undo_push(a, undo_i32, NULL, field, (uint32_t)*field);
    *field = value;
    return SVCQ_OK;
}

static int edit_u32(svcq_analysis *a, uint32_t *field, uint32_t value)
{
    bool on;
    int rc = undo_begin(a, &on);
    if (rc)
        return rc;
    if (on)
        undo_push(a, undo_u32, NULL, field, *field);
    *field = value;
    return SVCQ_OK;
}

static int edit_bool(svcq_analysis *a, bool *field, bool value)
{
    bool on;
    int rc = undo_begin(a, &on);
    if (rc)
        return rc;
    if (on)
        undo_push(a, undo_bool, NULL, field, *field);
    *field = value;
    return SVCQ_OK;
}

/* One edit that puts copy (owned; freed on failure) in *field. */
static int edit_string(svcq_analysis *a, char **field, char *copy)
{
    bool on;
    int rc = undo_begin(a, &on);
    if (rc) {
        svcq__free(a->ctx, copy);
        return rc;
    }
    if (on)
        undo_push(a, undo_str, release_str, field, AN_ARG(*field));
    else
        svcq__free(a->ctx, *field);
    *field = copy;
    return SVCQ_OK;
}

/* An added node: data the handle, arg the parent, whose last child it is. */
static void undo_add(svcq_ctx *ctx, void *data, uint64_t arg)
{
    svcq_analysis *a = data;
    svcq__an_node *p = AN_PTR(arg);
    svcq__an_node *n = p->kids[--p->nkids];
    a->m.next[svcq__an_letter_index(svcq__an_letter(n->kind))]--;
    a->m.count--;
    svcq__an_node_free(ctx, n);
}

/* An added evidence reference: data the node, whose last one it is. */
static void undo_add_evidence(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    svcq__an_node *n = data;
    evidence_free(ctx, &n->ev[--n->nev]);
}

/* Where a moved or removed node, or a removed evidence reference, was. */
typedef struct an_place {
    svcq_analysis *a;
    svcq__an_node *node;
    svcq__an_node *parent; /* the old parent (move, remove) */
    size_t index;          /* in the old parent's children or the node's evidence */
    svcq__an_evidence ev;  /* the removed evidence reference */
} an_place;

/* Allocates a place entry and reserves its push when a transaction is
 * open (*out NULL otherwise). */
static int place_begin(svcq_analysis *a, an_place **out)
{
    *out = NULL;
    if (!svcq__tx_active(a->ctx))
        return SVCQ_OK;
    an_place *p = svcq__calloc(a->ctx, 1, sizeof(*p));
    if (!p)
        return svcq__enomem(a->ctx);
    int rc = svcq__undo_reserve(a->ctx, 1);
    if (rc) {
        svcq__free(a->ctx, p);
        return rc;
    }
    p->a = a;
    *out = p;
    return SVCQ_OK;
}

static void place_release(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)arg;
    svcq__free(ctx, data);
}

/* Puts n back under parent at index (room is there: arrays never shrink). */
static void relink(svcq__an_node *parent, svcq__an_node *n, size_t index)
{
    memmove(&parent->kids[index + 1], &parent->kids[index], (parent->nkids - index) * sizeof(*parent->kids));
    parent->kids[index] = n;
    parent->nkids++;
    n->parent = parent;
}

static size_t index_in_parent(const svcq__an_node *n)
{
    size_t i = 0;
    while (n->parent->kids[i] != n)
        i++;
    return i;
}

static void unlink_node(svcq__an_node *n)
{
    svcq__an_node *p = n->parent;
    size_t i = index_in_parent(n);
    memmove(&p->kids[i], &p->kids[i + 1], (p->nkids - i - 1) * sizeof(*p->kids));
    p->nkids--;
    n->parent = NULL;
}

static void undo_move(svcq_ctx *ctx, void *data, uint64_t arg)
{
    an_place *p = data;
    unlink_node(p->node);
    relink(p->parent, p->node, p->index);
    place_release(ctx, p, arg);
}

static size_t subtree_count(const svcq__an_node *n)
{
    size_t c = 1;
    for (size_t i = 0; i < n->nkids; i++)
        c += subtree_count(n->kids[i]);
    return c;
}

static void undo_remove(svcq_ctx *ctx, void *data, uint64_t arg)
{
    an_place *p = data;
    relink(p->parent, p->node, p->index);
    p->a->m.count += subtree_count(p->node);
    place_release(ctx, p, arg);
}

/* The removed subtree stays out of the tree: it is the entry's to free. */
static void release_remove(svcq_ctx *ctx, void *data, uint64_t arg)
{
    an_place *p = data;
    svcq__an_node_free(ctx, p->node);
    place_release(ctx, p, arg);
}

static void undo_remove_evidence(svcq_ctx *ctx, void *data, uint64_t arg)
{
    an_place *p = data;
    svcq__an_node *n = p->node;
    memmove(&n->ev[p->index + 1], &n->ev[p->index], (n->nev - p->index) * sizeof(*n->ev));
    n->ev[p->index] = p->ev;
    n->nev++;
    place_release(ctx, p, arg);
}

static void release_remove_evidence(svcq_ctx *ctx, void *data, uint64_t arg)
{
    an_place *p = data;
    evidence_free(ctx, &p->ev);
    place_release(ctx, p, arg);
}

/* ---- handles ------------------------------------------------------------- */

int svcq__an_handle_new(svcq_analysis **out, svcq_ctx *ctx, const char *id, svcq__an_model *m)
{
    svcq_analysis *a = svcq__calloc(ctx, 1, sizeof(*a));
    if (!a)
        return svcq__enomem(ctx);
    int rc = svcq__strdup(ctx, "analysis id", id, &a->id);
    if (rc) {
        svcq__free(ctx, a);
        return rc;
    }
    a->ctx = ctx;
    a->m = *m;
    memset(m, 0, sizeof(*m));
    *out = a;
    return SVCQ_OK;
}

int svcq_analysis_new(svcq_analysis **out, svcq_ctx *ctx, const char *id, const char *effect, int32_t template_)
{
    if (out)
        *out = NULL;
    if (!out || !ctx || !id || !effect)
        return svcq__error(ctx, SVCQ_EINVAL, "svcq_analysis_new: NULL argument");
    int rc = svcq__store_check_id(ctx, id);
    if (rc)
        return rc;
    if (!svcq_analysis_template_name(template_))
        return svcq__error(ctx, SVCQ_EINVAL, "analysis %s: unknown template %d (custom 0, 6m 1, 8p 2, 4s 3)", id,
                           (int)template_);
    size_t effect_len = strlen(effect);
    if (!svcq__an_text_ok(effect, effect_len)) {
        char what[64 + SVCQ_STORE_MAX_ID];
        snprintf(what, sizeof(what), "analysis %s: effect", id);
        return svcq__an_check_text(ctx, what, effect, effect_len);
    }
    svcq__an_model m = { 0 };
    m.template_ = template_;
    m.why_depth = SVCQ_ANALYSIS_DEFAULT_WHY_DEPTH;
    m.next[0] = m.next[1] = m.next[2] = 1;
    m.root = svcq__an_node_new(ctx, SVCQ_ANALYSIS_EFFECT, "e", effect, effect_len);
    m.count = 1;
    rc = m.root ? SVCQ_OK : svcq__enomem(ctx);
    const char *const *cats = template_cats[template_];
    for (size_t i = 0; rc == SVCQ_OK && cats && cats[i]; i++) {
        char cid[SVCQ__AN_ID_SIZE];
        make_id(cid, 'k', m.next[0]);
        svcq__an_node *k = svcq__an_node_new(ctx, SVCQ_ANALYSIS_CATEGORY, cid, cats[i], strlen(cats[i]));
        rc = k ? svcq__an_node_reserve(ctx, m.root, 1) : svcq__enomem(ctx);
        if (rc) {
            svcq__an_node_free(ctx, k);
            break;
        }
        svcq__an_node_link(m.root, k);
        m.next[0]++;
        m.count++;
    }
    if (rc == SVCQ_OK)
        rc = svcq__an_handle_new(out, ctx, id, &m);
    svcq__an_model_free(ctx, &m);
    return rc;
}

void svcq_analysis_free(svcq_analysis *a)
{
    if (!a)
        return;
    svcq_ctx *ctx = a->ctx;
    svcq__undo_detach(ctx, a);
    svcq__an_model_free(ctx, &a->m);
    svcq__free(ctx, a->id);
    svcq__free(ctx, a);
}

const char *svcq_analysis_id(const svcq_analysis *a)
{
    return a ? a->id : NULL;
}

uint64_t svcq_analysis_revision(const svcq_analysis *a)
{
    return a ? a->revision : 0;
}

int32_t svcq_analysis_template_of(const svcq_analysis *a)
{
    return a ? a->m.template_ : -1;
}

const char *svcq_analysis_incident(const svcq_analysis *a)
{
    return a ? a->m.incident : NULL;
}

uint32_t svcq_analysis_why_depth(const svcq_analysis *a)
{
    return a ? a->m.why_depth : 0;
}

int svcq_analysis_set_incident(svcq_analysis *a, const char *incident_id)
{
    if (!a)
        return SVCQ_EINVAL;
    char *copy = NULL;
    if (incident_id && *incident_id) {
        int rc = svcq__store_check_id(a->ctx, incident_id);
        if (rc)
            return svcq__error(a->ctx, rc, "analysis %s: incident id \"%s\" is not a valid record id", a->id,
                               incident_id);
        copy = text_dup(a->ctx, incident_id, strlen(incident_id));
        if (!copy)
            return SVCQ_ENOMEM;
    }
    return edit_string(a, &a->m.incident, copy);
}

int svcq_analysis_set_why_depth(svcq_analysis *a, uint32_t depth)
{
    if (!a)
        return SVCQ_EINVAL;
    if (depth < 1 || depth > SVCQ_ANALYSIS_MAX_DEPTH)
        return svcq__error(a->ctx, SVCQ_ERANGE, "analysis %s: why depth %u is not between 1 and %d", a->id,
                           (unsigned)depth, SVCQ_ANALYSIS_MAX_DEPTH);
    return edit_u32(a, &a->m.why_depth, depth);
}

/* Finds a node for an edit, reporting an unknown id. */
static int lookup(svcq_analysis *a, const char *fn, const char *id, svcq__an_node **out)
{
    if (!id)
        return svcq__error(a->ctx, SVCQ_EINVAL, "analysis %s: %s: NULL node id", a->id, fn);
    *out = svcq__an_find(&a->m, id);
    if (!*out)
        return svcq__error(a->ctx, SVCQ_ENOTFOUND, "analysis %s: %s: no node \"%.40s\"", a->id, fn, id);
    return SVCQ_OK;
}

static const char *kname(int32_t kind)
{
    const char *s = svcq_analysis_node_kind_name(kind);
    return s ? s : "unknown kind";
}

int svcq_analysis_add(const char **out_id, svcq_analysis *a, const char *parent_id, int32_t kind, const char *text)
{
    if (out_id)
        *out_id = NULL;
    if (!a)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = a->ctx;
    svcq__an_node *parent;
    int rc = lookup(a, "svcq_analysis_add", parent_id, &parent);
    if (rc)
        return rc;
    if (kind != SVCQ_ANALYSIS_CATEGORY && kind != SVCQ_ANALYSIS_CAUSE && kind != SVCQ_ANALYSIS_WHY)
        return svcq__error(ctx, SVCQ_EINVAL, "analysis %s: cannot add a node of kind %d under %s (add a category, "
                           "a cause or a why)", a->id, (int)kind, parent->id);
    if (!svcq__an_kind_fits(parent->kind, kind))
        return svcq__error(ctx, SVCQ_EINVAL, "analysis %s: a %s cannot go under %s, which is a %s", a->id,
                           kname(kind), parent->id, kname(parent->kind));
    if (!text)
        return svcq__error(ctx, SVCQ_EINVAL, "analysis %s: new %s under %s: NULL text", a->id, kname(kind),
                           parent->id);
    size_t len = strlen(text);
    if (!svcq__an_text_ok(text, len)) {
        char what[96 + SVCQ_STORE_MAX_ID];
        snprintf(what, sizeof(what), "analysis %s: new %s under %s: text", a->id, kname(kind), parent->id);
        return svcq__an_check_text(ctx, what, text, len);
    }
    if (a->m.count >= SVCQ_ANALYSIS_MAX_NODES)
        return svcq__error(ctx, SVCQ_ELIMIT, "analysis %s: already %d nodes, the most one analysis holds", a->id,
                           SVCQ_ANALYSIS_MAX_NODES);
    if (svcq__an_depth(parent) + 1 > SVCQ_ANALYSIS_MAX_DEPTH)
        return svcq__error(ctx, SVCQ_ELIMIT, "analysis %s: %s is at level %u; nodes go at most %d levels below "
                           "the effect", a->id, parent->id, (unsigned)svcq__an_depth(parent),
                           SVCQ_ANALYSIS_MAX_DEPTH);
    int li = svcq__an_letter_index(svcq__an_letter(kind));
    if (a->m.next[li] == UINT32_MAX)
        return svcq__error(ctx, SVCQ_ELIMIT, "analysis %s: no %s ids left", a->id, kname(kind));
    char id[SVCQ__AN_ID_SIZE];
    make_id(id, svcq__an_letter(kind), a->m.next[li]);
    svcq__an_node *n = svcq__an_node_new(ctx, kind, id, text, len);
    if (!n)
        return svcq__enomem(ctx);
    bool on = false;
    rc = svcq__an_node_reserve(ctx, parent, 1);
    if (rc == SVCQ_OK)
        rc = undo_begin(a, &on);
    if (rc) {
        svcq__an_node_free(ctx, n);
        return rc;
    }
    if (on)
        undo_push(a, undo_add, NULL, a, AN_ARG(parent));
    svcq__an_node_link(parent, n);
    a->m.next[li]++;
    a->m.count++;
    if (out_id)
        *out_id = n->id;
    return SVCQ_OK;
}

static bool is_under(const svcq__an_node *n, const svcq__an_node *top)
{
    for (; n; n = n->parent)
        if (n == top)
            return true;
    return false;
}

int svcq_analysis_move(svcq_analysis *a, const char *node_id, const char *parent_id, int32_t position)
{
    if (!a)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = a->ctx;
    svcq__an_node *n, *p;
    int rc = lookup(a, "svcq_analysis_move", node_id, &n);
    if (!rc)
        rc = lookup(a, "svcq_analysis_move", parent_id, &p);
    if (rc)
        return rc;
    if (n->kind == SVCQ_ANALYSIS_EFFECT)
        return svcq__error(ctx, SVCQ_EINVAL, "analysis %s: the effect cannot move", a->id);
    if (is_under(p, n))
        return svcq__error(ctx, SVCQ_EINVAL, "analysis %s: moving %s under %s would make a cycle (%s %s)", a->id,
                           n->id, p->id, p->id, p == n ? "is the node itself" : "lies under it");
    if (!svcq__an_kind_fits(p->kind, n->kind))
        return svcq__error(ctx, SVCQ_EINVAL, "analysis %s: %s is a %s and cannot go under %s, which is a %s", a->id,
                           n->id, kname(n->kind), p->id, kname(p->kind));
    size_t room = p->nkids - (n->parent == p ? 1 : 0);
    if (position < -1 || (position >= 0 && (size_t)position > room))
        return svcq__error(ctx, SVCQ_EINVAL, "analysis %s: position %d under %s is out of range (-1 or 0 to %zu)",
                           a->id, (int)position, p->id, room);
    if (svcq__an_depth(p) + 1 + svcq__an_height(n) > SVCQ_ANALYSIS_MAX_DEPTH)
        return svcq__error(ctx, SVCQ_ELIMIT, "analysis %s: under %s the deepest node of %s would be %u levels "
                           "below the effect, more than %d", a->id, p->id, n->id,
                           (unsigned)(svcq__an_depth(p) + 1 + svcq__an_height(n)), SVCQ_ANALYSIS_MAX_DEPTH);
    an_place *u = NULL;
    rc = svcq__an_node_reserve(ctx, p, 1);
    if (rc == SVCQ_OK)
        rc = place_begin(a, &u);
    if (rc)
        return rc;
    if (u) {
        u->node = n;
        u->parent = n->parent;
        u->index = index_in_parent(n);
        undo_push(a, undo_move, place_release, u, 0);
    }
    unlink_node(n);
    relink(p, n, position < 0 ? p->nkids : (size_t)position);
    return SVCQ_OK;
}

int svcq_analysis_remove(svcq_analysis *a, const char *node_id)
{
    if (!a)
        return SVCQ_EINVAL;
    svcq__an_node *n;
    int rc = lookup(a, "svcq_analysis_remove", node_id, &n);
    if (rc)
        return rc;
    if (n->kind == SVCQ_ANALYSIS_EFFECT)
        return svcq__error(a->ctx, SVCQ_EINVAL, "analysis %s: the effect cannot be removed", a->id);
    an_place *u;
    rc = place_begin(a, &u);
    if (rc)
        return rc;
    a->m.count -= subtree_count(n);
    if (u) {
        u->node = n;
        u->parent = n->parent;
        u->index = index_in_parent(n);
        undo_push(a, undo_remove, release_remove, u, 0);
        unlink_node(n);
    } else {
        unlink_node(n);
        svcq__an_node_free(a->ctx, n);
    }
    return SVCQ_OK;
}

int svcq_analysis_set_text(svcq_analysis *a, const char *node_id, const char *text)
{
    if (!a)
        return SVCQ_EINVAL;
    svcq__an_node *n;
    int rc = lookup(a, "svcq_analysis_set_text", node_id, &n);
    if (rc)
        return rc;
    if (!text)
        return svcq__error(a->ctx, SVCQ_EINVAL, "analysis %s: %s: NULL text", a->id, n->id);
    size_t len = strlen(text);
    rc = check_field(a, n, "text", text, len);
    if (rc)
        return rc;
    char *copy = text_dup(a->ctx, text, len);
    if (!copy)
        return SVCQ_ENOMEM;
    bool on;
    rc = undo_begin(a, &on);
    if (rc) {
        svcq__free(a->ctx, copy);
        return rc;
    }
    if (on)
        undo_push(a, undo_text, release_str, n, n->text_inline ? 0 : AN_ARG(n->text));
    else if (!n->text_inline)
        svcq__free(a->ctx, n->text);
    n->text = copy;
    n->text_inline = false;
    return SVCQ_OK;
}

int svcq_analysis_set_status(svcq_analysis *a, const char *node_id, int32_t status)
{
    if (!a)
        return SVCQ_EINVAL;
    svcq__an_node *n;
    int rc = lookup(a, "svcq_analysis_set_status", node_id, &n);
    if (rc)
        return rc;
    if (!svcq_analysis_status_name(status))
        return svcq__error(a->ctx, SVCQ_EINVAL, "analysis %s: %s: unknown status %d (hypothesis 0, confirmed 1, "
                           "refuted 2)", a->id, n->id, (int)status);
    if (n->root && status != SVCQ_ANALYSIS_CONFIRMED)
        return svcq__error(a->ctx, SVCQ_ESTATE, "analysis %s: %s is a root cause and must stay confirmed: unmark it "
                           "before making it %s", a->id, n->id, svcq_analysis_status_name(status));
    return edit_i32(a, &n->status, status);
}

int svcq_analysis_set_owner(svcq_analysis *a, const char *node_id, const char *owner)
{
    if (!a)
        return SVCQ_EINVAL;
    svcq__an_node *n;
    int rc = lookup(a, "svcq_analysis_set_owner", node_id, &n);
    if (rc)
        return rc;
    char *copy;
    rc = opt_copy(a, n, "owner", owner, &copy);
    return rc ? rc : edit_string(a, &n->owner, copy);
}

int svcq_analysis_set_weight(svcq_analysis *a, const char *node_id, int32_t weight)
{
    if (!a)
        return SVCQ_EINVAL;
    svcq__an_node *n;
    int rc = lookup(a, "svcq_analysis_set_weight", node_id, &n);
    if (rc)
        return rc;
    if (weight < 0 || weight > SVCQ_ANALYSIS_MAX_WEIGHT)
        return svcq__error(a->ctx, SVCQ_ERANGE, "analysis %s: %s: weight %d is not between 0 and %d", a->id, n->id,
                           (int)weight, SVCQ_ANALYSIS_MAX_WEIGHT);
    return edit_i32(a, &n->weight, weight);
}

/* 1900-01-01T00:00:00Z to 9999-12-31T23:59:59Z, svcq_calendar_range(). */
#define AN_TIME_MIN ((svcq_time)-2208988800LL)
#define AN_TIME_MAX ((svcq_time)253402300799LL)

int svcq_analysis_add_evidence(svcq_analysis *a, const char *node_id, int32_t kind, const char *uri,
                               const char *note, const char *collected_by, svcq_time collected_at)
{
    if (!a)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = a->ctx;
    svcq__an_node *n;
    int rc = lookup(a, "svcq_analysis_add_evidence", node_id, &n);
    if (rc)
        return rc;
    if (!svcq_analysis_evidence_kind_name(kind))
        return svcq__error(ctx, SVCQ_EINVAL, "analysis %s: %s: unknown evidence kind %d (photo 1 ... other 6)",
                           a->id, n->id, (int)kind);
    if ((!uri || !*uri) && (!note || !*note))
        return svcq__error(ctx, SVCQ_EINVAL, "analysis %s: %s: evidence needs a URI or a note", a->id, n->id);
    if (collected_at != 0 && (collected_at < AN_TIME_MIN || collected_at > AN_TIME_MAX))
        return svcq__error(ctx, SVCQ_ERANGE, "analysis %s: %s: evidence collected at %lld, outside 1900..9999 "
                           "(0 for unknown)", a->id, n->id, (long long)collected_at);
    if (n->nev >= SVCQ_ANALYSIS_MAX_EVIDENCE)
        return svcq__error(ctx, SVCQ_ELIMIT, "analysis %s: %s already holds %d evidence references, the most a "
                           "node holds", a->id, n->id, SVCQ_ANALYSIS_MAX_EVIDENCE);
    svcq__an_evidence e = { kind, NULL, NULL, NULL, collected_at };
    rc = opt_copy(a, n, "evidence uri", uri, &e.uri);
    if (rc == SVCQ_OK)
        rc = opt_copy(a, n, "evidence note", note, &e.note);
    if (rc == SVCQ_OK)
        rc = opt_copy(a, n, "evidence collected_by", collected_by, &e.by);
    if (rc == SVCQ_OK && n->nev == n->capev) {
        /* Capacity only: nev unchanged until the edit is made. The array
         * never shrinks, which the undo of a removal counts on. */
        size_t cap = n->capev ? n->capev * 2 : 2;
        svcq__an_evidence *ev = svcq__reallocarray(ctx, n->ev, cap, sizeof(*ev));
        if (ev) {
            n->ev = ev;
            n->capev = cap;
        } else {
            rc = svcq__enomem(ctx);
        }
    }
    bool on = false;
    if (rc == SVCQ_OK)
        rc = undo_begin(a, &on);
    if (rc) {
        evidence_free(ctx, &e);
        return rc;
    }
    if (on)
        undo_push(a, undo_add_evidence, NULL, n, 0);
    n->ev[n->nev++] = e;
    return SVCQ_OK;
}

int svcq_analysis_remove_evidence(svcq_analysis *a, const char *node_id, uint32_t index)
{
    if (!a)
        return SVCQ_EINVAL;
    svcq__an_node *n;
    int rc = lookup(a, "svcq_analysis_remove_evidence", node_id, &n);
    if (rc)
        return rc;
    if (index >= n->nev)
        return svcq__error(a->ctx, SVCQ_ENOTFOUND, "analysis %s: %s has %zu evidence references, no index %u",
                           a->id, n->id, n->nev, (unsigned)index);
    if (n->root && n->nev == 1)
        return svcq__error(a->ctx, SVCQ_ESTATE, "analysis %s: %s is a root cause and this is its only evidence: "
                           "unmark it first", a->id, n->id);
    an_place *u;
    rc = place_begin(a, &u);
    if (rc)
        return rc;
    if (u) {
        u->node = n;
        u->index = index;
        u->ev = n->ev[index];
        undo_push(a, undo_remove_evidence, release_remove_evidence, u, 0);
    } else {
        evidence_free(a->ctx, &n->ev[index]);
    }
    memmove(&n->ev[index], &n->ev[index + 1], (n->nev - index - 1) * sizeof(*n->ev));
    n->nev--;
    return SVCQ_OK;
}

int svcq_analysis_set_root_cause(svcq_analysis *a, const char *node_id, int32_t marked)
{
    if (!a)
        return SVCQ_EINVAL;
    svcq__an_node *n;
    int rc = lookup(a, "svcq_analysis_set_root_cause", node_id, &n);
    if (rc)
        return rc;
    if (n->kind != SVCQ_ANALYSIS_CAUSE && n->kind != SVCQ_ANALYSIS_WHY)
        return svcq__error(a->ctx, SVCQ_EINVAL, "analysis %s: %s is the %s: only a cause or a why can be a root "
                           "cause", a->id, n->id, kname(n->kind));
    if (marked && n->status != SVCQ_ANALYSIS_CONFIRMED)
        return svcq__error(a->ctx, SVCQ_ESTATE, "analysis %s: %s is a %s: a root cause must be confirmed first",
                           a->id, n->id, svcq_analysis_status_name(n->status));
    if (marked && n->nev == 0)
        return svcq__error(a->ctx, SVCQ_ESTATE, "analysis %s: %s has no evidence: a root cause needs at least one "
                           "evidence reference", a->id, n->id);
    return edit_bool(a, &n->root, marked != 0);
}

/* ---- getters ------------------------------------------------------------- */

static const svcq__an_node *get(const svcq_analysis *a, const char *id)
{
    return a ? svcq__an_find(&a->m, id) : NULL;
}

size_t svcq_analysis_node_count(const svcq_analysis *a)
{
    return a ? a->m.count : 0;
}

typedef struct nth_ctx {
    size_t want, seen;
    const svcq__an_node *found;
    int mode; /* 0 any node, 1 root causes, 2 why anchors, 3 short branches */
    uint32_t why_depth;
} nth_ctx;

static bool nth_match(const nth_ctx *c, const svcq__an_node *n)
{
    switch (c->mode) {
    case 0: return true;
    case 1: return n->root;
    case 2:
        if (n->kind != SVCQ_ANALYSIS_EFFECT && n->kind != SVCQ_ANALYSIS_CAUSE)
            return false;
        for (size_t i = 0; i < n->nkids; i++)
            if (n->kids[i]->kind == SVCQ_ANALYSIS_WHY)
                return true;
        return false;
    default: return svcq__an_is_short(n, c->why_depth);
    }
}

static int nth_visit(const svcq__an_node *n, void *user)
{
    nth_ctx *c = user;
    if (!nth_match(c, n))
        return 0;
    if (c->seen++ == c->want) {
        c->found = n;
        return 1;
    }
    return 0;
}

static const svcq__an_node *nth(const svcq_analysis *a, int mode, size_t i, size_t *count)
{
    nth_ctx c = { i, 0, NULL, mode, a ? a->m.why_depth : 0 };
    if (a && a->m.root)
        (void)svcq__an_walk(a->m.root, nth_visit, &c);
    if (count)
        *count = c.seen;
    return c.found;
}

const char *svcq_analysis_node_at(const svcq_analysis *a, size_t i)
{
    const svcq__an_node *n = nth(a, 0, i, NULL);
    return n ? n->id : NULL;
}

int32_t svcq_analysis_node_kind_of(const svcq_analysis *a, const char *node_id)
{
    const svcq__an_node *n = get(a, node_id);
    return n ? n->kind : 0;
}

const char *svcq_analysis_node_text(const svcq_analysis *a, const char *node_id)
{
    const svcq__an_node *n = get(a, node_id);
    return n ? n->text : NULL;
}

const char *svcq_analysis_node_parent(const svcq_analysis *a, const char *node_id)
{
    const svcq__an_node *n = get(a, node_id);
    return n && n->parent ? n->parent->id : NULL;
}

int32_t svcq_analysis_node_status(const svcq_analysis *a, const char *node_id)
{
    const svcq__an_node *n = get(a, node_id);
    return n ? n->status : -1;
}

const char *svcq_analysis_node_owner(const svcq_analysis *a, const char *node_id)
{
    const svcq__an_node *n = get(a, node_id);
    return n ? n->owner : NULL;
}

int32_t svcq_analysis_node_weight(const svcq_analysis *a, const char *node_id)
{
    const svcq__an_node *n = get(a, node_id);
    return n ? n->weight : -1;
}

int32_t svcq_analysis_node_is_root_cause(const svcq_analysis *a, const char *node_id)
{
    const svcq__an_node *n = get(a, node_id);
    return n ? (n->root ? 1 : 0) : -1;
}

uint32_t svcq_analysis_node_why_level(const svcq_analysis *a, const char *node_id)
{
    const svcq__an_node *n = get(a, node_id);
    return n ? svcq__an_why_level(n) : 0;
}

size_t svcq_analysis_node_child_count(const svcq_analysis *a, const char *node_id)
{
    const svcq__an_node *n = get(a, node_id);
    return n ? n->nkids : 0;
}

const char *svcq_analysis_node_child(const svcq_analysis *a, const char *node_id, size_t i)
{
    const svcq__an_node *n = get(a, node_id);
    return n && i < n->nkids ? n->kids[i]->id : NULL;
}

static const svcq__an_evidence *ev_get(const svcq_analysis *a, const char *node_id, size_t i)
{
    const svcq__an_node *n = get(a, node_id);
    return n && i < n->nev ? &n->ev[i] : NULL;
}

size_t svcq_analysis_evidence_count(const svcq_analysis *a, const char *node_id)
{
    const svcq__an_node *n = get(a, node_id);
    return n ? n->nev : 0;
}

int32_t svcq_analysis_evidence_kind_of(const svcq_analysis *a, const char *node_id, size_t i)
{
    const svcq__an_evidence *e = ev_get(a, node_id, i);
    return e ? e->kind : 0;
}

const char *svcq_analysis_evidence_uri(const svcq_analysis *a, const char *node_id, size_t i)
{
    const svcq__an_evidence *e = ev_get(a, node_id, i);
    return e ? e->uri : NULL;
}

const char *svcq_analysis_evidence_note(const svcq_analysis *a, const char *node_id, size_t i)
{
    const svcq__an_evidence *e = ev_get(a, node_id, i);
    return e ? e->note : NULL;
}

const char *svcq_analysis_evidence_collected_by(const svcq_analysis *a, const char *node_id, size_t i)
{
    const svcq__an_evidence *e = ev_get(a, node_id, i);
    return e ? e->by : NULL;
}

svcq_time svcq_analysis_evidence_collected_at(const svcq_analysis *a, const char *node_id, size_t i)
{
    const svcq__an_evidence *e = ev_get(a, node_id, i);
    return e ? e->at : 0;
}

size_t svcq_analysis_root_cause_count(const svcq_analysis *a)
{
    size_t n;
    (void)nth(a, 1, SIZE_MAX, &n);
    return n;
}

const char *svcq_analysis_root_cause(const svcq_analysis *a, size_t i)
{
    const svcq__an_node *n = nth(a, 1, i, NULL);
    return n ? n->id : NULL;
}

size_t svcq_analysis_why_tree_count(const svcq_analysis *a)
{
    size_t n;
    (void)nth(a, 2, SIZE_MAX, &n);
    return n;
}

const char *svcq_analysis_why_tree(const svcq_analysis *a, size_t i)
{
    const svcq__an_node *n = nth(a, 2, i, NULL);
    return n ? n->id : NULL;
}

size_t svcq_analysis_short_branch_count(const svcq_analysis *a)
{
    size_t n;
    (void)nth(a, 3, SIZE_MAX, &n);
    return n;
}

const char *svcq_analysis_short_branch(const svcq_analysis *a, size_t i, uint32_t *level)
{
    const svcq__an_node *n = nth(a, 3, i, NULL);
    if (level)
        *level = n ? svcq__an_why_level(n) : 0;
    return n ? n->id : NULL;
}
