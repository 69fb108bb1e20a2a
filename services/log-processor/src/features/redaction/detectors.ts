import { cardIssuerValid, cnIdValid, IBAN_LENGTHS, ibanValid, luhnValid, ssnValid } from './checksums.ts';
import { type Detector, isAlnum, isHex, literalSeed, onlyDigits, scan, scanAround } from './scan.ts';
import { secretDetector } from './secrets.ts';

// JavaScript's \w is ASCII-only without the u flag, so Chinese text right next to a number still counts
// as a boundary ("手机13800138000") while letters, digits and joiners do not ("order-13800138000").

const EMAIL =
  /(?<![\w.%+-])[A-Za-z0-9][\w.%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-]|\.[A-Za-z0-9])/y;
const AT = literalSeed('@');
// 37 % 43 + 45 - 46 . 95 _
const inLocalPart = (c: number) => isAlnum(c) || c === 37 || c === 43 || c === 45 || c === 46 || c === 95;

const email: Detector = {
  type: 'email',
  find(text, out) {
    if (text.indexOf('@') >= 0) scanAround(text, AT, inLocalPart, 65, EMAIL, 'email', out);
  },
};

// In every phone pattern a separator plus digit right before or after the candidate means it is only
// part of a longer number. International groups after the country code: "(0)30", "(415)", " 555",
// "-2671"; digits right after a parenthesis need no separator ("+49 (0)30 …").
const PHONE_INTL = /(?<![\w+])\+[1-9]\d{0,14}(?:[ .-]?\(\d{1,4}\)|[ .-]\d{1,14}|(?<=\))\d{1,14}){0,6}(?!\w|[ .-]\d)/g;
const PHONE_CN_MOBILE = /(?<![\w.+/-]|\d[ -])(?:(?:0086|86)[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\w|[ .-]\d)/g;
const PHONE_NANP =
  /(?<![\w+.-]|\d[ .-])(?:1[ .-]?)?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .-])[2-9]\d{2}[ .-]\d{4}(?!\w|[ .-]\d)/g;
const PHONE_TRUNK = /(?<![\w+.-]|\d[ .-])(?:\(0\d{1,4}\) ?|0\d{1,4}[ -])\d{3,4}[ -]?\d{3,4}(?!\w|[ .-]\d)/g;

function digitCountIn(min: number, max: number) {
  return (m: RegExpExecArray): readonly [number, number] | null => {
    const n = onlyDigits(m[0]).length;
    return n >= min && n <= max ? [m.index, m.index + m[0].length] : null;
  };
}
const e164Length = digitCountIn(8, 15);
const nationalLength = digitCountIn(9, 12);

const phone: Detector = {
  type: 'phone',
  find(text, out) {
    if (text.indexOf('+') >= 0) scan(text, PHONE_INTL, 'phone', out, e164Length);
    scan(text, PHONE_CN_MOBILE, 'phone', out);
    scan(text, PHONE_NANP, 'phone', out);
    if (text.indexOf('0') >= 0) scan(text, PHONE_TRUNK, 'phone', out, nationalLength);
  },
};

const CARD = /(?<![\w+.-])\d(?:[ -]?\d){12,18}(?!\w|\.\d)/g;
const CARD_SEPARATOR = /[ -]/;

function cardNumberValid(digits: string): boolean {
  return digits.length >= 13 && digits.length <= 19 && luhnValid(digits) && cardIssuerValid(digits);
}

/**
 * How much of a candidate is a card (0 if none). Printed cards group digits by 4 (Amex and Diners 4-6-5 /
 * 4-6-4), so a group under 3 digits ends what can belong to the card ("4 1 1 1 …" is a list of numbers),
 * and a number written right after the card ("… 1111 12 units") is dropped group by group.
 */
function cardLength(s: string): number {
  const groups = s.split(CARD_SEPARATOR);
  if (groups.length === 1) return cardNumberValid(s) ? s.length : 0;
  let usable = groups.findIndex((g) => g.length < 3);
  if (usable < 0) usable = groups.length;
  let digits = groups.slice(0, usable).join('');
  for (let k = usable - 1; k >= 0 && digits.length >= 13; k--) {
    if (cardNumberValid(digits)) return digits.length + k; // k separators between k + 1 groups
    digits = digits.slice(0, -groups[k]!.length);
  }
  return 0;
}

const card: Detector = {
  type: 'card',
  find(text, out) {
    scan(text, CARD, 'card', out, (m) => {
      const len = cardLength(m[0]);
      return len > 0 ? [m.index, m.index + len] : null;
    });
  },
};

// Case-insensitive: people type IBANs in lower case; mod-97 and the length table keep precision.
const IBAN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])/gi;
const IBAN_HINT = /[A-Z]{2}\d{2}/i;

