/* The context's store: the callback table, transaction scopes, the outer
 * batch and the undo log (see store/store.h for the pattern), kept in the
 * store module's slot of the context (svcq__store_state). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str.h"
#include "core/utf8.h"
#include "store/store.h"

/* ---- names ------------------------------------------------------------ */

/* Bytes allowed in a kind or a term name: a-z, 0-9 and _. */
static const unsigned char name_byte[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['_'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
    ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1,
    ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

bool svcq__store_kind_valid(const char *kind, size_t len)
{
    if (len == 0 || len > SVCQ_STORE_MAX_KIND || kind[0] < 'a' || kind[0] > 'z')
        return false;
    for (size_t i = 0; i < len; i++)
        if (!name_byte[(unsigned char)kind[i]])
            return false;
    return true;
}

/* The length of the NUL-terminated name at s when it is 1-max bytes of
 * a-z, 0-9 and _ starting with a letter, else 0: the length and the bytes
 * in one pass (the NUL is not a name byte), reading nothing past the NUL
 * or past s[max]. */
static size_t name_len(const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    if ((unsigned)(p[0] - 'a') > 'z' - 'a')
        return 0;
    size_t i = 1;
    while (name_byte[p[i]])
        if (++i > max)
            return 0;
    return p[i] ? 0 : i;
}

/* The full check, for ids with a byte outside printable ASCII: controls
 * eight bytes at a time, UTF-8 when a high bit was seen. */
static bool id_valid_slow(const char *id, size_t len)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    uint64_t high = 0;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w, x;
        memcpy(&w, id + i, 8);
        x = w ^ (ones * 0x7F);
        if (((w - ones * 0x20) & ~w & highs) | ((x - ones) & ~x & highs))
            return false;
        high |= w;
    }
    for (; i < len; i++) {
        unsigned char c = (unsigned char)id[i];
        if (c < 0x20 || c == 0x7F)
            return false;
        high |= c;
    }
    return !(high & highs) || svcq__utf8_valid(id, len);
}

/* svcq__store_id_valid, inlined in the checks of every put. */
static inline bool id_ok(const char *id, size_t len)
{
    if (len == 0 || len > SVCQ_STORE_MAX_ID)
        return false;
    /* Printable ASCII, the ids and term values the library makes, a word
     * at a time: whole words, then the last eight bytes again (or two
     * overlapping halves of a short id); anything else takes the full
     * check. */
    uint64_t w;
    if (len >= 8) {
        for (size_t i = 0; i + 8 < len; i += 8) {
            memcpy(&w, id + i, 8);
            if (!svcq__printable8(w))
                return id_valid_slow(id, len);
        }
        memcpy(&w, id + len - 8, 8);
    } else if (len >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, id, 4);
        memcpy(&hi, id + len - 4, 4);
        w = (uint64_t)hi << 32 | lo;
    } else {
        w = UINT64_C(0x2020202020202020);
        for (size_t i = 0; i < len; i++)
            w = w << 8 | (unsigned char)id[i];
    }
    return svcq__printable8(w) || id_valid_slow(id, len);
}

bool svcq__store_id_valid(const char *id, size_t len)
{
    return id_ok(id, len);
}

int svcq__store_check_kind(svcq_ctx *ctx, const char *kind)
{
    if (!kind)
        return svcq__error(ctx, SVCQ_EINVAL, "record kind is NULL");
    if (!name_len(kind, SVCQ_STORE_MAX_KIND))
        return svcq__error(ctx, SVCQ_EINVAL,
                        "record kind must be 1-%d bytes of a-z, 0-9 and _, starting with a letter",
                        SVCQ_STORE_MAX_KIND);
    return SVCQ_OK;
}

int svcq__store_check_id(svcq_ctx *ctx, const char *id)
{
    if (!id)
        return svcq__error(ctx, SVCQ_EINVAL, "record id is NULL");
    size_t len = strnlen(id, SVCQ_STORE_MAX_ID + 1);
    /* One pass for the ids that pass (svcq__store_id_valid checks UTF-8
     * too); the others are checked again below for the message. */
    if (id_ok(id, len))
        return SVCQ_OK;
    if (len == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "record id is empty");
    if (len > SVCQ_STORE_MAX_ID)
        return svcq__error(ctx, SVCQ_EINVAL, "record id is longer than %d bytes", SVCQ_STORE_MAX_ID);
    if (!svcq__utf8_valid(id, len))
        return svcq__error(ctx, SVCQ_EINVAL, "record id is not valid UTF-8");
    if (!svcq__store_id_valid(id, len))
        return svcq__error(ctx, SVCQ_EINVAL, "record id contains a control character");
    return SVCQ_OK;
}

uint64_t svcq_store_limit(int32_t which)
{
    switch (which) {
    case SVCQ_STORE_LIMIT_KIND: return SVCQ_STORE_MAX_KIND;
    case SVCQ_STORE_LIMIT_ID: return SVCQ_STORE_MAX_ID;
    case SVCQ_STORE_LIMIT_VALUE: return SVCQ_STORE_MAX_VALUE;
    }
    return 0;
}

/* ---- the table ---------------------------------------------------------- */

int svcq_store_methods_init(svcq_store_methods *methods, uint32_t version)
{
    return svcq__table_init(methods, sizeof(*methods), version, SVCQ_STORE_METHODS_VERSION);
}

int svcq_store_term_init(svcq_store_term *term, uint32_t version)
{
    return svcq__table_init(term, sizeof(*term), version, SVCQ_STORE_TERM_VERSION);
}

/* Runs, newest first, the undo entries above mark: undo, or release for
 * an entry without undo. */
