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

async function open(maxBytes = 1 << 20, segmentBytes?: number): Promise<Journal> {
  dir ??= tempDir('journal');
  const j = new Journal(dir.path, 'gw', maxBytes, log, segmentBytes);
  await j.open();
  return j;
}

/** What a replay would queue, in order, marking it queued as the event sink does. */
async function queueAll(j: Journal): Promise<string[]> {
  return (await replayLines(j)).map((l) => l.id);
}

async function replayLines(j: Journal, chunk = 64): Promise<JournalLine[]> {
  const got: JournalLine[] = [];
  for (;;) {
    const lines = await j.readUnqueued(chunk);
    if (lines.length === 0) return got;
    got.push(...lines);
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

  it('replays exactly the lines not queued, byte for byte, across segments and multi-byte text', async () => {
    // segments of ~150 bytes: the events below spread over several files
    const j = await open(1 << 20, 150);
    const all = Array.from({ length: 12 }, (_, i) => ev(`e${i}`, `,"text":"${'é中😀'.repeat(i)}"`));
    for (let i = 0; i < all.length; i += 3) expect(await j.append(all.slice(i, i + 3))).toEqual([]);
    expect(readdirSync(dir!.path).length).toBeGreaterThan(2);
    // queued out of order, as batches and replays interleave
    j.markQueued(['e0', 'e2', 'e3', 'e7', 'e11']);
    const rest = await replayLines(j, 40);
    expect(rest.map((l) => l.id)).toEqual(['e1', 'e4', 'e5', 'e6', 'e8', 'e9', 'e10']);
    for (const l of rest) expect(l.line).toBe(all[Number(l.id.slice(1))]!.line);
    expect(await j.readUnqueued(1 << 20)).toEqual([]);
    // Redis lost its data: everything not stored is read again, from the start of each segment
    await j.ack(['e4', 'e9']);
    j.requeueAll();
    const again = await replayLines(j, 1 << 20);
    expect(again.map((l) => l.id)).toEqual(all.map((l) => l.id).filter((id) => id !== 'e4' && id !== 'e9'));
    for (const l of again) expect(l.line).toBe(all[Number(l.id.slice(1))]!.line);
  });

  it('keeps appending after its open segment was stored and deleted, and after close()', async () => {
    const j = await open();
    await j.append([ev('a')]);
    j.markQueued(['a']);
    await j.ack(['a']);
    expect(readdirSync(dir!.path)).toEqual([]);
    await j.append([ev('b')]);
    await j.close();
    await j.append([ev('c')]);
    expect((await replayLines(j)).map((l) => l.line)).toEqual([ev('b').line, ev('c').line]);
    await j.close();
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
    const y = ev('y', ',"text":"ü€"');
    // a damaged line and a repeated event inside, a line cut by a crash at the end
    writeFileSync(join(dir.path, `old-gw.${dead}.j1.ndjson`), `${ev('x').line}\n{"v":1,"id"\n${ev('x').line}\n${y.line}\n{"v":1,"id":"partial`);
    writeFileSync(join(dir.path, `older-gw.${dead}.ndjson`), `${ev('z').line}\n`);
    const j = await open();
    expect(j.unacked).toBe(3);
    const lines = await replayLines(j);
    expect(lines.map((l) => l.id).sort()).toEqual(['x', 'y', 'z']);
    expect(lines.find((l) => l.id === 'y')!.line).toBe(y.line);
    await j.ack(['x', 'y', 'z']);
    expect(readdirSync(dir!.path)).toEqual([]);
  });
});
