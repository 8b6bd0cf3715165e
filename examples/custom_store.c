/* custom_store: a host-supplied store plugged in through the callback table.
 *
 * The store keeps one file per record in a directory, the way a host with
 * no database at hand might. Each record lives in "<revision>.rec"
 * ("<kind>\n<id>\n" then the value bytes), written to a temporary name,
 * synced, and renamed into place, so a record file is always whole. The
 * store-wide revision counter lives in "REVISION" (written the same way).
 * A revision is never handed out twice for one (kind, id) — the storage
 * contract asks for it, because a handle that saw a revision (even one of a
 * transaction that was rolled back) could otherwise win a compare-and-swap
 * it should lose: the counter never goes back, not on rollback, not after a
 * record was removed and created again, and the file is brought up to date
 * by each commit and by a rollback that handed revisions out, so a restart
 * does not go back either. An in-memory list says which file holds which
 * (kind, id); it is rebuilt from the directory at open, where the highest
 * revision of an id wins.
 *
 * A transaction is staged in memory and written at commit. This keeps the
 * example short, and it is where it falls short of a database: a crash in
 * the middle of a commit can leave some records of the transaction
 * written and others not. A real host maps begin/commit/rollback onto its
 * database's transactions. The linear list is for a handful of records.
 *
 * The store passes libsvcq's store conformance suite
 * (tests/unit/store_conformance.c runs it). Run: custom_store [DIRECTORY]
 * (without one, a temporary directory is used and removed). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <svcq.h>

/* ---- the store ---------------------------------------------------------- */

typedef struct entry {
    char *kind;
    char *id;
    uint64_t revision; /* the file "<revision>.rec" holds it */
} entry;

/* A staged write: a put (value != NULL or size 0 with is_put) or a remove. */
typedef struct op {
    char *kind;
    char *id;
    int is_put;
    uint64_t revision; /* put: the new revision; remove: the one removed */
    unsigned char *value;
    size_t size;
} op;

typedef struct dirstore {
    char *root;
    entry *entries;
    size_t count, cap;
    uint64_t counter;       /* last revision handed out; never goes back */
    uint64_t saved;         /* the counter as "REVISION" holds it */
    int in_tx;
    op *ops;
    size_t nops, capops;
} dirstore;

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static char *path_of(const dirstore *ds, const char *name)
{
    size_t n = strlen(ds->root) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", ds->root, name);
    return p;
}

/* Writes data to name atomically: a temporary file, synced, renamed. */
static int write_atomic(const dirstore *ds, const char *name, const void *head, size_t headlen,
                        const void *data, size_t size)
{
    char tmpname[64];
    snprintf(tmpname, sizeof(tmpname), "%s.tmp", name);
    char *tmp = path_of(ds, tmpname), *dst = path_of(ds, name);
    int rc = SVCQ_ENOMEM;
    if (tmp && dst) {
        rc = SVCQ_EIO;
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            int ok = write(fd, head, headlen) == (ssize_t)headlen &&
                     (size == 0 || write(fd, data, size) == (ssize_t)size) && fsync(fd) == 0;
            ok = close(fd) == 0 && ok;
            if (ok && rename(tmp, dst) == 0)
                rc = SVCQ_OK;
            else
                unlink(tmp);
        }
    }
    free(tmp);
    free(dst);
    return rc;
}

static int sync_dir(const dirstore *ds)
{
    int fd = open(ds->root, O_RDONLY);
    if (fd < 0)
        return SVCQ_EIO;
    int rc = fsync(fd) == 0 || errno == EINVAL ? SVCQ_OK : SVCQ_EIO;
    close(fd);
    return rc;
}

static entry *find(const dirstore *ds, const char *kind, const char *id)
{
    for (size_t i = 0; i < ds->count; i++)
        if (strcmp(ds->entries[i].kind, kind) == 0 && strcmp(ds->entries[i].id, id) == 0)
            return &ds->entries[i];
    return NULL;
}

