import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { makeLog, tempDir, type TempDir } from '@llm-relay/testkit';
import { createStore } from '../src/index.ts';
import { MIGRATIONS, SCHEMA_VERSION, migrate, userVersion, type Migration } from '../src/sqlite/migrations.ts';

// before-versioning.db was written by the store as it was before migrations existed (user_version 0):
// two logs (one with Chinese search text), settings and a roll-up row, with 1 KiB pages to keep it small.
const FIXTURE = new URL('./fixtures/before-versioning.db', import.meta.url);

let dir: TempDir;
afterEach(() => dir?.remove());

function versionOf(path: string): number {
  const db = new DatabaseSync(path);
  try {
    return userVersion(db);
  } finally {
    db.close();
  }
}

describe('SQLite schema versions', () => {
  it('numbers its migrations 1, 2, 3, … with no gap or repeat', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('opens a database made before versioning: brought to the current version, everything in it still readable and searchable', async () => {
    dir = tempDir('store-migrate');
    const path = join(dir.path, 'old.db');
    copyFileSync(FIXTURE, path);
    expect(versionOf(path)).toBe(0);

    const store = await createStore(`sqlite:${path}`);
    try {
      const old = await store.getLog('0190a0b0-0000-7000-8000-000000000001');
      expect(old).toMatchObject({ requestPreview: 'unversioned hello', status: 200 });
      expect((await store.listLogs({ q: '你好' }, { limit: 10 })).items.map((l) => l.id)).toEqual(['0190a0b0-0000-7000-8000-000000000001']);
      expect(await store.countLogs({ errorsOnly: true })).toBe(1);
      expect(await store.getSettings()).toEqual({ marker: 'made before versioning' });
      expect(await store.queryRollups({ dim: 'model', from: 0, to: 60_000 })).toMatchObject([{ value: 'gpt-4o-mini', count: 2, errors: 1 }]);
      const fresh = makeLog();
      expect(await store.insertLogs([fresh])).toEqual([fresh.id]);
    } finally {
      await store.close();
    }
    expect(versionOf(path)).toBe(SCHEMA_VERSION);
  });

  it('creates a new database at the current version', async () => {
    dir = tempDir('store-migrate');
    const path = join(dir.path, 'new.db');
    await (await createStore(`sqlite:${path}`)).close();
    expect(versionOf(path)).toBe(SCHEMA_VERSION);
  });

  it('applies only the steps a database has not run, each once, and a failing step leaves the version where it was', async () => {
    dir = tempDir('store-migrate');
    const path = join(dir.path, 'steps.db');
    await (await createStore(`sqlite:${path}`)).close();
    const next: Migration[] = [
      ...MIGRATIONS,
      { version: SCHEMA_VERSION + 1, up: 'ALTER TABLE logs ADD COLUMN region TEXT; CREATE INDEX logs_region ON logs(region, id);' },
      { version: SCHEMA_VERSION + 2, up: (db) => db.exec("UPDATE logs SET region = 'default' WHERE region IS NULL") },
    ];
    const db = new DatabaseSync(path);
    try {
      db.exec('BEGIN IMMEDIATE');
      expect(migrate(db, next)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION + 2 });
      db.exec('COMMIT');
      // a second run has nothing to do: ADD COLUMN again would fail if it ran
      expect(migrate(db, next)).toEqual({ from: SCHEMA_VERSION + 2, to: SCHEMA_VERSION + 2 });

      const broken = [...next, { version: SCHEMA_VERSION + 3, up: 'CREATE TABLE t3 (a); SELECT no_such_function();' }];
      db.exec('BEGIN IMMEDIATE');
      expect(() => migrate(db, broken)).toThrow(/no_such_function/);
      db.exec('ROLLBACK');
      expect(userVersion(db)).toBe(SCHEMA_VERSION + 2);
      expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 't3'").get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer build instead of using it with an older schema', async () => {
    dir = tempDir('store-migrate');
    const path = join(dir.path, 'future.db');
    await (await createStore(`sqlite:${path}`)).close();
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    await expect(createStore(`sqlite:${path}`)).rejects.toThrow(/schema version \d+, newer than this build knows/);
  });
});