static void undo_to(svcq_ctx *ctx, svcq__store_state *st, size_t mark)
{
    while (st->undo_len > mark) {
        svcq__undo_entry e = st->undo[--st->undo_len];
        if (e.undo)
            e.undo(ctx, e.data, e.arg);
        else if (e.release)
            e.release(ctx, e.data, e.arg);
    }
}

/* Releases every entry without undoing (commit, or a context going away). */
static void release_all(svcq_ctx *ctx, svcq__store_state *st)
{
    while (st->undo_len > 0) {
        svcq__undo_entry e = st->undo[--st->undo_len];
        if (e.release)
            e.release(ctx, e.data, e.arg);
    }
}

static void destroy_store(svcq__store_state *st)
{
    if (st->store.version && st->store.destroy) {
        st->store_busy = true;
        st->store.destroy(st->store.user_data);
        st->store_busy = false;
    }
    memset(&st->store, 0, sizeof(st->store));
    st->read_only = false;
}

/* svcq_ctx_free: ends an open transaction (rolled back), releases the undo
 * log and destroys the store. */
static void teardown(svcq_ctx *ctx, void *state)
{
    svcq__store_state *st = state;
    if (st->store_tx_open) {
        st->store_busy = true;
        (void)st->store.rollback(st->store.user_data);
        st->store_busy = false;
        st->store_tx_open = false;
    }
    release_all(ctx, st);
    destroy_store(st);
    svcq__free(ctx, st->undo);
    svcq__free(ctx, st);
}

svcq__store_state *svcq__store_state_get(svcq_ctx *ctx)
{
    svcq__store_state *st = svcq__store_peek(ctx);
    if (SVCQ__LIKELY(st != NULL))
        return st;
    st = svcq__calloc(ctx, 1, sizeof(*st));
    if (!st) {
        (void)svcq__enomem(ctx);
        return NULL;
    }
    int rc = svcq__ctx_slot_set(ctx, SVCQ__SLOT_STORE, st, teardown);
    (void)rc; /* the slot was empty */
    return st;
}

void svcq__store_msg_clear(svcq_ctx *ctx)
{
    svcq__store_state *st = svcq__store_peek(ctx);
    if (st)
        st->store_msg = false;
}

/* The state with a store in it (the default memory store made if none was
 * set); NULL with the error recorded. */
static svcq__store_state *ready(svcq_ctx *ctx)
{
    svcq__store_state *st = svcq__store_state_get(ctx);
    if (!st || st->store.version)
        return st;
    if (svcq__memstore_new(ctx, &st->store) != SVCQ_OK)
        return NULL;
    return st;
}

static bool all_null(void *const *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

int svcq_ctx_set_store(svcq_ctx *ctx, const svcq_store_methods *methods)
{
    if (!ctx)
        return SVCQ_EINVAL;
    svcq__store_state *st = svcq__store_peek(ctx);
    if (st && (st->tx_depth || st->batch_open || st->store_tx_open || st->store_busy))
        return svcq__error(ctx, SVCQ_ESTATE, "the store cannot change while a transaction is open");
    if (!methods) {
        if (st)
            destroy_store(st);
        return SVCQ_OK;
    }
    if (methods->version == 0 || methods->version > SVCQ_STORE_METHODS_VERSION)
        return svcq__error(ctx, SVCQ_EVERSION, "store methods version %u is not supported (this library knows 1 to %d)",
                        methods->version, SVCQ_STORE_METHODS_VERSION);
    if (methods->reserved0 || !all_null(methods->reserved, sizeof(methods->reserved) / sizeof(methods->reserved[0])))
        return svcq__error(ctx, SVCQ_EINVAL, "store methods: reserved fields must be zero");
    if (methods->version < 2 && (methods->put2 || methods->scan_range || methods->scan_term))
        return svcq__error(ctx, SVCQ_EINVAL,
                           "store methods version 1: the slots of put2, scan_range and scan_term are reserved "
                           "there and must be NULL (set version 2 to use them)");
    if (!methods->put2 != !methods->scan_term)
        return svcq__error(ctx, SVCQ_EINVAL, "store methods: %s is set without %s (index terms need both)",
                           methods->put2 ? "put2" : "scan_term", methods->put2 ? "scan_term" : "put2");
    static const char *const names[] = { "begin", "commit", "rollback", "get", "put", "remove", "scan" };
    const bool present[] = { methods->begin, methods->commit, methods->rollback, methods->get,
                             methods->put, methods->remove, methods->scan };
    for (size_t i = 0; i < sizeof(present) / sizeof(present[0]); i++)
        if (!present[i])
            return svcq__error(ctx, SVCQ_EINVAL, "store methods: the %s callback is missing", names[i]);
    st = svcq__store_state_get(ctx);
    if (!st)
        return SVCQ_ENOMEM;
    bool file = svcq__fstore_is(methods);
    if (file) {
        int rc = svcq__fstore_claim(ctx, methods);
        if (rc)
            return rc;
    }
    destroy_store(st);
    /* Versions 1 and 2 have the same size (version 1's reserved slots
     * are NULL, checked above); a later version would copy only the
     * slots the caller's version has and leave the rest NULL. */
    st->store = *methods;
    st->read_only = file && svcq__fstore_read_only(methods);
    return SVCQ_OK;
}

/* ---- error mapping -------------------------------------------------------- */

int svcq__store_fail(svcq_ctx *ctx, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(ctx->errmsg))
        ctx->errmsg[svcq__utf8_trim(ctx->errmsg, sizeof(ctx->errmsg) - 1)] = '\0';
    /* No state yet: not inside a callback (a file store being opened),
     * where the message simply stands. */
    svcq__store_state *st = svcq__store_peek(ctx);
    if (st)
        st->store_msg = true;
    return code;
}

