/**
 * Per-symbol market data as the engine saw it: last trade, mark/index/funding, candles and aggTrades.
 * It backs the public REST endpoints and turns `MarketUpdate`s into wire events. Candles are built from
 * trade prints and then overwritten by the source's own kline when one arrives, so replayed candles stay
 * exact even if the prints were rounded.
 */
import { aggregate, bucketStart, intervalMs } from '../market/aggregate.js';
import { SimVenueError } from './errors.js';
import { fmt, fmtUsd } from './num.js';
import type {
  AggTradeEvent, AggTradeView, FundingRateView, Kline1m, KlineEvent, KlineRow, MarkPriceEvent, MarketUpdate, PremiumIndexView,
  SymbolSpec, Ticker24hView,
} from './types.js';

const AGG_KEEP = 1000;
const FUNDING_KEEP = 1000;

interface AggPrint {
  id: number;
  price: number;
  qty: number;
  time: number;
  buyerMaker: boolean;
}

/** Market state of one symbol. */
export class SymbolMarket {
  last = 0;
  lastQty = 0;
  lastTime = 0;
  mark = 0;
  index = 0;
  fundingRate = 0.0001;
  nextFundingTime = 0;
  readonly klines: Kline1m[] = [];
  current: Kline1m | undefined;
  /** Prints as numbers: formatted into views only when asked (most are never read, as in a backtest). */
  private readonly aggs: AggPrint[] = [];
  private aggId = 0;
  readonly fundingHistory: FundingRateView[] = [];
  bookUpdateId = 0;

  constructor(readonly spec: SymbolSpec, private readonly keepKlines: number) {}

  /** Mark price, falling back to the last trade before the first mark update. */
  markOrLast(): number {
    return this.mark > 0 ? this.mark : this.last;
  }

  /**
   * Records a print; returns the aggTrade event and, if a minute rolled over, the closed kline event.
   * `wire: false` (nobody listens to the market stream, as in a backtest) skips building both.
   */
  onTrade(u: Extract<MarketUpdate, { kind: 'trade' }>, wire = true): { agg?: AggTradeEvent; closed?: KlineEvent } {
    const s = this.spec;
    let closed: KlineEvent | undefined;
    const open = bucketStart(u.time, 60_000);
    if (this.current && this.current.openTime !== open) closed = this.closeCurrent(u.time, wire);
    if (!this.current) {
      this.current = { openTime: open, open: u.price, high: u.price, low: u.price, close: u.price, volume: 0, quoteVolume: 0, trades: 0, takerBuyVolume: 0 };
    }
    const c = this.current;
    c.high = Math.max(c.high, u.price);
    c.low = Math.min(c.low, u.price);
    c.close = u.price;
    c.volume += u.qty;
    c.quoteVolume += u.qty * u.price;
    c.trades += 1;
    if (!u.isBuyerMaker) c.takerBuyVolume += u.qty;
    this.last = u.price;
    this.lastQty = u.qty;
    this.lastTime = u.time;
    const print: AggPrint = { id: ++this.aggId, price: u.price, qty: u.qty, time: u.time, buyerMaker: u.isBuyerMaker };
    this.aggs.push(print);
    if (this.aggs.length > AGG_KEEP * 2) this.aggs.splice(0, this.aggs.length - AGG_KEEP);
    if (!wire) return {};
    return { agg: { e: 'aggTrade', E: u.time, s: s.symbol, ...this.aggView(print) }, ...(closed ? { closed } : {}) };
  }

  /** Applies the source's candle; returns the kline event to publish (none when `wire` is false). */
  onKline(k: Kline1m, closed: boolean, now: number, wire = true): KlineEvent | undefined {
    if (this.current && this.current.openTime < k.openTime) this.closeCurrent(now, false);
    this.current = { ...k };
    if (k.close > 0 && this.last === 0) this.last = k.close;
    if (closed) return this.closeCurrent(now, wire);
    return wire ? this.klineEvent(k, false, now) : undefined;
  }

  private closeCurrent(now: number, wire: true): KlineEvent;
  private closeCurrent(now: number, wire: boolean): KlineEvent | undefined;
  private closeCurrent(now: number, wire: boolean): KlineEvent | undefined {
    const c = this.current as Kline1m;
    this.current = undefined;
    const prev = this.klines[this.klines.length - 1];
    if (prev && prev.openTime === c.openTime) this.klines[this.klines.length - 1] = c;
    else this.klines.push(c);
    if (this.klines.length > this.keepKlines * 2) this.klines.splice(0, this.klines.length - this.keepKlines);
    return wire ? this.klineEvent(c, true, now) : undefined;
  }

  /** Wire kline event for the 1m stream. */
  klineEvent(k: Kline1m, closed: boolean, now: number): KlineEvent {
    const s = this.spec;
    const pd = s.pricePrecision;
    const qd = s.quantityPrecision;
    return {
      e: 'kline',
      E: now,
      s: s.symbol,
      k: {
        t: k.openTime, T: k.openTime + 59_999, s: s.symbol, i: '1m', f: 0, L: 0,
        o: fmt(k.open, pd), c: fmt(k.close, pd), h: fmt(k.high, pd), l: fmt(k.low, pd),
        v: fmt(k.volume, qd), n: k.trades, x: closed, q: fmtUsd(k.quoteVolume), V: fmt(k.takerBuyVolume, qd),
        Q: fmtUsd(k.takerBuyVolume * k.close), B: '0',
      },
    };
  }

