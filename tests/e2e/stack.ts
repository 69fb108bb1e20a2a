/**
 * The relay as separate real processes (testkit's startRelayStack), plus a logged-in admin client for the
 * stored logs. (full-path.int.test.ts uses `relay.ts start` instead.)
 */
import { startRelayStack, waitFor } from '@llm-relay/testkit';

export interface E2EStack {
  prefix: string;
  mockUrl: string;
  gatewayUrl: string;
  adminUrl: string;
  proxyKey: string;
  /** GET an admin API path with a logged-in session */
  admin<T>(path: string): Promise<{ status: number; body: T }>;
  /** the stored log of an exchange, once the processor has written it */
  log<T>(id: string): Promise<T>;
  stop(): Promise<void>;
}

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function startStack(label = 'e2e'): Promise<E2EStack> {
  const stack = await startRelayStack({ label, redisUrl: REDIS_URL });
  try {
    const token = await stack.login();
    const admin = async <T>(path: string): Promise<{ status: number; body: T }> => {
      const res = await fetch(`${stack.adminUrl}${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
      return { status: res.status, body: (await res.json()) as T };
    };
    const log = <T>(id: string): Promise<T> =>
      waitFor(
        async () => {
          const r = await admin<T>(`/admin/logs/${id}`);
          return r.status === 200 ? r.body : null;
        },
        { timeoutMs: 15_000, what: `stored log ${id}` },
      );
    const { prefix, mockUrl, gatewayUrl, adminUrl, proxyKey, stop } = stack;
    return { prefix, mockUrl, gatewayUrl, adminUrl, proxyKey, admin, log, stop };
  } catch (err) {
    await stack.stop();
    throw err;
  }
}
