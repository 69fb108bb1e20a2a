import { describe, expect, it } from 'vitest';
import { cnId, seeded } from '../../../test/redaction/corpus/values.ts';
import { createRedactor, REDACTION_TYPES, type RedactionType } from './index.ts';

const all = createRedactor(REDACTION_TYPES);
/** The substrings redacted from `s`, with their types. */
const found = (s: string) => all.detect(s).map((x) => `${x.type}:${s.slice(x.start, x.end)}`);
const only = (type: RedactionType, s: string) => all.detect(s).filter((x) => x.type === type).map((x) => s.slice(x.start, x.end));

describe('email', () => {
  it('finds addresses in English and Chinese text, without trailing punctuation', () => {
    expect(found('mail first.last+tag@sub.example.co.uk.')).toEqual(['email:first.last+tag@sub.example.co.uk']);
    expect(found('请发到zhang_san@163.com，谢谢')).toEqual(['email:zhang_san@163.com']);
    expect(found('<jane.roe@example.org>')).toEqual(['email:jane.roe@example.org']);
  });
  it('ignores handles, scoped packages and hosts without a TLD', () => {
    expect(found('ping @alice, install @types/node@24.0.1 and react@18.2.0, user@localhost')).toEqual([]);
  });
});

describe('phone', () => {
  it('finds international, mainland-China mobile and national formats', () => {
    for (const p of ['+86 138 0013 8000', '+8613800138000', '+86-13800138000', '13800138000', '138-0013-8000', '+1 (415) 555-2671', '(415) 555-2671', '415.555.2671', '+44 20 7946 0958', '020 7946 0958', '010-62345678', '(0571) 8888 6666', '+81 3-1234-5678', '+49 (0)30 1234567']) {
      expect(only('phone', `call ${p} now`), p).toEqual([p]);
    }
    expect(only('phone', '手机13912345678，谢谢')).toEqual(['13912345678']);
  });
  it('leaves long digit runs, timestamps, dates, times and versions alone', () => {
    for (const s of ['order 138001380001234', 'ts 1700000000000 and 1717171717', 'on 2024-01-15 at 12:30:45', 'v1.2.3 and 12345678901234567890', 'Zoom 845 1234 5678', '订单号202401151380013800']) {
      expect(only('phone', s), s).toEqual([]);
    }
  });
});

describe('card', () => {
  it('finds Luhn-valid numbers of known issuers, with spaces, dashes or none', () => {
    for (const c of ['4111 1111 1111 1111', '4111-1111-1111-1111', '5555555555554444', '3782 822463 10005', '6011 1111 1111 1117', '3530111333300000']) {
      expect(found(`card ${c}.`), c).toEqual([`card:${c}`]);
    }
  });
  it('drops a number written right after the card', () => {
    expect(found('card 4111 1111 1111 1111 12 units')).toEqual(['card:4111 1111 1111 1111']);
    expect(found('card 4111-1111-1111-1111-1-2')).toEqual(['card:4111-1111-1111-1111']);
    expect(found('amex 3782 822463 10005 2024')).toEqual(['card:3782 822463 10005']);
  });
  it('rejects a wrong check digit, unknown issuers and longer runs', () => {
    expect(found('card 4111 1111 1111 1112')).toEqual([]);
    // Luhn-valid but no scheme issues 16-digit numbers starting with 1 or 9.
    expect(found('ids 1111111111111117 and 9999999999999995')).toEqual([]);
    expect(found('order 41111111111111110000')).toEqual([]);
    expect(found('scores 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 and 41 11 11 11 11 11 11 11')).toEqual([]);
  });
});

