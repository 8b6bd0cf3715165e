/* The incident record (schema "svcq.incident/1", docs/format.md): encode
 * and decode. The encoding is deterministic: members in a fixed order,
 * absent optional strings left out, so decode then encode gives the same
 * bytes. */
#include <string.h>

#include "core/jenc.h"
#include "core/str.h"
#include "incident/incident_internal.h"
#include "store/record.h"

/* ---- encode ---------------------------------------------------------------------- */

/* The record is rewritten by every mutating call: it is written with the
 * record writer (core/jenc.h). Every text of the model was checked as
 * UTF-8 when it was set or decoded. */

#define K(name) SVCQ__JE_K(name)
#define KEY(e, name) svcq__je_key((e), K(name))
#define kv_str svcq__je_kv_str
#define kv_int svcq__je_kv_int

static inline void kv_time(svcq__je *e, const char *quoted, size_t n, svcq_time t)
{
    if (t)
        kv_int(e, quoted, n, t);
}

static void strs_out(svcq__je *e, const svcq__inc_strs *a)
{
    svcq__je_begin(e, '[');
    for (size_t i = 0; i < a->len; i++)
        svcq__je_str(e, a->v[i]);
    svcq__je_end(e, ']');
}

_Static_assert(SVCQ__INC_SCHEMA_MAJOR == 1, "the schema literal below names major 1");

/* The compact record, as sections in record order. Each section but the
 * first begins with its comma, so a section's bytes do not depend on the
 * sections around it: a mutating call re-encodes only the sections its
 * journal touched and copies the others from the record it stored last
 * (svcq__inc_encode_call). */
static void enc_head(svcq__je *e, const svcq_incident *inc)
{
    const svcq__inc_model *m = &inc->m;
    svcq__je_raw(e, "{\"schema\":\"svcq." SVCQ__INC_KIND "/1\"", sizeof("{\"schema\":\"svcq." SVCQ__INC_KIND "/1\"") - 1);
    e->comma = true;
    kv_str(e, K("id"), inc->id);
    svcq__je_kv_plain(e, K("state"), svcq_incident_state_name(m->state));
    kv_int(e, K("loop"), m->loop);
    kv_int(e, K("reported_at"), m->reported_at);
    kv_time(e, K("occurred_at"), m->occurred_at);
    kv_int(e, K("state_since"), m->state_since);
    kv_time(e, K("closed_at"), m->closed_at);
}

static void enc_report(svcq__je *e, const svcq_incident *inc)
{
    const svcq__inc_model *m = &inc->m;
    kv_str(e, K("type"), m->type);
    kv_str(e, K("stage"), m->stage);
    kv_str(e, K("channel"), m->channel);
    kv_str(e, K("location"), m->location);
    kv_str(e, K("observed"), m->observed);
    kv_str(e, K("impact"), m->impact);
    kv_str(e, K("reporter_name"), m->reporter_name);
    kv_str(e, K("reporter_contact"), m->reporter_contact);
    kv_str(e, K("reporter_role"), m->reporter_role);
    kv_str(e, K("client"), m->client);
    kv_str(e, K("ticket"), m->ticket);
    kv_str(e, K("containment"), m->containment);
    kv_str(e, K("touchpoint"), m->touchpoint);
    kv_str(e, K("similarity_key"), m->similarity_key);
}

static void enc_attachments(svcq__je *e, const svcq_incident *inc)
{
    const svcq__inc_model *m = &inc->m;
    KEY(e, "attachments");
    svcq__je_begin(e, '[');
    for (size_t i = 0; i < m->attachments.len; i++) {
        const svcq__inc_attachment *a = &m->attachments.v[i];
        svcq__je_begin(e, '{');
        kv_str(e, K("kind"), a->kind);
        kv_str(e, K("uri"), a->uri);
        kv_str(e, K("note"), a->note);
        kv_str(e, K("by"), a->by);
        kv_int(e, K("at"), a->at);
        svcq__je_end(e, '}');
    }
    svcq__je_end(e, ']');
}

static void enc_group(svcq__je *e, const svcq_incident *inc)
{
    const svcq__inc_model *m = &inc->m;
    KEY(e, "group");
    svcq__je_begin(e, '[');
    for (size_t i = 0; i < m->members.len; i++) {
        svcq__je_begin(e, '{');
        kv_str(e, K("name"), m->members.v[i].name);
        kv_str(e, K("role"), m->members.v[i].role);
        svcq__je_end(e, '}');
    }
    svcq__je_end(e, ']');
}

static void enc_confirmation(svcq__je *e, const svcq_incident *inc)
{
    const svcq__inc_model *m = &inc->m;
    kv_str(e, K("judged_by"), m->judged_by);
    kv_str(e, K("category"), m->category);
    kv_str(e, K("responsible_unit"), m->resp_unit);
    kv_str(e, K("responsible_person"), m->resp_person);
    kv_str(e, K("person_assessment"), m->person_assessment);
    kv_str(e, K("process_assessment"), m->process_assessment);
    kv_str(e, K("confirm_note"), m->confirm_note);
    kv_str(e, K("reject_reason"), m->reject_reason);
    kv_str(e, K("cancel_reason"), m->cancel_reason);
    kv_str(e, K("cancel_role"), m->cancel_role);
    if (m->cancelled_from)
        svcq__je_kv_plain(e, K("cancelled_from"), svcq_incident_state_name(m->cancelled_from));
}

static void enc_analyses(svcq__je *e, const svcq_incident *inc)
{
    const svcq__inc_model *m = &inc->m;
    KEY(e, "analyses");
    strs_out(e, &m->analyses);
    kv_int(e, K("next_measure"), m->next_measure);
}

