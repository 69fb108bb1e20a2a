import { hostname } from 'node:os';
import { z } from 'zod';
import { parseEnv, portFromEnv, sharedEnvShape } from '@llm-relay/config';

const MiB = 1024 * 1024;

/** The gateway's environment, parsed once at start-up (the only file that reads process.env). */
export const GatewayEnvSchema = z.object({
  ...sharedEnvShape,
  GATEWAY_PORT: portFromEnv.default(8000),
  GATEWAY_HOST: z.string().default('0.0.0.0'),
  GATEWAY_ID: z.string().min(1).default(`${hostname()}-${process.pid}`),
  /**
   * processes serving the port (node:cluster): each is a replica of its own — GATEWAY_ID `<id>-w<n>`, journal in
   * JOURNAL_DIR/w<n> — so one host can use more than one core; 1 (default) = this process serves alone
   */
  GATEWAY_WORKERS: z.coerce.number().int().min(1).max(256).default(1),
  /** set by the primary on each worker it forks (its slot, 0-based); not for operators */
  GATEWAY_WORKER_SLOT: z.coerce.number().int().min(0).optional(),
  /**
   * where every event is kept (files 0600) until a processor acknowledges it as stored, so an event
   * Redis never got or lost is queued again
   */
  JOURNAL_DIR: z.string().default('./data/journal'),
  /** the journal's bound; past it new events are still queued, without a local copy (logged, gateway_journal_full) */
  JOURNAL_MAX_BYTES: z.coerce.number().int().positive().default(256 * MiB),
  /**
   * the last configuration snapshot seen, kept on disk (0600: it holds provider keys) so the gateway starts
   * and serves while Redis is down or has lost its data; default `config-snapshot.json` in JOURNAL_DIR
   */
  SNAPSHOT_CACHE_FILE: z.string().optional(),
  /** how often the gateway reads the processors' stored acknowledgements and checks Redis's data epoch */
  STORED_ACK_POLL_MS: z.coerce.number().int().positive().default(500),
  /** ~50 MiB so a vision request with a 20 MB data-URL image (base64 grows it by a third) still passes */
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(50 * MiB),
  /**
   * the most captured body bytes held in memory at once, across all requests; beyond it captures are cut
   * and flagged `truncated`, so slow readers of large answers cannot grow the gateway without bound
   */
  CAPTURE_BUDGET_BYTES: z.coerce.number().int().min(0).default(256 * MiB),
  /**
   * how long a batch of events may wait to fill before it is journaled and queued; 20 ms halves the batches
   * (one journal append and one Redis write each) under saturation against 5 ms, for ≤ 15 ms more before an
   * event reaches the queue (bench/FINDINGS.md)
   */
  ENQUEUE_BATCH_MS: z.coerce.number().int().min(0).default(20),
  ENQUEUE_BATCH_SIZE: z.coerce.number().int().positive().default(200),
  /** a `: keep-alive` comment is written to a stream that has been silent this long */
  SSE_KEEPALIVE_MS: z.coerce.number().int().positive().default(15_000),
  /** safety net beside the pub/sub notice: a read of the snapshot's first bytes (its version) this often */
  SNAPSHOT_POLL_MS: z.coerce.number().int().positive().default(1_000),
  HEARTBEAT_MS: z.coerce.number().int().positive().default(5_000),
  /** comma-separated origins whose pages may call /v1 from a browser (the admin UI's playground); empty = none */
  GATEWAY_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean)),
  /**
   * whose X-Forwarded-For to believe for the captured client IP: `false` (default), `true` (any),
   * or comma-separated addresses/CIDRs of the load balancers in front
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v): boolean | string => (v === 'true' ? true : v === 'false' ? false : v)),
  /**
   * while Redis does not answer: `local` enforces each key's limits in this replica at limit / live
   * replicas (the count last seen); `open` admits every request unchecked
   */
  LIMITS_ON_OUTAGE: z.enum(['local', 'open']).default('local'),
  /** how long the limiter waits on Redis before deciding without it (LIMITS_ON_OUTAGE) */
  LIMITS_TIMEOUT_MS: z.coerce.number().int().positive().default(250),
  /**
   * after SIGTERM, how long /readyz says 503 while requests are still served normally, so a load balancer
   * (or compose/k8s) stops sending before the listener closes; 0 in tests that need a fast stop
   */
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).default(5_000),
  /**
   * after the drain, how long in-flight requests and streams may take to finish before the process exits
   * anyway; a stream still running then is cut. Keep the container's stop grace period above drain + this.
   */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(60_000),
});
export type GatewayEnv = z.infer<typeof GatewayEnvSchema>;

export function readEnv(env: NodeJS.ProcessEnv = process.env): GatewayEnv {
  return parseEnv(GatewayEnvSchema, env);
}
