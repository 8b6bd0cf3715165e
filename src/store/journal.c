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

bool svcq__jnl_header_partial(const uint8_t *p, size_t n)
{
    /* The fixed start: magic, version 1, flags 0. */
    uint8_t start[16];
    memcpy(start, SVCQ__JNL_MAGIC, 8);
    put32(start + 8, SVCQ__JNL_VERSION);
    put32(start + 12, 0);
    size_t cmp = n < sizeof(start) ? n : sizeof(start);
    return n < SVCQ__JNL_HEADER_SIZE && memcmp(p, start, cmp) == 0;
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
