/**
 * The real relay for the browser tests: the UI built by Vite into a temp dir, then testkit's relay stack
 * (mock provider, `admin init`, gateway, log processor, admin as separate processes, with this run's own
 * ports, Redis prefix and SQLite file) with admin serving that build.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { e2eEnv } from './env.ts';
import { NODE_BIN, REPO_ROOT, startRelayStack, tempDir, type RelayStack } from '@llm-relay/testkit';

const run = promisify(execFile);

export interface Stack {
  /** this run's Redis key prefix */
  prefix: string;
  gatewayUrl: string;
  adminUrl: string;
  proxyKey: string;
  username: string;
  password: string;
  /** stop admin and start it again on the same port and store (a deploy, a crash) */
  restartAdmin(): Promise<void>;
  /** admin is down until `start()` is called: for tests of what the UI does meanwhile */
  stopAdmin(): Promise<{ start(): Promise<void> }>;
  /** the relay's processes, for tests that stop, signal or restart one of them */
  relay: RelayStack;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** default the machine's Redis (REDIS_URL); a test that takes Redis down brings its own */
  redisUrl?: string;
  /** env added to what every relay process gets */
  env?: Record<string, string>;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const ui = tempDir('web-e2e-ui');
  const dist = join(ui.path, 'dist');
  try {
    await run(NODE_BIN, [resolve(REPO_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: resolve(REPO_ROOT, 'web'),
    });
    const stack = await startRelayStack({
      label: 'web',
      redisUrl: opts.redisUrl ?? e2eEnv.redisUrl,
      env: opts.env,
      webDistDir: dist,
      proxyKey: 'sk-web-e2e-proxy-key',
      credentials: { username: 'admin', password: 'web-e2e-password' },
      gatewayId: 'gw-e2e-1',
    });
    const stopAdmin = async () => {
      await stack.stopPart('admin');
      return { start: () => stack.startPart('admin') };
    };
    return {
      prefix: stack.prefix,
      gatewayUrl: stack.gatewayUrl,
      adminUrl: stack.adminUrl,
      proxyKey: stack.proxyKey,
      ...stack.credentials,
      stopAdmin,
      relay: stack,
      restartAdmin: async () => (await stopAdmin()).start(),
      stop: async () => {
        await stack.stop();
        ui.remove();
      },
    };
  } catch (err) {
    ui.remove();
    throw err;
  }
}