describe('iban', () => {
  it('finds mod-97-valid IBANs with or without spaces, in either case', () => {
    for (const i of ['GB82 WEST 1234 5698 7654 32', 'GB82WEST12345698765432', 'DE89 3704 0044 0532 0130 00', 'fr14 2004 1010 0505 0001 3m02 606', 'NL91ABNA0417164300']) {
      expect(found(`IBAN ${i}, thanks`), i).toEqual([`iban:${i}`]);
    }
  });
  it('stops at the country length and rejects wrong check digits', () => {
    expect(found('to DE89 3704 0044 0532 0130 00 1234 EUR')).toEqual(['iban:DE89 3704 0044 0532 0130 00']);
    expect(found('IBAN GB83 WEST 1234 5698 7654 32')).toEqual([]);
  });
});

describe('ip', () => {
  it('finds IPv4 and IPv6 in full and compressed forms', () => {
    for (const a of ['192.168.1.10', '8.8.8.8', '2001:0db8:85a3:0000:0000:8a2e:0370:7334', 'fe80::1', '::1', '2001:db8::8a2e:370:7334', '::ffff:192.0.2.128']) {
      expect(found(`host ${a}: down`), a).toEqual([`ip:${a}`]);
    }
    expect(found('net 10.0.0.0/8 via 10.0.0.1:8080')).toEqual(['ip:10.0.0.0', 'ip:10.0.0.1']);
  });
  it('leaves versions, out-of-range octets, times, MACs and C++ scopes alone', () => {
    for (const s of ['v1.2.3', '1.2.3', '10.0.0.0.1', '256.1.1.1', '192.168.001.1', 'version 2.0.0.1', 'at 12:30:45', '00:1A:2B:3C:4D:5E', 'std::vector', 'ratio 1:2:3']) {
      expect(found(s), s).toEqual([]);
    }
  });
});

describe('cn_id', () => {
  it('accepts a valid ID (check character X, upper or lower case)', () => {
    expect(found('身份证11010519491231002X。')).toEqual(['cn_id:11010519491231002X']);
    expect(found('id 11010519491231002x')).toEqual(['cn_id:11010519491231002x']);
  });
  it('rejects a wrong check character, an impossible birth date and an unknown region', () => {
    expect(found('身份证110105194912310021')).toEqual([]);
    const feb30 = cnId(seeded(7), 'date');
    expect(feb30.slice(10, 14)).toBe('0230');
    expect(found(`id ${feb30}`)).toEqual([]);
    expect(found('id 99010519491231002X')).toEqual([]);
  });
});

describe('ssn', () => {
  it('finds dashed SSNs with valid area, group and serial', () => {
    expect(found('SSN 078-05-1120.')).toEqual(['ssn:078-05-1120']);
  });
  it('rejects area 000, 666 and 9xx, group 00, serial 0000 and longer runs', () => {
    for (const s of ['000-12-3456', '666-12-3456', '912-12-3456', '123-00-4567', '123-45-0000', '123-45-67890', 'x-123-45-6789']) {
      expect(found(s), s).toEqual([]);
    }
  });
});

