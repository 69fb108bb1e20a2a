import { type Detector, isAlnum, literalSeed, scan, scanAround, type Span } from './scan.ts';

// Provider keys: OpenAI (sk-, sk-proj-, sk-svcacct-), Anthropic (sk-ant-api03-…), and this relay's own
// sk-relay-… keys. A run without a digit ("sk-xxxxxxxxxxxxxxxxxxxx") is a placeholder, not a key.
const SK_KEY = /(?<![\w-])sk-[A-Za-z0-9_-]{20,}/g;
const AWS_KEY_ID = /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g;
const AWS_SECRET_HINT = /secret_?access_?key/i;
const AWS_SECRET = /secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/dgi;
const GITHUB = /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])/g;
// Google API keys, Stripe live keys and Slack tokens share the "fixed prefix + long token" shape.
const VENDOR = /(?<![\w-])(?:AIza[0-9A-Za-z_-]{35}|[sr]k_live_[0-9A-Za-z]{24,}|xox[abprs]-[0-9A-Za-z-]{10,})(?![\w-])/g;
const JWT = /(?<![\w-])eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*(?![\w-])/g;
const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/y;
const PEM_END = /-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----/y;
// Base64 lines with real or JSON-escaped line breaks (U+0001 stands for an escape, see index.ts), and
// the `Proc-Type: 4,ENCRYPTED` headers of legacy encrypted keys; up to the END line.
// eslint-disable-next-line no-control-regex -- U+0001 is the escape filler
const PEM_BODY = /(?:[A-Za-z0-9+/=\s:,\u0001]|-(?!----END))*/y;

/**
 * Private-key blocks, found with indexOf rather than a lazy regex so that many BEGIN lines without an END
 * stay linear. A block cut short (a truncated capture) is redacted up to where its base64 stops.
 */
function findPem(text: string, out: Span[]): void {
  let end = -2; // position of the next '-----END', -1 when there is none; -2 not looked up yet
  for (let p = text.indexOf('-----BEGIN'); p >= 0; p = text.indexOf('-----BEGIN', p + 1)) {
    PEM_BEGIN.lastIndex = p;
    if (!PEM_BEGIN.test(text)) continue;
    PEM_BODY.lastIndex = PEM_BEGIN.lastIndex;
    PEM_BODY.test(text);
    let stop = PEM_BODY.lastIndex;
    if (end !== -1 && end < stop) end = text.indexOf('-----END', stop);
    if (end === stop) {
      PEM_END.lastIndex = end;
      if (PEM_END.test(text)) stop = PEM_END.lastIndex;
    }
    out.push({ type: 'secret', start: p, end: stop });
    p = stop - 1;
  }
}
// scheme://user:password@host — only the password goes; the user name helps an operator debug. The
// password may hold JSON escapes (U+0001 runs, see index.ts), replaced whole with it, and an unencoded
// '#', common in JDBC strings.
// eslint-disable-next-line no-control-regex -- U+0001 is the escape filler
const URL_PASSWORD = /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,20}:\/\/[^\s:@/?#"'<>\u0001]*:([^\s@/?"'<>]+)@(?=[\w[])/dy;
const SCHEME_END = literalSeed('://');
const inScheme = (c: number) => isAlnum(c) || c === 43 || c === 45 || c === 46;

// `password=hunter2`, `"api_key": "…"`, `密码：abc123`. A value with neither digit nor symbol is more
// likely prose ("password: required") than a password, so it is left alone.
const ASSIGNED =
  // eslint-disable-next-line no-control-regex -- U+0001 is the escape filler
  /(?<![A-Za-z0-9])(?:password|passwd|pwd|passphrase|secret|client_secret|api[_-]?key|access[_-]?token|auth[_-]?token|密码|口令)["'\u0001]{0,2}\s*[:=：]\s*["'\u0001]{0,2}([^\s"',;&\u0001]{6,128})/dgi;
