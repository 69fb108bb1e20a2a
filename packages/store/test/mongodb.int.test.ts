import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { freePort, startFerretDb, type RunningFerretDb } from '@llm-relay/testkit';
import { createStore } from '../src/index.ts';
import { storeConformance, type StoreHandle } from './conformance.ts';
import { makeLog } from './fixtures.ts';

/** A fresh database per test on a running server; dropped afterwards. */
async function openIn(baseUri: () => string): Promise<StoreHandle> {
  const url = new URL(baseUri());
  url.pathname = `/relay_test_${randomBytes(4).toString('hex')}`;
  const store = await createStore(url.toString());
  return {
    store,
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
      expect(h.store.info.features).toMatchObject({ ttlIndexes: false, textSearch: false });
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
