import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { OutageLog } from './outage-log.ts';

function capture() {
  const lines: { level: number; msg: string; outageMs?: number; failures?: number }[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { log, lines };
}

describe('OutageLog', () => {
  it('logs the first failure, then only at a backoff, and the outage duration when it ends', () => {
    const { log, lines } = capture();
    let t = 1_000_000;
    const o = new OutageLog(log, 'snapshot read', () => t);
    // every 250 ms for 60 s: 240 failures
    for (let i = 0; i < 240; i++) {
      o.failed(new Error('ECONNREFUSED'));
      t += 250;
    }
    const warns = lines.filter((l) => l.level === 40);
    expect(warns[0]!.msg).toBe('snapshot read failed; retrying (logged again at a backoff while it lasts)');
    // 0 s, then at 5, 15, 35 s (5 s doubling): 4 lines instead of 240
    expect(warns).toHaveLength(4);
    expect(o.failing).toBe(true);
    o.succeeded();
    const end = lines.at(-1)!;
    expect(end.level).toBe(30);
    expect(end.msg).toBe('snapshot read recovered after 60.0 s');
    expect(end.outageMs).toBe(60_000);
    expect(end.failures).toBe(240);
    o.succeeded();
    expect(lines).toHaveLength(5);
  });
});
