/**
 * Engine state and the execution primitive (`fill`) every path goes through: user placements, resting
 * fills, triggered stops and liquidations all book trades, fees, PnL and events the same way, which is
 * what keeps the history consistent for invariant checks.
 */
import type { Clock } from '../../../clock/index.js';
import { SyntheticBook, type BookConfig } from './book.js';
import { SimVenueError } from './errors.js';
import { upnl, type Ledger } from './ledger.js';
import { SymbolMarket } from './market-state.js';
import { fmt, fmtUsd, roundTo } from './num.js';
import { isOpen, remaining, toEventBody, type ExecDetail, type Order } from './order.js';
import type {
  AccountUpdateReason, FillOptions, IncomeType, IncomeView, MarketEvent, VenueOrderStatus, RejectRecord, SymbolSpec, UserEvent, UserTradeView,
} from './types.js';
import type { ParsedOrder } from './validate.js';

/** Settings the core needs, defaults applied. */
export interface CoreConfig {
  makerFee: number;
  takerFee: number;
  fills: Required<FillOptions>;
  liquidationFeeRate: number;
}

/** Options of one execution. */
export interface FillOpts {
  maker: boolean;
  /** Overrides the maker/taker rate (liquidations pay the clearance fee instead). */
  feeRate?: number;
}

/** All mutable engine state. */
export class Core {
  readonly specs = new Map<string, SymbolSpec>();
  readonly markets = new Map<string, SymbolMarket>();
  readonly books = new Map<string, SyntheticBook>();
  readonly orders: Order[] = [];
  readonly byId = new Map<number, Order>();
  readonly clientIds = new Map<string, Map<string, Order>>();
  readonly open = new Map<string, Order[]>();
  readonly trades: UserTradeView[] = [];
  readonly income: IncomeView[] = [];
  readonly rejects: RejectRecord[] = [];
  readonly liquidations: number[] = [];
  readonly userListeners = new Set<(e: UserEvent) => void>();
  readonly marketListeners = new Set<(e: MarketEvent) => void>();
  private nextOrderId = 1;
  private nextTradeId = 1;
  private nextTranId = 1;

  constructor(
    readonly clock: Clock,
    readonly ledger: Ledger,
    readonly cfg: CoreConfig,
    specs: SymbolSpec[],
    book: BookConfig,
    keepKlines: number,
  ) {
    for (const s of specs) {
      this.specs.set(s.symbol, s);
      this.markets.set(s.symbol, new SymbolMarket(s, keepKlines));
      this.books.set(s.symbol, new SyntheticBook(s, book));
      this.open.set(s.symbol, []);
      this.clientIds.set(s.symbol, new Map());
    }
  }

  /** Spec of a symbol or -1121. */
  spec(symbol: string): SymbolSpec {
    const s = this.specs.get(symbol);
    if (!s) throw new SimVenueError(-1121, 'Invalid symbol.');
    return s;
  }

  market(symbol: string): SymbolMarket {
    return this.markets.get(symbol) as SymbolMarket;
  }

  book(symbol: string): SyntheticBook {
    return this.books.get(symbol) as SyntheticBook;
  }

  openOf(symbol: string): Order[] {
    return this.open.get(symbol) as Order[];
  }

  emitUser(e: UserEvent): void {
    for (const l of this.userListeners) l(e);
  }

  emitMarket(e: MarketEvent): void {
    for (const l of this.marketListeners) l(e);
  }

  /** Registers an accepted order (status NEW) and announces it. */
  newOrder(p: ParsedOrder, now: number, isLiquidation = false): Order {
    const id = this.nextOrderId++;
    const o: Order = {
      orderId: id, symbol: p.symbol, clientOrderId: p.clientOrderId ?? `sim_${id}`, side: p.side, type: p.type, tif: p.tif,
      qty: p.qty, price: p.price, stopPrice: p.stopPrice, activationPrice: p.activationPrice, callbackRate: p.callbackRate,
      workingType: p.workingType, reduceOnly: p.reduceOnly, closePosition: p.closePosition, priceProtect: p.priceProtect,
      status: 'NEW', executedQty: 0, cumQuote: 0, time: now, updateTime: now, trailActive: false, trailExtreme: 0,
      triggered: false, imPerQty: 0, isLiquidation,
    };
    this.orders.push(o);
    this.byId.set(id, o);
    (this.clientIds.get(o.symbol) as Map<string, Order>).set(o.clientOrderId, o);
    this.openOf(o.symbol).push(o);
    this.orderEvent(o, { x: 'NEW' });
    return o;
  }

  orderEvent(o: Order, d: ExecDetail): void {
    if (this.userListeners.size === 0) return;
    const now = this.clock.now();
    this.emitUser({ e: 'ORDER_TRADE_UPDATE', E: now, T: now, o: toEventBody(o, this.spec(o.symbol), d, now) });
  }

