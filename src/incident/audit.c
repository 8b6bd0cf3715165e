/* The tamper-evident audit trail: one record per entry (kind
 * "incident_audit", id "<incident>/<seq as 10 digits>"), written once with
 * expected revision 0 and never rewritten, each chained to the one before
 * by SHA-256 over the canonical bytes of docs/format.md:
 *
 *     "svcq.incident_audit/1\n" then, for incident, seq, time, actor, role,
 *     action, before, after and prev (decimal numbers, the rest as text),
 *     "<byte length>:<bytes>\n".
 *
 * The first entry's prev is 64 zeros. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/jenc.h"
#include "core/str.h"
#include "core/utf8.h"
#include "incident/incident_internal.h"
#include "store/record.h"

static const char zero_hash[SVCQ__SHA256_HEX + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* The canonical bytes are gathered in a buffer an entry of usual texts
 * fits in, each field written into it in one piece, and hashed at once;
 * a longer entry is hashed a buffer at a time. */
typedef struct canon {
    svcq__sha256_ctx s;
    size_t len;
    char buf[1024];
} canon;

static void put(canon *c, const char *v, size_t n)
{
    if (c->len + n > sizeof(c->buf)) {
        svcq__sha256_update(&c->s, c->buf, c->len);
        c->len = 0;
        if (n > sizeof(c->buf)) {
            svcq__sha256_update(&c->s, v, n);
            return;
        }
    }
    memcpy(c->buf + c->len, v, n);
    c->len += n;
}

static void field_slow(canon *c, const char *v, size_t n)
{
    char len[25];
    len[24] = ':';
    const char *p = svcq__u64_text(len, n);
    put(c, p, (size_t)(len + 25 - p));
    put(c, v, n);
    put(c, "\n", 1);
}

/* "<n>:<v>\n". */
static inline void field_n(canon *c, const char *v, size_t n)
{
    if (SVCQ__UNLIKELY(c->len + n + 24 > sizeof(c->buf))) {
        field_slow(c, v, n);
        return;
    }
    char t[24];
    const char *p = svcq__u64_text(t, n);
    size_t k = (size_t)(t + sizeof(t) - p);
    char *d = c->buf + c->len;
    memcpy(d, p, k);
    d += k;
    *d++ = ':';
    memcpy(d, v, n);
    d[n] = '\n';
    c->len = (size_t)(d + n + 1 - c->buf);
}

/* The lengths of an entry's texts, measured once for the hash and the
 * record, and its numbers as decimal text (the same digits in both). */
typedef struct entry_len {
    size_t id, actor, role, action, before, after;
    const char *seq, *time; /* into the arrays below */
    size_t seq_n, time_n;
    char seq_t[24], time_t_[24];
} entry_len;

static void numbers(entry_len *l, const svcq__inc_entry *e)
{
    l->seq = svcq__u64_text(l->seq_t, e->seq);
    l->seq_n = (size_t)(l->seq_t + sizeof(l->seq_t) - l->seq);
    l->time = svcq__i64_text(l->time_t_, (int64_t)e->time);
    l->time_n = (size_t)(l->time_t_ + sizeof(l->time_t_) - l->time);
}

static void entry_hash(const char *incident_id, svcq__inc_entry *e, const entry_len *l)
{
    canon c;
    svcq__sha256_init(&c.s);
    static const char head[] = "svcq.incident_audit/1\n";
    memcpy(c.buf, head, sizeof(head) - 1);
    c.len = sizeof(head) - 1;
    field_n(&c, incident_id, l->id);
    field_n(&c, l->seq, l->seq_n);
    field_n(&c, l->time, l->time_n);
    field_n(&c, e->actor, l->actor);
    field_n(&c, e->role, l->role);
    field_n(&c, e->action, l->action);
    field_n(&c, e->before, l->before);
    field_n(&c, e->after, l->after);
    field_n(&c, e->prev, SVCQ__SHA256_HEX);
    svcq__sha256_update(&c.s, c.buf, c.len);
    uint8_t d[SVCQ__SHA256_SIZE];
    svcq__sha256_final(&c.s, d);
    svcq__sha256_hex(d, e->hash);
}

