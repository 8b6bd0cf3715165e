/* SHA-256 (FIPS 180-4), for digests the library stores: the fingerprint of
 * an SLA policy version, the chain of an incident's audit trail. Pure
 * computation: no allocation, no failure. */
#ifndef SVCQ__SHA256_H
#define SVCQ__SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SVCQ__SHA256_SIZE 32
/* Lower-case hex of a digest, without the NUL. */
#define SVCQ__SHA256_HEX 64

typedef struct svcq__sha256_ctx {
    uint32_t h[8];
    uint64_t bytes;    /* message length so far */
    uint8_t block[64]; /* pending input */
    size_t used;       /* bytes in block */
} svcq__sha256_ctx;

void svcq__sha256_init(svcq__sha256_ctx *s);
void svcq__sha256_update(svcq__sha256_ctx *s, const void *data, size_t n);
/* Writes the digest; s must be initialised again before further use. */
void svcq__sha256_final(svcq__sha256_ctx *s, uint8_t out[SVCQ__SHA256_SIZE]);
/* The digest of n bytes at data. */
void svcq__sha256(const void *data, size_t n, uint8_t out[SVCQ__SHA256_SIZE]);
/* Lower-case hex of a digest; out gets SVCQ__SHA256_HEX characters and a NUL. */
void svcq__sha256_hex(const uint8_t digest[SVCQ__SHA256_SIZE], char out[SVCQ__SHA256_HEX + 1]);

#endif
