/**
 * Requests refused for a missing or invalid relay key cost an attacker nothing, and each one recorded would
 * become a stored row of attacker-chosen text pushed to every live viewer. So they are recorded as samples:
 * at most one per client IP per second, and at most `globalPerSecond` in all (X-Forwarded-For can be
 * spoofed when TRUST_PROXY trusts everyone, so the per-IP bound alone would not hold). The rest are
 * answered the same 401 and only counted (`gateway_auth_rejected_unlogged_total`).
 */
export class RejectSampler {
  private readonly lastByIp = new Map<string, number>();
  private second = -1;
  private inSecond = 0;
  private readonly perIpMs: number;
  private readonly globalPerSecond: number;
  private readonly maxIps: number;

  constructor(opts: { perIpMs?: number; globalPerSecond?: number; maxIps?: number } = {}) {
    this.perIpMs = opts.perIpMs ?? 1000;
    this.globalPerSecond = opts.globalPerSecond ?? 20;
    this.maxIps = opts.maxIps ?? 10_000;
  }

  /** Whether this rejected request is recorded. */
  admit(ip: string | undefined, now = Date.now()): boolean {
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      this.second = second;
      this.inSecond = 0;
    }
    if (this.inSecond >= this.globalPerSecond) return false;
    const key = ip ?? '';
    const last = this.lastByIp.get(key);
    if (last !== undefined && now - last < this.perIpMs) return false;
    // entries older than perIpMs no longer decide anything: dropping them all bounds memory at no cost
    if (this.lastByIp.size >= this.maxIps) this.lastByIp.clear();
    this.lastByIp.set(key, now);
    this.inSecond++;
    return true;
  }
}
