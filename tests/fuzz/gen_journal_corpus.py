#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_journal (tests/fuzz/corpus/journal/).

The journals are built from docs/format.md, independently of the C code,
so they also check the documentation: the valid ones must open with the
records they were written with (tests/unit/store_journal.c reads a few).
Run from anywhere: python3 tests/fuzz/gen_journal_corpus.py
"""
import os
import struct

POLY = 0x82F63B78
TABLE = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ POLY if c & 1 else c >> 1
    TABLE.append(c)


def crc32c(data, crc=0):
    c = crc ^ 0xFFFFFFFF
    for b in data:
        c = (c >> 8) ^ TABLE[(c ^ b) & 0xFF]
    return c ^ 0xFFFFFFFF


def header(generation=0, seq_base=0, version=1):
    h = b"SVCQJRNL" + struct.pack("<IIQQI", version, 0, generation, seq_base, 0)
    return h + struct.pack("<I", crc32c(h))


def frame(payload):
    ln = struct.pack("<I", len(payload))
    return ln + struct.pack("<I", crc32c(payload, crc32c(ln))) + payload


def put(rev, kind, id_, value):
    k, i = kind.encode(), id_.encode()
    return frame(struct.pack("<BQBH", 1, rev, len(k), len(i)) + k + i + value)


def put_terms(rev, kind, id_, terms, value):
    """Format 2: a put with index terms, sorted by name: (name, int) or (name, str)."""
    k, i = kind.encode(), id_.encode()
    t = struct.pack("<B", len(terms))
    for name, v in terms:
        n = name.encode()
        t += struct.pack("<B", len(n)) + n
        if isinstance(v, int):
            t += struct.pack("<Bq", 2, v)
        else:
            b = v.encode()
            t += struct.pack("<BH", 1, len(b)) + b
    return frame(struct.pack("<BQBH", 4, rev, len(k), len(i)) + k + i + t + value)


def delete(rev, kind, id_):
    k, i = kind.encode(), id_.encode()
    return frame(struct.pack("<BQBH", 2, rev, len(k), len(i)) + k + i)


def commit(seq, last_rev, ops):
    return frame(struct.pack("<BQQI", 3, seq, last_rev, ops))


def doc(text):
    return ('{"schema":"svcq.note/2","id":"x","text":"%s","count":1}' % text).encode()


seeds = {}
seeds["empty"] = b""
seeds["header_only"] = header()
seeds["partial_header"] = header()[:13]
seeds["one_put"] = header() + put(1, "note", "n1", b"{}") + commit(1, 1, 1)
seeds["put_update_remove"] = (header() + put(1, "note", "a", doc("a1")) + commit(1, 1, 1)
                              + put(2, "note", "a", doc("a2")) + commit(2, 2, 1)
                              + delete(2, "note", "a") + commit(3, 2, 1))
seeds["one_tx_four_ops"] = (header() + put(1, "incident", "INC-1", doc("x")) + put(2, "client", "c-9", doc("y"))
                            + put(3, "incident", "INC-1", doc("z")) + delete(2, "client", "c-9")
                            + commit(1, 3, 4))
body = header()
rev = 0
for n, kind in enumerate(["a", "b_2", "incident", "client", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"]):
    rev += 1
    body += put(rev, kind, "id%d" % n, doc(kind)) + commit(n + 1, rev, 1)
seeds["many_kinds"] = body
seeds["utf8_ids"] = (header() + put(1, "note", "名前-42", b"{}") + put(2, "note", "\U0001F642", b"{}")
                     + put(3, "note", "e\u0301", b"{}") + commit(1, 3, 3))
seeds["empty_value"] = header() + put(1, "note", "e", b"") + commit(1, 1, 1)
seeds["value_4k"] = header() + put(1, "note", "big", bytes(range(256)) * 16) + commit(1, 1, 1)
full = seeds["put_update_remove"]
seeds["torn_tail"] = full[:-7]
bad = bytearray(full)
bad[len(header()) + 20] ^= 0x40
seeds["bad_crc_middle"] = bytes(bad)
seeds["zero_tail"] = seeds["one_put"] + bytes(512)
seeds["garbage_tail"] = seeds["one_put"] + b"\x10\x00\x00\x00garbage"
seeds["compacted"] = (header(generation=1, seq_base=5) + put(3, "note", "a", doc("a")) + put(7, "note", "b", doc("b"))
                      + commit(6, 9, 2) + put(10, "note", "c", b"{}") + commit(7, 10, 1))
seeds["commit_count_mismatch"] = header() + put(1, "note", "n1", b"{}") + commit(1, 1, 2)
seeds["seq_gap"] = seeds["one_put"] + put(2, "note", "n2", b"{}") + commit(3, 2, 1)
# A record's revisions only grow; across records they need not (sessions of
# a shared store commit in another order than they took their revisions).
seeds["revision_not_increasing"] = seeds["one_put"] + put(1, "note", "n1", b"{}") + commit(2, 1, 1)
seeds["revisions_across_ids"] = (header() + put(5, "note", "a", b"{}") + commit(1, 5, 1)
                                 + put(3, "note", "b", b"{}") + commit(2, 5, 1))
seeds["remove_missing"] = seeds["one_put"] + delete(5, "note", "nobody") + commit(2, 1, 1)
seeds["remove_wrong_revision"] = seeds["one_put"] + delete(9, "note", "n1") + commit(2, 1, 1)
seeds["last_revision_low"] = header() + put(4, "note", "n1", b"{}") + commit(1, 2, 1)
seeds["newer_version"] = header(version=3)
seeds["put_terms_v2"] = (header(version=2)
                         + put_terms(1, "sla_clock", "5:tier2/T-1", [("next_notice", 1767225600), ("state", "live")],
                                     b"{}")
                         + put(2, "note", "n1", b"{}") + commit(1, 2, 2))
# A version-1 header followed by a put with terms: the writer upgrades the
# header first, but a reader of version 2 takes the frame either way.
seeds["put_terms_v1_header"] = (header() + put_terms(1, "x", "a", [("due", -5)], b"") + commit(1, 1, 1))
seeds["foreign"] = b"%PDF-1.7 this is not a journal at all, really not"
seeds["length_too_big"] = seeds["one_put"] + struct.pack("<I", 0x7FFFFFFF) + b"\0" * 12
seeds["put_remove_put_one_tx"] = (header() + put(1, "note", "a", b"1") + delete(1, "note", "a")
                                  + put(2, "note", "a", b"2") + commit(1, 2, 3))
seeds["uncommitted_tail"] = seeds["one_put"] + put(2, "note", "n2", b"{}")
seeds["empty_commit_snapshot"] = header(generation=3, seq_base=9) + commit(10, 40, 0)

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "journal")
os.makedirs(out, exist_ok=True)
for name, data in sorted(seeds.items()):
    with open(os.path.join(out, name + ".jnl"), "wb") as f:
        f.write(data)
print("%d seeds in %s" % (len(seeds), out))
