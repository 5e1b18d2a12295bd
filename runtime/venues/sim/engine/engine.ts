/**
 * `createSimEngine`: options → defaults → validated once, then a `SimEngine` facade over the core.
 * The facade is where request-level concerns live (lookup by id, cancel semantics, leverage and
 * margin-type changes); execution lives in core/placement/triggers/risk.
 */
import type { TimerHandle } from '../../../clock/index.js';
import { bookConfig } from './book.js';
import { Core } from './core.js';
import { E, SimVenueError } from './errors.js';
import { Ledger } from './ledger.js';
import { fmt } from './num.js';
import { isOpen, toView, type Order } from './order.js';
import { placeOrder } from './placement.js';
import { checkLiquidations, nextFundingTime, settleFunding } from './risk.js';
import { completeSpec, exchangeInfoOf } from './spec.js';
import { onMarkPrice, onTradePrint } from './triggers.js';
import type { MarketUpdate, OrderRef, SimEngine, SimEngineOptions } from './types.js';
import { accountView, balanceView, maxNotionalAt, positionView } from './views.js';

const KNOWN_KEYS = new Set([
  'clock', 'symbols', 'seed', 'initialBalance', 'makerFee', 'takerFee', 'defaultLeverage', 'defaultMarginType',
  'fundingIntervalMs', 'klineHistory', 'book', 'fills',
]);

/** Thrown for invalid engine options (programming errors, never a venue reject). */
export class SimConfigError extends Error {
  override name = 'SimConfigError';
  readonly retryable = false;
}

function validate(o: SimEngineOptions): void {
  for (const k of Object.keys(o)) if (!KNOWN_KEYS.has(k)) throw new SimConfigError(`unknown sim engine option '${k}'`);
  if (!o.clock) throw new SimConfigError('clock is required');
  if (!Array.isArray(o.symbols) || o.symbols.length === 0) throw new SimConfigError('symbols must be a non-empty array');
  for (const s of o.symbols) {
    if (!(s.tickSize > 0) || !(s.stepSize > 0)) throw new SimConfigError(`${s.symbol}: tickSize and stepSize must be > 0`);
  }
  const lev = o.defaultLeverage ?? 20;
  if (!Number.isInteger(lev) || lev < 1 || lev > 125) throw new SimConfigError('defaultLeverage must be an integer in 1..125');
}

/**
 * Creates the in-process matching engine. Funding settles on `clock` every `fundingIntervalMs`
 * (UTC-aligned); everything else happens synchronously inside calls and `ingest`.
 */
