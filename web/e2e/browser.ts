import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { e2eEnv } from './env.ts';

/** Where every run leaves its screenshots (gitignored; named in web/README.md). */
export const SCREENSHOT_DIR = resolve(fileURLToPath(new URL('../screenshots', import.meta.url)));

/** Debian's Chromium, never a downloaded browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: e2eEnv.chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

export type Lang = 'en' | 'zh-CN';
export type ThemeName = 'light' | 'dark';

/** Language and theme as the user's own choice (localStorage), applied on the next load. */
export async function setPrefs(page: Page, lang: Lang, theme: ThemeName): Promise<void> {
  await page.evaluate(
    ([l, t]) => {
      localStorage.setItem('llm-relay.locale', l);
      localStorage.setItem('llm-relay.theme', t);
    },
    [lang, theme] as const,
  );
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: resolve(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Sign in through the login form, as a user does. */
export async function login(page: Page, adminUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${adminUrl}/admin/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${adminUrl}/admin/`);
}
