#!/usr/bin/env python3
"""ABI checks of libsvcq: public headers, linker map, shared library, baseline.

Every check discovers what it checks: the public headers are include/svcq.h
and every include/svcq/*.h, and their declarations are parsed here. Nothing
is listed by hand, so a header or function added later is covered without
touching this file. Each subcommand is one meson test of the suite 'abi'
(tests/abi/meson.build) and exits 0 (pass), 1 (fail) or 77 (skip: a tool or
the shared library is missing). `baseline` rewrites the checked-in
baselines on purpose; docs/abi-policy.md says when.

    abicheck.py headers-c   compile each public header alone as C99
    abicheck.py headers-cxx compile each alone as C++11, link one program
    abicheck.py tables      SVCQ_*_INIT macros equal their _init functions
    abicheck.py map         SVCQ_API declarations == src/libsvcq.map
    abicheck.py exports     nm -D of the library == the map; SONAME
    abicheck.py docs        doc comments; docs name every header and code
    abicheck.py enums       published enumerators keep their values
    abicheck.py abidiff     libabigail against tests/abi/libsvcq.abi
    abicheck.py constants   svcq_constant/svcq_table_size know every constant
    abicheck.py static      global symbols of libsvcq.a start with svcq_
    abicheck.py baseline    regenerate tests/abi/libsvcq.abi and enums.txt

Standard library only.
"""

import argparse
import ast
import glob
import os
import re
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ROOT = os.path.dirname(os.path.dirname(HERE))

# abidw options shared by the baseline and the test so both dumps are made
# the same way. --headers-dir with --drop-private-types keeps only types
# defined in the public headers: struct svcq_ctx and the other opaque
# handles stay declarations, so their private layout is not ABI. Locations,
# paths and DT_NEEDED are left out so the baseline does not churn when a
# header line moves or the tree is checked out elsewhere.
ABIDW_OPTIONS = [
    '--drop-private-types',
    '--drop-undefined-syms',
    '--no-corpus-path',
    '--no-comp-dir-path',
    '--no-show-locs',
    '--no-elf-needed',
    '--type-id-style', 'hash',
]

# abidiff's exit status is a bit set (libabigail abidiff_status).
ABIDIFF_ERROR = 1
ABIDIFF_USAGE_ERROR = 2
ABIDIFF_ABI_CHANGE = 4
ABIDIFF_ABI_INCOMPATIBLE_CHANGE = 8

C_KEYWORD_TYPES = {'int', 'long', 'short', 'char', 'unsigned', 'signed', 'bool',
                   '_Bool', 'float', 'double', 'enum', 'union'}
TYPE_QUALIFIERS = {'const', 'volatile', 'restrict', 'struct', 'enum', 'union',
                   'unsigned', 'signed', 'long', 'short', 'int', 'char', 'void'}


# ---------------------------------------------------------------- parsing

def _blank(chars, start, end):
    for k in range(start, end):
        if chars[k] != '\n':
            chars[k] = ' '


def strip_comments(text):
    """Replaces comments with spaces, keeping offsets and newlines."""
    chars = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in '"\'':
            i += 1
            while i < n and text[i] != c and text[i] != '\n':
                i += 2 if text[i] == '\\' else 1
            i += 1
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            _blank(chars, i, j)
            i = j
        elif text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            _blank(chars, i, j)
            i = j
        else:
            i += 1
    return ''.join(chars)


def blank_preprocessor(code):
    """Replaces preprocessor directives (with continuations) by spaces."""
    lines = code.split('\n')
    continued = False
    for idx, line in enumerate(lines):
        if continued or line.lstrip().startswith('#'):
            continued = line.rstrip().endswith('\\')
            lines[idx] = ' ' * len(line)
    return '\n'.join(lines)


