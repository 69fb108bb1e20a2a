import type { mongo } from 'mongoose';
import { minuteOf } from '../attribution.ts';
import { projectNameKey, projectNameTaken, type ProjectRecord, type ProjectStore, type SpendByScope, type SpendTotals } from '../port-projects.ts';
import type { LogDoc, Models, ProjectDoc } from './models.ts';

function toRecord(d: ProjectDoc): ProjectRecord {
  const { _id, nameKey: _key, ...rest } = d;
  return { id: _id, ...rest };
}

function toDoc(p: ProjectRecord): ProjectDoc {
  const { id, ...rest } = p;
  return { _id: id, nameKey: projectNameKey(p.name), ...rest };
}

export function mongoProjects(m: Models): ProjectStore {
  // the driver's collections, typed with our string _id (mongoose types them for ObjectId)
  const coll = m.projects.collection as unknown as mongo.Collection<ProjectDoc>;
  const logs = m.logs.collection as unknown as mongo.Collection<LogDoc>;

  /**
   * A write refused because another project holds the name: MongoDB answers a duplicate key (11000), FerretDB
   * v1's findAndModify a constraint error of its own, so the holder is looked up rather than the code trusted.
   */
  const nameConflict = async (err: unknown, p: Pick<ProjectRecord, 'id'> & { name?: string }): Promise<unknown> => {
    if (p.name === undefined) return err;
    const holder = await coll.findOne({ nameKey: projectNameKey(p.name) }, { projection: { _id: 1 } }).catch(() => null);
    return holder && holder._id !== p.id ? projectNameTaken(p.name) : err;
  };

  return {
    async listProjects() {
      return (await coll.find().sort({ createdAt: 1, _id: 1 }).toArray()).map(toRecord);
    },
    async getProject(id) {
      const d = await coll.findOne({ _id: id });
      return d ? toRecord(d) : null;
    },
    async createProject(p) {
      try {
        await coll.insertOne(toDoc(p));
      } catch (err) {
        throw await nameConflict(err, p);
      }
    },
    async updateProject(id, patch) {
      const set: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(patch)) if (v !== undefined) set[k] = v;
      if (patch.name !== undefined) set.nameKey = projectNameKey(patch.name);
      try {
        const d = await coll.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after' });
        return d ? toRecord(d) : null;
      } catch (err) {
        throw await nameConflict(err, { id, name: patch.name });
      }
    },
    async deleteProject(id) {
      const gone = (await coll.deleteOne({ _id: id })).deletedCount > 0;
      // after the delete, so a key assigned to the project while it was being deleted is cleared too
      await m.keys.collection.updateMany({ projectId: id }, { $set: { projectId: null } });
      return gone;
    },
    async spendSince(since) {
      const out: SpendByScope = { keys: {}, projects: {} };
      const scopes = { key: out.keys, project: out.projects } as const;
      const at = (map: Record<string, SpendTotals>, id: string) => (map[id] ??= { usd: 0, unpricedCalls: 0 });
      const rows = m.rollups.collection.find({ dim: { $in: ['key', 'project'] }, minute: { $gte: minuteOf(since) } }, { projection: { dim: 1, value: 1, costUsd: 1 } });
      for await (const r of rows) {
        const dim = r.dim as 'key' | 'project';
        // logs without a key count under the key value 'none' (rollupDims)
        if (dim === 'key' && r.value === 'none') continue;
        at(scopes[dim], r.value as string).usd += (r.costUsd as number | undefined) ?? 0;
      }
      // unpricedAt is set on unpriced calls only (docs.ts), under a sparse index
      for await (const d of logs.find({ unpricedAt: { $gte: since } }, { projection: { key: 1 } })) {
        if (!d.key) continue;
        at(out.keys, d.key.id).unpricedCalls += 1;
        if (d.key.projectId) at(out.projects, d.key.projectId).unpricedCalls += 1;
      }
      return out;
    },
  };
}
