#include <string.h>

#include "store/crc32c.h"
#include "store/journal.h"
#include "store/store.h"

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* ---- header ------------------------------------------------------------ */

/* magic (8) version (4) flags (4) generation (8) seq_base (8) reserved (4) crc (4) */
void svcq__jnl_header_encode(uint8_t out[SVCQ__JNL_HEADER_SIZE], const svcq__jnl_header *h)
{
    memcpy(out, SVCQ__JNL_MAGIC, 8);
    put32(out + 8, SVCQ__JNL_VERSION);
    put32(out + 12, 0);
    put64(out + 16, h->generation);
    put64(out + 24, h->seq_base);
    put32(out + 32, 0);
    put32(out + 36, svcq__crc32c(out, 36));
}

int svcq__jnl_header_decode(const uint8_t *p, size_t n, svcq__jnl_header *h)
{
    if (n < SVCQ__JNL_HEADER_SIZE || memcmp(p, SVCQ__JNL_MAGIC, 8) != 0)
        return SVCQ_ECORRUPT;
    if (svcq__crc32c(p, 36) != get32(p + 36))
        return SVCQ_ECORRUPT;
    uint32_t version = get32(p + 8);
    if (version > SVCQ__JNL_VERSION)
        return SVCQ_EVERSION;
    if (version == 0 || get32(p + 12) != 0 || get32(p + 32) != 0)
        return SVCQ_ECORRUPT;
    h->generation = get64(p + 16);
    h->seq_base = get64(p + 24);
    return SVCQ_OK;
}

uint32_t svcq__jnl_header_version(const uint8_t *p)
{
    return get32(p + 8);
}

void svcq__jnl_header_set_version(uint8_t *p, uint32_t version)
{
    put32(p + 8, version);
    put32(p + 36, svcq__crc32c(p, 36));
}

bool svcq__jnl_header_partial(const uint8_t *p, size_t n)
{
    /* The fixed start: magic, a version this library writes or wrote
     * (1 or 2), flags 0. */
    for (uint32_t version = 1; version <= SVCQ__JNL_VERSION; version++) {
        uint8_t start[16];
        memcpy(start, SVCQ__JNL_MAGIC, 8);
        put32(start + 8, version);
        put32(start + 12, 0);
        size_t cmp = n < sizeof(start) ? n : sizeof(start);
        if (n < SVCQ__JNL_HEADER_SIZE && memcmp(p, start, cmp) == 0)
            return true;
    }
    return false;
}

/* ---- frames ------------------------------------------------------------ */

static uint32_t frame_crc(const uint8_t *frame, size_t payload_len)
{
    uint32_t crc = svcq__crc32c(frame, 4);
    return svcq__crc32c_update(crc, frame + SVCQ__JNL_FRAME_HEAD, payload_len);
}