def split_top(text, sep, open_='([{', close=')]}'):
    """Splits text at sep outside brackets."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in open_:
            depth += 1
        elif c in close:
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def matching_paren(text, i):
    """Index just past the bracket group opening at text[i]."""
    pairs = {'(': ')', '[': ']', '{': '}'}
    depth = 0
    for j in range(i, len(text)):
        if text[j] in pairs:
            depth += 1
        elif text[j] in pairs.values():
            depth -= 1
            if depth == 0:
                return j + 1
    return len(text)


def norm(s):
    s = ' '.join(s.split())
    s = re.sub(r'\s*\*\s*', ' *', s)
    return s.replace('* *', '**').replace('( *', '(*').strip()


def safe_eval_int(expr, known):
    """Evaluates an integer constant expression of literals and known names."""
    def sub(m):
        name = m.group(0)
        if name in known:
            return '(%d)' % known[name]
        raise ValueError(name)
    e = re.sub(r'\b0[xX][0-9a-fA-F]+[uUlL]*\b|\b\d+[uUlL]*\b',
               lambda m: str(int(m.group(0).rstrip('uUlL'), 0)), expr)
    e = re.sub(r'\b[A-Za-z_]\w*\b', sub, e)
    tree = ast.parse(e, mode='eval')
    allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Add, ast.Sub,
               ast.Mult, ast.LShift, ast.RShift, ast.BitOr, ast.BitAnd, ast.BitXor,
               ast.USub, ast.UAdd, ast.Invert)
    for node in ast.walk(tree):
        if not isinstance(node, allowed):
            raise ValueError(expr)
    return int(eval(compile(tree, '<enum>', 'eval'), {'__builtins__': {}}))


class Decl:
    """One function (or variable) declaration of a public header."""

    def __init__(self, header, offset, text, api):
        self.header = header
        self.offset = offset
        self.text = text
        self.api = api
        self.line = header.text.count('\n', 0, offset) + 1
        self.name = None
        self.ret = ''
        self.params = []     # [(type, name or None)]
        self.is_function = False
        self.error = None
        self._parse()

    def where(self):
        return '%s:%d' % (self.header.rel, self.line)

    def _parse(self):
        t = self.text
        # Find the declarator: the first identifier followed by '(' that is
        # not a macro (SVCQ_NODISCARD(...), __attribute__((...))).
        pos = 0
        prefix_end = None
        while True:
            m = re.compile(r'([A-Za-z_]\w*)\s*\(').search(t, pos)
            if not m:
                break
            word = m.group(1)
            if re.fullmatch(r'[A-Z0-9_]+', word) or word.startswith('__'):
                pos = matching_paren(t, m.end() - 1)
                continue
            prefix_end = m.start()
            self.name = word
            close = matching_paren(t, m.end() - 1)
            inner = t[m.end():close - 1]
            self.is_function = True
            self.trailing = t[close:]
            params = [p.strip() for p in split_top(inner, ',')]
            if params == ['void']:
                params = []
            self.params = [self._param(p) for p in params if p]
            break
        if self.name is None:
            # A variable: the last identifier before any array bound.
            body = re.sub(r'\[.*', '', t)
            ids = re.findall(r'[A-Za-z_]\w*', body)
            ids = [w for w in ids if not re.fullmatch(r'[A-Z0-9_]+', w)]
            if not ids:
                self.error = 'cannot find the declared name'
                return
            self.name = ids[-1]
            prefix_end = body.rfind(self.name)
        prefix = t[:prefix_end]
        prefix = re.sub(r'\b__attribute__\s*\(\(.*?\)\)', ' ', prefix)
        prefix = re.sub(r'\b[A-Z][A-Z0-9_]*\b(\s*\([^)]*\))?', ' ', prefix)
        prefix = re.sub(r'\bextern\b', ' ', prefix)
        self.ret = norm(prefix)
        if self.name in C_KEYWORD_TYPES or self.name in TYPE_QUALIFIERS or not self.ret:
            self.error = ('unsupported declaration form (a function returning a function '
                          'pointer? use a typedef)')

    @staticmethod
    def _param(p):
        """(type, name or None) of one parameter."""
        m = re.search(r'\(\s*\*\s*(\w+)\s*\)', p)
        if m:                               # function pointer parameter
            return (norm(p.replace(m.group(1), '', 1)), m.group(1))
        base = re.sub(r'\[.*', '', p)
        words = re.findall(r'[A-Za-z_]\w*', base)
        specifiers = {'const', 'volatile', 'restrict', 'struct', 'enum', 'union'}
        if (len(words) >= 2 and words[-1] not in TYPE_QUALIFIERS
                and any(w not in specifiers for w in words[:-1])):
            name = words[-1]
            idx = base.rfind(name)
            return (norm(p[:idx] + p[idx + len(name):]), name)
        return (norm(p), None)


class Struct:
    """A public struct or union with a body."""

    def __init__(self, header, offset, kind, tag, typedef, body):
        self.header = header
        self.offset = offset
        self.kind = kind
        self.tag = tag
        self.typedef = typedef
        self.line = header.text.count('\n', 0, offset) + 1
        self.members = [norm(m) for m in split_top(body, ';') if m.strip()]

    def where(self):
        return '%s:%d' % (self.header.rel, self.line)

    @property
    def name(self):
        return self.typedef or self.tag


class Enum:
    def __init__(self, header, offset, tag, typedef, body):
        self.header = header
        self.tag = tag
        self.typedef = typedef
        self.line = header.text.count('\n', 0, offset) + 1
        self.items = []      # [(name, value or None, explicit)]
        self.errors = []
        known = {}
        previous = -1
        for item in split_top(body, ','):
            item = item.strip()
            if not item:
                continue
            if '=' in item:
                name, expr = (s.strip() for s in item.split('=', 1))
                try:
                    value = safe_eval_int(expr, known)
                except (ValueError, SyntaxError):
                    value = None
                    self.errors.append('%s: cannot evaluate %s = %s' % (self.where(), name, expr))
                explicit = True
            else:
                name, value, explicit = item, previous + 1, False
            if value is not None:
                known[name] = value
                previous = value
            self.items.append((name, value, explicit))

    def where(self):
        return '%s:%d' % (self.header.rel, self.line)

    @property
    def name(self):
        return self.typedef or self.tag


class Header:
    def __init__(self, root, path):
        self.path = path
        self.rel = os.path.relpath(path, os.path.join(root, 'include'))
        with open(path, encoding='utf-8') as f:
            self.text = f.read()
        self.code = strip_comments(self.text)
        self.flat = blank_preprocessor(self.code)
        self.macros = {}         # name -> (params or None, body, line)
        self.includes = []
        self.decls = []          # Decl (API and not)
        self.structs = []        # Struct with a body
        self.enums = []
        self.opaque = []         # typedef struct x x;
        self.typedefs = {}       # name -> 'fnptr' | 'scalar' | 'struct' | 'enum'
        self.errors = []
        self._macros()
        self._statements()

    def line_of(self, offset):
        return self.text.count('\n', 0, offset) + 1

    def _macros(self):
        lines = self.code.split('\n')
        i = 0
        while i < len(lines):
            start = i
            line = lines[i]
            while line.rstrip().endswith('\\') and i + 1 < len(lines):
                i += 1
                line = line.rstrip()[:-1] + ' ' + lines[i]
            i += 1
            m = re.match(r'\s*#\s*define\s+(\w+)(\([^)]*\))?(.*)$', line)
            if m:
                self.macros[m.group(1)] = (m.group(2), m.group(3).strip(), start + 1)
            m = re.match(r'\s*#\s*include\s*[<"]([^>"]+)[>"]', line)
            if m:
                self.includes.append(m.group(1))

    def _statements(self):
        flat = re.sub(r'extern\s*"C"\s*\{', lambda m: ' ' * len(m.group(0)), self.flat)
        depth, start = 0, 0
        for i, c in enumerate(flat):
            if c == '{':
                depth += 1
            elif c == '}':
                if depth == 0:          # the brace closing extern "C"
                    start = i + 1
                    continue
                depth -= 1
                head = flat[start:i].split('{', 1)[0]
                if depth == 0 and re.search(r'\)\s*$', head) and 'typedef' not in head.split():
                    # A function body: it has no ';' after it.
                    self.errors.append(
                        '%s:%d: function body in a public header (%s): inline code is not '
                        'reachable through FFI; export a function instead'
                        % (self.rel, self.line_of(start), ' '.join(head.split())[:60]))
                    start = i + 1
            elif c == ';' and depth == 0:
                s = flat[start:i]
                if s.strip():
                    lead = len(s) - len(s.lstrip())
                    self._statement(start + lead, s.strip())
                start = i + 1
        if flat[start:].strip():
            self.errors.append('%s:%d: declaration without a closing ";"' %
                               (self.rel, self.line_of(start)))

    def _statement(self, offset, s):
        one = ' '.join(s.split())
        m = re.match(r'^(typedef\s+)?(struct|union|enum)\s*(\w+)?\s*\{(.*)\}\s*(\w+)?$', s, re.S)
        if m:
            typedef = m.group(5) if m.group(1) else None
            kind, tag, body = m.group(2), m.group(3), m.group(4)
            if kind == 'enum':
                self.enums.append(Enum(self, offset, tag, typedef, body))
                if typedef:
                    self.typedefs[typedef] = 'enum'
            else:
                self.structs.append(Struct(self, offset, kind, tag, typedef, body))
                if typedef:
                    self.typedefs[typedef] = 'struct'
            return
        m = re.match(r'^typedef (struct|union|enum) (\w+) (\w+)$', one)
        if m:
            self.opaque.append((m.group(1), m.group(2), m.group(3), self.line_of(offset)))
            self.typedefs[m.group(3)] = 'opaque'
            return
        if re.match(r'^(struct|union|enum) \w+$', one):
            return                      # forward declaration
        if one.startswith('typedef '):
            m = re.search(r'\(\s*\*\s*(\w+)\s*\)', one)
            if m:
                self.typedefs[m.group(1)] = 'fnptr'
            else:
                self.typedefs[re.findall(r'\w+', one)[-1]] = 'scalar'
            return
        self.decls.append(Decl(self, offset, s, 'SVCQ_API' in re.findall(r'\w+', s)))


class Project:
    """The public surface of a source tree."""

    def __init__(self, root):
        self.root = os.path.abspath(root)
        inc = os.path.join(self.root, 'include')
        paths = [os.path.join(inc, 'svcq.h')] + sorted(glob.glob(os.path.join(inc, 'svcq', '*.h')))
        self.headers = [Header(self.root, p) for p in paths if os.path.exists(p)]
        self.umbrella = next((h for h in self.headers if h.rel == 'svcq.h'), None)
        self.errors = [e for h in self.headers for e in h.errors]
        self.decls = [d for h in self.headers for d in h.decls]
        self.api = [d for d in self.decls if d.api]
        self.structs = [s for h in self.headers for s in h.structs]
        self.enums = [e for h in self.headers for e in h.enums]
        self.macros = {}
        for h in self.headers:
            for name, val in h.macros.items():
                self.macros[name] = val + (h,)
        self.typedefs = {}
        for h in self.headers:
            self.typedefs.update(h.typedefs)

    def macro_int(self, name):
        m = self.macros.get(name)
        if not m or m[0] is not None:
            return None
        try:
            return safe_eval_int(m[1], {})
        except (ValueError, SyntaxError):
            return None

    @property
    def abi_major(self):
        return self.macro_int('SVCQ_ABI_MAJOR')

    def map_path(self):
        return os.path.join(self.root, 'src', 'libsvcq.map')


def parse_map(path):
    """Parses a GNU ld version script: [(node, parent, [globals])], errors."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    text = re.sub(r'#[^\n]*', ' ', text)
    nodes, errors = [], []
    pos = 0
    for m in re.finditer(r'([A-Za-z_][\w.]*)\s*\{(.*?)\}\s*([A-Za-z_][\w.]*)?\s*;', text, re.S):
        if text[pos:m.start()].strip():
            errors.append('%s: cannot parse %r' % (path, text[pos:m.start()].strip()[:40]))
        pos = m.end()
        body = m.group(2)
        names, section = [], None
        for tok in re.split(r';', body):
            tok = tok.strip()
            while True:
                mm = re.match(r'(global|local)\s*:\s*', tok)
                if not mm:
                    break
                section = mm.group(1)
                tok = tok[mm.end():].strip()
            if not tok:
                continue
            if section == 'global':
                names.append(tok)
            elif section == 'local':
                if tok != '*':
                    errors.append('%s: node %s: unexpected local entry %r' % (path, m.group(1), tok))
            else:
                errors.append('%s: node %s: %r outside global:/local:' % (path, m.group(1), tok))
        nodes.append((m.group(1), m.group(3), names))
    if text[pos:].strip():
        errors.append('%s: cannot parse %r' % (path, text[pos:].strip()[:40]))
    return nodes, errors