  /** Moves an open order to a terminal status and announces it. */
  finish(o: Order, status: Extract<VenueOrderStatus, 'CANCELED' | 'EXPIRED' | 'FILLED'>): void {
    if (!isOpen(o)) return;
    o.status = status;
    o.updateTime = this.clock.now();
    const list = this.openOf(o.symbol);
    const i = list.indexOf(o);
    if (i >= 0) list.splice(i, 1);
    if (status !== 'FILLED') this.orderEvent(o, { x: status === 'CANCELED' ? 'CANCELED' : 'EXPIRED' });
  }

  /** How much of `qty` a reduce-only order may still execute: never more than the opposite position. */
  executable(o: Order, qty: number): number {
    if (!o.reduceOnly) return qty;
    const amt = this.ledger.pos(o.symbol).amt;
    const opposite = o.side === 'SELL' ? amt > 0 : amt < 0;
    return opposite ? Math.min(qty, Math.abs(amt)) : 0;
  }

  /** Books one execution: position, fee, PnL, history rows and user events. */
  fill(o: Order, qty: number, price: number, opts: FillOpts): void {
    const s = this.spec(o.symbol);
    const now = this.clock.now();
    const rate = opts.feeRate ?? (opts.maker ? this.cfg.makerFee : this.cfg.takerFee);
    const fee = roundTo(qty * price * rate, 8);
    const eff = this.ledger.applyFill(s, o.side, qty, price, now);
    this.ledger.credit(-fee);
    o.executedQty = roundTo(o.executedQty + qty, s.quantityPrecision);
    o.cumQuote = roundTo(o.cumQuote + qty * price, 8);
    o.updateTime = now;
    o.status = remaining(o, s) <= 0 ? 'FILLED' : 'PARTIALLY_FILLED';
    const tradeId = this.nextTradeId++;
    this.trades.push({
      symbol: o.symbol, id: tradeId, orderId: o.orderId, side: o.side, price: fmt(price, s.pricePrecision), qty: fmt(qty, s.quantityPrecision),
      realizedPnl: fmtUsd(eff.realizedPnl), quoteQty: fmtUsd(qty * price), commission: fmtUsd(fee), commissionAsset: 'USDT', time: now,
      positionSide: 'BOTH', buyer: o.side === 'BUY', maker: opts.maker,
    });
    if (eff.closedQty > 0) this.addIncome(o.symbol, 'REALIZED_PNL', eff.realizedPnl, String(tradeId));
    if (fee !== 0) this.addIncome(o.symbol, 'COMMISSION', -fee, String(tradeId));
    if (o.status === 'FILLED') {
      const list = this.openOf(o.symbol);
      const i = list.indexOf(o);
      if (i >= 0) list.splice(i, 1);
    }
    this.accountUpdate('ORDER', [o.symbol]);
    this.orderEvent(o, { x: 'TRADE', lastQty: qty, lastPrice: price, commission: fee, tradeId, maker: opts.maker, realizedPnl: eff.realizedPnl });
    if (eff.closedQty > 0) this.expireStaleReduceOnly(o.symbol);
  }

  /** Resting reduce-only LIMIT orders die once nothing is left to reduce (Binance expires them too). */
  expireStaleReduceOnly(symbol: string): void {
    for (const o of [...this.openOf(symbol)]) {
      if (o.reduceOnly && o.type === 'LIMIT' && this.executable(o, 1) === 0) this.finish(o, 'EXPIRED');
    }
  }

  addIncome(symbol: string, incomeType: IncomeType, amount: number, tradeId = ''): void {
    if (amount === 0 && incomeType !== 'FUNDING_FEE') return;
    this.income.push({ symbol, incomeType, income: fmtUsd(amount), asset: 'USDT', info: incomeType, time: this.clock.now(), tranId: this.nextTranId++, tradeId });
  }

  /** ACCOUNT_UPDATE with the wallet and the given symbols' positions. */
  accountUpdate(reason: AccountUpdateReason, symbols: string[]): void {
    if (this.userListeners.size === 0) return;
    const now = this.clock.now();
    const P = symbols.map((sym) => {
      const p = this.ledger.pos(sym);
      const s = this.spec(sym);
      const mark = this.market(sym).markOrLast();
      return {
        s: sym, pa: fmt(p.amt, s.quantityPrecision), ep: String(roundTo(p.entry, 8)), bep: String(roundTo(p.entry, 8)), cr: '0',
        up: fmtUsd(upnl(p, mark)), mt: p.marginType === 'ISOLATED' ? ('isolated' as const) : ('cross' as const), iw: fmtUsd(p.isoWallet), ps: 'BOTH' as const,
      };
    });
    this.emitUser({
      e: 'ACCOUNT_UPDATE', E: now, T: now,
      a: { m: reason, B: [{ a: 'USDT', wb: fmtUsd(this.ledger.wallet), cw: fmtUsd(this.ledger.crossWallet()), bc: '0' }], P },
    });
  }

  /** Initial margin held by open LIMIT orders that add exposure. */
  openOrderIM(symbol?: string): number {
    let im = 0;
    for (const [sym, list] of this.open) {
      if (symbol !== undefined && sym !== symbol) continue;
      for (const o of list) if (o.imPerQty > 0) im += o.imPerQty * remaining(o, this.spec(sym));
    }
    return im;
  }
}
