import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startAdmin, type AdminProcess } from './helper.ts';

let admin: AdminProcess;
beforeAll(async () => {
  admin = await startAdmin('login-race', { LOGIN_MAX_ATTEMPTS: '10' });
});
afterAll(async () => {
  await admin?.close();
});

const login = (password: string) =>
  fetch(`${admin.url}/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: ADMIN.username, password }) });

describe('login brute force', () => {
  it('40 parallel wrong passwords against a limit of 10: at most 10 are checked, the rest are 429', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => login(`wrong-${i}`)));
    const statuses = answers.map((r) => r.status);
    const checked = statuses.filter((s) => s === 401).length;
    const refused = statuses.filter((s) => s === 429).length;
    expect(checked + refused).toBe(40);
    expect(checked).toBeLessThanOrEqual(10);
    expect(refused).toBeGreaterThanOrEqual(30);
    const last = answers.find((r) => r.status === 429)!;
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await last.json()).error.code).toBe('too_many_login_attempts');
    // the right password is refused too while the window lasts: the limit is on attempts, not on failures
    expect((await login(ADMIN.password)).status).toBe(429);
  });
});