# ------------------------------------------------------------ ELF reading

def elf_info(path):
    """Section names, SONAME and DT_NEEDED of an ELF file (standard library only)."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:4] != b'\x7fELF':
        raise ValueError('%s is not an ELF file' % path)
    is64 = data[4] == 2
    end = '<' if data[5] == 1 else '>'
    if is64:
        shoff, = struct.unpack_from(end + 'Q', data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(end + 'HHH', data, 0x3A)
        shfmt = end + 'IIQQQQIIQQ'
    else:
        shoff, = struct.unpack_from(end + 'I', data, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(end + 'HHH', data, 0x2E)
        shfmt = end + 'IIIIIIIIII'
    sections = []
    for i in range(shnum):
        f = struct.unpack_from(shfmt, data, shoff + i * shentsize)
        sections.append({'name_off': f[0], 'type': f[1], 'offset': f[4], 'size': f[5],
                         'link': f[6]})

    def cstr(sec, off):
        start = sec['offset'] + off
        return data[start:data.index(b'\0', start)].decode('utf-8', 'replace')
    names = [cstr(sections[shstrndx], s['name_off']) for s in sections]
    soname, needed = None, []
    for s in sections:
        if s['type'] != 6:               # SHT_DYNAMIC
            continue
        strtab = sections[s['link']]
        fmt, size = (end + 'qQ', 16) if is64 else (end + 'iI', 8)
        for off in range(s['offset'], s['offset'] + s['size'], size):
            tag, val = struct.unpack_from(fmt, data, off)
            if tag == 0:
                break
            if tag == 1:
                needed.append(cstr(strtab, val))
            elif tag == 14:
                soname = cstr(strtab, val)
    return {'sections': names, 'soname': soname, 'needed': needed}


# ---------------------------------------------------------------- helpers

class Context:
    def __init__(self, args):
        self.root = os.path.abspath(args.root)
        self.lib = os.path.abspath(args.lib) if args.lib else None
        self.static_lib = os.path.abspath(args.static_lib) if getattr(args, 'static_lib', None) else None
        self.cc = shlex.split(args.cc) if args.cc else []
        self.cxx = shlex.split(args.cxx) if args.cxx else []
        self.sanitize = args.sanitize if args.sanitize not in (None, '', 'none') else None
        self.baseline_dir = os.path.abspath(args.baseline_dir) if args.baseline_dir else HERE
        self.project = Project(self.root)

    def include_flags(self):
        return ['-I', os.path.join(self.root, 'include')]

    def link_flags(self):
        libdir = os.path.dirname(self.lib)
        flags = [self.lib, '-Wl,-rpath,' + libdir]
        if self.sanitize:
            flags.insert(0, '-fsanitize=' + self.sanitize)
        return flags


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, **kw)


def compile_source(compiler, flags, source, suffix, workdir, link=None):
    """Compiles (and links when link is a list) source; returns (ok, output)."""
    src = tempfile.NamedTemporaryFile('w', suffix=suffix, dir=workdir, delete=False)
    with src:
        src.write(source)
    out = src.name + ('.out' if link is not None else '.o')
    cmd = compiler + flags + ([] if link is not None else ['-c']) + [src.name, '-o', out] + (link or [])
    r = run(cmd)
    return r.returncode == 0, out, ' '.join(shlex.quote(c) for c in cmd) + '\n' + r.stdout


def table_names(project):
    """Maps table base names (ctx_options) to what the headers define for them."""
    tables = {}

    def entry(base):
        return tables.setdefault(base, {'macro': None, 'function': None, 'struct': None,
                                        'version': None})
    for name in project.macros:
        m = re.fullmatch(r'SVCQ_(\w+)_INIT', name)
        if m and project.macros[name][0] is None:
            entry(m.group(1).lower())['macro'] = name
    for d in project.api:
        m = re.fullmatch(r'svcq_(\w+)_init', d.name or '')
        if m and d.is_function:
            entry(m.group(1))['function'] = d
    for s in project.structs:
        m = re.fullmatch(r'svcq_(\w+)', s.name or '')
        if m:
            entry(m.group(1))['struct'] = s
    for base, t in tables.items():
        v = 'SVCQ_%s_VERSION' % base.upper()
        if v in project.macros:
            t['version'] = v
    return tables


# ----------------------------------------------------------------- checks

def check_headers_c(ctx):
    p = ctx.project
    errors = list(p.errors)
    if not ctx.cc:
        return ['no C compiler given (--cc)'], 0
    if p.umbrella is None:
        errors.append('include/svcq.h is missing')
    else:
        listed = set(p.umbrella.includes)
        for h in p.headers:
            if h is not p.umbrella and h.rel not in listed:
                errors.append('include/svcq.h does not include "%s": the umbrella header '
                              'must include every public header' % h.rel)
    flags = ['-std=c99', '-pedantic', '-Werror', '-Wall', '-Wextra', '-Wundef',
             '-Wstrict-prototypes', '-Wmissing-prototypes', '-Wshadow'] + ctx.include_flags()
    tables = table_names(p)
    with tempfile.TemporaryDirectory() as tmp:
        for h in p.headers:
            ok, _, out = compile_source(ctx.cc, flags, header_tu(h, tables, cplusplus=False),
                                        '.c', tmp)
            print('%s C99: %s' % (h.rel, 'ok' if ok else 'FAILED'))
            if not ok:
                errors.append('%s does not compile alone as C99:\n%s' % (h.rel, out))
    return errors, len(p.headers)


def header_tu(h, tables, cplusplus):
    """A translation unit that includes h alone (twice) and uses its INIT macros."""
    lines = ['/* generated by tests/abi/abicheck.py */',
             '#include "%s"' % h.rel,
             '#include "%s" /* the include guard must hold */' % h.rel]
    for base, t in sorted(tables.items()):
        if t['macro'] and t['struct'] and p_defines(h, t['macro']):
            fn = 'use_%s' % base
            lines += ['void %s(void);' % fn,
                      'void %s(void)' % fn,
                      '{',
                      '    svcq_%s v = %s;' % (base, t['macro']),
                      '    (void)v;',
                      '}']
    if not cplusplus:
        lines.append('typedef int abicheck_not_empty;')
    return '\n'.join(lines) + '\n'


def p_defines(h, macro):
    return macro in h.macros


def check_headers_cxx(ctx):
    p = ctx.project
    if not ctx.cxx:
        print('SKIP: no C++ compiler found at configure time')
        return None, 0
    errors = list(p.errors)
    flags = ['-x', 'c++', '-std=c++11', '-pedantic', '-Werror', '-Wall', '-Wextra',
             '-Wundef'] + ctx.include_flags()
    tables = table_names(p)
    with tempfile.TemporaryDirectory() as tmp:
        for h in p.headers:
            ok, _, out = compile_source(ctx.cxx, flags, header_tu(h, tables, cplusplus=True),
                                        '.cpp', tmp)
            print('%s C++11: %s' % (h.rel, 'ok' if ok else 'FAILED'))
            if not ok:
                errors.append('%s does not compile alone as C++11:\n%s' % (h.rel, out))
        if ctx.lib:
            # Taking every function's address from C++ and linking against the
            # library fails if a header lacks extern "C" (mangled names).
            fns = [d.name for d in p.api if d.is_function]
            src = ['/* generated by tests/abi/abicheck.py */']
            src += ['#include "%s"' % h.rel for h in p.headers]
            src += ['typedef void (*anyfn)(void);',
                    'static const anyfn fns[] = {']
            src += ['    reinterpret_cast<anyfn>(&%s),' % n for n in fns] or ['    0,']
            src += ['};',
                    'int main() { return fns[0] ? 0 : 1; }']
            ok, _, out = compile_source(ctx.cxx, flags, '\n'.join(src) + '\n', '.cpp', tmp,
                                        link=['-x', 'none'] + ctx.link_flags())
            print('C++ program referencing %d functions links: %s' % (len(fns), 'ok' if ok else 'FAILED'))
            if not ok:
                errors.append('a C++ program using every public function does not link '
                              '(a header without extern "C"?):\n%s' % out)
    return errors, len(p.headers)


def check_table_rules(p):
    """Naming rule and layout rules of every public struct; returns (tables, errors)."""
    errors = []
    tables = table_names(p)
    enum_types = {n for n, k in p.typedefs.items() if k == 'enum'}
    struct_types = {n for n, k in p.typedefs.items() if k in ('struct', 'opaque')}
    good = {}
    for base, t in sorted(tables.items()):
        what = 'svcq_%s' % base
        missing = []
        if not t['struct']:
            missing.append('typedef struct svcq_%s { uint32_t version; ... } svcq_%s' % (base, base))
        if not t['macro']:
            missing.append('#define SVCQ_%s_INIT' % base.upper())
        if not t['function']:
            missing.append('SVCQ_API int svcq_%s_init(svcq_%s *, uint32_t version)' % (base, base))
        if not t['version']:
            missing.append('#define SVCQ_%s_VERSION' % base.upper())
        if missing:
            errors.append('table %s: every versioned table needs its struct, _VERSION, _INIT '
                          'macro and _init function; missing: %s' % (what, '; '.join(missing)))
        f = t['function']
        if f is not None:
            types = [pt for pt, _ in f.params]
            if f.ret != 'int' or types != ['svcq_%s *' % base, 'uint32_t']:
                errors.append('%s: %s must be declared int %s(svcq_%s *, uint32_t version), '
                              'not %s %s(%s)' % (f.where(), f.name, f.name, base, f.ret, f.name,
                                                 ', '.join(types)))
        s = t['struct']
        if s is not None:
            if s.kind != 'struct':
                errors.append('%s: %s is a %s; public tables are structs' % (s.where(), what, s.kind))
            if s.tag != s.typedef:
                errors.append('%s: write typedef struct %s { ... } %s' % (s.where(), what, what))
            if not s.members or s.members[0] != 'uint32_t version':
                errors.append('%s: the first member of %s must be "uint32_t version"' % (s.where(), what))
            if not any(re.search(r'\breserved\w*\b', m) for m in s.members):
                errors.append('%s: %s has no reserved member (room for later versions, must be '
                              'zero)' % (s.where(), what))
            for m in s.members:
                words = re.findall(r'[A-Za-z_]\w*', m)
                if ':' in m:
                    errors.append('%s: %s: bitfield "%s" is not allowed in a public struct'
                                  % (s.where(), what, m))
                if 'union' in words or '{' in m:
                    errors.append('%s: %s: nested union/struct "%s" is not allowed' % (s.where(), what, m))
                if '(' in m or '*' in m:
                    continue            # pointers and function pointers
                bad = [w for w in words[:-1] if w in C_KEYWORD_TYPES]
                if bad:
                    errors.append('%s: %s: member "%s" uses %s; use fixed-width types '
                                  '(uint32_t, int64_t, ...)' % (s.where(), what, m, ' '.join(bad)))
                if any(w in enum_types for w in words[:-1]):
                    errors.append('%s: %s: member "%s" has an enum type; store it as int32_t'
                                  % (s.where(), what, m))
                if any(w in struct_types for w in words[:-1]):
                    errors.append('%s: %s: member "%s" embeds a struct by value' % (s.where(), what, m))
        if not missing and not [e for e in errors if what in e]:
            good[base] = t
    return good, errors


def tables_program(p, tables):
    out = ['/* generated by tests/abi/abicheck.py from the public headers */',
           '#include <stdint.h>',
           '#include <stdio.h>',
           '#include <string.h>',
           '']
    out += ['#include "%s"' % h.rel for h in p.headers]
    out += ['',
            'static int failures;',
            '#define CHECK(cond, ...) do { if (!(cond)) { failures++; \\',
            '    printf("FAIL: " __VA_ARGS__); printf("\\n"); } } while (0)',
            '',
            'static void compare(const char *what, const void *a, const void *b, size_t n)',
            '{',
            '    const unsigned char *x = a, *y = b;',
            '    for (size_t i = 0; i < n; i++) {',
            '        if (x[i] != y[i]) {',
            '            failures++;',
            '            printf("FAIL: %s: byte %zu is 0x%02x from the macro, 0x%02x from the "',
            '                   "function\\n", what, i, x[i], y[i]);',
            '            return;',
            '        }',
            '    }',
            '}',
            '']
    for base in sorted(tables):
        T, M, F, V = ('svcq_' + base, 'SVCQ_%s_INIT' % base.upper(), 'svcq_%s_init' % base,
                      'SVCQ_%s_VERSION' % base.upper())
        out += [
            '/* static storage: padding is zero, so memcmp compares values */',
            'static const %s from_macro_%s = %s;' % (T, base, M),
            '',
            'static void check_%s(void)' % base,
            '{',
            '    int failures_before = failures;',
            '    %s from_fn;' % T,
            '    memset(&from_fn, 0xA5, sizeof(from_fn));',
            '    int rc = %s(&from_fn, %s);' % (F, V),
            '    CHECK(rc == SVCQ_OK, "%s(&x, %s) returned %%d", rc);' % (F, V),
            '    CHECK(from_macro_%s.version == (uint32_t)%s, "%s sets version %%u, not %%u",' % (base, V, M),
            '          (unsigned)from_macro_%s.version, (unsigned)%s);' % (base, V),
            '    compare("%s vs %s(&x, %s)", &from_macro_%s, &from_fn, sizeof(from_fn));' % (M, F, V, base),
            '    for (uint32_t v = 1; v <= (uint32_t)%s; v++) {' % V,
            '        %s older;' % T,
            '        memset(&older, 0xA5, sizeof(older));',
            '        rc = %s(&older, v);' % F,
            '        CHECK(rc == SVCQ_OK && older.version == v, "%s(&x, %%u) gave %%d, version %%u",' % F,
            '              (unsigned)v, rc, (unsigned)older.version);',
            '    }',
            '    %s scratch;' % T,
            '    rc = %s(&scratch, 0);' % F,
            '    CHECK(rc == SVCQ_EVERSION, "%s(&x, 0) returned %%d, not SVCQ_EVERSION", rc);' % F,
            '    rc = %s(&scratch, (uint32_t)%s + 1);' % (F, V),
            '    CHECK(rc == SVCQ_EVERSION, "%s(&x, %s + 1) returned %%d, not SVCQ_EVERSION", rc);' % (F, V),
            '    rc = %s(&scratch, UINT32_MAX);' % F,
            '    CHECK(rc == SVCQ_EVERSION, "%s(&x, UINT32_MAX) returned %%d, not SVCQ_EVERSION", rc);' % F,
            '    rc = %s(NULL, %s);' % (F, V),
            '    CHECK(rc == SVCQ_EINVAL, "%s(NULL, %s) returned %%d, not SVCQ_EINVAL", rc);' % (F, V),
            '    %s automatic = %s; /* usable at block scope too */' % (T, M),
            '    compare("%s at block scope", &automatic.version, &from_fn.version, sizeof(uint32_t));' % M,
            '    if (failures == failures_before)',
            '        printf("%s: %s == %s(&x, %s), versions 1..%%u accepted, 0 and %%u refused\\n",' % (T, M, F, V),
            '               (unsigned)%s, (unsigned)%s + 1);' % (V, V),
            '}',
            '']
    out += ['int main(void)', '{']
    out += ['    check_%s();' % base for base in sorted(tables)]
    out += ['    printf("%%d tables checked, %%d failures\\n", %d, failures);' % len(tables),
            '    return failures ? 1 : 0;',
            '}']
    return '\n'.join(out) + '\n'


def check_tables(ctx):
    p = ctx.project
    tables, errors = check_table_rules(p)
    errors = list(p.errors) + errors
    if not tables:
        if errors:
            return errors, 0
        print('SKIP: no versioned tables in the public headers')
        return None, 0
    if not ctx.cc or not ctx.lib:
        return errors + ['tables needs --cc and --lib'], 0
    src = tables_program(p, tables)
    flags = ['-std=c11', '-pedantic', '-Werror', '-Wall', '-Wextra'] + ctx.include_flags()
    with tempfile.TemporaryDirectory() as tmp:
        ok, exe, out = compile_source(ctx.cc, flags, src, '.c', tmp, link=ctx.link_flags())
        if not ok:
            errors.append('the generated INIT test does not compile:\n%s\n--- source ---\n%s' % (out, src))
            return errors, len(tables)
        r = run([exe])
        print(r.stdout, end='')
        if r.returncode != 0:
            errors.append('SVCQ_*_INIT macros and their _init functions disagree (see above)')
    return errors, len(tables)


def check_map(ctx):
    p = ctx.project
    errors = list(p.errors)
    for d in p.decls:
        if d.error:
            errors.append('%s: %s: %s' % (d.where(), d.name, d.error))
        if not d.api:
            errors.append('%s: %s is declared in a public header without SVCQ_API: mark it '
                          'SVCQ_API (and list it in src/libsvcq.map) or move it to src/'
                          % (d.where(), d.name))
        elif not d.is_function:
            errors.append('%s: %s: exported variables are not part of the API style; export '
                          'a getter function' % (d.where(), d.name))
    declared = {}
    for d in p.api:
        if d.name in declared:
            errors.append('%s: %s declared twice (also %s)' % (d.where(), d.name, declared[d.name].where()))
        declared[d.name] = d
        if not d.name.startswith('svcq_'):
            errors.append('%s: %s: public names start with svcq_' % (d.where(), d.name))
    nodes, map_errors = parse_map(p.map_path())
    errors += map_errors
    if not nodes:
        errors.append('%s: no version node' % p.map_path())
    listed = {}
    major = p.abi_major
    if major is None:
        errors.append('SVCQ_ABI_MAJOR is not defined as an integer in the headers')
    for i, (node, parent, names) in enumerate(nodes):
        if major is not None and not re.fullmatch(r'LIBSVCQ_%d\.\d+' % major, node):
            errors.append('map node %s: nodes are named LIBSVCQ_%d.<minor> (SVCQ_ABI_MAJOR is %d)'
                          % (node, major, major))
        expected_parent = nodes[i - 1][0] if i else None
        if parent != expected_parent:
            errors.append('map node %s must inherit %s, not %s' % (node, expected_parent or 'nothing', parent))
        if names != sorted(names):
            errors.append('map node %s is not in alphabetical order (keeps merges trivial)' % node)
        for n in names:
            if not re.fullmatch(r'[A-Za-z_]\w*', n):
                errors.append('map node %s: %r is not a plain name (no wildcards in global:)' % (node, n))
            if not n.startswith('svcq_'):
                errors.append('map node %s: %s does not start with svcq_' % (node, n))
            if n in listed:
                errors.append('%s is listed in map nodes %s and %s' % (n, listed[n], node))
            listed[n] = node
    for n in sorted(set(declared) - set(listed)):
        errors.append('%s: %s is SVCQ_API but not in src/libsvcq.map (add it to the newest node)'
                      % (declared[n].where(), n))
    for n in sorted(set(listed) - set(declared)):
        errors.append('src/libsvcq.map lists %s (node %s), which no public header declares '
                      'SVCQ_API' % (n, listed[n]))
    print('%d SVCQ_API declarations, %d names in %d map node(s)' % (len(declared), len(listed), len(nodes)))
    return errors, len(declared)


def nm_symbols(nm, lib):
    """[(name, version or None, type)] of the dynamic defined symbols."""
    r = run([nm, '-D', '--defined-only', '--with-symbol-versions', lib])
    versions = True
    if r.returncode != 0:
        r = run([nm, '-D', '--defined-only', lib])
        versions = False
    if r.returncode != 0:
        raise RuntimeError('nm failed:\n' + r.stdout)
    syms = []
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) != 3:
            continue
        _, typ, name = parts
        ver = None
        if '@' in name:
            name, ver = re.split(r'@@?', name, maxsplit=1)
        syms.append((name, ver if versions else None, typ))
    return syms


def check_exports(ctx):
    p = ctx.project
    if not ctx.lib or not os.path.exists(ctx.lib):
        print('SKIP: no shared library')
        return None, 0
    nm = shutil.which('nm')
    if not nm:
        print('SKIP: nm not found')
        return None, 0
    errors = []
    nodes, map_errors = parse_map(p.map_path())
    errors += map_errors
    node_of = {n: node for node, _, names in nodes for n in names}
    node_names = {node for node, _, _ in nodes}
    decl_of = {d.name: d for d in p.api}
    syms = nm_symbols(nm, ctx.lib)
    exported = {}
    for name, ver, typ in syms:
        if typ == 'A':
            if name not in node_names:
                errors.append('the library defines version node %s, which the map does not' % name)
            continue
        exported[name] = (ver, typ)
        if not name.startswith('svcq_'):
            errors.append('the library exports %s, which does not start with svcq_' % name)
        if name not in node_of:
            errors.append('the library exports %s, which src/libsvcq.map does not list' % name)
            continue
        if ver is not None and ver != node_of[name]:
            errors.append('%s is exported with version %s, the map puts it in %s' % (name, ver, node_of[name]))
        d = decl_of.get(name)
        if d is not None and d.is_function and typ not in ('T', 'W', 'i'):
            errors.append('%s is a function in the headers but nm shows type %s' % (name, typ))
    for n in sorted(set(node_of) - set(exported)):
        errors.append('src/libsvcq.map lists %s but the library does not export it (not built? '
                      'missing SVCQ_API on the definition?)' % n)
    defined_nodes = {name for name, _, typ in syms if typ == 'A'}
    for n in sorted(node_names - defined_nodes):
        if any(names for node, _, names in nodes if node == n):
            errors.append('version node %s is not in the library' % n)
    info = elf_info(ctx.lib)
    major = p.abi_major
    want = 'libsvcq.so.%s' % major
    if info['soname'] != want:
        errors.append('SONAME is %s, expected %s (from SVCQ_ABI_MAJOR)' % (info['soname'], want))
    if not os.path.basename(ctx.lib).startswith(want):
        errors.append('library file %s does not start with its SONAME %s' % (os.path.basename(ctx.lib), want))
    # No libpthread: the shared file store's mutex and condition variable
    # are in glibc's libc (docs/architecture.md, Threading).
    allowed = re.compile(r'(libc|libm|librt|libdl|ld-linux[\w.-]*|'
                         r'lib(a|ub|t|l|hwa)san|libgcc_s|libclang_rt[\w.-]*)\.so[\d.]*$')
    for n in info['needed']:
        if not allowed.match(n):
            errors.append('the library needs %s: libsvcq depends on libc (and POSIX) only' % n)
    print('%d exported functions, version nodes %s, SONAME %s, NEEDED %s' %
          (len(exported), ', '.join(sorted(defined_nodes)) or '-', info['soname'],
           ', '.join(info['needed']) or '-'))
    return errors, len(exported)


def doc_comment_before(text, offset):
    """The /** ... */ comment ending right before offset, or None."""
    i = offset
    while i > 0 and text[i - 1] in ' \t\r\n':
        i -= 1
    if not text.endswith('*/', 0, i):
        return None
    start = text.rfind('/*', 0, i - 2)
    if start < 0:
        return None
    comment = text[start:i]
    if not comment.startswith('/**') or comment.startswith('/**<'):
        return None
    return comment


def check_docs(ctx):
    p = ctx.project
    errors = list(p.errors)
    checked = 0
    for d in p.api:
        checked += 1
        c = doc_comment_before(d.header.text, d.offset)
        if c is None:
            errors.append('%s: %s has no /** ... */ doc comment right before it' % (d.where(), d.name))
            continue
        for tag in ('@brief', '@since'):
            if tag not in c:
                errors.append('%s: the doc comment of %s lacks %s' % (d.where(), d.name, tag))
        if d.is_function and d.ret != 'void' and '@return' not in c:
            errors.append('%s: the doc comment of %s lacks @return (values and error codes)'
                          % (d.where(), d.name))
    docs = os.path.join(p.root, 'docs')

    def read(name):
        try:
            with open(os.path.join(docs, name), encoding='utf-8') as f:
                return f.read()
        except OSError:
            errors.append('docs/%s is missing' % name)
            return ''
    errors_md = read('errors.md')
    codes = [e for e in p.enums if e.name == 'svcq_error']
    if not codes:
        errors.append('no svcq_error enum in the public headers')
    for e in codes:
        for name, value, _ in e.items:
            lines = [l for l in errors_md.splitlines() if re.search(r'\b%s\b' % name, l)]
            if not any(re.search(r'(?<![\w-])%s(?!\w)' % re.escape(str(value)), l) for l in lines):
                errors.append('docs/errors.md does not list %s with its value %s on one line'
                              % (name, value))
            checked += 1
    arch = read('architecture.md')
    for h in p.headers:
        if h.rel not in arch:
            errors.append('docs/architecture.md does not mention %s: say which module owns it' % h.rel)
        checked += 1
    read('abi-policy.md')
    print('%d doc items checked' % checked)
    return errors, checked


def enum_lines(p):
    out = []
    for e in p.enums:
        for name, value, _ in e.items:
            out.append('%s %s %d' % (e.name, name, value))
    return out


ENUMS_HEADER = """\
# Published enumerators of the public headers: <enum> <NAME> <value>.
# A value, once here, is pinned: the abi/enums test fails when one is
# removed or changes. Regenerate on purpose with `meson compile -C build
# abi-baseline` (see docs/abi-policy.md); never edit a value by hand.
"""


def check_enums(ctx):
    p = ctx.project
    errors = list(p.errors)
    for e in p.enums:
        errors += e.errors
        if not e.name or not e.name.startswith('svcq_'):
            errors.append('%s: public enums are typedef enum svcq_<noun> { ... } svcq_<noun>' % e.where())
        for name, value, explicit in e.items:
            if not explicit:
                errors.append('%s: %s has no explicit value; public enumerators are pinned with '
                              '"= value"' % (e.where(), name))
            if not name.startswith('SVCQ_'):
                errors.append('%s: enumerator %s does not start with SVCQ_' % (e.where(), name))
    current = {}
    for line in enum_lines(p):
        typ, name, value = line.split()
        current[name] = (typ, int(value))
    path = os.path.join(ctx.baseline_dir, 'enums.txt')
    try:
        with open(path, encoding='utf-8') as f:
            base = [l.split() for l in f if l.strip() and not l.startswith('#')]
    except OSError:
        return errors + ['%s is missing: run `meson compile -C build abi-baseline`' % path], 0
    pinned = set()
    for typ, name, value in base:
        pinned.add(name)
        if name not in current:
            errors.append('%s %s = %s was published and is gone: a retired value keeps its '
                          'name and number' % (typ, name, value))
        elif current[name] != (typ, int(value)):
            errors.append('%s %s was %s and is now %s %d: published values never change'
                          % (typ, name, value, current[name][0], current[name][1]))
    added = sorted(set(current) - pinned)
    print('%d enumerators pinned, %d new since the baseline%s' %
          (len(pinned), len(added), (': ' + ', '.join(added)) if added else ''))
    return errors, len(current)


def abidw_dump(root, lib, out):
    """Writes the abixml of lib, with only the types of root's public headers."""
    cmd = [shutil.which('abidw'), '--headers-dir', os.path.join(root, 'include', 'svcq')]
    cmd += ABIDW_OPTIONS + ['--out-file', out, lib]
    r = run(cmd)
    if r.returncode != 0:
        raise RuntimeError('abidw failed: %s\n%s' % (' '.join(cmd), r.stdout))


