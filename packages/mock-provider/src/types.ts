import type { IncomingMessage, ServerResponse } from 'node:http';

export type MockMode = 'instant' | 'fixed' | 'stream';

/** Server-wide defaults; every one of them can be overridden per request by an `x-mock-*` header. */
export interface MockDefaults {
  mode: MockMode;
  /** wait before the response headers (the `fixed` mode's latency) */
  delayMs: number;
  /** content chunks in a streamed answer */
  chunks: number;
  /** pause before each content chunk of a stream */
  intervalMs: number;
  /** minimum length of the answer text, so the instant answer is ~600 bytes of JSON */
  minAnswerChars: number;
  /** embedding size when the request has no `dimensions` */
  embeddingDimensions: number;
  /** how many requests the recorder keeps (oldest dropped first) */
  recordLimit: number;
}

export interface RecordedRequest {
  seq: number;
  at: number;
  method: string;
  path: string;
  /** the raw query string without `?`, exactly as it arrived ('' when none) */
  query: string;
  headers: Record<string, string | string[] | undefined>;
  bodyBytes: number;
  sha256: string;
  json?: unknown;
}

/** Behaviour of one request: defaults merged with its `x-mock-*` headers. */
export interface Behaviour {
  status: number | undefined;
  failTimes: number;
  failKey: string;
  delayMs: number;
  chunks: number;
  intervalMs: number;
  silenceMs: number;
  cutAfter: number | undefined;
  hang: boolean;
  toolCalls: number;
  dashscope: boolean;
  reasoning: boolean;
  noUsage: boolean;
  gzip: boolean;
  /** the line ending of SSE frames: LF, or CRLF / a bare CR (both allowed by the SSE spec) */
  lineEnding: '\n' | '\r\n' | '\r';
  retryAfter: string;
}

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  query: string;
  params: string[];
  body: Buffer;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- request bodies are whatever the client sent
  json: any;
  b: Behaviour;
  requestId: string;
  defaults: MockDefaults;
  state: MockState;
}

export interface MockState {
  seq: number;
  failCounts: Map<string, number>;
  chat: Map<string, StoredObject>;
  responses: Map<string, StoredObject>;
  files: Map<string, { meta: Record<string, unknown>; content: Buffer }>;
  batches: Map<string, StoredObject>;
}

export type StoredObject = Record<string, unknown> & { id: string };

export type Handler = (ctx: Ctx) => void | Promise<void>;
