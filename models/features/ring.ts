/**
 * A fixed-capacity ring buffer as plain JSON data, so it can live inside a persisted actor
 * snapshot. Memory is bounded by `cap` whatever the stream length.
 */
export interface Ring {
  cap: number;
  /** Index of the next write. */
  head: number;
  size: number;
  buf: number[];
}

/** A new empty ring. */
export function createRing(cap: number): Ring {
  return { cap, head: 0, size: 0, buf: new Array<number>(cap).fill(0) };
}

/** Append, overwriting the oldest value when full. */
export function pushRing(r: Ring, x: number): void {
  r.buf[r.head] = x;
  r.head = (r.head + 1) % r.cap;
  if (r.size < r.cap) r.size += 1;
}

/** Value `back` steps before the newest (0 = newest). Caller guarantees `back < size`. */
export function ringAt(r: Ring, back: number): number {
  return r.buf[(r.head - 1 - back + r.cap * 2) % r.cap] as number;
}

/** The newest `n` values, oldest first (n is clamped to size). */
export function ringLast(r: Ring, n: number): number[] {
  const k = Math.min(n, r.size);
  const out = new Array<number>(k);
  for (let i = 0; i < k; i++) out[i] = ringAt(r, k - 1 - i);
  return out;
}