def abi_architecture(path):
    with open(path, encoding='utf-8') as f:
        head = f.read(4096)
    m = re.search(r"architecture='([^']*)'", head)
    return m.group(1) if m else None


def abidiff_verdict(abidiff, baseline, current):
    """Compares two abixml dumps: (ok, explanation, report).

    Additions (new functions, new types they use) pass. Removed symbols
    (ABIDIFF_ABI_INCOMPATIBLE_CHANGE) fail, and so does any change abidiff
    still reports once added symbols are filtered out: changed signatures,
    changed layouts of published structs, a changed SONAME.
    """
    r = run([abidiff, baseline, current])
    rc = r.returncode
    if rc & (ABIDIFF_ERROR | ABIDIFF_USAGE_ERROR):
        return False, 'abidiff failed (exit %d)' % rc, r.stdout
    if rc & ABIDIFF_ABI_INCOMPATIBLE_CHANGE:
        return False, 'incompatible ABI change (removed or changed symbols)', r.stdout
    if rc & ABIDIFF_ABI_CHANGE:
        r2 = run([abidiff, '--no-added-syms', baseline, current])
        if r2.returncode & (ABIDIFF_ERROR | ABIDIFF_USAGE_ERROR):
            return False, 'abidiff failed (exit %d)' % r2.returncode, r2.stdout
        if r2.returncode & (ABIDIFF_ABI_CHANGE | ABIDIFF_ABI_INCOMPATIBLE_CHANGE):
            return False, 'published interfaces changed', r2.stdout
        return True, 'additions only', r.stdout
    if rc != 0:
        return False, 'unexpected abidiff exit %d' % rc, r.stdout
    return True, 'no change', r.stdout


