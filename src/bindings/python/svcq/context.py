"""The context (svcq/context.h): hooks, the error message, batches."""

import contextlib
import datetime as _dt
import weakref
from ctypes import CFUNCTYPE, byref, c_char_p, c_int, c_int32, c_int64, c_size_t, c_uint32, c_uint64, c_void_p

from . import _lib
from ._lib import HANDLE, P, proto

MALLOC_FN = CFUNCTYPE(c_void_p, c_size_t, c_void_p)
REALLOC_FN = CFUNCTYPE(c_void_p, c_void_p, c_size_t, c_void_p)
FREE_FN = CFUNCTYPE(None, c_void_p, c_void_p)
CLOCK_FN = CFUNCTYPE(c_int64, c_void_p)
LOG_FN = CFUNCTYPE(None, c_int32, c_char_p, c_void_p)

CtxOptions = _lib.mirror('svcq_ctx_options', 1, [
    ('version', c_uint32), ('reserved0', c_uint32),
    ('malloc_fn', MALLOC_FN), ('realloc_fn', REALLOC_FN), ('free_fn', FREE_FN),
    ('alloc_user_data', c_void_p),
    ('clock_fn', CLOCK_FN), ('clock_user_data', c_void_p),
    ('log_fn', LOG_FN), ('log_user_data', c_void_p),
    ('log_min_level', c_int32), ('reserved1', c_uint32),
    ('reserved', c_uint64 * 8)])

_options_init = proto('svcq_ctx_options_init', c_int, P(CtxOptions), c_uint32)
_new = proto('svcq_ctx_new', c_int, P(HANDLE), P(CtxOptions))
_free = proto('svcq_ctx_free', None, HANDLE)
_now = proto('svcq_ctx_now', c_int64, HANDLE)
_batch_begin = proto('svcq_ctx_batch_begin', c_int, HANDLE)
_batch_commit = proto('svcq_ctx_batch_commit', c_int, HANDLE)
_batch_rollback = proto('svcq_ctx_batch_rollback', c_int, HANDLE)
_version_number = proto('svcq_version_number', c_uint32)
_version_string = proto('svcq_version_string', c_char_p)

LogLevel = _lib.enum_from_constants('LogLevel', 'SVCQ_LOG_', ['DEBUG', 'INFO', 'WARN', 'ERROR'])


def version():
    """The library's version string ('0.2.0'), from svcq_version_string()."""
    return _version_string().decode()


def version_number():
    return _version_number()


class Context:
    """A libsvcq context: every handle is made from one.

    ``clock``: a callable returning the current instant as an aware datetime
    (tests and simulations control time with it); None reads the system clock.
    ``logger``: a callable ``logger(level: LogLevel, message: str)``;
    ``log_level`` the least level delivered. A clock or logger that raises
    does not reach the C library: the exception is raised again from the
    call that used it (a clock then reports the system time for that call).

    One thread at a time uses a context and everything made from it; use
    one context per thread. ``close()`` (or leaving ``with``) first frees
    every handle still open on it, newest first.
    """

    def __init__(self, clock=None, logger=None, log_level=0):
        self._pending = _lib.Pending()
        self._handles = []
        self._keep = []          # callbacks and stores the C side points to
        self._file_store = None
        opts = CtxOptions()
        rc = _options_init(byref(opts), CtxOptions.VERSION)
        if rc:
            raise _lib._errors.error_for(rc, 'svcq_ctx_options_init')
        if clock is not None:
            def clock_cb(user, clock=clock):
                return _lib.to_time(clock(), 'clock()')
            fn = CLOCK_FN(_guard_clock(self._pending, clock_cb))
            self._keep.append(fn)
            opts.clock_fn = fn
        if logger is not None:
            def log_cb(level, message, user, logger=logger):
                logger(_lib.enum_out(LogLevel, level), message.decode('utf-8', 'replace'))
            fn = LOG_FN(_lib.guard(self._pending, log_cb, None))
            self._keep.append(fn)
            opts.log_fn = fn
            opts.log_min_level = int(log_level)
        ptr = HANDLE()
        rc = _new(byref(ptr), byref(opts))
        if rc:
            raise _lib._errors.error_for(rc, 'svcq_ctx_new')
        self._ptr = ptr.value
        self._fin = weakref.finalize(self, _release_ctx, self._ptr, self._keep)

    # -- the registry of handles, so close() frees them first
    def _track(self, fin):
        self._handles.append(fin)
        if len(self._handles) > 64 and len(self._handles) % 64 == 0:
            self._handles = [f for f in self._handles if f.alive]

    @property
    def _p(self):
        if not self._ptr:
            raise ValueError('Context is closed')
        return self._ptr

    @property
    def closed(self):
        return not self._ptr

    def close(self):
        """Frees every handle still open on the context, newest first, then the context."""
        if not self._ptr:
            return
        for fin in reversed(self._handles):
            alive = fin.peek()
            if alive is not None:
                alive[0]._ptr = None      # the wrapper refuses calls from now on
            fin()
        self._handles = []
        self._ptr = None
        self._fin()
        exc, self._pending.exc = self._pending.exc, None
        if exc is not None:
            raise exc

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def errmsg(self):
        """The detailed message of the last error on this context (svcq_ctx_errmsg)."""
        return _lib.dec(_lib.ctx_errmsg(self._ptr)) if self._ptr else ''

    def now(self):
        """The current instant according to the context's clock, an aware datetime (UTC)."""
        return _lib.from_time(_lib.void_call(self, _now, self._p))

    # -- storage
    def set_store(self, store):
        """Makes `store` the context's store: a svcq.Store subclass (a host store
        written in Python), a svcq.FileStore, or None for a fresh memory store.
        Set it before making handles. The context owns it from then on."""
        from . import store as _store
        _store.attach(self, store)

    def batch_begin(self):
        _lib.call(self, _batch_begin, self._p)

    def batch_commit(self):
        _lib.call(self, _batch_commit, self._p)

    def batch_rollback(self):
        _lib.call(self, _batch_rollback, self._p)

    @contextlib.contextmanager
    def batch(self):
        """``with ctx.batch():`` groups the calls inside in one store transaction:
        committed when the block ends, rolled back (handles restored) when it raises."""
        self.batch_begin()
        try:
            yield self
        except BaseException:
            self.batch_rollback()
            raise
        self.batch_commit()

    def __repr__(self):
        return '<svcq.Context %s>' % ('closed' if self.closed else hex(self._ptr))


def _guard_clock(pending, fn):
    import time

    def wrapped(user):
        try:
            return fn(user)
        except BaseException as e:   # noqa: B902
            pending.catch(e)
            return int(time.time())
    return wrapped


def _release_ctx(ptr, keep):
    _free(ptr)
    keep.clear()
