import { readdirSync, readFileSync } from 'node:fs';

/**
 * A process and all its descendants (Linux /proc), so that a gateway started with GATEWAY_WORKERS > 1 (a primary
 * that forks its workers) is measured whole; a single process is just itself.
 */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const tid of readdirSync(`/proc/${out[i]}/task`)) {
        for (const child of readFileSync(`/proc/${out[i]}/task/${tid}/children`, 'utf8').split(' ')) if (child.trim()) out.push(Number(child));
      }
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Resident memory of a process and its descendants in MiB (Linux /proc), NaN when it is gone. */
export function rssMiB(pid: number): number {
  let kb = 0;
  for (const p of processTree(pid)) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
      else if (p === pid) return Number.NaN;
    } catch {
      if (p === pid) return Number.NaN;
    }
  }
  return kb / 1024;
}

/** CPU seconds (user + system) a process and its living descendants have used so far. */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      if (p === pid) return Number.NaN;
    }
  }
  return ticks / 100;
}

/** Samples a process's RSS every `everyMs` until stopped; returns the peak and the last value. */
export function sampleRss(pid: number, everyMs = 200): { stop(): { peak: number; last: number } } {
  let peak = rssMiB(pid);
  let last = peak;
  const t = setInterval(() => {
    last = rssMiB(pid);
    if (last > peak) peak = last;
  }, everyMs);
  return {
    stop() {
      clearInterval(t);
      last = rssMiB(pid);
      if (last > peak) peak = last;
      return { peak, last };
    },
  };
}