def has_debug_info(lib):
    return '.debug_info' in elf_info(lib)['sections']


def check_abidiff(ctx):
    if not ctx.lib or not os.path.exists(ctx.lib):
        print('SKIP: no shared library')
        return None, 0
    abidw, abidiff = shutil.which('abidw'), shutil.which('abidiff')
    if not abidw or not abidiff:
        print('SKIP: abidw/abidiff not installed (Debian: abigail-tools)')
        return None, 0
    if not has_debug_info(ctx.lib):
        print('SKIP: %s has no DWARF debug info (build with -g, e.g. buildtype=debugoptimized)'
              % ctx.lib)
        return None, 0
    baseline = os.path.join(ctx.baseline_dir, 'libsvcq.abi')
    if not os.path.exists(baseline):
        return ['%s is missing: run `meson compile -C build abi-baseline`' % baseline], 0
    with tempfile.TemporaryDirectory() as tmp:
        current = os.path.join(tmp, 'current.abi')
        abidw_dump(ctx.root, ctx.lib, current)
        a, b = abi_architecture(baseline), abi_architecture(current)
        if a != b:
            print('SKIP: the baseline is for %s, this build is %s' % (a, b))
            return None, 0
        ok, why, report = abidiff_verdict(abidiff, baseline, current)
    print('abidiff %s vs the built library: %s' % (os.path.relpath(baseline, ctx.root), why))
    if report.strip():
        print(report)
    if ok:
        return [], 1
    return ['ABI break against tests/abi/libsvcq.abi: %s. If this is a deliberate, '
            'compatible change (e.g. a field appended to a versioned table), regenerate '
            'the baseline as docs/abi-policy.md says; otherwise fix the code.' % why], 1