void svcq__inc_entry_hash(const char *incident_id, svcq__inc_entry *e)
{
    entry_len l;
    l.id = strlen(incident_id);
    l.actor = strlen(e->actor);
    l.role = strlen(e->role);
    l.action = strlen(e->action);
    l.before = strlen(e->before);
    l.after = strlen(e->after);
    numbers(&l, e);
    entry_hash(incident_id, e, &l);
}

static int entry_id(svcq_ctx *ctx, const char *incident_id, size_t n, uint64_t seq, char *out, size_t size)
{
    /* "<incident>/<seq as at least 10 digits>", as "%s/%010" PRIu64 would
     * write it (a call site of every mutating call: no printf). */
    char d[24];
    const char *p = svcq__u64_text(d, seq);
    size_t nd = (size_t)(d + sizeof(d) - p), pad = nd < 10 ? 10 - nd : 0;
    size_t k = n + 1 + pad + nd;
    if (k >= size || k > SVCQ_STORE_MAX_ID)
        return svcq__error(ctx, SVCQ_ELIMIT, "incident %s: the audit entry id is too long", incident_id);
    memcpy(out, incident_id, n);
    out[n] = '/';
    memset(out + n + 1, '0', pad);
    memcpy(out + n + 1 + pad, p, nd);
    out[k] = '\0';
    return SVCQ_OK;
}

int svcq__inc_entry_id(svcq_ctx *ctx, const char *incident_id, uint64_t seq, char *out, size_t size)
{
    return entry_id(ctx, incident_id, strlen(incident_id), seq, out, size);
}

_Static_assert(SVCQ__INC_AUDIT_MAJOR == 1, "the schema literal below names major 1");

/* The entry record, with the record writer of codec.c (the same bytes as
 * the generic JSON writer). plain: no text needs an escape (their lengths
 * in l are then those of the JSON strings). */
static int encode_entry(svcq_ctx *ctx, const char *incident_id, const svcq__inc_entry *e, const entry_len *l,
                        bool plain, svcq__buf *out)
{
#define K(name) SVCQ__JE_K(name)
    static const char head[] = "{\"schema\":\"svcq." SVCQ__INC_AUDIT_KIND "/1\"";
    /* The other texts were checked where they came from; these two are
     * built by the calls (lifecycle.c cuts them on a character boundary). */
    if (!svcq__utf8_valid(e->before, l->before) || !svcq__utf8_valid(e->after, l->after))
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: audit entry %" PRIu64 ": text is not valid UTF-8",
                           incident_id, e->seq);
    if (plain) {
        /* Every piece is known: one reservation, then straight copies. */
#define LIT(s) (memcpy(d + at, (s), sizeof(s) - 1), at += sizeof(s) - 1)
#define CPY(s, n) (memcpy(d + at, (s), (n)), at += (n))
        static const char k_inc[] = ",\"incident\":\"", k_seq[] = "\",\"seq\":", k_time[] = ",\"time\":",
                          k_actor[] = ",\"actor\":\"", k_role[] = "\",\"role\":\"", k_action[] = "\",\"action\":\"",
                          k_before[] = "\",\"before\":\"", k_after[] = "\",\"after\":\"", k_prev[] = "\",\"prev\":\"",
                          k_hash[] = "\",\"hash\":\"", tail[] = "\"}";
        size_t n = sizeof(head) + sizeof(k_inc) + sizeof(k_seq) + sizeof(k_time) + sizeof(k_actor) + sizeof(k_role) +
                   sizeof(k_action) + sizeof(k_before) + sizeof(k_after) + sizeof(k_prev) + sizeof(k_hash) +
                   sizeof(tail) - 12 + l->id + l->seq_n + l->time_n + l->actor + l->role + l->action + l->before +
                   l->after + 2 * SVCQ__SHA256_HEX;
        if (svcq__buf_reserve(out, n))
            return svcq__enomem(ctx);
        /* Offsets from the buffer's start, not a moving pointer: GCC's
         * bounds warning (with the sanitizers) cannot follow the latter
         * through the reservation. */
        char *d = out->data;
        size_t at = out->len;
        LIT(head);
        LIT(k_inc), CPY(incident_id, l->id);
        LIT(k_seq), CPY(l->seq, l->seq_n);
        LIT(k_time), CPY(l->time, l->time_n);
        LIT(k_actor), CPY(e->actor, l->actor);
        LIT(k_role), CPY(e->role, l->role);
        LIT(k_action), CPY(e->action, l->action);
        LIT(k_before), CPY(e->before, l->before);
        LIT(k_after), CPY(e->after, l->after);
        LIT(k_prev), CPY(e->prev, SVCQ__SHA256_HEX);
        LIT(k_hash), CPY(e->hash, SVCQ__SHA256_HEX);
        LIT(tail);
        d[at] = '\0';
        out->len = at;
#undef CPY
#undef LIT
        return SVCQ_OK;
    }
    svcq__je w;
    svcq__je_init(&w, ctx, out);
    if (svcq__buf_reserve(out, 320 + l->before + l->after))
        w.fail = true;
    svcq__je_raw(&w, head, sizeof(head) - 1);
    w.comma = true;
    svcq__je_key(&w, K("incident"));
    svcq__je_str(&w, incident_id);
    svcq__je_key(&w, K("seq"));
    svcq__je_int(&w, (int64_t)e->seq);
    svcq__je_key(&w, K("time"));
    svcq__je_int(&w, e->time);
    svcq__je_key(&w, K("actor"));
    svcq__je_str(&w, e->actor);
    svcq__je_key(&w, K("role"));
    svcq__je_str(&w, e->role);
    svcq__je_key(&w, K("action"));
    svcq__je_plain(&w, e->action, l->action); /* the calls' own names */
    svcq__je_key(&w, K("before"));
    svcq__je_str(&w, e->before);
    svcq__je_key(&w, K("after"));
    svcq__je_str(&w, e->after);
    /* Hex digests: the one before was checked as hex where it was read. */
    svcq__je_key(&w, K("prev"));
    svcq__je_plain(&w, e->prev, SVCQ__SHA256_HEX);
    svcq__je_key(&w, K("hash"));
    svcq__je_plain(&w, e->hash, SVCQ__SHA256_HEX);
    svcq__je_end(&w, '}');
