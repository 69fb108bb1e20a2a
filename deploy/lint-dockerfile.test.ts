import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { projectRules, stages } from './lint-dockerfile.ts';

const dockerfile = readFileSync(new URL('Dockerfile', import.meta.url), 'utf8');

describe('Dockerfile project rules', () => {
  it('accept the shipped Dockerfile', () => {
    expect(projectRules(dockerfile)).toEqual([]);
    expect(stages(dockerfile).map((s) => s.name)).toEqual(expect.arrayContaining(['gateway', 'processor', 'admin', 'web-build']));
  });

  it('reject an image that runs as root', () => {
    expect(projectRules(dockerfile.replace(/^USER node$/m, 'USER root'))).toContain('gateway: must end as a non-root USER');
  });

  it('reject dev dependencies in an image', () => {
    const withDev = dockerfile.replace('npm ci --omit=dev --ignore-scripts --workspace services/log-processor', 'npm ci --workspace services/log-processor');
    expect(projectRules(withDev)).toContain('processor: dependencies must come from an `npm ci --omit=dev` stage');
  });

  it('reject an admin image without the web UI', () => {
    expect(projectRules(dockerfile.replace(/^COPY --from=web-build.*$/m, ''))).toContain('admin: the built web UI is not copied in');
  });
});
