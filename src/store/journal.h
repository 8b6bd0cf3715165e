/* The file store's journal format (docs/format.md describes it byte by
 * byte): a header, then frames of length, CRC-32C and payload. All integers
 * are little-endian. This module encodes and decodes single pieces; the
 * file store strings them together. */
#ifndef SQ_STORE_JOURNAL_H
#define SQ_STORE_JOURNAL_H

#include "core/buf.h"
#include "core/core.h"

#define SQ_JNL_MAGIC "SVCQJRNL"
#define SQ_JNL_VERSION 1u
#define SQ_JNL_HEADER_SIZE 40u
/* length (4) + CRC-32C (4) */
#define SQ_JNL_FRAME_HEAD 8u
/* Payload: type (1) revision (8) kind length (1) id length (2) kind id [value] */
#define SQ_JNL_RECORD_HEAD 12u
/* Payload: type (1) sequence (8) last revision (8) operations (4) */
#define SQ_JNL_COMMIT_SIZE 21u
#define SQ_JNL_COMMIT_FRAME (SQ_JNL_FRAME_HEAD + SQ_JNL_COMMIT_SIZE)
#define SQ_JNL_MAX_PAYLOAD \
    (SQ_JNL_RECORD_HEAD + SVCQ_STORE_MAX_KIND + SVCQ_STORE_MAX_ID + (uint32_t)SVCQ_STORE_MAX_VALUE)

enum {
    SQ_JNL_PUT = 1,
    SQ_JNL_DEL = 2,
    SQ_JNL_COMMIT = 3
};

typedef struct sq_jnl_header {
    uint64_t generation; /* 0 for a new file, +1 at each compaction */
    uint64_t seq_base;   /* the first commit in the file has sequence seq_base + 1 */
} sq_jnl_header;

void sq_jnl_header_encode(uint8_t out[SQ_JNL_HEADER_SIZE], const sq_jnl_header *h);
/* SVCQ_OK; SVCQ_EVERSION for a journal of a later format (magic right,
 * version above SQ_JNL_VERSION); SVCQ_ECORRUPT for anything else. Needs
 * n >= SQ_JNL_HEADER_SIZE. */
int sq_jnl_header_decode(const uint8_t *p, size_t n, sq_jnl_header *h);
/* Whether the n (< SQ_JNL_HEADER_SIZE) bytes at p can be the start of a
 * header this library writes: a file cut while it was being created. */
bool sq_jnl_header_partial(const uint8_t *p, size_t n);

typedef struct sq_jnl_frame {
    uint32_t frame_len;     /* head + payload */
    uint8_t type;
    /* PUT and DEL */
    uint64_t revision;      /* PUT: the new revision; DEL: the revision removed */
    const char *kind;       /* not NUL-terminated */
    uint8_t kindlen;
    const char *id;         /* not NUL-terminated */
    uint16_t idlen;
    const uint8_t *value;   /* PUT */
    uint32_t size;
    uint32_t value_off;     /* PUT: offset of the value in the frame */
    /* COMMIT */
    uint64_t seq;
    uint64_t last_revision;
    uint32_t ops;
} sq_jnl_frame;

typedef enum sq_jnl_result {
    SQ_JNL_OK = 0,   /* *f describes the frame at p */
    SQ_JNL_MORE = 1, /* p holds only part of a frame; f->frame_len is its length when n >= 4 */
    SQ_JNL_BAD = 2   /* not a valid frame */
} sq_jnl_result;

/* Decodes the frame at p, of which n bytes are available. Checks the
 * length bound, the CRC, the type, the exact payload layout, and the
 * syntax of kind and id. Pointers in *f point into p. */
sq_jnl_result sq_jnl_parse(const uint8_t *p, size_t n, sq_jnl_frame *f);

/* Frame lengths, for sizing. */
uint32_t sq_jnl_put_len(size_t kindlen, size_t idlen, size_t size);
uint32_t sq_jnl_del_len(size_t kindlen, size_t idlen);

/* Append one frame to b; SVCQ_ENOMEM leaves b unchanged. */
int sq_jnl_put(sq_buf *b, uint64_t revision, const char *kind, size_t kindlen, const char *id, size_t idlen,
               const void *value, size_t size);
int sq_jnl_del(sq_buf *b, uint64_t revision, const char *kind, size_t kindlen, const char *id, size_t idlen);
int sq_jnl_commit(sq_buf *b, uint64_t seq, uint64_t last_revision, uint32_t ops);

#endif
