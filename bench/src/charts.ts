import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { throughputOf, type Results } from './report.ts';
import { ARM_LABELS } from './stack.ts';
import { sortNum, summarize } from './stats.ts';
import { cdf, groupedBars } from './svg.ts';

/** Write the report's SVG charts into `dir`; returns the file names written. */
export function renderCharts(r: Results, dir: string): string[] {
  const written: string[] = [];
  const put = (name: string, svg: string) => {
    writeFileSync(join(dir, name), svg);
    written.push(name);
  };
  for (const c of [1, 10]) {
    const l = r.latency.find((x) => x.mode === 'instant' && x.concurrency === c);
    if (!l) continue;
    const arms = r.arms.filter((a) => l.byArm[a]);
    const s = arms.map((a) => summarize(l.byArm[a]!.latMs));
    put(`latency-c${c}.svg`, groupedBars({ title: `Latency, instant mock, ${c} concurrent`, unit: 'ms', categories: arms.map((a) => ARM_LABELS[a]), series: [{ name: 'p50', values: s.map((x) => x.p50) }, { name: 'p99', values: s.map((x) => x.p99) }] }));
    if (c === 10) put('latency-cdf-c10.svg', cdf({ title: 'Latency distribution, 10 concurrent', series: arms.map((a) => ({ name: ARM_LABELS[a], sortedMs: sortNum(l.byArm[a]!.latMs) })) }));
  }
  if (r.throughput) {
    const arms = r.arms.filter((a) => r.throughput!.byArm[a]);
    put('throughput.svg', groupedBars({ title: 'Throughput at saturation (instant mock)', unit: 'requests / s', categories: arms.map((a) => ARM_LABELS[a]), series: [{ name: 'req/s', values: arms.map((a) => throughputOf(r, a)) }] }));
  }
  if (r.streams.length) {
    const arms = r.arms.filter((a) => a !== 'direct');
    const added = (what: 'ttftMs' | 'gapMs', p: 'p50' | 'p99', sc: (typeof r.streams)[number], a: (typeof arms)[number]) => {
      const s = sc;
      const x = s?.byArm[a];
      const d = s?.byArm.direct;
      return x?.[what].length && d?.[what].length ? summarize(x[what])[p] - summarize(d[what])[p] : null;
    };
    const name = (sc: (typeof r.streams)[number]) => `${sc.concurrency} stream${sc.concurrency > 1 ? 's' : ''}${sc.staggerMs ? ' staggered' : ''}`;
    put('stream-ttft.svg', groupedBars({ title: 'Streaming: added time to first token (p50)', unit: 'ms', categories: arms.map((a) => ARM_LABELS[a]), series: r.streams.map((sc) => ({ name: name(sc), values: arms.map((a) => added('ttftMs', 'p50', sc, a)) })) }));
    put('stream-gap.svg', groupedBars({ title: 'Streaming: added inter-chunk gap (p99)', unit: 'ms', categories: arms.map((a) => ARM_LABELS[a]), series: r.streams.map((sc) => ({ name: name(sc), values: arms.map((a) => added('gapMs', 'p99', sc, a)) })) }));
  }
  const ok = r.pipeline.filter((p) => !p.error);
  if (ok.length) put('pipeline.svg', groupedBars({ title: 'Log processor: logs stored per second', unit: 'logs / s', categories: ok.map((p) => p.store), series: [{ name: 'logs/s', values: ok.map((p) => p.logsPerSec) }] }));
  return written;
}
