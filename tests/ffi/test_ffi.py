#!/usr/bin/env python3
"""libsvcq through Python ctypes, as a binding would use it.

Loads the built shared library (--lib) and drives the core API the way a
binding does: every constant (versions, table versions, limits, error codes)
comes from the library at run time through svcq_constant() and
svcq_constant_at(), every table size through svcq_table_size(); nothing is
read from the C headers or hard-coded. Then versions, the context with
default and ctypes-built options, a Python clock and allocator, error
strings, writers and buffers. The ctypes mirrors of the public tables are
checked against the layout the C compiler gives them (a program generated
from the headers at test time: that is the one place headers are parsed,
to find every struct) and against svcq_table_size(), and every public table
gets an automatic mirror so a table that ctypes cannot describe fails here.
Standard library only; exits 77 when it cannot run (sanitizer build).
"""

import ctypes
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
import unittest
from ctypes import (CFUNCTYPE, POINTER, byref, c_char, c_char_p, c_int, c_int32, c_int64,
                    c_size_t, c_uint32, c_uint64, c_void_p)

SKIP = 77
OPTS = {'lib': None, 'root': None, 'cc': None}
LIB = None
CONSTANTS = {}  # every constant the library lists: name -> value
ERRORS = {}     # SVCQ_OK and the SVCQ_E<NAME> codes: name -> value


def K(name):
    """One constant by name, as a binding reads it."""
    value = c_int64()
    rc = LIB.svcq_constant(byref(value), name.encode())
    if rc != 0:
        raise KeyError('svcq_constant(%s) returned %d' % (name, rc))
    return value.value


def load_constants():
    """The whole table through svcq_constant_count/svcq_constant_at."""
    name, value = c_char_p(), c_int64()
    for i in range(LIB.svcq_constant_count()):
        rc = LIB.svcq_constant_at(byref(name), byref(value), i)
        if rc != 0:
            raise AssertionError('svcq_constant_at(%d) returned %d' % (i, rc))
        CONSTANTS[name.value.decode()] = value.value
    for n, v in CONSTANTS.items():
        # Error codes are SVCQ_OK and SVCQ_E<NAME> (SVCQ_ERROR_RESERVED_MIN is the range bound).
        if n == 'SVCQ_OK' or re.fullmatch(r'SVCQ_E[A-Z]+', n):
            ERRORS[n] = v


def E(name):
    return ERRORS[name]


# ---------------------------------------------------------- ctypes mirrors

MALLOC_FN = CFUNCTYPE(c_void_p, c_size_t, c_void_p)
REALLOC_FN = CFUNCTYPE(c_void_p, c_void_p, c_size_t, c_void_p)
FREE_FN = CFUNCTYPE(None, c_void_p, c_void_p)
CLOCK_FN = CFUNCTYPE(c_int64, c_void_p)
LOG_FN = CFUNCTYPE(None, c_int32, c_char_p, c_void_p)
WRITE_FN = CFUNCTYPE(c_int, POINTER(c_char), c_size_t, c_void_p)


class CtxOptions(ctypes.Structure):
    """svcq_ctx_options, version 1."""
    _fields_ = [('version', c_uint32), ('reserved0', c_uint32),
                ('malloc_fn', MALLOC_FN), ('realloc_fn', REALLOC_FN), ('free_fn', FREE_FN),
                ('alloc_user_data', c_void_p),
                ('clock_fn', CLOCK_FN), ('clock_user_data', c_void_p),
                ('log_fn', LOG_FN), ('log_user_data', c_void_p),
                ('log_min_level', c_int32), ('reserved1', c_uint32),
                ('reserved', c_uint64 * 8)]


class Writer(ctypes.Structure):
    """svcq_writer, version 2."""
    _fields_ = [('version', c_uint32), ('reserved0', c_uint32),
                ('write', WRITE_FN), ('user_data', c_void_p),
                ('reserved', c_uint64 * 5)]


MIRRORS = {'svcq_ctx_options': CtxOptions, 'svcq_writer': Writer}
# The version each hand-written mirror describes: a newer library version
# (svcq_constant) means the mirror must be looked at again.
MIRROR_VERSIONS = {'svcq_ctx_options': 1, 'svcq_writer': 2}

CTX_P = c_void_p
BUF_P = c_void_p