static void enc_measure(svcq__je *e, const void *elem)
{
    const svcq__inc_measure *x = elem;
    svcq__je_begin(e, '{');
    kv_str(e, K("id"), x->id);
    svcq__je_kv_plain(e, K("state"), svcq_incident_measure_state_name(x->state));
    kv_int(e, K("loop"), x->loop);
    kv_str(e, K("kind"), x->kind);
    kv_str(e, K("what"), x->what);
    kv_str(e, K("root_cause"), x->root_cause);
    kv_str(e, K("owner"), x->owner);
    kv_time(e, K("deadline"), x->deadline);
    kv_str(e, K("indicator"), x->indicator);
    kv_str(e, K("unit"), x->unit);
    kv_int(e, K("baseline"), x->baseline);
    kv_int(e, K("target"), x->target);
    if (x->direction)
        svcq__je_kv_plain(e, K("direction"), svcq_incident_direction_name(x->direction));
    if (x->has_measured)
        kv_int(e, K("measured"), x->measured);
    kv_str(e, K("feasibility"), x->feasibility);
    kv_str(e, K("expected_effect"), x->expected_effect);
    kv_str(e, K("approved_by"), x->approved_by);
    kv_int(e, K("percent"), x->percent);
    kv_str(e, K("state_note"), x->state_note);
    svcq__je_end(e, '}');
}

static void enc_ledger_entry(svcq__je *e, const void *elem)
{
    const svcq__inc_ledger *l = elem;
    svcq__je_begin(e, '{');
    kv_str(e, K("measure"), l->measure);
    svcq__je_kv_plain(e, K("kind"), svcq_incident_ledger_kind_name(l->kind));
    kv_int(e, K("at"), l->at);
    kv_str(e, K("actor"), l->actor);
    if (l->kind == SVCQ_INCIDENT_LEDGER_PROGRESS)
        kv_int(e, K("percent"), l->percent);
    kv_str(e, K("note"), l->note);
    kv_str(e, K("reason"), l->reason);
    kv_time(e, K("new_deadline"), l->new_deadline);
    kv_str(e, K("new_owner"), l->new_owner);
    kv_str(e, K("approver"), l->approver);
    svcq__je_end(e, '}');
}

/* The array sections whose elements a call may encode one by one. */
typedef struct elem_array {
    int section;
    const char *key;
    size_t keylen;
    size_t arr;  /* offset of the array (SVCQ__INC_ARRAY: v, len, cap) in the model */
    size_t elem; /* bytes of an element */
    void (*encode)(svcq__je *e, const void *elem);
} elem_array;

static const elem_array elem_arrays[SVCQ__INC_ELEM_ARRAYS] = {
    { SVCQ__INC_SEC_MEASURES, K("measures"), offsetof(svcq__inc_model, measures), sizeof(svcq__inc_measure),
      enc_measure },
    { SVCQ__INC_SEC_LEDGER, K("ledger"), offsetof(svcq__inc_model, ledger), sizeof(svcq__inc_ledger),
      enc_ledger_entry },
};

/* Any SVCQ__INC_ARRAY: the element type aside, they are laid out alike. */
typedef SVCQ__INC_ARRAY(char) any_array;

_Static_assert(sizeof(any_array) == sizeof(((svcq__inc_model *)0)->measures) &&
                   sizeof(any_array) == sizeof(((svcq__inc_model *)0)->ledger),
               "the element arrays are laid out as any_array");

/* Array k of m (a copy of its bytes: no access through another type). */
static any_array array_of(const svcq__inc_model *m, int k)
{
    any_array a;
    memcpy(&a, (const char *)m + elem_arrays[k].arr, sizeof(a));
    return a;
}

/* Writes array k's section. With a cache (c, elements changed in
 * changed[0..nchanged), every element at or past c->el[k].len new) the
 * elements not changed are copied from c->last; rec (NULL: not recorded)
 * gets where each element lies in the new record, whose first byte is at
 * e->start. */
static void enc_elems(svcq__je *e, const svcq_incident *inc, int k, const svcq__inc_cache *c, const size_t *changed,
                      size_t nchanged, svcq__inc_elems *rec)
{
    const elem_array *d = &elem_arrays[k];
    any_array a = array_of(&inc->m, k);
    size_t len = a.len;
    svcq__je_key(e, d->key, d->keylen);
    svcq__je_begin(e, '[');
    const svcq__inc_elems *old = c ? &c->el[k] : NULL;
    for (size_t i = 0; i < len; i++) {
        /* The comma first, so an element's bytes are its own. */
        if (e->comma)
            svcq__je_raw(e, ",", 1);
        e->comma = false;
        size_t from = e->b->len - e->start;
        bool copy = old && i < old->len;
        for (size_t j = 0; copy && j < nchanged; j++)
            if (changed[j] == i)
                copy = false;
        if (copy)
            svcq__je_raw(e, c->last.data + old->at[2 * i], old->at[2 * i + 1] - old->at[2 * i]);
        else
            d->encode(e, a.v + i * d->elem);
        e->comma = true;
        if (rec) {
            rec->at[2 * i] = (uint32_t)from;
            rec->at[2 * i + 1] = (uint32_t)(e->b->len - e->start);
        }
    }
    if (rec)
        rec->len = len;
    svcq__je_end(e, ']');
}

static void enc_measures(svcq__je *e, const svcq_incident *inc)
{
    enc_elems(e, inc, 0, NULL, NULL, 0, NULL);
}

