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
sys.path.insert(0, HERE)
import abicheck  # noqa: E402

ROOT = os.environ.get('SVCQ_SOURCE_ROOT') or os.path.dirname(os.path.dirname(HERE))
ARGS = {'cc': None, 'cxx': None, 'lib': None, 'sanitize': None}


def run_check(name, root, **kw):
    """Runs one check in-process: (exit code, output)."""
    argv = [name, '--root', root]
    opts = dict(ARGS)
    opts.update(kw)
    for key in ('cc', 'cxx', 'lib', 'sanitize', 'baseline_dir'):
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

    def edit(self, rel, old, new, count=1):
        text = self.read(rel)
        if old not in text:
            raise AssertionError('%r not in %s' % (old, rel))
        self.write(rel, text.replace(old, new, count))

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


def insert_before_end(tree, rel, text):
    """Inserts declarations before the closing extern "C" block of a header."""
    tree.edit(rel, '#ifdef __cplusplus\n}\n#endif', text + '\n#ifdef __cplusplus\n}\n#endif')


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
    def test_real_tree_passes(self):
        self.assertPasses(self.tree.check('map'))

    def test_declared_but_not_in_map(self):
        insert_before_end(self.tree, 'include/svcq/writer.h', DOCUMENTED_FN)
        self.assertFails(self.tree.check('map'), r'svcq_selftest_extra is SVCQ_API but not in src/libsvcq.map')

    def test_in_map_but_not_declared(self):
        self.tree.edit('src/libsvcq.map', '    svcq_strerror;\n', '    svcq_strerror;\n    svcq_zzz_gone;\n')
        self.assertFails(self.tree.check('map'), r'lists svcq_zzz_gone .*no public header')

    def test_unsorted_and_orphan_node(self):
        self.tree.edit('src/libsvcq.map', '    svcq_buffer_clear;\n    svcq_buffer_data;\n',
                       '    svcq_buffer_data;\n    svcq_buffer_clear;\n')
        self.tree.write('src/libsvcq.map', self.tree.read('src/libsvcq.map') +
                        'LIBSVCQ_1.1 {\n  global:\n    svcq_selftest_extra;\n};\n')
        insert_before_end(self.tree, 'include/svcq/writer.h', DOCUMENTED_FN)
        self.assertFails(self.tree.check('map'), r'not in alphabetical order',
                         r'LIBSVCQ_1\.1 must inherit LIBSVCQ_1\.0')

    def test_wrong_major_and_prefix(self):
        self.tree.edit('include/svcq/version.h', '#define SVCQ_ABI_MAJOR 1', '#define SVCQ_ABI_MAJOR 2')
        self.assertFails(self.tree.check('map'), r'nodes are named LIBSVCQ_2\.<minor>')

    def test_missing_svcq_api(self):
        insert_before_end(self.tree, 'include/svcq/writer.h',
                          '/** @brief x. @since 0.1 */\nvoid svcq_no_api(int x);')
        self.assertFails(self.tree.check('map'), r'svcq_no_api is declared in a public header without SVCQ_API')

    def test_unprefixed_name(self):
        insert_before_end(self.tree, 'include/svcq/writer.h',
                          '/** @brief x. @since 0.1 */\nSVCQ_API void other_name(void);')
        self.tree.edit('src/libsvcq.map', '  global:\n', '  global:\n    other_name;\n')
        self.assertFails(self.tree.check('map'), r'other_name: public names start with svcq_',
                         r'other_name does not start with svcq_')


class DocsTest(Base):
    def test_real_tree_passes(self):
        self.assertPasses(self.tree.check('docs'))

    def test_undocumented_function(self):
        insert_before_end(self.tree, 'include/svcq/writer.h', 'SVCQ_API int svcq_undocumented(void);')
        self.assertFails(self.tree.check('docs'), r'writer\.h:\d+: svcq_undocumented has no /\*\* \.\.\. \*/ doc comment')

    def test_member_style_comment_is_not_a_doc(self):
        insert_before_end(self.tree, 'include/svcq/writer.h', '/* plain */\nSVCQ_API void svcq_plain(void);')
        self.assertFails(self.tree.check('docs'), r'svcq_plain has no /\*\*')

    def test_missing_tags(self):
        insert_before_end(self.tree, 'include/svcq/writer.h', '/** Says little. */\nSVCQ_API int svcq_terse(void);')
        self.assertFails(self.tree.check('docs'), r'svcq_terse lacks @brief', r'svcq_terse lacks @since',
                         r'svcq_terse lacks @return')

    def test_error_code_not_documented(self):
        text = self.tree.read('docs/errors.md')
        self.tree.write('docs/errors.md', '\n'.join(l for l in text.splitlines() if 'SVCQ_ELIMIT' not in l))
        self.assertFails(self.tree.check('docs'), r'does not list SVCQ_ELIMIT with its value -14')

    def test_header_not_in_architecture(self):
        self.tree.write('include/svcq/zzz_selftest.h', '#ifndef Z\n#define Z\n#endif\n')
        self.assertFails(self.tree.check('docs'), r'architecture\.md does not mention svcq/zzz_selftest\.h')