#undef K
    return svcq__je_finish(&w);
}

/* The length of s, and whether it needs no JSON escape (one scan). */
static size_t measure(const char *s, bool *plain)
{
    size_t n = svcq__je_run(s);
    if (SVCQ__LIKELY(!s[n]))
        return n;
    *plain = false;
    return n + strlen(s + n);
}

int svcq__inc_audit_append(svcq_incident *inc, svcq__inc_journal *j, const char *actor, const char *role,
                           const char *action, const char *before, const char *after)
{
    svcq_ctx *ctx = inc->ctx;
    svcq__inc_entry e;
    e.seq = inc->m.audit_seq + 1;
    e.time = svcq_ctx_now(ctx);
    e.actor = actor;
    e.role = role;
    e.action = action;
    e.before = before ? before : "";
    e.after = after ? after : "";
    memcpy(e.prev, inc->m.audit_head[0] ? inc->m.audit_head : zero_hash, sizeof(e.prev));
    entry_len l;
    bool plain = true;
    l.id = measure(inc->id, &plain);
    l.actor = measure(actor, &plain);
    l.role = measure(role, &plain);
    l.action = strlen(action); /* the calls' own names: never escaped */
    l.before = measure(e.before, &plain);
    l.after = measure(e.after, &plain);
    numbers(&l, &e);
    plain = plain && e.seq <= INT64_MAX; /* the record writes it as a signed number */
    entry_hash(inc->id, &e, &l);
    char rid[SVCQ_STORE_MAX_ID + 16];
    int rc = entry_id(ctx, inc->id, l.id, e.seq, rid, sizeof(rid));
    if (rc)
        return rc;
    svcq__buf *b = &inc->cache.spare; /* free until the record is encoded */
    svcq__buf_truncate(b, 0);
    rc = encode_entry(ctx, inc->id, &e, &l, plain, b);
    uint64_t rev = 0;
    if (!rc)
        rc = svcq__store_put(ctx, SVCQ__INC_AUDIT_KIND, rid, 0, b->data, b->len, &rev);
    if (rc == SVCQ_ECONFLICT)
        rc = svcq__error(ctx, SVCQ_ECONFLICT, "incident %s: audit entry %" PRIu64 " already exists (another writer "
                         "went first)", inc->id, e.seq);
    /* The count and the head (its terminating NUL never changes) are
     * replaced in place, one journal entry for both. */
    if (!rc)
        rc = svcq__inc_j_save(j, &inc->m.audit_seq, SVCQ__INC_AUDIT_BYTES);
    if (!rc) {
        inc->m.audit_seq = e.seq;
        memcpy(inc->m.audit_head, e.hash, SVCQ__SHA256_HEX);
    }
    return rc;
}

