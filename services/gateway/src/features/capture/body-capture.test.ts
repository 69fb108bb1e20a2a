import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BinarySummary, BodyCapture, CaptureBudget, captureBuffer } from './body-capture.ts';

function multipart(boundary: string, parts: { name: string; filename?: string; type?: string; body: Buffer | string }[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let h = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n`;
    if (p.type) h += `Content-Type: ${p.type}\r\n`;
    chunks.push(Buffer.from(`${h}\r\n`), Buffer.from(p.body), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

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

describe('BinarySummary', () => {
  const file = Buffer.alloc(100_000, 0x41);
  const body = multipart('XyZ', [
    { name: 'purpose', body: 'fine-tune' },
    { name: 'file', filename: 'data.jsonl', type: 'application/jsonl', body: file },
  ]);

  it.each([1, 7, 64, 4096, body.length])('summarises a multipart upload fed in %i-byte pieces', (size) => {
    const s = new BinarySummary('multipart/form-data; boundary=XyZ');
    for (let i = 0; i < body.length; i += size) s.write(body.subarray(i, i + size));
    const c = s.toCaptured();
    expect(c.bytes).toBe(body.length);
    expect(c.text).toBeUndefined();
    expect(c.summary).toEqual({
      sha256: createHash('sha256').update(body).digest('hex'),
      files: [{ field: 'file', filename: 'data.jsonl', contentType: 'application/jsonl', bytes: file.length }],
      fields: { purpose: 'fine-tune' },
    });
  });

  it('summarises a plain binary body by size and hash only', () => {
    const s = new BinarySummary('audio/mpeg');
    s.write(Buffer.from('ID3abc'));
    expect(s.toCaptured()).toEqual({ contentType: 'audio/mpeg', bytes: 6, truncated: false, summary: { sha256: createHash('sha256').update('ID3abc').digest('hex') } });
  });
});
