/**
 * Price and quantity grids. Venue prices are multiples of `tickSize` and quantities of
 * `stepSize`; arithmetic is done in whole ticks/steps so float dust can never move a level.
 */
import { gridDecimals, gridUnits } from '../../../protocols/index.js';

/** `n` grid units of `size` as a clean number (no 0.30000000000000004). */
export function fromUnits(n: number, size: number): number {
  return Number((n * size).toFixed(Math.min(20, gridDecimals(size))));
}

/** Whole grid units in `x`, rounded down / up, with a value on the grid (up to float error) kept. */
export const unitsDown = (x: number, size: number): number => gridUnits(x, size, 'down');
export const unitsUp = (x: number, size: number): number => gridUnits(x, size, 'up');

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
  const tick = 10 ** -Math.min(8, gridDecimals(price));
  const step = 10 ** -Math.min(8, gridDecimals(qty));
  return { tickSize: fromUnits(1, tick), stepSize: fromUnits(1, step), minQty: 0, minNotional: 0 };
}