static void enc_ledger(svcq__je *e, const svcq_incident *inc)
{
    enc_elems(e, inc, 1, NULL, NULL, 0, NULL);
}

static void enc_verifications(svcq__je *e, const svcq_incident *inc)
{
    const svcq__inc_model *m = &inc->m;
    KEY(e, "verifications");
    svcq__je_begin(e, '[');
    for (size_t i = 0; i < m->verifications.len; i++) {
        const svcq__inc_verification *v = &m->verifications.v[i];
        svcq__je_begin(e, '{');
        kv_int(e, K("at"), v->at);
        kv_int(e, K("loop"), v->loop);
        kv_int(e, K("window_from"), v->window_from);
        kv_int(e, K("window_to"), v->window_to);
        kv_int(e, K("csat_before"), v->csat_before);
        kv_int(e, K("csat_after"), v->csat_after);
        kv_int(e, K("recurrences"), v->recurrences);
        kv_int(e, K("per_30_days"), v->per_30_days);
        svcq__je_kv_plain(e, K("verdict"), svcq_incident_verdict_name(v->verdict));
        kv_str(e, K("by"), v->by);
        kv_str(e, K("role"), v->role);
        kv_str(e, K("note"), v->note);
        kv_str(e, K("findings"), v->findings);
        svcq__je_end(e, '}');
    }
    svcq__je_end(e, ']');
}

static void enc_improvements(svcq__je *e, const svcq_incident *inc)
{
    const svcq__inc_model *m = &inc->m;
    KEY(e, "improvements");
    svcq__je_begin(e, '[');
    for (size_t i = 0; i < m->improvements.len; i++) {
        const svcq__inc_improvement *v = &m->improvements.v[i];
        svcq__je_begin(e, '{');
        kv_str(e, K("kind"), v->kind);
        kv_str(e, K("reference"), v->reference);
        kv_str(e, K("note"), v->note);
        kv_str(e, K("by"), v->by);
        kv_int(e, K("at"), v->at);
        svcq__je_end(e, '}');
    }
    svcq__je_end(e, ']');
    kv_str(e, K("lessons"), m->lessons);
    kv_str(e, K("typical_note"), m->typical_note);
    kv_str(e, K("typical_by"), m->typical_by);
    kv_time(e, K("typical_at"), m->typical_at);
    KEY(e, "recurrences");
    strs_out(e, &m->recurrences);
}

static void enc_tail(svcq__je *e, const svcq_incident *inc)
{
    const svcq__inc_model *m = &inc->m;
    kv_int(e, K("audit_count"), (int64_t)m->audit_seq);
    svcq__je_kv_plain(e, K("audit_head"), m->audit_head[0] ? m->audit_head : NULL); /* hex, checked when read */
    svcq__je_end(e, '}');
}
typedef void (*section_fn)(svcq__je *e, const svcq_incident *inc);

static const section_fn sections[SVCQ__INC_SECTIONS] = {
    enc_head,     enc_report,  enc_attachments, enc_group,         enc_confirmation, enc_analyses,
    enc_measures, enc_ledger,  enc_verifications, enc_improvements, enc_tail,
};

/* Room for the usual record at once (it grows with the record). */
static size_t room(const svcq__inc_model *m)
{
    return 2048 + 512 * (m->measures.len + m->ledger.len + m->attachments.len);
}

static int encode(const svcq_incident *inc, svcq__buf *out)
{
    svcq__je enc, *e = &enc;
    svcq__je_init(e, inc->ctx, out);
    if (svcq__buf_reserve(out, room(&inc->m)))
        e->fail = true;
    for (int s = 0; s < SVCQ__INC_SECTIONS; s++)
        sections[s](e, inc);
    return svcq__je_finish(e);
}

/* ---- which sections a call changed ---------------------------------------------------- */

/* The section of each 8-byte word of the model, plus one (0: a word no
 * field below lies in, which makes every section stale). Fields that share
 * a word are of one section (checked below). The head and the tail are
 * encoded by every call; their words are listed all the same. */
