import { describe, expect, it, vi } from 'vitest';
import type { LiveClientMessage, LiveServerMessage } from '@llm-relay/contracts';
import { LiveLogs, type LiveHandlers, type LiveSource } from './live-logs.svelte.ts';
import { sampleLog } from './test-fixtures.ts';

const msg = (i: number): LiveServerMessage => ({ type: 'log', streamId: `${1000 + i}-0`, log: sampleLog(`id-${i}`, 1000 + i) });
const manual = () => {
  const queue: (() => void)[] = [];
  return { schedule: (fn: () => void) => queue.push(fn), run: () => queue.splice(0).forEach((f) => f()) };
};

/** An in-memory source: the test plays the server, and every (re)connect is recorded. */
class MemorySource implements LiveSource {
  connects: (string | null)[] = [];
  sent: LiveClientMessage[] = [];
  handlers: LiveHandlers | null = null;
  lastId: (() => string | null) | null = null;
  closed = 0;
  connect(lastId: () => string | null, h: LiveHandlers) {
    this.connects.push(lastId());
    this.lastId = lastId;
    this.handlers = h;
    return { send: (m: LiveClientMessage) => this.sent.push(m), close: () => void this.closed++ };
  }
  open() {
    this.handlers!.status('open');
    this.handlers!.opened();
  }
  emit(m: LiveServerMessage) {
    this.handlers!.message(m);
  }
  /** what the real source does after a dropped socket: reconnect, reading lastId again */
  reconnect() {
    this.handlers!.status('reconnecting');
    this.connects.push(this.lastId!());
    this.open();
  }
}

describe('LiveLogs buffer', () => {
  it('shows arrivals newest first, batched into one publish per frame', () => {
    const s = manual();
    const live = new LiveLogs({ schedule: s.schedule, minFlushMs: 0 });
    for (let i = 0; i < 5; i++) live.ingest(msg(i));
    expect(live.items).toHaveLength(0);
    s.run();
    expect(live.items.map((l) => l.id)).toEqual(['id-4', 'id-3', 'id-2', 'id-1', 'id-0']);
    expect(live.lastId).toBe('1004-0');
  });

  it('stays bounded: the oldest logs fall out at capacity', () => {
    const s = manual();
    const live = new LiveLogs({ capacity: 100, schedule: s.schedule, minFlushMs: 0 });
    for (let i = 0; i < 250; i++) {
      live.ingest(msg(i));
      if (i % 7 === 0) s.run();
    }
    s.run();
    expect(live.items).toHaveLength(100);
    expect(live.items[0]!.id).toBe('id-249');
    expect(live.items[99]!.id).toBe('id-150');
  });

  it('drops a log it already has (a resumed stream or the HTTP seed overlapping the stream)', () => {
    const s = manual();
    const live = new LiveLogs({ schedule: s.schedule, minFlushMs: 0 });
    live.ingest(msg(1));
    live.ingest(msg(1));
    s.run();
    live.seed([sampleLog('id-1', 1001), sampleLog('old', 10)]);
    expect(live.items.map((l) => l.id)).toEqual(['id-1', 'old']);
  });

  it('holds arrivals while paused and shows them on resume', () => {
    const s = manual();
    const live = new LiveLogs({ schedule: s.schedule, minFlushMs: 0 });
    live.ingest(msg(0));
    s.run();
    live.pause();
    live.ingest(msg(1));
    live.ingest(msg(2));
    s.run();
    expect(live.items.map((l) => l.id)).toEqual(['id-0']);
    expect(live.held).toBe(2);
    live.resume();
    expect(live.held).toBe(0);
    expect(live.items.map((l) => l.id)).toEqual(['id-2', 'id-1', 'id-0']);
  });

  it('reports the arrival rate over the last whole seconds', () => {
    let now = 10_000;
    const s = manual();
    const live = new LiveLogs({ schedule: s.schedule, now: () => now, rateWindowSec: 5, minFlushMs: 0 });
    for (let sec = 0; sec < 5; sec++) {
      for (let i = 0; i < 200; i++) live.ingest(msg(sec * 1000 + i));
      now += 1000;
    }
    s.run();
    expect(live.rate).toBe(200);
    now += 10_000;
    live.flush();
    expect(live.rate).toBe(0);
  });

  it('publishes a lone log at once but at most once per interval under a flood', () => {
    vi.useFakeTimers();
    let now = 1_000;
    const s = manual();
    const live = new LiveLogs({ schedule: s.schedule, now: () => now, minFlushMs: 100 });
    live.ingest(msg(0));
    s.run();
    expect(live.items).toHaveLength(1);
    now += 10;
    live.ingest(msg(1));
    s.run();
    // within the interval: held back until it has passed
    expect(live.items).toHaveLength(1);
    now += 100;
    vi.advanceTimersByTime(100);
    s.run();
    expect(live.items.map((l) => l.id)).toEqual(['id-1', 'id-0']);
    vi.useRealTimers();
  });

  it('records lagged notices from the server', () => {
    const live = new LiveLogs();
    live.ingest({ type: 'lagged', skipped: 42 });
    expect(live.lagged.map((l) => l.skipped)).toEqual([42]);
  });

  it('listen() connects, sends the filter on open, resumes after the last id on reconnect, and cleans up', () => {
    const s = manual();
    const live = new LiveLogs({ schedule: s.schedule, minFlushMs: 0 });
    const src = new MemorySource();
    live.setFilter({ model: 'gpt-4o-mini' });
    const stop = live.listen(src);
    expect(src.connects).toEqual([null]);
    src.open();
    expect(live.status).toBe('open');
    expect(src.sent).toEqual([{ type: 'filter', filter: { model: 'gpt-4o-mini' } }]);
    src.emit(msg(7));
    s.run();
    expect(live.items[0]!.id).toBe('id-7');
    src.reconnect();
    expect(src.connects).toEqual([null, '1007-0']);
    expect(src.sent).toHaveLength(2);
    stop();
    expect(src.closed).toBe(1);
    expect(live.status).toBe('closed');
  });

  it('a new filter clears what no longer matches and tells the server', () => {
    const s = manual();
    const live = new LiveLogs({ schedule: s.schedule, minFlushMs: 0 });
    const src = new MemorySource();
    const stop = live.listen(src);
    src.open();
    live.ingest(msg(1));
    s.run();
    live.setFilter({ errorsOnly: true });
    expect(live.items).toHaveLength(0);
    expect(src.sent.at(-1)).toEqual({ type: 'filter', filter: { errorsOnly: true } });
    stop();
  });
});

