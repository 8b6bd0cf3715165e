/* Internals of the file store that tests and the fuzzer reach. */
#ifndef SVCQ__STORE_FILESTORE_H
#define SVCQ__STORE_FILESTORE_H

#include "store/fio.h"
#include "store/store.h"

/* svcq_store_file_open through another set of system calls (NULL for the
 * real ones); the table must outlive the store. */
int svcq__fstore_open_io(svcq_store_file **out, svcq_ctx *ctx, const char *path,
                      const svcq_store_file_options *opts, const svcq__fio *io);

/* fdatasync calls that made commits durable, since the open. */
uint64_t svcq__fstore_syncs(svcq_store_file *fs);

/* Whether a failed sync or truncate left the store refusing writes. */
bool svcq__fstore_broken(const svcq_store_file *fs);

#endif
