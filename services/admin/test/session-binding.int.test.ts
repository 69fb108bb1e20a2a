import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startAdmin, type AdminProcess } from './helper.ts';

let admin: AdminProcess;
let adminToken: string;
beforeAll(async () => {
  admin = await startAdmin('session-binding');
  adminToken = await admin.login();
});
afterAll(async () => {
  await admin?.close();
});

const call = (token: string, method: string, path: string, body?: unknown) =>
  fetch(`${admin.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
const putUser = async (username: string, password: string, role: 'viewer' | 'admin') => {
  const res = await call(adminToken, 'POST', '/admin/users', { username, password, role });
  expect([200, 201]).toContain(res.status);
};

describe('sessions are bound to the user record', () => {
  it('a password change ends the sessions issued before it; the new password logs in', async () => {
    await putUser('pat', 'first-password-1', 'viewer');
    const old = await admin.login({ username: 'pat', password: 'first-password-1' });
    expect((await call(old, 'GET', '/admin/me')).status).toBe(200);
    await putUser('pat', 'second-password-2', 'viewer');
    const after = await call(old, 'GET', '/admin/me');
    expect(after.status).toBe(401);
    expect((await after.json()).error.code).toBe('unauthorized');
    const fresh = await admin.login({ username: 'pat', password: 'second-password-2' });
    expect((await call(fresh, 'GET', '/admin/me')).status).toBe(200);
  });

  it('an old viewer token does not act as the admin created later under the same name', async () => {
    await putUser('robin', 'viewer-password-1', 'viewer');
    const viewerToken = await admin.login({ username: 'robin', password: 'viewer-password-1' });
    expect((await call(viewerToken, 'GET', '/admin/settings')).status).toBe(403);
    expect((await call(adminToken, 'DELETE', '/admin/users/robin')).status).toBe(204);
    await putUser('robin', 'admin-password-2', 'admin');
    expect((await call(viewerToken, 'GET', '/admin/me')).status).toBe(401);
    expect((await call(viewerToken, 'GET', '/admin/settings')).status).toBe(401);
    expect((await call(viewerToken, 'POST', '/admin/ws-ticket')).status).toBe(401);
    // the new admin's own session works
    const newAdmin = await admin.login({ username: 'robin', password: 'admin-password-2' });
    expect((await call(newAdmin, 'GET', '/admin/settings')).status).toBe(200);
  });

  it('a role change ends the sessions issued for the old role', async () => {
    await putUser('sam', 'sam-password-1', 'admin');
    const asAdmin = await admin.login({ username: 'sam', password: 'sam-password-1' });
    await putUser('sam', 'sam-password-1', 'viewer');
    expect((await call(asAdmin, 'GET', '/admin/me')).status).toBe(401);
    // the first admin's session is untouched by changes to other users
    expect((await call(adminToken, 'GET', '/admin/me')).status).toBe(200);
    expect((await (await call(adminToken, 'GET', '/admin/me')).json()).username).toBe(ADMIN.username);
  });

  it('an open live socket closes when its session ends: logout, password change, role change', async () => {
    const openLive = async (token: string): Promise<{ closed: Promise<number> }> => {
      const { ticket } = (await (await call(token, 'POST', '/admin/ws-ticket')).json()) as { ticket: string };
      const ws = new WebSocket(`${admin.url.replace('http', 'ws')}/admin/live?ticket=${ticket}`);
      await new Promise((resolve, reject) => {
        ws.addEventListener('open', resolve);
        ws.addEventListener('error', reject);
      });
      return { closed: new Promise<number>((resolve) => ws.addEventListener('close', (e) => resolve(e.code))) };
    };
    const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms))]);

    await putUser('lee', 'lee-password-1', 'viewer');
    const byPassword = await openLive(await admin.login({ username: 'lee', password: 'lee-password-1' }));
    await putUser('lee', 'lee-password-2', 'viewer');
    expect(await within(byPassword.closed, 15_000)).toBe(4401);

    const session = await admin.login({ username: 'lee', password: 'lee-password-2' });
    const byRole = await openLive(session);
    await putUser('lee', 'lee-password-2', 'admin');
    expect(await within(byRole.closed, 15_000)).toBe(4401);

    const loggedIn = await admin.login({ username: 'lee', password: 'lee-password-2' });
    const byLogout = await openLive(loggedIn);
    expect((await call(loggedIn, 'POST', '/admin/logout')).status).toBeLessThan(300);
    expect(await within(byLogout.closed, 15_000)).toBe(4401);

    // an unrelated change leaves another user's socket open
    const stays = await openLive(adminToken);
    await putUser('lee', 'lee-password-3', 'admin');
    await expect(within(stays.closed, 5_000)).rejects.toThrow('still open');
  });
});
