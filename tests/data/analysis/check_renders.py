#!/usr/bin/env python3
"""Checks the analysis picture fixtures of tests/data/analysis.

    check_renders.py svg DIR   every *.svg is well-formed XML (an SVG root,
                               a width, a height, no script)
    check_renders.py dot DIR   Graphviz `dot -Tsvg` renders every *.dot
                               without error or warning (skips, exit 77,
                               when `dot` is not installed)

Standard library only."""
import glob
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

SKIP = 77
SVG_NS = '{http://www.w3.org/2000/svg}'


def check_svg(d):
    files = sorted(glob.glob(os.path.join(d, '*.svg')))
    if not files:
        print('no SVG fixtures in', d)
        return 1
    bad = 0
    for f in files:
        try:
            root = ET.parse(f).getroot()
        except ET.ParseError as e:
            print('%s: not well-formed XML: %s' % (f, e))
            bad += 1
            continue
        if root.tag != SVG_NS + 'svg' or 'width' not in root.attrib or 'height' not in root.attrib:
            print('%s: the root is not an <svg> with a width and a height' % f)
            bad += 1
        if any(el.tag == SVG_NS + 'script' for el in root.iter()):
            print('%s: contains a script' % f)
            bad += 1
    print('%d SVG fixtures checked, %d bad' % (len(files), bad))
    return 1 if bad else 0


def check_dot(d):
    dot = shutil.which('dot')
    if not dot:
        print('Graphviz dot is not installed: skipped (Debian: apt-get install graphviz)')
        return SKIP
    files = sorted(glob.glob(os.path.join(d, '*.dot')))
    if not files:
        print('no DOT fixtures in', d)
        return 1
    bad = 0
    for f in files:
        r = subprocess.run([dot, '-Tsvg', f], capture_output=True, text=True)
        if r.returncode != 0 or r.stderr.strip():
            print('%s: dot exited %d: %s' % (f, r.returncode, r.stderr.strip()))
            bad += 1
            continue
        try:
            ET.fromstring(r.stdout)
        except ET.ParseError as e:
            print('%s: dot produced SVG that is not XML: %s' % (f, e))
            bad += 1
    print('%d DOT fixtures rendered, %d bad' % (len(files), bad))
    return 1 if bad else 0


if __name__ == '__main__':
    if len(sys.argv) != 3 or sys.argv[1] not in ('svg', 'dot'):
        print(__doc__)
        sys.exit(2)
    sys.exit(check_svg(sys.argv[2]) if sys.argv[1] == 'svg' else check_dot(sys.argv[2]))