/* ---- reading the trail back -------------------------------------------------------- */

typedef struct loaded_entry {
    svcq__json_doc *doc;
    svcq__inc_entry e;
} loaded_entry;

/* Reads entry seq and checks it against the chain (prev). */
static int read_entry(svcq_ctx *ctx, const char *id, uint64_t seq, const char *prev, loaded_entry *le)
{
    char rid[SVCQ_STORE_MAX_ID + 16];
    int rc = svcq__inc_entry_id(ctx, id, seq, rid, sizeof(rid));
    if (rc)
        return rc;
    uint32_t major = 0;
    uint64_t rev = 0;
    rc = svcq__record_load(ctx, SVCQ__INC_AUDIT_KIND, rid, SVCQ__INC_AUDIT_MAJOR, &le->doc, &major, &rev);
    if (rc == SVCQ_ENOTFOUND)
        return svcq__error(ctx, SVCQ_ECORRUPT, "incident %s: audit entry %" PRIu64 " is missing (removed)", id, seq);
    if (rc)
        return svcq__error_prefix(ctx, rc == SVCQ_EPARSE ? SVCQ_ECORRUPT : rc, "incident %s: audit entry %" PRIu64,
                                  id, seq);
    const svcq__json *r = svcq__json_root(le->doc);
    const char *inc = NULL, *p = NULL, *h = NULL;
    int64_t s = 0, t = 0;
    svcq__inc_entry *e = &le->e;
    rc = svcq__json_get_string(ctx, r, "incident", true, &inc, NULL);
    if (!rc)
        rc = svcq__json_get_int(ctx, r, "seq", true, &s);
    if (!rc)
        rc = svcq__json_get_int(ctx, r, "time", true, &t);
    if (!rc)
        rc = svcq__json_get_string(ctx, r, "actor", true, &e->actor, NULL);
    if (!rc)
        rc = svcq__json_get_string(ctx, r, "role", true, &e->role, NULL);
    if (!rc)
        rc = svcq__json_get_string(ctx, r, "action", true, &e->action, NULL);
    if (!rc)
        rc = svcq__json_get_string(ctx, r, "before", true, &e->before, NULL);
    if (!rc)
        rc = svcq__json_get_string(ctx, r, "after", true, &e->after, NULL);
    if (!rc)
        rc = svcq__json_get_string(ctx, r, "prev", true, &p, NULL);
    if (!rc)
        rc = svcq__json_get_string(ctx, r, "hash", true, &h, NULL);
    if (rc)
        return svcq__error_prefix(ctx, SVCQ_ECORRUPT, "incident %s: audit entry %" PRIu64, id, seq);
    if (strcmp(inc, id) != 0)
        return svcq__error(ctx, SVCQ_ECORRUPT, "incident %s: audit entry %" PRIu64 " belongs to incident %.64s "
                           "(inserted)", id, seq, inc);
    if (s < 0 || (uint64_t)s != seq)
        return svcq__error(ctx, SVCQ_ECORRUPT, "incident %s: audit entry %" PRIu64 " says it is entry %lld "
                           "(reordered)", id, seq, (long long)s);
    if (strlen(p) != SVCQ__SHA256_HEX || strlen(h) != SVCQ__SHA256_HEX)
        return svcq__error(ctx, SVCQ_ECORRUPT, "incident %s: audit entry %" PRIu64 ": bad hash text", id, seq);
    e->seq = seq;
    e->time = t;
    memcpy(e->prev, p, sizeof(e->prev));
    svcq__inc_entry_hash(id, e);
    if (strcmp(e->prev, prev) != 0)
        return svcq__error(ctx, SVCQ_ECORRUPT, "incident %s: audit entry %" PRIu64 " does not follow entry %" PRIu64
                           " (its previous hash differs: an entry was removed, inserted or reordered)", id, seq,
                           seq - 1);
    if (strcmp(e->hash, h) != 0)
        return svcq__error(ctx, SVCQ_ECORRUPT, "incident %s: audit entry %" PRIu64 " was edited (its hash does not "
                           "match its content)", id, seq);
    return SVCQ_OK;
}

