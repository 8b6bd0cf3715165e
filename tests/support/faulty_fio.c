#include "faulty_fio.h"

#include <errno.h>

static bool fail_now(void *ud)
{
    faulty_fio *f = ud;
    if (!f->fail_at)
        return false;
    f->calls++;
    if (f->calls == f->fail_at || (f->keep && f->calls > f->fail_at)) {
        f->injected++;
        errno = EIO;
        return true;
    }
    return false;
}

#define P (&svcq__fio_posix)
static int q_open(const char *p, int f, void *ud) { (void)ud; return P->open(p, f, NULL); }
static int q_close(int fd, void *ud) { (void)ud; return P->close(fd, NULL); }
static ssize_t q_pread(int fd, void *b, size_t n, uint64_t o, void *ud)
{
    return fail_now(ud) ? -1 : P->pread(fd, b, n, o, NULL);
}
static ssize_t q_pwrite(int fd, const void *b, size_t n, uint64_t o, void *ud)
{
    if (fail_now(ud)) {
        if (n > 1)
            (void)P->pwrite(fd, b, n / 2, o, NULL); /* torn */
        errno = ENOSPC;
        return -1;
    }
    return P->pwrite(fd, b, n, o, NULL);
}
static int q_datasync(int fd, void *ud) { return fail_now(ud) ? -1 : P->datasync(fd, NULL); }
static int q_truncate(int fd, uint64_t s, void *ud) { return fail_now(ud) ? -1 : P->truncate(fd, s, NULL); }
static int q_size(int fd, uint64_t *s, void *ud) { (void)ud; return P->size(fd, s, NULL); }
static int q_lock(int fd, void *ud) { (void)ud; return P->lock(fd, NULL); }
static int q_same(int fd, const char *p, void *ud) { (void)ud; return P->same(fd, p, NULL); }
static int q_rename(const char *a, const char *b, void *ud) { (void)ud; return P->rename(a, b, NULL); }
static int q_unlink(const char *p, void *ud) { (void)ud; return P->unlink(p, NULL); }
static int q_syncdir(const char *d, void *ud) { (void)ud; return P->syncdir(d, NULL); }

svcq__fio faulty_fio_table(faulty_fio *f)
{
    return (svcq__fio){ q_open,  q_close, q_pread,  q_pwrite,  q_datasync, q_truncate, q_size,
                        q_lock,  q_same,  q_rename, q_unlink,  q_syncdir,  f };
}

void faulty_fio_arm(faulty_fio *f, size_t n, bool keep)
{
    f->calls = f->injected = 0;
    f->fail_at = n;
    f->keep = keep;
}
