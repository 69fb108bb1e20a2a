/**
 * The request target a client sends is forwarded (below the provider's base path) and stored as the log's
 * path, which admin's replay sends again. Only an origin-form path that stays where it points is taken:
 * - absolute-form (`POST http://other-host/v1/…`) and authority-form (`host:port`) targets are refused;
 *   fastify routes them by their path, but the stored text would name another host;
 * - dot segments (`/v1/../../internal`, also percent-encoded as `%2e%2e`), encoded slashes (`%2f`, `%5c`)
 *   and backslashes are refused: the provider (or a proxy before it) would resolve them to a path outside
 *   `/v1`, reached with the provider's key.
 * Refusing rather than normalising keeps the forwarded path byte for byte what the client sent.
 */

const SLASH = 0x2f;

/** Why this target is refused, or null when it is a plain origin-form path. */
export function badRequestTarget(url: string): string | null {
  if (url.charCodeAt(0) !== SLASH || url.charCodeAt(1) === SLASH) {
    return 'Only origin-form request targets (a path starting with a single `/`) are accepted.';
  }
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  // the usual path has nothing to decode and no dot segment: one scan each, no allocation
  if (!path.includes('.') && !path.includes('%') && !path.includes('\\')) return null;
  for (const raw of path.split('/')) {
    const seg = decodeTwice(raw);
    if (seg === null) return 'The request path has malformed percent-encoding.';
    if (seg === '.' || seg === '..') return 'The request path may not contain `.` or `..` segments.';
    if (seg.includes('/') || seg.includes('\\')) return 'The request path may not contain encoded slashes or backslashes.';
  }
  return null;
}

/** A segment decoded twice, so `%252e%252e` is seen for the `..` that a second decoding would make of it. */
function decodeTwice(seg: string): string | null {
  if (!seg.includes('%')) return seg;
  let once: string;
  try {
    once = decodeURIComponent(seg);
  } catch {
    return null;
  }
  if (!once.includes('%')) return once;
  try {
    return decodeURIComponent(once);
  } catch {
    // a literal `%` in a name (`%25` sent): not an encoding of anything
    return once;
  }
}
