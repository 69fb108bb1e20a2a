import { describe, expect, it } from 'vitest';
import { curlFor, relayOrigin, snippets } from './snippets.ts';
import { isAppLink, matchRoute } from './routes.ts';

describe('usage snippets and copy-as-curl', () => {
  it('uses the relay base URL however it was configured', () => {
    expect(relayOrigin('http://relay.local:8000/')).toBe('http://relay.local:8000');
    expect(relayOrigin('http://relay.local:8000/v1')).toBe('http://relay.local:8000');
    const s = snippets({ baseUrl: 'https://relay.example.com', model: 'qwen-plus' });
    expect(s.curl).toContain('https://relay.example.com/v1/chat/completions');
    expect(s.python).toContain('base_url="https://relay.example.com/v1"');
    expect(s.node).toContain("baseURL: 'https://relay.example.com/v1'");
    expect(s.node).toContain("model: 'qwen-plus'");
  });

  it('copy as curl masks the key and quotes the body for the shell', () => {
    const cmd = curlFor(
      { method: 'POST', path: '/v1/chat/completions', key: { id: 'k', prefix: 'sk-relay-ab12', name: 'n' }, request: { headers: { 'content-type': 'application/json' }, body: { content: "it's" }, bytes: 1, truncated: false } },
      'http://h:8000',
    );
    expect(cmd).toContain("curl -X POST 'http://h:8000/v1/chat/completions'");
    expect(cmd).toContain('Bearer sk-relay-ab12…MASKED');
    expect(cmd).toContain(`-d '{"content":"it'\\''s"}'`);
  });
});

describe('routes', () => {
  it('maps every app path', () => {
    expect(matchRoute('/admin/')).toEqual({ name: 'dashboard', params: {} });
    expect(matchRoute('/admin')).toEqual({ name: 'dashboard', params: {} });
    expect(matchRoute('/admin/login')).toEqual({ name: 'login', params: {} });
    expect(matchRoute('/admin/logs')).toEqual({ name: 'logs', params: {} });
    expect(matchRoute('/admin/logs/0193-ab')).toEqual({ name: 'log', params: { id: '0193-ab' } });
    expect(matchRoute('/admin/keys').name).toBe('keys');
    expect(matchRoute('/admin/providers').name).toBe('providers');
    expect(matchRoute('/admin/settings').name).toBe('settings');
    expect(matchRoute('/admin/nope').name).toBe('notFound');
    expect(matchRoute('/docs').name).toBe('notFound');
  });

  it('leaves downloads, new tabs and other sites to the browser', () => {
    const a = document.createElement('a');
    const click = (init: MouseEventInit = {}) => new MouseEvent('click', { button: 0, ...init });
    a.href = 'http://localhost:3000/admin/logs';
    expect(isAppLink(a, click(), 'http://localhost:3000')).toBe(true);
    expect(isAppLink(a, click({ ctrlKey: true }), 'http://localhost:3000')).toBe(false);
    a.setAttribute('download', '');
    expect(isAppLink(a, click(), 'http://localhost:3000')).toBe(false);
    a.removeAttribute('download');
    a.href = 'http://example.com/admin/logs';
    expect(isAppLink(a, click(), 'http://localhost:3000')).toBe(false);
  });
});