class EnumsTest(Base):
    def test_real_tree_passes(self):
        self.assertPasses(self.tree.check('enums'))

    def test_addition_passes(self):
        self.tree.edit('include/svcq/common.h', 'SVCQ_EABORTED = -15 ', 'SVCQ_EABORTED = -15, SVCQ_ESELFTEST = -16 ')
        rc, out = self.tree.check('enums')
        self.assertEqual(rc, 0, out)
        self.assertIn('1 new since the baseline: SVCQ_ESELFTEST', out)

    def test_renumbered(self):
        self.tree.edit('include/svcq/common.h', 'SVCQ_EIO = -8', 'SVCQ_EIO = -80')
        self.assertFails(self.tree.check('enums'), r'svcq_error SVCQ_EIO was -8 and is now svcq_error -80')

    def test_removed(self):
        self.tree.edit('include/svcq/context.h', '    SVCQ_LOG_WARN = 2,\n', '')
        self.assertFails(self.tree.check('enums'), r'SVCQ_LOG_WARN = 2 was published and is gone')

    def test_implicit_value(self):
        self.tree.edit('include/svcq/context.h', 'SVCQ_LOG_ERROR = 3', 'SVCQ_LOG_ERROR = 3,\n    SVCQ_LOG_NEXT')
        self.assertFails(self.tree.check('enums'), r'SVCQ_LOG_NEXT has no explicit value')


class HeadersTest(Base):
    def test_not_self_contained(self):
        self.need('cc')
        self.tree.write('include/svcq/zzz_selftest.h',
                        '#ifndef Z\n#define Z\n/** @brief x. @since 0.1 */\n'
                        'SVCQ_API void svcq_z(FILE *f);\n#endif\n')
        self.assertFails(self.tree.check('headers-c'), r'svcq/zzz_selftest\.h does not compile alone as C99',
                         r'include/svcq\.h does not include "svcq/zzz_selftest\.h"')

    def test_pedantic_c99(self):
        self.need('cc')
        insert_before_end(self.tree, 'include/svcq/writer.h', '/** @brief x. @since 0.1 */\nSVCQ_API int svcq_old();')
        self.assertFails(self.tree.check('headers-c'), r'svcq/writer\.h does not compile alone as C99',
                         r'strict-prototypes')

    def test_init_macro_missing_field(self):
        self.need('cc')
        self.tree.edit('include/svcq/writer.h', '#define SVCQ_WRITER_INIT { SVCQ_WRITER_VERSION, 0, NULL, NULL }',
                       '#define SVCQ_WRITER_INIT { SVCQ_WRITER_VERSION, 0, NULL }')
        self.assertFails(self.tree.check('headers-c'), r'missing-field-initializers')

    def test_cxx_needs_extern_c(self):
        self.need('cxx', 'lib')
        text = self.tree.read('include/svcq/writer.h')
        text = text.replace('#ifdef __cplusplus\nextern "C" {\n#endif', '')
        text = text.replace('#ifdef __cplusplus\n}\n#endif', '')
        self.tree.write('include/svcq/writer.h', text)
        self.assertFails(self.tree.check('headers-cxx'), r'does not link \(a header without extern "C"\?\)',
                         r'svcq_writer_write')


class TablesTest(Base):
    def test_real_tree_passes(self):
        self.need('cc', 'lib')
        self.assertPasses(self.tree.check('tables'))

    def test_macro_differs_from_function(self):
        self.need('cc', 'lib')
        self.tree.edit('include/svcq/context.h', 'NULL, NULL, NULL, NULL, 0, 0, { 0 } }',
                       'NULL, NULL, NULL, NULL, 2, 0, { 0 } }')
        self.assertFails(self.tree.check('tables'),
                         r'SVCQ_CTX_OPTIONS_INIT vs svcq_ctx_options_init\(&x, SVCQ_CTX_OPTIONS_VERSION\): byte 72 ')

    def test_naming_rule(self):
        self.tree.edit('include/svcq/writer.h', '#define SVCQ_WRITER_INIT', '#define SVCQ_WRITER_INITIALISER')
        insert_before_end(self.tree, 'include/svcq/writer.h',
                          '#define SVCQ_ORPHAN_INIT { 0 }\n/** @brief x. @since 0.1 */\n'
                          'SVCQ_API int svcq_lonely_init(svcq_writer *w, uint32_t version);')
        self.assertFails(self.tree.check('tables'),
                         r'table svcq_writer: .* missing: #define SVCQ_WRITER_INIT\b',
                         r'table svcq_orphan: .*missing: typedef struct svcq_orphan',
                         r'writer\.h:\d+: svcq_lonely_init must be declared int svcq_lonely_init\(svcq_lonely \*',
                         r'#define SVCQ_LONELY_INIT')

    def test_layout_rules(self):
        insert_before_end(self.tree, 'include/svcq/writer.h', '''
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

    def test_real_tree_passes(self):
        self.assertPasses(self.tree.check('exports'))

    def test_export_not_in_map(self):
        self.tree.edit('src/libsvcq.map', '    svcq_ctx_now;\n', '')
        self.assertFails(self.tree.check('exports'), r'exports svcq_ctx_now, which src/libsvcq.map does not list')

    def test_map_name_not_exported(self):
        self.tree.edit('src/libsvcq.map', '    svcq_strerror;\n', '    svcq_strerror;\n    svcq_zzz_missing;\n')
        self.assertFails(self.tree.check('exports'), r'lists svcq_zzz_missing but the library does not export it')

    def test_soname_follows_header(self):
        self.tree.edit('include/svcq/version.h', '#define SVCQ_ABI_MAJOR 1', '#define SVCQ_ABI_MAJOR 7')
        self.assertFails(self.tree.check('exports'), r'SONAME is libsvcq\.so\.1, expected libsvcq\.so\.7')

    def test_wrong_node(self):
        text = self.tree.read('src/libsvcq.map').replace('    svcq_writer_write;\n', '')
        self.tree.write('src/libsvcq.map', text + 'LIBSVCQ_1.1 {\n  global:\n    svcq_writer_write;\n} LIBSVCQ_1.0;\n')
        self.assertFails(self.tree.check('exports'),
                         r'svcq_writer_write is exported with version LIBSVCQ_1\.0, the map puts it in LIBSVCQ_1\.1',
                         r'version node LIBSVCQ_1\.1 is not in the library')


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
