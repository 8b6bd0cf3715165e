#!/usr/bin/env python3
"""Regenerates tests/fuzz/corpus/tzif: the zone files of tests/data/zoneinfo
and damaged copies of them (truncated, bit-flipped, counts changed, version
byte changed, footer altered), with a fixed seed so the corpus is stable."""
import os
import random
import shutil

here = os.path.dirname(os.path.abspath(__file__))
src = os.path.join(here, '..', 'data', 'zoneinfo')
out = os.path.join(here, 'corpus', 'tzif')
rng = random.Random(20250101)

shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
zones = []
for root, _, files in os.walk(src):
    for f in sorted(files):
        p = os.path.join(root, f)
        data = open(p, 'rb').read()
        if data[:4] == b'TZif':
            zones.append((os.path.relpath(p, src).replace('/', '_'), data))
zones.sort()


def put(name, data):
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)


def v1_size(d):
    c = [int.from_bytes(d[20 + 4 * i:24 + 4 * i], 'big') for i in range(6)]
    isut, isstd, leap, time, typ, chars = c
    return 44 + time * 5 + typ * 6 + chars + leap * 8 + isstd + isut


# Damaged copies of a few zones of different kinds: no DST, US rules,
# negative DST, a version 3 footer, leap seconds, UTC, 30-minute DST.
damage = {'Asia_Shanghai', 'America_New_York', 'Europe_Dublin', 'America_Nuuk',
          'right_Asia_Shanghai', 'UTC', 'Australia_Lord_Howe'}
for name, data in zones:
    put(name, data)
    if name not in damage:
        continue
    # Truncations at a random point and just before the end.
    put(name + '.trunc', data[:rng.randrange(1, len(data))])
    put(name + '.trunc_end', data[:-1])
    # A few flipped bits.
    b = bytearray(data)
    for _ in range(3):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    put(name + '.flip', bytes(b))
    # The version 1 part alone, as a version 1 file.
    n1 = v1_size(data)
    if n1 <= len(data):
        v1 = bytearray(data[:n1])
        v1[4] = 0
        put(name + '.v1', bytes(v1))
    # A different footer, and a version byte from the future.
    nl = data.rfind(b'\n', 0, len(data) - 1)
    if nl > 0:
        put(name + '.footer', data[:nl + 1] + b'EST5EDT,M3.2.0,M11.1.0\n')
        put(name + '.nofooter', data[:nl + 1] + b'\n')
    f = bytearray(data)
    f[4] = ord('4')
    if n1 + 5 <= len(f):
        f[n1 + 4] = ord('4')
    put(name + '.v4', bytes(f))
    # A transition count blown up in the second header.
    if n1 + 44 <= len(data):
        c = bytearray(data)
        c[n1 + 32:n1 + 36] = (0x7fffffff).to_bytes(4, 'big')
        put(name + '.count', bytes(c))
print(len(os.listdir(out)), 'files in', out)
