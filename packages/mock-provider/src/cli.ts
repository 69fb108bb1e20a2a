#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { env } from './env.ts';
import { createMockProvider, type MockMode } from './index.ts';

const HELP = `llm-relay mock provider: an OpenAI-compatible fake server with deterministic answers

usage: node packages/mock-provider/src/cli.ts [options]
  --port N          port to listen on (default MOCK_PORT or 8100; 0 = any free port)
  --host H          interface (default MOCK_HOST or 127.0.0.1)
  --mode M          instant | fixed | stream (default instant)
  --delay-ms N      wait before answering (fixed mode: 50)
  --chunks N        content chunks per stream (stream mode: 64, otherwise 8)
  --interval-ms N   pause before each content chunk (stream mode: 20, otherwise 0)
  --help            this text
Every request can override these with x-mock-* headers: see packages/mock-provider/README.md.`;

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    mode: { type: 'string', default: 'instant' },
    'delay-ms': { type: 'string' },
    chunks: { type: 'string' },
    'interval-ms': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const mode = values.mode as MockMode;
if (!['instant', 'fixed', 'stream'].includes(mode)) {
  console.error(`--mode must be instant, fixed or stream (got ${values.mode})`);
  process.exit(2);
}
const num = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer (got ${v})`);
    process.exit(2);
  }
  return n;
};
const defaults = Object.fromEntries(
  Object.entries({ mode, delayMs: num(values['delay-ms'], 'delay-ms'), chunks: num(values.chunks, 'chunks'), intervalMs: num(values['interval-ms'], 'interval-ms') }).filter(([, v]) => v !== undefined),
);
const mock = await createMockProvider({ port: num(values.port, 'port') ?? env.MOCK_PORT, host: values.host ?? env.MOCK_HOST, defaults });
console.log(`mock provider (${mode}) listening on ${mock.url}`);
const stop = () => void mock.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
