/**
 * Seedable PRNG. Every random draw in the simulator goes through one of these, derived from the run seed
 * plus a stable key (symbol index, candle time), so adding a symbol or reordering work never changes
 * another symbol's numbers.
 */

import { createRng, type Rng } from '../../../../models/eval/rng.js';

export type { Rng };

/** mulberry32 (the one seeded generator of the project, shared with training): 32-bit state, fast. */
export const mulberry32 = createRng;

/** FNV-1a over the parts: derives independent sub-seeds from (seed, key...). */
export function hashSeed(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    const s = typeof p === 'number' ? p.toString(36) : p;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x2f;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A fresh generator for a key. */
export const rngFor = (...parts: Array<string | number>): Rng => mulberry32(hashSeed(...parts));
