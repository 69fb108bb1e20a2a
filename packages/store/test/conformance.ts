import { beforeEach, afterEach, describe } from 'vitest';
import type { Store } from '../src/port.ts';
import { logConformance } from './conformance-logs.ts';
import { configConformance } from './conformance-config.ts';
import { rollupConformance } from './conformance-rollups.ts';
import { promptConformance } from './conformance-prompts.ts';
import { attributionConformance } from './conformance-attribution.ts';
import { scoreConformance } from './conformance-scores.ts';
import { projectConformance } from './conformance-projects.ts';

export interface StoreHandle {
  store: Store;
  /** close the store and remove what it created */
  cleanup(): Promise<void>;
}

/** The shared suite every adapter passes; `open` gives a fresh, empty, initialised store. */
export function storeConformance(name: string, open: () => Promise<StoreHandle>): void {
  describe(`store conformance: ${name}`, () => {
    let handle: StoreHandle | undefined;
    const ctx = {
      get store(): Store {
        if (!handle) throw new Error('store not open');
        return handle.store;
      },
    };
    beforeEach(async () => {
      handle = await open();
    });
    afterEach(async () => {
      await handle?.cleanup();
      handle = undefined;
    });
    logConformance(ctx);
    configConformance(ctx);
    rollupConformance(ctx);
    promptConformance(ctx);
    attributionConformance(ctx);
    scoreConformance(ctx);
    projectConformance(ctx);
  });
}

export interface StoreCtx {
  readonly store: Store;
}
