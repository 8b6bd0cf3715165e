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
2. Every path the documentation names in backticks (`docs/x.md`,
   `examples/y.c`, `include/svcq/z.h`, `src/...`, `tests/...`) exists.
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
DIRECTIVE = re.compile(r"<!--\s*snippet:\s*(body|file|internal)\b(.*?)-->", re.S)
PATH = re.compile(r"`((?:docs|examples|include|src|tests|\.ci)/[A-Za-z0-9_./-]+)`")


def blocks(text):
    """Yields (line number, directive match or None, code) for each ```c block."""
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
        # The directive is the comment right above the fence (blank lines allowed).
        above = "\n".join(lines[max(0, start - 12):start]).rstrip()
        directive = None
        if above.endswith("-->"):
            directive = DIRECTIVE.match(above[above.rfind("<!--"):])
        yield start + 1, directive, "\n".join(body)
        i += 1


def source_for(directive, code):
    mode = directive.group(1) if directive else "body"
    extra = directive.group(2).strip() if directive else ""
    if mode == "body":
        # The context the prose assumes, unless the block makes its own.
        param = "void" if re.search(r"\bsvcq_ctx\s*\*\s*ctx\s*[;=]", extra + code) else "svcq_ctx *ctx"
        return mode, HEADERS + f"int snippet({param});\nint snippet({param})\n{{\n" + \
            extra + "\n" + code + "\n    return 0;\n}\n"
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
            text = open(doc, encoding="utf-8").read()
            for line, directive, code in blocks(text):
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
            for m in PATH.finditer(text):
                target = m.group(1).rstrip(".")
                if "*" in target or "<" in target:
                    continue
                if not os.path.exists(os.path.join(root, target)):
                    failures += 1
                    print(f"{rel}: names `{target}`, which the project does not ship")
    print(f"{checked} C blocks checked, {failures} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
