import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { MicroBatcher, OutageLog } from '@llm-relay/server-kit';
import { STORED_ACKS_MAXLEN, storedAcksKey } from '@llm-relay/contracts';

/** an acknowledgement stream nobody reads any more (its gateway is gone for good) expires */
const ACK_STREAM_TTL_MS = 24 * 3600_000;

interface Ack {
  to: string;
  id: string;
}

/**
 * Tells each gateway replica which of its events are stored, so it can drop them from its journal
 * (until then it queues them again should Redis lose its data). Acknowledgements are batched: one XADD
 * per gateway per flush. One that is lost (Redis down) only means the event is queued again later and
 * found stored (a duplicate, acknowledged then).
 */
export class StoredAckWriter {
  private readonly batcher: MicroBatcher<Ack, void>;
  private readonly outage: OutageLog;
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, prefix: string, log: Logger) {
    this.redis = redis;
    this.prefix = prefix;
    this.outage = new OutageLog(log, 'stored acknowledgement to the gateways');
    this.batcher = new MicroBatcher<Ack, void>({ maxSize: 2000, maxWaitMs: 20, flush: (acks) => this.write(acks) });
  }

  /** the event is stored (newly or already): acknowledge it to the gateway that journals it */
  stored(ev: { id: string; gatewayId?: string; ackTo?: string }): void {
    const to = ev.ackTo ?? ev.gatewayId;
    if (to) this.batcher.submit({ to, id: ev.id });
  }

  private async write(acks: Ack[]): Promise<void[]> {
    const byGateway = new Map<string, string[]>();
    for (const a of acks) {
      const ids = byGateway.get(a.to);
      if (ids) ids.push(a.id);
      else byGateway.set(a.to, [a.id]);
    }
    const p = this.redis.pipeline();
    for (const [gw, ids] of byGateway) {
      const key = storedAcksKey(this.prefix, gw);
      p.xadd(key, 'MAXLEN', '~', STORED_ACKS_MAXLEN, '*', 'ids', ids.join(','));
      p.pexpire(key, ACK_STREAM_TTL_MS);
    }
    try {
      const res = await p.exec();
      const err = res?.find(([e]) => e)?.[0];
      if (err) throw err;
      this.outage.succeeded();
    } catch (err) {
      this.outage.failed(err, { acks: acks.length });
    }
    return acks.map(() => undefined);
  }

  drain(): Promise<void> {
    this.batcher.flushEagerly();
    return this.batcher.drain();
  }
}
