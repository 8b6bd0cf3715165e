#!/usr/bin/env python3
"""Runs the generator given as argv[1] and parses the SVG it writes with
xml.etree: the ranking chart must be well-formed XML, with one bar per
unit and every name (which needs escaping) read back exactly. With a
fixture directory as argv[2], both charts of the generator (card share,
and composite with a capping veto) must equal ranking.svg and
ranking_composite.svg there byte for byte."""
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

NS = '{http://www.w3.org/2000/svg}'
UNITS = ["<script>alert('x')</script>", 'Tom & Jerry', '"quoted" branch', '南京分公司', ']]> end']


def main():
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, 'ranking.svg')
        subprocess.run([sys.argv[1], out], check=True)
        root = ET.parse(out).getroot()
    assert root.tag == NS + 'svg', root.tag
    title = root.find(NS + 'title')
    assert title is not None and title.text == 'H1 <2026> & "co"', title.text
    entries = root.findall(NS + 'g')
    assert len(entries) == len(UNITS), len(entries)
    labels = [g.findall(NS + 'text')[0].text for g in entries]
    # Ranked by share: quoted 100, script 91, 南京 42, ]]> 12; Tom & Jerry vetoed, excluded, last.
    expect = ['1. "quoted" branch', "2. <script>alert('x')</script>", '3. 南京分公司', '4. ]]> end', 'Tom & Jerry']
    assert labels == expect, labels
    for g in entries:
        rect = g.find(NS + 'rect')
        assert rect is not None and int(rect.get('width')) >= 0
    assert entries[-1].findall(NS + 'text')[1].text == '75.5 (vetoed, excluded)'
    print('svg ok: %d bars' % len(entries))
    if len(sys.argv) > 2:
        same_bytes(sys.argv[2])


def same_bytes(fixtures):
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in (('ranking.svg', []), ('ranking_composite.svg', ['cap'])):
            out = os.path.join(tmp, name)
            subprocess.run([sys.argv[1], out] + args, check=True)
            with open(out, 'rb') as f, open(os.path.join(fixtures, name), 'rb') as g:
                got, want = f.read(), g.read()
            assert got == want, '%s differs from the fixture:\n%s' % (name, got.decode())
    print('svg ok: both charts byte for byte')


if __name__ == '__main__':
    main()