def declare(lib):
    """argtypes and restype of every function used, as a binding declares them."""
    sigs = {
        'svcq_version_number': (c_uint32, []),
        'svcq_version_string': (c_char_p, []),
        'svcq_strerror': (c_char_p, [c_int]),
        'svcq_constant': (c_int, [POINTER(c_int64), c_char_p]),
        'svcq_constant_count': (c_uint32, []),
        'svcq_constant_at': (c_int, [POINTER(c_char_p), POINTER(c_int64), c_uint32]),
        'svcq_table_size': (c_size_t, [c_char_p]),
        'svcq_ctx_options_init': (c_int, [POINTER(CtxOptions), c_uint32]),
        'svcq_ctx_new': (c_int, [POINTER(CTX_P), POINTER(CtxOptions)]),
        'svcq_ctx_free': (None, [CTX_P]),
        'svcq_ctx_errmsg': (c_char_p, [CTX_P]),
        'svcq_ctx_now': (c_int64, [CTX_P]),
        'svcq_writer_init': (c_int, [POINTER(Writer), c_uint32]),
        'svcq_writer_to_file': (c_int, [POINTER(Writer), c_void_p]),
        'svcq_writer_to_buffer': (c_int, [POINTER(Writer), BUF_P]),
        'svcq_writer_write': (c_int, [POINTER(Writer), c_char_p, c_size_t]),
        'svcq_buffer_new': (c_int, [POINTER(BUF_P), CTX_P]),
        'svcq_buffer_free': (None, [BUF_P]),
        'svcq_buffer_data': (c_void_p, [BUF_P]),
        'svcq_buffer_size': (c_size_t, [BUF_P]),
        'svcq_buffer_clear': (None, [BUF_P]),
    }
    for name, (res, args) in sigs.items():
        fn = getattr(lib, name)
        fn.restype = res
        fn.argtypes = args


LIBC = ctypes.CDLL(None)
LIBC.malloc.restype = c_void_p
LIBC.malloc.argtypes = [c_size_t]
LIBC.realloc.restype = c_void_p
LIBC.realloc.argtypes = [c_void_p, c_size_t]
LIBC.free.restype = None
LIBC.free.argtypes = [c_void_p]
LIBC.fopen.restype = c_void_p
LIBC.fopen.argtypes = [c_char_p, c_char_p]
LIBC.fclose.restype = c_int
LIBC.fclose.argtypes = [c_void_p]


class PyAllocator:
    """A host allocator written in Python: counts live blocks, can fail on demand."""

    def __init__(self):
        self.live = set()
        self.errors = []
        self.calls = 0
        self.fail = False
        self.malloc = MALLOC_FN(self._malloc)
        self.realloc = REALLOC_FN(self._realloc)
        self.free = FREE_FN(self._free)

    def _malloc(self, size, user):
        self.calls += 1
        if self.fail:
            return None
        p = LIBC.malloc(size)
        self.live.add(p)
        return p

    def _realloc(self, ptr, size, user):
        self.calls += 1
        if self.fail:
            return None
        p = LIBC.realloc(ptr, size)
        if p:
            self.live.discard(ptr)
            self.live.add(p)
        return p

    def _free(self, ptr, user):
        # An exception in a ctypes callback is printed and swallowed, so
        # record what went wrong for the test to assert on.
        if ptr not in self.live:
            self.errors.append('free of a pointer the allocator did not hand out: %r' % ptr)
            return
        self.live.remove(ptr)
        LIBC.free(ptr)

    def install(self, opts):
        opts.malloc_fn, opts.realloc_fn, opts.free_fn = self.malloc, self.realloc, self.free


def new_options():
    opts = CtxOptions()
    ctypes.memset(byref(opts), 0xA5, ctypes.sizeof(opts))
    assert LIB.svcq_ctx_options_init(byref(opts), K('SVCQ_CTX_OPTIONS_VERSION')) == 0
    return opts


def new_ctx(opts=None):
    ctx = CTX_P()
    rc = LIB.svcq_ctx_new(byref(ctx), byref(opts) if opts is not None else None)
    if rc != 0:
        raise AssertionError('svcq_ctx_new: %d' % rc)
    return ctx


# ----------------------------------------------------------- the layout

