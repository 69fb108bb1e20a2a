import { createHash, type Hash } from 'node:crypto';
import type { CapturedBody } from '@llm-relay/contracts';

interface PartInfo {
  field: string;
  filename?: string;
  contentType?: string;
  bytes: number;
  value?: string;
}

const FIELD_VALUE_MAX = 1024;
const HEADER_MAX = 16 * 1024;

/**
 * Summarises a binary or multipart body as it streams by: size, SHA-256, and for multipart the file
 * names, their sizes and the small text fields (`purpose`, `model`). Never keeps the content.
 */
export class BinarySummary {
  bytes = 0;
  private readonly hash: Hash = createHash('sha256');
  private readonly delim: Buffer | null;
  private tail: Buffer;
  private state: 'preamble' | 'headers' | 'body' | 'done' = 'body';
  private part: PartInfo | null = null;
  private readonly parts: PartInfo[] = [];
  private readonly contentType: string | undefined;

  constructor(contentType: string | undefined) {
    this.contentType = contentType;
    const m = contentType ? /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType) : null;
    this.delim = m && /^multipart\//i.test(contentType ?? '') ? Buffer.from(`\r\n--${m[1] ?? m[2]}`) : null;
    // a leading CRLF makes the first boundary look like every other one
    this.tail = Buffer.from('\r\n');
    if (this.delim) this.state = 'preamble';
  }

  write(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    if (this.delim && this.state !== 'done') this.scan(chunk);
  }

  private scan(chunk: Buffer): void {
    const delim = this.delim!;
    let buf = this.tail.length ? Buffer.concat([this.tail, chunk]) : chunk;
    for (;;) {
      if (this.state === 'headers') {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          this.tail = buf.length > HEADER_MAX ? Buffer.alloc(0) : buf;
          return;
        }
        this.part = parsePartHeaders(buf.subarray(0, end).toString('latin1'));
        this.state = 'body';
        buf = buf.subarray(end + 4);
        continue;
      }
      const idx = buf.indexOf(delim);
      if (idx < 0) {
        const keep = Math.min(buf.length, delim.length - 1);
        this.consume(buf.subarray(0, buf.length - keep));
        this.tail = Buffer.from(buf.subarray(buf.length - keep));
        return;
      }
      this.consume(buf.subarray(0, idx));
      if (this.part) this.parts.push(this.part);
      this.part = null;
      const after = buf.subarray(idx + delim.length);
      if (after.length < 2) {
        // cannot tell yet whether this is the closing boundary; keep the delimiter and look again
        this.tail = Buffer.from(buf.subarray(idx));
        if (this.state === 'body') this.state = 'preamble';
        return;
      }
      if (after[0] === 0x2d && after[1] === 0x2d) {
        this.state = 'done';
        return;
      }
      this.state = 'headers';
      buf = after.subarray(2);
    }
  }

  private consume(data: Buffer): void {
    const p = this.part;
    if (!p || this.state !== 'body') return;
    p.bytes += data.length;
    if (!p.filename && (p.value?.length ?? 0) < FIELD_VALUE_MAX) p.value = (p.value ?? '') + data.toString('utf8', 0, Math.min(data.length, FIELD_VALUE_MAX));
  }

  /** The values of every text field named `name`, in order (a field sent twice appears twice). */
  fieldValues(name: string): string[] {
    return this.parts.filter((p) => p.filename === undefined && p.field === name).map((p) => p.value ?? '');
  }

  toCaptured(): CapturedBody {
    const files = this.parts.filter((p) => p.filename !== undefined).map((p) => ({ field: p.field, filename: p.filename!, contentType: p.contentType, bytes: p.bytes }));
    const fields: Record<string, string> = {};
    for (const p of this.parts) if (p.filename === undefined && p.value !== undefined) fields[p.field] = p.value.slice(0, FIELD_VALUE_MAX);
    return {
      contentType: this.contentType,
      bytes: this.bytes,
      truncated: false,
      summary: { sha256: this.hash.digest('hex'), ...(this.delim ? { files, fields } : {}) },
    };
  }
}

function parsePartHeaders(text: string): PartInfo {
  const name = /(?:^|[;\s])name="([^"]*)"/i.exec(text)?.[1] ?? '';
  const filename = /filename="([^"]*)"/i.exec(text)?.[1];
  const contentType = /content-type:\s*([^\r\n]+)/i.exec(text)?.[1]?.trim();
  return { field: name, filename, contentType, bytes: 0 };
}
