import { randomBytes } from 'node:crypto';
import { findFerretDb, startFerretDb, type RunningFerretDb } from '@llm-relay/testkit';

export interface StoreTarget {
  name: string;
  /** undefined: the harness makes a temp SQLite file */
  databaseUrl(): Promise<string | undefined>;
  cleanup(): Promise<void>;
}

/**
 * The stores the processor is tested against: SQLite always; the MongoDB adapter on FerretDB when the
 * binary is installed (and on a real MongoDB when MONGODB_TEST_URI is set).
 */
export function storeTargets(): StoreTarget[] {
  const targets: StoreTarget[] = [{ name: 'sqlite', databaseUrl: async () => undefined, cleanup: async () => {} }];
  let ferretAvailable: boolean;
  try {
    findFerretDb();
    ferretAvailable = true;
  } catch {
    ferretAvailable = false;
  }
  if (ferretAvailable && process.env.LP_SKIP_FERRETDB !== '1') {
    let ferret: RunningFerretDb | null = null;
    targets.push({
      name: 'ferretdb',
      async databaseUrl() {
        ferret = await startFerretDb();
        return `${ferret.uri}lp_${randomBytes(4).toString('hex')}`;
      },
      async cleanup() {
        await ferret?.stop();
      },
    });
  }
  if (process.env.MONGODB_TEST_URI) {
    const uri = process.env.MONGODB_TEST_URI.replace(/\/?$/, '/');
    targets.push({ name: 'mongodb', databaseUrl: async () => `${uri}lp_${randomBytes(4).toString('hex')}`, cleanup: async () => {} });
  }
  return targets;
}