describe('secret', () => {
  const key = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z';
  it.each([
    key,
    'sk-ant-api03-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z_0-AA',
    'sk-relay-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z012345',
    'AKIAIOSFODNN7EXAMPLE',
    'ASIAY34FZKBOKMUTVV7A',
    'ghp_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z01234',
    'github_pat_11ABCDEFG0123456789abc_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z0123456789abcdefghijklmnopq',
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----',
    '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F17F5316E2BAC89\n\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----',
    '-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\\n-----END OPENSSH PRIVATE KEY-----',
  ])('redacts %s', (s) => {
    expect(all.redactText(`key: ${s} end`).text).toBe('key: [SECRET] end');
  });
  it('redacts a truncated private-key block up to where its base64 stops', () => {
    expect(all.redactText('-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEF').text).toBe('[SECRET]');
  });
  it('keeps the scheme, user and host of a URL and redacts only its password', () => {
    expect(all.redactText('postgres://admin:s3cr3t!@db.internal:5432/app').text).toBe('postgres://admin:[SECRET]@db.internal:5432/app');
    expect(all.redactText('redis://:p4ss@cache:6379').text).toBe('redis://:[SECRET]@cache:6379');
    expect(all.redactText('jdbc:mysql://app:Xk9#mP2$vL@db:3306/shop').text).toBe('jdbc:mysql://app:[SECRET]@db:3306/shop');
    expect(all.redactText('see postgres://user:****@db:5432/app').text).toBe('see postgres://user:****@db:5432/app');
  });
  it('redacts curl credentials and stops an assigned secret at "@host"', () => {
    expect(all.redactText('curl -u admin:Sup3rS3cret! https://x.io').text).toBe('curl -u admin:[SECRET] https://x.io');
    expect(all.redactText('https://x-access-token:tok3n-abc-123@github.com/o/r.git').text).toBe(
      'https://x-access-token:[SECRET]@github.com/o/r.git',
    );
    expect(all.redactText('password: s3cr3t-v4lue@vault.local:8200').text).toBe('password: [SECRET]@vault.local:8200');
  });
  it('redacts assigned passwords and leaves prose and placeholders alone', () => {
    expect(all.redactText('password=hunter2 failed').text).toBe('password=[SECRET] failed');
    expect(all.redactText('密码：abc12345').text).toBe('密码：[SECRET]');
    expect(found('password: required; sk-xxxxxxxxxxxxxxxxxxxxxxxx; OPENAI_API_KEY=YOUR_API_KEY')).toEqual([]);
  });
  it('does not take dotted base64 without a JWT header for a token', () => {
    expect(found('eyJ0eXAiOiJ4In0.YWJjZGVmZ2hpams.bG1ub3BxcnN0dXY')).toEqual([]);
  });
});

describe('createRedactor', () => {
  const text = 'mail a.b@example.com, call 13800138000, key AKIAIOSFODNN7EXAMPLE';
  it('redacts only the enabled types and counts each', () => {
    expect(createRedactor(['email']).redactText(text)).toEqual({
      text: 'mail [EMAIL], call 13800138000, key AKIAIOSFODNN7EXAMPLE',
      counts: { email: 1 },
    });
    expect(all.redactText(text)).toEqual({ text: 'mail [EMAIL], call [PHONE], key [SECRET]', counts: { email: 1, phone: 1, secret: 1 } });
    expect(createRedactor([]).redactText(text)).toEqual({ text, counts: {} });
  });
  it('is idempotent: redacted output has nothing left to find', () => {
    const once = all.redactText(`${text}, 身份证11010519491231002X, IBAN GB82 WEST 1234 5698 7654 32, 10.0.0.1`);
    expect(once.counts).toEqual({ email: 1, phone: 1, secret: 1, cn_id: 1, iban: 1, ip: 1 });
    expect(all.redactText(once.text)).toEqual({ text: once.text, counts: {} });
  });
  it('lets the higher-priority finding win where two overlap', () => {
    // An 18-digit resident ID from Gansu (62…) is also a Luhn-valid UnionPay-shaped number.
    const id = '620102199003075118';
    expect(found(`id ${id}`)).toEqual([`cn_id:${id}`]);
  });
  it('skips the media payload of inline data URLs in plain text, not text posing as one', () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]).toString('base64');
    const payload = jpeg + 'AKIAIOSFODNN7EXAMPLE/'.repeat(50);
    expect(all.redactText(payload.slice(16)).counts).toEqual({ secret: 50 });
    const s = `img data:image/png;base64,${payload} from a.b@example.com`;
    expect(all.redactText(s).text).toBe(`img data:image/png;base64,${payload} from [EMAIL]`);
    const posing = `img data:image/png;base64,${'AKIAIOSFODNN7EXAMPLE/'.repeat(3)} from a.b@example.com`;
    expect(all.redactText(posing).text).toBe('img data:image/png;base64,[SECRET]/[SECRET]/[SECRET]/ from [EMAIL]');
  });
});
