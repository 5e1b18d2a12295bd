/**
 * Drives a `CandleSource` on a clock: each candle becomes trade prints spread over its interval, with a
 * book quote and a mark/index/funding update per print, partial klines, and the closed kline at the end.
 * Only one timer is pending at a time, so a simulated clock replays it exactly and a scaled clock runs
 * it N× faster than real time.
 */
import type { Clock, TimerHandle } from '../../../clock/index.js';
import { roundTo, snap } from '../engine/num.js';
import type { Kline1m, MarketUpdate } from '../engine/types.js';
import { candlePath, type Grid, type Print } from './path.js';
import { hashSeed, mulberry32, rngFor, type Rng } from './prng.js';
import type { CandleSource } from './synthetic.js';

/** Options of `createMarketFeed`. */
export interface FeedOptions {
  clock: Clock;
  source: CandleSource;
  /** Tick/step per symbol (prints and quotes are snapped to it). */
  grids: Record<string, Grid>;
  /** @default 1 */
  seed?: number;
  /** Trade prints per candle. @default 12 */
  printsPerCandle?: number;
  /** Publish a partial kline with every print. @default true */
  klinePartials?: boolean;
  /** Publish a bookTicker quote with every print. @default true */
  quotes?: boolean;
  /** Half spread of the published quote in ticks. @default 1 */
  halfSpreadTicks?: number;
  /** Funding interval, for nextFundingTime. @default 28_800_000 */
  fundingIntervalMs?: number;
  /**
   * Shift source times so the first candle opens at the clock's next minute. `auto` shifts only when the
   * clock is already past the first candle (live/scaled clocks); simulated replays keep data times.
   * @default 'auto'
   */
  retime?: boolean | 'auto';
  /**
   * Closed candles emitted at once on start, ending at the current minute, so a paper node has
   * history for backfill and indicator warm-up instead of an empty market. Implies retiming.
   * @default 0
   */
  warmupCandles?: number;
}

/** A running market-data feed. */
export interface MarketFeed {
  /** Receives every update in emission order. */
  subscribe(sink: (u: MarketUpdate) => void): () => void;
  start(): void;
  stop(): void;
  readonly running: boolean;
  /** Candle intervals fully emitted so far. */
  readonly candles: number;
}

