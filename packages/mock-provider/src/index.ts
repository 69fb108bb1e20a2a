import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { modeDefaults } from './behaviour.ts';
import { createMockServer } from './server.ts';
import type { MockDefaults, RecordedRequest } from './types.ts';

export type { Behaviour, MockDefaults, MockMode, RecordedRequest } from './types.ts';
export { modeDefaults } from './behaviour.ts';

export interface MockProviderOptions {
  /** 0 (default) picks a free port */
  port?: number;
  host?: string;
  defaults?: Partial<MockDefaults>;
}

export interface MockProvider {
  /** base URL as the openai SDK takes it, ending in /v1 */
  url: string;
  port: number;
  /** recorded requests, oldest first (a bounded ring) */
  readonly requests: RecordedRequest[];
  /** forget recorded requests, fail counters and stored objects */
  reset(): void;
  close(): Promise<void>;
}

export async function createMockProvider(opts: MockProviderOptions = {}): Promise<MockProvider> {
  const defaults: MockDefaults = { ...modeDefaults(opts.defaults?.mode ?? 'instant'), ...opts.defaults };
  const mock = createMockServer(defaults);
  const host = opts.host ?? '127.0.0.1';
  mock.server.listen(opts.port ?? 0, host);
  await once(mock.server, 'listening');
  const port = (mock.server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${port}/v1`,
    port,
    get requests() {
      return mock.recorder.list();
    },
    reset: () => mock.resetState(),
    close: async () => {
      // hung requests (x-mock-hang) and keep-alive sockets would otherwise hold close() forever
      mock.server.closeAllConnections();
      await new Promise<void>((res) => mock.server.close(() => res()));
    },
  };
}