typedef int (*entry_fn)(svcq_ctx *ctx, const svcq__inc_entry *e, void *user);

static int walk(svcq_ctx *ctx, const char *id, uint64_t *entries, entry_fn fn, void *user)
{
    int rc = svcq__store_check_id(ctx, id);
    if (rc)
        return rc;
    svcq__json_doc *doc = NULL;
    uint32_t major = 0;
    uint64_t rev = 0;
    rc = svcq__record_load(ctx, SVCQ__INC_KIND, id, SVCQ__INC_SCHEMA_MAJOR, &doc, &major, &rev);
    if (rc == SVCQ_ENOTFOUND)
        return svcq__error(ctx, rc, "incident %s: not found", id);
    if (rc)
        return svcq__record_damaged(ctx, SVCQ__INC_KIND, id, rc);
    const svcq__json *r = svcq__json_root(doc);
    int64_t count = 0;
    const char *head = NULL;
    rc = svcq__json_get_int(ctx, r, "audit_count", true, &count);
    if (!rc)
        rc = svcq__json_get_string(ctx, r, "audit_head", false, &head, NULL);
    if (rc) {
        svcq__json_doc_free(doc);
        return svcq__error_prefix(ctx, SVCQ_ECORRUPT, "incident %s", id);
    }
    char prev[SVCQ__SHA256_HEX + 1];
    memcpy(prev, zero_hash, sizeof(prev));
    for (uint64_t seq = 1; !rc && seq <= (uint64_t)count; seq++) {
        loaded_entry le = { 0 };
        rc = read_entry(ctx, id, seq, prev, &le);
        if (!rc && fn)
            rc = fn(ctx, &le.e, user);
        if (!rc)
            memcpy(prev, le.e.hash, sizeof(prev));
        svcq__json_doc_free(le.doc);
    }
    if (!rc && count > 0 && (!head || strcmp(head, prev) != 0))
        rc = svcq__error(ctx, SVCQ_ECORRUPT, "incident %s: the head hash differs from the last audit entry's", id);
    if (!rc) {
        /* An entry appended past the count was inserted behind the incident's back. */
        char rid[SVCQ_STORE_MAX_ID + 16];
        rc = svcq__inc_entry_id(ctx, id, (uint64_t)count + 1, rid, sizeof(rid));
        char *bytes = NULL;
        size_t size = 0;
        if (!rc)
            rc = svcq__store_get(ctx, SVCQ__INC_AUDIT_KIND, rid, &bytes, &size, &rev);
        if (rc == SVCQ_OK) {
            svcq__free(ctx, bytes);
            rc = svcq__error(ctx, SVCQ_ECORRUPT, "incident %s: audit entry %lld exists past the incident's %lld "
                             "entries (inserted)", id, (long long)count + 1, (long long)count);
        } else if (rc == SVCQ_ENOTFOUND) {
            rc = SVCQ_OK;
        }
    }
    svcq__json_doc_free(doc);
    if (!rc && entries)
        *entries = (uint64_t)count;
    return rc;
}

int svcq_incident_audit_verify(uint64_t *entries, svcq_ctx *ctx, const char *id)
{
    if (!ctx)
        return SVCQ_EINVAL;
    if (!id)
        return svcq__error(ctx, SVCQ_EINVAL, "incident audit: NULL id");
    return walk(ctx, id, entries, NULL, NULL);
}

/* ---- export -------------------------------------------------------------------------- */

typedef struct export_state {
    svcq__buf *b;
    const svcq_tz *tz;
    int32_t format;
    bool first;
    svcq__jw *jw;
} export_state;

static int md_cell(svcq__buf *b, const char *s)
{
    int rc = SVCQ_OK;
    for (; *s && !rc; s++) {
        if (*s == '|')
            rc = svcq__buf_puts(b, "\\|");
        else if (*s == '\n')
            rc = svcq__buf_puts(b, "<br>");
        else
            rc = svcq__buf_putc(b, *s);
    }
    return rc;
}

