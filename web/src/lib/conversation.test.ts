import { describe, expect, it } from 'vitest';
import { redactionSegments } from './conversation.ts';


describe('redactionSegments()', () => {
  it('marks the placeholders the processor leaves where it redacted', () => {
    expect(redactionSegments('mail [EMAIL] or call [PHONE].')).toEqual([
      { text: 'mail ', redacted: false },
      { text: '[EMAIL]', redacted: true },
      { text: ' or call ', redacted: false },
      { text: '[PHONE]', redacted: true },
      { text: '.', redacted: false },
    ]);
    expect(redactionSegments('[CN_ID]')).toEqual([{ text: '[CN_ID]', redacted: true }]);
    expect(redactionSegments('an [ARRAY] stays')).toEqual([{ text: 'an [ARRAY] stays', redacted: false }]);
    expect(redactionSegments('')).toEqual([{ text: '', redacted: false }]);
  });
});
