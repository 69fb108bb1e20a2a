import { BASE, isAppLink, matchRoute, type Route } from './routes.ts';

/** History API router: the current path and query as runes, updated on navigate and popstate. */
class Router {
  #path = $state(location.pathname);
  #search = $state(location.search);

  get path(): string {
    return this.#path;
  }
  get search(): string {
    return this.#search;
  }
  get query(): URLSearchParams {
    return new URLSearchParams(this.#search);
  }
  get route(): Route {
    return matchRoute(this.#path);
  }

  /** `to` is an app path like `/logs?model=x` (BASE added) or a full `/admin/...` path. */
  navigate(to: string, opts: { replace?: boolean } = {}): void {
    const full = to.startsWith(BASE + '/') || to === BASE ? to : BASE + (to.startsWith('/') ? to : `/${to}`);
    const url = new URL(full, location.origin);
    if (url.pathname + url.search === location.pathname + location.search) return;
    if (opts.replace) history.replaceState(null, '', url.pathname + url.search);
    else history.pushState(null, '', url.pathname + url.search);
    this.#sync();
  }

  /** Replace only the query string (filters), keeping the path; no new history entry unless asked. */
  setQuery(search: string, opts: { push?: boolean } = {}): void {
    const s = search && !search.startsWith('?') ? `?${search}` : search;
    const url = location.pathname + s;
    if (s === location.search) return;
    if (opts.push) history.pushState(null, '', url);
    else history.replaceState(null, '', url);
    this.#sync();
  }

  #sync(): void {
    this.#path = location.pathname;
    this.#search = location.search;
  }

  /** Wire popstate and in-app link clicks; returns the cleanup. */
  listen(): () => void {
    const onPop = () => this.#sync();
    const onClick = (ev: MouseEvent) => {
      const a = (ev.target as Element | null)?.closest?.('a');
      if (!a || !isAppLink(a, ev, location.origin)) return;
      ev.preventDefault();
      this.navigate(a.pathname + a.search);
    };
    addEventListener('popstate', onPop);
    document.addEventListener('click', onClick);
    return () => {
      removeEventListener('popstate', onPop);
      document.removeEventListener('click', onClick);
    };
  }
}

export const router = new Router();

export function href(path: string): string {
  return BASE + path;
}
