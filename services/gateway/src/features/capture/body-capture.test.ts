import { describe, expect, it } from 'vitest';
import { BodyCapture, captureBuffer } from './body-capture.ts';
import { CaptureBudget } from './capture-budget.ts';

describe('BodyCapture', () => {
  it('keeps the first max bytes and counts the rest', () => {
    const c = new BodyCapture(5);
    c.write(Buffer.from('abc'));
    c.write(Buffer.from('defgh'));
    expect(c.toCaptured('text/plain')).toEqual({ text: 'abcde', contentType: 'text/plain', bytes: 8, truncated: true });
  });
});

describe('CaptureBudget', () => {
  it('cuts a capture that finds the budget used up, flags it, and gives the room back', () => {
    const budget = new CaptureBudget(6000);
    const a = new BodyCapture(1 << 20, budget);
    const b = new BodyCapture(1 << 20, budget);
    a.write(Buffer.alloc(5000, 0x61));
    b.write(Buffer.alloc(3000, 0x62));
    const later = Buffer.from('later bytes are not captured once cut');
    b.write(later);
    expect(budget.inFlight).toBeLessThanOrEqual(6000);
    const cb = b.toCaptured('text/plain');
    expect(cb.truncated).toBe(true);
    expect(cb.text).toBe('b'.repeat(1000));
    expect(cb.bytes).toBe(3000 + later.length);
    expect(budget.cut).toBe(1);
    const ca = a.toCaptured('text/plain');
    expect(ca).toMatchObject({ bytes: 5000, truncated: false });
    // after toCaptured each holds exactly its text
    expect(a.held + b.held).toBe(6000);
    expect(budget.inFlight).toBe(6000);
    budget.give(a.held + b.held);
    expect(budget.inFlight).toBe(0);
  });

  it('copies what it keeps, so a chunk changed afterwards does not change the capture', () => {
    const c = new BodyCapture(100);
    const chunk = Buffer.from('hello');
    c.write(chunk);
    chunk.fill(0x78);
    expect(c.text()).toBe('hello');
  });

  it('a buffered body reserves its captured bytes for its holder', () => {
    const budget = new CaptureBudget(4);
    const holder = { held: 0 };
    expect(captureBuffer(Buffer.from('abcdef'), 100, 'text/plain', budget, holder)).toEqual({ text: 'abcd', contentType: 'text/plain', bytes: 6, truncated: true });
    expect(holder.held).toBe(4);
    expect(budget.cut).toBe(1);
  });
});
