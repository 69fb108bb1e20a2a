import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { RelayError, uuidv7 } from '@llm-relay/contracts';
import type { AdminUser } from '@llm-relay/store';
import { audit } from '../features/audit.ts';
import { hashPassword } from '../features/auth/passwords.ts';
import { currentUser } from '../plugins/auth.ts';
import { AuditEntrySchema, AUTH_ERRORS, errors, RoleSchema, UserViewSchema } from '../schemas.ts';

const UserBody = z.strictObject({
  username: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, '1-64 letters, digits or . _ @ -'),
  password: z.string().min(8, 'at least 8 characters').max(1000),
  role: RoleSchema.default('viewer'),
});
const AuditQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100), before: z.coerce.number().optional() });
const view = (u: AdminUser) => ({ id: u.id, username: u.username, role: u.role, createdAt: u.createdAt });

export async function userRoutes(app: FastifyInstance): Promise<void> {
  const config = { role: 'admin' as const };

  app.get('/admin/users', { config, schema: { tags: ['users'], response: { 200: z.object({ items: z.array(UserViewSchema) }), ...errors(...AUTH_ERRORS) } } }, async () => ({
    items: (await app.store.listUsers()).map(view),
  }));

  app.post<{ Body: z.infer<typeof UserBody> }>(
    '/admin/users',
    { config, schema: { tags: ['users'], description: 'Create a user, or set the password and role of an existing one.', body: UserBody, response: { 201: UserViewSchema, 200: UserViewSchema, ...errors(...AUTH_ERRORS, 409) } } },
    async (req, reply) => {
      const { username, password, role } = req.body;
      const existing = await app.store.getUser(username);
      if (existing && existing.role === 'admin' && role !== 'admin' && (await adminCount()) <= 1) throw new RelayError('last_admin', 'The last admin cannot be demoted.', { param: 'role' });
      const user: AdminUser = { id: existing?.id ?? uuidv7(), username, role, passwordHash: await hashPassword(password), createdAt: existing?.createdAt ?? Date.now() };
      await app.store.upsertUser(user);
      await audit(app, req, existing ? 'user.update' : 'user.create', username, { role });
      return reply.code(existing ? 200 : 201).send(view(user));
    },
  );

  app.delete<{ Params: { username: string } }>(
    '/admin/users/:username',
    { config, schema: { tags: ['users'], params: z.object({ username: z.string().min(1).max(64) }), response: { 204: z.null(), ...errors(...AUTH_ERRORS, 404, 409) } } },
    async (req, reply) => {
      const { username } = req.params;
      if (username === currentUser(req).username) throw new RelayError('cannot_delete_self', 'You cannot delete yourself.', { param: 'username' });
      const user = await app.store.getUser(username);
      if (!user) throw new RelayError('user_not_found', `No user ${username}.`, { param: 'username' });
      if (user.role === 'admin' && (await adminCount()) <= 1) throw new RelayError('last_admin', 'The last admin cannot be deleted.', { param: 'username' });
      await app.store.deleteUser(username);
      await audit(app, req, 'user.delete', username);
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: z.infer<typeof AuditQuery> }>(
    '/admin/audit',
    { config, schema: { tags: ['audit'], description: 'Newest first; pass the last entry\'s `at` as `before` for the next page.', querystring: AuditQuery, response: { 200: z.object({ items: z.array(AuditEntrySchema) }), ...errors(...AUTH_ERRORS) } } },
    async (req) => ({ items: await app.store.listAudit({ limit: req.query.limit, ...(req.query.before !== undefined ? { before: req.query.before } : {}) }) }),
  );

  async function adminCount(): Promise<number> {
    return (await app.store.listUsers()).filter((u) => u.role === 'admin').length;
  }
}
