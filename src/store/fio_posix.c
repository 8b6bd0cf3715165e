/* The file store's system calls on POSIX. Open file description locks
 * (F_OFD_SETLK, Linux) are used where they exist: they belong to the open
 * file, so a second open in the same process is refused too and closing an
 * unrelated descriptor of the file does not drop the lock. Elsewhere
 * classic F_SETLK locks keep other processes out. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* F_OFD_SETLK */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/fio.h"

static int p_open(const char *path, int flags, void *ud)
{
    (void)ud;
    int o = (flags & SVCQ__FIO_RDONLY ? O_RDONLY : O_RDWR) | O_CLOEXEC;
    if (flags & SVCQ__FIO_CREATE)
        o |= O_CREAT;
    if (flags & SVCQ__FIO_TRUNC)
        o |= O_TRUNC;
    int fd;
    do
        fd = open(path, o, 0600);
    while (fd < 0 && errno == EINTR);
    return fd;
}

static int p_close(int fd, void *ud)
{
    (void)ud;
    return close(fd);
}

static ssize_t p_pread(int fd, void *buf, size_t n, uint64_t off, void *ud)
{
    (void)ud;
    ssize_t r;
    do
        r = pread(fd, buf, n, (off_t)off);
    while (r < 0 && errno == EINTR);
    return r;
}

static ssize_t p_pwrite(int fd, const void *buf, size_t n, uint64_t off, void *ud)
{
    (void)ud;
    ssize_t r;
    do
        r = pwrite(fd, buf, n, (off_t)off);
    while (r < 0 && errno == EINTR);
    return r;
}

static int full_sync(int fd)
{
#if defined(__APPLE__) && defined(F_FULLFSYNC)
    /* fsync on macOS does not reach the platter. */
    if (fcntl(fd, F_FULLFSYNC) == 0)
        return 0;
#endif
#if defined(_POSIX_SYNCHRONIZED_IO) && _POSIX_SYNCHRONIZED_IO > 0
    /* The file's size is metadata needed to read the data back, so
     * fdatasync covers appends; it skips the timestamps. */
    return fdatasync(fd);
#else
    return fsync(fd);
#endif
}

static int p_datasync(int fd, void *ud)
{
    (void)ud;
    int r;
    do
        r = full_sync(fd);
    while (r < 0 && errno == EINTR);
    return r;
}

static int p_truncate(int fd, uint64_t size, void *ud)
{
    (void)ud;
    int r;
    do
        r = ftruncate(fd, (off_t)size);
    while (r < 0 && errno == EINTR);
    return r;
}

static int p_size(int fd, uint64_t *size, void *ud)
{
    (void)ud;
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -1;
    if (!S_ISREG(st.st_mode)) {
        errno = EINVAL;
        return -1;
    }
    *size = (uint64_t)st.st_size;
    return 0;
}

static int p_lock(int fd, void *ud)
{
    (void)ud;
    struct flock fl = { 0 };
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = 0;
    fl.l_len = 0;
#ifdef F_OFD_SETLK
    int r;
    do
        r = fcntl(fd, F_OFD_SETLK, &fl);
    while (r < 0 && errno == EINTR);
    if (r == 0 || errno != EINVAL)
        return r;
    /* A kernel without OFD locks: fall back to process locks. */
#endif
    int r2;
    do
        r2 = fcntl(fd, F_SETLK, &fl);
    while (r2 < 0 && errno == EINTR);
    return r2;
}

static int p_same(int fd, const char *path, void *ud)
{
    (void)ud;
    struct stat a, b;
    if (fstat(fd, &a) != 0)
        return -1;
    if (stat(path, &b) != 0)
        return errno == ENOENT ? 0 : -1;
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int p_rename(const char *from, const char *to, void *ud)
{
    (void)ud;
    return rename(from, to);
}

static int p_unlink(const char *path, void *ud)
{
    (void)ud;
    if (unlink(path) == 0 || errno == ENOENT)
        return 0;
    return -1;
}

static int p_syncdir(const char *dir, void *ud)
{
    (void)ud;
    int fd;
    do
        fd = open(dir, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return -1;
    int r;
    do
        r = fsync(fd);
    while (r < 0 && errno == EINTR);
    /* Some file systems cannot sync a directory; that is no failure. */
    if (r < 0 && (errno == EINVAL || errno == ENOTSUP))
        r = 0;
    int e = errno;
    close(fd);
    errno = e;
    return r;
}

const svcq__fio svcq__fio_posix = {
    p_open, p_close, p_pread, p_pwrite, p_datasync, p_truncate, p_size, p_lock, p_same, p_rename,
    p_unlink, p_syncdir, NULL,
};
