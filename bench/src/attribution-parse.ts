/**
 * Micro-benchmark of the gateway's attribution parsing (issue 15): what reading `x-relay-*` headers adds to a
 * request, on the headers the official openai SDK sends, without and with attribution. The request path runs
 * readAttributionHeaders once per /v1 request (relay-hooks) and withBodyAttribution when the body has `user`
 * or `metadata`. Run: `node bench/src/attribution-parse.ts [iterations]`.
 */
import { readAttributionHeaders, withBodyAttribution } from '../../services/gateway/src/features/attribution/parse.ts';

const SDK_HEADERS = {
  host: '127.0.0.1:8000',
  connection: 'keep-alive',
  accept: 'application/json',
  'content-type': 'application/json',
  'user-agent': 'OpenAI/JS 7.0.0',
  'x-stainless-lang': 'js',
  'x-stainless-package-version': '7.0.0',
  'x-stainless-os': 'Linux',
  'x-stainless-arch': 'x64',
  'x-stainless-runtime': 'node',
  'x-stainless-runtime-version': 'v24.21.0',
  'x-stainless-retry-count': '0',
  'x-stainless-timeout': '600',
  authorization: 'Bearer sk-relay-0123456789abcdef',
  'content-length': '98',
};
const WITH_ATTRIBUTION = {
  ...SDK_HEADERS,
  'x-relay-user': 'user-42',
  'x-relay-session': 'conv-2026-12-03-7',
  'x-relay-tags': 'beta,search,eu',
  'x-relay-property-team': 'core',
  'x-relay-property-ab-test': 'variant-b',
  'x-relay-prompt': 'support-bot@2024-06',
};

function measure(name: string, n: number, fn: () => unknown): { name: string; nsPerOp: number } {
  for (let i = 0; i < n / 10; i++) fn(); // warm-up: let the JIT settle
  const t0 = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < n; i++) if (fn()) sink++;
  const ns = Number(process.hrtime.bigint() - t0) / n;
  if (sink < 0) console.log(sink);
  return { name, nsPerOp: Math.round(ns) };
}

const n = Number(process.argv[2] ?? 1_000_000);
const rows = [
  measure('SDK headers, no x-relay-*', n, () => readAttributionHeaders(SDK_HEADERS)),
  measure('SDK headers + 6 x-relay-* headers', n, () => readAttributionHeaders(WITH_ATTRIBUTION)),
  measure('body user + 2 metadata strings', n, () => withBodyAttribution(null, 'body-user', { feature: 'faq', Region: 'eu' })),
];
console.log(`attribution parsing, ${n} iterations each (node ${process.version})`);
for (const r of rows) console.log(`${r.name.padEnd(40)} ${String(r.nsPerOp).padStart(6)} ns/op`);