int svcq_store_set_error(svcq_ctx *ctx, int code, const char *message)
{
    if (!ctx)
        return code;
    if (!message || !*message)
        return svcq__store_fail(ctx, code, "%s", svcq_strerror(code));
    /* A host's text (a server's message, an exception) may have line
     * breaks, control characters or bytes that are not UTF-8; the context's
     * message is one line of UTF-8. */
    char line[SVCQ__ERRMSG_SIZE];
    size_t n = 0, len = strlen(message);
    for (size_t i = 0; i < len && n + 4 < sizeof(line);) {
        uint32_t cp;
        size_t k = svcq__utf8_decode((const unsigned char *)message + i, len - i, &cp);
        if (!k) {
            line[n++] = '?';
            i++;
        } else if (cp < 0x20 || cp == 0x7f) {
            if (n && line[n - 1] != ' ')
                line[n++] = ' ';
            i += k;
        } else {
            memcpy(line + n, message + i, k);
            n += k;
            i += k;
        }
    }
    while (n && line[n - 1] == ' ')
        n--;
    line[n] = '\0';
    return svcq__store_fail(ctx, code, "%s", n ? line : svcq_strerror(code));
}

/* What a callback returned, as the library reports it (svcq/store.h).
 * allowed: the "meaningful" codes of this callback (ECONFLICT/ENOTFOUND).
 * lost: whether such a failure loses the open transaction. */
static int map_rc(svcq_ctx *ctx, svcq__store_state *st, int rc, const char *cb, const char *kind, const char *id, int allow1,
                  int allow2)
{
    int out;
    bool meaningful = rc == allow1 || rc == allow2;
    if (meaningful || rc == SVCQ_ENOMEM || rc == SVCQ_EIO || rc == SVCQ_EBUSY || rc == SVCQ_ECORRUPT ||
        rc == SVCQ_ELIMIT)
        out = rc;
    else
        out = SVCQ_ESTORE;
    if (!meaningful && st->store_tx_open)
        st->tx_aborted = true;
    char detail[SVCQ__ERRMSG_SIZE];
    if (st->store_msg)
        snprintf(detail, sizeof(detail), "%s", ctx->errmsg);
    else if (rc >= SVCQ__ERROR_MIN && rc < 0)
        snprintf(detail, sizeof(detail), "%s", svcq_strerror(rc));
    else
        snprintf(detail, sizeof(detail), "returned %d", rc);
    st->store_msg = false;
    if (kind && id)
        return svcq__error(ctx, out, "store %s(%s, %s): %s", cb, kind, id, detail);
    if (kind)
        return svcq__error(ctx, out, "store %s(%s): %s", cb, kind, detail);
    return svcq__error(ctx, out, "store %s: %s", cb, detail);
}

/* ---- transactions ---------------------------------------------------------- */

static int store_begin(svcq_ctx *ctx, svcq__store_state *st)
{
    st->store_msg = false;
    st->store_busy = true;
    int rc = st->store.begin(st->store.user_data);
    st->store_busy = false;
    if (rc)
        return map_rc(ctx, st, rc, "begin", NULL, NULL, 0, 0);
    st->store_tx_open = true;
    st->tx_aborted = false;
    return SVCQ_OK;
}

static int store_rollback(svcq_ctx *ctx, svcq__store_state *st)
{
    st->store_msg = false;
    st->store_busy = true;
    int rc = st->store.rollback(st->store.user_data);
    st->store_busy = false;
    st->store_tx_open = false;
    st->tx_aborted = false;
    return rc ? map_rc(ctx, st, rc, "rollback", NULL, NULL, 0, 0) : SVCQ_OK;
}

/* Ends the store transaction: commit when ok, else rollback; the undo log
 * is released or run accordingly. Returns the commit's result. */
static int finish(svcq_ctx *ctx, svcq__store_state *st, bool ok)
{
    st->undo_room = 0;
    if (ok) {
        st->store_msg = false;
        st->store_busy = true;
        int rc = st->store.commit(st->store.user_data);
        st->store_busy = false;
        if (rc == 0) {
            st->store_tx_open = false;
            release_all(ctx, st);
            return SVCQ_OK;
        }
        /* A store that checks compare-and-swap at commit (a shared file
         * store, a database's serialization failure) reports a conflict. */
        rc = map_rc(ctx, st, rc, "commit", NULL, NULL, SVCQ_ECONFLICT, 0);
        /* The contract asks a store whose commit failed to have applied
         * nothing; the rollback ends what is left of the transaction. Its
         * own failure would only hide the commit's message. */
        char msg[SVCQ__ERRMSG_SIZE];
        memcpy(msg, ctx->errmsg, sizeof(msg));
        (void)store_rollback(ctx, st);
        memcpy(ctx->errmsg, msg, sizeof(msg));
        undo_to(ctx, st, 0);
        return rc;
    }
    int rc = store_rollback(ctx, st);
    undo_to(ctx, st, 0);
    return rc;
}

int svcq__tx_begin(svcq_ctx *ctx, svcq__tx *tx)
{
    tx->began = false;
    svcq__store_state *st = ready(ctx);
    if (!st)
        return SVCQ_ENOMEM;
    if (st->store_busy)
        return svcq__error(ctx, SVCQ_ESTATE, "the store cannot be used from inside a store callback");
    if (st->tx_aborted)
        return svcq__error(ctx, SVCQ_ESTATE,
                        "the batch was aborted by a failed call that had written; roll it back");
    int rc;
    if (st->tx_depth == 0) {
        rc = store_begin(ctx, st);
        if (rc)
            return rc;
    }
    st->tx_depth++;
    tx->undo_mark = st->undo_len;
    tx->room_mark = st->undo_room;
    tx->writes_mark = st->store_writes;
    tx->began = true;
    return SVCQ_OK;
}

