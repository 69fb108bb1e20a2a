import type { Logger } from 'pino';
import type { Store } from '@llm-relay/store';

export type ProjectRecord = Awaited<ReturnType<Store['listProjects']>>[number];

/** how long the processor trusts its copy of the projects (budgets, webhooks, thresholds) */
const PROJECTS_TTL_MS = 5_000;

/**
 * The projects as the store has them, read at most every few seconds (alerts after each batch and the budget
 * gauges at each scrape would otherwise read the store every time). A failed read keeps the last copy.
 */
export class ProjectCache {
  private readonly store: Pick<Store, 'listProjects'>;
  private readonly log: Logger;
  private cached: { at: number; byId: Map<string, ProjectRecord> } | null = null;
  private loading: Promise<Map<string, ProjectRecord>> | null = null;

  constructor(store: Pick<Store, 'listProjects'>, log: Logger) {
    this.store = store;
    this.log = log;
  }

  async get(): Promise<Map<string, ProjectRecord>> {
    if (this.cached && Date.now() - this.cached.at < PROJECTS_TTL_MS) return this.cached.byId;
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async load(): Promise<Map<string, ProjectRecord>> {
    try {
      const byId = new Map((await this.store.listProjects()).map((p) => [p.id, p]));
      this.cached = { at: Date.now(), byId };
      return byId;
    } catch (err) {
      this.log.warn({ err }, 'could not read the projects; using the last copy');
      return this.cached?.byId ?? new Map();
    }
  }
}