# ------------------------------------------------------ runtime constants

CONSTANTS_FILE = 'src/core/constants.c'
INT_MACRO_BODY = re.compile(r'[\w\s()+\-*/%<>|&~^]+')


def integer_macros(p):
    """Names of the object-like #define SVCQ_* whose body is an integer expression."""
    names = []
    for name, (params, body, _, _) in p.macros.items():
        if (params is None and name.startswith('SVCQ_') and body and '__' not in body
                and INT_MACRO_BODY.fullmatch(body)):
            names.append(name)
    return sorted(names)


def runtime_constants(p):
    """What the runtime table must hold: {name: where}, and the versioned tables."""
    want = {}
    for name in integer_macros(p):
        want[name] = '#define in %s' % p.macros[name][3].rel
    for e in p.enums:
        for name, _, _ in e.items:
            want[name] = 'enumerator of %s (%s)' % (e.name, e.where())
    tables = sorted('svcq_' + base for base, t in table_names(p).items() if t['struct'])
    return want, tables


def constants_program(p, names, tables, codes):
    out = ['/* generated by tests/abi/abicheck.py from the public headers */',
           '#include <stdint.h>',
           '#include <stdio.h>',
           '#include <string.h>',
           '']
    out += ['#include "%s"' % h.rel for h in p.headers]
    out += ['',
            'static const struct { const char *name; int64_t value; } want[] = {']
    out += ['    { "%s", (int64_t)(%s) },' % (n, n) for n in names] or ['    { "", 0 },']
    out += ['};',
            'static const struct { const char *name; size_t size; } tables[] = {']
    out += ['    { "%s", sizeof(%s) },' % (n, n) for n in tables] or ['    { "", 0 },']
    out += ['};',
            'static const struct { const char *name; int value; } codes[] = {']
    out += ['    { "%s", %s },' % (n, n) for n in codes] or ['    { "", 0 },']
    out += ['};',
            '#define COUNT(a) (sizeof(a) / sizeof((a)[0]))',
            '',
            'int main(void)',
            '{',
            '    for (size_t i = 0; i < COUNT(want) && want[i].name[0]; i++) {',
            '        int64_t v = 0;',
            '        int rc = svcq_constant(&v, want[i].name);',
            '        if (rc == SVCQ_ENOTFOUND)',
            '            printf("MISSING %s\\n", want[i].name);',
            '        else if (rc != SVCQ_OK)',
            '            printf("ERROR %s svcq_constant returned %d\\n", want[i].name, rc);',
            '        else if (v != want[i].value)',
            '            printf("WRONG %s %lld %lld\\n", want[i].name, (long long)want[i].value, (long long)v);',
            '    }',
            '    const char *prev = NULL;',
            '    for (uint32_t i = 0; i < svcq_constant_count(); i++) {',
            '        const char *name = NULL;',
            '        int64_t v = 0, again = 0;',
            '        if (svcq_constant_at(&name, &v, i) != SVCQ_OK || !name) {',
            '            printf("ERROR #%u svcq_constant_at failed\\n", (unsigned)i);',
            '            continue;',
            '        }',
            '        printf("LISTED %s\\n", name);',
            '        if (prev && strcmp(prev, name) >= 0)',
            '            printf("ORDER %s %s\\n", prev, name);',
            '        if (svcq_constant(&again, name) != SVCQ_OK || again != v)',
            '            printf("ERROR %s listed by svcq_constant_at but not found by svcq_constant\\n", name);',
            '        prev = name;',
            '    }',
            '    for (size_t i = 0; i < COUNT(tables) && tables[i].name[0]; i++) {',
            '        size_t got = svcq_table_size(tables[i].name);',
            '        if (got == 0)',
            '            printf("NOTABLE %s\\n", tables[i].name);',
            '        else if (got != tables[i].size)',
            '            printf("TABLESIZE %s %zu %zu\\n", tables[i].name, tables[i].size, got);',
            '    }',
            '    for (size_t i = 0; i < COUNT(codes) && codes[i].name[0]; i++) {',
            '        if (codes[i].value < SVCQ_ERROR_RESERVED_MIN || codes[i].value > 0)',
            '            printf("ERROR %s = %d lies outside the reserved range SVCQ_ERROR_RESERVED_MIN..0\\n",',
            '                   codes[i].name, codes[i].value);',
            '        if (strcmp(svcq_strerror(codes[i].value), "unknown error") == 0)',
            '            printf("STRERROR %s\\n", codes[i].name);',
            '    }',
            '    return 0;',
            '}']
    return '\n'.join(out) + '\n'