#define W(field) (offsetof(svcq__inc_model, field) / 8)
#define F(field, section) [W(field)] = (section) + 1
#define A(field, section) F(field.v, section), F(field.len, section), F(field.cap, section)
static const uint8_t word_section[sizeof(svcq__inc_model) / 8 + 1] = {
    F(state, SVCQ__INC_SEC_HEAD), /* and loop */
    F(reported_at, SVCQ__INC_SEC_HEAD),
    F(occurred_at, SVCQ__INC_SEC_HEAD),
    F(state_since, SVCQ__INC_SEC_HEAD),
    F(closed_at, SVCQ__INC_SEC_HEAD),
    F(type, SVCQ__INC_SEC_REPORT),
    F(stage, SVCQ__INC_SEC_REPORT),
    F(channel, SVCQ__INC_SEC_REPORT),
    F(location, SVCQ__INC_SEC_REPORT),
    F(observed, SVCQ__INC_SEC_REPORT),
    F(impact, SVCQ__INC_SEC_REPORT),
    F(reporter_name, SVCQ__INC_SEC_REPORT),
    F(reporter_contact, SVCQ__INC_SEC_REPORT),
    F(reporter_role, SVCQ__INC_SEC_REPORT),
    F(client, SVCQ__INC_SEC_REPORT),
    F(ticket, SVCQ__INC_SEC_REPORT),
    F(containment, SVCQ__INC_SEC_REPORT),
    F(touchpoint, SVCQ__INC_SEC_REPORT),
    F(similarity_key, SVCQ__INC_SEC_REPORT),
    F(judged_by, SVCQ__INC_SEC_CONFIRMATION),
    F(category, SVCQ__INC_SEC_CONFIRMATION),
    F(resp_unit, SVCQ__INC_SEC_CONFIRMATION),
    F(resp_person, SVCQ__INC_SEC_CONFIRMATION),
    F(person_assessment, SVCQ__INC_SEC_CONFIRMATION),
    F(process_assessment, SVCQ__INC_SEC_CONFIRMATION),
    F(confirm_note, SVCQ__INC_SEC_CONFIRMATION),
    F(reject_reason, SVCQ__INC_SEC_CONFIRMATION),
    F(cancel_reason, SVCQ__INC_SEC_CONFIRMATION),
    F(cancel_role, SVCQ__INC_SEC_CONFIRMATION),
    F(cancelled_from, SVCQ__INC_SEC_CONFIRMATION),
    F(lessons, SVCQ__INC_SEC_IMPROVEMENTS),
    F(typical_note, SVCQ__INC_SEC_IMPROVEMENTS),
    F(typical_by, SVCQ__INC_SEC_IMPROVEMENTS),
    F(typical_at, SVCQ__INC_SEC_IMPROVEMENTS),
    F(next_measure, SVCQ__INC_SEC_ANALYSES),
    F(audit_seq, SVCQ__INC_SEC_TAIL),
    F(audit_head, SVCQ__INC_SEC_TAIL), /* its nine words: */
    [W(audit_head) + 1] = SVCQ__INC_SEC_TAIL + 1, [W(audit_head) + 2] = SVCQ__INC_SEC_TAIL + 1,
    [W(audit_head) + 3] = SVCQ__INC_SEC_TAIL + 1, [W(audit_head) + 4] = SVCQ__INC_SEC_TAIL + 1,
    [W(audit_head) + 5] = SVCQ__INC_SEC_TAIL + 1, [W(audit_head) + 6] = SVCQ__INC_SEC_TAIL + 1,
    [W(audit_head) + 7] = SVCQ__INC_SEC_TAIL + 1, [W(audit_head) + 8] = SVCQ__INC_SEC_TAIL + 1,
    A(attachments, SVCQ__INC_SEC_ATTACHMENTS),
    A(members, SVCQ__INC_SEC_GROUP),
    A(analyses, SVCQ__INC_SEC_ANALYSES),
    A(measures, SVCQ__INC_SEC_MEASURES),
    A(ledger, SVCQ__INC_SEC_LEDGER),
    A(verifications, SVCQ__INC_SEC_VERIFICATIONS),
    A(improvements, SVCQ__INC_SEC_IMPROVEMENTS),
    A(recurrences, SVCQ__INC_SEC_IMPROVEMENTS),
};
/* The fields narrower than a word, and the word they share. */
_Static_assert(W(loop) == W(state), "state and loop share the head's word");
_Static_assert(W(cancelled_from) != W(lessons) && W(cancelled_from) != W(cancel_role),
               "cancelled_from has a word of its own");
_Static_assert(W(next_measure) != W(audit_seq) && W(next_measure) != W(typical_at),
               "next_measure has a word of its own");
_Static_assert(offsetof(svcq__inc_model, audit_head) % 8 == 0 && SVCQ__SHA256_HEX == 64,
               "the head's hex is eight whole words, then its NUL");
_Static_assert(offsetof(svcq__inc_model, audit_head) == offsetof(svcq__inc_model, audit_seq) + 8 &&
                   sizeof(((svcq__inc_model *)0)->audit_seq) == 8,
               "the audit count and the head's hex are SVCQ__INC_AUDIT_BYTES in a row (one journal entry)");
#undef A
#undef F
#undef W

#define ALL_SECTIONS ((1u << SVCQ__INC_SECTIONS) - 1)

static bool within(uintptr_t a, const void *v, size_t cap, size_t elem)
{
    uintptr_t lo = (uintptr_t)v;
    return v && a >= lo && a < lo + cap * elem;
}
#define IN_ARRAY(a, arr) within((a), (arr).v, (arr).cap, sizeof(*(arr).v))

/* The sections whose bytes the change at a may have changed: all of them
 * for an address it does not know. */
static uint32_t section_of(const svcq__inc_model *m, const void *addr)
{
    uintptr_t a = (uintptr_t)addr, base = (uintptr_t)m;
    if (a >= base && a < base + sizeof(*m)) {
        uint8_t s = word_section[(a - base) / 8];
        return s ? 1u << (s - 1) : ALL_SECTIONS;
    }
    if (IN_ARRAY(a, m->measures))
        return 1u << SVCQ__INC_SEC_MEASURES;
    if (IN_ARRAY(a, m->ledger))
        return 1u << SVCQ__INC_SEC_LEDGER;
    if (IN_ARRAY(a, m->attachments))
        return 1u << SVCQ__INC_SEC_ATTACHMENTS;
    if (IN_ARRAY(a, m->members))
        return 1u << SVCQ__INC_SEC_GROUP;
    if (IN_ARRAY(a, m->analyses))
        return 1u << SVCQ__INC_SEC_ANALYSES;
    if (IN_ARRAY(a, m->verifications))
        return 1u << SVCQ__INC_SEC_VERIFICATIONS;
    if (IN_ARRAY(a, m->improvements) || IN_ARRAY(a, m->recurrences))
        return 1u << SVCQ__INC_SEC_IMPROVEMENTS;
    return ALL_SECTIONS;
}

/* Elements of one array a call changed, at most this many (more: the
 * section is encoded whole). */
#define CHANGED_MAX 8

