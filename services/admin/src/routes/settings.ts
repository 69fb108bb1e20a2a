import type { FastifyInstance } from 'fastify';
import { RelayError, SettingsSchema, type Settings } from '@llm-relay/contracts';
import { audit } from '../features/audit.ts';
import { republish } from '../features/snapshot/republish.ts';
import { AUTH_ERRORS, errors, patchOf } from '../schemas.ts';

/** Any subset of the settings; unknown names are refused so a typo does not silently do nothing. */
const SettingsPatch = patchOf(SettingsSchema);

export async function settingsRoutes(app: FastifyInstance): Promise<void> {
  const current = async (): Promise<Settings> => (await app.store.getSettings()) ?? SettingsSchema.parse({});

  app.get('/admin/settings', { config: { role: 'admin' }, schema: { tags: ['settings'], response: { 200: SettingsSchema, ...errors(...AUTH_ERRORS) } } }, current);

  app.put<{ Body: Record<string, unknown> }>(
    '/admin/settings',
    { config: { role: 'admin' }, schema: { tags: ['settings'], body: SettingsPatch, response: { 200: SettingsSchema, ...errors(...AUTH_ERRORS) } } },
    async (req) => {
      const before = await current();
      // merge only what was sent: parsing a partial with defaults would reset the fields left out
      const parsed = SettingsSchema.safeParse({ ...before, ...req.body });
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const param = issue.path.map(String).join('.');
        throw new RelayError('invalid_setting', `${param}: ${issue.message}`, { param });
      }
      await app.store.putSettings(parsed.data);
      const version = await republish(app, req);
      const changed = Object.keys(req.body).filter((k) => JSON.stringify(before[k as keyof Settings]) !== JSON.stringify(parsed.data[k as keyof Settings]));
      await audit(app, req, 'settings.update', null, { changed, version });
      return parsed.data;
    },
  );
}
