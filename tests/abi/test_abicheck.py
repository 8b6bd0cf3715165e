#!/usr/bin/env python3
"""Self-test of abicheck.py: each check must fail on a tree that breaks its rule.

A check that cannot fail proves nothing, so every rule is broken here on
purpose in a scratch copy of the public headers, map and docs (or in a tiny
library built for the occasion), and the check must say so. Run by meson as
abi/selftest with the compilers and the shared library of the build;
standard library only.
"""

import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True     # keep __pycache__ out of the source tree
sys.path.insert(0, HERE)
import abicheck  # noqa: E402

ROOT = os.environ.get('SVCQ_SOURCE_ROOT') or os.path.dirname(os.path.dirname(HERE))
ARGS = {'cc': None, 'cxx': None, 'lib': None, 'static_lib': None, 'sanitize': None}


def run_check(name, root, **kw):
    """Runs one check in-process: (exit code, output)."""
    argv = [name, '--root', root]
    opts = dict(ARGS)
    opts.update(kw)
    for key in ('cc', 'cxx', 'lib', 'static_lib', 'sanitize', 'baseline_dir'):
        if opts.get(key):
            argv += ['--' + key.replace('_', '-'), opts[key]]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = abicheck.main(argv)
    return rc, out.getvalue()


class Tree:
    """A scratch copy of the parts of the source tree the checks read."""

    def __init__(self, tmp):
        self.root = os.path.join(tmp, 'tree')
        shutil.copytree(os.path.join(ROOT, 'include'), os.path.join(self.root, 'include'))
        os.makedirs(os.path.join(self.root, 'src'))
        shutil.copy(os.path.join(ROOT, 'src', 'libsvcq.map'), os.path.join(self.root, 'src'))
        shutil.copytree(os.path.join(ROOT, 'docs'), os.path.join(self.root, 'docs'))
        shutil.copytree(HERE, os.path.join(self.root, 'tests', 'abi'),
                        ignore=shutil.ignore_patterns('__pycache__'))
        self.baseline_dir = os.path.join(self.root, 'tests', 'abi')

    def path(self, rel):
        return os.path.join(self.root, rel)

    def read(self, rel):
        with open(self.path(rel), encoding='utf-8') as f:
            return f.read()

    def write(self, rel, text):
        os.makedirs(os.path.dirname(self.path(rel)), exist_ok=True)
        with open(self.path(rel), 'w', encoding='utf-8') as f:
            f.write(text)

    def sub(self, rel, pattern, repl, flags=0):
        """Regex edit; fails loudly if the convention it relies on is gone."""
        text, n = re.subn(pattern, repl, self.read(rel), count=1, flags=flags)
        if n != 1:
            raise AssertionError('self-test fixture: %r not found in %s' % (pattern, rel))
        self.write(rel, text)

    def add_header(self, body, rel='include/svcq/zz_selftest.h'):
        """A new public header holding body, so edits never depend on existing text."""
        self.write(rel, SCRATCH_HEADER % body)

    def check(self, name, **kw):
        kw.setdefault('baseline_dir', self.baseline_dir)
        return run_check(name, self.root, **kw)


DOCUMENTED_FN = '''
/**
 * @brief A function added by the self-test.
 * @return SVCQ_OK.
 * @since 0.1
 */
SVCQ_API int svcq_selftest_extra(void);
'''


SCRATCH_HEADER = '''/** @file svcq/zz_selftest.h */
#ifndef SVCQ_ZZ_SELFTEST_H
#define SVCQ_ZZ_SELFTEST_H
#include "common.h"
#include "context.h"
#include "writer.h"
#ifdef __cplusplus
extern "C" {
#endif
%s
#ifdef __cplusplus
}
#endif
#endif
'''


