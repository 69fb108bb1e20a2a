const POOL_BYTES = 4096;
const RANDOM_PER_ID = 10;
// one getRandomValues call per ~400 ids instead of one per id: it is a syscall-backed fill each time
const pool = new Uint8Array(POOL_BYTES);
let poolAt = POOL_BYTES;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function randomBytes(): number {
  if (poolAt + RANDOM_PER_ID > POOL_BYTES) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += RANDOM_PER_ID;
  return at;
}

/** UUIDv7 (RFC 9562): time-ordered, so the log primary key sorts by creation time. */
export function uuidv7(now: number = Date.now()): string {
  const r = randomBytes();
  const p = pool;
  // 48-bit milliseconds: above 2^32, so split with arithmetic rather than bit operators
  const hi = Math.floor(now / 0x10000);
  const lo = now % 0x10000;
  const time = HEX[(hi >>> 24) & 0xff]! + HEX[(hi >>> 16) & 0xff]! + HEX[(hi >>> 8) & 0xff]! + HEX[hi & 0xff]! + '-' + HEX[(lo >>> 8) & 0xff]! + HEX[lo & 0xff]!;
  const ver = HEX[(p[r]! & 0x0f) | 0x70]! + HEX[p[r + 1]!]!;
  const variant = HEX[(p[r + 2]! & 0x3f) | 0x80]! + HEX[p[r + 3]!]!;
  let node = '';
  for (let i = 4; i < RANDOM_PER_ID; i++) node += HEX[p[r + i]!]!;
  return `${time}-${ver}-${variant}-${node}`;
}

/** Milliseconds since epoch encoded in a UUIDv7. */
export function uuidv7Time(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}
