/** Usage examples (the original Python LLM Relay's "dynamic endpoint examples") and "copy as curl", built from the user's own base URL. */
import type { StoredLog } from '@llm-relay/contracts';

/** `http://host:8000` or `http://host:8000/v1` → origin without trailing slash or `/v1`. */
export function relayOrigin(proxyBaseUrl: string): string {
  return proxyBaseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface SnippetInput {
  baseUrl: string;
  model: string;
  key?: string;
}

export function snippets({ baseUrl, model, key = 'YOUR-RELAY-KEY' }: SnippetInput): { curl: string; python: string; node: string } {
  const origin = relayOrigin(baseUrl);
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello!' }] }, null, 2);
  return {
    curl: [`curl ${origin}/v1/chat/completions \\`, `  -H "Authorization: Bearer ${key}" \\`, `  -H "Content-Type: application/json" \\`, `  -d ${shellQuote(body)}`].join('\n'),
    python: [
      'from openai import OpenAI',
      '',
      `client = OpenAI(base_url="${origin}/v1", api_key="${key}")`,
      'resp = client.chat.completions.create(',
      `    model="${model}",`,
      '    messages=[{"role": "user", "content": "Hello!"}],',
      ')',
      'print(resp.choices[0].message.content)',
    ].join('\n'),
    node: [
      "import OpenAI from 'openai';",
      '',
      `const client = new OpenAI({ baseURL: '${origin}/v1', apiKey: '${key}' });`,
      'const resp = await client.chat.completions.create({',
      `  model: '${model}',`,
      "  messages: [{ role: 'user', content: 'Hello!' }],",
      '});',
      'console.log(resp.choices[0].message.content);',
    ].join('\n'),
  };
}

export function maskedKey(prefix: string | null | undefined): string {
  return `${prefix ?? 'sk-relay'}…MASKED`;
}

/** The stored request as a curl command to the relay; the key is masked, never the real secret. */
export function curlFor(log: Pick<StoredLog, 'method' | 'path' | 'key' | 'request'>, proxyBaseUrl: string): string {
  const origin = relayOrigin(proxyBaseUrl);
  const lines = [`curl -X ${log.method} ${shellQuote(origin + log.path)}`, `  -H ${shellQuote(`Authorization: Bearer ${maskedKey(log.key?.prefix)}`)}`];
  const ct = log.request.headers['content-type'];
  const body = log.request.body;
  if (body !== undefined && body !== null && body !== '') {
    lines.push(`  -H ${shellQuote(`Content-Type: ${ct ?? 'application/json'}`)}`);
    lines.push(`  -d ${shellQuote(typeof body === 'string' ? body : JSON.stringify(body))}`);
  }
  return lines.join(' \\\n');
}
