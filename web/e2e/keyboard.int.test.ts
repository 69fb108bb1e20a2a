/**
 * The workbench is usable from the keyboard alone, in Debian's headless Chromium against the real relay fed
 * by real traffic: Tab / Shift+Tab move through the nav and the pages, Enter follows links, Space toggles
 * checkboxes and expands a session's turn, arrow keys change a select; every element focused by the keyboard
 * shows a focus ring (a computed outline or box-shadow while it matches :focus-visible). No mouse, no
 * page.goto after the first page, elements found by role and visible text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import type { Browser, Locator, Page } from 'playwright-core';
import { waitFor } from '@llm-relay/testkit';
import { launchChromium, login } from './browser.ts';
import { startStack, type Stack } from './stack.ts';

let stack: Stack;
let browser: Browser;
let page: Page;
const ids: string[] = [];

const V1 = (order: number) => `You are the returns desk of Acme. The order is ${order}. Explain the return policy in two sentences.`;
const V2 = (order: number) => `You are the returns desk of Acme. The order is ${order}. Explain the return policy kindly in three sentences.`;

beforeAll(async () => {
  stack = await startStack();
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' })).newPage();
  const relay = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: stack.proxyKey, maxRetries: 0 });
  const send = async (system: string, user: string, headers: Record<string, string>) => {
    const { response } = await relay.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: system }, { role: 'user', content: user }] }, { headers }).withResponse();
    ids.push(response.headers.get('x-relay-log-id')!);
  };
  const a = { 'x-relay-user': 'carol', 'x-relay-session': 'sess-carol-1', 'x-relay-tags': 'returns,variant-a' };
  const b = { 'x-relay-user': 'dave', 'x-relay-session': 'sess-dave-1', 'x-relay-tags': 'returns,variant-b' };
  await send(V1(11), 'Can I return shoes?', a);
  await send(V1(12), 'And a jacket?', a);
  await send(V2(13), 'Can I return shoes?', b);
  const token = await (await fetch(`${stack.adminUrl}/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: stack.username, password: stack.password }) })).json() as { token: string };
  await waitFor(async () => (await fetch(`${stack.adminUrl}/admin/logs/${ids.at(-1)}`, { headers: { authorization: `Bearer ${token.token}` } })).ok || undefined, { what: 'the last log stored', timeoutMs: 30_000 });
  await login(page, stack.adminUrl, stack.username, stack.password);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const url = (path: string) => `${stack.adminUrl}/admin${path}`;
const nav = (name: string) => page.getByRole('navigation').getByRole('link', { name, exact: true });

/** What has the focus, for failure messages: tag and visible text. */
const focused = () => page.evaluate(() => `${document.activeElement?.tagName} "${(document.activeElement?.textContent ?? '').trim().slice(0, 40)}"`);

/**
 * Press Tab (or Shift+Tab) until `target` has the focus; fails with the path taken if it is not reached.
 * Then the focused element must show a ring: it matches :focus-visible and has a computed outline or shadow.
 */
async function tabTo(target: Locator, opts: { back?: boolean; max?: number } = {}): Promise<void> {
  await target.waitFor();
  const path: string[] = [];
  for (let i = 0; i < (opts.max ?? 40); i++) {
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
    if (await target.evaluate((el) => el === document.activeElement)) {
      const ring = await target.evaluate((el) => {
        const cs = getComputedStyle(el);
        const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
        return { focusVisible: el.matches(':focus-visible'), outline, outlineColor: cs.outlineColor, shadow: cs.boxShadow !== 'none' };
      });
      expect(ring.focusVisible, `${path.length} presses: focus is not visible`).toBe(true);
      expect(ring.outline || ring.shadow, `no focus ring on ${await focused()}: ${JSON.stringify(ring)}`).toBe(true);
      return;
    }
    path.push(await focused());
  }
  throw new Error(`the keyboard did not reach the target; focus went through: ${path.join(' → ')}`);
}

