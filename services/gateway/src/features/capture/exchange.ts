import type { IncomingHttpHeaders } from 'node:http';
import {
  CAPTURED_HEADER_ALLOWLIST,
  EXCHANGE_EVENT_VERSION,
  uuidv7,
  type Attempt,
  type Attribution,
  type CapturedBody,
  type ExchangeEvent,
  type Outcome,
  type RelayKeyRef,
  type Route,
} from '@llm-relay/contracts';
import { compactAttribution } from '../attribution/parse.ts';

const ALLOWED = [...CAPTURED_HEADER_ALLOWLIST];

/**
 * Bounds on the strings an event takes from the request line and headers. A client can send ~16 KB of
 * them (Node's header limit) on every request, keyless ones included, and each would be stored, indexed
 * and pushed to every live viewer; no real path, user agent or header value comes near these.
 */
export const STORED_PATH_MAX = 2048;
export const STORED_USER_AGENT_MAX = 512;
export const STORED_HEADER_MAX = 1024;
/** tighter bounds for a request without a valid relay key: anyone can send those, as many as they like */
const ANONYMOUS_TEXT_MAX = 256;

/** `s` cut to `max` characters, the cut marked with `…` (so a cut path can never be replayed as a path). */
export function capText(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
const EMPTY_BODY: CapturedBody = { bytes: 0, truncated: false };

export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** Allow-listed headers only: authorization, cookies and provider keys can never enter an event. */
export function pickHeaders(h: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ALLOWED) {
    const v = h[name];
    if (v !== undefined) out[name] = capText(Array.isArray(v) ? v.join(', ') : String(v), STORED_HEADER_MAX);
  }
  return out;
}

/** A captured body, or only its size when the exchange keeps metadata only. */
function bodyOf(b: CapturedBody, bodiless: boolean): CapturedBody {
  return bodiless ? { bytes: b.bytes, truncated: false, ...(b.contentType ? { contentType: b.contentType } : {}) } : b;
}

/** Everything the gateway learns about one request while serving it; becomes one ExchangeEvent. */
export class Exchange {
  readonly id: string;
  readonly startedAt: number;
  route: Route;
  key: RelayKeyRef | null = null;
  provider: string | null = null;
  model: string | null = null;
  upstreamModel: string | null = null;
  attempts: Attempt[] = [];
  upstreamHeadersAt: number | null = null;
  firstByteAt: number | null = null;
  requestHeaders: Record<string, string> = {};
  requestBody: CapturedBody = EMPTY_BODY;
  /** a streamed upload is summarised only once it has passed through */
  lazyRequestBody: (() => CapturedBody) | null = null;
  status = 0;
  responseHeaders: Record<string, string> = {};
  stream = false;
  responseBody: CapturedBody = EMPTY_BODY;
  usageInjected: boolean | undefined;
  outcome: Outcome = 'ok';
  error: string | undefined;
  finished = false;
  private cutReason: string | null = null;
  /** from x-relay-* headers and the body's user/metadata */
  attribution: Attribution | null = null;
  /** capture-budget bytes this exchange holds until its event has left the process */
  held = 0;
  /** refused for its relay key: the event keeps metadata only, no bodies */
  private bodiless = false;
  readonly method: string;
  path: string;
  readonly clientIp: string | undefined;
  userAgent: string | undefined;

  constructor(route: Route, method: string, path: string, headers: IncomingHttpHeaders, clientIp: string | undefined) {
    this.startedAt = now();
    this.id = uuidv7(Math.floor(this.startedAt));
    this.route = route;
    this.method = method;
    this.path = capText(path, STORED_PATH_MAX);
    this.clientIp = clientIp;
    const ua = headers['user-agent'];
    this.userAgent = ua === undefined ? undefined : capText(ua, STORED_USER_AGENT_MAX);
    this.requestHeaders = pickHeaders(headers);
  }

  /** Keep metadata only (no bodies), with its strings held to tighter bounds. */
  metadataOnly(): void {
    this.bodiless = true;
    this.path = capText(this.path, ANONYMOUS_TEXT_MAX * 2);
    if (this.userAgent !== undefined) this.userAgent = capText(this.userAgent, ANONYMOUS_TEXT_MAX);
    for (const [k, v] of Object.entries(this.requestHeaders)) this.requestHeaders[k] = capText(v, ANONYMOUS_TEXT_MAX);
  }

  fail(outcome: Outcome, error: string): void {
    // a cut by the shutdown is the cause; the aborts it sets off must not rename it
    if (this.cutReason !== null) return;
    this.outcome = outcome;
    this.error = error;
  }

  /** The gateway itself ends this exchange (its shutdown timeout): the outcome says so whatever follows. */
  cut(reason: string): void {
    this.fail('gateway_error', reason);
    this.cutReason = reason;
  }

  toEvent(gatewayId: string): ExchangeEvent {
    return {
      v: EXCHANGE_EVENT_VERSION,
      id: this.id,
      gatewayId,
      startedAt: this.startedAt,
      upstreamHeadersAt: this.upstreamHeadersAt,
      firstByteAt: this.firstByteAt,
      endedAt: now(),
      route: this.route,
      key: this.key,
      provider: this.provider,
      model: this.model,
      upstreamModel: this.upstreamModel,
      attempts: this.attempts,
      request: { method: this.method, path: this.path, headers: this.requestHeaders, body: bodyOf(this.lazyRequestBody ? this.lazyRequestBody() : this.requestBody, this.bodiless) },
      response: {
        status: this.status,
        headers: this.responseHeaders,
        stream: this.stream,
        body: bodyOf(this.responseBody, this.bodiless),
        ...(this.usageInjected !== undefined ? { usageInjected: this.usageInjected } : {}),
      },
      outcome: this.outcome,
      ...(this.error !== undefined ? { error: this.error } : {}),
      ...(this.clientIp !== undefined ? { clientIp: this.clientIp } : {}),
      ...(this.userAgent !== undefined ? { userAgent: this.userAgent } : {}),
      ...(this.attribution ? { attribution: compactAttribution(this.attribution) } : {}),
    };
  }
}