/* Whether a lies in an element of array k of m: its index in *i. */
static bool in_elem(const svcq__inc_model *m, int k, uintptr_t a, size_t *i)
{
    any_array arr = array_of(m, k);
    uintptr_t v = (uintptr_t)arr.v;
    if (!arr.v || a < v || a >= v + arr.cap * elem_arrays[k].elem)
        return false;
    *i = (a - v) / elem_arrays[k].elem;
    return true;
}

/* Whether a is the array's own bookkeeping (where, how many, room): a push,
 * which changes no element there was. */
static bool is_growth(const svcq__inc_model *m, int k, uintptr_t a)
{
    uintptr_t arr = (uintptr_t)m + elem_arrays[k].arr;
    return a >= arr && a < arr + sizeof(any_array);
}

int svcq__inc_encode_call(svcq_incident *inc, const svcq__inc_journal *j, svcq__buf *out)
{
    svcq__inc_cache *c = &inc->cache;
    const svcq__inc_model *m = &inc->m;
    uint32_t stale = (1u << SVCQ__INC_SEC_TAIL) | ~c->valid; /* every call appends an audit entry */
    /* Array sections: which elements changed, and whether it grew. */
    size_t changed[SVCQ__INC_ELEM_ARRAYS][CHANGED_MAX], nchanged[SVCQ__INC_ELEM_ARRAYS] = { 0 };
    uint32_t touched = 0;
    for (size_t i = 0; i < j->len && (stale & ALL_SECTIONS) != ALL_SECTIONS; i++) {
        const svcq__inc_jent *je = &j->e[i];
        if (je->mode >= 2) /* a new allocation (its slot's change is in the journal too) or the texts' bookkeeping */
            continue;
        if (je->width > 8) { /* wider than a word (the audit count and head): every word it covers */
            for (size_t at = 0; at < je->width; at += 8)
                stale |= section_of(m, (const char *)je->addr + at);
            continue;
        }
        int k = 0;
        size_t at = 0;
        for (; k < SVCQ__INC_ELEM_ARRAYS; k++) {
            uint32_t bit = 1u << elem_arrays[k].section;
            if (is_growth(m, k, (uintptr_t)je->addr)) {
                touched |= bit;
                break;
            }
            if (in_elem(m, k, (uintptr_t)je->addr, &at)) {
                touched |= bit;
                size_t n = nchanged[k], x = 0;
                while (x < n && changed[k][x] != at)
                    x++;
                if (x == n) {
                    if (n == CHANGED_MAX)
                        stale |= bit;
                    else
                        changed[k][nchanged[k]++] = at;
                }
                break;
            }
        }
        if (k == SVCQ__INC_ELEM_ARRAYS)
            stale |= section_of(m, je->addr);
    }
    /* Room to record where the elements of the new record lie. */
    for (int k = 0; k < SVCQ__INC_ELEM_ARRAYS; k++) {
        svcq__inc_elems *n = &c->next_el[k];
        size_t len = array_of(m, k).len;
        if (n->cap < len) {
            size_t want = len < 8 ? 8 : 2 * len;
            uint32_t *at = svcq__reallocarray(inc->ctx, n->at, want, 2 * sizeof(*at));
            if (!at)
                return svcq__enomem(inc->ctx);
            n->at = at;
            n->cap = want;
        }
    }
    svcq__je enc, *e = &enc;
    svcq__je_init(e, inc->ctx, out);
    if (svcq__buf_reserve(out, room(m)))
        e->fail = true;
    uint32_t off[SVCQ__INC_SECTIONS + 1];
    for (int s = 0; s < SVCQ__INC_SECTIONS; s++) {
        off[s] = (uint32_t)(out->len - e->start);
        int k = 0;
        while (k < SVCQ__INC_ELEM_ARRAYS && elem_arrays[k].section != s)
            k++;
        if (k < SVCQ__INC_ELEM_ARRAYS) {
            bool whole = stale >> s & 1; /* also before the first record: valid is 0 */
            if (whole || touched >> s & 1) {
                enc_elems(e, inc, k, whole ? NULL : c, changed[k], nchanged[k], &c->next_el[k]);
                continue;
            }
            /* Copied whole: its elements moved by as much as it did. */
            const svcq__inc_elems *was = &c->el[k];
            svcq__inc_elems *now = &c->next_el[k];
            for (size_t i = 0; i < 2 * was->len; i++)
                now->at[i] = was->at[i] - c->off[s] + off[s];
            now->len = was->len;
        }
        if (stale >> s & 1) {
            sections[s](e, inc);
            continue;
        }
        svcq__je_raw(e, c->last.data + c->off[s], c->off[s + 1] - c->off[s]);
        e->comma = true;
    }
    off[SVCQ__INC_SECTIONS] = (uint32_t)(out->len - e->start);
    int rc = svcq__je_finish(e);
    if (rc)
        return rc;
    memcpy(c->next_off, off, sizeof(off));
    c->stale = stale | touched;
    return SVCQ_OK;
}

void svcq__inc_cache_keep(svcq_incident *inc)
{
    svcq__inc_cache *c = &inc->cache;
    svcq__buf t = c->last;
    c->last = c->spare;
    c->spare = t;
    memcpy(c->off, c->next_off, sizeof(c->off));
    for (int k = 0; k < SVCQ__INC_ELEM_ARRAYS; k++) {
        svcq__inc_elems el = c->el[k];
        c->el[k] = c->next_el[k];
        c->next_el[k] = el;
    }
    c->valid = ALL_SECTIONS;
}

static int encode_any(const void *obj, svcq__buf *out)
{
    return encode(obj, out);
}