int svcq__tx_end(svcq_ctx *ctx, svcq__tx *tx, int rc)
{
    if (!tx->began)
        return rc;
    tx->began = false;
    svcq__store_state *st = svcq__store_peek(ctx);
    st->tx_depth--;
    /* Reservations the scope did not use end with it. (Only ever lowered:
     * undo_cap >= undo_len + undo_room holds throughout.) */
    if (st->undo_room > tx->room_mark)
        st->undo_room = tx->room_mark;
    if (st->tx_depth > 0) {
        /* Inside a batch or an enclosing call. */
        if (rc) {
            undo_to(ctx, st, tx->undo_mark);
            if (st->store_writes != tx->writes_mark)
                st->tx_aborted = true;
        }
        return rc;
    }
    if (rc == SVCQ_OK && st->tx_aborted) {
        rc = svcq__error(ctx, SVCQ_ESTATE, "a call inside this one failed after writing; nothing was stored");
        (void)finish(ctx, st, false);
        return rc;
    }
    if (rc) {
        char msg[SVCQ__ERRMSG_SIZE];
        memcpy(msg, ctx->errmsg, sizeof(msg));
        (void)finish(ctx, st, false);
        memcpy(ctx->errmsg, msg, sizeof(msg));
        return rc;
    }
    return finish(ctx, st, true);
}

/* ---- undo log ----------------------------------------------------------- */

int svcq__undo_reserve(svcq_ctx *ctx, size_t n)
{
    svcq__store_state *st = svcq__store_peek(ctx);
    if (!st || st->tx_depth == 0)
        return svcq__error(ctx, SVCQ_ESTATE, "undo entries reserved outside a transaction scope");
    size_t need;
    if (!svcq__size_add(st->undo_len, st->undo_room, &need) || !svcq__size_add(need, n, &need))
        return svcq__enomem(ctx);
    if (need <= st->undo_cap) {
        st->undo_room += n;
        return SVCQ_OK;
    }
    size_t cap = st->undo_cap ? st->undo_cap : 8;
    while (cap < need) {
        if (cap > SIZE_MAX / 2)
            return svcq__enomem(ctx);
        cap *= 2;
    }
    svcq__undo_entry *u = svcq__reallocarray(ctx, st->undo, cap, sizeof(*u));
    if (!u)
        return svcq__enomem(ctx);
    st->undo = u;
    st->undo_cap = cap;
    st->undo_room += n;
    return SVCQ_OK;
}

int svcq__undo_push(svcq_ctx *ctx, svcq__undo_fn undo, svcq__undo_fn release, void *data, uint64_t arg)
{
    return svcq__undo_push_for(ctx, NULL, undo, release, data, arg);
}

void svcq__undo_detach(svcq_ctx *ctx, const void *owner)
{
    svcq__store_state *st = ctx ? svcq__store_peek(ctx) : NULL;
    if (!st || !owner)
        return;
    for (size_t i = 0; i < st->undo_len; i++)
        if (st->undo[i].owner == owner)
            st->undo[i].undo = NULL;
}

int svcq__undo_push_for(svcq_ctx *ctx, const void *owner, svcq__undo_fn undo, svcq__undo_fn release,
                        void *data, uint64_t arg)
{
    svcq__store_state *st = svcq__store_peek(ctx);
    if (!st || st->tx_depth == 0)
        return svcq__error(ctx, SVCQ_ESTATE, "undo entry pushed outside a transaction scope");
    /* Counted, not just fitting: a missing reservation shows in every
     * test, not only when the array happens to be full. */
    if (st->undo_room == 0)
        return svcq__error(ctx, SVCQ_ESTATE, "undo entry pushed without svcq__undo_reserve");
    st->undo_room--;
    st->undo[st->undo_len++] = (svcq__undo_entry){ undo, release, data, arg, owner };
    return SVCQ_OK;
}

static void restore_u64(svcq_ctx *ctx, void *data, uint64_t arg)
{
    (void)ctx;
    *(uint64_t *)data = arg;
}

int svcq__undo_set_u64(svcq_ctx *ctx, const void *owner, uint64_t *slot, uint64_t value)
{
    int rc = svcq__undo_push_for(ctx, owner, restore_u64, NULL, slot, *slot);
    if (rc == SVCQ_OK)
        *slot = value;
    return rc;
}

/* ---- the batch ------------------------------------------------------------ */

int svcq_ctx_batch_begin(svcq_ctx *ctx)
{
    if (!ctx)
        return SVCQ_EINVAL;
    svcq__store_state *st = ready(ctx);
    if (!st)
        return SVCQ_ENOMEM;
    if (st->batch_open)
        return svcq__error(ctx, SVCQ_ESTATE, "a batch is already open (batches do not nest)");
    if (st->tx_depth || st->store_busy)
        return svcq__error(ctx, SVCQ_ESTATE, "a batch cannot start inside a library call");
    int rc = store_begin(ctx, st);
    if (rc)
        return rc;
    st->batch_open = true;
    st->tx_depth = 1;
    return SVCQ_OK;
}

static int batch_end_check(svcq_ctx *ctx, const svcq__store_state *st)
{
    if (!st || !st->batch_open)
        return svcq__error(ctx, SVCQ_ESTATE, "no batch is open");
    if (st->tx_depth != 1 || st->store_busy)
        return svcq__error(ctx, SVCQ_ESTATE, "a batch cannot end inside a library call");
    return SVCQ_OK;
}

int svcq_ctx_batch_commit(svcq_ctx *ctx)
{
    if (!ctx)
        return SVCQ_EINVAL;
    svcq__store_state *st = svcq__store_peek(ctx);
    int rc = batch_end_check(ctx, st);
    if (rc)
        return rc;
    st->batch_open = false;
    st->tx_depth = 0;
    if (st->tx_aborted) {
        (void)finish(ctx, st, false);
        return svcq__error(ctx, SVCQ_ESTATE,
                        "the batch was aborted by a failed call that had written; it was rolled back");
    }
    return finish(ctx, st, true);
}

