/**
 * Projects and budgets in the admin UI, in Debian's headless Chromium against the real relay: a project made in
 * the form, a key put in it from the Keys page, real calls through the gateway with that key (the official
 * openai SDK), and the spend bar, the project's keys and the Logs and Keys filters following the stored logs.
 * The Projects page is screenshotted in both languages and both themes to web/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import type { Browser, Locator, Page } from 'playwright-core';
import type { ProjectView } from '@llm-relay/contracts';
import { waitFor } from '@llm-relay/testkit';
import { launchChromium, login, screenshot, setPrefs, type Lang, type ThemeName } from './browser.ts';
import { startStack, type Stack } from './stack.ts';

let stack: Stack;
let browser: Browser;
let page: Page;
/** priced by an override below at $20,000 per 1M tokens (2 cents a token), so a few calls make visible spend */
const PRICED = 'e2e-budget-model';
/** no price anywhere: counts as $0 and is flagged */
const UNPRICED = 'e2e-unpriced-model';
let projectId = '';
let secret = '';
let otherSecret = '';
const projectLogs: string[] = [];
let otherLog = '';

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  page = await context.newPage();
  await login(page, stack.adminUrl, stack.username, stack.password);
  await adminApi('PUT', '/admin/settings', { priceOverrides: { [PRICED]: { input: 20_000, output: 20_000 } } });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const url = (path: string) => `${stack.adminUrl}/admin${path}`;

/** The admin API with the browser's session cookie (what the page itself would send). */
async function adminApi<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await page.evaluate(
    async ([m, p, b]) => {
      const r = await fetch(p, { method: m, headers: { 'content-type': 'application/json', accept: 'application/json' }, body: b === undefined ? undefined : JSON.stringify(b) });
      return { status: r.status, text: await r.text() };
    },
    [method, path, body] as const,
  );
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return (res.text ? JSON.parse(res.text) : undefined) as T;
}

/** One chat call through the gateway with a relay key; resolves with its log id once that log is stored. */
async function call(apiKey: string, model: string): Promise<string> {
  const client = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey, maxRetries: 0 });
  const { response } = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'how much did this cost?' }] }).withResponse();
  const id = response.headers.get('x-request-id')!;
  return waitFor(async () => ((await adminApi<{ id: string }>('GET', `/admin/logs/${id}`).catch(() => null))?.id === id ? id : null), { what: `log ${id} stored`, timeoutMs: 20_000, intervalMs: 200 });
}

/** A select by its label: a select's accessible name also holds its options' text, so match the start. */
const select = (scope: Page | Locator, label: string) => scope.getByRole('combobox', { name: new RegExp(`^${label}`) });
const card = () => page.locator(`[data-testid=project][data-project-name="Search team"]`);
/** The project's spend as its bar reports it (aria-valuenow), after a refresh of the page's data. */
async function barSpend(): Promise<number> {
  await page.getByRole('button', { name: 'Refresh' }).click();
  return Number(await card().getByRole('meter').first().getAttribute('aria-valuenow'));
}

