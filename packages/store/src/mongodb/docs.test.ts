import { describe, expect, it } from 'vitest';
import { mongoFilter } from './docs.ts';

const mongo = { ttlIndexes: true, textSearch: true };
const ferret = { ttlIndexes: false, textSearch: false };

describe('mongoFilter', () => {
  it('maps every filter field to an indexed query', () => {
    expect(
      mongoFilter({ from: 1, to: 2, model: 'm', provider: 'p', keyId: 'k', status: 429, outcome: 'timeout', route: 'responses', stream: true, errorsOnly: true }, mongo),
    ).toEqual({
      createdAt: { $gte: 1, $lt: 2 },
      model: 'm',
      provider: 'p',
      'key.id': 'k',
      status: 429,
      outcome: 'timeout',
      route: 'responses',
      stream: true,
      $or: [{ outcome: { $ne: 'ok' } }, { status: { $gte: 400 } }],
    });
  });

  it('uses the text index for latin queries and substring regexes for CJK or when the server has no text index', () => {
    expect(mongoFilter({ q: 'rate "time out"' }, mongo)).toEqual({ $text: { $search: '"rate" "time out"' } });
    expect(mongoFilter({ q: '北京 weather' }, mongo)).toEqual({
      $and: [{ searchText: { $regex: '北京', $options: 'i' } }, { searchText: { $regex: 'weather', $options: 'i' } }],
    });
    expect(mongoFilter({ q: 'a.b*(c)' }, ferret)).toEqual({ $and: [{ searchText: { $regex: 'a\\.b\\*\\(c\\)', $options: 'i' } }] });
  });
});
