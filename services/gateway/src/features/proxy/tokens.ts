import { TOKEN_ROUTES, capturedUsage, estimateTokens } from '@llm-relay/contracts';
import type { Exchange } from '../capture/exchange.ts';

/**
 * Tokens an exchange used, for the key's tokens-per-minute limit: the provider's usage (read by the same
 * rules as the stored log's, contracts/usage.ts) or, when a successful answer on a model route reported
 * none, an estimate from its text — never a silent 0 that would let a key past its limit.
 */
export function tokensFrom(ex: Exchange): number {
  const response = ex.responseBody.text ?? '';
  const u = capturedUsage(response, ex.stream);
  if (u && (u.total !== null || u.prompt !== null || u.completion !== null)) return u.total ?? (u.prompt ?? 0) + (u.completion ?? 0);
  if (ex.status >= 400 || !TOKEN_ROUTES.has(ex.route)) return 0;
  return estimateTokens(ex.requestBody.text ?? '', response, ex.stream);
}
