/**
 * The admin UI in Debian's headless Chromium against the real relay (mock provider, gateway, log
 * processor, admin as processes). Requests go through the gateway with the official openai SDK.
 * Every run leaves a screenshot of every page, in both languages and both themes, in web/screenshots/.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { waitFor } from '@llm-relay/testkit';
import { launchChromium, login, screenshot, setPrefs, type Lang, type ThemeName } from './browser.ts';
import { richConversation } from './traffic.ts';
import { startStack, type Stack } from './stack.ts';

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let relay: OpenAI;
const OTHER_MODEL = 'e2e-other-model';
let liveId = '';
let otherId = '';

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.adminUrl });
  page = await context.newPage();
  relay = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: stack.proxyKey, maxRetries: 0 });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const url = (path: string) => `${stack.adminUrl}/admin${path}`;

async function chat(model: string, content: string, opts: { apiKey?: string; headers?: Record<string, string> } = {}): Promise<string> {
  const client = opts.apiKey ? new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: opts.apiKey, maxRetries: 0 }) : relay;
  const { response } = await client.chat.completions.create({ model, messages: [{ role: 'user', content }] }, { headers: opts.headers }).withResponse();
  return response.headers.get('x-request-id')!;
}

describe('admin UI in Chromium against the real relay', () => {
  it('sends a signed-out user to the login page, rejects a wrong password, then lands where they were going', async () => {
    await page.goto(url('/keys'));
    await page.waitForURL(/\/admin\/login\?next=%2Fadmin%2Fkeys/);
    await page.fill('input[name=username]', stack.username);
    await page.fill('input[name=password]', 'wrong-password');
    await page.click('button[type=submit]');
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/Sign-in failed/);
    await page.fill('input[name=password]', stack.password);
    await page.click('button[type=submit]');
    await page.waitForURL(url('/keys'));
    await page.getByTestId('keys-table').waitFor();
  });

  it('shows a request made through the gateway in the live view as soon as it is stored', async () => {
    await page.goto(url('/logs'));
    await page.getByTestId('live-status').filter({ hasText: 'live' }).waitFor();
    const id = await chat('gpt-4o-mini', 'live view, are you there?');
    const answered = Date.now();
    // the page was loaded before the request: only the WebSocket can bring this row
    await page.locator(`a.log-row[data-id="${id}"]`).waitFor({ timeout: 10_000 });
    console.log(`live row visible ${Date.now() - answered} ms after the SDK got its answer`);
    liveId = id;
    await expect(page.locator(`a.log-row[data-id="${id}"]`).textContent()).resolves.toContain('live view, are you there?');
  });

  it('opens the detail from the keyboard and shows the conversation, JSON, timings, curl and replay', async () => {
    // a streamed exchange with reasoning, so the detail has more than one kind of part
    const stream = await relay.chat.completions.create(
      { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'stream with reasoning' }] },
      { headers: { 'x-mock-reasoning': '1' } },
    );
    for await (const _ of stream);
    await page.locator('a.log-row').filter({ hasText: 'stream with reasoning' }).waitFor();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/logs\/[0-9a-f-]{36}$/);
    const conv = page.getByTestId('conversation');
    await expect(conv.textContent()).resolves.toContain('stream with reasoning');
    await expect(conv.textContent()).resolves.toContain('Hello! You said');
    await expect(page.locator('details.reasoning summary').count()).resolves.toBeGreaterThan(0);
    await page.getByTestId('waterfall').waitFor();
    await expect(page.getByTestId('usage-source').textContent()).resolves.toMatch(/provider|injected|estimated/);

    await page.getByTestId('response-json').locator('input[type=search]').fill('finish_reason');
    await expect(page.getByTestId('response-json').textContent()).resolves.toMatch(/1 matches[\s\S]*"stop"/);

    await page.getByTestId('copy-curl').click();
    const curl = await page.evaluate(() => navigator.clipboard.readText());
    expect(curl).toContain('/v1/chat/completions');
    expect(curl).toContain('MASKED');
    expect(curl).not.toContain(stack.proxyKey);

    await page.getByTestId('replay-key').fill(stack.proxyKey);
    await page.getByRole('button', { name: 'Send through the relay' }).click();
    await expect(page.getByTestId('replay-result').textContent()).resolves.toContain('HTTP 200');
  });

  it('filters by model, keeps the filter in a shareable URL, and exports what the filter shows', async () => {
    otherId = await chat(OTHER_MODEL, 'a request for the filter');
    await page.goto(url('/logs?view=history'));
    await page.locator('a.log-row').first().waitFor();
    await page.fill('input[name=model]', OTHER_MODEL);
    await page.press('input[name=model]', 'Enter');
    await page.waitForURL(new RegExp(`model=${OTHER_MODEL}`));
    await page.locator(`a.log-row[data-id="${otherId}"]`).waitFor();
    const models = await page.locator('a.log-row span:nth-child(3)').allTextContents();
    expect(models.length).toBeGreaterThan(0);
    expect(new Set(models)).toEqual(new Set([OTHER_MODEL]));

    // the same URL in a fresh load shows the same view
    await page.reload();
    await expect(page.inputValue('input[name=model]')).resolves.toBe(OTHER_MODEL);
    await page.locator(`a.log-row[data-id="${otherId}"]`).waitFor();
    await expect(page.locator('a.log-row').count()).resolves.toBe(models.length);

    const [jsonl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-jsonl').click()]);
    const lines = readFileSync((await jsonl.path())!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; model: string });
    expect(lines.map((l) => l.id)).toContain(otherId);
    expect(new Set(lines.map((l) => l.model))).toEqual(new Set([OTHER_MODEL]));
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const rows = readFileSync((await csv.path())!, 'utf8').trim().split('\n');
    expect(rows).toHaveLength(lines.length + 1);
    expect(rows.slice(1).join('\n')).toContain(otherId);
    expect(rows.slice(1).join('\n')).not.toContain(liveId);
  });

  it('creates a key whose secret is shown once, uses it through the gateway, revokes it and sees it rejected', async () => {
    await page.goto(url('/keys'));
    await page.getByTestId('key-new').click();
    await page.fill('[data-testid=key-form] input[name=name]', 'e2e-ui-key');
    await page.fill('[data-testid=key-form] input[name=rpm]', '600');
    await page.getByTestId('key-save').click();
    const secret = (await page.getByTestId('secret').textContent())!.trim();
    expect(secret.length).toBeGreaterThan(20);
    await screenshot(page, 'en-light-keys-secret-once');
    await page.getByTestId('secret-dialog').getByRole('button', { name: 'Close' }).click();
    const row = page.locator('tr[data-key-name="e2e-ui-key"]');
    await expect(row.textContent()).resolves.toContain('600 rpm');
    expect(await row.textContent()).not.toContain(secret);

    const used = await waitFor(() => chat('gpt-4o-mini', 'with the new key', { apiKey: secret }), { timeoutMs: 5000, what: 'new key accepted' });
    expect(used).toBeTruthy();

    await row.getByTestId('key-disable').click();
    await row.getByTestId('key-status').filter({ hasText: 'Disabled' }).waitFor();
    const rejected = await waitFor(
      async () => {
        try {
          await chat('gpt-4o-mini', 'disabled key', { apiKey: secret });
          return null;
        } catch (err) {
          return err as InstanceType<typeof OpenAI.APIError>;
        }
      },
      { timeoutMs: 5000, what: 'disabled key rejected' },
    );
    expect(rejected.status).toBe(401);

    await row.getByTestId('key-delete').click();
    await page.getByTestId('confirm-ok').click();
    await row.waitFor({ state: 'detached' });
    await expect(chat('gpt-4o-mini', 'deleted key', { apiKey: secret })).rejects.toMatchObject({ status: 401 });
  });

  it('creates a provider, tests its connection, and deletes it after confirmation', async () => {
    await page.goto(url('/providers'));
    const mockBase = (await page.locator('[data-provider-id=default] dd.mono').nth(1).textContent())!.trim();
    await page.getByTestId('provider-new').click();
    const form = page.getByTestId('provider-form');
    await form.locator('input[name=name]').fill('Second mock');
    await form.locator('input[name=id]').fill('second');
    await form.locator('input[name=baseUrl]').fill(mockBase);
    await form.locator('textarea[name=apiKeys]').fill('sk-second-provider-key');
    await form.locator('textarea[name=models]').fill('routed-* => gpt-4o-mini');
    await page.getByTestId('provider-save').click();
    const card = page.locator('[data-provider-id=second]');
    await expect(card.textContent()).resolves.toContain('routed-* → gpt-4o-mini');
    expect(await card.textContent()).not.toContain('sk-second-provider-key');
    await card.getByTestId('provider-test').click();
    await expect(card.getByTestId('provider-test-result').textContent()).resolves.toMatch(/Connected/);
    await card.getByRole('button', { name: 'Delete' }).click();
    await page.getByTestId('confirm-ok').click();
    await card.waitFor({ state: 'detached' });

    await page.getByTestId('provider-test').first().click();
    await expect(page.getByTestId('provider-test-result').first().textContent()).resolves.toMatch(/Connected/);
    await screenshot(page, 'en-light-providers-tested');
    await page.getByRole('button', { name: 'Edit' }).first().click();
    await page.getByTestId('provider-form').waitFor();
    await screenshot(page, 'en-light-providers-edit');
    await page.getByTestId('provider-form').getByRole('button', { name: 'Cancel' }).click();
  });

  it('shows the server’s validation message next to the settings field', async () => {
    await page.goto(url('/settings'));
    await page.fill('input[name=httpTimeoutSeconds]', '-5');
    await page.getByTestId('settings-save').click();
    await page.getByTestId('error-httpTimeoutSeconds').waitFor();
    await screenshot(page, 'en-light-settings-invalid');
    await page.fill('input[name=httpTimeoutSeconds]', '90');
    await page.getByTestId('settings-save').click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await expect(page.getByTestId('error-httpTimeoutSeconds').count()).resolves.toBe(0);
    const settings = await page.evaluate(async () => (await fetch('/admin/settings', { headers: { accept: 'application/json' } })).json());
    expect(settings.httpTimeoutSeconds).toBe(90);
  });

  it('with redaction switched on in settings, the detail marks what was redacted', async () => {
    await page.goto(url('/settings'));
    await page.check('input[name=redactLogs]');
    await page.getByTestId('settings-save').click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    // the processor picks the setting up from the published snapshot; until then logs are stored as sent
    const stored = (rid: string) =>
      waitFor(async () => {
        const log = await page.evaluate(async (i) => (await fetch(`/admin/logs/${i}`, { headers: { accept: 'application/json' } })).json(), rid);
        return log?.id === rid ? (log as { redactions: Record<string, number> }) : null;
      });
    const id = await waitFor(
      async () => {
        const rid = await chat('gpt-4o-mini', 'write to zhang.wei@example.com please');
        return (await stored(rid)).redactions.email ? rid : null;
      },
      { timeoutMs: 20_000, intervalMs: 500, what: 'a redacted log' },
    );
    await page.goto(url(`/logs/${id}`));
    await expect(page.locator('mark.redacted').first().textContent()).resolves.toBe('[EMAIL]');
    await expect(page.getByText(/\d+ × email/).count()).resolves.toBeGreaterThan(0);
    await screenshot(page, 'en-light-log-detail-redacted');
  });

  it('shows a viewer only what a viewer may see, and the API’s own message when they go further', async () => {
    const created = await page.evaluate(async () => {
      const res = await fetch('/admin/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ username: 'e2e-viewer', password: 'viewer-password-1', role: 'viewer' }),
      });
      return res.status;
    });
    expect(created).toBeLessThan(300);
    const viewerContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const viewer = await viewerContext.newPage();
    await login(viewer, stack.adminUrl, 'e2e-viewer', 'viewer-password-1');
    await expect(viewer.locator('header nav a').allTextContents()).resolves.toEqual(['Dashboard', 'Logs', 'Prompts', 'Sessions', 'Compare', 'Playground']);
    await viewer.goto(url('/keys'));
    const alert = viewer.getByRole('alert');
    await alert.waitFor();
    const message = (await alert.textContent())!;
    expect(message.length).toBeGreaterThan(5);
    expect(message).not.toMatch(/^\s*403\s*$/);
    await screenshot(viewer, 'en-light-keys-as-viewer');
    await viewerContext.close();
  });

  it('screenshots every page in both languages and both themes', async () => {
    const richId = await richConversation(relay);
    await Promise.all([chat('gpt-4o-mini', 'one more for the charts'), chat(OTHER_MODEL, 'and another'), chat('gpt-4o-mini', 'this one fails', { headers: { 'x-mock-status': '500' } }).catch(() => null)]);
    const pages: { name: string; path: string; ready: string }[] = [
      { name: 'dashboard', path: '/?range=1h', ready: '[data-testid=tiles][data-ready=true]' },
      { name: 'logs', path: '/logs', ready: 'a.log-row' },
      { name: 'log-detail', path: `/logs/${richId}`, ready: '[data-testid=conversation]' },
      { name: 'keys', path: '/keys', ready: '[data-testid=keys-table]' },
      { name: 'providers', path: '/providers', ready: '[data-provider-id]' },
      { name: 'settings', path: '/settings', ready: '[data-testid=settings-save]' },
    ];
    const signedOut = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const loginPage = await signedOut.newPage();
    await loginPage.goto(url('/login'));
    for (const lang of ['en', 'zh-CN'] as Lang[]) {
      for (const theme of ['light', 'dark'] as ThemeName[]) {
        await setPrefs(loginPage, lang, theme);
        await loginPage.reload();
        await loginPage.locator('form').waitFor();
        await screenshot(loginPage, `${lang}-${theme}-login`);
        await setPrefs(page, lang, theme);
        for (const p of pages) {
          await page.goto(url(p.path));
          await page.locator(p.ready).first().waitFor();
          await expect(page.evaluate(() => [document.documentElement.lang, document.documentElement.dataset.theme])).resolves.toEqual([lang, theme]);
          await screenshot(page, `${lang}-${theme}-${p.name}`);
        }
      }
    }
    await signedOut.close();
    // the dashboard's range and breakdown are in its URL, and its numbers come from the real roll-ups
    await page.goto(url('/?range=1h&dim=provider'));
    await expect(page.locator('[data-testid=breakdown] button.on').textContent()).resolves.toBe('供应商');
    await page.locator('[data-testid=tiles][data-ready=true]').waitFor();
    const requests = Number((await page.locator('[data-testid=tiles] .tile b').first().textContent())!.replace(/\D/g, ''));
    expect(requests).toBeGreaterThanOrEqual(8);
    await expect(page.getByTestId('breakdown').textContent()).resolves.toContain('default');
    // the Chinese UI really is Chinese
    await expect(page.locator('header nav').textContent()).resolves.toContain('日志');
  });
});
