"""Storage (svcq/store.h): host stores written in Python, the file store, limits."""

import collections
import ctypes
from ctypes import (CFUNCTYPE, POINTER, byref, c_char_p, c_int, c_int32, c_int64, c_size_t, c_uint32,
                    c_uint64, c_void_p)

from . import _lib
from . import errors as _errors
from ._lib import HANDLE, P, proto

VISIT_FN = CFUNCTYPE(c_int, c_char_p, c_uint64, c_void_p, c_size_t, c_void_p)
BEGIN_FN = CFUNCTYPE(c_int, c_void_p)
GET_FN = CFUNCTYPE(c_int, c_char_p, c_char_p, VISIT_FN, c_void_p, c_void_p)
PUT_FN = CFUNCTYPE(c_int, c_char_p, c_char_p, c_uint64, c_void_p, c_size_t, POINTER(c_uint64), c_void_p)
REMOVE_FN = CFUNCTYPE(c_int, c_char_p, c_char_p, c_uint64, c_void_p)
SCAN_FN = CFUNCTYPE(c_int, c_char_p, VISIT_FN, c_void_p, c_void_p)
DESTROY_FN = CFUNCTYPE(None, c_void_p)

StoreTerm = _lib.mirror('svcq_store_term', 1, [
    ('version', c_uint32), ('type', c_int32), ('name', c_char_p), ('s', c_char_p), ('i', c_int64),
    ('reserved', c_uint64 * 2)])

TERM_VISIT_FN = CFUNCTYPE(c_int, c_char_p, c_uint64, c_void_p, c_size_t, POINTER(StoreTerm), c_void_p)
PUT2_FN = CFUNCTYPE(c_int, c_char_p, c_char_p, c_uint64, c_void_p, c_size_t, POINTER(StoreTerm), c_size_t,
                    POINTER(c_uint64), c_void_p)
SCAN_RANGE_FN = CFUNCTYPE(c_int, c_char_p, c_char_p, c_uint32, VISIT_FN, c_void_p, c_void_p)
SCAN_TERM_FN = CFUNCTYPE(c_int, c_char_p, c_char_p, c_int32, POINTER(StoreTerm), POINTER(StoreTerm),
                         POINTER(StoreTerm), c_char_p, c_uint32, TERM_VISIT_FN, c_void_p, c_void_p)

StoreMethods = _lib.mirror('svcq_store_methods', 2, [
    ('version', c_uint32), ('reserved0', c_uint32), ('user_data', c_void_p),
    ('begin', BEGIN_FN), ('commit', BEGIN_FN), ('rollback', BEGIN_FN),
    ('get', GET_FN), ('put', PUT_FN), ('remove', REMOVE_FN), ('scan', SCAN_FN),
    ('destroy', DESTROY_FN), ('put2', PUT2_FN), ('scan_range', SCAN_RANGE_FN), ('scan_term', SCAN_TERM_FN),
    ('reserved', c_void_p * 5)])

TermType = _lib.enum_from_getter('TermType', 'svcq_store_term_type_name')
_STRING = _lib.K('SVCQ_STORE_TERM_STRING')
_INT64 = _lib.K('SVCQ_STORE_TERM_INT64')

StoreFileOptions = _lib.mirror('svcq_store_file_options', 1, [
    ('version', c_uint32), ('reserved0', c_uint32), ('durability', c_int32), ('flags', c_uint32),
    ('group_commit_ms', c_uint32), ('group_commit_tx', c_uint32), ('reserved', c_uint64 * 6)])

StoreFileStats = _lib.mirror('svcq_store_file_stats', 1, [
    ('version', c_uint32), ('reserved0', c_uint32), ('file_bytes', c_uint64), ('live_bytes', c_uint64),
    ('records', c_uint64), ('transactions', c_uint64), ('unsynced_transactions', c_uint64),
    ('recovered_dropped_bytes', c_uint64), ('reserved', c_uint64 * 4)])

_methods_init = proto('svcq_store_methods_init', c_int, P(StoreMethods), c_uint32)
_set_store = proto('svcq_ctx_set_store', c_int, HANDLE, P(StoreMethods))
_set_error = proto('svcq_store_set_error', c_int, HANDLE, c_int, c_char_p)
_limit = proto('svcq_store_limit', c_uint64, c_int32)
_fs_options_init = proto('svcq_store_file_options_init', c_int, P(StoreFileOptions), c_uint32)
_fs_open = proto('svcq_store_file_open', c_int, P(HANDLE), HANDLE, c_char_p, P(StoreFileOptions))
_fs_methods = proto('svcq_store_file_methods', c_int, P(StoreMethods), HANDLE)
_fs_compact = proto('svcq_store_file_compact', c_int, HANDLE)
_fs_sync = proto('svcq_store_file_sync', c_int, HANDLE)
_fs_refresh = proto('svcq_store_file_refresh', c_int, HANDLE)
_fs_stats_init = proto('svcq_store_file_stats_init', c_int, P(StoreFileStats), c_uint32)
_fs_stats_get = proto('svcq_store_file_stats_get', c_int, P(StoreFileStats), HANDLE)
_fs_close = proto('svcq_store_file_close', c_int, HANDLE)

