/**
 * Tracking pixels: a logged `image_url` pointing at an outside host must not be fetched by the admin's
 * browser when the log is opened, only when the admin clicks to load it. The outside host is an HTTPS
 * receiver this test starts (the admin CSP allows https: images); it counts the requests that reach it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { freePort, tempDir, waitFor, type TempDir } from '@llm-relay/testkit';
import { launchChromium, login, setPrefs } from './browser.ts';
import { startStack, type Stack } from './stack.ts';

// a 1×1 transparent PNG
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
let stack: Stack;
let browser: Browser;
let page: Page;
let certs: TempDir;
let receiver: Server;
let pixelUrl: string;
const hits: string[] = [];

beforeAll(async () => {
  certs = tempDir('pixel-certs');
  const key = join(certs.path, 'key.pem');
  const cert = join(certs.path, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  receiver = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(PIXEL);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => receiver.listen(port, '127.0.0.1', resolve));
  pixelUrl = `https://127.0.0.1:${port}/pixel.png?who=log-viewer`;
  stack = await startStack();
  browser = await launchChromium();
  // the receiver's certificate is self-signed; without this the click could not prove that loading works
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', ignoreHTTPSErrors: true });
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  receiver?.close();
  certs?.remove();
});

describe('remote images in a logged conversation', () => {
  it('are not fetched when the log is opened, only after a click; the page says so in English and Chinese', async () => {
    const relay = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: stack.proxyKey, maxRetries: 0 });
    const { response } = await relay.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: [{ type: 'text', text: 'what is in this picture?' }, { type: 'image_url', image_url: { url: pixelUrl } }] }] })
      .withResponse();
    const id = response.headers.get('x-request-id')!;

    await login(page, stack.adminUrl, stack.username, stack.password);
    await waitFor(async () => {
      await page.goto(`${stack.adminUrl}/admin/logs/${id}`);
      return page.getByTestId('conversation').isVisible();
    }, { timeoutMs: 20_000, what: 'the log detail' });
    await page.getByTestId('conversation').getByText(pixelUrl).waitFor();
    await page.waitForLoadState('networkidle');
    expect(hits).toEqual([]);
    const placeholder = page.getByTestId('remote-image');
    await expect(page.getByTestId('conversation').textContent()).resolves.toContain(pixelUrl);
    await expect(page.locator('[data-testid=conversation] img').count()).resolves.toBe(0);

    await placeholder.getByRole('button', { name: 'Load image' }).click();
    await waitFor(() => hits.length === 1, { what: 'the image request after the click' });
    expect(hits[0]).toBe('/pixel.png?who=log-viewer');
    await expect(page.locator('[data-testid=conversation] img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).resolves.toBe(1);

    // in Chinese, opened again: not loaded until clicked
    await setPrefs(page, 'zh-CN', 'light');
    await page.reload();
    await page.getByTestId('remote-image').waitFor();
    await page.waitForLoadState('networkidle');
    expect(hits).toHaveLength(1);
    await expect(page.getByTestId('remote-image').textContent()).resolves.toContain('远程图片');
    await expect(page.getByTestId('remote-image').getByRole('button', { name: '加载图片' }).count()).resolves.toBe(1);
  });
});
