import { Queue } from 'bullmq';
import { EXCHANGES_QUEUE } from '@llm-relay/contracts';
import { createRedis } from '@llm-relay/server-kit';
import { closedLoop } from './load.ts';
import { cpuSeconds, sampleRss } from './procstat.ts';
import type { Arm, ArmName, Mode } from './stack.ts';
import { emptyStreamResult, streamLoad, type StreamResult } from './stream-load.ts';
import { saturate, type ThroughputResult } from './throughput.ts';

export interface Plan {
  rounds: number;
  latencySec: number;
  warmupSec: number;
  throughputSec: number;
  connections: number;
  streams1: number;
  streams50: number;
  slowStreams: number;
  slowHoldSec: number;
  slowChunks: number;
}

/** Arms in a different order each round, so drift (thermal, other load) does not favour one arm. */
export function rotated<T>(xs: T[], round: number): T[] {
  const k = round % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
}

export interface LatencyResult {
  mode: Mode;
  concurrency: number;
  byArm: Partial<Record<ArmName, { latMs: number[]; ok: number; errors: number; statuses: Record<string, number>; seconds: number }>>;
}

/** The gateways queue one event per request and nothing consumes them here: drop them between segments. */
export class QueueJanitor {
  private readonly conn;
  private readonly queues: Queue[];
  constructor(redisUrl: string, prefixes: string[]) {
    this.conn = createRedis(redisUrl, 'client');
    this.queues = prefixes.map((prefix) => new Queue(EXCHANGES_QUEUE, { connection: this.conn, prefix }));
  }
  async sweep(): Promise<void> {
    for (const q of this.queues) await q.drain(true).catch(() => undefined);
  }
  async close(): Promise<void> {
    for (const q of this.queues) await q.close();
    this.conn.disconnect();
  }
}

export async function latencyScenario(arms: Arm[], mode: Mode, concurrency: number, plan: Plan, between: () => Promise<void>): Promise<LatencyResult> {
  const out: LatencyResult = { mode, concurrency, byArm: {} };
  for (const arm of arms) await closedLoop(arm.target(mode), { concurrency, durationMs: plan.warmupSec * 1000 });
  await between();
  for (let r = 0; r < plan.rounds; r++) {
    for (const arm of rotated(arms, r)) {
      const res = await closedLoop(arm.target(mode), { concurrency, durationMs: plan.latencySec * 1000 });
      const acc = (out.byArm[arm.name] ??= { latMs: [], ok: 0, errors: 0, statuses: {}, seconds: 0 });
      acc.latMs.push(...res.latMs);
      acc.ok += res.ok;
      acc.errors += res.errors;
      acc.seconds += res.elapsedMs / 1000;
      for (const [k, v] of Object.entries(res.statuses)) acc.statuses[k] = (acc.statuses[k] ?? 0) + v;
      await between();
    }
  }
  return out;
}

export interface ThroughputScenario {
  byArm: Partial<Record<ArmName, { runs: ThroughputResult[]; rssPeakMiB: number; cpuUsPerReq: number }>>;
}

export async function throughputScenario(arms: Arm[], plan: Plan, between: () => Promise<void>): Promise<ThroughputScenario> {
  const out: ThroughputScenario = { byArm: {} };
  for (const arm of arms) await saturate(arm.target('instant'), { connections: plan.connections, durationSec: plan.warmupSec });
  await between();
  for (let r = 0; r < plan.rounds; r++) {
    for (const arm of rotated(arms, r)) {
      const sampler = arm.pid ? sampleRss(arm.pid) : undefined;
      const cpu0 = arm.pid ? cpuSeconds(arm.pid) : Number.NaN;
      const res = await saturate(arm.target('instant'), { connections: plan.connections, durationSec: plan.throughputSec });
      const cpu = arm.pid ? cpuSeconds(arm.pid) - cpu0 : Number.NaN;
      const mem = sampler?.stop();
      const acc = (out.byArm[arm.name] ??= { runs: [], rssPeakMiB: Number.NaN, cpuUsPerReq: Number.NaN });
      acc.runs.push(res);
      if (mem) acc.rssPeakMiB = Number.isFinite(acc.rssPeakMiB) ? Math.max(acc.rssPeakMiB, mem.peak) : mem.peak;
      const perReq = (cpu * 1e6) / Math.max(1, res.total);
      acc.cpuUsPerReq = Number.isFinite(acc.cpuUsPerReq) ? (acc.cpuUsPerReq * (acc.runs.length - 1) + perReq) / acc.runs.length : perReq;
      await between();
    }
  }
  return out;
}

export interface StreamScenario {
  concurrency: number;
  /** ms between the starts of the concurrent streams (0: all at once) */
  staggerMs: number;
  byArm: Partial<Record<ArmName, StreamResult>>;
}

export async function streamScenario(arms: Arm[], concurrency: number, total: number, plan: Plan, between: () => Promise<void>, staggerMs = 0): Promise<StreamScenario> {
  const out: StreamScenario = { concurrency, staggerMs, byArm: {} };
  for (const arm of arms) await streamLoad(arm.target('stream'), { concurrency, total: concurrency, expectedChunks: 64 });
  await between();
  const perRound = Math.max(concurrency, Math.ceil(total / plan.rounds));
  for (let r = 0; r < plan.rounds; r++) {
    for (const arm of rotated(arms, r)) {
      const acc = (out.byArm[arm.name] ??= emptyStreamResult());
      await streamLoad(arm.target('stream'), { concurrency, total: perRound, expectedChunks: 64, staggerMs }, acc);
      await between();
    }
  }
  return out;
}

