/** One part of a multipart/form-data body. */
export interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** A small binary-safe multipart/form-data parser: enough for the files and audio uploads the SDK sends. */
export function parseMultipart(body: Buffer, contentType: string | undefined): Part[] {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  if (!m) return [];
  const delim = Buffer.from(`--${m[1] ?? m[2]}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delim);
  while (pos >= 0) {
    const start = pos + delim.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delim, start);
    if (next < 0) break;
    // each part: CRLF, headers, CRLF CRLF, data, CRLF, then the next delimiter
    const chunk = body.subarray(start + 2, next - 2);
    const sep = chunk.indexOf('\r\n\r\n');
    if (sep >= 0) {
      const head = chunk.subarray(0, sep).toString('utf8');
      const name = /[;\s]name="([^"]*)"/i.exec(head)?.[1] ?? '';
      const filename = /filename="([^"]*)"/i.exec(head)?.[1];
      const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1];
      parts.push({ name, filename, contentType: type, data: chunk.subarray(sep + 4) });
    }
    pos = next;
  }
  return parts;
}

export function field(parts: Part[], name: string): string | undefined {
  return parts.find((p) => p.name === name && p.filename === undefined)?.data.toString('utf8');
}
