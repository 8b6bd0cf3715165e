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
 * file and reads that one whole.
 *
 * A store shared by several contexts (svcq_store_file_attach) leaves the
 * index alone during a transaction: each session buffers its frames and
 * keeps a write set, and its commit, under the store's lock, checks the
 * compare-and-swaps, applies the write set to the index and appends; in
 * synced mode commits then share a group fdatasync (the section "sharing"
 * below). Sessions speak version 2 too: their puts keep the terms in the
 * buffered frames, the commit puts them into the shared index, and their
 * ordered scans merge the committed records with their own writes. The paths of one owning context are unchanged and take no lock
 * in their callbacks. */
#include <errno.h>
#include <pthread.h>
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
    /* Sharing (svcq_store_file_attach): everything above is guarded by
     * lock once a session is attached (docs/storage.md: lock order). */
    pthread_mutex_t lock;
    pthread_cond_t synced;     /* broadcast when a group sync ends */
    bool lock_ready;
    uint32_t sessions;         /* attached sessions (their contexts use the store) */
    bool syncing;              /* a session is in the group's fdatasync, unlocked */
    uint64_t durable;          /* the journal up to here is synced */
    uint64_t durable_seq;      /* tx_seq and live_bytes as of durable */
    uint64_t durable_live;
    int sync_errno;            /* errno of the failed group sync (broken) */
    uint64_t syncs;            /* fdatasync calls that made commits durable */
    uint32_t waiters;          /* threads in group_sync */
};

/* ---- errors ---------------------------------------------------------------- */

/* An I/O failure: SVCQ_EIO with the errno text, as a store message. */
static int io_fail_on(svcq_ctx *ctx, const char *call, const char *path)
{
    int e = errno;
    char text[128];
    if (strerror_r(e, text, sizeof(text)) != 0)
        text[0] = '\0';
    return svcq__store_fail(ctx, SVCQ_EIO, "%s(%s): %s (errno %d)", call, path, text, e);
}