describe('projects and budgets in Chromium', () => {
  it('creates a project with a budget from the form, with the API’s own message for a bad field', async () => {
    await page.goto(url('/'));
    await page.getByRole('navigation').getByRole('link', { name: 'Projects' }).click();
    await page.waitForURL(url('/projects'));
    await page.getByText('No projects yet').waitFor();
    await page.getByTestId('project-new').click();
    const form = page.getByTestId('project-form');
    await form.getByLabel('Name').fill('Search team');
    await form.getByLabel('Amount (USD)').fill('1000');
    await select(form, 'Period').selectOption('month');
    // a URL the browser accepts but the API refuses: its message appears under the field
    await form.getByLabel('Alert webhook URL').fill('ftp://hooks.example.com/budget');
    await page.getByTestId('project-save').click();
    const error = form.getByTestId('error-alertWebhookUrl');
    await error.waitFor();
    await expect(error.textContent()).resolves.toMatch(/http/i);
    await form.getByLabel('Alert webhook URL').fill('');
    await form.getByLabel('Alert thresholds (% of the budget)').fill('50, eighty');
    await page.getByTestId('project-save').click();
    await expect(form.getByTestId('error-alertThresholds').textContent()).resolves.toContain('positive numbers');
    await form.getByLabel('Alert thresholds (% of the budget)').fill('50, 80, 100');
    await page.getByTestId('project-save').click();
    await card().waitFor();
    projectId = (await card().getAttribute('data-project-id'))!;
    await expect(card().getByTestId('spend-text').first().textContent()).resolves.toBe('$0 of $1000.00 (0%)');
    await expect(card().getByTestId('spend').first().getAttribute('data-level')).resolves.toBe('ok');
    await expect(card().textContent()).resolves.toMatch(/per month · resets \d{4}-\d\d-01 00:00 UTC/);
    await expect(card().textContent()).resolves.toContain('No keys in this project yet');
  });

  it('puts a new key in the project from the Keys page, with an own budget', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Keys' }).click();
    await page.getByTestId('key-new').click();
    const form = page.getByTestId('key-form');
    await form.getByLabel('Name').fill('search-key');
    await select(form, 'Project').selectOption({ label: 'Search team' });
    await form.getByLabel('Amount (USD)').fill('500');
    await select(form, 'Period').selectOption('day');
    await page.getByTestId('key-save').click();
    secret = (await page.getByTestId('secret').textContent())!.trim();
    await page.getByTestId('secret-dialog').getByRole('button', { name: 'Close' }).click();
    const row = page.locator('tr[data-key-name="search-key"]');
    await expect.poll(() => row.getByTestId('key-project').textContent()).toBe('Search team');
    await expect(row.textContent()).resolves.toContain('$500.00 per day');
    // a second key outside the project, for the filters
    otherSecret = (await adminApi<{ secret: string }>('POST', '/admin/api-keys', { name: 'other-key' })).secret;
  });

  it('moves the spend bar and lists the key with its own spend as calls go through the gateway', async () => {
    // the processor prices with the override once it has read the published settings: call until a log is
    // priced (a call before that had no known price, and is flagged like the unpriced model's)
    let unpriced = 1;
    await waitFor(
      async () => {
        const id = await call(secret, PRICED);
        projectLogs.push(id);
        const usd = (await adminApi<{ cost: { usd: number | null } }>('GET', `/admin/logs/${id}`)).cost.usd;
        if (usd === null) unpriced++;
        return usd || null;
      },
      { what: 'a priced call', timeoutMs: 30_000 },
    );
    projectLogs.push(await call(secret, UNPRICED));
    otherLog = await call(otherSecret, PRICED);

    await page.getByRole('navigation').getByRole('link', { name: 'Projects' }).click();
    const first = await waitFor(async () => (await barSpend()) || null, { what: 'spend on the bar', timeoutMs: 20_000, intervalMs: 300 });
    await expect(card().getByTestId('unpriced').textContent()).resolves.toMatch(unpriced === 1 ? /^\s*One call had no known price and counts as \$0/ : new RegExp(`^\\s*${unpriced} calls had no known price and count as \\$0`));
    const keyRow = card().getByTestId('project-keys').getByRole('row').filter({ hasText: 'search-key' });
    await expect(keyRow.getByTestId('spend-text').textContent()).resolves.toMatch(/^\$[\d.]+ of \$500\.00/);
    await expect(card().getByTestId('project-keys').getByRole('row').filter({ hasText: 'other-key' }).count()).resolves.toBe(0);

    projectLogs.push(await call(secret, PRICED));
    await waitFor(
      async () => {
        const now = await barSpend();
        return now > first || null;
      },
      { what: 'the bar to move', timeoutMs: 20_000, intervalMs: 300 },
    );
    // the trend chart names the project that spent
    await expect(page.getByTestId('project-trend').locator('figcaption').textContent()).resolves.toContain('Search team');
    await screenshot(page, 'en-light-projects-spending');
  });

  it('turns the bar amber from 80 % and red from 100 % of the budget when the budget is edited', async () => {
    // no calls are made from here on: the project's spend stays what the API says now
    const spend = (await adminApi<{ items: ProjectView[] }>('GET', '/admin/projects')).items.find((p) => p.id === projectId)!.spend.usd;
    await card().getByRole('button', { name: 'Edit' }).click();
    const form = page.getByTestId('project-form');
    await form.getByLabel('Amount (USD)').fill((spend / 0.9).toFixed(6));
    await page.getByTestId('project-save').click();
    await form.waitFor({ state: 'detached' });
    // the project's own bar is the first; the list reloads after the save
    await card().locator('[data-testid=spend]').first().and(page.locator('[data-level=warn]')).waitFor();
    await card().getByRole('button', { name: 'Edit' }).click();
    await form.getByLabel('Amount (USD)').fill((spend / 2).toFixed(6));
    await page.getByTestId('project-save').click();
    await form.waitFor({ state: 'detached' });
    await card().locator('[data-testid=spend]').first().and(page.locator('[data-level=over]')).waitFor();
    await expect(card().getByTestId('spend-text').first().textContent()).resolves.toMatch(/\(200%\)/);
    await screenshot(page, 'en-light-projects-over');
  });

  it('narrows Keys and Logs to the project', async () => {
    await page.goto(url('/keys'));
    await page.locator('tr[data-key-name="other-key"]').waitFor();
    await select(page, 'Project').selectOption({ label: 'Search team' });
    await page.waitForURL(new RegExp(`projectId=${projectId}`));
    await page.locator('tr[data-key-name="other-key"]').waitFor({ state: 'detached' });
    await expect(page.locator('tr[data-key-name]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key-name')))).resolves.toEqual(['search-key']);
    await select(page, 'Project').selectOption({ label: 'All projects' });
    await page.locator('tr[data-key-name="other-key"]').waitFor();

    // from the project's own link to its logs: only the calls made with its key
    await page.goto(url('/projects'));
    await card().getByRole('link', { name: 'Logs' }).click();
    await page.waitForURL(new RegExp(`/admin/logs\\?view=history&projectId=${projectId}`));
    await page.locator(`a.log-row[data-id="${projectLogs.at(-1)}"]`).waitFor();
    const shown = await page.locator('a.log-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
    expect(shown.sort()).toEqual([...projectLogs].sort());
    await expect(select(page, 'Project').inputValue()).resolves.toBe(projectId);
    // the filter is in the form too: clearing it brings the other key's call back
    await select(page, 'Project').selectOption('');
    await page.locator(`a.log-row[data-id="${otherLog}"]`).waitFor();
  });

  it('screenshots the Projects page in both languages and both themes', async () => {
    for (const lang of ['en', 'zh-CN'] as Lang[]) {
      for (const theme of ['light', 'dark'] as ThemeName[]) {
        await setPrefs(page, lang, theme);
        await page.goto(url('/projects'));
        await card().getByTestId('project-keys').waitFor();
        await page.getByTestId('project-trend').locator('svg path').first().waitFor();
        await screenshot(page, `${lang}-${theme}-projects`);
      }
    }
    await expect(page.locator('header nav').textContent()).resolves.toContain('项目');
    await expect(card().getByTestId('unpriced').textContent()).resolves.toContain('没有已知价格');
    await setPrefs(page, 'en', 'light');
  });

  it('deletes a project after confirmation; its key stays, outside any project', async () => {
    await page.goto(url('/projects'));
    await card().getByTestId('project-delete').click();
    await page.getByTestId('confirm-ok').click();
    await card().waitFor({ state: 'detached' });
    await page.getByText('No projects yet').waitFor();
    await page.goto(url('/keys'));
    await expect.poll(() => page.locator('tr[data-key-name="search-key"]').getByTestId('key-project').textContent()).toBe('–');
  });
});
