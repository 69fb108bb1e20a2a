import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Attribution, LogPromptRef, Route } from '@llm-relay/contracts';
import type { PromptFamilyRecord, PromptStore, PromptVersionRecord } from '@llm-relay/store';
import { withLock } from '../ops/redis-lock.ts';
import { FamilyIndex } from './family-index.ts';
import { instructionsOf, normalisePrompt } from './normalise.ts';
import { signature } from './similarity.ts';

/** how often renames and other replicas' families and versions are read from the store */
export const INDEX_REFRESH_MS = 30_000;
/** an incremental read reaches this far before the last one: clock skew between replicas, slow writes */
const REFRESH_OVERLAP_MS = 60_000;
/** versions remembered by id (the hot path: a known template costs a hash and a map lookup) */
const MAX_CACHED_VERSIONS = 50_000;

export interface DetectorDeps {
  store: PromptStore;
  redis: Redis;
  prefix: string;
  log: Logger;
}

const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 24);

/** A family is named after the first words of its first version until an admin renames it. */
export function familyNameOf(text: string): string {
  const max = /\s/.test(text.slice(0, 60)) ? 60 : 24; // CJK text has no spaces: fewer, wider characters
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}

/**
 * Assigns each exchange's instructions to a prompt family and version. Known versions are answered from
 * memory; a new template is compared with the families' signatures, and joins the most similar one or
 * starts a family. See README.md here for the measure and for what happens when replicas race.
 */
export class PromptDetector {
  private readonly versions = new Map<string, PromptVersionRecord>();
  private readonly families = new Map<string, PromptFamilyRecord>();
  private readonly index = new FamilyIndex();
  /** one discovery per new version id at a time in this process */
  private readonly pending = new Map<string, Promise<PromptVersionRecord>>();
  private syncedAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  /** the tail of this process's family creations, which run one at a time */
  private creating: Promise<unknown> = Promise.resolve();

  private readonly deps: DetectorDeps;

  constructor(deps: DetectorDeps) {
    this.deps = deps;
  }

