import { resolve } from 'node:path';

export type DatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'mongodb'; uri: string };

/**
 * `DATABASE_URL` picks the adapter by scheme:
 * `sqlite:./data/llm-relay.db` (relative to the process cwd), `sqlite:///abs/path.db`, `sqlite::memory:`,
 * `mongodb://…` or `mongodb+srv://…`.
 */
export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): DatabaseTarget {
  if (url.startsWith('mongodb://') || url.startsWith('mongodb+srv://')) return { kind: 'mongodb', uri: url };
  if (url.startsWith('sqlite:')) {
    let rest = url.slice('sqlite:'.length);
    if (rest === ':memory:' || rest === '//:memory:') return { kind: 'sqlite', path: ':memory:' };
    // sqlite:///abs → /abs ; sqlite://rel → rel (the URL form with an empty host)
    if (rest.startsWith('//')) rest = rest.slice(2);
    if (!rest) throw new Error(`DATABASE_URL "${url}" names no file`);
    return { kind: 'sqlite', path: resolve(cwd, decodeURIComponent(rest)) };
  }
  throw new Error(`DATABASE_URL must start with sqlite: or mongodb:// (got "${url.replace(/\/\/[^@/]*@/, '//***@')}")`);
}
