"""A host store written in Python on the standard sqlite3 module.

An example of svcq.Store (the storage contract of svcq/store.h) that passes
the library's store conformance suite (tests/ffi). One table of records,
compare-and-swap by revision in conditional statements, and a revision
counter that never goes back: revisions are handed out from memory and the
high-water mark is written with each commit and, after a rollback that
handed some out, in a transaction of its own, so neither a rollback nor a
reopen gives one out twice.

    store = SqliteStore('records.db')
    ctx.set_store(store)          # the context closes it
"""

import sqlite3

from . import errors
from .store import Store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS svcq_record (
    kind TEXT NOT NULL, id TEXT NOT NULL, revision INTEGER NOT NULL, value BLOB NOT NULL,
    PRIMARY KEY (kind, id)) WITHOUT ROWID;
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
                return
        if self.get(kind, id) is None:
            raise errors.NotFoundError('%s/%s: no such record' % (kind, id))
        raise errors.ConflictError('%s/%s: stored revision is not %d' % (kind, id, expected_revision))

    def scan(self, kind):
        return [(r[0], r[1], bytes(r[2])) for r in
                self.db.execute('SELECT id, revision, value FROM svcq_record WHERE kind = ?', (kind,))]

    def close(self):
        if self.db is not None:
            if self.db.in_transaction:
                self.db.execute('ROLLBACK')
            self.db.close()
            self.db = None
