/* Internals of the file store that tests and the fuzzer reach. */
#ifndef SQ_STORE_FILESTORE_H
#define SQ_STORE_FILESTORE_H

#include "store/fio.h"
#include "store/store.h"

/* svcq_store_file_open through another set of system calls (NULL for the
 * real ones); the table must outlive the store. */
int sq_fstore_open_io(svcq_store_file **out, svcq_ctx *ctx, const char *path,
                      const svcq_store_file_options *opts, const sq_fio *io);

/* Whether a failed sync or truncate left the store refusing writes. */
bool sq_fstore_broken(const svcq_store_file *fs);

#endif
