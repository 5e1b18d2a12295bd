/**
 * Synthetic order book around the last price. There is no real counterparty in the simulator, so the
 * book is a liquidity *model*: levels at fixed distances with growing size. Liquidity we take is
 * remembered until the next market update (a print or a book tick), which is what makes two market
 * orders in the same instant walk the book instead of both filling at the touch.
 */
import { roundTo, snapDown, snapUp } from './num.js';
import type { BookOptions, OrderSide, SymbolSpec } from './types.js';

/** One price level. */
export interface Level {
  price: number;
  qty: number;
}

/** A fill taken from the book. */
export interface BookFill {
  price: number;
  qty: number;
}

/** Book options with defaults applied. */
export type BookConfig = Required<BookOptions>;

/** @see BookOptions for the meaning and defaults. */
export function bookConfig(o: BookOptions = {}): BookConfig {
  return {
    halfSpreadTicks: o.halfSpreadTicks ?? 1,
    levels: o.levels ?? 20,
    levelStepBps: o.levelStepBps ?? 1,
    topLevelNotional: o.topLevelNotional ?? 50_000,
    levelGrowth: o.levelGrowth ?? 0.25,
  };
}

/** The synthetic book of one symbol. */
export class SyntheticBook {
  bid = 0;
  ask = 0;
  /** Quantity already taken from each side since the last refresh. */
  private takenAsk = 0;
  private takenBid = 0;

  constructor(private readonly spec: SymbolSpec, private readonly cfg: BookConfig) {}

  /** Whether the book has a price yet (no market data → no liquidity). */
  get ready(): boolean {
    return this.ask > 0 && this.bid > 0;
  }

  /** Re-centres on a trade price and restores the liquidity taken so far. */
  refreshFromTrade(price: number): void {
    const half = this.cfg.halfSpreadTicks * this.spec.tickSize;
    this.bid = roundTo(Math.max(this.spec.tickSize, price - half), this.spec.pricePrecision);
    this.ask = roundTo(price + half, this.spec.pricePrecision);
    this.takenAsk = 0;
    this.takenBid = 0;
  }

  /** Uses an explicit best bid/ask (bookTicker) as the top of the book. */
  refreshFromQuote(bid: number, ask: number): void {
    if (!(bid > 0 && ask >= bid)) return;
    this.bid = bid;
    this.ask = ask;
    this.takenAsk = 0;
    this.takenBid = 0;
  }

  private stepPx(): number {
    const mid = (this.bid + this.ask) / 2;
    return Math.max(this.spec.tickSize, snapUp((mid * this.cfg.levelStepBps) / 10_000, this.spec.tickSize));
  }

  /** Full levels of one side ('ask' is what a BUY takes), before what we already took. */
  levels(side: 'ask' | 'bid', n = this.cfg.levels): Level[] {
    const out: Level[] = [];
    if (!this.ready) return out;
    const step = this.stepPx();
    for (let i = 0; i < n; i++) {
      const price = roundTo(side === 'ask' ? this.ask + i * step : this.bid - i * step, this.spec.pricePrecision);
      if (price <= 0) break;
      const notional = this.cfg.topLevelNotional * (1 + this.cfg.levelGrowth * i);
      const qty = Math.max(this.spec.stepSize, snapDown(notional / price, this.spec.stepSize));
      out.push({ price, qty });
    }
    return out;
  }

  /** Levels net of liquidity already taken: what the depth endpoint shows. */
  visible(side: 'ask' | 'bid', n = this.cfg.levels): Level[] {
    let taken = side === 'ask' ? this.takenAsk : this.takenBid;
    const out: Level[] = [];
    for (const l of this.levels(side, n)) {
      const left = roundTo(l.qty - Math.min(l.qty, taken), this.spec.quantityPrecision);
      taken = Math.max(0, roundTo(taken - l.qty, this.spec.quantityPrecision));
      if (left > 0) out.push({ price: l.price, qty: left });
    }
    return out;
  }

  /** Walks the book for an order of `side` up to `qty`, optionally bounded by a limit price. Pure. */
  quote(side: OrderSide, qty: number, limit?: number): BookFill[] {
    const fills: BookFill[] = [];
    let left = qty;
    for (const l of this.visible(side === 'BUY' ? 'ask' : 'bid')) {
      if (left <= 0) break;
      if (limit !== undefined && (side === 'BUY' ? l.price > limit : l.price < limit)) break;
      const q = roundTo(Math.min(left, l.qty), this.spec.quantityPrecision);
      fills.push({ price: l.price, qty: q });
      left = roundTo(left - q, this.spec.quantityPrecision);
    }
    return fills;
  }

  /** Same as `quote` but consumes the liquidity. */
  take(side: OrderSide, qty: number, limit?: number): BookFill[] {
    const fills = this.quote(side, qty, limit);
    const total = fills.reduce((a, f) => a + f.qty, 0);
    if (side === 'BUY') this.takenAsk = roundTo(this.takenAsk + total, this.spec.quantityPrecision);
    else this.takenBid = roundTo(this.takenBid + total, this.spec.quantityPrecision);
    return fills;
  }

  /** Whether a limit order at `price` would take liquidity (GTX check). */
  crosses(side: OrderSide, price: number): boolean {
    if (!this.ready) return false;
    return side === 'BUY' ? price >= this.ask : price <= this.bid;
  }
}
