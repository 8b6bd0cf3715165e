/* The file store's system calls (svcq__fio) with failures injected: call
 * N of pread, pwrite, datasync and truncate fails with EIO (a failing
 * pwrite first writes half its bytes: a torn write, then ENOSPC), once or
 * from N on. Counting starts when armed. Shared by the fault tests that
 * open a file store through svcq__fstore_open_io. */
#ifndef TEST_FAULTY_FIO_H
#define TEST_FAULTY_FIO_H

#include <stdbool.h>
#include <stddef.h>

#include "store/fio.h"

typedef struct faulty_fio {
    size_t calls, fail_at, injected;
    bool keep; /* every call from fail_at on fails */
} faulty_fio;

/* The POSIX table with the failures of f (its user_data). */
svcq__fio faulty_fio_table(faulty_fio *f);
/* Fail call n (0: none) from now on, once or (keep) from n on. */
void faulty_fio_arm(faulty_fio *f, size_t n, bool keep);

#endif