def check_constants(ctx):
    """Every integer constant, enumerator and versioned table of the headers is in
    the runtime table with the header's value; svcq_strerror names every code."""
    p = ctx.project
    errors = list(p.errors)
    if not ctx.cc or not ctx.lib:
        return errors + ['constants needs --cc and --lib'], 0
    want, tables = runtime_constants(p)
    codes = [n for e in p.enums if e.name == 'svcq_error' for n, _, _ in e.items]
    src = constants_program(p, sorted(want), tables, codes)
    flags = ['-std=c11', '-Werror', '-Wall'] + ctx.include_flags()
    with tempfile.TemporaryDirectory() as tmp:
        ok, exe, out = compile_source(ctx.cc, flags, src, '.c', tmp, link=ctx.link_flags())
        if not ok:
            return errors + ['the generated constants test does not compile:\n%s' % out], 0
        r = run([exe])
    if r.returncode != 0:
        return errors + ['the generated constants test failed (exit %d):\n%s' % (r.returncode, r.stdout)], 0
    missing, listed = [], set()
    for line in r.stdout.splitlines():
        kind, _, rest = line.partition(' ')
        f = rest.split()
        if kind == 'MISSING':
            missing.append(f[0])
        elif kind == 'LISTED':
            listed.add(f[0])
        elif kind == 'WRONG':
            errors.append('%s is %s in the headers but svcq_constant gives %s: the runtime table '
                          '(%s) must use the macro or enumerator itself, C(%s)'
                          % (f[0], f[1], f[2], CONSTANTS_FILE, f[0]))
        elif kind == 'ORDER':
            errors.append('%s: constants[] is not sorted by strcmp (svcq_constant uses bsearch): '
                          '%s comes before %s' % (CONSTANTS_FILE, f[0], f[1]))
        elif kind == 'NOTABLE':
            missing.append(f[0])
        elif kind == 'TABLESIZE':
            errors.append('svcq_table_size("%s") is %s, sizeof is %s' % (f[0], f[2], f[1]))
        elif kind == 'STRERROR':
            errors.append('svcq_strerror(%s) is "unknown error": name the code in '
                          'src/core/error.c' % f[0])
        elif kind == 'ERROR':
            errors.append(rest)
    consts = [n for n in missing if not n.startswith('svcq_')]
    tabs = [n for n in missing if n.startswith('svcq_')]
    if consts:
        errors.append('the runtime constant table lacks %d name(s) the public headers define; add '
                      'these lines to constants[] in %s, in sorted (strcmp) order:\n%s'
                      % (len(consts), CONSTANTS_FILE,
                         '\n'.join('    C(%s),  /* %s */' % (n, want[n]) for n in consts)))
    if tabs:
        errors.append('svcq_table_size does not know %d versioned table(s); add these lines to '
                      'tables[] in %s, in sorted (strcmp) order:\n%s'
                      % (len(tabs), CONSTANTS_FILE, '\n'.join('    T(%s),' % n for n in tabs)))
    print('%d constants and %d tables in the headers; the library lists %d constants'
          % (len(want), len(tables), len(listed)))
    return errors, len(want) + len(tables)


