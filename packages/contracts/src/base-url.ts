/**
 * Normalise a provider base URL the way the OpenAI SDK takes it: `https://api.openai.com/v1` and
 * `https://dashscope.aliyuncs.com/compatible-mode/v1` stay as they are; a bare origin such as
 * `https://api.openai.com` (the original Python LLM Relay's example) gets `/v1` appended. No trailing slash.
 */
export function normalizeBaseUrl(raw: string): string {
  const url = new URL(raw);
  let path = url.pathname.replace(/\/+$/, '');
  if (path === '') path = '/v1';
  return `${url.origin}${path}`;
}
