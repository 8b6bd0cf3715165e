/* The file store's journal format (docs/format.md describes it byte by
 * byte): a header, then frames of length, CRC-32C and payload. All integers
 * are little-endian. This module encodes and decodes single pieces; the
 * file store strings them together. */
#ifndef SVCQ__STORE_JOURNAL_H
#define SVCQ__STORE_JOURNAL_H

#include "core/buf.h"
#include "core/core.h"
#include "store/index.h"

#define SVCQ__JNL_MAGIC "SVCQJRNL"
/* 2: version 1 plus frame type 4 (a put with index terms). A writer
 * upgrades a version-1 file's header before it appends the first such
 * frame, so a reader of version 1 refuses the file instead of cutting the
 * frames it does not know as damage. */
#define SVCQ__JNL_VERSION 2u
#define SVCQ__JNL_HEADER_SIZE 40u
/* length (4) + CRC-32C (4) */
#define SVCQ__JNL_FRAME_HEAD 8u
/* Payload: type (1) revision (8) kind length (1) id length (2) kind id [value] */
#define SVCQ__JNL_RECORD_HEAD 12u
/* Payload: type (1) sequence (8) last revision (8) operations (4) */
#define SVCQ__JNL_COMMIT_SIZE 21u
#define SVCQ__JNL_COMMIT_FRAME (SVCQ__JNL_FRAME_HEAD + SVCQ__JNL_COMMIT_SIZE)
/* Terms of a put with terms: count (1), then per term name length (1),
 * name, type (1) and either 8 bytes (INT64) or length (2) and bytes. */
#define SVCQ__JNL_MAX_TERMS_BYTES \
    (1 + SVCQ_STORE_MAX_TERMS * (1 + SVCQ_STORE_MAX_TERM_NAME + 1 + 2 + SVCQ_STORE_MAX_TERM_VALUE))
#define SVCQ__JNL_MAX_PAYLOAD \
    (SVCQ__JNL_RECORD_HEAD + SVCQ_STORE_MAX_KIND + SVCQ_STORE_MAX_ID + SVCQ__JNL_MAX_TERMS_BYTES + \
     (uint32_t)SVCQ_STORE_MAX_VALUE)

enum {
    SVCQ__JNL_PUT = 1,
    SVCQ__JNL_DEL = 2,
    SVCQ__JNL_COMMIT = 3,
    SVCQ__JNL_PUT_TERMS = 4 /* format version 2 */
};

typedef struct svcq__jnl_header {
    uint64_t generation; /* 0 for a new file, +1 at each compaction */
    uint64_t seq_base;   /* the first commit in the file has sequence seq_base + 1 */
} svcq__jnl_header;

void svcq__jnl_header_encode(uint8_t out[SVCQ__JNL_HEADER_SIZE], const svcq__jnl_header *h);
/* SVCQ_OK; SVCQ_EVERSION for a journal of a later format (magic right,
 * version above SVCQ__JNL_VERSION); SVCQ_ECORRUPT for anything else. Needs
 * n >= SVCQ__JNL_HEADER_SIZE. */
int svcq__jnl_header_decode(const uint8_t *p, size_t n, svcq__jnl_header *h);
/* The format version of a header svcq__jnl_header_decode accepted. */
uint32_t svcq__jnl_header_version(const uint8_t *p);
/* Writes version into an encoded header and recomputes its CRC. */
void svcq__jnl_header_set_version(uint8_t *p, uint32_t version);
/* Whether the n (< SVCQ__JNL_HEADER_SIZE) bytes at p can be the start of a
 * header this library writes: a file cut while it was being created. */
bool svcq__jnl_header_partial(const uint8_t *p, size_t n);

typedef struct svcq__jnl_frame {
    uint32_t frame_len;     /* head + payload */
    uint8_t type;
    /* PUT and DEL */
    uint64_t revision;      /* PUT: the new revision; DEL: the revision removed */
    const char *kind;       /* not NUL-terminated */
    uint8_t kindlen;
    const char *id;         /* not NUL-terminated */
    uint16_t idlen;
    const uint8_t *terms;   /* PUT_TERMS: the encoded terms after the count */
    uint8_t nterms;         /* PUT_TERMS: how many (checked by the parser) */
    const uint8_t *value;   /* PUT and PUT_TERMS */
    uint32_t size;
    uint32_t value_off;     /* PUT: offset of the value in the frame */
    /* COMMIT */
    uint64_t seq;
    uint64_t last_revision;
    uint32_t ops;
} svcq__jnl_frame;

typedef enum svcq__jnl_result {
    SVCQ__JNL_OK = 0,   /* *f describes the frame at p */
    SVCQ__JNL_MORE = 1, /* p holds only part of a frame; f->frame_len is its length when n >= 4 */
    SVCQ__JNL_BAD = 2   /* not a valid frame */
} svcq__jnl_result;

/* Decodes the frame at p, of which n bytes are available. Checks the
 * length bound, the CRC, the type, the exact payload layout, and the
 * syntax of kind and id. Pointers in *f point into p. */
svcq__jnl_result svcq__jnl_parse(const uint8_t *p, size_t n, svcq__jnl_frame *f);

/* Frame lengths, for sizing. */
uint32_t svcq__jnl_put_len(size_t kindlen, size_t idlen, size_t size);
uint32_t svcq__jnl_del_len(size_t kindlen, size_t idlen);

/* Append one frame to b; SVCQ_ENOMEM leaves b unchanged. */
int svcq__jnl_put(svcq__buf *b, uint64_t revision, const char *kind, size_t kindlen, const char *id, size_t idlen,
               const void *value, size_t size);
/* A put with terms (n sorted by name, distinct, valid): frame type 4, or
 * type 1 when n is 0. */
int svcq__jnl_put_terms(svcq__buf *b, uint64_t revision, const char *kind, size_t kindlen, const char *id,
                        size_t idlen, const svcq__term_in *terms, size_t n, const void *value, size_t size);
/* The length of the frame svcq__jnl_put_terms appends (for sizing). */
uint32_t svcq__jnl_put_terms_len(size_t kindlen, size_t idlen, const svcq__term_in *terms, size_t n, size_t size);
/* The terms of a record frame this process encoded (svcq__jnl_put or
 * svcq__jnl_put_terms; no checks): pointers into the frame, *n of them
 * (0 for a frame of type 1). */
void svcq__jnl_own_terms(const uint8_t *frame, svcq__term_in out[SVCQ_STORE_MAX_TERMS], size_t *n);
/* The terms of a parsed PUT_TERMS frame (pointers into the frame); n
 * receives f->nterms. */
void svcq__jnl_terms(const svcq__jnl_frame *f, svcq__term_in out[SVCQ_STORE_MAX_TERMS], size_t *n);
int svcq__jnl_del(svcq__buf *b, uint64_t revision, const char *kind, size_t kindlen, const char *id, size_t idlen);
int svcq__jnl_commit(svcq__buf *b, uint64_t seq, uint64_t last_revision, uint32_t ops);

#endif