svcq__jnl_result svcq__jnl_parse(const uint8_t *p, size_t n, svcq__jnl_frame *f)
{
    memset(f, 0, sizeof(*f));
    if (n < 4)
        return SVCQ__JNL_MORE;
    uint32_t len = get32(p);
    if (len == 0 || len > SVCQ__JNL_MAX_PAYLOAD)
        return SVCQ__JNL_BAD;
    f->frame_len = len + SVCQ__JNL_FRAME_HEAD;
    if (n < f->frame_len)
        return SVCQ__JNL_MORE;
    if (frame_crc(p, len) != get32(p + 4))
        return SVCQ__JNL_BAD;
    const uint8_t *q = p + SVCQ__JNL_FRAME_HEAD;
    f->type = q[0];
    switch (f->type) {
    case SVCQ__JNL_PUT_TERMS: {
        if (len < SVCQ__JNL_RECORD_HEAD + 1)
            return SVCQ__JNL_BAD;
        f->revision = get64(q + 1);
        f->kindlen = q[9];
        f->idlen = (uint16_t)(q[10] | q[11] << 8);
        uint32_t at = SVCQ__JNL_RECORD_HEAD + f->kindlen + f->idlen;
        if (f->revision == 0 || len < at + 1)
            return SVCQ__JNL_BAD;
        f->kind = (const char *)q + SVCQ__JNL_RECORD_HEAD;
        f->id = f->kind + f->kindlen;
        if (!svcq__store_kind_valid(f->kind, f->kindlen) || !svcq__store_id_valid(f->id, f->idlen))
            return SVCQ__JNL_BAD;
        f->nterms = q[at++];
        f->terms = q + at;
        if (f->nterms == 0 || f->nterms > SVCQ_STORE_MAX_TERMS)
            return SVCQ__JNL_BAD;
        const uint8_t *prev = NULL;
        size_t prevlen = 0;
        for (uint8_t i = 0; i < f->nterms; i++) {
            if (len < at + 1)
                return SVCQ__JNL_BAD;
            size_t nl = q[at];
            if (nl == 0 || nl > SVCQ_STORE_MAX_TERM_NAME || len < at + 1 + nl + 1)
                return SVCQ__JNL_BAD;
            const uint8_t *name = q + at + 1;
            if (!svcq__store_kind_valid((const char *)name, nl))
                return SVCQ__JNL_BAD;
            /* Names strictly ascending: sorted and distinct. */
            if (prev) {
                int c = memcmp(prev, name, prevlen < nl ? prevlen : nl);
                if (c > 0 || (c == 0 && prevlen >= nl))
                    return SVCQ__JNL_BAD;
            }
            prev = name;
            prevlen = nl;
            at += 1 + (uint32_t)nl;
            uint8_t type = q[at++];
            if (type == SVCQ_STORE_TERM_INT64) {
                if (len < at + 8)
                    return SVCQ__JNL_BAD;
                at += 8;
            } else if (type == SVCQ_STORE_TERM_STRING) {
                if (len < at + 2)
                    return SVCQ__JNL_BAD;
                size_t sl = (size_t)q[at] | (size_t)q[at + 1] << 8;
                at += 2;
                if (sl > SVCQ_STORE_MAX_TERM_VALUE || len < at + sl ||
                    (sl && !svcq__store_id_valid((const char *)q + at, sl)))
                    return SVCQ__JNL_BAD;
                at += (uint32_t)sl;
            } else {
                return SVCQ__JNL_BAD;
            }
        }
        f->value_off = SVCQ__JNL_FRAME_HEAD + at;
        f->value = p + f->value_off;
        f->size = len - at;
        if (f->size > SVCQ_STORE_MAX_VALUE)
            return SVCQ__JNL_BAD;
        return SVCQ__JNL_OK;
    }
    case SVCQ__JNL_PUT:
    case SVCQ__JNL_DEL: {
        if (len < SVCQ__JNL_RECORD_HEAD)
            return SVCQ__JNL_BAD;
        f->revision = get64(q + 1);
        f->kindlen = q[9];
        f->idlen = (uint16_t)(q[10] | q[11] << 8);
        uint32_t names = SVCQ__JNL_RECORD_HEAD + f->kindlen + f->idlen;
        if (f->revision == 0 || len < names || (f->type == SVCQ__JNL_DEL && len != names))
            return SVCQ__JNL_BAD;
        f->kind = (const char *)q + SVCQ__JNL_RECORD_HEAD;
        f->id = f->kind + f->kindlen;
        if (!svcq__store_kind_valid(f->kind, f->kindlen) || !svcq__store_id_valid(f->id, f->idlen))
            return SVCQ__JNL_BAD;
        if (f->type == SVCQ__JNL_PUT) {
            f->value_off = SVCQ__JNL_FRAME_HEAD + names;
            f->value = p + f->value_off;
            f->size = len - names;
            if (f->size > SVCQ_STORE_MAX_VALUE)
                return SVCQ__JNL_BAD;
        }
        return SVCQ__JNL_OK;
    }
    case SVCQ__JNL_COMMIT:
        if (len != SVCQ__JNL_COMMIT_SIZE)
            return SVCQ__JNL_BAD;
        f->seq = get64(q + 1);
        f->last_revision = get64(q + 9);
        f->ops = get32(q + 17);
        return SVCQ__JNL_OK;
    }
    return SVCQ__JNL_BAD;
}

