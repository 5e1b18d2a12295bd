import { EMA, WSMA } from 'trading-signals';

/**
 * trading-signals keeps its state in `#private` fields, so its objects cannot go through
 * JSON. For the recursive smoothers (EMA, Wilder WSMA) the state that matters after warm-up
 * is just `result`, a plain runtime field; before warm-up it is the inputs seen so far. We
 * snapshot exactly that and rebuild an equivalent object, so the math stays the library's and
 * a restored object continues bit-identically (asserted in state.test.ts).
 */

/** Plain-JSON state of one smoother. `warm` holds inputs only until `n` reaches the period. */
export interface SmootherSnap {
  n: number;
  result: number | null;
  prev: number | null;
  warm: number[];
}

/** The smoother classes we can snapshot; both are `result`-recursive after warm-up. */
export type SmootherKind = 'ema' | 'wsma';
export type Smoother = EMA | WSMA;

/** The library marks these `protected`; at run time they are ordinary fields. */
interface Internals {
  result: number | undefined;
  previousResult: number | undefined;
}

/** A fresh snapshot. */
export function emptySmoother(): SmootherSnap {
  return { n: 0, result: null, prev: null, warm: [] };
}

function make(kind: SmootherKind, period: number): Smoother {
  return kind === 'ema' ? new EMA(period) : new WSMA(period);
}

/** Rebuild a live trading-signals object from its snapshot. */
export function hydrateSmoother(kind: SmootherKind, period: number, snap: SmootherSnap): Smoother {
  const obj = make(kind, period);
  if (snap.n < period) {
    for (const x of snap.warm) obj.add(x);
    return obj;
  }
  // Priming with `period` inputs sets the private counters to "stable"; the values are then
  // overwritten, and nothing after warm-up reads the primed inputs.
  for (let i = 0; i < period; i++) obj.add(0);
  const inner = obj as unknown as Internals;
  inner.result = snap.result ?? undefined;
  inner.previousResult = snap.prev ?? undefined;
  return obj;
}

/** Feed one input to the live object and mirror its state into the snapshot. */
export function stepSmoother(obj: Smoother, period: number, snap: SmootherSnap, x: number): number | null {
  obj.add(x);
  snap.n += 1;
  if (snap.n < period) snap.warm.push(x);
  else if (snap.warm.length > 0) snap.warm = [];
  const inner = obj as unknown as Internals;
  snap.result = inner.result ?? null;
  snap.prev = inner.previousResult ?? null;
  // Neither smoother can be stable on fewer inputs than its period, and before that the library
  // answers `isStable` by throwing and catching an error (a stack trace per call): not asked then.
  return snap.n >= period && obj.isStable ? obj.getResultOrThrow() : null;
}
