/**
 * A request path with its query string, redacted. Clients percent-encode query values
 * (`?email=zhang%40example.com`, `?q=%E6%89%8B%E6%9C%BA13800138000`), which hides them from text detectors, so
 * each `/`-, `?`-, `&`- or `=`-separated part holding an escape is decoded, redacted and encoded again (the
 * placeholder's brackets left readable); then the whole path is scanned as text for what spans the parts.
 */
export function redactUrlPath(path: string, redactText: (s: string) => string): string {
  const parts = path.split(/([/?&=])/);
  for (let i = 0; i < parts.length; i += 2) {
    const part = parts[i]!;
    if (part.indexOf('%') < 0 && part.indexOf('+') < 0) continue;
    const decoded = decode(part);
    if (decoded === null) continue;
    const redacted = redactText(decoded);
    if (redacted !== decoded) parts[i] = encodeURIComponent(redacted).replace(/%5B/g, '[').replace(/%5D/g, ']');
  }
  return redactText(parts.join(''));
}

/** A form-encoded part as text (`+` is a space in a query), or null when it is not valid percent-encoding. */
function decode(part: string): string | null {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}
