/**
 * Value generators for the labelled corpus. Check digits are computed here from the published algorithms,
 * independently of the validators in ../checksums.ts, so the corpus is ground truth for them rather than
 * a copy of them.
 */

export type Rand = () => number;

/** mulberry32: small, seedable, good enough for test data. */
export function seeded(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function int(r: Rand, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}
export function pick<T>(r: Rand, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}
export function digits(r: Rand, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(int(r, 0, 9));
  return s;
}
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function chars(r: Rand, n: number, alphabet = ALNUM): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}

/** The digit that makes `body + digit` pass Luhn. */
export function luhnCheckDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

const CARD_BRANDS: readonly { prefix: string; len: number; groups: number[] }[] = [
  { prefix: '4', len: 16, groups: [4, 4, 4, 4] },
  { prefix: '4', len: 13, groups: [4, 4, 5] },
  { prefix: '51', len: 16, groups: [4, 4, 4, 4] },
  { prefix: '5425', len: 16, groups: [4, 4, 4, 4] },
  { prefix: '2223', len: 16, groups: [4, 4, 4, 4] },
  { prefix: '37', len: 15, groups: [4, 6, 5] },
  { prefix: '34', len: 15, groups: [4, 6, 5] },
  { prefix: '6011', len: 16, groups: [4, 4, 4, 4] },
  { prefix: '6222', len: 16, groups: [4, 4, 4, 4] },
  { prefix: '6217', len: 19, groups: [4, 4, 4, 4, 3] },
  { prefix: '3530', len: 16, groups: [4, 4, 4, 4] },
  { prefix: '36', len: 14, groups: [4, 6, 4] },
];

function group(s: string, groups: number[], sep: string): string {
  const out: string[] = [];
  let at = 0;
  for (const g of groups) {
    out.push(s.slice(at, at + g));
    at += g;
  }
  return out.join(sep);
}

/** A card number in a random brand and format; `valid: false` gives the same shape with a wrong check digit. */
export function card(r: Rand, valid = true): string {
  const brand = pick(r, CARD_BRANDS);
  const prefix = brand.prefix;
  const body = prefix + digits(r, brand.len - prefix.length - 1);
  const check = luhnCheckDigit(body);
  const last = valid ? check : String((Number(check) + int(r, 1, 9)) % 10);
  return group(body + last, brand.groups, pick(r, [' ', '-', '', ' ']));
}

