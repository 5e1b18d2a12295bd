/**
 * Decimal helpers. Prices and quantities live as JS numbers but are always snapped back to their grid
 * (tick, step, or a fixed number of decimals) after arithmetic, so float drift never reaches a view or
 * a comparison: 0.1 + 0.2 becomes 0.3 again before anyone looks at it.
 */

const decimalsCache = new Map<number, number>();

/** Number of decimals of a grid size such as 0.001 (→ 3) or 10 (→ 0). Memoised: it sits on hot paths. */
export function decimalsOf(step: number): number {
  let d = decimalsCache.get(step);
  if (d === undefined) {
    d = decimalsIn(String(step));
    if (decimalsCache.size < 10_000) decimalsCache.set(step, d);
  }
  return d;
}

/** Decimals written in a decimal string (handles `1e-7` exponent notation of small JS numbers). */
export function decimalsIn(s: string): number {
  const m = /^[+-]?(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(s.trim());
  if (!m) return 0;
  const frac = (m[2] ?? '').replace(/0+$/, '').length;
  const exp = m[3] ? Number(m[3]) : 0;
  return Math.max(0, frac - exp);
}

/**
 * Rounds to `d` decimals, half away from zero. The 2^-50 relative nudge (a few ulps) absorbs binary
 * error such as 1.005 * 100 = 100.49999999999999 without moving any value that is really below half.
 */
export function roundTo(x: number, d: number): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** d;
  const r = Math.round(Math.abs(x) * f * (1 + 2 ** -50)) / f;
  return x < 0 ? -r : r;
}

/** Snaps to the nearest multiple of `step` (and to its decimals). */
export function snap(x: number, step: number): number {
  return roundTo(Math.round(x / step) * step, decimalsOf(step));
}

/** Float error of a step count: relative, so past ~10^7 steps a fixed 1e-9 no longer covers it. */
const slack = (units: number) => Math.max(1e-9, Math.abs(units) * 1e-12);

/** Floors to a multiple of `step` (quantities are never rounded up past what was asked). */
export function snapDown(x: number, step: number): number {
  const u = x / step;
  return roundTo(Math.floor(u + slack(u)) * step, decimalsOf(step));
}

/** Ceils to a multiple of `step`. */
export function snapUp(x: number, step: number): number {
  const u = x / step;
  return roundTo(Math.ceil(u - slack(u)) * step, decimalsOf(step));
}

/** Whether `x` is an integer multiple of `step` within float noise. */
export function onGrid(x: number, step: number): boolean {
  const units = x / step;
  return Math.abs(units - Math.round(units)) <= 1e-7 * Math.max(1, Math.abs(units));
}

/** Fixed-decimals string without `-0`. */
export function fmt(x: number, d: number): string {
  const s = roundTo(x, d).toFixed(d);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** USDT amounts are shown with 8 decimals, as Binance does for balances. */
export const fmtUsd = (x: number): string => fmt(x, 8);

/** Parses a Binance numeric parameter; returns undefined for absent/empty, NaN for malformed. */
export function parseNum(v: string | number | undefined | null): { value: number; text: string } | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number') return { value: v, text: String(v) };
  const t = v.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return { value: Number.NaN, text: t };
  return { value: Number(t), text: t };
}

/** Parses a Binance boolean parameter ('true'/'false', case-insensitive). */
export function parseBool(v: boolean | string | undefined): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  const t = v.toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  return undefined;
}
