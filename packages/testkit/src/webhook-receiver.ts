import { createServer, type Server } from 'node:http';
import { once } from 'node:events';

export interface WebhookReceiver {
  url: string;
  /** every POST body received, parsed, in arrival order, with the path it came to */
  received: { path: string; body: unknown }[];
  close(): Promise<void>;
}

/**
 * A real HTTP server that records what webhooks POST to it. A path starting with `/fail` answers 500 (a
 * broken receiver); anything else answers 200.
 */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: WebhookReceiver['received'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '/', body: JSON.parse(Buffer.concat(chunks).toString() || 'null') });
      res.statusCode = req.url?.startsWith('/fail') ? 500 : 200;
      res.end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
