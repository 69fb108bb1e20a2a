/**
 * Secrets at rest: the SQLite store is created 0600 in a 0700 directory; GET /admin/providers masks secret
 * custom headers like apiKeys (and a masked value sent back keeps the stored one); with RELAY_SECRET_KEY the
 * provider keys and secret headers are encrypted in the store, keys stored in clear before are still read and
 * sealed at start, and the gateway still gets them in clear through the snapshot. Real admin processes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { readSnapshot, createRedis } from '@llm-relay/server-kit';
import { tempDir, type TempDir } from '@llm-relay/testkit';
import { REDIS_URL, startAdmin, type AdminProcess } from './helper.ts';

const PROVIDER_KEY = 'sk-provider-plain-0123456789abcdef';
const AZURE_KEY = 'azure-header-secret-0123456789';
const SECRET_KEY = 'relay-secret-key-for-tests-0123456789abcdef';
let dir: TempDir;
let dbPath: string;
let admin: AdminProcess;
let token: string;
const redis = createRedis(REDIS_URL, 'client');

const seedEnv = () => ({ DATABASE_URL: `sqlite:${dbPath}`, TARGET_BASE_URL: 'http://127.0.0.1:9/v1', TARGET_API_KEY: PROVIDER_KEY });
const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${admin.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, text: await res.text() };
};
const storedProviders = () => {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    return (db.prepare('SELECT data FROM providers').all() as { data: string }[]).map((r) => r.data).join('\n');
  } finally {
    db.close();
  }
};

beforeAll(async () => {
  dir = tempDir('secrets-at-rest');
  dbPath = join(dir.path, 'data', 'relay.db');
  // a first start without RELAY_SECRET_KEY seeds the provider key in clear, as stores from before it did
  const first = await startAdmin('secrets-plain', seedEnv());
  await first.close();
  expect(storedProviders()).toContain(PROVIDER_KEY);
  admin = await startAdmin('secrets', { ...seedEnv(), RELAY_SECRET_KEY: SECRET_KEY });
  token = await admin.login();
}, 90_000);
afterAll(async () => {
  await admin?.close();
  redis.disconnect();
  dir?.remove();
});

describe('secrets at rest', () => {
  it('the store file is 0600 (its WAL too) in a 0700 directory', () => {
    expect((statSync(join(dir.path, 'data')).mode & 0o777).toString(8)).toBe('700');
    const files = readdirSync(join(dir.path, 'data')).map((f) => join(dir.path, 'data', f));
    expect(files).toContain(dbPath);
    for (const f of files) expect(`${f} ${(statSync(f).mode & 0o777).toString(8)}`).toBe(`${f} 600`);
  });

  it('a key stored in clear is sealed at start, still works, and reaches the gateway in clear', async () => {
    expect(storedProviders()).not.toContain(PROVIDER_KEY);
    expect(storedProviders()).toContain('enc:v1:');
    const list = await api('GET', '/admin/providers');
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(PROVIDER_KEY);
    expect(list.text).toContain('sk-…cdef');
    const snap = await readSnapshot(redis, admin.prefix);
    expect(snap?.providers[0]?.apiKeys).toEqual([PROVIDER_KEY]);
  });

  it('secret custom headers are masked in the API, kept when sent back masked, and encrypted in the store', async () => {
    const created = await api('POST', '/admin/providers', {
      name: 'Azure', type: 'openai', baseUrl: 'https://example.openai.azure.com/openai/deployments/x', apiKeys: [],
      headers: { 'api-key': AZURE_KEY, 'X-Auth-Token': 'tok-0123456789abcdef', 'x-region': 'westeurope' },
    });
    expect(created.status).toBe(201);
    for (const text of [created.text, (await api('GET', '/admin/providers')).text, (await api('GET', '/admin/providers/azure')).text]) {
      expect(text).not.toContain(AZURE_KEY);
      expect(text).not.toContain('tok-0123456789abcdef');
      const view = JSON.parse(text) as { headers?: Record<string, string>; items?: { id: string; headers: Record<string, string> }[] };
      const headers = view.headers ?? view.items!.find((p) => p.id === 'azure')!.headers;
      expect(headers).toEqual({ 'api-key': 'azu…6789', 'X-Auth-Token': 'tok…cdef', 'x-region': 'westeurope' });
    }
    // the UI's form sends the masked values back with another change
    const updated = await api('PUT', '/admin/providers/azure', { headers: { 'api-key': 'azu…6789', 'X-Auth-Token': 'tok…cdef', 'x-region': 'eastus' } });
    expect(updated.status).toBe(200);
    const snap = await readSnapshot(redis, admin.prefix);
    expect(snap?.providers.find((p) => p.id === 'azure')?.headers).toEqual({ 'api-key': AZURE_KEY, 'X-Auth-Token': 'tok-0123456789abcdef', 'x-region': 'eastus' });
    expect(storedProviders()).not.toContain(AZURE_KEY);
    expect(storedProviders()).toContain('eastus');
  });

  it('admin refuses to start with another RELAY_SECRET_KEY than the one the keys were sealed with', async () => {
    const other = await startAdmin('secrets-wrong', { ...seedEnv(), RELAY_SECRET_KEY: 'another-secret-key-0123456789abcdef-xyz' }).catch((err: Error) => err);
    if (!(other instanceof Error)) await other.close();
    expect(other).toBeInstanceOf(Error);
    expect(String(other)).toMatch(/RELAY_SECRET_KEY/);
  });
});
