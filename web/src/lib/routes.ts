/** Route table of the single-page app; the admin server answers every /admin/* navigation with index.html. */
export type RouteName =
  | 'login'
  | 'dashboard'
  | 'logs'
  | 'log'
  | 'prompts'
  | 'prompt'
  | 'sessions'
  | 'session'
  | 'compare'
  | 'playground'
  | 'keys'
  | 'projects'
  | 'providers'
  | 'settings'
  | 'notFound';

export interface Route {
  name: RouteName;
  params: Record<string, string>;
}

export const BASE = '/admin';

const TABLE: { name: RouteName; pattern: RegExp; keys: string[] }[] = [
  { name: 'login', pattern: /^\/login\/?$/, keys: [] },
  { name: 'dashboard', pattern: /^\/?$/, keys: [] },
  { name: 'logs', pattern: /^\/logs\/?$/, keys: [] },
  { name: 'log', pattern: /^\/logs\/([^/]+)\/?$/, keys: ['id'] },
  { name: 'prompts', pattern: /^\/prompts\/?$/, keys: [] },
  { name: 'prompt', pattern: /^\/prompts\/([^/]+)\/?$/, keys: ['id'] },
  { name: 'sessions', pattern: /^\/sessions\/?$/, keys: [] },
  { name: 'session', pattern: /^\/sessions\/([^/]+)\/?$/, keys: ['id'] },
  { name: 'compare', pattern: /^\/compare\/?$/, keys: [] },
  { name: 'playground', pattern: /^\/playground\/?$/, keys: [] },
  { name: 'keys', pattern: /^\/keys\/?$/, keys: [] },
  { name: 'projects', pattern: /^\/projects\/?$/, keys: [] },
  { name: 'providers', pattern: /^\/providers\/?$/, keys: [] },
  { name: 'settings', pattern: /^\/settings\/?$/, keys: [] },
];

export function matchRoute(pathname: string): Route {
  if (pathname !== BASE && !pathname.startsWith(`${BASE}/`)) return { name: 'notFound', params: {} };
  const rest = pathname.slice(BASE.length);
  for (const r of TABLE) {
    const m = r.pattern.exec(rest);
    if (m) {
      const params: Record<string, string> = {};
      r.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1]!)));
      return { name: r.name, params };
    }
  }
  return { name: 'notFound', params: {} };
}

/** Whether a click on this anchor should be handled by the client router rather than the browser. */
export function isAppLink(a: HTMLAnchorElement, ev: MouseEvent, origin: string): boolean {
  if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return false;
  if (a.target && a.target !== '_self') return false;
  if (a.hasAttribute('download') || a.rel.split(' ').includes('external')) return false;
  const url = new URL(a.href, origin);
  if (url.origin !== origin) return false;
  return matchRoute(url.pathname).name !== 'notFound';
}
