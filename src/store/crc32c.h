/* CRC-32C (Castagnoli), the checksum of the file store's journal. */
#ifndef SVCQ__STORE_CRC32C_H
#define SVCQ__STORE_CRC32C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Continues a CRC: svcq__crc32c_update(svcq__crc32c(a), b) == svcq__crc32c(a b).
 * Start with crc 0. */
uint32_t svcq__crc32c_update(uint32_t crc, const void *data, size_t n);
uint32_t svcq__crc32c(const void *data, size_t n);
/* The portable table version, which svcq__crc32c_update uses unless the
 * processor computes CRC-32C itself (svcq__crc32c_hw). */
uint32_t svcq__crc32c_sw(uint32_t crc, const void *data, size_t n);
bool svcq__crc32c_hw(void);

/* The block lengths of the three-stream crc32 path, longest first, and the
 * tables that carry a CRC register past that many zero bytes (see
 * crc32c.c). Exposed for the test that checks them against the definition. */
#define SVCQ__CRC32C_BLOCKS 3
extern const size_t svcq__crc32c_block[SVCQ__CRC32C_BLOCKS];
extern const uint32_t svcq__crc32c_shift[SVCQ__CRC32C_BLOCKS][4][256];

#endif
