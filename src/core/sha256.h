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
/* The compression function digests use: chosen on the first digest
 * (SHA-NI when the CPU has it and SVCQ_SHA256_PORTABLE=1 is not in the
 * environment), or forced by svcq__sha256_select. */
#define SVCQ__SHA256_AUTO 0
#define SVCQ__SHA256_PORTABLE 1
#define SVCQ__SHA256_SHA_NI 2
/* SVCQ__SHA256_PORTABLE or SVCQ__SHA256_SHA_NI. */
int svcq__sha256_impl(void);
/* For tests: uses impl from now on, in every thread (AUTO: chooses again).
 * Returns 0, or -1 if impl is unknown or not available on this machine
 * or build; then nothing changes. */
int svcq__sha256_select(int impl);
/* Lower-case hex of a digest; out gets SVCQ__SHA256_HEX characters and a NUL. */
void svcq__sha256_hex(const uint8_t digest[SVCQ__SHA256_SIZE], char out[SVCQ__SHA256_HEX + 1]);

#endif
