import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { freePort, makeLog, type RunningFerretDb, startFerretDb } from '@llm-relay/testkit';
import { createStore, type CreateStoreOptions } from '../src/index.ts';
import { storeConformance, type StoreHandle } from './conformance.ts';
import { counted, testRollupsFor } from './conformance-rollups.ts';
import { rollupId, rollupUpdate } from '../src/mongodb/rollups.ts';
import { defineModels } from '../src/mongodb/models.ts';
import { MONGO_MIGRATIONS, MONGO_SCHEMA_VERSION, migrateMongo, schemaVersionOf } from '../src/mongodb/schema-version.ts';

/** A fresh database per test on a running server; dropped afterwards. */
async function openIn(baseUri: () => string, opts?: CreateStoreOptions): Promise<StoreHandle & { url: string }> {
  const url = new URL(baseUri());
  url.pathname = `/relay_test_${randomBytes(4).toString('hex')}`;
  const store = await createStore(url.toString(), opts);
  return {
    store,
    url: url.toString(),
    async cleanup() {
      await store.close();
      const conn = await mongoose.createConnection(url.toString()).asPromise();
      await conn.dropDatabase();
      await conn.close();
    },
  };
}

let ferret: RunningFerretDb | undefined;
beforeAll(async () => {
  ferret = await startFerretDb();
}, 60_000);
afterAll(async () => {
  await ferret?.stop();
});

describe('FerretDB v1 (MongoDB wire protocol, no TTL or text indexes)', () => {
  it('detects the server and chooses the fallbacks', async () => {
    const h = await openIn(() => ferret!.uri);
    try {
      expect(h.store.info.kind).toBe('mongodb');
      expect(h.store.info.features.server).toMatch(/^ferretdb v1\./);
      expect(h.store.info.features).toMatchObject({ ttlIndexes: false, textSearch: false, atomicRollups: 'journal' });
      expect(h.store.info.features.fallbackReasons?.join('\n')).toMatch(/expireAfterSeconds/);
      // init is safe to repeat on an existing database
      await h.store.init();
      const log = makeLog();
      expect(await h.store.insertLogs([log])).toEqual([log.id]);
    } finally {
      await h.cleanup();
    }
  });
});

describe('FerretDB v1: schema version 2 (projects)', () => {
  it('marks the unpriced calls of logs stored before it, so spendSince counts them', async () => {
    const h = await openIn(() => ferret!.uri);
    const conn = await mongoose.createConnection(h.url).asPromise();
    try {
      const m = defineModels(conn);
      const tokens = { prompt: 5, completion: 5, total: 10, cached: 0, reasoning: null, source: 'provider' as const };
      const old = makeLog({ key: { id: 'k1', prefix: 'sk-relay-k1', name: 'k1' }, cost: { usd: null, price: null }, usage: tokens });
      const priced = makeLog({ key: { id: 'k1', prefix: 'sk-relay-k1', name: 'k1' } });
      await h.store.insertLogs([old, priced]);
      // as a version-1 database held them: no unpricedAt
      await m.logs.collection.updateMany({}, { $unset: { unpricedAt: '' } });
      expect((await h.store.spendSince(0)).keys).toEqual({});
      await m.meta.collection.updateOne({ _id: 'schema_version' as never }, { $set: { v: 1 } });
      await h.store.init();
      expect(await schemaVersionOf(m)).toBe(MONGO_SCHEMA_VERSION);
      expect((await h.store.spendSince(0)).keys).toEqual({ k1: { usd: 0, unpricedCalls: 1 } });
    } finally {
      await conn.close();
      await h.cleanup();
    }
  });
});

describe('FerretDB v1: the schema version recorded in meta', () => {
  it('a new database records the current version; one without a record (made before versioning) gets it; a newer one is refused', async () => {
    const h = await openIn(() => ferret!.uri);
    const conn = await mongoose.createConnection(h.url).asPromise();
    try {
      const m = defineModels(conn);
      expect(await schemaVersionOf(m)).toBe(MONGO_SCHEMA_VERSION);

      await m.meta.collection.deleteOne({ _id: 'schema_version' as never });
      await h.store.init();
      expect(await schemaVersionOf(m)).toBe(MONGO_SCHEMA_VERSION);

      let runs = 0;
      const next = [...MONGO_MIGRATIONS, { version: MONGO_SCHEMA_VERSION + 1, up: async () => void runs++ }];
      expect(await migrateMongo(m, next)).toEqual({ from: MONGO_SCHEMA_VERSION, to: MONGO_SCHEMA_VERSION + 1 });
      expect(await migrateMongo(m, next)).toEqual({ from: MONGO_SCHEMA_VERSION + 1, to: MONGO_SCHEMA_VERSION + 1 });
      expect(runs).toBe(1);
      // this build knows one version less than the database now records
      await expect(h.store.init()).rejects.toThrow(/schema version \d+, newer than this build knows/);
    } finally {
      await conn.close();
      await h.cleanup();
    }
  });
});

