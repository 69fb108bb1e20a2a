/** Number, time and money formatting shared by every page; locale-aware through Intl. */

// Building an Intl formatter costs far more than using one, and the log table formats every visible
// row on every live update: keep one per locale and style.
const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function numberFormat(locale: string | undefined, style: 'int' | 'compact'): Intl.NumberFormat {
  const k = `${locale}|${style}`;
  let f = numberFormats.get(k);
  if (!f) numberFormats.set(k, (f = new Intl.NumberFormat(locale, style === 'compact' ? { notation: 'compact', maximumFractionDigits: 1 } : { maximumFractionDigits: 0 })));
  return f;
}
function dateFormat(locale: string | undefined, style: 'time' | 'datetime'): Intl.DateTimeFormat {
  const k = `${locale}|${style}`;
  let f = dateFormats.get(k);
  if (!f) {
    const opts: Intl.DateTimeFormatOptions =
      style === 'time'
        ? { hour12: false, hour: '2-digit', minute: '2-digit', second: '2-digit' }
        : { hour12: false, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' };
    dateFormats.set(k, (f = new Intl.DateTimeFormat(locale, opts)));
  }
  return f;
}

export function fmtInt(n: number | null | undefined, locale?: string): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return numberFormat(locale, 'int').format(Math.round(n));
}

export function fmtCompact(n: number | null | undefined, locale?: string): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return numberFormat(locale, 'compact').format(n);
}

export function fmtMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)}m ${Math.round((ms % 60_000) / 1000)}s`;
}

export function fmtUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '–';
  if (usd === 0) return '$0';
  if (Math.abs(usd) < 0.01) return `$${usd.toFixed(6).replace(/0+$/, '')}`;
  return `$${usd.toFixed(usd < 100 ? 4 : 2)}`;
}

export function fmtPct(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return `${(x * 100).toFixed(x >= 0.999 || x === 0 ? 0 : 1)}%`;
}

export function fmtBytes(b: number | null | undefined): string {
  if (b === null || b === undefined || !Number.isFinite(b)) return '–';
  if (b < 1024) return `${b} B`;
  if (b < 1024 * 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${(b / 1024 / 1024).toFixed(1)} MiB`;
}

export function fmtTime(ms: number | null | undefined, locale?: string): string {
  if (!ms) return '–';
  return dateFormat(locale, 'time').format(ms);
}

export function fmtDateTime(ms: number | null | undefined, locale?: string): string {
  if (!ms) return '–';
  return dateFormat(locale, 'datetime').format(ms);
}

export function fmtAgo(ms: number | null | undefined, now = Date.now()): string {
  if (!ms) return '–';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // clipboard API needs a secure context; fall back to a hidden textarea
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.append(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    return ok;
  }
}
