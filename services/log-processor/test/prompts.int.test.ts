import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, uniquePrefix, waitFor } from '@llm-relay/testkit';
import type { PromptFamilyDetail } from '@llm-relay/store';
import { chatEvent } from './helpers/events.ts';
import { startHarness, type Harness } from './helpers/harness.ts';
import { storeTargets } from './helpers/stores.ts';

const support = (date: string, order: string, email: string) =>
  `You are Aria, the support assistant for Northwind Outfitters. Today is ${date}. The customer's order is ${order}, account ${email}. ` +
  'Answer questions about shipping, returns and exchanges politely and concisely. Escalate refunds above $200 to a human agent. Never promise delivery dates you cannot verify.';

for (const target of storeTargets()) {
  describe(`prompt families and versions from queued exchanges (${target.name})`, () => {
    let h: Harness;
    let second: Harness;
    const dir = tempDir('lpp');
    beforeAll(async () => {
      const databaseUrl = (await target.databaseUrl()) ?? `sqlite:${dir.path}/relay.db`;
      const prefix = uniquePrefix('lpp');
      h = await startHarness({ databaseUrl, prefix });
      // a second replica on the same queue and store, for the race between replicas
      second = await startHarness({ databaseUrl, prefix });
    });
    afterAll(async () => {
      await second?.close();
      await h?.close();
      await target.cleanup();
      dir.remove();
    });

    async function storedAll(ids: string[]): Promise<void> {
      await waitFor(async () => ((await Promise.all(ids.map((id) => h.processor.store.getLog(id)))).every(Boolean) ? true : null), { what: 'logs stored' });
    }
    async function familyOfVersionText(match: string): Promise<PromptFamilyDetail> {
      const { families, versions } = await h.processor.store.listPromptIndex();
      const v = versions.find((x) => x.text.includes(match));
      expect(v, `a version containing ${match}: ${JSON.stringify(families)}`).toBeDefined();
      return (await h.processor.store.getPromptFamily(v!.familyId))!;
    }

    it('one template with different dates, ids and emails is one version; a reworded one is v2; an unrelated prompt another family', async () => {
      const filled = [
        support('2026-12-03', 'ORD-88412-KX', 'jane@example.com'),
        support('December 1, 2026', 'ORD-10293-QA', 'li.wei@mail.example.cn'),
        support('2026/11/28', 'ORD-55555-ZZ', 'bob@corp.example.org'),
      ].map((system) => chatEvent({ system }));
      for (const e of filled) await h.add(e);
      await storedAll(filled.map((e) => e.id));
      const reworded = chatEvent({ system: support('2026-12-04', 'ORD-1-AB', 'x@example.com').replace('politely and concisely', 'politely and concisely, in the customer’s language') });
      await h.add(reworded);
      const unrelated = chatEvent({ system: '你是一位诗人。请根据用户给出的主题写一首七言绝句，押韵工整，并在诗后用一句话解释创作思路。' });
      await h.add(unrelated);
      await storedAll([reworded.id, unrelated.id]);

      const fam = await familyOfVersionText('You are Aria');
      expect(fam.family).toMatchObject({ source: 'detected', name: 'You are Aria, the support assistant for Northwind…' });
      expect(fam.versions.map((v) => v.label)).toEqual(['v1', 'v2']);
      expect(fam.versions[0]!.text).toContain('Today is {{date}}. The customer\'s order is {{id}}, account {{email}}.');
      // lifetime totals: three logs on v1, one on v2 (roll-ups are written with the logs)
      await waitFor(async () => ((await h.processor.store.getPromptFamily(fam.family.id))!.versions[1]!.totals?.count === 1 ? true : null));
      const after = (await h.processor.store.getPromptFamily(fam.family.id))!;
      expect(after.versions.map((v) => v.totals?.count)).toEqual([3, 1]);
      expect(after.versions[0]!.totals).toMatchObject({ promptTokens: 27, completionTokens: 9, errors: 0 });
      await waitFor(async () => ((await h.processor.store.getPromptFamily(fam.family.id))!.versions[1]!.lastAt !== null ? true : null));
      const times = (await h.processor.store.getPromptFamily(fam.family.id))!;
      expect(times.versions[0]).toMatchObject({ firstAt: Math.min(...filled.map((e) => e.startedAt)), lastAt: Math.max(...filled.map((e) => e.startedAt)) });

      const poem = await familyOfVersionText('七言绝句');
      expect(poem.family.id).not.toBe(fam.family.id);
      expect(poem.versions.map((v) => v.label)).toEqual(['v1']);
    });

    it('an explicit x-relay-prompt name and version override detection', async () => {
      const named = { ...chatEvent({ system: support('2026-12-05', 'ORD-2-CD', 'y@example.com') }), attribution: { prompt: { name: 'checkout-helper', version: '2026-12' } } };
      const nameOnly = { ...chatEvent({ system: support('2026-12-06', 'ORD-3-EF', 'z@example.com') }), attribution: { prompt: { name: 'checkout-helper' } } };
      await h.add(named);
      await h.add(nameOnly);
      await storedAll([named.id, nameOnly.id]);
      const page = await h.processor.store.listPromptFamilies({ limit: 50 });
      const explicit = page.items.find((f) => f.name === 'checkout-helper');
      expect(explicit).toMatchObject({ source: 'explicit', versionCount: 2 });
      const d = (await h.processor.store.getPromptFamily(explicit!.id))!;
      // the labelled one keeps its label; the other is numbered in the family (v1 or v2, by which came first)
      expect(d.versions.map((v) => v.label)).toContain('2026-12');
      expect(d.versions.find((v) => v.label !== '2026-12')!.label).toMatch(/^v[12]$/);
      // the detected family of the same template was not counted for these two
      const aria = await familyOfVersionText('You are Aria');
      await waitFor(async () => ((await h.processor.store.getPromptFamily(explicit!.id))!.versions.every((v) => v.totals?.count === 1) ? true : null));
      expect((await h.processor.store.getPromptFamily(aria.family.id))!.versions.map((v) => v.totals?.count)).toEqual([3, 1]);
    });

    it('two replicas meeting near-identical new templates at once make one family', async () => {
      const base = 'You are a meticulous travel agent for Contoso Travel. Always confirm with the traveller before booking or cancelling. Prefer direct flights and refundable fares. Report prices in USD with two decimals.';
      const extras = ['Be warm.', 'Be brief.', 'Use bullet points.', 'Mention visas.', 'Mention insurance.', 'Ask about seats.', 'Ask about meals.', 'Offer hotels.', 'Offer cars.', 'Offer trains.', 'Speak French.', 'Speak German.'];
      const events = extras.map((x) => chatEvent({ system: `${base} ${x}` }));
      // queued while both replicas are paused, so both take them at once
      await Promise.all([h, second].map((r) => r.processor.ingest.worker.pause()));
      await Promise.all(events.map((e) => h.add(e)));
      for (const r of [h, second]) r.processor.ingest.worker.resume();
      await storedAll(events.map((e) => e.id));
      const { versions } = await h.processor.store.listPromptIndex();
      const travel = versions.filter((v) => v.text.startsWith('You are a meticulous travel agent'));
      expect(travel).toHaveLength(extras.length);
      expect(new Set(travel.map((v) => v.familyId)).size).toBe(1);
      expect(new Set(travel.map((v) => v.label)).size).toBe(extras.length);
    });
  });
}
