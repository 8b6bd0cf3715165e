/* The file store: one append-only journal (store/journal.h, docs/format.md)
 * plus an in-memory index of where each live record's frame is.
 *
 * A transaction builds its frames in memory (tx) while the index is
 * changed with undo; commit appends a commit marker and writes the whole
 * buffer with one pwrite at the end of the journal, then syncs as the
 * durability mode says. Nothing touches the file before commit, so a
 * rollback only undoes the index. Values are not kept in memory: a get
 * reads the record's frame back and checks its CRC.
 *
 * Recovery reads the journal frame by frame, applying each transaction to
 * the index only when its commit marker has been read and checked, and
 * cuts the file back to the end of the last good commit.
 *
 * A read-only store (a reporting process next to the writer) opens the file
 * read-only and takes no lock: it never writes, and the journal only grows
 * by whole frames, each checked by its CRC, with a commit marker after each
 * transaction, so reading while the writer appends yields every commit up
 * to the last complete one. It ignores whatever follows (a commit being
 * written, or a torn tail), and svcq_store_file_refresh reads on from there
 * (all new commits or, on failure, none). A compaction renames a new file
 * over the path: the reader goes on reading the old one (its snapshot;
 * nobody writes it any more) until a refresh sees the path names another
 * file and reads that one whole. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/str.h"
#include "core/utf8.h"
#include "store/filestore.h"
#include "store/index.h"
#include "store/journal.h"

/* Recovery reads the journal in pieces of this size (more for a larger
 * frame). */
#define READ_CHUNK ((size_t)1 << 20)
/* Compaction writes in pieces of this size. */
#define WRITE_CHUNK ((size_t)1 << 20)
/* A transaction buffer larger than this is freed after commit. */
#define TX_KEEP ((size_t)8 << 20)
/* Synced modes reserve the file ahead in pieces of this size, written as
 * zeros: a commit then overwrites blocks that exist and the file's size
 * does not change, so fdatasync has no metadata to write, only the data
 * (measured: about a third more synced commits per second on ext4). A
 * transaction of more than half a piece is simply appended. */
#define PREALLOC ((uint64_t)1 << 20)

static const unsigned char zeros[64 * 1024];

struct svcq_store_file {
    svcq_ctx *ctx;
    const svcq__fio *io;
    char *path;
    char *tmp_path;
    char *dir;
    int fd;
    int32_t durability;
    uint32_t group_ms;
    uint32_t group_tx;
    svcq__index ix;
    uint64_t end;           /* end of the last commit: where the next one goes */
    uint64_t phys;          /* size of the file: end plus zeros reserved for commits */
    uint64_t generation;
    uint32_t format;        /* the journal's format version (its header's) */
    uint64_t tx_seq;        /* sequence of the last commit */
    uint64_t last_revision; /* revision high-water mark in the journal's last commit */
    uint64_t hwm;           /* highest revision ever handed out (>= last_revision): rolled-back
                             * and failed transactions' revisions included, so none is
                             * handed out twice; written to the journal by the next commit,
                             * or by close */
    uint64_t live_bytes;    /* header + live record frames + one commit frame */
    uint64_t unsynced;      /* commits written since the last sync */
    uint64_t dropped;       /* bytes dropped by recovery */
    struct timespec last_sync;
    bool broken;            /* a failed sync: the file's state is unknown */
    bool owned;             /* a context owns the store */
    bool read_only;         /* opened with SVCQ_STORE_FILE_READ_ONLY: never writes */
    /* the open transaction */
    bool in_tx;
    svcq__buf tx;              /* its frames */
    uint32_t tx_ops;
    uint64_t tx_live;
    svcq__buf scratch;         /* frames read back */
};

/* ---- errors ---------------------------------------------------------------- */

/* An I/O failure: SVCQ_EIO with the errno text, as a store message. */
static int io_fail(svcq_store_file *fs, const char *call, const char *path)
{
    int e = errno;
    char text[128];
    if (strerror_r(e, text, sizeof(text)) != 0)
        text[0] = '\0';
    return svcq__store_fail(fs->ctx, SVCQ_EIO, "%s(%s): %s (errno %d)", call, path, text, e);
}