  /** load every family and version, then re-read changes every INDEX_REFRESH_MS */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((err) => this.deps.log.warn({ err }, 'prompt index refresh failed'));
    }, INDEX_REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** read families and versions created or renamed since the last read (everything the first time) */
  refresh(): Promise<void> {
    return (this.refreshing ??= (async () => {
      const startedAt = Date.now();
      const since = this.syncedAt === 0 ? undefined : this.syncedAt - REFRESH_OVERLAP_MS;
      const { families, versions } = await this.deps.store.listPromptIndex({ since });
      for (const f of families) this.learnFamily(f);
      for (const v of versions) this.learnVersion(v);
      this.syncedAt = startedAt;
    })().finally(() => {
      this.refreshing = null;
    }));
  }

  /**
   * The prompt of one exchange, from its (already redacted) request body; an explicit `x-relay-prompt`
   * wins over detection. Null when there are no instructions and nothing explicit.
   */
  async assign(route: Route, requestBody: unknown, explicit: Attribution['prompt'] | undefined): Promise<LogPromptRef | null> {
    const text = normalisePrompt(instructionsOf(route, requestBody));
    if (explicit) return this.assignExplicit(explicit, text);
    if (text === '') return null;
    const v = await this.version(`pv_${hash(`detected\n${text}`)}`, () => this.discover(text));
    return this.ref(v, 'detected');
  }

  private async assignExplicit(explicit: NonNullable<Attribution['prompt']>, text: string): Promise<LogPromptRef> {
    const familyId = `pf_${hash(`explicit\n${explicit.name}`)}`;
    if (!this.families.has(familyId)) {
      this.learnFamily(await this.deps.store.ensurePromptFamily({ id: familyId, name: explicit.name, source: 'explicit', createdAt: Date.now() }));
    }
    const label = explicit.version;
    // with a label, the label is the version (whatever the text); without, each template is one
    const id = `pv_${hash(label !== undefined ? `${familyId}@${label}` : `${familyId}\n${text}`)}`;
    const v = await this.version(id, () => this.deps.store.ensurePromptVersion({ id, familyId, text, label, createdAt: Date.now() }));
    return this.ref(v, 'explicit');
  }

  private async version(id: string, create: () => Promise<PromptVersionRecord>): Promise<PromptVersionRecord> {
    const known = this.versions.get(id);
    if (known) return known;
    let p = this.pending.get(id);
    if (!p) {
      p = create().finally(() => this.pending.delete(id));
      this.pending.set(id, p);
    }
    const v = await p;
    this.learnVersion(v);
    // the store may answer with a version stored under another id (an explicit label already taken)
    if (v.id !== id) this.versions.set(id, v);
    return v;
  }

  /** a template not seen before: join the most similar family, or start one */
  private async discover(text: string): Promise<PromptVersionRecord> {
    const id = `pv_${hash(`detected\n${text}`)}`;
    const sig = signature(text);
    const familyId = this.index.best(sig)?.familyId ?? (await this.familyForNew(id, text, sig));
    const v = await this.deps.store.ensurePromptVersion({ id, familyId, text, createdAt: Date.now() });
    // another replica stored this very version first, maybe in a family this one has not read yet
    if (!this.families.has(v.familyId)) await this.refresh();
    return v;
  }

  /**
   * The family of a template no known family is near: replicas meeting two near-identical new templates at
   * once would each start a family, so creation is serialised — one at a time in this process (`creating`),
   * and across replicas by a Redis lock whose holder first reads what others created meanwhile.
   */
  private familyForNew(versionId: string, text: string, sig: Uint32Array): Promise<string> {
    const run = async (): Promise<string> => {
      // an earlier creation in this process may have made the family this text belongs to
      const known = this.index.best(sig)?.familyId;
      if (known !== undefined) return known;
      const lockKey = `${this.deps.prefix}:processor:prompt-family-lock`;
      return withLock(this.deps.redis, lockKey, { ttlMs: 15_000, waitMs: 30_000 }, async () => {
        // a read already in flight may predate a family another replica just created: read again after it
        await this.refreshing;
        await this.refresh();
        const found = this.index.best(sig)?.familyId;
        if (found !== undefined) return found;
        const f = await this.deps.store.ensurePromptFamily({ id: `pf_${hash(`detected\n${text}`)}`, name: familyNameOf(text), source: 'detected', createdAt: Date.now() });
        this.learnFamily(f);
        // the founding version is written before the lock is released: a family's signatures come from its
        // versions, so the next holder's read must find this one or it would not see the family as near
        this.learnVersion(await this.deps.store.ensurePromptVersion({ id: versionId, familyId: f.id, text, createdAt: Date.now() }));
        return f.id;
      });
    };
    const next = this.creating.then(run, run);
    this.creating = next.catch(() => undefined);
    return next;
  }

  private learnFamily(f: PromptFamilyRecord): void {
    this.families.set(f.id, f);
    if (f.source === 'detected') this.index.add(f.id, f.createdAt);
  }

  private learnVersion(v: PromptVersionRecord): void {
    if (this.versions.has(v.id)) return;
    if (this.versions.size >= MAX_CACHED_VERSIONS) {
      // forget the oldest entry (a Map keeps insertion order); a forgotten version is read again when seen
      this.versions.delete(this.versions.keys().next().value!);
    }
    this.versions.set(v.id, v);
    const f = this.families.get(v.familyId);
    if (f?.source === 'detected') this.index.add(f.id, f.createdAt, signature(v.text));
  }

  private ref(v: PromptVersionRecord, source: LogPromptRef['source']): LogPromptRef {
    const f = this.families.get(v.familyId);
    return { familyId: v.familyId, versionId: v.id, familyName: f?.name ?? v.familyId, versionLabel: v.label, source };
  }
}
