import { afterEach, describe, expect, it } from 'vitest';
import { render } from '@testing-library/svelte';
import SystemHealth from './SystemHealth.svelte';
import { i18n } from '../lib/i18n.svelte.ts';
import type { SystemInfo } from '../lib/types.ts';

const NOW = 1_800_000_000_000;

function system(over: { storeUnavailableSince?: number | null; processorStale?: boolean; waiting?: number; unstored?: [number, number] } = {}): SystemInfo {
  return {
    gateways: (over.unstored ?? [0, 0]).map((unstored, i) => ({ id: `gw-${i + 1}`, startedAt: NOW - 60_000, lastSeen: NOW - 1000, stale: false, inflight: 0, journalBytes: 0, dropped: 0, unstored })),
    processors: [{ id: 'proc-1', startedAt: NOW - 60_000, lastSeen: NOW - 1000, stale: over.processorStale ?? false, processed: 10, failed: 0, storeUnavailableSince: over.storeUnavailableSince ?? null }],
    queue: { waiting: over.waiting ?? 0, active: 0, delayed: 0, failed: 0, completed: 10 },
    store: { kind: 'mongodb', features: { ttlIndexes: false, textSearch: false } },
    proxyBaseUrl: 'http://relay.example',
    version: '0.1.0',
  } as SystemInfo;
}

afterEach(() => {
  i18n.locale = 'en';
});

describe('<SystemHealth> says what is down', () => {
  it('no alert while every replica is live and the store takes writes', () => {
    const { queryAllByRole } = render(SystemHealth, { system: system(), now: NOW });
    expect(queryAllByRole('alert')).toEqual([]);
  });

  it('the store refusing writes: consumption paused, since when, and how much waits (both languages)', () => {
    // what waits is the exchanges the gateways count as not yet stored, not the queue's jobs (each a batch)
    const props = { system: system({ storeUnavailableSince: NOW - 95_000, waiting: 3, unstored: [40, 2] }), now: NOW };
    const en = render(SystemHealth, props);
    expect(en.getByRole('alert').textContent).toBe('The store has refused writes for 1m: consumption is paused and 42 exchanges are waiting. None is lost; they are stored when the store takes writes again.');
    en.unmount();
    i18n.locale = 'zh-CN';
    const zh = render(SystemHealth, props);
    expect(zh.getByRole('alert').textContent).toContain('存储已拒绝写入');
    expect(zh.getByRole('alert').textContent).toContain('42 个请求在等待');
  });

  it('a failed refresh: only the outdated notice, and the panel marked, whatever the last state said', () => {
    const { getAllByRole, getByTestId } = render(SystemHealth, { system: system({ processorStale: true, waiting: 3 }), now: NOW, outdated: { at: NOW, reason: 'Redis is unreachable' } });
    const alerts = getAllByRole('alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.textContent).toMatch(/^The system status could not be refreshed \(Redis is unreachable\)\. What is shown is from .+ and may no longer be true\.$/);
    expect(getByTestId('health').dataset.outdated).toBe('true');
  });
});
