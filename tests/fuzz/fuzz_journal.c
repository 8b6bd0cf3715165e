/* libFuzzer target: the file store's journal reader.
 *
 * The input is the content of a journal file, served from memory through
 * the store's system-call table (no disk). Opening it must never crash or
 * leak, and must either refuse the file (a damaged header) or recover it.
 * After a recovery the target checks what recovery promises:
 * - every record of the recovered index reads back (CRC checked again);
 * - the recovered file reopens with the same figures and nothing more to
 *   drop (recovery is idempotent);
 * - a new transaction appended after recovery survives a reopen;
 * - compaction keeps the records and the next reopen agrees.
 * Records are found by scanning the kinds that appear in the input (any
 * run of [a-z0-9_] after a byte that could be a kind length). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/filestore.h"
#include "store/store.h"
#include "svcq.h"

/* ---- an in-memory file system: two names, a few inodes --------------------- */

#define INODES 8
#define NAME_J 0
#define NAME_TMP 1

typedef struct inode {
    unsigned char *data;
    size_t size, cap;
} inode;

typedef struct mfs {
    inode ino[INODES];
    int nino;
    int name[2]; /* inode of "j" and of "j.compact", -1 for none */
} mfs;

static int name_of(const char *path)
{
    if (strcmp(path, "j") == 0)
        return NAME_J;
    if (strcmp(path, "j.compact") == 0)
        return NAME_TMP;
    return -1;
}

static inode *by_fd(void *ud, int fd)
{
    return &((mfs *)ud)->ino[fd - 10];
}

static int grow(inode *f, size_t size)
{
    if (size > f->cap) {
        size_t cap = f->cap ? f->cap : 4096;
        while (cap < size)
            cap *= 2;
        unsigned char *p = realloc(f->data, cap);
        if (!p) {
            errno = ENOSPC;
            return -1;
        }
        f->data = p;
        f->cap = cap;
    }
    if (size > f->size)
        memset(f->data + f->size, 0, size - f->size);
    return 0;
}

static int m_open(const char *path, int flags, void *ud)
{
    mfs *m = ud;
    int n = name_of(path);
    if (n < 0) {
        errno = EACCES;
        return -1;
    }
    if (m->name[n] < 0) {
        if (!(flags & SVCQ__FIO_CREATE)) {
            errno = ENOENT;
            return -1;
        }
        if (m->nino == INODES) {
            errno = ENOSPC;
            return -1;
        }
        m->name[n] = m->nino++;
    }
    if (flags & SVCQ__FIO_TRUNC)
        m->ino[m->name[n]].size = 0;
    return m->name[n] + 10;
}

static int m_close(int fd, void *ud)
{
    (void)fd, (void)ud;
    return 0;
}

static ssize_t m_pread(int fd, void *buf, size_t n, uint64_t off, void *ud)
{
    inode *f = by_fd(ud, fd);
    if (off >= f->size)
        return 0;
    size_t k = f->size - (size_t)off < n ? f->size - (size_t)off : n;
    memcpy(buf, f->data + off, k);
    return (ssize_t)k;
}

static ssize_t m_pwrite(int fd, const void *buf, size_t n, uint64_t off, void *ud)
{
    inode *f = by_fd(ud, fd);
    if (off + n > ((size_t)64 << 20)) {
        errno = EFBIG;
        return -1;
    }
    if (grow(f, (size_t)off + n) != 0)
        return -1;
    memcpy(f->data + off, buf, n);
    if (off + n > f->size)
        f->size = (size_t)off + n;
    return (ssize_t)n;
}

static int m_truncate(int fd, uint64_t size, void *ud)
{
    inode *f = by_fd(ud, fd);
    if (grow(f, (size_t)size) != 0)
        return -1;
    f->size = (size_t)size;
    return 0;
}

static int m_size(int fd, uint64_t *size, void *ud)
{
    *size = by_fd(ud, fd)->size;
    return 0;
}

