import type { Handler } from './types.ts';

interface PatternRoute {
  method: string;
  re: RegExp;
  handler: Handler;
}

/** Exact paths hit a Map (the hot routes); `:param` paths fall back to a short list of regexes. */
export class Router {
  #exact = new Map<string, Handler>();
  #patterns: PatternRoute[] = [];

  on(method: string, path: string, handler: Handler): this {
    if (!path.includes(':')) {
      this.#exact.set(`${method} ${path}`, handler);
      return this;
    }
    const re = new RegExp(`^${path.replace(/:[a-z_]+/g, '([^/]+)')}$`);
    this.#patterns.push({ method, re, handler });
    return this;
  }

  match(method: string, path: string): { handler: Handler; params: string[] } | undefined {
    const h = this.#exact.get(`${method} ${path}`);
    if (h) return { handler: h, params: [] };
    for (const r of this.#patterns) {
      if (r.method !== method) continue;
      const m = r.re.exec(path);
      if (m) return { handler: r.handler, params: m.slice(1).map(decodeURIComponent) };
    }
    return undefined;
  }
}
