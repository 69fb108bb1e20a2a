import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { REPO_ROOT } from '@llm-relay/testkit';
import type { Results } from './report.ts';

function version(pkgPath: string): string {
  try {
    return (JSON.parse(readFileSync(resolve(REPO_ROOT, pkgPath), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
}

export function machineInfo(): Results['env'] {
  return {
    commit: git(['rev-parse', '--short=12', 'HEAD']),
    dirty: git(['status', '--porcelain', '--', 'services', 'packages']).length > 0,
    node: process.version,
    cpu: cpus()[0]?.model ?? '?',
    cores: cpus().length,
    memGiB: totalmem() / 2 ** 30,
    loadBefore: loadavg(),
    loadAfter: [],
    versions: {
      '@llm-relay/gateway': version('services/gateway/package.json'),
      '@portkey-ai/gateway': version('node_modules/@portkey-ai/gateway/package.json'),
      autocannon: version('node_modules/autocannon/package.json'),
      undici: version('node_modules/undici/package.json'),
      redis: '?',
    },
  };
}