int svcq_ctx_batch_rollback(svcq_ctx *ctx)
{
    if (!ctx)
        return SVCQ_EINVAL;
    svcq__store_state *st = svcq__store_peek(ctx);
    int rc = batch_end_check(ctx, st);
    if (rc)
        return rc;
    st->batch_open = false;
    st->tx_depth = 0;
    return finish(ctx, st, false);
}

/* ---- records ---------------------------------------------------------------- */

/* Checks kind, and id unless this is a scan (with_id false). */
static int check_names(svcq_ctx *ctx, const char *kind, bool with_id, const char *id)
{
    int rc = svcq__store_check_kind(ctx, kind);
    if (!rc && with_id)
        rc = svcq__store_check_id(ctx, id);
    const svcq__store_state *st = svcq__store_peek(ctx);
    if (!rc && st && st->store_busy)
        rc = svcq__error(ctx, SVCQ_ESTATE, "the store cannot be used from inside a store callback");
    return rc;
}

typedef struct get_state {
    svcq_ctx *ctx;
    const char *id;
    char *bytes;
    size_t size;
    uint64_t revision;
    int calls;
} get_state;

static int get_visit(const char *id, uint64_t revision, const void *bytes, size_t size, void *ud)
{
    get_state *g = ud;
    if (++g->calls > 1 || !id || strcmp(id, g->id) != 0 || revision == 0 || (size && !bytes) ||
        size > SVCQ_STORE_MAX_VALUE)
        return SVCQ_ESTORE;
    char *copy = svcq__malloc(g->ctx, size + 1);
    if (!copy)
        return SVCQ_ENOMEM;
    if (size)
        memcpy(copy, bytes, size);
    copy[size] = '\0';
    g->bytes = copy;
    g->size = size;
    g->revision = revision;
    return SVCQ_OK;
}

int svcq__store_get(svcq_ctx *ctx, const char *kind, const char *id, char **bytes, size_t *size,
                 uint64_t *revision)
{
    int rc = check_names(ctx, kind, true, id);
    if (rc)
        return rc;
    svcq__store_state *st = ready(ctx);
    if (!st)
        return SVCQ_ENOMEM;
    get_state g = { ctx, id, NULL, 0, 0, 0 };
    st->store_msg = false;
    st->store_busy = true;
    rc = st->store.get(kind, id, get_visit, &g, st->store.user_data);
    st->store_busy = false;
    if (rc == SVCQ_OK && !g.bytes)
        rc = svcq__store_fail(ctx, SVCQ_ESTORE, "returned success without a record (or an invalid one)");
    if (rc) {
        svcq__free(ctx, g.bytes);
        if (rc == SVCQ_ENOMEM && g.calls == 1 && !g.bytes)
            return svcq__enomem(ctx);
        if (rc == SVCQ_ESTORE && g.calls && !st->store_msg)
            (void)svcq__store_fail(ctx, SVCQ_ESTORE, "returned an invalid record (wrong id, revision 0, "
                                "too large, or more than one)");
        return map_rc(ctx, st, rc, "get", kind, id, SVCQ_ENOTFOUND, 0);
    }
    *bytes = g.bytes;
    *size = g.size;
    *revision = g.revision;
    return SVCQ_OK;
}

/* strcmp of two names whose lengths are known (the bytes of a name are
 * never NUL): most differ in their first byte. */
static int name_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    size_t n = an < bn ? an : bn;
    for (size_t k = 0; k < n; k++)
        if (a[k] != b[k])
            return (unsigned char)a[k] - (unsigned char)b[k];
    return (an > bn) - (an < bn);
}

/* Checks terms and copies them to out sorted by name. */
static int check_terms(svcq_ctx *ctx, const char *kind, const char *id, const svcq_store_term *terms, size_t n,
                       svcq_store_term *out)
{
    if (n > SVCQ_STORE_MAX_TERMS)
        return svcq__error(ctx, SVCQ_ELIMIT, "record %s/%s declares %zu index terms, more than %d", kind, id, n,
                           SVCQ_STORE_MAX_TERMS);
    if (n && !terms)
        return svcq__error(ctx, SVCQ_EINVAL, "record %s/%s: index terms are NULL", kind, id);
    size_t out_len[SVCQ_STORE_MAX_TERMS]; /* of out's names */
    for (size_t i = 0; i < n; i++) {
        const svcq_store_term *t = &terms[i];
        const char *name = t->name;
        size_t len = name ? name_len(name, SVCQ_STORE_MAX_TERM_NAME) : 0;
        if (!len)
            return svcq__error(ctx, SVCQ_EINVAL,
                               "record %s/%s: index term %zu: the name must be 1-%d bytes of a-z, 0-9 and _, "
                               "starting with a letter", kind, id, i, SVCQ_STORE_MAX_TERM_NAME);
        if (t->type == SVCQ_STORE_TERM_STRING) {
            size_t sl = t->s ? strnlen(t->s, SVCQ_STORE_MAX_TERM_VALUE + 1) : 0;
            if (!t->s || sl > SVCQ_STORE_MAX_TERM_VALUE ||
                (sl && !id_ok(t->s, sl)))
                return svcq__error(ctx, SVCQ_EINVAL,
                                   "record %s/%s: index term %s: a string value must be 0-%d bytes of UTF-8 "
                                   "without control characters", kind, id, name, SVCQ_STORE_MAX_TERM_VALUE);
        } else if (t->type != SVCQ_STORE_TERM_INT64) {
            return svcq__error(ctx, SVCQ_EINVAL, "record %s/%s: index term %s has unknown type %d", kind, id, name,
                               (int)t->type);
        }
        /* Insertion by name: one comparison when the caller sorted them. */
        size_t j = i;
        int c = 1;
        while (j > 0 && (c = name_cmp(out[j - 1].name, out_len[j - 1], name, len)) > 0) {
            out[j] = out[j - 1];
            out_len[j] = out_len[j - 1];
            j--;
        }
        if (c == 0)
            return svcq__error(ctx, SVCQ_EINVAL, "record %s/%s declares index term %s twice", kind, id, name);
        svcq_store_term *o = &out[j];
        out_len[j] = len;
        o->version = SVCQ_STORE_TERM_VERSION;
        o->type = t->type;
        o->name = name;
        o->s = t->type == SVCQ_STORE_TERM_STRING ? t->s : NULL;
        o->i = t->type == SVCQ_STORE_TERM_INT64 ? t->i : 0;
        o->reserved[0] = o->reserved[1] = 0;
    }
    return SVCQ_OK;
}

