import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@llm-relay/testkit';
import { localEdgeConfig } from './edge-config.ts';

const shipped = readFileSync(new URL('../edge/haproxy.cfg', import.meta.url), 'utf8');
const haproxy = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((p) => spawnSync(p, ['-v']).status === 0);

describe('localEdgeConfig', () => {
  const local = localEdgeConfig(shipped, { port: 18000, upstreams: { gateway: [9001, 9002, 9003], admin: [9100] } });

  it('points each replica at its loopback port and keeps routing and health checks', () => {
    expect(local).toMatch(/server gateway1 127\.0\.0\.1:9001\n/);
    expect(local).toMatch(/server gateway3 127\.0\.0\.1:9003\n/);
    expect(local).toMatch(/server admin1 127\.0\.0\.1:9100\n/);
    expect(local).toContain('bind 127.0.0.1:18000');
    expect(local).toContain('use_backend admin if to_admin');
    expect(local).toContain('option httpchk GET /healthz');
    expect(local).toContain('timeout server 660s');
  });

  it('drops the Docker DNS resolver, which does not exist outside compose', () => {
    const directives = local.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
    expect(directives).not.toMatch(/resolvers|init-addr|127\.0\.0\.11|server-template/);
  });

  it('refuses a config whose upstream has no local ports', () => {
    expect(() => localEdgeConfig(shipped, { port: 1, upstreams: { gateway: [1] } })).toThrow(/admin/);
  });

  it.skipIf(!haproxy)('is accepted by a real haproxy without warnings', () => {
    const dir = tempDir('edge');
    try {
      const file = join(dir.path, 'haproxy.cfg');
      writeFileSync(file, localEdgeConfig(shipped, { port: 18000, upstreams: { gateway: [9001], admin: [9100] }, statsSocket: join(dir.path, 'stats.sock') }));
      const res = spawnSync(haproxy!, ['-c', '-f', file], { encoding: 'utf8' });
      expect(res.status, res.stderr).toBe(0);
      expect(res.stderr + res.stdout).not.toContain('[WARNING]');
    } finally {
      dir.remove();
    }
  });
});
