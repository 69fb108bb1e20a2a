import { card, chars, cnId, digits, iban, int, pick, type Rand, ssn } from './values.ts';

const HEX = '0123456789abcdef';

/** Look-alikes that must survive redaction untouched, by kind (`{~kind}` in a template). */
export const NEGATIVES: Readonly<Record<string, (r: Rand) => string>> = {
  card: (r) => card(r, false),
  iban: (r) => iban(r, false),
  cn_id: (r) => cnId(r, r() < 0.7 ? 'check' : 'date'),
  ssn: (r) => ssn(r, false),
  order: (r) => pick(r, ['2024' + digits(r, 12), '2025' + digits(r, 16), 'DD' + digits(r, 14), '9' + digits(r, 15), '12' + digits(r, 9), 'SF' + digits(r, 13), 'PO-' + digits(r, 8)]),
  ts: (r) => pick(r, ['17' + digits(r, 8), '17' + digits(r, 11), `2024-0${int(r, 1, 9)}-1${int(r, 0, 9)}T${int(r, 10, 23)}:${int(r, 10, 59)}:${int(r, 10, 59)}Z`, `${int(r, 10, 23)}:${int(r, 10, 59)}:${int(r, 10, 59)}`, `2024-01-15 08:30:00.${digits(r, 3)}`]),
  version: (r) => pick(r, [`v${int(r, 0, 9)}.${int(r, 0, 20)}.${int(r, 0, 30)}`, `${int(r, 0, 9)}.${int(r, 0, 20)}.${int(r, 0, 30)}`, '10.0.0.0.1', `version ${int(r, 1, 4)}.0.0.${int(r, 1, 9)}`, 'Chrome/120.0.6099.109', 'node 24.21.0', '1.0.0-beta.2', `版本 ${int(r, 1, 3)}.${int(r, 0, 9)}.${int(r, 0, 9)}.${int(r, 0, 99)}`]),
  isbn: (r) => pick(r, ['ISBN 978-3-16-148410-0', 'ISBN 978-7-115-42802-8', 'ISBN 9787115428028', 'ISBN 0-306-40615-2']),
  price: (r) => pick(r, [`¥${int(r, 1, 9)},${digits(r, 3)}.00`, `$${int(r, 10, 99)},${digits(r, 3)}.${digits(r, 2)}`, `€${int(r, 1, 9)}.${digits(r, 3)},${digits(r, 2)}`, `￥ ${digits(r, 4)}.88`, `${int(r, 1, 99)},${digits(r, 3)},${digits(r, 3)} 元`]),
  date: (r) => pick(r, ['2024-01-15', '2024/01/15', '15.01.2024', '2024年1月15日', '01/15/2024', `20${int(r, 10, 29)}-${int(r, 10, 12)}-${int(r, 10, 28)}`]),
  uuid: (r) => `${chars(r, 8, HEX)}-${chars(r, 4, HEX)}-4${chars(r, 3, HEX)}-a${chars(r, 3, HEX)}-${chars(r, 12, HEX)}`,
  git: (r) => (r() < 0.5 ? chars(r, 40, HEX) : chars(r, 7, HEX)),
  color: (r) => '#' + chars(r, pick(r, [3, 6]), HEX),
  mac: (r) => Array.from({ length: 6 }, () => chars(r, 2, '0123456789ABCDEF')).join(':'),
  placeholder: (r) => pick(r, ['sk-xxxxxxxxxxxxxxxxxxxxxxxx', 'sk-...', 'YOUR_API_KEY', 'sk-your-key-here', 'AKIA****************', 'postgres://user:****@db:5432/app', 'ghp_xxxxxxxx']),
  badip: (r) => pick(r, [`256.${int(r, 0, 255)}.1.1`, `192.168.${int(r, 0, 255)}`, '1.2.3.4.5', `999.${int(r, 10, 99)}.10.10`, '192.168.001.1']),
  number: (r) => pick(r, ['3.14159', '1e-10', '+15%', '-273.15', '6.02e23', '100,000,000', `${digits(r, 3)}.${digits(r, 3)}.${digits(r, 2)}`, '0x7fffffff', '9007199254740993']),
  coord: (r) => `${int(r, 20, 50)}.${digits(r, 4)}, ${int(r, 100, 130)}.${digits(r, 4)}`,
  code: (r) => pick(r, ['std::vector<int>', 'Foo::bar()', 'crate::config::load', 'a::b', 'Array<Map<K,V>>']),
  qq: (r) => `QQ ${int(r, 10000, 99999)}${digits(r, int(r, 3, 5))}`,
  // A JWT-shaped string whose header has no alg: base64 of {"typ":"x"}.
  notjwt: (r) => `eyJ0eXAiOiJ4In0.${chars(r, 20)}.${chars(r, 20)}`,
};