int svcq__store_put(svcq_ctx *ctx, const char *kind, const char *id, uint64_t expected_revision,
                 const void *bytes, size_t size, uint64_t *new_revision)
{
    return svcq__store_put_terms(ctx, kind, id, expected_revision, bytes, size, NULL, 0, new_revision);
}

int svcq__store_put_terms(svcq_ctx *ctx, const char *kind, const char *id, uint64_t expected_revision,
                          const void *bytes, size_t size, const svcq_store_term *terms, size_t n_terms,
                          uint64_t *new_revision)
{
    int rc = check_names(ctx, kind, true, id);
    if (rc)
        return rc;
    svcq__store_state *st = svcq__store_peek(ctx);
    if (!st || !st->store_tx_open || st->tx_depth == 0)
        return svcq__error(ctx, SVCQ_ESTATE, "record written outside a transaction");
    if (st->tx_aborted)
        return svcq__error(ctx, SVCQ_ESTATE, "the transaction was aborted; roll it back");
    if (st->read_only)
        return svcq__error(ctx, SVCQ_ESTATE, "store put(%s, %s): the file store is open read-only", kind, id);
    if (size > SVCQ_STORE_MAX_VALUE)
        return svcq__error(ctx, SVCQ_ELIMIT, "record %s/%s has %zu bytes, more than the limit of %u", kind, id,
                        size, SVCQ_STORE_MAX_VALUE);
    if (size && !bytes)
        return svcq__error(ctx, SVCQ_EINVAL, "record bytes are NULL");
    svcq_store_term sorted[SVCQ_STORE_MAX_TERMS];
    rc = check_terms(ctx, kind, id, terms, n_terms, sorted);
    if (rc)
        return rc;
    uint64_t rev = 0;
    st->store_msg = false;
    st->store_busy = true;
    /* A store without terms loses them: the term scans then fall back to
     * reading every record (svcq__record_scan_term). */
    if (st->store.put2)
        rc = st->store.put2(kind, id, expected_revision, size ? bytes : NULL, size, n_terms ? sorted : NULL,
                            n_terms, &rev, st->store.user_data);
    else
        rc = st->store.put(kind, id, expected_revision, size ? bytes : NULL, size, &rev, st->store.user_data);
    st->store_busy = false;
    if (rc == SVCQ_ECONFLICT)
        return svcq__error(ctx, SVCQ_ECONFLICT, "store put(%s, %s): the stored revision is not %llu", kind, id,
                        (unsigned long long)expected_revision);
    if (rc)
        return map_rc(ctx, st, rc, "put", kind, id, SVCQ_ECONFLICT, 0);
    st->store_writes++;
    if (rev == 0 || rev == expected_revision) {
        /* The write happened but the revision is unusable: the handle
         * could never be saved again. */
        st->tx_aborted = true;
        return svcq__error(ctx, SVCQ_ESTORE, "store put(%s, %s): returned revision %llu, which is %s", kind, id,
                        (unsigned long long)rev, rev ? "the expected one" : "zero");
    }
    *new_revision = rev;
    return SVCQ_OK;
}

int svcq__store_remove(svcq_ctx *ctx, const char *kind, const char *id, uint64_t expected_revision)
{
    int rc = check_names(ctx, kind, true, id);
    if (rc)
        return rc;
    if (expected_revision == 0)
        return svcq__error(ctx, SVCQ_EINVAL, "remove of %s/%s needs the revision last seen", kind, id);
    svcq__store_state *st = svcq__store_peek(ctx);
    if (!st || !st->store_tx_open || st->tx_depth == 0)
        return svcq__error(ctx, SVCQ_ESTATE, "record removed outside a transaction");
    if (st->tx_aborted)
        return svcq__error(ctx, SVCQ_ESTATE, "the transaction was aborted; roll it back");
    if (st->read_only)
        return svcq__error(ctx, SVCQ_ESTATE, "store remove(%s, %s): the file store is open read-only", kind,
                           id);
    st->store_msg = false;
    st->store_busy = true;
    rc = st->store.remove(kind, id, expected_revision, st->store.user_data);
    st->store_busy = false;
    if (rc == SVCQ_ECONFLICT)
        return svcq__error(ctx, SVCQ_ECONFLICT, "store remove(%s, %s): the stored revision is not %llu", kind,
                        id, (unsigned long long)expected_revision);
    if (rc == SVCQ_ENOTFOUND)
        return svcq__error(ctx, SVCQ_ENOTFOUND, "store remove(%s, %s): no such record", kind, id);
    if (rc)
        return map_rc(ctx, st, rc, "remove", kind, id, SVCQ_ECONFLICT, SVCQ_ENOTFOUND);
    st->store_writes++;
    return SVCQ_OK;
}