export function createSimEngine(options: SimEngineOptions): SimEngine {
  validate(options);
  const clock = options.clock;
  const ledger = new Ledger(options.initialBalance ?? 10_000, {
    leverage: options.defaultLeverage ?? 20,
    marginType: options.defaultMarginType ?? 'CROSSED',
  });
  const core = new Core(
    clock,
    ledger,
    {
      makerFee: options.makerFee ?? 0.0002,
      takerFee: options.takerFee ?? 0.0005,
      fills: { throughParticipation: options.fills?.throughParticipation ?? 1, touchParticipation: options.fills?.touchParticipation ?? 0.3 },
      liquidationFeeRate: 0.0125,
    },
    options.symbols.map(completeSpec),
    bookConfig(options.book),
    options.klineHistory ?? 1500,
  );
  const fundingMs = options.fundingIntervalMs ?? 28_800_000;
  let fundingTimer: TimerHandle | undefined;
  let closed = false;
  const scheduleFunding = (): void => {
    if (closed) return;
    const due = nextFundingTime(clock.now(), fundingMs);
    for (const m of core.markets.values()) if (m.nextFundingTime === 0) m.nextFundingTime = due;
    fundingTimer = clock.setTimeout(() => {
      settleFunding(core);
      scheduleFunding();
    }, due - clock.now());
  };
  scheduleFunding();

  const find = (symbol: string, ref: OrderRef): Order | undefined => {
    core.spec(symbol);
    const hasId = ref.orderId !== undefined && ref.orderId !== '';
    if (!hasId && !ref.origClientOrderId) throw E.eitherMandatory('orderId', 'origClientOrderId');
    const o = hasId ? core.byId.get(Number(ref.orderId)) : core.clientIds.get(symbol)?.get(ref.origClientOrderId as string);
    return o && o.symbol === symbol ? o : undefined;
  };
  const view = (o: Order) => toView(o, core.spec(o.symbol));
  const ingest = (u: MarketUpdate): void => {
    const m = core.markets.get(u.symbol);
    if (!m) return;
    const publish = core.marketListeners.size > 0;
    if (u.kind === 'trade') {
      const ev = m.onTrade(u, publish);
      if (ev.closed) core.emitMarket(ev.closed);
      if (ev.agg) core.emitMarket(ev.agg);
      onTradePrint(core, u.symbol, u.price, u.qty);
      if (m.mark === 0) checkLiquidations(core);
    } else if (u.kind === 'mark') {
      m.onMark(u);
      if (publish) core.emitMarket(m.markEvent(u));
      onMarkPrice(core, u.symbol, u.markPrice);
      checkLiquidations(core);
    } else if (u.kind === 'book') {
      core.book(u.symbol).refreshFromQuote(u.bid, u.ask);
      m.bookUpdateId++;
      if (publish) {
        const pd = m.spec.pricePrecision;
        const qd = m.spec.quantityPrecision;
        core.emitMarket({ e: 'bookTicker', u: m.bookUpdateId, E: u.time, T: u.time, s: u.symbol, b: fmt(u.bid, pd), B: fmt(u.bidQty, qd), a: fmt(u.ask, pd), A: fmt(u.askQty, qd) });
      }
    } else {
      const ev = m.onKline(u.kline, u.closed, clock.now(), publish);
      if (ev) core.emitMarket(ev);
    }
  };

  return {
    clock,
    placeOrder: (input) => placeOrder(core, input),
    cancelOrder(symbol, ref) {
      const o = find(symbol, ref);
      if (!o || !isOpen(o)) throw E.cancelRejected();
      core.finish(o, 'CANCELED');
      return view(o);
    },
    cancelAllOrders(symbol) {
      core.spec(symbol);
      const out = [];
      for (const o of [...core.openOf(symbol)]) {
        core.finish(o, 'CANCELED');
        out.push(view(o));
      }
      return out;
    },
    getOrder(symbol, ref) {
      const o = find(symbol, ref);
      if (!o) throw E.noSuchOrder();
      return view(o);
    },
    openOrders(symbol) {
      if (symbol !== undefined) return core.openOf(core.spec(symbol).symbol).map(view);
      return core.orders.filter(isOpen).map(view);
    },
    allOrders(symbol, q = {}) {
      core.spec(symbol);
      const rows = core.orders.filter(
        (o) => o.symbol === symbol && (q.orderId === undefined || o.orderId >= q.orderId) && (q.startTime === undefined || o.time >= q.startTime) && (q.endTime === undefined || o.time <= q.endTime),
      );
      const limit = Math.min(q.limit ?? 500, 1000);
      return (q.orderId !== undefined || q.startTime !== undefined ? rows.slice(0, limit) : rows.slice(-limit)).map(view);
    },
    userTrades(symbol, q = {}) {
      core.spec(symbol);
      const rows = core.trades.filter(
        (t) => t.symbol === symbol && (q.fromId === undefined || t.id >= q.fromId) && (q.startTime === undefined || t.time >= q.startTime) && (q.endTime === undefined || t.time <= q.endTime),
      );
      const limit = Math.min(q.limit ?? 500, 1000);
      return q.fromId !== undefined || q.startTime !== undefined ? rows.slice(0, limit) : rows.slice(-limit);
    },
    income(q = {}) {
      const rows = core.income.filter(
        (r) => (q.symbol === undefined || r.symbol === q.symbol) && (q.incomeType === undefined || r.incomeType === q.incomeType) && (q.startTime === undefined || r.time >= q.startTime) && (q.endTime === undefined || r.time <= q.endTime),
      );
      return rows.slice(-Math.min(q.limit ?? 100, 1000));
    },
    positions(symbol) {
      const syms = symbol !== undefined ? [core.spec(symbol).symbol] : [...core.specs.keys()];
      return syms.map((s) => positionView(core, ledger.pos(s)));
    },
    account: () => accountView(core),
    balance: () => balanceView(core),
    setLeverage(symbol, leverage) {
      const s = core.spec(symbol);
      const lev = Number(leverage);
      if (!Number.isInteger(lev) || lev < 1 || lev > s.maxLeverage) throw E.leverage(String(leverage));
      ledger.pos(symbol).leverage = lev;
      const now = clock.now();
      core.emitUser({ e: 'ACCOUNT_CONFIG_UPDATE', E: now, T: now, ac: { s: symbol, l: lev } });
      return { leverage: lev, maxNotionalValue: String(maxNotionalAt(lev)), symbol };
    },
    setMarginType(symbol, marginType) {
      core.spec(symbol);
      const mt = marginType.toUpperCase();
      if (mt !== 'CROSSED' && mt !== 'ISOLATED') throw E.invalidParam('marginType');
      const p = ledger.pos(symbol);
      if (p.marginType === mt) throw E.marginTypeSame();
      if (core.openOf(symbol).length > 0) throw E.marginTypeOrders();
      if (p.amt !== 0) throw E.marginTypePosition();
      p.marginType = mt;
    },
    exchangeInfo: () => exchangeInfoOf(core.specs.values(), clock.now()),
    spec: (symbol) => core.spec(symbol),
    symbols: () => [...core.specs.keys()],
    ingest,
    klines: (symbol, interval, q) => core.market(core.spec(symbol).symbol).klineRows(interval, q),
    depth(symbol, limit = 20) {
      const s = core.spec(symbol);
      const b = core.book(symbol);
      const n = Math.min(limit, 1000);
      const row = (l: { price: number; qty: number }): [string, string] => [fmt(l.price, s.pricePrecision), fmt(l.qty, s.quantityPrecision)];
      const now = clock.now();
      return { lastUpdateId: core.market(symbol).bookUpdateId, E: now, T: now, bids: b.visible('bid', n).map(row), asks: b.visible('ask', n).map(row) };
    },
    bookTicker(symbol) {
      const s = core.spec(symbol);
      const b = core.book(symbol);
      const bid = b.visible('bid', 1)[0];
      const ask = b.visible('ask', 1)[0];
      return {
        symbol, bidPrice: fmt(bid?.price ?? 0, s.pricePrecision), bidQty: fmt(bid?.qty ?? 0, s.quantityPrecision),
        askPrice: fmt(ask?.price ?? 0, s.pricePrecision), askQty: fmt(ask?.qty ?? 0, s.quantityPrecision), time: clock.now(),
      };
    },
    tickerPrice(symbol) {
      const s = core.spec(symbol);
      return { symbol, price: fmt(core.market(symbol).last, s.pricePrecision), time: clock.now() };
    },
    premiumIndex: (symbol) => core.market(core.spec(symbol).symbol).premium(clock.now()),
    ticker24hr: (symbol) => core.market(core.spec(symbol).symbol).ticker24h(clock.now()),
    aggTrades: (symbol, q) => core.market(core.spec(symbol).symbol).aggTrades(q?.limit),
    fundingRates: (symbol, q) => core.market(core.spec(symbol).symbol).fundingHistory.slice(-Math.min(q?.limit ?? 100, 1000)),
    subscribeUser(listener) {
      core.userListeners.add(listener);
      return () => core.userListeners.delete(listener);
    },
    subscribeMarket(listener) {
      core.marketListeners.add(listener);
      return () => core.marketListeners.delete(listener);
    },
    history: () => ({
      orders: core.orders.map(view),
      trades: core.trades.slice(),
      income: core.income.slice(),
      rejects: core.rejects.slice(),
      liquidations: core.liquidations.slice(),
    }),
    close() {
      closed = true;
      clock.clearTimeout(fundingTimer);
    },
  };
}

export { SimVenueError };
