import { BollingerBands, getTrueRange } from 'trading-signals';
import type { Candle, MarkTick } from '../../protocols/index.js';
import { FEATURE_PARAMS as P, FEATURE_SPEC, WARMUP, WINDOW_SPEC } from './spec.js';
import { createRing, pushRing, ringAt, ringLast, type Ring } from './ring.js';
import { emptySmoother, hydrateSmoother, stepSmoother, type Smoother, type SmootherSnap } from './smoother.js';
import { windowFeatures } from './window.js';

/** The candle fields features read. A full protocol `Candle` fits; `openTime` guards order. */
export type FeatureCandle = Pick<Candle, 'high' | 'low' | 'close' | 'volume'> & { openTime?: number };
/** The mark/funding fields features read; a protocol `MarkTick` fits. */
export type FeatureMark = Pick<MarkTick, 'markPrice' | 'fundingRate'>;

/**
 * Streaming feature state. Plain JSON data only (numbers, arrays, null), so it can sit in a
 * persisted XState snapshot; `JSON.parse(JSON.stringify(s))` or `structuredClone(s)` is a
 * valid state that continues bit-identically.
 */
export interface FeatureState {
  /** FEATURE_SPEC.hash of the code that built it; a mismatch on restore is refused. */
  spec: string;
  count: number;
  lastOpenTime: number | null;
  prevClose: number | null;
  closes: Ring;
  volumes: Ring;
  macdFast: SmootherSnap;
  macdSlow: SmootherSnap;
  macdSignal: SmootherSnap;
  rsiGain: SmootherSnap;
  rsiLoss: SmootherSnap;
  atr: SmootherSnap;
}

/** What one update yields. Arrays are fresh per call; zeros until `ready`. */
export interface FeatureOutput {
  /** True once WARMUP candles were seen; before that the vectors are zeros, not features. */
  ready: boolean;
  /** Engineered features in FEATURE_NAMES order, length FEATURE_SPEC.size. */
  vector: Float32Array;
  /** Temporal-model window, time-major, length FEATURE_SPEC.windowSize. */
  window: Float32Array;
  /** Wilder ATR(14) in price units (for Signal.atr); null during warm-up. */
  atr: number | null;
  close: number;
}

/** Caller-owned output buffers for `update` (lengths FEATURE_SPEC.size and .windowSize). */
export interface FeatureBuffers {
  vector: Float32Array;
  window: Float32Array;
}

/** Thrown for a state built by another spec, or a candle older than the last one seen. */
export class FeatureStateError extends Error {
  override name = 'FeatureStateError';
  readonly retryable = false;
}

interface Live {
  fast: Smoother;
  slow: Smoother;
  signal: Smoother;
  gain: Smoother;
  loss: Smoother;
  atr: Smoother;
  bb: BollingerBands;
}

// Live library objects are a cache keyed by the state object; a copy (restore, clone) misses
// the cache and is rebuilt from the plain fields, which every update keeps current.
const live = new WeakMap<FeatureState, Live>();
const CLOSES = Math.max(...P.returnHorizons, WINDOW_SPEC.length) + 1;
const VOLUMES = Math.max(WINDOW_SPEC.length, P.volZPeriod);

/** A fresh, empty feature state. */
export function createFeatureState(): FeatureState {
  return {
    spec: FEATURE_SPEC.hash, count: 0, lastOpenTime: null, prevClose: null,
    closes: createRing(CLOSES), volumes: createRing(VOLUMES),
    macdFast: emptySmoother(), macdSlow: emptySmoother(), macdSignal: emptySmoother(),
    rsiGain: emptySmoother(), rsiLoss: emptySmoother(), atr: emptySmoother(),
  };
}

function hydrate(s: FeatureState): Live {
  if (s.spec !== FEATURE_SPEC.hash) throw new FeatureStateError(`feature state built by spec ${s.spec}, running ${FEATURE_SPEC.hash}`);
  // Bollinger is a pure function of its last `period` closes: replaying them is exact.
  const bb = new BollingerBands(P.bbPeriod, P.bbK);
  for (const c of ringLast(s.closes, P.bbPeriod)) bb.add(c);
  return {
    bb,
    fast: hydrateSmoother('ema', P.emaFast, s.macdFast),
    slow: hydrateSmoother('ema', P.emaSlow, s.macdSlow),
    signal: hydrateSmoother('ema', P.macdSignal, s.macdSignal),
    gain: hydrateSmoother('wsma', P.rsiPeriod, s.rsiGain),
    loss: hydrateSmoother('wsma', P.rsiPeriod, s.rsiLoss),
    atr: hydrateSmoother('wsma', P.atrPeriod, s.atr),
  };
}

