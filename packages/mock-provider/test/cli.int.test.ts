import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import OpenAI from 'openai';
import { freePort, NODE_BIN, REPO_ROOT, startProcess } from '@llm-relay/testkit';
import { describe, expect, it } from 'vitest';

const CLI = 'packages/mock-provider/src/cli.ts';

describe('mock provider CLI', () => {
  it('prints help', () => {
    expect(execFileSync(NODE_BIN, [resolve(REPO_ROOT, CLI), '--help']).toString()).toContain('--interval-ms');
  });

  it('runs as a process on MOCK_PORT in stream mode and prints its URL', async () => {
    const port = await freePort();
    const proc = await startProcess({ name: 'mock', script: CLI, args: ['--mode', 'stream', '--chunks', '4', '--interval-ms', '1'], env: { MOCK_PORT: String(port) }, readyUrl: `http://127.0.0.1:${port}/healthz` });
    try {
      expect(proc.output()).toContain(`http://127.0.0.1:${port}/v1`);
      const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'x', maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
      let contentChunks = 0;
      for await (const c of stream) if (c.choices[0]?.delta.content) contentChunks++;
      expect(contentChunks).toBe(4);
    } finally {
      expect(await proc.stop()).toBe(0);
    }
  });
});
