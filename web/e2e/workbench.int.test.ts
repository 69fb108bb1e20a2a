/**
 * The prompt-engineering workbench (Prompts, Sessions, Compare, Playground, feedback, attribution filters)
 * in Debian's headless Chromium against the real relay, fed by real traffic through the gateway with the
 * official openai SDK. Pages are driven by visible text and roles; every new page is screenshotted in both
 * languages and both themes to web/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { waitFor } from '@llm-relay/testkit';
import { launchChromium, login, screenshot, setPrefs, type Lang, type ThemeName } from './browser.ts';
import { startStack, type Stack } from './stack.ts';

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let relay: OpenAI;
const ids: Record<string, string> = {};

const V1 = (date: string, order: number) =>
  `You are the support assistant of Acme. Today is ${date}. Answer the customer about order ${order} politely and in two sentences at most.`;
const V2 = (date: string, order: number) =>
  `You are the support assistant of Acme. Today is ${date}. Answer the customer about order ${order} politely, warmly and in three sentences at most, and offer a discount code.`;
const OTHER = 'Translate the following text into French. Keep the formatting of lists and code blocks unchanged.';

async function chat(system: string, user: string, headers: Record<string, string>, model = 'gpt-4o-mini'): Promise<string> {
  const { response } = await relay.chat.completions
    .create({ model, messages: [{ role: 'system', content: system }, { role: 'user', content: user }] }, { headers })
    .withResponse();
  return response.headers.get('x-relay-log-id')!;
}

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  page = await context.newPage();
  relay = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: stack.proxyKey, maxRetries: 0 });
  // variant a: template v1 in one session of alice's; variant b: the reworded template v2; then an unrelated prompt
  const a = { 'x-relay-user': 'alice', 'x-relay-session': 'sess-alice-1', 'x-relay-tags': 'support,variant-a', 'x-relay-property-variant': 'a' };
  const b = { 'x-relay-user': 'bob', 'x-relay-session': 'sess-bob-1', 'x-relay-tags': 'support,variant-b', 'x-relay-property-variant': 'b' };
  ids.a1 = await chat(V1('2026-12-01', 1001), 'Where is my parcel?', a);
  ids.a2 = await chat(V1('2026-12-02', 2002), 'It still has not arrived.', a);
  ids.a3 = await chat(V1('2026-12-03', 3003), 'Thanks!', a);
  ids.b1 = await chat(V2('2026-12-03', 4004), 'Where is my parcel?', b);
  ids.b2 = await chat(V2('2026-12-04', 5005), 'Can I return it?', b);
  ids.o1 = await chat(OTHER, '- one\n- two', { 'x-relay-tags': 'translate' });
  await waitFor(async () => {
    const res = await fetch(`${stack.adminUrl}/admin/logs/${ids.o1}`, { headers: { authorization: `Bearer ${await token()}` } });
    return res.ok || undefined;
  }, { what: 'the last log stored', timeoutMs: 30_000 });
  await login(page, stack.adminUrl, stack.username, stack.password);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

let cachedToken = '';
async function token(): Promise<string> {
  if (cachedToken) return cachedToken;
  const res = await fetch(`${stack.adminUrl}/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: stack.username, password: stack.password }) });
  cachedToken = ((await res.json()) as { token: string }).token;
  return cachedToken;
}

const url = (path: string) => `${stack.adminUrl}/admin${path}`;

describe('the prompt-engineering workbench in Chromium', () => {
  it('lists the prompt families found in traffic and shows a family with its versions, a diff and per-version numbers', async () => {
    await page.goto(url('/'));
    await page.getByRole('navigation').getByRole('link', { name: 'Prompts' }).click();
    await page.waitForURL(url('/prompts'));
    const table = page.getByTestId('prompts-table');
    // the support family (two wordings) and the translation family
    const support = table.getByRole('row').filter({ hasText: /You are the support assistant/ });
    await support.waitFor();
    await expect(support.getByRole('cell').nth(1).textContent()).resolves.toBe('2');
    await expect(table.getByRole('row').filter({ hasText: /Translate the following/ }).count()).resolves.toBe(1);
    await support.getByRole('link').click();
    await page.getByTestId('version-timeline').waitFor();
    await expect(page.getByTestId('version-timeline').getByRole('listitem').count()).resolves.toBe(2);
    const versions = page.getByTestId('versions-table');
    await expect(versions.getByRole('row').filter({ hasText: 'v1' }).getByRole('cell').nth(1).textContent()).resolves.toBe('3');
    await expect(versions.getByRole('row').filter({ hasText: 'v2' }).getByRole('cell').nth(1).textContent()).resolves.toBe('2');
    // the diff: v1 → v2 adds "warmly" and the discount code; the date and order are placeholders on both sides
    const diff = page.getByTestId('version-diff');
    await expect(diff.locator('.add').allTextContents()).resolves.toEqual(expect.arrayContaining([expect.stringContaining('warmly')]));
    expect((await diff.locator('.ph').count()) >= 4).toBe(true);
    await screenshot(page, 'en-light-prompt-family');
  });

  it('renames a family and jumps from a version to its logs', async () => {
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('Name').fill('Order support');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Order support' }).waitFor();
    await page.getByTestId('versions-table').getByRole('row').filter({ hasText: 'v2' }).getByRole('link', { name: 'Logs' }).click();
    await page.waitForURL(/\/admin\/logs\?view=history&promptVersion=/);
    await page.locator(`a.log-row[data-id="${ids.b1}"]`).waitFor();
    await expect(page.locator('a.log-row').count()).resolves.toBe(2);
  });

  it('shows sessions and a session as one conversation timeline that opens into the log detail', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Sessions' }).click();
    const row = page.getByTestId('sessions-table').getByRole('row').filter({ hasText: 'sess-alice-1' });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('alice');
    await screenshot(page, 'en-light-sessions');
    await row.getByRole('link', { name: 'sess-alice-1' }).click();
    const timeline = page.getByTestId('session-timeline');
    await timeline.waitFor();
    await expect(timeline.getByRole('listitem').count()).resolves.toBe(3);
    // in time order: the first turn asked where the parcel is
    await expect(timeline.getByRole('listitem').first().textContent()).resolves.toContain('Where is my parcel?');
    await timeline.getByRole('listitem').nth(1).getByRole('button').click();
    await timeline.getByTestId('conversation').waitFor();
    await expect(timeline.getByTestId('attribution').textContent()).resolves.toContain('sess-alice-1');
    await screenshot(page, 'en-light-session');
  });

  it('compares two tags side by side and marks the differences', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Compare' }).click();
    await page.getByRole('checkbox', { name: /variant-a/ }).check();
    await page.getByRole('checkbox', { name: /variant-b/ }).check();
    const table = page.getByTestId('compare-table');
    await table.waitFor();
    await expect(table.getByRole('row').filter({ hasText: 'Calls' }).textContent()).resolves.toMatch(/3.*2/);
    expect(page.url()).toContain('values=variant-a%2Cvariant-b');
    await screenshot(page, 'en-light-compare');
  });

  it('records thumbs-up feedback from the log detail, shows it in the table and filters by it', async () => {
    await page.goto(url(`/logs/${ids.a2}`));
    const feedback = page.getByTestId('feedback');
    await feedback.getByLabel('Comment').fill('clear and short');
    await feedback.getByRole('button', { name: /Good/ }).click();
    await feedback.getByTestId('scores').getByText('clear and short').waitFor();
    await page.goto(url('/logs?view=history&scored=true'));
    await page.locator(`a.log-row[data-id="${ids.a2}"]`).waitFor();
    await expect(page.locator('a.log-row').count()).resolves.toBe(1);
    await expect(page.locator(`a.log-row[data-id="${ids.a2}"] [data-testid=row-score]`).textContent()).resolves.toBe('👍');
    // the attribution in a detail links to what it names
    await page.goto(url(`/logs/${ids.a2}`));
    await page.getByTestId('attribution').getByRole('link', { name: 'variant-a' }).click();
    await page.waitForURL(/tag=variant-a/);
    await page.locator(`a.log-row[data-id="${ids.a1}"]`).waitFor();
    await expect(page.locator('a.log-row').count()).resolves.toBe(3);
  });

  it('opens a log in the playground, runs it on two models through the gateway and diffs with the original', async () => {
    await page.goto(url(`/logs/${ids.b1}`));
    await page.getByRole('link', { name: 'Open in playground' }).click();
    await page.waitForURL(/\/admin\/playground\?log=/);
    // the editor fills in once the log has loaded
    await expect.poll(() => page.getByLabel('Message 1').inputValue(), { timeout: 15_000 }).toContain('discount code');
    await page.getByLabel('Message 2').fill('Where is my parcel, please?');
    await page.getByRole('button', { name: '+ Model' }).click();
    await page.getByLabel('Model 2').fill('gpt-4o');
    await page.getByRole('button', { name: 'Run' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('relay key');
    await page.getByLabel('Relay key').fill(stack.proxyKey);
    await page.getByRole('button', { name: 'Run' }).click();
    const runs = page.getByTestId('playground-runs');
    await runs.waitFor();
    // both runs end (done or failed); a failure's message is in the panel, so print it before asserting
    await waitFor(async () => ((await runs.getByText(/^(done|failed)$/).count()) === 2) || undefined, { what: 'both runs to end', timeoutMs: 30_000 });
    const texts = await runs.getByRole('region').allTextContents();
    expect(texts, texts.join(' | ')).toEqual([expect.stringContaining('done'), expect.stringContaining('done')]);
    await expect(runs.getByRole('region', { name: 'gpt-4o', exact: true }).textContent()).resolves.toContain('Where is my parcel, please?');
    await page.getByTestId('version-diff').waitFor();
    await screenshot(page, 'en-light-playground');
    // each run is a logged exchange tagged playground and linked to its source log
    await runs.getByRole('region', { name: 'gpt-4o', exact: true }).getByRole('link', { name: 'Its log' }).click();
    const attribution = page.getByTestId('attribution');
    await attribution.waitFor();
    await expect(attribution.textContent()).resolves.toContain('playground');
    await expect(attribution.textContent()).resolves.toContain(ids.b1);
  });

  it('screenshots the workbench pages in both languages and both themes', async () => {
    const families = (await (await fetch(`${stack.adminUrl}/admin/prompts`, { headers: { authorization: `Bearer ${await token()}` } })).json()) as { items: { id: string; versionCount: number }[] };
    const family = families.items.find((f) => f.versionCount === 2)!.id;
    const pages = [
      { name: 'prompts', path: '/prompts', ready: '[data-testid=prompts-table] a' },
      { name: 'prompt-family', path: `/prompts/${family}`, ready: '[data-testid=version-diff]' },
      { name: 'sessions', path: '/sessions', ready: '[data-testid=sessions-table] a' },
      { name: 'session', path: '/sessions/sess-alice-1', ready: '[data-testid=session-timeline] li' },
      { name: 'compare', path: '/compare?dim=tag&range=1h&values=variant-a,variant-b', ready: '[data-testid=compare-table]' },
      { name: 'playground', path: `/playground?log=${ids.a1}`, ready: 'textarea' },
    ];
    for (const lang of ['en', 'zh-CN'] as Lang[]) {
      for (const theme of ['light', 'dark'] as ThemeName[]) {
        await setPrefs(page, lang, theme);
        for (const p of pages) {
          await page.goto(url(p.path));
          await page.locator(p.ready).first().waitFor();
          await screenshot(page, `${lang}-${theme}-${p.name}`);
        }
      }
    }
    // the Chinese UI names the new pages in Chinese
    await expect(page.locator('header nav').textContent()).resolves.toMatch(/提示词.*会话.*对比/);
  });
});