static int export_entry(svcq_ctx *ctx, const svcq__inc_entry *e, void *user)
{
    export_state *x = user;
    if (x->format == SVCQ_INCIDENT_TRAIL_JSON) {
        svcq__jw *w = x->jw;
        svcq__jw_object_begin(w);
        svcq__jw_key(w, "seq");
        svcq__jw_int(w, (int64_t)e->seq);
        svcq__jw_key(w, "time");
        svcq__jw_int(w, e->time);
        svcq__jw_key(w, "actor");
        svcq__jw_string(w, e->actor);
        svcq__jw_key(w, "role");
        svcq__jw_string(w, e->role);
        svcq__jw_key(w, "action");
        svcq__jw_string(w, e->action);
        svcq__jw_key(w, "before");
        svcq__jw_string(w, e->before);
        svcq__jw_key(w, "after");
        svcq__jw_string(w, e->after);
        svcq__jw_key(w, "prev");
        svcq__jw_string(w, e->prev);
        svcq__jw_key(w, "hash");
        svcq__jw_string(w, e->hash);
        return svcq__jw_object_end(w);
    }
    char when[64];
    int rc = SVCQ_OK;
    if (x->tz) {
        rc = svcq_tz_format(when, sizeof(when), NULL, x->tz, e->time, 0);
    } else {
        svcq_tz *utc = NULL;
        rc = svcq_tz_fixed(&utc, ctx, 0);
        if (!rc)
            rc = svcq_tz_format(when, sizeof(when), NULL, utc, e->time, 0);
        svcq_tz_free(utc);
    }
    if (rc)
        return rc;
    svcq__buf *b = x->b;
    rc = svcq__buf_printf(b, "| %" PRIu64 " | %s | ", e->seq, when);
    if (!rc)
        rc = md_cell(b, e->actor);
    if (!rc)
        rc = svcq__buf_puts(b, " (");
    if (!rc)
        rc = md_cell(b, e->role);
    if (!rc)
        rc = svcq__buf_puts(b, ") | ");
    if (!rc)
        rc = md_cell(b, e->action);
    if (!rc)
        rc = svcq__buf_puts(b, " | ");
    if (!rc)
        rc = md_cell(b, e->before);
    if (!rc)
        rc = svcq__buf_puts(b, " | ");
    if (!rc)
        rc = md_cell(b, e->after);
    if (!rc)
        rc = svcq__buf_printf(b, " | `%.12s` |\n", e->hash);
    return rc ? svcq__enomem(ctx) : SVCQ_OK;
}

int svcq_incident_audit_export(svcq_ctx *ctx, const char *id, const svcq_writer *writer, int32_t format,
                               const svcq_tz *tz)
{
    if (!ctx)
        return SVCQ_EINVAL;
    if (!id || !writer)
        return svcq__error(ctx, SVCQ_EINVAL, "incident audit export: NULL argument");
    if (!svcq_incident_trail_format_name(format))
        return svcq__error(ctx, SVCQ_EINVAL, "incident %s: unknown trail format %d", id, (int)format);
    svcq__buf b;
    svcq__buf_init(&b, ctx);
    svcq__jw w;
    export_state x = { &b, tz, format, true, &w };
    int rc;
    if (format == SVCQ_INCIDENT_TRAIL_JSON) {
        svcq__jw_init_buf(&w, ctx, &b);
        svcq__jw_array_begin(&w);
        rc = walk(ctx, id, NULL, export_entry, &x);
        if (!rc)
            svcq__jw_array_end(&w);
        int rc2 = svcq__jw_finish(&w);
        if (!rc)
            rc = rc2;
        if (!rc)
            rc = svcq__buf_putc(&b, '\n');
    } else {
        rc = svcq__buf_printf(&b, "# Audit trail of incident %s\n\n| # | time | actor (role) | action | before | "
                              "after | hash |\n|---|---|---|---|---|---|---|\n", id);
        if (rc)
            rc = svcq__enomem(ctx);
        else
            rc = walk(ctx, id, NULL, export_entry, &x);
    }
    if (!rc) {
        rc = svcq_writer_write(writer, b.data, b.len);
        if (rc)
            rc = svcq__error(ctx, rc, "incident %s: audit trail: the writer failed: %s", id, svcq_strerror(rc));
    }
    svcq__buf_free(&b);
    return rc;
}
