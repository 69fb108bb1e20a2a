import { Queue } from 'bullmq';
import { EXCHANGE_EVENT_VERSION, EXCHANGES_QUEUE, uuidv7, type ExchangeEvent } from '@llm-relay/contracts';
import { createRedis, eventsOfJob } from '@llm-relay/server-kit';
import { chatBody } from './load.ts';

/** Up to `max` real exchange events the gateway queued during the capture-on arms (nothing consumes them there). */
export async function sampleQueuedEvents(redisUrl: string, prefix: string, max: number): Promise<ExchangeEvent[]> {
  const conn = createRedis(redisUrl, 'client');
  const queue = new Queue(EXCHANGES_QUEUE, { connection: conn, prefix });
  try {
    const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed'], 0, max - 1);
    return jobs.flatMap((j) => eventsOfJob(j) as ExchangeEvent[]).filter((e) => e && e.v === EXCHANGE_EVENT_VERSION).slice(0, max);
  } finally {
    await queue.close();
    conn.disconnect();
  }
}

/** Events built from real mock answers, for when no gateway events are available. */
export async function synthesizeEvents(mockOrigin: string): Promise<ExchangeEvent[]> {
  const out: ExchangeEvent[] = [];
  for (const stream of [false, true]) {
    const reqBody = chatBody('bench-instant', stream);
    const t0 = Date.now();
    const res = await fetch(`${mockOrigin}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: reqBody });
    const text = await res.text();
    const t1 = Date.now();
    const ctype = res.headers.get('content-type') ?? 'application/json';
    out.push({
      v: EXCHANGE_EVENT_VERSION, id: uuidv7(), gatewayId: 'bench-synthetic', startedAt: t0, upstreamHeadersAt: t1, firstByteAt: t1, endedAt: t1,
      route: 'chat.completions', key: { id: 'bench-key', prefix: 'sk-relay-bench', name: 'bench' }, provider: 'mock-instant', model: 'bench-instant', upstreamModel: 'bench-instant',
      attempts: [{ provider: 'mock-instant', status: res.status, startedAt: t0, durationMs: t1 - t0 }],
      request: { method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { text: reqBody, contentType: 'application/json', bytes: reqBody.length, truncated: false } },
      response: { status: res.status, headers: { 'content-type': ctype }, stream, body: { text, contentType: ctype, bytes: Buffer.byteLength(text), truncated: false } },
      outcome: 'ok',
    });
  }
  return out;
}

/** A fresh copy of a recorded event: a new id and timestamps moved to now, so each copy is a distinct log. */
export function copyEvent(ev: ExchangeEvent, now: number): ExchangeEvent {
  const shift = now - ev.startedAt;
  return {
    ...ev,
    id: uuidv7(now),
    startedAt: ev.startedAt + shift,
    upstreamHeadersAt: ev.upstreamHeadersAt === null ? null : ev.upstreamHeadersAt + shift,
    firstByteAt: ev.firstByteAt === null ? null : ev.firstByteAt + shift,
    endedAt: ev.endedAt + shift,
  };
}
