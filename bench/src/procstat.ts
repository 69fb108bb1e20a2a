import { readFileSync } from 'node:fs';

/** Resident memory of a process in MiB (Linux /proc), NaN when it is gone. */
export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
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