const ASSIGNED_HINT = /pass|pwd|secret|api.?key|token|密码|口令/i;
// `user:pass@host` inside an assigned value: the host is not part of the secret.
const AT_HOST = /@[A-Za-z0-9.-]+(?:[:/]|\.[A-Za-z]{2,}|$)/;
// curl -u user:password / --user user:password
const CURL_USER = /(?<![\w-])(?:-u|--user)\s+["']?[^\s:"']+:([^\s"']+)/dg;
const HAS_DIGIT_OR_SYMBOL = /[\d!#$%^*+=?~]/;

const HAS_DIGIT = /\d/;
const HAS_LETTER = /[A-Za-z]/;

function entropic(m: RegExpExecArray): readonly [number, number] | null {
  const body = m[0].slice(3);
  return HAS_DIGIT.test(body) && HAS_LETTER.test(body) ? [m.index, m.index + m[0].length] : null;
}

function group1(m: RegExpExecArray): readonly [number, number] | null {
  return m.indices?.[1] ?? null;
}

/** A JWT's header is base64url JSON naming its algorithm; random dotted base64 is not a token. */
export function jwtHeaderValid(token: string): boolean {
  const head = token.slice(0, token.indexOf('.'));
  try {
    const json = atob(head.replace(/-/g, '+').replace(/_/g, '/'));
    const parsed: unknown = JSON.parse(json);
    return typeof parsed === 'object' && parsed !== null && typeof (parsed as { alg?: unknown }).alg === 'string';
  } catch {
    return false;
  }
}

const MASKED = /^(?:\*+|x+|\[SECRET\]|<[^>]*>|\$\{[^}]*\})$/i;

// JSON keys whose string value is a credential whatever it looks like ({"password": "correcthorse"}).
// Not plain "token": chat logprobs carry {"token": "Hello"}.
const SECRET_KEYS = new Set([
  'password', 'passwd', 'pwd', 'passphrase', 'secret', 'clientsecret', 'apikey', 'xapikey', 'accesstoken',
  'refreshtoken', 'authtoken', 'idtoken', 'privatekey', 'secretaccesskey', 'awssecretaccesskey',
  'authorization', 'proxyauthorization',
]);

/** True when `value`, found under JSON key `key`, is a credential to redact whole. */
export function isKeyedSecret(key: string, value: string): boolean {
  return value.length >= 4 && !MASKED.test(value) && SECRET_KEYS.has(key.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

export const secretDetector: Detector = {
  type: 'secret',
  find(text: string, out: Span[]) {
    if (text.indexOf('-----BEGIN') >= 0) findPem(text, out);
    if (text.indexOf('://') >= 0) {
      scanAround(text, SCHEME_END, inScheme, 22, URL_PASSWORD, 'secret', out, (m) => {
        const pass = m.indices?.[1];
        return pass && !MASKED.test(m[1]!) ? pass : null;
      });
    }
    if (ASSIGNED_HINT.test(text)) {
      scan(text, ASSIGNED, 'secret', out, (m) => {
        const v = m[1]!;
        // A connection string is the URL detector's: it keeps the scheme, user and host readable.
        if (!HAS_DIGIT_OR_SYMBOL.test(v) || MASKED.test(v) || v.includes('://')) return null;
        const [start, end] = m.indices![1]!;
        const host = AT_HOST.exec(v);
        return [start, host ? start + host.index : end];
      });
    }
    if (text.indexOf('-u') >= 0) scan(text, CURL_USER, 'secret', out, (m) => (MASKED.test(m[1]!) ? null : group1(m)));
    if (text.indexOf('sk-') >= 0) scan(text, SK_KEY, 'secret', out, entropic);
    if (text.indexOf('A') >= 0) scan(text, AWS_KEY_ID, 'secret', out);
    if (AWS_SECRET_HINT.test(text)) scan(text, AWS_SECRET, 'secret', out, group1);
    if (text.indexOf('_') >= 0) scan(text, GITHUB, 'secret', out);
    if (text.indexOf('AIza') >= 0 || text.indexOf('_live_') >= 0 || text.indexOf('xox') >= 0) {
      scan(text, VENDOR, 'secret', out);
    }
    if (text.indexOf('eyJ') >= 0) {
      scan(text, JWT, 'secret', out, (m) => (jwtHeaderValid(m[0]) ? [m.index, m.index + m[0].length] : null));
    }
  },
};