static int m_ok_fd(int fd, void *ud)
{
    (void)fd, (void)ud;
    return 0;
}

static int m_same(int fd, const char *path, void *ud)
{
    int n = name_of(path);
    return n >= 0 && ((mfs *)ud)->name[n] == fd - 10;
}

static int m_rename(const char *from, const char *to, void *ud)
{
    mfs *m = ud;
    int a = name_of(from), b = name_of(to);
    if (a < 0 || b < 0 || m->name[a] < 0) {
        errno = ENOENT;
        return -1;
    }
    m->name[b] = m->name[a];
    m->name[a] = -1;
    return 0;
}

static int m_unlink(const char *path, void *ud)
{
    int n = name_of(path);
    if (n >= 0)
        ((mfs *)ud)->name[n] = -1;
    return 0;
}

static int m_syncdir(const char *dir, void *ud)
{
    (void)dir, (void)ud;
    return 0;
}

/* ---- checks ------------------------------------------------------------------ */

typedef struct tally {
    uint64_t records;
    uint64_t bytes;
} tally;

static int count(svcq_ctx *ctx, const char *id, uint64_t rev, const char *bytes, size_t size, void *ud)
{
    (void)ctx, (void)id, (void)rev, (void)bytes;
    tally *t = ud;
    t->records++;
    t->bytes += size;
    return 0;
}

/* Kinds that may appear in the input, each once. */
typedef struct kinds {
    char name[64][SVCQ_STORE_MAX_KIND + 1];
    int n;
} kinds;

/* Adds the kind name s (len bytes) unless k has it. */
static void add_kind(kinds *k, const char *s, size_t len)
{
    for (int j = 0; j < k->n; j++)
        if (strlen(k->name[j]) == len && memcmp(k->name[j], s, len) == 0)
            return;
    memcpy(k->name[k->n], s, len);
    k->name[k->n][len] = '\0';
    k->n++;
}

/* The kinds of the input, then "fuzz" (the kind the target writes), each
 * once: a kind listed twice would count its records twice. */
static void find_kinds(const uint8_t *data, size_t size, kinds *k)
{
    k->n = 0;
    for (size_t i = 0; i + 1 < size && k->n < 63; i++) {
        size_t len = data[i];
        if (len == 0 || len > SVCQ_STORE_MAX_KIND || i + 3 + len > size)
            continue;
        const char *s = (const char *)data + i + 3; /* klen, ilen (2), kind */
        if (svcq__store_kind_valid(s, len))
            add_kind(k, s, len);
    }
    add_kind(k, "fuzz", 4);
}

static void trap(bool ok)
{
    if (!ok)
        abort();
}

/* Opens the journal held in m, attached to ctx; 0 or the open's error. */
static int open_on(svcq_ctx *ctx, const svcq__fio *io, svcq_store_file **fs)
{
    svcq_store_file_options o = SVCQ_STORE_FILE_OPTIONS_INIT;
    o.durability = SVCQ_STORE_SYNC_NONE;
    int rc = svcq__fstore_open_io(fs, ctx, "j", &o, io);
    if (rc)
        return rc;
    svcq_store_methods m;
    trap(svcq_store_file_methods(&m, *fs) == SVCQ_OK);
    trap(svcq_ctx_set_store(ctx, &m) == SVCQ_OK);
    return SVCQ_OK;
}

