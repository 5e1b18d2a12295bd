import type { Logger } from 'pino';
import { candleMsgId, INTERVAL_MS, STREAMS, subjects, type Candle, type Interval, type MarkTick, type TradeTick } from '../../protocols/index.js';
import type { Clock, TimerHandle } from '../clock/index.js';
import { decode, encode, msgHeaders } from '../codec.js';
import { InjectedCrash, RuntimeError } from '../errors.js';
import type { Bus } from '../nats/index.js';
import { VenueRejectError } from '../venues/binance/errors.js';
import type { BinanceVenue } from '../venues/binance/types.js';

/** Binance's "Invalid symbol": the venue does not list it (any more). */
const INVALID_SYMBOL = -1121;

export interface MarketDataOptions {
  venue: BinanceVenue;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  /** Candle intervals to publish; the first one feeds the symbol actors. */
  intervals: Interval[];
  /** How often 24h tickers are published for the universe actor. */
  tickersEveryMs: number;
  /** Whether this worker publishes the tickers now (on a cluster, only the leader's does). @default always */
  publishTickers?: () => boolean;
  /** Min ms between two published mark ticks of one symbol. */
  markEveryMs: number;
  /** Publish aggregated trades too. */
  trades: boolean;
  /** Candles backfilled for a symbol never seen on the stream (indicator warm-up). */
  warmupCandles: number;
  /** Symbols to stream from the start (the last known universe). */
  symbols: string[];
}

type Exit = { kind: 'normal' } | { kind: 'shutdown' } | { kind: 'crash'; error: Error };

/** The market-data worker: a supervised child. */
export interface MarketDataWorker {
  readonly exited: Promise<Exit>;
  stop(): Promise<void>;
  kill(): void;
  inject(error: Error): void;
  info(): Record<string, unknown>;
  /** Streams exactly these symbols from now on (backfilling new ones first). */
  setUniverse(symbols: string[]): Promise<void>;
}

/** How long a stop waits for jobs in flight. */
const STOP_WAIT_MS = 2_000;

/**
 * Bridges one venue into QT_MARKET. Each closed candle is published once: its msgID is
 * `<venue>:<symbol>:<interval>:<openTime>`, a local high-water mark drops repeats, and on (re)start
 * the last candle on the stream is the point REST backfill resumes from — so consumers see a
 * gap-free, de-duplicated series across reconnects and restarts.
 */
