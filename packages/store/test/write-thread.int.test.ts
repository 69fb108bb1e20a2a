import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeLog, tempDir, type TempDir } from '@llm-relay/testkit';
import { createStore, isStoreConflict, isStoreUnavailable, type Store } from '../src/index.ts';
import { testRollupsFor, counted } from './conformance-rollups.ts';

describe('sqlite with a write thread', () => {
  let dir: TempDir;
  let path: string;
  let store: Store;
  beforeEach(async () => {
    dir = tempDir('store-thread');
    path = join(dir.path, 'relay.db');
    store = await createStore(`sqlite:${path}`, { writeThread: true });
  });
  afterEach(async () => {
    await store.close();
    dir.remove();
  });

  it('stores each log once and counts its roll-ups once, as the store on the caller’s thread does', async () => {
    const [a, b, c] = [makeLog(), makeLog({ model: 'claude' }), makeLog()];
    expect(await store.insertLogsWithRollups([a!, b!, a!], testRollupsFor)).toEqual([a!.id, b!.id]);
    expect(await store.insertLogsWithRollups([b!, c!, c!], testRollupsFor)).toEqual([c!.id]);
    expect(await store.insertLogsWithRollups([a!, b!], testRollupsFor)).toEqual([]);
    expect(await counted({ store } as Parameters<typeof counted>[0])).toEqual({ all: 3, byModel: { claude: 1, 'gpt-4o-mini': 2 }, prompt: 36 });
    // the reads on the caller's connection see the thread's writes
    expect((await store.getLog(c!.id))?.id).toBe(c!.id);
    expect(await store.countLogs({})).toBe(3);
  });

  it('writes projects on the thread; a taken name is still recognisable as a conflict', async () => {
    const p = { id: 'p1', name: 'Search', budget: { usd: 5, period: 'day' as const }, alertWebhookUrl: null, alertThresholds: [1], createdAt: 1, updatedAt: 1 };
    await store.createProject(p);
    const err = await store.createProject({ ...p, id: 'p2', name: 'search' }).then(() => null, (e: unknown) => e);
    expect(isStoreConflict(err) && err.code).toBe('project_name_taken');
    expect(await store.updateProject('p1', { budget: null, updatedAt: 2 })).toEqual({ ...p, budget: null, updatedAt: 2 });
    expect(await store.listProjects()).toEqual([{ ...p, budget: null, updatedAt: 2 }]);
    expect(await store.deleteProject('p1')).toBe(true);
    expect(await store.getProject('p1')).toBeNull();
  });

  it('a locked database fails the write as "unavailable" while the caller’s event loop keeps running', async () => {
    const other = new DatabaseSync(path);
    other.exec('BEGIN IMMEDIATE');
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 50);
    try {
      const t0 = Date.now();
      const err = await store.insertLogsWithRollups([makeLog()], testRollupsFor).then(
        () => null,
        (e: unknown) => e,
      );
      const waited = Date.now() - t0;
      expect(err).toMatchObject({ errcode: 5 });
      expect(isStoreUnavailable(err)).toBe(true);
      // the thread waited busy_timeout (5 s) for the lock; this thread ran its timers all along
      expect(ticks).toBeGreaterThan(waited / 50 / 4);
    } finally {
      clearInterval(ticker);
      other.exec('COMMIT');
      other.close();
    }
    // once the lock is free, the same write succeeds
    expect(await store.insertLogsWithRollups([makeLog()], testRollupsFor)).toHaveLength(1);
  }, 30_000);

  it('a second store opens the file while another connection holds the write lock (the schema exists)', async () => {
    const other = new DatabaseSync(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      const second = await createStore(`sqlite:${path}`, { writeThread: true });
      expect(await second.countLogs({})).toBe(0);
      await second.close();
    } finally {
      other.exec('COMMIT');
      other.close();
    }
  });

  it('an error about the data is not "unavailable"', async () => {
    const bad = makeLog();
    (bad.response as { body: unknown }).body = { n: 1n };
    const err = await store.insertLogsWithRollups([bad], testRollupsFor).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(isStoreUnavailable(err)).toBe(false);
  });
});

describe('isStoreUnavailable on real errors', () => {
  it('SQLite: busy and full are unavailability; a constraint violation is not', () => {
    const dir = tempDir('store-unavail');
    const file = join(dir.path, 'x.db');
    const a = new DatabaseSync(file);
    const b = new DatabaseSync(file);
    const thrown = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (err) {
        return err;
      }
      throw new Error('expected an error');
    };
    try {
      a.exec('PRAGMA journal_mode = WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
      b.exec('PRAGMA busy_timeout = 0');
      a.exec('BEGIN IMMEDIATE');
      expect(isStoreUnavailable(thrown(() => b.exec('BEGIN IMMEDIATE')))).toBe(true);
      a.exec('COMMIT');
      a.exec('INSERT INTO t VALUES (1, NULL)');
      expect(isStoreUnavailable(thrown(() => a.exec('INSERT INTO t VALUES (1, NULL)')))).toBe(false);
      a.exec(`PRAGMA max_page_count = ${(a.prepare('PRAGMA page_count').get() as { page_count: number }).page_count}`);
      expect(isStoreUnavailable(thrown(() => a.prepare('INSERT INTO t (v) VALUES (?)').run('x'.repeat(100_000))))).toBe(true);
    } finally {
      a.close();
      b.close();
      dir.remove();
    }
  });

  it('MongoDB: no server to reach is unavailability', async () => {
    const err = await createStore('mongodb://127.0.0.1:9/relay', { serverSelectionTimeoutMS: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(isStoreUnavailable(err)).toBe(true);
  });
});
