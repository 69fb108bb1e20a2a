import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCorpus, serializeCorpus } from './corpus/build.ts';
import { evaluate, formatTable, loadCorpus } from './corpus/metrics.ts';
import { createRedactor, REDACTION_TYPES } from '../../src/features/redaction/index.ts';

describe('redaction against the labelled corpus', () => {
  const corpus = loadCorpus();
  const result = evaluate(createRedactor(REDACTION_TYPES), corpus);

  it('is the corpus the seeded generator writes, with every type and both languages represented', () => {
    expect(readFileSync(new URL('./corpus.jsonl', import.meta.url), 'utf8')).toBe(serializeCorpus(buildCorpus()));
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    for (const t of REDACTION_TYPES) expect(result.byType[t].tp + result.byType[t].fn).toBeGreaterThanOrEqual(30);
    expect(corpus.filter((l) => /[\u4e00-\u9fff]/.test(l.text)).length).toBeGreaterThanOrEqual(100);
    expect(corpus.filter((l) => l.entities.length === 0).length).toBeGreaterThanOrEqual(100);
  });

  it('reaches the precision and recall the issue asks for', () => {
    console.log(`\n${formatTable(result)}\n`);
    for (const e of result.errors) console.log(`${e.kind} ${e.type} ${JSON.stringify(e.value)} in ${JSON.stringify(e.text)}`);
    for (const t of ['card', 'iban', 'cn_id'] as const) expect(result.byType[t].recall, t).toBe(1);
    expect(result.overall.precision).toBeGreaterThanOrEqual(0.95);
    expect(result.overall.recall).toBeGreaterThanOrEqual(0.95);
  });

  it('reports its throughput on 100 KB chat bodies (printed, not asserted)', () => {
    const redactor = createRedactor(REDACTION_TYPES);
    const prose =
      'The rollout of 2.3.1 failed at 12:30:45 because the pod had 3 replicas and a 512Mi limit; ' +
      '我们在周一的会议上讨论了这个问题，结论是把超时时间从 30 秒调到 60 秒。See https://docs.example.com/g?id=42. ';
    /** A chat-completions body of about 100 KB with a corpus line in every `nth` message. */
    const chatBody = (nth: number) => {
      const messages: { role: string; content: string }[] = [];
      for (let size = 0, i = 0; size < 100_000; i++) {
        const content = prose.repeat(3) + (i % nth === 0 ? corpus[i % corpus.length]!.text : '');
        messages.push({ role: i % 2 ? 'assistant' : 'user', content });
        size += Buffer.byteLength(content);
      }
      return { model: 'gpt-4o', messages };
    };
    // CPU time as well as wall time: on a shared machine the wall clock mostly measures the neighbours.
    const rate = (mb: number, run: () => unknown) => {
      for (let i = 0; i < 5; i++) run();
      const n = 40;
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      for (let i = 0; i < n; i++) run();
      const cpu = process.cpuUsage(c0);
      const wall = (performance.now() - t0) / 1000;
      return `${((mb * n) / wall).toFixed(1)} MB/s wall, ${((mb * n) / ((cpu.user + cpu.system) / 1e6)).toFixed(1)} MB/s CPU`;
    };
    for (const [label, nth] of [['PII in every message', 1], ['PII in one message of ten', 10]] as const) {
      const body = chatBody(nth);
      const text = JSON.stringify(body);
      const mb = Buffer.byteLength(text) / 1e6;
      const textRate = rate(mb, () => redactor.redactText(text));
      const jsonRate = rate(mb, () => redactor.redactJson(body));
      console.log(`${(mb * 1000).toFixed(0)} KB chat body, ${label}: redactText ${textRate}; redactJson ${jsonRate}`);
      expect(Object.keys(redactor.redactJson(body).counts).length).toBeGreaterThan(0);
    }
  });
});