typedef struct scan_state {
    svcq_ctx *ctx;
    svcq__store_state *st;
    svcq__store_visit_fn visit;
    void *user_data;
    int stopped;  /* what visit returned to stop the scan */
    bool invalid; /* the store handed over a bad record */
} scan_state;

static int scan_visit(const char *id, uint64_t revision, const void *bytes, size_t size, void *ud)
{
    scan_state *s = ud;
    if (!id || !svcq__store_id_valid(id, strlen(id)) || revision == 0 || (size && !bytes) ||
        size > SVCQ_STORE_MAX_VALUE) {
        s->invalid = true;
        return SVCQ_ESTORE;
    }
    /* st->store_busy is still set: the visitor cannot re-enter the store. */
    int rc = s->visit(s->ctx, id, revision, size ? bytes : "", size, s->user_data);
    if (rc)
        s->stopped = rc;
    return rc;
}

int svcq__store_scan(svcq_ctx *ctx, const char *kind, svcq__store_visit_fn visit, void *user_data)
{
    int rc = check_names(ctx, kind, false, NULL);
    if (rc)
        return rc;
    svcq__store_state *st = ready(ctx);
    if (!st)
        return SVCQ_ENOMEM;
    scan_state s = { ctx, st, visit, user_data, 0, false };
    st->store_msg = false;
    st->store_busy = true;
    rc = st->store.scan(kind, scan_visit, &s, st->store.user_data);
    st->store_busy = false;
    if (rc == 0)
        return SVCQ_OK;
    if (s.stopped && rc == s.stopped)
        return rc; /* the visitor's own code, message and all */
    if (s.invalid && !st->store_msg)
        (void)svcq__store_fail(ctx, SVCQ_ESTORE, "handed over an invalid record (bad id, revision 0 or too large)");
    return map_rc(ctx, st, rc, "scan", kind, NULL, 0, 0);
}

/* ---- version 2: ordered and term scans ------------------------------------- */

const char *svcq_store_term_type_name(int32_t type)
{
    switch (type) {
    case SVCQ_STORE_TERM_STRING: return "string";
    case SVCQ_STORE_TERM_INT64: return "int64";
    }
    return NULL;
}

static int bytes_order(const char *a, const char *b)
{
    size_t al = strlen(a), bl = strlen(b);
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al < bl ? -1 : al > bl);
}

static int term_value_order(int32_t type, const svcq_store_term *a, const svcq_store_term *b)
{
    if (type == SVCQ_STORE_TERM_INT64)
        return a->i < b->i ? -1 : a->i > b->i;
    return bytes_order(a->s ? a->s : "", b->s ? b->s : "");
}

typedef struct range_state {
    scan_state base;
    const char *after;
    char prev[SVCQ_STORE_MAX_ID + 1];
    bool have_prev;
    uint32_t limit, seen;
} range_state;

static int range_visit(const char *id, uint64_t revision, const void *bytes, size_t size, void *ud)
{
    range_state *r = ud;
    if (id && ((r->after && bytes_order(id, r->after) <= 0) || (r->have_prev && bytes_order(id, r->prev) <= 0) ||
               (r->limit && r->seen >= r->limit))) {
        r->base.invalid = true;
        return SVCQ_ESTORE;
    }
    int rc = scan_visit(id, revision, bytes, size, &r->base);
    if (rc == 0 || rc == r->base.stopped) {
        size_t n = strlen(id);
        memcpy(r->prev, id, n + 1);
        r->have_prev = true;
        r->seen++;
    }
    return rc;
}

/* One record of the fallback of svcq__store_scan_range. */
typedef struct id_rev {
    char *id;
} id_rev;

typedef struct collect_state {
    svcq_ctx *ctx;
    const char *after;
    id_rev *v;
    size_t n, cap;
} collect_state;

static int collect_visit(svcq_ctx *ctx, const char *id, uint64_t revision, const char *bytes, size_t size, void *ud)
{
    (void)revision;
    (void)bytes;
    (void)size;
    collect_state *c = ud;
    if (c->after && bytes_order(id, c->after) <= 0)
        return SVCQ_OK;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        id_rev *g = svcq__reallocarray(ctx, c->v, cap, sizeof(*g));
        if (!g)
            return svcq__enomem(ctx);
        c->v = g;
        c->cap = cap;
    }
    char *copy;
    int rc = svcq__strdup(ctx, "record id", id, &copy);
    if (rc)
        return rc;
    c->v[c->n++].id = copy;
    return SVCQ_OK;
}

static int id_rev_cmp(const void *a, const void *b)
{
    return bytes_order(((const id_rev *)a)->id, ((const id_rev *)b)->id);
}

/* The version-1 fallback: every id of the kind, sorted here, then each
 * record read with get (one that went away meanwhile is skipped). */
static int scan_range_fallback(svcq_ctx *ctx, const char *kind, const char *after, uint32_t limit,
                               svcq__store_visit_fn visit, void *user_data)
{
    collect_state c = { ctx, after, NULL, 0, 0 };
    int rc = svcq__store_scan(ctx, kind, collect_visit, &c);
    if (rc == SVCQ_OK && c.n > 1)
        qsort(c.v, c.n, sizeof(*c.v), id_rev_cmp);
    size_t end = limit && limit < c.n ? limit : c.n;
    for (size_t i = 0; rc == SVCQ_OK && i < end; i++) {
        char *bytes;
        size_t size;
        uint64_t rev;
        rc = svcq__store_get(ctx, kind, c.v[i].id, &bytes, &size, &rev);
        if (rc == SVCQ_ENOTFOUND) {
            rc = SVCQ_OK;
            continue;
        }
        if (rc)
            break;
        svcq__store_state *st = svcq__store_peek(ctx);
        st->store_busy = true; /* the visitor must not use the store, as in a native scan */
        rc = visit(ctx, c.v[i].id, rev, bytes, size, user_data);
        st->store_busy = false;
        svcq__free(ctx, bytes);
    }
    for (size_t i = 0; i < c.n; i++)
        svcq__free(ctx, c.v[i].id);
    svcq__free(ctx, c.v);
    return rc;
}

