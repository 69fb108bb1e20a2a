import { describe, expect, it } from 'vitest';
import { EXCHANGE_BATCH_JOB_MAX_BYTES, EXCHANGE_BATCH_JOB_NAME, EXCHANGE_JOB_NAME, FEEDBACK_JOB_NAME } from '@llm-relay/contracts';
import { eventsOfJob, exchangeBatchJobs } from './exchange-jobs.ts';

const event = (id: string, bytes: number) => ({ id, line: JSON.stringify({ id, pad: 'x'.repeat(Math.max(0, bytes - 20 - id.length)) }) });

describe('exchangeBatchJobs', () => {
  it('packs events in order into jobs of at most EXCHANGE_BATCH_JOB_MAX_BYTES; an event larger than that goes alone', () => {
    const third = Math.floor(EXCHANGE_BATCH_JOB_MAX_BYTES / 3);
    const events = [event('e1', third), event('e2', third), event('e3', third), event('e4', third), event('e5', EXCHANGE_BATCH_JOB_MAX_BYTES * 2), event('e6', 100)];
    const jobs = exchangeBatchJobs(events);
    expect(jobs.map((j) => (eventsOfJob(j) as { id: string }[]).map((e) => e.id))).toEqual([['e1', 'e2', 'e3'], ['e4'], ['e5'], ['e6']]);
    for (const j of jobs) expect(j.name).toBe(EXCHANGE_BATCH_JOB_NAME);
    // the events' own texts, joined: nothing is serialised again
    expect(jobs[0]!.data.toString('utf8')).toBe(`{"events":[${events[0]!.line},${events[1]!.line},${events[2]!.line}]}`);
    // byte lengths, not string lengths: text outside ASCII is written whole
    const [cjk] = exchangeBatchJobs([{ id: 'zh', line: '{"q":"你好，世界"}' }, { id: 'e', line: '{"e":"é"}' }]);
    expect(JSON.parse(cjk!.data.toString('utf8'))).toEqual({ events: [{ q: '你好，世界' }, { e: 'é' }] });
  });

  it('the same events give the same job id, other events another; ids never hold a colon (BullMQ refuses those)', () => {
    const a = [event('0190a1b2-0001', 10), event('0190a1b2-0002', 10)];
    const [first] = exchangeBatchJobs(a);
    const [again] = exchangeBatchJobs(a.map((e) => ({ ...e })));
    const [other] = exchangeBatchJobs([a[0]!, event('0190a1b2-0003', 10)]);
    expect(first!.opts.jobId).toBe(again!.opts.jobId);
    expect(first!.opts.jobId).not.toBe(other!.opts.jobId);
    expect(first!.opts.jobId).toMatch(/^batch-0190a1b2-0001-2-[\w-]{16}$/);
    expect(first!.opts.jobId).not.toContain(':');
  });
});

describe('eventsOfJob', () => {
  it('reads a batch (text or parsed), a single event, and nothing from another job type', () => {
    const [batch] = exchangeBatchJobs([event('a', 10), event('b', 10)]);
    expect((eventsOfJob(batch!) as { id: string }[]).map((e) => e.id)).toEqual(['a', 'b']);
    expect(eventsOfJob({ name: EXCHANGE_BATCH_JOB_NAME, data: JSON.parse(batch!.data.toString('utf8')) as unknown })).toHaveLength(2);
    expect(eventsOfJob({ name: EXCHANGE_BATCH_JOB_NAME, data: batch!.data.toString('utf8') })).toHaveLength(2);
    expect(eventsOfJob({ name: EXCHANGE_JOB_NAME, data: { id: 'one' } })).toEqual([{ id: 'one' }]);
    expect(eventsOfJob({ name: FEEDBACK_JOB_NAME, data: { logId: 'x' } })).toEqual([]);
  });
});
