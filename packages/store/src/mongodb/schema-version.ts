import { isUnpricedCall } from '@llm-relay/contracts';
import { DUPLICATE_KEY, type LogDoc, type Models } from './models.ts';

/**
 * One step of the MongoDB schema (a collection, an index, a back-fill), run once per database by
 * init. Unlike SQLite there is no transaction around it here (FerretDB v1 and a standalone MongoDB have
 * none), and two processes may start at once: a step must be safe to run twice.
 */
export interface MongoMigration {
  version: number;
  up(m: Models): Promise<void>;
}

/**
 * Every step, in order; the database records the last one applied in `meta` (`_id: 'schema_version'`).
 * Version 1 is the collections and indexes declared in models.ts, which init creates on every start.
 * Append only. To add one: `{ version: 3, async up(m) { await m.logs.collection.createIndex({ region: 1, _id: -1 }); } }`.
 */
export const MONGO_MIGRATIONS: readonly MongoMigration[] = [
  { version: 1, async up() {} },
  { version: 2, up: markUnpricedCalls },
];

/** Version 2 (projects): logs stored before it get `unpricedAt` where they are unpriced calls (docs.ts), for spendSince. */
async function markUnpricedCalls(m: Models): Promise<void> {
  const cur = m.logs.collection.find({ 'cost.price': null }, { projection: { _id: 1, createdAt: 1, usage: 1, cost: 1 } }).batchSize(500);
  let ops: unknown[] = [];
  for await (const d of cur) {
    const doc = d as unknown as Pick<LogDoc, '_id' | 'createdAt' | 'usage' | 'cost'>;
    if (isUnpricedCall(doc)) ops.push({ updateOne: { filter: { _id: doc._id }, update: { $set: { unpricedAt: doc.createdAt } } } });
    if (ops.length >= 500) {
      await m.logs.collection.bulkWrite(ops as never[], { ordered: false });
      ops = [];
    }
  }
  if (ops.length > 0) await m.logs.collection.bulkWrite(ops as never[], { ordered: false });
}

export const MONGO_SCHEMA_VERSION = MONGO_MIGRATIONS[MONGO_MIGRATIONS.length - 1]!.version;

const ID = 'schema_version';

export async function schemaVersionOf(m: Models): Promise<number> {
  const d = await m.meta.collection.findOne({ _id: ID as never });
  return (d?.v as number | undefined) ?? 0;
}

/**
 * $max: a slower process finishing an older step never moves the recorded version back. Two processes that
 * upsert the missing document at once can get E11000 (the server inserts for both; MongoDB documents this
 * for concurrent upserts): the document then exists, and the same update applies to it.
 */
async function recordVersion(m: Models, version: number): Promise<void> {
  const update = () => m.meta.collection.updateOne({ _id: ID as never }, { $max: { v: version } }, { upsert: true });
  try {
    await update();
  } catch (err) {
    if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
    await update();
  }
}

/** Run the steps this database has not run yet; a database written by a newer build is refused. */
export async function migrateMongo(m: Models, migrations: readonly MongoMigration[] = MONGO_MIGRATIONS): Promise<{ from: number; to: number }> {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  const from = await schemaVersionOf(m);
  if (from > latest) {
    throw new Error(`the MongoDB database is at schema version ${from}, newer than this build knows (${latest}); run a build at least as new as the one that wrote it`);
  }
  for (const step of migrations) {
    if (step.version <= from) continue;
    await step.up(m);
    await recordVersion(m, step.version);
  }
  return { from, to: Math.max(from, latest) };
}
