"""A host store written in Python on the standard sqlite3 module.

An example of svcq.Store (the storage contract of svcq/store.h) that passes
the library's store conformance suite (tests/ffi). One table of records,
compare-and-swap by revision in conditional statements, and a revision
counter that never goes back: revisions are handed out from memory and the
high-water mark is written with each commit and, after a rollback that
handed some out, in a transaction of its own, so neither a rollback nor a
reopen gives one out twice.

It implements version 2 of the contract too: ``scan_range`` orders ids by
their bytes (SQLite's BINARY collation compares UTF-8 text with memcmp),
and ``put2`` keeps each record's index terms in a side table
``svcq_term`` (one row per term, string and integer values in their own
columns) with an index per type on (kind, name, value, id), which
``scan_term`` reads in (value, id) order. Terms follow the record: written
and removed in the same SQLite transaction.

    store = SqliteStore('records.db')
    ctx.set_store(store)          # the context closes it
"""

import sqlite3

from . import errors
from .store import Store, TermType

_SCHEMA = """
CREATE TABLE IF NOT EXISTS svcq_record (
    kind TEXT NOT NULL, id TEXT NOT NULL, revision INTEGER NOT NULL, value BLOB NOT NULL,
    PRIMARY KEY (kind, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS svcq_term (
    kind TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, type INTEGER NOT NULL,
    s TEXT, i INTEGER, PRIMARY KEY (kind, id, name)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS svcq_term_s ON svcq_term (kind, name, type, s, id);
CREATE INDEX IF NOT EXISTS svcq_term_i ON svcq_term (kind, name, type, i, id);
CREATE TABLE IF NOT EXISTS svcq_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO svcq_meta (key, value) VALUES ('revision', 0);
"""

# Revisions are stored as signed 64-bit integers: the store hands out at most 2**63 - 1.
_MAX = (1 << 63) - 1


class SqliteStore(Store):
    def __init__(self, path=':memory:'):
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.executescript(_SCHEMA)
        mark = self.db.execute("SELECT value FROM svcq_meta WHERE key = 'revision'").fetchone()[0]
        top = self.db.execute('SELECT MAX(revision) FROM svcq_record').fetchone()[0] or 0
        self.next = max(mark, top)       # the last revision handed out
        self.saved = mark
        self.in_tx = False

    def begin(self):
        self.db.execute('BEGIN IMMEDIATE')
        self.in_tx = True

    def commit(self):
        if self.next > self.saved:
            self.db.execute("UPDATE svcq_meta SET value = ? WHERE key = 'revision'", (self.next,))
        self.db.execute('COMMIT')        # on failure nothing applied: the library rolls back
        self.in_tx = False
        self.saved = max(self.saved, self.next)

    def rollback(self):
        if self.in_tx:
            self.in_tx = False
            if self.db.in_transaction:
                self.db.execute('ROLLBACK')
        if self.next > self.saved:
            # Revisions handed out by the rolled-back transaction: remember them.
            self.db.execute("UPDATE svcq_meta SET value = ? WHERE key = 'revision'", (self.next,))
            self.saved = self.next

    def get(self, kind, id):
        row = self.db.execute('SELECT revision, value FROM svcq_record WHERE kind = ? AND id = ?',
                              (kind, id)).fetchone()
        return None if row is None else (row[0], bytes(row[1]))

    def _revision(self):
        if self.next >= _MAX:
            raise errors.LimitError('sqlite store %s: revisions exhausted' % self.path)
        self.next += 1
        return self.next

    def put(self, kind, id, expected_revision, data):
        return self._put(kind, id, expected_revision, data)

    def _put(self, kind, id, expected_revision, data):
        rev = self._revision()
        if expected_revision == 0:
            cur = self.db.execute('INSERT OR IGNORE INTO svcq_record (kind, id, revision, value) '
                                  'VALUES (?, ?, ?, ?)', (kind, id, rev, data))
        elif expected_revision > _MAX:
            raise errors.ConflictError('%s/%s: no such revision' % (kind, id))
        else:
            cur = self.db.execute('UPDATE svcq_record SET revision = ?, value = ? '
                                  'WHERE kind = ? AND id = ? AND revision = ?',
                                  (rev, data, kind, id, expected_revision))
        if cur.rowcount != 1:
            raise errors.ConflictError('%s/%s: stored revision is not %d' % (kind, id, expected_revision))
        return rev

    def remove(self, kind, id, expected_revision):
        if expected_revision <= _MAX:
            cur = self.db.execute('DELETE FROM svcq_record WHERE kind = ? AND id = ? AND revision = ?',
                                  (kind, id, expected_revision))
            if cur.rowcount == 1:
                self.db.execute('DELETE FROM svcq_term WHERE kind = ? AND id = ?', (kind, id))
                return
        if self.get(kind, id) is None:
            raise errors.NotFoundError('%s/%s: no such record' % (kind, id))
        raise errors.ConflictError('%s/%s: stored revision is not %d' % (kind, id, expected_revision))

    def scan(self, kind):
        return [(r[0], r[1], bytes(r[2])) for r in
                self.db.execute('SELECT id, revision, value FROM svcq_record WHERE kind = ?', (kind,))]

    # -- version 2
    def put2(self, kind, id, expected_revision, data, terms):
        rev = self._put(kind, id, expected_revision, data)    # ConflictError: nothing written
        self.db.execute('DELETE FROM svcq_term WHERE kind = ? AND id = ?', (kind, id))
        self.db.executemany('INSERT INTO svcq_term (kind, id, name, type, s, i) VALUES (?, ?, ?, ?, ?, ?)',
                            [(kind, id, t.name, int(t.type), t.value if t.type == TermType.STRING else None,
                              t.value if t.type == TermType.INT64 else None) for t in terms])
        return rev

    def scan_range(self, kind, after_id, limit):
        sql = 'SELECT id, revision, value FROM svcq_record WHERE kind = ?'
        args = [kind]
        if after_id is not None:
            sql += ' AND id > ?'
            args.append(after_id)
        sql += ' ORDER BY id'
        if limit:
            sql += ' LIMIT ?'
            args.append(limit)
        return [(r[0], r[1], bytes(r[2])) for r in self.db.execute(sql, args)]

    def scan_term(self, kind, name, type, lo, hi, after, after_id, limit):
        col = 'i' if type == TermType.INT64 else 's'
        sql = ('SELECT r.id, r.revision, r.value, t.%s FROM svcq_term t JOIN svcq_record r '
               'ON r.kind = t.kind AND r.id = t.id WHERE t.kind = ? AND t.name = ? AND t.type = ?' % col)
        args = [kind, name, int(type)]
        if lo is not None:
            sql += ' AND t.%s >= ?' % col
            args.append(lo)
        if hi is not None:
            sql += ' AND t.%s <= ?' % col
            args.append(hi)
        if after is not None and after_id is not None:
            sql += ' AND (t.%s, t.id) > (?, ?)' % col
            args += [after, after_id]
        sql += ' ORDER BY t.%s, t.id' % col
        if limit:
            sql += ' LIMIT ?'
            args.append(limit)
        return [(r[0], r[1], bytes(r[2]), r[3]) for r in self.db.execute(sql, args)]

    def close(self):
        if self.db is not None:
            if self.db.in_transaction:
                self.db.execute('ROLLBACK')
            self.db.close()
            self.db = None
