import { Pool } from 'undici';
import type { Settings } from '@llm-relay/contracts';
import type { CompiledConfig, CompiledProvider } from '../config/compiled.ts';

/** A key answered with 401/429 rests this long (or as long as retry-after says) before it is used again. */
const KEY_REST_MS = 30_000;

interface ProviderState {
  pool: Pool;
  fingerprint: string;
  next: number;
  restingUntil: Map<string, number>;
}

/**
 * One undici pool per provider. Keep-alive is shorter than the 5 s idle timeout common upstream
 * (Node's default, many load balancers), and undici drops a socket a second before the server's own
 * `keep-alive: timeout=` hint, so a reused socket rarely races the upstream closing it.
 */
export class Upstreams {
  private readonly state = new Map<string, ProviderState>();

  /** Rebuild pools whose origin or timeouts changed; close pools of removed providers. */
  sync(cfg: CompiledConfig): void {
    const s = cfg.settings;
    const seen = new Set<string>();
    for (const p of cfg.providers) {
      seen.add(p.id);
      const fp = `${p.origin}|${s.connectTimeoutSeconds}|${s.httpTimeoutSeconds}|${s.idleTimeoutSeconds}`;
      const cur = this.state.get(p.id);
      if (cur && cur.fingerprint === fp) continue;
      if (cur) void cur.pool.close().catch(() => undefined);
      this.state.set(p.id, { pool: makePool(p.origin, s), fingerprint: fp, next: 0, restingUntil: cur?.restingUntil ?? new Map() });
    }
    for (const [id, st] of this.state) {
      if (!seen.has(id)) {
        void st.pool.close().catch(() => undefined);
        this.state.delete(id);
      }
    }
  }

  pool(p: CompiledProvider): Pool {
    return this.state.get(p.id)!.pool;
  }

  /** The provider's keys in turn, skipping resting ones (if all rest, the one that is free soonest). */
  pickKey(p: CompiledProvider): string | undefined {
    const keys = p.apiKeys;
    if (keys.length === 0) return undefined;
    const st = this.state.get(p.id)!;
    const t = Date.now();
    let best: string | undefined;
    let bestUntil = Infinity;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[(st.next + i) % keys.length]!;
      const until = st.restingUntil.get(k) ?? 0;
      if (until <= t) {
        st.next = (st.next + i + 1) % keys.length;
        return k;
      }
      if (until < bestUntil) {
        bestUntil = until;
        best = k;
      }
    }
    return best;
  }

  hasFreeKey(p: CompiledProvider): boolean {
    const st = this.state.get(p.id);
    const t = Date.now();
    return p.apiKeys.some((k) => (st?.restingUntil.get(k) ?? 0) <= t);
  }

  rest(p: CompiledProvider, key: string | undefined, retryAfterHeader: string | string[] | undefined): void {
    if (!key) return;
    const secs = Number(Array.isArray(retryAfterHeader) ? retryAfterHeader[0] : retryAfterHeader);
    const ms = Number.isFinite(secs) && secs > 0 ? Math.min(secs * 1000, 10 * 60_000) : KEY_REST_MS;
    this.state.get(p.id)?.restingUntil.set(key, Date.now() + ms);
  }

  async close(): Promise<void> {
    await Promise.all([...this.state.values()].map((s) => s.pool.close().catch(() => undefined)));
    this.state.clear();
  }
}

function makePool(origin: string, s: Settings): Pool {
  return new Pool(origin, {
    connect: { timeout: s.connectTimeoutSeconds * 1000 },
    headersTimeout: s.httpTimeoutSeconds * 1000,
    bodyTimeout: s.idleTimeoutSeconds * 1000,
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 30_000,
    keepAliveTimeoutThreshold: 1_000,
    pipelining: 1,
  });
}