# ------------------------------------------------- static library names

def static_globals(nm, archive):
    """[(object, type, name)] of the global symbols an archive defines."""
    r = run([nm, '-A', '-g', '--defined-only', archive])
    if r.returncode != 0:
        raise RuntimeError('nm failed:\n' + r.stdout)
    out = []
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        # "archive.a:member.o:address T name" (GNU nm -A)
        fields = parts[0].split(':')
        obj = fields[1] if len(fields) > 1 else fields[0]
        out.append((obj, parts[-2], parts[-1]))
    return out


# Symbols the compiler itself adds to objects in instrumented builds.
TOOL_SYMBOL = re.compile(r'(__odr_asan[._]|__odr_asan_gen_|__asan_|__ubsan_|__tsan_|__sancov_|__llvm_|'
                         r'__gcov_|__profc_|__profd_)')


def check_static(ctx):
    """Every global symbol of the static library starts with svcq_ (public
    svcq_<noun>_<verb> or internal svcq__): a host linking libsvcq.a never
    clashes with the library's internal names."""
    if not ctx.static_lib or not os.path.exists(ctx.static_lib):
        print('SKIP: no static library (--static-lib)')
        return None, 0
    nm = shutil.which('nm')
    if not nm:
        print('SKIP: nm not found')
        return None, 0
    errors = []
    syms = static_globals(nm, ctx.static_lib)
    if not syms:
        errors.append('%s defines no global symbol: not the library?' % ctx.static_lib)
    for obj, typ, name in syms:
        if name.startswith('svcq_') or TOOL_SYMBOL.match(name):
            continue
        errors.append('%s (%s) defines the global symbol %s (type %s): every global name of '
                      'the library starts with svcq_ (internals svcq__); make it static or '
                      'rename it' % (os.path.basename(ctx.static_lib), obj, name, typ))
    public = sum(1 for _, _, n in syms if n.startswith('svcq_') and not n.startswith('svcq__'))
    print('%s: %d global symbols (%d public, %d internal svcq__)'
          % (os.path.basename(ctx.static_lib), len(syms), public,
             sum(1 for _, _, n in syms if n.startswith('svcq__'))))
    return errors, len(syms)


def do_baseline(ctx):
    if not ctx.lib or not os.path.exists(ctx.lib):
        return ['--lib must name the built shared library'], 0
    if not shutil.which('abidw'):
        return ['abidw not installed (Debian: abigail-tools)'], 0
    if not has_debug_info(ctx.lib):
        return ['%s has no debug info: build with -g (buildtype=debugoptimized)' % ctx.lib], 0
    errors = list(ctx.project.errors)
    for e in ctx.project.enums:
        errors += e.errors
    if errors:
        return errors, 0
    out = os.path.join(ctx.baseline_dir, 'libsvcq.abi')
    abidw_dump(ctx.root, ctx.lib, out)
    enums = os.path.join(ctx.baseline_dir, 'enums.txt')
    with open(enums, 'w', encoding='utf-8') as f:
        f.write(ENUMS_HEADER)
        for line in enum_lines(ctx.project):
            f.write(line + '\n')
    print('wrote %s and %s; review `git diff tests/abi` and commit them' % (out, enums))
    return [], 1


CHECKS = {
    'headers-c': check_headers_c,
    'headers-cxx': check_headers_cxx,
    'tables': check_tables,
    'map': check_map,
    'exports': check_exports,
    'docs': check_docs,
    'enums': check_enums,
    'abidiff': check_abidiff,
    'constants': check_constants,
    'static': check_static,
    'baseline': do_baseline,
}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('check', choices=sorted(CHECKS))
    ap.add_argument('--root', default=DEFAULT_ROOT, help='source tree (default: this checkout)')
    ap.add_argument('--lib', help='the built shared library (libsvcq.so.N...)')
    ap.add_argument('--static-lib', help='the built static library (libsvcq.a)')
    ap.add_argument('--cc', help='C compiler command')
    ap.add_argument('--cxx', help='C++ compiler command')
    ap.add_argument('--sanitize', help='b_sanitize of the build, to link test programs')
    ap.add_argument('--baseline-dir', help='where libsvcq.abi and enums.txt live (default: tests/abi)')
    args = ap.parse_args(argv)
    ctx = Context(args)
    errors, count = CHECKS[args.check](ctx)
    if errors is None:
        return SKIP
    for e in errors:
        print('FAIL: ' + e)
    print('%s: %s (%d item(s))' % (args.check, 'FAILED' if errors else 'ok', count))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
