import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@llm-relay/server-kit';
import { tempDir, type TempDir } from '@llm-relay/testkit';
import { Journal } from './journal.ts';

const log = createLogger('journal-test', 'silent');
let dir: TempDir;
afterEach(() => dir?.remove());

async function drain(j: Journal): Promise<string[]> {
  const got: string[] = [];
  while (!(await j.replayStep(async (lines) => void got.push(...lines))));
  return got;
}

describe('Journal', () => {
  it('replays in order, keeps lines appended during the replay, and empties itself', async () => {
    dir = tempDir('journal');
    const j = new Journal(dir.path, 'gw', 1 << 20, log);
    await j.open();
    await j.append(['{"n":1}', '{"n":2}']);
    const first = j.replayStep(async () => {
      throw new Error('redis down');
    });
    await expect(first).rejects.toThrow('redis down');
    await j.append(['{"n":3}']);
    expect(await drain(j)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(j.size).toBe(0);
    expect(j.pending).toBe(false);
  });

  it('replays an event larger than its read block', async () => {
    dir = tempDir('journal');
    const j = new Journal(dir.path, 'gw', 64 << 20, log);
    await j.open();
    const big = JSON.stringify({ text: 'x'.repeat(3 * 1024 * 1024) });
    await j.append(['{"n":1}', big, '{"n":3}']);
    expect(await drain(j)).toEqual(['{"n":1}', big, '{"n":3}']);
  });

  it('is bounded: what does not fit is dropped and counted', async () => {
    dir = tempDir('journal');
    const j = new Journal(dir.path, 'gw', 20, log);
    await j.open();
    expect(await j.append(['{"n":1}', '{"n":2}', '{"n":3}'])).toBe(1);
    expect(await drain(j)).toEqual(['{"n":1}', '{"n":2}']);
  });

  it('adopts the journal of a gateway process that is gone', async () => {
    dir = tempDir('journal');
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
    writeFileSync(join(dir.path, `old-gw.${dead}.ndjson`), '{"n":"old"}\n');
    const j = new Journal(dir.path, 'gw', 1 << 20, log);
    await j.open();
    expect(await drain(j)).toEqual(['{"n":"old"}']);
  });
});