const iban: Detector = {
  type: 'iban',
  find(text, out) {
    if (!IBAN_HINT.test(text)) return;
    scan(text, IBAN, 'iban', out, (m) => {
      const want = IBAN_LENGTHS[m[0].slice(0, 2).toUpperCase()];
      if (want === undefined) return null;
      // A group that follows the IBAN (an amount, a reference) may have been swallowed: cut at the
      // country's length.
      let compact = '';
      let end = 0;
      while (end < m[0].length && compact.length < want) {
        const c = m[0][end++]!;
        if (c !== ' ') compact += c;
      }
      return ibanValid(compact.toUpperCase()) ? [m.index, m.index + end] : null;
    });
  },
};

const CN_ID = /(?<!\w)[1-9]\d{16}[\dXx](?!\w)/g;

const cnId: Detector = {
  type: 'cn_id',
  find(text, out) {
    scan(text, CN_ID, 'cn_id', out, (m) => (cnIdValid(m[0]) ? [m.index, m.index + m[0].length] : null));
  },
};

const SSN = /(?<![\w-]|\d[ .-])(\d{3})-(\d{2})-(\d{4})(?![\w-]|\.\d)/g;

const ssn: Detector = {
  type: 'ssn',
  find(text, out) {
    if (text.indexOf('-') < 0) return;
    scan(text, SSN, 'ssn', out, (m) => (ssnValid(m[1]!, m[2]!, m[3]!) ? [m.index, m.index + m[0].length] : null));
  },
};

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\w.]|\\d\\.)(?:${OCTET}\\.){3}${OCTET}(?!\\w|\\.\\d)`, 'g');
const IPV4_EXACT = new RegExp(`^(?:${OCTET}\\.){3}${OCTET}$`);
const VERSION_BEFORE = /(?:(?<![A-Za-z])(?:version|ver\.?|release|build)|版本号?)\s*[:：]?\s*$/i;
const IPV6 = /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?!\w|:[\w:]|\.\d)/y;
const inIpv6 = (c: number) => isHex(c) || c === 58;

/**
 * Where an IPv6 address may start: a colon whose run of hex, colons and dots holds a '::' or at least six
 * colons (eight groups, or six and an IPv4 tail). Times, ratios and JSON punctuation are skipped whole.
 */
function ipv6Seed(text: string, from: number): number {
  for (let p = text.indexOf(':', from); p >= 0; p = text.indexOf(':', p + 1)) {
    let colons = 0;
    let double = false;
    let q = p;
    for (; q < text.length && q - p < 46; q++) {
      const c = text.charCodeAt(q);
      if (c === 58) {
        colons++;
        if (text.charCodeAt(q - 1) === 58) double = true;
      } else if (!isHex(c) && c !== 46) break;
    }
    if (double || colons >= 6) return p;
    p = q - 1;
  }
  return -1;
}
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

/** Full and compressed IPv6, with an optional IPv4 tail; rejects times, MACs and C++ scopes. */
export function ipv6Valid(s: string): boolean {
  if (!/\d/.test(s)) return false;
  let groups = 0;
  let body = s;
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) >= 0) {
    if (!IPV4_EXACT.test(s.slice(lastColon + 1))) return false;
    groups = 2;
    const head = s.slice(0, lastColon + 1);
    body = head.endsWith('::') ? head : head.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  for (const half of halves) {
    if (half === '') continue;
    for (const g of half.split(':')) {
      if (!HEX_GROUP.test(g)) return false;
      groups++;
    }
  }
  return halves.length === 2 ? groups <= 7 : groups === 8;
}

const ip: Detector = {
  type: 'ip',
  find(text, out) {
    if (text.indexOf('.') >= 0) {
      scan(text, IPV4, 'ip', out, (m) =>
        VERSION_BEFORE.test(text.slice(Math.max(0, m.index - 12), m.index)) ? null : [m.index, m.index + m[0].length],
      );
    }
    if (text.indexOf(':') >= 0) {
      scanAround(text, ipv6Seed, inIpv6, 40, IPV6, 'ip', out, (m) => {
        // "fe80::1:" at the end of a clause: the last colon is punctuation.
        const s = m[0].endsWith(':') && !m[0].endsWith('::') ? m[0].slice(0, -1) : m[0];
        return ipv6Valid(s) ? [m.index, m.index + s.length] : null;
      });
    }
  },
};

/**
 * In priority order: when two detectors claim overlapping text the earlier one wins (a key containing
 * digits stays a secret; an 18-digit resident ID that happens to pass Luhn stays a cn_id).
 */
export const DETECTORS: readonly Detector[] = [secretDetector, email, iban, cnId, card, ssn, ip, phone];
