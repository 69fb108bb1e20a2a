/**
 * Issue 9: the pass-through calls (files, audio, stored completions, unknown paths) made with the official
 * openai SDK through the relay, and their captures as the admin API shows them — multipart and binary
 * bodies summarised (names, sizes, hashes, never the content), JSON bodies kept.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI, { NotFoundError, toFile } from 'openai';
import { startStack, type E2EStack } from './stack.ts';

interface Summary {
  sha256?: string;
  files?: { field: string; filename: string; contentType?: string; bytes: number }[];
  fields?: Record<string, string>;
}
interface OmittedBody {
  omitted: true;
  contentType: string | null;
  bytes: number;
  summary?: Summary;
}
interface StoredLog {
  id: string;
  route: string;
  method: string;
  path: string;
  status: number;
  outcome: string;
  request: { body: unknown; bytes: number; truncated: boolean };
  response: { body: unknown; bytes: number; truncated: boolean };
}

let stack: E2EStack;
let client: OpenAI;

beforeAll(async () => {
  stack = await startStack('passthru');
  client = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: stack.proxyKey, maxRetries: 0 });
});
afterAll(() => stack?.stop());

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const requestId = (r: Response): string => {
  const id = r.headers.get('x-request-id');
  expect(id).toBeTruthy();
  return id!;
};

/** A body the store kept as a summary: never a trace of the content itself. */
function expectSummary(body: unknown, secret?: string): OmittedBody {
  const b = body as OmittedBody;
  expect(b.omitted).toBe(true);
  expect(b.summary?.sha256).toMatch(/^[0-9a-f]{64}$/);
  if (secret) expect(JSON.stringify(b)).not.toContain(secret);
  return b;
}

describe('pass-through calls through the relay, as the admin API shows them', () => {
  // unique content the capture must never contain
  const marker = `do-not-store-${Date.now()}`;
  const upload = Buffer.from(Array.from({ length: 40 }, (_, i) => JSON.stringify({ custom_id: `r${i}`, body: { marker } })).join('\n') + '\n');
  let fileId: string;

  it('a multipart upload: route passthrough, file name, size and hash kept, the content not', async () => {
    const { data: file, response } = await client.files.create({ file: await toFile(upload, 'batch-input.jsonl'), purpose: 'batch' }).withResponse();
    expect(file.filename).toBe('batch-input.jsonl');
    expect(file.bytes).toBe(upload.length);
    fileId = file.id;

    const log = await stack.log<StoredLog>(requestId(response));
    expect(log).toMatchObject({ route: 'passthrough', method: 'POST', path: '/v1/files', status: 200, outcome: 'ok' });
    const req = expectSummary(log.request.body, marker);
    expect(req.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(req.summary!.files).toEqual([expect.objectContaining({ field: 'file', filename: 'batch-input.jsonl', bytes: upload.length })]);
    expect(req.summary!.fields).toMatchObject({ purpose: 'batch' });
    expect(req.bytes).toBeGreaterThan(upload.length);
    // the JSON answer is kept as JSON
    expect(log.response.body).toMatchObject({ id: fileId, object: 'file', filename: 'batch-input.jsonl', bytes: upload.length });
  });

  it('a binary download: byte for byte to the client, summarised with the same hash in the log', async () => {
    const { data, response } = await client.files.content(fileId).withResponse();
    const got = Buffer.from(await data.arrayBuffer());
    expect(got.equals(upload)).toBe(true);

    const log = await stack.log<StoredLog>(requestId(response));
    expect(log).toMatchObject({ route: 'passthrough', method: 'GET', path: `/v1/files/${fileId}/content`, status: 200 });
    const res = expectSummary(log.response.body, marker);
    expect(res.bytes).toBe(upload.length);
    expect(res.summary!.sha256).toBe(sha256(upload));
  });

  it('speech: binary audio to the client, the JSON request kept, the audio summarised', async () => {
    const input = 'Read this sentence aloud, please, through the relay.';
    const { data, response } = await client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'alloy', input, response_format: 'mp3' }).withResponse();
    const audio = Buffer.from(await data.arrayBuffer());
    expect(audio.subarray(0, 3).toString('latin1')).toBe('ID3');

    const log = await stack.log<StoredLog>(requestId(response));
    expect(log).toMatchObject({ route: 'passthrough', method: 'POST', path: '/v1/audio/speech', status: 200 });
    expect(log.request.body).toEqual({ model: 'gpt-4o-mini-tts', voice: 'alloy', input, response_format: 'mp3' });
    const res = expectSummary(log.response.body);
    expect(res.contentType).toMatch(/^audio\//);
    expect(res.bytes).toBe(audio.length);
    expect(res.summary!.sha256).toBe(sha256(audio));
  });

  it('a list with a bracket-style query: forwarded as sent, the path with its query and the JSON answer kept', async () => {
    await client.chat.completions.create({ model: 'gpt-4o-mini', store: true, metadata: { team: 'e2e' }, messages: [{ role: 'user', content: 'keep me' }] });
    const { data: page, response } = await client.chat.completions.list({ metadata: { team: 'e2e' }, limit: 5 }).withResponse();
    expect(page.data.length).toBeGreaterThan(0);

    const log = await stack.log<StoredLog>(requestId(response));
    expect(log).toMatchObject({ route: 'passthrough', method: 'GET', status: 200, outcome: 'ok' });
    expect(decodeURIComponent(log.path)).toContain('metadata[team]=e2e');
    expect(log.response.body).toMatchObject({ object: 'list', data: expect.any(Array) });
  });

  it("an unknown path: the provider's own 404 reaches the SDK and is logged on the passthrough route", async () => {
    const err = (await client.get('/no-such-resource/abc').catch((e: unknown) => e)) as InstanceType<typeof NotFoundError>;
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.status).toBe(404);
    expect(err.code).toBe('unknown_url');

    const log = await stack.log<StoredLog>(err.headers.get('x-request-id')!);
    expect(log).toMatchObject({ route: 'passthrough', method: 'GET', path: '/v1/no-such-resource/abc', status: 404 });
    expect(log.response.body).toMatchObject({ error: { code: 'unknown_url', type: 'invalid_request_error' } });
  });
});
