#!/usr/bin/env python3
"""Checks what the documentation shows a reader.

1. Every ```c block of README.md and docs/*.md compiles with -Werror.
   A block is wrapped according to the HTML comment right above it (a
   rendered page does not show it):

     (none)                         the block is the body of
                                    `int snippet(svcq_ctx *ctx)`
     <!-- snippet: body CODE -->    the same, with CODE (declarations the
                                    prose implies) put before the block
     <!-- snippet: file CODE -->    a translation unit: CODE, then the block
     <!-- snippet: internal CODE --> a translation unit that may use the
                                    library's internal headers (src/), for
                                    the contributor guides

   `#include <svcq.h>` and the usual C headers come first in every case.
   A comment that starts with `<!-- snippet` but is not one of these is an
   error (a typo would otherwise compile the block as a plain body), and so
   is a block left open. A block may not stand in for code with a
   placeholder comment such as `/* ... */`: snippets are real C.
2. Every file the documentation names exists: paths in backticks
   (`docs/x.md`, `examples/y.c`, `include/svcq/z.h`, `src/...`, `tests/...`,
   `.ci/...`; `a.{h,c}` names both files), public headers in backticks
   (`svcq/x.h` is include/svcq/x.h), and the targets of relative Markdown
   links. A planned file is written without backticks ("to come:
   src/tier/"), so a reader can tell it apart from one that ships.
3. docs/sla.md's list of metric names (between `metric-names` markers)
   names the same metrics, with the same events and tiers, as its table of
   the built-in tiers (between `builtin-tiers` markers, which
   tests/unit/sla_tiers_doc.c compares with the code), and every event
   either names is an SVCQ_SLA_EVENT_* of include/svcq/sla.h.
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

HEADERS = """#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <svcq.h>
"""

FLAGS = ["-std=c11", "-D_POSIX_C_SOURCE=200809L", "-Wall", "-Wextra", "-pedantic", "-Werror",
         "-Wno-unused-variable", "-Wno-unused-but-set-variable", "-Wno-unused-function",
         "-Wno-unused-parameter", "-Wno-unused-label"]

FENCE = re.compile(r"^(\s*)```c\s*$")
DIRECTIVE = re.compile(r"<!--\s*snippet:\s*(body|file|internal)\b(.*?)-->\Z", re.S)
PATH = re.compile(r"`((?:docs|examples|include|src|tests|\.ci)/[A-Za-z0-9_./{},-]+)`")
HEADER = re.compile(r"`(svcq/[A-Za-z0-9_]+\.h)`")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
PLACEHOLDER = re.compile(r"/\*\s*(?:\.\.\.|…)\s*\*/|^\s*(?:\.\.\.|…)\s*$", re.M)


def expand(path):
    """`a.{h,c}` -> [a.h, a.c]; other paths as they are."""
    m = re.search(r"\{([^{}]*)\}", path)
    if not m:
        return [path]
    out = []
    for alt in m.group(1).split(","):
        out += expand(path[:m.start()] + alt + path[m.end():])
    return out


def comment_above(lines, start):
    """The HTML comment that ends right above line `start` (blank lines
    allowed between), however many lines it spans; None when there is none."""
    j = start - 1
    while j >= 0 and lines[j].strip() == "":
        j -= 1
    if j < 0 or not lines[j].rstrip().endswith("-->"):
        return None
    end = j
    while j >= 0 and "<!--" not in lines[j]:
        j -= 1
    if j < 0:
        return None
    text = "\n".join(lines[j:end + 1]).strip()
    return text[text.rfind("<!--"):]


def blocks(text):
    """Yields (line number, directive match or None, code, problem or None)
    for each ```c block."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent = len(m.group(1))
        start = i
        body = []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
            i += 1
        problem = None
        if i >= len(lines):
            problem = "the C block is never closed"
        directive = None
        comment = comment_above(lines, start)
        if comment is not None and re.match(r"<!--\s*snippet\b", comment):
            directive = DIRECTIVE.match(comment)
            if directive is None:
                problem = "unknown snippet directive %r (body, file or internal)" % comment
        code = "\n".join(body)
        if problem is None and PLACEHOLDER.search(code):
            problem = "the C block has a placeholder (`...`) instead of code"
        yield start + 1, directive, code, problem
        i += 1


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def table(text, marker):
    """The rows (lists of cells) of the Markdown table between
    <!-- marker:begin --> and <!-- marker:end -->, header excluded."""
    m = re.search(r"<!--\s*%s:begin\s*-->(.*?)<!--\s*%s:end\s*-->" % (marker, marker), text, re.S)
    if not m:
        return None
    rows = [l.strip() for l in m.group(1).strip().split("\n") if l.strip().startswith("|")]
    return [[c.strip() for c in r.strip("|").split("|")] for r in rows[2:]]


def check_metric_names(root):
    """Problems between docs/sla.md's metric list, its tier table and sla.h."""
    path = os.path.join(root, "docs", "sla.md")
    if not os.path.exists(path):
        return []
    text = read(path)
    names, tiers = table(text, "metric-names"), table(text, "builtin-tiers")
    if names is None or tiers is None:
        return ["docs/sla.md: the metric-names or builtin-tiers table (with its markers) is missing"]
    header = read(os.path.join(root, "include", "svcq", "sla.h"))
    events = set(re.findall(r'#define SVCQ_SLA_EVENT_[A-Z_]+ "([a-z_]+)"', header))
    problems = []
    listed = {}
    for row in names:
        if len(row) != 4:
            problems.append(f"docs/sla.md: metric-names row {row} does not have 4 cells")
            continue
        listed[row[0]] = (row[2], set(t.strip() for t in row[3].split(",")))
    built = {}
    for row in tiers:
        if len(row) < 3:
            problems.append(f"docs/sla.md: builtin-tiers row {row} is too short")
            continue
        tier, metric, span = row[0], row[1], row[2]
        prev = built.setdefault(metric, (span, set()))
        if prev[0] != span:
            problems.append(f"docs/sla.md: {metric} runs {prev[0]} in one tier and {span} in tier {tier}")
        prev[1].add(tier)
    for metric in sorted(set(listed) | set(built)):
        if metric not in built:
            problems.append(f"docs/sla.md: metric {metric} is listed but no built-in tier has it")
        elif metric not in listed:
            problems.append(f"docs/sla.md: metric {metric} of the tier table is not in the metric list")
        elif listed[metric] != built[metric]:
            problems.append(f"docs/sla.md: metric {metric} is listed as {listed[metric][0]} in tiers "
                            f"{sorted(listed[metric][1])}, the tier table has {built[metric][0]} in "
                            f"{sorted(built[metric][1])}")
    for metric, (span, _) in sorted(listed.items()):
        for ev in re.split(r"\s*→\s*", span):
            if ev not in events:
                problems.append(f"docs/sla.md: metric {metric}: event {ev} is not an SVCQ_SLA_EVENT_* of sla.h")
    return problems


def source_for(directive, code):
    mode = directive.group(1) if directive else "body"
    extra = directive.group(2).strip() if directive else ""
    if mode == "body":
        # The context the prose assumes, unless the block makes its own.
        param = "void" if re.search(r"\bsvcq_ctx\s*\*\s*ctx\s*[;=]", extra + code) else "svcq_ctx *ctx"
        # Indented one level, so the closing `return 0;` lines up with the
        # block's own statements (a block ending in an `if` without braces
        # would otherwise look misleadingly indented).
        inner = "\n".join(("    " + l) if l.strip() else "" for l in (extra + "\n" + code).split("\n"))
        return mode, HEADERS + f"int snippet({param});\nint snippet({param})\n{{\n" + \
            inner + "\n    return 0;\n}\n"
    return mode, HEADERS + extra + "\n" + code + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--cc", default="cc")
    args = ap.parse_args()
    root = args.root
    docs = [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "docs", "*.md")))
    failures = 0
    checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        for doc in docs:
            rel = os.path.relpath(doc, root)
            text = read(doc)
            for line, directive, code, problem in blocks(text):
                if problem:
                    failures += 1
                    print(f"{rel}:{line}: {problem}")
                    continue
                mode, src = source_for(directive, code)
                path = os.path.join(tmp, "snippet.c")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(src)
                inc = ["-I", os.path.join(root, "include")]
                if mode == "internal":
                    inc += ["-I", os.path.join(root, "src"), "-I", os.path.join(root, "tests", "support")]
                cmd = args.cc.split() + FLAGS + inc + ["-c", path, "-o", os.path.join(tmp, "snippet.o")]
                r = subprocess.run(cmd, capture_output=True, text=True)
                checked += 1
                if r.returncode != 0:
                    failures += 1
                    print(f"{rel}:{line}: the C block does not compile ({mode}):")
                    print(r.stderr.replace(path, f"{rel}:{line}+"))
            named = []
            for m in PATH.finditer(text):
                named += [(t, t) for t in expand(m.group(1).rstrip("."))]
            for m in HEADER.finditer(text):
                named.append((m.group(1), os.path.join("include", m.group(1))))
            for m in LINK.finditer(text):
                target = m.group(1)
                if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, mailto:
                    continue
                named.append((target, os.path.normpath(os.path.join(os.path.dirname(rel), target))))
            for shown, target in named:
                if "*" in target or "<" in target:
                    continue
                if not os.path.exists(os.path.join(root, target)):
                    failures += 1
                    print(f"{rel}: names `{shown}`, which the project does not ship")
    for problem in check_metric_names(root):
        failures += 1
        print(problem)
    print(f"{checked} C blocks checked, {failures} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