CTYPES_OF = {'uint8_t': ctypes.c_uint8, 'int8_t': ctypes.c_int8,
             'uint16_t': ctypes.c_uint16, 'int16_t': ctypes.c_int16,
             'uint32_t': c_uint32, 'int32_t': c_int32, 'uint64_t': c_uint64, 'int64_t': c_int64,
             'size_t': c_size_t, 'svcq_time': c_int64}


def c_layouts(project):
    """Size and field (offset, size) of every public struct, from the C compiler."""
    lines = ['#include <stddef.h>', '#include <stdio.h>', '#include "svcq.h"']
    lines += ['#include "%s"' % h.rel for h in project.headers]
    lines += ['int main(void)', '{', '    printf("{");']
    for i, s in enumerate(project.structs):
        lines.append('    printf("%s\\"%s\\": {\\"size\\": %%zu, \\"fields\\": {", sizeof(%s));'
                     % (', ' if i else '', s.name, s.name))
        for j, (name, _, _) in enumerate(members_of(s)):
            lines.append('    printf("%s\\"%s\\": [%%zu, %%zu]", offsetof(%s, %s), '
                         'sizeof(((%s *)NULL)->%s));' % (', ' if j else '', name, s.name, name,
                                                         s.name, name))
        lines.append('    printf("}}");')
    lines += ['    printf("}\\n");', '    return 0;', '}']
    cc = shlex.split(OPTS['cc'])
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, 'layout.c')
        exe = os.path.join(tmp, 'layout')
        with open(src, 'w') as f:
            f.write('\n'.join(lines) + '\n')
        r = subprocess.run(cc + ['-std=c11', '-I', os.path.join(OPTS['root'], 'include'), src,
                                 '-o', exe], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        if r.returncode != 0:
            raise AssertionError('layout program does not compile:\n' + r.stdout)
        out = subprocess.run([exe], stdout=subprocess.PIPE, universal_newlines=True, check=True)
    return json.loads(out.stdout)


def members_of(struct):
    """[(name, C type text, array length or None)] of a parsed struct."""
    out = []
    for m in struct.members:
        fp = re.search(r'\(\s*\*\s*(\w+)\s*\)', m)
        if fp:
            out.append((fp.group(1), m, None))
            continue
        arr = re.match(r'^(.*?)(\w+)\s*\[\s*(\w+)\s*\]$', m)
        if arr:
            out.append((arr.group(2), arr.group(1).strip(), arr.group(3)))
            continue
        name = re.findall(r'\w+', m)[-1]
        out.append((name, m[:m.rfind(name)].strip(), None))
    return out


def auto_mirror(project, struct):
    """A ctypes Structure for struct from its declaration, as a generator of bindings would."""
    fields = []
    for name, ctype, length in members_of(struct):
        if '(' in ctype or '*' in ctype or project.typedefs.get(ctype) == 'fnptr':
            t = c_void_p
        elif ctype in CTYPES_OF:
            t = CTYPES_OF[ctype]
        else:
            raise AssertionError('%s.%s has type %r, which has no fixed ctypes equivalent'
                                 % (struct.name, name, ctype))
        if length is not None:
            n = int(length) if length.isdigit() else CONSTANTS.get(length)
            if n is None:
                raise AssertionError('%s.%s: array length %s is not a runtime constant '
                                     '(svcq_constant)' % (struct.name, name, length))
            t = t * n
        fields.append((name, t))
    return type(struct.name, (ctypes.Structure,), {'_fields_': fields})


def ctypes_layout(cls):
    return {'size': ctypes.sizeof(cls),
            'fields': {name: [getattr(cls, name).offset, getattr(cls, name).size]
                       for name, _ in cls._fields_}}


# ----------------------------------------------------------------- tests

class LayoutTest(unittest.TestCase):
    def setUp(self):
        if not OPTS['cc']:
            self.skipTest('no C compiler given (--cc)')
        sys.dont_write_bytecode = True     # keep __pycache__ out of the source tree
        sys.path.insert(0, os.path.join(OPTS['root'], 'tests', 'abi'))
        import abicheck
        self.project = abicheck.Project(OPTS['root'])
        self.c = c_layouts(self.project)

    def test_hand_mirrors_match_c(self):
        for name, cls in MIRRORS.items():
            self.assertIn(name, self.c)
            self.assertEqual(ctypes_layout(cls), self.c[name], '%s: ctypes mirror differs from C' % name)

    def test_every_public_table_mirrors_in_ctypes(self):
        self.assertTrue(self.project.structs)
        for s in self.project.structs:
            self.assertEqual(ctypes_layout(auto_mirror(self.project, s)), self.c[s.name],
                             '%s: the standard ctypes mapping gives another layout' % s.name)

    def test_table_size_matches_c(self):
        """svcq_table_size gives sizeof of every public table, so a binding can check its mirror."""
        for s in self.project.structs:
            self.assertEqual(LIB.svcq_table_size(s.name.encode()), self.c[s.name]['size'], s.name)
        for name, cls in MIRRORS.items():
            self.assertEqual(LIB.svcq_table_size(name.encode()), ctypes.sizeof(cls), name)


class ConstantsTest(unittest.TestCase):
    def test_table_is_sorted_unique_and_consistent(self):
        n = LIB.svcq_constant_count()
        self.assertEqual(len(CONSTANTS), n)
        names = []
        name, value = c_char_p(), c_int64()
        for i in range(n):
            self.assertEqual(LIB.svcq_constant_at(byref(name), byref(value), i), 0)
            names.append(name.value)
            self.assertEqual(K(name.value.decode()), value.value)
        self.assertEqual(names, sorted(set(names)), 'sorted by strcmp, no duplicates')
        self.assertEqual(LIB.svcq_constant_at(byref(name), byref(value), n), E('SVCQ_ERANGE'))
        self.assertEqual(LIB.svcq_constant_at(None, byref(value), 0), E('SVCQ_EINVAL'))
        self.assertEqual(LIB.svcq_constant_at(byref(name), None, 0), E('SVCQ_EINVAL'))

    def test_lookup(self):
        out = c_int64(42)
        self.assertEqual(LIB.svcq_constant(byref(out), b'SVCQ_NO_SUCH_CONSTANT'), E('SVCQ_ENOTFOUND'))
        self.assertEqual(out.value, 42, 'left unchanged on failure')
        self.assertEqual(LIB.svcq_constant(byref(out), b'SVCQ_SLA_EVENT_PAUSE'), E('SVCQ_ENOTFOUND'),
                         'string macros have getters of their own')
        self.assertEqual(LIB.svcq_constant(None, b'SVCQ_OK'), E('SVCQ_EINVAL'))
        self.assertEqual(LIB.svcq_constant(byref(out), None), E('SVCQ_EINVAL'))
        self.assertEqual(K('SVCQ_SLA_NEVER'), 2 ** 63 - 1)
        self.assertGreaterEqual(K('SVCQ_SLA_MAX_LEVELS'), 1)
        self.assertEqual(LIB.svcq_table_size(b'svcq_no_such_table'), 0)
        self.assertEqual(LIB.svcq_table_size(None), 0)

    def test_every_table_has_a_version_and_a_size(self):
        """Each versioned table: SVCQ_<NAME>_VERSION and svcq_table_size, read at run time."""
        versions = [n for n in CONSTANTS if re.fullmatch(r'SVCQ_\w+_VERSION', n)]
        tables = [('svcq_' + n[len('SVCQ_'):-len('_VERSION')].lower()) for n in versions]
        self.assertIn('svcq_sla_status', tables)
        self.assertIn('svcq_writer', tables)
        for table, version in zip(tables, versions):
            self.assertGreaterEqual(CONSTANTS[version], 1, version)
            self.assertGreater(LIB.svcq_table_size(table.encode()), 8, table)
        for name, v in MIRROR_VERSIONS.items():
            self.assertEqual(K(name.upper() + '_VERSION'), v,
                             '%s has a new version: update its hand-written mirror' % name)


class VersionTest(unittest.TestCase):
    def test_runtime_versions_agree(self):
        major, minor, patch = K('SVCQ_VERSION_MAJOR'), K('SVCQ_VERSION_MINOR'), K('SVCQ_VERSION_PATCH')
        self.assertEqual(LIB.svcq_version_number(), major * 10000 + minor * 100 + patch)
        self.assertEqual(K('SVCQ_VERSION_NUMBER'), LIB.svcq_version_number())
        self.assertEqual(LIB.svcq_version_string().decode(), '%d.%d.%d' % (major, minor, patch))
        self.assertEqual(os.path.basename(OPTS['lib']).split('.so.')[1].split('.')[0],
                         str(K('SVCQ_ABI_MAJOR')))

    def test_every_exported_name_resolves(self):
        with open(os.path.join(OPTS['root'], 'src', 'libsvcq.map'), encoding='utf-8') as f:
            text = re.sub(r'/\*.*?\*/', '', f.read(), flags=re.S)
        names = re.findall(r'^\s*(svcq_\w+)\s*;', text, re.M)
        self.assertTrue(names)
        for n in names:
            self.assertTrue(hasattr(LIB, n), n)


class ErrorTest(unittest.TestCase):
    def test_strerror_names_every_code(self):
        self.assertIn('SVCQ_OK', ERRORS)
        self.assertGreaterEqual(len(ERRORS), 16)
        seen = set()
        for name, value in ERRORS.items():
            s = LIB.svcq_strerror(value)
            self.assertTrue(s, name)
            text = s.decode('utf-8')
            self.assertNotEqual(text, 'unknown error', name)
            self.assertNotIn(text, seen, '%s shares its text' % name)
            seen.add(text)
        lowest = min(ERRORS.values())
        for unknown in (1, lowest - 1, K('SVCQ_ERROR_RESERVED_MIN'), -1000, 2 ** 31 - 1, -2 ** 31):
            self.assertEqual(LIB.svcq_strerror(unknown), b'unknown error')
        for name, value in ERRORS.items():
            self.assertGreaterEqual(value, K('SVCQ_ERROR_RESERVED_MIN'), 'in the reserved range: ' + name)

    def test_errmsg_of_null_and_fresh_context(self):
        self.assertEqual(LIB.svcq_ctx_errmsg(None), b'')
        ctx = new_ctx()
        self.assertEqual(LIB.svcq_ctx_errmsg(ctx), b'')
        LIB.svcq_ctx_free(ctx)


class ContextTest(unittest.TestCase):
    def test_defaults(self):
        ctx = new_ctx()
        self.assertTrue(ctx.value)
        now = LIB.svcq_ctx_now(ctx)
        self.assertLess(abs(now - time.time()), 300)    # the system clock, not a timing
        self.assertLess(abs(LIB.svcq_ctx_now(None) - time.time()), 300)
        LIB.svcq_ctx_free(ctx)
        LIB.svcq_ctx_free(None)

    def test_options_init(self):
        opts = new_options()
        self.assertEqual(opts.version, K('SVCQ_CTX_OPTIONS_VERSION'))
        raw = bytes(opts)
        self.assertEqual(raw[4:], bytes(len(raw) - 4), 'init must zero every other byte')
        self.assertEqual(LIB.svcq_ctx_options_init(byref(opts), 0), E('SVCQ_EVERSION'))
        self.assertEqual(LIB.svcq_ctx_options_init(byref(opts), K('SVCQ_CTX_OPTIONS_VERSION') + 1),
                         E('SVCQ_EVERSION'))
        self.assertEqual(LIB.svcq_ctx_options_init(None, 1), E('SVCQ_EINVAL'))

    def test_refused_options_leave_out_null(self):
        def refused(opts, code):
            ctx = CTX_P(0x1234)
            self.assertEqual(LIB.svcq_ctx_new(byref(ctx), byref(opts)), code)
            self.assertIsNone(ctx.value)
        opts = new_options()
        opts.reserved[7] = 1
        refused(opts, E('SVCQ_EINVAL'))
        opts = new_options()
        opts.reserved1 = 1
        refused(opts, E('SVCQ_EINVAL'))
        opts = new_options()
        opts.version = K('SVCQ_CTX_OPTIONS_VERSION') + 1
        refused(opts, E('SVCQ_EVERSION'))
        opts = new_options()
        a = PyAllocator()
        opts.malloc_fn = a.malloc            # an allocator given in part
        refused(opts, E('SVCQ_EINVAL'))
        self.assertEqual(LIB.svcq_ctx_new(None, None), E('SVCQ_EINVAL'))

    def test_python_clock(self):
        instant = c_int64(1700000000)
        calls = []

        def clock(user):
            calls.append(user)
            return ctypes.cast(user, POINTER(c_int64))[0]
        fn = CLOCK_FN(clock)
        opts = new_options()
        opts.clock_fn = fn
        opts.clock_user_data = ctypes.addressof(instant)
        ctx = new_ctx(opts)
        self.assertEqual(LIB.svcq_ctx_now(ctx), 1700000000)
        instant.value = -86400 * 365          # before the epoch works too
        self.assertEqual(LIB.svcq_ctx_now(ctx), -86400 * 365)
        self.assertEqual(calls, [ctypes.addressof(instant)] * 2)
        LIB.svcq_ctx_free(ctx)

    def test_python_allocator_and_errmsg(self):
        a = PyAllocator()
        opts = new_options()
        a.install(opts)
        ctx = new_ctx(opts)
        self.assertEqual(len(a.live), 1)          # the context itself
        buf = BUF_P()
        a.fail = True
        self.assertEqual(LIB.svcq_buffer_new(byref(buf), ctx), E('SVCQ_ENOMEM'))
        self.assertIsNone(buf.value)
        self.assertEqual(LIB.svcq_ctx_errmsg(ctx), b'out of memory')
        a.fail = False
        self.assertEqual(LIB.svcq_buffer_new(byref(buf), ctx), 0)
        w = Writer()
        self.assertEqual(LIB.svcq_writer_to_buffer(byref(w), buf), 0)
        self.assertEqual(LIB.svcq_writer_write(byref(w), b'x' * 1000, 1000), 0)
        self.assertGreaterEqual(len(a.live), 3)
        LIB.svcq_buffer_free(buf)
        LIB.svcq_ctx_free(ctx)
        self.assertEqual(a.live, set(), 'every block the library took was given back')
        self.assertEqual(a.errors, [])
        self.assertGreater(a.calls, 3)


class WriterTest(unittest.TestCase):
    def setUp(self):
        self.ctx = new_ctx()

    def tearDown(self):
        LIB.svcq_ctx_free(self.ctx)

    def test_writer_init(self):
        w = Writer()
        ctypes.memset(byref(w), 0xA5, ctypes.sizeof(w))
        self.assertEqual(LIB.svcq_writer_init(byref(w), K('SVCQ_WRITER_VERSION')), 0)
        self.assertEqual(w.version, K('SVCQ_WRITER_VERSION'))
        self.assertEqual(bytes(w)[4:], bytes(ctypes.sizeof(w) - 4))
        self.assertEqual(LIB.svcq_writer_init(byref(w), 0), E('SVCQ_EVERSION'))
        self.assertEqual(LIB.svcq_writer_init(byref(w), K('SVCQ_WRITER_VERSION') + 1), E('SVCQ_EVERSION'))
        self.assertEqual(LIB.svcq_writer_init(None, 1), E('SVCQ_EINVAL'))
        # An initialised writer has no callback yet.
        self.assertEqual(LIB.svcq_writer_write(byref(w), b'x', 1), E('SVCQ_EINVAL'))

    def test_buffer_round_trip(self):
        buf = BUF_P()
        self.assertEqual(LIB.svcq_buffer_new(byref(buf), self.ctx), 0)
        self.assertEqual(ctypes.string_at(LIB.svcq_buffer_data(buf)), b'')
        w = Writer()
        self.assertEqual(LIB.svcq_writer_to_buffer(byref(w), buf), 0)
        self.assertEqual(w.version, K('SVCQ_WRITER_VERSION'))
        parts = ['SLA breached: 工单 #42 ', '\u20ac 5\n', 'a\0b']
        want = b''.join(p.encode('utf-8') for p in parts)
        for p in parts:
            data = p.encode('utf-8')
            self.assertEqual(LIB.svcq_writer_write(byref(w), data, len(data)), 0)
        self.assertEqual(LIB.svcq_writer_write(byref(w), None, 0), 0)
        self.assertEqual(LIB.svcq_writer_write(byref(w), None, 1), E('SVCQ_EINVAL'))
        size = LIB.svcq_buffer_size(buf)
        self.assertEqual(size, len(want))
        self.assertEqual(ctypes.string_at(LIB.svcq_buffer_data(buf), size + 1), want + b'\0')
        LIB.svcq_buffer_clear(buf)
        self.assertEqual(LIB.svcq_buffer_size(buf), 0)
        self.assertEqual(ctypes.string_at(LIB.svcq_buffer_data(buf)), b'')
        LIB.svcq_buffer_free(buf)
        LIB.svcq_buffer_free(None)
        self.assertEqual(LIB.svcq_buffer_size(None), 0)
        self.assertEqual(ctypes.string_at(LIB.svcq_buffer_data(None)), b'')
        self.assertEqual(LIB.svcq_buffer_new(None, self.ctx), E('SVCQ_EINVAL'))
        self.assertEqual(LIB.svcq_buffer_new(byref(buf), None), E('SVCQ_EINVAL'))

    def test_python_callback_results(self):
        got = []
        result = [0]

        def write(data, size, user):
            got.append((ctypes.string_at(data, size), user))
            return result[0]
        fn = WRITE_FN(write)
        w = Writer()
        self.assertEqual(LIB.svcq_writer_init(byref(w), K('SVCQ_WRITER_VERSION')), 0)
        w.write = fn
        w.user_data = 7
        self.assertEqual(LIB.svcq_writer_write(byref(w), b'abc', 3), 0)
        self.assertEqual(got, [(b'abc', 7)])
        self.assertEqual(LIB.svcq_writer_write(byref(w), b'', 0), 0)
        self.assertEqual(len(got), 1, 'an empty write does not call back')
        for name, code in ERRORS.items():
            if code < 0:
                result[0] = code
                self.assertEqual(LIB.svcq_writer_write(byref(w), b'z', 1), code, name)
        # The published rule: the whole reserved range passes through, even a
        # code this library does not name; everything else is EABORTED.
        bound = K('SVCQ_ERROR_RESERVED_MIN')
        for code in (min(ERRORS.values()) - 1, bound):
            result[0] = code
            self.assertEqual(LIB.svcq_writer_write(byref(w), b'z', 1), code, code)
        for other in (1, 99, bound - 1, -2 ** 31):
            result[0] = other
            self.assertEqual(LIB.svcq_writer_write(byref(w), b'z', 1), E('SVCQ_EABORTED'), other)
        result[0] = 0
        w.version = K('SVCQ_WRITER_VERSION') + 1
        self.assertEqual(LIB.svcq_writer_write(byref(w), b'z', 1), E('SVCQ_EVERSION'))
        w.version = 0
        self.assertEqual(LIB.svcq_writer_write(byref(w), b'z', 1), E('SVCQ_EVERSION'))

    def test_file_writer(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'out.txt')
            stream = LIBC.fopen(path.encode(), b'wb')
            self.assertTrue(stream)
            w = Writer()
            self.assertEqual(LIB.svcq_writer_to_file(byref(w), stream), 0)
            self.assertEqual(LIB.svcq_writer_write(byref(w), b'line 1\n', 7), 0)
            self.assertEqual(LIB.svcq_writer_write(byref(w), 'é\n'.encode(), 3), 0)
            self.assertEqual(LIBC.fclose(stream), 0)
            with open(path, 'rb') as f:
                self.assertEqual(f.read(), b'line 1\n\xc3\xa9\n')
        self.assertEqual(LIB.svcq_writer_to_file(byref(w), None), E('SVCQ_EINVAL'))
        self.assertEqual(LIB.svcq_writer_to_file(None, None), E('SVCQ_EINVAL'))


def main():
    global LIB
    args = sys.argv[1:]
    while args:
        key = args.pop(0).lstrip('-')
        if key == 'sanitize':
            value = args.pop(0)
            if value not in ('', 'none'):
                print('SKIP: a sanitizer build (%s) cannot be loaded into python without '
                      'LD_PRELOAD of the runtime' % value)
                return SKIP
            continue
        if key not in OPTS or not args:
            raise SystemExit('usage: test_ffi.py --lib PATH --root DIR [--cc CMD] [--sanitize X]')
        OPTS[key] = args.pop(0)
    if not OPTS['lib'] or not OPTS['root']:
        raise SystemExit('--lib and --root are required')
    LIB = ctypes.CDLL(os.path.abspath(OPTS['lib']))
    declare(LIB)
    load_constants()
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2)
    result = runner.run(unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__]))
    return 0 if result.wasSuccessful() else 1


if __name__ == '__main__':
    sys.exit(main())