class Base(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.tree = Tree(self.tmp)

    def tearDown(self):
        self._tmp.cleanup()

    def assertFails(self, result, *patterns):
        rc, out = result
        self.assertEqual(rc, 1, 'expected a failure, got %d:\n%s' % (rc, out))
        for p in patterns:
            self.assertRegex(out, p)

    def assertPasses(self, result):
        rc, out = result
        self.assertEqual(rc, 0, out)

    def need(self, *what):
        for w in what:
            if not ARGS.get(w):
                self.skipTest('no --%s' % w)


class ParserTest(unittest.TestCase):
    def test_declarations(self):
        h = abicheck.Header.__new__(abicheck.Header)
        h.rel = 'x.h'
        h.text = ('/** doc */\nSVCQ_API SVCQ_NODISCARD int svcq_a(svcq_x **out, const char *s,\n'
                  '    size_t n, int (*cb)(void *u), uint32_t);\n'
                  'SVCQ_API void svcq_b(void);\n')
        d = abicheck.Decl(h, 11, h.text[11:h.text.index(';')], True)
        self.assertEqual(d.name, 'svcq_a')
        self.assertEqual(d.ret, 'int')
        self.assertEqual(d.params, [('svcq_x **', 'out'), ('const char *', 's'), ('size_t', 'n'),
                                    ('int (*)(void *u)', 'cb'), ('uint32_t', None)])
        self.assertEqual(abicheck.doc_comment_before(h.text, 11), '/** doc */')
        self.assertIsNone(abicheck.doc_comment_before(h.text, h.text.index('SVCQ_API void')))

    def test_comments_and_enums(self):
        text = 'int a; /* x; y */ int b; // z;\n"/*" ;'
        self.assertEqual(abicheck.strip_comments(text),
                         'int a; ' + ' ' * 10 + ' int b; ' + ' ' * 5 + '\n"/*" ;')
        self.assertEqual(abicheck.safe_eval_int('-(1 << 3) | 1', {}), -7)
        self.assertEqual(abicheck.safe_eval_int('A + 0x10u', {'A': 2}), 18)
        with self.assertRaises(ValueError):
            abicheck.safe_eval_int('sizeof(int)', {})


class MapTest(Base):
    def test_declared_but_not_in_map(self):
        self.tree.add_header(DOCUMENTED_FN)
        self.assertFails(self.tree.check('map'),
                         r'zz_selftest\.h:\d+: svcq_selftest_extra is SVCQ_API but not in src/libsvcq\.map')

    def test_in_map_but_not_declared(self):
        self.tree.sub('src/libsvcq.map', r'(  global:\n)', r'\1    svcq_aaa_gone;\n')
        self.assertFails(self.tree.check('map'), r'lists svcq_aaa_gone \(node LIBSVCQ_1\.0\), which no public header')

    def test_unsorted_and_orphan_node(self):
        # Swap the first two names of the first node, whatever they are.
        self.tree.sub('src/libsvcq.map', r'(  global:\n)(    \w+;\n)(    \w+;\n)', r'\1\3\2')
        self.tree.write('src/libsvcq.map', self.tree.read('src/libsvcq.map') +
                        'LIBSVCQ_1.999 {\n  global:\n    svcq_selftest_extra;\n};\n')
        self.tree.add_header(DOCUMENTED_FN)
        self.assertFails(self.tree.check('map'), r'map node LIBSVCQ_1\.0 is not in alphabetical order',
                         r'LIBSVCQ_1\.999 must inherit \w+')

    def test_node_names_follow_abi_major(self):
        major = abicheck.Project(self.tree.root).abi_major
        self.tree.sub('include/svcq/version.h', r'#define SVCQ_ABI_MAJOR \d+',
                      '#define SVCQ_ABI_MAJOR %d' % (major + 1))
        self.assertFails(self.tree.check('map'), r'nodes are named LIBSVCQ_%d\.<minor>' % (major + 1))

    def test_missing_svcq_api(self):
        self.tree.add_header('/** @brief x. @since 0.1 */\nvoid svcq_no_api(int x);')
        self.assertFails(self.tree.check('map'), r'svcq_no_api is declared in a public header without SVCQ_API')

    def test_inline_function(self):
        self.tree.add_header('static inline int svcq_twice(int x) { return 2 * x; }\n'
                             '/** @brief x. @since 0.1 */\nSVCQ_API void svcq_after(void);')
        self.assertFails(self.tree.check('map'), r'zz_selftest\.h:\d+: function body in a public header '
                         r'\(static inline int svcq_twice\(int x\)\)',
                         r'svcq_after is SVCQ_API but not in src/libsvcq\.map')

    def test_unprefixed_name(self):
        self.tree.add_header('/** @brief x. @since 0.1 */\nSVCQ_API void other_name(void);')
        self.tree.sub('src/libsvcq.map', r'(  global:\n)', r'\1    other_name;\n')
        self.assertFails(self.tree.check('map'), r'other_name: public names start with svcq_',
                         r'other_name does not start with svcq_')


class DocsTest(Base):
    def test_undocumented_function(self):
        self.tree.add_header('SVCQ_API int svcq_undocumented(void);')
        self.assertFails(self.tree.check('docs'),
                         r'zz_selftest\.h:\d+: svcq_undocumented has no /\*\* \.\.\. \*/ doc comment')

    def test_plain_comment_is_not_a_doc(self):
        self.tree.add_header('/* plain */\nSVCQ_API void svcq_plain(void);')
        self.assertFails(self.tree.check('docs'), r'svcq_plain has no /\*\*')

    def test_missing_tags(self):
        self.tree.add_header('/** Says little. */\nSVCQ_API int svcq_terse(void);')
        self.assertFails(self.tree.check('docs'), r'svcq_terse lacks @brief', r'svcq_terse lacks @since',
                         r'svcq_terse lacks @return')

    def test_error_code_not_documented(self):
        text = self.tree.read('docs/errors.md')
        self.tree.write('docs/errors.md', '\n'.join(l for l in text.splitlines() if 'SVCQ_ELIMIT' not in l))
        self.assertFails(self.tree.check('docs'), r'does not list SVCQ_ELIMIT with its value -14')

    def test_header_not_in_architecture(self):
        self.tree.add_header('')
        self.assertFails(self.tree.check('docs'), r'architecture\.md does not mention svcq/zz_selftest\.h')


SELFTEST_ENUM = '''/** Values added by the self-test. */
typedef enum svcq_selftest_kind {
    SVCQ_SELFTEST_KIND_A = 1,
    SVCQ_SELFTEST_KIND_B = 2%s
} svcq_selftest_kind;
'''


class EnumsTest(Base):
    def test_addition_passes(self):
        self.tree.add_header(SELFTEST_ENUM % '')
        rc, out = self.tree.check('enums')
        self.assertRegex(out, r'new since the baseline: .*SVCQ_SELFTEST_KIND_A, SVCQ_SELFTEST_KIND_B')
        self.assertNotRegex(out, r'FAIL: .*SELFTEST')

    def test_renumbered(self):
        # Error codes are pinned forever, so this edit stays valid.
        self.tree.sub('include/svcq/common.h', r'SVCQ_EIO = -8\b', 'SVCQ_EIO = -80')
        self.assertFails(self.tree.check('enums'), r'svcq_error SVCQ_EIO was -8 and is now svcq_error -80')

    def test_removed(self):
        self.tree.sub('include/svcq/context.h', r'\n\s*SVCQ_LOG_WARN = 2,', '')
        self.assertFails(self.tree.check('enums'), r'SVCQ_LOG_WARN = 2 was published and is gone')

    def test_implicit_value(self):
        self.tree.add_header(SELFTEST_ENUM % ',\n    SVCQ_SELFTEST_KIND_NEXT')
        self.assertFails(self.tree.check('enums'), r'SVCQ_SELFTEST_KIND_NEXT has no explicit value')


class HeadersTest(Base):
    def test_not_self_contained(self):
        self.need('cc')
        self.tree.write('include/svcq/zz_selftest.h',
                        '#ifndef Z\n#define Z\n/** @brief x. @since 0.1 */\n'
                        'SVCQ_API void svcq_z(FILE *f);\n#endif\n')
        self.assertFails(self.tree.check('headers-c'), r'svcq/zz_selftest\.h does not compile alone as C99',
                         r'include/svcq\.h does not include "svcq/zz_selftest\.h"')

    def test_pedantic_c99(self):
        self.need('cc')
        self.tree.add_header('/** @brief x. @since 0.1 */\nSVCQ_API int svcq_old();')
        self.assertFails(self.tree.check('headers-c'), r'svcq/zz_selftest\.h does not compile alone as C99',
                         r'strict-prototypes')

    def test_init_macro_missing_field(self):
        self.need('cc')
        self.tree.add_header('#define SVCQ_SHORT_VERSION 1\n'
                             'typedef struct svcq_short { uint32_t version; uint32_t reserved0; '
                             'void *p; } svcq_short;\n'
                             '#define SVCQ_SHORT_INIT { SVCQ_SHORT_VERSION, 0 }\n')
        self.assertFails(self.tree.check('headers-c'), r'zz_selftest\.h does not compile alone as C99',
                         r'missing-field-initializers')

    def test_cxx_needs_extern_c(self):
        self.need('cxx', 'lib')
        self.tree.sub('include/svcq/writer.h', r'#ifdef __cplusplus\s*extern "C" \{\s*#endif', '')
        self.tree.sub('include/svcq/writer.h', r'#ifdef __cplusplus\s*\}\s*#endif', '')
        self.assertFails(self.tree.check('headers-cxx'), r'does not link \(a header without extern "C"\?\)',
                         r'svcq_writer_write')


class TablesTest(Base):
    def test_macro_differs_from_function(self):
        """The generated program, linked with the real library, sees a wrong macro."""
        self.need('cc', 'lib')
        # reserved0 is the second field of every table: byte 4.
        self.tree.sub('include/svcq/context.h',
                      r'(#define SVCQ_CTX_OPTIONS_INIT \{ SVCQ_CTX_OPTIONS_VERSION, )0,', r'\g<1>1,')
        self.assertFails(self.tree.check('tables'),
                         r'SVCQ_CTX_OPTIONS_INIT vs svcq_ctx_options_init\(&x, SVCQ_CTX_OPTIONS_VERSION\): '
                         r'byte 4 is 0x01 from the macro, 0x00 from the function')

    def test_naming_rule(self):
        self.tree.sub('include/svcq/writer.h', r'#define SVCQ_WRITER_INIT\b', '#define SVCQ_WRITER_INITIALISER')
        self.tree.add_header('#define SVCQ_ORPHAN_INIT { 0 }\n/** @brief x. @since 0.1 */\n'
                             'SVCQ_API int svcq_lonely_init(svcq_writer *w, uint32_t version);')
        self.assertFails(self.tree.check('tables'),
                         r'table svcq_writer: .* missing: #define SVCQ_WRITER_INIT\b',
                         r'table svcq_orphan: .*missing: typedef struct svcq_orphan',
                         r'zz_selftest\.h:\d+: svcq_lonely_init must be declared int svcq_lonely_init\(svcq_lonely \*',
                         r'#define SVCQ_LONELY_INIT')

    def test_layout_rules(self):
        self.tree.add_header('''
#define SVCQ_BAD_VERSION 1
#define SVCQ_BAD_INIT { 0 }
typedef struct svcq_bad {
    int count;
    uint32_t version;
    uint32_t flag : 1;
    svcq_log_level level;
    svcq_writer inner;
} svcq_bad;
/** @brief x. @return y. @since 0.1 */
SVCQ_API int svcq_bad_init(svcq_bad *b, uint32_t version);
''')
        self.assertFails(self.tree.check('tables'), r'first member of svcq_bad must be "uint32_t version"',
                         r'no reserved member', r'bitfield "uint32_t flag : 1"',
                         r'member "int count" uses int', r'member "svcq_log_level level" has an enum type',
                         r'member "svcq_writer inner" embeds a struct by value')

    def test_init_function_behaviour(self):
        """A library whose _init accepts a wrong version or skips bytes fails."""
        self.need('cc')
        t = self.tree
        common = t.read('include/svcq/common.h')
        shutil.rmtree(t.path('include/svcq'))
        t.write('include/svcq/common.h', common)
        t.write('include/svcq/fake.h', '''#ifndef FAKE_H
#define FAKE_H
#include "common.h"
#define SVCQ_FAKE_VERSION 2
typedef struct svcq_fake { uint32_t version; uint32_t reserved0; uint64_t reserved[2]; } svcq_fake;
#define SVCQ_FAKE_INIT { SVCQ_FAKE_VERSION, 0, { 0 } }
/** @brief x. @return y. @since 0.1 */
SVCQ_API SVCQ_NODISCARD int svcq_fake_init(svcq_fake *f, uint32_t version);
#endif
''')
        t.write('include/svcq.h', '#include "svcq/common.h"\n#include "svcq/fake.h"\n')
        impl = os.path.join(self.tmp, 'fake.c')
        with open(impl, 'w') as f:
            f.write('''#include <string.h>
#include "svcq/fake.h"
int svcq_fake_init(svcq_fake *f, uint32_t version)
{
    if (!f) return SVCQ_EINVAL;
    if (version > SVCQ_FAKE_VERSION + 1) return SVCQ_EVERSION; /* bug: accepts 0 and 3 */
    f->version = version;  /* bug: reserved bytes left as they were */
    return SVCQ_OK;
}
''')
        lib = os.path.join(self.tmp, 'libsvcq.so.1')
        cc = shlex.split(ARGS['cc'])
        r = subprocess.run(cc + ['-shared', '-fPIC', '-I', t.path('include'), impl, '-o', lib],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertFails(t.check('tables', lib=lib, sanitize=None),
                         r'SVCQ_FAKE_INIT vs svcq_fake_init\(&x, SVCQ_FAKE_VERSION\): byte 4 ',
                         r'svcq_fake_init\(&x, 0\) returned 0, not SVCQ_EVERSION',
                         r'svcq_fake_init\(&x, SVCQ_FAKE_VERSION \+ 1\) returned 0, not SVCQ_EVERSION')


class ExportsTest(Base):
    def setUp(self):
        super().setUp()
        self.need('lib')
        if not shutil.which('nm'):
            self.skipTest('no nm')

    def test_export_not_in_map(self):
        self.tree.sub('src/libsvcq.map', r'\n    svcq_ctx_now;', '')
        self.assertFails(self.tree.check('exports'), r'exports svcq_ctx_now, which src/libsvcq.map does not list')

    def test_map_name_not_exported(self):
        self.tree.sub('src/libsvcq.map', r'(  global:\n)', r'\1    svcq_aaa_missing;\n')
        self.assertFails(self.tree.check('exports'), r'lists svcq_aaa_missing but the library does not export it')

    def test_soname_follows_header(self):
        self.tree.sub('include/svcq/version.h', r'#define SVCQ_ABI_MAJOR \d+', '#define SVCQ_ABI_MAJOR 97')
        self.assertFails(self.tree.check('exports'), r'SONAME is libsvcq\.so\.\d+, expected libsvcq\.so\.97')

    def test_libpthread_needed_fails(self):
        # The real library relinked with a DT_NEEDED on libpthread: libsvcq
        # needs libc only (its mutex and condition variable are in libc).
        self.need('cc', 'static_lib')
        major = re.search(r'#define SVCQ_ABI_MAJOR (\d+)', self.tree.read('include/svcq/version.h')).group(1)
        lib = os.path.join(self.tmp, 'libsvcq.so.' + major)
        cc = shlex.split(ARGS['cc'])
        r = subprocess.run(cc + ['-shared', '-Wl,--whole-archive', ARGS['static_lib'], '-Wl,--no-whole-archive',
                                 '-Wl,--version-script=' + self.tree.path('src/libsvcq.map'),
                                 '-Wl,-soname,libsvcq.so.' + major, '-Wl,--no-as-needed', '-l:libpthread.so.0',
                                 '-o', lib],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
        if r.returncode != 0:
            self.skipTest('cannot link with libpthread.so.0: ' + r.stdout[-200:])
        self.assertFails(self.tree.check('exports', lib=lib), r'the library needs libpthread\.so\.0')

    def test_wrong_node(self):
        # Move svcq_strerror (core, in the first node) to a node the library lacks.
        self.tree.sub('src/libsvcq.map', r'\n    svcq_strerror;', '')
        nodes, _ = abicheck.parse_map(self.tree.path('src/libsvcq.map'))
        self.tree.write('src/libsvcq.map', self.tree.read('src/libsvcq.map') +
                        'LIBSVCQ_1.999 {\n  global:\n    svcq_strerror;\n} %s;\n' % nodes[-1][0])
        self.assertFails(self.tree.check('exports'),
                         r'svcq_strerror is exported with version LIBSVCQ_1\.0, the map puts it in LIBSVCQ_1\.999',
                         r'version node LIBSVCQ_1\.999 is not in the library')


class ConstantsTest(Base):
    """The runtime table (the real library) against headers that define more or other values."""

    def setUp(self):
        super().setUp()
        self.need('cc', 'lib')

    def test_real_tree_passes(self):
        self.assertPasses(self.tree.check('constants'))

    def test_new_names_are_listed_with_the_lines_to_add(self):
        self.tree.add_header('''
/** Most widgets. */
#define SVCQ_SELFTEST_MAX_WIDGETS 42
#define SVCQ_SELFTEST_FLAG 0x4u
#define SVCQ_SELFTEST_NAME "not an integer"
typedef enum svcq_selftest_mode {
    SVCQ_SELFTEST_MODE_A = 7
} svcq_selftest_mode;
#define SVCQ_SELFTEST_OPTIONS_VERSION 1
typedef struct svcq_selftest_options {
    uint32_t version;
    uint32_t reserved0;
    uint64_t reserved[2];
} svcq_selftest_options;
''')
        rc, out = self.tree.check('constants')
        self.assertFails((rc, out),
                         r'lacks 4 name\(s\).*add these lines to constants\[\] in src/core/constants\.c',
                         r'C\(SVCQ_SELFTEST_FLAG\),  /\* #define in svcq/zz_selftest\.h',
                         r'C\(SVCQ_SELFTEST_MAX_WIDGETS\),',
                         r'C\(SVCQ_SELFTEST_MODE_A\),  /\* enumerator of svcq_selftest_mode',
                         r'C\(SVCQ_SELFTEST_OPTIONS_VERSION\),',
                         r'svcq_table_size does not know 1 versioned table\(s\).*\n    T\(svcq_selftest_options\),')
        self.assertNotIn('SVCQ_SELFTEST_NAME', out)

    def test_changed_value(self):
        self.tree.sub('include/svcq/sla.h', r'#define SVCQ_SLA_MAX_LEVELS 8', '#define SVCQ_SLA_MAX_LEVELS 9')
        self.assertFails(self.tree.check('constants'),
                         r'SVCQ_SLA_MAX_LEVELS is 9 in the headers but svcq_constant gives 8')

    def test_error_code_without_name(self):
        self.tree.sub('include/svcq/common.h', r'(SVCQ_EABORTED = -15)', r'\1,\n    SVCQ_ESELFTEST = -16')
        self.assertFails(self.tree.check('constants'),
                         r'svcq_strerror\(SVCQ_ESELFTEST\) is "unknown error"',
                         r'C\(SVCQ_ESELFTEST\),')


class StaticTest(Base):
    """Global names of a static library: a tiny archive with a leaking name fails."""

    def test_real_library_passes(self):
        self.need('static_lib')
        if not shutil.which('nm'):
            self.skipTest('no nm')
        self.assertPasses(self.tree.check('static'))

    def test_unprefixed_global_fails(self):
        self.need('cc')
        if not shutil.which('nm') or not shutil.which('ar'):
            self.skipTest('no nm or ar')
        src = os.path.join(self.tmp, 'leak.c')
        with open(src, 'w') as f:
            f.write('''int svcq_public(void);
int svcq__internal(void);
static int helper(void) { return 1; }
void *sq_malloc(unsigned long n);
int sq_error_count = 3;
int svcq_public(void) { return helper(); }
int svcq__internal(void) { return sq_error_count; }
void *sq_malloc(unsigned long n) { (void)n; return 0; }
''')
        obj = os.path.join(self.tmp, 'leak.o')
        lib = os.path.join(self.tmp, 'libsvcq.a')
        r = subprocess.run(shlex.split(ARGS['cc']) + ['-c', src, '-o', obj], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True)
        self.assertEqual(r.returncode, 0, r.stdout)
        subprocess.run(['ar', 'rcs', lib, obj], check=True)
        rc, out = self.tree.check('static', static_lib=lib)
        self.assertFails((rc, out), r'leak\.o\) defines the global symbol sq_malloc \(type T\)',
                         r'defines the global symbol sq_error_count \(type D\)')
        self.assertNotIn('symbol svcq_public', out)
        self.assertNotIn('symbol svcq__internal', out)
        self.assertNotIn('helper', out)


class AbidiffTest(Base):
    """abidiff_verdict on tiny libraries: additions pass, breaks fail."""

    V1 = '''#include <stdint.h>
#define SVCQ_API __attribute__((visibility("default")))
typedef struct svcq_t { uint32_t version; uint32_t a; uint64_t reserved[2]; } svcq_t;
SVCQ_API int svcq_t_init(svcq_t *t, uint32_t version);
SVCQ_API int svcq_keep(int x);
'''
    IMPL = '''
int svcq_t_init(svcq_t *t, uint32_t version) { t->version = version; return 0; }
int svcq_keep(int x) { return x; }
'''

    def setUp(self):
        super().setUp()
        self.need('cc')
        if not shutil.which('abidw') or not shutil.which('abidiff'):
            self.skipTest('abigail-tools not installed')

    def dump(self, name, header, impl):
        root = os.path.join(self.tmp, name)
        os.makedirs(os.path.join(root, 'include', 'svcq'))
        with open(os.path.join(root, 'include', 'svcq', 't.h'), 'w') as f:
            f.write(header)
        src = os.path.join(root, 't.c')
        with open(src, 'w') as f:
            f.write('#include "svcq/t.h"\n' + impl)
        lib = os.path.join(root, 'libsvcq.so.1')
        r = subprocess.run(shlex.split(ARGS['cc']) + ['-g', '-shared', '-fPIC', '-fvisibility=hidden',
                                                      '-Wl,-soname,libsvcq.so.1', '-I',
                                                      os.path.join(root, 'include'), src, '-o', lib],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
        self.assertEqual(r.returncode, 0, r.stdout)
        out = os.path.join(root, 'dump.abi')
        abicheck.abidw_dump(root, lib, out)
        return out

    def verdict(self, header, impl):
        base = self.dump('v1', self.V1, self.IMPL)
        new = self.dump('v2', header, impl)
        return abicheck.abidiff_verdict(shutil.which('abidiff'), base, new)

    def test_same_passes(self):
        ok, why, _ = self.verdict(self.V1, self.IMPL)
        self.assertTrue(ok, why)

    def test_addition_passes(self):
        ok, why, report = self.verdict(self.V1 + 'SVCQ_API int svcq_new(int x);\n',
                                       self.IMPL + 'int svcq_new(int x) { return x + 1; }\n')
        self.assertTrue(ok, report)
        self.assertEqual(why, 'additions only')

    def test_removal_fails(self):
        ok, why, report = self.verdict(self.V1.replace('SVCQ_API int svcq_keep(int x);\n', ''),
                                       self.IMPL.replace('int svcq_keep(int x) { return x; }\n', ''))
        self.assertFalse(ok)
        self.assertIn('incompatible', why)
        self.assertIn('svcq_keep', report)

    def test_signature_change_fails(self):
        ok, why, report = self.verdict(self.V1.replace('svcq_keep(int x)', 'svcq_keep(int64_t x)'),
                                       self.IMPL.replace('int svcq_keep(int x) { return x; }',
                                                         'int svcq_keep(int64_t x) { return (int)x; }'))
        self.assertFalse(ok, report)
        self.assertEqual(why, 'published interfaces changed')

    def test_struct_layout_change_fails(self):
        ok, why, report = self.verdict(self.V1.replace('uint32_t a;', 'uint64_t a;'), self.IMPL)
        self.assertFalse(ok, report)
        self.assertEqual(why, 'published interfaces changed')


def main():
    args = sys.argv[1:]
    i = 0
    while i < len(args):
        key = args[i].lstrip('-').replace('-', '_')
        if key in ARGS and i + 1 < len(args):
            ARGS[key] = args[i + 1]
            i += 2
        else:
            raise SystemExit('unknown argument %s' % args[i])
    if ARGS['sanitize'] in ('none', ''):
        ARGS['sanitize'] = None
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2)
    result = runner.run(unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__]))
    return 0 if result.wasSuccessful() else 1


if __name__ == '__main__':
    sys.exit(main())
