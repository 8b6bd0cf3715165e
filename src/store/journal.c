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
void sq_jnl_header_encode(uint8_t out[SQ_JNL_HEADER_SIZE], const sq_jnl_header *h)
{
    memcpy(out, SQ_JNL_MAGIC, 8);
    put32(out + 8, SQ_JNL_VERSION);
    put32(out + 12, 0);
    put64(out + 16, h->generation);
    put64(out + 24, h->seq_base);
    put32(out + 32, 0);
    put32(out + 36, sq_crc32c(out, 36));
}

int sq_jnl_header_decode(const uint8_t *p, size_t n, sq_jnl_header *h)
{
    if (n < SQ_JNL_HEADER_SIZE || memcmp(p, SQ_JNL_MAGIC, 8) != 0)
        return SVCQ_ECORRUPT;
    if (sq_crc32c(p, 36) != get32(p + 36))
        return SVCQ_ECORRUPT;
    uint32_t version = get32(p + 8);
    if (version > SQ_JNL_VERSION)
        return SVCQ_EVERSION;
    if (version == 0 || get32(p + 12) != 0 || get32(p + 32) != 0)
        return SVCQ_ECORRUPT;
    h->generation = get64(p + 16);
    h->seq_base = get64(p + 24);
    return SVCQ_OK;
}

bool sq_jnl_header_partial(const uint8_t *p, size_t n)
{
    /* The fixed start: magic, version 1, flags 0. */
    uint8_t start[16];
    memcpy(start, SQ_JNL_MAGIC, 8);
    put32(start + 8, SQ_JNL_VERSION);
    put32(start + 12, 0);
    size_t cmp = n < sizeof(start) ? n : sizeof(start);
    return n < SQ_JNL_HEADER_SIZE && memcmp(p, start, cmp) == 0;
}

/* ---- frames ------------------------------------------------------------ */

static uint32_t frame_crc(const uint8_t *frame, size_t payload_len)
{
    uint32_t crc = sq_crc32c(frame, 4);
    return sq_crc32c_update(crc, frame + SQ_JNL_FRAME_HEAD, payload_len);
}

sq_jnl_result sq_jnl_parse(const uint8_t *p, size_t n, sq_jnl_frame *f)
{
    memset(f, 0, sizeof(*f));
    if (n < 4)
        return SQ_JNL_MORE;
    uint32_t len = get32(p);
    if (len == 0 || len > SQ_JNL_MAX_PAYLOAD)
        return SQ_JNL_BAD;
    f->frame_len = len + SQ_JNL_FRAME_HEAD;
    if (n < f->frame_len)
        return SQ_JNL_MORE;
    if (frame_crc(p, len) != get32(p + 4))
        return SQ_JNL_BAD;
    const uint8_t *q = p + SQ_JNL_FRAME_HEAD;
    f->type = q[0];
    switch (f->type) {
    case SQ_JNL_PUT:
    case SQ_JNL_DEL: {
        if (len < SQ_JNL_RECORD_HEAD)
            return SQ_JNL_BAD;
        f->revision = get64(q + 1);
        f->kindlen = q[9];
        f->idlen = (uint16_t)(q[10] | q[11] << 8);
        uint32_t names = SQ_JNL_RECORD_HEAD + f->kindlen + f->idlen;
        if (f->revision == 0 || len < names || (f->type == SQ_JNL_DEL && len != names))
            return SQ_JNL_BAD;
        f->kind = (const char *)q + SQ_JNL_RECORD_HEAD;
        f->id = f->kind + f->kindlen;
        if (!sq_store_kind_valid(f->kind, f->kindlen) || !sq_store_id_valid(f->id, f->idlen))
            return SQ_JNL_BAD;
        if (f->type == SQ_JNL_PUT) {
            f->value_off = SQ_JNL_FRAME_HEAD + names;
            f->value = p + f->value_off;
            f->size = len - names;
            if (f->size > SVCQ_STORE_MAX_VALUE)
                return SQ_JNL_BAD;
        }
        return SQ_JNL_OK;
    }
    case SQ_JNL_COMMIT:
        if (len != SQ_JNL_COMMIT_SIZE)
            return SQ_JNL_BAD;
        f->seq = get64(q + 1);
        f->last_revision = get64(q + 9);
        f->ops = get32(q + 17);
        return SQ_JNL_OK;
    }
    return SQ_JNL_BAD;
}

uint32_t sq_jnl_put_len(size_t kindlen, size_t idlen, size_t size)
{
    return (uint32_t)(SQ_JNL_FRAME_HEAD + SQ_JNL_RECORD_HEAD + kindlen + idlen + size);
}

uint32_t sq_jnl_del_len(size_t kindlen, size_t idlen)
{
    return sq_jnl_put_len(kindlen, idlen, 0);
}

/* Appends a record frame: the fixed fields, kind, id and value. */
static int record_frame(sq_buf *b, uint8_t type, uint64_t revision, const char *kind, size_t kindlen,
                        const char *id, size_t idlen, const void *value, size_t size)
{
    uint32_t total = sq_jnl_put_len(kindlen, idlen, size);
    if (sq_buf_reserve(b, total) != SVCQ_OK)
        return SVCQ_ENOMEM;
    uint8_t *f = (uint8_t *)b->data + b->len;
    uint32_t len = total - SQ_JNL_FRAME_HEAD;
    put32(f, len);
    uint8_t *q = f + SQ_JNL_FRAME_HEAD;
    q[0] = type;
    put64(q + 1, revision);
    q[9] = (uint8_t)kindlen;
    q[10] = (uint8_t)idlen;
    q[11] = (uint8_t)(idlen >> 8);
    memcpy(q + SQ_JNL_RECORD_HEAD, kind, kindlen);
    memcpy(q + SQ_JNL_RECORD_HEAD + kindlen, id, idlen);
    if (size)
        memcpy(q + SQ_JNL_RECORD_HEAD + kindlen + idlen, value, size);
    put32(f + 4, frame_crc(f, len));
    b->len += total;
    b->data[b->len] = '\0';
    return SVCQ_OK;
}

int sq_jnl_put(sq_buf *b, uint64_t revision, const char *kind, size_t kindlen, const char *id, size_t idlen,
               const void *value, size_t size)
{
    return record_frame(b, SQ_JNL_PUT, revision, kind, kindlen, id, idlen, value, size);
}

int sq_jnl_del(sq_buf *b, uint64_t revision, const char *kind, size_t kindlen, const char *id, size_t idlen)
{
    return record_frame(b, SQ_JNL_DEL, revision, kind, kindlen, id, idlen, NULL, 0);
}

int sq_jnl_commit(sq_buf *b, uint64_t seq, uint64_t last_revision, uint32_t ops)
{
    if (sq_buf_reserve(b, SQ_JNL_COMMIT_FRAME) != SVCQ_OK)
        return SVCQ_ENOMEM;
    uint8_t *f = (uint8_t *)b->data + b->len;
    put32(f, SQ_JNL_COMMIT_SIZE);
    uint8_t *q = f + SQ_JNL_FRAME_HEAD;
    q[0] = SQ_JNL_COMMIT;
    put64(q + 1, seq);
    put64(q + 9, last_revision);
    put32(q + 17, ops);
    put32(f + 4, frame_crc(f, SQ_JNL_COMMIT_SIZE));
    b->len += SQ_JNL_COMMIT_FRAME;
    b->data[b->len] = '\0';
    return SVCQ_OK;
}