Durability = _lib.enum_from_constants('Durability', 'SVCQ_STORE_SYNC_', ['FULL', 'GROUP', 'NONE'])


def limits():
    """{'kind': ..., 'id': ..., 'value': ...}: the storage limits in bytes (svcq_store_limit)."""
    return {'kind': _limit(_lib.K('SVCQ_STORE_LIMIT_KIND')), 'id': _limit(_lib.K('SVCQ_STORE_LIMIT_ID')),
            'value': _limit(_lib.K('SVCQ_STORE_LIMIT_VALUE'))}


class Store:
    """Base class of a host store written in Python (the storage contract of
    svcq/store.h; docs/python.md). Override every method but close():

    - ``begin()``, ``commit()``, ``rollback()``: one transaction at a time;
    - ``get(kind, id)`` -> ``(revision, data)`` or None;
    - ``put(kind, id, expected_revision, data)`` -> the new revision, never
      handed out before for (kind, id); raise ``svcq.ConflictError`` when the
      stored revision is not `expected_revision` (0: must not exist);
    - ``remove(kind, id, expected_revision)``: ``svcq.NotFoundError`` when
      absent, ``svcq.ConflictError`` for another revision;
    - ``scan(kind)`` -> an iterable of ``(id, revision, data)``;
    - ``close()``: called once when the context lets go of the store.

    `kind` and `id` are str, `data` bytes. Raising a svcq.SvcqError subclass
    reports its code to the library (ConflictError, NotFoundError, BusyError
    ...); any other exception becomes SVCQ_EIO for the library (the
    transaction is lost, the call fails) and is raised again, chained, from
    the library call that used the store.

    Version 2 of the contract (ordered scans and index terms) is optional:
    define ``scan_range`` on its own, ``put2`` and ``scan_term`` together
    (both or neither); without them the library does the same work from
    full scans.

    - ``scan_range(kind, after_id, limit)`` -> an iterable of ``(id,
      revision, data)`` with id > `after_id` (None: from the first) in
      ascending byte order of the UTF-8 ids, at most `limit` (0: no limit);
    - ``put2(kind, id, expected_revision, data, terms)``: as ``put``, and
      the record's index terms become exactly `terms`, a list of ``Term(name,
      type, value)`` (a TermType, a str or int value), sorted by name;
    - ``scan_term(kind, name, type, lo, hi, after, after_id, limit)`` -> an
      iterable of ``(id, revision, data, value)`` for the records declaring
      term `name` of `type` with lo <= value <= hi (None: unbounded), in
      ascending (value, id) order strictly after (after, after_id) when
      given, at most `limit` (0: no limit).
    """

    put2 = None
    scan_range = None
    scan_term = None

    def begin(self):
        raise NotImplementedError

    def commit(self):
        raise NotImplementedError

    def rollback(self):
        raise NotImplementedError

    def get(self, kind, id):
        raise NotImplementedError

    def put(self, kind, id, expected_revision, data):
        raise NotImplementedError

    def remove(self, kind, id, expected_revision):
        raise NotImplementedError

    def scan(self, kind):
        raise NotImplementedError

    def close(self):
        pass

    # -- the C table
    def methods(self, pending=None, ctx=None):
        """(svcq_store_methods, keepalive): the table of callbacks over this
        store. Exceptions other than SvcqError go to `pending` (a
        svcq._lib.Pending). With `ctx` (the svcq.Context the table is for),
        a failing callback's exception text ends that context's message
        (svcq_store_set_error). Keep `keepalive` as long as the table is
        used."""
        pending = pending if pending is not None else _lib.Pending()
        self._pending = pending

        def run(fn, *args, report=True):
            def reason(code, text):
                if report and ctx is not None and not ctx.closed and text:
                    _set_error(ctx._p, code, text.encode('utf-8', 'replace'))
                return code
            try:
                fn(*args)
                return 0
            except _errors.SvcqError as e:
                return reason(e.code, e.message)
            except BaseException as e:   # noqa: B902 -- nothing may unwind through C
                pending.catch(e)
                return reason(_lib.EIO, '%s: %s' % (type(e).__name__, e))

        def begin(user):
            return run(self.begin)

        def commit(user):
            return run(self.commit)

        def rollback(user):
            return run(self.rollback)

        def get(kind, id_, visit, vud, user):
            rc = [0]

            def body():
                found = self.get(kind.decode(), id_.decode())
                if found is None:
                    rc[0] = _lib.ENOTFOUND
                    return
                revision, data = found
                rc[0] = _visit(visit, id_, revision, data, vud)
            r = run(body)
            return r if r else rc[0]

        def put(kind, id_, expected, data, size, new_rev, user):
            def body():
                rev = self.put(kind.decode(), id_.decode(), expected,
                               ctypes.string_at(data, size) if size else b'')
                if not isinstance(rev, int) or rev <= 0 or rev >= 1 << 64:
                    raise ValueError('%s.put returned %r, not a revision' % (type(self).__name__, rev))
                new_rev[0] = rev
            return run(body)

        def remove(kind, id_, expected, user):
            return run(self.remove, kind.decode(), id_.decode(), expected)

        def scan(kind, visit, vud, user):
            rc = [0]

            def body():
                for id_, revision, data in self.scan(kind.decode()):
                    r = _visit(visit, _lib.enc(id_), revision, data, vud)
                    if r:
                        rc[0] = r
                        return
            r = run(body)
            return r if r else rc[0]

        def destroy(user):
            run(self.close, report=False)  # the context is being freed

        def put2(kind, id_, expected, data, size, terms, n_terms, new_rev, user):
            def body():
                py_terms = [_term_out(terms[i]) for i in range(n_terms)]
                rev = self.put2(kind.decode(), id_.decode(), expected,
                                ctypes.string_at(data, size) if size else b'', py_terms)
                if not isinstance(rev, int) or rev <= 0 or rev >= 1 << 64:
                    raise ValueError('%s.put2 returned %r, not a revision' % (type(self).__name__, rev))
                new_rev[0] = rev
            return run(body)

        def scan_range(kind, after, limit, visit, vud, user):
            rc = [0]

            def body():
                for id_, revision, data in self.scan_range(kind.decode(), _lib.dec(after), limit):
                    r = _visit(visit, _lib.enc(id_), revision, data, vud)
                    if r:
                        rc[0] = r
                        return
            r = run(body)
            return r if r else rc[0]

        def scan_term(kind, name, type_, lo, hi, after, after_id, limit, visit, vud, user):
            rc = [0]

            def body():
                rows = self.scan_term(kind.decode(), name.decode(), _lib.enum_out(TermType, type_),
                                      _term_value(lo), _term_value(hi), _term_value(after), _lib.dec(after_id),
                                      limit)
                for id_, revision, data, value in rows:
                    t = _term_in(name, type_, value)
                    data = bytes(data)
                    buf = ctypes.create_string_buffer(data, len(data)) if data else None
                    r = visit(_lib.enc(id_), revision, ctypes.cast(buf, c_void_p) if buf is not None else None,
                              len(data), byref(t), vud)
                    if r:
                        rc[0] = r
                        return
            r = run(body)
            return r if r else rc[0]

        has_put2, has_term = callable(self.put2), callable(self.scan_term)
        if has_put2 != has_term:
            raise TypeError('%s: put2 and scan_term go together (storage contract version 2): define both '
                            'or neither' % type(self).__name__)
        m = StoreMethods()
        rc = _methods_init(byref(m), StoreMethods.VERSION)
        if rc:
            raise _errors.error_for(rc, 'svcq_store_methods_init')
        keep = [BEGIN_FN(begin), BEGIN_FN(commit), BEGIN_FN(rollback), GET_FN(get), PUT_FN(put),
                REMOVE_FN(remove), SCAN_FN(scan), DESTROY_FN(destroy)]
        (m.begin, m.commit, m.rollback, m.get, m.put, m.remove, m.scan, m.destroy) = keep
        if callable(self.scan_range):
            m.scan_range = SCAN_RANGE_FN(scan_range)
            keep.append(m.scan_range)
        if has_put2:
            m.put2, m.scan_term = PUT2_FN(put2), SCAN_TERM_FN(scan_term)
            keep += [m.put2, m.scan_term]
        return m, keep


