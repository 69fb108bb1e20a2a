import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface CpuNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface ProfileLine {
  fn: string;
  where: string;
  selfPct: number;
}

/** Top functions by self time in the V8 .cpuprofile files of a directory (node --cpu-prof). */
export function topSelfTime(dir: string, top = 15): { lines: ProfileLine[]; files: string[]; byArea: { area: string; pct: number }[] } {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const self = new Map<string, number>();
  const area = new Map<string, number>();
  let total = 0;
  for (const f of files) {
    const prof = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { nodes: CpuNode[] };
    for (const n of prof.nodes) {
      const hits = n.hitCount ?? 0;
      if (!hits) continue;
      total += hits;
      const url = n.callFrame.url.replace(/^file:\/\//, '');
      const short = url.replace(/^.*\/node_modules\//, 'node_modules/').replace(/^.*\/(services|packages)\//, '$1/');
      const key = `${n.callFrame.functionName || '(anonymous)'}\t${short ? `${short}:${n.callFrame.lineNumber + 1}` : '(native/VM)'}`;
      self.set(key, (self.get(key) ?? 0) + hits);
      const a = !url
        ? n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : 'native/VM'
        : url.includes('/node_modules/')
          ? `node_modules/${url.split('/node_modules/').pop()!.split('/').slice(0, url.includes('/node_modules/@') ? 2 : 1).join('/')}`
          : url.startsWith('node:')
            ? 'node core'
            : url.includes('/services/') || url.includes('/packages/')
              ? 'relay code'
              : 'other';
      area.set(a, (area.get(a) ?? 0) + hits);
    }
  }
  const lines = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, v]) => {
      const [fn, where] = k.split('\t');
      return { fn: fn!, where: where!, selfPct: (100 * v) / (total || 1) };
    });
  const byArea = [...area.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([a, v]) => ({ area: a, pct: (100 * v) / (total || 1) }));
  return { lines, files, byArea };
}
