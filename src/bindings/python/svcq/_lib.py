"""The loaded library and what every module of the binding shares.

Nothing here is copied from the C headers: every integer constant comes from
svcq_constant(), every table size from svcq_table_size() (and each ctypes
mirror is checked against it when the library is loaded), every enum label
from the library's svcq_<enum>_name() getters.
"""

import ctypes
import ctypes.util
import datetime as _dt
import enum
import os
import re
import weakref
from ctypes import (CFUNCTYPE, POINTER, byref, c_char, c_char_p, c_int, c_int32, c_int64,
                    c_size_t, c_uint32, c_uint64, c_void_p)

from . import errors as _errors

# ------------------------------------------------------------------ loading


def _find_library():
    path = os.environ.get('SVCQ_LIBRARY')
    if path:
        return path
    found = ctypes.util.find_library('svcq')
    if found:
        return found
    raise ImportError('svcq: libsvcq not found: set SVCQ_LIBRARY to the path of libsvcq.so, '
                      'or install the library where the dynamic linker finds it')


LIBRARY_PATH = _find_library()
try:
    LIB = ctypes.CDLL(LIBRARY_PATH)
except OSError as e:
    raise ImportError('svcq: cannot load %s: %s' % (LIBRARY_PATH, e)) from e


def proto(name, restype, *argtypes):
    """The library function `name` with its C signature set; returned for use."""
    fn = getattr(LIB, name)
    fn.restype = restype
    fn.argtypes = list(argtypes)
    return fn


HANDLE = c_void_p
P = POINTER

_constant = proto('svcq_constant', c_int, P(c_int64), c_char_p)
_constant_count = proto('svcq_constant_count', c_uint32)
_constant_at = proto('svcq_constant_at', c_int, P(c_char_p), P(c_int64), c_uint32)
_table_size = proto('svcq_table_size', c_size_t, c_char_p)
strerror = proto('svcq_strerror', c_char_p, c_int)
ctx_errmsg = proto('svcq_ctx_errmsg', c_char_p, HANDLE)


def _load_constants():
    out = {}
    name, value = c_char_p(), c_int64()
    for i in range(_constant_count()):
        if _constant_at(byref(name), byref(value), i) == 0:
            out[name.value.decode()] = value.value
    return out


#: Every integer constant of the public headers, by name, read at run time.
CONSTANTS = _load_constants()


def K(name):
    """One constant by its C name ('SVCQ_SLA_NEVER'), as the library reports it."""
    value = c_int64()
    if _constant(byref(value), name.encode()) != 0:
        raise KeyError('libsvcq at %s has no constant %s' % (LIBRARY_PATH, name))
    return value.value


def table_size(name):
    return _table_size(name.encode())


_errors._install({n: v for n, v in CONSTANTS.items()
                  if n == 'SVCQ_OK' or re.fullmatch(r'SVCQ_E[A-Z]+', n)},
                 lambda code: strerror(code).decode('utf-8', 'replace'))

OK = K('SVCQ_OK')
EIO = K('SVCQ_EIO')
EABORTED = K('SVCQ_EABORTED')
ENOTFOUND = K('SVCQ_ENOTFOUND')
ECONFLICT = K('SVCQ_ECONFLICT')
EINVAL = K('SVCQ_EINVAL')
NEVER = K('SVCQ_SLA_NEVER')

# ------------------------------------------------------------- table mirrors

MIRRORS = {}   # C table name -> ctypes Structure, each checked against svcq_table_size


def mirror(c_name, version, fields):
    """A ctypes Structure for the versioned table c_name.

    The binding describes `version` of the table. A library that knows that
    version (SVCQ_<NAME>_VERSION) with the same size, or a newer one that is
    at least as large, reads it (docs/abi-policy.md: a table says its
    version and the library reads only that version's bytes); an older
    library fails the load rather than read past the memory it was given.
    """
    cls = type(c_name, (ctypes.Structure,), {'_fields_': fields})
    lib_version = K(c_name.upper() + '_VERSION')
    if lib_version < version:
        raise ImportError('svcq: %s is version %d in libsvcq, older than the version %d this binding needs'
                          % (c_name, lib_version, version))
    size = table_size(c_name)
    if ctypes.sizeof(cls) != size if lib_version == version else ctypes.sizeof(cls) > size:
        raise ImportError('svcq: %s (version %d) is %d bytes in libsvcq, the binding\'s mirror of version %d '
                          'is %d' % (c_name, lib_version, size, version, ctypes.sizeof(cls)))
    cls.VERSION = version
    cls.LIB_VERSION = lib_version
    MIRRORS[c_name] = cls
    return cls


def new_table(cls, init_fn=None):
    """A zeroed table with its version set (through its _init function when given)."""
    t = cls()
    if init_fn is not None:
        rc = init_fn(byref(t), cls.VERSION)
        if rc != 0:
            raise _errors.error_for(rc, 'initialising %s' % cls.__name__)
    else:
        t.version = cls.VERSION
    return t


# --------------------------------------------------------------- enums