int svcq__inc_encode(const svcq_incident *inc, svcq__buf *out, bool pretty)
{
    return svcq__je_export(inc->ctx, encode_any, inc, out, pretty);
}

/* ---- decode ---------------------------------------------------------------------- */

static int dup_opt(svcq_ctx *ctx, svcq__inc_model *m, const svcq__json *obj, const char *key, char **out)
{
    const char *s = NULL;
    size_t len = 0;
    int rc = svcq__json_get_string(ctx, obj, key, false, &s, &len);
    if (rc || !s || !*s)
        return rc;
    return svcq__inc_text_copy(ctx, m, key, s, len, out);
}

static int get_time(svcq_ctx *ctx, const svcq__json *obj, const char *key, bool required, svcq_time *out)
{
    int64_t v = 0;
    int rc = svcq__json_get_int(ctx, obj, key, required, &v);
    if (!rc)
        *out = v;
    return rc;
}

static int get_enum(svcq_ctx *ctx, const svcq__json *obj, const char *key, bool required, int32_t max,
                    const char *(*name)(int32_t), int32_t *out)
{
    const char *s = NULL;
    int rc = svcq__json_get_string(ctx, obj, key, required, &s, NULL);
    if (rc || !s)
        return rc;
    for (int32_t i = 1; i <= max; i++)
        if (strcmp(name(i), s) == 0) {
            *out = i;
            return SVCQ_OK;
        }
    return svcq__error(ctx, SVCQ_ECORRUPT, "field \"%s\": unknown value \"%.40s\"", key, s);
}

static int get_u32(svcq_ctx *ctx, const svcq__json *obj, const char *key, bool required, uint32_t *out)
{
    int64_t v = 0;
    int rc = svcq__json_get_int(ctx, obj, key, required, &v);
    if (rc)
        return rc;
    if (v < 0 || v > UINT32_MAX)
        return svcq__error(ctx, SVCQ_ECORRUPT, "field \"%s\": %lld out of range", key, (long long)v);
    *out = (uint32_t)v;
    return SVCQ_OK;
}

/* Allocates the array for the elements of json array a (key). */
static int array_alloc(svcq_ctx *ctx, const svcq__json *obj, const char *key, const svcq__json **a, void **v,
                       size_t *cap, size_t elem)
{
    int rc = svcq__json_get_array(ctx, obj, key, false, a);
    if (rc || !*a)
        return rc;
    size_t n = svcq__json_array_size(*a);
    if (n > SVCQ_INCIDENT_MAX_ITEMS)
        return svcq__error(ctx, SVCQ_ECORRUPT, "field \"%s\": %zu items, more than %d", key, n,
                           SVCQ_INCIDENT_MAX_ITEMS);
    if (!n)
        return SVCQ_OK;
    *v = svcq__calloc(ctx, n, elem);
    if (!*v)
        return svcq__enomem(ctx);
    *cap = n;
    return SVCQ_OK;
}

#define ALLOC(key, arr, a) array_alloc(ctx, root, key, &(a), (void **)&(arr).v, &(arr).cap, sizeof(*(arr).v))

static int get_mid(svcq_ctx *ctx, const svcq__json *obj, const char *key, char out[SVCQ__INC_MID_SIZE])
{
    const char *s = NULL;
    size_t len = 0;
    int rc = svcq__json_get_string(ctx, obj, key, true, &s, &len);
    if (rc)
        return rc;
    if (len == 0 || len >= SVCQ__INC_MID_SIZE || memchr(s, '\0', len))
        return svcq__error(ctx, SVCQ_ECORRUPT, "field \"%s\": bad measure id", key);
    memcpy(out, s, len + 1);
    return SVCQ_OK;
}

static int strs(svcq_ctx *ctx, svcq__inc_model *m, const svcq__json *root, const char *key, svcq__inc_strs *out)
{
    const svcq__json *a = NULL;
    int rc = array_alloc(ctx, root, key, &a, (void **)&out->v, &out->cap, sizeof(*out->v));
    for (size_t i = 0; !rc && a && i < svcq__json_array_size(a); i++) {
        size_t len = 0;
        const char *s = svcq__json_as_string(svcq__json_array_get(a, i), &len);
        if (!s || !*s)
            return svcq__error(ctx, SVCQ_ECORRUPT, "field \"%s\"[%zu]: expected a string", key, i);
        rc = svcq__inc_text_copy(ctx, m, key, s, len, &out->v[i]);
        if (!rc)
            out->len++;
    }
    return rc;
}

