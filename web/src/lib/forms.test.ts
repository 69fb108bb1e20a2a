import { describe, expect, it } from 'vitest';
import { ApiError, readError } from './api.ts';
import { optionalInt, placeError, splitList } from './forms.ts';

describe('API errors in forms', () => {
  it('reads the message, code and field from the OpenAI error shape', async () => {
    const res = new Response(JSON.stringify({ error: { message: 'limits.rpm: Too small', type: 'invalid_request_error', param: 'limits.rpm', code: 'invalid_request' } }), { status: 400 });
    const err = await readError(res);
    expect(err).toMatchObject({ status: 400, message: 'limits.rpm: Too small', param: 'limits.rpm', code: 'invalid_request' });
  });

  it('keeps the status line when the body is not JSON (a proxy error page)', async () => {
    const err = await readError(new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    expect(err.message).toBe('502 Bad Gateway');
  });

  it('places an error under the field the server named, nested paths included', () => {
    const fields = ['name', 'limits', 'httpTimeoutSeconds'];
    expect(placeError(new ApiError(400, 'too small', null, 'limits.rpm'), fields)).toEqual({ field: 'limits', message: 'too small' });
    expect(placeError(new ApiError(400, 'bad', null, 'httpTimeoutSeconds'), fields)).toEqual({ field: 'httpTimeoutSeconds', message: 'bad' });
    expect(placeError(new ApiError(400, 'unknown', null, 'other'), fields)).toEqual({ field: null, message: 'unknown' });
    expect(placeError(new Error('network down'), fields)).toEqual({ field: null, message: 'network down' });
  });

  it('parses list and number inputs', () => {
    expect(splitList(' a, b ,,\nc ')).toEqual(['a', 'b', 'c']);
    expect(optionalInt('')).toBeUndefined();
    expect(optionalInt('60')).toBe(60);
    expect(optionalInt('x')).toBeUndefined();
  });
});
