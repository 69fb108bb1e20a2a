/**
 * The gateway's journal holds every raw, unredacted event until a processor has stored it (and the gateway
 * keeps what else it needs on the same disk): whatever it creates there is readable by its own user only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@llm-relay/testkit';
import { World, type TestKey } from './helpers.ts';

const w = new World();
let base: string;
let key: TestKey;
// a directory the gateway has to create itself
const dir = join(w.journal.path, 'data', 'journal');

beforeAll(async () => {
  ({ base, key } = await w.startWithMock({}, { JOURNAL_DIR: dir }));
});
afterAll(() => w.close());

function walk(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [join(d, e.name), ...walk(join(d, e.name))] : [join(d, e.name)]));
}
const mode = (p: string) => statSync(p).mode & 0o777;

describe('files the gateway writes', () => {
  it('the journal directory is 0700 and every file in it 0600', async () => {
    await w.client(base, key.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'journal me' }] });
    const files = await waitFor(() => {
      const found = walk(dir).filter((p) => statSync(p).isFile() && statSync(p).size > 0);
      return found.length > 0 ? found : null;
    }, { what: 'a journal file with the event' });
    expect(mode(dir).toString(8)).toBe('700');
    expect(mode(join(w.journal.path, 'data')).toString(8)).toBe('700');
    for (const p of walk(dir)) expect(`${p}: ${mode(p).toString(8)}`).toBe(`${p}: ${statSync(p).isDirectory() ? '700' : '600'}`);
    expect(files.length).toBeGreaterThan(0);
  });
});