static int decode(svcq_ctx *ctx, const svcq__json *root, svcq__inc_model *m, const char **id)
{
    int rc = svcq__json_get_string(ctx, root, "id", true, id, NULL);
    if (!rc)
        rc = get_enum(ctx, root, "state", true, 9, svcq_incident_state_name, &m->state);
    if (!rc)
        rc = get_u32(ctx, root, "loop", true, &m->loop);
    if (!rc)
        rc = get_time(ctx, root, "reported_at", true, &m->reported_at);
    if (!rc)
        rc = get_time(ctx, root, "occurred_at", false, &m->occurred_at);
    if (!rc)
        rc = get_time(ctx, root, "state_since", true, &m->state_since);
    if (!rc)
        rc = get_time(ctx, root, "closed_at", false, &m->closed_at);
    if (!rc)
        rc = get_time(ctx, root, "typical_at", false, &m->typical_at);
    static const struct {
        const char *key;
        size_t off;
    } fields[] = {
#define F(k, f) { k, offsetof(svcq__inc_model, f) }
        F("type", type), F("stage", stage), F("channel", channel), F("location", location),
        F("observed", observed), F("impact", impact), F("reporter_name", reporter_name),
        F("reporter_contact", reporter_contact), F("reporter_role", reporter_role), F("client", client),
        F("ticket", ticket), F("containment", containment), F("touchpoint", touchpoint),
        F("similarity_key", similarity_key), F("judged_by", judged_by), F("category", category),
        F("responsible_unit", resp_unit), F("responsible_person", resp_person),
        F("person_assessment", person_assessment), F("process_assessment", process_assessment),
        F("confirm_note", confirm_note), F("reject_reason", reject_reason), F("cancel_reason", cancel_reason),
        F("cancel_role", cancel_role), F("lessons", lessons),
        F("typical_note", typical_note), F("typical_by", typical_by),
#undef F
    };
    for (size_t i = 0; !rc && i < sizeof(fields) / sizeof(fields[0]); i++)
        rc = dup_opt(ctx, m, root, fields[i].key, (char **)((char *)m + fields[i].off));
    if (!rc && (!m->type || !m->stage || !m->channel))
        rc = svcq__error(ctx, SVCQ_ECORRUPT, "fields \"type\", \"stage\" and \"channel\" are required");
    if (!rc)
        rc = get_enum(ctx, root, "cancelled_from", false, 9, svcq_incident_state_name, &m->cancelled_from);
    if (!rc)
        rc = get_u32(ctx, root, "next_measure", true, &m->next_measure);
    int64_t count = 0;
    if (!rc)
        rc = svcq__json_get_int(ctx, root, "audit_count", true, &count);
    if (!rc && count < 0)
        rc = svcq__error(ctx, SVCQ_ECORRUPT, "field \"audit_count\": negative");
    m->audit_seq = (uint64_t)count;
    const char *head = NULL;
    size_t head_len = 0;
    if (!rc)
        rc = svcq__json_get_string(ctx, root, "audit_head", false, &head, &head_len);
    if (!rc && head && *head) {
        if (head_len != SVCQ__SHA256_HEX || strspn(head, "0123456789abcdef") != SVCQ__SHA256_HEX)
            rc = svcq__error(ctx, SVCQ_ECORRUPT, "field \"audit_head\": not a SHA-256 hex digest");
        else
            memcpy(m->audit_head, head, SVCQ__SHA256_HEX + 1);
    }
    if (!rc)
        rc = strs(ctx, m, root, "analyses", &m->analyses);
    if (!rc)
        rc = strs(ctx, m, root, "recurrences", &m->recurrences);

    const svcq__json *a = NULL;
    if (!rc)
        rc = ALLOC("attachments", m->attachments, a);
    for (size_t i = 0; !rc && a && i < svcq__json_array_size(a); i++) {
        const svcq__json *o = svcq__json_array_get(a, i);
        svcq__inc_attachment *x = &m->attachments.v[i];
        m->attachments.len++;
        rc = dup_opt(ctx, m, o, "kind", &x->kind);
        if (!rc)
            rc = dup_opt(ctx, m, o, "uri", &x->uri);
        if (!rc)
            rc = dup_opt(ctx, m, o, "note", &x->note);
        if (!rc)
            rc = dup_opt(ctx, m, o, "by", &x->by);
        if (!rc)
            rc = get_time(ctx, o, "at", true, &x->at);
    }
    a = NULL;
    if (!rc)
        rc = ALLOC("group", m->members, a);
    for (size_t i = 0; !rc && a && i < svcq__json_array_size(a); i++) {
        const svcq__json *o = svcq__json_array_get(a, i);
        m->members.len++;
        rc = dup_opt(ctx, m, o, "name", &m->members.v[i].name);
        if (!rc)
            rc = dup_opt(ctx, m, o, "role", &m->members.v[i].role);
    }
    a = NULL;
    if (!rc)
        rc = ALLOC("measures", m->measures, a);
    for (size_t i = 0; !rc && a && i < svcq__json_array_size(a); i++) {
        const svcq__json *o = svcq__json_array_get(a, i);
        svcq__inc_measure *x = &m->measures.v[i];
        m->measures.len++;
        rc = get_mid(ctx, o, "id", x->id);
        if (!rc)
            rc = get_enum(ctx, o, "state", true, 4, svcq_incident_measure_state_name, &x->state);
        if (!rc)
            rc = get_u32(ctx, o, "loop", true, &x->loop);
        char **s[] = { &x->kind, &x->what, &x->root_cause, &x->owner, &x->indicator, &x->unit,
                       &x->feasibility, &x->expected_effect, &x->approved_by, &x->state_note };
        const char *k[] = { "kind", "what", "root_cause", "owner", "indicator", "unit",
                            "feasibility", "expected_effect", "approved_by", "state_note" };
        for (size_t f = 0; !rc && f < sizeof(k) / sizeof(k[0]); f++)
            rc = dup_opt(ctx, m, o, k[f], s[f]);
        if (!rc)
            rc = get_time(ctx, o, "deadline", false, &x->deadline);
        if (!rc)
            rc = svcq__json_get_int(ctx, o, "baseline", true, &x->baseline);
        if (!rc)
            rc = svcq__json_get_int(ctx, o, "target", true, &x->target);
        if (!rc)
            rc = get_enum(ctx, o, "direction", false, 2, svcq_incident_direction_name, &x->direction);
        if (!rc && svcq__json_get(o, "measured")) {
            x->has_measured = true;
            rc = svcq__json_get_int(ctx, o, "measured", true, &x->measured);
        }
        int64_t p = 0;
        if (!rc)
            rc = svcq__json_get_int(ctx, o, "percent", true, &p);
        if (!rc && (p < 0 || p > 100))
            rc = svcq__error(ctx, SVCQ_ECORRUPT, "measures[%zu]: percent %lld out of range", i, (long long)p);
        x->percent = (int32_t)p;
    }
    a = NULL;
    if (!rc)
        rc = ALLOC("ledger", m->ledger, a);
    for (size_t i = 0; !rc && a && i < svcq__json_array_size(a); i++) {
        const svcq__json *o = svcq__json_array_get(a, i);
        svcq__inc_ledger *x = &m->ledger.v[i];
        m->ledger.len++;
        rc = get_mid(ctx, o, "measure", x->measure);
        if (!rc)
            rc = get_enum(ctx, o, "kind", true, 3, svcq_incident_ledger_kind_name, &x->kind);
        if (!rc)
            rc = get_time(ctx, o, "at", true, &x->at);
        int64_t p = 0;
        if (!rc)
            rc = svcq__json_get_int(ctx, o, "percent", false, &p);
        if (!rc && (p < 0 || p > 100))
            rc = svcq__error(ctx, SVCQ_ECORRUPT, "ledger[%zu]: percent %lld out of range", i, (long long)p);
        x->percent = (int32_t)p;
        if (!rc)
            rc = dup_opt(ctx, m, o, "actor", &x->actor);
        if (!rc)
            rc = dup_opt(ctx, m, o, "note", &x->note);
        if (!rc)
            rc = dup_opt(ctx, m, o, "reason", &x->reason);
        if (!rc)
            rc = get_time(ctx, o, "new_deadline", false, &x->new_deadline);
        if (!rc)
            rc = dup_opt(ctx, m, o, "new_owner", &x->new_owner);
        if (!rc)
            rc = dup_opt(ctx, m, o, "approver", &x->approver);
    }
    a = NULL;
    if (!rc)
        rc = ALLOC("verifications", m->verifications, a);
    for (size_t i = 0; !rc && a && i < svcq__json_array_size(a); i++) {
        const svcq__json *o = svcq__json_array_get(a, i);
        svcq__inc_verification *x = &m->verifications.v[i];
        m->verifications.len++;
        rc = get_time(ctx, o, "at", true, &x->at);
        if (!rc)
            rc = get_u32(ctx, o, "loop", true, &x->loop);
        if (!rc)
            rc = get_time(ctx, o, "window_from", true, &x->window_from);
        if (!rc)
            rc = get_time(ctx, o, "window_to", true, &x->window_to);
        if (!rc)
            rc = svcq__json_get_int(ctx, o, "csat_before", true, &x->csat_before);
        if (!rc)
            rc = svcq__json_get_int(ctx, o, "csat_after", true, &x->csat_after);
        if (!rc)
            rc = get_u32(ctx, o, "recurrences", true, &x->recurrences);
        if (!rc)
            rc = svcq__json_get_int(ctx, o, "per_30_days", true, &x->per_30_days);
        if (!rc)
            rc = get_enum(ctx, o, "verdict", true, 2, svcq_incident_verdict_name, &x->verdict);
        if (!rc)
            rc = dup_opt(ctx, m, o, "by", &x->by);
        if (!rc)
            rc = dup_opt(ctx, m, o, "role", &x->role);
        if (!rc)
            rc = dup_opt(ctx, m, o, "note", &x->note);
        if (!rc)
            rc = dup_opt(ctx, m, o, "findings", &x->findings);
    }
    a = NULL;
    if (!rc)
        rc = ALLOC("improvements", m->improvements, a);
    for (size_t i = 0; !rc && a && i < svcq__json_array_size(a); i++) {
        const svcq__json *o = svcq__json_array_get(a, i);
        svcq__inc_improvement *x = &m->improvements.v[i];
        m->improvements.len++;
        rc = dup_opt(ctx, m, o, "kind", &x->kind);
        if (!rc)
            rc = dup_opt(ctx, m, o, "reference", &x->reference);
        if (!rc)
            rc = dup_opt(ctx, m, o, "note", &x->note);
        if (!rc)
            rc = dup_opt(ctx, m, o, "by", &x->by);
        if (!rc)
            rc = get_time(ctx, o, "at", true, &x->at);
    }
    return rc;
}

