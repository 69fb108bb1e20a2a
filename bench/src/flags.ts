import { parseArgs } from 'node:util';
import type { Plan } from './scenarios.ts';

export const SECTIONS = ['latency', 'fixed', 'throughput', 'stream', 'memory', 'pipeline', 'profile'] as const;
export type Section = (typeof SECTIONS)[number];

export const HELP = `LLM Relay benchmark: mock provider, LLM Relay (capture on/off) and a peer gateway on loopback.

usage: npm run bench -- [options]
  --quick            short run (~3 min): 2 rounds, short segments, fewer streams and events
  --only a,b         sections to run: ${SECTIONS.join(', ')} (default: all)
  --no-peer          leave out @portkey-ai/gateway
  --no-profile       never re-run the gateway under --cpu-prof
  --events N         events per store in the pipeline bench (default 10000; quick 2000)
  --keep-profile DIR copy the gateway's .cpuprofile files there (open them in Chrome DevTools)
  --out FILE         report path (default bench/REPORT.md; charts go beside it in charts/)
  --help             this text
Environment: REDIS_URL (default redis://127.0.0.1:6379). Keys live under random bench-* prefixes and are deleted.`;

export interface Flags {
  plan: Plan;
  sections: Set<Section>;
  peer: boolean;
  profile: boolean;
  events: number;
  lagSec: number;
  out: string;
  quick: boolean;
  keepProfile: string | undefined;
}

export function parseFlags(argv: string[]): Flags | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      'no-peer': { type: 'boolean', default: false },
      'no-profile': { type: 'boolean', default: false },
      events: { type: 'string' },
      out: { type: 'string' },
      'keep-profile': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick!;
  const sections = new Set<Section>(values.only ? (values.only.split(',').map((s) => s.trim()) as Section[]) : SECTIONS);
  for (const s of sections) if (!SECTIONS.includes(s)) throw new Error(`unknown section "${s}" (known: ${SECTIONS.join(', ')})`);
  const plan: Plan = quick
    ? { rounds: 2, latencySec: 1.5, warmupSec: 1, throughputSec: 3, connections: 32, streams1: 4, streams50: 100, slowStreams: 1000, slowHoldSec: 6, slowChunks: 3000 }
    : { rounds: 4, latencySec: 2.5, warmupSec: 2, throughputSec: 3, connections: 32, streams1: 12, streams50: 150, slowStreams: 1000, slowHoldSec: 10, slowChunks: 3000 };
  return {
    plan,
    sections,
    peer: !values['no-peer'],
    profile: !values['no-profile'],
    events: values.events ? Number(values.events) : quick ? 2000 : 10_000,
    lagSec: quick ? 3 : 5,
    out: values.out ?? 'REPORT.md',
    quick,
    keepProfile: values['keep-profile'],
  };
}
