/** How scores read in the UI: thumbs are 1 / 0, other scores any number. */
export const THUMBS_UP = 1;
export const THUMBS_DOWN = 0;

export function fmtScore(avg: number | null | undefined): string {
  if (avg === null || avg === undefined || !Number.isFinite(avg)) return '–';
  return avg.toFixed(2).replace(/\.?0+$/, '') || '0';
}