int svcq__inc_decode(svcq_ctx *ctx, const svcq__json *root, svcq__inc_model *m, const char **id)
{
    memset(m, 0, sizeof(*m));
    int rc = decode(ctx, root, m, id);
    if (rc)
        svcq__inc_model_free(ctx, m);
    return rc;
}

int svcq_incident_export_json(const svcq_incident *inc, const svcq_writer *writer, uint32_t flags)
{
    if (!inc)
        return SVCQ_EINVAL;
    if (!writer)
        return svcq__error(inc->ctx, SVCQ_EINVAL, "incident %s: NULL writer", inc->id);
    if (flags & ~SVCQ_INCIDENT_JSON_PRETTY)
        return svcq__error(inc->ctx, SVCQ_EINVAL, "incident %s: unknown flags 0x%x", inc->id, (unsigned)flags);
    svcq__buf b;
    svcq__buf_init(&b, inc->ctx);
    int rc = svcq__inc_encode(inc, &b, flags & SVCQ_INCIDENT_JSON_PRETTY);
    if (!rc) {
        rc = svcq_writer_write(writer, b.data, b.len);
        if (rc)
            rc = svcq__error(inc->ctx, rc, "incident %s: JSON export: the writer failed: %s", inc->id,
                             svcq_strerror(rc));
    }
    svcq__buf_free(&b);
    return rc;
}
