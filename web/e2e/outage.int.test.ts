/**
 * The dashboard tells the truth during outages, in Debian's headless Chromium against the real relay on a
 * Redis of this test's own (so it can be killed): a SIGKILLed log processor (queue growing), a frozen gateway
 * replica, and Redis itself down. Each time the page must say so in words (both languages), not keep showing
 * the last good state as current, and must come back to normal once the part is restarted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { OwnRedis, waitFor } from '@llm-relay/testkit';
import { launchChromium, login, screenshot } from './browser.ts';
import { startStack, type Stack } from './stack.ts';

const REDIS_PORT = 7505;
const redis = new OwnRedis('web-outage');
let stack: Stack;
let browser: Browser;
let page: Page;
let relay: OpenAI;

beforeAll(async () => {
  redis.port = REDIS_PORT;
  await redis.start();
  // one-second heartbeats: a silent replica is stale after two seconds; a fixed id, as a deployment gives its replica
  stack = await startStack({ redisUrl: redis.url, env: { HEARTBEAT_MS: '1000', PROCESSOR_ID: 'proc-e2e-1' } });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' })).newPage();
  relay = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: stack.proxyKey, maxRetries: 0 });
  await login(page, stack.adminUrl, stack.username, stack.password);
});

afterAll(async () => {
  await browser?.close();
  for (const part of ['gateway', 'processor'] as const) stack?.relay.process(part)?.kill('SIGCONT');
  await stack?.stop();
  await redis.remove();
});

const health = () => page.getByTestId('health');
const alerts = () => page.getByTestId('health-alert');
const processor = () => health().getByTestId('processor-replica').filter({ hasText: 'proc-e2e-1' });
const gateway = () => health().getByTestId('gateway-replica');

/** Press the dashboard's Refresh until `check` holds (the page also refreshes by itself every 10 s). */
async function refreshUntil(what: string, check: () => Promise<boolean>): Promise<void> {
  await waitFor(
    async () => {
      await page.getByRole('button', { name: /^(Refresh|刷新)$/ }).click();
      await page.waitForTimeout(300);
      return (await check()) || undefined;
    },
    { what, timeoutMs: 30_000, intervalMs: 500 },
  );
}

/** Switch the UI to Chinese with its language menu (no reload: admin may be unable to sign the page in). */
async function inChinese(check: () => Promise<void>): Promise<void> {
  await page.getByTestId('lang').selectOption('zh-CN');
  try {
    await page.getByRole('button', { name: '刷新' }).click();
    await check();
  } finally {
    await page.getByTestId('lang').selectOption('en');
  }
}

async function healthy(): Promise<boolean> {
  return (
    (await alerts().count()) === 0 &&
    (await page.getByTestId('health-outdated').count()) === 0 &&
    (await processor().getAttribute('data-stale')) === 'false' &&
    (await gateway().first().getAttribute('data-stale')) === 'false'
  );
}

describe('the dashboard during outages', () => {
  it('starts healthy: live replicas and no alert', async () => {
    await page.goto(`${stack.adminUrl}/admin/`);
    await processor().waitFor();
    await refreshUntil('a healthy system', healthy);
  });

  it('says no processor runs and how much waits while the processor is killed, and recovers after its restart', async () => {
    const proc = stack.relay.process('processor')!;
    proc.kill('SIGKILL');
    await proc.exited;
    for (let i = 0; i < 5; i++) await relay.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `while the processor is down ${i}` }] });
    await refreshUntil('the processor shown stale and the backlog announced', async () => (await processor().getAttribute('data-stale')) === 'true' && (await alerts().count()) === 1);
    await expect(alerts().textContent()).resolves.toBe('No log processor is running: 5 exchanges are waiting in the queue. They are stored once a processor is back.');
    await expect(processor().textContent()).resolves.toContain('stale');
    await screenshot(page, 'en-light-dashboard-processor-down');
    await inChinese(async () => {
      await alerts().getByText(/没有正在运行的日志处理器/).waitFor();
      await expect(alerts().textContent()).resolves.toContain('没有正在运行的日志处理器：队列中有 5 个请求在等待');
      await expect(processor().textContent()).resolves.toContain('失联');
      await screenshot(page, 'zh-CN-light-dashboard-processor-down');
    });

    await stack.relay.stopPart('processor');
    await stack.relay.startPart('processor');
    await refreshUntil('the restarted processor live and the queue drained', async () => (await healthy()) && (await health().getByText(/^0\s*waiting$/).count()) === 1);
  });

  it('says no gateway reports while the only gateway is frozen, and recovers when it runs again', async () => {
    stack.relay.process('gateway')!.kill('SIGSTOP');
    try {
      await refreshUntil('the gateway shown stale', async () => (await gateway().first().getAttribute('data-stale')) === 'true');
      await expect(alerts().textContent()).resolves.toBe('No gateway replica is reporting: every listed gateway is stale.');
      await inChinese(async () => {
        await alerts().getByText(/网关/).waitFor();
        await expect(alerts().textContent()).resolves.toBe('没有正在上报的网关副本：列出的网关均已失联。');
      });
    } finally {
      stack.relay.process('gateway')!.kill('SIGCONT');
    }
    await refreshUntil('the gateway live again', healthy);
  });

  it('marks the status as outdated, with the reason, while Redis is down, and shows it live again after', async () => {
    await redis.kill();
    try {
      await refreshUntil('the status marked outdated', async () => (await page.getByTestId('health-outdated').count()) === 1);
      await expect(page.getByTestId('health-outdated').textContent()).resolves.toMatch(/^The system status could not be refreshed \(Redis is unreachable\)\. What is shown is from .+ and may no longer be true\.$/);
      // the last known state stays visible, but marked, not presented as current; so do the numbers
      await expect(health().getAttribute('data-outdated')).resolves.toBe('true');
      await page.getByRole('alert').filter({ hasText: /^The numbers could not be refreshed \(Redis is unreachable\); they are from .+\.$/ }).waitFor();
      await screenshot(page, 'en-light-dashboard-redis-down');
      await inChinese(async () => {
        await page.getByTestId('health-outdated').getByText(/Redis 无法连接/).waitFor({ timeout: 15_000 });
        await expect(page.getByTestId('health-outdated').textContent()).resolves.toMatch(/^无法刷新系统状态（Redis 无法连接）。以下是 .+ 时的状态，可能已不再准确。$/);
        await page.getByRole('alert').filter({ hasText: '无法刷新统计数字（Redis 无法连接）' }).waitFor();
        await screenshot(page, 'zh-CN-light-dashboard-redis-down');
      });
    } finally {
      await redis.start();
    }
    await refreshUntil('the status live again', healthy);
    await expect(health().getAttribute('data-outdated')).resolves.toBe('false');
  });
});