uint32_t svcq__jnl_put_len(size_t kindlen, size_t idlen, size_t size)
{
    return (uint32_t)(SVCQ__JNL_FRAME_HEAD + SVCQ__JNL_RECORD_HEAD + kindlen + idlen + size);
}

uint32_t svcq__jnl_del_len(size_t kindlen, size_t idlen)
{
    return svcq__jnl_put_len(kindlen, idlen, 0);
}

/* Appends a record frame: the fixed fields, kind, id and value. */
static int record_frame(svcq__buf *b, uint8_t type, uint64_t revision, const char *kind, size_t kindlen,
                        const char *id, size_t idlen, const void *value, size_t size)
{
    uint32_t total = svcq__jnl_put_len(kindlen, idlen, size);
    if (svcq__buf_reserve(b, total) != SVCQ_OK)
        return SVCQ_ENOMEM;
    uint8_t *f = (uint8_t *)b->data + b->len;
    uint32_t len = total - SVCQ__JNL_FRAME_HEAD;
    put32(f, len);
    uint8_t *q = f + SVCQ__JNL_FRAME_HEAD;
    q[0] = type;
    put64(q + 1, revision);
    q[9] = (uint8_t)kindlen;
    q[10] = (uint8_t)idlen;
    q[11] = (uint8_t)(idlen >> 8);
    memcpy(q + SVCQ__JNL_RECORD_HEAD, kind, kindlen);
    memcpy(q + SVCQ__JNL_RECORD_HEAD + kindlen, id, idlen);
    if (size)
        memcpy(q + SVCQ__JNL_RECORD_HEAD + kindlen + idlen, value, size);
    put32(f + 4, frame_crc(f, len));
    b->len += total;
    b->data[b->len] = '\0';
    return SVCQ_OK;
}

int svcq__jnl_put(svcq__buf *b, uint64_t revision, const char *kind, size_t kindlen, const char *id, size_t idlen,
               const void *value, size_t size)
{
    return record_frame(b, SVCQ__JNL_PUT, revision, kind, kindlen, id, idlen, value, size);
}

void svcq__jnl_terms(const svcq__jnl_frame *f, svcq__term_in out[SVCQ_STORE_MAX_TERMS], size_t *n)
{
    const uint8_t *q = f->terms;
    *n = f->type == SVCQ__JNL_PUT_TERMS ? f->nterms : 0;
    for (size_t i = 0; i < *n; i++) {
        svcq__term_in *t = &out[i];
        memset(t, 0, sizeof(*t));
        t->namelen = q[0];
        t->name = (const char *)q + 1;
        q += 1 + t->namelen;
        t->type = q[0];
        q++;
        if (t->type == SVCQ_STORE_TERM_INT64) {
            t->i = (int64_t)get64(q);
            q += 8;
        } else {
            t->slen = (size_t)q[0] | (size_t)q[1] << 8;
            t->s = (const char *)q + 2;
            q += 2 + t->slen;
        }
    }
}

uint32_t svcq__jnl_put_terms_len(size_t kindlen, size_t idlen, const svcq__term_in *terms, size_t n, size_t size)
{
    if (n == 0)
        return svcq__jnl_put_len(kindlen, idlen, size);
    size_t tl = 1;
    for (size_t i = 0; i < n; i++)
        tl += 1 + terms[i].namelen + 1 + (terms[i].type == SVCQ_STORE_TERM_INT64 ? 8 : 2 + terms[i].slen);
    return (uint32_t)(svcq__jnl_put_len(kindlen, idlen, size) + tl);
}

