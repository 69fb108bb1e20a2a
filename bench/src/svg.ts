const COLORS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function label(v: number): string {
  if (v < 0) return `−${label(-v)}`;
  if (v >= 1000) return Math.round(v).toLocaleString('en-US');
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

export interface BarSeries {
  name: string;
  values: (number | null)[];
}

/** Grouped bar chart: one group per category, one bar per series; a missing value is drawn as "n/a". */
export function groupedBars(o: { title: string; unit: string; categories: string[]; series: BarSeries[] }): string {
  const W = 760;
  const H = 340;
  const left = 70;
  const top = 40;
  const bottom = 70;
  const plotH = H - top - bottom;
  const plotW = W - left - 20;
  const max = niceMax(Math.max(0, ...o.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)))));
  const groupW = plotW / o.categories.length;
  const barW = Math.min(48, (groupW * 0.8) / o.series.length);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(o.title)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const y = top + plotH - (plotH * i) / 4;
    out.push(`<line x1="${left}" x2="${W - 20}" y1="${y}" y2="${y}" stroke="#ddd"/>`, `<text x="${left - 6}" y="${y + 4}" text-anchor="end">${max >= 10 ? Math.round(v).toLocaleString('en-US') : label(v)}</text>`);
  }
  out.push(`<text x="14" y="${top + plotH / 2}" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle">${esc(o.unit)}</text>`);
  o.categories.forEach((cat, ci) => {
    const gx = left + ci * groupW + (groupW - barW * o.series.length) / 2;
    o.series.forEach((s, si) => {
      const v = s.values[ci];
      const x = gx + si * barW;
      if (v === null || v === undefined || !Number.isFinite(v)) {
        out.push(`<text x="${x + barW / 2}" y="${top + plotH - 4}" text-anchor="middle" fill="#999">n/a</text>`);
        return;
      }
      if (v <= 0) {
        // a negative "added" figure (the arm was faster than direct within noise): no bar, just the number
        out.push(`<line x1="${x}" x2="${x + barW - 2}" y1="${top + plotH}" y2="${top + plotH}" stroke="${COLORS[si % COLORS.length]}" stroke-width="3"/>`);
        out.push(`<text x="${x + barW / 2 - 1}" y="${top + plotH - 4}" text-anchor="middle" font-size="9">${label(v)}</text>`);
        return;
      }
      const h = (plotH * v) / max;
      out.push(`<rect x="${x}" y="${top + plotH - h}" width="${barW - 2}" height="${h}" fill="${COLORS[si % COLORS.length]}"/>`);
      out.push(`<text x="${x + barW / 2 - 1}" y="${top + plotH - h - 3}" text-anchor="middle" font-size="9">${label(v)}</text>`);
    });
    out.push(`<text x="${left + ci * groupW + groupW / 2}" y="${top + plotH + 16}" text-anchor="middle">${esc(cat)}</text>`);
  });
  o.series.forEach((s, si) => {
    const x = left + si * 170;
    out.push(`<rect x="${x}" y="${H - 24}" width="12" height="12" fill="${COLORS[si % COLORS.length]}"/>`, `<text x="${x + 16}" y="${H - 14}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/** Latency distribution (CDF) per series, x in ms on a log scale from the smallest to the largest p99.9. */
export function cdf(o: { title: string; series: { name: string; sortedMs: ArrayLike<number> }[] }): string {
  const W = 760;
  const H = 320;
  const left = 60;
  const top = 36;
  const bottom = 60;
  const plotW = W - left - 20;
  const plotH = H - top - bottom;
  const all = o.series.filter((s) => s.sortedMs.length > 0);
  const lo = Math.max(0.01, Math.min(...all.map((s) => s.sortedMs[0]!)));
  const hi = Math.max(lo * 10, ...all.map((s) => s.sortedMs[Math.floor(s.sortedMs.length * 0.999)]!));
  const lx = (v: number) => left + (plotW * (Math.log10(Math.max(v, lo)) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(o.title)}</text>`,
  ];
  for (let e = Math.ceil(Math.log10(lo)); e <= Math.floor(Math.log10(hi)); e++) {
    const x = lx(10 ** e);
    out.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${top + plotH}" stroke="#ddd"/>`, `<text x="${x}" y="${top + plotH + 14}" text-anchor="middle">${label(10 ** e)} ms</text>`);
  }
  for (const q of [0, 0.5, 0.9, 1]) {
    const y = top + plotH - plotH * q;
    out.push(`<line x1="${left}" x2="${W - 20}" y1="${y}" y2="${y}" stroke="#eee"/>`, `<text x="${left - 6}" y="${y + 4}" text-anchor="end">${q * 100}%</text>`);
  }
  all.forEach((s, si) => {
    const n = s.sortedMs.length;
    const step = Math.max(1, Math.floor(n / 400));
    const pts: string[] = [];
    for (let i = 0; i < n; i += step) pts.push(`${lx(s.sortedMs[i]!).toFixed(1)},${(top + plotH - (plotH * (i + 1)) / n).toFixed(1)}`);
    pts.push(`${lx(s.sortedMs[n - 1]!).toFixed(1)},${top}`);
    out.push(`<polyline fill="none" stroke="${COLORS[si % COLORS.length]}" stroke-width="2" points="${pts.join(' ')}"/>`);
    const x = left + si * 170;
    out.push(`<rect x="${x}" y="${H - 22}" width="12" height="12" fill="${COLORS[si % COLORS.length]}"/>`, `<text x="${x + 16}" y="${H - 12}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
