#!/usr/bin/env python3
"""Runs the generator given as argv[1] (tests/unit/metrics_report.c with
an output directory) and parses both weekly-report charts with
xml.etree: well-formed XML, the category that needs escaping read back
exactly, two bars per category (this week, previous week) and the trend
line with one point per defined week."""
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

NS = '{http://www.w3.org/2000/svg}'


def main():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.argv[1], tmp], check=True)
        top = ET.parse(os.path.join(tmp, 'weekly-top.svg')).getroot()
        trend = ET.parse(os.path.join(tmp, 'weekly-trend.svg')).getroot()
    assert top.tag == NS + 'svg', top.tag
    texts = [t.text for t in top.iter(NS + 'text')]
    # Gamma, Beta, Epsilon (top 3) then the vanished one.
    labels = [t for t in texts if t in ('Gamma', 'Beta', 'Epsilon', 'Alpha & <Co>')]
    assert labels == ['Gamma', 'Beta', 'Epsilon', 'Alpha & <Co>'], labels
    bars = [r for r in top.iter(NS + 'rect') if r.get('height') == '16']
    assert len(bars) == 8, len(bars)
    assert trend.tag == NS + 'svg'
    lines = list(trend.iter(NS + 'polyline'))
    assert len(lines) == 1, len(lines)  # 2025-W52 and 2026-W01 have no data
    points = list(trend.iter(NS + 'circle'))
    assert len(points) == 2, len(points)
    print('svg ok: %d bars, %d trend points' % (len(bars), len(points)))


if __name__ == '__main__':
    main()
