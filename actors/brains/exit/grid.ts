/**
 * Price and quantity grids. Venue prices are multiples of `tickSize` and quantities of
 * `stepSize`; arithmetic is done in whole ticks/steps so float dust can never move a level.
 */

/** Decimal places of a grid size (0.001 → 3, 1e-8 → 8, 0.25 → 2). */
export function decimals(size: number): number {
  const s = size.toString();
  const m = /e-(\d+)$/.exec(s);
  if (m) {
    const mant = s.slice(0, s.indexOf('e'));
    return Number(m[1]) + (mant.split('.')[1]?.length ?? 0);
  }
  return s.split('.')[1]?.length ?? 0;
}

/** `n` grid units of `size` as a clean number (no 0.30000000000000004). */
export function fromUnits(n: number, size: number): number {
  return Number((n * size).toFixed(Math.min(20, decimals(size))));
}

/**
 * Float error of a grid-unit count: the division's noise is relative, so past ~10^7 units a fixed
 * 1e-9 no longer covers it (1680000.4 / 0.1 = 16800003.999999996).
 */
const slack = (n: number) => Math.max(1e-9, Math.abs(n) * 1e-12);

/** Whole grid units in `x`, rounded down / up, with a value on the grid (up to float error) kept. */
export const unitsDown = (x: number, size: number): number => Math.floor(x / size + slack(x / size));
export const unitsUp = (x: number, size: number): number => Math.ceil(x / size - slack(x / size));

/**
 * Rounds `price` onto the tick grid in the given direction. The tolerance keeps a value that is
 * already on the grid (up to float error) where it is.
 */
export function roundTick(price: number, tick: number, dir: 'down' | 'up'): number {
  return fromUnits(dir === 'down' ? unitsDown(price, tick) : unitsUp(price, tick), tick);
}

/** Whole steps in `qty`, rounded down (never sells more than held). */
export function stepsDown(qty: number, step: number): number {
  return unitsDown(qty, step);
}

/** Whole steps in `qty` when it should already be on the grid; null when it is not. */
export function stepsExact(qty: number, step: number): number | null {
  const n = Math.round(qty / step);
  return Math.abs(n * step - qty) <= step * 1e-6 ? n : null;
}

/** Is `x` a usable positive grid size or price? */
export function positive(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x > 0;
}

/**
 * Rules guessed from a venue price and quantity when the symbol's real rules are not known yet:
 * the grid implied by their decimals. A venue print is always on its own grid, so this is the
 * finest grid consistent with it; the real rules replace it as soon as they arrive.
 */
export function guessRules(price: number, qty: number): { tickSize: number; stepSize: number; minQty: number; minNotional: number } {
  const tick = 10 ** -Math.min(8, decimals(price));
  const step = 10 ** -Math.min(8, decimals(qty));
  return { tickSize: fromUnits(1, tick), stepSize: fromUnits(1, step), minQty: 0, minNotional: 0 };
}