const IBAN_FORMATS: readonly { cc: string; bban: (r: Rand) => string }[] = [
  { cc: 'DE', bban: (r) => digits(r, 18) },
  { cc: 'GB', bban: (r) => pick(r, ['WEST', 'NWBK', 'BARC', 'HBUK', 'LOYD']) + digits(r, 14) },
  { cc: 'FR', bban: (r) => digits(r, 10) + chars(r, 11, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') + digits(r, 2) },
  { cc: 'NL', bban: (r) => pick(r, ['ABNA', 'INGB', 'RABO']) + digits(r, 10) },
  { cc: 'ES', bban: (r) => digits(r, 20) },
  { cc: 'IT', bban: (r) => 'X' + digits(r, 10) + digits(r, 12) },
  { cc: 'CH', bban: (r) => digits(r, 17) },
  { cc: 'PL', bban: (r) => digits(r, 24) },
  { cc: 'BE', bban: (r) => digits(r, 12) },
  { cc: 'AT', bban: (r) => digits(r, 16) },
];

function mod97(s: string): number {
  let rem = 0;
  for (const c of s) {
    const v = /[A-Z]/.test(c) ? String(c.charCodeAt(0) - 55) : c;
    for (const d of v) rem = (rem * 10 + Number(d)) % 97;
  }
  return rem;
}

/** An IBAN, compact or in groups of four; `valid: false` keeps the format and breaks the check digits. */
export function iban(r: Rand, valid = true): string {
  const f = pick(r, IBAN_FORMATS);
  const bban = f.bban(r);
  const check = 98 - mod97(bban + f.cc + '00');
  const cd = valid ? check : ((check - 2 + int(r, 1, 95)) % 97) + 2;
  const compact = f.cc + String(cd).padStart(2, '0') + bban;
  return r() < 0.5 ? compact : (compact.match(/.{1,4}/g) ?? []).join(' ');
}

const CN_REGIONS = ['110105', '110108', '310104', '310115', '440305', '440106', '330106', '510107', '420102', '320102', '370202', '610113', '500103', '120101', '350203'];
const CN_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

function cnCheck(body: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * CN_WEIGHTS[i]!;
  return '10X98765432'[sum % 11]!;
}

/** A mainland resident ID; `broken` = 'check' gives a wrong check char, 'date' an impossible birth date. */
export function cnId(r: Rand, broken: 'none' | 'check' | 'date' = 'none'): string {
  const y = int(r, 1950, 2006);
  const m = broken === 'date' ? 2 : int(r, 1, 12);
  const d = broken === 'date' ? 30 : int(r, 1, 28);
  const body = pick(r, CN_REGIONS) + y + String(m).padStart(2, '0') + String(d).padStart(2, '0') + digits(r, 3);
  const check = cnCheck(body);
  if (broken !== 'check') return body + check;
  const others = '0123456789X'.replace(check, '');
  return body + others[int(r, 0, others.length - 1)];
}

export function ssn(r: Rand, valid = true): string {
  if (valid) {
    let area = int(r, 1, 899);
    if (area === 666) area = 667;
    return `${String(area).padStart(3, '0')}-${String(int(r, 1, 99)).padStart(2, '0')}-${String(int(r, 1, 9999)).padStart(4, '0')}`;
  }
  return pick(r, [
    `000-${digits(r, 2).replace('00', '12')}-${int(r, 1000, 9999)}`,
    `666-${int(r, 10, 99)}-${int(r, 1000, 9999)}`,
    `9${digits(r, 2)}-${int(r, 10, 99)}-${int(r, 1000, 9999)}`,
    `${int(r, 100, 665)}-00-${int(r, 1000, 9999)}`,
    `${int(r, 100, 665)}-${int(r, 10, 99)}-0000`,
  ]);
}

const CN_MOBILE_PREFIX = ['130', '131', '135', '136', '138', '139', '147', '150', '152', '158', '166', '177', '180', '186', '188', '191', '198', '199'];

export function phone(r: Rand): string {
  const mob = pick(r, CN_MOBILE_PREFIX) + digits(r, 8);
  const spaced = `${mob.slice(0, 3)} ${mob.slice(3, 7)} ${mob.slice(7)}`;
  const area = String(int(r, 201, 989));
  const ex = String(int(r, 200, 999));
  const line = digits(r, 4);
  return pick(r, [
    mob,
    mob,
    spaced,
    `${mob.slice(0, 3)}-${mob.slice(3, 7)}-${mob.slice(7)}`,
    `+86 ${spaced}`,
    `+86${mob}`,
    `+86-${mob}`,
    `(${area}) ${ex}-${line}`,
    `${area}-${ex}-${line}`,
    `${area}.${ex}.${line}`,
    `+1 ${area} ${ex} ${line}`,
    `+1-${area}-${ex}-${line}`,
    `1-800-${ex}-${line}`,
    `+44 20 ${digits(r, 4)} ${digits(r, 4)}`,
    `020 ${int(r, 7000, 8999)} ${digits(r, 4)}`,
    `010-${int(r, 6000, 8999)}${digits(r, 4)}`,
    `0755-${int(r, 2000, 8999)}${digits(r, 4)}`,
    `(021) ${int(r, 5000, 6999)} ${digits(r, 4)}`,
    `+49 30 ${digits(r, 8)}`,
    `+81 3-${digits(r, 4)}-${digits(r, 4)}`,
    `+33 1 ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)}`,
    `+65 ${int(r, 6000, 9999)} ${digits(r, 4)}`,
    `+852 ${int(r, 2000, 9999)} ${digits(r, 4)}`,
  ]);
}

const FIRST = ['zhang.san', 'li.ming', 'wang_wei', 'john.doe', 'alice+billing', 'm.garcia', 'chen88', 'support', 'ops-team', 'yuki.tanaka', 'liu-yang', 'j.smith'];
const DOMAINS = ['example.com', 'qq.com', '163.com', 'gmail.com', 'company.cn', 'mail.example.org', 'bank.co.uk', 'alibaba-inc.com', 'outlook.com', 'uni.edu.cn'];

export function email(r: Rand): string {
  return `${pick(r, FIRST)}@${pick(r, DOMAINS)}`;
}

export function ip(r: Rand): string {
  const v4 = () => pick(r, [`10.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 1, 254)}`, `192.168.${int(r, 0, 255)}.${int(r, 1, 254)}`, `${int(r, 1, 223)}.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 1, 254)}`]);
  const h = () => int(r, 0, 0xffff).toString(16);
  return pick(r, [
    v4(),
    v4(),
    v4(),
    `2001:db8:${h()}:${h()}:${h()}:${h()}:${h()}:${h()}`,
    `2001:0db8:85a3:0000:0000:8a2e:0370:${digits(r, 4)}`,
    `fe80::${h()}:${h()}`,
    `2408:8207:${h()}::${h()}`,
    '::1',
    `::ffff:192.0.2.${int(r, 1, 254)}`,
  ]);
}

function b64url(s: string): string {
  return btoa(s).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/** A secret in context: `value` is what must disappear (for a URL, only the password). */
export function secret(r: Rand): { text: string; value: string } {
  const kind = int(r, 0, 11);
  const plain = (v: string) => ({ text: v, value: v });
  switch (kind) {
    case 0: return plain(`sk-proj-${chars(r, 48, ALNUM + '_-')}${int(r, 0, 9)}`);
    case 1: return plain(`sk-${chars(r, 47)}${int(r, 0, 9)}`);
    case 2: return plain(`sk-ant-api03-${chars(r, 93, ALNUM + '_-')}-AA`);
    case 3: return plain(`sk-relay-${chars(r, 37)}${int(r, 0, 9)}`);
    case 4: return plain(`${pick(r, ['AKIA', 'ASIA'])}${chars(r, 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`);
    case 5: return plain(`${pick(r, ['ghp_', 'gho_', 'ghs_', 'ghu_'])}${chars(r, 36)}`);
    case 6: return plain(`github_pat_${chars(r, 22)}_${chars(r, 59)}`);
    case 7: {
      const head = b64url(JSON.stringify({ alg: pick(r, ['HS256', 'RS256', 'ES256']), typ: 'JWT' }));
      const body = b64url(JSON.stringify({ sub: digits(r, 8), name: pick(r, ['Zhang San', 'Jane Doe']), iat: 1700000000 + int(r, 0, 1e6) }));
      return plain(`${head}.${body}.${chars(r, 43, ALNUM + '_-')}`);
    }
    case 8: {
      const label = pick(r, ['RSA PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY']);
      const lines = Array.from({ length: int(r, 2, 4) }, () => chars(r, 64, ALNUM + '+/'));
      return plain(`-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----`);
    }
    default: {
      const pass = chars(r, int(r, 8, 16), ALNUM + '!$%^*');
      const url = pick(r, ['postgres://app', 'mysql://root', 'redis://default', 'mongodb://admin', 'https://deploy', 'amqp://guest']);
      const host = pick(r, ['db.internal:5432/prod', 'mysql.internal:3306/orders', 'cache.local:6379', 'cluster0.mongodb.net/test', 'git.example.com/repo.git', 'mq.local:5672/']);
      return { text: `${url}:${pass}@${host}`, value: pass };
    }
  }
}
