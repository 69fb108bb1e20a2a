import { TOKEN_ROUTES, conversation, conversationText, type Route } from '@llm-relay/contracts';

// The message shapes of every provider API are read once, in contracts (conversation.ts), which the web UI
// renders too; these are the plain texts the processor needs from them (search, traces, token estimates).

/** The plain text of a request: all of its prompt, and the last user turn (for the list preview). */
export function requestTexts(route: Route, body: unknown): { prompt: string; lastUser: string } {
  if (typeof body === 'string') return { prompt: body, lastUser: body };
  if (!TOKEN_ROUTES.has(route)) return { prompt: '', lastUser: '' };
  const messages = conversation(body, null);
  const lastUser = messages.findLast((m) => m.role === 'user');
  return { prompt: conversationText(messages), lastUser: lastUser ? conversationText([lastUser]) : '' };
}

/** The plain text of the answer, whatever the route's response shape (tool calls as `name(args)`). */
export function answerText(route: Route, body: unknown): string {
  if (typeof body === 'string') return route !== 'passthrough' && route !== 'models' ? body : '';
  if (!TOKEN_ROUTES.has(route)) return '';
  return conversationText(conversation(null, body), { reasoning: 'without' });
}

/** Reasoning text the model produced, counted apart from the answer when usage is estimated. */
export function reasoningText(route: Route, body: unknown): string {
  if (!TOKEN_ROUTES.has(route)) return '';
  return conversationText(conversation(null, body), { reasoning: 'only' });
}