/** Creates a feed. Same seed, source and clock steps ⇒ the same update sequence. */
export function createMarketFeed(o: FeedOptions): MarketFeed {
  const { clock, source } = o;
  const seed = o.seed ?? 1;
  const P = Math.max(4, o.printsPerCandle ?? 12);
  const dur = source.intervalMs;
  const fundingMs = o.fundingIntervalMs ?? 28_800_000;
  const half = o.halfSpreadTicks ?? 1;
  const partials = o.klinePartials !== false && dur === 60_000;
  const sinks = new Set<(u: MarketUpdate) => void>();
  const syms = source.symbols;
  const grids = syms.map((s) => {
    const g = o.grids[s];
    if (!g) throw new Error(`feed: no tick/step grid for ${s}`);
    return g;
  });
  const basisRng: Rng[] = syms.map((_, i) => mulberry32(hashSeed(seed, 'basis', i)));
  const basis = syms.map(() => 0);
  const premiumEma = syms.map(() => 0);
  let timer: TimerHandle | undefined;
  let running = false;
  let done = 0;
  let offset = 0;
  let batch: Array<Kline1m | undefined> = [];
  let paths: Array<Print[] | undefined> = [];
  let partial: Array<Kline1m | undefined> = [];
  let batchStart = 0;
  let step = 0;

  const emit = (u: MarketUpdate): void => {
    for (const s of sinks) s(u);
  };

  const load = (): boolean => {
    const dataTime = source.nextTime;
    const next = source.next();
    if (!next) return false;
    batch = next;
    batchStart = dataTime + offset;
    paths = next.map((k, i) => (k ? candlePath(k, P, dur, grids[i] as Grid, rngFor(seed, 'path', syms[i] as string, dataTime)) : undefined));
    partial = next.map(() => undefined);
    step = 0;
    return true;
  };

  const emitStep = (j: number): void => {
    const time = clock.now();
    for (let i = 0; i < syms.length; i++) {
      const pr = paths[i]?.[j];
      const k = batch[i];
      if (!pr || !k) continue;
      const symbol = syms[i] as string;
      const g = grids[i] as Grid;
      emit({ kind: 'trade', symbol, time, price: pr.price, qty: pr.qty, isBuyerMaker: pr.isBuyerMaker });
      if (o.quotes !== false) {
        const q = roundTo(Math.max(g.stepSize, 50_000 / pr.price), 8);
        emit({ kind: 'book', symbol, time, bid: snap(Math.max(g.tickSize, pr.price - half * g.tickSize), g.tickSize), ask: snap(pr.price + half * g.tickSize, g.tickSize), bidQty: q, askQty: q });
      }
      // Basis of mark over last price: AR(1), a few bps; funding follows its smoothed premium.
      const r = basisRng[i] as Rng;
      const b = 0.9 * (basis[i] as number) + 0.00003 * r.normal();
      basis[i] = b;
      premiumEma[i] = 0.98 * (premiumEma[i] as number) + 0.02 * b;
      const fundingRate = roundTo(Math.min(0.0075, Math.max(-0.0075, 0.0001 + 0.5 * (premiumEma[i] as number))), 8);
      const markPrice = snap(pr.price * (1 + b), g.tickSize);
      const indexPrice = snap(pr.price * (1 + 0.3 * b), g.tickSize);
      emit({ kind: 'mark', symbol, time, markPrice, indexPrice, fundingRate, nextFundingTime: Math.floor(time / fundingMs) * fundingMs + fundingMs });
      // The running partial kline only feeds the partial-kline stream: not built when that is off (backtests).
      if (!partials) continue;
      const p = partial[i];
      const frac = (j + 1) / P;
      const cur: Kline1m = p
        ? { ...p, high: Math.max(p.high, pr.price), low: Math.min(p.low, pr.price), close: pr.price, volume: p.volume + pr.qty }
        : { openTime: batchStart, open: pr.price, high: pr.price, low: pr.price, close: pr.price, volume: pr.qty, quoteVolume: 0, trades: 0, takerBuyVolume: 0 };
      cur.quoteVolume = k.quoteVolume * frac;
      cur.trades = Math.round(k.trades * frac);
      cur.takerBuyVolume = k.takerBuyVolume * frac;
      partial[i] = cur;
      emit({ kind: 'kline', symbol, kline: { ...cur }, closed: false });
    }
  };

  const closeBatch = (): void => {
    // Only 1m sources map onto the 1m kline stream; longer candles are rebuilt from prints by the engine.
    if (dur !== 60_000) return;
    for (let i = 0; i < syms.length; i++) {
      const k = batch[i];
      if (k) emit({ kind: 'kline', symbol: syms[i] as string, kline: { ...k, openTime: batchStart }, closed: true });
    }
  };

  const tick = (): void => {
    timer = undefined;
    if (!running) return;
    if (step >= P) {
      closeBatch();
      done++;
      if (!load()) {
        running = false;
        return;
      }
    }
    emitStep(step);
    step++;
    const due = step < P ? batchStart + Math.floor((step * dur) / P) : batchStart + dur;
    timer = clock.setTimeout(tick, Math.max(0, due - clock.now()));
  };

  return {
    subscribe(sink) {
      sinks.add(sink);
      return () => sinks.delete(sink);
    },
    start() {
      if (running) return;
      running = true;
      const now = clock.now();
      const first = source.nextTime;
      const retime = o.retime ?? 'auto';
      const warm = Math.max(0, Math.floor(o.warmupCandles ?? 0));
      // Warm-up covers the minutes before the current one; the live feed resumes at the current minute.
      if (warm > 0) offset = Math.floor(now / 60_000) * 60_000 - warm * dur - first;
      else if (retime === true || (retime === 'auto' && now > first)) offset = Math.ceil(now / 60_000) * 60_000 - first;
      for (let w = 0; w < warm; w++) {
        if (!load()) break;
        // History needs only the closed candles; the last one also sets book, mark and last price.
        if (w === warm - 1) emitStep(P - 1);
        closeBatch();
        done++;
      }
      if (!load()) {
        running = false;
        return;
      }
      timer = clock.setTimeout(tick, Math.max(0, batchStart - now));
    },
    stop() {
      running = false;
      clock.clearTimeout(timer);
      timer = undefined;
    },
    get running() {
      return running;
    },
    get candles() {
      return done;
    },
  };
}
