/**
 * Price and quantity grid arithmetic shared by our side of the venue: the exit brain's levels
 * (actors) and the venue adapter's order checks (runtime). One implementation, so an exit level
 * and the order carrying it cannot round differently. The simulator keeps its own on purpose: it
 * stands for the exchange, and a shared rounding bug would pass every test against it.
 */

/** Decimal places of a grid size (0.1 → 1, 0.25 → 2, 1e-8 → 8, 5 → 0). */
export function gridDecimals(size: number): number {
  const s = String(size);
  const exp = /e-(\d+)$/.exec(s);
  if (exp) {
    const mantissa = s.slice(0, s.indexOf('e'));
    const dot = mantissa.indexOf('.');
    return Number(exp[1]) + (dot < 0 ? 0 : mantissa.length - dot - 1);
  }
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

export type GridRound = 'nearest' | 'down' | 'up';

/**
 * Whole grid units of `size` in `x`. A value already on the grid up to float error stays where it
 * is (0.3 / 0.1 = 2.9999999999999996 is 3 units): the tolerance is relative, because the noise of
 * the division is (1680000.4 / 0.1 = 16800003.999999996, which a fixed 1e-9 floored one tick short).
 */
export function gridUnits(x: number, size: number, mode: GridRound): number {
  const u = x / size;
  if (mode === 'nearest') return Math.round(u);
  const slack = Math.max(1e-9, Math.abs(u) * 1e-12);
  return mode === 'down' ? Math.floor(u + slack) : Math.ceil(u - slack);
}
