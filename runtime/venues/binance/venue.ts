/**
 * `createBinanceVenue`: wires options, request budget, breakers, ccxt transport, market data, the
 * shared market socket and user streams into the {@link BinanceVenue} interface.
 */
import type { binanceusdm } from 'ccxt';
import { pino } from 'pino';
import type { Candle, Interval, MarkTick, TradeTick } from '../../../protocols/market.js';
import type { AccountBalance, FundingPayment, LeverageSetting, UserStreamEvent, VenueOrder, VenuePosition } from '../../../protocols/venue.js';
import { Breakers } from './breakers.js';
import { WeightBudget } from './budget.js';
import { CandleSequencer } from './candles.js';
import { VenueClosedError } from './errors.js';
import { RuntimeError } from '../../errors.js';
import { createMarketData } from './market-data.js';
import type { WireBalance, WireIncome, WireLeverage, WireOrder, WirePositionMode, WirePositionRisk, WsAggTrade, WsKline, WsMarkPrice } from './messages.js';
import { compileOptions, type BinanceVenueOptions } from './options.js';
import { cancelOrder, getOrder, placeOrder, type OrderDeps } from './orders.js';
import { parseAggTrade, parseBalance, parseFunding, parseLeverage, parseMarkPrice, parseOrder, parsePosition, parsePositionMode, parseWsKline } from './parse.js';
import { createRest } from './rest.js';
import { createStreamHub, type Subscription } from './stream-hub.js';
import type { BinanceVenue } from './types.js';
import { startUserStream, type ResyncSnapshot, type UserStreamHandle } from './user-stream.js';

const lower = (s: string): string => s.toLowerCase();