export async function startMarketData(o: MarketDataOptions): Promise<MarketDataWorker> {
  const { venue, bus, clock } = o;
  const v = venue.venue;
  const log = o.logger.child({ component: 'market-data', venue: v });
  let resolveExit!: (e: Exit) => void;
  const exited = new Promise<Exit>((r) => (resolveExit = r));
  let ended = false;
  const high = new Map<string, number>();
  const marks = new Map<string, MarkTick>();
  const lastMarkPub = new Map<string, number>();
  const chains = new Map<string, Promise<void>>();
  let subs: Array<{ close(): void }> = [];
  let symbols: string[] = [];
  /** Symbols asked for that the venue does not list: not streamed, named in `info()`. */
  let unlisted: string[] = [];
  let tickerTimer: TimerHandle | undefined;
  let published = 0;
  let backfilled = 0;

  const end = (e: Exit) => {
    if (ended) return;
    ended = true;
    for (const s of subs) s.close();
    subs = [];
    clock.clearTimeout(tickerTimer);
    if (e.kind === 'crash') log.warn({ err: e.error }, 'market data crashed');
    resolveExit(e);
  };
  const fail = (e: unknown) => end({ kind: 'crash', error: e instanceof Error ? e : new RuntimeError(String(e)) });

  const lastOnStream = async (symbol: string, iv: Interval): Promise<number | undefined> => {
    const m = await bus.jsm.streams.getMessage(STREAMS.market, { last_by_subj: subjects.market(v, symbol, `candle.${iv}`) }).catch(() => undefined);
    return m ? decode<Candle>(m.data).openTime : undefined;
  };

  const publishCandle = async (c: Candle) => {
    const k = `${c.symbol}:${c.interval}`;
    const last = high.get(k);
    if (last !== undefined && c.openTime <= last) return;
    const mark = marks.get(c.symbol);
    const out: Candle = mark ? { ...c, markPrice: mark.markPrice, fundingRate: mark.fundingRate } : c;
    await bus.js.publish(subjects.market(v, c.symbol, `candle.${c.interval}`), encode(out), { msgID: candleMsgId(c), headers: msgHeaders() });
    high.set(k, c.openTime);
    published++;
  };

  const backfill = async (symbol: string, iv: Interval, upTo = clock.now()) => {
    const step = INTERVAL_MS[iv];
    const k = `${symbol}:${iv}`;
    const from = high.get(k) ?? (await lastOnStream(symbol, iv));
    if (from !== undefined) high.set(k, from);
    const start = from !== undefined ? from + step : Math.floor(upTo / step) * step - o.warmupCandles * step;
    if (start + step > upTo) return;
    let rows: Candle[];
    try {
      rows = await venue.klines(symbol, iv, start, upTo);
    } catch (e) {
      // Delisted since exchangeInfo was read: one symbol's history is not worth restarting the
      // venue's workers (the executor among them) for; the others stream on.
      if (!(e instanceof VenueRejectError && e.code === INVALID_SYMBOL)) throw e;
      if (!unlisted.includes(symbol)) unlisted = [...unlisted, symbol].sort();
      symbols = symbols.filter((x) => x !== symbol);
      log.warn({ symbol, interval: iv }, 'the venue says this symbol is invalid: no backfill for it');
      return;
    }
    for (const c of rows) {
      if (ended) return;
      if (c.closeTime >= clock.now()) continue; // still open
      await publishCandle(c);
      backfilled++;
    }
  };

  /** Per-symbol ordering: backfill and live candles of one symbol are published strictly in order. */
  const enqueue = (symbol: string, job: () => Promise<void>) => {
    // Stopped: jobs still queued are dropped. At 500 symbols the warm-up backfill queues minutes
    // of paced kline requests, and a SIGTERM waited for all of them (over 90 s, then SIGKILL).
    const next = (chains.get(symbol) ?? Promise.resolve()).then(() => (ended ? undefined : job()));
    chains.set(symbol, next.catch(() => undefined));
    next.catch(fail);
  };

  const onCandle = (c: Candle) => {
    if (ended) return;
    enqueue(c.symbol, async () => {
      const last = high.get(`${c.symbol}:${c.interval}`);
      if (last !== undefined && c.openTime > last + INTERVAL_MS[c.interval]) await backfill(c.symbol, c.interval, c.openTime);
      await publishCandle(c);
    });
  };

  const onMark = (m: MarkTick) => {
    marks.set(m.symbol, m);
    const last = lastMarkPub.get(m.symbol) ?? 0;
    if (m.ts - last < o.markEveryMs) return;
    lastMarkPub.set(m.symbol, m.ts);
    bus.js.publish(subjects.market(v, m.symbol, 'mark'), encode(m), { headers: msgHeaders() }).catch(fail);
  };
  const onTrade = (t: TradeTick) => {
    bus.js.publish(subjects.market(v, t.symbol, 'trade'), encode(t), { msgID: `trade:${v}:${t.symbol}:${t.id}`, headers: msgHeaders() }).catch(fail);
  };

  /**
   * The symbols of `next` the venue lists (any status: a symbol being settled still has marks an
   * open position needs). A universe restored from an earlier run, or a delisting, can name
   * others; asking for their klines is refused (-1121), and that must not crash market data.
   */
  const listedOf = async (next: string[]): Promise<string[]> => {
    let listed = new Set((await venue.exchangeInfo()).symbols.map((r) => r.symbol));
    // A symbol listed since the cached exchangeInfo was read: read it again once.
    if (next.some((s) => !listed.has(s))) listed = new Set((await venue.exchangeInfo({ refresh: true })).symbols.map((r) => r.symbol));
    unlisted = next.filter((s) => !listed.has(s)).sort();
    if (unlisted.length) log.warn({ unlisted: unlisted.slice(0, 20), count: unlisted.length }, 'symbols the venue does not list are not streamed');
    return next.filter((s) => listed.has(s));
  };

  const subscribe = async (next: string[]) => {
    for (const s of subs) s.close();
    subs = [];
    symbols = (await listedOf(next)).sort();
    if (!symbols.length) return;
    for (const s of symbols) for (const iv of o.intervals) enqueue(s, () => backfill(s, iv));
    subs.push(venue.subscribeMarks(symbols, onMark));
    subs.push(venue.subscribeCandles(symbols, o.intervals, onCandle));
    if (o.trades) subs.push(venue.subscribeTrades(symbols, onTrade));
    await Promise.all(subs.map((s) => (s as { ready?: Promise<void> }).ready));
  };

  const publishTickers = async () => {
    if (o.publishTickers && !o.publishTickers()) return;
    const t = await venue.ticker24h();
    const payload = { type: 'tickers', ts: clock.now(), tickers: t.map((x) => ({ symbol: x.symbol, quoteVolume: x.quoteVolume })) };
    await bus.js.publish(subjects.tickers(v), encode(payload), { msgID: `tickers:${v}:${payload.ts}`, headers: msgHeaders() });
  };
  const tickerLoop = () => {
    tickerTimer = clock.setTimeout(() => {
      publishTickers().then(tickerLoop, fail);
    }, o.tickersEveryMs);
  };

  await publishTickers();
  tickerLoop();
  await subscribe(o.symbols);
  log.info({ symbols: symbols.length, intervals: o.intervals }, 'market data streaming');

  return {
    exited,
    async stop() {
      end({ kind: 'shutdown' });
      // A job in flight finishes its publish quickly; one waiting on the venue's request budget
      // may wait a minute, and its answer is dropped anyway (`ended`): not worth holding the stop.
      await Promise.race([Promise.all([...chains.values()]), new Promise((r) => setTimeout(r, STOP_WAIT_MS).unref())]);
    },
    kill: () => end({ kind: 'shutdown' }),
    inject: (e) => fail(e instanceof Error ? e : new InjectedCrash()),
    info: () => ({ symbols: symbols.length, unlisted, published, backfilled, venue: v, health: venue.breakerState().breakers }),
    async setUniverse(next) {
      if (ended) return;
      const asked = [...symbols, ...unlisted].sort();
      const same = next.length === asked.length && [...next].sort().every((s, i) => s === asked[i]);
      if (!same) await subscribe(next);
    },
  };
}