def _label_to_member(label):
    name = re.sub(r'[^0-9A-Za-z]+', '_', label).strip('_').upper()
    if not name or name[0].isdigit():
        name = 'T' + name if name else 'UNKNOWN'
    return name


# Values tried when listing an enum through its name getter: the small
# integers and every single bit (flag enums such as service channels).
_CANDIDATES = sorted(set(range(-1, 257)) | {1 << k for k in range(31)})


class SvcqEnum(enum.IntEnum):
    """An enum of the C API; `.label` is the library's own lowercase name."""

    @property
    def label(self):
        return self._label_


def enum_from_getter(py_name, getter_name):
    """An IntEnum whose members are what svcq_<enum>_name() names, read at run time."""
    getter = proto(getter_name, c_char_p, c_int32)
    members, labels = {}, {}
    for v in _CANDIDATES:
        s = getter(v)
        if s:
            label = s.decode()
            members[_label_to_member(label)] = v
            labels[v] = label
    cls = SvcqEnum(py_name, members)
    for m in cls:
        m._label_ = labels[m.value]
    cls._getter = getter
    return cls


def enum_from_constants(py_name, prefix, names):
    """An IntEnum of named constants (C enums without a name getter);
    a name may be a pair (Python member name, C name after the prefix)."""
    pairs = [n if isinstance(n, tuple) else (n, n) for n in names]
    members = {py: K(prefix + c) for py, c in pairs}
    cls = SvcqEnum(py_name, members)
    for m in cls:
        m._label_ = m.name.lower()
    return cls


def enum_value(cls, value):
    """An enum member, its label or its name, or an int, given to the library."""
    if isinstance(value, str):
        for m in cls:
            if m.label == value or m.name == value.upper():
                return int(m)
        raise ValueError('%s: unknown %s %r (known: %s)'
                         % (cls.__name__, cls.__name__, value, ', '.join(m.label for m in cls)))
    return int(value)


def enum_out(cls, value):
    try:
        return cls(value)
    except ValueError:
        return value

# ---------------------------------------------------------------- strings


def enc(s, what='string'):
    """str -> UTF-8 bytes for the library (None stays NULL)."""
    if s is None:
        return None
    if isinstance(s, bytes):
        return s
    if not isinstance(s, str):
        raise TypeError('%s must be str, not %s' % (what, type(s).__name__))
    return s.encode('utf-8')


def dec(b):
    """Borrowed UTF-8 from the library -> str (copied at once), NULL -> None."""
    if b is None:
        return None
    return b.decode('utf-8')


# ------------------------------------------------------------------- times

UTC = _dt.timezone.utc
EPOCH = _dt.datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = _dt.timedelta(seconds=1)


def to_time(value, what='time'):
    """An aware datetime -> svcq_time (seconds since the epoch, UTC)."""
    if not isinstance(value, _dt.datetime):
        raise TypeError('%s must be an aware datetime.datetime, not %s' % (what, type(value).__name__))
    if value.tzinfo is None or value.utcoffset() is None:
        raise TypeError('%s: naive datetime %s refused: give it a tzinfo (datetime.timezone.utc, '
                        'zoneinfo.ZoneInfo(...)) so the instant is unambiguous' % (what, value.isoformat()))
    return (value - EPOCH) // _SECOND


def from_time(t, tz=None):
    """svcq_time -> aware datetime (UTC, or `tz`); SVCQ_SLA_NEVER -> None."""
    if t == NEVER:
        return None
    d = EPOCH + _dt.timedelta(seconds=t)
    return d.astimezone(tz) if tz is not None else d


def to_seconds(value, what='duration'):
    if isinstance(value, _dt.timedelta):
        if value % _SECOND:
            raise ValueError('%s %s has a fraction of a second' % (what, value))
        return value // _SECOND
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError('%s must be a datetime.timedelta or int seconds' % what)
    return value


def seconds_out(s):
    return None if s == NEVER else _dt.timedelta(seconds=s)


# ------------------------------------------------------------- callbacks

WRITE_FN = CFUNCTYPE(c_int, P(c_char), c_size_t, c_void_p)

Writer = mirror('svcq_writer', 2, [
    ('version', c_uint32), ('reserved0', c_uint32),
    ('write', WRITE_FN), ('user_data', c_void_p),
    ('reserved', c_uint64 * 5)])

buffer_new = proto('svcq_buffer_new', c_int, P(HANDLE), HANDLE)
buffer_free = proto('svcq_buffer_free', None, HANDLE)
buffer_data = proto('svcq_buffer_data', c_void_p, HANDLE)
buffer_size = proto('svcq_buffer_size', c_size_t, HANDLE)
writer_to_buffer = proto('svcq_writer_to_buffer', c_int, P(Writer), HANDLE)
writer_init = proto('svcq_writer_init', c_int, P(Writer), c_uint32)


class Pending:
    """Where a callback puts the exception it caught, for the wrapper to raise.

    One per context: a context is used by one thread at a time, and its
    callbacks run on that thread during the call.
    """
    __slots__ = ('exc',)

    def __init__(self):
        self.exc = None

    def catch(self, exc):
        if self.exc is None:
            self.exc = exc


