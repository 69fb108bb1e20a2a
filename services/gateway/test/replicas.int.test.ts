import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { waitFor } from '@llm-relay/testkit';
import { GatewaySnapshotSchema, SettingsSchema } from '@llm-relay/contracts';
import { World, makeKey, provider, type TestKey } from './helpers.ts';

const w = new World();
const bases: string[] = [];
let limited: TestKey;
let victim: TestKey;
let conc: TestKey;
let prov: ReturnType<typeof provider>;

beforeAll(async () => {
  const mock = await w.startMock();
  limited = makeKey({ limits: { rpm: 7 } });
  victim = makeKey();
  conc = makeKey({ limits: { concurrency: 2 } });
  prov = provider({ baseUrl: mock.url });
  await w.snapshot([prov], [limited.record, victim.record, conc.record]);
  // beats every 200 ms, so the test sees a change without waiting the default 5 s
  for (let i = 0; i < 3; i++) bases.push(await w.startGateway({ HEARTBEAT_MS: '200' }));
});
afterAll(() => w.close());

const msg = [{ role: 'user' as const, content: 'hi' }];

async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof OpenAI.APIError) return err.status ?? 0;
    throw err;
  }
}

describe('three replicas share one limit and one config', () => {
  it('an RPM limit of 7 admits exactly 7 requests across 3 gateways', async () => {
    const calls = Array.from({ length: 21 }, (_, i) => statusOf(w.client(bases[i % 3]!, limited.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: msg })));
    const statuses = await Promise.all(calls);
    expect(statuses.filter((s) => s === 200)).toHaveLength(7);
    expect(statuses.filter((s) => s === 429)).toHaveLength(14);
  });

  it('a concurrency limit of 2 holds across replicas and frees its slots', async () => {
    // long enough that all three are admitted or refused while the first two are still in flight, even on a busy machine
    const slow = { headers: { 'x-mock-delay-ms': '2000' } };
    const statuses = await Promise.all(bases.map((b) => statusOf(w.client(b, conc.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: msg }, slow))));
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
    // the slots were released when the requests ended
    expect(await statusOf(w.client(bases[0]!, conc.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: msg }))).toBe(200);
  });

  it('a revoked key stops working on every replica within a second', async () => {
    for (const b of bases) expect(await statusOf(w.client(b, victim.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: msg }))).toBe(200);
    const revokedAt = Date.now();
    await w.snapshot([prov], [limited.record, { ...victim.record, status: 'disabled' }, conc.record]);
    // each replica is asked until it refuses: the notice does it in milliseconds, the 1 s version poll
    // covers a replica that missed it (start-up.int.test.ts checks the notice path with polling off)
    const took = await Promise.all(
      bases.map((b) =>
        waitFor(async () => ((await statusOf(w.client(b, victim.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: msg }))) === 401 ? Date.now() - revokedAt : 0), { timeoutMs: 10_000, what: 'revocation' }),
      ),
    );
    expect(took.every((t) => t > 0)).toBe(true);
  });

  it('a snapshot written without a notice still reaches every replica (the version poll)', async () => {
    for (const b of bases) expect(await statusOf(w.client(b, limited.secret).models.list())).toBe(200);
    const snap = { version: w.version++, writtenAt: Date.now(), settings: SettingsSchema.parse({}), providers: [prov], keys: [{ ...limited.record, status: 'disabled' as const }] };
    await w.redis.set(`${w.prefix}:config:snapshot`, JSON.stringify(GatewaySnapshotSchema.parse(snap)));
    for (const b of bases) {
      await waitFor(async () => (await statusOf(w.client(b, limited.secret).models.list())) === 401, { timeoutMs: 10_000, what: 'poll-driven reload' });
    }
  });

  it('every replica reports a heartbeat: its journal holds the events until a processor has stored them', async () => {
    type Beat = { id: string; startedAt: number; lastSeen: number; inflight: number; journalBytes: number; dropped: number };
    const beats = async () => Object.values(await w.redis.hgetall(`${w.prefix}:gateways`)).map((v) => JSON.parse(v) as Beat);
    const readyz = async (b: string) => (await (await fetch(`${b}/readyz`)).json()) as { journalBytes: number; journalWaiting: number };
    const idOf = (i: number) => `${w.prefix}-gw${i}`;
    // one answered request per replica (the tests above disabled their keys)
    const fresh = makeKey();
    await w.snapshot([prov], [fresh.record]);
    for (const b of bases) {
      await waitFor(async () => (await statusOf(w.client(b, fresh.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: msg }))) === 200, { what: 'a request through each replica' });
    }

    // no processor yet: every replica keeps its events, and its next beat reports the journal's size
    for (const [i, b] of bases.entries()) {
      const r = await readyz(b);
      expect(r.journalWaiting).toBeGreaterThan(0);
      expect(r.journalBytes).toBeGreaterThan(0);
      // the size is read again each time: a late event (a refusal while the snapshot spread) may still grow it
      let seen: { beat?: number; journal?: number } = {};
      await waitFor(
        async () => {
          seen = { beat: (await beats()).find((h) => h.id === idOf(i))?.journalBytes, journal: (await readyz(b)).journalBytes };
          return seen.beat === seen.journal;
        },
        { what: `heartbeat of ${idOf(i)} with its journal size` },
      ).catch((err: Error) => {
        throw new Error(`${err.message}; last seen ${JSON.stringify(seen)}`);
      });
    }
    const all = await beats();
    expect(all.map((h) => h.id).sort()).toEqual(bases.map((_, i) => idOf(i)).sort());
    for (const h of all) {
      expect(h).toMatchObject({ startedAt: expect.any(Number), inflight: 0, dropped: 0 });
      expect(h.lastSeen).toBeGreaterThanOrEqual(h.startedAt);
    }

    // a processor stores them and acknowledges: every journal empties, and the beats say so
    await w.startProcessor();
    await waitFor(async () => (await beats()).every((h) => h.journalBytes === 0), { timeoutMs: 30_000, what: 'journals emptied by the stored acks' });
    for (const b of bases) expect(await readyz(b)).toMatchObject({ journalBytes: 0, journalWaiting: 0 });
  });
});