/* The last staged write of (kind, id), if any. */
static op *staged(const dirstore *ds, const char *kind, const char *id)
{
    for (size_t i = ds->nops; i-- > 0;)
        if (strcmp(ds->ops[i].kind, kind) == 0 && strcmp(ds->ops[i].id, id) == 0)
            return &ds->ops[i];
    return NULL;
}

/* The revision (kind, id) has in the open transaction; 0 when absent. */
static uint64_t current(const dirstore *ds, const char *kind, const char *id)
{
    const op *o = staged(ds, kind, id);
    if (o)
        return o->is_put ? o->revision : 0;
    const entry *e = find(ds, kind, id);
    return e ? e->revision : 0;
}

/* Reads record file rev: its kind and id lines and its value. */
static int read_record(const dirstore *ds, uint64_t rev, char **kind, char **id, unsigned char **value,
                       size_t *size)
{
    char name[32];
    snprintf(name, sizeof(name), "%" PRIu64 ".rec", rev);
    char *path = path_of(ds, name);
    FILE *f = path ? fopen(path, "rb") : NULL;
    free(path);
    if (!f)
        return SVCQ_EIO;
    unsigned char *data = NULL;
    size_t len = 0, cap = 0, got;
    do {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            unsigned char *p = realloc(data, cap + 1);
            if (!p) {
                free(data);
                fclose(f);
                return SVCQ_ENOMEM;
            }
            data = p;
        }
        got = fread(data + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    int err = ferror(f);
    fclose(f);
    unsigned char *nl1 = err ? NULL : memchr(data, '\n', len);
    unsigned char *nl2 = nl1 ? memchr(nl1 + 1, '\n', len - (size_t)(nl1 + 1 - data)) : NULL;
    if (!nl2) {
        free(data);
        return SVCQ_ECORRUPT;
    }
    *nl1 = *nl2 = '\0';
    int rc = SVCQ_OK;
    if (kind && !(*kind = dupstr((char *)data)))
        rc = SVCQ_ENOMEM;
    if (id && rc == SVCQ_OK && !(*id = dupstr((char *)nl1 + 1)))
        rc = SVCQ_ENOMEM;
    if (value && rc == SVCQ_OK) {
        *size = len - (size_t)(nl2 + 1 - data);
        *value = malloc(*size ? *size : 1);
        if (*value)
            memcpy(*value, nl2 + 1, *size);
        else
            rc = SVCQ_ENOMEM;
    }
    free(data);
    return rc;
}

static int add_entry(dirstore *ds, char *kind, char *id, uint64_t rev)
{
    if (ds->count == ds->cap) {
        size_t cap = ds->cap ? ds->cap * 2 : 16;
        entry *e = realloc(ds->entries, cap * sizeof(*e));
        if (!e)
            return SVCQ_ENOMEM;
        ds->entries = e;
        ds->cap = cap;
    }
    ds->entries[ds->count++] = (entry){ kind, id, rev };
    return SVCQ_OK;
}

static void unlink_record(const dirstore *ds, uint64_t rev)
{
    char name[32];
    snprintf(name, sizeof(name), "%" PRIu64 ".rec", rev);
    char *path = path_of(ds, name);
    if (path)
        unlink(path);
    free(path);
}

static void clear_entries(dirstore *ds)
{
    for (size_t i = 0; i < ds->count; i++) {
        free(ds->entries[i].kind);
        free(ds->entries[i].id);
    }
    ds->count = 0;
}

/* Writes the counter to "REVISION" if it moved since it was last written. */
static int save_counter(dirstore *ds)
{
    if (ds->counter == ds->saved)
        return SVCQ_OK;
    char num[32];
    int n = snprintf(num, sizeof(num), "%" PRIu64 "\n", ds->counter);
    int rc = write_atomic(ds, "REVISION", num, (size_t)n, NULL, 0);
    if (rc == SVCQ_OK)
        ds->saved = ds->counter;
    return rc;
}

/* Rebuilds the list from the directory. The counter only ever grows. */
static int load(dirstore *ds)
{
    clear_entries(ds);
    char *path = path_of(ds, "REVISION");
    FILE *f = path ? fopen(path, "r") : NULL;
    free(path);
    if (f) {
        uint64_t saved;
        if (fscanf(f, "%" SCNu64, &saved) == 1) {
            ds->saved = saved;
            if (saved > ds->counter)
                ds->counter = saved;
        }
        fclose(f);
    }
    DIR *d = opendir(ds->root);
    if (!d)
        return SVCQ_EIO;
    int rc = SVCQ_OK;
    struct dirent *de;
    while (rc == SVCQ_OK && (de = readdir(d))) {
        uint64_t rev;
        char tail[8];
        if (sscanf(de->d_name, "%" SCNu64 ".%7s", &rev, tail) != 2 || strcmp(tail, "rec") != 0 || rev == 0) {
            size_t n = strlen(de->d_name);
            if (n > 4 && strcmp(de->d_name + n - 4, ".tmp") == 0) {
                char *p = path_of(ds, de->d_name);
                if (p)
                    unlink(p); /* a write that did not finish */
                free(p);
            }
            continue;
        }
        char *kind = NULL, *id = NULL;
        rc = read_record(ds, rev, &kind, &id, NULL, NULL);
        if (rc)
            break;
        if (rev > ds->counter)
            ds->counter = rev;
        entry *e = find(ds, kind, id);
        if (e && e->revision > rev) {
            unlink_record(ds, rev); /* superseded by a later commit */
            free(kind);
            free(id);
        } else if (e) {
            unlink_record(ds, e->revision);
            e->revision = rev;
            free(kind);
            free(id);
        } else if ((rc = add_entry(ds, kind, id, rev)) != SVCQ_OK) {
            free(kind);
            free(id);
        }
    }
    closedir(d);
    return rc;
}

static void drop_ops(dirstore *ds)
{
    for (size_t i = 0; i < ds->nops; i++) {
        free(ds->ops[i].kind);
        free(ds->ops[i].id);
        free(ds->ops[i].value);
    }
    ds->nops = 0;
}

static int stage(dirstore *ds, const char *kind, const char *id, int is_put, uint64_t rev, const void *bytes,
                 size_t size)
{
    if (ds->nops == ds->capops) {
        size_t cap = ds->capops ? ds->capops * 2 : 16;
        op *o = realloc(ds->ops, cap * sizeof(*o));
        if (!o)
            return SVCQ_ENOMEM;
        ds->ops = o;
        ds->capops = cap;
    }
    op o = { dupstr(kind), dupstr(id), is_put, rev, NULL, size };
    if (size) {
        o.value = malloc(size);
        if (o.value)
            memcpy(o.value, bytes, size);
    }
    if (!o.kind || !o.id || (size && !o.value)) {
        free(o.kind);
        free(o.id);
        free(o.value);
        return SVCQ_ENOMEM;
    }
    ds->ops[ds->nops++] = o;
    return SVCQ_OK;
}

/* ---- the callbacks -------------------------------------------------------- */

static int ds_begin(void *ud)
{
    dirstore *ds = ud;
    if (ds->in_tx)
        return SVCQ_ESTATE;
    ds->in_tx = 1;
    return SVCQ_OK;
}

static int ds_rollback(void *ud)
{
    dirstore *ds = ud;
    drop_ops(ds);
    ds->in_tx = 0;
    /* The revisions the transaction handed out stay spent, after a restart
     * too. A failure here is retried by the next commit and at close. */
    (void)save_counter(ds);
    return SVCQ_OK;
}

static int ds_commit(void *ud)
{
    dirstore *ds = ud;
    if (!ds->in_tx)
        return SVCQ_ESTATE;
    int rc = save_counter(ds);
    /* Write the new record files, then drop the replaced ones. */
    for (size_t i = 0; rc == SVCQ_OK && i < ds->nops; i++) {
        op *o = &ds->ops[i];
        if (!o->is_put)
            continue;
        char name[32];
        snprintf(name, sizeof(name), "%" PRIu64 ".rec", o->revision);
        size_t hl = strlen(o->kind) + strlen(o->id) + 2;
        char *head = malloc(hl + 1);
        if (!head) {
            rc = SVCQ_ENOMEM;
            break;
        }
        snprintf(head, hl + 1, "%s\n%s\n", o->kind, o->id);
        rc = write_atomic(ds, name, head, hl, o->value, o->size);
        free(head);
    }
    if (rc == SVCQ_OK)
        rc = sync_dir(ds);
    /* Everything is on disk now; what is left is bookkeeping. */
    int written = rc == SVCQ_OK;
    for (size_t i = 0; written && rc == SVCQ_OK && i < ds->nops; i++) {
        op *o = &ds->ops[i];
        entry *e = find(ds, o->kind, o->id);
        if (e)
            unlink_record(ds, e->revision);
        if (o->is_put && e) {
            e->revision = o->revision;
        } else if (o->is_put) {
            rc = add_entry(ds, o->kind, o->id, o->revision);
            if (rc == SVCQ_OK)
                o->kind = o->id = NULL; /* the list has them now */
        } else if (e) {
            free(e->kind);
            free(e->id);
            *e = ds->entries[--ds->count];
        }
    }
    drop_ops(ds);
    ds->in_tx = 0;
    /* After a failure, trust the directory rather than the list. A commit
     * that reached the disk whole has succeeded all the same. */
    if (rc != SVCQ_OK && load(ds) == SVCQ_OK && written)
        rc = SVCQ_OK;
    return rc;
}

static int ds_get(const char *kind, const char *id, svcq_store_visit_fn visit, void *vud, void *ud)
{
    dirstore *ds = ud;
    const op *o = staged(ds, kind, id);
    if (o)
        return o->is_put ? visit(id, o->revision, o->value, o->size, vud) : SVCQ_ENOTFOUND;
    const entry *e = find(ds, kind, id);
    if (!e)
        return SVCQ_ENOTFOUND;
    unsigned char *value;
    size_t size;
    int rc = read_record(ds, e->revision, NULL, NULL, &value, &size);
    if (rc)
        return rc;
    rc = visit(id, e->revision, value, size, vud);
    free(value);
    return rc;
}

static int ds_put(const char *kind, const char *id, uint64_t expected, const void *bytes, size_t size,
                  uint64_t *new_revision, void *ud)
{
    dirstore *ds = ud;
    if (!ds->in_tx)
        return SVCQ_ESTATE;
    if (current(ds, kind, id) != expected)
        return SVCQ_ECONFLICT;
    int rc = stage(ds, kind, id, 1, ds->counter + 1, bytes, size);
    if (rc)
        return rc;
    *new_revision = ++ds->counter;
    return SVCQ_OK;
}

static int ds_remove(const char *kind, const char *id, uint64_t expected, void *ud)
{
    dirstore *ds = ud;
    if (!ds->in_tx)
        return SVCQ_ESTATE;
    uint64_t rev = current(ds, kind, id);
    if (rev == 0)
        return SVCQ_ENOTFOUND;
    if (rev != expected)
        return SVCQ_ECONFLICT;
    return stage(ds, kind, id, 0, rev, NULL, 0);
}

static int ds_scan(const char *kind, svcq_store_visit_fn visit, void *vud, void *ud)
{
    dirstore *ds = ud;
    /* Committed records without a staged write, then the staged puts
     * (each id once: its last write). */
    for (size_t i = 0; i < ds->count; i++) {
        const entry *e = &ds->entries[i];
        if (strcmp(e->kind, kind) != 0 || staged(ds, kind, e->id))
            continue;
        int rc = ds_get(kind, e->id, visit, vud, ud);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < ds->nops; i++) {
        const op *o = &ds->ops[i];
        if (strcmp(o->kind, kind) != 0 || staged(ds, kind, o->id) != o || !o->is_put)
            continue;
        int rc = visit(o->id, o->revision, o->value, o->size, vud);
        if (rc)
            return rc;
    }
    return SVCQ_OK;
}

static void ds_destroy(void *ud)
{
    dirstore *ds = ud;
    drop_ops(ds);
    (void)save_counter(ds);
    clear_entries(ds);
    free(ds->entries);
    free(ds->ops);
    free(ds->root);
    free(ds);
}

/* Opens (creating it if needed) a directory store and fills *out with its
 * table; the context that gets the table destroys the store. */
int dirstore_open(const char *root, svcq_store_methods *out);
int dirstore_open(const char *root, svcq_store_methods *out)
{
    if (mkdir(root, 0700) != 0 && errno != EEXIST)
        return SVCQ_EIO;
    dirstore *ds = calloc(1, sizeof(*ds));
    if (!ds || !(ds->root = dupstr(root))) {
        free(ds);
        return SVCQ_ENOMEM;
    }
    int rc = load(ds);
    if (rc == SVCQ_OK)
        rc = svcq_store_methods_init(out, SVCQ_STORE_METHODS_VERSION);
    if (rc != SVCQ_OK) {
        ds_destroy(ds);
        return rc;
    }
    out->user_data = ds;
    out->begin = ds_begin;
    out->commit = ds_commit;
    out->rollback = ds_rollback;
    out->get = ds_get;
    out->put = ds_put;
    out->remove = ds_remove;
    out->scan = ds_scan;
    out->destroy = ds_destroy;
    return SVCQ_OK;
}

/* ---- the program ------------------------------------------------------------- */

#ifndef CUSTOM_STORE_NO_MAIN

static int print_record(const char *id, uint64_t revision, const void *bytes, size_t size, void *user_data)
{
    (void)user_data;
    printf("  %s @%" PRIu64 ": %.*s\n", id, revision, (int)size, (const char *)bytes);
    return 0;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
            char p[4096];
            snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
            unlink(p);
        }
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    char tmpl[] = "/tmp/svcq-custom-store-XXXXXX";
    const char *dir = argc > 1 ? argv[1] : mkdtemp(tmpl);
    if (!dir) {
        perror("mkdtemp");
        return 1;
    }
    svcq_ctx *ctx;
    if (svcq_ctx_new(&ctx, NULL) != SVCQ_OK)
        return 1;
    svcq_store_methods methods;
    int rc = dirstore_open(dir, &methods);
    if (rc != SVCQ_OK) {
        fprintf(stderr, "cannot open %s: %s\n", dir, svcq_strerror(rc));
        svcq_ctx_free(ctx);
        return 1;
    }
    /* Copied into the context, which owns the store from now on. */
    rc = svcq_ctx_set_store(ctx, &methods);
    if (rc != SVCQ_OK) {
        fprintf(stderr, "set_store: %s\n", svcq_ctx_errmsg(ctx));
        methods.destroy(methods.user_data);
        svcq_ctx_free(ctx);
        return 1;
    }
    /* Every record the library persists now goes to the directory; a batch
     * groups many library calls into one of the store's transactions. */
    rc = svcq_ctx_batch_begin(ctx);
    if (rc == SVCQ_OK)
        rc = svcq_ctx_batch_commit(ctx);
    if (rc != SVCQ_OK) {
        fprintf(stderr, "batch: %s\n", svcq_ctx_errmsg(ctx));
        svcq_ctx_free(ctx);
        return 1;
    }

    /* What the library does with it, shown through the table itself:
     * compare-and-swap writes inside a transaction. */
    uint64_t rev = 0, stale;
    void *ud = methods.user_data;
    const char *doc = "{\"schema\":\"svcq.example/1\",\"note\":\"hello\"}";
    methods.begin(ud);
    rc = methods.put("example", "greeting", 0, doc, strlen(doc), &rev, ud);
    if (rc == SVCQ_ECONFLICT) /* kept from an earlier run in DIRECTORY */
        rc = methods.rollback(ud);
    else if (rc == SVCQ_OK)
        rc = methods.commit(ud);
    printf("records of kind \"example\" in %s:\n", dir);
    if (rc == SVCQ_OK)
        rc = methods.scan("example", print_record, NULL, ud);
    methods.begin(ud);
    int conflict = methods.put("example", "greeting", 0, doc, strlen(doc), &stale, ud);
    methods.rollback(ud);
    printf("a second create of the same id: %s\n", svcq_strerror(conflict));

    svcq_ctx_free(ctx); /* destroys the store */
    if (argc <= 1)
        remove_tree(dir);
    return rc == SVCQ_OK && conflict == SVCQ_ECONFLICT ? 0 : 1;
}

#endif
