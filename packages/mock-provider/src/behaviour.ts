import type { IncomingHttpHeaders } from 'node:http';
import type { Behaviour, MockDefaults } from './types.ts';

function int(v: string | string[] | undefined, fallback: number): number {
  if (typeof v !== 'string') return fallback;
  const n = Number.parseInt(v, 10);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

function flag(v: string | string[] | undefined): boolean {
  return v === '1' || v === 'true' || v === 'yes';
}

/** Read the `x-mock-*` headers a test (or a gateway forwarding them) sets to steer one request. */
export function behaviourFrom(h: IncomingHttpHeaders, d: MockDefaults): Behaviour {
  const status = int(h['x-mock-status'], 0);
  const cut = h['x-mock-cut-after'];
  return {
    status: status >= 100 ? status : undefined,
    failTimes: int(h['x-mock-fail-times'], 0),
    failKey: typeof h['x-mock-fail-key'] === 'string' ? h['x-mock-fail-key'] : '',
    delayMs: int(h['x-mock-delay-ms'], d.delayMs),
    chunks: Math.max(1, int(h['x-mock-chunks'], d.chunks)),
    intervalMs: int(h['x-mock-interval-ms'], d.intervalMs),
    silenceMs: int(h['x-mock-silence-ms'], 0),
    cutAfter: cut === undefined ? undefined : int(cut, 0),
    hang: flag(h['x-mock-hang']),
    toolCalls: int(h['x-mock-tool-calls'], 0),
    dashscope: flag(h['x-mock-dashscope']),
    reasoning: flag(h['x-mock-reasoning']),
    noUsage: flag(h['x-mock-no-usage']),
    gzip: flag(h['x-mock-gzip']),
    lineEnding: h['x-mock-line-ending'] === 'cr' ? '\r' : h['x-mock-line-ending'] === 'crlf' ? '\r\n' : '\n',
    retryAfter: typeof h['x-mock-retry-after'] === 'string' ? h['x-mock-retry-after'] : '1',
  };
}

/** Defaults of each mode: `instant` answers at once, `fixed` after delayMs, `stream` paces chunks like a model. */
export function modeDefaults(mode: MockDefaults['mode']): MockDefaults {
  const base: MockDefaults = {
    mode,
    delayMs: 0,
    chunks: 8,
    intervalMs: 0,
    minAnswerChars: 48,
    embeddingDimensions: 1536,
    recordLimit: 1000,
  };
  if (mode === 'fixed') return { ...base, delayMs: 50 };
  if (mode === 'stream') return { ...base, chunks: 64, intervalMs: 20 };
  return base;
}
