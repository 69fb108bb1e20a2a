/**
 * Issue 13 item 5: nothing a client sends can keep its exchange out of the log. A body nested 10,000 deep
 * used to fail every attempt with a RangeError and park the job; now every parse is cut at JSON_DEPTH_MAX
 * and the log is stored, flagged `truncated`. Through the real gateway (which refuses past the limit) and
 * as events put on the queue directly (an older gateway, a provider's answer), with redaction on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { JSON_DEPTH_MAX, SettingsSchema, type ExchangeEvent, type StoredLog } from '@llm-relay/contracts';
import { publishSnapshot } from '@llm-relay/server-kit';
import { startRelayStack, waitFor, type RelayStack } from '@llm-relay/testkit';
import { CUT_MARK } from '../src/features/logs/depth.ts';
import { chatEvent } from './helpers/events.ts';
import { REDIS_URL, startHarness, type Harness } from './helpers/harness.ts';

const PROXY_KEY = 'sk-lp-deep-json-key';
let stack: RelayStack;
let h: Harness;

beforeAll(async () => {
  stack = await startRelayStack({ label: 'lp-deep', redisUrl: REDIS_URL, proxyKey: PROXY_KEY, parts: [] });
  h = await startHarness({ prefix: stack.prefix, databaseUrl: stack.databaseUrl });
  await stack.startPart('gateway');
});
afterAll(async () => {
  await stack?.stopPart('gateway');
  await h?.close();
  await stack?.stop();
});

const stored = (id: string) => waitFor(() => h.processor.store.getLog(id), { what: `log ${id}`, timeoutMs: 30_000 }) as Promise<StoredLog>;
const nested = (depth: number, leaf = '1') => `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`;
/** a JSON value `levels` deep: arrays around a leaf */
const deepValue = (levels: number): unknown => JSON.parse(nested(levels));

/** depth of a stored value, walked iteratively (the test must not overflow either) */
function depthOf(v: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    max = Math.max(max, d + 1);
    for (const c of Object.values(x)) stack.push([c, d + 1]);
  }
  return max;
}

describe('deep JSON', () => {
  it('through the gateway: the boundary depth is served and stored whole; one level more is refused and still stored', async () => {
    const client = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: PROXY_KEY, maxRetries: 0 });
    // the top-level object and `metadata_deep` take two levels
    const params = (levels: number) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'deep one' }], metadata_deep: { v: deepValue(levels) } }) as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming;
    const { response } = await client.chat.completions.create(params(JSON_DEPTH_MAX - 2)).withResponse();
    const ok = await stored(response.headers.get('x-request-id')!);
    expect(ok.status).toBe(200);
    expect(ok.request.truncated).toBe(false);
    expect(depthOf(ok.request.body)).toBe(JSON_DEPTH_MAX);

    const err = (await client.chat.completions.create(params(JSON_DEPTH_MAX - 1)).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.BadRequestError>;
    expect(err.status).toBe(400);
    expect(err.code).toBe('json_too_deep');
    const refused = await stored(err.requestID!);
    expect(refused.status).toBe(400);
    expect(refused.request.truncated).toBe(true);
    expect(depthOf(refused.request.body)).toBe(JSON_DEPTH_MAX);
    expect(JSON.stringify(refused.request.body)).toContain(CUT_MARK);
  });

  it('events put on the queue directly with 10,000 levels (request, response, stream chunk, tool arguments) are stored, cut and flagged', async () => {
    const settings = SettingsSchema.parse({ redactLogs: true });
    await publishSnapshot(h.redis, h.prefix, { version: 1_000_000, writtenAt: Date.now(), settings, providers: [], keys: [] });
    await waitFor(() => h.processor.settings.current.redactLogs === true, { what: 'redaction on' });
    const deep = nested(10_000);

    const req = chatEvent({ prompt: 'mail alice@example.com' });
    const reqText = `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"mail alice@example.com"}],"x":${deep}}`;
    req.request.body = { text: reqText, bytes: reqText.length, truncated: false, contentType: 'application/json' };

    const res = chatEvent({ answer: 'fine' });
    const resText = `{"id":"c1","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"fine"},"finish_reason":"stop"}],"extra":${deep}}`;
    res.response.body = { text: resText, bytes: resText.length, truncated: false, contentType: 'application/json' };

    const streamed = chatEvent({ stream: true, answer: 'streamed fine' });
    const chunk = `data: {"id":"c2","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"!"},"finish_reason":null}],"extra":${deep}}\n\n`;
    const sse = chunk + streamed.response.body.text!;
    streamed.response.body = { ...streamed.response.body, text: sse, bytes: sse.length };

    // a tool call whose arguments string holds deep JSON with an address in it: redaction parses it
    const tool = chatEvent({});
    const args = JSON.stringify(`{"to":"bob@example.com","x":${deep}}`);
    const toolText = `{"model":"gpt-4o-mini","messages":[{"role":"assistant","tool_calls":[{"id":"t1","type":"function","function":{"name":"send","arguments":${args}}}]},{"role":"user","content":"ok"}]}`;
    tool.request.body = { text: toolText, bytes: toolText.length, truncated: false, contentType: 'application/json' };

    const events: ExchangeEvent[] = [req, res, streamed, tool];
    for (const e of events) await h.add(e);
    const [lReq, lRes, lStream, lTool] = await Promise.all(events.map((e) => stored(e.id)));

    expect(lReq!.request.truncated).toBe(true);
    expect(depthOf(lReq!.request.body)).toBe(JSON_DEPTH_MAX);
    expect(JSON.stringify(lReq!.request.body)).not.toContain('alice@example.com');
    expect(lReq!.requestPreview).toContain('[EMAIL]');

    expect(lRes!.response.truncated).toBe(true);
    expect(lRes!.responsePreview).toBe('fine');
    expect(depthOf(lRes!.response.body)).toBeLessThanOrEqual(JSON_DEPTH_MAX);

    expect(lStream!.response.truncated).toBe(true);
    expect(lStream!.responsePreview).toBe('!streamed fine');

    expect(JSON.stringify(lTool!.request.body)).not.toContain('bob@example.com');
    const jobs = await h.queue.getJobs(['failed']);
    expect(jobs.map((j) => j.failedReason)).toEqual([]);
  });
});