static int io_fail(svcq_store_file *fs, const char *call, const char *path)
{
    return io_fail_on(fs->ctx, call, path);
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

/* Reads rec's committed frame into b and checks it is the put it should
 * be; failures are reported on ctx. */
static int read_frame_into(svcq_store_file *fs, svcq_ctx *ctx, svcq__buf *b, const svcq__rec *rec,
                           svcq__jnl_frame *f)
{
    b->len = 0;
    if (svcq__buf_reserve(b, rec->frame_len) != SVCQ_OK)
        return svcq__store_fail(ctx, SVCQ_ENOMEM, "out of memory");
    ssize_t got = read_all(fs, fs->fd, b->data, rec->frame_len, rec->loc);
    if (got < 0)
        return io_fail_on(ctx, "pread", fs->path);
    if ((size_t)got != rec->frame_len ||
        svcq__jnl_parse((const uint8_t *)b->data, rec->frame_len, f) != SVCQ__JNL_OK ||
        (f->type != SVCQ__JNL_PUT && f->type != SVCQ__JNL_PUT_TERMS) ||
        f->frame_len != rec->frame_len || f->revision != rec->revision || f->idlen != rec->idlen ||
        memcmp(f->id, rec->id, rec->idlen) != 0)
        return svcq__store_fail(ctx, SVCQ_ECORRUPT,
                             "the frame of record %s at offset %llu of %s no longer reads back intact",
                             rec->id, (unsigned long long)rec->loc, fs->path);
    return SVCQ_OK;
}

static int read_frame(svcq_store_file *fs, const svcq__rec *rec, svcq__jnl_frame *f)
{
    return read_frame_into(fs, fs->ctx, &fs->scratch, rec, f);
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
    fs->syncs++;
    fs->unsynced = 0;
    now_mono(&fs->last_sync);
    return 0;
}

/* The journal up to its end is synced. */
static void mark_durable(svcq_store_file *fs)
{
    fs->durable = fs->end;
    fs->durable_seq = fs->tx_seq;
    fs->durable_live = fs->live_bytes;
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
        const svcq__index_undo *u = &fs->ix.undo[i];
        svcq__rec *r = u->in_place ? u->old : u->now; /* the record in the index */
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
    if (sync)
        mark_durable(fs);
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
    svcq__put_prep p;
    svcq__put_locate(&fs->ix, &p, kind, kindlen, id, idlen);
    svcq__rec *old = p.at.rec;
    if ((old ? old->revision : 0) != expected)
        return SVCQ_ECONFLICT;
    int urc = n_terms ? upgrade_format(fs) : SVCQ_OK;
    if (urc)
        return urc;
    svcq__term_in in[SVCQ_STORE_MAX_TERMS];
    svcq__terms_in(terms, n_terms, in);
    if (svcq__put_prepare(&fs->ix, &p, kind, kindlen, in, n_terms) != SVCQ_OK)
        return SVCQ_ENOMEM;
    size_t off = fs->tx.len;
    /* Never reused: the counter does not go back on rollback. */
    uint64_t rev = fs->hwm + 1;
    if (svcq__jnl_put_terms(&fs->tx, rev, kind, kindlen, id, idlen, in, n_terms, bytes, size) != SVCQ_OK) {
        svcq__put_drop(&fs->ix, &p);
        return SVCQ_ENOMEM;
    }
    svcq__rec_contents c = {
        .revision = rev, .loc = off, .size = (uint32_t)size, .frame_len = (uint32_t)(fs->tx.len - off), .pending = 1
    };
    fs->hwm = rev;
    fs->tx_ops++;
    fs->tx_live += c.frame_len;
    if (old)
        fs->tx_live -= old->frame_len;
    *new_revision = rev;
    svcq__put_place(&fs->ix, &p, &c);
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
static int upgrade_format_on(svcq_store_file *fs, svcq_ctx *ctx)
{
    if (fs->format >= SVCQ__JNL_VERSION)
        return SVCQ_OK;
    uint8_t head[SVCQ__JNL_HEADER_SIZE];
    ssize_t got = read_all(fs, fs->fd, head, sizeof(head), 0);
    if (got < 0)
        return io_fail_on(ctx, "pread", fs->path);
    svcq__jnl_header h;
    if ((size_t)got != sizeof(head) || svcq__jnl_header_decode(head, sizeof(head), &h) != SVCQ_OK)
        return svcq__store_fail(ctx, SVCQ_ECORRUPT, "%s: the journal header no longer reads back intact",
                                fs->path);
    svcq__jnl_header_set_version(head, SVCQ__JNL_VERSION);
    if (write_all(fs, fs->fd, head, sizeof(head), 0) != 0)
        return io_fail_on(ctx, "pwrite", fs->path);
    if (fs->io->datasync(fs->fd, fs->io->ud) != 0) {
        fs->broken = true;
        return io_fail_on(ctx, "fdatasync", fs->path);
    }
    fs->format = SVCQ__JNL_VERSION;
    return SVCQ_OK;
}

static int upgrade_format(svcq_store_file *fs)
{
    return upgrade_format_on(fs, fs->ctx);
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
    if (fs->lock_ready) {
        (void)pthread_cond_destroy(&fs->synced);
        (void)pthread_mutex_destroy(&fs->lock);
    }
    svcq__free(fs->ctx, fs);
    return rc;
}

/* ---- sharing: one store, a session per context ------------------------------------ */

/* A shared store (svcq_store_file_attach) serves several contexts, each on
 * its own thread, through sessions. A session's transaction is its own: its
 * frames in its own buffer and its writes in a write set, nothing shared
 * until commit; reads see the store's committed records plus its own
 * writes. Everything of the store is guarded by fs->lock; a session's own
 * fields are used by its context's thread only.
 *
 * Commit, under the lock: compare-and-swap of every record written against
 * the committed revisions (another session may have committed since the
 * put: SVCQ_ECONFLICT, nothing applied), the records put into the shared
 * index (its undo log keeps what they replaced), one pwrite at the end of
 * the journal. In SVCQ_STORE_SYNC_FULL the commit then waits until its end
 * offset is durable: the first waiter that finds no sync running becomes
 * the leader, syncs up to the end of everything appended so far without the
 * lock, and wakes the others; every commit appended meanwhile shares the
 * next sync (group commit). The index undo entries of commits appended but
 * not yet synced are released when a sync covers them, and taken back —
 * with the file cut back to the durable end — when a sync fails: every
 * commit it covered (and any appended after it) then fails with the sync's
 * error and the store refuses writes until it is reopened.
 *
 * Lock order: fs->lock is the only lock. No callback of the host runs
 * under it, and no visitor (a scan lists the ids under it, then reads each
 * record under it and visits without it); the allocators called under it
 * are the store context's (records of the shared index) and the session
 * context's (its buffers for frames read back and ids). */

static void fs_lock(svcq_store_file *fs)
{
    (void)pthread_mutex_lock(&fs->lock);
}

static void fs_unlock(svcq_store_file *fs)
{
    (void)pthread_mutex_unlock(&fs->lock);
}

/* The message of a store that refuses writes, reported on ctx. */
static int broken_fail(svcq_store_file *fs, svcq_ctx *ctx)
{
    if (!fs->sync_errno)
        return svcq__store_fail(ctx, SVCQ_EIO, "%s: an earlier sync failed; reopen the store", fs->path);
    char text[128];
    if (strerror_r(fs->sync_errno, text, sizeof(text)) != 0)
        text[0] = '\0';
    return svcq__store_fail(ctx, SVCQ_EIO,
                            "fdatasync(%s): %s (errno %d); the commits it covered were taken back and the store "
                            "refuses writes: reopen it",
                            fs->path, text, fs->sync_errno);
}

/* Under the lock, once the store refuses writes and no sync is running:
 * in synced mode no commit after the durable end has returned yet, and no
 * sync will cover them now; take them all back, in the index and in the
 * file. (In the other modes they returned already and stay.) */
static void take_back_unsynced(svcq_store_file *fs)
{
    if (fs->durability != SVCQ_STORE_SYNC_FULL || fs->end <= fs->durable)
        return;
    if (fs->ix.in_tx)
        svcq__index_rollback_to(&fs->ix, 0);
    fs->end = fs->durable;
    fs->tx_seq = fs->durable_seq;
    fs->live_bytes = fs->durable_live;
    fs->unsynced = 0;
    cut_back(fs);
}

/* Under the lock: returns once the journal up to upto is durable, or the
 * store's sync error. One caller at a time syncs, without the lock, up to
 * the end of everything appended when it started; the others wait for it
 * and, when it did not reach their end, one of them syncs next. A store
 * that refuses writes (a failed sync, or a failed write that could not be
 * cut back) fails every commit no sync covered, once the running sync, if
 * any, has ended. */
static int group_sync(svcq_store_file *fs, svcq_ctx *ctx, uint64_t upto)
{
    fs->waiters++;
    int rc = SVCQ_OK;
    while (fs->durable < upto) {
        if (fs->syncing) {
            (void)pthread_cond_wait(&fs->synced, &fs->lock);
            continue;
        }
        if (fs->broken) {
            take_back_unsynced(fs);
            rc = broken_fail(fs, ctx);
            break;
        }
        fs->syncing = true;
        uint64_t target = fs->end, seq = fs->tx_seq, live = fs->live_bytes;
        size_t covered = fs->ix.in_tx ? fs->ix.undo_len : 0;
        fs_unlock(fs);
        int r = fs->io->datasync(fs->fd, fs->io->ud);
        int e = errno;
        fs_lock(fs);
        fs->syncing = false;
        if (r == 0) {
            fs->syncs++;
            if (target > fs->durable) {
                fs->durable = target;
                fs->durable_seq = seq;
                fs->durable_live = live;
            }
            fs->unsynced = fs->tx_seq - fs->durable_seq;
            now_mono(&fs->last_sync);
            if (covered)
                svcq__index_commit_prefix(&fs->ix, covered);
        } else {
            fs->sync_errno = e ? e : EIO;
            fs->broken = true; /* the next turn of the loop takes back */
        }
        (void)pthread_cond_broadcast(&fs->synced);
    }
    fs->waiters--;
    if (!fs->waiters)
        (void)pthread_cond_broadcast(&fs->synced); /* a compaction may wait for that */
    return rc;
}

/* The last write of one (kind, id) in a session's transaction. */
typedef struct fs_write {
    uint64_t base;      /* the committed revision its first write expected (0: absent) */
    uint64_t revision;  /* after the transaction; 0 when it removes the record */
    size_t loc;         /* a put: offset of its frame in the transaction buffer */
    uint32_t frame_len;
    uint32_t size;
    uint16_t idlen;
    uint8_t kindlen;
    uint8_t nterms;     /* a put: index terms in its frame (type 4 when not 0) */
    char key[];         /* kind NUL id NUL; the map key is kind NUL id */
} fs_write;

typedef struct fs_session {
    svcq_store_file *fs;
    svcq_ctx *ctx;
    bool claimed;         /* handed to its context by svcq_ctx_set_store */
    bool in_tx;
    bool terms;           /* a put with terms in tx: the commit may upgrade the journal's format */
    uint32_t ops;         /* frames in tx */
    svcq__buf tx;         /* the transaction's frames */
    svcq__buf scratch;    /* frames read back */
    svcq__buf ids;        /* a scan's ids, NUL-terminated one after the other */
    svcq__buf own;        /* an ordered scan's own writes (own_ent), sorted */
    svcq__map writes;     /* key -> fs_write */
    fs_write **order;     /* the same, in the order of first write */
    size_t norder, order_cap;
} fs_session;

#define KEY_MAX (SVCQ_STORE_MAX_KIND + 1 + SVCQ_STORE_MAX_ID + 1)

static size_t make_key(char *buf, const char *kind, size_t kindlen, const char *id, size_t idlen)
{
    memcpy(buf, kind, kindlen);
    buf[kindlen] = '\0';
    memcpy(buf + kindlen + 1, id, idlen);
    buf[kindlen + 1 + idlen] = '\0';
    return kindlen + 1 + idlen;
}

static void sess_reset(fs_session *s)
{
    for (size_t i = 0; i < s->norder; i++) {
        fs_write *w = s->order[i];
        (void)svcq__map_remove(&s->writes, w->key, (size_t)w->kindlen + 1 + w->idlen);
        svcq__free(s->ctx, w);
    }
    s->norder = 0;
    s->in_tx = false;
    s->terms = false;
    s->ops = 0;
    s->tx.len = 0;
    if (s->tx.cap > TX_KEEP)
        svcq__buf_free(&s->tx);
    if (s->scratch.cap > TX_KEEP)
        svcq__buf_free(&s->scratch);
}

static int sess_begin(void *ud)
{
    fs_session *s = ud;
    svcq_store_file *fs = s->fs;
    if (s->in_tx)
        return svcq__store_fail(s->ctx, SVCQ_ESTATE, "a transaction is already open");
    fs_lock(fs);
    int rc = fs->broken ? broken_fail(fs, s->ctx) : SVCQ_OK;
    fs_unlock(fs);
    if (rc)
        return rc;
    s->in_tx = true;
    s->ops = 0;
    s->tx.len = 0;
    return SVCQ_OK;
}

static int sess_rollback(void *ud)
{
    fs_session *s = ud;
    if (s->in_tx)
        sess_reset(s);
    return SVCQ_OK;
}

/* The committed revision of (kind, id), 0 when absent. */
static uint64_t committed_revision(svcq_store_file *fs, const char *kind, size_t kindlen, const char *id,
                                   size_t idlen)
{
    fs_lock(fs);
    svcq__rec *r = svcq__index_find(&fs->ix, kind, kindlen, id, idlen);
    uint64_t rev = r ? r->revision : 0;
    fs_unlock(fs);
    return rev;
}

/* The write of key in the open transaction, made (with base) when new.
 * NULL: out of memory, nothing changed. */
static fs_write *sess_write(fs_session *s, const char *key, size_t kindlen, size_t idlen, uint64_t base)
{
    size_t keylen = kindlen + 1 + idlen;
    fs_write *w = svcq__map_get(&s->writes, key, keylen);
    if (w)
        return w;
    if (s->norder == s->order_cap) {
        size_t cap = s->order_cap ? s->order_cap * 2 : 8;
        fs_write **o = svcq__reallocarray(s->ctx, s->order, cap, sizeof(*o));
        if (!o)
            return NULL;
        s->order = o;
        s->order_cap = cap;
    }
    w = svcq__malloc(s->ctx, sizeof(*w) + keylen + 1);
    if (!w)
        return NULL;
    memset(w, 0, sizeof(*w));
    memcpy(w->key, key, keylen + 1);
    w->kindlen = (uint8_t)kindlen;
    w->idlen = (uint16_t)idlen;
    w->base = base;
    w->revision = base;
    if (svcq__map_put(&s->writes, w->key, keylen, w, NULL) != SVCQ_OK) {
        svcq__free(s->ctx, w);
        return NULL;
    }
    s->order[s->norder++] = w;
    return w;
}

/* A put: the frame (with the terms, as fs_put2 writes it) goes into the
 * transaction buffer; the terms reach the shared index at commit. */
static int sess_put2(const char *kind, const char *id, uint64_t expected, const void *bytes, size_t size,
                     const svcq_store_term *terms, size_t n_terms, uint64_t *new_revision, void *ud)
{
    fs_session *s = ud;
    svcq_store_file *fs = s->fs;
    if (!s->in_tx)
        return svcq__store_fail(s->ctx, SVCQ_ESTATE, "put outside a transaction");
    if (size > SVCQ_STORE_MAX_VALUE)
        return svcq__store_fail(s->ctx, SVCQ_ELIMIT, "value of %zu bytes is too large", size);
    if (n_terms > SVCQ_STORE_MAX_TERMS)
        return svcq__store_fail(s->ctx, SVCQ_ELIMIT, "%zu index terms, more than %d", n_terms,
                                SVCQ_STORE_MAX_TERMS);
    size_t kindlen = strlen(kind), idlen = strlen(id);
    char key[KEY_MAX];
    size_t keylen = make_key(key, kind, kindlen, id, idlen);
    fs_write *w = svcq__map_get(&s->writes, key, keylen);
    uint64_t cur = w ? w->revision : committed_revision(fs, kind, kindlen, id, idlen);
    if (cur != expected)
        return SVCQ_ECONFLICT;
    svcq__term_in in[SVCQ_STORE_MAX_TERMS];
    svcq__terms_in(terms, n_terms, in);
    size_t off = s->tx.len;
    if (svcq__buf_reserve(&s->tx, svcq__jnl_put_terms_len(kindlen, idlen, in, n_terms, size)) != SVCQ_OK)
        return SVCQ_ENOMEM;
    if (!w && !(w = sess_write(s, key, kindlen, idlen, cur)))
        return SVCQ_ENOMEM;
    /* Never reused: the store's counter does not go back on rollback. */
    fs_lock(fs);
    uint64_t rev = ++fs->hwm;
    fs_unlock(fs);
    if (svcq__jnl_put_terms(&s->tx, rev, kind, kindlen, id, idlen, in, n_terms, bytes, size) != SVCQ_OK)
        return SVCQ_ENOMEM; /* reserved above: cannot happen */
    w->revision = rev;
    w->loc = off;
    w->frame_len = (uint32_t)(s->tx.len - off);
    w->size = (uint32_t)size;
    w->nterms = (uint8_t)n_terms;
    if (n_terms)
        s->terms = true;
    s->ops++;
    *new_revision = rev;
    return SVCQ_OK;
}

/* Version 1: a put without terms (the record's terms, if it had any, are
 * gone, as the contract says). */
static int sess_put(const char *kind, const char *id, uint64_t expected, const void *bytes, size_t size,
                    uint64_t *new_revision, void *ud)
{
    return sess_put2(kind, id, expected, bytes, size, NULL, 0, new_revision, ud);
}

static int sess_remove(const char *kind, const char *id, uint64_t expected, void *ud)
{
    fs_session *s = ud;
    if (!s->in_tx)
        return svcq__store_fail(s->ctx, SVCQ_ESTATE, "remove outside a transaction");
    size_t kindlen = strlen(kind), idlen = strlen(id);
    char key[KEY_MAX];
    size_t keylen = make_key(key, kind, kindlen, id, idlen);
    fs_write *w = svcq__map_get(&s->writes, key, keylen);
    uint64_t cur = w ? w->revision : committed_revision(s->fs, kind, kindlen, id, idlen);
    if (cur == 0)
        return SVCQ_ENOTFOUND;
    if (cur != expected)
        return SVCQ_ECONFLICT;
    if (svcq__buf_reserve(&s->tx, svcq__jnl_del_len(kindlen, idlen)) != SVCQ_OK)
        return SVCQ_ENOMEM;
    if (!w && !(w = sess_write(s, key, kindlen, idlen, cur)))
        return SVCQ_ENOMEM;
    if (svcq__jnl_del(&s->tx, cur, kind, kindlen, id, idlen) != SVCQ_OK)
        return SVCQ_ENOMEM; /* reserved above: cannot happen */
    w->revision = 0;
    w->loc = 0;
    w->frame_len = 0;
    w->size = 0;
    w->nterms = 0;
    s->ops++;
    return SVCQ_OK;
}

static const void *write_value(const fs_session *s, const fs_write *w)
{
    return w->size ? s->tx.data + w->loc + w->frame_len - w->size : NULL;
}

static int sess_get(const char *kind, const char *id, svcq_store_visit_fn visit, void *vud, void *ud)
{
    fs_session *s = ud;
    svcq_store_file *fs = s->fs;
    size_t kindlen = strlen(kind), idlen = strlen(id);
    if (s->norder) {
        char key[KEY_MAX];
        size_t keylen = make_key(key, kind, kindlen, id, idlen);
        fs_write *w = svcq__map_get(&s->writes, key, keylen);
        if (w) {
            if (!w->revision)
                return SVCQ_ENOTFOUND;
            return visit(id, w->revision, write_value(s, w), w->size, vud);
        }
    }
    fs_lock(fs);
    svcq__rec *r = svcq__index_find(&fs->ix, kind, kindlen, id, idlen);
    if (!r) {
        fs_unlock(fs);
        return SVCQ_ENOTFOUND;
    }
    uint64_t rev = r->revision;
    uint32_t size = r->size;
    const void *value = NULL;
    int rc = SVCQ_OK;
    if (size) {
        svcq__jnl_frame f;
        rc = read_frame_into(fs, s->ctx, &s->scratch, r, &f);
        value = f.value;
    }
    fs_unlock(fs);
    if (!rc)
        rc = visit(id, rev, value, size, vud);
    if (s->scratch.cap > TX_KEEP)
        svcq__buf_free(&s->scratch);
    return rc;
}

/* A scan takes the lock per record, not for the whole scan: the ids of the
 * kind are listed under it first, then each record is read under it and
 * visited without it, so commits of other sessions go on meanwhile. Each
 * record is seen as committed when it is read (one removed since the
 * listing is skipped; one created since is not seen), plus the
 * transaction's own writes. */
static int sess_scan(const char *kind, svcq_store_visit_fn visit, void *vud, void *ud)
{
    fs_session *s = ud;
    svcq_store_file *fs = s->fs;
    size_t kindlen = strlen(kind);
    int rc = SVCQ_OK;
    s->ids.len = 0;
    fs_lock(fs);
    svcq__kind *k = svcq__index_kind(&fs->ix, kind, kindlen);
    size_t it = 0;
    void *v;
    while (!rc && k && svcq__map_next(&k->recs, &it, NULL, NULL, &v)) {
        svcq__rec *r = v;
        if (svcq__buf_append(&s->ids, r->id, (size_t)r->idlen + 1) != SVCQ_OK)
            rc = svcq__store_fail(s->ctx, SVCQ_ENOMEM, "out of memory");
    }
    fs_unlock(fs);
    for (size_t at = 0; !rc && at < s->ids.len;) {
        const char *id = s->ids.data + at;
        size_t idlen = strlen(id);
        at += idlen + 1;
        if (s->norder) {
            char key[KEY_MAX];
            size_t keylen = make_key(key, kind, kindlen, id, idlen);
            if (svcq__map_get(&s->writes, key, keylen))
                continue; /* the transaction's own version comes below */
        }
        fs_lock(fs);
        svcq__rec *r = svcq__index_find(&fs->ix, kind, kindlen, id, idlen);
        uint64_t rev = r ? r->revision : 0;
        uint32_t size = r ? r->size : 0;
        const void *value = NULL;
        if (size) {
            svcq__jnl_frame f;
            rc = read_frame_into(fs, s->ctx, &s->scratch, r, &f);
            value = f.value;
        }
        fs_unlock(fs);
        if (!rc && rev)
            rc = visit(id, rev, value, size, vud);
    }
    /* Then the records the transaction put. */
    for (size_t i = 0; !rc && i < s->norder; i++) {
        const fs_write *w = s->order[i];
        if (w->revision && w->kindlen == kindlen && memcmp(w->key, kind, kindlen) == 0)
            rc = visit(w->key + kindlen + 1, w->revision, write_value(s, w), w->size, vud);
    }
    if (s->scratch.cap > TX_KEEP)
        svcq__buf_free(&s->scratch);
    if (s->ids.cap > TX_KEEP)
        svcq__buf_free(&s->ids);
    return rc;
}

/* ---- ordered scans through a session (storage contract version 2) ---------------- */

/* Ordered scans merge two sorted streams: the committed records, read from
 * the shared index one at a time under the lock (each copied out — id,
 * revision, value into the session's scratch buffer, the term's value —
 * and visited without it, like sess_scan), and the transaction's own puts
 * of the kind, sorted once per scan. A committed record the transaction
 * wrote is skipped: its own version (a put, with its new bytes and terms)
 * comes from the second stream, and a removed one is not visited at all.
 * Commits of other sessions go on during the scan; each committed record is
 * seen as it is when it is read, after the last record visited. */

/* One own put in a scan: its write and, for a term scan, its value. */
typedef struct own_ent {
    const fs_write *w;
    const char *s;  /* STRING: the value in the frame (not NUL-terminated) */
    size_t slen;
    int64_t i;
    int32_t type;   /* 0 for an id scan */
} own_ent;

static int bytes_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    if (c)
        return c;
    return al < bl ? -1 : al > bl;
}

static const char *write_id(const fs_write *w)
{
    return w->key + w->kindlen + 1;
}

/* Values of one type: a value in a frame (s, slen, i) against a public term. */
static int tval_cmp(int32_t type, const char *s, size_t slen, int64_t i, const svcq_store_term *v)
{
    if (type == SVCQ_STORE_TERM_INT64)
        return i < v->i ? -1 : i > v->i;
    return bytes_cmp(s, slen, v->s ? v->s : "", v->s ? strlen(v->s) : 0);
}

static int own_cmp(const void *a, const void *b)
{
    const own_ent *x = a, *y = b;
    int c = 0;
    if (x->type == SVCQ_STORE_TERM_INT64)
        c = x->i < y->i ? -1 : x->i > y->i;
    else if (x->type == SVCQ_STORE_TERM_STRING)
        c = bytes_cmp(x->s, x->slen, y->s, y->slen);
    return c ? c : bytes_cmp(write_id(x->w), x->w->idlen, write_id(y->w), y->w->idlen);
}

/* Whether the transaction wrote (kind, id). */
static bool own_has(const fs_session *s, const char *kind, size_t kindlen, const char *id, size_t idlen)
{
    if (!s->norder)
        return false;
    char key[KEY_MAX];
    size_t keylen = make_key(key, kind, kindlen, id, idlen);
    return svcq__map_get(&s->writes, key, keylen) != NULL;
}

/* The transaction's puts of kind that an id scan after `after` (NULL: all)
 * or — name not NULL — a term scan of (name, type) in [lo, hi] after
 * (after_term, after) visits, sorted as the scan visits them, in s->own:
 * *out and *n. SVCQ_ENOMEM (reported) when the list does not fit. */
static int own_collect(fs_session *s, const char *kind, size_t kindlen, const char *name, int32_t type,
                       const svcq_store_term *lo, const svcq_store_term *hi, const svcq_store_term *after_term,
                       const char *after, own_ent **out, size_t *n)
{
    s->own.len = 0;
    *out = NULL;
    *n = 0;
    size_t namelen = name ? strlen(name) : 0;
    for (size_t at = 0; at < s->norder; at++) {
        const fs_write *w = s->order[at];
        if (!w->revision || w->kindlen != kindlen || memcmp(w->key, kind, kindlen) != 0)
            continue;
        own_ent e = { w, NULL, 0, 0, 0 };
        if (name) {
            svcq__term_in in[SVCQ_STORE_MAX_TERMS];
            size_t nt = 0, t;
            svcq__jnl_own_terms((const uint8_t *)s->tx.data + w->loc, in, &nt);
            for (t = 0; t < nt; t++)
                if (in[t].namelen == namelen && memcmp(in[t].name, name, namelen) == 0)
                    break;
            if (t == nt || in[t].type != type)
                continue;
            e.type = type;
            e.s = in[t].s;
            e.slen = in[t].slen;
            e.i = in[t].i;
            if ((lo && tval_cmp(type, e.s, e.slen, e.i, lo) < 0) || (hi && tval_cmp(type, e.s, e.slen, e.i, hi) > 0))
                continue;
            if (after_term && after) {
                int c = tval_cmp(type, e.s, e.slen, e.i, after_term);
                if (c < 0 || (c == 0 && bytes_cmp(write_id(w), w->idlen, after, strlen(after)) <= 0))
                    continue;
            }
        } else if (after && bytes_cmp(write_id(w), w->idlen, after, strlen(after)) <= 0) {
            continue;
        }
        if (svcq__buf_append(&s->own, &e, sizeof(e)) != SVCQ_OK)
            return svcq__store_fail(s->ctx, SVCQ_ENOMEM, "out of memory");
    }
    *n = s->own.len / sizeof(own_ent);
    if (*n) {
        *out = (own_ent *)(void *)s->own.data;
        qsort(*out, *n, sizeof(own_ent), own_cmp);
    }
    return SVCQ_OK;
}

/* A committed record copied out of the shared index. */
typedef struct cur_rec {
    bool have;
    char id[SVCQ_STORE_MAX_ID + 1];
    size_t idlen;
    uint64_t revision;
    uint32_t size;
    const void *value;  /* in s->scratch */
    svcq_store_term term;
    char s[SVCQ_STORE_MAX_TERM_VALUE + 1];
} cur_rec;

/* Under the lock: copies r (and its term t, when not NULL) into *c,
 * reading its frame into the session's scratch buffer. */
static int copy_out(fs_session *s, const svcq__rec *r, const svcq__term *t, const char *name, cur_rec *c)
{
    c->have = true;
    c->idlen = r->idlen;
    memcpy(c->id, r->id, (size_t)r->idlen + 1);
    c->revision = r->revision;
    c->size = r->size;
    c->value = NULL;
    if (t) {
        memset(&c->term, 0, sizeof(c->term));
        c->term.version = SVCQ_STORE_TERM_VERSION;
        c->term.type = t->type;
        c->term.name = name;
        if (t->type == SVCQ_STORE_TERM_STRING) {
            memcpy(c->s, t->s, (size_t)t->slen + 1);
            c->term.s = c->s;
        } else {
            c->term.i = t->i;
        }
    }
    if (!r->size)
        return SVCQ_OK;
    svcq__jnl_frame f;
    int rc = read_frame_into(s->fs, s->ctx, &s->scratch, r, &f);
    c->value = f.value;
    return rc;
}

/* The next committed record of kind above after (alen bytes; NULL: the
 * first) that the transaction did not write, copied into *c (c->have
 * false past the last). */
static int next_committed_id(fs_session *s, const char *kind, size_t kindlen, const char *after, size_t alen,
                             cur_rec *c)
{
    svcq_store_file *fs = s->fs;
    int rc = SVCQ_OK;
    c->have = false;
    fs_lock(fs);
    svcq__kind *k = svcq__index_kind(&fs->ix, kind, kindlen);
    svcq__rec *r = k ? svcq__index_next_id(k, after, alen) : NULL;
    while (r && own_has(s, kind, kindlen, r->id, r->idlen))
        r = svcq__index_next_id(k, r->id, r->idlen);
    if (r)
        rc = copy_out(s, r, NULL, NULL, c);
    fs_unlock(fs);
    return rc;
}

static int sess_scan_range(const char *kind, const char *after, uint32_t limit, svcq_store_visit_fn visit, void *vud,
                           void *ud)
{
    fs_session *s = ud;
    size_t kindlen = strlen(kind);
    own_ent *own;
    size_t nown, j = 0;
    int rc = own_collect(s, kind, kindlen, NULL, 0, NULL, NULL, NULL, after, &own, &nown);
    cur_rec cr;
    cur_rec *c = &cr;
    /* The cursor: the last id visited (after, at first). */
    char cur[SVCQ_STORE_MAX_ID + 1];
    const char *at = after;
    size_t atlen = after ? strlen(after) : 0;
    bool fetch = true;
    for (uint32_t n = 0; !rc && (!limit || n < limit); n++) {
        if (fetch) {
            rc = next_committed_id(s, kind, kindlen, at, atlen, c);
            fetch = false;
            if (rc)
                break;
        }
        const fs_write *w = j < nown ? own[j].w : NULL;
        if (w && (!c->have || bytes_cmp(write_id(w), w->idlen, c->id, c->idlen) < 0)) {
            j++;
            memcpy(cur, write_id(w), (size_t)w->idlen + 1);
            atlen = w->idlen;
            rc = visit(write_id(w), w->revision, write_value(s, w), w->size, vud);
        } else if (c->have) {
            memcpy(cur, c->id, c->idlen + 1);
            atlen = c->idlen;
            fetch = true;
            rc = visit(c->id, c->revision, c->value, c->size, vud);
        } else {
            break;
        }
        at = cur;
    }
    if (s->scratch.cap > TX_KEEP)
        svcq__buf_free(&s->scratch);
    if (s->own.cap > TX_KEEP)
        svcq__buf_free(&s->own);
    return rc;
}

/* The next committed record of kind with term (name, type) above the
 * cursor — (lo, after, after_id) as a scan_term starts, or (NULL, the
 * last value visited, its id) — and at most hi, that the transaction did
 * not write, copied into *c (c->have false past the last). */
static int next_committed_term(fs_session *s, const char *kind, size_t kindlen, const char *name, int32_t type,
                               const svcq_store_term *lo, const svcq_store_term *hi, const svcq_store_term *after,
                               const char *after_id, cur_rec *c)
{
    svcq_store_file *fs = s->fs;
    int rc = SVCQ_OK;
    c->have = false;
    fs_lock(fs);
    svcq__kind *k = svcq__index_kind(&fs->ix, kind, kindlen);
    const svcq__term_tree *tree = k ? svcq__index_tree(k, name, strlen(name)) : NULL;
    const svcq__term *t = tree ? svcq__index_next_term(tree, type, lo, after, after_id) : NULL;
    while (t && own_has(s, kind, kindlen, t->rec->id, t->rec->idlen)) {
        svcq_store_term v;
        svcq__term_out(t, &v);
        t = svcq__index_next_term(tree, type, NULL, &v, t->rec->id);
    }
    if (t && hi && svcq__term_cmp_value(t, hi) > 0)
        t = NULL;
    if (t)
        rc = copy_out(s, t->rec, t, name, c);
    fs_unlock(fs);
    return rc;
}

static int sess_scan_term(const char *kind, const char *name, int32_t type, const svcq_store_term *lo,
                          const svcq_store_term *hi, const svcq_store_term *after, const char *after_id,
                          uint32_t limit, svcq_store_term_visit_fn visit, void *vud, void *ud)
{
    fs_session *s = ud;
    size_t kindlen = strlen(kind);
    if (!after || !after_id)
        after = NULL, after_id = NULL;
    own_ent *own;
    size_t nown, j = 0;
    int rc = own_collect(s, kind, kindlen, name, type, lo, hi, after, after_id, &own, &nown);
    /* c: the next committed record; last: the cursor (the last visited). */
    cur_rec two[2];
    cur_rec *c = &two[0], *last = &two[1];
    bool fetch = true, moved = false;
    for (uint32_t n = 0; !rc && (!limit || n < limit); n++) {
        if (fetch) {
            rc = moved ? next_committed_term(s, kind, kindlen, name, type, NULL, hi, &last->term, last->id, c)
                       : next_committed_term(s, kind, kindlen, name, type, lo, hi, after, after_id, c);
            fetch = false;
            if (rc)
                break;
        }
        const own_ent *o = j < nown ? &own[j] : NULL;
        int cmp = 0;
        if (o && c->have) {
            cmp = tval_cmp(type, o->s, o->slen, o->i, &c->term);
            if (!cmp)
                cmp = bytes_cmp(write_id(o->w), o->w->idlen, c->id, c->idlen);
        }
        if (o && (!c->have || cmp < 0)) {
            /* The cursor becomes this own put (its value NUL-terminated). */
            const fs_write *w = o->w;
            j++;
            memset(&last->term, 0, sizeof(last->term));
            last->term.version = SVCQ_STORE_TERM_VERSION;
            last->term.type = type;
            last->term.name = name;
            if (type == SVCQ_STORE_TERM_STRING) {
                memcpy(last->s, o->s, o->slen);
                last->s[o->slen] = '\0';
                last->term.s = last->s;
            } else {
                last->term.i = o->i;
            }
            memcpy(last->id, write_id(w), (size_t)w->idlen + 1);
            last->idlen = w->idlen;
            rc = visit(write_id(w), w->revision, write_value(s, w), w->size, &last->term, vud);
        } else if (c->have) {
            /* The committed record becomes the cursor. */
            cur_rec *t = last;
            last = c;
            c = t;
            c->have = false;
            fetch = true;
            rc = visit(last->id, last->revision, last->value, last->size, &last->term, vud);
        } else {
            break;
        }
        moved = true;
    }
    if (s->scratch.cap > TX_KEEP)
        svcq__buf_free(&s->scratch);
    if (s->own.cap > TX_KEEP)
        svcq__buf_free(&s->own);
    return rc;
}

/* Under the lock: checks the transaction's compare-and-swaps against the
 * committed records and puts its records into the index (undo kept from
 * the entry mark on). The frames are placed at fs->end. */
static int sess_apply(fs_session *s, uint64_t *live)
{
    svcq_store_file *fs = s->fs;
    for (size_t i = 0; i < s->norder; i++) {
        const fs_write *w = s->order[i];
        const char *id = w->key + w->kindlen + 1;
        svcq__rec *r = svcq__index_find(&fs->ix, w->key, w->kindlen, id, w->idlen);
        if ((r ? r->revision : 0) != w->base)
            return svcq__store_fail(s->ctx, SVCQ_ECONFLICT,
                                    "%s %s was changed by another session of %s since this transaction "
                                    "read it (revision %llu, now %llu)",
                                    w->key, id, fs->path, (unsigned long long)w->base,
                                    (unsigned long long)(r ? r->revision : 0));
    }
    if (!fs->ix.in_tx)
        svcq__index_begin(&fs->ix);
    *live = fs->live_bytes;
    for (size_t i = 0; i < s->norder; i++) {
        const fs_write *w = s->order[i];
        const char *id = w->key + w->kindlen + 1;
        svcq__put_prep p;
        svcq__put_locate(&fs->ix, &p, w->key, w->kindlen, id, w->idlen);
        svcq__rec *old = p.at.rec;
        if (old == NULL && w->base == 0 && w->revision == 0)
            continue; /* created and removed again */
        if (!w->revision) {
            svcq__kind *k;
            if (svcq__index_prepare(&fs->ix, w->key, w->kindlen, &k) != SVCQ_OK)
                return svcq__store_fail(s->ctx, SVCQ_ENOMEM, "out of memory");
            *live -= old->frame_len;
            svcq__index_replace(&fs->ix, k, old, NULL);
            continue;
        }
        /* Shared records belong to the store: its context allocates. The
         * terms come from the put's frame, as recovery reads them. */
        svcq__term_in in[SVCQ_STORE_MAX_TERMS];
        size_t n = 0;
        svcq__jnl_own_terms((const uint8_t *)s->tx.data + w->loc, in, &n);
        if (svcq__put_prepare(&fs->ix, &p, w->key, w->kindlen, in, n) != SVCQ_OK)
            return svcq__store_fail(s->ctx, SVCQ_ENOMEM, "out of memory");
        svcq__rec_contents c = {
            .revision = w->revision, .loc = fs->end + w->loc, .size = w->size, .frame_len = w->frame_len
        };
        *live += c.frame_len;
        if (old)
            *live -= old->frame_len;
        svcq__put_place(&fs->ix, &p, &c);
    }
    return SVCQ_OK;
}

static int sess_commit(void *ud)
{
    fs_session *s = ud;
    svcq_store_file *fs = s->fs;
    svcq_ctx *ctx = s->ctx;
    if (!s->in_tx)
        return svcq__store_fail(ctx, SVCQ_ESTATE, "no transaction is open");
    if (s->ops == 0) {
        sess_reset(s);
        return SVCQ_OK;
    }
    size_t body = s->tx.len;
    if (svcq__buf_reserve(&s->tx, SVCQ__JNL_COMMIT_FRAME) != SVCQ_OK)
        return svcq__store_fail(ctx, SVCQ_ENOMEM, "out of memory");
    fs_lock(fs);
    int rc = fs->broken ? broken_fail(fs, ctx) : SVCQ_OK;
    /* Group mode: the commit that finds a sync due syncs the earlier ones
     * before it appends its own (so a failed sync applies nothing of it). */
    if (!rc && fs->durability == SVCQ_STORE_SYNC_GROUP && fs->unsynced &&
        ((fs->group_tx && fs->unsynced >= fs->group_tx) ||
         (fs->group_ms && ms_since(&fs->last_sync) >= fs->group_ms)))
        rc = group_sync(fs, ctx, fs->end);
    /* A journal of format 1 says format 2 before its first frame with
     * terms (as fs_put2 does at the put; here under the lock). */
    if (!rc && s->terms)
        rc = upgrade_format_on(fs, ctx);
    size_t mark = fs->ix.in_tx ? fs->ix.undo_len : 0;
    uint64_t live = 0;
    if (!rc) {
        rc = sess_apply(s, &live);
        if (rc && fs->ix.in_tx)
            svcq__index_rollback_to(&fs->ix, mark);
    }
    if (!rc) {
        (void)svcq__jnl_commit(&s->tx, fs->tx_seq + 1, fs->hwm, s->ops); /* reserved above */
        if (reserve_space(fs, s->tx.len) != 0 || write_all(fs, fs->fd, s->tx.data, s->tx.len, fs->end) != 0) {
            rc = io_fail_on(ctx, "pwrite", fs->path);
            cut_back(fs);
            svcq__index_rollback_to(&fs->ix, mark);
        }
    }
    if (!rc) {
        fs->end += s->tx.len;
        if (fs->phys < fs->end)
            fs->phys = fs->end;
        fs->tx_seq++;
        fs->last_revision = fs->hwm;
        fs->live_bytes = live;
        if (fs->durability == SVCQ_STORE_SYNC_FULL) {
            rc = group_sync(fs, ctx, fs->end);
        } else {
            fs->unsynced++;
            svcq__index_commit_prefix(&fs->ix, fs->ix.undo_len);
        }
    }
    fs_unlock(fs);
    s->tx.len = body;
    if (!rc)
        sess_reset(s);
    return rc;
}

static void sess_destroy(void *ud)
{
    fs_session *s = ud;
    svcq_store_file *fs = s->fs;
    svcq_ctx *ctx = s->ctx;
    if (s->in_tx)
        sess_reset(s);
    fs_lock(fs);
    fs->sessions--;
    fs_unlock(fs);
    svcq__map_free(&s->writes);
    svcq__free(ctx, s->order);
    svcq__buf_free(&s->tx);
    svcq__buf_free(&s->scratch);
    svcq__buf_free(&s->ids);
    svcq__buf_free(&s->own);
    svcq__free(ctx, s);
}

int svcq_store_file_attach(svcq_store_methods *out, svcq_store_file *fs, svcq_ctx *ctx)
{
    if (!ctx)
        return SVCQ_EINVAL;
    if (!out || !fs)
        return svcq__error(ctx, SVCQ_EINVAL, "file store attach: %s is NULL", out ? "the store" : "the methods table");
    if (fs->read_only)
        return svcq__error(ctx, SVCQ_EINVAL,
                           "%s is open read-only: a read-only store is not shared (open one for each context)",
                           fs->path);
    fs_session *s = svcq__malloc(ctx, sizeof(*s));
    if (!s)
        return svcq__enomem(ctx);
    memset(s, 0, sizeof(*s));
    s->fs = fs;
    s->ctx = ctx;
    svcq__buf_init(&s->tx, ctx);
    svcq__buf_init(&s->scratch, ctx);
    svcq__buf_init(&s->ids, ctx);
    svcq__buf_init(&s->own, ctx);
    svcq__map_init(&s->writes, ctx);
    fs_lock(fs);
    bool owned = fs->owned;
    if (!owned)
        fs->sessions++;
    fs_unlock(fs);
    if (owned) {
        svcq__free(ctx, s);
        return svcq__error(ctx, SVCQ_ESTATE,
                           "%s belongs to one context (svcq_store_file_methods): a shared store is attached "
                           "before any context owns it, and closed by the host",
                           fs->path);
    }
    memset(out, 0, sizeof(*out));
    out->version = SVCQ_STORE_METHODS_VERSION;
    out->user_data = s;
    out->begin = sess_begin;
    out->commit = sess_commit;
    out->rollback = sess_rollback;
    out->get = sess_get;
    out->put = sess_put;
    out->remove = sess_remove;
    out->scan = sess_scan;
    out->destroy = sess_destroy;
    out->put2 = sess_put2;
    out->scan_range = sess_scan_range;
    out->scan_term = sess_scan_term;
    return SVCQ_OK;
}

/* For svcq_ctx_set_store: a session belongs to the context it was made for. */
static int sess_claim(svcq_ctx *ctx, fs_session *s)
{
    if (s->ctx != ctx)
        return svcq__error(ctx, SVCQ_EINVAL,
                           "this session of file store %s was attached for another context; attach one for "
                           "this context (svcq_store_file_attach)",
                           s->fs->path);
    if (s->claimed)
        return svcq__error(ctx, SVCQ_EBUSY, "this session of file store %s already belongs to this context",
                           s->fs->path);
    s->claimed = true;
    return SVCQ_OK;
}

static void fs_destroy(void *ud)
{
    (void)do_close(ud);
}

bool svcq__fstore_is(const svcq_store_methods *methods)
{
    return methods && (methods->begin == fs_begin || methods->begin == sess_begin);
}

int svcq__fstore_claim(svcq_ctx *ctx, const svcq_store_methods *methods)
{
    if (!methods->user_data)
        return svcq__error(ctx, SVCQ_EINVAL, "file store methods without a store");
    if (methods->begin == sess_begin)
        return sess_claim(ctx, methods->user_data);
    svcq_store_file *fs = methods->user_data;
    /* A store allocates through, and reports on, the context it was opened
     * with: on another context it would outlive or race that one. */
    if (fs->ctx != ctx)
        return svcq__error(ctx, SVCQ_EINVAL,
                           "file store %s was opened with another context; a file store belongs to the context "
                           "it was opened with (open it on this one)",
                           fs->path);
    fs_lock(fs);
    bool owned = fs->owned;
    uint32_t sessions = fs->sessions;
    if (!sessions && !owned)
        fs->owned = true;
    fs_unlock(fs);
    if (owned)
        return svcq__error(ctx, SVCQ_EBUSY, "file store %s already belongs to this context", fs->path);
    if (sessions)
        return svcq__error(ctx, SVCQ_EBUSY,
                           "file store %s is shared by %u session(s) (svcq_store_file_attach); attach one for "
                           "this context too",
                           fs->path, (unsigned)sessions);
    return SVCQ_OK;
}

bool svcq__fstore_read_only(const svcq_store_methods *methods)
{
    if (methods->begin == sess_begin)
        return false; /* read-only stores are not shared */
    const svcq_store_file *fs = methods->user_data;
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
    fs_lock(fs);
    uint32_t sessions = fs->sessions;
    fs_unlock(fs);
    if (sessions)
        return svcq__error(fs->ctx, SVCQ_EBUSY,
                           "%s still has %u session(s) attached: free their contexts (or give them another "
                           "store) first; nothing was closed",
                           fs->path, (unsigned)sessions);
    return do_close(fs);
}

int svcq_store_file_sync(svcq_store_file *fs)
{
    if (!fs)
        return SVCQ_EINVAL;
    fs_lock(fs);
    int rc = SVCQ_OK;
    if (fs->broken)
        rc = svcq__error(fs->ctx, SVCQ_EIO, "%s: an earlier sync failed; reopen the store", fs->path);
    else if (fs->unsynced && fs->sessions)
        rc = group_sync(fs, fs->ctx, fs->end); /* shared with the sessions' commits */
    else if (fs->unsynced && sync_now(fs) != 0) {
        fs->broken = true;
        rc = io_fail(fs, "fdatasync", fs->path);
    } else if (fs->unsynced == 0 && !fs->sessions)
        mark_durable(fs); /* one context: everything written is synced now */
    fs_unlock(fs);
    svcq__store_msg_clear(fs->ctx);
    return rc;
}

uint64_t svcq__fstore_syncs(svcq_store_file *fs)
{
    fs_lock(fs);
    uint64_t n = fs->syncs;
    fs_unlock(fs);
    return n;
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
    svcq_store_file *m = (svcq_store_file *)fs; /* the lock only */
    fs_lock(m);
    out->file_bytes = fs->end;
    out->live_bytes = fs->live_bytes;
    out->records = fs->ix.count;
    out->transactions = fs->tx_seq;
    out->unsynced_transactions = fs->unsynced;
    out->recovered_dropped_bytes = fs->dropped;
    fs_unlock(m);
    return SVCQ_OK;
}

typedef struct kind_count {
    char name[SVCQ_STORE_MAX_KIND + 1];
    uint64_t records;
} kind_count;

static int by_kind_name(const void *a, const void *b)
{
    return strcmp(((const kind_count *)a)->name, ((const kind_count *)b)->name);
}

int svcq_store_file_kinds(svcq_store_file *fs, svcq_store_kind_fn visit, void *user_data)
{
    if (!fs || !visit)
        return fs ? svcq__error(fs->ctx, SVCQ_EINVAL, "file store kinds: no callback") : SVCQ_EINVAL;
    /* A snapshot under the lock, visited without it: the callback may use
     * the store. */
    fs_lock(fs);
    size_t n = 0, iter = 0;
    const void *key;
    size_t keylen;
    void *value;
    while (svcq__map_next(&fs->ix.kinds, &iter, &key, &keylen, &value))
        n += ((svcq__kind *)value)->recs.count > 0;
    kind_count *kinds = n ? svcq__malloc(fs->ctx, n * sizeof(*kinds)) : NULL;
    if (n && !kinds) {
        fs_unlock(fs);
        return svcq__enomem(fs->ctx);
    }
    size_t k = 0;
    iter = 0;
    while (k < n && svcq__map_next(&fs->ix.kinds, &iter, &key, &keylen, &value)) {
        const svcq__kind *kind = value;
        if (kind->recs.count == 0)
            continue;
        memcpy(kinds[k].name, kind->name, kind->len);
        kinds[k].name[kind->len] = '\0';
        kinds[k].records = kind->recs.count;
        k++;
    }
    fs_unlock(fs);
    if (k)
        qsort(kinds, k, sizeof(*kinds), by_kind_name);
    int rc = SVCQ_OK;
    for (size_t i = 0; i < k && rc == SVCQ_OK; i++)
        rc = visit(kinds[i].name, kinds[i].records, user_data);
    svcq__free(fs->ctx, kinds);
    return rc;
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
    svcq__put_prep p;
    svcq__put_locate(ix, &p, f->kind, f->kindlen, f->id, f->idlen);
    svcq__rec *old = p.at.rec;
    if (f->type == SVCQ__JNL_DEL) {
        if (!old || old->revision != f->revision)
            return 1;
        svcq__kind *k;
        if (svcq__index_prepare(ix, f->kind, f->kindlen, &k) != SVCQ_OK)
            return SVCQ_ENOMEM;
        rp->live_tx -= old->frame_len;
        svcq__index_replace(ix, k, old, NULL);
        rp->ops++;
        return SVCQ_OK;
    }
    if (old && f->revision <= old->revision) {
        /* A record's revisions only grow. Across records they need not:
         * sessions of a shared store take revisions when they write and
         * commit in another order (docs/format.md). */
        return 1;
    }
    svcq__term_in terms[SVCQ_STORE_MAX_TERMS];
    size_t nterms;
    svcq__jnl_terms(f, terms, &nterms);
    if (svcq__put_prepare(ix, &p, f->kind, f->kindlen, terms, nterms) != SVCQ_OK)
        return SVCQ_ENOMEM;
    svcq__rec_contents c = { .revision = f->revision, .loc = pos, .size = f->size, .frame_len = f->frame_len };
    if (f->revision > rp->revision)
        rp->revision = f->revision;
    rp->live_tx += c.frame_len;
    if (old)
        rp->live_tx -= old->frame_len;
    svcq__put_place(ix, &p, &c);
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

    int rc = SVCQ_OK;
    if (pthread_mutex_init(&fs->lock, NULL) != 0) {
        rc = svcq__error(ctx, SVCQ_ENOMEM, "file store %s: no lock could be made", path);
    } else if (pthread_cond_init(&fs->synced, NULL) != 0) {
        (void)pthread_mutex_destroy(&fs->lock);
        rc = svcq__error(ctx, SVCQ_ENOMEM, "file store %s: no condition variable could be made", path);
    } else {
        fs->lock_ready = true;
    }
    if (!rc)
        rc = set_paths(fs, path);
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
    mark_durable(fs);
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

static int compact_locked(svcq_store_file *fs)
{
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
    mark_durable(fs);
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

int svcq_store_file_compact(svcq_store_file *fs)
{
    if (!fs)
        return SVCQ_EINVAL;
    /* A shared store: sessions wait meanwhile; commits waiting for their
     * sync finish first (their offsets are in the old journal). */
    fs_lock(fs);
    while (fs->syncing || fs->waiters || (fs->ix.in_tx && fs->ix.undo_len))
        (void)pthread_cond_wait(&fs->synced, &fs->lock);
    int rc = compact_locked(fs);
    fs_unlock(fs);
    return rc;
}