def guard(pending, fn, failure):
    """Wraps a Python callback: an exception is stored, `failure` returned."""
    def wrapped(*args):
        try:
            return fn(*args)
        except BaseException as e:   # noqa: B902 -- nothing may unwind through C
            pending.catch(e)
            return failure
    return wrapped


# ------------------------------------------------------------- handles


class Handle:
    """A library handle: freed once, by close(), `with`, or its finalizer.

    The handle holds its Context (so the context is freed after it); its
    finalizer is registered with the context, which frees what is still open
    (newest first) when it is closed itself, and runs at interpreter exit
    (weakref.finalize), before the context's.
    """
    _free_fn = None

    def __init__(self, ctx, ptr, owned=True):
        self._ctx = ctx
        self._ptr = ptr
        self._fin = None
        if owned:
            self._adopt()

    def _adopt(self):
        self._fin = weakref.finalize(self, _release, type(self)._free_fn, self._ptr, self._ctx)
        self._ctx._track(self._fin)

    def _disown(self):
        """The library took the object over (a scheduler holds a clock)."""
        if self._fin is not None:
            self._fin.detach()
            self._fin = None

    @property
    def ctx(self):
        return self._ctx

    @property
    def _p(self):
        if not self._ptr:
            raise ValueError('%s is closed' % type(self).__name__)
        return self._ptr

    @property
    def closed(self):
        return not self._ptr

    def close(self):
        """Frees the library object; later calls on this handle raise ValueError."""
        fin, self._fin = self._fin, None
        self._ptr = None
        if fin is not None:
            fin()

    def _invalidate(self):
        """The object was freed by its owner; forget it without freeing."""
        self._disown()
        self._ptr = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return '<svcq.%s %s>' % (type(self).__name__, 'closed' if self.closed else hex(self._ptr))


def _release(free_fn, ptr, ctx):
    if ptr:
        free_fn(ptr)


def call(ctx, fn, *args, what=None):
    """Calls a fallible library function on `ctx`.

    A non-zero result raises the SvcqError subclass of its code with the
    context's message. An exception a Python callback raised during the call
    is raised again here, the library's error chained as its cause.
    """
    pending = ctx._pending
    pending.exc = None
    rc = fn(*args)
    raise_for(ctx, rc, what)
    return rc


def raise_for(ctx, rc, what=None):
    pending = ctx._pending
    exc, pending.exc = pending.exc, None
    err = None
    if rc != 0:
        msg = dec(ctx_errmsg(ctx._ptr)) if ctx._ptr else ''
        if what and not msg:
            msg = what
        err = _errors.error_for(rc, msg)
    if exc is not None:
        raise exc from err
    if err is not None:
        raise err


def void_call(ctx, fn, *args):
    """Calls a library function that cannot fail but may call Python back."""
    pending = ctx._pending
    pending.exc = None
    r = fn(*args)
    raise_for(ctx, 0)
    return r


class Output:
    """A writer for one export: a svcq_buffer collected into str (or bytes),
    or a Python sink (`sink.write(bytes)` or a callable taking bytes)."""

    def __init__(self, ctx, sink=None):
        self.ctx = ctx
        self.sink = sink
        self.writer = Writer()
        self.buf = None
        self._fn = None
        if sink is None:
            buf = HANDLE()
            call(ctx, buffer_new, byref(buf), ctx._p)
            self.buf = buf
            call(ctx, writer_to_buffer, byref(self.writer), buf)
        else:
            write = sink.write if hasattr(sink, 'write') else sink

            def cb(data, size, user):
                write(ctypes.string_at(data, size))
                return 0
            call(ctx, writer_init, byref(self.writer), Writer.VERSION)
            self._fn = WRITE_FN(guard(ctx._pending, cb, EIO))
            self.writer.write = self._fn

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.buf:
            buffer_free(self.buf)
            self.buf = None

    @property
    def ref(self):
        return byref(self.writer)

    def bytes(self):
        return ctypes.string_at(buffer_data(self.buf), buffer_size(self.buf))

    def result(self, binary=False):
        if self.sink is not None:
            return None
        b = self.bytes()
        return b if binary else b.decode('utf-8')


def export(ctx, fn, *args, sink=None, binary=False, writer_pos=None):
    """Runs an export into str (or into `sink`), the writer at `writer_pos` of args."""
    with Output(ctx, sink) as out:
        args = list(args)
        if writer_pos is None:
            args.append(out.ref)
        else:
            args.insert(writer_pos, out.ref)
        call(ctx, fn, *args)
        return out.result(binary)


def text_call(ctx, fn, *args):
    """A (buf, size, needed, ...) formatting call -> str, sized to fit."""
    needed = c_size_t()
    size = 64
    while True:
        buf = ctypes.create_string_buffer(size)
        pending = ctx._pending
        pending.exc = None
        rc = fn(buf, size, byref(needed), *args)
        if rc == K('SVCQ_ELIMIT') and needed.value + 1 > size:
            size = needed.value + 1
            continue
        raise_for(ctx, rc)
        return buf.value.decode('utf-8')


