import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './migrations.ts';
import { PRAGMAS } from './schema.ts';

/** An open database with a statement cache: every SQL text is prepared once per connection. */
export interface Db {
  raw: DatabaseSync;
  stmt(sql: string): StatementSync;
  /** run fn in one IMMEDIATE transaction (one fsync per batch; no lock upgrade deadlocks) */
  tx<T>(fn: () => T): T;
  close(): void;
}

/**
 * Switching a new file to WAL needs the file to itself: when another process opens the same new file at that
 * moment (two `init` runs at once), SQLite answers SQLITE_BUSY at once without consulting busy_timeout. Such
 * start-up statements are retried for a while; a busy error after that, or any other error, is thrown.
 */
function whenUnlocked(raw: DatabaseSync, run: () => void, timeoutMs = 10_000): void {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      run();
      return;
    } catch (err) {
      if (raw.isTransaction) raw.exec('ROLLBACK');
      const code = (err as { errcode?: number }).errcode;
      if ((code !== 5 && code !== 6) || Date.now() > deadline) throw err;
      Atomics.wait(pause, 0, 0, 20 + Math.random() * 30);
    }
  }
}

export function openDb(path: string): Db {
  if (path !== ':memory:') ownerOnly(path);
  const raw = new DatabaseSync(path);
  whenUnlocked(raw, () => raw.exec(PRAGMAS));
  // One transaction for all pending migrations. Deferred, not IMMEDIATE: on a current database it only reads
  // user_version and needs no write lock, so a process can open the store while another holds a long write
  // transaction; two processes migrating at once still serialise (the second's upgrade to a write lock
  // answers SQLITE_BUSY, is rolled back and retried, and then finds the version current).
  whenUnlocked(raw, () => {
    raw.exec('BEGIN');
    migrate(raw);
    raw.exec('COMMIT');
  });
  const cache = new Map<string, StatementSync>();
  let depth = 0;
  return {
    raw,
    stmt(sql) {
      let s = cache.get(sql);
      if (!s) {
        // filter combinations are finite, but bound the cache anyway against unusual callers
        if (cache.size > 500) cache.clear();
        s = raw.prepare(sql);
        cache.set(sql, s);
      }
      return s;
    },
    tx(fn) {
      if (depth > 0) return fn();
      raw.exec('BEGIN IMMEDIATE');
      depth++;
      try {
        const out = fn();
        raw.exec('COMMIT');
        return out;
      } catch (err) {
        // SQLite rolls back by itself on some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY in a commit): a
        // ROLLBACK then fails with "no transaction is active" and would hide the error that says why
        if (raw.isTransaction) raw.exec('ROLLBACK');
        throw err;
      } finally {
        depth--;
      }
    },
    close() {
      cache.clear();
      if (raw.isOpen) raw.close();
    },
  };
}

/**
 * The store holds provider keys and every logged exchange: its directory is created 0700 and the file 0600
 * (SQLite gives its -wal and -shm files the mode of the database file), whatever the process umask. A file
 * left 0644 by an older version is tightened when the owner opens it.
 */
function ownerOnly(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
  try {
    chmodSync(path, 0o600);
  } catch {
    // not the owner (a read-only deployment mounted the file): SQLite still opens it
  }
}