/** Creates the adapter. No I/O happens until the first call or subscription. */
export function createBinanceVenue(options: BinanceVenueOptions): BinanceVenue {
  const o = compileOptions(options);
  const { clock, venue } = o;
  const log = (o.logger ?? pino({ level: 'silent' })).child({ component: 'binance-venue', venue, mode: o.mode });
  const budget = new WeightBudget(clock, 2400, o.rateLimit.safetyRatio, o.rateLimit.maxWaitMs);
  const breakers = new Breakers(
    { volumeThreshold: o.breaker.volumeThreshold, errorThresholdPercentage: o.breaker.errorThresholdPercentage, resetTimeoutMs: o.breaker.resetTimeoutMs, rollingWindowMs: o.breaker.rollingWindowMs },
    clock,
    log,
  );
  const rest = createRest({
    restUrl: o.restUrl, apiKey: o.apiKey, apiSecret: o.apiSecret, requestTimeoutMs: o.requestTimeoutMs, orderTimeoutMs: o.orderTimeoutMs,
    retry: o.retry, clock, log, budget, breakers,
  });
  const md = createMarketData({ rest, clock, venue, budget });
  const hub = createStreamHub({ wsUrl: o.wsUrl, clock, log, ws: o.ws });
  const userStreams = new Set<UserStreamHandle>();
  let closed = false;

  const live = (): void => {
    if (closed) throw new VenueClosedError();
  };
  const orderDeps: OrderDeps = { rest, clock, log, venue, rules: (s) => md.rules(s), mark: (s, protect) => md.mark(s, protect), resolve: o.resolve };

  const openOrders = async (symbol?: string): Promise<VenueOrder[]> => {
    live();
    const rows = await rest.call<WireOrder[]>({ breaker: 'account', weight: symbol ? 1 : 40, retry: 'idempotent', what: 'openOrders' }, (ex) =>
      ex.fapiPrivateGetOpenOrders(symbol ? { symbol } : {}),
    );
    return rows.map((w) => parseOrder(w, venue));
  };
  const positions = async (symbol?: string): Promise<VenuePosition[]> => {
    live();
    const rows = await rest.call<WirePositionRisk[]>({ breaker: 'account', weight: 5, retry: 'idempotent', what: 'positions' }, (ex) =>
      ex.fapiPrivateV2GetPositionRisk(symbol ? { symbol } : {}),
    );
    const all = rows.map((w) => parsePosition(w, venue));
    return symbol ? all.filter((p) => p.symbol === symbol) : all.filter((p) => p.side !== 'FLAT');
  };
  const balances = async (): Promise<AccountBalance[]> => {
    live();
    const rows = await rest.call<WireBalance[]>({ breaker: 'account', weight: 5, retry: 'idempotent', what: 'balances' }, (ex) =>
      ex.fapiPrivateV2GetBalance(),
    );
    return rows.map((w) => parseBalance(w, venue));
  };

  /** A boolean account setting (weight 30). An answer we cannot read is not taken as "off": the start-up checks refuse on it. */
  const accountFlag = async (field: 'feeBurn' | 'multiAssetsMargin', get: (ex: binanceusdm) => Promise<unknown>): Promise<boolean> => {
    live();
    const w = await rest.call<Record<string, unknown>>({ breaker: 'account', weight: 30, retry: 'idempotent', what: field }, get);
    if (typeof w[field] !== 'boolean') throw new RuntimeError(`unreadable ${field} answer: ${JSON.stringify(w).slice(0, 200)}`);
    return w[field];
  };

  const fundingPayments = async (startTime: number, limit = 1_000): Promise<FundingPayment[]> => {
    live();
    const rows = await rest.call<WireIncome[]>({ breaker: 'account', weight: 30, retry: 'idempotent', what: 'fundingPayments' }, (ex) =>
      ex.fapiPrivateGetIncome({ incomeType: 'FUNDING_FEE', startTime, limit: Math.min(1_000, limit) }),
    );
    return rows.map((w) => parseFunding(w, venue)).sort((a, b) => a.time - b.time);
  };

  const subscribeCandles = (symbols: string[], intervals: Interval[], onCandle: (c: Candle) => void): Subscription => {
    live();
    const seqs = new Map<string, CandleSequencer>();
    for (const s of symbols) {
      for (const i of intervals) {
        const backfill = (from: number, to: number | undefined): Promise<Candle[]> => md.klines(s, i, from, to);
        seqs.set(`${lower(s)}@kline_${i}`, new CandleSequencer(i, backfill, onCandle, clock, log.child({ symbol: s, interval: i })));
      }
    }
    return hub.add([...seqs.keys()], {
      handler: (stream, data) => {
        const { candle, closed: isClosed } = parseWsKline(data as WsKline, venue);
        if (isClosed) seqs.get(stream)?.onClosed(candle);
      },
      onReconnect: () => {
        for (const q of seqs.values()) q.onReconnect();
      },
    });
  };

  return {
    venue,
    mode: o.mode,
    exchangeInfo: (opts) => (live(), md.exchangeInfo(opts?.refresh)),
    rules: (symbol) => (live(), md.rules(symbol)),
    markets: async () => (live(), (await md.exchangeInfo()).symbols.filter((s) => s.status === 'TRADING')),
    ticker24h: () => (live(), md.ticker24h()),
    markPrice: (symbol) => (live(), md.markPrice(symbol)),
    klines: (symbol, interval, from, to) => (live(), md.klines(symbol, interval, from, to)),
    placeOrder: (req) => (live(), placeOrder(orderDeps, req)),
    cancelOrder: (symbol, cid) => (live(), cancelOrder(orderDeps, symbol, cid)),
    getOrder: (symbol, cid) => (live(), getOrder(orderDeps, symbol, cid)),
    openOrders,
    positions,
    balances,
    fundingPayments,
    async setLeverage(symbol, leverage): Promise<LeverageSetting> {
      live();
      // Part of placing an entry (it waits for this), so it draws on the order share of the weight.
      const w = await rest.call<WireLeverage>({ breaker: 'account', weight: 1, retry: 'idempotent', what: 'setLeverage', tier: 'order' }, (ex) =>
        ex.fapiPrivatePostLeverage({ symbol, leverage }),
      );
      return parseLeverage(w);
    },
    async positionMode() {
      live();
      const w = await rest.call<WirePositionMode>({ breaker: 'account', weight: 30, retry: 'idempotent', what: 'positionMode' }, (ex) =>
        ex.fapiPrivateGetPositionSideDual(),
      );
      return parsePositionMode(w);
    },
    feeBurn: () => accountFlag('feeBurn', (ex) => ex.fapiPrivateGetFeeBurn()),
    multiAssetsMargin: () => accountFlag('multiAssetsMargin', (ex) => ex.fapiPrivateGetMultiAssetsMargin()),
    subscribeCandles,
    subscribeMarks(symbols, onMark: (m: MarkTick) => void) {
      live();
      return hub.add(symbols.map((s) => `${lower(s)}@markPrice@1s`), {
        handler: (_stream, data) => {
          const m = parseMarkPrice(data as WsMarkPrice, venue);
          md.noteMark(m);
          onMark(m);
        },
      });
    },
    subscribeTrades(symbols, onTrade: (t: TradeTick) => void) {
      live();
      return hub.add(symbols.map((s) => `${lower(s)}@aggTrade`), { handler: (_s, data) => onTrade(parseAggTrade(data as WsAggTrade, venue)) });
    },
    userStream(onEvent: (e: UserStreamEvent) => void, onResync: (s: ResyncSnapshot) => void) {
      live();
      const sub = startUserStream({
        rest, wsUrl: o.wsUrl, clock, log, venue, keepAliveMs: o.listenKeyKeepAliveMs, ws: o.ws, onEvent, onResync,
        snapshot: async () => {
          const [oo, ps, bs] = await Promise.all([openOrders(), positions(), balances()]);
          return { openOrders: oo, positions: ps, balances: bs };
        },
      });
      userStreams.add(sub);
      return {
        ready: sub.ready,
        close: () => {
          userStreams.delete(sub);
          sub.close();
        },
      };
    },
    breakerState: () => ({ breakers: breakers.snapshot(), weight: budget.state(), marketSocketOpens: hub.opens }),
    onBreakerEvent: (listener) => breakers.on(listener),
    async close() {
      if (closed) return;
      // Calls waiting for request weight or a retry end now instead of holding the process open.
      budget.close();
      await Promise.all([...userStreams].map((s) => s.stop()));
      userStreams.clear();
      await hub.close();
      closed = true;
      breakers.shutdown();
    },
  };
}
