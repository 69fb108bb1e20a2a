import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Send one HTTP/1.1 request written by hand (a request line no HTTP client would produce: absolute-form,
 * dot segments, raw bytes) and read the answer until the server closes. `head` is the request line and
 * headers without the blank line; `connection: close` and content-length are added.
 */
export function rawHttp(port: number, head: string, body = '', timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error(`no answer within ${timeoutMs} ms to ${head.split('\r\n')[0]}`)));
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
      const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      let rest = text.slice(split + 4);
      if (headers['transfer-encoding'] === 'chunked') rest = unchunk(rest);
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body: rest });
    });
    const bytes = Buffer.byteLength(body);
    // written, not ended: the server may close a half-closed connection before it answers
    sock.write(`${head}\r\nconnection: close\r\ncontent-length: ${bytes}\r\n\r\n${body}`);
  });
}

function unchunk(s: string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const eol = s.indexOf('\r\n', i);
    if (eol < 0) return out;
    const n = parseInt(s.slice(i, eol), 16);
    if (!n) return out;
    out += s.slice(eol + 2, eol + 2 + n);
    i = eol + 2 + n + 2;
  }
}
