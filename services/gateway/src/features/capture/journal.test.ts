import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@llm-relay/server-kit';
import { tempDir, type TempDir } from '@llm-relay/testkit';
import { Journal, type JournalLine } from './journal.ts';

const log = createLogger('journal-test', 'silent');
let dir: TempDir | undefined;

const ev = (id: string, extra = ''): JournalLine => ({ id, line: `{"v":1,"id":"${id}"${extra}}` });

async function open(maxBytes = 1 << 20): Promise<Journal> {
  dir ??= tempDir('journal');
  const j = new Journal(dir.path, 'gw', maxBytes, log);
  await j.open();
  return j;
}

/** What a replay would queue, in order, marking it queued as the event sink does. */
async function queueAll(j: Journal): Promise<string[]> {
  const got: string[] = [];
  for (;;) {
    const lines = await j.readUnqueued(64);
    if (lines.length === 0) return got;
    got.push(...lines.map((l) => l.id));
    j.markQueued(lines.map((l) => l.id));
  }
}

describe('Journal (the gateway outbox)', () => {
  afterEach(() => {
    dir?.remove();
    dir = undefined;
  });

  it('keeps each event until it is acknowledged as stored, then deletes its file; files are 0600', async () => {
    const j = await open();
    expect(await j.append([ev('a'), ev('b'), ev('c')])).toEqual([]);
    const [file] = readdirSync(dir!.path);
    expect(statSync(join(dir!.path, file!)).mode & 0o777).toBe(0o600);
    expect(j.unqueued).toBe(3);
    j.markQueued(['a', 'b', 'c']);
    expect(j.unqueued).toBe(0);
    expect(j.unacked).toBe(3);
    expect(await j.ack(['a', 'c', 'not-ours'])).toBe(2);
    expect(j.unacked).toBe(1);
    expect(readdirSync(dir!.path)).toHaveLength(1);
    await j.ack(['b']);
    expect(j.unacked).toBe(0);
    expect(j.size).toBe(0);
    expect(readdirSync(dir!.path)).toHaveLength(0);
  });

  it('after Redis lost its data, every event not yet stored is to be queued again, in journal order', async () => {
    const j = await open();
    await j.append([ev('1'), ev('2'), ev('3'), ev('4')]);
    expect(await queueAll(j)).toEqual(['1', '2', '3', '4']);
    await j.ack(['2']);
    expect(j.requeueAll()).toBe(3);
    expect(await queueAll(j)).toEqual(['1', '3', '4']);
  });

  it('replays an event larger than a read chunk, and lines appended meanwhile', async () => {
    const j = await open(64 << 20);
    const big = ev('big', `,"text":"${'x'.repeat(3 * 1024 * 1024)}"`);
    await j.append([ev('1'), big]);
    const first = await j.readUnqueued(10);
    expect(first.map((l) => l.id)).toEqual(['1']);
    j.markQueued(['1']);
    await j.append([ev('3')]);
    const rest = await j.readUnqueued(1 << 30);
    expect(rest.map((l) => l.id)).toEqual(['big', '3']);
    expect(rest[0]!.line).toBe(big.line);
  });

  it('is bounded: what does not fit is not kept (and reported), and room comes back as events are stored', async () => {
    const line = ev('a').line;
    const j = await open((Buffer.byteLength(line) + 1) * 2);
    expect(await j.append([ev('a'), ev('b'), ev('c')])).toEqual(['c']);
    expect(j.full).toBe(true);
    await j.ack(['a', 'b']);
    expect(j.full).toBe(false);
    expect(await j.append([ev('d')])).toEqual([]);
  });

  it('adopts the journal of a gateway process that is gone, older format included, and queues it all again', async () => {
    dir = tempDir('journal');
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
    writeFileSync(join(dir.path, `old-gw.${dead}.j1.ndjson`), `${ev('x').line}\n${ev('y').line}\n{"v":1,"id":"partial`);
    writeFileSync(join(dir.path, `older-gw.${dead}.ndjson`), `${ev('z').line}\n`);
    const j = await open();
    expect(j.unacked).toBe(3);
    expect((await queueAll(j)).sort()).toEqual(['x', 'y', 'z']);
    await j.ack(['x', 'y', 'z']);
    expect(readdirSync(dir!.path)).toEqual([]);
  });
});
