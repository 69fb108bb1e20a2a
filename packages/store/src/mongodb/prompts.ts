import { ALL_TIME_MINUTE, PROMPT_TOTAL_DIMS, decodePromptCursor, encodePromptCursor } from '../port-prompts.ts';
import type { PromptFamilyRecord, PromptStore, PromptTotals, PromptVersionRecord } from '../port-prompts.ts';
import type { Rollup } from '../port.ts';
import { DUPLICATE_KEY, type Models, type RollupDoc } from './models.ts';
import { docToRollup, rollupId } from './rollups.ts';

/** a new version races for a label at most this often (each loss means another writer took one) */
const LABEL_ATTEMPTS = 50;

type Doc = Record<string, unknown> & { _id: string };

function docToFamily(d: Doc): PromptFamilyRecord {
  return {
    id: d._id,
    name: d.name as string,
    source: d.source as PromptFamilyRecord['source'],
    createdAt: d.createdAt as number,
    updatedAt: d.updatedAt as number,
    firstAt: (d.firstAt as number | null | undefined) ?? null,
    lastAt: (d.lastAt as number | null | undefined) ?? null,
  };
}

function docToVersion(d: Doc): PromptVersionRecord {
  return {
    id: d._id,
    familyId: d.familyId as string,
    label: d.label as string,
    text: d.text as string,
    createdAt: d.createdAt as number,
    firstAt: (d.firstAt as number | null | undefined) ?? null,
    lastAt: (d.lastAt as number | null | undefined) ?? null,
  };
}

const isDuplicate = (err: unknown) => (err as { code?: number }).code === DUPLICATE_KEY;

/**
 * Prompt families and versions on MongoDB. Without transactions a label is claimed by the unique
 * (familyId, label) index: a writer that loses the race for "vN" re-counts and tries the next one.
 */
export function mongoPrompts(m: Models): PromptStore {
  const families = () => m.promptFamilies.collection;
  const versions = () => m.promptVersions.collection;

  async function totalsFor(dim: Rollup['dim'], ids: string[]): Promise<Map<string, PromptTotals>> {
    const out = new Map<string, PromptTotals>();
    if (ids.length === 0) return out;
    const keys = ids.map((value) => rollupId({ dim, value, minute: ALL_TIME_MINUTE } as Rollup));
    const docs = (await m.rollups.collection.find({ _id: { $in: keys } } as never).toArray()) as unknown as RollupDoc[];
    for (const d of docs) {
      const { minute: _m, dim: _d, value, ...totals } = docToRollup(d);
      out.set(value, totals);
    }
    return out;
  }

  return {
    async ensurePromptFamily(f) {
      try {
        await families().insertOne({ _id: f.id, name: f.name, source: f.source, createdAt: f.createdAt, updatedAt: f.createdAt, firstAt: null, lastAt: null } as never);
      } catch (err) {
        if (!isDuplicate(err)) throw err;
      }
      return docToFamily((await families().findOne({ _id: f.id } as never)) as unknown as Doc);
    },

    async ensurePromptVersion(v) {
      for (let attempt = 0; attempt < LABEL_ATTEMPTS; attempt++) {
        const existing = (await versions().findOne({ _id: v.id } as never)) as unknown as Doc | null;
        if (existing) return docToVersion(existing);
        let label = v.label;
        if (label === undefined) {
          let n = (await versions().countDocuments({ familyId: v.familyId } as never)) + 1;
          while (await versions().findOne({ familyId: v.familyId, label: `v${n}` } as never)) n++;
          label = `v${n}`;
        } else {
          // an explicit label names the version: a version already holding it is that version
          const taken = (await versions().findOne({ familyId: v.familyId, label } as never)) as unknown as Doc | null;
          if (taken) return docToVersion(taken);
        }
        try {
          await versions().insertOne({ _id: v.id, familyId: v.familyId, label, text: v.text, createdAt: v.createdAt, firstAt: null, lastAt: null } as never);
          return docToVersion((await versions().findOne({ _id: v.id } as never)) as unknown as Doc);
        } catch (err) {
          // the same id inserted by another writer, or the label taken meanwhile: look again
          if (!isDuplicate(err)) throw err;
        }
      }
      throw new Error(`could not label a new version of prompt family ${v.familyId}: too many concurrent writers`);
    },

    async touchPromptVersions(seen) {
      if (seen.length === 0) return;
      const widen = (id: string, s: { firstAt: number; lastAt: number }) => ({
        updateOne: { filter: { _id: id }, update: { $min: { firstAt: s.firstAt }, $max: { lastAt: s.lastAt } } },
      });
      // a null field compares below any number for $min, so set a first value where there is none yet
      const seed = (id: string, s: { firstAt: number; lastAt: number }) => ({
        updateOne: { filter: { _id: id, firstAt: null }, update: { $set: { firstAt: s.firstAt, lastAt: s.lastAt } } },
      });
      await versions().bulkWrite(seen.flatMap((s) => [seed(s.versionId, s), widen(s.versionId, s)]) as never, { ordered: true });
      await families().bulkWrite(seen.flatMap((s) => [seed(s.familyId, s), widen(s.familyId, s)]) as never, { ordered: true });
    },

    async listPromptIndex(opts = {}) {
      const since = opts.since ?? 0;
      const fs = (await families().find({ updatedAt: { $gte: since } } as never).sort({ createdAt: 1, _id: 1 }).toArray()) as unknown as Doc[];
      const vs = (await versions().find({ createdAt: { $gte: since } } as never).sort({ createdAt: 1, _id: 1 }).toArray()) as unknown as Doc[];
      return { families: fs.map(docToFamily), versions: vs.map(docToVersion) };
    },

    async listPromptFamilies({ limit, cursor }) {
      const after = decodePromptCursor(cursor);
      const q = after ? { $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, _id: { $lt: after.id } }] } : {};
      const docs = (await families().find(q as never).sort({ createdAt: -1, _id: -1 }).limit(limit + 1).toArray()) as unknown as Doc[];
      const page = docs.slice(0, limit).map(docToFamily);
      const ids = page.map((f) => f.id);
      const counts = new Map<string, number>();
      if (ids.length > 0) {
        const grouped = await versions()
          .aggregate<{ _id: string; n: number }>([{ $match: { familyId: { $in: ids } } }, { $group: { _id: '$familyId', n: { $sum: 1 } } }])
          .toArray();
        for (const g of grouped) counts.set(g._id, g.n);
      }
      const totals = await totalsFor(PROMPT_TOTAL_DIMS.family, ids);
      const items = page.map((f) => ({ ...f, versionCount: counts.get(f.id) ?? 0, totals: totals.get(f.id) ?? null }));
      return { items, nextCursor: docs.length > limit ? encodePromptCursor(items.at(-1)!) : null };
    },

    async getPromptFamily(id) {
      const f = (await families().findOne({ _id: id } as never)) as unknown as Doc | null;
      if (!f) return null;
      const vs = ((await versions().find({ familyId: id } as never).sort({ createdAt: 1, _id: 1 }).toArray()) as unknown as Doc[]).map(docToVersion);
      const totals = await totalsFor(PROMPT_TOTAL_DIMS.version, vs.map((v) => v.id));
      return { family: docToFamily(f), versions: vs.map((v) => ({ ...v, totals: totals.get(v.id) ?? null })) };
    },

    async renamePromptFamily(id, name, at) {
      await families().updateOne({ _id: id } as never, { $set: { name, updatedAt: at } });
      const f = (await families().findOne({ _id: id } as never)) as unknown as Doc | null;
      return f ? docToFamily(f) : null;
    },
  };
}