  /** Records mark/index/funding. */
  onMark(u: Extract<MarketUpdate, { kind: 'mark' }>): void {
    this.mark = u.markPrice;
    this.index = u.indexPrice;
    this.fundingRate = u.fundingRate;
    this.nextFundingTime = u.nextFundingTime;
  }

  /** The markPriceUpdate wire event of a mark update. */
  markEvent(u: Extract<MarketUpdate, { kind: 'mark' }>): MarkPriceEvent {
    const pd = this.spec.pricePrecision;
    return {
      e: 'markPriceUpdate', E: u.time, s: this.spec.symbol, p: fmt(u.markPrice, pd), i: fmt(u.indexPrice, pd),
      P: fmt(u.markPrice, pd), r: u.fundingRate.toFixed(8), T: u.nextFundingTime,
    };
  }

  /** Appends a settled funding rate (for GET /fapi/v1/fundingRate). */
  recordFunding(time: number): void {
    this.fundingHistory.push({ symbol: this.spec.symbol, fundingRate: this.fundingRate.toFixed(8), fundingTime: time, markPrice: fmt(this.markOrLast(), this.spec.pricePrecision) });
    if (this.fundingHistory.length > FUNDING_KEEP * 2) this.fundingHistory.splice(0, this.fundingHistory.length - FUNDING_KEEP);
  }

  /** GET /fapi/v1/klines. */
  klineRows(interval: string, q: { startTime?: number; endTime?: number; limit?: number } = {}): KlineRow[] {
    const ms = intervalMs(interval);
    if (!ms) throw new SimVenueError(-1120, 'Invalid interval.');
    const all = this.current ? [...this.klines, this.current] : this.klines;
    const rows = aggregate(all, ms).filter((k) => (q.startTime === undefined || k.openTime >= q.startTime) && (q.endTime === undefined || k.openTime <= q.endTime));
    const limit = Math.min(q.limit ?? 500, 1500);
    const pick = q.startTime !== undefined ? rows.slice(0, limit) : rows.slice(-limit);
    const pd = this.spec.pricePrecision;
    const qd = this.spec.quantityPrecision;
    return pick.map((k) => [
      k.openTime, fmt(k.open, pd), fmt(k.high, pd), fmt(k.low, pd), fmt(k.close, pd), fmt(k.volume, qd), k.openTime + ms - 1,
      fmtUsd(k.quoteVolume), k.trades, fmt(k.takerBuyVolume, qd), fmtUsd(k.takerBuyVolume * k.close), '0',
    ]);
  }

  /** GET /fapi/v1/aggTrades (most recent). */
  aggTrades(limit = 500): AggTradeView[] {
    return this.aggs.slice(-Math.min(limit, AGG_KEEP)).map((a) => this.aggView(a));
  }

  private aggView(a: AggPrint): AggTradeView {
    const s = this.spec;
    return { a: a.id, p: fmt(a.price, s.pricePrecision), q: fmt(a.qty, s.quantityPrecision), f: a.id, l: a.id, T: a.time, m: a.buyerMaker };
  }

  /** GET /fapi/v1/premiumIndex. */
  premium(now: number): PremiumIndexView {
    const pd = this.spec.pricePrecision;
    return {
      symbol: this.spec.symbol, markPrice: fmt(this.markOrLast(), pd), indexPrice: fmt(this.index || this.last, pd),
      estimatedSettlePrice: fmt(this.index || this.last, pd), lastFundingRate: this.fundingRate.toFixed(8),
      interestRate: '0.00010000', nextFundingTime: this.nextFundingTime, time: now,
    };
  }

  /** GET /fapi/v1/ticker/24hr from the last 1440 one-minute candles. */
  ticker24h(now: number): Ticker24hView {
    const all = this.current ? [...this.klines, this.current] : this.klines;
    const win = all.filter((k) => k.openTime >= now - 86_400_000);
    const pd = this.spec.pricePrecision;
    const qd = this.spec.quantityPrecision;
    const open = win[0]?.open ?? this.last;
    let hi = this.last, lo = this.last, vol = 0, qv = 0, n = 0;
    for (const k of win) {
      hi = Math.max(hi, k.high);
      lo = Math.min(lo, k.low);
      vol += k.volume;
      qv += k.quoteVolume;
      n += k.trades;
    }
    return {
      symbol: this.spec.symbol, priceChange: fmt(this.last - open, pd),
      priceChangePercent: (open > 0 ? ((this.last - open) / open) * 100 : 0).toFixed(3),
      weightedAvgPrice: fmt(vol > 0 ? qv / vol : this.last, pd), lastPrice: fmt(this.last, pd), lastQty: fmt(this.lastQty, qd),
      openPrice: fmt(open, pd), highPrice: fmt(hi, pd), lowPrice: fmt(lo, pd), volume: fmt(vol, qd), quoteVolume: fmt(qv, 2),
      openTime: win[0]?.openTime ?? now - 86_400_000, closeTime: now, firstId: Math.max(1, this.aggId - n + 1), lastId: this.aggId, count: n,
    };
  }
}
