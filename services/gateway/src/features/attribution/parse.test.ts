import { describe, expect, it } from 'vitest';
import { RelayError } from '@llm-relay/contracts';
import { compactAttribution, readAttributionHeaders, withBodyAttribution } from './parse.ts';

function paramOf(fn: () => unknown): string | null {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RelayError);
    expect((err as RelayError).status).toBe(400);
    return (err as RelayError).param;
  }
  throw new Error('expected a 400');
}

describe('attribution from x-relay-* headers', () => {
  it('reads user, session, tags, properties and the prompt; ignores other headers', () => {
    const a = readAttributionHeaders({
      'content-type': 'application/json',
      'x-relay-user': ' u-1 ',
      'x-relay-session': 'conv-9',
      'x-relay-tags': 'beta, search,,beta',
      'x-relay-property-team': 'core',
      'x-relay-property-ab_test': 'b',
      'x-relay-prompt': 'support-bot@2024-06',
      'x-relay-unknown': 'dropped',
    });
    expect(a).toEqual({ user: 'u-1', session: 'conv-9', tags: ['beta', 'search'], properties: { team: 'core', ab_test: 'b' }, prompt: { name: 'support-bot', version: '2024-06' } });
    expect(readAttributionHeaders({ 'x-relay-prompt': 'support-bot' })?.prompt).toEqual({ name: 'support-bot' });
    expect(readAttributionHeaders({ authorization: 'Bearer x', 'x-stainless-os': 'Linux' })).toBeNull();
  });

  it('answers out-of-bounds values with a 400 naming the header', () => {
    const props: Record<string, string> = {};
    for (let i = 1; i <= 33; i++) props[`x-relay-property-p${i}`] = 'v';
    expect(paramOf(() => readAttributionHeaders(props))).toBe('x-relay-property-p33');
    expect(paramOf(() => readAttributionHeaders({ 'x-relay-property-bad.name': 'v' }))).toBe('x-relay-property-bad.name');
    expect(paramOf(() => readAttributionHeaders({ 'x-relay-property-x': 'v'.repeat(257) }))).toBe('x-relay-property-x');
    expect(paramOf(() => readAttributionHeaders({ 'x-relay-tags': Array.from({ length: 21 }, (_, i) => `t${i}`).join(',') }))).toBe('x-relay-tags');
    expect(paramOf(() => readAttributionHeaders({ 'x-relay-tags': 't'.repeat(65) }))).toBe('x-relay-tags');
    expect(paramOf(() => readAttributionHeaders({ 'x-relay-user': 'u'.repeat(257) }))).toBe('x-relay-user');
    expect(paramOf(() => readAttributionHeaders({ 'x-relay-prompt': '@v1' }))).toBe('x-relay-prompt');
    // the bounds themselves are fine
    expect(readAttributionHeaders({ 'x-relay-tags': Array.from({ length: 20 }, (_, i) => `t${i}`.padEnd(64, 'x')).join(',') })?.tags).toHaveLength(20);
  });

  it('takes the body user and string metadata where no header said otherwise, never failing on them', () => {
    const fromHeaders = readAttributionHeaders({ 'x-relay-user': 'header-user', 'x-relay-property-team': 'core' });
    expect(withBodyAttribution(fromHeaders, 'body-user', { team: 'other', Region: 'eu', n: 3, 'bad key': 'x', long: 'v'.repeat(300) })).toEqual({
      user: 'header-user',
      properties: { team: 'core', region: 'eu', long: 'v'.repeat(256) },
    });
    expect(withBodyAttribution(null, 'body-user', null)).toEqual({ user: 'body-user' });
    expect(withBodyAttribution(null, null, { n: 1 })).toBeNull();
    expect(compactAttribution({ user: undefined, tags: [], properties: {} })).toBeUndefined();
  });
});
