/** The few admin API calls the scale-out proof makes (docs/admin-api.md), as a script would: Bearer token. */
export interface KeyView {
  id: string;
  name: string;
  status: string;
}

export class AdminClient {
  private token = '';
  private readonly base: string;

  constructor(base: string) {
    this.base = base;
  }

  async login(username: string, password: string): Promise<void> {
    const res = await fetch(`${this.base}/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (!res.ok) throw new Error(`admin login: ${res.status} ${await res.text()}`);
    this.token = ((await res.json()) as { token: string }).token;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  createKey(name: string, limits: { rpm?: number } = {}): Promise<{ key: KeyView; secret: string }> {
    return this.call('POST', '/admin/api-keys', { name, limits });
  }

  setKeyStatus(id: string, status: 'active' | 'disabled'): Promise<KeyView> {
    return this.call('PATCH', `/admin/api-keys/${id}`, { status });
  }

  /** Every stored log of one relay key, through the export endpoint (metadata only). */
  async logIdsOfKey(keyId: string): Promise<string[]> {
    const res = await fetch(`${this.base}/admin/logs/export?keyId=${encodeURIComponent(keyId)}&format=jsonl&full=false`, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    if (!res.ok) throw new Error(`export: ${res.status} ${await res.text()}`);
    const ids: string[] = [];
    for (const line of (await res.text()).split('\n')) if (line.trim()) ids.push((JSON.parse(line) as { id: string }).id);
    return ids;
  }

  /** One stored log by id, or null when the store does not have it. */
  async log(id: string): Promise<{ id: string; key?: { id: string } | null; status: number } | null> {
    const res = await fetch(`${this.base}/admin/logs/${id}`, { headers: { authorization: `Bearer ${this.token}`, accept: 'application/json' } });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`GET /admin/logs/${id}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string; key?: { id: string } | null; status: number };
  }

  system(): Promise<{ queue: { waiting: number; active: number; delayed: number }; gateways: unknown[]; processors: unknown[] }> {
    return this.call('GET', '/admin/system');
  }
}
