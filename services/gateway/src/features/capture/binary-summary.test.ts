import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BinarySummary } from './binary-summary.ts';

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
