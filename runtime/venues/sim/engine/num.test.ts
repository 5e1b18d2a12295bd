import { describe, expect, it } from 'vitest';
import { decimalsIn, fmt, onGrid, roundTo, snap, snapDown, snapUp } from './num.js';

describe('decimal helpers', () => {
  it('rounds half away from zero despite binary error', () => {
    expect(roundTo(1.005, 2)).toBe(1.01);
    expect(roundTo(-1.005, 2)).toBe(-1.01);
    expect(roundTo(0.1 + 0.2, 8)).toBe(0.3);
    expect(roundTo(30000.1 * 0.1, 8)).toBe(3000.01);
    expect(roundTo(1.0049999, 2)).toBe(1);
  });
  it('snaps to grids and formats without float drift or -0', () => {
    expect(snap(29000.123, 0.1)).toBe(29000.1);
    expect(snapDown(0.4999983, 0.001)).toBe(0.499);
    expect(snapDown(0.3, 0.1)).toBe(0.3);
    // Past ~10^7 steps the division's noise outgrows a fixed tolerance (16800003.999999996 steps).
    expect(snapDown(1_680_000.4, 0.1)).toBe(1_680_000.4);
    expect(snapUp(1_680.0086, 0.0001)).toBe(1_680.0086);
    expect(snapUp(1_680_000.41, 0.1)).toBe(1_680_000.5);
    expect(fmt(-0.0000001, 3)).toBe('0.000');
    expect(fmt(0.1 + 0.2, 1)).toBe('0.3');
    expect(onGrid(29000.3, 0.1)).toBe(true);
    expect(onGrid(29000.3, 0.5)).toBe(false);
    expect(decimalsIn('1e-7')).toBe(7);
    expect(decimalsIn('0.0100')).toBe(2);
  });
});