static int write_all(svcq_store_file *fs, int fd, const void *buf, size_t n, uint64_t off)
{
    const unsigned char *p = buf;
    while (n) {
        ssize_t w = fs->io->pwrite(fd, p, n, off, fs->io->ud);
        if (w < 0)
            return -1;
        if (w == 0) {
            errno = EIO;
            return -1;
        }
        p += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

/* Reads up to n bytes; returns how many (fewer only at the end of the
 * file), or -1. */
static ssize_t read_all(svcq_store_file *fs, int fd, void *buf, size_t n, uint64_t off)
{
    unsigned char *p = buf;
    size_t got = 0;
    while (got < n) {
        ssize_t r = fs->io->pread(fd, p + got, n - got, off + got, fs->io->ud);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

static void now_mono(struct timespec *ts)
{
    if (clock_gettime(CLOCK_MONOTONIC, ts) != 0)
        ts->tv_sec = ts->tv_nsec = 0;
}

static uint64_t ms_since(const struct timespec *then)
{
    struct timespec now;
    now_mono(&now);
    int64_t ms = (int64_t)(now.tv_sec - then->tv_sec) * 1000 + (now.tv_nsec - then->tv_nsec) / 1000000;
    return ms < 0 ? 0 : (uint64_t)ms;
}

/* ---- reading frames back ------------------------------------------------------ */

/* Reads rec's committed frame and checks it is the put it should be. */
static int read_frame(svcq_store_file *fs, const svcq__rec *rec, svcq__jnl_frame *f)
{
    svcq__buf *b = &fs->scratch;
    b->len = 0;
    if (svcq__buf_reserve(b, rec->frame_len) != SVCQ_OK)
        return svcq__store_fail(fs->ctx, SVCQ_ENOMEM, "out of memory");
    ssize_t got = read_all(fs, fs->fd, b->data, rec->frame_len, rec->loc);
    if (got < 0)
        return io_fail(fs, "pread", fs->path);
    if ((size_t)got != rec->frame_len ||
        svcq__jnl_parse((const uint8_t *)b->data, rec->frame_len, f) != SVCQ__JNL_OK ||
        (f->type != SVCQ__JNL_PUT && f->type != SVCQ__JNL_PUT_TERMS) ||
        f->frame_len != rec->frame_len || f->revision != rec->revision || f->idlen != rec->idlen ||
        memcmp(f->id, rec->id, rec->idlen) != 0)
        return svcq__store_fail(fs->ctx, SVCQ_ECORRUPT,
                             "the frame of record %s at offset %llu of %s no longer reads back intact",
                             rec->id, (unsigned long long)rec->loc, fs->path);
    return SVCQ_OK;
}

/* A large record read back leaves a large buffer: give it back. */
static void trim_scratch(svcq_store_file *fs)
{
    if (fs->scratch.cap > TX_KEEP)
        svcq__buf_free(&fs->scratch);
}

/* The value of rec: from the transaction buffer or from the file. */
static int rec_value(svcq_store_file *fs, const svcq__rec *rec, const void **value)
{
    if (rec->size == 0) {
        *value = NULL;
        return SVCQ_OK;
    }
    if (rec->pending) {
        *value = fs->tx.data + rec->loc + rec->frame_len - rec->size;
        return SVCQ_OK;
    }
    svcq__jnl_frame f;
    int rc = read_frame(fs, rec, &f);
    if (rc)
        return rc;
    *value = f.value;
    return SVCQ_OK;
}

/* ---- callbacks --------------------------------------------------------------- */

static int fs_begin(void *ud)
{
    svcq_store_file *fs = ud;
    if (fs->in_tx)
        return svcq__store_fail(fs->ctx, SVCQ_ESTATE, "a transaction is already open");
    if (fs->broken)
        return svcq__store_fail(fs->ctx, SVCQ_EIO, "%s: an earlier sync failed; reopen the store", fs->path);
    svcq__index_begin(&fs->ix);
    fs->in_tx = true;
    fs->tx.len = 0;
    fs->tx_ops = 0;
    fs->tx_live = fs->live_bytes;
    return SVCQ_OK;
}

static void tx_reset(svcq_store_file *fs)
{
    fs->in_tx = false;
    fs->tx.len = 0;
    fs->tx_ops = 0;
    if (fs->tx.cap > TX_KEEP)
        svcq__buf_free(&fs->tx);
}

static int fs_rollback(void *ud)
{
    svcq_store_file *fs = ud;
    if (fs->in_tx) {
        svcq__index_rollback(&fs->ix);
        tx_reset(fs);
    }
    return SVCQ_OK;
}

/* Cuts a failed write back off the journal; a failure to do so makes the
 * store refuse further writes. */
static void cut_back(svcq_store_file *fs)
{
    int e = errno;
    if (fs->io->truncate(fs->fd, fs->end, fs->io->ud) != 0 || fs->io->datasync(fs->fd, fs->io->ud) != 0)
        fs->broken = true;
    fs->phys = fs->end;
    errno = e;
}

/* Makes sure [end, end + n) lies inside the file, reserving a piece of
 * zeros ahead when the store syncs and the transaction is small. */
static int reserve_space(svcq_store_file *fs, size_t n)
{
    uint64_t need = fs->end + n;
    if (need <= fs->phys || fs->durability == SVCQ_STORE_SYNC_NONE || n > PREALLOC / 2)
        return 0;
    uint64_t to = (need + PREALLOC - 1) / PREALLOC * PREALLOC;
    for (uint64_t at = fs->phys; at < to;) {
        size_t chunk = to - at < sizeof(zeros) ? (size_t)(to - at) : sizeof(zeros);
        if (write_all(fs, fs->fd, zeros, chunk, at) != 0)
            return -1;
        at += chunk;
        fs->phys = at;
    }
    return 0;
}

static int sync_now(svcq_store_file *fs)
{
    if (fs->io->datasync(fs->fd, fs->io->ud) != 0)
        return -1;
    fs->unsynced = 0;
    now_mono(&fs->last_sync);
    return 0;
}

static int fs_commit(void *ud)
{
    svcq_store_file *fs = ud;
    if (!fs->in_tx)
        return svcq__store_fail(fs->ctx, SVCQ_ESTATE, "no transaction is open");
    if (fs->broken)
        return svcq__store_fail(fs->ctx, SVCQ_EIO, "%s: an earlier sync failed; reopen the store", fs->path);
    if (fs->tx_ops == 0) {
        svcq__index_commit(&fs->ix);
        tx_reset(fs);
        return SVCQ_OK;
    }
    size_t body = fs->tx.len;
    if (svcq__jnl_commit(&fs->tx, fs->tx_seq + 1, fs->hwm, fs->tx_ops) != SVCQ_OK)
        return svcq__store_fail(fs->ctx, SVCQ_ENOMEM, "out of memory");
    if (reserve_space(fs, fs->tx.len) != 0 || write_all(fs, fs->fd, fs->tx.data, fs->tx.len, fs->end) != 0) {
        int rc = io_fail(fs, "pwrite", fs->path);
        cut_back(fs);
        fs->tx.len = body;
        return rc;
    }
    bool sync = fs->durability == SVCQ_STORE_SYNC_FULL;
    if (fs->durability == SVCQ_STORE_SYNC_GROUP)
        sync = (fs->group_tx && fs->unsynced + 1 >= fs->group_tx) ||
               (fs->group_ms && ms_since(&fs->last_sync) >= fs->group_ms);
    if (sync && sync_now(fs) != 0) {
        /* The data may or may not be on disk now, and earlier unsynced
         * commits with it: take this one back and stop writing. */
        int rc = io_fail(fs, "fdatasync", fs->path);
        cut_back(fs);
        fs->broken = true;
        fs->tx.len = body;
        return rc;
    }
    if (!sync)
        fs->unsynced++;
    for (size_t i = 0; i < fs->ix.undo_len; i++) {
        svcq__rec *r = fs->ix.undo[i].now;
        if (r && r->pending) {
            r->loc += fs->end;
            r->pending = 0;
        }
    }
    fs->end += fs->tx.len;
    if (fs->phys < fs->end)
        fs->phys = fs->end;
    fs->tx_seq++;
    fs->last_revision = fs->hwm;
    fs->live_bytes = fs->tx_live;
    svcq__index_commit(&fs->ix);
    tx_reset(fs);
    return SVCQ_OK;
}

static int fs_get(const char *kind, const char *id, svcq_store_visit_fn visit, void *vud, void *ud)
{
    svcq_store_file *fs = ud;
    svcq__rec *r = svcq__index_find(&fs->ix, kind, strlen(kind), id, strlen(id));
    if (!r)
        return SVCQ_ENOTFOUND;
    const void *value;
    int rc = rec_value(fs, r, &value);
    if (rc)
        return rc;
    rc = visit(r->id, r->revision, value, r->size, vud);
    trim_scratch(fs);
    return rc;
}

/* Writes through a read-only store (reached through a host's wrapper; the
 * context refuses them before they get here). */
static int read_only_fail(svcq_store_file *fs)
{
    return svcq__store_fail(fs->ctx, SVCQ_ESTATE, "%s is open read-only", fs->path);
}

static int upgrade_format(svcq_store_file *fs);

static int fs_put2(const char *kind, const char *id, uint64_t expected, const void *bytes, size_t size,
                   const svcq_store_term *terms, size_t n_terms, uint64_t *new_revision, void *ud)
{
    svcq_store_file *fs = ud;
    if (fs->read_only)
        return read_only_fail(fs);
    if (!fs->in_tx)
        return svcq__store_fail(fs->ctx, SVCQ_ESTATE, "put outside a transaction");
    if (size > SVCQ_STORE_MAX_VALUE)
        return svcq__store_fail(fs->ctx, SVCQ_ELIMIT, "value of %zu bytes is too large", size);
    if (n_terms > SVCQ_STORE_MAX_TERMS)
        return svcq__store_fail(fs->ctx, SVCQ_ELIMIT, "%zu index terms, more than %d", n_terms,
                                SVCQ_STORE_MAX_TERMS);
    size_t kindlen = strlen(kind), idlen = strlen(id);
    svcq__rec *old = svcq__index_find(&fs->ix, kind, kindlen, id, idlen);
    if ((old ? old->revision : 0) != expected)
        return SVCQ_ECONFLICT;
    int urc = n_terms ? upgrade_format(fs) : SVCQ_OK;
    if (urc)
        return urc;
    svcq__term_in in[SVCQ_STORE_MAX_TERMS];
    svcq__terms_in(terms, n_terms, in);
    svcq__rec *r = svcq__rec_new_terms(fs->ctx, id, idlen, in, n_terms);
    if (!r)
        return SVCQ_ENOMEM;
    svcq__kind *k;
    if (svcq__index_prepare(&fs->ix, kind, kindlen, &k) != SVCQ_OK || svcq__index_prepare_rec(&fs->ix, k, r) != SVCQ_OK) {
        svcq__rec_free(fs->ctx, r);
        return SVCQ_ENOMEM;
    }
    size_t off = fs->tx.len;
    /* Never reused: the counter does not go back on rollback. */
    uint64_t rev = fs->hwm + 1;
    if (svcq__jnl_put_terms(&fs->tx, rev, kind, kindlen, id, idlen, in, n_terms, bytes, size) != SVCQ_OK) {
        svcq__rec_free(fs->ctx, r);
        return SVCQ_ENOMEM;
    }
    r->revision = rev;
    r->loc = off;
    r->frame_len = (uint32_t)(fs->tx.len - off);
    r->size = (uint32_t)size;
    r->pending = 1;
    fs->hwm = rev;
    fs->tx_ops++;
    fs->tx_live += r->frame_len;
    if (old)
        fs->tx_live -= old->frame_len;
    svcq__index_replace(&fs->ix, k, old, r);
    *new_revision = rev;
    return SVCQ_OK;
}

static int fs_put(const char *kind, const char *id, uint64_t expected, const void *bytes, size_t size,
                  uint64_t *new_revision, void *ud)
{
    return fs_put2(kind, id, expected, bytes, size, NULL, 0, new_revision, ud);
}

static int fs_remove(const char *kind, const char *id, uint64_t expected, void *ud)
{
    svcq_store_file *fs = ud;
    if (fs->read_only)
        return read_only_fail(fs);
    if (!fs->in_tx)
        return svcq__store_fail(fs->ctx, SVCQ_ESTATE, "remove outside a transaction");
    size_t kindlen = strlen(kind), idlen = strlen(id);
    svcq__rec *old = svcq__index_find(&fs->ix, kind, kindlen, id, idlen);
    if (!old)
        return SVCQ_ENOTFOUND;
    if (old->revision != expected)
        return SVCQ_ECONFLICT;
    svcq__kind *k;
    if (svcq__index_prepare(&fs->ix, kind, kindlen, &k) != SVCQ_OK)
        return SVCQ_ENOMEM;
    if (svcq__jnl_del(&fs->tx, old->revision, kind, kindlen, id, idlen) != SVCQ_OK)
        return SVCQ_ENOMEM;
    fs->tx_ops++;
    fs->tx_live -= old->frame_len;
    svcq__index_replace(&fs->ix, k, old, NULL);
    return SVCQ_OK;
}

static int fs_scan(const char *kind, svcq_store_visit_fn visit, void *vud, void *ud)
{
    svcq_store_file *fs = ud;
    svcq__kind *k = svcq__index_kind(&fs->ix, kind, strlen(kind));
    if (!k)
        return SVCQ_OK;
    size_t it = 0;
    void *v;
    while (svcq__map_next(&k->recs, &it, NULL, NULL, &v)) {
        svcq__rec *r = v;
        const void *value;
        int rc = rec_value(fs, r, &value);
        if (!rc)
            rc = visit(r->id, r->revision, value, r->size, vud);
        if (rc) {
            trim_scratch(fs);
            return rc;
        }
    }
    trim_scratch(fs);
    return SVCQ_OK;
}

/* ---- version 2: ordered scans, index terms --------------------------------------- */

static int fs_scan_range(const char *kind, const char *after, uint32_t limit, svcq_store_visit_fn visit, void *vud,
                         void *ud)
{
    svcq_store_file *fs = ud;
    svcq__kind *k = svcq__index_kind(&fs->ix, kind, strlen(kind));
    int rc = SVCQ_OK;
    uint32_t n = 0;
    for (svcq__rec *r = k ? svcq__index_next_id(k, after, after ? strlen(after) : 0) : NULL;
         r && (!limit || n < limit) && rc == SVCQ_OK; r = svcq__index_next_id(k, r->id, r->idlen), n++) {
        const void *value;
        rc = rec_value(fs, r, &value);
        if (!rc)
            rc = visit(r->id, r->revision, value, r->size, vud);
    }
    trim_scratch(fs);
    return rc;
}

static int fs_scan_term(const char *kind, const char *name, int32_t type, const svcq_store_term *lo,
                        const svcq_store_term *hi, const svcq_store_term *after, const char *after_id, uint32_t limit,
                        svcq_store_term_visit_fn visit, void *vud, void *ud)
{
    svcq_store_file *fs = ud;
    svcq__kind *k = svcq__index_kind(&fs->ix, kind, strlen(kind));
    const svcq__term_tree *tree = k ? svcq__index_tree(k, name, strlen(name)) : NULL;
    int rc = SVCQ_OK;
    uint32_t n = 0;
    for (const svcq__term *t = tree ? svcq__index_next_term(tree, type, lo, after, after_id) : NULL;
         t && (!hi || svcq__term_cmp_value(t, hi) <= 0) && (!limit || n < limit) && rc == SVCQ_OK; n++) {
        const svcq__rec *r = t->rec;
        svcq_store_term cur;
        svcq__term_out(t, &cur);
        const void *value;
        rc = rec_value(fs, r, &value);
        if (!rc)
            rc = visit(r->id, r->revision, value, r->size, &cur, vud);
        t = svcq__index_next_term(tree, type, NULL, &cur, r->id);
    }
    trim_scratch(fs);
    return rc;
}

/* Before the first frame with terms goes into a journal of format 1, its
 * header says format 2 (synced), so that an older library refuses the
 * file instead of cutting the frames it does not know as damage. The
 * header is one 40-byte write inside the first sector; an upgraded header
 * over a journal without such frames yet is harmless. */
static int upgrade_format(svcq_store_file *fs)
{
    if (fs->format >= SVCQ__JNL_VERSION)
        return SVCQ_OK;
    uint8_t head[SVCQ__JNL_HEADER_SIZE];
    ssize_t got = read_all(fs, fs->fd, head, sizeof(head), 0);
    if (got < 0)
        return io_fail(fs, "pread", fs->path);
    svcq__jnl_header h;
    if ((size_t)got != sizeof(head) || svcq__jnl_header_decode(head, sizeof(head), &h) != SVCQ_OK)
        return svcq__store_fail(fs->ctx, SVCQ_ECORRUPT, "%s: the journal header no longer reads back intact",
                                fs->path);
    svcq__jnl_header_set_version(head, SVCQ__JNL_VERSION);
    if (write_all(fs, fs->fd, head, sizeof(head), 0) != 0)
        return io_fail(fs, "pwrite", fs->path);
    if (fs->io->datasync(fs->fd, fs->io->ud) != 0) {
        fs->broken = true;
        return io_fail(fs, "fdatasync", fs->path);
    }
    fs->format = SVCQ__JNL_VERSION;
    return SVCQ_OK;
}

/* Writes the high-water mark when revisions were handed out since the last
 * commit (by transactions rolled back or failed): an empty commit whose
 * last revision is the mark, so a reopen never hands them out again. */
static int persist_hwm(svcq_store_file *fs)
{
    if (fs->hwm <= fs->last_revision || fs->read_only || fs->broken || fs->in_tx)
        return SVCQ_OK;
    fs->tx.len = 0;
    if (svcq__jnl_commit(&fs->tx, fs->tx_seq + 1, fs->hwm, 0) != SVCQ_OK)
        return svcq__store_fail(fs->ctx, SVCQ_ENOMEM, "out of memory");
    int rc = SVCQ_OK;
    if (reserve_space(fs, fs->tx.len) != 0 || write_all(fs, fs->fd, fs->tx.data, fs->tx.len, fs->end) != 0) {
        rc = io_fail(fs, "pwrite", fs->path);
        cut_back(fs);
    } else if (fs->durability != SVCQ_STORE_SYNC_NONE && sync_now(fs) != 0) {
        rc = io_fail(fs, "fdatasync", fs->path);
        cut_back(fs);
        fs->broken = true;
    } else {
        fs->end += fs->tx.len;
        if (fs->phys < fs->end)
            fs->phys = fs->end;
        fs->tx_seq++;
        fs->last_revision = fs->hwm;
    }
    fs->tx.len = 0;
    return rc;
}

static int do_close(svcq_store_file *fs)
{
    int rc = SVCQ_OK;
    if (fs->in_tx)
        (void)fs_rollback(fs);
    if (fs->fd >= 0) {
        rc = persist_hwm(fs);
        if (fs->unsynced && fs->durability == SVCQ_STORE_SYNC_GROUP && !fs->broken &&
            fs->io->datasync(fs->fd, fs->io->ud) != 0 && rc == SVCQ_OK)
            rc = io_fail(fs, "fdatasync", fs->path);
        /* Give back the zeros reserved ahead (a crash before this leaves
         * them, which the next open accepts as free space). */
        if (fs->phys > fs->end && !fs->broken && !fs->read_only)
            (void)fs->io->truncate(fs->fd, fs->end, fs->io->ud);
        (void)fs->io->close(fs->fd, fs->io->ud);
    }
    svcq__index_free(&fs->ix);
    svcq__buf_free(&fs->tx);
    svcq__buf_free(&fs->scratch);
    svcq__free(fs->ctx, fs->path);
    svcq__free(fs->ctx, fs->tmp_path);
    svcq__free(fs->ctx, fs->dir);
    svcq__free(fs->ctx, fs);
    return rc;
}

static void fs_destroy(void *ud)
{
    (void)do_close(ud);
}

bool svcq__fstore_is(const svcq_store_methods *methods)
{
    return methods && methods->begin == fs_begin;
}

int svcq__fstore_claim(svcq_ctx *ctx, void *user_data)
{
    svcq_store_file *fs = user_data;
    if (!fs)
        return svcq__error(ctx, SVCQ_EINVAL, "file store methods without a store");
    /* A store allocates through, and reports on, the context it was opened
     * with: on another context it would outlive or race that one. */
    if (fs->ctx != ctx)
        return svcq__error(ctx, SVCQ_EINVAL,
                           "file store %s was opened with another context; a file store belongs to the context "
                           "it was opened with (open it on this one)",
                           fs->path);
    if (fs->owned)
        return svcq__error(ctx, SVCQ_EBUSY, "file store %s already belongs to this context", fs->path);
    fs->owned = true;
    return SVCQ_OK;
}

bool svcq__fstore_read_only(const void *user_data)
{
    const svcq_store_file *fs = user_data;
    return fs->read_only;
}

bool svcq__fstore_broken(const svcq_store_file *fs)
{
    return fs->broken;
}

/* ---- public functions ------------------------------------------------------------ */

int svcq_store_file_options_init(svcq_store_file_options *opts, uint32_t version)
{
    int rc = svcq__table_init(opts, sizeof(*opts), version, SVCQ_STORE_FILE_OPTIONS_VERSION);
    if (rc)
        return rc;
    opts->durability = SVCQ_STORE_SYNC_FULL;
    opts->group_commit_ms = 100;
    opts->group_commit_tx = 1000;
    return SVCQ_OK;
}

int svcq_store_file_methods(svcq_store_methods *out, svcq_store_file *fs)
{
    if (!out || !fs)
        return SVCQ_EINVAL;
    memset(out, 0, sizeof(*out));
    out->version = SVCQ_STORE_METHODS_VERSION;
    out->user_data = fs;
    out->begin = fs_begin;
    out->commit = fs_commit;
    out->rollback = fs_rollback;
    out->get = fs_get;
    out->put = fs_put;
    out->remove = fs_remove;
    out->scan = fs_scan;
    out->destroy = fs_destroy;
    out->put2 = fs_put2;
    out->scan_range = fs_scan_range;
    out->scan_term = fs_scan_term;
    return SVCQ_OK;
}

int svcq_store_file_close(svcq_store_file *fs)
{
    if (!fs)
        return SVCQ_OK;
    if (fs->owned)
        return svcq__error(fs->ctx, SVCQ_ESTATE, "this file store belongs to a context, which closes it");
    return do_close(fs);
}

int svcq_store_file_sync(svcq_store_file *fs)
{
    if (!fs)
        return SVCQ_EINVAL;
    if (fs->broken)
        return svcq__error(fs->ctx, SVCQ_EIO, "%s: an earlier sync failed; reopen the store", fs->path);
    if (fs->unsynced == 0)
        return SVCQ_OK;
    if (sync_now(fs) != 0) {
        fs->broken = true;
        return io_fail(fs, "fdatasync", fs->path);
    }
    return SVCQ_OK;
}

int svcq_store_file_stats_init(svcq_store_file_stats *stats, uint32_t version)
{
    return svcq__table_init(stats, sizeof(*stats), version, SVCQ_STORE_FILE_STATS_VERSION);
}

int svcq_store_file_stats_get(svcq_store_file_stats *out, const svcq_store_file *fs)
{
    if (!fs || !out)
        return SVCQ_EINVAL;
    if (out->version == 0 || out->version > SVCQ_STORE_FILE_STATS_VERSION)
        return SVCQ_EVERSION;
    uint32_t version = out->version;
    memset(out, 0, sizeof(*out));
    out->version = version;
    out->file_bytes = fs->end;
    out->live_bytes = fs->live_bytes;
    out->records = fs->ix.count;
    out->transactions = fs->tx_seq;
    out->unsynced_transactions = fs->unsynced;
    out->recovered_dropped_bytes = fs->dropped;
    return SVCQ_OK;
}

/* ---- opening and recovery -------------------------------------------------------- */

/* Writes the header of an empty journal (over a file that was empty or cut
 * while it was being created). */
static int init_file(svcq_store_file *fs, bool cut)
{
    uint8_t head[SVCQ__JNL_HEADER_SIZE];
    svcq__jnl_header h = { 0, 0 };
    svcq__jnl_header_encode(head, &h);
    if (cut && fs->io->truncate(fs->fd, 0, fs->io->ud) != 0)
        return io_fail(fs, "ftruncate", fs->path);
    if (write_all(fs, fs->fd, head, sizeof(head), 0) != 0)
        return io_fail(fs, "pwrite", fs->path);
    if (fs->io->datasync(fs->fd, fs->io->ud) != 0)
        return io_fail(fs, "fdatasync", fs->path);
    if (fs->io->syncdir(fs->dir, fs->io->ud) != 0)
        return io_fail(fs, "fsync", fs->dir);
    fs->end = fs->phys = SVCQ__JNL_HEADER_SIZE;
    fs->live_bytes = SVCQ__JNL_HEADER_SIZE + SVCQ__JNL_COMMIT_FRAME;
    fs->format = SVCQ__JNL_VERSION;
    return SVCQ_OK;
}

/* Whether the bytes from off to the end of the file are all zero: space a
 * synced store reserved ahead, not damage. */
static int zero_tail(svcq_store_file *fs, uint64_t off, uint64_t size, bool *zero)
{
    unsigned char buf[16384];
    *zero = true;
    while (off < size && *zero) {
        size_t n = size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf);
        ssize_t got = read_all(fs, fs->fd, buf, n, off);
        if (got < 0)
            return -1;
        if (got == 0)
            break;
        for (ssize_t i = 0; i < got; i++)
            if (buf[i]) {
                *zero = false;
                break;
            }
        off += (uint64_t)got;
    }
    return 0;
}

/* Reading a journal into an index. The fields up to end describe the
 * journal as of its last good commit; the others the transaction being
 * read. */
typedef struct replay {
    uint64_t seq;           /* sequence of the last good commit */
    uint64_t last_revision; /* its high-water mark */
    uint64_t live;          /* live bytes after it */
    uint64_t end;           /* the offset just after it */
    size_t mark;            /* atomic: index undo entries up to it */
    bool atomic;            /* keep one index transaction for everything read */
    uint64_t revision;      /* highest revision seen so far */
    uint32_t ops;           /* frames of the open transaction */
    uint64_t live_tx;       /* live bytes with the open transaction */
} replay;

/* Applies one frame found at pos to ix (inside its transaction). Returns
 * SVCQ_OK, 1 when the frame contradicts the journal so far (the journal
 * ends before it), or SVCQ_ENOMEM. */
static int apply(svcq_store_file *fs, svcq__index *ix, replay *rp, const svcq__jnl_frame *f, uint64_t pos)
{
    if (f->type == SVCQ__JNL_COMMIT) {
        if (f->seq != rp->seq + 1 || f->ops != rp->ops || f->last_revision < rp->revision)
            return 1;
        rp->seq = f->seq;
        rp->last_revision = rp->revision = f->last_revision;
        rp->live = rp->live_tx;
        rp->end = pos + f->frame_len;
        rp->ops = 0;
        if (rp->atomic) {
            rp->mark = ix->undo_len;
        } else {
            svcq__index_commit(ix);
            svcq__index_begin(ix);
        }
        return SVCQ_OK;
    }
    svcq__rec *old = svcq__index_find(ix, f->kind, f->kindlen, f->id, f->idlen);
    if (f->type == SVCQ__JNL_DEL) {
        if (!old || old->revision != f->revision)
            return 1;
    } else if (f->revision <= rp->revision) {
        return 1;
    }
    svcq__kind *k;
    if (svcq__index_prepare(ix, f->kind, f->kindlen, &k) != SVCQ_OK)
        return SVCQ_ENOMEM;
    svcq__rec *r = NULL;
    if (f->type == SVCQ__JNL_PUT || f->type == SVCQ__JNL_PUT_TERMS) {
        svcq__term_in terms[SVCQ_STORE_MAX_TERMS];
        size_t nterms;
        svcq__jnl_terms(f, terms, &nterms);
        r = svcq__rec_new_terms(fs->ctx, f->id, f->idlen, terms, nterms);
        if (!r)
            return SVCQ_ENOMEM;
        if (svcq__index_prepare_rec(ix, k, r) != SVCQ_OK) {
            svcq__rec_free(fs->ctx, r);
            return SVCQ_ENOMEM;
        }
        r->revision = f->revision;
        r->loc = pos;
        r->frame_len = f->frame_len;
        r->size = f->size;
        rp->revision = f->revision;
        rp->live_tx += r->frame_len;
    }
    if (old)
        rp->live_tx -= old->frame_len;
    svcq__index_replace(ix, k, old, r);
    rp->ops++;
    return SVCQ_OK;
}

/* Reads the frames of fd from rp->end to size into ix, which is inside a
 * transaction, stopping at the first torn, damaged or contradicting frame.
 * rp describes the journal up to rp->end on entry and up to its last good
 * commit on return. Returns SVCQ_OK, SVCQ_EIO or SVCQ_ENOMEM. Changes of a
 * transaction without its commit marker are left in ix: the caller rolls
 * them back (to rp->mark when atomic). */
static int read_frames(svcq_store_file *fs, int fd, svcq__index *ix, replay *rp, uint64_t size)
{
    svcq_ctx *ctx = fs->ctx;
    svcq__buf rd;
    svcq__buf_init(&rd, ctx);
    uint64_t win = rp->end; /* file offset of rd.data[0] */
    uint64_t pos = win;     /* next frame */
    rp->revision = rp->last_revision;
    rp->ops = 0;
    rp->live_tx = rp->live;
    rp->mark = ix->undo_len;
    int rc = SVCQ_OK;
    for (;;) {
        size_t at = (size_t)(pos - win);
        svcq__jnl_frame f;
        svcq__jnl_result r = SVCQ__JNL_MORE;
        memset(&f, 0, sizeof(f));
        if (rd.data)
            r = svcq__jnl_parse((const uint8_t *)rd.data + at, rd.len - at, &f);
        if (r == SVCQ__JNL_MORE) {
            if (win + rd.len >= size)
                break; /* a torn frame at the end */
            /* Slide the unread part to the front and read on. */
            if (at && rd.len > at)
                memmove(rd.data, rd.data + at, rd.len - at);
            rd.len -= at;
            win = pos;
            size_t want = f.frame_len > READ_CHUNK ? f.frame_len : READ_CHUNK;
            if (want > size - win)
                want = (size_t)(size - win);
            if (want <= rd.len)
                break;
            if (svcq__buf_reserve(&rd, want - rd.len) != SVCQ_OK) {
                rc = svcq__enomem(ctx);
                break;
            }
            ssize_t got = read_all(fs, fd, rd.data + rd.len, want - rd.len, win + rd.len);
            if (got < 0) {
                rc = io_fail(fs, "pread", fs->path);
                break;
            }
            if (got == 0)
                break; /* the file is shorter than it said */
            rd.len += (size_t)got;
            continue;
        }
        if (r == SVCQ__JNL_BAD)
            break;
        int a = apply(fs, ix, rp, &f, pos);
        if (a == SVCQ_ENOMEM) {
            rc = svcq__enomem(ctx);
            break;
        }
        if (a)
            break;
        pos += f.frame_len;
    }
    svcq__buf_free(&rd);
    return rc;
}

/* Reads the header of fd. *h is the header; SVCQ_OK, or 1 when the file
 * is shorter than a header (*got bytes that may be the start of one being
 * written), SVCQ_ECORRUPT, SVCQ_EVERSION or SVCQ_EIO with a message. */
static int read_header(svcq_store_file *fs, int fd, uint64_t size, svcq__jnl_header *h, ssize_t *got)
{
    svcq_ctx *ctx = fs->ctx;
    uint8_t head[SVCQ__JNL_HEADER_SIZE];
    size_t headlen = size < SVCQ__JNL_HEADER_SIZE ? (size_t)size : SVCQ__JNL_HEADER_SIZE;
    *got = read_all(fs, fd, head, headlen, 0);
    if (*got < 0)
        return io_fail(fs, "pread", fs->path);
    if ((size_t)*got < SVCQ__JNL_HEADER_SIZE) {
        if (*got > 0 && !svcq__jnl_header_partial(head, (size_t)*got))
            return svcq__error(ctx, SVCQ_ECORRUPT, "%s is not a libsvcq journal; it was left untouched", fs->path);
        return 1;
    }
    int rc = svcq__jnl_header_decode(head, sizeof(head), h);
    if (rc == SVCQ_OK)
        fs->format = svcq__jnl_header_version(head);
    if (rc == SVCQ_EVERSION)
        return svcq__error(ctx, rc, "%s was written by a newer journal format; it was left untouched", fs->path);
    if (rc)
        return svcq__error(ctx, rc, "%s is not a libsvcq journal or its header is damaged; it was left untouched",
                        fs->path);
    return SVCQ_OK;
}

/* Reads the whole journal open as fd into ix (empty, outside a
 * transaction), one commit at a time; *rp describes it on return. For a
 * store that writes, the caller then deals with the tail after rp->end. A
 * file shorter than a header: rp->end 0. */
static int load_journal(svcq_store_file *fs, int fd, svcq__index *ix, replay *rp, uint64_t size, uint64_t *generation,
                        ssize_t *short_header)
{
    memset(rp, 0, sizeof(*rp));
    svcq__jnl_header h;
    int rc = read_header(fs, fd, size, &h, short_header);
    if (rc == 1)
        return SVCQ_OK;
    if (rc)
        return rc;
    *generation = h.generation;
    rp->seq = h.seq_base;
    rp->live = SVCQ__JNL_HEADER_SIZE + SVCQ__JNL_COMMIT_FRAME;
    rp->end = SVCQ__JNL_HEADER_SIZE;
    svcq__index_begin(ix);
    rc = read_frames(fs, fd, ix, rp, size);
    svcq__index_rollback(ix); /* a transaction without its commit marker */
    return rc;
}

static int recover(svcq_store_file *fs)
{
    svcq_ctx *ctx = fs->ctx;
    uint64_t size;
    if (fs->io->size(fs->fd, &size, fs->io->ud) != 0)
        return io_fail(fs, "fstat", fs->path);
    replay rp;
    ssize_t got = 0;
    int rc = load_journal(fs, fs->fd, &fs->ix, &rp, size, &fs->generation, &got);
    if (rc)
        return rc;
    if (rp.end == 0) {
        /* Shorter than a header: a file being created. A reader sees an
         * empty store (and reads the file again at refresh). */
        if (fs->read_only)
            return SVCQ_OK;
        if (got > 0)
            svcq__log(ctx, SVCQ_LOG_WARN, "%s: dropped a header cut during creation (%zd bytes)", fs->path, got);
        fs->dropped = (uint64_t)got;
        return init_file(fs, got > 0);
    }
    fs->tx_seq = rp.seq;
    fs->last_revision = rp.last_revision;
    fs->live_bytes = rp.live;
    uint64_t valid_end = rp.end;
    fs->end = fs->phys = valid_end;
    /* A reader leaves whatever follows alone: the writer's commit in
     * progress, or a torn tail its next open will cut. */
    if (fs->read_only)
        return SVCQ_OK;
    bool zero = true;
    if (size > valid_end && zero_tail(fs, valid_end, size, &zero) != 0)
        return io_fail(fs, "pread", fs->path);
    if (zero) {
        fs->phys = size;
        return SVCQ_OK;
    }
    fs->dropped = size - valid_end;
    if (fs->dropped) {
        svcq__log(ctx, SVCQ_LOG_WARN,
               "%s: dropped %llu bytes of torn or damaged journal after offset %llu (the last good commit)",
               fs->path, (unsigned long long)fs->dropped, (unsigned long long)valid_end);
        if (fs->io->truncate(fs->fd, valid_end, fs->io->ud) != 0)
            return io_fail(fs, "ftruncate", fs->path);
        if (fs->io->datasync(fs->fd, fs->io->ud) != 0)
            return io_fail(fs, "fdatasync", fs->path);
    }
    return SVCQ_OK;
}

/* ---- refreshing a read-only store ------------------------------------------------ */

/* Reads on from the end of the last commit read (the file is the same). */
static int refresh_tail(svcq_store_file *fs, uint64_t size)
{
    if (size == fs->end)
        return SVCQ_OK;
    replay rp;
    memset(&rp, 0, sizeof(rp));
    rp.seq = fs->tx_seq;
    rp.last_revision = fs->last_revision;
    rp.live = fs->live_bytes;
    rp.end = fs->end;
    rp.atomic = true;
    svcq__index_begin(&fs->ix);
    int rc = read_frames(fs, fs->fd, &fs->ix, &rp, size);
    if (rc) {
        svcq__index_rollback(&fs->ix);
        return rc;
    }
    svcq__index_rollback_to(&fs->ix, rp.mark); /* a transaction without its commit marker */
    svcq__index_commit(&fs->ix);
    fs->tx_seq = rp.seq;
    fs->last_revision = fs->hwm = rp.last_revision;
    fs->live_bytes = rp.live;
    fs->end = fs->phys = rp.end;
    return SVCQ_OK;
}

/* Reads the file the path names now into a new index and switches to it. */
static int reload(svcq_store_file *fs)
{
    svcq_ctx *ctx = fs->ctx;
    int fd = fs->io->open(fs->path, SVCQ__FIO_RDONLY, fs->io->ud);
    if (fd < 0) {
        if (errno == ENOENT)
            return svcq__error(ctx, SVCQ_ENOTFOUND, "%s no longer exists; the store keeps what it had read",
                               fs->path);
        return io_fail(fs, "open", fs->path);
    }
    uint64_t size;
    if (fs->io->size(fd, &size, fs->io->ud) != 0) {
        int rc = io_fail(fs, "fstat", fs->path);
        (void)fs->io->close(fd, fs->io->ud);
        return rc;
    }
    svcq__index nix;
    svcq__index_init(&nix, ctx);
    replay rp;
    uint64_t generation = 0;
    ssize_t got;
    int rc = load_journal(fs, fd, &nix, &rp, size, &generation, &got);
    if (rc) {
        svcq__index_free(&nix);
        (void)fs->io->close(fd, fs->io->ud);
        return rc;
    }
    svcq__index_free(&fs->ix);
    fs->ix = nix;
    (void)fs->io->close(fs->fd, fs->io->ud);
    fs->fd = fd;
    fs->generation = generation;
    fs->tx_seq = rp.seq;
    fs->last_revision = fs->hwm = rp.last_revision;
    fs->live_bytes = rp.live;
    fs->end = fs->phys = rp.end;
    return SVCQ_OK;
}

int svcq_store_file_refresh(svcq_store_file *fs)
{
    if (!fs)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = fs->ctx;
    if (!fs->read_only)
        return SVCQ_OK; /* the only writer sees every commit already */
    if (fs->in_tx)
        return svcq__error(ctx, SVCQ_ESTATE, "%s: refresh inside a transaction; end it first", fs->path);
    int rc;
    int same = fs->io->same(fs->fd, fs->path, fs->io->ud);
    uint64_t size = 0;
    if (same < 0)
        rc = io_fail(fs, "stat", fs->path);
    else if (same == 1 && fs->io->size(fs->fd, &size, fs->io->ud) != 0)
        rc = io_fail(fs, "fstat", fs->path);
    else if (same == 1 && fs->end != 0 && size >= fs->end)
        rc = refresh_tail(fs, size);
    else
        rc = reload(fs); /* compacted (another file), or nothing read yet */
    trim_scratch(fs);
    svcq__store_msg_clear(ctx);
    return rc;
}

static int set_paths(svcq_store_file *fs, const char *path)
{
    svcq_ctx *ctx = fs->ctx;
    int rc = svcq__strdup(ctx, "file store path", path, &fs->path);
    if (rc)
        return rc;
    size_t n = strlen(path);
    if (n == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "file store path is empty");
    fs->tmp_path = svcq__malloc(ctx, n + sizeof(".compact"));
    if (!fs->tmp_path)
        return svcq__enomem(ctx);
    memcpy(fs->tmp_path, path, n);
    memcpy(fs->tmp_path + n, ".compact", sizeof(".compact"));
    const char *slash = strrchr(path, '/');
    size_t dn = slash ? (size_t)(slash - path) : 1;
    if (slash && dn == 0)
        dn = 1; /* "/file" lives in "/" */
    fs->dir = svcq__malloc(ctx, dn + 1);
    if (!fs->dir)
        return svcq__enomem(ctx);
    memcpy(fs->dir, slash ? path : ".", dn);
    fs->dir[dn] = '\0';
    return SVCQ_OK;
}

/* Opens and locks the journal, making sure the locked file is the one the
 * path names (a compaction may rename another file over it meanwhile). */
static int open_locked(svcq_store_file *fs, bool create)
{
    svcq_ctx *ctx = fs->ctx;
    for (int attempt = 0; attempt < 8; attempt++) {
        int fd = fs->io->open(fs->path, create ? SVCQ__FIO_CREATE : 0, fs->io->ud);
        if (fd < 0) {
            if (errno == ENOENT && !create)
                return svcq__error(ctx, SVCQ_ENOTFOUND, "%s does not exist", fs->path);
            return io_fail(fs, "open", fs->path);
        }
        if (fs->io->lock(fd, fs->io->ud) != 0) {
            int e = errno;
            (void)fs->io->close(fd, fs->io->ud);
            if (e == EAGAIN || e == EACCES || e == EWOULDBLOCK)
                return svcq__error(ctx, SVCQ_EBUSY,
                                "%s is locked by another open store (in this process or another one)", fs->path);
            errno = e;
            return io_fail(fs, "fcntl(F_SETLK)", fs->path);
        }
        int same = fs->io->same(fd, fs->path, fs->io->ud);
        if (same == 1) {
            fs->fd = fd;
            return SVCQ_OK;
        }
        int e = errno;
        (void)fs->io->close(fd, fs->io->ud);
        if (same < 0) {
            errno = e;
            return io_fail(fs, "stat", fs->path);
        }
    }
    return svcq__error(ctx, SVCQ_EBUSY, "%s keeps being replaced while it is opened", fs->path);
}

/* Opens the journal read-only, without a lock (see the file comment). */
static int open_reader(svcq_store_file *fs)
{
    fs->fd = fs->io->open(fs->path, SVCQ__FIO_RDONLY, fs->io->ud);
    if (fs->fd >= 0)
        return SVCQ_OK;
    if (errno == ENOENT)
        return svcq__error(fs->ctx, SVCQ_ENOTFOUND, "%s does not exist (a read-only store never creates it)",
                           fs->path);
    return io_fail(fs, "open", fs->path);
}

int svcq__fstore_open_io(svcq_store_file **out, svcq_ctx *ctx, const char *path,
                      const svcq_store_file_options *opts, const svcq__fio *io)
{
    if (!out)
        return SVCQ_EINVAL;
    *out = NULL;
    if (!ctx)
        return SVCQ_EINVAL;
    if (!path)
        return svcq__error(ctx, SVCQ_EINVAL, "file store path is NULL");
    svcq_store_file_options defaults = SVCQ_STORE_FILE_OPTIONS_INIT;
    if (!opts)
        opts = &defaults;
    if (opts->version == 0 || opts->version > SVCQ_STORE_FILE_OPTIONS_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION, "file store options version %u is not supported", opts->version);
    if (opts->reserved0 || !svcq__all_zero(opts->reserved, sizeof(opts->reserved)))
        return svcq__error(ctx, SVCQ_EINVAL, "file store options: reserved fields must be zero");
    if (opts->durability < SVCQ_STORE_SYNC_FULL || opts->durability > SVCQ_STORE_SYNC_NONE)
        return svcq__error(ctx, SVCQ_EINVAL, "file store options: unknown durability %d", (int)opts->durability);
    if (opts->flags & ~(uint32_t)(SVCQ_STORE_FILE_NO_CREATE | SVCQ_STORE_FILE_READ_ONLY))
        return svcq__error(ctx, SVCQ_EINVAL, "file store options: unknown flags 0x%x", (unsigned)opts->flags);

    svcq_store_file *fs = svcq__malloc(ctx, sizeof(*fs));
    if (!fs)
        return svcq__enomem(ctx);
    memset(fs, 0, sizeof(*fs));
    fs->ctx = ctx;
    fs->io = io ? io : &svcq__fio_posix;
    fs->fd = -1;
    fs->durability = opts->durability;
    fs->read_only = (opts->flags & SVCQ_STORE_FILE_READ_ONLY) != 0;
    fs->group_ms = opts->group_commit_ms;
    fs->group_tx = opts->group_commit_tx;
    svcq__index_init(&fs->ix, ctx);
    svcq__buf_init(&fs->tx, ctx);
    svcq__buf_init(&fs->scratch, ctx);
    now_mono(&fs->last_sync);

    int rc = set_paths(fs, path);
    if (!rc && fs->read_only)
        rc = open_reader(fs);
    else if (!rc)
        rc = open_locked(fs, !(opts->flags & SVCQ_STORE_FILE_NO_CREATE));
    /* A compaction that died left its file behind; we hold the lock, so
     * nobody else is compacting. */
    if (!rc && !fs->read_only && fs->io->unlink(fs->tmp_path, fs->io->ud) != 0)
        rc = io_fail(fs, "unlink", fs->tmp_path);
    if (!rc)
        rc = recover(fs);
    fs->hwm = fs->last_revision;
    if (rc) {
        char msg[SVCQ__ERRMSG_SIZE];
        memcpy(msg, ctx->errmsg, sizeof(msg));
        (void)do_close(fs);
        memcpy(ctx->errmsg, msg, sizeof(msg));
        svcq__store_msg_clear(ctx);
        return rc;
    }
    svcq__store_msg_clear(ctx);
    *out = fs;
    return SVCQ_OK;
}

int svcq_store_file_open(svcq_store_file **out, svcq_ctx *ctx, const char *path,
                         const svcq_store_file_options *opts)
{
    return svcq__fstore_open_io(out, ctx, path, opts, NULL);
}

/* ---- compaction ---------------------------------------------------------------- */

static int by_revision(const void *a, const void *b)
{
    uint64_t x = (*(svcq__rec *const *)a)->revision, y = (*(svcq__rec *const *)b)->revision;
    return x < y ? -1 : x > y;
}

int svcq_store_file_compact(svcq_store_file *fs)
{
    if (!fs)
        return SVCQ_EINVAL;
    svcq_ctx *ctx = fs->ctx;
    if (fs->read_only)
        return svcq__error(ctx, SVCQ_ESTATE, "%s is open read-only: only the writer compacts it", fs->path);
    if (fs->in_tx)
        return svcq__error(ctx, SVCQ_ESTATE, "compaction is not allowed inside a transaction");
    if (fs->broken)
        return svcq__error(ctx, SVCQ_EIO, "%s: an earlier sync failed; reopen the store", fs->path);
    size_t n = (size_t)fs->ix.count;
    svcq__rec **recs = svcq__reallocarray(ctx, NULL, n ? n : 1, sizeof(*recs));
    uint64_t *locs = svcq__reallocarray(ctx, NULL, n ? n : 1, sizeof(*locs));
    svcq__buf out;
    svcq__buf_init(&out, ctx);
    int tfd = -1;
    int rc = SVCQ_OK;
    if (!recs || !locs) {
        rc = svcq__enomem(ctx);
        goto done;
    }
    size_t i = 0, it = 0;
    void *v;
    while (svcq__map_next(&fs->ix.kinds, &it, NULL, NULL, &v)) {
        svcq__kind *k = v;
        size_t jt = 0;
        void *r;
        while (svcq__map_next(&k->recs, &jt, NULL, NULL, &r))
            recs[i++] = r;
    }
    /* In revision order the new journal reads like a history, which
     * recovery checks (revisions only grow). */
    qsort(recs, n, sizeof(*recs), by_revision);

    tfd = fs->io->open(fs->tmp_path, SVCQ__FIO_CREATE | SVCQ__FIO_TRUNC, fs->io->ud);
    if (tfd < 0) {
        rc = io_fail(fs, "open", fs->tmp_path);
        goto done;
    }
    /* Locked before it takes the journal's name, so nobody can open it
     * unlocked in between. */
    if (fs->io->lock(tfd, fs->io->ud) != 0) {
        rc = io_fail(fs, "fcntl(F_SETLK)", fs->tmp_path);
        goto done;
    }
    if (svcq__buf_reserve(&out, WRITE_CHUNK) != SVCQ_OK) {
        rc = svcq__enomem(ctx);
        goto done;
    }
    svcq__jnl_header h = { fs->generation + 1, fs->tx_seq };
    svcq__jnl_header_encode((uint8_t *)out.data, &h);
    out.len = SVCQ__JNL_HEADER_SIZE;
    uint64_t flushed = 0;
    for (i = 0; i < n; i++) {
        svcq__rec *r = recs[i];
        if (out.len + r->frame_len > WRITE_CHUNK && out.len) {
            if (write_all(fs, tfd, out.data, out.len, flushed) != 0) {
                rc = io_fail(fs, "pwrite", fs->tmp_path);
                goto done;
            }
            flushed += out.len;
            out.len = 0;
        }
        /* The frame is copied as it is, after checking it. */
        svcq__jnl_frame f;
        rc = read_frame(fs, r, &f);
        if (rc)
            goto done;
        if (svcq__buf_append(&out, fs->scratch.data, r->frame_len) != SVCQ_OK) {
            rc = svcq__enomem(ctx);
            goto done;
        }
        locs[i] = flushed + out.len - r->frame_len;
    }
    if (svcq__jnl_commit(&out, fs->tx_seq + 1, fs->hwm, (uint32_t)n) != SVCQ_OK) {
        rc = svcq__enomem(ctx);
        goto done;
    }
    if (write_all(fs, tfd, out.data, out.len, flushed) != 0) {
        rc = io_fail(fs, "pwrite", fs->tmp_path);
        goto done;
    }
    uint64_t new_end = flushed + out.len;
    if (fs->io->datasync(tfd, fs->io->ud) != 0) {
        rc = io_fail(fs, "fdatasync", fs->tmp_path);
        goto done;
    }
    if (fs->io->rename(fs->tmp_path, fs->path, fs->io->ud) != 0) {
        rc = io_fail(fs, "rename", fs->tmp_path);
        goto done;
    }
    /* The new journal has the name now: switch to it. */
    (void)fs->io->close(fs->fd, fs->io->ud);
    fs->fd = tfd;
    tfd = -1;
    for (i = 0; i < n; i++)
        recs[i]->loc = locs[i];
    fs->end = fs->phys = new_end;
    fs->live_bytes = new_end;
    fs->generation++;
    fs->format = SVCQ__JNL_VERSION;
    fs->tx_seq++;
    fs->last_revision = fs->hwm;
    fs->unsynced = 0;
    now_mono(&fs->last_sync);
    if (fs->io->syncdir(fs->dir, fs->io->ud) != 0)
        rc = io_fail(fs, "fsync", fs->dir);
done:
    if (tfd >= 0) {
        (void)fs->io->close(tfd, fs->io->ud);
        (void)fs->io->unlink(fs->tmp_path, fs->io->ud);
    }
    /* Not inside a callback: the message stands as it is. */
    svcq__store_msg_clear(ctx);
    svcq__buf_free(&out);
    svcq__free(ctx, recs);
    svcq__free(ctx, locs);
    trim_scratch(fs);
    return rc;
}
