import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';
import { makeLog, tempDir } from '@llm-relay/testkit';
import { createStore } from '../src/index.ts';
import { storeConformance } from './conformance.ts';

storeConformance('sqlite (temp file)', async () => {
  const dir = tempDir('store-sqlite');
  const store = await createStore(`sqlite://${join(dir.path, 'nested', 'relay.db')}`);
  return {
    store,
    async cleanup() {
      await store.close();
      dir.remove();
    },
  };
});

it('sqlite: a second connection to the same file sees the first one’s writes (WAL, separate processes share it)', async () => {
  const dir = tempDir('store-sqlite');
  const url = `sqlite:${join(dir.path, 'relay.db')}`;
  const a = await createStore(url);
  const b = await createStore(url);
  try {
    const log = makeLog();
    await a.insertLogs([log]);
    expect(await b.insertLogs([log])).toEqual([]);
    expect((await b.getLog(log.id))?.id).toBe(log.id);
    expect(existsSync(join(dir.path, 'relay.db-wal'))).toBe(true);
  } finally {
    await a.close();
    await b.close();
    dir.remove();
  }
});

it('sqlite: search terms containing LIKE wildcards match literally', async () => {
  const dir = tempDir('store-sqlite');
  const store = await createStore(`sqlite:${join(dir.path, 'relay.db')}`);
  try {
    const hit = makeLog({ searchText: 'Call Get_User_By_Id with a 100% discount' });
    const lookAlike = makeLog({ searchText: 'call getXuserXbyXid with a 1000 discount' });
    await store.insertLogs([hit, lookAlike]);
    const found = async (q: string) => (await store.listLogs({ q }, { limit: 10 })).items.map((i) => i.id);
    expect(await found('get_user')).toEqual([hit.id]);
    expect(await found('100%')).toEqual([hit.id]);
    expect(await found('get')).toEqual([lookAlike.id, hit.id]);
  } finally {
    await store.close();
    dir.remove();
  }
});
