/* The system calls of the file store, as a table, so that tests can fail
 * any one of them and the fuzzer can run the journal reader on memory.
 * Every function returns -1 (or a negative count) with errno set on
 * failure, like the system call it stands for. */
#ifndef SVCQ__STORE_FIO_H
#define SVCQ__STORE_FIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SVCQ__FIO_CREATE 1 /* create the file if missing */
#define SVCQ__FIO_TRUNC 2  /* empty the file */
#define SVCQ__FIO_RDONLY 4 /* open read-only (a read-only store) */

typedef struct svcq__fio {
    /* Opens path read-write, or read-only with SVCQ__FIO_RDONLY
     * (close-on-exec); returns a descriptor. */
    int (*open)(const char *path, int flags, void *ud);
    int (*close)(int fd, void *ud);
    ssize_t (*pread)(int fd, void *buf, size_t n, uint64_t off, void *ud);
    ssize_t (*pwrite)(int fd, const void *buf, size_t n, uint64_t off, void *ud);
    /* Makes the file's data and size durable (fdatasync). */
    int (*datasync)(int fd, void *ud);
    int (*truncate)(int fd, uint64_t size, void *ud);
    int (*size)(int fd, uint64_t *size, void *ud);
    /* Takes an exclusive advisory lock on the whole file without waiting;
     * errno EAGAIN, EACCES or EWOULDBLOCK when another holder has it. */
    int (*lock)(int fd, void *ud);
    /* 1 when path names the file open as fd, 0 when it names another file
     * or nothing, -1 on error. */
    int (*same)(int fd, const char *path, void *ud);
    int (*rename)(const char *from, const char *to, void *ud);
    /* Removes path; a missing path is not an error. */
    int (*unlink)(const char *path, void *ud);
    /* Makes the directory's entries durable (fsync of the directory). */
    int (*syncdir)(const char *dir, void *ud);
    void *ud;
} svcq__fio;

/* The real system calls. */
extern const svcq__fio svcq__fio_posix;

#endif