const clip = (x: number, m: number): number => (x > m ? m : x < -m ? -m : Number.isFinite(x) ? x : 0);

/**
 * Feed one closed candle (and the latest mark tick, if any) and get the features at its close.
 * O(1) per candle; mutates `state` in place. Candles must arrive in order, once each.
 * With `into`, the output arrays are those buffers, overwritten (for a caller that copies them
 * out at once, as the symbol actor does on every candle); without it they are fresh.
 */
export function update(state: FeatureState, candle: FeatureCandle, mark?: FeatureMark, into?: FeatureBuffers): FeatureOutput {
  if (candle.openTime !== undefined && state.lastOpenTime !== null && candle.openTime <= state.lastOpenTime) {
    throw new FeatureStateError(`candle ${candle.openTime} not after ${state.lastOpenTime}`);
  }
  let l = live.get(state);
  if (!l) live.set(state, (l = hydrate(state)));
  const close = candle.close;
  const prev = state.prevClose;

  // Same gain/loss split as trading-signals' RSI, whose smoothers are private to it.
  let rsi: number | null = null;
  if (prev !== null) {
    const g = stepSmoother(l.gain, P.rsiPeriod, state.rsiGain, close > prev ? close - prev : 0);
    const lo = stepSmoother(l.loss, P.rsiPeriod, state.rsiLoss, close > prev ? 0 : prev - close);
    if (g !== null && lo !== null) rsi = lo === 0 ? 100 : 100 - 100 / (g / lo + 1);
  }
  const atr = stepSmoother(l.atr, P.atrPeriod, state.atr, getTrueRange(candle, prev ?? undefined));
  const macd = stepMacd(l, state, close);
  const bb = l.bb.add(close);

  pushRing(state.closes, close);
  pushRing(state.volumes, candle.volume);
  state.prevClose = close;
  state.count += 1;
  if (candle.openTime !== undefined) state.lastOpenTime = candle.openTime;

  const vector = into ? into.vector.fill(0) : new Float32Array(FEATURE_SPEC.size);
  if (state.count < WARMUP || rsi === null || atr === null || macd === null || bb === null) {
    return { ready: false, vector, window: into ? into.window.fill(0) : new Float32Array(FEATURE_SPEC.windowSize), atr, close };
  }

  const c = state.closes;
  let i = 0;
  for (const h of P.returnHorizons) vector[i++] = clip(Math.log(close / ringAt(c, h)), P.clip);
  vector[i++] = (rsi - 50) / 50;
  vector[i++] = clip(atr / close, P.clip);
  vector[i++] = clip(Math.log(macd.fast / macd.slow), P.clip);
  vector[i++] = clip(macd.histogram / close, P.clip);
  const width = bb.upper - bb.lower;
  vector[i++] = clip(width / bb.middle, P.clip);
  vector[i++] = width > 0 ? clip((close - bb.lower) / width, P.clip) : 0.5;
  vector[i++] = volumeZ(state.volumes);
  vector[i++] = mark ? clip(mark.fundingRate * 1e4, P.bpsClip) : 0;
  vector[i++] = mark ? clip(Math.log(mark.markPrice / close) * 1e4, P.bpsClip) : 0;
  return { ready: true, vector, window: windowFeatures(state.closes, state.volumes, into?.window), atr, close };
}

interface MacdOut {
  fast: number;
  slow: number;
  histogram: number;
}

/**
 * trading-signals' MACD class drives private copies of its EMAs, so we drive the same three
 * library EMAs ourselves with the class's exact rule: the signal line starts on the candle
 * where the slow EMA has seen `emaSlow` prices (asserted equal to MACD in state.test.ts).
 */
function stepMacd(l: Live, s: FeatureState, close: number): MacdOut | null {
  stepSmoother(l.fast, P.emaFast, s.macdFast, close);
  stepSmoother(l.slow, P.emaSlow, s.macdSlow, close);
  if (s.macdSlow.n < P.emaSlow) return null;
  const fast = l.fast.getResultOrThrow();
  const slow = l.slow.getResultOrThrow();
  const signal = stepSmoother(l.signal, P.macdSignal, s.macdSignal, fast - slow);
  return signal === null ? null : { fast, slow, histogram: fast - slow - signal };
}

function volumeZ(v: Ring): number {
  const n = P.volZPeriod;
  let sum = 0;
  for (let k = 0; k < n; k++) sum += Math.log1p(ringAt(v, k));
  const mean = sum / n;
  let ss = 0;
  for (let k = 0; k < n; k++) ss += (Math.log1p(ringAt(v, k)) - mean) ** 2;
  const sd = Math.sqrt(ss / n);
  return sd > 0 ? clip((Math.log1p(ringAt(v, 0)) - mean) / sd, P.clip) : 0;
}