describe('FerretDB v1: the roll-up journal resumes from every crash point', () => {
  it('crash after the logs: recovery counts the batch’s own logs, not an id stored before it', async () => {
    let crash = true;
    const h = await openIn(() => ferret!.uri, {
      testHooks: {
        afterLogsInserted: () => {
          if (crash) throw new Error('killed after the log insert');
        },
      },
    });
    try {
      const older = makeLog();
      crash = false;
      await h.store.insertLogsWithRollups([older], testRollupsFor);
      crash = true;
      const batch = [older, makeLog(), makeLog(), makeLog()];
      await expect(h.store.insertLogsWithRollups(batch, testRollupsFor)).rejects.toThrow('killed after the log insert');
      crash = false;
      expect(await h.store.countLogs({})).toBe(4);
      expect((await counted({ store: h.store })).all).toBe(1);
      // a young entry belongs to a live writer: left alone
      expect(await h.store.recoverRollups(testRollupsFor)).toBe(0);
      expect(await h.store.recoverRollups(testRollupsFor, { olderThanMs: 0 })).toBe(1);
      expect((await counted({ store: h.store })).all).toBe(4);
      expect(await h.store.recoverRollups(testRollupsFor, { olderThanMs: 0 })).toBe(0);
      expect((await counted({ store: h.store })).all).toBe(4);
    } finally {
      await h.cleanup();
    }
  });

  it('a writer stalled past the grace period is taken over by a recovery and stops; each log counts once', async () => {
    let stall: (() => Promise<void>) | null = null;
    const h = await openIn(() => ferret!.uri, { testHooks: { afterLogsInserted: () => stall?.() } });
    const other = await createStore(h.url);
    try {
      const logs = [makeLog(), makeLog(), makeLog()];
      let recovered = -1;
      stall = async () => {
        stall = null;
        // another replica's recovery runs while this writer is between its logs and its roll-ups
        recovered = await other.recoverRollups(testRollupsFor, { olderThanMs: -1000 });
      };
      expect(await h.store.insertLogsWithRollups(logs, testRollupsFor)).toEqual(logs.map((l) => l.id));
      expect(recovered).toBe(1);
      expect((await counted({ store: h.store })).all).toBe(3);
      expect(await h.store.recoverRollups(testRollupsFor, { olderThanMs: 0 })).toBe(0);
    } finally {
      await other.close();
      await h.cleanup();
    }
  });

  it('crash half-way through the increments, or half-way through the cleanup: nothing counted twice', async () => {
    const h = await openIn(() => ferret!.uri);
    const conn = await mongoose.createConnection(h.url).asPromise();
    try {
      const logs = Array.from({ length: 6 }, (_, i) => makeLog({ model: `m${i % 3}` }));
      await h.store.insertLogs(logs);
      const rows = testRollupsFor(logs);
      expect(rows.length).toBeGreaterThan(3);
      const rollups = conn.collection('rollups');
      const journal = conn.collection('rollup_batches');
      // as a writer leaves it when killed after applying the first rows of batch b1…
      await journal.insertOne({ _id: 'b1' as never, at: 0, owner: 'dead-writer', state: 'applying', ids: logs.map((l) => l.id), rows });
      for (const r of rows.slice(0, 2)) {
        const { $inc, $setOnInsert } = rollupUpdate(r);
        await rollups.updateOne({ _id: rollupId(r) as never }, { $inc, $setOnInsert, $push: { batches: 'b1' } } as never, { upsert: true });
      }
      // …and batch b2 killed after marking itself applied, with one row already pruned
      const other = [makeLog({ model: 'm0' })];
      await h.store.insertLogs(other);
      const otherRows = testRollupsFor(other);
      for (const [i, r] of otherRows.entries()) {
        const { $inc, $setOnInsert } = rollupUpdate(r);
        await rollups.updateOne({ _id: rollupId(r) as never }, { $inc, $setOnInsert, ...(i === 0 ? {} : { $push: { batches: 'b2' } }) } as never, { upsert: true });
      }
      await journal.insertOne({ _id: 'b2' as never, at: 0, owner: 'dead-writer', state: 'applied', ids: [other[0]!.id], rows: otherRows });

      expect(await h.store.recoverRollups(testRollupsFor, { olderThanMs: 0 })).toBe(2);
      expect(await counted({ store: h.store })).toEqual({ all: 7, byModel: { m0: 3, m1: 2, m2: 2 }, prompt: 84 });
      expect(await journal.countDocuments()).toBe(0);
      expect(await rollups.countDocuments({ batches: { $in: ['b1', 'b2'] } })).toBe(0);
    } finally {
      await conn.close();
      await h.cleanup();
    }
  });
});

it('an unreachable server fails createStore with the driver error', async () => {
  const port = await freePort();
  await expect(createStore(`mongodb://127.0.0.1:${port}/relay`, { serverSelectionTimeoutMS: 300 })).rejects.toThrow(/ECONNREFUSED|Server selection timed out/);
});

storeConformance('mongodb adapter on FerretDB', () => openIn(() => ferret!.uri));

// The same suite against a real MongoDB (TTL and text index paths) when one is available.
const realMongo = process.env.MONGODB_TEST_URI;
if (realMongo) {
  storeConformance('mongodb adapter on MongoDB (MONGODB_TEST_URI)', () => openIn(() => realMongo));
  it('real MongoDB: uses TTL and text indexes', async () => {
    const h = await openIn(() => realMongo);
    try {
      expect(h.store.info.features).toMatchObject({ ttlIndexes: true, textSearch: true });
    } finally {
      await h.cleanup();
    }
  });
}
