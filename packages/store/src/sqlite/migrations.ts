import type { DatabaseSync } from 'node:sqlite';
import { SCHEMA_V1, SCHEMA_V2_PROMPTS, SCHEMA_V3_ATTRIBUTION, SCHEMA_V4_PROJECTS } from './schema.ts';

/**
 * One step of the schema: `up` brings a database from `version - 1` to `version`. SQL text runs with
 * exec (several statements allowed); a function gets the connection for steps SQL alone cannot express
 * (back-filling a column from JSON, say). Both run inside the migration's transaction.
 */
export interface Migration {
  version: number;
  up: string | ((db: DatabaseSync) => void);
}

/**
 * Every schema change, in order; the database's `PRAGMA user_version` is the last one applied. Append
 * only: a released step is never edited (databases out there already ran it). To add a table or a column:
 *
 *   { version: 2, up: 'ALTER TABLE logs ADD COLUMN region TEXT; CREATE INDEX logs_region ON logs(region, id);' },
 */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, up: SCHEMA_V1 },
  { version: 2, up: SCHEMA_V2_PROMPTS },
  { version: 3, up: SCHEMA_V3_ATTRIBUTION },
  { version: 4, up: SCHEMA_V4_PROJECTS },
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function userVersion(raw: DatabaseSync): number {
  return (raw.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
}

/**
 * Apply the steps the database has not run yet. The caller holds a write transaction, so two processes
 * opening the same database at once serialise: the second finds the version already current. A
 * database written by a newer build is refused rather than written with an older idea of the schema.
 */
export function migrate(raw: DatabaseSync, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  const from = userVersion(raw);
  if (from > latest) {
    throw new Error(`the SQLite database is at schema version ${from}, newer than this build knows (${latest}); run a build at least as new as the one that wrote it`);
  }
  for (const m of migrations) {
    if (m.version <= from) continue;
    if (typeof m.up === 'string') raw.exec(m.up);
    else m.up(raw);
    // PRAGMA takes no bound parameters; the version is an integer from this file
    raw.exec(`PRAGMA user_version = ${Math.trunc(m.version)}`);
  }
  return { from, to: Math.max(from, latest) };
}
