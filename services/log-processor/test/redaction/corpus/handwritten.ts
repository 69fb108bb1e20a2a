import type { CorpusLine } from './build.ts';

/**
 * Lines written by hand from real-world shapes, labelled before the detectors were run on them, so the
 * corpus is not only what the templates (and hence the detectors' author) expected. Some are out of the
 * detectors' scope on purpose (7-digit local numbers, undashed SSNs, bare AWS secret keys) and count as misses.
 */
export const HANDWRITTEN: readonly CorpusLine[] = [
  { text: 'Reach me at +86 (10) 6552 9988 or 400-820-8820.', entities: [{ type: 'phone', value: '+86 (10) 6552 9988' }, { type: 'phone', value: '400-820-8820' }] },
  { text: 'Version 10.2.3.4 is out, please upgrade.', entities: [] },
  { text: 'My old number 13800138000 is replaced by 18912345678.', entities: [{ type: 'phone', value: '13800138000' }, { type: 'phone', value: '18912345678' }] },
  { text: 'UPS tracking: 1Z999AA10123456784', entities: [] },
  { text: 'The Zoom meeting ID is 845 1234 5678, passcode 123456.', entities: [] },
  { text: 'Error at 2024-03-01 10:15:30.123 from 172.16.254.1:8080', entities: [{ type: 'ip', value: '172.16.254.1' }] },
  { text: 'Email me: first.last+tag@sub.domain.co.jp.', entities: [{ type: 'email', value: 'first.last+tag@sub.domain.co.jp' }] },
  { text: 'link-local fe80::1ff:fe23:4567:890a%eth0 is up', entities: [{ type: 'ip', value: 'fe80::1ff:fe23:4567:890a' }] },
  { text: 'Card 5555555555554444 (the Mastercard test number) works in sandbox.', entities: [{ type: 'card', value: '5555555555554444' }] },
  { text: 'Phone: 555-0100 (front desk)', entities: [{ type: 'phone', value: '555-0100' }] },
  { text: '有事打我电话13912345678!', entities: [{ type: 'phone', value: '13912345678' }] },
  { text: 'SSN 078-05-1120 was printed on wallet inserts in 1938.', entities: [{ type: 'ssn', value: '078-05-1120' }] },
  { text: 'my ssn is 219099999 do not share', entities: [{ type: 'ssn', value: '219099999' }] },
  { text: 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', entities: [{ type: 'secret', value: 'AKIAIOSFODNN7EXAMPLE' }, { type: 'secret', value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }] },
  { text: 'the other secret was wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', entities: [{ type: 'secret', value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }] },
  { text: 'git clone https://oauth2:glpat-Ab3dEf6hIj9kLm2nOp5q@gitlab.com/group/repo.git', entities: [{ type: 'secret', value: 'glpat-Ab3dEf6hIj9kLm2nOp5q' }] },
  { text: 'Price: $1,234,567.89; qty 4111; SKU 4111-2222', entities: [] },
  { text: 'The Unix time 1717171717 equals 2024-05-31T16:08:37Z', entities: [] },
  { text: 'IBAN: fr76 3000 6000 0112 3456 7890 189', entities: [{ type: 'iban', value: 'fr76 3000 6000 0112 3456 7890 189' }] },
  { text: 'IBAN GB29 NWBK 6016 1331 9268 19 for the rent', entities: [{ type: 'iban', value: 'GB29 NWBK 6016 1331 9268 19' }] },
  { text: '身份证号 11010519491231002x 已登记', entities: [{ type: 'cn_id', value: '11010519491231002x' }] },
  { text: 'host 10.0.0.256 is invalid', entities: [] },
  { text: 'mapped address ::ffff:10.0.0.1 seen', entities: [{ type: 'ip', value: '::ffff:10.0.0.1' }] },
  { text: 'Timestamp 12:30:45.678 and duration 01:02:03', entities: [] },
  { text: 'Authorization: Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJpc3MiOiJodHRwczovL2V4YW1wbGUuY29tIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ', entities: [{ type: 'secret', value: 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJpc3MiOiJodHRwczovL2V4YW1wbGUuY29tIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ' }] },
  { text: 'DSN: mysql://root:p%40ssw0rd@127.0.0.1:3306/app', entities: [{ type: 'secret', value: 'p%40ssw0rd' }, { type: 'ip', value: '127.0.0.1' }] },
  { text: 'see RFC 5737: 192.0.2.1, 198.51.100.7 and 203.0.113.9', entities: [{ type: 'ip', value: '192.0.2.1' }, { type: 'ip', value: '198.51.100.7' }, { type: 'ip', value: '203.0.113.9' }] },
  { text: '用户手机 +86 139-1234-5678，座机 (0571) 8888 6666', entities: [{ type: 'phone', value: '+86 139-1234-5678' }, { type: 'phone', value: '(0571) 8888 6666' }] },
  { text: 'ISBN-13: 978-0-596-52068-7', entities: [] },
  { text: 'UUID 123e4567-e89b-12d3-a456-426614174000', entities: [] },
  { text: 'Call +1-202-555-0173 ext. 12', entities: [{ type: 'phone', value: '+1-202-555-0173' }] },
  { text: 'Hex color #123456 and rgb(18, 52, 86)', entities: [] },
  { text: 'Coordinates 31.2304° N, 121.4737° E', entities: [] },
  { text: 'CUDA 12.4.1.003 driver, cuDNN 9.1.0.70', entities: [] },
  { text: 'net 10.10.10.0/24 gateway 10.10.10.1', entities: [{ type: 'ip', value: '10.10.10.0' }, { type: 'ip', value: '10.10.10.1' }] },
  { text: '电话：021-64381234 转 123', entities: [{ type: 'phone', value: '021-64381234' }] },
  { text: '{"phone":"+44 7700 900123","ok":true}', entities: [{ type: 'phone', value: '+44 7700 900123' }] },
  { text: 'login with password=hunter2 failed', entities: [{ type: 'secret', value: 'hunter2' }] },
  { text: 'PR #4521 fixed issue #1234 in 3.2.1', entities: [] },
  { text: 'Invoice INV-2024-000123, amount 12,500.00 CNY, due 2024-02-29', entities: [] },
  { text: 'Run `kubectl get pods -n kube-system` on 10.96.0.1', entities: [{ type: 'ip', value: '10.96.0.1' }] },
  { text: '银行卡 6222 0200 0000 0000 004 和信用卡 4012 8888 8888 1881', entities: [{ type: 'card', value: '4012 8888 8888 1881' }] },
  { text: 'Docker image sha256:9b2a7c1e3d4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b', entities: [] },
  { text: 'Use port 5432 on db-1 (build 2024.01.15.3)', entities: [] },
  { text: "Mail 'Jane Roe' <jane.roe@example.org>", entities: [{ type: 'email', value: 'jane.roe@example.org' }] },
  { text: 'Ping 2001:4860:4860::8888 and 8.8.8.8', entities: [{ type: 'ip', value: '2001:4860:4860::8888' }, { type: 'ip', value: '8.8.8.8' }] },
  { text: 'react@18.2.0 and @types/node@24.0.1 were installed', entities: [] },
  { text: 'The ratio was 1:2:3 and the clock read 23:59:59', entities: [] },
];

/**
 * A second batch, written and labelled after the detectors had been tuned on the lines above: a small
 * held-out check of how well that tuning generalises. Its first run missed two entities ("+49 (0)30 …"
 * and a URL password containing '#'); both detectors were then fixed, so the batch is no longer unseen.
 */
export const HELD_OUT: readonly CorpusLine[] = [
  { text: '客户王芳（手机 186-1234-5678）反馈：支付宝绑定的银行卡 6228 4800 0000 0000 018 无法解绑', entities: [{ type: 'phone', value: '186-1234-5678' }, { type: 'card', value: '6228 4800 0000 0000 018' }] },
  { text: 'Ship to: 1600 Amphitheatre Pkwy, Mountain View, CA 94043, tel. 650-253-0000', entities: [{ type: 'phone', value: '650-253-0000' }] },
  { text: 'Your verification code is 482913. It expires in 10 minutes.', entities: [] },
  { text: 'Traceback (most recent call last):\n  File "app.py", line 1024, in <module>\nConnectionError: 10.244.3.17:6379 refused', entities: [{ type: 'ip', value: '10.244.3.17' }] },
  { text: 'HTTP/1.1 200 OK\r\nDate: Tue, 15 Nov 2024 08:12:31 GMT\r\nX-Request-Id: 7f3e9c2a-1b4d-4e8f-9a6c-2d5b8e1f0c3a', entities: [] },
  { text: 'Bitte überweisen Sie auf DE02 1203 0000 0000 2020 51 bis zum 30.11.', entities: [{ type: 'iban', value: 'DE02 1203 0000 0000 2020 51' }] },
  { text: 'My Amex is 3714 496353 98431, CVV 1234', entities: [{ type: 'card', value: '3714 496353 98431' }] },
  { text: 'The answer to 2^64 is 18446744073709551616.', entities: [] },
  { text: '{"ip":"2a03:2880:f12f:83:face:b00c:0:25de","ua":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)"}', entities: [{ type: 'ip', value: '2a03:2880:f12f:83:face:b00c:0:25de' }] },
  { text: 'Contact the DPO at dpo@bank-example.de or +49 (0)30 1234567.', entities: [{ type: 'email', value: 'dpo@bank-example.de' }, { type: 'phone', value: '+49 (0)30 1234567' }] },
  { text: '请在 2024-12-01 前将 ¥12,800.00 汇入账户，联系人 13612345678，邮箱 finance@company.cn', entities: [{ type: 'phone', value: '13612345678' }, { type: 'email', value: 'finance@company.cn' }] },
  { text: 'export ANTHROPIC_API_KEY="sk-ant-api03-q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C2v3B4n5M6-AbCdEfGh"', entities: [{ type: 'secret', value: 'sk-ant-api03-q1W2e3R4t5Y6u7I8o9P0a1S2d3F4g5H6j7K8l9Z0x1C2v3B4n5M6-AbCdEfGh' }] },
  { text: 'Running on node v24.21.0 (linux-x64), commit 3f2a1bc, PID 48213', entities: [] },
  { text: 'Patient DOB 1985-07-23, MRN 00482193, SSN 512-68-4471', entities: [{ type: 'ssn', value: '512-68-4471' }] },
  { text: '身份证：320106198507234418，请核实', entities: [{ type: 'cn_id', value: '320106198507234418' }] },
  { text: 'jdbc:mysql://app_user:Xk9#mP2$vL@10.1.2.3:3306/shop?useSSL=false', entities: [{ type: 'secret', value: 'Xk9#mP2$vL' }, { type: 'ip', value: '10.1.2.3' }] },
  { text: 'See https://example.com/orders/4532015112830366/status for details', entities: [{ type: 'card', value: '4532015112830366' }] },
  { text: 'Coupon code SAVE2024NOW and gift card 6035 1234 5678 9012 3', entities: [] },
  { text: 'Call me on 07700 900461 or email sam@example.co.uk', entities: [{ type: 'phone', value: '07700 900461' }, { type: 'email', value: 'sam@example.co.uk' }] },
  { text: 'Matrix size 1920x1080 at 59.94 fps, bitrate 8000 kbps', entities: [] },
  { text: 'token=ghs_16C7e42F292c6912E7710c838347Ae178B4a used by CI', entities: [{ type: 'secret', value: 'ghs_16C7e42F292c6912E7710c838347Ae178B4a' }] },
  { text: 'The MAC is 3c:22:fb:8a:1e:07 and the IPv6 is 2001:db8:0:0:1:0:0:1', entities: [{ type: 'ip', value: '2001:db8:0:0:1:0:0:1' }] },
  { text: '快递员电话 +86 155 0101 2233，取件码 8-3-1024', entities: [{ type: 'phone', value: '+86 155 0101 2233' }] },
  { text: 'Reference RF18 5390 0754 7034 for the invoice', entities: [] },
  { text: 'Her number is (212) 555-0187, his is 212-555-0199', entities: [{ type: 'phone', value: '(212) 555-0187' }, { type: 'phone', value: '212-555-0199' }] },
];

/**
 * A third batch: developer content as it reaches an LLM (code, configs, logs, data), labelled before the
 * detectors were run on it. Its first run over-redacted `x-access-token:ghp_…@github.com/…` (the host went
 * with the token) and missed `curl -u admin:…`; both were then fixed. The curl line was first mislabelled
 * as clean and corrected.
 */
export const DEVELOPER: readonly CorpusLine[] = [
  { text: 'SELECT id, total FROM orders WHERE created_at > 1717171717000 AND user_id IN (1024, 2048, 4096) LIMIT 50;', entities: [] },
  { text: '"dependencies": { "react": "^18.3.1", "lodash": "4.17.21", "@types/node": "24.0.1" }', entities: [] },
  { text: 'FROM node:24.21.0-bookworm-slim\nEXPOSE 8080\nENV TZ=Asia/Shanghai', entities: [] },
  { text: 'spec:\n  clusterIP: 10.96.120.15\n  ports:\n    - port: 6379\n      targetPort: 6379', entities: [{ type: 'ip', value: '10.96.120.15' }] },
  { text: 'id,name,phone,amount\n1,张伟,13912345678,299.00\n2,李娜,15887654321,1299.50', entities: [{ type: 'phone', value: '13912345678' }, { type: 'phone', value: '15887654321' }] },
  { text: 'at Object.<anonymous> (/app/src/index.js:1024:17)\n    at Module._compile (node:internal/modules/cjs/loader:1364:14)', entities: [] },
  { text: 'const MAX = 9007199254740991; const PI = 3.141592653589793; const E = 2.718281828459045;', entities: [] },
  { text: 'matrix = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]; np.random.seed(20240115)', entities: [] },
  { text: '2024-06-01T12:00:00.000Z INFO request_id=5f2b7c1e-8d3a-4b6f-9e21-0a4c6d8e2f13 latency_ms=183 status=200', entities: [] },
  { text: 'curl -u admin:Sup3rS3cret! https://api.example.com/v1/items', entities: [{ type: 'secret', value: 'Sup3rS3cret!' }] },
  { text: 'git remote set-url origin https://x-access-token:ghp_aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0dF3gH6@github.com/org/repo.git', entities: [{ type: 'secret', value: 'ghp_aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0dF3gH6' }] },
  { text: 'color: #1e293b; background: rgba(15, 23, 42, 0.8); margin: 0 0 16px 0;', entities: [] },
  { text: 'Test card for Stripe: 4242 4242 4242 4242, any future date, any CVC.', entities: [{ type: 'card', value: '4242 4242 4242 4242' }] },
  { text: 'OPENAI_BASE_URL=http://127.0.0.1:8000/v1\nOPENAI_API_KEY=sk-relay-9fK2mQ7xL4pR8tW1yB6nC3vD5hJ0sA2gE4iU7oZ', entities: [{ type: 'ip', value: '127.0.0.1' }, { type: 'secret', value: 'sk-relay-9fK2mQ7xL4pR8tW1yB6nC3vD5hJ0sA2gE4iU7oZ' }] },
  { text: 'BigInt: 123456789012345678901234567890n, hex 0xFFFFFFFFFFFFFFFF', entities: [] },
  { text: 'IPv6 route ::/0 via fe80::a00:27ff:fe4e:66a1 dev eth0', entities: [{ type: 'ip', value: 'fe80::a00:27ff:fe4e:66a1' }] },
  { text: 'model="qwen2.5-72b-instruct", temperature=0.7, top_p=0.95, max_tokens=4096, seed=1234567890', entities: [] },
  { text: 'Phone regex test cases: "+1 650 253 0000", "13800138000"', entities: [{ type: 'phone', value: '+1 650 253 0000' }, { type: 'phone', value: '13800138000' }] },
  { text: 'sha512-Dq3jKzW1v8bq0lF7nG9C5xNk7pY2ZsT6uR4eH1mA8oV3cX5bL9wQ2jE7rI0tU6yP4sD1fG8hJ3kM5nB7vC9xZ2w==', entities: [] },
  { text: '他的工号是 10086，分机 8021，座位 B-12-03', entities: [] },
];