describe('the workbench from the keyboard alone', () => {
  it('reaches the nav with Tab and opens Prompts with Enter', async () => {
    await page.goto(url('/'));
    await page.getByTestId('tiles').and(page.locator('[data-ready=true]')).waitFor();
    await tabTo(nav('Prompts'));
    await page.keyboard.press('Enter');
    await page.waitForURL(url('/prompts'));
    await page.getByRole('heading', { name: 'Prompts', level: 1 }).waitFor();
  });

  it('opens a prompt family from the table with Enter', async () => {
    const family = page.getByTestId('prompts-table').getByRole('link', { name: /You are the returns desk/ });
    await tabTo(family);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/prompts\/pf_/);
    const timeline = page.getByTestId('version-timeline');
    await timeline.waitFor();
    await expect(timeline.getByRole('listitem').count()).resolves.toBe(2);
  });

  it('goes back up to the nav with Shift+Tab, opens Sessions, a session, and expands a turn with Space', async () => {
    await tabTo(nav('Sessions'), { back: true });
    await page.keyboard.press('Enter');
    await page.waitForURL(url('/sessions'));
    await tabTo(page.getByTestId('sessions-table').getByRole('link', { name: 'sess-carol-1' }));
    await page.keyboard.press('Enter');
    const timeline = page.getByTestId('session-timeline');
    await timeline.waitFor();
    // the turn's own toggle, by its name ("#2 <time> <model> <status>"): once expanded, the turn holds the log
    // detail and its many buttons, so "the button in the second item" would no longer name one element
    const second = timeline.getByRole('button', { name: /^#2 / });
    await tabTo(second);
    await page.keyboard.press('Space');
    await expect.poll(() => second.getAttribute('aria-expanded')).toBe('true');
    await timeline.getByTestId('conversation').waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => second.getAttribute('aria-expanded')).toBe('false');
  });

  it("uses Compare's controls: Space checks two values, an arrow key changes the dimension", async () => {
    await tabTo(nav('Compare'), { back: true });
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/compare/);
    const a = page.getByRole('checkbox', { name: /variant-a/ });
    const b = page.getByRole('checkbox', { name: /variant-b/ });
    await tabTo(a);
    await page.keyboard.press('Space');
    await tabTo(b);
    await page.keyboard.press('Space');
    await expect(a.isChecked()).resolves.toBe(true);
    await expect(b.isChecked()).resolves.toBe(true);
    const table = page.getByTestId('compare-table');
    await table.waitFor();
    await expect(table.getByRole('row').filter({ hasText: 'Calls' }).textContent()).resolves.toMatch(/2.*1/);
    // the dimension select, back up the page: ArrowDown picks the next dimension (tag → prompt version)
    const dim = page.getByTestId('compare-dim');
    await tabTo(dim, { back: true });
    await page.keyboard.press('ArrowDown');
    await page.waitForURL(/dim=promptVersion/);
    await expect(dim.inputValue()).resolves.toBe('promptVersion');
  });

  it('on Logs, Enter on a focused nav link follows the link even while a row is selected', async () => {
    await tabTo(nav('Logs'), { back: true });
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/logs/);
    await page.getByRole('tab', { name: 'History' }).waitFor();
    await tabTo(page.getByRole('tab', { name: 'History' }));
    await page.keyboard.press('Enter');
    await page.locator('a.log-row').first().waitFor();
    // the list's own keys: ArrowDown selects the first row
    await page.keyboard.press('ArrowDown');
    await page.locator('a.log-row.selected').waitFor();
    // before the fix, Enter here opened the selected log instead of the focused link
    await tabTo(nav('Prompts'), { back: true });
    await page.keyboard.press('Enter');
    await page.waitForURL(url('/prompts'));
    await page.getByRole('heading', { name: 'Prompts', level: 1 }).waitFor();
    // with nothing focused, Enter still opens the selected row
    await page.goBack();
    await page.locator('a.log-row').first().waitFor();
    // focus back on the page itself (as after a click on its background)
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/logs\/[0-9a-f-]{36}$/);
  });
});