class Term(collections.namedtuple('Term', 'name type value')):
    """An index term of a record (svcq_store_term): name, TermType, str or int value."""
    __slots__ = ()


def _term_value(p):
    """The value of a borrowed svcq_store_term pointer, or None for NULL."""
    if not p:
        return None
    t = p[0]
    return t.i if t.type == _INT64 else _lib.dec(t.s)


def _term_out(t):
    return Term(t.name.decode(), _lib.enum_out(TermType, t.type), t.i if t.type == _INT64 else _lib.dec(t.s))


def _term_in(name, type_, value):
    t = StoreTerm()
    t.version = StoreTerm.VERSION
    t.type = type_
    t.name = name
    if type_ == _INT64:
        t.i = value
    else:
        t.s = _lib.enc(value)
    return t


def _visit(visit, id_bytes, revision, data, vud):
    data = bytes(data)
    buf = ctypes.create_string_buffer(data, len(data)) if data else None
    return visit(id_bytes, revision, ctypes.cast(buf, c_void_p) if buf is not None else None,
                 len(data), vud)


class FileStore(_lib.Handle):
    """The built-in crash-safe journal file store (svcq_store_file_*).

    ``FileStore(ctx, path)`` opens or creates the journal; hand it to
    ``ctx.set_store(fs)`` and the context owns and closes it (the object stays
    usable for compact(), sync(), refresh() and stats() until then), or close
    it yourself.
    """
    _free_fn = staticmethod(_fs_close)

    def __init__(self, ctx, path, durability=None, read_only=False, no_create=False,
                 group_commit_ms=None, group_commit_tx=None):
        opts = StoreFileOptions()
        _lib.call(ctx, _fs_options_init, byref(opts), StoreFileOptions.VERSION)
        if durability is not None:
            opts.durability = _lib.enum_value(Durability, durability)
        if read_only:
            opts.flags |= _lib.K('SVCQ_STORE_FILE_READ_ONLY')
        if no_create:
            opts.flags |= _lib.K('SVCQ_STORE_FILE_NO_CREATE')
        if group_commit_ms is not None:
            opts.group_commit_ms = group_commit_ms
        if group_commit_tx is not None:
            opts.group_commit_tx = group_commit_tx
        out = HANDLE()
        _lib.call(ctx, _fs_open, byref(out), ctx._p, _lib.enc(str(path)), byref(opts))
        super().__init__(ctx, out.value)
        self.path = str(path)
        self.owned_by_context = False

    def close(self):
        """Closes a store no context owns (SVCQ_EIO is raised after the store is closed)."""
        if self.owned_by_context:
            raise _errors.error_for(_errors.code_of('SVCQ_ESTATE'),
                                    'file store %s: the context owns it and closes it' % self.path)
        if self.closed:
            return
        fin, self._fin = self._fin, None
        ptr, self._ptr = self._ptr, None
        if fin is not None:
            fin.detach()
        _lib.call(self._ctx, _fs_close, ptr)

    @property
    def _p(self):
        if self.owned_by_context and (self._ctx.closed or self._ctx._file_store is not self):
            raise ValueError('file store %s was closed with its context' % self.path)
        return _lib.Handle._p.fget(self)

    def compact(self):
        _lib.call(self._ctx, _fs_compact, self._p)

    def sync(self):
        _lib.call(self._ctx, _fs_sync, self._p)

    def refresh(self):
        _lib.call(self._ctx, _fs_refresh, self._p)

    def stats(self):
        s = StoreFileStats()
        _lib.call(self._ctx, _fs_stats_init, byref(s), StoreFileStats.VERSION)
        _lib.call(self._ctx, _fs_stats_get, byref(s), self._p)
        return {name: getattr(s, name) for name, _ in StoreFileStats._fields_
                if not name.startswith(('version', 'reserved'))}


def attach(ctx, store):
    """Context.set_store: a Store, a FileStore or None (a fresh memory store)."""
    if store is None:
        _lib.call(ctx, _set_store, ctx._p, None)
        ctx._file_store = None
        return
    if isinstance(store, FileStore):
        if store._ctx is not ctx:
            raise ValueError('file store %s belongs to another context' % store.path)
        m = StoreMethods()
        _lib.call(ctx, _fs_methods, byref(m), store._p)
        _lib.call(ctx, _set_store, ctx._p, byref(m))
        store._disown()
        store.owned_by_context = True
        ctx._file_store = store
        # The context destroys the store when it is freed or replaced.
        ctx._keep.append(store)
        return
    if not isinstance(store, Store):
        raise TypeError('set_store wants a svcq.Store, a svcq.FileStore or None, not %s'
                        % type(store).__name__)
    m, keep = store.methods(ctx._pending, ctx)
    _lib.call(ctx, _set_store, ctx._p, byref(m))
    ctx._file_store = None
    ctx._keep.append((store, keep))
