#!/usr/bin/env python3
"""The documentation checker must be able to fail: each case is a small
project tree (the real include/ and docs/sla.md table, a made-up page) that
check_docs.py has to pass or refuse, with the reason it gives."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(HERE, "check_docs.py")
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CC = os.environ.get("CC", "cc")

def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


GOOD_BODY = """```c
svcq_calendar *cal;
if (svcq_calendar_new_24x7(&cal, ctx) == SVCQ_OK)
    svcq_calendar_free(cal);
```
"""


def run(readme, docs=None, cc=CC):
    """Runs the checker on a tree with this README.md and docs/ pages."""
    with tempfile.TemporaryDirectory() as root:
        shutil.copytree(os.path.join(ROOT, "include"), os.path.join(root, "include"))
        os.makedirs(os.path.join(root, "docs"))
        shutil.copy(os.path.join(ROOT, "docs", "sla.md"), os.path.join(root, "docs", "sla.md"))
        # The files the real sla.md names, so only the made-up page decides.
        for named in re.findall(r"`((?:docs|tests)/[A-Za-z0-9_./-]+)`", read(os.path.join(ROOT, "docs", "sla.md"))):
            if not os.path.exists(os.path.join(root, named)):
                os.makedirs(os.path.dirname(os.path.join(root, named)), exist_ok=True)
                open(os.path.join(root, named), "w").close()
        with open(os.path.join(root, "README.md"), "w", encoding="utf-8") as f:
            f.write(readme)
        for name, text in (docs or {}).items():
            with open(os.path.join(root, "docs", name), "w", encoding="utf-8") as f:
                f.write(text)
        r = subprocess.run([sys.executable, CHECKER, "--root", root, "--cc", cc],
                           capture_output=True, text=True)
        return r.returncode, r.stdout + r.stderr


class CheckDocs(unittest.TestCase):
    def test_good_page_passes(self):
        # Ends with an `if` without braces: the wrapper's own `return 0;`
        # must not make it look misleadingly indented.
        rc, out = run("# x\n\n" + GOOD_BODY + "\n`include/svcq/sla.h`, `svcq/store.h`, [sla](docs/sla.md)\n")
        self.assertEqual(rc, 0, out)
        # The page's block plus those of the real docs/sla.md copied beside it.
        blocks = 1 + read(os.path.join(ROOT, "docs", "sla.md")).count("```c")
        self.assertIn(f"{blocks} C blocks checked, 0 problem(s)", out)

    def test_ignored_result_fails(self):
        rc, out = run("```c\nsvcq_calendar *cal;\nsvcq_calendar_new_24x7(&cal, ctx);\n```\n")
        self.assertEqual(rc, 1, out)
        self.assertIn("README.md:1: the C block does not compile (body)", out)

    def test_undeclared_name_fails_and_directive_declares_it(self):
        block = "```c\nsvcq_calendar_free(cal);\n```\n"
        rc, out = run(block)
        self.assertEqual(rc, 1, out)
        rc, out = run("<!-- snippet: body svcq_calendar *cal = NULL; -->\n" + block)
        self.assertEqual(rc, 0, out)

    def test_multiline_file_directive(self):
        text = ("<!-- snippet: file\nstruct db;\nint db_open(struct db **out);\n"
                + "\n".join("/* line %d */" % i for i in range(15)) + "\n-->\n"
                "```c\nstatic int f(void) { struct db *d; return db_open(&d); }\n```\n")
        rc, out = run(text)
        self.assertEqual(rc, 0, out)

    def test_unknown_directive_fails(self):
        rc, out = run("<!-- snippet: bdy int x; -->\n" + GOOD_BODY)
        self.assertEqual(rc, 1, out)
        self.assertIn("unknown snippet directive", out)

    def test_placeholder_fails(self):
        rc, out = run("```c\nsvcq_calendar *cal;\n/* ... */\n```\n")
        self.assertEqual(rc, 1, out)
        self.assertIn("placeholder", out)
        rc, out = run("```c\nint x = 1;\n...\n```\n")
        self.assertEqual(rc, 1, out)
        self.assertIn("placeholder", out)

    def test_unclosed_block_fails(self):
        rc, out = run("```c\nint x = 1;\n")
        self.assertEqual(rc, 1, out)
        self.assertIn("never closed", out)

    def test_missing_files_fail(self):
        for named in ("`tests/bench/calendar.c`", "`svcq/nowhere.h`", "[guide](docs/nowhere.md)",
                      "`tests/support/store_conformance.{h,x}`"):
            rc, out = run("See " + named + ".\n")
            self.assertEqual(rc, 1, named + ": " + out)
            self.assertIn("which the project does not ship", out)
        rc, out = run("Planned: svcq/tier.h and src/tier/ (to come).\n")
        self.assertEqual(rc, 0, out)

    def test_metric_list_must_match_tier_table(self):
        sla = read(os.path.join(ROOT, "docs", "sla.md"))
        bad = sla.replace("| definite_reply | a definite reply time and solution | request_received → reply_committed | 3 |",
                          "| definite_reply | a definite reply time and solution | request_received → first_contact | 3 |")
        self.assertNotEqual(bad, sla, "the metric list changed: update this test")
        rc, out = run("# x\n", {"sla.md": bad})
        self.assertEqual(rc, 1, out)
        self.assertIn("metric definite_reply is listed as request_received → first_contact", out)
        bad = sla.replace("| 3 | result_feedback |", "| 3 | result_feedbak |")
        rc, out = run("# x\n", {"sla.md": bad})
        self.assertEqual(rc, 1, out)
        self.assertIn("result_feedbak of the tier table is not in the metric list", out)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("--cc="):
        CC = sys.argv.pop(1)[len("--cc="):]
    unittest.main()