static tally scan_all(svcq_ctx *ctx, const kinds *k)
{
    tally t = { 0, 0 };
    for (int i = 0; i < k->n; i++)
        trap(svcq__store_scan(ctx, k->name[i], count, &t) == SVCQ_OK);
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > ((size_t)1 << 20))
        return 0;
    mfs m;
    memset(&m, 0, sizeof(m));
    m.name[NAME_J] = 0;
    m.name[NAME_TMP] = -1;
    m.nino = 1;
    if (grow(&m.ino[0], size) != 0)
        return 0;
    if (size)
        memcpy(m.ino[0].data, data, size);
    m.ino[0].size = size;
    svcq__fio io = { m_open, m_close, m_pread, m_pwrite, m_ok_fd, m_truncate, m_size, m_ok_fd, m_same,
                  m_rename, m_unlink, m_syncdir, &m };

    svcq_ctx *ctx;
    trap(svcq_ctx_new(&ctx, NULL) == SVCQ_OK);
    svcq_store_file *fs;
    int rc = open_on(ctx, &io, &fs);
    if (rc) {
        /* Only a header can be refused, and then the file is untouched. */
        trap(rc == SVCQ_ECORRUPT || rc == SVCQ_EVERSION);
        trap(m.ino[0].size == size && (size == 0 || memcmp(m.ino[0].data, data, size) == 0));
        goto done;
    }
    kinds k;
    find_kinds(data, size, &k);
    svcq_store_file_stats s1 = SVCQ_STORE_FILE_STATS_INIT;
    trap(svcq_store_file_stats_get(&s1, fs) == SVCQ_OK);
    tally t1 = scan_all(ctx, &k);
    trap(t1.records <= s1.records);
    trap(s1.file_bytes <= m.ino[m.name[NAME_J]].size);

    /* Idempotent: the recovered file reopens the same, dropping nothing. */
    trap(svcq_ctx_set_store(ctx, NULL) == SVCQ_OK);
    trap(open_on(ctx, &io, &fs) == SVCQ_OK);
    svcq_store_file_stats s2 = SVCQ_STORE_FILE_STATS_INIT;
    trap(svcq_store_file_stats_get(&s2, fs) == SVCQ_OK);
    trap(s2.recovered_dropped_bytes == 0 && s2.records == s1.records && s2.transactions == s1.transactions &&
         s2.file_bytes == s1.file_bytes && s2.live_bytes == s1.live_bytes);
    tally t2 = scan_all(ctx, &k);
    trap(t2.records == t1.records && t2.bytes == t1.bytes);

    /* A transaction after recovery survives a reopen. */
    svcq__tx tx;
    uint64_t rev;
    trap(svcq__tx_begin(ctx, &tx) == SVCQ_OK);
    rc = svcq__store_put(ctx, "fuzz", "after-recovery", 0, "{}", 2, &rev);
    trap(rc == SVCQ_OK || rc == SVCQ_ECONFLICT);
    trap(svcq__tx_end(ctx, &tx, rc) == rc);
    trap(svcq_ctx_set_store(ctx, NULL) == SVCQ_OK);
    trap(open_on(ctx, &io, &fs) == SVCQ_OK);
    svcq_store_file_stats s3 = SVCQ_STORE_FILE_STATS_INIT;
    trap(svcq_store_file_stats_get(&s3, fs) == SVCQ_OK);
    trap(s3.transactions == s1.transactions + (rc == SVCQ_OK) && s3.recovered_dropped_bytes == 0);
    tally t3 = scan_all(ctx, &k);
    trap(t3.records == t1.records + (rc == SVCQ_OK));

    /* Compaction keeps every record, and the result reopens the same. */
    trap(svcq_store_file_compact(fs) == SVCQ_OK);
    tally t4 = scan_all(ctx, &k);
    trap(t4.records == t3.records && t4.bytes == t3.bytes);
    trap(svcq_ctx_set_store(ctx, NULL) == SVCQ_OK);
    trap(open_on(ctx, &io, &fs) == SVCQ_OK);
    svcq_store_file_stats s5 = SVCQ_STORE_FILE_STATS_INIT;
    trap(svcq_store_file_stats_get(&s5, fs) == SVCQ_OK);
    trap(s5.records == s3.records && s5.recovered_dropped_bytes == 0 && s5.file_bytes == s5.live_bytes);
    tally t5 = scan_all(ctx, &k);
    trap(t5.records == t3.records && t5.bytes == t3.bytes);
done:
    svcq_ctx_free(ctx);
    for (int i = 0; i < m.nino; i++)
        free(m.ino[i].data);
    return 0;
}