int svcq__store_scan_range(svcq_ctx *ctx, const char *kind, const char *after, uint32_t limit,
                           svcq__store_visit_fn visit, void *user_data)
{
    int rc = check_names(ctx, kind, after != NULL, after);
    if (rc)
        return rc;
    svcq__store_state *st = ready(ctx);
    if (!st)
        return SVCQ_ENOMEM;
    if (!st->store.scan_range)
        return scan_range_fallback(ctx, kind, after, limit, visit, user_data);
    range_state r;
    memset(&r, 0, sizeof(r));
    r.base = (scan_state){ ctx, st, visit, user_data, 0, false };
    r.after = after;
    r.limit = limit;
    st->store_msg = false;
    st->store_busy = true;
    rc = st->store.scan_range(kind, after, limit, range_visit, &r, st->store.user_data);
    st->store_busy = false;
    if (rc == 0)
        return SVCQ_OK;
    if (r.base.stopped && rc == r.base.stopped)
        return rc;
    if (r.base.invalid && !st->store_msg)
        (void)svcq__store_fail(ctx, SVCQ_ESTORE,
                               "handed over an invalid record (bad id, revision 0, too large, out of order, "
                               "not after the id asked for, or past the limit)");
    return map_rc(ctx, st, rc, "scan_range", kind, NULL, 0, 0);
}

bool svcq__store_has_terms(svcq_ctx *ctx)
{
    svcq__store_state *st = ready(ctx);
    return st && st->store.scan_term;
}

typedef struct term_state {
    svcq_ctx *ctx;
    const svcq__term_query *q;
    svcq__store_term_visit_fn visit;
    void *user_data;
    int stopped;
    bool invalid;
    uint32_t seen;
    bool have_prev;
    svcq_store_term prev;
    char prev_s[SVCQ_STORE_MAX_TERM_VALUE + 1];
    char prev_id[SVCQ_STORE_MAX_ID + 1];
} term_state;

/* Whether (term, id) comes strictly after (prev, prev_id). */
static bool term_after(int32_t type, const svcq_store_term *term, const char *id, const svcq_store_term *prev,
                       const char *prev_id)
{
    int c = term_value_order(type, term, prev);
    return c > 0 || (c == 0 && bytes_order(id, prev_id) > 0);
}

static int term_visit(const char *id, uint64_t revision, const void *bytes, size_t size,
                      const svcq_store_term *term, void *ud)
{
    term_state *t = ud;
    const svcq__term_query *q = t->q;
    bool ok = id && svcq__store_id_valid(id, strlen(id)) && revision && (!size || bytes) &&
              size <= SVCQ_STORE_MAX_VALUE && term && term->type == q->type && term->name &&
              strcmp(term->name, q->name) == 0 &&
              (q->type != SVCQ_STORE_TERM_STRING ||
               (term->s && strnlen(term->s, SVCQ_STORE_MAX_TERM_VALUE + 1) <= SVCQ_STORE_MAX_TERM_VALUE));
    ok = ok && (!q->lo || term_value_order(q->type, term, q->lo) >= 0) &&
         (!q->hi || term_value_order(q->type, term, q->hi) <= 0) &&
         (!q->after || !q->after_id || term_after(q->type, term, id, q->after, q->after_id)) &&
         (!t->have_prev || term_after(q->type, term, id, &t->prev, t->prev_id)) && (!q->limit || t->seen < q->limit);
    if (!ok) {
        t->invalid = true;
        return SVCQ_ESTORE;
    }
    int rc = t->visit(t->ctx, id, revision, size ? bytes : "", size, term, t->user_data);
    if (rc)
        t->stopped = rc;
    t->seen++;
    t->have_prev = true;
    t->prev = *term;
    if (term->s) {
        memcpy(t->prev_s, term->s, strlen(term->s) + 1);
        t->prev.s = t->prev_s;
    }
    memcpy(t->prev_id, id, strlen(id) + 1);
    return rc;
}

int svcq__store_scan_term(svcq_ctx *ctx, const char *kind, const svcq__term_query *q, svcq__store_term_visit_fn visit,
                          void *user_data)
{
    int rc = check_names(ctx, kind, q->after_id != NULL, q->after_id);
    if (rc)
        return rc;
    svcq__store_state *st = ready(ctx);
    if (!st)
        return SVCQ_ENOMEM;
    if (!st->store.scan_term)
        return svcq__error(ctx, SVCQ_ESTATE, "store scan_term(%s): the store has no index terms", kind);
    term_state t;
    memset(&t, 0, sizeof(t));
    t.ctx = ctx;
    t.q = q;
    t.visit = visit;
    t.user_data = user_data;
    st->store_msg = false;
    st->store_busy = true;
    rc = st->store.scan_term(kind, q->name, q->type, q->lo, q->hi, q->after_id ? q->after : NULL, q->after_id, q->limit,
                             term_visit, &t, st->store.user_data);
    st->store_busy = false;
    if (rc == 0)
        return SVCQ_OK;
    if (t.stopped && rc == t.stopped)
        return rc;
    if (t.invalid && !st->store_msg)
        (void)svcq__store_fail(ctx, SVCQ_ESTORE,
                               "handed over an invalid record or term (bad id, revision 0, too large, another "
                               "term, a value out of the range, out of order, or past the limit)");
    return map_rc(ctx, st, rc, "scan_term", kind, NULL, 0, 0);
}
