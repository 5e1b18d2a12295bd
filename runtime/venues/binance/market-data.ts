/**
 * Public REST market data: exchange info (cached), klines with pagination, 24h tickers and the mark
 * price cache that order checks read (fed by the mark stream when one is open, by REST otherwise).
 */
import { INTERVAL_MS, type Candle, type Interval, type MarkTick } from '../../../protocols/market.js';
import type { ExchangeInfo, SymbolRules, Ticker24h } from '../../../protocols/venue.js';
import type { Clock } from '../../clock/index.js';
import type { WeightBudget, WeightTier } from './budget.js';
import { OrderRefusedError } from './errors.js';
import type { WireExchangeInfo, WireKlineRow, WirePremiumIndex, WireTicker24h } from './messages.js';
import { num, parseExchangeInfo, parseKlineRow, parseTicker24h } from './parse.js';
import type { Rest } from './rest.js';

/** Klines per request (Binance's maximum). */
const KLINE_PAGE = 1500;

/**
 * Marks from the mark stream older than this are re-read (REST) before judging a trigger's side.
 * The stream ticks every second, so 1 s missed about half the time: every stop and entry then
 * spent request weight, and at 500 symbols the order path ran out of it. A 3 s-old mark only
 * decides which side a stop may be on; the venue still refuses one that would trigger at once.
 */
export const MARK_MAX_AGE_MS = 3_000;

/** REST market data of one venue. */
export interface MarketData {
  exchangeInfo(refresh?: boolean): Promise<ExchangeInfo>;
  rules(symbol: string): Promise<SymbolRules>;
  ticker24h(): Promise<Ticker24h[]>;
  markPrice(symbol: string): Promise<MarkTick>;
  /** Cached mark if fresh, else REST (`protect`: for a protective order, on the top of the weight reserve). */
  mark(symbol: string, protect?: boolean): Promise<number>;
  /** Feeds the cache from the mark stream. */
  noteMark(m: MarkTick): void;
  klines(symbol: string, interval: Interval, from: number, to?: number): Promise<Candle[]>;
}

/** Creates the market-data reader. */
export function createMarketData(o: { rest: Rest; clock: Clock; venue: string; budget: WeightBudget }): MarketData {
  let info: Promise<ExchangeInfo> | undefined;
  let bySymbol = new Map<string, SymbolRules>();
  const marks = new Map<string, { price: number; at: number }>();

  const load = (): Promise<ExchangeInfo> => {
    const p = o.rest
      .call<WireExchangeInfo>({ breaker: 'market', weight: 1, retry: 'idempotent', what: 'exchangeInfo' }, (ex) => ex.fapiPublicGetExchangeInfo())
      .then((w) => {
        const parsed = parseExchangeInfo(w, o.venue);
        bySymbol = new Map(parsed.symbols.map((s) => [s.symbol, s]));
        o.budget.setLimit(parsed.weightPerMinute);
        return parsed;
      });
    // A failed load must not be cached, or every later order would fail on it.
    p.catch(() => {
      if (info === p) info = undefined;
    });
    info = p;
    return p;
  };

  // Order checks read the mark through the account breaker and the reserved weight: neither a
  // market-data outage nor market-data polling may hold a stop back.
  const markPrice = async (symbol: string, tier: WeightTier = 'market'): Promise<MarkTick> => {
    const breaker = tier === 'market' ? 'market' : 'account';
    const w = await o.rest.call<WirePremiumIndex>({ breaker, weight: 1, retry: 'idempotent', what: 'premiumIndex', tier }, (ex) =>
      ex.fapiPublicGetPremiumIndex({ symbol }),
    );
    const t: MarkTick = { venue: o.venue, symbol: w.symbol, ts: w.time, markPrice: num(w.markPrice), fundingRate: num(w.lastFundingRate) };
    if (num(w.indexPrice) > 0) t.indexPrice = num(w.indexPrice);
    if (w.nextFundingTime) t.nextFundingTime = w.nextFundingTime;
    marks.set(symbol, { price: t.markPrice, at: o.clock.now() });
    return t;
  };

  return {
    exchangeInfo: (refresh = false) => (!refresh && info ? info : load()),
    async rules(symbol) {
      await (info ?? load());
      const r = bySymbol.get(symbol);
      if (!r) throw new OrderRefusedError('UNKNOWN_SYMBOL', 'symbol', `${symbol} is not listed on this venue`);
      return r;
    },
    async ticker24h() {
      const rows = await o.rest.call<WireTicker24h[]>({ breaker: 'market', weight: 40, retry: 'idempotent', what: 'ticker24h' }, (ex) =>
        ex.fapiPublicGetTicker24hr(),
      );
      return rows.map((r) => parseTicker24h(r, o.venue));
    },
    markPrice: (symbol) => markPrice(symbol),
    async mark(symbol, protect = false) {
      const c = marks.get(symbol);
      if (c && o.clock.now() - c.at <= MARK_MAX_AGE_MS) return c.price;
      return (await markPrice(symbol, protect ? 'protect' : 'order')).markPrice;
    },
    noteMark(m) {
      marks.set(m.symbol, { price: m.markPrice, at: o.clock.now() });
    },
    async klines(symbol, interval, from, to) {
      const ms = INTERVAL_MS[interval];
      const out: Candle[] = [];
      let start = from;
      for (;;) {
        const q: Record<string, string | number> = { symbol, interval, startTime: start, limit: KLINE_PAGE };
        if (to !== undefined) q['endTime'] = to;
        const rows = await o.rest.call<WireKlineRow[]>({ breaker: 'market', weight: 10, retry: 'idempotent', what: 'klines' }, (ex) =>
          ex.fapiPublicGetKlines(q),
        );
        for (const r of rows) if (r[0] >= start && (to === undefined || r[0] <= to)) out.push(parseKlineRow(r, symbol, interval, o.venue));
        const last = rows[rows.length - 1];
        if (rows.length < KLINE_PAGE || !last) return out;
        start = last[0] + ms;
      }
    },
  };
}
