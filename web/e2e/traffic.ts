import type OpenAI from 'openai';

/** Two people, as an SVG data URL (the admin CSP allows data: images). */
export const PICTURE = 'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSIxNjAiIGhlaWdodD0iMTAwIiB2aWV3Qm94PSIwIDAgMTYwIDEwMCI+PHJlY3Qgd2lkdGg9IjE2MCIgaGVpZ2h0PSIxMDAiIGZpbGw9IiNjZmUzZmYiLz48Y2lyY2xlIGN4PSI1NSIgY3k9IjM4IiByPSIxNCIgZmlsbD0iIzJmNmZlYiIvPjxyZWN0IHg9IjQwIiB5PSI1NSIgd2lkdGg9IjMwIiBoZWlnaHQ9IjQwIiByeD0iOCIgZmlsbD0iIzJmNmZlYiIvPjxjaXJjbGUgY3g9IjEwNSIgY3k9IjQyIiByPSIxMiIgZmlsbD0iI2U4NTkwYyIvPjxyZWN0IHg9IjkyIiB5PSI1NyIgd2lkdGg9IjI2IiBoZWlnaHQ9IjM4IiByeD0iOCIgZmlsbD0iI2U4NTkwYyIvPjwvc3ZnPg==';

/**
 * A conversation with a system prompt, an image, an earlier tool call and its result, answered with
 * reasoning (the mock's `x-mock-reasoning`): every kind of part the detail page renders. Returns the log id.
 */
export async function richConversation(client: OpenAI): Promise<string> {
  const rich = await client.chat.completions
    .create(
      {
        model: 'gpt-4o-mini',
        tools: [{ type: 'function', function: { name: 'count_people', parameters: { type: 'object', properties: { where: { type: 'string' } } } } }],
        messages: [
          { role: 'system', content: 'You describe pictures.' },
          { role: 'user', content: [{ type: 'text', text: 'How many people are in this picture?' }, { type: 'image_url', image_url: { url: PICTURE } }] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'count_people', arguments: '{"where":"picture"}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: '2 people' },
        ],
      },
      { headers: { 'x-mock-reasoning': '1' } },
    )
    .withResponse();
  return rich.response.headers.get('x-request-id')!;
}