void svcq__jnl_own_terms(const uint8_t *frame, svcq__term_in out[SVCQ_STORE_MAX_TERMS], size_t *n)
{
    const uint8_t *q = frame + SVCQ__JNL_FRAME_HEAD;
    svcq__jnl_frame f;
    memset(&f, 0, sizeof(f));
    f.type = q[0];
    if (f.type == SVCQ__JNL_PUT_TERMS) {
        size_t at = SVCQ__JNL_RECORD_HEAD + q[9] + ((size_t)q[10] | (size_t)q[11] << 8);
        f.nterms = q[at];
        f.terms = q + at + 1;
    }
    svcq__jnl_terms(&f, out, n);
}

int svcq__jnl_put_terms(svcq__buf *b, uint64_t revision, const char *kind, size_t kindlen, const char *id,
                        size_t idlen, const svcq__term_in *terms, size_t n, const void *value, size_t size)
{
    if (n == 0)
        return svcq__jnl_put(b, revision, kind, kindlen, id, idlen, value, size);
    uint32_t total = svcq__jnl_put_terms_len(kindlen, idlen, terms, n, size);
    if (svcq__buf_reserve(b, total) != SVCQ_OK)
        return SVCQ_ENOMEM;
    uint8_t *f = (uint8_t *)b->data + b->len;
    uint32_t len = total - SVCQ__JNL_FRAME_HEAD;
    put32(f, len);
    uint8_t *q = f + SVCQ__JNL_FRAME_HEAD;
    q[0] = SVCQ__JNL_PUT_TERMS;
    put64(q + 1, revision);
    q[9] = (uint8_t)kindlen;
    q[10] = (uint8_t)idlen;
    q[11] = (uint8_t)(idlen >> 8);
    uint8_t *w = q + SVCQ__JNL_RECORD_HEAD;
    memcpy(w, kind, kindlen);
    w += kindlen;
    memcpy(w, id, idlen);
    w += idlen;
    *w++ = (uint8_t)n;
    for (size_t i = 0; i < n; i++) {
        *w++ = (uint8_t)terms[i].namelen;
        memcpy(w, terms[i].name, terms[i].namelen);
        w += terms[i].namelen;
        *w++ = (uint8_t)terms[i].type;
        if (terms[i].type == SVCQ_STORE_TERM_INT64) {
            put64(w, (uint64_t)terms[i].i);
            w += 8;
        } else {
            w[0] = (uint8_t)terms[i].slen;
            w[1] = (uint8_t)(terms[i].slen >> 8);
            if (terms[i].slen)
                memcpy(w + 2, terms[i].s, terms[i].slen);
            w += 2 + terms[i].slen;
        }
    }
    if (size)
        memcpy(w, value, size);
    put32(f + 4, frame_crc(f, len));
    b->len += total;
    b->data[b->len] = '\0';
    return SVCQ_OK;
}

int svcq__jnl_del(svcq__buf *b, uint64_t revision, const char *kind, size_t kindlen, const char *id, size_t idlen)
{
    return record_frame(b, SVCQ__JNL_DEL, revision, kind, kindlen, id, idlen, NULL, 0);
}

int svcq__jnl_commit(svcq__buf *b, uint64_t seq, uint64_t last_revision, uint32_t ops)
{
    if (svcq__buf_reserve(b, SVCQ__JNL_COMMIT_FRAME) != SVCQ_OK)
        return SVCQ_ENOMEM;
    uint8_t *f = (uint8_t *)b->data + b->len;
    put32(f, SVCQ__JNL_COMMIT_SIZE);
    uint8_t *q = f + SVCQ__JNL_FRAME_HEAD;
    q[0] = SVCQ__JNL_COMMIT;
    put64(q + 1, seq);
    put64(q + 9, last_revision);
    put32(q + 17, ops);
    put32(f + 4, frame_crc(f, SVCQ__JNL_COMMIT_SIZE));
    b->len += SVCQ__JNL_COMMIT_FRAME;
    b->data[b->len] = '\0';
    return SVCQ_OK;
}
