import { describe, expect, it } from 'vitest';
import { RejectSampler } from './reject-sampler.ts';

describe('RejectSampler', () => {
  it('records one refusal per client IP per second', () => {
    const s = new RejectSampler();
    const t = 1_000_000;
    expect([s.admit('1.1.1.1', t), s.admit('1.1.1.1', t + 10), s.admit('2.2.2.2', t + 20), s.admit('1.1.1.1', t + 999)]).toEqual([true, false, true, false]);
    expect(s.admit('1.1.1.1', t + 1000)).toBe(true);
  });

  it('holds a global bound when every request claims another address (a spoofed X-Forwarded-For)', () => {
    const s = new RejectSampler({ globalPerSecond: 20 });
    const t = 5_000_000;
    const admitted = Array.from({ length: 500 }, (_, i) => s.admit(`10.0.${i >> 8}.${i & 255}`, t + i)).filter(Boolean).length;
    expect(admitted).toBe(20);
  });

  it('keeps its memory bounded', () => {
    const s = new RejectSampler({ globalPerSecond: 1e9, maxIps: 100 });
    for (let i = 0; i < 10_000; i++) s.admit(`ip-${i}`, 9_000_000);
    expect((s as unknown as { lastByIp: Map<string, number> }).lastByIp.size).toBeLessThanOrEqual(100);
  });
});
