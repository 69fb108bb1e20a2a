import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface CpuProfile {
  nodes: CpuNode[];
  samples?: number[];
  timeDeltas?: number[];
}

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

/** Sample counts per node, leaving out the first `skipMs` of the profile (start-up and warm-up). */
function hitsAfter(prof: CpuProfile, skipMs: number): Map<number, number> {
  const hits = new Map<number, number>();
  if (!prof.samples || !prof.timeDeltas) {
    for (const n of prof.nodes) if (n.hitCount) hits.set(n.id, n.hitCount);
    return hits;
  }
  let t = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    t += prof.timeDeltas[i]! / 1000;
    if (t < skipMs) continue;
    hits.set(prof.samples[i]!, (hits.get(prof.samples[i]!) ?? 0) + 1);
  }
  return hits;
}

/** Top functions by self time in the V8 .cpuprofile files of a directory (node --cpu-prof), after `skipMs`. */
export function topSelfTime(dir: string, skipMs = 0, top = 15): { lines: ProfileLine[]; files: string[]; byArea: { area: string; pct: number }[] } {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const self = new Map<string, number>();
  const area = new Map<string, number>();
  let total = 0;
  for (const f of files) {
    const prof = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile;
    const counted = hitsAfter(prof, skipMs);
    for (const n of prof.nodes) {
      const hits = counted.get(n.id) ?? 0;
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

/**
 * Inclusive time (self + callees) of the named functions, as % of all samples after `skipMs`: where each
 * request's CPU goes, by step. A function that calls itself (or another listed one) is counted once per sample.
 */
export function inclusiveTime(dir: string, names: string[], skipMs = 0): { fn: string; pct: number }[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const want = new Set(names);
  const acc = new Map<string, number>();
  let total = 0;
  for (const f of files) {
    const prof = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile;
    const parent = new Map<number, number>();
    const byId = new Map<number, CpuNode>();
    for (const n of prof.nodes) {
      byId.set(n.id, n);
      for (const c of n.children ?? []) parent.set(c, n.id);
    }
    for (const [id, hits] of hitsAfter(prof, skipMs)) {
      total += hits;
      const seen = new Set<string>();
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const frame = byId.get(cur)!.callFrame;
        const file = frame.url.split('/').pop() ?? '';
        // a name matches as `fn` or as `fn@file.ts` (for common names such as `write`)
        const fn = want.has(`${frame.functionName}@${file}`) ? `${frame.functionName}@${file}` : frame.functionName;
        if (want.has(fn) && !seen.has(fn)) {
          seen.add(fn);
          acc.set(fn, (acc.get(fn) ?? 0) + hits);
        }
      }
    }
  }
  return names.map((fn) => ({ fn, pct: (100 * (acc.get(fn) ?? 0)) / (total || 1) }));
}
