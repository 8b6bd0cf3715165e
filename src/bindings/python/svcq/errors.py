"""Errors as exceptions: one base class, one subclass per libsvcq error code.

The codes' values come from the library at run time (svcq_constant); the
classes are named after the codes' C names (SVCQ_ECONFLICT -> ConflictError).
A code this binding does not name (a newer library) raises SvcqError itself.
"""


class SvcqError(Exception):
    """A libsvcq call failed.

    Attributes: ``code`` (the negative SVCQ_E* value), ``name`` (its C name,
    e.g. ``'SVCQ_ECONFLICT'``), ``description`` (svcq_strerror) and
    ``message`` (the context's detailed message, svcq_ctx_errmsg).
    """

    _c_name = None

    def __init__(self, message='', code=None, name=None, description=''):
        if code is None:
            # Raised by Python code (a host store refusing a put): the class's code.
            name = name or type(self)._c_name
            code = code_of(name) if name else code_of('SVCQ_EIO')
            name = name or 'SVCQ_EIO'
        self.code = code
        self.name = name
        self.description = description
        self.message = message
        text = message or description or 'error %d' % code
        super().__init__('%s (%s)' % (text, name or code))


class InvalidArgumentError(SvcqError, ValueError):
    """SVCQ_EINVAL: an argument is invalid."""


class OutOfMemoryError(SvcqError, MemoryError):
    """SVCQ_ENOMEM."""


class NotFoundError(SvcqError, LookupError):
    """SVCQ_ENOTFOUND: the named object does not exist."""


class ExistsError(SvcqError):
    """SVCQ_EEXIST: the object already exists."""


class ConflictError(SvcqError):
    """SVCQ_ECONFLICT: a stored revision differs from the one expected."""


class VersionError(SvcqError):
    """SVCQ_EVERSION: an unsupported table, record or file version."""


class StoreError(SvcqError):
    """SVCQ_ESTORE: a storage callback failed."""


class SvcqIOError(SvcqError, OSError):
    """SVCQ_EIO: an operating-system I/O call (or a host callback) failed."""


class CorruptError(SvcqError):
    """SVCQ_ECORRUPT: stored or supplied data is damaged."""


class BusyError(SvcqError):
    """SVCQ_EBUSY: a resource is locked by someone else."""


class RangeError(SvcqError, ValueError):
    """SVCQ_ERANGE: a value or result is out of range."""


class StateError(SvcqError):
    """SVCQ_ESTATE: not allowed in the current state."""


class ParseError(SvcqError, ValueError):
    """SVCQ_EPARSE: text could not be parsed; the message says where."""


class LimitError(SvcqError):
    """SVCQ_ELIMIT: a configured limit was exceeded."""


class AbortedError(SvcqError):
    """SVCQ_EABORTED: a host callback asked to stop."""


BY_NAME = {
    'SVCQ_EINVAL': InvalidArgumentError, 'SVCQ_ENOMEM': OutOfMemoryError,
    'SVCQ_ENOTFOUND': NotFoundError, 'SVCQ_EEXIST': ExistsError,
    'SVCQ_ECONFLICT': ConflictError, 'SVCQ_EVERSION': VersionError,
    'SVCQ_ESTORE': StoreError, 'SVCQ_EIO': SvcqIOError, 'SVCQ_ECORRUPT': CorruptError,
    'SVCQ_EBUSY': BusyError, 'SVCQ_ERANGE': RangeError, 'SVCQ_ESTATE': StateError,
    'SVCQ_EPARSE': ParseError, 'SVCQ_ELIMIT': LimitError, 'SVCQ_EABORTED': AbortedError,
}

#: code -> C name, and code -> class, filled from the library's constant table.
CODES = {}
CLASSES = {}
_strerror = None


def _install(codes, strerror):
    global _strerror
    _strerror = strerror
    for name, value in codes.items():
        CODES[value] = name
        if name in BY_NAME:
            CLASSES[value] = BY_NAME[name]
            BY_NAME[name]._c_name = name


def error_for(code, message=''):
    """The exception for a code returned by the library."""
    cls = CLASSES.get(code, SvcqError)
    return cls(message, code=code, name=CODES.get(code),
               description=_strerror(code) if _strerror else '')


def code_of(name):
    """The value of an error code by C name ('SVCQ_ECONFLICT')."""
    for value, n in CODES.items():
        if n == name:
            return value
    raise KeyError(name)
